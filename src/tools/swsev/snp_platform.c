/* SPDX-License-Identifier: MIT */
/*
 * swsev snp platform status|config|commit|vlek-load - the host's SNP
 * platform through /dev/sev (the SNP ioctls of Linux 6.11: the daemon's, or
 * the real device), as snphost does it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/sev_dev.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/abi/snp_report.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/snp_cli.h"
#include "tools/swsev/util.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: swsev snp platform status [--json]\n"
               "       swsev snp platform config [--reported-tcb N] [--mask-chip-id]\n"
               "                                 [--mask-chip-key]\n"
               "       swsev snp platform commit\n"
               "       swsev snp platform vlek-load FILE   (a 0x1B0-byte wrapped VLEK)\n\n"
               "With swsevd (--socket PATH or $SWSEV_SOCKET), or the real /dev/sev.\n");
}

static void print_tcb(const char *name, uint64_t tcb)
{
    struct snp_tcb t = snp_tcb_decode(tcb, SNP_MILAN);
    printf("%-13s 0x%016llx (bootloader %u, tee %u, snp %u, microcode %u)\n", name,
           (unsigned long long)tcb, t.bootloader, t.tee, t.snp, t.microcode);
}

static int status(struct devsev *d, bool json)
{
    struct snp_platform_status s;
    uint32_t err;
    memset(&s, 0, sizeof(s));
    if (devsev_issue(d, SEV_SNP_PLATFORM_STATUS, &s, &err))
        return report_ioctl_failure("snp platform status", "SNP_PLATFORM_STATUS", err);
    if (json) {
        struct json j;
        json_open(&j, stdout);
        json_u64(&j, "api_major", s.api_major);
        json_u64(&j, "api_minor", s.api_minor);
        json_u64(&j, "build", s.build_id);
        json_u64(&j, "state", s.state);
        json_bool(&j, "rmp_initialized", s.is_rmp_initialized & 1);
        json_bool(&j, "mask_chip_id", s.flags & 1);
        json_bool(&j, "mask_chip_key", s.flags & 2);
        json_bool(&j, "vlek", s.flags & 4);
        json_u64(&j, "guests", s.guest_count);
        json_u64(&j, "current_tcb", s.current_tcb_version);
        json_u64(&j, "reported_tcb", s.reported_tcb_version);
        json_close(&j);
        return CLI_EXIT_OK;
    }
    printf("API version:  %u.%u (build %u)\nstate:        %s\nRMP:          %s\n"
           "masks:        chip ID %s, chip key %s\nVLEK:         %s\nguests:       %u\n",
           s.api_major, s.api_minor, s.build_id, s.state ? "INIT" : "UNINIT",
           s.is_rmp_initialized & 1 ? "initialised" : "not initialised",
           s.flags & 1 ? "masked" : "shown", s.flags & 2 ? "masked" : "used",
           s.flags & 4 ? "loaded" : "none", s.guest_count);
    print_tcb("current TCB:", s.current_tcb_version);
    print_tcb("reported TCB:", s.reported_tcb_version);
    return CLI_EXIT_OK;
}

int snp_cmd_platform(int argc, char **argv)
{
    const char *cmd = "snp platform";
    const char *tcb = NULL;
    bool mask_id = false, mask_key = false;
    struct common_opts co;
    const struct opt opts[] = {
        {"reported-tcb", &tcb, NULL},
        {"mask-chip-id", NULL, &mask_id},
        {"mask-chip-key", NULL, &mask_key},
        {NULL, NULL, NULL},
    };
    char *pos[2];
    int npos = 0, r = parse_opts(cmd, argc, argv, &co, opts, pos, 2, &npos, usage);
    if (r)
        return PARSE_EXIT(r);
    if (npos < 1)
        return cli_error(cmd, "which action? (status, config, commit, vlek-load)");
    const char *a = pos[0];
    bool writes = strcmp(a, "status") != 0;
    if (strcmp(a, "status") && strcmp(a, "config") && strcmp(a, "commit") && strcmp(a, "vlek-load"))
        return cli_error(cmd, "unknown action '%s' (status, config, commit, vlek-load)", a);
    if (!strcmp(a, "vlek-load") != (npos == 2))
        return cli_error(cmd, "%s", npos == 2 ? "only vlek-load takes a FILE" : "vlek-load FILE");
    struct snp_fw_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    uint64_t v = 0;
    if (tcb && (!cli_parse_u64(tcb, &v) || strcmp(a, "config")))
        return cli_error(cmd, "--reported-tcb wants a TCB_VERSION number, with config");
    cfg.reported_tcb = v;
    cfg.flags = (mask_id ? 1u : 0u) | (mask_key ? 2u : 0u);
    uint8_t blob[0x1B0];
    if (!strcmp(a, "vlek-load") && read_exact(cmd, pos[1], blob, sizeof(blob)))
        return CLI_EXIT_USAGE;
    struct devsev d;
    if (devsev_open(&d, &co, writes, cmd))
        return CLI_EXIT_USAGE;
    uint32_t err;
    if (!strcmp(a, "status")) {
        r = status(&d, co.json);
    } else if (!strcmp(a, "commit")) {
        r = devsev_issue(&d, SEV_SNP_COMMIT, NULL, &err)
                ? report_ioctl_failure(cmd, "SNP_COMMIT", err)
                : (printf("SNP_COMMIT: done\n"), CLI_EXIT_OK);
    } else if (!strcmp(a, "config")) {
        r = devsev_issue(&d, SEV_SNP_SET_CONFIG, &cfg, &err)
                ? report_ioctl_failure(cmd, "SNP_SET_CONFIG", err)
                : (printf("SNP_SET_CONFIG: done\n"), CLI_EXIT_OK);
    } else {
        struct hv_user_snp_vlek_load in = {sizeof(in), 0, {0}, (uint64_t)(uintptr_t)blob};
        r = devsev_issue(&d, SEV_SNP_VLEK_LOAD, &in, &err)
                ? report_ioctl_failure(cmd, "SNP_VLEK_LOAD", err)
                : (printf("SNP_VLEK_LOAD: done\n"), CLI_EXIT_OK);
    }
    devsev_close(&d);
    return r;
}
