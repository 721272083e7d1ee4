/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's VMGEXIT handler (see vmgexit.h). The shape is KVM's
 * sev_handle_vmgexit: the MSR protocol answered in the MSR; for the page
 * protocol the GHCB is read through the host path into a private copy,
 * its valid bitmap taken and cleared, the usage, version and the inputs of
 * the event checked, the event handled, and the answer (SW_EXITINFO1/2 and
 * RAX..RDX, each marked valid) written back. The guest can change the page
 * while we work on it; working on the copy means we never act on a field
 * we did not check.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hv/snp_host.h"
#include "hv/vmgexit.h"
#include "swsev/abi/snp_cmd.h"

#define PAGE_4K 0x1000ull
#define PAGE_2M 0x200000ull

/* KVM hypercalls answered for VMMCALL (include/uapi/linux/kvm_para.h). */
#define KVM_HC_VAPIC_POLL_IRQ 1u
#define KVM_HC_KICK_CPU       5u
#define KVM_ENOSYS            1000u
#define KVM_EPERM             1u

/* MSRs of the MSR event. */
#define MSR_IA32_TSC         0x10u
#define MSR_IA32_APIC_BASE   0x1Bu
#define MSR_IA32_MISC_ENABLE 0x1A0u
#define MSR_IA32_CR_PAT      0x277u
#define MSR_TSC_AUX          0xC0000103u

/* One page-protocol exit in progress. */
struct ex {
    struct hv_vmgexit *hx;
    struct hv_vm *vm;
    struct hv_vmgexit_vcpu *v;
    struct hv_vmgexit_result *r;
    uint64_t gpa;  /* of the GHCB */
    struct ghcb g; /* our copy: what we checked is what we use */
    uint8_t valid[16];
    uint64_t code, info1, info2, scratch;
    uint64_t rax, rbx, rcx, rdx, xcr0;
    uint8_t cpl;
    uint8_t *sa; /* the scratch area: in g, or a buffer for a version-1 area outside it */
    uint64_t sa_len, sa_gpa;
    bool sa_heap, sa_sync;
};

/* ---- guest memory as the hypervisor sees it ---- */

static bool guest_range(const struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
    if (gpa + len < gpa)
        return false;
    if (gpa <= vm->ram_size && len <= vm->ram_size - gpa)
        return true;
    return vm->rom_size && gpa >= vm->rom_gpa && gpa - vm->rom_gpa <= vm->rom_size &&
           len <= vm->rom_size - (gpa - vm->rom_gpa);
}

static bool overlaps_guest(const struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
    uint64_t end = gpa + len;
    if (gpa < vm->ram_size)
        return true;
    return vm->rom_size && gpa < vm->rom_gpa + vm->rom_size && end > vm->rom_gpa;
}

static uint64_t max_gpa(const struct hv_vm *vm)
{
    return 1ull << chip_effective_pa_bits(memsys_chip(vm->kvm->ms));
}

/* Under SNP the RMP says which pages are private; the host cannot tell
 * for SEV-ES (a private page is just ciphertext to it). */
static bool page_private(const struct hv_vm *vm, uint64_t gpa)
{
    struct rmp_state st;
    uint64_t spa = hv_vm_spa(vm, gpa & ~(PAGE_4K - 1));
    if (!vm->snp || !spa)
        return false;
    return memsys_rmpread(vm->kvm->ms, spa, &st) == RMP_SUCCESS && st.assigned;
}

static bool range_shared(const struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
    for (uint64_t p = gpa & ~(PAGE_4K - 1); p < gpa + len; p += PAGE_4K)
        if (page_private(vm, p))
            return false;
    return true;
}

/* Keep the VM layer's view (guest-request path, teardown) in step with
 * the RMP. Same indexing as vm_snp.c: RAM pages, then the ROM region. */
static void mark_private(struct hv_vm *vm, uint64_t gpa, bool priv)
{
    if (!vm->private_pages)
        return;
    if (gpa < vm->ram_size)
        vm->private_pages[gpa / PAGE_4K] = priv;
    else if (vm->rom_size && gpa >= vm->rom_gpa && gpa - vm->rom_gpa < vm->rom_size)
        vm->private_pages[(vm->ram_size + gpa - vm->rom_gpa) / PAGE_4K] = priv;
}

/* The raw RMP entry (lo qword), read from the table as Linux does before
 * RMPREAD exists: the architectural view has no VMSA bit. */
static bool rmp_raw_lo(struct memsys *ms, uint64_t spa, uint64_t *lo)
{
    uint64_t base, end;
    memsys_rmp_range(ms, &base, &end);
    if (!base)
        return false;
    uint64_t pa = base + RMP_BOOKKEEPING + (spa >> 12) * RMP_ENTRY_SIZE;
    return pa + 8 <= end + 1 && memsys_host_read(ms, pa, lo, sizeof(*lo)) == SWSEV_OK;
}
#define RMP_RAW_VMSA (1ull << 61)

/* ---- answers ---- */

static void answer(struct ex *x, uint64_t info1, uint64_t info2)
{
    x->r->info1 = info1;
    x->r->info2 = info2;
}

static void bad(struct ex *x, uint32_t reason, const char *why)
{
    answer(x, GHCB_RET_ERROR, reason);
    x->r->ghcb_error = reason;
    x->r->why = why;
}

static void inject(struct ex *x, uint8_t vector, const char *why)
{
    answer(x, GHCB_RET_EXCEPTION, ghcb_evt_exception(vector, vector == GHCB_VECTOR_GP, 0));
    x->r->why = why;
}

static bool valid(const struct ex *x, unsigned off)
{
    unsigned bit = off / 8;
    return (x->valid[bit / 8] >> (bit % 8)) & 1;
}

/* All of the listed inputs must be marked valid. */
static bool need(struct ex *x, const unsigned *offs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!valid(x, offs[i])) {
            bad(x, GHCB_ERR_MISSING_INPUT, "an input of the event is not marked valid");
            return false;
        }
    return true;
}
#define NEED(x, ...)                                                                               \
    need((x), (const unsigned[]){__VA_ARGS__},                                                     \
         sizeof((const unsigned[]){__VA_ARGS__}) / sizeof(unsigned))

