/* SPDX-License-Identifier: MIT */
/* AMD-format certificates for swsev's keys: the chain verifies (with our
 * verifier and with OpenSSL's path validation), the extensions say what was
 * asked, the DER has the genuine certificates' shape field by field, every
 * one-byte change is refused, and every bad argument is. */
#include "testsupport.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/snp_cert.h"
#include "crypto/snp_vcek.h"
#include "crypto/snp_x509.h"
#include "swsev/fw.h"

static const uint8_t secret[32] = {0x5e, 0xc7, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06};

/* Wednesday 1 January 2025: inside every validity window of ours. */
#define VERIFY_TIME 1735689600

struct chain {
    enum snp_product p;
    X509 *ark, *ask, *asvk;
};

static void chain_init(struct chain *c, enum snp_product p)
{
    const struct ts_root *r = ts_test_root();
    c->p = p;
    assert_int_equal(snp_x509_ark(r->ark_key, p, &c->ark), SWSEV_OK);
    assert_int_equal(snp_x509_ask(r->ask_key, r->ark_key, c->ark, p, &c->ask), SWSEV_OK);
    /* The installation's ASK key doubles as its ASVK (docs/kds.md). */
    assert_int_equal(snp_x509_asvk(r->ask_key, r->ark_key, c->ark, p, &c->asvk), SWSEV_OK);
}

static void chain_fini(struct chain *c)
{
    X509_free(c->ark);
    X509_free(c->ask);
    X509_free(c->asvk);
}

static X509 *vcek_cert(struct chain *c, uint64_t tcb, EVP_PKEY **key_out)
{
    EVP_PKEY *k = NULL;
    uint8_t hwid[64];
    X509 *x = NULL;
    assert_int_equal(snp_vcek_derive(secret, tcb, c->p, &k), SWSEV_OK);
    assert_int_equal(snp_chip_id(secret, hwid), SWSEV_OK);
    assert_int_equal(snp_x509_vcek(k, tcb, c->p, hwid, ts_test_root()->ask_key, c->ask, &x),
                     SWSEV_OK);
    if (key_out)
        *key_out = k;
    else
        EVP_PKEY_free(k);
    return x;
}

static uint64_t default_tcb(const char *chip)
{
    struct fw_params p;
    fw_params_for_chip(&p, chip);
    return p.snp_tcb;
}

static X509 *load_genuine(const char *rel, size_t index)
{
    uint8_t *buf;
    size_t len, n = 0;
    X509 *c[4] = {NULL};
    ts_read_file(ts_data_path(rel), &buf, &len);
    assert_int_equal(snp_x509_load(buf, len, c, 4, &n), SWSEV_OK);
    free(buf);
    assert_true(index < n);
    for (size_t i = 0; i < n; i++)
        if (i != index)
            X509_free(c[i]);
    return c[index];
}

/* OpenSSL's own path validation (what `openssl verify` does), at a fixed
 * time; crl, when given, is checked against the leaf. */
static int openssl_verify(X509 *root, X509 *mid, X509 *leaf, X509_CRL *crl)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    assert_non_null(store);
    assert_non_null(ctx);
    assert_non_null(untrusted);
    assert_int_equal(X509_STORE_add_cert(store, root), 1);
    if (mid)
        assert_true(sk_X509_push(untrusted, mid) > 0);
    if (crl) {
        assert_int_equal(X509_STORE_add_crl(store, crl), 1);
        X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    }
    assert_int_equal(X509_STORE_CTX_init(ctx, store, leaf, untrusted), 1);
    X509_STORE_CTX_set_time(ctx, 0, VERIFY_TIME);
    int ok = X509_verify_cert(ctx);
    int err = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    X509_STORE_free(store);
    return err;
}

static void der_of_name(const X509_NAME *n, uint8_t **p, int *len)
{
    *p = NULL;
    *len = i2d_X509_NAME(n, p);
    assert_true(*len > 0);
}

static void assert_same_name(const X509_NAME *a, const X509_NAME *b)
{
    uint8_t *da, *db;
    int la, lb;
    der_of_name(a, &da, &la);
    der_of_name(b, &db, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, (size_t)la);
    OPENSSL_free(da);
    OPENSSL_free(db);
}

