/* SPDX-License-Identifier: MIT */
/*
 * SNP page management: SNP_PAGE_UNSMASH, SNP_PAGE_SET_STATE, SNP_PAGE_MOVE,
 * SNP_PAGE_MD_INIT, SNP_PAGE_SWAP_OUT and SNP_PAGE_SWAP_IN, with the check
 * order and statuses of AMD's Genoa firmware 1.55.25
 * (docs/research/snp-page-commands.md has each step and its source).
 *
 * Swapping follows AMD's construction: each guest has an offline
 * encryption key (OEK); a page goes out as AES-256-GCM ciphertext under it,
 * with a per-guest counter as IV and no AAD. The IV, the tag, the page's
 * GPA and VMPL masks go into a 64-byte metadata entry that only the
 * firmware can write (a slot of a Metadata page, or the root entry in the
 * guest context). Swap-in checks the tag and clears the entry's VALID bit,
 * so a replayed, relocated or altered page is refused.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/aead.h"
#include "fw/handlers.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/abi/snp_pages.h"

#define PAGE_4K  0x1000ull
#define PAGE_2M  0x200000ull
#define LOW_BITS (PAGE_4K - 1)

/* The firmware tags its own pages in RMP.GPA bits 38:36 of the frame
 * number (address bits 50:48): 1 marks a Metadata page, whose GPA field
 * names the owning guest context. */
#define GPA_TAG_MASK     (7ull << 48)
#define GPA_TAG_METADATA (1ull << 48)

/* AMD's "invalid address" GPA of a swapped-out Metadata page's entry. */
#define MDATA_GPA_NONE SNP_MDATA_GPA_MASK

/* fw_snp_page_state's states plus the one it does not classify. */
enum { PG_METADATA = FW_PS_GUEST_VALID + 1 };

/* A page as the firmware sees it: address, state and RMP entry. */
struct pg {
    uint64_t spa; /* C-bit stripped, 4 KiB aligned */
    int state;    /* enum fw_page_state or PG_METADATA */
    struct rmp_entry e;
};

static uint16_t need_init(struct sev_fw *fw)
{
    return fw->snp.state == SNP_STATE_INIT ? SEV_STATUS_SUCCESS : SEV_STATUS_INVALID_PLATFORM_STATE;
}

static uint64_t page_len(bool big)
{
    return big ? PAGE_2M : PAGE_4K;
}

/* RMP lookup of pa (INVALID_PARAM for the RMP's own pages). The model
 * keeps a 2 MiB entry in all 512 slots; AMD's firmware reads the slot of
 * the 4 KiB address it is given, which past the first page of a 2 MiB
 * entry is an assigned, non-immutable 4 KiB sub-entry with ASID 0 (the
 * shape SNP_PAGE_UNSMASH writes). Show the firmware that slot. */
static uint16_t pg_read(struct sev_fw *fw, uint64_t pa, struct pg *p)
{
    enum fw_page_state s;
    uint16_t st = fw_snp_page_state(fw, pa, &s, &p->e);
    if (st)
        return st;
    p->spa = fw_strip_cbit(fw, pa) & ~LOW_BITS;
    p->state = s;
    const struct rmp_entry *e = &p->e;
    if (e->size_2m && (p->spa & (PAGE_2M - 1))) {
        memset(&p->e, 0, sizeof(p->e));
        p->e.assigned = true;
        p->state = FW_PS_RECLAIM;
    } else if (s == FW_PS_INVALID && e->assigned && !e->validated && !e->asid && e->immutable &&
               (e->gpa & GPA_TAG_MASK) == GPA_TAG_METADATA && (e->gpa & ~GPA_TAG_MASK)) {
        p->state = PG_METADATA;
    }
    return SEV_STATUS_SUCCESS;
}

static uint16_t pg_write(struct sev_fw *fw, struct pg *p)
{
    uint16_t st = fw_snp_rmp_write(fw, p->spa, &p->e);
    memsys_fw_rmp_changed(fw->port); /* as the hardware's TLB shootdown */
    return st;
}

/* Does the Metadata page p belong to the guest whose context is gctx_pa? */
static bool md_owned(struct sev_fw *fw, const struct pg *p, uint64_t gctx_pa)
{
    return (p->e.gpa & ~GPA_TAG_MASK) == (fw_strip_cbit(fw, gctx_pa) & ~LOW_BITS);
}

