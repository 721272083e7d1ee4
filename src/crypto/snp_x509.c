/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/digest.h"
#include "crypto/rsapss.h"
#include "crypto/snp_cert.h"
#include "crypto/snp_x509.h"

#define INVAL SWSEV_TOOL_ERR(SWSEV_E_INVAL)
#define NOMEM SWSEV_TOOL_ERR(SWSEV_E_NOMEM)

/* AMD's signature AlgorithmIdentifiers, byte for byte: RSASSA-PSS, hash
 * SHA-384 with explicit NULL parameters, MGF1 with SHA-384, salt length 48.
 * The ARKs, ASKs and ASVKs (issued 2020-2023) also spell out trailerField 1,
 * the default; the KDS stopped doing so for VCEKs and VLEKs in 2024 (the
 * genuine ones issued since then have no trailerField; RFC 4055 wants it
 * omitted). OpenSSL would also omit the NULLs, so both are written here. */
static const uint8_t pss_alg_ca[] = {
    0x30, 0x46, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x39,
    0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
    0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
    0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
    0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x30, 0xa3, 0x03, 0x02, 0x01, 0x01,
};
static const uint8_t pss_alg_leaf[] = {
    0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30,
    0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
    0x02, 0x02, 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
    0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
    0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0xa2, 0x03, 0x02, 0x01, 0x30,
};

struct alg {
    const uint8_t *der;
    size_t len;
};
static const struct alg alg_ca = {pss_alg_ca, sizeof(pss_alg_ca)};
static const struct alg alg_leaf = {pss_alg_leaf, sizeof(pss_alg_leaf)};

/* Key usage and basic constraints as AMD encodes them. The ASK's key usage
 * (keyCertSign only) keeps a trailing zero bit (unused bits 1, not 2): not
 * minimal DER, but what every genuine ASK and ASVK carries. */
static const uint8_t ku_ark[] = {0x03, 0x02, 0x01, 0x06};       /* keyCertSign, cRLSign */
static const uint8_t ku_ask[] = {0x03, 0x02, 0x01, 0x04};       /* keyCertSign */
static const uint8_t bc_ark[] = {0x30, 0x03, 0x01, 0x01, 0xff}; /* CA */
static const uint8_t bc_ask[] = {0x30, 0x06, 0x01, 0x01,
                                 0xff, 0x02, 0x01, 0x00}; /* CA, pathlen 0 */

#define OID_SKI  "2.5.29.14"
#define OID_KU   "2.5.29.15"
#define OID_BC   "2.5.29.19"
#define OID_CRLD "2.5.29.31"
#define OID_AKID "2.5.29.35"

struct product_info {
    const char *name;      /* KDS URL name, CN suffixes, VLEK productName1 */
    const char *vcek_name; /* a VCEK's productName1 */
    long ark_serial, ask_serial, asvk_serial;
    unsigned struct_version;
    size_t hwid_len;
};

/* Serials, productName1 and hwID length of the genuine certificates: the
 * Milan VCEKs say "Milan-B0", the current Genoa and Turin ones carry no
 * stepping; Turin's VCEKs are structVersion 1 with an 8-byte hwID. */
static const struct product_info *product(enum snp_product p)
{
    static const struct product_info milan = {"Milan", "Milan-B0", 0x10000, 0x10001,
                                              0x10101, 0,          64};
    static const struct product_info genoa = {"Genoa", "Genoa", 0x20000, 0x20002, 0x20101, 0, 64};
    static const struct product_info turin = {"Turin", "Turin", 0x30000, 0x30001, 0x30101, 1, 8};
    switch (p) {
    case SNP_MILAN:
        return &milan;
    case SNP_GENOA:
        return &genoa;
    case SNP_TURIN:
        return &turin;
    default:
        return NULL;
    }
}

const char *snp_x509_product_name(enum snp_product p)
{
    const struct product_info *pi = product(p);
    return pi ? pi->name : NULL;
}