static void assert_same_alg(const X509_ALGOR *a, const X509_ALGOR *b)
{
    uint8_t *da = NULL, *db = NULL;
    int la = i2d_X509_ALGOR(a, &da), lb = i2d_X509_ALGOR(b, &db);
    assert_true(la > 0);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, (size_t)la);
    OPENSSL_free(da);
    OPENSSL_free(db);
}

/* Extensions whose value depends on the key or the chip. */
static bool key_dependent(const char *oid)
{
    return !strcmp(oid, "2.5.29.14") || !strcmp(oid, "2.5.29.35") || !strcmp(oid, SNP_OID_BASE "4");
}

/* ours against a genuine certificate of the same role: version, serial,
 * both signature algorithms byte for byte (as alg_model has them, when the
 * genuine certificate predates AMD's 2024 change of encoding), issuer and
 * subject byte for byte (RDN order and string types included), validity
 * encodings, key type and size, extensions (OIDs, order, criticality, values
 * except key IDs and hwID, whose lengths must match). */
static void assert_same_shape(X509 *ours, X509 *genuine, X509 *alg_model)
{
    assert_int_equal(X509_get_version(ours), X509_get_version(genuine));
    assert_int_equal(
        ASN1_INTEGER_cmp(X509_get0_serialNumber(ours), X509_get0_serialNumber(genuine)), 0);
    const X509_ALGOR *oa, *ga;
    const ASN1_BIT_STRING *os, *gs;
    X509_get0_signature(&os, &oa, ours);
    X509_get0_signature(&gs, &ga, alg_model ? alg_model : genuine);
    assert_same_alg(oa, ga);
    assert_same_alg(X509_get0_tbs_sigalg(ours), ga);
    assert_int_equal(ASN1_STRING_length(os), ASN1_STRING_length(gs));
    assert_same_name(X509_get_issuer_name(ours), X509_get_issuer_name(genuine));
    assert_same_name(X509_get_subject_name(ours), X509_get_subject_name(genuine));
    assert_int_equal(ASN1_STRING_type(X509_get0_notBefore(ours)),
                     ASN1_STRING_type(X509_get0_notBefore(genuine)));
    assert_int_equal(ASN1_STRING_type(X509_get0_notAfter(ours)),
                     ASN1_STRING_type(X509_get0_notAfter(genuine)));
    EVP_PKEY *ok = X509_get0_pubkey(ours), *gk = X509_get0_pubkey(genuine);
    assert_int_equal(EVP_PKEY_get_base_id(ok), EVP_PKEY_get_base_id(gk));
    assert_int_equal(EVP_PKEY_get_bits(ok), EVP_PKEY_get_bits(gk));
    int n = X509_get_ext_count(genuine);
    assert_int_equal(X509_get_ext_count(ours), n);
    for (int i = 0; i < n; i++) {
        X509_EXTENSION *oe = X509_get_ext(ours, i), *ge = X509_get_ext(genuine, i);
        char ooid[64], goid[64];
        OBJ_obj2txt(ooid, sizeof(ooid), X509_EXTENSION_get_object(oe), 1);
        OBJ_obj2txt(goid, sizeof(goid), X509_EXTENSION_get_object(ge), 1);
        assert_string_equal(ooid, goid);
        assert_int_equal(X509_EXTENSION_get_critical(oe), X509_EXTENSION_get_critical(ge));
        const ASN1_OCTET_STRING *ov = X509_EXTENSION_get_data(oe),
                                *gv = X509_EXTENSION_get_data(ge);
        assert_int_equal(ASN1_STRING_length(ov), ASN1_STRING_length(gv));
        if (!key_dependent(ooid))
            assert_memory_equal(ASN1_STRING_get0_data(ov), ASN1_STRING_get0_data(gv),
                                (size_t)ASN1_STRING_length(ov));
    }
}