static uint64_t md_gpa(struct sev_fw *fw, uint64_t gctx_pa)
{
    return (fw_strip_cbit(fw, gctx_pa) & ~LOW_BITS) | GPA_TAG_METADATA;
}

static bool overlap(struct sev_fw *fw, uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    a = fw_strip_cbit(fw, a);
    b = fw_strip_cbit(fw, b);
    return a <= b + blen - 1 && b <= a + alen - 1;
}

static uint8_t *page_buf(uint64_t len)
{
    return malloc(len);
}

static void page_buf_free(uint8_t *buf, uint64_t len)
{
    if (buf)
        OPENSSL_cleanse(buf, len);
    free(buf);
}

static uint64_t perms_word(const struct rmp_entry *e)
{
    uint64_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint64_t)e->perms[i] << (8 * i);
    return v;
}

static void perms_set(struct rmp_entry *e, uint64_t v)
{
    for (int i = 0; i < 4; i++)
        e->perms[i] = (uint8_t)(v >> (8 * i));
}

/* ---- SNP_PAGE_UNSMASH ---- */

FW_HANDLER(snp_page_unsmash)
{
    const struct snp_fw_page_unsmash *b = c->buf;
    /* Bit 0 (page size) is not reserved here but fails the 2 MiB alignment. */
    if ((b->page_paddr & 0xFFE) || (b->page_paddr & (PAGE_2M - 1)))
        return SEV_STATUS_INVALID_PARAM;
    uint16_t st = need_init(fw);
    if (st)
        return st;
    uint64_t base, end, spa = fw_strip_cbit(fw, b->page_paddr);
    memsys_rmp_range(fw->ms, &base, &end);
    if (spa >= base && spa <= end)
        return SEV_STATUS_INVALID_PARAM;
    struct rmp_entry e0, e;
    if (memsys_fw_rmp_read(fw->port, spa, &e0))
        return SEV_STATUS_INVALID_PAGE_STATE; /* Default: no entry to merge */
    if (spa <= end && base <= spa + PAGE_2M - 1)
        return SEV_STATUS_INVALID_ADDRESS;
    /* Every entry is checked before any is written. */
    enum fw_page_state s0 = FW_PS_INVALID;
    for (unsigned i = 0; i < 512; i++) {
        uint64_t pa = spa + i * PAGE_4K;
        enum fw_page_state s;
        st = fw_snp_page_state(fw, pa, &s, &e); /* the raw slot of pa */
        if (st || s == FW_PS_DEFAULT)
            return SEV_STATUS_INVALID_ADDRESS;
        if (e.size_2m || !e.immutable || e.vmsa || !e.asid)
            return SEV_STATUS_INVALID_PAGE_STATE;
        if (i == 0) {
            s0 = s;
            if (e.gpa & (PAGE_2M - 1))
                return SEV_STATUS_INVALID_PAGE_STATE;
        } else if (s != s0 || e.asid != e0.asid || e.gpa != e0.gpa + i * PAGE_4K ||
                   memcmp(e.perms, e0.perms, sizeof(e.perms))) {
            return SEV_STATUS_INVALID_PAGE_STATE;
        }
    }
    e0.size_2m = true;
    e0.subpage_count = 0;
    st = fw_snp_rmp_write(fw, spa, &e0);
    memsys_fw_rmp_changed(fw->port);
    return st;
}

/* ---- SNP_PAGE_SET_STATE ---- */

/* The exact Firmware entry AMD's scan accepts: 4 KiB, GPA 0, no VMSA
 * (LOCK is not compared: the model's RMPUPDATE does not keep it). */
static bool plain_firmware(const struct rmp_entry *e)
{
    return e->assigned && e->immutable && !e->size_2m && !e->validated && !e->vmsa && !e->asid &&
           !e->gpa;
}

/* Visit the pages of range r that the RMP covers, the RMP itself excluded
 * (AMD's list walk cuts it out of each range). write = false: check that
 * each is a Firmware page; write = true: make each HV-Fixed. */
