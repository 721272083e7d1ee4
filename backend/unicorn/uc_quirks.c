/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Workarounds for defects of Unicorn 2.0.1 (Debian 12's) that the backend
 * cannot avoid by design; docs/unicorn.md has the reproductions.
 *
 * 1. Exceptions that a UC_HOOK_INTR hook receives are never "delivered",
 *    so the CPU's exception-in-flight field (env->old_exception) keeps the
 *    vector: the next #PF becomes #DF and the one after stops the CPU as a
 *    triple fault. Every page the backend fills is a #PF, so after each
 *    hooked exception the field is reset. The public API cannot reach it;
 *    the CPU context can (uc_context_save/restore copy the CPU state), and
 *    its offset - and that of the error code, which the API does not expose
 *    either - is found once per vCPU by provoking known faults and diffing
 *    the saved contexts. If the search does not find exactly one field,
 *    uc_vcpu_create fails with -ENOTSUP rather than run on a CPU that
 *    triple-faults after two page fills.
 *
 * 2. Every guest store ends in notdirty_write(), which calls
 *    page_collection_lock() - a GTree built and freed per store (malloc,
 *    free), although the page locks it would take are compiled out. With
 *    this Unicorn the two functions are defined here as no-ops; libunicorn
 *    calls them through its PLT, so the dynamic linker binds those calls to
 *    these definitions. Upstream did the same (PR #1838, after 2.0.1).
 *    Self-modifying code still invalidates translations: that is
 *    tb_invalidate_phys_page_fast(), which is untouched.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uc_internal.h"

#ifdef SWSEV_UC_INTERPOSE
struct uc_struct;
void *page_collection_lock_x86_64(struct uc_struct *uc, uint64_t start, uint64_t end);
void page_collection_unlock_x86_64(void *set);

/* The collection only ever goes back to page_collection_unlock(). */
static const char no_collection;

void *page_collection_lock_x86_64(struct uc_struct *uc, uint64_t start, uint64_t end)
{
    (void)uc;
    (void)start;
    (void)end;
    return (void *)&no_collection;
}

void page_collection_unlock_x86_64(void *set)
{
    (void)set;
}
#endif

unsigned uc_quirks_static(void)
{
#ifdef SWSEV_UC_INTERPOSE
    /* Interposition works only if this definition is the one the dynamic
     * linker resolves first (it is, in the executable or a library loaded
     * before libunicorn). */
    if (dlsym(RTLD_DEFAULT, "page_collection_lock_x86_64") == (void *)page_collection_lock_x86_64)
        return UC_QUIRK_STORE_FASTPATH;
#endif
    return 0;
}

/* struct uc_context of Unicorn 2.0.1 (uc_priv.h): a header, then the CPU
 * state as uc_context_save() copies it. Checked before use. */
struct uc_context_hdr {
    size_t context_size;
    int mode, arch;
};

static uint8_t *ctx_bytes(struct uc_vcpu *v)
{
    return (uint8_t *)v->ctx + sizeof(struct uc_context_hdr);
}

static size_t ctx_len(struct uc_vcpu *v)
{
    return uc_context_size(v->uc) - sizeof(struct uc_context_hdr);
}

static int32_t get32(const uint8_t *p, long off)
{
    int32_t x;
    memcpy(&x, p + off, 4);
    return x;
}

uint64_t uc_quirks_after_exception(struct uc_vcpu *v)
{
    if (v->oe_off < 0)
        return 0;
    uc_context_save(v->uc, v->ctx);
    uint8_t *b = ctx_bytes(v);
    int32_t ec = v->ec_off >= 0 ? get32(b, v->ec_off) : 0;
    int32_t none = -1;
    memcpy(b + v->oe_off, &none, 4);
    uc_context_restore(v->uc, v->ctx);
    return (uint32_t)ec;
}

/* The calibration faults, taken by uc_vcpu.c's interrupt hook while
 * v->calib is set: save the context, let the access succeed next time. */
void uc_quirks_calib_hook(struct uc_vcpu *v, uint32_t intno)
{
    int step = v->calib - 1;
    uint64_t *pte = ucm_pte(&v->m, UCM_CALIB_VA, true);
    v->calib_vec[step] = (int)intno;
    uc_context_save(v->uc, v->ctx);
    memcpy(v->calib_snap[step], ctx_bytes(v), ctx_len(v));
    if (step == 0) {
        /* old_exception: -1 before the first fault, 14 after it. */
        long found = -1, n = 0;
        for (long off = 0; off + 4 <= (long)ctx_len(v); off += 4)
            if (get32(v->calib_snap[0], off) == 14 && get32(v->calib_snap[2], off) == -1) {
                found = off;
                n++;
            }
        v->oe_off = n == 1 ? found : -1;
    }
    if (v->oe_off >= 0) {
        int32_t none = -1;
        memcpy(ctx_bytes(v) + v->oe_off, &none, 4);
        uc_context_restore(v->uc, v->ctx);
    }
    /* Read (not present), write (read-only), write (not present): each
     * fault makes the next access of its step succeed. */
    *pte = step == 0 ? (PTE_P | PTE_US | PTE_A | PTE_D) : (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
}

static int calib_run(struct uc_vcpu *v, int step, unsigned code_off)
{
    v->calib = step;
    uc_put(v, UC_X86_REG_RBX, UCM_CALIB_VA);
    uc_err e = uc_emu_start(v->uc, UCM_STUB_VA + code_off, UCM_UNTIL, 0, 0);
    v->calib = 0;
    return e == UC_ERR_OK ? 0 : -EIO;
}

int uc_quirks_calibrate(struct uc_vcpu *v)
{
    size_t len = ctx_len(v);
    const struct uc_context_hdr *h;
    int rc = -ENOTSUP;
    v->oe_off = v->ec_off = -1;
    if (uc_context_alloc(v->uc, &v->ctx))
        return -ENOMEM;
    h = (const struct uc_context_hdr *)v->ctx;
    if (h->context_size != len || h->arch != UC_ARCH_X86 || h->mode != UC_MODE_64) {
        uc_set_error(v, -ENOTSUP, "unknown uc_context layout");
        return -ENOTSUP;
    }
    for (int i = 0; i < 3; i++)
        if (!(v->calib_snap[i] = malloc(len)))
            return -ENOMEM;
    /* Snapshot 2 doubles as the state before any fault until step 3. */
    uc_context_save(v->uc, v->ctx);
    memcpy(v->calib_snap[2], ctx_bytes(v), len);
    /* MOV AL, [RBX]; HLT at +0x10, MOV [RBX], AL; HLT at +0x20. */
    static const uint8_t rd[] = {0x8A, 0x03, 0xF4}, wr[] = {0x88, 0x03, 0xF4};
    memcpy(v->m.stub + 0x10, rd, sizeof(rd));
    memcpy(v->m.stub + 0x20, wr, sizeof(wr));
    uint64_t *pte = ucm_pte(&v->m, UCM_CALIB_VA, true);
    *pte = 0;
    uint64_t rbx = uc_get(v, UC_X86_REG_RBX);
    if (ucm_tlb_flush(v) || calib_run(v, 1, 0x10) || calib_run(v, 2, 0x20))
        goto out;
    /* Step 3 reuses slot 2: a write to a page not present (error code W). */
    uint8_t *before = v->calib_snap[2];
    v->calib_snap[2] = malloc(len);
    if (!v->calib_snap[2]) {
        v->calib_snap[2] = before;
        rc = -ENOMEM;
        goto out;
    }
    *pte = 0;
    if (ucm_tlb_flush(v) || calib_run(v, 3, 0x20)) {
        free(before);
        goto out;
    }
    free(before);
    /* The error code: 0 (read, not present), 3 (write, present), 2
     * (write, not present). */
    long found = -1, n = 0;
    for (long off = 0; off + 4 <= (long)len; off += 4)
        if (get32(v->calib_snap[0], off) == 0 && get32(v->calib_snap[1], off) == 3 &&
            get32(v->calib_snap[2], off) == 2) {
            found = off;
            n++;
        }
    v->ec_off = n == 1 ? found : -1;
    if (v->oe_off < 0 || v->calib_vec[0] != 14 || v->calib_vec[1] != 14 || v->calib_vec[2] != 14) {
        uc_set_error(v, -ENOTSUP,
                     "cannot reset Unicorn's exception-in-flight state (faults %d %d %d)",
                     v->calib_vec[0], v->calib_vec[1], v->calib_vec[2]);
        goto out;
    }
    rc = 0;
out:
    *pte = 0;
    uc_put(v, UC_X86_REG_RBX, rbx);
    if (rc == 0)
        rc = ucm_tlb_flush(v);
    for (int i = 0; i < 3; i++) {
        free(v->calib_snap[i]);
        v->calib_snap[i] = NULL;
    }
    return rc;
}
