/* SPDX-License-Identifier: MIT */
/*
 * The Reverse Map Table: its storage in DRAM, the checks on the host and
 * guest paths, and the instructions that change it (RMPUPDATE, PSMASH,
 * PVALIDATE, RMPADJUST, RMPQUERY).
 *
 * Entries live in DRAM (plaintext, through the cache like any agent) at
 * RMP_BASE + 0x4000 + 16 * PFN, in the raw format of sev-reference 5.4.
 * A 2 MiB entry is stored in all 512 entries of its region, so the entry
 * of any 4 KiB page answers for it; PSMASH turns them into 512 4 KiB
 * entries. Choices the APM leaves open are in docs/hw.md ("RMP").
 */
#include <string.h>

#include "hw/memsys_priv.h"

#define PAGE_4K     0x1000ull
#define PAGE_2M     0x200000ull
#define PAGES_IN_2M 512u
#define GFN_MASK    ((1ull << 39) - 1)

static uint64_t encode_lo(const struct rmp_entry *e)
{
    return (uint64_t)e->assigned | (uint64_t)e->size_2m << 1 | (uint64_t)e->immutable << 2 |
           (uint64_t)(e->subpage_count & 0x1ff) << 3 | ((e->gpa >> 12) & GFN_MASK) << 12 |
           (uint64_t)(e->asid & 0x3ff) << 51 | (uint64_t)e->vmsa << 61 |
           (uint64_t)e->validated << 62 | (uint64_t)e->lock << 63;
}

static void decode(uint64_t lo, uint64_t hi, struct rmp_entry *e)
{
    e->assigned = lo & 1;
    e->size_2m = (lo >> 1) & 1;
    e->immutable = (lo >> 2) & 1;
    e->subpage_count = (uint16_t)((lo >> 3) & 0x1ff);
    e->gpa = ((lo >> 12) & GFN_MASK) << 12;
    e->asid = (uint32_t)((lo >> 51) & 0x3ff);
    e->vmsa = (lo >> 61) & 1;
    e->validated = (lo >> 62) & 1;
    e->lock = (lo >> 63) & 1;
    for (int i = 0; i < 4; i++)
        e->perms[i] = (uint8_t)(hi >> (8 * i));
}

static swsev_rc entry_pa(const struct memsys *ms, uint64_t spa, uint64_t *pa)
{
    if (!ms->rmp_configured || spa >= ms->dram.size)
        return SWSEV_HW_ERR(SWSEV_HW_RANGE);
    *pa = ms->rmp_base + RMP_BOOKKEEPING + (spa >> 12) * RMP_ENTRY_SIZE;
    return SWSEV_OK;
}

swsev_rc ms_rmp_get(struct memsys *ms, uint64_t spa, struct rmp_entry *e)
{
    uint64_t pa, raw[2];
    swsev_rc rc = entry_pa(ms, spa, &pa);
    if (!rc)
        rc = ms_phys_access(ms, MEMSYS_KEYSEL_PLAIN, pa, raw, sizeof(raw), false);
    if (rc)
        return rc;
    decode(raw[0], raw[1], e);
    return SWSEV_OK;
}

swsev_rc ms_rmp_put(struct memsys *ms, uint64_t spa, const struct rmp_entry *e)
{
    uint64_t pa;
    unsigned n = 1;
    if (e->size_2m) {
        if (spa & (PAGE_2M - 1))
            return SWSEV_HW_ERR(SWSEV_HW_ALIGN);
        n = PAGES_IN_2M;
    }
    swsev_rc rc = entry_pa(ms, spa, &pa);
    if (!rc && spa + n * PAGE_4K > ms->dram.size)
        rc = SWSEV_HW_ERR(SWSEV_HW_RANGE);
    uint64_t raw[2] = {encode_lo(e), 0};
    for (int i = 0; i < 4; i++)
        raw[1] |= (uint64_t)e->perms[i] << (8 * i);
    for (unsigned i = 0; i < n && !rc; i++)
        rc = ms_phys_access(ms, MEMSYS_KEYSEL_PLAIN, pa + i * RMP_ENTRY_SIZE, raw, sizeof(raw),
                            true);
    /* Translations whose walks were checked against the old entry of a
     * page-table page go: like the rest of the model's TLB, coherent
     * rather than stale (final accesses are checked every time). */
    tlb_write_hook(&ms->tlb, spa, n * PAGE_4K);
    return rc;
}

