/* SPDX-License-Identifier: MIT */
/* swsev demo - an end-to-end tour; each capability adds its steps. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "swsev/chip.h"
#include "tools/swsev/cli.h"

void demo_step(struct demo_ctx *d, bool ok, const char *fmt, ...)
{
    va_list ap;
    printf("%s  ", ok ? "PASS" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    if (ok)
        d->passed++;
    else
        d->failed++;
}

void demo_note(struct demo_ctx *d, const char *fmt, ...)
{
    (void)d;
    va_list ap;
    printf("      ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static void usage(FILE *f)
{
    fprintf(f, "usage: swsev demo [--chip NAME] [--seed TEXT]\n\n"
               "Runs an end-to-end tour of swsev and prints PASS or FAIL for every step.\n"
               "Exits 0 when every step passed, 1 otherwise.\n\n"
               "  --chip NAME   simulated part: naples, rome (default), milan, genoa\n"
               "  --seed TEXT   make every random value reproducible\n");
}

int cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {
        {"chip", required_argument, NULL, 'c'},
        {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *chip = "rome", *seed = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            chip = optarg;
            break;
        case 's':
            seed = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            return cli_error("demo", "unknown or incomplete option '%s' (try --help)",
                             argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_error("demo", "unexpected argument '%s'", argv[optind]);
    struct chip_config cfg;
    if (chip_config_preset(&cfg, chip))
        return cli_error("demo", "unknown chip '%s' (naples, rome, milan, genoa)", chip);

    struct demo_ctx d = {0};
    printf("swsev demo (chip %s%s%s)\n\n", chip, seed ? ", seed " : "", seed ? seed : "");
    printf("== The SoC memory system ==\n");
    demo_memsys(&d, chip, (const uint8_t *)seed, seed ? strlen(seed) : 0);
    printf("\n== The Secure Processor: SEV platform, launch, attestation of the launch ==\n");
    demo_sev(&d, chip, (const uint8_t *)seed, seed ? strlen(seed) : 0);
    printf("\n== SEV-SNP: RMP, measured launch, attestation report, verification ==\n");
    demo_snp(&d, chip, (const uint8_t *)seed, seed ? strlen(seed) : 0);
    printf("\n== vCPUs: SEV-ES and SNP guests that run, the GHCB ==\n");
    demo_vcpu(&d, chip, (const uint8_t *)seed, seed ? strlen(seed) : 0);
    printf("\n%d steps passed, %d failed\n", d.passed, d.failed);
    return d.failed ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
