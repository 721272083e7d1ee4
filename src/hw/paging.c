/* SPDX-License-Identifier: MIT */
/*
 * Address translation: the guest's 4-level long-mode page tables (in guest
 * memory) and the hypervisor's 4-level nested page tables (in host memory),
 * 4 KiB, 2 MiB and 1 GiB pages.
 *
 * Rules modelled (APM vol. 2, 5.x and 15.25, 15.34):
 *  - nested walks treat every access as a user access; a nested fault is a
 *    #VMEXIT(NPF) with EXITINFO1 = error code (U always set, bit 32 for the
 *    final GPA, bit 33 while walking the guest tables) and EXITINFO2 = GPA;
 *  - an SEV guest's page-table walks and instruction fetches are always
 *    private; its C-bit is taken from the guest PTE and is not an address
 *    bit; for a non-SEV guest that bit position is a reserved bit;
 *  - address bits at or above MAXPHYADDR (reduced by the encryption
 *    reduction) are reserved, the C-bit excepted;
 *  - accessed and dirty bits are set after a translation succeeds.
 * Not modelled: SMEP, SMAP, protection keys, 32-bit and PAE paging, LA57.
 */
#include <string.h>

#include "hw/memsys_priv.h"

#define ADDR_4K 0x000FFFFFFFFFF000ull

static void set_fault(struct hw_fault *f, uint32_t kind, uint32_t vector, uint64_t ec,
                      uint64_t addr)
{
    if (!f)
        return;
    f->kind = kind;
    f->vector = vector;
    f->error_code = ec;
    f->addr = addr;
}

/* Reserved-bit mask of a paging-structure entry at level lvl (4..1), given
 * whether it maps a large page, which address bits are reserved, and
 * whether bit 63 (NX) is usable. */
static uint64_t rsvd_mask(uint64_t addr_rsvd, int lvl, bool large, bool nxe)
{
    uint64_t m = addr_rsvd;
    if (!nxe)
        m |= PTE_NX;
    if (lvl == 4)
        m |= PTE_PS; /* PS is reserved in a PML4E */
    if (large && lvl == 2)
        m |= 0x1FE000ull; /* bits 20:13 */
    if (large && lvl == 3)
        m |= 0x3FFFE000ull; /* bits 29:13 */
    return m;
}

static uint64_t leaf_address(uint64_t e, int lvl, uint64_t in, uint64_t addr_bits)
{
    uint64_t page_mask = (1ull << (12 + 9 * (lvl - 1))) - 1;
    return ((e & addr_bits) & ~page_mask) | (in & page_mask);
}

swsev_rc ms_nested_translate(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gpa,
                             enum hw_access acc, bool walk, uint64_t *spa, bool *npt_c,
                             uint8_t *level, uint8_t *perms, struct hw_fault *f)
{
    const uint64_t cbit = ms->cbit_mask;
    /* NPT entries may carry the host C-bit; other bits above MAXPHYADDR are reserved. */
    const uint64_t addr_bits = ADDR_4K & ms->pa_limit_mask;
    const uint64_t addr_rsvd = ADDR_4K & ~ms->pa_limit_mask & ~cbit;
    const bool write = acc == HW_ACC_WRITE, fetch = acc == HW_ACC_FETCH;
    uint64_t ec = PFERR_USER | (write ? PFERR_WRITE : 0) | (fetch ? PFERR_FETCH : 0) |
                  (walk ? PFERR_GUEST_PAGE : PFERR_GUEST_FINAL);

    if (!g->np_enable) {
        *spa = gpa;
        *npt_c = false;
        *level = 1;
        *perms = HW_PERM_NPT_RW;
        return SWSEV_OK;
    }
    if (gpa & ~ms->pa_limit_mask) {
        set_fault(f, HW_FAULT_NPF, 0, ec | PFERR_PRESENT | PFERR_RSVD, gpa);
        return SWSEV_HW_ERR(SWSEV_HW_FAULT);
    }

    uint64_t entry_spa[4];
    uint32_t entry_key[4];
    uint64_t e = 0;
    uint64_t table = g->ncr3 & addr_bits;
    uint32_t table_key = (g->ncr3 & cbit) ? 0 : MEMSYS_KEYSEL_PLAIN;
    bool rw = true, us = true, nx = false;
    int lvl;
    for (lvl = 4; lvl >= 1; lvl--) {
        unsigned idx = (unsigned)(gpa >> (12 + 9 * (lvl - 1))) & 511;
        uint64_t ea = table + idx * 8ull;
        entry_spa[4 - lvl] = ea;
        entry_key[4 - lvl] = table_key;
        if (ms_pt_read(ms, table_key, ea, &e) != SWSEV_OK) {
            /* A table outside DRAM reads as all ones (master abort). */
            e = ~0ull;
        }
        if (!(e & PTE_P)) {
            set_fault(f, HW_FAULT_NPF, 0, ec, gpa);
            return SWSEV_HW_ERR(SWSEV_HW_FAULT);
        }
        bool large = (lvl == 2 || lvl == 3) && (e & PTE_PS);
        if (e & rsvd_mask(addr_rsvd, lvl, large, true)) {
            set_fault(f, HW_FAULT_NPF, 0, ec | PFERR_PRESENT | PFERR_RSVD, gpa);
            return SWSEV_HW_ERR(SWSEV_HW_FAULT);
        }
        rw = rw && (e & PTE_RW);
        us = us && (e & PTE_US);
        nx = nx || (e & PTE_NX);
        if (lvl == 1 || large)
            break;
        table = e & addr_bits;
        table_key = (e & cbit) ? 0 : MEMSYS_KEYSEL_PLAIN;
    }
    if (!us || (write && !rw) || (fetch && nx)) {
        set_fault(f, HW_FAULT_NPF, 0, ec | PFERR_PRESENT, gpa);
        return SWSEV_HW_ERR(SWSEV_HW_FAULT);
    }
    /* Accessed bits on every level, dirty on the leaf for writes. */
    for (int l = 4, i = 0; l >= lvl; l--, i++) {
        uint64_t v;
        if (ms_phys_access(ms, entry_key[i], entry_spa[i], &v, sizeof(v), false))
            continue;
        uint64_t want = v | PTE_A | ((l == lvl && write) ? PTE_D : 0);
        if (want != v)
            ms_pt_write_ad(ms, entry_key[i], entry_spa[i], want);
    }
    *spa = leaf_address(e, lvl, gpa, addr_bits);
    *npt_c = (e & cbit) != 0;
    *level = (uint8_t)lvl;
    *perms = (rw ? HW_PERM_NPT_RW : 0) | (nx ? HW_PERM_NPT_NX : 0);
    return SWSEV_OK;
}