/* The scratch area of an event that moves len bytes. Version 2 wants it
 * inside the GHCB's shared buffer; version 1 may point anywhere in guest
 * memory (read into a buffer of at most 16 pages, as KVM does). */
static bool scratch(struct ex *x, uint64_t len, bool sync)
{
    if (!NEED(x, GHCB_OFF_SW_SCRATCH))
        return false;
    uint64_t beg = x->scratch, end = beg + len;
    const char *why = NULL;
    if (len == 0 || end < beg) {
        why = "scratch area wraps around";
    } else if ((beg & ~(PAGE_4K - 1)) == x->gpa) {
        uint64_t sb = x->gpa + GHCB_SHARED_BUF_OFF, se = sb + GHCB_SHARED_BUF_SIZE;
        if (beg < sb || end > se) {
            why = "scratch area is not inside the GHCB's shared buffer";
        } else {
            x->sa = (uint8_t *)&x->g + (beg - x->gpa);
            x->sa_len = se - beg;
            return true;
        }
    } else if (x->g.protocol_version >= 2) {
        why = "version 2 wants the scratch area inside the GHCB";
    } else if (len > HV_VMGEXIT_SCRATCH_MAX) {
        why = "scratch area larger than the hypervisor's limit";
    } else if (!guest_range(x->vm, beg, len) || !range_shared(x->vm, beg, len)) {
        why = "scratch area is not shared guest memory";
    } else {
        x->sa = malloc(len);
        if (x->sa && hv_vm_read(x->vm, beg, x->sa, len) == SWSEV_OK) {
            x->sa_heap = true;
            x->sa_sync = sync;
            x->sa_len = len;
            x->sa_gpa = beg;
            return true;
        }
        free(x->sa);
        x->sa = NULL;
        why = "scratch area could not be read";
    }
    bad(x, GHCB_ERR_INVALID_SCRATCH_AREA, why);
    return false;
}

/* ---- CPUID and the TSC ---- */

static void cpuid(struct hv_vmgexit *hx, const struct hv_vmgexit_vcpu *v, uint32_t leaf,
                  uint32_t subleaf, uint32_t regs[4])
{
    const struct chip_config *cfg = memsys_chip(hx->vm->kvm->ms);
    chip_cpuid(cfg, leaf, subleaf, regs);
    switch (leaf) {
    case 0x1:
        regs[1] = (regs[1] & 0x00FFFFFFu) | v->apic_id << 24; /* the vCPU's APIC ID */
        regs[2] |= 1u << 31;                                  /* running under a hypervisor */
        break;
    case 0x80000008:
        /* MAXPHYADDR as the guest can use it (KVM reports it reduced). */
        regs[0] = (regs[0] & ~0xFFu) | chip_effective_pa_bits(cfg);
        break;
    case 0x8000001F: {
        /* What KVM exposes: SEV, SEV-ES, SNP for SNP guests, coherency;
         * no VMPL count, no PA reduction (it is in 0x8000_0008). */
        uint32_t keep = CPUID_SEV_SEV | CPUID_SEV_ES | CPUID_SEV_HW_COHERENCY |
                        (hx->vm->snp ? CPUID_SEV_SNP : 0);
        regs[0] &= keep;
        regs[1] &= 0x3Fu;
        break;
    }
    default:
        break;
    }
}

static uint64_t tsc_now(const struct hv_vmgexit *hx)
{
    if (hx->cfg.tsc)
        return hx->cfg.tsc(hx->cfg.tsc_ctx);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * hx->cfg.tsc_hz +
           (uint64_t)ts.tv_nsec * hx->cfg.tsc_hz / 1000000000ull;
}

/* ---- page state changes (SNP) ---- */

/* One 4 KiB page to private or shared, as KVM's gmem paths do it: a page
 * turned private is Guest-Invalid (assigned, not immutable: the guest
 * must PVALIDATE it); one turned shared has the guest's cache lines
 * written back first. Returns 0 or a PSC error for SW_EXITINFO2. */
static uint64_t psc_page(struct hv_vmgexit *hx, uint64_t gpa, unsigned op, uint64_t ghcb_gpa)
{
    struct hv_vm *vm = hx->vm;
    struct memsys *ms = vm->kvm->ms;
    if (!guest_range(vm, gpa, PAGE_4K))
        return GHCB_PSC_ERR_INVALID_ENTRY; /* not the guest's memory */
    uint64_t spa = hv_vm_spa(vm, gpa);
    struct rmp_state st;
    if (memsys_rmpread(ms, spa, &st) != RMP_SUCCESS)
        return GHCB_PSC_ERR_GENERIC;
    bool mine = st.assigned && st.asid == vm->asid && st.gpa == gpa;
    if (op == GHCB_PSC_OP_PRIVATE) {
        if (gpa == ghcb_gpa)
            return GHCB_PSC_ERR_INVALID_ENTRY; /* the page this request travels in */
        if (st.assigned)
            return mine ? 0 : GHCB_PSC_ERR_INVALID_ENTRY;
        memsys_clflush_range(ms, hv_psp_pa(vm->kvm->psp, spa), PAGE_4K);
        struct rmp_state ns = {gpa, 1, 0, 0, 0, vm->asid};
        if (memsys_rmpupdate(ms, spa, &ns) != RMP_SUCCESS)
            return GHCB_PSC_ERR_GENERIC;
        mark_private(vm, gpa, true);
        return 0;
    }
    if (!st.assigned) {
        mark_private(vm, gpa, false);
        return 0;
    }
    if (!mine)
        return GHCB_PSC_ERR_INVALID_ENTRY;
    memsys_vm_page_flush(ms, spa | vm->asid);
    if (hv_snp_make_shared(vm->kvm->psp, spa))
        return GHCB_PSC_ERR_GENERIC; /* e.g. a page the firmware made immutable */
    mark_private(vm, gpa, false);
    return 0;
}