enum snp_product snp_x509_product_parse(const char *name)
{
    for (enum snp_product p = SNP_MILAN; p <= SNP_TURIN; p++)
        if (name && !strcmp(name, product(p)->name))
            return p;
    return SNP_PRODUCT_UNKNOWN;
}

size_t snp_x509_hwid_len(enum snp_product p)
{
    const struct product_info *pi = product(p);
    return pi ? pi->hwid_len : 0;
}

/* ---- a little DER writer for what OpenSSL cannot be told to encode ---- */

struct der {
    uint8_t *p;
    size_t len, cap;
    bool bad;
};

static void der_raw(struct der *d, const void *p, size_t n)
{
    if (d->bad)
        return;
    if (d->len + n > d->cap) {
        size_t cap = (d->len + n) * 2 + 64;
        uint8_t *np = realloc(d->p, cap);
        if (!np) {
            d->bad = true;
            return;
        }
        d->p = np;
        d->cap = cap;
    }
    memcpy(d->p + d->len, p, n);
    d->len += n;
}

/* Tag and length of an element with n content bytes. */
static void der_hdr(struct der *d, uint8_t tag, size_t n)
{
    uint8_t h[5] = {tag};
    size_t k = 0;
    if (n >= 0x1000000) {
        d->bad = true;
        return;
    }
    if (n < 0x80) {
        h[1] = (uint8_t)n;
        k = 2;
    } else {
        size_t bytes = n > 0xffff ? 3 : n > 0xff ? 2 : 1;
        h[1] = (uint8_t)(0x80 | bytes);
        for (size_t i = 0; i < bytes; i++)
            h[2 + i] = (uint8_t)(n >> (8 * (bytes - 1 - i)));
        k = 2 + bytes;
    }
    der_raw(d, h, k);
}

static size_t der_hdr_len(size_t n)
{
    return n < 0x80 ? 2 : n <= 0xff ? 3 : n <= 0xffff ? 4 : 5;
}

/* ---- keys ---- */

static bool is_rsa(EVP_PKEY *k)
{
    return k && EVP_PKEY_is_a(k, "RSA");
}

static bool is_p384(EVP_PKEY *k)
{
    char group[32] = {0};
    size_t gl = 0;
    return k && EVP_PKEY_is_a(k, "EC") &&
           EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                          &gl) &&
           !strcmp(group, "secp384r1");
}

/* signer must be the (RSA) key certified by issuer. */
static bool issuer_ok(EVP_PKEY *signer, X509 *issuer)
{
    EVP_PKEY *pub = issuer ? X509_get0_pubkey(issuer) : NULL;
    return is_rsa(signer) && pub && EVP_PKEY_eq(signer, pub) == 1;
}

/* RFC 5280's key identifier method 1, which AMD uses: SHA-1 of the
 * subjectPublicKey bits. */
static bool key_id(X509 *c, uint8_t id[20])
{
    unsigned n = 0;
    return X509_pubkey_digest(c, EVP_sha1(), id, &n) && n == 20;
}

/* The issuer's own subject key ID, so the AKID always matches it. */
static bool issuer_key_id(X509 *issuer, uint8_t id[64], size_t *n)
{
    const ASN1_OCTET_STRING *s = X509_get0_subject_key_id(issuer);
    if (s && ASN1_STRING_length(s) > 0 && ASN1_STRING_length(s) <= 64) {
        *n = (size_t)ASN1_STRING_length(s);
        memcpy(id, ASN1_STRING_get0_data(s), *n);
        return true;
    }
    *n = 20;
    return key_id(issuer, id);
}

/* ---- certificate pieces ---- */

