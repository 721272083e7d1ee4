/* SPDX-License-Identifier: MIT */
/* swsev snp - SEV-SNP: measurement, attestation, certificates, platform. */
#include <stdio.h>
#include <string.h>

#include "tools/swsev/cli.h"
#include "tools/swsev/snp_cli.h"

static const struct cli_cmd snp_commands[] = {
    {"verify", snp_cmd_verify,
     "verify an attestation report against its VCEK/VLEK chain, TCB, policy and measurement"},
    {"certs", snp_cmd_certs, "export the installation's ARK, ASK and VCEK (certs export DIR)"},
    {"measure", snp_cmd_measure,
     "the expected SNP launch digest, as sev-snp-measure computes it (offline)"},
    {"measure-diff", snp_cmd_measure_diff, "where two SNP launches' measurements diverge"},
    {"launch", snp_cmd_launch,
     "launch an SNP guest from OVMF on a simulated host and get its report"},
    {"guest", snp_cmd_guest, "start, stop, list SNP guests in swsevd (each with /dev/sev-guest)"},
    {"platform", snp_cmd_platform, "the host's SNP platform: status, config, commit, vlek-load"},
    {"report", snp_cmd_report, "an attestation report through /dev/sev-guest, as the guest"},
    {"id-block", snp_cmd_id_block, "sign an ID block and ID auth page for SNP_LAUNCH_FINISH"},
};

static void snp_usage(FILE *f)
{
    fprintf(f, "usage: swsev snp SUBCOMMAND [ARGS...]\n\nsubcommands:\n");
    for (size_t i = 0; i < sizeof(snp_commands) / sizeof(snp_commands[0]); i++)
        fprintf(f, "  %-13s %s\n", snp_commands[i].name, snp_commands[i].summary);
    fprintf(f, "\n'swsev snp SUBCOMMAND --help' describes a subcommand.\n");
}

int cmd_snp(int argc, char **argv)
{
    if (argc < 2) {
        snp_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        snp_usage(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(snp_commands) / sizeof(snp_commands[0]); i++)
        if (!strcmp(argv[1], snp_commands[i].name))
            return snp_commands[i].run(argc - 1, argv + 1);
    return cli_error("snp", "unknown subcommand '%s' (try 'swsev snp --help')", argv[1]);
}