static void set_fault(struct hw_fault *f, uint32_t kind, uint32_t vector, uint64_t ec,
                      uint64_t addr)
{
    if (f) {
        f->kind = kind;
        f->vector = vector;
        f->error_code = ec;
        f->addr = addr;
    }
}

swsev_rc ms_rmp_check_host_write(struct memsys *ms, uint64_t spa, size_t len, struct hw_fault *f)
{
    if (!ms->snp_enabled || len == 0)
        return SWSEV_OK;
    for (uint64_t p = spa & ~(PAGE_4K - 1); p < spa + len; p += PAGE_4K) {
        struct rmp_entry e;
        if (ms_rmp_get(ms, p, &e))
            return SWSEV_OK; /* outside DRAM: the access itself reports it */
        if (e.assigned) {
            set_fault(f, HW_FAULT_PF, HW_VECTOR_PF, PFERR_PRESENT | PFERR_WRITE | PFERR_RMP,
                      p > spa ? p : spa);
            return SWSEV_HW_ERR(SWSEV_HW_FAULT);
        }
    }
    return SWSEV_OK;
}

static uint64_t access_bits(enum hw_access acc, const struct hw_guest_ctx *g)
{
    uint64_t ec = PFERR_PRESENT | PFERR_GUEST_FINAL;
    if (acc == HW_ACC_WRITE)
        ec |= PFERR_WRITE;
    if (acc == HW_ACC_FETCH)
        ec |= PFERR_FETCH;
    if (g->cpl == 3)
        ec |= PFERR_USER;
    return ec;
}

/* Does entry e (read for the page at spa) belong to this guest at gpa? */
static bool owned_by(const struct rmp_entry *e, const struct hw_guest_ctx *g, uint64_t spa,
                     uint64_t gpa)
{
    uint64_t want = gpa & ~(PAGE_4K - 1);
    uint64_t have = e->size_2m ? e->gpa + (spa & (PAGE_2M - 1) & ~(PAGE_4K - 1)) : e->gpa;
    return e->assigned && e->asid == g->asid && have == want;
}

static uint8_t needed_perm(enum hw_access acc, const struct hw_guest_ctx *g)
{
    if (acc == HW_ACC_WRITE)
        return VMPL_PERM_WRITE;
    if (acc == HW_ACC_FETCH)
        return g->cpl == 3 ? VMPL_PERM_XUSER : VMPL_PERM_XSUPER;
    return VMPL_PERM_READ;
}

swsev_rc ms_rmp_check_guest(struct memsys *ms, const struct hw_guest_ctx *g,
                            const struct hw_xlate *x, enum hw_access acc, struct hw_fault *f)
{
    if (!ms->snp_enabled)
        return SWSEV_OK;
    struct rmp_entry e;
    if (ms_rmp_get(ms, x->spa, &e))
        return SWSEV_OK; /* outside DRAM: the access reports it */
    uint64_t ec = access_bits(acc, g) | PFERR_RMP;
    if (!(g->snp && x->private_)) {
        /* Shared accesses of an SNP guest, and all accesses of other
         * guests, may only touch hypervisor-owned pages (other guests
         * may still read: they see ciphertext, as the hypervisor does). */
        if (e.assigned && (g->snp || acc == HW_ACC_WRITE)) {
            set_fault(f, HW_FAULT_NPF, 0, ec, x->gpa);
            return SWSEV_HW_ERR(SWSEV_HW_FAULT);
        }
        return SWSEV_OK;
    }
    ec |= PFERR_GUEST_ENC;
    if (!owned_by(&e, g, x->spa, x->gpa)) {
        set_fault(f, HW_FAULT_NPF, 0, ec, x->gpa);
        return SWSEV_HW_ERR(SWSEV_HW_FAULT);
    }
    if (x->npt_level >= 2 && !e.size_2m) {
        set_fault(f, HW_FAULT_NPF, 0, ec | PFERR_GUEST_SIZEM, x->gpa);
        return SWSEV_HW_ERR(SWSEV_HW_FAULT);
    }
    if (!e.validated) {
        set_fault(f, HW_FAULT_VC, HW_VECTOR_VC, SVM_EXIT_VMM_COMMUNICATION_PAGE_NOT_VALIDATED,
                  x->gpa);
        return SWSEV_HW_ERR(SWSEV_HW_FAULT);
    }
    if (g->vmpl > 0 && (g->vmpl > 3 || !(e.perms[g->vmpl] & needed_perm(acc, g)))) {
        set_fault(f, HW_FAULT_NPF, 0, ec | PFERR_GUEST_VMPL, x->gpa);
        return SWSEV_HW_ERR(SWSEV_HW_FAULT);
    }
    return SWSEV_OK;
}