/* OU, C, L, ST, O, CN, one RDN each, in AMD's order and string types. */
static X509_NAME *amd_name(const char *cn)
{
    static const struct {
        int nid, type;
        const char *v;
    } rdn[] = {
        {NID_organizationalUnitName, V_ASN1_UTF8STRING, "Engineering"},
        {NID_countryName, V_ASN1_PRINTABLESTRING, "US"},
        {NID_localityName, V_ASN1_UTF8STRING, "Santa Clara"},
        {NID_stateOrProvinceName, V_ASN1_UTF8STRING, "CA"},
        {NID_organizationName, V_ASN1_UTF8STRING, "Advanced Micro Devices"},
        {NID_commonName, V_ASN1_UTF8STRING, NULL},
    };
    X509_NAME *n = X509_NAME_new();
    for (size_t i = 0; n && i < sizeof(rdn) / sizeof(rdn[0]); i++) {
        const char *v = rdn[i].v ? rdn[i].v : cn;
        if (!X509_NAME_add_entry_by_NID(n, rdn[i].nid, rdn[i].type, (const unsigned char *)v, -1,
                                        -1, 0)) {
            X509_NAME_free(n);
            n = NULL;
        }
    }
    return n;
}

/* Everything but extensions and signature; issuer NULL: self-issued. */
static X509 *skeleton(EVP_PKEY *pub, const char *cn, X509 *issuer, long serial, time_t not_after)
{
    X509 *x = X509_new();
    X509_NAME *subject = amd_name(cn);
    bool ok = x && subject && X509_set_version(x, X509_VERSION_3) &&
              ASN1_INTEGER_set(X509_get_serialNumber(x), serial) &&
              X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject) &&
              X509_set_subject_name(x, subject) &&
              ASN1_TIME_set(X509_getm_notBefore(x), SNP_X509_NOT_BEFORE) &&
              ASN1_TIME_set(X509_getm_notAfter(x), not_after) && X509_set_pubkey(x, pub);
    X509_NAME_free(subject);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* An extension with the given extnValue contents, appended. */
static bool add_ext(X509 *x, const char *oid, bool critical, const uint8_t *val, size_t len)
{
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *s = ASN1_OCTET_STRING_new();
    X509_EXTENSION *e = NULL;
    if (o && s && ASN1_OCTET_STRING_set(s, val, (int)len))
        e = X509_EXTENSION_create_by_OBJ(NULL, o, critical, s);
    bool ok = e && X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(s);
    ASN1_OBJECT_free(o);
    return ok;
}

static bool add_ski(X509 *x)
{
    uint8_t v[22] = {0x04, 20};
    return key_id(x, v + 2) && add_ext(x, OID_SKI, false, v, sizeof(v));
}

static bool add_akid(X509 *x, X509 *issuer)
{
    uint8_t id[64], v[68];
    size_t n;
    if (!issuer_key_id(issuer, id, &n))
        return false;
    v[0] = 0x30;
    v[1] = (uint8_t)(n + 2);
    v[2] = 0x80; /* [0] keyIdentifier */
    v[3] = (uint8_t)n;
    memcpy(v + 4, id, n);
    return add_ext(x, OID_AKID, false, v, n + 4);
}

/* CRLDistributionPoints { DistributionPoint { fullName [0] { URI [6] } } }
 * at AMD's KDS (not the local one: the certificates do not depend on where
 * a KDS listens). */
static bool add_crl_dp(X509 *x, const char *kind, const char *name)
{
    char url[96];
    int u = snprintf(url, sizeof(url), "https://kdsintf.amd.com/%s/v1/%s/crl", kind, name);
    if (u <= 0 || (size_t)u >= sizeof(url))
        return false;
    uint8_t v[10 + sizeof(url)] = {0x30, (uint8_t)(u + 8), 0x30, (uint8_t)(u + 6),
                                   0xa0, (uint8_t)(u + 4), 0xa0, (uint8_t)(u + 2),
                                   0x86, (uint8_t)u};
    memcpy(v + 10, url, (size_t)u);
    return add_ext(x, OID_CRLD, false, v, (size_t)u + 10);
}

/* AMD's VCEK extensions: a DER INTEGER or IA5String inside extnValue. */
static bool add_int_ext(X509 *x, const char *oid, unsigned v)
{
    uint8_t b[4] = {0x02, 1, (uint8_t)v, 0};
    size_t n = 3;
    if (v >= 0x80) { /* a leading zero keeps the INTEGER positive */
        b[1] = 2;
        b[2] = 0;
        b[3] = (uint8_t)v;
        n = 4;
    }
    return add_ext(x, oid, false, b, n);
}