static uint64_t psc_psmash(struct hv_vmgexit *hx, uint64_t gpa)
{
    struct hv_vm *vm = hx->vm;
    if (!guest_range(vm, gpa, PAGE_2M))
        return GHCB_PSC_ERR_INVALID_ENTRY;
    uint64_t spa = hv_vm_spa(vm, gpa);
    struct rmp_state st;
    if (spa & (PAGE_2M - 1))
        return GHCB_PSC_ERR_INVALID_ENTRY; /* not backed by one 2 MiB host page */
    if (memsys_rmpread(vm->kvm->ms, spa, &st) != RMP_SUCCESS)
        return GHCB_PSC_ERR_GENERIC;
    if (!st.assigned || !(st.pagesize & 1))
        return 0; /* already 4 KiB entries */
    return memsys_psmash(vm->kvm->ms, spa) == RMP_SUCCESS ? 0 : GHCB_PSC_ERR_GENERIC;
}

static void ev_psc(struct ex *x)
{
    if (!scratch(x, sizeof(struct ghcb_psc_hdr), true))
        return;
    struct ghcb_psc_hdr h;
    memcpy(&h, x->sa, sizeof(h));
    uint64_t max = (x->sa_len - sizeof(h)) / 8;
    if (max > GHCB_PSC_MAX_ENTRIES)
        max = GHCB_PSC_MAX_ENTRIES;
    if (h.end_entry >= max || h.rsvd) {
        answer(x, 0, GHCB_PSC_ERR_INVALID_HDR);
        x->r->why = "PSC header out of range";
        return;
    }
    uint64_t err = 0;
    unsigned idx;
    for (idx = h.cur_entry; idx <= h.end_entry && !err; idx++) {
        uint8_t *ep = x->sa + sizeof(h) + 8u * idx;
        uint64_t e;
        memcpy(&e, ep, 8);
        unsigned op = GHCB_PSC_OP(e), n = GHCB_PSC_2M(e) ? 512 : 1, cur = GHCB_PSC_CUR_PAGE(e);
        uint64_t gfn = GHCB_PSC_GFN(e);
        if ((e & GHCB_PSC_RSVD_MASK) || op < GHCB_PSC_OP_PRIVATE || op > GHCB_PSC_OP_UNSMASH ||
            cur > n || (gfn & (n - 1)) || (gfn + n) << 12 > max_gpa(x->vm)) {
            err = GHCB_PSC_ERR_INVALID_ENTRY;
            break;
        }
        if (op == GHCB_PSC_OP_PSMASH && n == 512 && cur < n)
            err = psc_psmash(x->hx, gfn << 12);
        for (; !err && cur < n && op <= GHCB_PSC_OP_SHARED; cur++) {
            err = psc_page(x->hx, (gfn + cur) << 12, op, x->gpa);
            if (err)
                break;
        }
        if (!err)
            cur = n; /* UNSMASH has nothing to do: our entries are 4 KiB */
        /* Progress goes back to the guest, so a retry resumes here. */
        e = (e & ~0xFFFull) | cur;
        memcpy(ep, &e, 8);
        if (err)
            break;
    }
    h.cur_entry = (uint16_t)idx;
    memcpy(x->sa, &h, sizeof(h));
    answer(x, 0, err); /* "no action": the PSC result is in SW_EXITINFO2 */
    if (err)
        x->r->why = "page state change refused";
}

/* ---- the events ---- */

static void ev_ioio(struct ex *x)
{
    struct hv_vmgexit_result *r = x->r;
    const uint64_t reserved = ~0xFFFF1FFDull; /* bit 1, bits 13-15, bits 32-63 */
    uint64_t i1 = x->info1;
    unsigned size = (i1 & GHCB_IOIO_SZ_MASK) >> 4;
    if ((i1 & reserved) || (size != 1 && size != 2 && size != 4)) {
        bad(x, GHCB_ERR_INVALID_INPUT, "IOIO exit information is malformed");
        return;
    }
    bool in = i1 & GHCB_IOIO_TYPE_IN;
    uint16_t port = GHCB_IOIO_PORT(i1);
    r->kind = HV_VMGEXIT_IO;
    r->io.port = port;
    r->io.size = (uint8_t)size;
    r->io.in = in;
    r->io.count = 1;
    bool exit_written = false;
    uint32_t exit_code = 0;
    if (i1 & GHCB_IOIO_STR) {
        if (x->info2 > 0x7FFFFFFF) {
            bad(x, GHCB_ERR_INVALID_INPUT, "string I/O count out of range");
            r->kind = HV_VMGEXIT_RESUME;
            return;
        }
        uint64_t count = x->info2;
        r->io.count = (uint32_t)count;
        if (count == 0)
            return;
        if (!scratch(x, count * size, in)) {
            r->kind = HV_VMGEXIT_RESUME;
            return;
        }
        for (uint64_t i = 0; i < count; i++) {
            uint32_t val = 0;
            if (!in)
                memcpy(&val, x->sa + i * size, size);
            r->io.claim = x->hx->dev ? hv_dev_pio(x->hx->dev, port, (uint8_t)size, in, &val)
                                     : (val = 0xFFFFFFFFu, HV_DEV_NONE);
            if (in)
                memcpy(x->sa + i * size, &val, size);
            if (!in && r->io.claim == HV_DEV_DEBUG_EXIT) {
                exit_written = true;
                exit_code = val & (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1);
            }
        }
    } else {
        if (!in && !NEED(x, GHCB_OFF_RAX)) {
            r->kind = HV_VMGEXIT_RESUME;
            return;
        }
        uint32_t val = (uint32_t)x->rax;
        r->io.claim = x->hx->dev ? hv_dev_pio(x->hx->dev, port, (uint8_t)size, in, &val)
                                 : (val = 0xFFFFFFFFu, HV_DEV_NONE);
        if (in) {
            uint64_t mask = size == 4 ? 0xFFFFFFFFull : (1ull << (8 * size)) - 1;
            /* As the processor: IN to AL/AX keeps the rest of RAX, IN to
             * EAX clears the upper half. */
            x->rax = size == 4 ? val : (x->rax & ~mask) | (val & mask);
        } else if (r->io.claim == HV_DEV_DEBUG_EXIT) {
            exit_written = true;
            exit_code = val & (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1);
        }
    }
    if (exit_written) {
        r->kind = HV_VMGEXIT_DEBUG_EXIT;
        r->debug_exit_code = exit_code;
    }
}