/* ---- host configuration and instructions ---- */

swsev_rc memsys_rmp_configure(struct memsys *ms, uint64_t rmp_base, uint64_t rmp_end)
{
    if (!(ms->cfg.features & CPUID_SEV_SNP))
        return SWSEV_HW_ERR(SWSEV_HW_INVAL);
    uint64_t need = RMP_BOOKKEEPING + (ms->dram.size >> 12) * RMP_ENTRY_SIZE;
    if ((rmp_base & 0xfffff) || ((rmp_end + 1) & 0xfffff) || rmp_end < rmp_base ||
        rmp_end - rmp_base + 1 < need || rmp_end >= ms->dram.size)
        return SWSEV_HW_ERR(SWSEV_HW_INVAL);
    pthread_mutex_lock(&ms->lock);
    swsev_rc rc = SWSEV_OK;
    if (ms->snp_enabled) {
        rc = SWSEV_HW_ERR(SWSEV_HW_BUSY); /* the MSRs lock once SNPEn is set */
    } else {
        ms->rmp_base = rmp_base;
        ms->rmp_end = rmp_end;
        ms->rmp_configured = true;
    }
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

swsev_rc memsys_snp_enable(struct memsys *ms)
{
    pthread_mutex_lock(&ms->lock);
    swsev_rc rc = ms->rmp_configured ? SWSEV_OK : SWSEV_HW_ERR(SWSEV_HW_INVAL);
    if (!rc)
        ms->snp_enabled = true;
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

bool memsys_snp_enabled(struct memsys *ms)
{
    pthread_mutex_lock(&ms->lock);
    bool on = ms->snp_enabled;
    pthread_mutex_unlock(&ms->lock);
    return on;
}

void memsys_rmp_range(struct memsys *ms, uint64_t *base, uint64_t *end)
{
    pthread_mutex_lock(&ms->lock);
    *base = ms->rmp_configured ? ms->rmp_base : 0;
    *end = ms->rmp_configured ? ms->rmp_end : 0;
    pthread_mutex_unlock(&ms->lock);
}

/* RMPUPDATE with the lock held. */
static int rmpupdate_locked(struct memsys *ms, uint64_t spa, const struct rmp_state *st)
{
    bool big = st->pagesize & 1;
    uint64_t align = big ? PAGE_2M : PAGE_4K;
    if (!ms->snp_enabled || (spa & (align - 1)) || spa + align > ms->dram.size ||
        (st->assigned & 1 && st->asid > ms->cfg.nr_asids) || (st->gpa & (align - 1)))
        return RMP_FAIL_INPUT;
    struct rmp_entry cur;
    unsigned n = big ? PAGES_IN_2M : 1;
    for (unsigned i = 0; i < n; i++) {
        if (ms_rmp_get(ms, spa + i * PAGE_4K, &cur))
            return RMP_FAIL_INPUT;
        if (cur.immutable)
            return RMP_FAIL_PERMISSION;
        if (cur.lock)
            return RMP_FAIL_INUSE;
        /* A 2 MiB update over assigned 4 KiB entries, or a 4 KiB update
         * inside an assigned 2 MiB entry (PSMASH it first). */
        if (big && cur.assigned && !cur.size_2m)
            return RMP_FAIL_OVERLAP;
        if (!big && cur.assigned && cur.size_2m)
            return RMP_FAIL_OVERLAP;
    }
    struct rmp_entry e;
    memset(&e, 0, sizeof(e));
    if (st->assigned & 1) {
        e.assigned = true;
        e.size_2m = big;
        e.immutable = st->immutable & 1;
        e.gpa = st->gpa;
        e.asid = st->asid;
    }
    /* A 2 MiB entry lives in all 512 slots: giving it back clears them all.
     * A 4 KiB update leaves the rest of a free 2 MiB region as it was. */
    if (big && !e.assigned) {
        for (unsigned i = 0; i < PAGES_IN_2M; i++)
            if (ms_rmp_put(ms, spa + i * PAGE_4K, &e))
                return RMP_FAIL_INPUT;
        return RMP_SUCCESS;
    }
    return ms_rmp_put(ms, spa, &e) ? RMP_FAIL_INPUT : RMP_SUCCESS;
}

int memsys_rmpupdate(struct memsys *ms, uint64_t spa, const struct rmp_state *st)
{
    pthread_mutex_lock(&ms->lock);
    int r = rmpupdate_locked(ms, spa, st);
    pthread_mutex_unlock(&ms->lock);
    return r;
}

int memsys_psmash(struct memsys *ms, uint64_t spa)
{
    pthread_mutex_lock(&ms->lock);
    struct rmp_entry e;
    int r = RMP_SUCCESS;
    if (!ms->snp_enabled || (spa & (PAGE_2M - 1)) || spa + PAGE_2M > ms->dram.size ||
        ms_rmp_get(ms, spa, &e))
        r = RMP_FAIL_INPUT;
    else if (!e.assigned || !e.size_2m)
        r = RMP_FAIL_OVERLAP; /* FAIL_BADADDR: not a 2 MiB entry */
    else if (e.immutable)
        r = RMP_FAIL_PERMISSION;
    else if (e.lock)
        r = RMP_FAIL_INUSE;
    for (unsigned i = 0; i < PAGES_IN_2M && r == RMP_SUCCESS; i++) {
        struct rmp_entry s = e;
        s.size_2m = false;
        s.gpa = e.gpa + i * PAGE_4K;
        if (ms_rmp_put(ms, spa + i * PAGE_4K, &s))
            r = RMP_FAIL_INPUT;
    }
    pthread_mutex_unlock(&ms->lock);
    return r;
}

int memsys_rmpread(struct memsys *ms, uint64_t spa, struct rmp_state *out)
{
    struct rmp_entry e;
    pthread_mutex_lock(&ms->lock);
    swsev_rc rc = ms_rmp_get(ms, spa & ~(PAGE_4K - 1), &e);
    pthread_mutex_unlock(&ms->lock);
    memset(out, 0, sizeof(*out));
    if (rc)
        return RMP_FAIL_INPUT;
    out->gpa = e.size_2m ? e.gpa + (spa & (PAGE_2M - 1) & ~(PAGE_4K - 1)) : e.gpa;
    out->assigned = e.assigned;
    out->pagesize = e.size_2m;
    out->immutable = e.immutable;
    out->asid = e.asid;
    return RMP_SUCCESS;
}

swsev_rc memsys_host_write_f(struct memsys *ms, uint64_t pa, const void *buf, size_t len,
                             struct hw_fault *f)
{
    if (f)
        memset(f, 0, sizeof(*f));
    uint64_t spa = pa & ~ms->cbit_mask;
    uint32_t keysel = (pa & ms->cbit_mask) ? 0 : MEMSYS_KEYSEL_PLAIN;
    if (spa & ~ms->pa_limit_mask)
        return SWSEV_HW_ERR(SWSEV_HW_RANGE);
    pthread_mutex_lock(&ms->lock);
    swsev_rc rc = dram_check(&ms->dram, spa, len);
    if (!rc)
        rc = ms_rmp_check_host_write(ms, spa, len, f);
    if (!rc)
        rc = ms_phys_access(ms, keysel, spa, (void *)buf, len, true);
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

/* ---- guest instructions ---- */

/* Translate the operand of a guest RMP instruction and find its entry. */
static int guest_operand(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva,
                         bool size_2m, struct hw_xlate *x, struct rmp_entry *e, struct hw_fault *f)
{
    if (!ms->snp_enabled || !g->snp) {
        set_fault(f, HW_FAULT_GP, HW_VECTOR_GP, 0, gva); /* #UD/#GP outside an SNP guest */
        return RMP_FAULT;
    }
    if (gva & ((size_2m ? PAGE_2M : PAGE_4K) - 1))
        return RMP_FAIL_INPUT;
    if (ms_guest_translate(ms, g, gva, HW_ACC_READ, x, f))
        return RMP_FAULT;
    if (ms_rmp_get(ms, x->spa & ~(PAGE_4K - 1), e))
        return RMP_FAIL_INPUT;
    if (!owned_by(e, g, x->spa, x->gpa)) {
        set_fault(f, HW_FAULT_NPF, 0,
                  PFERR_PRESENT | PFERR_GUEST_FINAL | PFERR_RMP | PFERR_GUEST_ENC, x->gpa);
        return RMP_FAULT;
    }
    if (size_2m != e->size_2m)
        return RMP_FAIL_SIZEMISMATCH;
    return RMP_SUCCESS;
}

int memsys_pvalidate(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva, bool size_2m,
                     bool validate, bool *no_update, struct hw_fault *f)
{
    if (f)
        memset(f, 0, sizeof(*f));
    *no_update = false;
    struct hw_xlate x;
    struct rmp_entry e;
    pthread_mutex_lock(&ms->lock);
    /* Only VMPL0 validates; checked before the operand is translated. */
    int r = g->vmpl != 0 && ms->snp_enabled && g->snp
                ? RMP_FAIL_PERMISSION
                : guest_operand(ms, g, gva, size_2m, &x, &e, f);
    if (r == RMP_SUCCESS && e.immutable)
        r = RMP_FAIL_INPUT;
    if (r == RMP_SUCCESS) {
        if (e.validated == validate) {
            *no_update = true; /* CF = 1 */
        } else {
            e.validated = validate;
            uint64_t base = x.spa & ~((size_2m ? PAGE_2M : PAGE_4K) - 1);
            if (ms_rmp_put(ms, base, &e))
                r = RMP_FAIL_INPUT;
        }
    }
    pthread_mutex_unlock(&ms->lock);
    return r;
}

int memsys_rmpadjust(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva, bool size_2m,
                     uint64_t rdx, struct hw_fault *f)
{
    if (f)
        memset(f, 0, sizeof(*f));
    unsigned target = rdx & 0xff, perms = (rdx >> 8) & 0xff;
    bool vmsa = (rdx >> 16) & 1;
    struct hw_xlate x;
    struct rmp_entry e;
    pthread_mutex_lock(&ms->lock);
    int r = guest_operand(ms, g, gva, size_2m, &x, &e, f);
    if (r == RMP_SUCCESS && (perms & ~VMPL_PERM_ALL || (rdx >> 17) || target > 3))
        r = RMP_FAIL_INPUT;
    /* Only a more privileged VMPL adjusts a less privileged one, and only
     * with permissions it holds itself. */
    if (r == RMP_SUCCESS && target <= g->vmpl)
        r = RMP_FAIL_PERMISSION;
    if (r == RMP_SUCCESS && g->vmpl > 0 && ((perms & ~e.perms[g->vmpl]) || vmsa))
        r = RMP_FAIL_PERMISSION;
    if (r == RMP_SUCCESS && !e.validated)
        r = RMP_FAIL_INPUT;
    if (r == RMP_SUCCESS) {
        e.perms[target] = (uint8_t)perms;
        e.vmsa = vmsa;
        uint64_t base = x.spa & ~((size_2m ? PAGE_2M : PAGE_4K) - 1);
        if (ms_rmp_put(ms, base, &e))
            r = RMP_FAIL_INPUT;
    }
    pthread_mutex_unlock(&ms->lock);
    return r;
}

int memsys_rmpquery(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva, uint8_t vmpl,
                    uint8_t *perms, struct hw_fault *f)
{
    if (f)
        memset(f, 0, sizeof(*f));
    struct hw_xlate x;
    struct rmp_entry e;
    *perms = 0;
    pthread_mutex_lock(&ms->lock);
    int r = guest_operand(ms, g, gva & ~(PAGE_4K - 1), false, &x, &e, f);
    if (r == RMP_FAIL_SIZEMISMATCH)
        r = RMP_SUCCESS; /* a query of a 4 KiB page inside a 2 MiB entry */
    if (r == RMP_SUCCESS && (vmpl > 3 || vmpl < g->vmpl))
        r = RMP_FAIL_PERMISSION;
    if (r == RMP_SUCCESS)
        *perms = vmpl == 0 ? VMPL_PERM_ALL : e.perms[vmpl];
    pthread_mutex_unlock(&ms->lock);
    return r;
}

/* ---- the firmware's port ---- */

swsev_rc memsys_fw_rmp_read(struct memsys_fw_port *port, uint64_t spa, struct rmp_entry *e)
{
    struct memsys *ms = port->ms;
    pthread_mutex_lock(&ms->lock);
    swsev_rc rc = ms_rmp_get(ms, spa & ~(PAGE_4K - 1), e);
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

swsev_rc memsys_fw_rmp_write(struct memsys_fw_port *port, uint64_t spa, const struct rmp_entry *e)
{
    struct memsys *ms = port->ms;
    pthread_mutex_lock(&ms->lock);
    swsev_rc rc = ms_rmp_put(ms, spa, e);
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

void memsys_fw_rmp_changed(struct memsys_fw_port *port)
{
    struct memsys *ms = port->ms;
    pthread_mutex_lock(&ms->lock);
    tlb_flush(&ms->tlb);
    pthread_mutex_unlock(&ms->lock);
}