static void milan_chain_verifies(void **state)
{
    (void)state;
    struct chain c;
    chain_init(&c, SNP_MILAN);
    uint64_t tcb = default_tcb("milan");
    X509 *v = vcek_cert(&c, tcb, NULL);
    assert_int_equal(snp_chain_verify(c.ark, c.ask, v), SNP_CHAIN_OK);
    assert_int_equal(openssl_verify(c.ark, c.ask, v, NULL), X509_V_OK);

    struct snp_vcek_info info;
    uint8_t hwid[64];
    assert_int_equal(snp_chip_id(secret, hwid), SWSEV_OK);
    assert_int_equal(snp_vcek_info(v, &info), SWSEV_OK);
    assert_int_equal(info.struct_version, 0);
    assert_string_equal(info.product, "Milan-B0");
    assert_int_equal(snp_product_from_name(info.product), SNP_MILAN);
    assert_int_equal(snp_tcb_encode(info.tcb, SNP_MILAN), tcb);
    assert_false(info.has_fmc);
    assert_false(info.vlek);
    assert_int_equal(info.hwid_len, 64);
    assert_memory_equal(info.hwid, hwid, 64);

    /* Not under AMD's root. */
    X509 *amd = load_genuine("amd/snp/chains/virtee_milan_ark.pem", 0);
    assert_int_equal(snp_chain_verify(amd, c.ask, v), SNP_CHAIN_ASK_BAD);
    assert_int_not_equal(openssl_verify(amd, c.ask, v, NULL), X509_V_OK);
    X509_free(amd);
    X509_free(v);
    chain_fini(&c);
}

/* A VCEK from AMD's KDS as it signs today (issued January 2025). */
#define CURRENT_VCEK "amd/snp/vcek/trustee_az_vcek-genoa.pem"

/* Each product against its genuine VCEK, ARK and ASK, with the genuine
 * certificate's TCB so that even the SPL values must come out equal. */
static void shape_of(enum snp_product p, const char *vcek_rel, uint64_t tcb, const char *ark_rel,
                     const char *ask_rel)
{
    struct chain c;
    chain_init(&c, p);
    X509 *v = vcek_cert(&c, tcb, NULL);
    X509 *gv = load_genuine(vcek_rel, 0), *gark = load_genuine(ark_rel, 0),
         *gask = load_genuine(ask_rel, 0), *now = load_genuine(CURRENT_VCEK, 0);
    assert_same_shape(v, gv, now);
    assert_same_shape(c.ark, gark, NULL);
    assert_same_shape(c.ask, gask, NULL);
    assert_int_equal(snp_chain_verify(c.ark, c.ask, v), SNP_CHAIN_OK);
    /* The AKID names the issuer's SKI, as AMD's do. */
    const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(c.ark);
    const ASN1_OCTET_STRING *akid = X509_get0_authority_key_id(c.ask);
    assert_non_null(ski);
    assert_non_null(akid);
    assert_int_equal(ASN1_OCTET_STRING_cmp(ski, akid), 0);
    X509_free(v);
    X509_free(gv);
    X509_free(gark);
    X509_free(gask);
    X509_free(now);
    chain_fini(&c);
}

static void shape_milan(void **state)
{
    (void)state;
    shape_of(SNP_MILAN, "amd/snp/vcek/virtee_vcek_milan.der", default_tcb("milan"),
             "amd/snp/chains/virtee_milan_ark.pem", "amd/snp/chains/virtee_milan_ask.pem");
}

static void shape_genoa(void **state)
{
    (void)state;
    shape_of(SNP_GENOA, "amd/snp/vcek/trustee_az_vcek-genoa.pem", default_tcb("genoa"),
             "amd/snp/chains/virtee_genoa_ark.pem", "amd/snp/chains/virtee_genoa_ask.pem");
}

/* Turin: structVersion 1, fmcSPL first, no spl_4, an 8-byte hwID. The
 * genuine Turin VCEK is at TCB fmc 0, bl 0, tee 0, snp 0, ucode 9. */
static void shape_turin(void **state)
{
    (void)state;
    struct snp_tcb t = {0, 0, 0, 0, 9};
    shape_of(SNP_TURIN, "amd/snp/vcek/virtee_vcek_turin.der", snp_tcb_encode(t, SNP_TURIN),
             "amd/snp/chains/virtee_turin_ark.pem", "amd/snp/chains/virtee_turin_ask.pem");
    struct chain c;
    chain_init(&c, SNP_TURIN);
    t = (struct snp_tcb){5, 1, 2, 3, 200};
    uint64_t tcb = snp_tcb_encode(t, SNP_TURIN);
    X509 *v = vcek_cert(&c, tcb, NULL);
    struct snp_vcek_info info;
    uint8_t hwid[64];
    assert_int_equal(snp_chip_id(secret, hwid), SWSEV_OK);
    assert_int_equal(snp_vcek_info(v, &info), SWSEV_OK);
    assert_int_equal(info.struct_version, 1);
    assert_true(info.has_fmc);
    assert_int_equal(snp_tcb_encode(info.tcb, SNP_TURIN), tcb);
    assert_int_equal(info.hwid_len, 8);
    assert_memory_equal(info.hwid, hwid, 8);
    X509_free(v);
    chain_fini(&c);
}

