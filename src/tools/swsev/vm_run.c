/* SPDX-License-Identifier: MIT */
/*
 * swsev vm run GUEST [--sev|--sev-es|--snp] - run a guest on a simulated
 * host in this process: a modelled guest by name (swsev vm run --list).
 * The guest's serial output goes to stdout; the exit code is the guest's
 * (its debug-exit port), 128 + the reason code of a termination request,
 * 255 for a shutdown or a failed entry, 2 for bad arguments.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/mrun.h"
#include "tools/common/x86tool.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/util.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: swsev vm run GUEST [--sev | --sev-es | --snp] [--chip NAME] [--seed TEXT]\n"
               "                    [--vcpus N]\n"
               "       swsev vm run FILE.elf [--none | --sev | --sev-es | --snp] [--chip NAME]\n"
               "                    [--vcpus N] [--stats] [--trace]\n"
               "       swsev vm run --list\n\n"
               "Runs GUEST on a simulated host: the VM is launched (and measured) as the\n"
               "mode says, the guest's serial output goes to stdout, and the exit code is\n"
               "the guest's (debug-exit port), 128 + a termination request's reason code,\n"
               "or 255 for a shutdown or a failed VM entry. GUEST is a modelled guest by\n"
               "name (run in this process), or an x86-64 ELF (docs/x86-guests.md) that\n"
               "swsev-x86 runs on the Unicorn backend (GPL-2.0, a separate program).\n\n"
               "  --sev / --sev-es / --snp   the guest's protection (default --snp)\n"
               "  --none                     no SEV at all (ELF guests only)\n"
               "  --vcpus N                  the VM's vCPUs (default 1; smp: 2): every vCPU's\n"
               "                             VMSA is launched and measured, APs in RESET state\n"
               "  --stats / --trace          ELF guests: counters / every event, on stderr\n"
               "  --chip NAME                milan (default) or genoa; rome for --sev/--sev-es\n"
               "  --seed TEXT                reproducible randomness\n");
}

static void to_stdout(void *ctx, uint8_t byte)
{
    (void)ctx;
    putchar(byte);
    if (byte == '\n')
        fflush(stdout);
}

/* swsev-x86 replaces this process: its exit status is the guest's. */
static void exec_x86(const char *cmd, char **args)
{
    char prog[PATH_MAX];
    if (x86tool_find(prog, sizeof(prog))) {
        cli_error(cmd, "ELF guests need swsev-x86 (built with libunicorn-dev): not found");
        return;
    }
    execv(prog, args);
    cli_error(cmd, "%s: %s", prog, strerror(errno));
}

static bool is_file(const char *name)
{
    return strchr(name, '/') || access(name, F_OK) == 0;
}

int vm_cmd_run(int argc, char **argv)
{
    const char *cmd = "vm run", *chip = "milan", *seed = NULL, *vcpus_s = NULL;
    bool sev = false, es = false, snp = false, list = false, none = false, stats = false,
         trace = false;
    struct common_opts co;
    const struct opt opts[] = {
        {"sev", NULL, &sev},       {"sev-es", NULL, &es},   {"snp", NULL, &snp},
        {"chip", &chip, NULL},     {"seed", &seed, NULL},   {"list", NULL, &list},
        {"none", NULL, &none},     {"stats", NULL, &stats}, {"trace", NULL, &trace},
        {"vcpus", &vcpus_s, NULL}, {NULL, NULL, NULL},
    };
    char *pos[1];
    int npos = 0, r = parse_opts(cmd, argc, argv, &co, opts, pos, 1, &npos, usage);
    if (r)
        return PARSE_EXIT(r);
    if (list) {
        const char *name, *summary = NULL;
        for (size_t i = 0; (name = mrun_program_name(i)); i++) {
            mrun_find(name, &summary);
            printf("%-8s %s\n", name, summary);
        }
        return CLI_EXIT_OK;
    }
    if (npos != 1)
        return cli_error(cmd, "which guest? (swsev vm run --list)");
    if (sev + es + snp + none > 1)
        return cli_error(cmd, "--none, --sev, --sev-es and --snp exclude each other");
    uint64_t vcpus = 0;
    if (vcpus_s && (!cli_parse_u64(vcpus_s, &vcpus) || vcpus == 0 || vcpus > MRUN_MAX_VCPUS))
        return cli_error(cmd, "--vcpus wants 1 to %u", MRUN_MAX_VCPUS);
    mrun_program prog = mrun_find(pos[0], NULL);
    if (!prog && is_file(pos[0])) {
        if (seed)
            return cli_error(cmd, "--seed is for modelled guests");
        char n[24];
        snprintf(n, sizeof(n), "%u", vcpus ? (unsigned)vcpus : 1u);
        char *args[12] = {"swsev-x86", "run",
                          pos[0],      none ? "--none" : sev ? "--sev" : es ? "--sev-es" : "--snp",
                          "--chip",    (char *)chip,
                          "--vcpus",   n};
        int na = 8;
        if (stats)
            args[na++] = "--stats";
        if (trace)
            args[na++] = "--trace";
        args[na] = NULL;
        fflush(stdout);
        exec_x86(cmd, args);
        return 255;
    }
    if (!prog)
        return cli_error(cmd, "no guest '%s' (swsev vm run --list)", pos[0]);
    if (none || stats || trace)
        return cli_error(cmd, "--none, --stats and --trace are for ELF guests");
    enum mrun_mode mode = sev ? MRUN_SEV : es ? MRUN_SEV_ES : MRUN_SNP;
    struct mrun run;
    char err[256] = "";
    /* smp brings up a second vCPU: the VM needs one unless told otherwise. */
    struct mrun_config mc = {chip,
                             mode,
                             seed,
                             seed ? strlen(seed) : 0,
                             vcpus                            ? (unsigned)vcpus
                             : prog == mrun_find("smp", NULL) ? 2u
                                                              : 1u,
                             NULL,
                             to_stdout,
                             NULL};
    swsev_rc rc = mrun_start_cfg(&run, &mc, err, sizeof(err));
    if (rc) {
        mrun_free(&run);
        fprintf(stderr, "swsev: %s: %s\n", cmd, err);
        return rc == SWSEV_TOOL_ERR(SWSEV_E_INVAL) || rc == SWSEV_TOOL_ERR(SWSEV_E_UNSUPPORTED)
                   ? CLI_EXIT_USAGE
                   : 255;
    }
    int code = mrun_program_run(&run, prog);
    fflush(stdout);
    if (run.exited && run.exit.reason == VCPU_EXIT_SYSTEM_EVENT &&
        run.exit.system_event.type == VCPU_SYSTEM_EVENT_SEV_TERM)
        fprintf(stderr, "swsev: %s: the guest asked to terminate (reason set %u, code %u)\n", cmd,
                run.exit.system_event.reason_set, run.exit.system_event.reason_code);
    else if (run.exited && run.exit.reason == VCPU_EXIT_SHUTDOWN)
        fprintf(stderr,
                "swsev: %s: the VMM stopped the guest at VMEXIT %#llx (info1 %#llx, info2 %#llx)\n",
                cmd, (unsigned long long)run.exit.vmexit.code,
                (unsigned long long)run.exit.vmexit.info1,
                (unsigned long long)run.exit.vmexit.info2);
    mrun_free(&run);
    return code;
}
