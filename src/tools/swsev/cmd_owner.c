/* SPDX-License-Identifier: MIT */
/*
 * The guest owner's offline commands:
 *   swsev verify-chain DIR
 *   swsev session --pdh FILE --policy N --out PREFIX
 *   swsev measure --keys PREFIX --policy N --api MAJ.MIN --build N
 *                 (--digest HEX | --image FILE) [--measurement FILE]
 *   swsev secret --keys PREFIX --measurement FILE --api MAJ.MIN --in FILE --out PREFIX
 * Session files are those of sevctl: PREFIX_godh.b64 and PREFIX_session.b64
 * (base64, as QEMU's dh-cert-file and session-file want them), and the
 * owner's PREFIX_tek.bin and PREFIX_tik.bin (16 bytes each, mode 0600).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "crypto/sevchain.h"
#include "crypto/sev_owner.h"
#include "swsev/abi/sev_cmd.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/util.h"

/* ---- verify-chain ---- */

static void usage_verify(FILE *f)
{
    fprintf(f, "usage: swsev verify-chain DIR [--json]\n\n"
               "Verifies the SEV certificate chain in DIR: ark.cert, ask.cert, cek.cert,\n"
               "oca.cert, pek.cert and pdh.cert (the names of 'swsev platform export' and\n"
               "'sevctl export --full'). With only some present, the parts that can be\n"
               "checked are. Exits 0 when the chain verifies, 1 when a link fails.\n");
}

static int load_cert(const char *dir, const char *name, uint8_t **buf, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (access(path, F_OK) != 0)
        return 1; /* absent */
    return read_file("verify-chain", path, 0x1000, buf, len) ? -1 : 0;
}

int cmd_verify_chain(int argc, char **argv)
{
    const char *cmd = "verify-chain";
    struct common_opts co;
    char *pos[1];
    int npos;
    int r = parse_opts(cmd, argc, argv, &co, NULL, pos, 1, &npos, usage_verify);
    if (r)
        return PARSE_EXIT(r);
    if (npos != 1)
        return cli_error(cmd, "expected the directory (try --help)");
    static const char *names[6] = {"ark.cert", "ask.cert", "cek.cert",
                                   "oca.cert", "pek.cert", "pdh.cert"};
    uint8_t *buf[6] = {0};
    size_t len[6] = {0};
    int have[6];
    for (int i = 0; i < 6; i++) {
        have[i] = load_cert(pos[0], names[i], &buf[i], &len[i]);
        if (have[i] < 0)
            return CLI_EXIT_USAGE;
    }
    struct sev_chain ch;
    memset(&ch, 0, sizeof(ch));
    unsigned parts = 0;
    int rc = CLI_EXIT_OK;
    const char *bad = NULL;
    if (have[0] == 0 && have[1] == 0 && have[2] == 0) {
        parts |= SEV_CHAIN_AMD;
        if (amdcert_parse(buf[0], len[0], false, &ch.ark))
            bad = "ark.cert";
        else if (amdcert_parse(buf[1], len[1], false, &ch.ask))
            bad = "ask.cert";
    }
    if (have[2] == 0 && have[3] == 0 && have[4] == 0 && have[5] == 0)
        parts |= SEV_CHAIN_PLATFORM;
    struct sev_cert *pc[4] = {&ch.cek, &ch.oca, &ch.pek, &ch.pdh};
    for (int i = 2; i < 6 && !bad; i++)
        if (have[i] == 0 && sevcert_parse(buf[i], len[i], pc[i - 2]))
            bad = names[i];
    for (int i = 0; i < 6; i++)
        free(buf[i]);
    if (bad) {
        fprintf(stderr, "swsev: %s: %s/%s is not a valid certificate\n", cmd, pos[0], bad);
        return CLI_EXIT_FAILURE;
    }
    if (!parts)
        return cli_error(cmd, "%s holds neither ark/ask/cek nor cek/oca/pek/pdh", pos[0]);
    enum sev_chain_result res = sev_chain_verify(&ch, parts);
    bool test_root = (parts & SEV_CHAIN_AMD) && amdcert_is_test_root(&ch.ark);
    if (co.json) {
        struct json j;
        json_open(&j, stdout);
        json_bool(&j, "ok", res == SEV_CHAIN_OK);
        json_str(&j, "result", sev_chain_result_str(res));
        json_bool(&j, "amd_part", parts & SEV_CHAIN_AMD);
        json_bool(&j, "platform_part", parts & SEV_CHAIN_PLATFORM);
        json_bool(&j, "test_root", test_root);
        json_close(&j);
    } else {
        if (parts & SEV_CHAIN_AMD)
            printf("ARK -> ASK -> CEK: %s\n",
                   res == SEV_CHAIN_OK || res > SEV_CHAIN_CEK_BAD ? "verified" : "FAILED");
        if (parts & SEV_CHAIN_PLATFORM)
            printf("OCA -> PEK <- CEK, PEK -> PDH: %s\n", res == SEV_CHAIN_OK       ? "verified"
                                                          : res > SEV_CHAIN_CEK_BAD ? "FAILED"
                                                                                    : "-");
        printf("%s\n", sev_chain_result_str(res));
        if (test_root)
            printf("note: the ARK is swsev's generated test root, not AMD's\n");
    }
    if (res != SEV_CHAIN_OK)
        rc = CLI_EXIT_FAILURE;
    return rc;
}

