/* SPDX-License-Identifier: MIT */
/* swsev - the command line of the software AMD SEV platform. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/swsev/cli.h"

static const struct cli_cmd commands[] = {
    {"demo", cmd_demo, "an end-to-end tour of what swsev does (PASS/FAIL per step)"},
    {"platform", cmd_platform,
     "platform owner: status, reset, pek-gen, pdh-gen, pek-csr, "
     "pek-import, export, get-id"},
    {"verify-chain", cmd_verify_chain, "verify an SEV certificate chain (offline)"},
    {"session", cmd_session, "guest owner: a launch session for a platform's PDH (offline)"},
    {"measure", cmd_measure, "guest owner: the expected LAUNCH_MEASURE (offline)"},
    {"secret", cmd_secret, "guest owner: package a LAUNCH_SECRET (offline)"},
    {"vm", cmd_vm, "VMM: launch, measure, inject-secret, finish, status, dbg-decrypt, ..."},
    {"snp", cmd_snp, "SEV-SNP: measure, verify, ... ('swsev snp --help')"},
    {"kds", cmd_kds, "a local AMD Key Distribution Service for this installation's chip"},
    {"bench", cmd_bench, "run the benchmarks of an area (memctl, sev)"},
};

int cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "swsev: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EXIT_USAGE;
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s)
        return false;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift) {
        end++;
        if (v > (~0ull >> shift))
            return false;
        v <<= shift;
    }
    if (*end)
        return false;
    *out = v;
    return true;
}

bool cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return true;
    return false;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: swsev COMMAND [ARGS...]\n\n"
               "swsev is a software implementation of the AMD SEV platform.\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'swsev COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    cli_error("error", "unknown command '%s' (try 'swsev --help')", argv[1]);
    return CLI_EXIT_USAGE;
}