/* The genuine Milan VLEK: TCB bl 4, snp 24, ucode 217 (a two-byte INTEGER),
 * AWS's csp_id; its ASVK from go-sev-guest's test data. */
static void vlek_chain_and_shape(void **state)
{
    (void)state;
    struct chain c;
    chain_init(&c, SNP_MILAN);
    uint8_t seed[48];
    memset(seed, 0x42, sizeof(seed));
    EVP_PKEY *k = NULL;
    assert_int_equal(snp_vlek_key(seed, &k), SWSEV_OK);
    struct snp_tcb t = {0, 4, 0, 24, 217};
    uint64_t tcb = snp_tcb_encode(t, SNP_MILAN);
    const char *csp = "CN=cc-us-east-2.amazonaws.com";
    X509 *v = NULL;
    assert_int_equal(snp_x509_vlek(k, tcb, SNP_MILAN, csp, ts_test_root()->ask_key, c.asvk, &v),
                     SWSEV_OK);
    assert_int_equal(snp_chain_verify(c.ark, c.asvk, v), SNP_CHAIN_OK);
    assert_int_equal(openssl_verify(c.ark, c.asvk, v, NULL), X509_V_OK);
    struct snp_vcek_info info;
    assert_int_equal(snp_vcek_info(v, &info), SWSEV_OK);
    assert_true(info.vlek);
    assert_string_equal(info.csp_id, csp);
    assert_string_equal(info.product, "Milan");
    assert_int_equal(info.hwid_len, 0);
    assert_int_equal(snp_tcb_encode(info.tcb, SNP_MILAN), tcb);

    X509 *gv = load_genuine("amd/snp/vcek/trustee_test-vlek.der", 0);
    X509 *gasvk = load_genuine("amd/snp/chains/gosevguest_testdata_milanvlek_asvk_ark.pem", 0);
    assert_same_shape(v, gv, NULL);
    assert_same_shape(c.asvk, gasvk, NULL);
    X509_free(gv);
    X509_free(gasvk);
    X509_free(v);
    EVP_PKEY_free(k);
    chain_fini(&c);
}

static void tcb_selects_the_key(void **state)
{
    (void)state;
    struct chain c;
    chain_init(&c, SNP_MILAN);
    uint64_t tcb = default_tcb("milan");
    struct snp_tcb lower = snp_tcb_decode(tcb, SNP_MILAN);
    lower.snp--;
    X509 *a = vcek_cert(&c, tcb, NULL), *b = vcek_cert(&c, snp_tcb_encode(lower, SNP_MILAN), NULL);
    X509 *a2 = vcek_cert(&c, tcb, NULL);
    assert_int_not_equal(EVP_PKEY_eq(X509_get0_pubkey(a), X509_get0_pubkey(b)), 1);
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(a), X509_get0_pubkey(a2)), 1);
    assert_int_equal(snp_chain_verify(c.ark, c.ask, b), SNP_CHAIN_OK);
    struct snp_vcek_info info;
    assert_int_equal(snp_vcek_info(b, &info), SWSEV_OK);
    assert_int_equal(info.tcb.snp, lower.snp);
    X509_free(a);
    X509_free(a2);
    X509_free(b);
    chain_fini(&c);
}

/* Every one-byte change of what a certificate signs is refused: either it
 * no longer parses or its signature no longer verifies. */
/* Where the TBS of a DER certificate or CRL ends: it starts after the
 * outer header (4 bytes at these sizes); the algorithm and the signature
 * follow it. */
static size_t tbs_end(const uint8_t *der, size_t len)
{
    long tbs_len = 0;
    int tag, cls;
    const unsigned char *p = der + 4;
    assert_int_equal(der[1], 0x82);
    assert_false(ASN1_get_object(&p, &tbs_len, &tag, &cls, (long)len - 4) & 0x80);
    return (size_t)(p - der) + (size_t)tbs_len;
}

