/* SPDX-License-Identifier: MIT */
/*
 * SNP_GUEST_REQUEST: the guest's messages, AES-256-GCM under the VMPCK the
 * header names, with the per-VMPCK sequence numbers, in the check order of
 * AMD's firmware (docs/research/snp-fw-behaviour.md 1):
 *   header -> VMPCK -> decrypt (bad tag: BAD_MEASUREMENT) -> sequence
 *   number (AEAD_OFLOW) -> message version and type (INVALID_PARAM)
 * and only then the message itself, whose own errors go in the encrypted
 * response's STATUS. A refused message changes nothing: a replayed request
 * never yields a report.
 *
 * Every message type of the ABI is served: CPUID, KEY, REPORT here or in
 * snp_msg_ma.c (CPUID, TSC_INFO and the migration agent's EXPORT, IMPORT,
 * ABSORB, ABSORB_NOMA, VMRK).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/aead.h"
#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "crypto/sev_launch.h"
#include "crypto/snp_report.h"
#include "crypto/snp_vcek.h"
#include "fw/handlers.h"
#include "fw/snp_msg.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/abi/snp_report.h"

#define PAGE_4K  0x1000ull
#define LOW_BITS (PAGE_4K - 1)
#define HDR      sizeof(struct snp_msg_hdr)

static bool vlek_or_vcek_ok(const struct sev_fw *fw, const struct fw_snp_guest *g, unsigned sel)
{
    switch (sel) {
    case 0:
        return !g->vcek_dis || fw->snp.vlek_loaded;
    case 1:
        return !g->vcek_dis;
    case 2:
        return fw->snp.vlek_loaded;
    default:
        return false;
    }
}

/* Each request type, its response type's payload size (0: the request's
 * own size) and its handler. */
static uint32_t report(struct fw_snp_msg *m);
static uint32_t derive_key(struct fw_snp_msg *m);
static const struct {
    uint8_t type;
    uint16_t rsp_size;
    uint32_t (*fn)(struct fw_snp_msg *m);
} msg_types[] = {
    {SNP_MSG_CPUID_REQ, 0, fw_snp_msg_cpuid},
    {SNP_MSG_KEY_REQ, sizeof(struct snp_msg_key_rsp), derive_key},
    {SNP_MSG_REPORT_REQ, SNP_REPORT_RSP_SIZE, report},
    {SNP_MSG_EXPORT_REQ, 0x1000 - sizeof(struct snp_msg_hdr), fw_snp_msg_export},
    {SNP_MSG_IMPORT_REQ, 0x10, fw_snp_msg_import},
    {SNP_MSG_ABSORB_REQ, 0x10, fw_snp_msg_absorb},
    {SNP_MSG_VMRK_REQ, 0x10, fw_snp_msg_vmrk},
    {SNP_MSG_ABSORB_NOMA_REQ, 0x10, fw_snp_msg_absorb_noma},
    {SNP_MSG_TSC_INFO_REQ, 0x80, fw_snp_msg_tsc_info},
};

