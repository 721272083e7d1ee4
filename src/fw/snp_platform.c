/* SPDX-License-Identifier: MIT */
/*
 * SNP platform commands: SNP_INIT(_EX), SNP_SHUTDOWN(_EX),
 * SNP_PLATFORM_STATUS, SNP_CONFIG, SNP_COMMIT, SNP_DF_FLUSH, and the RMP
 * page-state helpers every SNP command shares. Check order and statuses
 * follow AMD's Genoa firmware (docs/research/snp-fw-behaviour.md 5, 6).
 * SNP commands never write their command buffer back.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/snp_vcek.h"
#include "fw/handlers.h"
#include "swsev/abi/snp_cmd.h"

#define PAGE_4K 0x1000ull

uint16_t fw_snp_page_state(struct sev_fw *fw, uint64_t spa, enum fw_page_state *ps,
                           struct rmp_entry *e)
{
    memset(e, 0, sizeof(*e));
    uint64_t base, end;
    memsys_rmp_range(fw->ms, &base, &end);
    spa = fw_strip_cbit(fw, spa) & ~(PAGE_4K - 1);
    if (end && spa >= base && spa <= end)
        return SEV_STATUS_INVALID_PARAM; /* the RMP's own pages */
    if (memsys_fw_rmp_read(fw->port, spa, e) != SWSEV_OK) {
        *ps = FW_PS_DEFAULT;
        return SEV_STATUS_SUCCESS;
    }
    bool a = e->assigned, v = e->validated, i = e->immutable;
    uint32_t asid = e->asid;
    if (!a && !v && !asid)
        *ps = i ? FW_PS_HV_FIXED : FW_PS_HYPERVISOR;
    else if (a && !v && !asid && i && e->gpa == 0)
        *ps = e->vmsa ? FW_PS_CONTEXT : FW_PS_FIRMWARE;
    /* The firmware tags its Metadata pages with 1 in RMP.GPA bits 50:48. */
    else if (a && !v && !asid && i && (e->gpa >> 48) == 1 && (e->gpa & ((1ull << 48) - 1)))
        *ps = FW_PS_METADATA;
    else if (a && !v && !asid && !i && !e->lock)
        *ps = FW_PS_RECLAIM;
    else if (a && asid && i)
        *ps = v ? FW_PS_PRE_SWAP : FW_PS_PRE_GUEST;
    else if (a && asid && !i)
        *ps = v ? FW_PS_GUEST_VALID : FW_PS_GUEST_INVALID;
    else
        *ps = FW_PS_INVALID;
    return SEV_STATUS_SUCCESS;
}

uint16_t fw_snp_rmp_write(struct sev_fw *fw, uint64_t spa, struct rmp_entry *e)
{
    e->lock = e->immutable; /* AMD's firmware keeps LOCK equal to IMMUTABLE */
    return memsys_fw_rmp_write(fw->port, fw_strip_cbit(fw, spa), e) ? SEV_STATUS_INVALID_ADDRESS
                                                                    : SEV_STATUS_SUCCESS;
}

uint64_t fw_snp_reported_tcb(const struct sev_fw *fw)
{
    return fw->snp.config_tcb ? fw->snp.config_tcb : fw->snp.committed_tcb;
}

uint16_t fw_snp_derive_vcek(struct sev_fw *fw)
{
    EVP_PKEY *k = NULL;
    swsev_rc rc = snp_vcek_hash(fw->chip_secret, fw_snp_reported_tcb(fw),
                                (enum snp_product)fw->params.snp_product, fw->snp.vcek_hash);
    if (!rc)
        rc = snp_vcek_key(fw->snp.vcek_hash, &k);
    if (rc)
        return SEV_STATUS_HWERROR_PLATFORM;
    EVP_PKEY_free(fw->snp.vcek);
    fw->snp.vcek = k;
    return SEV_STATUS_SUCCESS;
}

/* Mark the RMP's own pages as firmware pages: the hypervisor can no longer
 * write the table once SNP is initialised. */
static uint16_t protect_rmp(struct sev_fw *fw)
{
    uint64_t base, end;
    memsys_rmp_range(fw->ms, &base, &end);
    struct rmp_entry e;
    memset(&e, 0, sizeof(e));
    e.assigned = e.immutable = true;
    for (uint64_t pa = base; pa < end; pa += PAGE_4K) {
        uint16_t st = fw_snp_rmp_write(fw, pa, &e);
        if (st)
            return SEV_STATUS_RMP_INITIALIZATION_FAILED;
    }
    return SEV_STATUS_SUCCESS;
}

