/* SPDX-License-Identifier: MIT */
/*
 * Guest launch: LAUNCH_START, LAUNCH_UPDATE_DATA, LAUNCH_UPDATE_VMSA,
 * LAUNCH_MEASURE, LAUNCH_SECRET, LAUNCH_FINISH (sev-reference 1.5, 2.5-2.7).
 * Guest memory is encrypted in place through the memory system with the
 * guest's key, so the host sees exactly what it would see on hardware.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/ecc.h"
#include "crypto/sev_launch.h"
#include "crypto/sevcert.h"
#include "fw/handlers.h"
#include "fw/launch.h"

#define SESSION_LEN sizeof(struct sev_session_blob)

uint16_t fw_check_policy(struct sev_fw *fw, uint32_t policy)
{
    if (policy & SEV_POLICY_RSVD_MASK)
        return SEV_STATUS_INVALID_PARAM;
    /* The guest owner may demand a minimum firmware API version. */
    uint32_t want = (SEV_POLICY_API_MAJOR(policy) << 8) | SEV_POLICY_API_MINOR(policy);
    uint32_t have = ((uint32_t)fw->params.api_major << 8) | fw->params.api_minor;
    if (want > have)
        return SEV_STATUS_POLICY_FAILURE;
    if ((policy & SEV_POLICY_ES) && !fw->es_init)
        return SEV_STATUS_POLICY_FAILURE;
    return SEV_STATUS_SUCCESS;
}

uint16_t fw_open_channel(struct sev_fw *fw, uint64_t cert_pa, uint32_t cert_len,
                         uint64_t session_pa, uint32_t session_len, uint32_t policy,
                         uint8_t tek[16], uint8_t tik[16])
{
    if (cert_len != SEV_CERT_LEN || session_len != SESSION_LEN)
        return SEV_STATUS_INVALID_LENGTH;
    uint8_t raw[SEV_CERT_LEN];
    struct sev_session_blob blob;
    uint16_t st = fw_mem_read(fw, cert_pa, raw, sizeof(raw));
    if (!st)
        st = fw_mem_read(fw, session_pa, &blob, sizeof(blob));
    if (st)
        return st;
    struct sev_cert peer;
    EVP_PKEY *peer_key = NULL;
    if (sevcert_parse(raw, sizeof(raw), &peer) || peer.pubkey_usage != SEV_USAGE_PDH ||
        sevcert_pubkey(&peer, &peer_key))
        return SEV_STATUS_INVALID_CERTIFICATE;
    uint8_t z[48];
    swsev_rc rc = crypto_ecdh(fw->pdh, peer_key, z);
    EVP_PKEY_free(peer_key);
    if (rc)
        return SEV_STATUS_HWERROR_PLATFORM;
    rc = sev_session_unwrap(z, sizeof(z), &blob, policy, tek, tik);
    OPENSSL_cleanse(z, sizeof(z));
    if (rc)
        return SWSEV_RC_LAYER(rc) == SWSEV_LAYER_FW ? (uint16_t)SWSEV_RC_CODE(rc)
                                                    : SEV_STATUS_HWERROR_PLATFORM;
    return SEV_STATUS_SUCCESS;
}