static uint16_t range_pages(struct sev_fw *fw, const struct snp_range *r, bool write)
{
    uint64_t base, end, dram = memsys_chip(fw->ms)->dram_size;
    memsys_rmp_range(fw->ms, &base, &end);
    uint64_t first = fw_strip_cbit(fw, r->base);
    uint64_t last = first + (uint64_t)r->page_count * PAGE_4K; /* exclusive */
    if (last > dram)
        last = dram; /* beyond the RMP: Default pages, nothing to do */
    struct rmp_entry hv_fixed;
    memset(&hv_fixed, 0, sizeof(hv_fixed));
    hv_fixed.immutable = true; /* AMD writes exactly IMMUTABLE, LOCK clear */
    for (uint64_t pa = first; pa < last; pa += PAGE_4K) {
        if (end && pa >= base && pa <= end) {
            pa = end & ~LOW_BITS;
            continue;
        }
        struct rmp_entry e;
        if (memsys_fw_rmp_read(fw->port, pa, &e))
            return SEV_STATUS_INVALID_ADDRESS;
        if (!write && !plain_firmware(&e))
            return SEV_STATUS_INVALID_PAGE_STATE;
        if (write && memsys_fw_rmp_write(fw->port, pa, &hv_fixed))
            return SEV_STATUS_INVALID_ADDRESS;
    }
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(snp_page_set_state)
{
    const struct snp_fw_page_set_state *b = c->buf;
    if (b->length != sizeof(*b))
        return SEV_STATUS_INVALID_LENGTH;
    if (b->rsvd || (b->list_paddr & LOW_BITS))
        return SEV_STATUS_INVALID_PARAM;
    uint16_t st = need_init(fw);
    if (st)
        return st;
    if (!fw_mem_valid(fw, b->list_paddr, PAGE_4K))
        return SEV_STATUS_INVALID_ADDRESS;
    /* One read of the list: what is checked is what is applied. */
    uint8_t page[PAGE_4K];
    st = fw_mem_read(fw, b->list_paddr, page, sizeof(page));
    if (st)
        return st;
    const struct snp_range_list *l = (const void *)page;
    if (l->rsvd || l->n > SNP_RANGE_LIST_MAX)
        return SEV_STATUS_INVALID_PARAM;
    for (uint32_t i = 0; i < l->n; i++) {
        const struct snp_range *r = &l->ranges[i];
        if (r->rsvd || (fw_strip_cbit(fw, r->base) & (PAGE_2M - 1)))
            return SEV_STATUS_INVALID_PARAM;
    }
    /* Every page of every range is checked before any changes. */
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < l->n; i++) {
            st = range_pages(fw, &l->ranges[i], pass == 1);
            if (st)
                return st;
        }
    memsys_fw_rmp_changed(fw->port);
    return SEV_STATUS_SUCCESS;
}

/* ---- SNP_PAGE_MD_INIT ---- */

FW_HANDLER(snp_page_md_init)
{
    const struct snp_fw_md_init *b = c->buf;
    if ((b->gctx_paddr | b->page_paddr) & LOW_BITS)
        return SEV_STATUS_INVALID_PARAM;
    uint16_t st = need_init(fw);
    struct pg gctx, page;
    if (!st)
        st = pg_read(fw, b->gctx_paddr, &gctx);
    if (!st)
        st = pg_read(fw, b->page_paddr, &page);
    struct fw_snp_guest *g;
    if (!st)
        st = fw_snp_guest_get(fw, b->gctx_paddr, &g);
    if (st)
        return st;
    if (page.state != FW_PS_FIRMWARE)
        return SEV_STATUS_INVALID_PAGE_STATE;
    if (g->state != SNP_GSTATE_LAUNCH && g->state != SNP_GSTATE_RUNNING)
        return SEV_STATUS_INVALID_GUEST_STATE;
    uint64_t len = page_len(page.e.size_2m);
    uint8_t *zero = calloc(1, len);
    if (!zero)
        return SEV_STATUS_RESOURCE_LIMIT;
    st = fw_mem_write(fw, b->page_paddr, zero, len);
    free(zero);
    if (st)
        return st;
    page.e.gpa = md_gpa(fw, b->gctx_paddr); /* Firmware -> Metadata */
    return pg_write(fw, &page);
}

/* ---- SNP_PAGE_MOVE ---- */

/* Re-encrypt a guest page for its new address: the engine's tweak is the
 * physical address, so read at src and write at dst, both under the
 * guest's key. */
