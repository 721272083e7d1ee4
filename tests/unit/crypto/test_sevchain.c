/* SPDX-License-Identifier: MIT */
/* The SEV certificate formats and chain against genuine AMD data: the
 * Naples, Rome and Milan platform chains verify with the ARK/ASK of their
 * generation, and a one-byte change anywhere in any of their six files is
 * rejected (by the strict parser or by a signature). */
#include "testsupport.h"
#include "crypto/sevchain.h"

static const char *files[6] = {"ark.cert", "ask.cert", "cek.cert",
                               "oca.cert", "pek.cert", "pdh.cert"};

struct raw_chain {
    uint8_t *data[6];
    size_t len[6];
};

static void load(const char *gen, struct raw_chain *r)
{
    char rel[64];
    for (int i = 0; i < 6; i++) {
        snprintf(rel, sizeof(rel), "amd/sev/%s/%s", gen, files[i]);
        ts_read_file(ts_data_path(rel), &r->data[i], &r->len[i]);
    }
}

static void unload(struct raw_chain *r)
{
    for (int i = 0; i < 6; i++)
        free(r->data[i]);
}

/* Parse all six; 0 on success. */
static int parse(struct raw_chain *r, struct sev_chain *ch)
{
    if (amdcert_parse(r->data[0], r->len[0], false, &ch->ark) ||
        amdcert_parse(r->data[1], r->len[1], false, &ch->ask))
        return -1;
    struct sev_cert *pc[4] = {&ch->cek, &ch->oca, &ch->pek, &ch->pdh};
    for (int i = 0; i < 4; i++)
        if (sevcert_parse(r->data[2 + i], r->len[2 + i], pc[i]))
            return -1;
    return 0;
}

static void genuine_chains_verify(void **state)
{
    (void)state;
    const char *gens[] = {"naples", "rome", "milan"};
    for (int g = 0; g < 3; g++) {
        struct raw_chain r;
        struct sev_chain ch;
        load(gens[g], &r);
        assert_int_equal(parse(&r, &ch), 0);
        assert_int_equal(sev_chain_verify(&ch, SEV_CHAIN_AMD | SEV_CHAIN_PLATFORM), SEV_CHAIN_OK);
        assert_false(amdcert_is_test_root(&ch.ark));
        unload(&r);
    }
}

/* Which checks a file takes part in (so the sweep stays fast). */
static enum sev_chain_result check_for(int file, const struct sev_chain *ch)
{
    switch (file) {
    case 0: /* ARK signs itself and the ASK */
    case 1: /* ASK signs the CEK */
        return sev_chain_verify(ch, SEV_CHAIN_AMD);
    case 2: /* CEK: signed by the ASK, signs the PEK */
        if (sev_chain_verify(ch, SEV_CHAIN_AMD))
            return SEV_CHAIN_CEK_BAD;
        return sevcert_verify_by(&ch->pek, &ch->cek) ? SEV_CHAIN_PEK_CEK_BAD : SEV_CHAIN_OK;
    default:
        return sev_chain_verify(ch, SEV_CHAIN_PLATFORM);
    }
}

static void any_byte_change_is_rejected(void **state)
{
    (void)state;
    const char *gens[] = {"naples", "rome", "milan"};
    for (int g = 0; g < 3; g++) {
        struct raw_chain r;
        struct sev_chain ch;
        load(gens[g], &r);
        unsigned tried = 0, by_parser = 0;
        for (int f = 0; f < 6; f++) {
            for (size_t off = 0; off < r.len[f]; off++) {
                r.data[f][off] ^= 0x01;
                tried++;
                if (parse(&r, &ch) != 0)
                    by_parser++;
                else if (check_for(f, &ch) == SEV_CHAIN_OK)
                    fail_msg("%s/%s: byte 0x%zx changed and the chain still verifies", gens[g],
                             files[f], off);
                r.data[f][off] ^= 0x01;
            }
        }
        print_message("%s: %u one-byte changes rejected (%u by the parser)\n", gens[g], tried,
                      by_parser);
        unload(&r);
    }
}

