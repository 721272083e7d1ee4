/* SPDX-License-Identifier: MIT */
/*
 * Outgoing migration: SEND_START, SEND_UPDATE_DATA, SEND_UPDATE_VMSA,
 * SEND_FINISH, SEND_CANCEL (sev-reference 2.8). SEND_START checks the
 * target's certificates against the guest policy (NOSEND, DOMAIN, SEV,
 * minimum API), then opens the channel as a client: fresh TEK, TIK and
 * NONCE wrapped exactly as a guest owner's LAUNCH_START session, keyed by
 * ECDH of this platform's PDH and the target's.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/amdcert.h"
#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "crypto/sevchain.h"
#include "fw/handlers.h"
#include "fw/launch.h"

/* The target's ASK || ARK, checked against the trusted root. */
static uint16_t check_amd_chain(struct sev_fw *fw, const struct sev_fw_send_start *b,
                                const struct sev_cert *cek)
{
    uint8_t raw[2 * AMD_CERT_MAX];
    if (b->amd_certs_len == 0)
        return SEV_STATUS_POLICY_FAILURE; /* the SEV bit needs AMD's chain */
    if (b->amd_certs_len != 2 * 0x340 && b->amd_certs_len != 2 * 0x640)
        return SEV_STATUS_INVALID_LENGTH;
    uint16_t st = fw_mem_read(fw, b->amd_certs_paddr, raw, b->amd_certs_len);
    if (st)
        return st;
    size_t half = b->amd_certs_len / 2;
    struct sev_chain ch;
    memset(&ch, 0, sizeof(ch));
    if (amdcert_parse(raw, half, false, &ch.ask) || amdcert_parse(raw + half, half, false, &ch.ark))
        return SEV_STATUS_INVALID_CERTIFICATE;
    ch.cek = *cek;
    if (sev_chain_verify(&ch, SEV_CHAIN_AMD))
        return SEV_STATUS_BAD_SIGNATURE;
    if (fw->has_trusted_ark) {
        uint8_t h[32];
        if (crypto_hash(CRYPTO_SHA256, ch.ark.raw, ch.ark.len, h) ||
            !crypto_equal(h, fw->trusted_ark_sha256, 32))
            return SEV_STATUS_BAD_SIGNATURE;
    }
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(send_start)
{
    struct sev_fw_send_start *b = c->buf;
    struct fw_guest *g;
    uint16_t st = fw_guest_in(fw, b->handle, SEV_GSTATE_RUNNING, &g);
    if (st)
        return st;
    if (g->policy & SEV_POLICY_NOSEND)
        return SEV_STATUS_POLICY_FAILURE;
    if (b->session_len < sizeof(struct sev_session_blob) || b->session_paddr == 0) {
        b->session_len = sizeof(struct sev_session_blob);
        c->writeback = true;
        return SEV_STATUS_INVALID_LENGTH;
    }
    if (b->pdh_cert_len != SEV_CERT_LEN || b->plat_certs_len != 3 * SEV_CERT_LEN)
        return SEV_STATUS_INVALID_LENGTH;
    uint8_t raw[4][SEV_CERT_LEN];
    st = fw_mem_read(fw, b->pdh_cert_paddr, raw[0], SEV_CERT_LEN);
    if (!st)
        st = fw_mem_read(fw, b->plat_certs_paddr, raw[1], 3 * SEV_CERT_LEN);
    if (st)
        return st;
    struct sev_chain ch;
    memset(&ch, 0, sizeof(ch));
    if (sevcert_parse(raw[0], SEV_CERT_LEN, &ch.pdh) ||
        sevcert_parse(raw[1], SEV_CERT_LEN, &ch.pek) ||
        sevcert_parse(raw[2], SEV_CERT_LEN, &ch.oca) ||
        sevcert_parse(raw[3], SEV_CERT_LEN, &ch.cek))
        return SEV_STATUS_INVALID_CERTIFICATE;
    enum sev_chain_result r = sev_chain_verify(&ch, SEV_CHAIN_PLATFORM);
    if (r == SEV_CHAIN_USAGE_BAD)
        return SEV_STATUS_INVALID_CERTIFICATE;
    if (r != SEV_CHAIN_OK)
        return SEV_STATUS_BAD_SIGNATURE;
    /* The target must run a firmware at least as new as the policy asks. */
    uint32_t want = (SEV_POLICY_API_MAJOR(g->policy) << 8) | SEV_POLICY_API_MINOR(g->policy);
    if ((((uint32_t)ch.pek.api_major << 8) | ch.pek.api_minor) < want)
        return SEV_STATUS_POLICY_FAILURE;
    if (g->policy & SEV_POLICY_DOMAIN) {
        struct sev_cert ours;
        memcpy(&ours, fw->oca_cert, sizeof(ours));
        if (!sevcert_same_key(&ours, &ch.oca))
            return SEV_STATUS_POLICY_FAILURE;
    }
    if (g->policy & SEV_POLICY_SEV) {
        st = check_amd_chain(fw, b, &ch.cek);
        if (st)
            return st;
    }
    EVP_PKEY *peer = NULL;
    if (sevcert_pubkey(&ch.pdh, &peer))
        return SEV_STATUS_INVALID_CERTIFICATE;
    uint8_t z[48], nonce[16], iv[16], tek[16], tik[16];
    struct sev_session_blob blob;
    st = crypto_ecdh(fw->pdh, peer, z) ? SEV_STATUS_HWERROR_PLATFORM : SEV_STATUS_SUCCESS;
    EVP_PKEY_free(peer);
    if (!st)
        st = fw_random(fw, nonce, 16);
    if (!st)
        st = fw_random(fw, iv, 16);
    if (!st)
        st = fw_random(fw, tek, 16);
    if (!st)
        st = fw_random(fw, tik, 16);
    if (!st)
        st = fw_status_of(sev_session_wrap(z, 48, nonce, tek, tik, iv, g->policy, &blob));
    if (!st)
        st = fw_mem_write(fw, b->session_paddr, &blob, sizeof(blob));
    OPENSSL_cleanse(z, sizeof(z));
    if (!st) {
        memcpy(g->tek, tek, 16);
        memcpy(g->tik, tik, 16);
        g->prev_state = g->state;
        g->state = SEV_GSTATE_SUPDATE;
        b->policy = g->policy;
        b->session_len = sizeof(blob);
        c->writeback = true;
    }
    OPENSSL_cleanse(tek, 16);
    OPENSSL_cleanse(tik, 16);
    return st;
}

static uint16_t send_update(struct sev_fw *fw, struct fw_call *c, bool vmsa)
{
    struct sev_fw_packet *b = c->buf;
    struct fw_guest *g;
    uint16_t st = fw_guest_in(fw, b->handle, SEV_GSTATE_SUPDATE, &g);
    if (st)
        return st;
    if (vmsa && !g->es)
        return SEV_STATUS_INVALID_GUEST;
    if (b->hdr_len < sizeof(struct sev_packet_hdr) || b->trans_len < b->guest_len) {
        b->hdr_len = sizeof(struct sev_packet_hdr);
        b->trans_len = b->guest_len;
        c->writeback = true;
        return SEV_STATUS_INVALID_LENGTH;
    }
    if (!g->active)
        return SEV_STATUS_INACTIVE;
    if (b->guest_len == 0 || (b->guest_len & 15) || b->guest_len > 4096 ||
        (vmsa && b->guest_len != 4096) || (fw_strip_cbit(fw, b->guest_paddr) & 15))
        return SEV_STATUS_INVALID_PARAM;
    if (!fw_mem_valid(fw, b->guest_paddr, b->guest_len))
        return SEV_STATUS_INVALID_ADDRESS;
    uint8_t plain[4096], ct[4096], iv[16];
    struct sev_packet_hdr hdr;
    st = fw_guest_mem_read(fw, g->asid, b->guest_paddr, plain, b->guest_len);
    if (!st)
        st = fw_random(fw, iv, sizeof(iv));
    if (!st)
        st = fw_status_of(sev_packet_seal(SEV_MAC_CTX_PACKET, g->tek, g->tik, iv, plain,
                                          b->guest_len, NULL, &hdr, ct));
    if (!st)
        st = fw_mem_write(fw, b->hdr_paddr, &hdr, sizeof(hdr));
    if (!st)
        st = fw_mem_write(fw, b->trans_paddr, ct, b->guest_len);
    OPENSSL_cleanse(plain, sizeof(plain));
    return st;
}

FW_HANDLER(send_update_data)
{
    return send_update(fw, c, false);
}

FW_HANDLER(send_update_vmsa)
{
    return send_update(fw, c, true);
}

FW_HANDLER(send_finish)
{
    struct sev_fw_handle *b = c->buf;
    return fw_close_channel(fw, b->handle, SEV_GSTATE_SUPDATE, SEV_GSTATE_SENT);
}

FW_HANDLER(send_cancel)
{
    struct sev_fw_handle *b = c->buf;
    struct fw_guest *g = fw_guest_find(fw, b->handle);
    return fw_close_channel(fw, b->handle, SEV_GSTATE_SUPDATE,
                            g ? g->prev_state : SEV_GSTATE_RUNNING);
}