uint16_t fw_new_guest(struct sev_fw *fw, uint32_t share_handle, uint32_t policy,
                      struct fw_guest **out)
{
    struct fw_guest *owner = NULL;
    if (share_handle) {
        /* Key sharing: both guests must allow it. */
        owner = fw_guest_find(fw, share_handle);
        if (!owner)
            return SEV_STATUS_INVALID_GUEST;
        if ((owner->policy | policy) & SEV_POLICY_NOKS)
            return SEV_STATUS_POLICY_FAILURE;
    }
    struct fw_guest *g = fw_guest_alloc(fw);
    if (!g)
        return SEV_STATUS_RESOURCE_LIMIT;
    g->policy = policy;
    g->es = (policy & SEV_POLICY_ES) != 0;
    if (owner) {
        g->key_owner = owner->key_owner ? owner->key_owner : owner->handle;
        memcpy(g->vek, owner->vek, sizeof(g->vek));
    } else if (fw_random(fw, g->vek, sizeof(g->vek))) {
        fw_guest_free(fw, g);
        return SEV_STATUS_HWERROR_PLATFORM;
    }
    if (crypto_digest_init(&g->digest, CRYPTO_SHA256)) {
        fw_guest_free(fw, g);
        return SEV_STATUS_HWERROR_PLATFORM;
    }
    *out = g;
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(launch_start)
{
    struct sev_fw_launch_start *b = c->buf;
    uint16_t st = fw_check_policy(fw, b->policy);
    if (st)
        return st;
    uint8_t tek[16], tik[16];
    if (b->dh_cert_paddr || b->session_paddr) {
        st = fw_open_channel(fw, b->dh_cert_paddr, b->dh_cert_len, b->session_paddr, b->session_len,
                             b->policy, tek, tik);
    } else {
        /* No guest owner: random transport keys nobody else knows. */
        st = fw_random(fw, tek, 16);
        if (!st)
            st = fw_random(fw, tik, 16);
    }
    struct fw_guest *g = NULL;
    if (!st)
        st = fw_new_guest(fw, b->handle, b->policy, &g);
    if (st) {
        OPENSSL_cleanse(tek, 16);
        OPENSSL_cleanse(tik, 16);
        return st;
    }
    memcpy(g->tek, tek, 16);
    memcpy(g->tik, tik, 16);
    OPENSSL_cleanse(tek, 16);
    OPENSSL_cleanse(tik, 16);
    g->state = SEV_GSTATE_LUPDATE;
    b->handle = g->handle;
    c->writeback = true;
    return SEV_STATUS_SUCCESS;
}

/* Find a guest in the required state. */
uint16_t fw_guest_in(struct sev_fw *fw, uint32_t handle, uint8_t state, struct fw_guest **g)
{
    *g = fw_guest_find(fw, handle);
    if (!*g)
        return SEV_STATUS_INVALID_GUEST;
    if ((*g)->state != state)
        return SEV_STATUS_INVALID_GUEST_STATE;
    return SEV_STATUS_SUCCESS;
}

/* Encrypt host memory in place under the guest's key, page by page,
 * feeding the plaintext to the launch digest. */
static uint16_t encrypt_in_place(struct sev_fw *fw, struct fw_guest *g, uint64_t paddr,
                                 uint32_t len)
{
    uint8_t buf[4096];
    while (len > 0) {
        uint32_t n = 4096 - (uint32_t)(paddr & 4095);
        if (n > len)
            n = len;
        uint16_t st = fw_mem_read(fw, paddr, buf, n);
        if (!st && crypto_digest_update(&g->digest, buf, n))
            st = SEV_STATUS_HWERROR_PLATFORM;
        if (!st)
            st = fw_guest_mem_write(fw, g->asid, paddr, buf, n);
        if (st)
            return st;
        paddr += n;
        len -= n;
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(launch_update_data)
{
    struct sev_fw_launch_update *b = c->buf;
    struct fw_guest *g;
    uint16_t st = fw_guest_in(fw, b->handle, SEV_GSTATE_LUPDATE, &g);
    if (st)
        return st;
    if (!g->active)
        return SEV_STATUS_INACTIVE;
    if ((b->paddr & 15) || (b->len & 15) || b->len == 0)
        return SEV_STATUS_INVALID_LENGTH;
    if (!fw_mem_valid(fw, b->paddr, b->len))
        return SEV_STATUS_INVALID_ADDRESS;
    return encrypt_in_place(fw, g, b->paddr, b->len);
}

FW_HANDLER(launch_update_vmsa)
{
    struct sev_fw_launch_update *b = c->buf;
    struct fw_guest *g;
    uint16_t st = fw_guest_in(fw, b->handle, SEV_GSTATE_LUPDATE, &g);
    if (st)
        return st;
    if (!g->es)
        return SEV_STATUS_INVALID_GUEST; /* only SEV-ES guests have a VMSA */
    if (!g->active)
        return SEV_STATUS_INACTIVE;
    if (b->len != 4096 || (fw_strip_cbit(fw, b->paddr) & 4095))
        return SEV_STATUS_INVALID_LENGTH;
    if (!fw_mem_valid(fw, b->paddr, b->len))
        return SEV_STATUS_INVALID_ADDRESS;
    st = encrypt_in_place(fw, g, b->paddr, b->len);
    if (!st && memsys_fw_vmsa_seal(fw->port, fw_strip_cbit(fw, b->paddr), g->asid))
        st = SEV_STATUS_RESOURCE_LIMIT;
    if (!st)
        g->vmsa_count++;
    return st;
}

FW_HANDLER(launch_measure)
{
    struct sev_fw_launch_update *b = c->buf;
    struct fw_guest *g;
    uint16_t st = fw_guest_in(fw, b->handle, SEV_GSTATE_LUPDATE, &g);
    if (st)
        return st;
    struct sev_launch_measure_blob m;
    if (b->paddr == 0 || b->len < sizeof(m)) {
        b->len = sizeof(m);
        c->writeback = true;
        return SEV_STATUS_INVALID_LENGTH;
    }
    if (!fw_mem_valid(fw, b->paddr, sizeof(m)))
        return SEV_STATUS_INVALID_ADDRESS;
    /* The digest is final from here on; the running state is kept so the
     * command can be repeated after a failure. */
    struct crypto_digest copy;
    uint8_t digest[32];
    if (crypto_digest_clone(&copy, &g->digest) || crypto_digest_final(&copy, digest))
        return SEV_STATUS_HWERROR_PLATFORM;
    st = fw_random(fw, m.mnonce, sizeof(m.mnonce));
    if (!st && sev_measure_mac(g->tik, fw->params.api_major, fw->params.api_minor, fw->params.build,
                               g->policy, digest, m.mnonce, m.measure))
        st = SEV_STATUS_HWERROR_PLATFORM;
    if (!st)
        st = fw_mem_write(fw, b->paddr, &m, sizeof(m));
    if (st)
        return st;
    memcpy(g->launch_digest, digest, 32);
    memcpy(g->measure, m.measure, 32);
    g->measured = true;
    g->state = SEV_GSTATE_LSECRET;
    b->len = sizeof(m);
    c->writeback = true;
    return SEV_STATUS_SUCCESS;
}

/* Read a packet (header + transport buffer) described by b. */
uint16_t fw_read_packet(struct sev_fw *fw, const struct sev_fw_packet *b,
                        struct sev_packet_hdr *hdr, uint8_t *trans)
{
    if (b->hdr_len != sizeof(*hdr))
        return SEV_STATUS_INVALID_LENGTH;
    if (b->guest_len == 0 || b->guest_len != b->trans_len || (b->guest_len & 15) ||
        b->trans_len > 4096)
        return SEV_STATUS_INVALID_LENGTH;
    uint16_t st = fw_mem_read(fw, b->hdr_paddr, hdr, sizeof(*hdr));
    if (!st)
        st = fw_mem_read(fw, b->trans_paddr, trans, b->trans_len);
    if (!st && !fw_mem_valid(fw, b->guest_paddr, b->guest_len))
        st = SEV_STATUS_INVALID_ADDRESS;
    return st;
}

uint16_t fw_status_of(swsev_rc rc)
{
    if (rc == SWSEV_OK)
        return SEV_STATUS_SUCCESS;
    return SWSEV_RC_LAYER(rc) == SWSEV_LAYER_FW ? (uint16_t)SWSEV_RC_CODE(rc)
                                                : SEV_STATUS_HWERROR_PLATFORM;
}

FW_HANDLER(launch_secret)
{
    struct sev_fw_packet *b = c->buf;
    struct fw_guest *g;
    uint16_t st = fw_guest_in(fw, b->handle, SEV_GSTATE_LSECRET, &g);
    if (st)
        return st;
    if (!g->active)
        return SEV_STATUS_INACTIVE;
    struct sev_packet_hdr hdr;
    uint8_t trans[4096], plain[4096];
    st = fw_read_packet(fw, b, &hdr, trans);
    if (st)
        return st;
    /* Firmware API 0.17 and later binds the secret to the measurement. */
    bool legacy = fw->params.api_major == 0 && fw->params.api_minor < 17;
    st = fw_status_of(sev_packet_open(SEV_MAC_CTX_SECRET, g->tek, g->tik, &hdr, b->guest_len, trans,
                                      b->trans_len, legacy ? NULL : g->measure, plain));
    if (!st)
        st = fw_guest_mem_write(fw, g->asid, b->guest_paddr, plain, b->guest_len);
    OPENSSL_cleanse(plain, sizeof(plain));
    return st;
}

uint16_t fw_close_channel(struct sev_fw *fw, uint32_t handle, uint8_t from, uint8_t to)
{
    struct fw_guest *g;
    uint16_t st = fw_guest_in(fw, handle, from, &g);
    if (st)
        return st;
    /* The channel is closed; its keys are of no further use. */
    OPENSSL_cleanse(g->tek, sizeof(g->tek));
    OPENSSL_cleanse(g->tik, sizeof(g->tik));
    g->state = to;
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(launch_finish)
{
    struct sev_fw_handle *b = c->buf;
    return fw_close_channel(fw, b->handle, SEV_GSTATE_LSECRET, SEV_GSTATE_RUNNING);
}