static uint32_t report(struct fw_snp_msg *m)
{
    struct snp_msg_report_req q;
    memcpy(&q, m->req, sizeof(q));
    struct snp_msg_report_rsp_hdr *h = (struct snp_msg_report_rsp_hdr *)m->rsp;
    struct snp_report *r = (struct snp_report *)(m->rsp + sizeof(*h));
    static const uint8_t zero[24];
    h->report_size = sizeof(*r);
    struct sev_fw *fw = m->fw;
    struct fw_snp_guest *g = m->g;
    unsigned sel = q.key_sel & 3;
    if (memcmp(q.rsvd, zero, sizeof(q.rsvd)) || (q.key_sel & ~3u))
        return SEV_STATUS_INVALID_PARAM;
    if (!vlek_or_vcek_ok(fw, g, sel))
        return SEV_STATUS_INVALID_KEY;
    if (q.vmpl < m->hdr->msg_vmpck)
        return SEV_STATUS_INVALID_PARAM;

    const struct chip_config *cfg = memsys_chip(fw->ms);
    uint32_t sig = chip_signature(cfg);
    r->version = 3;
    r->guest_svn = g->guest_svn;
    r->policy = g->policy;
    memcpy(r->family_id, g->family_id, 16);
    memcpy(r->image_id, g->image_id, 16);
    r->vmpl = q.vmpl;
    r->signature_algo = 1;
    r->current_tcb = fw->snp.committed_tcb;
    r->platform_info = 1; /* SMT enabled on the model's host; TSME off */
    memcpy(r->report_data, q.report_data, 64);
    memcpy(r->measurement, g->measurement, 48);
    memcpy(r->host_data, g->host_data, 32);
    memcpy(r->id_key_digest, g->id_key_digest, 48);
    memcpy(r->author_key_digest, g->author_key_digest, 48);
    memcpy(r->report_id, g->report_id, 32);
    memcpy(r->report_id_ma, g->report_id_ma, 32);
    r->reported_tcb = fw_snp_reported_tcb(fw);
    r->cpuid_fam_id = (uint8_t)(((sig >> 8) & 0xf) + ((sig >> 20) & 0xff));
    r->cpuid_mod_id = (uint8_t)(((sig >> 4) & 0xf) | ((sig >> 12) & 0xf0));
    r->cpuid_step = (uint8_t)(sig & 0xf);
    if (!fw->snp.mask_chip_id)
        memcpy(r->chip_id, fw->chip_id, 64);
    r->committed_tcb = fw->snp.committed_tcb;
    r->current_major = r->committed_major = fw->params.api_major;
    r->current_minor = r->committed_minor = fw->params.api_minor;
    r->current_build = r->committed_build = fw->params.build;
    r->launch_tcb = g->launch_tcb;

    /* Who signs (AMD's table): a loaded VLEK whenever selected, even with
     * MASK_CHIP_KEY; the VCEK unless masked; else nobody (SIGNING_KEY 7). */
    EVP_PKEY *key = NULL;
    unsigned signer = 7;
    if ((sel == 0 || sel == 2) && fw->snp.vlek_loaded) {
        key = fw->snp.vlek;
        signer = 1;
    } else if (!fw->snp.mask_chip_key) {
        key = fw->snp.vcek;
        signer = 0;
    }
    r->key_info = (uint32_t)g->author_key_en | (uint32_t)fw->snp.mask_chip_key << 1 | signer << 2;
    if (key && snp_report_sign(r, key))
        return SEV_STATUS_HWERROR_PLATFORM;
    return SEV_STATUS_SUCCESS;
}