static uint16_t copy_guest(struct sev_fw *fw, uint32_t asid, uint64_t dst, uint64_t src,
                           uint64_t len)
{
    uint8_t *buf = page_buf(len);
    if (!buf)
        return SEV_STATUS_RESOURCE_LIMIT;
    uint16_t st = fw_guest_mem_read(fw, asid, src, buf, len);
    if (!st)
        st = fw_guest_mem_write(fw, asid, dst, buf, len);
    page_buf_free(buf, len);
    return st;
}

static uint16_t copy_plain(struct sev_fw *fw, uint64_t dst, uint64_t src, uint64_t len)
{
    uint8_t *buf = page_buf(len);
    if (!buf)
        return SEV_STATUS_RESOURCE_LIMIT;
    uint16_t st = fw_mem_read(fw, src, buf, len);
    if (!st)
        st = fw_mem_write(fw, dst, buf, len);
    page_buf_free(buf, len);
    return st;
}

/* The guest-state and activation checks every page command shares. */
static uint16_t guest_live(const struct fw_snp_guest *g)
{
    if (g->state != SNP_GSTATE_LAUNCH && g->state != SNP_GSTATE_RUNNING)
        return SEV_STATUS_INVALID_GUEST_STATE;
    return g->active ? SEV_STATUS_SUCCESS : SEV_STATUS_INACTIVE;
}

FW_HANDLER(snp_page_move)
{
    const struct snp_fw_page_move *b = c->buf;
    if (((b->gctx_paddr | b->src_paddr | b->dst_paddr) & LOW_BITS) || (b->flags & ~1u) || b->rsvd)
        return SEV_STATUS_INVALID_PARAM;
    uint16_t st = need_init(fw);
    struct pg gctx, src, dst;
    if (!st)
        st = pg_read(fw, b->gctx_paddr, &gctx);
    if (!st)
        st = pg_read(fw, b->src_paddr, &src);
    if (!st)
        st = pg_read(fw, b->dst_paddr, &dst);
    struct fw_snp_guest *g;
    if (!st)
        st = fw_snp_guest_get(fw, b->gctx_paddr, &g);
    if (st)
        return st;
    bool big = b->flags & 1;
    if (src.e.size_2m != big || dst.e.size_2m != big)
        return SEV_STATUS_INVALID_PAGE_SIZE;
    uint64_t len = page_len(big);
    st = guest_live(g);
    if (st)
        return st;
    if ((src.state == FW_PS_PRE_SWAP || src.state == FW_PS_PRE_GUEST) &&
        dst.state == FW_PS_PRE_GUEST) {
        if (src.e.asid != g->asid || dst.e.asid != g->asid)
            return SEV_STATUS_INVALID_PAGE_OWNER;
        st = copy_guest(fw, g->asid, b->dst_paddr, b->src_paddr, len);
        if (st)
            return st;
        /* dst takes src's place: Guest-Invalid, or Guest-Valid if src was
         * validated (Pre-Swap); src becomes Guest-Invalid. */
        dst.e.gpa = src.e.gpa;
        dst.e.vmsa = src.e.vmsa;
        memcpy(dst.e.perms, src.e.perms, sizeof(dst.e.perms));
        dst.e.validated = dst.e.validated || src.state == FW_PS_PRE_SWAP;
        dst.e.immutable = false;
        src.e.validated = false;
        src.e.immutable = false;
    } else if (src.state == PG_METADATA && dst.state == FW_PS_FIRMWARE) {
        if (!md_owned(fw, &src, b->gctx_paddr))
            return SEV_STATUS_INVALID_PAGE_OWNER;
        if (!overlap(fw, b->src_paddr, PAGE_4K, b->dst_paddr, PAGE_4K)) {
            st = copy_plain(fw, b->dst_paddr, b->src_paddr, len);
            if (st)
                return st;
        }
        dst.e.gpa = md_gpa(fw, b->gctx_paddr); /* Firmware -> Metadata */
        src.e.gpa = 0;                         /* Metadata -> Firmware */
        src.e.vmsa = false;
    } else {
        return SEV_STATUS_INVALID_PAGE_STATE;
    }
    st = pg_write(fw, &src);
    return st ? st : pg_write(fw, &dst);
}

/* ---- SNP_PAGE_SWAP_OUT / SNP_PAGE_SWAP_IN ---- */

/* The checks both swap commands make on the metadata slot (skipped with
 * ROOT_MDATA_EN): 64-byte aligned, clear of src and dst, in a Metadata
 * page of this guest. */
