/* SPDX-License-Identifier: MIT */
/*
 * SNP_LAUNCH_START / SNP_LAUNCH_UPDATE / SNP_LAUNCH_FINISH, in the check
 * order of AMD's firmware (docs/research/snp-fw-behaviour.md 2, 3). The
 * launch digest is the PAGE_INFO chain of common/snp_pageinfo.h, the same
 * code the offline calculator runs.
 *
 * Not modelled: VMSA register protection (SEV_FEATURES bit 14) and Secure
 * TSC (bit 9) transforms of VMSA pages, IMI launches' second digest. The
 * CPUID page is checked by fw/snp_cpuid.c.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "common/snp_pageinfo.h"
#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "fw/handlers.h"
#include "fw/snp_cpuid.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/abi/snp_report.h"
#include "swsev/abi/vmsa.h"

#define PAGE_4K  0x1000ull
#define LOW_BITS (PAGE_4K - 1)

FW_HANDLER(snp_launch_start)
{
    const struct snp_fw_launch_start *b = c->buf;
    if ((b->gctx_paddr & LOW_BITS) || (b->flags & ~3u) || (b->ma_gctx_paddr & LOW_BITS))
        return SEV_STATUS_INVALID_PARAM;
    if (fw->snp.state != SNP_STATE_INIT)
        return SEV_STATUS_INVALID_PLATFORM_STATE;
    struct fw_snp_guest *g, *ma = NULL;
    uint16_t st = fw_snp_guest_get(fw, b->gctx_paddr, &g);
    if (st)
        return st;
    if (g->state != SNP_GSTATE_INIT)
        return SEV_STATUS_INVALID_GUEST_STATE;
    bool ma_en = b->flags & 1;
    if (ma_en && fw_snp_guest_get(fw, b->ma_gctx_paddr, &ma))
        return SEV_STATUS_INVALID_GUEST;
    uint64_t p = b->policy;
    bool smt_on = true; /* the model's host runs with SMT */
    if ((ma_en && !(p & SNP_POLICY_MIGRATE_MA)) || !(p & SNP_POLICY_RSVD_MBO) ||
        (smt_on && !(p & SNP_POLICY_SMT)) || SNP_POLICY_ABI_MAJOR(p) > fw->params.api_major ||
        (SNP_POLICY_ABI_MAJOR(p) == fw->params.api_major &&
         SNP_POLICY_ABI_MINOR(p) > fw->params.api_minor) ||
        (p & SNP_POLICY_RESERVED) ||
        (ma &&
         (ma->report_id_ma[0] != 0xFF || memcmp(ma->report_id_ma, ma->report_id_ma + 1, 31))) ||
        (ma && (p & SNP_POLICY_SINGLE_SOCKET) && !(ma->policy & SNP_POLICY_SINGLE_SOCKET)))
        return SEV_STATUS_POLICY_FAILURE;
    st = fw_random(fw, g->vmpck, sizeof(g->vmpck));
    if (!st)
        st = fw_random(fw, g->vmrk, sizeof(g->vmrk));
    if (!st)
        st = fw_random(fw, g->report_id, sizeof(g->report_id));
    /* The offline encryption key of page swap, drawn here as AMD does. */
    if (!st)
        st = fw_random(fw, g->oek, sizeof(g->oek));
    if (st)
        return st;
    g->oek_valid = true;
    g->policy = p;
    if (ma)
        memcpy(g->report_id_ma, ma->report_id, 32);
    else
        memset(g->report_id_ma, 0xFF, 32);
    g->ma_gctx_pa = ma ? ma->gctx_pa : 0;
    g->desired_tsc_khz = b->desired_tsc_khz;
    memset(g->imd, 0, sizeof(g->imd));
    g->imi_en = (b->flags >> 1) & 1;
    memcpy(g->gosvw, b->gosvw, 16);
    memset(g->measurement, 0, sizeof(g->measurement));
    fw->snp.guest_count++;
    g->state = SNP_GSTATE_LAUNCH;
    return SEV_STATUS_SUCCESS;
}

/* The VMSA register-protection tweak bitmap of AMD's firmware (64 bytes:
 * bit n covers the quadword at 8n). */
static const uint8_t vmsa_tweak_bitmap[64] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x88, 0x00, 0x00, 0x00, 0x00, 0xEE, 0xFF, 0x00, 0x00,
    0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
};

static void fill_secrets(struct sev_fw *fw, const struct fw_snp_guest *g, uint8_t page[PAGE_4K])
{
    struct snp_secrets_page *s = (struct snp_secrets_page *)page;
    memset(page, 0, PAGE_4K); /* the host's contents are ignored */
    s->version = 3;
    s->imi_en = g->imi_en;
    s->fms = chip_signature(memsys_chip(fw->ms));
    memcpy(s->gosvw, g->gosvw, 16);
    memcpy(s->vmpck, g->vmpck, sizeof(s->vmpck));
    memcpy(s->vmsa_tweak_bitmap, vmsa_tweak_bitmap, 64);
    if (fw->params.snp_product == SNP_GENOA)
        s->tsc_factor = (100000 - 99600) / 2;
}

