/* SPDX-License-Identifier: MIT */
/*
 * Firmware life cycle and identity. Everything chip-unique derives from the
 * 32-byte chip secret (the "fuses"), with the SEV KDF and labels of our
 * own (docs/firmware.md):
 *   CEK private scalar  <- KDF(chip_secret, "swsev-cek"), 64 bytes, reduced mod n
 *   chip ID (GET_ID)    <- KDF(chip_secret, "swsev-chip-id"), 64 bytes
 *   NV sealing key      <- KDF(chip_secret, "swsev-nv-seal"), 32 bytes
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/ecc.h"
#include "crypto/sev_launch.h"
#include "crypto/sevcert.h"
#include "crypto/snp_vcek.h"
#include "fw/handlers.h"
#include "fw/owner.h"

void fw_params_for_chip(struct fw_params *p, const char *chip)
{
    /* SEV API versions and builds as reported by firmware of each era. */
    static const struct {
        const char *chip;
        uint8_t major, minor, build;
        uint8_t product;
        struct snp_tcb tcb;
    } t[] = {
        {"naples", 0, 17, 48, SNP_PRODUCT_UNKNOWN, {0, 0, 0, 0, 0}},
        {"rome", 0, 24, 15, SNP_PRODUCT_UNKNOWN, {0, 0, 0, 0, 0}},
        /* The SPLs of the genuine Milan and Genoa reports in tests/data. */
        {"milan", 1, 55, 21, SNP_MILAN, {0, 3, 0, 8, 115}},
        {"genoa", 1, 55, 25, SNP_GENOA, {0, 10, 0, 23, 84}},
    };
    p->api_major = 1;
    p->api_minor = 55;
    p->build = 21;
    p->snp_tcb = 0;
    p->snp_product = SNP_PRODUCT_UNKNOWN;
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (!strcmp(t[i].chip, chip)) {
            p->api_major = t[i].major;
            p->api_minor = t[i].minor;
            p->build = t[i].build;
            p->snp_product = t[i].product;
            p->snp_tcb = snp_tcb_encode(t[i].tcb, (enum snp_product)t[i].product);
        }
    }
}

static swsev_rc derive_cek(const uint8_t chip_secret[32], EVP_PKEY **cek)
{
    uint8_t seed[64];
    swsev_rc rc = sev_kdf(chip_secret, 32, "swsev-cek", NULL, 0, seed, sizeof(seed));
    if (!rc)
        rc = crypto_ecc_from_seed(seed, cek);
    OPENSSL_cleanse(seed, sizeof(seed));
    return rc;
}

swsev_rc fw_cek_cert_template(const uint8_t chip_secret[32], const struct fw_params *params,
                              uint8_t cert[0x824])
{
    (void)params;
    EVP_PKEY *cek = NULL;
    struct sev_cert c;
    swsev_rc rc = derive_cek(chip_secret, &cek);
    /* The factory CEK certificate carries API 0.14 on every real chain. */
    if (!rc)
        rc = sevcert_init(&c, SEV_USAGE_CEK, SEV_ALGO_ECDSA_SHA256, 0, 14, cek);
    if (!rc)
        memcpy(cert, &c, sizeof(c));
    EVP_PKEY_free(cek);
    return rc;
}