/* ---- session ---- */

static void usage_session(FILE *f)
{
    fprintf(f, "usage: swsev session --pdh FILE --policy N --out PREFIX\n\n"
               "As the guest owner, makes a launch session for the platform whose PDH\n"
               "certificate is FILE: PREFIX_godh.b64 and PREFIX_session.b64 for the VMM\n"
               "(QEMU's dh-cert-file and session-file), PREFIX_tek.bin and PREFIX_tik.bin\n"
               "for the owner (keep them secret).\n");
}

static int split_prefix(const char *prefix, char *dir, size_t dlen, const char **base)
{
    snprintf(dir, dlen, "%s", prefix);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = 0;
        *base = prefix + (slash - dir) + 1;
    } else {
        snprintf(dir, dlen, ".");
        *base = prefix;
    }
    return **base ? 0 : -1;
}

int cmd_session(int argc, char **argv)
{
    const char *cmd = "session";
    struct common_opts co;
    const char *pdh_path = NULL, *pol = NULL, *out = NULL;
    const struct opt extra[] = {
        {"pdh", &pdh_path, NULL}, {"policy", &pol, NULL}, {"out", &out, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int r = parse_opts(cmd, argc, argv, &co, extra, pos, 0, &npos, usage_session);
    if (r)
        return PARSE_EXIT(r);
    uint32_t policy;
    if (!pdh_path || !pol || !out)
        return cli_error(cmd, "--pdh, --policy and --out are required (try --help)");
    if (!parse_u32(pol, &policy))
        return cli_error(cmd, "--policy wants a 32-bit number, not '%s'", pol);
    uint8_t raw[SEV_CERT_SIZE];
    struct sev_cert pdh;
    if (read_exact(cmd, pdh_path, raw, sizeof(raw)))
        return CLI_EXIT_USAGE;
    if (sevcert_parse(raw, sizeof(raw), &pdh) || pdh.pubkey_usage != SEV_USAGE_PDH)
        return cli_error(cmd, "%s is not a PDH certificate", pdh_path);
    struct crypto_drbg *rng;
    struct sev_owner_session s;
    if (crypto_drbg_new(&rng, NULL, 0))
        return cli_error(cmd, "no random generator");
    swsev_rc rc = sev_owner_session_new(rng, &pdh, policy, &s);
    crypto_drbg_free(rng);
    if (rc)
        return cli_error(cmd, "cannot make the session: %s", swsev_strerror(rc));
    char dir[4096], name[4200];
    const char *base;
    if (split_prefix(out, dir, sizeof(dir), &base))
        return cli_error(cmd, "--out wants a file prefix, not '%s'", out);
    char *godh = base64_encode((uint8_t *)&s.dh_cert, sizeof(s.dh_cert));
    char *sess = base64_encode((uint8_t *)&s.blob, sizeof(s.blob));
    int bad = !godh || !sess;
#define W(suffix, p, n, mode)                                                                      \
    (snprintf(name, sizeof(name), "%s_" suffix, base), write_file(cmd, dir, name, p, n, mode))
    bad = bad || W("godh.b64", godh, strlen(godh), 0644) ||
          W("session.b64", sess, strlen(sess), 0644) || W("tek.bin", s.tek, 16, 0600) ||
          W("tik.bin", s.tik, 16, 0600);
#undef W
    free(godh);
    free(sess);
    if (bad)
        return CLI_EXIT_USAGE;
    printf("session for policy 0x%x written: %s_{godh,session}.b64, %s_{tek,tik}.bin\n", policy,
           out, out);
    return CLI_EXIT_OK;
}

/* ---- measure ---- */

static void usage_measure(FILE *f)
{
    fprintf(f,
            "usage: swsev measure --keys PREFIX --policy N --api MAJ.MIN --build N\n"
            "                     (--digest HEX | --image FILE) [--measurement FILE] [--json]\n\n"
            "The LAUNCH_MEASURE the guest owner expects: HMAC with the session's TIK over\n"
            "the firmware's API version, build, the policy, the launch digest and the\n"
            "platform's MNONCE. The digest is given, or the SHA-256 of the image launched\n"
            "with LAUNCH_UPDATE_DATA. With --measurement (the 48 bytes 'swsev vm measure'\n"
            "writes) it checks the platform's answer: exit 0 if it matches, 1 if not.\n");
}

static int parse_api(const char *s, uint8_t *maj, uint8_t *min)
{
    unsigned a, b;
    char c;
    if (!s || sscanf(s, "%u.%u%c", &a, &b, &c) != 2 || a > 255 || b > 255)
        return -1;
    *maj = (uint8_t)a;
    *min = (uint8_t)b;
    return 0;
}

static int load_keys(const char *cmd, const char *prefix, uint8_t tek[16], uint8_t tik[16])
{
    char p[4200];
    snprintf(p, sizeof(p), "%s_tek.bin", prefix);
    if (tek && read_exact(cmd, p, tek, 16))
        return -1;
    snprintf(p, sizeof(p), "%s_tik.bin", prefix);
    return read_exact(cmd, p, tik, 16);
}

int cmd_measure(int argc, char **argv)
{
    const char *cmd = "measure";
    struct common_opts co;
    const char *keys = NULL, *pol = NULL, *api = NULL, *build_s = NULL, *dig = NULL, *image = NULL,
               *meas = NULL;
    const struct opt extra[] = {{"keys", &keys, NULL},        {"policy", &pol, NULL},
                                {"api", &api, NULL},          {"build", &build_s, NULL},
                                {"digest", &dig, NULL},       {"image", &image, NULL},
                                {"measurement", &meas, NULL}, {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int r = parse_opts(cmd, argc, argv, &co, extra, pos, 0, &npos, usage_measure);
    if (r)
        return PARSE_EXIT(r);
    uint32_t policy, build;
    uint8_t maj, min;
    if (!keys || !pol || !api || !build_s || (!dig == !image))
        return cli_error(cmd, "--keys, --policy, --api, --build and one of --digest/--image "
                              "are required (try --help)");
    if (!parse_u32(pol, &policy))
        return cli_error(cmd, "bad --policy '%s'", pol);
    if (parse_api(api, &maj, &min))
        return cli_error(cmd, "--api wants MAJOR.MINOR, not '%s'", api);
    if (!parse_u32(build_s, &build) || build > 255)
        return cli_error(cmd, "--build wants 0..255, not '%s'", build_s);
    struct sev_owner_session s;
    memset(&s, 0, sizeof(s));
    s.policy = policy;
    if (load_keys(cmd, keys, NULL, s.tik))
        return CLI_EXIT_USAGE;
    uint8_t digest[32];
    if (dig) {
        if (parse_hex(dig, digest, 32))
            return cli_error(cmd, "--digest wants 64 hex digits");
    } else {
        uint8_t *img;
        size_t n;
        if (read_file(cmd, image, 1u << 30, &img, &n))
            return CLI_EXIT_USAGE;
        swsev_rc rc = crypto_hash(CRYPTO_SHA256, img, n, digest);
        free(img);
        if (rc)
            return cli_error(cmd, "hashing failed");
    }
    struct sev_launch_measure_blob m;
    bool check = meas != NULL;
    if (check && read_exact(cmd, meas, &m, sizeof(m)))
        return CLI_EXIT_USAGE;
    uint8_t want[32];
    if (check && sev_owner_expected_measure(&s, maj, min, (uint8_t)build, digest, m.mnonce, want))
        return cli_error(cmd, "HMAC failed");
    bool ok = check && crypto_equal(want, m.measure, 32);
    if (co.json) {
        struct json j;
        json_open(&j, stdout);
        json_hex(&j, "digest", digest, 32);
        if (check) {
            json_hex(&j, "mnonce", m.mnonce, 16);
            json_hex(&j, "expected_measure", want, 32);
            json_hex(&j, "measure", m.measure, 32);
            json_bool(&j, "match", ok);
        }
        json_close(&j);
    } else {
        printf("launch digest:    ");
        print_hex(stdout, digest, 32);
        if (check) {
            printf("\nexpected MEASURE: ");
            print_hex(stdout, want, 32);
            printf("\nplatform MEASURE: ");
            print_hex(stdout, m.measure, 32);
            printf("\n%s\n", ok ? "match: the platform launched exactly this"
                                : "MISMATCH: do not give this guest secrets");
        } else {
            putchar('\n');
        }
    }
    return check && !ok ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}

/* ---- secret ---- */

static void usage_secret(FILE *f)
{
    fprintf(f, "usage: swsev secret --keys PREFIX --measurement FILE --api MAJ.MIN\n"
               "                    --in FILE --out PREFIX\n\n"
               "Packages the secret in FILE for LAUNCH_SECRET: AES-128-CTR under the\n"
               "session's TEK, MAC under its TIK bound to the platform's MEASURE. Writes\n"
               "PREFIX_header.bin (52 bytes) and PREFIX_payload.bin (the secret padded\n"
               "with zeros to a multiple of 16 bytes, at most 4096).\n");
}

int cmd_secret(int argc, char **argv)
{
    const char *cmd = "secret";
    struct common_opts co;
    const char *keys = NULL, *meas = NULL, *api = NULL, *in = NULL, *out = NULL;
    const struct opt extra[] = {{"keys", &keys, NULL}, {"measurement", &meas, NULL},
                                {"api", &api, NULL},   {"in", &in, NULL},
                                {"out", &out, NULL},   {NULL, NULL, NULL}};
    char *pos[1];
    int npos;
    int r = parse_opts(cmd, argc, argv, &co, extra, pos, 0, &npos, usage_secret);
    if (r)
        return PARSE_EXIT(r);
    if (!keys || !meas || !api || !in || !out)
        return cli_error(cmd, "--keys, --measurement, --api, --in and --out are required");
    uint8_t maj, min;
    if (parse_api(api, &maj, &min))
        return cli_error(cmd, "--api wants MAJOR.MINOR, not '%s'", api);
    struct sev_owner_session s;
    memset(&s, 0, sizeof(s));
    struct sev_launch_measure_blob m;
    if (load_keys(cmd, keys, s.tek, s.tik) || read_exact(cmd, meas, &m, sizeof(m)))
        return CLI_EXIT_USAGE;
    uint8_t *secret;
    size_t n;
    if (read_file(cmd, in, 4096, &secret, &n))
        return CLI_EXIT_USAGE;
    if (n == 0) {
        free(secret);
        return cli_error(cmd, "%s is empty", in);
    }
    uint8_t plain[4096] = {0}, ct[4096];
    memcpy(plain, secret, n);
    free(secret);
    uint32_t len = (uint32_t)((n + 15) & ~(size_t)15);
    struct sev_packet_hdr hdr;
    struct crypto_drbg *rng;
    if (crypto_drbg_new(&rng, NULL, 0))
        return cli_error(cmd, "no random generator");
    swsev_rc rc = sev_owner_secret(rng, &s, maj, min, m.measure, plain, len, &hdr, ct);
    crypto_drbg_free(rng);
    if (rc)
        return cli_error(cmd, "cannot package the secret: %s", swsev_strerror(rc));
    char dir[4096], name[4200];
    const char *base;
    if (split_prefix(out, dir, sizeof(dir), &base))
        return cli_error(cmd, "--out wants a file prefix, not '%s'", out);
    snprintf(name, sizeof(name), "%s_header.bin", base);
    if (write_file(cmd, dir, name, &hdr, sizeof(hdr), 0644))
        return CLI_EXIT_USAGE;
    snprintf(name, sizeof(name), "%s_payload.bin", base);
    if (write_file(cmd, dir, name, ct, len, 0644))
        return CLI_EXIT_USAGE;
    printf("secret packaged: %s_header.bin, %s_payload.bin (%u bytes)\n", out, out, len);
    return CLI_EXIT_OK;
}
