/* SPDX-License-Identifier: MIT */
/* SEV-SNP evidence against genuine AMD data: every real report verifies
 * with its VCEK or VLEK, every VCEK/VLEK chains to its generation's ARK,
 * the TCB and chip ID in each report match the certificate's extensions,
 * and any one-byte change to a report, or a tampered VCEK, is refused. */
#include "testsupport.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/ecc.h"
#include "crypto/snp_cert.h"
#include "crypto/snp_report.h"

struct evidence {
    const char *report;
    size_t offset; /* the Azure HCL reports carry the SNP report at 0x20 */
    const char *leaf;
    const char *chain; /* ASK (or ASVK) then ARK */
    enum snp_product product;
    bool vlek;
};

static const struct evidence genuine[] = {
    {"gosevguest_attestation.bin", 0, "gosevguest_vcek.der", "gosevguest_ask_ark_milan.pem",
     SNP_MILAN, false},
    {"trustee_az_genoa_hcl-report.bin", 0x20, "trustee_az_vcek-genoa.pem",
     "gosevguest_ask_ark_genoa.pem", SNP_GENOA, false},
    {"trustee_az_hcl-report.bin", 0x20, "trustee_az_vcek_chain.pem", "gosevguest_ask_ark_milan.pem",
     SNP_MILAN, false},
    {"trustee_test-report.bin", 0, "trustee_test-vcek.der", "gosevguest_ask_ark_milan.pem",
     SNP_MILAN, false},
    {"trustee_test-vlek-report.bin", 0, "trustee_test-vlek.der",
     "gosevguest_ask_ark_milan_vlek.pem", SNP_MILAN, true},
    {"virtee_report_milan.bin", 0, "virtee_vcek_milan.der", "gosevguest_ask_ark_milan.pem",
     SNP_MILAN, false},
};
#define N_GENUINE (sizeof(genuine) / sizeof(genuine[0]))

static X509 *load_cert(const char *dir, const char *name, size_t index)
{
    char rel[128];
    uint8_t *buf;
    size_t len, n = 0;
    X509 *c[4] = {NULL, NULL, NULL, NULL};
    snprintf(rel, sizeof(rel), "amd/snp/%s/%s", dir, name);
    ts_read_file(ts_data_path(rel), &buf, &len);
    assert_int_equal(snp_x509_load(buf, len, c, 4, &n), SWSEV_OK);
    assert_true(index < n);
    X509 *out = c[index];
    for (size_t i = 0; i < n; i++)
        if (i != index)
            X509_free(c[i]);
    free(buf);
    return out;
}

static void load_report(const struct evidence *e, uint8_t raw[sizeof(struct snp_report)])
{
    char rel[128];
    uint8_t *buf;
    size_t len;
    snprintf(rel, sizeof(rel), "amd/snp/reports/%s", e->report);
    ts_read_file(ts_data_path(rel), &buf, &len);
    assert_true(len >= e->offset + sizeof(struct snp_report));
    memcpy(raw, buf + e->offset, sizeof(struct snp_report));
    free(buf);
}

static EVP_PKEY *leaf_key(X509 *leaf)
{
    EVP_PKEY *k = X509_get_pubkey(leaf);
    assert_non_null(k);
    return k;
}

static void genuine_reports_verify(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_GENUINE; i++) {
        const struct evidence *e = &genuine[i];
        uint8_t raw[sizeof(struct snp_report)];
        struct snp_report r;
        load_report(e, raw);
        assert_int_equal(snp_report_parse(raw, sizeof(raw), &r), SWSEV_OK);
        X509 *leaf = load_cert("vcek", e->leaf, 0);
        EVP_PKEY *k = leaf_key(leaf);
        if (snp_report_verify(&r, k) != SWSEV_OK)
            fail_msg("%s does not verify with %s", e->report, e->leaf);
        assert_int_equal(SNP_KEY_INFO_SIGNING_KEY(r.key_info), e->vlek ? 1u : 0u);
        if (r.version >= 3)
            assert_int_equal(snp_report_product(&r), e->product);
        EVP_PKEY_free(k);
        X509_free(leaf);
    }
}

