/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swsev-x86: run an x86-64 guest binary (docs/x86-guests.md) on the
 * simulated SEV host, its vCPU on Unicorn. `swsev vm run FILE.elf` hands
 * ELF files to this program, so that the swsev tool itself never links
 * Unicorn (GPL-2.0).
 *
 *   swsev-x86 run FILE [--none|--sev|--sev-es|--snp] [--chip NAME] [--stats] [--trace]
 *                 [--inject-exception V[:CODE]] [--hook-every-insn] [--quantum N]
 *
 * --inject-exception: the VMM injects exception V (error code CODE) through
 * the VMCB's EVENTINJ at the VMRUN after the guest's first VMEXIT, as a
 * VMM developer's fault injection.
 *
 * --hook-every-insn: the backend's reference mode (a code hook on every
 * instruction instead of its block scan: 10-20 times slower, for
 * cross-checking); --quantum: instructions between the backend's returns
 * to the run loop.
 *
 * The guest's serial output goes to stdout; the exit status is the guest's
 * (debug-exit value & 0x7f, 128 + GHCB termination reason), 255 when the
 * vCPU shut down or could not enter, 2 for a usage or load error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86bench.h"
#include "x86vm.h"

static void to_stdout(void *ctx, uint8_t byte)
{
    (void)ctx;
    putchar(byte);
    if (byte == '\n')
        fflush(stdout);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: swsev-x86 run FILE [--none|--sev|--sev-es|--snp] [--chip NAME] "
            "[--vcpus N] [--stats] [--trace] [--inject-exception V[:CODE]] [--hook-every-insn] "
            "[--quantum N]\n"
            "       swsev-x86 bench BENCH.elf [--sev|--sev-es|--snp]\n");
    return 2;
}

static const char *mode_name(enum mrun_mode m)
{
    static const char *names[] = {"none", "sev", "sev-es", "snp"};
    return names[m];
}

static int run(int argc, char **argv)
{
    const char *file = NULL, *chip = "milan";
    enum mrun_mode mode = MRUN_SNP;
    bool stats = false, trace = false;
    unsigned vcpus = 1;
    int inject_vec = -1;
    bool inject_has = false;
    uint32_t inject_code = 0;
    struct uc_vcpu_config cfg;
    x86vm_default_config(&cfg);
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--none"))
            mode = MRUN_NONE;
        else if (!strcmp(argv[i], "--sev"))
            mode = MRUN_SEV;
        else if (!strcmp(argv[i], "--sev-es"))
            mode = MRUN_SEV_ES;
        else if (!strcmp(argv[i], "--snp"))
            mode = MRUN_SNP;
        else if (!strcmp(argv[i], "--stats"))
            stats = true;
        else if (!strcmp(argv[i], "--trace"))
            trace = true;
        else if (!strcmp(argv[i], "--vcpus") && i + 1 < argc) {
            char *end;
            unsigned long n = strtoul(argv[++i], &end, 10);
            if (*end || n == 0 || n > MRUN_MAX_VCPUS) {
                fprintf(stderr, "swsev-x86: --vcpus wants 1 to %u\n", MRUN_MAX_VCPUS);
                return 2;
            }
            vcpus = (unsigned)n;
        } else if (!strcmp(argv[i], "--inject-exception") && i + 1 < argc) {
            char *end;
            unsigned long vec = strtoul(argv[++i], &end, 0), code = 0;
            bool has = *end == ':';
            if (has)
                code = strtoul(end + 1, &end, 0);
            if (*end || vec > 31 || vec == 2 || code > 0xFFFFFFFFul) {
                fprintf(stderr, "swsev-x86: --inject-exception wants VECTOR[:CODE], vector 0-31 "
                                "but 2\n");
                return 2;
            }
            inject_vec = (int)vec;
            inject_has = has;
            inject_code = (uint32_t)code;
        } else if (!strcmp(argv[i], "--hook-every-insn"))
            cfg.flags |= UC_VCPU_F_HOOK_EVERY_INSN;
        else if (!strcmp(argv[i], "--quantum") && i + 1 < argc) {
            char *end;
            unsigned long long q = strtoull(argv[++i], &end, 0);
            if (*end || q == 0) {
                fprintf(stderr, "swsev-x86: --quantum wants a positive number\n");
                return 2;
            }
            cfg.quantum = q;
        } else if (!strcmp(argv[i], "--chip") && i + 1 < argc)
            chip = argv[++i];
        else if (argv[i][0] == '-' || file) {
            fprintf(stderr, "swsev-x86: unexpected argument '%s'\n", argv[i]);
            return usage();
        } else
            file = argv[i];
    }
    if (!file)
        return usage();
    struct ximage img;
    char err[256];
    if (ximage_load_file(&img, file, err, sizeof(err))) {
        fprintf(stderr, "swsev-x86: %s\n", err);
        return 2;
    }
    struct x86vm *x = calloc(1, sizeof(*x));
    if (!x) {
        ximage_free(&img);
        fprintf(stderr, "swsev-x86: out of memory\n");
        return 2;
    }
    int status;
    if (x86vm_start_cfg(x, &img, mode, chip, vcpus, &cfg, to_stdout, NULL)) {
        fprintf(stderr, "swsev-x86: %s\n", x->err);
        status = 2;
    } else {
        x->trace = trace ? stderr : NULL;
        if (inject_vec >= 0) {
            x->inject.armed = true;
            x->inject.vector = (uint8_t)inject_vec;
            x->inject.has_code = inject_has;
            x->inject.code = inject_code;
        }
        status = x86vm_run(x);
        fflush(stdout);
        if (status < 0) {
            fprintf(stderr, "swsev-x86: %s\n", x->err);
            status = 255;
        } else if (x->r.exit.reason == VCPU_EXIT_FAIL_ENTRY) {
            fprintf(stderr, "swsev-x86: VMRUN failed (exit code %#llx)\n",
                    (unsigned long long)x->r.exit.fail_entry_code);
        } else if (x->r.exit.reason == VCPU_EXIT_SHUTDOWN) {
            fprintf(stderr,
                    "swsev-x86: the VMM stopped the guest at VMEXIT %#llx (info1 %#llx, info2 "
                    "%#llx)\n",
                    (unsigned long long)x->r.exit.vmexit.code,
                    (unsigned long long)x->r.exit.vmexit.info1,
                    (unsigned long long)x->r.exit.vmexit.info2);
        }
        if (stats) {
            struct uc_vcpu_stats us;
            uc_vcpu_get_stats(x->u, &us);
            fprintf(stderr,
                    "swsev-x86: %s: %llu instructions, %llu events, %llu #VC, %llu VMEXITs "
                    "(%llu VMGEXIT), %llu page fills, %llu write-backs\n",
                    mode_name(mode), (unsigned long long)us.insns, (unsigned long long)x->st.events,
                    (unsigned long long)x->st.vc, (unsigned long long)x->st.vmexits,
                    (unsigned long long)x->st.vmgexits, (unsigned long long)us.fills,
                    (unsigned long long)us.writebacks);
        }
    }
    x86vm_free(x);
    free(x);
    ximage_free(&img);
    return status;
}

