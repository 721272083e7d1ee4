/* SPDX-License-Identifier: MIT */
/*
 * swsev snp launch - start an SNP guest from an OVMF image on a simulated
 * host, as QEMU and KVM would, and have the guest request its attestation
 * report. Prints the firmware's launch digest next to the offline
 * calculator's (they must agree) and writes the report for `snp verify`.
 * With --state DIR the chip is that installation's (the one `snp certs
 * export` and `kds serve` certify); without it, a chip made from --seed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/digest.h"
#include "crypto/drbg.h"
#include "crypto/snp_report.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/snp_cli.h"
#include "tools/swsev/snp_run.h"
#include "tools/swsev/util.h"
#include "tools/swsevd/state.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: swsev snp launch --ovmf FILE [options]\n\n"
            "Launches an SEV-SNP guest from FILE on a simulated host and asks, as the guest,\n"
            "for its attestation report.\n\n"
            "  --ovmf FILE          the firmware image (e.g. /usr/share/ovmf/OVMF.fd)\n"
            "  --vcpus N            vCPUs (default 1)\n"
            "  --vcpu-type NAME     QEMU CPU model for the VMSA signature (default EPYC-Milan)\n"
            "  --vcpu-sig N         or the CPUID 1 EAX signature itself\n"
            "  --vmm-type TYPE      QEMU (default) or ec2\n"
            "  --guest-features N   SEV_FEATURES of the VMSAs (default 0x1)\n"
            "  --kernel F --initrd F --append S   measured direct boot (kernel hashes page)\n"
            "  --policy N           the guest policy (default 0x30000)\n"
            "  --host-data HEX      HOST_DATA (32 bytes)\n"
            "  --id-block F --id-auth F   an ID block and its auth page ('snp id-block')\n"
            "  --author-key         the ID auth page carries an author key\n"
            "  --report FILE        write the report (0x4A0 bytes) here\n"
            "  --report-data HEX    REPORT_DATA (64 bytes, default zero)\n"
            "  --vmpl N             the VMPL the report names (default 0)\n"
            "  --state DIR          the installation (chip secret, test root); else --seed\n"
            "  --chip NAME          milan (default) or genoa\n"
            "  --seed TEXT          a reproducible chip without --state (default \"swsev-snp\")\n"
            "  --json               one JSON object on stdout\n\n"
            "exit codes: 0 launched and reported with matching digests; 1 the firmware refused\n"
            "a step or the digests differ; 2 bad arguments or unreadable files.\n");
}

struct launch_args {
    const char *ovmf, *vcpus, *vcpu_type, *vcpu_sig, *vmm, *features, *kernel, *initrd, *append,
        *policy, *host_data, *id_block, *id_auth, *report, *report_data, *vmpl, *state, *chip,
        *seed;
    bool author_key;
};

static int load_identity(const char *cmd, const struct launch_args *a, const char *chip,
                         struct fw_identity *id, struct install *in, bool *have_install)
{
    memset(id, 0, sizeof(*id));
    *have_install = false;
    if (a->state) {
        struct crypto_drbg *rng = NULL;
        char why[160];
        if (crypto_drbg_new(&rng, NULL, 0))
            return cli_error(cmd, "no entropy");
        swsev_rc rc = install_load_or_create(a->state, chip, rng, in, why, sizeof(why));
        crypto_drbg_free(rng);
        if (rc)
            return cli_error(cmd, "%s", why);
        if (strcmp(in->chip, chip)) {
            install_free(in);
            return cli_error(cmd, "%s holds a %s installation, not %s", a->state, in->chip, chip);
        }
        *id = in->id;
        *have_install = true;
        return 0;
    }
    const char *seed = a->seed ? a->seed : "swsev-snp";
    crypto_hash(CRYPTO_SHA256, seed, strlen(seed), id->chip_secret);
    return 0;
}

static int parse_launch(const char *cmd, const struct launch_args *a, struct snp_run_opts *o,
                        struct snp_plan_kernel *k, uint8_t **img, size_t *img_len)
{
    uint64_t v;
    o->plan.mode = SNP_PLAN_SNP;
    o->plan.vcpus = 1;
    o->plan.vmm = VMSA_VMM_QEMU;
    o->plan.guest_features = 1;
    o->policy = 0x30000;
    if (!snp_plan_cpu_sig_by_name("EPYC-Milan", &o->plan.vcpu_sig))
        return cli_error(cmd, "internal: no EPYC-Milan signature");
    if (a->vcpus) {
        if (!cli_parse_u64(a->vcpus, &v) || v == 0 || v > 64)
            return cli_error(cmd, "--vcpus wants 1 to 64");
        o->plan.vcpus = (unsigned)v;
    }
    if (a->vcpu_type && !snp_plan_cpu_sig_by_name(a->vcpu_type, &o->plan.vcpu_sig))
        return cli_error(cmd, "unknown --vcpu-type '%s'", a->vcpu_type);
    if (a->vcpu_sig) {
        if (!cli_parse_u64(a->vcpu_sig, &v) || v > 0xffffffffu)
            return cli_error(cmd, "--vcpu-sig wants a 32-bit number");
        o->plan.vcpu_sig = (uint32_t)v;
    }
    if (a->vmm) {
        if (!strcasecmp(a->vmm, "qemu"))
            o->plan.vmm = VMSA_VMM_QEMU;
        else if (!strcasecmp(a->vmm, "ec2"))
            o->plan.vmm = VMSA_VMM_EC2;
        else
            return cli_error(cmd, "--vmm-type wants QEMU or ec2");
    }
    if (a->features && !cli_parse_u64(a->features, &o->plan.guest_features))
        return cli_error(cmd, "--guest-features wants a number");
    if (a->policy && !cli_parse_u64(a->policy, &o->policy))
        return cli_error(cmd, "--policy wants a number");
    if (a->host_data && parse_hex(a->host_data, o->host_data, 32))
        return cli_error(cmd, "--host-data wants 32 bytes of hex");
    if (a->report_data && parse_hex(a->report_data, o->report_data, 64))
        return cli_error(cmd, "--report-data wants 64 bytes of hex");
    if (a->vmpl && (!parse_u32(a->vmpl, &o->vmpl)))
        return cli_error(cmd, "--vmpl wants a number");
    if (!!a->id_block != !!a->id_auth)
        return cli_error(cmd, "--id-block and --id-auth go together");
    if (a->author_key && !a->id_block)
        return cli_error(cmd, "--author-key needs --id-block");
    if ((a->initrd || a->append) && !a->kernel)
        return cli_error(cmd, "--initrd and --append need --kernel");
    if (read_file(cmd, a->ovmf, 64u << 20, img, img_len))
        return CLI_EXIT_USAGE;
    o->plan.ovmf = *img;
    o->plan.ovmf_len = *img_len;
    if (a->kernel) {
        uint8_t *kb = NULL, *ib = NULL;
        size_t kl = 0, il = 0;
        if (read_file(cmd, a->kernel, 1u << 30, &kb, &kl) ||
            (a->initrd && read_file(cmd, a->initrd, 1u << 30, &ib, &il))) {
            free(kb);
            return CLI_EXIT_USAGE;
        }
        swsev_rc rc = snp_plan_kernel_hash(k, kb, kl, ib, il, a->append);
        free(kb);
        free(ib);
        if (rc)
            return cli_error(cmd, "hashing the kernel: %s", swsev_strerror(rc));
        o->plan.kernel = k;
    }
    return 0;
}

int snp_cmd_launch(int argc, char **argv)
{
    const char *cmd = "snp launch";
    struct launch_args a;
    memset(&a, 0, sizeof(a));
    struct common_opts co;
    const struct opt opts[] = {
        {"ovmf", &a.ovmf, NULL},
        {"vcpus", &a.vcpus, NULL},
        {"vcpu-type", &a.vcpu_type, NULL},
        {"vcpu-sig", &a.vcpu_sig, NULL},
        {"vmm-type", &a.vmm, NULL},
        {"guest-features", &a.features, NULL},
        {"kernel", &a.kernel, NULL},
        {"initrd", &a.initrd, NULL},
        {"append", &a.append, NULL},
        {"policy", &a.policy, NULL},
        {"host-data", &a.host_data, NULL},
        {"id-block", &a.id_block, NULL},
        {"id-auth", &a.id_auth, NULL},
        {"author-key", NULL, &a.author_key},
        {"report", &a.report, NULL},
        {"report-data", &a.report_data, NULL},
        {"vmpl", &a.vmpl, NULL},
        {"state", &a.state, NULL},
        {"chip", &a.chip, NULL},
        {"seed", &a.seed, NULL},
        {NULL, NULL, NULL},
    };
    int npos = 0, r = parse_opts(cmd, argc, argv, &co, opts, NULL, 0, &npos, usage);
    if (r)
        return PARSE_EXIT(r);
    if (!a.ovmf)
        return cli_error(cmd, "--ovmf is required (try --help)");
    const char *chip = a.chip ? a.chip : "milan";
    if (strcmp(chip, "milan") && strcmp(chip, "genoa"))
        return cli_error(cmd, "--chip wants milan or genoa");

    struct snp_run_opts o;
    memset(&o, 0, sizeof(o));
    o.chip = chip;
    struct snp_plan_kernel k;
    uint8_t *img = NULL, blk[0x60], *auth = NULL;
    size_t img_len = 0;
    r = parse_launch(cmd, &a, &o, &k, &img, &img_len);
    if (!r && a.id_block) {
        auth = malloc(0x1000);
        if (!auth || read_exact(cmd, a.id_block, blk, sizeof(blk)) ||
            read_exact(cmd, a.id_auth, auth, 0x1000))
            r = CLI_EXIT_USAGE;
        o.id_block = blk;
        o.id_auth = auth;
        o.author_key_en = a.author_key;
    }
    struct fw_identity id;
    struct install in;
    bool have_install = false;
    if (!r)
        r = load_identity(cmd, &a, chip, &id, &in, &have_install);
    if (r) {
        free(img);
        free(auth);
        return r;
    }
    o.id = &id;

    struct snp_run run;
    char err[256] = "";
    swsev_rc rc = snp_run_launch(&run, &o, err, sizeof(err));
    if (!rc)
        rc = snp_run_report(&run, o.report_data, o.vmpl, err, sizeof(err));
    struct snp_report rep;
    bool match = false;
    if (!rc) {
        memcpy(&rep, run.report, sizeof(rep));
        match = !memcmp(rep.measurement, run.offline, 48);
        if (a.report && write_file(cmd, NULL, a.report, run.report, sizeof(run.report), 0644))
            rc = SWSEV_TOOL_ERR(SWSEV_E_IO);
    }
    int exit_code = CLI_EXIT_OK;
    if (rc) {
        fprintf(stderr, "swsev: %s: %s\n", cmd, err[0] ? err : swsev_strerror(rc));
        exit_code = CLI_EXIT_FAILURE;
    } else if (co.json) {
        struct json j;
        json_open(&j, stdout);
        json_bool(&j, "ok", match);
        json_hex(&j, "measurement", rep.measurement, 48);
        json_hex(&j, "offline_measurement", run.offline, 48);
        json_u64(&j, "pages", run.pages);
        json_u64(&j, "policy", rep.policy);
        json_u64(&j, "reported_tcb", rep.reported_tcb);
        json_hex(&j, "chip_id", rep.chip_id, 64);
        json_close(&j);
    } else {
        printf("launched %llu pages (%u vCPU%s) on a simulated %s; policy 0x%llx\n",
               (unsigned long long)run.pages, o.plan.vcpus, o.plan.vcpus > 1 ? "s" : "", chip,
               (unsigned long long)o.policy);
        printf("firmware MEASUREMENT: ");
        print_hex(stdout, rep.measurement, 48);
        printf("\noffline calculator:   ");
        print_hex(stdout, run.offline, 48);
        printf("\n%s\n", match ? "digests match" : "DIGESTS DIFFER");
        if (a.report)
            printf("report written to %s (signed by the %s)\n", a.report,
                   SNP_KEY_INFO_SIGNING_KEY(rep.key_info) == 0 ? "VCEK" : "VLEK");
    }
    if (!rc && !match)
        exit_code = CLI_EXIT_FAILURE;
    snp_run_free(&run);
    if (have_install)
        install_free(&in);
    OPENSSL_cleanse(&id, sizeof(id));
    free(img);
    free(auth);
    return exit_code;
}