static uint32_t derive_key(struct fw_snp_msg *m)
{
    struct snp_msg_key_req q;
    memcpy(&q, m->req, sizeof(q));
    struct snp_msg_key_rsp *out = (struct snp_msg_key_rsp *)m->rsp;
    struct sev_fw *fw = m->fw;
    struct fw_snp_guest *g = m->g;
    bool vmrk = q.flags & 1;
    unsigned sel = (q.flags >> 1) & 3;
    if ((q.flags & ~7u) || q.rsvd)
        return SEV_STATUS_INVALID_PARAM;
    if (!vmrk && fw->snp.mask_chip_key)
        return SEV_STATUS_INVALID_KEY;
    if (!vmrk && !vlek_or_vcek_ok(fw, g, sel))
        return SEV_STATUS_INVALID_KEY;
    if (q.vmpl < m->hdr->msg_vmpck)
        return SEV_STATUS_INVALID_PARAM;
    if (q.guest_field_select & ~0x3Full)
        return SEV_STATUS_INVALID_PARAM;

    uint8_t root[48];
    size_t root_len = 48;
    if (vmrk) {
        memcpy(root, g->vmrk, 32);
        root_len = 32;
    } else if ((sel == 0 && fw->snp.vlek_loaded) || sel == 2) {
        memcpy(root, fw->snp.vlek_seed, 48);
    } else {
        memcpy(root, fw->snp.vcek_hash, 48);
    }
    if (q.guest_field_select & SNP_GFS_TCB_VERSION) {
        enum snp_product p = (enum snp_product)fw->params.snp_product;
        struct snp_tcb want = snp_tcb_decode(q.tcb_version, p),
                       have = snp_tcb_decode(fw->snp.committed_tcb, p);
        if (want.bootloader > have.bootloader || want.tee > have.tee || want.snp > have.snp ||
            want.microcode > have.microcode || (q.tcb_version & 0x0000ffffffff0000ull))
            return SEV_STATUS_INVALID_PARAM;
        /* Only the VCEK seed is re-derived for an older TCB. */
        if (!vmrk && !((sel == 0 && fw->snp.vlek_loaded) || sel == 2) &&
            snp_vcek_hash(fw->chip_secret, q.tcb_version, p, root))
            return SEV_STATUS_HWERROR_PLATFORM;
    }
    if ((q.guest_field_select & SNP_GFS_GUEST_SVN) && q.guest_svn > g->guest_svn)
        return SEV_STATUS_INVALID_PARAM;

    struct snp_key_mix mix;
    memset(&mix, 0, sizeof(mix));
    unsigned idsel = g->author_key_en ? 2 : g->id_block_en ? 1 : 0;
    mix.sel = (uint32_t)vmrk | idsel << 1;
    mix.gfs = q.guest_field_select;
    mix.vmpl = q.vmpl;
    if (q.guest_field_select & SNP_GFS_GUEST_SVN)
        mix.guest_svn = q.guest_svn;
    if (q.guest_field_select & SNP_GFS_TCB_VERSION)
        mix.tcb_version = q.tcb_version;
    if (q.guest_field_select & SNP_GFS_POLICY)
        mix.policy = g->policy;
    if (q.guest_field_select & SNP_GFS_IMAGE_ID)
        memcpy(mix.image_id, g->image_id, 16);
    if (q.guest_field_select & SNP_GFS_FAMILY_ID)
        memcpy(mix.family_id, g->family_id, 16);
    if (q.guest_field_select & SNP_GFS_MEASUREMENT)
        memcpy(mix.measurement, g->measurement, 32);
    memcpy(mix.host_data, g->host_data, 32);
    if (idsel == 2)
        memcpy(mix.key_digest, g->author_key_digest, 32);
    else if (idsel == 1)
        memcpy(mix.key_digest, g->id_key_digest, 32);
    swsev_rc rc = sev_kdf(root, root_len, "gmsg-keyreq", (const uint8_t *)&mix, sizeof(mix),
                          out->key, sizeof(out->key));
    OPENSSL_cleanse(root, sizeof(root));
    return rc ? SEV_STATUS_HWERROR_PLATFORM : SEV_STATUS_SUCCESS;
}

static void iv_of(uint64_t seqno, uint8_t iv[12])
{
    memset(iv, 0, 12);
    for (int i = 0; i < 8; i++)
        iv[i] = (uint8_t)(seqno >> (8 * i));
}