static void ev_mmio(struct ex *x, bool write)
{
    struct hv_vmgexit_result *r = x->r;
    uint64_t gpa = x->info1, len = x->info2;
    if (!NEED(x, GHCB_OFF_SW_SCRATCH))
        return;
    if (len == 0)
        return;
    if (len > 8 || gpa >= max_gpa(x->vm) || len > max_gpa(x->vm) - gpa) {
        bad(x, GHCB_ERR_INVALID_INPUT, "MMIO length or address out of range");
        return;
    }
    if (overlaps_guest(x->vm, gpa, len)) {
        bad(x, GHCB_ERR_INVALID_INPUT, "MMIO event for guest memory");
        return;
    }
    if (!scratch(x, len, !write))
        return;
    uint8_t data[8];
    if (write)
        memcpy(data, x->sa, len);
    r->kind = HV_VMGEXIT_MMIO;
    r->mmio.gpa = gpa;
    r->mmio.len = (uint32_t)len;
    r->mmio.write = write;
    if (x->hx->dev) {
        r->mmio.claim = hv_dev_mmio(x->hx->dev, gpa, (uint32_t)len, write, data);
    } else {
        r->mmio.claim = HV_DEV_NONE;
        memset(data, 0xFF, sizeof(data));
    }
    if (!write)
        memcpy(x->sa, data, len);
}

static bool pat_valid(uint64_t pat)
{
    for (int i = 0; i < 8; i++) {
        unsigned t = (pat >> (8 * i)) & 0xFF;
        if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
            return false;
    }
    return true;
}

static void ev_msr(struct ex *x)
{
    struct hv_vmgexit_vcpu *v = x->v;
    if (!NEED(x, GHCB_OFF_RCX))
        return;
    if (x->info1 > GHCB_MSR_WRITE) {
        bad(x, GHCB_ERR_INVALID_INPUT, "MSR exit information is neither read nor write");
        return;
    }
    bool write = x->info1 == GHCB_MSR_WRITE;
    if (write && !NEED(x, GHCB_OFF_RAX, GHCB_OFF_RDX))
        return;
    uint32_t msr = (uint32_t)x->rcx;
    uint64_t val = x->rdx << 32 | (uint32_t)x->rax;
    bool ok = true;
    if (!write) {
        switch (msr) {
        case MSR_IA32_TSC:
            val = tsc_now(x->hx);
            break;
        case MSR_IA32_APIC_BASE:
            val = v->apic_base;
            break;
        case MSR_IA32_MISC_ENABLE:
            val = v->misc_enable;
            break;
        case MSR_IA32_CR_PAT:
            val = v->pat;
            break;
        case MSR_TSC_AUX:
            val = v->tsc_aux;
            break;
        default:
            ok = false;
        }
        x->rax = (uint32_t)val;
        x->rdx = val >> 32;
    } else {
        switch (msr) {
        case MSR_IA32_MISC_ENABLE:
            v->misc_enable = val;
            break;
        case MSR_IA32_CR_PAT:
            ok = pat_valid(val);
            if (ok)
                v->pat = val;
            break;
        case MSR_TSC_AUX:
            ok = (val >> 32) == 0;
            if (ok)
                v->tsc_aux = val;
            break;
        default:
            ok = false; /* TSC and APIC base are not writable here */
        }
    }
    if (!ok)
        inject(x, GHCB_VECTOR_GP, "MSR not emulated or value refused: #GP");
}

static void ev_vmmcall(struct ex *x)
{
    if (!NEED(x, GHCB_OFF_RAX, GHCB_OFF_CPL))
        return;
    if (x->cpl != 0)
        x->rax = (uint64_t) - (int64_t)KVM_EPERM;
    else if (x->rax == KVM_HC_VAPIC_POLL_IRQ || x->rax == KVM_HC_KICK_CPU)
        x->rax = 0;
    else
        x->rax = (uint64_t) - (int64_t)KVM_ENOSYS;
}

static void ev_cpuid(struct ex *x)
{
    if (!NEED(x, GHCB_OFF_RAX, GHCB_OFF_RCX))
        return;
    if ((uint32_t)x->rax == 0xD && !NEED(x, GHCB_OFF_XCR0))
        return;
    uint32_t regs[4];
    cpuid(x->hx, x->v, (uint32_t)x->rax, (uint32_t)x->rcx, regs);
    x->rax = regs[0];
    x->rbx = regs[1];
    x->rcx = regs[2];
    x->rdx = regs[3];
}

static void ev_jump_table(struct ex *x)
{
    if (x->info1 == GHCB_AP_JUMP_TABLE_SET) {
        if (!guest_range(x->vm, x->info2, 4)) {
            bad(x, GHCB_ERR_INVALID_INPUT, "AP jump table outside guest memory");
            return;
        }
        x->hx->ap_jump_table = x->info2;
    } else if (x->info1 == GHCB_AP_JUMP_TABLE_GET) {
        answer(x, 0, x->hx->ap_jump_table);
    } else {
        bad(x, GHCB_ERR_INVALID_INPUT, "AP jump table request is neither set nor get");
    }
}

static unsigned nr_vmpls(const struct hv_vmgexit *hx)
{
    unsigned n = memsys_chip(hx->vm->kvm->ms)->nr_vmpls;
    return (hx->cfg.hv_features & GHCB_HV_FT_SNP_MULTI_VMPL) && n ? n : 1;
}