swsev_rc ms_guest_keysel(struct memsys *ms, const struct hw_guest_ctx *g, bool private_, bool npt_c,
                         uint32_t *keysel)
{
    if (private_) {
        if (g->asid == 0 || g->asid > ms->cfg.nr_asids)
            return SWSEV_HW_ERR(SWSEV_HW_INVAL);
        if (!memctl_has_key(&ms->mc, g->asid))
            return SWSEV_HW_ERR(SWSEV_HW_NOKEY);
        *keysel = g->asid;
    } else {
        *keysel = npt_c ? 0 : MEMSYS_KEYSEL_PLAIN;
    }
    return SWSEV_OK;
}

/* Read one guest page-table entry at gpa (walk access, always private for
 * SEV). Returns its SPA and key selector for a later A/D update. */
static swsev_rc read_guest_pte(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gpa,
                               uint64_t *e, uint64_t *spa, uint32_t *keysel, struct hw_fault *f)
{
    bool npt_c;
    uint8_t lvl, perms;
    swsev_rc rc = ms_nested_translate(ms, g, gpa, HW_ACC_READ, true, spa, &npt_c, &lvl, &perms, f);
    if (rc)
        return rc;
    rc = ms_guest_keysel(ms, g, g->sev, npt_c, keysel);
    if (rc)
        return rc;
    /* Under SNP the table page itself must be the guest's and validated;
     * a violation is reported as a fault of the walk, not of the final
     * access. */
    struct hw_xlate x = {.gpa = gpa, .spa = *spa, .private_ = g->sev, .npt_level = lvl};
    rc = ms_rmp_check_guest(ms, g, &x, HW_ACC_READ, f);
    if (rc) {
        if (f && f->kind == HW_FAULT_NPF)
            f->error_code = (f->error_code & ~PFERR_GUEST_FINAL) | PFERR_GUEST_PAGE;
        return rc;
    }
    if (ms_pt_read(ms, *keysel, *spa, e) != SWSEV_OK)
        *e = ~0ull;
    return SWSEV_OK;
}

/* Set the accessed bits of the guest entries used (levels 4..leaf) and the
 * dirty bit of the leaf for a write. These are writes to guest page tables:
 * all of them are checked against the nested tables before any is made. */
static swsev_rc update_accessed(struct memsys *ms, const struct hw_guest_ctx *g, int leaf,
                                bool write, const uint64_t *pte_gpa, const uint64_t *spa,
                                const uint32_t *key, struct hw_fault *f)
{
    uint64_t want[4];
    bool need[4] = {false, false, false, false};
    int n = 4 - leaf + 1;
    for (int i = 0; i < n; i++) {
        uint64_t v;
        if (ms_phys_access(ms, key[i], spa[i], &v, sizeof(v), false))
            continue;
        want[i] = v | PTE_A | ((i == n - 1 && write) ? PTE_D : 0);
        need[i] = want[i] != v;
        if (!need[i])
            continue;
        uint64_t wspa;
        bool npt_c;
        uint8_t lvl, perms;
        swsev_rc rc = ms_nested_translate(ms, g, pte_gpa[i], HW_ACC_WRITE, true, &wspa, &npt_c,
                                          &lvl, &perms, f);
        if (rc)
            return rc;
    }
    for (int i = 0; i < n; i++)
        if (need[i])
            ms_pt_write_ad(ms, key[i], spa[i], want[i]);
    return SWSEV_OK;
}