FW_HANDLER(snp_guest_request)
{
    const struct snp_fw_guest_request *b = c->buf;
    if (b->gctx_paddr & LOW_BITS)
        return SEV_STATUS_INVALID_PARAM;
    if (fw->snp.state != SNP_STATE_INIT)
        return SEV_STATUS_INVALID_PLATFORM_STATE;
    struct fw_snp_guest *g;
    enum fw_page_state qs, ps;
    struct rmp_entry qe, pe;
    uint16_t st = fw_snp_guest_get(fw, b->gctx_paddr, &g);
    if (!st)
        st = fw_snp_page_state(fw, b->req_paddr, &qs, &qe);
    if (!st)
        st = fw_snp_page_state(fw, b->resp_paddr, &ps, &pe);
    if (st)
        return st;
    if (ps != FW_PS_FIRMWARE)
        return SEV_STATUS_INVALID_PAGE_STATE;
    if (qe.size_2m || pe.size_2m)
        return SEV_STATUS_INVALID_PAGE_SIZE;
    if (g->state != SNP_GSTATE_RUNNING)
        return SEV_STATUS_INVALID_GUEST_STATE;
    uint64_t qoff = b->req_paddr & LOW_BITS, poff = b->resp_paddr & LOW_BITS;
    if (qoff > PAGE_4K - HDR)
        return SEV_STATUS_INVALID_PARAM;

    struct snp_msg_hdr h;
    st = fw_mem_read(fw, b->req_paddr, &h, sizeof(h));
    if (st)
        return st;
    if (h.hdr_version != 1 || h.hdr_size != HDR || h.algo != 1 || h.msg_size == 0 ||
        (h.msg_size % 16) || qoff + HDR + h.msg_size > PAGE_4K || h.msg_vmpck > 3)
        return SEV_STATUS_INVALID_PARAM;

    uint8_t ct[PAGE_4K], req[PAGE_4K], rsp[PAGE_4K];
    memset(req, 0, sizeof(req));
    memset(rsp, 0, sizeof(rsp));
    st = fw_mem_read(fw, b->req_paddr + HDR, ct, h.msg_size);
    if (st)
        return st;
    uint8_t key[32], iv[12];
    memcpy(key, g->vmpck[h.msg_vmpck], 32);
    iv_of(h.msg_seqno, iv);
    if (crypto_gcm_decrypt(key, 32, iv, (const uint8_t *)&h + SNP_MSG_AAD_OFFSET, SNP_MSG_AAD_LEN,
                           ct, h.msg_size, req, h.authtag)) {
        st = SEV_STATUS_BAD_MEASUREMENT;
        goto out;
    }
    uint64_t *count = &g->msg_count[h.msg_vmpck];
    if (*count == UINT64_MAX - 1 || h.msg_seqno != *count + 1) {
        st = SEV_STATUS_AEAD_OFLOW;
        goto out;
    }
    size_t t = 0;
    while (t < sizeof(msg_types) / sizeof(msg_types[0]) && msg_types[t].type != h.msg_type)
        t++;
    if (h.msg_version == 0 || t == sizeof(msg_types) / sizeof(msg_types[0]) || h.msg_version > 1) {
        st = SEV_STATUS_INVALID_PARAM;
        goto out;
    }
    struct fw_snp_msg m = {fw, g, &h, req, rsp, msg_types[t].rsp_size};
    if (!m.rsp_size)
        m.rsp_size = h.msg_size;
    uint32_t status = msg_types[t].fn(&m);
    if (status && h.msg_type == SNP_MSG_REPORT_REQ) /* a refused report stays all zero */
        memset(rsp + sizeof(struct snp_msg_report_rsp_hdr), 0, sizeof(struct snp_report));
    if (status && h.msg_type == SNP_MSG_KEY_REQ)
        memset(rsp + 0x20, 0, 32);
    memcpy(rsp, &status, 4);

    struct snp_msg_hdr rh;
    memset(&rh, 0, sizeof(rh));
    rh.msg_seqno = h.msg_seqno + 1;
    rh.algo = 1;
    rh.hdr_version = 1;
    rh.hdr_size = HDR;
    rh.msg_type = (uint8_t)(h.msg_type + 1);
    rh.msg_version = 1;
    rh.msg_size = m.rsp_size;
    rh.msg_vmpck = h.msg_vmpck;
    if (poff + HDR + m.rsp_size > PAGE_4K) {
        st = SEV_STATUS_INVALID_PARAM;
        goto out;
    }
    iv_of(rh.msg_seqno, iv);
    if (crypto_gcm_encrypt(key, 32, iv, (const uint8_t *)&rh + SNP_MSG_AAD_OFFSET, SNP_MSG_AAD_LEN,
                           rsp, m.rsp_size, ct, rh.authtag)) {
        st = SEV_STATUS_HWERROR_PLATFORM;
        goto out;
    }
    *count += 2;
    st = fw_mem_write(fw, b->resp_paddr, &rh, sizeof(rh));
    if (!st)
        st = fw_mem_write(fw, b->resp_paddr + HDR, ct, m.rsp_size);
out:
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(req, sizeof(req));
    OPENSSL_cleanse(rsp, sizeof(rsp));
    return st;
}
