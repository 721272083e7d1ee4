/* SPDX-License-Identifier: MIT */
/* tools/swsev/cli.h - shared pieces of the swsev command line. */
#ifndef SWSEV_TOOLS_CLI_H
#define SWSEV_TOOLS_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "swsev/status.h"

/* Exit codes of every subcommand. */
#define CLI_EXIT_OK      0
#define CLI_EXIT_FAILURE 1 /* the operation ran and failed (a check, a step) */
#define CLI_EXIT_USAGE   2 /* bad arguments or unreadable input */

struct cli_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

/* Print "swsev: <cmd>: <message>" on stderr as one line; returns CLI_EXIT_USAGE. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse an unsigned number (decimal, 0x hex, with optional K/M/G suffix). */
bool cli_parse_u64(const char *s, uint64_t *out);
/* True when argv holds -h or --help. */
bool cli_wants_help(int argc, char **argv);

/* Demo and benchmark plumbing. */
struct demo_ctx {
    int passed, failed;
    bool verbose;
};
void demo_step(struct demo_ctx *d, bool ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void demo_note(struct demo_ctx *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The parts of the demo, one per capability. */
int demo_memsys(struct demo_ctx *d, const char *chip, const uint8_t *seed, size_t seed_len);
int demo_sev(struct demo_ctx *d, const char *chip, const uint8_t *seed, size_t seed_len);
int demo_snp(struct demo_ctx *d, const char *chip, const uint8_t *seed, size_t seed_len);
int demo_vcpu(struct demo_ctx *d, const char *chip, const uint8_t *seed, size_t seed_len);

int cmd_demo(int argc, char **argv);
int cmd_platform(int argc, char **argv);
int cmd_verify_chain(int argc, char **argv);
int cmd_session(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_secret(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int vm_cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_snp(int argc, char **argv);
int cmd_kds(int argc, char **argv);

#endif