static bool add_ia5_ext(X509 *x, const char *oid, const char *s)
{
    uint8_t b[2 + 127] = {0x16};
    size_t n = strlen(s);
    if (n > 127)
        return false;
    b[1] = (uint8_t)n;
    memcpy(b + 2, s, n);
    return add_ext(x, oid, false, b, n + 2);
}

/* ---- signing ---- */

/* SEQUENCE { tbs, AMD's algorithm, BIT STRING { RSASSA-PSS(tbs) } }: the
 * outer shape of a Certificate and of a CertificateList. */
static swsev_rc sign_wrap(const uint8_t *tbs, size_t tbs_len, const struct alg *alg,
                          EVP_PKEY *signer, uint8_t **out, size_t *out_len)
{
    size_t slen = crypto_rsa_size(signer);
    uint8_t *sig = slen ? malloc(slen) : NULL;
    if (!sig)
        return slen ? NOMEM : INVAL;
    swsev_rc rc = crypto_rsapss_sign_be(signer, CRYPTO_SHA384, tbs, tbs_len, sig);
    struct der d = {0};
    if (!rc) {
        der_hdr(&d, 0x30, tbs_len + alg->len + der_hdr_len(slen + 1) + slen + 1);
        der_raw(&d, tbs, tbs_len);
        der_raw(&d, alg->der, alg->len);
        der_hdr(&d, 0x03, slen + 1);
        der_raw(&d, "", 1); /* no unused bits */
        der_raw(&d, sig, slen);
        if (d.bad)
            rc = NOMEM;
    }
    free(sig);
    if (rc) {
        free(d.p);
        return rc;
    }
    *out = d.p;
    *out_len = d.len;
    return SWSEV_OK;
}

/* Sign x with signer and return the certificate decoded from its DER, so
 * that what callers hold is exactly what is serialised. */
static swsev_rc finish_cert(X509 *x, const struct alg *alg, EVP_PKEY *signer, X509 **out)
{
    const unsigned char *ap = alg->der;
    X509_ALGOR *amd = d2i_X509_ALGOR(NULL, &ap, (long)alg->len);
    /* OpenSSL 3.0 sets a certificate's inner signature algorithm only while
     * signing, in its own encoding; the field is an ordinary member of x, so
     * it is overwritten in place before the TBS is encoded. */
    X509_ALGOR *tbs_alg = (X509_ALGOR *)X509_get0_tbs_sigalg(x);
    unsigned char *tbs = NULL;
    int n = amd && X509_ALGOR_copy(tbs_alg, amd) ? i2d_re_X509_tbs(x, &tbs) : -1;
    X509_ALGOR_free(amd);
    X509_free(x);
    if (n <= 0)
        return NOMEM;
    uint8_t *der = NULL;
    size_t len = 0;
    swsev_rc rc = sign_wrap(tbs, (size_t)n, alg, signer, &der, &len);
    OPENSSL_free(tbs);
    if (rc)
        return rc;
    const unsigned char *p = der;
    *out = d2i_X509(NULL, &p, (long)len);
    if (*out && p != der + len) {
        X509_free(*out);
        *out = NULL;
    }
    free(der);
    return *out ? SWSEV_OK : SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
}

/* ---- the certificates ---- */

swsev_rc snp_x509_ark(EVP_PKEY *ark_key, enum snp_product p, X509 **out)
{
    const struct product_info *pi = product(p);
    if (!out)
        return INVAL;
    *out = NULL;
    if (!pi || !is_rsa(ark_key))
        return INVAL;
    char cn[32];
    snprintf(cn, sizeof(cn), "ARK-%s", pi->name);
    X509 *x = skeleton(ark_key, cn, NULL, pi->ark_serial, SNP_X509_CA_NOT_AFTER);
    bool ok = x && add_ext(x, OID_KU, true, ku_ark, sizeof(ku_ark)) && add_ski(x) &&
              add_ext(x, OID_BC, true, bc_ark, sizeof(bc_ark)) && add_crl_dp(x, "vcek", pi->name);
    if (!ok) {
        X509_free(x);
        return NOMEM;
    }
    return finish_cert(x, &alg_ca, ark_key, out);
}

