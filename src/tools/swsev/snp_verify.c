/* SPDX-License-Identifier: MIT */
/*
 * swsev snp verify - a verifier's view of one SEV-SNP attestation report:
 * parse, chain ARK -> ASK/ASVK -> VCEK/VLEK, signature, the report's TCB
 * and chip ID against the certificate's extensions, then the caller's
 * expectations (policy, measurement, host data, report data, VMPL, minimum
 * TCB). Each check that fails has its own exit code, so a CI job can tell
 * what went wrong without parsing text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/snp_cert.h"
#include "crypto/snp_report.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/snp_cli.h"
#include "tools/swsev/util.h"

/* Exit codes after the common 0/1/2, one per check (in check order). */
enum {
    V_EXIT_REPORT = 10,      /* the report is malformed */
    V_EXIT_CHAIN = 11,       /* ARK/ASK/leaf signatures */
    V_EXIT_ROOT = 12,        /* the ARK is not the pinned one */
    V_EXIT_SIGNATURE = 13,   /* the report's signature */
    V_EXIT_TCB = 14,         /* REPORTED_TCB differs from the certificate */
    V_EXIT_CHIP_ID = 15,     /* CHIP_ID differs from the certificate's hwID */
    V_EXIT_POLICY = 16,      /* debug, migration agent, SMT, minimum ABI */
    V_EXIT_MEASUREMENT = 17, /* MEASUREMENT */
    V_EXIT_DATA = 18,        /* HOST_DATA, REPORT_DATA, VMPL, minimum TCB */
};

/* SNP guest policy bits (SNP ABI, sev-reference 3.3). */
#define POLICY_SMT           (1ull << 16)
#define POLICY_MIGRATE_MA    (1ull << 18)
#define POLICY_DEBUG         (1ull << 19)
#define POLICY_SINGLE_SOCKET (1ull << 20)

static void usage(FILE *f)
{
    fprintf(f,
            "usage: swsev snp verify --report FILE --vcek FILE --chain FILE [options]\n\n"
            "Verifies an SEV-SNP attestation report (0x4A0 bytes) as a relying party would.\n\n"
            "  --report FILE        the report (raw binary)\n"
            "  --report-offset N    where the report starts in FILE (0x20 for Azure HCL reports)\n"
            "  --vcek FILE          the VCEK or VLEK (DER or PEM)\n"
            "  --chain FILE         ASK (or ASVK) then ARK, PEM (AMD KDS cert_chain)\n"
            "  --ark FILE           pin the root: the chain's ARK must be this certificate\n"
            "  --measurement HEX    expected MEASUREMENT (48 bytes)\n"
            "  --host-data HEX      expected HOST_DATA (32 bytes)\n"
            "  --report-data HEX    expected REPORT_DATA (64 bytes)\n"
            "  --vmpl N             expected VMPL\n"
            "  --min-tcb N          each SPL of REPORTED_TCB at least this TCB_VERSION's\n"
            "  --allow-debug        accept a guest whose policy allows debugging\n"
            "  --allow-migrate-ma   accept a guest that allows a migration agent\n"
            "  --json               one JSON object on stdout\n\n"
            "exit codes: 0 verified; 2 bad arguments or unreadable files; 10 malformed report;\n"
            "11 chain signatures; 12 root not the pinned ARK; 13 report signature;\n"
            "14 REPORTED_TCB differs from the certificate; 15 CHIP_ID differs from hwID;\n"
            "16 policy; 17 measurement; 18 host data, report data, VMPL or minimum TCB.\n");
}

struct verify_in {
    const char *report, *offset, *vcek, *chain, *ark, *measurement, *host_data, *report_data, *vmpl,
        *min_tcb;
    bool allow_debug, allow_ma;
};

struct verify_out {
    struct snp_report r;
    struct snp_vcek_info info;
    enum snp_product product;
    const char *failed; /* the first failed check, NULL when all pass */
    int exit_code;
    char why[160];
};

static int fail(struct verify_out *o, int code, const char *check, const char *fmt, const char *arg)
{
    o->failed = check;
    o->exit_code = code;
    snprintf(o->why, sizeof(o->why), fmt, arg);
    return code;
}

/* Loads 1..max certificates from a file; one error line on failure. */
static int load_certs(const char *path, X509 **out, size_t max, size_t *n)
{
    uint8_t *buf;
    size_t len;
    if (read_file("snp verify", path, 1 << 20, &buf, &len))
        return CLI_EXIT_USAGE;
    swsev_rc rc = snp_x509_load(buf, len, out, max, n);
    free(buf);
    if (rc)
        return cli_error("snp verify", "%s holds no readable X.509 certificate", path);
    return 0;
}

static int expect_hex(const char *opt, const char *hex, uint8_t *buf, size_t n)
{
    if (hex && parse_hex(hex, buf, n))
        return cli_error("snp verify", "%s wants %zu bytes of hex", opt, n);
    return 0;
}

static bool tcb_at_least(struct snp_tcb a, struct snp_tcb min)
{
    return a.fmc >= min.fmc && a.bootloader >= min.bootloader && a.tee >= min.tee &&
           a.snp >= min.snp && a.microcode >= min.microcode;
}

