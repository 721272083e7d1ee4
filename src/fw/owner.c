/* SPDX-License-Identifier: MIT */
/*
 * The platform owner commands: PEK_GEN, PDH_GEN, PEK_CSR, PEK_CERT_IMPORT,
 * PDH_CERT_EXPORT, and the key generation behind INIT and PLATFORM_RESET.
 *
 * Certificate shapes follow the genuine chains: OCA self-signed in slot 1,
 * PEK signed by the OCA (slot 1) and the CEK (slot 2), PDH signed by the
 * PEK (slot 1), all ECDSA-SHA256 on P-384 (the PDH's algorithm is
 * ECDH-SHA256), carrying the firmware's API version.
 */
#include <string.h>

#include "crypto/ecc.h"
#include "crypto/sevcert.h"
#include "fw/handlers.h"
#include "fw/owner.h"

void fw_owner_clear(struct sev_fw *fw)
{
    EVP_PKEY_free(fw->oca);
    EVP_PKEY_free(fw->pek);
    EVP_PKEY_free(fw->pdh);
    fw->oca = fw->pek = fw->pdh = NULL;
    memset(fw->oca_cert, 0, SEV_CERT_LEN);
    memset(fw->pek_cert, 0, SEV_CERT_LEN);
    memset(fw->pdh_cert, 0, SEV_CERT_LEN);
    fw->keys_valid = false;
    fw->owner_external = false;
}

static uint16_t make_cert(struct sev_fw *fw, uint32_t usage, uint32_t algo, EVP_PKEY *key,
                          struct sev_cert *c)
{
    return sevcert_init(c, usage, algo, fw->params.api_major, fw->params.api_minor, key)
               ? SEV_STATUS_HWERROR_PLATFORM
               : SEV_STATUS_SUCCESS;
}

static uint16_t sign(struct sev_cert *c, int slot, uint32_t usage, EVP_PKEY *k)
{
    return sevcert_sign(c, slot, usage, SEV_ALGO_ECDSA_SHA256, k) ? SEV_STATUS_HWERROR_PLATFORM
                                                                  : SEV_STATUS_SUCCESS;
}

static uint16_t new_key(struct sev_fw *fw, EVP_PKEY **k)
{
    return crypto_ecc_generate(fw->rng, k) ? SEV_STATUS_HWERROR_PLATFORM : SEV_STATUS_SUCCESS;
}

/* A PDH certified by the current PEK. */
static uint16_t make_pdh(struct sev_fw *fw)
{
    EVP_PKEY *k = NULL;
    struct sev_cert c;
    uint16_t st = new_key(fw, &k);
    if (!st)
        st = make_cert(fw, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256, k, &c);
    if (!st)
        st = sign(&c, 0, SEV_USAGE_PEK, fw->pek);
    if (st) {
        EVP_PKEY_free(k);
        return st;
    }
    EVP_PKEY_free(fw->pdh);
    fw->pdh = k;
    memcpy(fw->pdh_cert, &c, SEV_CERT_LEN);
    return SEV_STATUS_SUCCESS;
}

uint16_t fw_owner_generate_all(struct sev_fw *fw)
{
    EVP_PKEY *oca = NULL, *pek = NULL;
    struct sev_cert oc, pc;
    uint16_t st = new_key(fw, &oca);
    if (!st)
        st = new_key(fw, &pek);
    if (!st)
        st = make_cert(fw, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, oca, &oc);
    if (!st)
        st = sign(&oc, 0, SEV_USAGE_OCA, oca);
    if (!st)
        st = make_cert(fw, SEV_USAGE_PEK, SEV_ALGO_ECDSA_SHA256, pek, &pc);
    if (!st)
        st = sign(&pc, 0, SEV_USAGE_OCA, oca);
    if (!st)
        st = sign(&pc, 1, SEV_USAGE_CEK, fw->cek);
    if (st) {
        EVP_PKEY_free(oca);
        EVP_PKEY_free(pek);
        return st;
    }
    fw_owner_clear(fw);
    fw->oca = oca;
    fw->pek = pek;
    memcpy(fw->oca_cert, &oc, SEV_CERT_LEN);
    memcpy(fw->pek_cert, &pc, SEV_CERT_LEN);
    st = make_pdh(fw);
    if (st) {
        fw_owner_clear(fw);
        return st;
    }
    fw->keys_valid = true;
    fw->owner_external = false;
    return fw_nv_commit(fw);
}

uint16_t fw_owner_new_pdh(struct sev_fw *fw)
{
    uint16_t st = make_pdh(fw);
    return st ? st : fw_nv_commit(fw);
}

FW_HANDLER(pek_gen)
{
    (void)c;
    /* A new PEK means a new self-signed OCA and a new PDH: the platform
     * becomes self-owned again. */
    return fw_owner_generate_all(fw);
}