static void tamper_each_byte(X509 *cert, struct chain *c, enum snp_chain_result want)
{
    uint8_t *der;
    size_t len;
    assert_int_equal(snp_x509_to_der(cert, &der, &len), SWSEV_OK);
    size_t end = tbs_end(der, len);
    for (size_t i = 4; i < end; i++) {
        der[i] ^= 0x01;
        X509 *t[1];
        size_t n = 0;
        if (snp_x509_load(der, len, t, 1, &n) == SWSEV_OK) {
            X509 *ark = want == SNP_CHAIN_ARK_BAD ? t[0] : c->ark;
            X509 *ask = want == SNP_CHAIN_ASK_BAD ? t[0] : c->ask;
            X509 *leaf = want == SNP_CHAIN_LEAF_BAD ? t[0] : cert;
            assert_int_not_equal(snp_chain_verify(ark, ask, leaf), SNP_CHAIN_OK);
            X509_free(t[0]);
        }
        der[i] ^= 0x01;
    }
    /* And one in the signature. */
    der[len - 1] ^= 0x80;
    X509 *t[1];
    size_t n = 0;
    assert_int_equal(snp_x509_load(der, len, t, 1, &n), SWSEV_OK);
    X509 *ark = want == SNP_CHAIN_ARK_BAD ? t[0] : c->ark;
    X509 *ask = want == SNP_CHAIN_ASK_BAD ? t[0] : c->ask;
    X509 *leaf = want == SNP_CHAIN_LEAF_BAD ? t[0] : cert;
    assert_int_equal(snp_chain_verify(ark, ask, leaf), want);
    X509_free(t[0]);
    free(der);
}

static void tampering_is_refused(void **state)
{
    (void)state;
    struct chain c;
    chain_init(&c, SNP_MILAN);
    X509 *v = vcek_cert(&c, default_tcb("milan"), NULL);
    tamper_each_byte(v, &c, SNP_CHAIN_LEAF_BAD);
    tamper_each_byte(c.ask, &c, SNP_CHAIN_ASK_BAD);
    tamper_each_byte(c.ark, &c, SNP_CHAIN_ARK_BAD);
    X509_free(v);
    chain_fini(&c);
}

static void crl_is_signed_by_the_ark(void **state)
{
    (void)state;
    const struct ts_root *r = ts_test_root();
    struct chain c;
    chain_init(&c, SNP_GENOA);
    X509_CRL *crl = NULL;
    assert_int_equal(snp_x509_crl(r->ark_key, c.ark, &crl), SWSEV_OK);
    assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(c.ark)), 1);
    assert_int_equal(X509_CRL_get_version(crl), 1); /* v2 */
    assert_same_name(X509_CRL_get_issuer(crl), X509_get_subject_name(c.ark));
    STACK_OF(X509_REVOKED) *rev = X509_CRL_get_REVOKED(crl);
    assert_int_equal(rev ? sk_X509_REVOKED_num(rev) : 0, 0);
    const X509_ALGOR *alg;
    const ASN1_BIT_STRING *sig;
    X509_CRL_get0_signature(crl, &sig, &alg);
    X509 *now = load_genuine(CURRENT_VCEK, 0);
    assert_same_alg(alg, X509_get0_tbs_sigalg(now));
    X509_free(now);
    /* OpenSSL accepts it for the ASK (the ARK revokes ASKs). */
    assert_int_equal(openssl_verify(c.ark, NULL, c.ask, crl), X509_V_OK);

    uint8_t *der;
    size_t len;
    assert_int_equal(snp_x509_crl_to_der(crl, &der, &len), SWSEV_OK);
    for (size_t i = 4, end = tbs_end(der, len); i < end; i++) {
        der[i] ^= 0x01;
        const unsigned char *p = der;
        X509_CRL *t = d2i_X509_CRL(NULL, &p, (long)len);
        if (t)
            assert_int_not_equal(X509_CRL_verify(t, X509_get0_pubkey(c.ark)), 1);
        X509_CRL_free(t);
        der[i] ^= 0x01;
    }
    free(der);
    /* Not AMD's; and only the ARK's key signs for the ARK. */
    X509 *amd = load_genuine("amd/snp/chains/virtee_genoa_ark.pem", 0);
    assert_int_not_equal(X509_CRL_verify(crl, X509_get0_pubkey(amd)), 1);
    X509_free(amd);
    X509_CRL *other = (X509_CRL *)1;
    assert_int_equal(snp_x509_crl(r->ask_key, c.ark, &other), SWSEV_TOOL_ERR(SWSEV_E_INVAL));
    assert_null(other);
    X509_CRL_free(crl);
    chain_fini(&c);
}