/* The ASK and the ASVK differ in name, serial and CRL location only. */
static swsev_rc intermediate(EVP_PKEY *key, EVP_PKEY *ark_key, X509 *ark, enum snp_product p,
                             bool vlek, X509 **out)
{
    const struct product_info *pi = product(p);
    if (!out)
        return INVAL;
    *out = NULL;
    if (!pi || !is_rsa(key) || !issuer_ok(ark_key, ark))
        return INVAL;
    char cn[32];
    snprintf(cn, sizeof(cn), vlek ? "SEV-VLEK-%s" : "SEV-%s", pi->name);
    X509 *x =
        skeleton(key, cn, ark, vlek ? pi->asvk_serial : pi->ask_serial, SNP_X509_CA_NOT_AFTER);
    bool ok = x && add_ski(x) && add_akid(x, ark) &&
              add_ext(x, OID_BC, true, bc_ask, sizeof(bc_ask)) &&
              add_ext(x, OID_KU, true, ku_ask, sizeof(ku_ask)) &&
              add_crl_dp(x, vlek ? "vlek" : "vcek", pi->name);
    if (!ok) {
        X509_free(x);
        return NOMEM;
    }
    return finish_cert(x, &alg_ca, ark_key, out);
}

swsev_rc snp_x509_ask(EVP_PKEY *ask_key, EVP_PKEY *ark_key, X509 *ark, enum snp_product p,
                      X509 **out)
{
    return intermediate(ask_key, ark_key, ark, p, false, out);
}

swsev_rc snp_x509_asvk(EVP_PKEY *asvk_key, EVP_PKEY *ark_key, X509 *ark, enum snp_product p,
                       X509 **out)
{
    return intermediate(asvk_key, ark_key, ark, p, true, out);
}

enum spl_field { SPL_RESERVED, SPL_BL, SPL_TEE, SPL_SNP, SPL_UCODE, SPL_FMC };

struct spl_ext {
    const char *oid;
    enum spl_field field;
};

/* The SPL extensions in the order of the genuine certificates. Milan and
 * Genoa (structVersion 0): the reserved spl_4..7 sit between teeSPL and
 * snpSPL. Turin (structVersion 1): fmcSPL first, no spl_4. */
static const struct spl_ext spl_v0[] = {
    {SNP_OID_BASE "3.1", SPL_BL},       {SNP_OID_BASE "3.2", SPL_TEE},
    {SNP_OID_BASE "3.4", SPL_RESERVED}, {SNP_OID_BASE "3.5", SPL_RESERVED},
    {SNP_OID_BASE "3.6", SPL_RESERVED}, {SNP_OID_BASE "3.7", SPL_RESERVED},
    {SNP_OID_BASE "3.3", SPL_SNP},      {SNP_OID_BASE "3.8", SPL_UCODE},
};
static const struct spl_ext spl_v1[] = {
    {SNP_OID_BASE "3.9", SPL_FMC},      {SNP_OID_BASE "3.1", SPL_BL},
    {SNP_OID_BASE "3.2", SPL_TEE},      {SNP_OID_BASE "3.3", SPL_SNP},
    {SNP_OID_BASE "3.5", SPL_RESERVED}, {SNP_OID_BASE "3.6", SPL_RESERVED},
    {SNP_OID_BASE "3.7", SPL_RESERVED}, {SNP_OID_BASE "3.8", SPL_UCODE},
};

static unsigned spl_value(const struct snp_tcb *t, enum spl_field f)
{
    switch (f) {
    case SPL_BL:
        return t->bootloader;
    case SPL_TEE:
        return t->tee;
    case SPL_SNP:
        return t->snp;
    case SPL_UCODE:
        return t->microcode;
    case SPL_FMC:
        return t->fmc;
    default:
        return 0; /* the KDS URL has no parameter for the reserved bytes */
    }
}