static void ev_ap_creation(struct ex *x)
{
    struct hv_vmgexit *hx = x->hx;
    uint32_t request = (uint32_t)(x->info1 & ~GHCB_AP_VMPL_MASK);
    uint8_t vmpl = (uint8_t)((x->info1 & GHCB_AP_VMPL_MASK) >> GHCB_AP_VMPL_SHIFT);
    uint32_t apic = (uint32_t)(x->info1 >> 32);
    if (request > GHCB_AP_DESTROY || apic >= x->vm->nr_vcpus || vmpl >= nr_vmpls(hx) ||
        !(hx->cfg.hv_features & GHCB_HV_FT_SNP_AP_CREATION)) {
        bad(x, GHCB_ERR_INVALID_INPUT, "AP creation: bad request, APIC ID or VMPL");
        return;
    }
    struct hv_vmgexit_ap rec = {true, request, vmpl, HV_VMGEXIT_NO_GPA, 0, 0};
    if (request != GHCB_AP_DESTROY) {
        if (!NEED(x, GHCB_OFF_RAX))
            return;
        uint64_t vmsa = x->info2, lo = 0;
        struct rmp_state st;
        /* The VMSA must be a page the guest turned into a VMSA (RMPADJUST
         * with the VMSA bit) and not 2 MiB aligned (KVM: an SNP erratum
         * makes such a VMSA fault the host). */
        uint64_t spa =
            (vmsa & (PAGE_4K - 1)) || !(vmsa & (PAGE_2M - 1)) || !guest_range(x->vm, vmsa, PAGE_4K)
                ? 0
                : hv_vm_spa(x->vm, vmsa);
        if (x->rax != hx->cfg.sev_features) {
            bad(x, GHCB_ERR_INVALID_INPUT, "AP creation: SEV_FEATURES differ from the VM's");
            return;
        }
        if (!spa || memsys_rmpread(x->vm->kvm->ms, spa, &st) != RMP_SUCCESS || !st.assigned ||
            st.asid != x->vm->asid || st.gpa != vmsa || !rmp_raw_lo(x->vm->kvm->ms, spa, &lo) ||
            !(lo & RMP_RAW_VMSA)) {
            bad(x, GHCB_ERR_INVALID_INPUT, "AP creation: not a VMSA page of this guest");
            return;
        }
        rec.vmsa_gpa = vmsa;
        rec.vmsa_spa = spa;
        rec.sev_features = x->rax;
    }
    hx->ap[apic] = rec;
    x->r->kind = HV_VMGEXIT_AP_CREATE;
    x->r->ap_apic_id = apic;
}

/* Write the certificate table for an extended request, or say how many
 * pages it needs. Returns false when the request was answered. */
static bool ext_certs(struct ex *x, uint64_t req_gpa)
{
    struct hv_vmgexit *hx = x->hx;
    uint8_t type = 0;
    if (hv_vm_read(x->vm, req_gpa + offsetof(struct snp_msg_hdr, msg_type), &type, 1))
        type = 0;
    if (type != SNP_MSG_REPORT_REQ)
        return true; /* certificates only come with reports */
    if (!NEED(x, GHCB_OFF_RAX, GHCB_OFF_RBX))
        return false;
    uint64_t data = x->rax, npages = x->rbx;
    uint64_t need = (hx->certs_len + PAGE_4K - 1) / PAGE_4K;
    if (data & (PAGE_4K - 1)) {
        bad(x, GHCB_ERR_INVALID_INPUT, "certificate buffer not page aligned");
        return false;
    }
    if (npages < need) {
        x->rbx = need;
        answer(x, 0, GHCB_SNP_ERR(GHCB_SNP_VMM_ERR_INVALID_LEN, 0));
        x->r->why = "certificate buffer too small";
        return false;
    }
    uint64_t len = hx->certs_len ? need * PAGE_4K : (npages ? GHCB_CERT_ENTRY_SIZE : 0);
    if (!len)
        return true;
    if (!guest_range(x->vm, data, len) || !range_shared(x->vm, data, len)) {
        bad(x, GHCB_ERR_INVALID_INPUT, "certificate buffer is not shared guest memory");
        return false;
    }
    uint8_t *buf = calloc(1, len);
    bool ok = buf != NULL;
    if (ok) {
        memcpy(buf, hx->certs, hx->certs_len);
        ok = hv_vm_write(x->vm, data, buf, len) == SWSEV_OK;
    }
    free(buf);
    if (!ok)
        answer(x, 0, GHCB_SNP_ERR(GHCB_SNP_VMM_ERR_GENERIC, 0));
    return ok;
}

static void ev_guest_request(struct ex *x, bool ext)
{
    uint64_t req = x->info1, resp = x->info2;
    if ((req | resp) & (PAGE_4K - 1) || req == resp || !guest_range(x->vm, req, PAGE_4K) ||
        !guest_range(x->vm, resp, PAGE_4K) || page_private(x->vm, req) ||
        page_private(x->vm, resp)) {
        bad(x, GHCB_ERR_INVALID_INPUT, "guest request pages are not two shared guest pages");
        return;
    }
    if (ext && !ext_certs(x, req))
        return;
    uint32_t fw = 0;
    int rc = hv_vm_snp_guest_request(x->vm, req, resp, &fw);
    if (rc && !fw) {
        answer(x, 0, GHCB_SNP_ERR(GHCB_SNP_VMM_ERR_GENERIC, 0));
        x->r->why = "guest request failed in the hypervisor";
        return;
    }
    answer(x, 0, GHCB_SNP_ERR(0, fw)); /* firmware errors go to the guest */
}

static bool snp_event(uint64_t code)
{
    return code == GHCB_NAE_PSC || code == GHCB_NAE_GUEST_REQUEST ||
           code == GHCB_NAE_EXT_GUEST_REQUEST || code == GHCB_NAE_AP_CREATION ||
           code == GHCB_NAE_RUN_VMPL;
}