static uint16_t md_slot(struct sev_fw *fw, uint64_t gctx_pa, uint64_t md, uint64_t src,
                        uint64_t dst, uint64_t len)
{
    struct pg p;
    uint16_t st = pg_read(fw, md, &p);
    if (st)
        return st;
    if ((md % sizeof(struct snp_mdata_entry)) ||
        overlap(fw, md, sizeof(struct snp_mdata_entry), src, len) ||
        overlap(fw, md, sizeof(struct snp_mdata_entry), dst, len))
        return SEV_STATUS_INVALID_PARAM;
    if (p.state != PG_METADATA)
        return SEV_STATUS_INVALID_PAGE_STATE;
    return md_owned(fw, &p, gctx_pa) ? SEV_STATUS_SUCCESS : SEV_STATUS_INVALID_PAGE_OWNER;
}

static void swap_iv(uint64_t counter, uint8_t iv[12])
{
    memset(iv, 0, 12);
    for (int i = 0; i < 8; i++)
        iv[i] = (uint8_t)(counter >> (8 * i));
}

/* The offline encryption key: AMD draws it at SNP_LAUNCH_START; the model
 * draws it before the guest's first swap, which no swap-in can precede
 * (only a swap-out makes a valid metadata entry). */
static uint16_t guest_oek(struct sev_fw *fw, struct fw_snp_guest *g)
{
    if (g->oek_valid)
        return SEV_STATUS_SUCCESS;
    uint16_t st = fw_random(fw, g->oek, sizeof(g->oek));
    if (!st)
        g->oek_valid = true;
    return st;
}

/* Common prologue: reserved bits, platform, RMP of gctx/src/dst, the
 * guest, the metadata slot. */
static uint16_t swap_prologue(struct sev_fw *fw, uint64_t gctx_pa, uint64_t src_pa, uint64_t dst_pa,
                              uint64_t md_pa, uint64_t flags, struct pg *src, struct pg *dst,
                              struct fw_snp_guest **g)
{
    uint16_t st = need_init(fw);
    struct pg gctx;
    if (!st)
        st = pg_read(fw, gctx_pa, &gctx);
    if (!st)
        st = pg_read(fw, src_pa, src);
    if (!st)
        st = pg_read(fw, dst_pa, dst);
    if (!st)
        st = fw_snp_guest_get(fw, gctx_pa, g);
    if (!st && !(flags & SNP_SWAP_ROOT_MDATA_EN))
        st = md_slot(fw, gctx_pa, md_pa, src_pa, dst_pa, page_len(flags & SNP_SWAP_PAGE_SIZE_2M));
    return st;
}

/* Encrypt len bytes at src (guest key, or the host's view for a Metadata
 * page) into dst under the OEK. */
static uint16_t seal_page(struct sev_fw *fw, const struct fw_snp_guest *g, bool guest_key,
                          uint64_t src, uint64_t dst, uint64_t len, struct snp_mdata_entry *m)
{
    uint8_t *buf = page_buf(len), iv[12];
    if (!buf)
        return SEV_STATUS_RESOURCE_LIMIT;
    uint16_t st =
        guest_key ? fw_guest_mem_read(fw, g->asid, src, buf, len) : fw_mem_read(fw, src, buf, len);
    swap_iv(m->iv, iv);
    if (!st && crypto_gcm_encrypt(g->oek, sizeof(g->oek), iv, NULL, 0, buf, len, buf, m->auth_tag))
        st = SEV_STATUS_HWERROR_PLATFORM;
    if (!st)
        st = fw_mem_write(fw, dst, buf, len);
    page_buf_free(buf, len);
    return st;
}

/* Decrypt and verify the ciphertext at src, then write it at dst (guest
 * key, or plainly for a Metadata page). Nothing is written on a bad tag. */
static uint16_t open_page(struct sev_fw *fw, const struct fw_snp_guest *g, bool guest_key,
                          uint64_t src, uint64_t dst, uint64_t len, const struct snp_mdata_entry *m)
{
    uint8_t *buf = page_buf(len), iv[12];
    if (!buf)
        return SEV_STATUS_RESOURCE_LIMIT;
    uint16_t st = fw_mem_read(fw, src, buf, len);
    swap_iv(m->iv, iv);
    if (!st && crypto_gcm_decrypt(g->oek, sizeof(g->oek), iv, NULL, 0, buf, len, buf, m->auth_tag))
        st = SEV_STATUS_BAD_MEASUREMENT;
    if (!st)
        st = guest_key ? fw_guest_mem_write(fw, g->asid, dst, buf, len)
                       : fw_mem_write(fw, dst, buf, len);
    page_buf_free(buf, len);
    return st;
}