static uint16_t snp_init_common(struct sev_fw *fw, bool init_rmp)
{
    if (fw->snp.state != SNP_STATE_UNINIT || fw->state != SEV_STATE_UNINIT)
        return SEV_STATUS_INVALID_PLATFORM_STATE;
    if (!fw->params.snp_product || !(memsys_chip(fw->ms)->features & CPUID_SEV_SNP))
        return SEV_STATUS_UNSUPPORTED;
    if (!init_rmp && !fw->snp.rmp_initialized)
        return SEV_STATUS_RMP_INIT_REQUIRED;
    /* SYSCFG.SNPEn and RMP_BASE/RMP_END set consistently by the host. */
    if (!memsys_snp_enabled(fw->ms))
        return SEV_STATUS_INVALID_CONFIG;
    if (init_rmp) {
        uint16_t st = protect_rmp(fw);
        if (st)
            return st;
        fw->snp.rmp_initialized = true;
    }
    uint16_t st = fw_snp_derive_vcek(fw);
    if (st)
        return st;
    /* Every ASID starts dirty: whatever ran before SNP_INIT must be flushed. */
    for (uint32_t i = 1; i <= fw->nr_asids; i++)
        if (!fw->asids[i].handle)
            fw->asids[i].dirty = true;
    for (unsigned c = 0; c < fw->nr_cores; c++)
        fw->wbinvd_at_deactivate[c] = memsys_fw_wbinvd_count(fw->port, c);
    fw->snp.guest_count = 0;
    fw->snp.state = SNP_STATE_INIT;
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(snp_init)
{
    (void)c;
    return snp_init_common(fw, true);
}

FW_HANDLER(snp_init_ex)
{
    const struct snp_fw_init_ex *b = c->buf;
    static const uint8_t zero[46];
    if ((b->flags & ~3u) || b->rsvd || b->max_snp_asid || memcmp(b->rsvd1, zero, sizeof(zero)))
        return SEV_STATUS_INVALID_PARAM;
    bool init_rmp = b->flags & 1, list = b->flags & 2;
    if (fw->snp.state != SNP_STATE_UNINIT || fw->state != SEV_STATE_UNINIT)
        return SEV_STATUS_INVALID_PLATFORM_STATE;
    if (list && !init_rmp)
        return SEV_STATUS_INVALID_PARAM;
    if (list) {
        /* The reserved-range list is read to mark HV-Fixed ranges; it must
         * at least be readable and well formed. */
        uint32_t n;
        if (fw_mem_read(fw, b->list_paddr, &n, sizeof(n)) || n > (PAGE_4K - 8) / 16)
            return SEV_STATUS_INVALID_ADDRESS;
    }
    return snp_init_common(fw, init_rmp);
}

static uint16_t snp_shutdown_common(struct sev_fw *fw, bool iommu)
{
    if (fw->state != SEV_STATE_UNINIT)
        return SEV_STATUS_INVALID_PLATFORM_STATE;
    if (fw->snp.state == SNP_STATE_UNINIT)
        return SEV_STATUS_SUCCESS;
    for (uint32_t i = 1; i <= fw->nr_asids; i++)
        if (fw->asids[i].dirty)
            return SEV_STATUS_DFFLUSH_REQUIRED;
    /* Live SNP guests are not checked by the firmware; their contexts go. */
    for (unsigned i = 0; i < FW_SNP_MAX_GUESTS; i++) {
        struct fw_snp_guest *g = &fw->snp.guests[i];
        if (g->gctx_pa && g->active) {
            fw->asids[g->asid].handle = 0;
            fw->asids[g->asid].dirty = true;
        }
        OPENSSL_cleanse(g, sizeof(*g));
    }
    if (iommu)
        fw->snp.rmp_initialized = false;
    fw->snp.vlek_loaded = false;
    OPENSSL_cleanse(fw->snp.vlek_seed, sizeof(fw->snp.vlek_seed));
    EVP_PKEY_free(fw->snp.vlek);
    fw->snp.vlek = NULL;
    fw->snp.guest_count = 0;
    fw->snp.state = SNP_STATE_UNINIT;
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(snp_shutdown)
{
    (void)c;
    return snp_shutdown_common(fw, false);
}

FW_HANDLER(snp_shutdown_ex)
{
    const struct snp_fw_shutdown_ex *b = c->buf;
    if (fw->state != SEV_STATE_UNINIT)
        return SEV_STATUS_INVALID_PLATFORM_STATE;
    if (fw->snp.state == SNP_STATE_UNINIT)
        return SEV_STATUS_SUCCESS;
    if (b->len != sizeof(*b) || (b->flags & ~3u) || ((b->flags & 2) && !(b->flags & 1)))
        return SEV_STATUS_INVALID_PARAM;
    return snp_shutdown_common(fw, b->flags & 1);
}

/* An output page of a platform command: in INIT it must be a firmware
 * page (or beyond the RMP), so the hypervisor cannot race the write. */
uint16_t fw_snp_check_out_page(struct sev_fw *fw, uint64_t pa, size_t len)
{
    if ((pa & (PAGE_4K - 1)) + len > PAGE_4K)
        return SEV_STATUS_INVALID_PARAM;
    if (fw->snp.state != SNP_STATE_INIT)
        return SEV_STATUS_SUCCESS;
    enum fw_page_state ps;
    struct rmp_entry e;
    uint16_t st = fw_snp_page_state(fw, pa, &ps, &e);
    if (st)
        return st;
    return ps == FW_PS_FIRMWARE || ps == FW_PS_DEFAULT ? SEV_STATUS_SUCCESS
                                                       : SEV_STATUS_INVALID_PAGE_STATE;
}

FW_HANDLER(snp_platform_status)
{
    const struct snp_fw_addr *b = c->buf;
    uint16_t st = fw_snp_check_out_page(fw, b->paddr, sizeof(struct snp_platform_status));
    if (st)
        return st;
    struct snp_platform_status s;
    memset(&s, 0, sizeof(s));
    s.api_major = fw->params.api_major;
    s.api_minor = fw->params.api_minor;
    s.state = fw->snp.state;
    s.is_rmp_initialized = fw->snp.rmp_initialized;
    s.build_id = fw->params.build;
    s.flags = (uint32_t)fw->snp.mask_chip_id | (uint32_t)fw->snp.mask_chip_key << 1 |
              (uint32_t)fw->snp.vlek_loaded << 2 | 1u << 3;
    s.guest_count = fw->snp.guest_count;
    s.current_tcb_version = fw->snp.committed_tcb;
    s.reported_tcb_version = fw_snp_reported_tcb(fw);
    return fw_mem_write(fw, b->paddr, &s, sizeof(s));
}

/* The TCB as AMD's firmware compares it: BL, TEE, SNP, microcode as one
 * number, most significant first (so not component by component). */
static uint32_t tcb_rank(uint64_t tcb)
{
    return (uint32_t)((tcb >> 56) & 0xff) | (uint32_t)((tcb >> 48) & 0xff) << 8 |
           (uint32_t)((tcb >> 8) & 0xff) << 16 | (uint32_t)(tcb & 0xff) << 24;
}

FW_HANDLER(snp_config)
{
    const struct snp_fw_config *b = c->buf;
    static const uint8_t zero[52];
    if ((b->flags & ~3u) || memcmp(b->rsvd, zero, sizeof(zero)))
        return SEV_STATUS_INVALID_PARAM;
    if (b->reported_tcb && b->reported_tcb != fw->snp.committed_tcb &&
        (tcb_rank(b->reported_tcb) >= tcb_rank(fw->snp.committed_tcb) ||
         (b->reported_tcb & 0x0000ffffffff0000ull)))
        return SEV_STATUS_INVALID_PARAM;
    uint64_t old_tcb = fw->snp.config_tcb;
    fw->snp.config_tcb = b->reported_tcb;
    uint16_t st = fw_snp_derive_vcek(fw);
    if (st) {
        fw->snp.config_tcb = old_tcb;
        return st;
    }
    fw->snp.mask_chip_id = b->flags & 1;
    fw->snp.mask_chip_key = (b->flags >> 1) & 1;
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(snp_commit)
{
    const struct snp_fw_len *b = c->buf;
    if (b->len != sizeof(*b))
        return SEV_STATUS_INVALID_PARAM;
    /* The running image becomes the committed one; the model runs the
     * preset's TCB, so only the SNP_CONFIG override is dropped. */
    fw->snp.committed_tcb = fw->params.snp_tcb;
    fw->snp.config_tcb = 0;
    return fw_snp_derive_vcek(fw);
}

FW_HANDLER(snp_df_flush)
{
    (void)c;
    return fw_df_flush(fw);
}

struct snp_fw_vlek_load {
    uint32_t len;
    uint8_t version;
    uint8_t rsvd[3];
    uint64_t wrapped_paddr;
} __attribute__((packed));
_Static_assert(sizeof(struct snp_fw_vlek_load) == 0x10, "SNP_VLEK_LOAD buffer");

FW_HANDLER(snp_vlek_load)
{
    const struct snp_fw_vlek_load *b = c->buf;
    if (b->len != sizeof(*b) || b->version || b->rsvd[0] || b->rsvd[1] || b->rsvd[2])
        return SEV_STATUS_INVALID_PARAM;
    uint8_t w[SNP_VLEK_WRAPPED_LEN], sticks[SNP_VLEK_STICKS_LEN];
    uint16_t st = fw_mem_read(fw, b->wrapped_paddr, w, sizeof(w));
    if (st)
        return st;
    uint64_t tcb = 0;
    for (int i = 7; i >= 0; i--)
        tcb = tcb << 8 | w[0x190 + i];
    if (tcb != fw_snp_reported_tcb(fw))
        return SEV_STATUS_BAD_SVN;
    if (snp_vlek_unwrap(fw->snp.vcek_hash, w, sticks))
        return SEV_STATUS_BAD_MEASUREMENT;
    EVP_PKEY *k = NULL;
    /* The VLEK seed is the last (microcode) stick. */
    if (snp_vlek_key(sticks + 7 * 48, &k)) {
        OPENSSL_cleanse(sticks, sizeof(sticks));
        return SEV_STATUS_HWERROR_PLATFORM;
    }
    memcpy(fw->snp.vlek_seed, sticks + 7 * 48, 48);
    OPENSSL_cleanse(sticks, sizeof(sticks));
    EVP_PKEY_free(fw->snp.vlek);
    fw->snp.vlek = k;
    fw->snp.vlek_loaded = true;
    return SEV_STATUS_SUCCESS;
}