static void genuine_chains_verify(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_GENUINE; i++) {
        const struct evidence *e = &genuine[i];
        X509 *leaf = load_cert("vcek", e->leaf, 0);
        X509 *ask = load_cert("chains", e->chain, 0);
        X509 *ark = load_cert("chains", e->chain, 1);
        assert_int_equal(snp_chain_verify(ark, ask, leaf), SNP_CHAIN_OK);
        /* The chain of the other generation does not sign it. */
        const char *other = e->product == SNP_GENOA ? "gosevguest_ask_ark_milan.pem"
                                                    : "gosevguest_ask_ark_genoa.pem";
        X509 *ask2 = load_cert("chains", other, 0);
        X509 *ark2 = load_cert("chains", other, 1);
        assert_int_equal(snp_chain_verify(ark2, ask2, leaf), SNP_CHAIN_LEAF_BAD);
        /* An ASK presented as its own root fails as the ARK. */
        assert_int_equal(snp_chain_verify(ask, ask, leaf), SNP_CHAIN_ARK_BAD);
        X509_free(ask2);
        X509_free(ark2);
        X509_free(leaf);
        X509_free(ask);
        X509_free(ark);
    }
}

/* The report's REPORTED_TCB and CHIP_ID are what the VCEK certifies; a VLEK
 * has no hwID but a csp_id, and its TCB still matches. */
static void tcb_and_chip_id_match_extensions(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_GENUINE; i++) {
        const struct evidence *e = &genuine[i];
        uint8_t raw[sizeof(struct snp_report)];
        struct snp_report r;
        struct snp_vcek_info info;
        load_report(e, raw);
        assert_int_equal(snp_report_parse(raw, sizeof(raw), &r), SWSEV_OK);
        X509 *leaf = load_cert("vcek", e->leaf, 0);
        assert_int_equal(snp_vcek_info(leaf, &info), SWSEV_OK);
        assert_int_equal(snp_product_from_name(info.product), e->product);
        assert_int_equal(info.vlek, e->vlek);
        struct snp_tcb t = snp_tcb_decode(r.reported_tcb, e->product);
        assert_int_equal(t.bootloader, info.tcb.bootloader);
        assert_int_equal(t.tee, info.tcb.tee);
        assert_int_equal(t.snp, info.tcb.snp);
        assert_int_equal(t.microcode, info.tcb.microcode);
        assert_int_equal(snp_tcb_encode(info.tcb, e->product), r.reported_tcb);
        if (e->vlek) {
            assert_int_equal(info.hwid_len, 0);
            assert_true(info.csp_id[0] != 0);
        } else {
            assert_int_equal(info.hwid_len, 64);
            assert_memory_equal(info.hwid, r.chip_id, 64);
        }
        X509_free(leaf);
    }
}

/* Every one-byte change of the signed part or of the signature is
 * refused, by the strict parser or by the signature. */
static void any_byte_change_is_refused(void **state)
{
    (void)state;
    const struct evidence *e = &genuine[0];
    uint8_t raw[sizeof(struct snp_report)];
    load_report(e, raw);
    X509 *leaf = load_cert("vcek", e->leaf, 0);
    EVP_PKEY *k = leaf_key(leaf);
    size_t refused = 0, total = 0;
    for (size_t off = 0; off < SNP_REPORT_SIGNED_LEN + 2 * 72; off++) {
        struct snp_report r;
        raw[off] ^= 0x01;
        total++;
        if (snp_report_parse(raw, sizeof(raw), &r) != SWSEV_OK ||
            snp_report_verify(&r, k) != SWSEV_OK)
            refused++;
        else
            fail_msg("a change at offset 0x%zx was accepted", off);
        raw[off] ^= 0x01;
    }
    assert_int_equal(refused, total);
    EVP_PKEY_free(k);
    X509_free(leaf);
}

static void wrong_key_is_refused(void **state)
{
    (void)state;
    uint8_t raw[sizeof(struct snp_report)];
    struct snp_report r;
    load_report(&genuine[0], raw);
    assert_int_equal(snp_report_parse(raw, sizeof(raw), &r), SWSEV_OK);
    X509 *other = load_cert("vcek", genuine[3].leaf, 0);
    EVP_PKEY *k = leaf_key(other);
    assert_int_not_equal(snp_report_verify(&r, k), SWSEV_OK);
    EVP_PKEY_free(k);
    X509_free(other);
}