/* One 4 KiB chunk of SNP_LAUNCH_UPDATE. */
static uint16_t update_chunk(struct sev_fw *fw, struct fw_snp_guest *g, uint64_t pa, uint64_t gpa,
                             unsigned type, bool imi, const uint8_t perms[3])
{
    uint8_t page[PAGE_4K], contents[48];
    uint16_t st = fw_mem_read(fw, pa, page, sizeof(page));
    if (st)
        return st;
    switch (type) {
    case SNP_PAGE_TYPE_ZERO:
        memset(page, 0, sizeof(page));
        break;
    case SNP_PAGE_TYPE_SECRETS:
        fill_secrets(fw, g, page);
        break;
    case SNP_PAGE_TYPE_CPUID: {
        bool header_bad;
        if (!fw_snp_cpuid_validate(memsys_chip(fw->ms), page, &header_bad, NULL)) {
            /* Corrected values go back to the host, in plaintext. */
            if (!header_bad)
                (void)fw_mem_write(fw, pa, page, sizeof(page));
            return SEV_STATUS_INVALID_PARAM;
        }
        break;
    }
    case SNP_PAGE_TYPE_VMSA: {
        /* Hashed with the Secure TSC fields read as zero. */
        uint8_t tsc[16];
        memcpy(tsc, page + VMSA_TSC_SCALE, 16);
        memset(page + VMSA_TSC_SCALE, 0, 16);
        if (snp_pageinfo_contents(contents, SNP_PAGE_TYPE_VMSA, page))
            return SEV_STATUS_HWERROR_PLATFORM;
        memcpy(page + VMSA_TSC_SCALE, tsc, 16);
        break;
    }
    default:
        break;
    }
    if (type != SNP_PAGE_TYPE_VMSA && snp_pageinfo_contents(contents, (uint8_t)type, page))
        return SEV_STATUS_HWERROR_PLATFORM;
    st = fw_guest_mem_write(fw, g->asid, pa, page, sizeof(page));
    OPENSSL_cleanse(page, sizeof(page));
    if (st)
        return st;
    /* An IMI page also extends the second digest (IMD) a migration
     * agent's ABSORB checks against. */
    if (imi && snp_pageinfo_extend(g->imd, contents, (uint8_t)type, gpa, imi, perms))
        return SEV_STATUS_HWERROR_PLATFORM;
    return snp_pageinfo_extend(g->measurement, contents, (uint8_t)type, gpa, imi, perms)
               ? SEV_STATUS_HWERROR_PLATFORM
               : SEV_STATUS_SUCCESS;
}

FW_HANDLER(snp_launch_update)
{
    const struct snp_fw_launch_update *b = c->buf;
    if ((b->gctx_paddr & LOW_BITS) || (b->page_paddr & LOW_BITS) || (b->flags & ~0x1Fu) ||
        b->rsvd || (b->perms & 0xFF) || b->rsvd1)
        return SEV_STATUS_INVALID_PARAM;
    if (fw->snp.state != SNP_STATE_INIT)
        return SEV_STATUS_INVALID_PLATFORM_STATE;
    struct fw_snp_guest *g;
    uint16_t st = fw_snp_guest_get(fw, b->gctx_paddr, &g);
    if (st)
        return st;
    enum fw_page_state ps;
    struct rmp_entry e;
    st = fw_snp_page_state(fw, b->page_paddr, &ps, &e);
    if (st)
        return st;
    bool big = b->flags & 1, imi = (b->flags >> 4) & 1;
    unsigned type = (b->flags >> 1) & 7;
    if (ps != FW_PS_PRE_GUEST)
        return SEV_STATUS_INVALID_PAGE_STATE;
    if (e.size_2m != big)
        return SEV_STATUS_INVALID_PAGE_SIZE;
    if (big && (fw_strip_cbit(fw, b->page_paddr) & 0x1FFFFF))
        return SEV_STATUS_INVALID_ADDRESS;
    if (big && (type == SNP_PAGE_TYPE_VMSA || type == SNP_PAGE_TYPE_SECRETS ||
                type == SNP_PAGE_TYPE_CPUID))
        return SEV_STATUS_INVALID_PAGE_SIZE;
    if (!snp_page_type_valid((uint8_t)type))
        return SEV_STATUS_INVALID_PARAM;
    if (g->state != SNP_GSTATE_LAUNCH)
        return SEV_STATUS_INVALID_GUEST_STATE;
    if (!g->active)
        return SEV_STATUS_INACTIVE;
    if (e.asid != g->asid)
        return SEV_STATUS_INVALID_PAGE_OWNER;
    if (g->imi_en && !imi)
        return SEV_STATUS_INVALID_PARAM;
    const uint8_t perms[3] = {(uint8_t)(b->perms >> 8), (uint8_t)(b->perms >> 16),
                              (uint8_t)(b->perms >> 24)};
    uint64_t pa = fw_strip_cbit(fw, b->page_paddr) | (b->page_paddr & memsys_cbit_mask(fw->ms));
    unsigned chunks = big ? 512 : 1;
    for (unsigned i = 0; i < chunks; i++) {
        /* A failure part-way keeps the earlier chunks' digest steps, as
         * AMD's firmware does; the RMP entry is only updated at the end. */
        st = update_chunk(fw, g, pa + i * PAGE_4K, e.gpa + i * PAGE_4K, type, imi, perms);
        if (st)
            return st;
    }
    if (type == SNP_PAGE_TYPE_VMSA &&
        memsys_fw_vmsa_seal(fw->port, fw_strip_cbit(fw, b->page_paddr), g->asid))
        return SEV_STATUS_RESOURCE_LIMIT;
    e.perms[1] = perms[0];
    e.perms[2] = perms[1];
    e.perms[3] = perms[2];
    e.vmsa = type == SNP_PAGE_TYPE_VMSA;
    e.validated = true;
    e.immutable = false;
    return fw_snp_rmp_write(fw, b->page_paddr, &e);
}

