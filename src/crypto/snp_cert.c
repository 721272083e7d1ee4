/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "crypto/snp_cert.h"

swsev_rc snp_x509_load(const void *buf, size_t len, X509 **out, size_t max, size_t *n)
{
    *n = 0;
    const unsigned char *p = buf;
    if (len == 0 || len > (1u << 20))
        return SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
    if (len > 10 && !memcmp(buf, "-----BEGIN", 10)) {
        BIO *b = BIO_new_mem_buf(buf, (int)len);
        X509 *c;
        while (b && *n < max && (c = PEM_read_bio_X509(b, NULL, NULL, NULL)))
            out[(*n)++] = c;
        BIO_free(b);
    } else {
        X509 *c = d2i_X509(NULL, &p, (long)len);
        if (c && p == (const unsigned char *)buf + len && max > 0)
            out[(*n)++] = c;
        else
            X509_free(c);
    }
    return *n ? SWSEV_OK : SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
}

/* The extension's value (the extnValue OCTET STRING contents), or NULL. */
static const ASN1_OCTET_STRING *ext_value(X509 *c, const char *oid)
{
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
    int i = o ? X509_get_ext_by_OBJ(c, o, -1) : -1;
    ASN1_OBJECT_free(o);
    return i < 0 ? NULL : X509_EXTENSION_get_data(X509_get_ext(c, i));
}

static int ext_int(X509 *c, const char *oid, long *v)
{
    const ASN1_OCTET_STRING *s = ext_value(c, oid);
    if (!s)
        return 0;
    const unsigned char *p = ASN1_STRING_get0_data(s);
    ASN1_INTEGER *i = d2i_ASN1_INTEGER(NULL, &p, ASN1_STRING_length(s));
    int ok = i && ASN1_INTEGER_get_int64((int64_t *)v, i) == 1;
    ASN1_INTEGER_free(i);
    return ok ? 1 : -1;
}

static int ext_str(X509 *c, const char *oid, char *out, size_t cap)
{
    const ASN1_OCTET_STRING *s = ext_value(c, oid);
    if (!s)
        return 0;
    const unsigned char *p = ASN1_STRING_get0_data(s);
    ASN1_IA5STRING *str = d2i_ASN1_IA5STRING(NULL, &p, ASN1_STRING_length(s));
    int ok = str && (size_t)ASN1_STRING_length(str) < cap;
    if (ok) {
        memcpy(out, ASN1_STRING_get0_data(str), (size_t)ASN1_STRING_length(str));
        out[ASN1_STRING_length(str)] = 0;
    }
    ASN1_STRING_free(str);
    return ok ? 1 : -1;
}

swsev_rc snp_vcek_info(X509 *c, struct snp_vcek_info *info)
{
    const swsev_rc bad = SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
    memset(info, 0, sizeof(*info));
    long v;
    int r = ext_int(c, SNP_OID_BASE "1", &v);
    if (r < 0)
        return bad;
    info->struct_version = r ? (int)v : -1;
    if (ext_str(c, SNP_OID_BASE "2", info->product, sizeof(info->product)) < 0)
        return bad;
    static const struct {
        const char *oid;
        size_t off;
    } spl[] = {
        {SNP_OID_BASE "3.1", offsetof(struct snp_tcb, bootloader)},
        {SNP_OID_BASE "3.2", offsetof(struct snp_tcb, tee)},
        {SNP_OID_BASE "3.3", offsetof(struct snp_tcb, snp)},
        {SNP_OID_BASE "3.8", offsetof(struct snp_tcb, microcode)},
        {SNP_OID_BASE "3.9", offsetof(struct snp_tcb, fmc)},
    };
    for (size_t i = 0; i < sizeof(spl) / sizeof(spl[0]); i++) {
        r = ext_int(c, spl[i].oid, &v);
        if (r < 0 || (r && (v < 0 || v > 255)))
            return bad;
        if (r)
            ((uint8_t *)&info->tcb)[spl[i].off] = (uint8_t)v;
        if (r && i == 4)
            info->has_fmc = true;
    }
    const ASN1_OCTET_STRING *hw = ext_value(c, SNP_OID_BASE "4");
    if (hw) {
        int n = ASN1_STRING_length(hw);
        if (n <= 0 || n > 64)
            return bad;
        memcpy(info->hwid, ASN1_STRING_get0_data(hw), (size_t)n);
        info->hwid_len = (size_t)n;
    }
    r = ext_str(c, SNP_OID_BASE "5", info->csp_id, sizeof(info->csp_id));
    if (r < 0)
        return bad;
    info->vlek = r == 1;
    /* A VCEK names its chip; a VLEK its cloud provider. */
    if (!info->vlek && !info->hwid_len)
        return bad;
    return SWSEV_OK;
}

enum snp_product snp_product_from_name(const char *product)
{
    if (!strncmp(product, "Milan", 5))
        return SNP_MILAN;
    if (!strncmp(product, "Genoa", 5))
        return SNP_GENOA;
    if (!strncmp(product, "Turin", 5))
        return SNP_TURIN;
    return SNP_PRODUCT_UNKNOWN;
}

static int signed_by(X509 *c, X509 *issuer)
{
    EVP_PKEY *k = X509_get0_pubkey(issuer);
    return k && X509_verify(c, k) == 1;
}

static int is_rsa(X509 *c)
{
    EVP_PKEY *k = X509_get0_pubkey(c);
    return k && EVP_PKEY_is_a(k, "RSA");
}

enum snp_chain_result snp_chain_verify(X509 *ark, X509 *ask, X509 *leaf)
{
    if (!is_rsa(ark) || !signed_by(ark, ark))
        return SNP_CHAIN_ARK_BAD;
    if (!is_rsa(ask) || !signed_by(ask, ark))
        return SNP_CHAIN_ASK_BAD;
    if (!signed_by(leaf, ask))
        return SNP_CHAIN_LEAF_BAD;
    EVP_PKEY *k = X509_get0_pubkey(leaf);
    char group[32] = {0};
    size_t gl = 0;
    if (!k || !EVP_PKEY_is_a(k, "EC") ||
        !EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &gl) ||
        strcmp(group, "secp384r1"))
        return SNP_CHAIN_KEY_BAD;
    return SNP_CHAIN_OK;
}

const char *snp_chain_result_str(enum snp_chain_result r)
{
    switch (r) {
    case SNP_CHAIN_OK:
        return "chain verified";
    case SNP_CHAIN_ARK_BAD:
        return "ARK is not a correctly self-signed RSA certificate";
    case SNP_CHAIN_ASK_BAD:
        return "ASK/ASVK is not signed by the ARK";
    case SNP_CHAIN_LEAF_BAD:
        return "VCEK/VLEK is not signed by the ASK/ASVK";
    case SNP_CHAIN_KEY_BAD:
        return "VCEK/VLEK key is not EC P-384";
    }
    return "unknown result";
}