static void dispatch(struct ex *x)
{
    struct hv_vmgexit_result *r = x->r;
    struct hv_vmgexit_vcpu *v = x->v;
    if (snp_event(x->code) && !x->vm->snp) {
        bad(x, GHCB_ERR_INVALID_EVENT, "SNP event from a guest that is not SNP");
        return;
    }
    switch (x->code) {
    case GHCB_NAE_DR7_READ:
        x->rax = v->dr7;
        break;
    case GHCB_NAE_DR7_WRITE:
        if (NEED(x, GHCB_OFF_RAX))
            v->dr7 = x->rax;
        break;
    case GHCB_NAE_RDTSC:
    case GHCB_NAE_RDTSCP: {
        uint64_t t = tsc_now(x->hx);
        x->rax = (uint32_t)t;
        x->rdx = t >> 32;
        if (x->code == GHCB_NAE_RDTSCP)
            x->rcx = (uint32_t)v->tsc_aux;
        break;
    }
    case GHCB_NAE_RDPMC:
        if (NEED(x, GHCB_OFF_RCX))
            inject(x, GHCB_VECTOR_GP, "no performance counters: #GP");
        break;
    case GHCB_NAE_CPUID:
        ev_cpuid(x);
        break;
    case GHCB_NAE_INVD:
    case GHCB_NAE_WBINVD:
    case GHCB_NAE_NMI_COMPLETE:
        break;
    case GHCB_NAE_IOIO:
        ev_ioio(x);
        break;
    case GHCB_NAE_MSR:
        ev_msr(x);
        break;
    case GHCB_NAE_VMMCALL:
        ev_vmmcall(x);
        break;
    case GHCB_NAE_MONITOR:
        if (NEED(x, GHCB_OFF_RAX, GHCB_OFF_RCX, GHCB_OFF_RDX))
            inject(x, GHCB_VECTOR_UD, "MONITOR is not exposed: #UD");
        break;
    case GHCB_NAE_MWAIT:
        if (NEED(x, GHCB_OFF_RAX, GHCB_OFF_RCX))
            inject(x, GHCB_VECTOR_UD, "MWAIT is not exposed: #UD");
        break;
    case GHCB_NAE_MMIO_READ:
    case GHCB_NAE_MMIO_WRITE:
        ev_mmio(x, x->code == GHCB_NAE_MMIO_WRITE);
        break;
    case GHCB_NAE_AP_HLT_LOOP:
        v->hold = HV_HOLD_NAE;
        v->hold_gpa = x->gpa;
        r->kind = HV_VMGEXIT_HLT;
        break;
    case GHCB_NAE_AP_JUMP_TABLE:
        ev_jump_table(x);
        break;
    case GHCB_NAE_HV_FEATURES:
        answer(x, 0, x->hx->cfg.hv_features);
        break;
    case GHCB_NAE_TERM_REQUEST:
        r->kind = HV_VMGEXIT_TERMINATE;
        r->term.requested = true;
        r->term.reason_set = (uint8_t)(x->info1 & 0xF);
        r->term.reason_code = (uint8_t)(x->info1 >> 4);
        break;
    case GHCB_NAE_UNSUPPORTED:
        r->kind = HV_VMGEXIT_UNSUPPORTED;
        r->why = "the guest reported an event it cannot handle";
        break;
    case GHCB_NAE_PSC:
        ev_psc(x);
        break;
    case GHCB_NAE_GUEST_REQUEST:
    case GHCB_NAE_EXT_GUEST_REQUEST:
        ev_guest_request(x, x->code == GHCB_NAE_EXT_GUEST_REQUEST);
        break;
    case GHCB_NAE_AP_CREATION:
        ev_ap_creation(x);
        break;
    case GHCB_NAE_RUN_VMPL:
        if (x->info1 >= nr_vmpls(x->hx)) {
            bad(x, GHCB_ERR_INVALID_INPUT, "run VMPL: no such VMPL");
        } else {
            r->kind = HV_VMGEXIT_RUN_VMPL;
            r->vmpl = (uint8_t)x->info1;
        }
        break;
    default:
        bad(x, GHCB_ERR_INVALID_EVENT, "unknown exit code");
    }
}

/* Our answer back into the page: SW_EXITINFO1/2 and RAX..RDX, each marked
 * valid (what KVM's sev_es_sync_to_ghcb and svm_vmgexit_* do). */
static void finish(struct ex *x)
{
    struct hv_vmgexit_result *r = x->r;
    ghcb_set64(&x->g, GHCB_OFF_RAX, x->rax);
    ghcb_set64(&x->g, GHCB_OFF_RBX, x->rbx);
    ghcb_set64(&x->g, GHCB_OFF_RCX, x->rcx);
    ghcb_set64(&x->g, GHCB_OFF_RDX, x->rdx);
    ghcb_set64(&x->g, GHCB_OFF_SW_EXIT_INFO1, r->info1);
    ghcb_set64(&x->g, GHCB_OFF_SW_EXIT_INFO2, r->info2);
    if (x->sa_heap) {
        if (x->sa_sync && r->info1 == GHCB_RET_OK &&
            hv_vm_write(x->vm, x->sa_gpa, x->sa, x->sa_len) != SWSEV_OK)
            r->why = "scratch area could not be written back";
        free(x->sa);
    }
    if (hv_vm_write(x->vm, x->gpa, &x->g, sizeof(x->g)) != SWSEV_OK) {
        r->kind = HV_VMGEXIT_BAD_GHCB;
        r->why = "the GHCB page could not be written back";
    }
}

static void page_protocol(struct hv_vmgexit *hx, struct hv_vmgexit_vcpu *v,
                          struct hv_vmgexit_result *r)
{
    struct ex *x = calloc(1, sizeof(*x));
    if (!x) {
        r->kind = HV_VMGEXIT_BAD_GHCB;
        r->why = "out of memory";
        return;
    }
    x->hx = hx;
    x->vm = hx->vm;
    x->v = v;
    x->r = r;
    x->gpa = v->ghcb_msr;
    /* Without a readable GHCB there is nowhere to answer: KVM resumes the
     * guest (unmappable GPA) or fails the run; the VMM decides. */
    if (x->gpa == 0 || !guest_range(x->vm, x->gpa, PAGE_4K)) {
        r->kind = HV_VMGEXIT_BAD_GHCB;
        r->why = "GHCB GPA is not guest memory";
    } else if (page_private(x->vm, x->gpa)) {
        r->kind = HV_VMGEXIT_BAD_GHCB;
        r->why = "GHCB is in private memory";
    } else if (hv_vm_read(x->vm, x->gpa, &x->g, sizeof(x->g)) != SWSEV_OK) {
        r->kind = HV_VMGEXIT_BAD_GHCB;
        r->why = "GHCB could not be read";
    }
    if (r->kind == HV_VMGEXIT_BAD_GHCB) {
        free(x);
        return;
    }
    struct ghcb *g = &x->g;
    memcpy(x->valid, g->save.valid_bitmap, sizeof(x->valid));
    ghcb_clear_valid(g);
    x->rax = valid(x, GHCB_OFF_RAX) ? g->save.rax : 0;
    x->rbx = valid(x, GHCB_OFF_RBX) ? g->save.rbx : 0;
    x->rcx = valid(x, GHCB_OFF_RCX) ? g->save.rcx : 0;
    x->rdx = valid(x, GHCB_OFF_RDX) ? g->save.rdx : 0;
    x->xcr0 = valid(x, GHCB_OFF_XCR0) ? g->save.xcr0 : 1;
    x->cpl = valid(x, GHCB_OFF_CPL) ? g->save.cpl : 0;
    x->code = g->save.sw_exit_code;
    x->info1 = g->save.sw_exit_info_1;
    x->info2 = g->save.sw_exit_info_2;
    x->scratch = valid(x, GHCB_OFF_SW_SCRATCH) ? g->save.sw_scratch : 0;
    r->exit_code = x->code;
    if (x->vm->snp && v->registered_gpa != x->gpa)
        bad(x, GHCB_ERR_NOT_REGISTERED, "GHCB GPA is not the registered one");
    else if (g->ghcb_usage != GHCB_DEFAULT_USAGE || g->protocol_version < GHCB_PROTOCOL_MIN ||
             g->protocol_version > hx->cfg.ghcb_version ||
             (x->vm->snp && g->protocol_version < GHCB_SNP_MIN_VERSION))
        /* What a private (encrypted) GHCB of an SEV-ES guest looks like. */
        bad(x, GHCB_ERR_INVALID_USAGE, "GHCB usage or protocol version not supported");
    else if (NEED(x, GHCB_OFF_SW_EXIT_CODE, GHCB_OFF_SW_EXIT_INFO1, GHCB_OFF_SW_EXIT_INFO2))
        dispatch(x);
    if (r->kind == HV_VMGEXIT_UNSUPPORTED) {
        r->info1 = x->info1; /* the guest's report, for the VMM's log */
        r->info2 = x->info2;
        free(x);
        return;
    }
    finish(x);
    free(x);
}