/* The same keys give the same certificate, up to the PSS salt. */
static void reproducible(void **state)
{
    (void)state;
    const struct ts_root *r = ts_test_root();
    X509 *a = NULL, *b = NULL;
    assert_int_equal(snp_x509_ark(r->ark_key, SNP_MILAN, &a), SWSEV_OK);
    assert_int_equal(snp_x509_ark(r->ark_key, SNP_MILAN, &b), SWSEV_OK);
    uint8_t *da = NULL, *db = NULL;
    int la = i2d_re_X509_tbs(a, &da), lb = i2d_re_X509_tbs(b, &db);
    assert_true(la > 0);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, (size_t)la);
    assert_string_equal(snp_x509_product_name(SNP_MILAN), "Milan");
    OPENSSL_free(da);
    OPENSSL_free(db);

    /* PEM and DER of one certificate hold the same bytes. */
    char *pem;
    uint8_t *der;
    size_t plen, dlen, n;
    assert_int_equal(snp_x509_to_pem(a, &pem, &plen), SWSEV_OK);
    assert_int_equal(snp_x509_to_der(a, &der, &dlen), SWSEV_OK);
    assert_int_equal(strlen(pem), plen);
    X509 *back[1];
    assert_int_equal(snp_x509_load(pem, plen, back, 1, &n), SWSEV_OK);
    uint8_t *dback;
    size_t blen;
    assert_int_equal(snp_x509_to_der(back[0], &dback, &blen), SWSEV_OK);
    assert_int_equal(blen, dlen);
    assert_memory_equal(dback, der, dlen);
    free(dback);
    free(der);
    free(pem);
    X509_free(back[0]);
    X509_free(a);
    X509_free(b);
}

static void products(void **state)
{
    (void)state;
    assert_int_equal(snp_x509_product_parse("Milan"), SNP_MILAN);
    assert_int_equal(snp_x509_product_parse("Genoa"), SNP_GENOA);
    assert_int_equal(snp_x509_product_parse("Turin"), SNP_TURIN);
    assert_int_equal(snp_x509_product_parse("milan"), SNP_PRODUCT_UNKNOWN);
    assert_int_equal(snp_x509_product_parse("Milan-B0"), SNP_PRODUCT_UNKNOWN);
    assert_int_equal(snp_x509_product_parse(""), SNP_PRODUCT_UNKNOWN);
    assert_int_equal(snp_x509_product_parse(NULL), SNP_PRODUCT_UNKNOWN);
    assert_null(snp_x509_product_name(SNP_PRODUCT_UNKNOWN));
    assert_null(snp_x509_product_name((enum snp_product)99));
    assert_int_equal(snp_x509_hwid_len(SNP_GENOA), 64);
    assert_int_equal(snp_x509_hwid_len(SNP_TURIN), 8);
    assert_int_equal(snp_x509_hwid_len(SNP_PRODUCT_UNKNOWN), 0);
}