/* An ID_KEY/AUTHOR_KEY structure as an OpenSSL key (P-384 only). */
static uint16_t id_key(const struct snp_ecdsa_pubkey *k, EVP_PKEY **out)
{
    if (k->curve != 2 || crypto_ecc_from_le(k->qx, k->qy, out))
        return SEV_STATUS_BAD_SIGNATURE;
    return SEV_STATUS_SUCCESS;
}

static uint16_t check_sig(const struct snp_ecdsa_pubkey *key, const struct snp_ecdsa_sig *sig,
                          const void *msg, size_t len)
{
    EVP_PKEY *k = NULL;
    uint16_t st = id_key(key, &k);
    if (!st && crypto_ecdsa_verify(k, CRYPTO_SHA384, msg, len, sig->r, sig->s))
        st = SEV_STATUS_BAD_SIGNATURE;
    EVP_PKEY_free(k);
    return st;
}

FW_HANDLER(snp_launch_finish)
{
    const struct snp_fw_launch_finish *b = c->buf;
    if ((b->gctx_paddr & LOW_BITS) || (b->flags & ~7ull))
        return SEV_STATUS_INVALID_PARAM;
    if (fw->snp.state != SNP_STATE_INIT)
        return SEV_STATUS_INVALID_PLATFORM_STATE;
    struct fw_snp_guest *g;
    uint16_t st = fw_snp_guest_get(fw, b->gctx_paddr, &g);
    if (st)
        return st;
    if (g->state != SNP_GSTATE_LAUNCH || g->imi_en)
        return SEV_STATUS_INVALID_GUEST_STATE;
    if (!g->active)
        return SEV_STATUS_INACTIVE;
    bool id_en = b->flags & 1, auth_en = (b->flags >> 1) & 1;
    if (id_en) {
        struct snp_id_block blk;
        struct snp_id_auth *ap = OPENSSL_malloc(sizeof(*ap));
        if (!ap)
            return SEV_STATUS_HWERROR_PLATFORM;
        st = fw_mem_read(fw, b->id_block_paddr, &blk, sizeof(blk));
        if (!st)
            st = fw_mem_read(fw, b->id_auth_paddr, ap, sizeof(*ap));
        if (!st && memcmp(blk.ld, g->measurement, 48))
            st = SEV_STATUS_BAD_MEASUREMENT;
        if (!st && blk.policy != g->policy)
            st = SEV_STATUS_POLICY_FAILURE;
        if (!st && (ap->id_key_algo != 1 || (auth_en && ap->auth_key_algo != 1)))
            st = SEV_STATUS_INVALID_PARAM;
        if (!st)
            st = check_sig(&ap->id_key, &ap->id_block_sig, &blk, sizeof(blk));
        if (!st) {
            memcpy(g->family_id, blk.family_id, 16);
            memcpy(g->image_id, blk.image_id, 16);
            g->guest_svn = blk.guest_svn;
            if (crypto_hash(CRYPTO_SHA384, &ap->id_key, sizeof(ap->id_key), g->id_key_digest))
                st = SEV_STATUS_HWERROR_PLATFORM;
        }
        if (!st && auth_en) {
            st = check_sig(&ap->author_key, &ap->id_key_sig, &ap->id_key, sizeof(ap->id_key));
            if (!st && crypto_hash(CRYPTO_SHA384, &ap->author_key, sizeof(ap->author_key),
                                   g->author_key_digest))
                st = SEV_STATUS_HWERROR_PLATFORM;
        }
        OPENSSL_free(ap);
        if (st)
            return st;
    }
    memcpy(g->host_data, b->host_data, 32);
    g->id_block_en = id_en;
    g->author_key_en = auth_en;
    g->vcek_dis = (b->flags >> 2) & 1;
    g->state = SNP_GSTATE_RUNNING;
    return SEV_STATUS_SUCCESS;
}