swsev_rc ms_guest_translate(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva,
                            enum hw_access acc, struct hw_xlate *x, struct hw_fault *f)
{
    const uint64_t cbit = ms->cbit_mask;
    const bool write = acc == HW_ACC_WRITE, fetch = acc == HW_ACC_FETCH;
    const bool user = g->cpl == 3;
    const bool nxe = (g->efer & X86_EFER_NXE) != 0;
    swsev_rc rc;

    memset(x, 0, sizeof(*x));
    if (!(g->cr0 & X86_CR0_PG)) {
        /* Paging off: GVA = GPA; an SEV guest's accesses are all private. */
        if (gva & ~ms->pa_limit_mask) {
            set_fault(f, HW_FAULT_GP, HW_VECTOR_GP, 0, gva);
            return SWSEV_HW_ERR(SWSEV_HW_FAULT);
        }
        x->gpa = gva;
        x->guest_c = g->sev;
        x->perms = HW_PERM_GUEST_RW | HW_PERM_GUEST_US;
    } else {
        if (!(g->efer & X86_EFER_LMA) || !(g->cr4 & X86_CR4_PAE))
            return SWSEV_HW_ERR(SWSEV_HW_INVAL); /* only long-mode paging is modelled */
        if ((uint64_t)((int64_t)(gva << 16) >> 16) != gva) {
            set_fault(f, HW_FAULT_GP, HW_VECTOR_GP, 0, gva);
            return SWSEV_HW_ERR(SWSEV_HW_FAULT);
        }
        uint64_t addr_bits = ADDR_4K & ms->pa_limit_mask;
        /* The C-bit is part of an SEV guest's PTE format; otherwise reserved. */
        uint64_t addr_rsvd = ADDR_4K & ~ms->pa_limit_mask & ~(g->sev ? cbit : 0);
        uint64_t ec =
            (write ? PFERR_WRITE : 0) | (user ? PFERR_USER : 0) | (fetch ? PFERR_FETCH : 0);
        uint64_t table = g->cr3 & addr_bits;
        uint64_t e = 0, spa[4], pte_gpa[4];
        uint32_t key[4];
        bool rw = true, us = true, nx = false;
        int lvl;
        for (lvl = 4; lvl >= 1; lvl--) {
            int i = 4 - lvl;
            unsigned idx = (unsigned)(gva >> (12 + 9 * (lvl - 1))) & 511;
            pte_gpa[i] = table + idx * 8ull;
            rc = read_guest_pte(ms, g, pte_gpa[i], &e, &spa[i], &key[i], f);
            if (rc)
                return rc;
            if (!(e & PTE_P)) {
                set_fault(f, HW_FAULT_PF, HW_VECTOR_PF, ec, gva);
                return SWSEV_HW_ERR(SWSEV_HW_FAULT);
            }
            bool large = (lvl == 2 || lvl == 3) && (e & PTE_PS);
            if (e & rsvd_mask(addr_rsvd, lvl, large, nxe)) {
                set_fault(f, HW_FAULT_PF, HW_VECTOR_PF, ec | PFERR_PRESENT | PFERR_RSVD, gva);
                return SWSEV_HW_ERR(SWSEV_HW_FAULT);
            }
            rw = rw && (e & PTE_RW);
            us = us && (e & PTE_US);
            nx = nx || (nxe && (e & PTE_NX));
            if (lvl == 1 || large)
                break;
            table = e & addr_bits;
        }
        bool wp = (g->cr0 & X86_CR0_WP) != 0;
        if ((user && !us) || (write && !rw && (user || wp)) || (fetch && nx)) {
            set_fault(f, HW_FAULT_PF, HW_VECTOR_PF, ec | PFERR_PRESENT, gva);
            return SWSEV_HW_ERR(SWSEV_HW_FAULT);
        }
        x->gpa = leaf_address(e, lvl, gva, addr_bits);
        x->guest_c = g->sev && (e & cbit);
        x->perms =
            (rw ? HW_PERM_GUEST_RW : 0) | (us ? HW_PERM_GUEST_US : 0) | (nx ? HW_PERM_GUEST_NX : 0);
        rc = update_accessed(ms, g, lvl, write, pte_gpa, spa, key, f);
        if (rc)
            return rc;
    }

    bool npt_c;
    uint8_t nperms;
    rc = ms_nested_translate(ms, g, x->gpa, acc, false, &x->spa, &npt_c, &x->npt_level, &nperms, f);
    if (rc)
        return rc;
    x->perms |= nperms;
    x->npt_c = npt_c;
    x->private_ = g->sev && (x->guest_c || fetch);
    return ms_guest_keysel(ms, g, x->private_, npt_c, &x->keysel);
}