static void naples_ark_without_signature(void **state)
{
    (void)state;
    uint8_t *body, *sig, *ark;
    size_t blen, slen, alen;
    ts_read_file(ts_data_path("amd/sev/naples/ark.cert.bad"), &body, &blen);
    ts_read_file(ts_data_path("amd/sev/naples/ark.cert.sig"), &sig, &slen);
    ts_read_file(ts_data_path("amd/sev/naples/ark.cert"), &ark, &alen);
    struct amd_cert c;
    assert_int_not_equal(amdcert_parse(body, blen, false, &c), SWSEV_OK);
    assert_int_equal(amdcert_parse(body, blen, true, &c), SWSEV_OK);
    assert_false(c.has_sig);
    assert_int_not_equal(amdcert_verify(&c, &c), SWSEV_OK); /* nothing to verify */
    /* body || sig is the signed ARK */
    uint8_t joined[0x340];
    assert_int_equal(blen + slen, sizeof(joined));
    memcpy(joined, body, blen);
    memcpy(joined + blen, sig, slen);
    assert_memory_equal(joined, ark, alen);
    assert_int_equal(amdcert_parse(joined, sizeof(joined), false, &c), SWSEV_OK);
    assert_int_equal(amdcert_verify(&c, &c), SWSEV_OK);
    free(body);
    free(sig);
    free(ark);
}

static void wrong_generation_or_role(void **state)
{
    (void)state;
    struct raw_chain rome, milan;
    struct sev_chain a, b;
    load("rome", &rome);
    load("milan", &milan);
    assert_int_equal(parse(&rome, &a), 0);
    assert_int_equal(parse(&milan, &b), 0);
    /* Milan's ASK does not sign Rome's CEK, and vice versa. */
    struct sev_chain mix = a;
    mix.ark = b.ark;
    mix.ask = b.ask;
    assert_int_equal(sev_chain_verify(&mix, SEV_CHAIN_AMD), SEV_CHAIN_CEK_BAD);
    mix = a;
    mix.ask = b.ask; /* ASK not from this ARK */
    assert_int_equal(sev_chain_verify(&mix, SEV_CHAIN_AMD), SEV_CHAIN_ASK_BAD);
    mix = a;
    mix.pdh = b.pdh;
    assert_int_equal(sev_chain_verify(&mix, SEV_CHAIN_PLATFORM), SEV_CHAIN_PDH_BAD);
    mix = a;
    mix.oca = b.oca;
    assert_int_equal(sev_chain_verify(&mix, SEV_CHAIN_PLATFORM), SEV_CHAIN_PEK_OCA_BAD);
    mix = a;
    mix.cek = b.cek;
    assert_int_equal(sev_chain_verify(&mix, SEV_CHAIN_PLATFORM), SEV_CHAIN_PEK_CEK_BAD);
    mix = a;
    mix.pek = a.pdh; /* a PDH where the PEK belongs */
    assert_int_equal(sev_chain_verify(&mix, SEV_CHAIN_PLATFORM), SEV_CHAIN_USAGE_BAD);
    mix = a;
    mix.ark = a.ask;
    assert_int_equal(sev_chain_verify(&mix, SEV_CHAIN_AMD), SEV_CHAIN_USAGE_BAD);
    assert_non_null(sev_chain_result_str(SEV_CHAIN_PDH_BAD));
    unload(&rome);
    unload(&milan);
}

static void truncated_and_oversized(void **state)
{
    (void)state;
    uint8_t *d;
    size_t n;
    struct sev_cert c;
    struct amd_cert a;
    ts_read_file(ts_data_path("amd/sev/rome/pek.cert"), &d, &n);
    assert_int_not_equal(sevcert_parse(d, n - 1, &c), SWSEV_OK);
    assert_int_not_equal(sevcert_parse(d, 0, &c), SWSEV_OK);
    uint8_t big[0x900] = {0};
    memcpy(big, d, n);
    assert_int_not_equal(sevcert_parse(big, sizeof(big), &c), SWSEV_OK);
    free(d);
    ts_read_file(ts_data_path("amd/sev/rome/ask.cert"), &d, &n);
    assert_int_not_equal(amdcert_parse(d, n - 1, true, &a), SWSEV_OK);
    assert_int_not_equal(amdcert_parse(d, 10, true, &a), SWSEV_OK);
    assert_int_not_equal(amdcert_parse(big, sizeof(big), true, &a), SWSEV_OK);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(genuine_chains_verify),
        cmocka_unit_test(any_byte_change_is_rejected),
        cmocka_unit_test(naples_ark_without_signature),
        cmocka_unit_test(wrong_generation_or_role),
        cmocka_unit_test(truncated_and_oversized),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
