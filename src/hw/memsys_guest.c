/* SPDX-License-Identifier: MIT */
/* The guest access path: translate every page first, then access. */
#include <string.h>

#include "hw/memsys_priv.h"

/* Translate a guest-physical address that carries the C-bit as an address
 * bit (the view a vCPU backend has of guest memory). */
static swsev_rc phys_translate(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gpa,
                               enum hw_access acc, struct hw_xlate *x, struct hw_fault *f)
{
    memset(x, 0, sizeof(*x));
    uint64_t c = g->sev ? ms->cbit_mask : 0;
    if (gpa & ~(ms->pa_limit_mask | c))
        return SWSEV_HW_ERR(SWSEV_HW_RANGE);
    x->guest_c = (gpa & c) != 0;
    x->gpa = gpa & ~c;
    bool npt_c;
    swsev_rc rc = ms_nested_translate(ms, g, x->gpa, acc, false, &x->spa, &npt_c, &x->npt_level,
                                      &x->perms, f);
    if (rc)
        return rc;
    x->npt_c = npt_c;
    x->private_ = g->sev && (x->guest_c || acc == HW_ACC_FETCH);
    return ms_guest_keysel(ms, g, x->private_, npt_c, &x->keysel);
}

/* Translate gva, through the TLB when an entry allows this access. */
static swsev_rc translate_cached(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva,
                                 enum hw_access acc, struct hw_xlate *x, struct hw_fault *f)
{
    const struct tlb_entry *e = tlb_lookup(&ms->tlb, g, gva);
    if (e) {
        bool user = g->cpl == 3, wp = (g->cr0 & X86_CR0_WP) != 0;
        bool ok = !(user && !(e->perms & HW_PERM_GUEST_US));
        if (acc == HW_ACC_WRITE)
            ok = ok && e->dirty && (e->perms & HW_PERM_NPT_RW) &&
                 ((e->perms & HW_PERM_GUEST_RW) || (!user && !wp));
        if (acc == HW_ACC_FETCH)
            ok = ok && !(e->perms & (HW_PERM_GUEST_NX | HW_PERM_NPT_NX));
        if (ok) {
            memset(x, 0, sizeof(*x));
            x->gpa = e->gpa_page | (gva & 0xfff);
            x->spa = e->spa_page | (gva & 0xfff);
            x->guest_c = e->guest_c;
            x->npt_c = e->npt_c;
            x->npt_level = e->npt_level;
            x->perms = e->perms;
            x->private_ = g->sev && (x->guest_c || acc == HW_ACC_FETCH);
            return ms_guest_keysel(ms, g, x->private_, x->npt_c, &x->keysel);
        }
    }
    swsev_rc rc = ms_guest_translate(ms, g, gva, acc, x, f);
    if (!rc)
        tlb_insert(&ms->tlb, g, gva, x, x->npt_c, acc == HW_ACC_WRITE);
    return rc;
}

static swsev_rc guest_access(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t addr,
                             void *buf, size_t len, enum hw_access acc, bool phys,
                             struct hw_fault *f)
{
    if (f)
        memset(f, 0, sizeof(*f));
    if (len == 0 || len > MEMSYS_GUEST_MAX_ACCESS)
        return SWSEV_HW_ERR(SWSEV_HW_SIZE);
    size_t first = 4096 - (addr & 4095);
    if (first > len)
        first = len;
    uint64_t second_addr = addr + first;
    struct hw_xlate x[2];
    int pages = first < len ? 2 : 1;

    pthread_mutex_lock(&ms->lock);
    swsev_rc rc = SWSEV_OK;
    for (int i = 0; i < pages && rc == SWSEV_OK; i++) {
        uint64_t a = i == 0 ? addr : second_addr;
        rc = phys ? phys_translate(ms, g, a, acc, &x[i], f)
                  : translate_cached(ms, g, a, acc, &x[i], f);
    }
    /* RMP checks of every page before any byte moves. */
    for (int i = 0; i < pages && rc == SWSEV_OK; i++)
        rc = ms_rmp_check_guest(ms, g, &x[i], acc, f);
    uint8_t *p = buf;
    for (int i = 0; i < pages && rc == SWSEV_OK; i++) {
        size_t n = i == 0 ? first : len - first;
        rc = ms_phys_access(ms, x[i].keysel, x[i].spa, p, n, acc == HW_ACC_WRITE);
        p += n;
    }
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

swsev_rc memsys_guest_check(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva,
                            enum hw_access acc, struct hw_fault *f)
{
    if (f)
        memset(f, 0, sizeof(*f));
    struct hw_xlate x;
    pthread_mutex_lock(&ms->lock);
    swsev_rc rc = translate_cached(ms, g, gva, acc, &x, f);
    if (!rc)
        rc = ms_rmp_check_guest(ms, g, &x, acc, f);
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

swsev_rc memsys_guest_read(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva, void *buf,
                           size_t len, struct hw_fault *f)
{
    return guest_access(ms, g, gva, buf, len, HW_ACC_READ, false, f);
}

swsev_rc memsys_guest_write(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva,
                            const void *buf, size_t len, struct hw_fault *f)
{
    return guest_access(ms, g, gva, (void *)buf, len, HW_ACC_WRITE, false, f);
}

swsev_rc memsys_guest_fetch(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva,
                            void *buf, size_t len, struct hw_fault *f)
{
    return guest_access(ms, g, gva, buf, len, HW_ACC_FETCH, false, f);
}

swsev_rc memsys_guest_phys_read(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gpa,
                                void *buf, size_t len, struct hw_fault *f)
{
    return guest_access(ms, g, gpa, buf, len, HW_ACC_READ, true, f);
}

swsev_rc memsys_guest_phys_write(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gpa,
                                 const void *buf, size_t len, struct hw_fault *f)
{
    return guest_access(ms, g, gpa, (void *)buf, len, HW_ACC_WRITE, true, f);
}

swsev_rc memsys_guest_translate(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva,
                                enum hw_access acc, struct hw_xlate *x, struct hw_fault *f)
{
    if (f)
        memset(f, 0, sizeof(*f));
    pthread_mutex_lock(&ms->lock);
    swsev_rc rc = ms_guest_translate(ms, g, gva, acc, x, f);
    pthread_mutex_unlock(&ms->lock);
    return rc;
}
