/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MMIO for the Unicorn backend: an access to a guest page the model says
 * is not memory becomes a VCPU_EV_MMIO event with its GPA, size,
 * direction and (for a write) data, with RIP on the instruction and
 * nothing of it executed - what #VC(NPF) needs under SEV-ES and an
 * emulating hypervisor needs otherwise.
 *
 * The backend does not decode x86 memory operands; Unicorn does. So the
 * page gets a Unicorn MMIO region whose callbacks see every access, but its
 * shadow PTE stays not present: any access faults precisely first. Then the
 * instruction is probed - the CPU state saved, the page made present, the
 * instruction single-stepped with the callbacks recording the first access
 * (reads get 0), the state restored and the page hidden again - and the
 * recorded access is the event. uc_vcpu_complete() replays the instruction
 * with the model's data as what the read returns.
 *
 * Limits: one MMIO access per instruction is reported (a MOVS between two
 * MMIO pages sees the second one read 0); the probe's stores to ordinary
 * memory (PUSH of an MMIO value) happen twice, the second time with the
 * right value.
 */
#include <errno.h>
#include <string.h>

#include "uc_internal.h"

static uint64_t on_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
    struct uc_vcpu *v = user;
    (void)uc;
    if (v->mmio_seen)
        return 0;
    v->mmio_seen = true;
    if (v->mmio_mode == UC_MMIO_REPLAY)
        return v->mmio_value;
    v->mmio_off = off;
    v->mmio_size = size;
    v->mmio_write = false;
    return 0;
}

static void on_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t value, void *user)
{
    struct uc_vcpu *v = user;
    (void)uc;
    if (v->mmio_seen)
        return;
    v->mmio_seen = true;
    if (v->mmio_mode != UC_MMIO_PROBE)
        return;
    v->mmio_off = off;
    v->mmio_size = size;
    v->mmio_write = true;
    v->mmio_value = value;
}

int uc_step(struct uc_vcpu *v)
{
    uint64_t rip = uc_get(v, UC_X86_REG_RIP);
    uc_hook h = 0;
    if (v->block_mode) {
        /* A code hook on everything, and the block at RIP translated anew
         * so that it has it; deleting the hook drops what it instrumented. */
        if (uc_hook_add(v->uc, &h, UC_HOOK_CODE, v->code_cb, v, 1, 0))
            return -ENOMEM;
        uc_ctl_remove_cache(v->uc, rip, rip + 1);
    }
    v->stepping = true;
    v->step_left = 1;
    v->stop = UC_STOP_NONE;
    memset(&v->ev, 0, sizeof(v->ev));
    v->block_stop = false;
    uc_err e = uc_emu_start(v->uc, rip, UCM_UNTIL, 0, 0);
    uc_block_stop_fix(v);
    v->stepping = false;
    if (h)
        uc_hook_del(v->uc, h);
    switch (v->stop) {
    case UC_STOP_STEPPED:
    case UC_STOP_NONE:
        if (e != UC_ERR_OK) {
            uc_set_error(v, -EIO, "single step: %s", uc_strerror(e));
            return -EIO;
        }
        return 0;
    case UC_STOP_EVENT:
        return 1;
    default:
        return v->err ? v->err : -EIO;
    }
}

/* The page's 4 KiB of its window become an MMIO region (Unicorn splits the
 * window's region around it). */
static int map_mmio(struct uc_vcpu *v, uint64_t va)
{
    struct ucm *m = &v->m;
    unsigned i;
    for (i = 0; i < m->nmmio && m->mmio[i].va != va; i++)
        ;
    if (i < m->nmmio)
        return 0;
    if (m->nmmio == UCM_MAX_MMIO) {
        uc_set_error(v, -ENOSPC, "more than %u MMIO pages", UCM_MAX_MMIO);
        return -ENOSPC;
    }
    if (uc_mem_unmap(v->uc, va, UCM_PAGE) ||
        uc_mmio_map(v->uc, va, UCM_PAGE, on_read, v, on_write, v)) {
        uc_set_error(v, -EIO, "cannot map MMIO at %#llx", (unsigned long long)va);
        return -EIO;
    }
    m->mmio[m->nmmio].va = va;
    m->mmio[m->nmmio].gpa = v->mmio_gpa;
    m->nmmio++;
    return 0;
}