swsev_rc fw_create(struct sev_fw **out, struct memsys *ms, struct crypto_drbg *rng,
                   const struct fw_params *params, const struct fw_identity *id,
                   const struct fw_nv_ops *nv)
{
    struct sev_fw *fw = calloc(1, sizeof(*fw));
    if (!fw)
        return SWSEV_SYS_ERR(12);
    const struct chip_config *cfg = memsys_chip(ms);
    fw->params = *params;
    fw->ms = ms;
    fw->rng = rng;
    if (nv)
        fw->nv = *nv;
    fw->state = SEV_STATE_UNINIT;
    fw->next_handle = 1;
    fw->nr_asids = cfg->nr_asids;
    fw->min_sev_asid = cfg->min_sev_asid;
    fw->nr_cores = cfg->nr_cores;
    memcpy(fw->chip_secret, id->chip_secret, 32);
    memcpy(fw->trusted_ark_sha256, id->trusted_ark_sha256, 32);
    fw->has_trusted_ark = id->has_trusted_ark;
    fw->guests = calloc(FW_MAX_GUESTS, sizeof(*fw->guests));
    fw->asids = calloc(fw->nr_asids + 1, sizeof(*fw->asids));
    fw->wbinvd_at_deactivate = calloc(fw->nr_cores, sizeof(uint64_t));
    fw->snp.guests = calloc(FW_SNP_MAX_GUESTS, sizeof(*fw->snp.guests));
    fw->snp.committed_tcb = params->snp_tcb;
    swsev_rc rc = (!fw->guests || !fw->asids || !fw->wbinvd_at_deactivate || !fw->snp.guests)
                      ? SWSEV_SYS_ERR(12)
                      : memsys_claim_fw_port(ms, &fw->port);
    if (!rc)
        rc = snp_chip_id(id->chip_secret, fw->chip_id);
    if (!rc)
        rc = derive_cek(id->chip_secret, &fw->cek);
    if (!rc && id->has_cek_cert) {
        /* The certificate must be the one of this chip's CEK. */
        struct sev_cert c, mine;
        uint8_t tmpl[SEV_CERT_LEN];
        rc = sevcert_parse(id->cek_cert, SEV_CERT_LEN, &c);
        if (!rc)
            rc = fw_cek_cert_template(id->chip_secret, params, tmpl);
        if (!rc) {
            memcpy(&mine, tmpl, sizeof(mine));
            if (c.pubkey_usage != SEV_USAGE_CEK || !sevcert_same_key(&c, &mine))
                rc = SWSEV_TOOL_ERR(SWSEV_E_VERIFY);
        }
        if (!rc) {
            memcpy(fw->cek_cert, id->cek_cert, SEV_CERT_LEN);
            fw->cek_cert_valid = true;
        }
    }
    if (!rc && !fw->cek_cert_valid) {
        /* An unprovisioned chip: its CEK certificate is unsigned. */
        rc = fw_cek_cert_template(id->chip_secret, params, fw->cek_cert);
    }
    if (rc) {
        fw_destroy(fw);
        return rc;
    }
    *out = fw;
    return SWSEV_OK;
}

void fw_destroy(struct sev_fw *fw)
{
    if (!fw)
        return;
    if (fw->guests) {
        for (uint32_t i = 0; i < FW_MAX_GUESTS; i++)
            if (fw->guests[i].handle)
                crypto_digest_clear(&fw->guests[i].digest);
        OPENSSL_cleanse(fw->guests, FW_MAX_GUESTS * sizeof(*fw->guests));
    }
    fw_owner_clear(fw);
    EVP_PKEY_free(fw->cek);
    EVP_PKEY_free(fw->snp.vcek);
    EVP_PKEY_free(fw->snp.vlek);
    if (fw->snp.guests)
        OPENSSL_cleanse(fw->snp.guests, FW_SNP_MAX_GUESTS * sizeof(*fw->snp.guests));
    free(fw->snp.guests);
    free(fw->guests);
    free(fw->asids);
    free(fw->wbinvd_at_deactivate);
    OPENSSL_cleanse(fw, sizeof(*fw));
    free(fw);
}

uint16_t fw_random(struct sev_fw *fw, void *buf, size_t len)
{
    return crypto_drbg_bytes(fw->rng, buf, len) ? SEV_STATUS_HWERROR_PLATFORM : SEV_STATUS_SUCCESS;
}

void fw_get_state(struct sev_fw *fw, uint8_t *state, uint32_t *guest_count)
{
    *state = fw->state;
    *guest_count = fw->guest_count;
}