/* The certificate checks: chain, pinned root, signature, TCB and chip ID. */
static int check_evidence(const struct verify_in *in, struct verify_out *o, X509 *leaf, X509 *ask,
                          X509 *ark, X509 *pin)
{
    enum snp_chain_result cr = snp_chain_verify(ark, ask, leaf);
    if (cr != SNP_CHAIN_OK)
        return fail(o, V_EXIT_CHAIN, "chain", "%s", snp_chain_result_str(cr));
    if (pin && X509_cmp(pin, ark) != 0)
        return fail(o, V_EXIT_ROOT, "root", "the chain's ARK is not %s", in->ark);
    EVP_PKEY *k = X509_get_pubkey(leaf);
    swsev_rc rc = k ? snp_report_verify(&o->r, k) : SWSEV_TOOL_ERR(SWSEV_E_VERIFY);
    EVP_PKEY_free(k);
    if (rc)
        return fail(o, V_EXIT_SIGNATURE, "signature", "%s",
                    "the report's signature does not verify");
    if (snp_vcek_info(leaf, &o->info))
        return fail(o, V_EXIT_CHAIN, "chain", "%s", "the VCEK lacks AMD's extensions");
    unsigned signer = SNP_KEY_INFO_SIGNING_KEY(o->r.key_info);
    if (signer != (o->info.vlek ? 1u : 0u))
        return fail(o, V_EXIT_SIGNATURE, "signature", "%s",
                    "the report names another signing key than the certificate");
    o->product = snp_product_from_name(o->info.product);
    enum snp_product rp = snp_report_product(&o->r);
    if (rp != SNP_PRODUCT_UNKNOWN && rp != o->product)
        return fail(o, V_EXIT_CHAIN, "chain", "the report's CPUID is not a %s",
                    snp_product_name(o->product));
    if (snp_tcb_encode(o->info.tcb, o->product) != o->r.reported_tcb)
        return fail(o, V_EXIT_TCB, "tcb", "%s",
                    "REPORTED_TCB is not the TCB the certificate is for");
    /* MASK_CHIP_ID zeroes CHIP_ID; a VLEK certifies no chip. */
    static const uint8_t zero[64];
    if (!o->info.vlek && memcmp(o->r.chip_id, zero, 64) != 0 &&
        (o->info.hwid_len == 0 || memcmp(o->r.chip_id, o->info.hwid, o->info.hwid_len) != 0))
        return fail(o, V_EXIT_CHIP_ID, "chip_id", "%s", "CHIP_ID is not the certificate's hwID");
    return 0;
}

/* The relying party's expectations. */
static int check_expectations(const struct verify_in *in, struct verify_out *o)
{
    uint8_t m[48], hd[32], rd[64];
    if (o->r.policy & POLICY_DEBUG && !in->allow_debug)
        return fail(o, V_EXIT_POLICY, "policy", "%s", "the guest's policy allows debugging");
    if (o->r.policy & POLICY_MIGRATE_MA && !in->allow_ma)
        return fail(o, V_EXIT_POLICY, "policy", "%s",
                    "the guest's policy allows a migration agent");
    if (in->measurement && (parse_hex(in->measurement, m, 48), memcmp(m, o->r.measurement, 48)))
        return fail(o, V_EXIT_MEASUREMENT, "measurement", "%s", "MEASUREMENT differs");
    if (in->host_data && (parse_hex(in->host_data, hd, 32), memcmp(hd, o->r.host_data, 32)))
        return fail(o, V_EXIT_DATA, "host_data", "%s", "HOST_DATA differs");
    if (in->report_data && (parse_hex(in->report_data, rd, 64), memcmp(rd, o->r.report_data, 64)))
        return fail(o, V_EXIT_DATA, "report_data", "%s", "REPORT_DATA differs");
    uint32_t vmpl;
    if (in->vmpl && (parse_u32(in->vmpl, &vmpl), vmpl != o->r.vmpl))
        return fail(o, V_EXIT_DATA, "vmpl", "%s", "VMPL differs");
    if (in->min_tcb) {
        uint64_t min = 0;
        cli_parse_u64(in->min_tcb, &min);
        if (!tcb_at_least(snp_tcb_decode(o->r.reported_tcb, o->product),
                          snp_tcb_decode(min, o->product)))
            return fail(o, V_EXIT_DATA, "min_tcb", "%s", "REPORTED_TCB is below the minimum");
    }
    return 0;
}