/* ---- the MSR protocol ---- */

static void msr_protocol(struct hv_vmgexit *hx, struct hv_vmgexit_vcpu *v,
                         struct hv_vmgexit_result *r)
{
    struct hv_vm *vm = hx->vm;
    uint64_t m = v->ghcb_msr;
    unsigned info = (unsigned)GHCB_MSR_INFO(m);
    r->msr_protocol = true;
    r->exit_code = info;
    bool snp_only = info == GHCB_MSR_PREF_GPA_REQ || info == GHCB_MSR_REG_GPA_REQ ||
                    info == GHCB_MSR_PSC_REQ || info == GHCB_MSR_VMPL_REQ;
    if (snp_only && !vm->snp) {
        /* KVM ends a non-SNP guest that asks for SNP services. */
        r->kind = HV_VMGEXIT_TERMINATE;
        r->why = "SNP MSR-protocol request from a guest that is not SNP";
        return;
    }
    switch (info) {
    case GHCB_MSR_SEV_INFO_REQ:
        v->ghcb_msr = ghcb_msr_sev_info_resp(hx->cfg.ghcb_version, GHCB_PROTOCOL_MIN,
                                             memsys_chip(vm->kvm->ms)->cbit);
        break;
    case GHCB_MSR_CPUID_REQ: {
        uint32_t regs[4];
        cpuid(hx, v, GHCB_MSR_CPUID_FN(m), 0, regs);
        v->ghcb_msr = (uint64_t)regs[GHCB_MSR_CPUID_REG(m)] << 32 | GHCB_MSR_CPUID_RESP;
        break;
    }
    case GHCB_MSR_AP_RESET_HOLD_REQ:
        v->hold = HV_HOLD_MSR;
        v->ghcb_msr = GHCB_MSR_AP_RESET_HOLD_RESP; /* result 0 until woken */
        r->kind = HV_VMGEXIT_HLT;
        break;
    case GHCB_MSR_PREF_GPA_REQ:
        v->ghcb_msr = ghcb_msr_gfn(GHCB_MSR_GFN_NONE, GHCB_MSR_PREF_GPA_RESP);
        break;
    case GHCB_MSR_REG_GPA_REQ: {
        uint64_t gfn = GHCB_MSR_GFN(m);
        if (gfn >= (1ull << 40) || !guest_range(vm, gfn << 12, PAGE_4K)) {
            v->ghcb_msr = ghcb_msr_gfn(GHCB_MSR_GFN_NONE, GHCB_MSR_REG_GPA_RESP);
            r->why = "GHCB registration outside guest memory";
        } else {
            v->registered_gpa = gfn << 12;
            v->ghcb_msr = ghcb_msr_gfn(gfn, GHCB_MSR_REG_GPA_RESP);
        }
        break;
    }
    case GHCB_MSR_PSC_REQ: {
        unsigned op = GHCB_MSR_PSC_OP(m);
        uint64_t err = (m >> 56) || (op != GHCB_PSC_OP_PRIVATE && op != GHCB_PSC_OP_SHARED)
                           ? GHCB_PSC_ERR_INVALID_ENTRY
                           : psc_page(hx, GHCB_MSR_PSC_GFN(m) << 12, op, HV_VMGEXIT_NO_GPA);
        v->ghcb_msr = GHCB_MSR_PSC_RESP | (err ? GHCB_MSR_PSC_ERROR : 0);
        if (err)
            r->why = "page state change refused";
        break;
    }
    case GHCB_MSR_VMPL_REQ: {
        uint8_t vmpl = GHCB_MSR_VMPL(m);
        if (vmpl >= nr_vmpls(hx) || (m & 0xFFFFFF0000000000ull) || (m & 0xFFFFF000u)) {
            v->ghcb_msr = (1ull << 32) | GHCB_MSR_VMPL_RESP;
            r->why = "run VMPL: no such VMPL";
        } else {
            v->ghcb_msr = GHCB_MSR_VMPL_RESP;
            r->kind = HV_VMGEXIT_RUN_VMPL;
            r->vmpl = vmpl;
        }
        break;
    }
    case GHCB_MSR_HV_FT_REQ:
        v->ghcb_msr = ghcb_msr_gfn(hx->cfg.hv_features, GHCB_MSR_HV_FT_RESP);
        break;
    case GHCB_MSR_TERM_REQ:
        r->kind = HV_VMGEXIT_TERMINATE;
        r->term.requested = true;
        r->term.reason_set = GHCB_MSR_TERM_SET(m);
        r->term.reason_code = GHCB_MSR_TERM_CODE(m);
        break;
    default:
        /* Unknown request: the MSR keeps its value, the guest sees no
         * response code and knows (KVM does the same). */
        r->why = "unknown MSR-protocol request";
    }
}