static bool csp_id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 63) /* snp_vcek_info keeps 63 */
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7e)
            return false;
    return true;
}

/* A VCEK (hwid) or a VLEK (csp_id). */
static swsev_rc leaf(EVP_PKEY *key, uint64_t tcb, enum snp_product p, const uint8_t *hwid,
                     const char *csp_id, EVP_PKEY *signer, X509 *issuer, X509 **out)
{
    const struct product_info *pi = product(p);
    if (!out)
        return INVAL;
    *out = NULL;
    if (!pi || !is_p384(key) || !issuer_ok(signer, issuer) || (!csp_id && !hwid) ||
        (csp_id && !csp_id_ok(csp_id)))
        return INVAL;
    X509 *x = skeleton(key, csp_id ? "SEV-VLEK" : "SEV-VCEK", issuer, 0, SNP_X509_KEY_NOT_AFTER);
    struct snp_tcb t = snp_tcb_decode(tcb, p);
    const struct spl_ext *spl = pi->struct_version ? spl_v1 : spl_v0;
    bool ok = x && add_int_ext(x, SNP_OID_BASE "1", pi->struct_version) &&
              add_ia5_ext(x, SNP_OID_BASE "2", csp_id ? pi->name : pi->vcek_name);
    for (size_t i = 0; ok && i < sizeof(spl_v0) / sizeof(spl_v0[0]); i++)
        ok = add_int_ext(x, spl[i].oid, spl_value(&t, spl[i].field));
    if (ok && csp_id)
        ok = add_ia5_ext(x, SNP_OID_BASE "5", csp_id);
    else if (ok)
        ok = add_ext(x, SNP_OID_BASE "4", false, hwid, pi->hwid_len);
    if (!ok) {
        X509_free(x);
        return NOMEM;
    }
    return finish_cert(x, &alg_leaf, signer, out);
}

swsev_rc snp_x509_vcek(EVP_PKEY *vcek, uint64_t tcb, enum snp_product p, const uint8_t hwid[64],
                       EVP_PKEY *ask_key, X509 *ask, X509 **out)
{
    return leaf(vcek, tcb, p, hwid, NULL, ask_key, ask, out);
}

swsev_rc snp_x509_vlek(EVP_PKEY *vlek, uint64_t tcb, enum snp_product p, const char *csp_id,
                       EVP_PKEY *asvk_key, X509 *asvk, X509 **out)
{
    return leaf(vlek, tcb, p, NULL, csp_id, asvk_key, asvk, out);
}

/* ---- the CRL ---- */

/* TBSCertList { v2, the algorithm of what the KDS signs today (no
 * trailerField), ARK's name, thisUpdate, nextUpdate, [0] {
 * authorityKeyIdentifier, cRLNumber 1 } }, no revoked certificates.
 * Written out by hand: OpenSSL 3.0 offers no way to set a CRL's inner
 * signature algorithm except signing with its own encoding. */