static void print_result(const struct verify_out *o, bool json)
{
    struct snp_tcb t = snp_tcb_decode(o->r.reported_tcb, o->product);
    if (json) {
        struct json j;
        json_open(&j, stdout);
        json_bool(&j, "ok", o->failed == NULL);
        json_str(&j, "failed", o->failed ? o->failed : "");
        json_str(&j, "reason", o->why);
        json_u64(&j, "version", o->r.version);
        json_str(&j, "product", snp_product_name(o->product));
        json_str(&j, "signer", o->info.vlek ? "VLEK" : "VCEK");
        json_u64(&j, "vmpl", o->r.vmpl);
        json_u64(&j, "policy", o->r.policy);
        json_u64(&j, "reported_tcb", o->r.reported_tcb);
        json_hex(&j, "measurement", o->r.measurement, 48);
        json_hex(&j, "host_data", o->r.host_data, 32);
        json_hex(&j, "report_data", o->r.report_data, 64);
        json_hex(&j, "chip_id", o->r.chip_id, 64);
        json_close(&j);
        return;
    }
    printf("report: version %u, VMPL %u, policy 0x%llx, %s, signed by the %s\n", o->r.version,
           o->r.vmpl, (unsigned long long)o->r.policy, snp_product_name(o->product),
           o->info.vlek ? "VLEK" : "VCEK");
    printf("reported TCB: 0x%016llx (bootloader %u, tee %u, snp %u, microcode %u)\n",
           (unsigned long long)o->r.reported_tcb, t.bootloader, t.tee, t.snp, t.microcode);
    printf("measurement: ");
    print_hex(stdout, o->r.measurement, 48);
    printf("\n");
    if (o->failed)
        printf("FAILED (%s): %s\n", o->failed, o->why);
    else
        printf("verified: chain, signature, TCB, chip ID and every expectation given\n");
}

int snp_cmd_verify(int argc, char **argv)
{
    const char *cmd = "snp verify";
    struct verify_in in;
    memset(&in, 0, sizeof(in));
    struct common_opts co;
    const struct opt opts[] = {
        {"report", &in.report, NULL},
        {"report-offset", &in.offset, NULL},
        {"vcek", &in.vcek, NULL},
        {"vlek", &in.vcek, NULL},
        {"chain", &in.chain, NULL},
        {"ark", &in.ark, NULL},
        {"measurement", &in.measurement, NULL},
        {"host-data", &in.host_data, NULL},
        {"report-data", &in.report_data, NULL},
        {"vmpl", &in.vmpl, NULL},
        {"min-tcb", &in.min_tcb, NULL},
        {"allow-debug", NULL, &in.allow_debug},
        {"allow-migrate-ma", NULL, &in.allow_ma},
        {NULL, NULL, NULL},
    };
    int npos = 0, r = parse_opts(cmd, argc, argv, &co, opts, NULL, 0, &npos, usage);
    if (r)
        return PARSE_EXIT(r);
    if (!in.report || !in.vcek || !in.chain)
        return cli_error(cmd, "--report, --vcek and --chain are required");
    uint8_t scratch[64];
    uint32_t u;
    uint64_t offset = 0;
    if (expect_hex("--measurement", in.measurement, scratch, 48) ||
        expect_hex("--host-data", in.host_data, scratch, 32) ||
        expect_hex("--report-data", in.report_data, scratch, 64))
        return CLI_EXIT_USAGE;
    uint64_t min_tcb;
    if (in.min_tcb && !cli_parse_u64(in.min_tcb, &min_tcb))
        return cli_error(cmd, "--min-tcb wants a TCB_VERSION as a number (0x...)");
    if (in.vmpl && (!parse_u32(in.vmpl, &u) || u > 3))
        return cli_error(cmd, "--vmpl wants 0 to 3");
    if (in.offset && (!cli_parse_u64(in.offset, &offset) || offset > (1u << 20)))
        return cli_error(cmd, "--report-offset wants a number up to 1M");

    uint8_t *buf;
    size_t len;
    if (read_file(cmd, in.report, 1 << 20, &buf, &len))
        return CLI_EXIT_USAGE;
    struct verify_out o;
    memset(&o, 0, sizeof(o));
    bool parsed = len >= offset + sizeof(struct snp_report) &&
                  snp_report_parse(buf + offset, sizeof(struct snp_report), &o.r) == SWSEV_OK;
    free(buf);
    if (!parsed) {
        fprintf(stderr, "swsev: %s: %s is not an SNP attestation report at offset 0x%llx\n", cmd,
                in.report, (unsigned long long)offset);
        return V_EXIT_REPORT;
    }

    X509 *leaf[1] = {NULL}, *chain[2] = {NULL, NULL}, *pin[1] = {NULL};
    size_t nl = 0, nc = 0, np = 0;
    int rc = load_certs(in.vcek, leaf, 1, &nl);
    if (!rc)
        rc = load_certs(in.chain, chain, 2, &nc);
    if (!rc && nc != 2)
        rc = cli_error(cmd, "%s must hold the ASK (or ASVK) and then the ARK", in.chain);
    if (!rc && in.ark)
        rc = load_certs(in.ark, pin, 1, &np);
    if (!rc) {
        if (!check_evidence(&in, &o, leaf[0], chain[0], chain[1], pin[0]))
            check_expectations(&in, &o);
        print_result(&o, co.json);
        rc = o.failed ? o.exit_code : CLI_EXIT_OK;
    }
    X509_free(leaf[0]);
    X509_free(chain[0]);
    X509_free(chain[1]);
    X509_free(pin[0]);
    return rc;
}