static void bad_arguments(void **state)
{
    (void)state;
    const swsev_rc inval = SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    const struct ts_root *r = ts_test_root();
    struct chain c;
    chain_init(&c, SNP_MILAN);
    EVP_PKEY *vk = NULL, *p256 = EVP_EC_gen("P-256");
    assert_non_null(p256);
    uint64_t tcb = default_tcb("milan");
    assert_int_equal(snp_vcek_derive(secret, tcb, SNP_MILAN, &vk), SWSEV_OK);
    uint8_t hwid[64] = {0};
    X509 *x = (X509 *)1;

    /* Unknown product, no output, wrong key types. */
    assert_int_equal(snp_x509_ark(r->ark_key, SNP_PRODUCT_UNKNOWN, &x), inval);
    assert_null(x);
    assert_int_equal(snp_x509_ark(r->ark_key, SNP_MILAN, NULL), inval);
    assert_int_equal(snp_x509_ark(vk, SNP_MILAN, &x), inval);
    assert_int_equal(snp_x509_ark(NULL, SNP_MILAN, &x), inval);
    assert_int_equal(snp_x509_ask(r->ask_key, r->ark_key, c.ark, (enum snp_product)7, &x), inval);
    assert_int_equal(snp_x509_ask(vk, r->ark_key, c.ark, SNP_MILAN, &x), inval);
    assert_int_equal(snp_x509_ask(r->ask_key, r->ark_key, c.ark, SNP_MILAN, NULL), inval);
    /* The signing key must be the issuer certificate's. */
    assert_int_equal(snp_x509_ask(r->ask_key, r->ask_key, c.ark, SNP_MILAN, &x), inval);
    assert_int_equal(snp_x509_asvk(r->ask_key, r->ark_key, NULL, SNP_MILAN, &x), inval);
    assert_int_equal(snp_x509_vcek(vk, tcb, SNP_MILAN, hwid, r->ark_key, c.ask, &x), inval);
    assert_int_equal(snp_x509_vcek(vk, tcb, SNP_MILAN, hwid, vk, c.ask, &x), inval);
    /* The certified key: P-384 only; a VCEK needs its hwID. */
    assert_int_equal(snp_x509_vcek(p256, tcb, SNP_MILAN, hwid, r->ask_key, c.ask, &x), inval);
    assert_int_equal(snp_x509_vcek(r->ask_key, tcb, SNP_MILAN, hwid, r->ask_key, c.ask, &x), inval);
    assert_int_equal(snp_x509_vcek(vk, tcb, SNP_MILAN, NULL, r->ask_key, c.ask, &x), inval);
    assert_int_equal(snp_x509_vcek(vk, tcb, SNP_PRODUCT_UNKNOWN, hwid, r->ask_key, c.ask, &x),
                     inval);
    assert_int_equal(snp_x509_vcek(vk, tcb, SNP_MILAN, hwid, r->ask_key, c.ask, NULL), inval);
    assert_null(x);
    /* csp_id: 1 to 63 printable characters. */
    char long_id[65];
    memset(long_id, 'a', 64);
    long_id[64] = 0;
    const char *bad_ids[] = {NULL, "", long_id, "CN=tab\there", "CN=\x80"};
    for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++)
        assert_int_equal(snp_x509_vlek(vk, tcb, SNP_MILAN, bad_ids[i], r->ask_key, c.asvk, &x),
                         inval);
    long_id[63] = 0;
    assert_int_equal(snp_x509_vlek(vk, tcb, SNP_MILAN, long_id, r->ask_key, c.asvk, &x), SWSEV_OK);
    X509_free(x);
    x = (X509 *)1;
    /* A public key where the private one is needed: signing fails. */
    EVP_PKEY *ark_pub = X509_get0_pubkey(c.ark);
    assert_int_not_equal(snp_x509_ask(r->ask_key, ark_pub, c.ark, SNP_MILAN, &x), SWSEV_OK);
    assert_null(x);
    x = (X509 *)1;
    assert_int_not_equal(snp_x509_ark(ark_pub, SNP_MILAN, &x), SWSEV_OK);
    assert_null(x);
    X509_CRL *crl = (X509_CRL *)1;
    assert_int_equal(snp_x509_crl(r->ark_key, NULL, &crl), inval);
    assert_null(crl);
    assert_int_equal(snp_x509_crl(r->ark_key, c.ark, NULL), inval);
    /* Encoders. */
    uint8_t *der;
    char *pem;
    size_t len;
    assert_int_equal(snp_x509_to_der(NULL, &der, &len), inval);
    assert_int_equal(snp_x509_to_pem(NULL, &pem, &len), inval);
    assert_int_equal(snp_x509_crl_to_der(NULL, &der, &len), inval);
    EVP_PKEY_free(vk);
    EVP_PKEY_free(p256);
    chain_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(milan_chain_verifies), cmocka_unit_test(shape_milan),
        cmocka_unit_test(shape_genoa),          cmocka_unit_test(shape_turin),
        cmocka_unit_test(vlek_chain_and_shape), cmocka_unit_test(tcb_selects_the_key),
        cmocka_unit_test(tampering_is_refused), cmocka_unit_test(crl_is_signed_by_the_ark),
        cmocka_unit_test(reproducible),         cmocka_unit_test(products),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
