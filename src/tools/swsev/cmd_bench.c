/* SPDX-License-Identifier: MIT */
/* swsev bench AREA - benchmarks against the physical limit of this machine. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "tools/swsev/cli.h"

static const struct {
    const char *name;
    int (*run)(const struct bench_opts *);
    const char *what;
} areas[] = {
    {"memctl", bench_memctl, "memory encryption engine and guest access path"},
    {"sev", bench_sev, "LAUNCH_UPDATE_DATA, SEND/RECEIVE_UPDATE_DATA, PDH_GEN"},
    {"snp", bench_snp, "attestation reports end to end, SNP_LAUNCH_UPDATE"},
    {"vcpu", bench_vcpu, "VMGEXIT round trips (modelled, x86-64); x86 guest SEV on/off"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: swsev bench AREA [--seconds S] [--rounds N]\n\n"
               "Runs the benchmarks of AREA. Each prints a table and ends with lines\n"
               "'ratio NAME VALUE': the figure divided by the limit measured in the same run.\n\n"
               "  --seconds S   time per measurement round (default 0.3)\n"
               "  --rounds N    best-of rounds per measurement (default 3)\n\nareas:\n");
    for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
        fprintf(f, "  %-8s %s\n", areas[i].name, areas[i].what);
}

int cmd_bench(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seconds", required_argument, NULL, 's'},
        {"rounds", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct bench_opts bo = {.seconds = 0.3, .rounds = 3};
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 's':
            bo.seconds = strtod(optarg, &end);
            if (*end || !(bo.seconds > 0 && bo.seconds <= 60))
                return cli_error("bench", "--seconds wants a number in (0, 60], not '%s'", optarg);
            break;
        case 'r': {
            uint64_t v;
            if (!cli_parse_u64(optarg, &v) || v < 1 || v > 100)
                return cli_error("bench", "--rounds wants 1..100, not '%s'", optarg);
            bo.rounds = (int)v;
            break;
        }
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            return cli_error("bench", "unknown or incomplete option '%s' (try --help)",
                             argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_error("bench", "expected exactly one AREA (try --help)");
    for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
        if (!strcmp(argv[optind], areas[i].name))
            return areas[i].run(&bo) ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
    return cli_error("bench", "unknown area '%s' (try --help)", argv[optind]);
}