FW_HANDLER(snp_page_swap_out)
{
    const struct snp_fw_swap_out *b = c->buf;
    if (((b->gctx_paddr | b->src_paddr | b->dst_paddr) & LOW_BITS) ||
        (b->flags & (SNP_SWAP_IN_PLACE | SNP_SWAP_RESERVED)))
        return SEV_STATUS_INVALID_PARAM;
    struct pg src, dst;
    struct fw_snp_guest *g;
    uint16_t st = swap_prologue(fw, b->gctx_paddr, b->src_paddr, b->dst_paddr, b->mdata_paddr,
                                b->flags, &src, &dst, &g);
    if (st)
        return st;
    bool big = b->flags & SNP_SWAP_PAGE_SIZE_2M;
    if (src.e.size_2m != big || (dst.state != FW_PS_DEFAULT && dst.e.size_2m != big))
        return SEV_STATUS_INVALID_PAGE_SIZE;
    st = guest_live(g);
    if (st)
        return st;
    unsigned type = SNP_SWAP_PAGE_TYPE(b->flags);
    bool src_ok = type == SNP_SWAP_METADATA
                      ? src.state == PG_METADATA
                      : src.state == FW_PS_PRE_SWAP || src.state == FW_PS_PRE_GUEST;
    if (type > SNP_SWAP_VMSA || !src_ok ||
        (dst.state != FW_PS_FIRMWARE && dst.state != FW_PS_DEFAULT))
        return SEV_STATUS_INVALID_PAGE_STATE;
    if (type == SNP_SWAP_METADATA ? !md_owned(fw, &src, b->gctx_paddr) : src.e.asid != g->asid)
        return SEV_STATUS_INVALID_PAGE_OWNER;
    struct snp_mdata_entry m;
    memset(&m, 0, sizeof(m));
    m.software_data = b->software_data;
    m.entry = SNP_MDATA_VALID | (src.e.size_2m ? SNP_MDATA_PAGE_SIZE_2M : 0);
    if (type == SNP_SWAP_METADATA) {
        m.entry |= SNP_MDATA_METADATA | MDATA_GPA_NONE;
    } else {
        m.entry |= (src.e.gpa & SNP_MDATA_GPA_MASK) | (type == SNP_SWAP_VMSA ? SNP_MDATA_VMSA : 0) |
                   (src.e.validated ? SNP_MDATA_PAGE_VALIDATED : 0);
        m.vmpl = perms_word(&src.e);
    }
    if (g->oek_iv_count == UINT64_MAX - 1)
        return SEV_STATUS_AEAD_OFLOW;
    st = guest_oek(fw, g);
    if (st)
        return st;
    m.iv = g->oek_iv_count++; /* spent even if the copy below fails */
    st = seal_page(fw, g, type != SNP_SWAP_METADATA, b->src_paddr, b->dst_paddr, page_len(big), &m);
    if (st)
        return st;
    if (type == SNP_SWAP_METADATA) {
        src.e.gpa = 0; /* Metadata -> Firmware */
        src.e.vmsa = false;
    } else {
        src.e.validated = false; /* Pre-Swap -> Pre-Guest */
    }
    st = pg_write(fw, &src);
    if (st)
        return st;
    if (b->flags & SNP_SWAP_ROOT_MDATA_EN) {
        memcpy(g->root_md_entry, &m, sizeof(m));
        return SEV_STATUS_SUCCESS;
    }
    return fw_mem_write(fw, b->mdata_paddr, &m, sizeof(m));
}

/* What the entry says it holds, as a swap page type (-1: both bits set). */
static int mdata_type(const struct snp_mdata_entry *m)
{
    bool md = m->entry & SNP_MDATA_METADATA, vmsa = m->entry & SNP_MDATA_VMSA;
    if (md && vmsa)
        return -1;
    return md ? SNP_SWAP_METADATA : vmsa ? SNP_SWAP_VMSA : SNP_SWAP_DATA;
}