static double per_s(double n, double t)
{
    return t > 0 ? n / t : 0;
}

/* The x86-64 part of `swsev bench vcpu`: figures, then the ratio line. */
static int bench(int argc, char **argv)
{
    enum mrun_mode on = MRUN_SNP;
    if (argc == 2 && !strcmp(argv[1], "--sev"))
        on = MRUN_SEV;
    else if (argc == 2 && !strcmp(argv[1], "--sev-es"))
        on = MRUN_SEV_ES;
    else if (argc == 2 && !strcmp(argv[1], "--snp"))
        on = MRUN_SNP;
    else if (argc != 1)
        return usage();
    struct ximage img;
    char err[256];
    if (ximage_load_file(&img, argv[0], err, sizeof(err))) {
        fprintf(stderr, "swsev-x86: %s\n", err);
        return 2;
    }
    struct x86bench_result r;
    int rc = x86bench_run(&img, "milan", on, &r, err, sizeof(err));
    ximage_free(&img);
    if (rc) {
        fprintf(stderr, "swsev-x86: bench: %s\n", err);
        return 1;
    }
    double off_i =
        per_s((double)(r.off.insns_compute + r.off.insns_memory), r.off.t_compute + r.off.t_memory);
    double on_i =
        per_s((double)(r.on.insns_compute + r.on.insns_memory), r.on.t_compute + r.on.t_memory);
    double off_m = per_s((double)X86BENCH_COPY_BYTES, r.off.t_memory) / 1e6;
    double on_m = per_s((double)X86BENCH_COPY_BYTES, r.on.t_memory) / 1e6;
    printf("x86-64 guest (Unicorn %s), same image, same backend, best of %d:\n",
           uc_vcpu_unicorn_version(), X86BENCH_ROUNDS);
    const char *name = on == MRUN_SNP ? "SNP" : on == MRUN_SEV_ES ? "SEV-ES" : "SEV";
    printf("  vmgexit round trips (%s, MSR protocol)  %10.0f /s\n", name,
           per_s((double)r.on.roundtrips, r.on.t_exits));
    printf("  instructions/s      SEV off %12.0f   %s on %12.0f\n", off_i, name, on_i);
    printf("  memory copy MB/s    SEV off %12.1f   %s on %12.1f\n", off_m, name, on_m);
    double ri = off_i > 0 ? on_i / off_i : 0, rm = off_m > 0 ? on_m / off_m : 0;
    printf("  phase seconds       SEV off compute %.3f memory %.3f   %s on compute %.3f memory "
           "%.3f\n",
           r.off.t_compute, r.off.t_memory, name, r.on.t_compute, r.on.t_memory);
    printf("  ratio instructions %.2f, memory %.2f\n", ri, rm);
    printf("ratio x86_sev_on_off %.2f\n", ri < rm ? ri : rm);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "run"))
        return run(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "bench"))
        return bench(argc - 2, argv + 2);
    return usage();
}