FW_HANDLER(pdh_gen)
{
    (void)c;
    return fw_owner_new_pdh(fw);
}

FW_HANDLER(pek_csr)
{
    struct sev_fw_addr_len *b = c->buf;
    /* The signing request is the PEK certificate body, unsigned. */
    if (b->paddr == 0 || b->len < SEV_CERT_LEN) {
        b->len = SEV_CERT_LEN;
        c->writeback = true;
        return SEV_STATUS_INVALID_LENGTH;
    }
    struct sev_cert csr;
    memcpy(&csr, fw->pek_cert, sizeof(csr));
    memset(csr.sig, 0, sizeof(csr.sig));
    csr.sig[0].usage = csr.sig[1].usage = SEV_USAGE_INVALID;
    uint16_t st = fw_mem_write(fw, b->paddr, &csr, sizeof(csr));
    if (st)
        return st;
    b->len = SEV_CERT_LEN;
    c->writeback = true;
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(pek_cert_import)
{
    struct sev_fw_pek_cert_import *b = c->buf;
    if (b->pek_len != SEV_CERT_LEN || b->oca_len != SEV_CERT_LEN)
        return SEV_STATUS_INVALID_LENGTH;
    uint8_t raw[2][SEV_CERT_LEN];
    uint16_t st = fw_mem_read(fw, b->pek_paddr, raw[0], SEV_CERT_LEN);
    if (!st)
        st = fw_mem_read(fw, b->oca_paddr, raw[1], SEV_CERT_LEN);
    if (st)
        return st;
    struct sev_cert pek, oca;
    if (sevcert_parse(raw[0], SEV_CERT_LEN, &pek) || sevcert_parse(raw[1], SEV_CERT_LEN, &oca) ||
        pek.pubkey_usage != SEV_USAGE_PEK || oca.pubkey_usage != SEV_USAGE_OCA)
        return SEV_STATUS_INVALID_CERTIFICATE;
    /* The PEK must be ours (from PEK_CSR), the OCA self-signed, and the
     * OCA must have signed the PEK. */
    struct sev_cert mine;
    memcpy(&mine, fw->pek_cert, sizeof(mine));
    if (!sevcert_same_key(&pek, &mine))
        return SEV_STATUS_INVALID_CERTIFICATE;
    if (sevcert_verify_by(&oca, &oca) || sevcert_verify_by(&pek, &oca))
        return SEV_STATUS_BAD_SIGNATURE;
    /* Keep the owner's signature in slot 1 and add the CEK's in slot 2. */
    struct sev_cert out = pek;
    int oca_slot = out.sig[0].usage == SEV_USAGE_OCA ? 0 : 1;
    if (oca_slot == 1)
        out.sig[0] = out.sig[1];
    memset(&out.sig[1], 0, sizeof(out.sig[1]));
    out.sig[1].usage = SEV_USAGE_INVALID;
    if (sevcert_sign(&out, 1, SEV_USAGE_CEK, SEV_ALGO_ECDSA_SHA256, fw->cek))
        return SEV_STATUS_HWERROR_PLATFORM;
    memcpy(fw->pek_cert, &out, SEV_CERT_LEN);
    memcpy(fw->oca_cert, &oca, SEV_CERT_LEN);
    EVP_PKEY_free(fw->oca);
    fw->oca = NULL; /* the owner keeps the OCA's private key */
    fw->owner_external = true;
    return fw_owner_new_pdh(fw);
}

FW_HANDLER(pdh_cert_export)
{
    struct sev_fw_pdh_cert_export *b = c->buf;
    const uint32_t chain = 3 * SEV_CERT_LEN;
    if (b->pdh_paddr == 0 || b->chain_paddr == 0 || b->pdh_len < SEV_CERT_LEN ||
        b->chain_len < chain) {
        b->pdh_len = SEV_CERT_LEN;
        b->chain_len = chain;
        c->writeback = true;
        return SEV_STATUS_INVALID_LENGTH;
    }
    /* The chain: PEK || OCA || CEK. */
    uint8_t buf[3 * SEV_CERT_LEN];
    memcpy(buf, fw->pek_cert, SEV_CERT_LEN);
    memcpy(buf + SEV_CERT_LEN, fw->oca_cert, SEV_CERT_LEN);
    memcpy(buf + 2 * SEV_CERT_LEN, fw->cek_cert, SEV_CERT_LEN);
    uint16_t st = fw_mem_write(fw, b->pdh_paddr, fw->pdh_cert, SEV_CERT_LEN);
    if (!st)
        st = fw_mem_write(fw, b->chain_paddr, buf, chain);
    if (st)
        return st;
    b->pdh_len = SEV_CERT_LEN;
    b->chain_len = chain;
    c->writeback = true;
    return SEV_STATUS_SUCCESS;
}
