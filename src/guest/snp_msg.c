/* SPDX-License-Identifier: MIT */
/* The SNP guest-request client (see snp_msg.h). */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/aead.h"
#include "guest/snp_msg.h"
#include "swsev/abi/snp_cmd.h"

#define PAGE_4K 0x1000u

static void iv_of(uint64_t seqno, uint8_t iv[12])
{
    memset(iv, 0, 12);
    for (int i = 0; i < 8; i++)
        iv[i] = (uint8_t)(seqno >> (8 * i));
}

swsev_rc guest_snp_init(struct guest_snp *g, struct memsys *ms, const struct hw_guest_ctx *cpu,
                        uint64_t secrets_gpa, uint8_t vmpck_id, uint64_t req_gpa, uint64_t resp_gpa,
                        guest_snp_transport t, void *tctx)
{
    memset(g, 0, sizeof(*g));
    if (vmpck_id > 3 || !t)
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    struct hw_fault f;
    uint64_t c = memsys_cbit_mask(ms);
    swsev_rc rc = memsys_guest_phys_read(ms, cpu, (secrets_gpa + 0x20 + 32u * vmpck_id) | c,
                                         g->vmpck, 32, &f);
    if (rc)
        return rc;
    g->ms = ms;
    g->cpu = cpu;
    g->vmpck_id = vmpck_id;
    g->req_gpa = req_gpa;
    g->resp_gpa = resp_gpa;
    g->transport = t;
    g->transport_ctx = tctx;
    return SWSEV_OK;
}

void guest_snp_fini(struct guest_snp *g)
{
    OPENSSL_cleanse(g, sizeof(*g));
}

swsev_rc snp_msg_seal(const uint8_t key[32], uint8_t vmpck_id, uint64_t seqno, uint8_t type,
                      const void *payload, uint16_t len, struct snp_msg_hdr *h, uint8_t *ct)
{
    memset(h, 0, sizeof(*h));
    h->msg_seqno = seqno;
    h->algo = 1; /* AES-256-GCM */
    h->hdr_version = 1;
    h->hdr_size = sizeof(*h);
    h->msg_type = type;
    h->msg_version = 1;
    h->msg_size = len;
    h->msg_vmpck = vmpck_id;
    uint8_t iv[12];
    iv_of(seqno, iv);
    return crypto_gcm_encrypt(key, 32, iv, (const uint8_t *)h + SNP_MSG_AAD_OFFSET, SNP_MSG_AAD_LEN,
                              payload, len, ct, h->authtag);
}

swsev_rc guest_snp_request(struct guest_snp *g, uint8_t type, const void *req, uint16_t req_len,
                           void *resp, uint16_t resp_len, uint32_t *fw_error)
{
    *fw_error = 0;
    if (req_len == 0 || req_len % 16 || req_len > PAGE_4K - sizeof(struct snp_msg_hdr) ||
        resp_len > PAGE_4K - sizeof(struct snp_msg_hdr))
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    struct snp_msg_hdr h;
    uint8_t iv[12], page[PAGE_4K];
    memset(page, 0, sizeof(page));
    swsev_rc rc =
        snp_msg_seal(g->vmpck, g->vmpck_id, g->seqno + 1, type, req, req_len, &h, page + sizeof(h));
    memcpy(page, &h, sizeof(h));
    /* The message goes through a shared (C=0) page. */
    struct hw_fault f;
    if (!rc)
        rc = memsys_guest_phys_write(g->ms, g->cpu, g->req_gpa, page, sizeof(page), &f);
    if (rc)
        return rc;
    int r = g->transport(g->transport_ctx, g->req_gpa, g->resp_gpa, fw_error);
    if (r)
        return *fw_error ? SWSEV_FW_ERR(*fw_error) : SWSEV_SYS_ERR(-r);
    rc = memsys_guest_phys_read(g->ms, g->cpu, g->resp_gpa, page, sizeof(page), &f);
    if (rc)
        return rc;
    struct snp_msg_hdr rh;
    memcpy(&rh, page, sizeof(rh));
    if (rh.msg_seqno != h.msg_seqno + 1 || rh.msg_type != type + 1 || rh.msg_size < resp_len ||
        rh.msg_size > PAGE_4K - sizeof(rh) || rh.msg_vmpck != g->vmpck_id)
        return SWSEV_TOOL_ERR(SWSEV_E_VERIFY);
    uint8_t plain[PAGE_4K];
    iv_of(rh.msg_seqno, iv);
    rc = crypto_gcm_decrypt(g->vmpck, 32, iv, (uint8_t *)&rh + SNP_MSG_AAD_OFFSET, SNP_MSG_AAD_LEN,
                            page + sizeof(rh), rh.msg_size, plain, rh.authtag);
    if (!rc) {
        memcpy(resp, plain, resp_len);
        g->seqno += 2;
    }
    OPENSSL_cleanse(plain, sizeof(plain));
    return rc ? SWSEV_TOOL_ERR(SWSEV_E_VERIFY) : SWSEV_OK;
}

swsev_rc guest_snp_report(struct guest_snp *g, const uint8_t report_data[64], uint32_t vmpl,
                          uint8_t report[0x4A0], uint32_t *status, uint32_t *fw_error)
{
    struct snp_msg_report_req q;
    memset(&q, 0, sizeof(q));
    memcpy(q.report_data, report_data, 64);
    q.vmpl = vmpl;
    uint8_t rsp[SNP_REPORT_RSP_SIZE];
    swsev_rc rc =
        guest_snp_request(g, SNP_MSG_REPORT_REQ, &q, sizeof(q), rsp, sizeof(rsp), fw_error);
    if (rc)
        return rc;
    memcpy(status, rsp, 4);
    memcpy(report, rsp + sizeof(struct snp_msg_report_rsp_hdr), 0x4A0);
    return SWSEV_OK;
}

void guest_snp_set_certs(struct guest_snp *g, guest_snp_certs certs)
{
    g->certs = certs;
}

swsev_rc guest_snp_ext_report(struct guest_snp *g, const void *req, uint16_t req_len, void *resp,
                              uint16_t resp_len, uint8_t *certs, size_t *certs_len,
                              uint32_t *fw_error, uint32_t *vmm_error)
{
    *vmm_error = 0;
    size_t need = g->certs ? g->certs(g->transport_ctx, NULL, 0) : 0;
    size_t cap = certs ? *certs_len : 0;
    if (need > cap) {
        *vmm_error = 1; /* SNP_GUEST_VMM_ERR_INVALID_LEN */
        *certs_len = need;
        /* The message still goes out, so the sequence number advances. */
        (void)guest_snp_request(g, SNP_MSG_REPORT_REQ, req, req_len, resp, resp_len, fw_error);
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    }
    if (need)
        g->certs(g->transport_ctx, certs, cap);
    if (certs && cap > need)
        memset(certs + need, 0, cap - need);
    *certs_len = need;
    return guest_snp_request(g, SNP_MSG_REPORT_REQ, req, req_len, resp, resp_len, fw_error);
}