/* ---- set-up ---- */

void hv_vmgexit_config_default(const struct hv_vm *vm, struct hv_vmgexit_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->ghcb_version = GHCB_PROTOCOL_MAX;
    cfg->hv_features = vm->snp ? GHCB_HV_FT_SNP | GHCB_HV_FT_SNP_AP_CREATION : 0;
    cfg->sev_features = vm->snp ? 1 : 0; /* SNPActive */
    cfg->tsc_hz = 2000000000ull;
}

swsev_rc hv_vmgexit_init(struct hv_vmgexit *hx, struct hv_vm *vm, struct hv_devices *dev,
                         const struct hv_vmgexit_config *cfg)
{
    memset(hx, 0, sizeof(*hx));
    if (cfg) {
        if (cfg->ghcb_version < GHCB_PROTOCOL_MIN || cfg->ghcb_version > GHCB_PROTOCOL_MAX ||
            (vm->snp && cfg->ghcb_version < GHCB_SNP_MIN_VERSION) ||
            (!cfg->tsc && (cfg->tsc_hz == 0 || cfg->tsc_hz > 10000000000ull)))
            return SWSEV_HV_ERR(SWSEV_E_INVAL);
        hx->cfg = *cfg;
    } else {
        hv_vmgexit_config_default(vm, &hx->cfg);
    }
    hx->ap = calloc(vm->nr_vcpus, sizeof(*hx->ap));
    if (!hx->ap)
        return SWSEV_HV_ERR(SWSEV_E_NOMEM);
    hx->vm = vm;
    hx->dev = dev;
    pthread_mutex_init(&hx->lock, NULL);
    return SWSEV_OK;
}

void hv_vmgexit_fini(struct hv_vmgexit *hx)
{
    if (!hx->ap)
        return;
    pthread_mutex_destroy(&hx->lock);
    free(hx->ap);
    free(hx->certs);
    memset(hx, 0, sizeof(*hx));
}

void hv_vmgexit_vcpu_init(struct hv_vmgexit *hx, struct hv_vmgexit_vcpu *v, uint32_t apic_id)
{
    memset(v, 0, sizeof(*v));
    v->apic_id = apic_id;
    v->ghcb_msr = ghcb_msr_sev_info_resp(hx->cfg.ghcb_version, GHCB_PROTOCOL_MIN,
                                         memsys_chip(hx->vm->kvm->ms)->cbit);
    v->registered_gpa = HV_VMGEXIT_NO_GPA;
    v->apic_base = 0xFEE00000ull | 0x800 | (apic_id == 0 ? 0x100 : 0); /* EN, BSP */
    v->pat = 0x0007040600070406ull;                                    /* the reset PAT */
    v->misc_enable = 1;                                                /* fast strings */
    v->dr7 = 0x400;
}

swsev_rc hv_vmgexit_set_certs(struct hv_vmgexit *hx, const void *blob, size_t len)
{
    if (len > HV_VMGEXIT_CERTS_MAX || (len && !blob))
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    uint8_t *copy = NULL;
    if (len) {
        copy = malloc(len);
        if (!copy)
            return SWSEV_HV_ERR(SWSEV_E_NOMEM);
        memcpy(copy, blob, len);
    }
    pthread_mutex_lock(&hx->lock);
    free(hx->certs);
    hx->certs = copy;
    hx->certs_len = len;
    pthread_mutex_unlock(&hx->lock);
    return SWSEV_OK;
}

void hv_vmgexit_handle(struct hv_vmgexit *hx, struct hv_vmgexit_vcpu *v,
                       struct hv_vmgexit_result *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_lock(&hx->lock);
    v->hold = HV_HOLD_NONE; /* a new exit ends any earlier hold */
    if (GHCB_MSR_INFO(v->ghcb_msr))
        msr_protocol(hx, v, r);
    else
        page_protocol(hx, v, r);
    pthread_mutex_unlock(&hx->lock);
}

swsev_rc hv_vmgexit_ap_wake(struct hv_vmgexit *hx, struct hv_vmgexit_vcpu *v)
{
    swsev_rc rc = SWSEV_HV_ERR(SWSEV_E_INVAL);
    pthread_mutex_lock(&hx->lock);
    if (v->hold == HV_HOLD_MSR) {
        v->ghcb_msr = ghcb_msr_gfn(1, GHCB_MSR_AP_RESET_HOLD_RESP);
        rc = SWSEV_OK;
    } else if (v->hold == HV_HOLD_NAE && guest_range(hx->vm, v->hold_gpa, PAGE_4K) &&
               !page_private(hx->vm, v->hold_gpa)) {
        /* SW_EXITINFO2 non-zero: the AP was woken (KVM on the SIPI). */
        struct ghcb *g = malloc(sizeof(*g));
        if (g && hv_vm_read(hx->vm, v->hold_gpa, g, sizeof(*g)) == SWSEV_OK) {
            ghcb_set64(g, GHCB_OFF_SW_EXIT_INFO1, 0);
            ghcb_set64(g, GHCB_OFF_SW_EXIT_INFO2, 1);
            if (hv_vm_write(hx->vm, v->hold_gpa, g, sizeof(*g)) == SWSEV_OK)
                rc = SWSEV_OK;
        }
        free(g);
    }
    if (rc == SWSEV_OK)
        v->hold = HV_HOLD_NONE;
    pthread_mutex_unlock(&hx->lock);
    return rc;
}

bool hv_vmgexit_ap_take(struct hv_vmgexit *hx, uint32_t apic_id, struct hv_vmgexit_ap *out)
{
    bool got = false;
    pthread_mutex_lock(&hx->lock);
    if (apic_id < hx->vm->nr_vcpus && hx->ap[apic_id].pending) {
        *out = hx->ap[apic_id];
        hx->ap[apic_id].pending = false;
        got = true;
    }
    pthread_mutex_unlock(&hx->lock);
    return got;
}