/* The destination rules of SWAP_IN, per page type. */
static uint16_t swap_in_dst(const struct snp_fw_swap_in *b, unsigned type, const struct pg *src,
                            const struct pg *dst, const struct fw_snp_guest *g)
{
    bool in_place = b->flags & SNP_SWAP_IN_PLACE;
    if (type == SNP_SWAP_METADATA) {
        if (in_place)
            return SEV_STATUS_INVALID_PARAM;
        return dst->state == FW_PS_FIRMWARE ? SEV_STATUS_SUCCESS : SEV_STATUS_INVALID_PAGE_STATE;
    }
    if (type == SNP_SWAP_VMSA) {
        if (in_place)
            return SEV_STATUS_INVALID_PARAM;
        if (b->flags & SNP_SWAP_PAGE_SIZE_2M)
            return SEV_STATUS_INVALID_PAGE_SIZE;
    } else if (in_place) {
        if (b->src_paddr != b->dst_paddr) /* as given, C-bit included */
            return SEV_STATUS_INVALID_ADDRESS;
        if (src->state != FW_PS_PRE_GUEST)
            return SEV_STATUS_INVALID_PAGE_STATE;
    }
    if (dst->state != FW_PS_PRE_GUEST)
        return SEV_STATUS_INVALID_PAGE_STATE;
    return dst->e.asid == g->asid ? SEV_STATUS_SUCCESS : SEV_STATUS_INVALID_PAGE_OWNER;
}

FW_HANDLER(snp_page_swap_in)
{
    const struct snp_fw_swap_in *b = c->buf;
    if (((b->gctx_paddr | b->src_paddr | b->dst_paddr) & LOW_BITS) || b->rsvd ||
        (b->flags & SNP_SWAP_RESERVED))
        return SEV_STATUS_INVALID_PARAM;
    struct pg src, dst;
    struct fw_snp_guest *g;
    uint16_t st = swap_prologue(fw, b->gctx_paddr, b->src_paddr, b->dst_paddr, b->mdata_paddr,
                                b->flags, &src, &dst, &g);
    if (!st)
        st = guest_live(g);
    if (st)
        return st;
    bool root = b->flags & SNP_SWAP_ROOT_MDATA_EN;
    struct snp_mdata_entry m;
    if (root) {
        memcpy(&m, g->root_md_entry, sizeof(m));
    } else {
        st = fw_mem_read(fw, b->mdata_paddr, &m, sizeof(m));
        if (st)
            return st;
    }
    int type = mdata_type(&m);
    if (type < 0 || (unsigned)type != SNP_SWAP_PAGE_TYPE(b->flags) || !(m.entry & SNP_MDATA_VALID))
        return SEV_STATUS_INVALID_MDATA_ENTRY;
    bool big = b->flags & SNP_SWAP_PAGE_SIZE_2M;
    if ((src.state != FW_PS_DEFAULT && src.e.size_2m != big) || dst.e.size_2m != big ||
        !!(m.entry & SNP_MDATA_PAGE_SIZE_2M) != big)
        return SEV_STATUS_INVALID_PAGE_SIZE;
    st = swap_in_dst(b, (unsigned)type, &src, &dst, g);
    if (!st)
        st = guest_oek(fw, g);
    if (!st)
        st = open_page(fw, g, type != SNP_SWAP_METADATA, b->src_paddr, b->dst_paddr, page_len(big),
                       &m);
    if (st)
        return st;
    m.entry &= ~SNP_MDATA_VALID; /* one swap-in per swap-out */
    if (type == SNP_SWAP_METADATA) {
        dst.e.gpa = md_gpa(fw, b->gctx_paddr); /* Firmware -> Metadata */
    } else {
        /* Pre-Guest, or Pre-Swap if the guest had validated the page.
         * (Secure TSC values of a VMSA are not re-applied: the model's
         * launch does not apply them either.) */
        dst.e.gpa = m.entry & SNP_MDATA_GPA_MASK;
        dst.e.vmsa = type == SNP_SWAP_VMSA;
        perms_set(&dst.e, m.vmpl);
        if (m.entry & SNP_MDATA_PAGE_VALIDATED)
            dst.e.validated = true;
    }
    st = pg_write(fw, &dst);
    if (st)
        return st;
    if (root) {
        memcpy(g->root_md_entry, &m, sizeof(m));
        return SEV_STATUS_SUCCESS;
    }
    return fw_mem_write(fw, b->mdata_paddr, &m, sizeof(m));
}