int uc_mmio_unmap(struct uc_vcpu *v, uint64_t va)
{
    struct ucm *m = &v->m;
    for (unsigned i = 0; i < m->nmmio; i++) {
        if (m->mmio[i].va != va)
            continue;
        m->mmio[i] = m->mmio[--m->nmmio];
        uint8_t *host = ucm_host(v, va);
        if (!host || uc_mem_unmap(v->uc, va, UCM_PAGE) ||
            uc_mem_map_ptr(v->uc, va, UCM_PAGE, UC_PROT_ALL, host))
            return -EIO;
        return 0;
    }
    return 0;
}

/* Make the page present (writable) or not around one step. */
static void show(struct uc_vcpu *v, uint64_t va, bool present)
{
    uint64_t *pte = ucm_pte(&v->m, va, true);
    if (!pte)
        return;
    *pte = present ? (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D) : 0;
    if (!present)
        v->m.tlb_stale = true;
}

int uc_mmio_probe(struct uc_vcpu *v, uint64_t va, uint64_t gpa)
{
    v->mmio_va = va;
    v->mmio_gpa = gpa;
    int rc = map_mmio(v, va);
    if (rc)
        return rc;
    uint64_t rip = uc_get(v, UC_X86_REG_RIP);
    uc_context_save(v->uc, v->ctx);
    v->mmio_mode = UC_MMIO_PROBE;
    v->mmio_seen = false;
    show(v, va, true);
    rc = uc_step(v);
    show(v, va, false);
    v->mmio_mode = UC_MMIO_OFF;
    uint8_t len = v->last_size;
    uc_context_restore(v->uc, v->ctx);
    if (rc < 0)
        return rc;
    if (rc == 1 && !v->mmio_seen)
        return 1; /* something else stopped the instruction first: that is the event */
    if (!v->mmio_seen) {
        uc_set_error(v, -EIO, "instruction at %#llx faulted on MMIO at %#llx but did not access it",
                     (unsigned long long)rip, (unsigned long long)va);
        return -EIO;
    }
    memset(&v->ev, 0, sizeof(v->ev));
    v->ev.kind = VCPU_EV_MMIO;
    v->ev.insn_len = len;
    v->ev.mmio.gpa = gpa + v->mmio_off;
    v->ev.mmio.len = (uint8_t)v->mmio_size;
    v->ev.mmio.write = v->mmio_write;
    if (v->mmio_write)
        memcpy(v->ev.mmio.data, &v->mmio_value, sizeof(v->ev.mmio.data));
    v->ev_rip = rip;
    v->pending = true;
    return 1;
}

int uc_mmio_complete(struct uc_vcpu *v, const struct uc_vcpu_result *res)
{
    v->mmio_value = 0;
    if (!v->ev.mmio.write) {
        if (!res->data || res->len < v->ev.mmio.len)
            return -EINVAL;
        memcpy(&v->mmio_value, res->data,
               v->ev.mmio.len < sizeof(v->mmio_value) ? v->ev.mmio.len : sizeof(v->mmio_value));
    }
    v->mmio_mode = UC_MMIO_REPLAY;
    v->mmio_seen = false;
    show(v, v->mmio_va, true);
    int rc = uc_step(v);
    show(v, v->mmio_va, false);
    v->mmio_mode = UC_MMIO_OFF;
    if (rc < 0)
        return rc;
    if (rc == 1 || uc_get(v, UC_X86_REG_RIP) == v->ev_rip) {
        uc_set_error(v, -EIO, "MMIO instruction at %#llx did not complete",
                     (unsigned long long)v->ev_rip);
        return -EIO;
    }
    v->pending = false;
    return 0;
}
