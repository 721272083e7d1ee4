/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "crypto/snp_report.h"

static int zero(const uint8_t *p, size_t n)
{
    uint8_t a = 0;
    for (size_t i = 0; i < n; i++)
        a |= p[i];
    return a == 0;
}

swsev_rc snp_report_parse(const void *buf, size_t len, struct snp_report *out)
{
    const swsev_rc bad = SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
    if (len != sizeof(*out))
        return bad;
    struct snp_report r;
    memcpy(&r, buf, sizeof(r));
    if (r.version < 2 || r.version > 5 || r.signature_algo != 1 || r.reserved0 || r.reserved2 ||
        r.reserved3 || r.vmpl > 3)
        return bad;
    /* Version 2 reserves the CPUID bytes too; 5 uses the mitigation vectors. */
    if (r.version == 2 && (r.cpuid_fam_id || r.cpuid_mod_id || r.cpuid_step))
        return bad;
    if (!zero(r.reserved1, sizeof(r.reserved1)) || !zero(r.reserved4, sizeof(r.reserved4)))
        return bad;
    if (r.version < 5 && (r.launch_mit_vector || r.current_mit_vector))
        return bad;
    if (!zero(r.sig_r + 48, 24) || !zero(r.sig_s + 48, 24) ||
        !zero(r.sig_reserved, sizeof(r.sig_reserved)))
        return bad;
    if (SNP_KEY_INFO_SIGNING_KEY(r.key_info) > 1 && SNP_KEY_INFO_SIGNING_KEY(r.key_info) != 7)
        return bad;
    *out = r;
    return SWSEV_OK;
}

swsev_rc snp_report_verify(const struct snp_report *r, EVP_PKEY *key)
{
    return crypto_ecdsa_verify(key, CRYPTO_SHA384, r, SNP_REPORT_SIGNED_LEN, r->sig_r, r->sig_s);
}

swsev_rc snp_report_sign(struct snp_report *r, EVP_PKEY *key)
{
    memset(r->sig_r, 0, sizeof(r->sig_r) + sizeof(r->sig_s) + sizeof(r->sig_reserved));
    return crypto_ecdsa_sign(key, CRYPTO_SHA384, r, SNP_REPORT_SIGNED_LEN, r->sig_r, r->sig_s);
}

enum snp_product snp_report_product(const struct snp_report *r)
{
    if (r->version < 3)
        return SNP_PRODUCT_UNKNOWN;
    uint8_t fam = r->cpuid_fam_id, mod = r->cpuid_mod_id;
    if (fam == 0x19 && mod <= 0x0F)
        return SNP_MILAN;
    if (fam == 0x19 && ((mod >= 0x10 && mod <= 0x1F) || (mod >= 0xA0 && mod <= 0xAF)))
        return SNP_GENOA;
    if (fam == 0x1A && mod <= 0x11)
        return SNP_TURIN;
    return SNP_PRODUCT_UNKNOWN;
}

const char *snp_product_name(enum snp_product p)
{
    switch (p) {
    case SNP_MILAN:
        return "Milan";
    case SNP_GENOA:
        return "Genoa";
    case SNP_TURIN:
        return "Turin";
    default:
        return "unknown";
    }
}