static void tampered_vceks_fail_the_chain(void **state)
{
    (void)state;
    const char *bad[] = {"trustee_test-vcek-invalid-legacy.der",
                         "trustee_test-vcek-invalid-new.der"};
    X509 *ask = load_cert("chains", "gosevguest_ask_ark_milan.pem", 0);
    X509 *ark = load_cert("chains", "gosevguest_ask_ark_milan.pem", 1);
    for (size_t i = 0; i < 2; i++) {
        X509 *leaf = load_cert("vcek_tampered", bad[i], 0);
        assert_int_equal(snp_chain_verify(ark, ask, leaf), SNP_CHAIN_LEAF_BAD);
        X509_free(leaf);
    }
    X509_free(ask);
    X509_free(ark);
}

static void parser_refuses_malformed_reports(void **state)
{
    (void)state;
    uint8_t raw[sizeof(struct snp_report)];
    struct snp_report r;
    load_report(&genuine[0], raw);
    /* Too short, too long. */
    assert_int_not_equal(snp_report_parse(raw, sizeof(raw) - 1, &r), SWSEV_OK);
    assert_int_not_equal(snp_report_parse(raw, 0, &r), SWSEV_OK);
    /* Versions outside 2..5. */
    uint32_t saved;
    memcpy(&saved, raw, 4);
    for (uint32_t v = 0; v < 8; v++) {
        if (v >= 2 && v <= 5)
            continue;
        memcpy(raw, &v, 4);
        assert_int_not_equal(snp_report_parse(raw, sizeof(raw), &r), SWSEV_OK);
    }
    memcpy(raw, &saved, 4);
    /* An unknown signature algorithm. */
    raw[0x34] = 2;
    assert_int_not_equal(snp_report_parse(raw, sizeof(raw), &r), SWSEV_OK);
    raw[0x34] = 1;
    /* A reserved byte after the signature. */
    raw[0x4A0 - 1] = 1;
    assert_int_not_equal(snp_report_parse(raw, sizeof(raw), &r), SWSEV_OK);
    raw[0x4A0 - 1] = 0;
    assert_int_equal(snp_report_parse(raw, sizeof(raw), &r), SWSEV_OK);
}

/* Our signer produces what our verifier (and, in the integration test,
 * openssl) accepts; a report signed by one key fails with another. */
static void sign_then_verify(void **state)
{
    (void)state;
    uint8_t seed1[64], seed2[64];
    memset(seed1, 0x11, sizeof(seed1));
    memset(seed2, 0x22, sizeof(seed2));
    EVP_PKEY *k1 = NULL, *k2 = NULL;
    assert_int_equal(crypto_ecc_from_seed(seed1, &k1), SWSEV_OK);
    assert_int_equal(crypto_ecc_from_seed(seed2, &k2), SWSEV_OK);
    struct snp_report r;
    memset(&r, 0, sizeof(r));
    r.version = 3;
    r.signature_algo = 1;
    memset(r.report_data, 0xA5, sizeof(r.report_data));
    assert_int_equal(snp_report_sign(&r, k1), SWSEV_OK);
    assert_int_equal(snp_report_verify(&r, k1), SWSEV_OK);
    assert_int_not_equal(snp_report_verify(&r, k2), SWSEV_OK);
    /* The signature parses back through the strict parser. */
    struct snp_report back;
    assert_int_equal(snp_report_parse(&r, sizeof(r), &back), SWSEV_OK);
    EVP_PKEY_free(k1);
    EVP_PKEY_free(k2);
}

static void cert_loader_refuses_garbage(void **state)
{
    (void)state;
    X509 *c[2];
    size_t n = 0;
    static const uint8_t junk[] = {0x30, 0x82, 0x01, 0x00, 0x02};
    assert_int_not_equal(snp_x509_load(junk, sizeof(junk), c, 2, &n), SWSEV_OK);
    assert_int_not_equal(snp_x509_load("-----BEGIN CERTIFICATE-----\nAAAA\n", 34, c, 2, &n),
                         SWSEV_OK);
    assert_int_not_equal(snp_x509_load("", 0, c, 2, &n), SWSEV_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(genuine_reports_verify),
        cmocka_unit_test(genuine_chains_verify),
        cmocka_unit_test(tcb_and_chip_id_match_extensions),
        cmocka_unit_test(any_byte_change_is_refused),
        cmocka_unit_test(wrong_key_is_refused),
        cmocka_unit_test(tampered_vceks_fail_the_chain),
        cmocka_unit_test(parser_refuses_malformed_reports),
        cmocka_unit_test(sign_then_verify),
        cmocka_unit_test(cert_loader_refuses_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