swsev_rc snp_x509_crl(EVP_PKEY *ark_key, X509 *ark, X509_CRL **out)
{
    if (!out)
        return INVAL;
    *out = NULL;
    if (!issuer_ok(ark_key, ark))
        return INVAL;
    uint8_t id[64];
    size_t idn = 0;
    unsigned char *name = NULL, *t1 = NULL, *t2 = NULL;
    ASN1_TIME *this_upd = ASN1_TIME_set(NULL, SNP_X509_NOT_BEFORE),
              *next_upd = ASN1_TIME_set(NULL, SNP_X509_CA_NOT_AFTER);
    int nn = i2d_X509_NAME(X509_get_subject_name(ark), &name);
    int n1 = this_upd ? i2d_ASN1_TIME(this_upd, &t1) : -1;
    int n2 = next_upd ? i2d_ASN1_TIME(next_upd, &t2) : -1;
    ASN1_TIME_free(this_upd);
    ASN1_TIME_free(next_upd);
    swsev_rc rc = NOMEM;
    struct der tbs = {0};
    if (nn > 0 && n1 > 0 && n2 > 0 && issuer_key_id(ark, id, &idn)) {
        static const uint8_t version[] = {0x02, 0x01, 0x01};
        static const uint8_t crl_number[] = {0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d,
                                             0x14, 0x04, 0x03, 0x02, 0x01, 0x01};
        /* id is at most 64 bytes: every length below fits one byte. */
        const uint8_t akid_hdr[] = {0x30,
                                    (uint8_t)(idn + 11),
                                    0x06,
                                    0x03,
                                    0x55,
                                    0x1d,
                                    0x23,
                                    0x04,
                                    (uint8_t)(idn + 4),
                                    0x30,
                                    (uint8_t)(idn + 2),
                                    0x80,
                                    (uint8_t)idn};
        size_t exts = sizeof(akid_hdr) + idn + sizeof(crl_number);
        size_t body =
            sizeof(version) + alg_leaf.len + (size_t)nn + (size_t)n1 + (size_t)n2 + 4 + exts;
        der_hdr(&tbs, 0x30, body);
        der_raw(&tbs, version, sizeof(version));
        der_raw(&tbs, alg_leaf.der, alg_leaf.len);
        der_raw(&tbs, name, (size_t)nn);
        der_raw(&tbs, t1, (size_t)n1);
        der_raw(&tbs, t2, (size_t)n2);
        der_hdr(&tbs, 0xa0, exts + 2);
        der_hdr(&tbs, 0x30, exts);
        der_raw(&tbs, akid_hdr, sizeof(akid_hdr));
        der_raw(&tbs, id, idn);
        der_raw(&tbs, crl_number, sizeof(crl_number));
        rc = tbs.bad ? NOMEM : SWSEV_OK;
    }
    OPENSSL_free(name);
    OPENSSL_free(t1);
    OPENSSL_free(t2);
    uint8_t *der = NULL;
    size_t len = 0;
    if (!rc)
        rc = sign_wrap(tbs.p, tbs.len, &alg_leaf, ark_key, &der, &len);
    free(tbs.p);
    if (rc)
        return rc;
    const unsigned char *p = der;
    *out = d2i_X509_CRL(NULL, &p, (long)len);
    if (*out && p != der + len) {
        X509_CRL_free(*out);
        *out = NULL;
    }
    free(der);
    return *out ? SWSEV_OK : SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
}

/* ---- encodings ---- */

swsev_rc snp_x509_to_der(X509 *c, uint8_t **out, size_t *len)
{
    int n = c ? i2d_X509(c, NULL) : -1;
    if (n <= 0)
        return INVAL;
    uint8_t *buf = malloc((size_t)n);
    unsigned char *p = buf;
    if (!buf || i2d_X509(c, &p) != n) {
        free(buf);
        return NOMEM;
    }
    *out = buf;
    *len = (size_t)n;
    return SWSEV_OK;
}

swsev_rc snp_x509_crl_to_der(X509_CRL *c, uint8_t **out, size_t *len)
{
    int n = c ? i2d_X509_CRL(c, NULL) : -1;
    if (n <= 0)
        return INVAL;
    uint8_t *buf = malloc((size_t)n);
    unsigned char *p = buf;
    if (!buf || i2d_X509_CRL(c, &p) != n) {
        free(buf);
        return NOMEM;
    }
    *out = buf;
    *len = (size_t)n;
    return SWSEV_OK;
}

swsev_rc snp_x509_to_pem(X509 *c, char **out, size_t *len)
{
    if (!c)
        return INVAL;
    BIO *b = BIO_new(BIO_s_mem());
    char *data = NULL;
    long n = b && PEM_write_bio_X509(b, c) ? BIO_get_mem_data(b, &data) : 0;
    char *s = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (s) {
        memcpy(s, data, (size_t)n);
        s[n] = 0;
        *out = s;
        *len = (size_t)n;
    }
    BIO_free(b);
    return s ? SWSEV_OK : NOMEM;
}
