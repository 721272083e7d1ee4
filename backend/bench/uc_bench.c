/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swsev-uc-bench: speed of the Unicorn backend, against limits measured in
 * the same run.
 *
 *   limits   Unicorn with nothing of ours: an ALU loop, loads and stores on
 *            plain mapped memory (the store figure is 2.0.1's slow store
 *            path - with and without the backend's workaround, which is in
 *            this process since the program links libswsev_unicorn).
 *   designs  the two per-access alternatives to the backend's memory
 *            design: a UC_HOOK_MEM_READ|WRITE hook on every access, and
 *            uc_mmio_map() (a callback per access).
 *   backend  the bench guest (backend/guests/uc/bench.c) on a flat memory,
 *            with the block scan (the default) and with a hook on every
 *            instruction: ALU instructions per second, 1 MiB store/load/copy
 *            loops, OUT round trips (event, complete, run again).
 *
 * Output: a table, then "ratio NAME VALUE" lines (backend / limit).
 * Usage: swsev-uc-bench [GUEST_DIR] (default: the build's guest directory).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicorn/unicorn.h>

#include "uc_flatmem.h"

#ifndef SWSEV_GUEST_DIR
#define SWSEV_GUEST_DIR "."
#endif

#define GUEST_BASE 0x100000ull

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void row(const char *name, double value, const char *unit, const char *note)
{
    printf("%-34s %12.2f %-10s %s\n", name, value, unit, note);
}

/* ---- limits and alternative designs: plain Unicorn ---- */

enum raw_mode { RAW_PLAIN, RAW_HOOKS, RAW_MMIO };

static uint8_t *raw_buf;

static void on_mem(uc_engine *uc, uc_mem_type t, uint64_t a, int s, int64_t v, void *u)
{
    (void)uc;
    (void)t;
    (void)a;
    (void)s;
    (void)v;
    ++*(uint64_t *)u;
}

static uint64_t mmio_rd(uc_engine *uc, uint64_t off, unsigned size, void *u)
{
    (void)uc;
    (void)u;
    uint64_t v = 0;
    memcpy(&v, raw_buf + off, size);
    return v;
}

static void mmio_wr(uc_engine *uc, uint64_t off, unsigned size, uint64_t v, void *u)
{
    (void)uc;
    (void)u;
    memcpy(raw_buf + off, &v, size);
}

/* mov rcx, n; mov rsi, data; loop: body; dec rcx; jnz loop; hlt. Returns
 * operations per second (ops_per_iter * n / time). */
static double raw_loop(const uint8_t *body, size_t blen, unsigned ops_per_iter, uint64_t n,
                       enum raw_mode mode)
{
    uc_engine *uc;
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &uc))
        return -1;
    uint8_t code[256];
    size_t p = 0;
    uint64_t data = 0x200000;
    code[p++] = 0x48, code[p++] = 0xB9;
    memcpy(code + p, &n, 8), p += 8;
    code[p++] = 0x48, code[p++] = 0xBE;
    memcpy(code + p, &data, 8), p += 8;
    size_t loop = p;
    memcpy(code + p, body, blen), p += blen;
    code[p++] = 0x48, code[p++] = 0xFF, code[p++] = 0xC9;
    code[p++] = 0x75, code[p] = (uint8_t)(loop - (p + 1)), p++;
    code[p++] = 0xF4;
    uint64_t count = 0;
    uc_hook h;
    uc_mem_map(uc, 0x1000, 0x1000, UC_PROT_ALL);
    uc_mem_write(uc, 0x1000, code, p);
    if (mode == RAW_MMIO)
        uc_mmio_map(uc, data, 0x10000, mmio_rd, NULL, mmio_wr, NULL);
    else
        uc_mem_map_ptr(uc, data, 0x10000, UC_PROT_READ | UC_PROT_WRITE, raw_buf);
    if (mode == RAW_HOOKS)
        uc_hook_add(uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)on_mem, &count, 1, 0);
    double t = now();
    uc_err e = uc_emu_start(uc, 0x1000, 0, 0, 0);
    t = now() - t;
    uc_close(uc);
    return e ? -1 : (double)ops_per_iter * (double)n / t;
}

/* ---- the backend running the bench guest ---- */

struct phase {
    double t;
    uint64_t insns;
};

static int run_guest(const char *dir, uint32_t flags, uint32_t alu_iters, uint32_t rounds,
                     struct phase ph[9], double *exit_rate)
{
    struct uc_flatmem fm;
    struct uc_vcpu_mem mem;
    struct uc_vcpu *v;
    char path[512];
    snprintf(path, sizeof(path), "%s/bench.bin", dir);
    if (uc_flatmem_init(&fm, 0, 16 << 20))
        return -ENOMEM;
    if (uc_flatmem_load(&fm, GUEST_BASE, path) < 0) {
        fprintf(stderr, "swsev-uc-bench: cannot load %s\n", path);
        uc_flatmem_fini(&fm);
        return -ENOENT;
    }
    uc_flatmem_vtable(&fm, &mem);
    struct uc_vcpu_config cfg = {.flags = flags};
    int rc = uc_vcpu_create(&v, &mem, &cfg);
    if (rc) {
        uc_flatmem_fini(&fm);
        return rc;
    }
    struct vcpu_regs r;
    uc_vcpu_get_regs(v, &r);
    r.rip = GUEST_BASE;
    uc_vcpu_set_regs(v, &r);
    unsigned ins = 0;
    struct uc_vcpu_stats st;
    double t_out0 = 0;
    for (;;) {
        struct vcpu_event ev;
        rc = uc_vcpu_run(v, &ev);
        if (rc)
            break;
        if (ev.kind == VCPU_EV_IO && ev.io.in) {
            uint32_t val = ins++ == 0 ? alu_iters : rounds;
            struct uc_vcpu_result res = {.data = &val, .len = 4};
            uc_vcpu_complete(v, &res);
            continue;
        }
        if (ev.kind == VCPU_EV_IO && ev.io.port == 0x80) {
            size_t len;
            uint8_t k = uc_vcpu_io_data(v, &len)[0];
            uc_vcpu_get_stats(v, &st);
            if (k < 9) {
                ph[k].t = now();
                ph[k].insns = st.insns;
            }
            if (k == 7)
                t_out0 = ph[k].t;
            if (k == 8)
                *exit_rate = 10000.0 / (ph[8].t - t_out0);
        }
        if (ev.kind == VCPU_EV_IO && ev.io.port == 0xF4)
            break;
        if (ev.kind != VCPU_EV_IO && ev.kind != VCPU_EV_NONE) {
            fprintf(stderr, "swsev-uc-bench: unexpected event %u\n", ev.kind);
            rc = -EIO;
            break;
        }
        uc_vcpu_complete(v, NULL);
    }
    uc_vcpu_get_stats(v, &st);
    printf("# %s: %llu fills, %llu upgrades, %llu write-backs, %llu TLB flushes, %llu runs, "
           "%llu blocks scanned, %llu code hooks\n",
           flags ? "hook every instruction" : "block scan", (unsigned long long)st.fills,
           (unsigned long long)st.upgrades, (unsigned long long)st.writebacks,
           (unsigned long long)st.flushes, (unsigned long long)st.runs,
           (unsigned long long)st.scans, (unsigned long long)st.hooks);
    uc_vcpu_destroy(v);
    uc_flatmem_fini(&fm);
    return rc;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : SWSEV_GUEST_DIR;
    raw_buf = calloc(1, 0x10000);
    if (!raw_buf)
        return 1;
    static const uint8_t alu[] = {0x48, 0x01, 0xC0, 0x48, 0x31, 0xD2, 0x48, 0x83, 0xC3, 0x05};
    static const uint8_t ld[] = {0x48, 0x8B, 0x06, 0x48, 0x8B, 0x56, 0x08, 0x48, 0x8B, 0x5E, 0x10};
    static const uint8_t stq[] = {0x48, 0x89, 0x06, 0x48, 0x89, 0x56, 0x08, 0x48, 0x89, 0x5E, 0x10};
    printf("Unicorn %s; store workaround %s\n", uc_vcpu_unicorn_version(),
           uc_vcpu_quirks(NULL) & UC_QUIRK_STORE_FASTPATH ? "active" : "not active");
    printf("%-34s %12s %-10s %s\n", "measurement", "value", "unit", "note");
    double lim_alu = raw_loop(alu, sizeof(alu), 5, 20000000, RAW_PLAIN);
    double lim_ld = raw_loop(ld, sizeof(ld), 3, 20000000, RAW_PLAIN);
    double lim_st = raw_loop(stq, sizeof(stq), 3, 5000000, RAW_PLAIN);
    row("limit: ALU instructions", lim_alu / 1e6, "M/s", "Unicorn, no hooks");
    row("limit: 8-byte loads", lim_ld / 1e6, "M/s", "Unicorn, no hooks");
    row("limit: 8-byte stores", lim_st / 1e6, "M/s", "Unicorn, no hooks (2.0.1 slow path)");
    double hk_ld = raw_loop(ld, sizeof(ld), 3, 5000000, RAW_HOOKS);
    double hk_st = raw_loop(stq, sizeof(stq), 3, 2000000, RAW_HOOKS);
    double mm_ld = raw_loop(ld, sizeof(ld), 3, 5000000, RAW_MMIO);
    double mm_st = raw_loop(stq, sizeof(stq), 3, 5000000, RAW_MMIO);
    row("design: memory hooks, loads", hk_ld / 1e6, "M/s", "UC_HOOK_MEM_READ on every access");
    row("design: memory hooks, stores", hk_st / 1e6, "M/s", "UC_HOOK_MEM_WRITE on every access");
    row("design: uc_mmio_map, loads", mm_ld / 1e6, "M/s", "a callback per access");
    row("design: uc_mmio_map, stores", mm_st / 1e6, "M/s", "a callback per access");

    const uint32_t alu_iters = 20000000, rounds = 8;
    const double mib = 1024.0 * 1024.0;
    double ips[2], loads[2], stores[2];
    for (int mode = 0; mode < 2; mode++) {
        struct phase ph[9] = {0};
        double exits = 0;
        uint32_t flags = mode ? UC_VCPU_F_HOOK_EVERY_INSN : 0;
        int rc = run_guest(dir, flags, mode ? alu_iters / 10 : alu_iters, rounds, ph, &exits);
        if (rc) {
            fprintf(stderr, "swsev-uc-bench: the bench guest failed (%d)\n", rc);
            return 1;
        }
        const char *m = mode ? "every insn:" : "block scan:";
        char name[64];
        ips[mode] = (double)(ph[2].insns - ph[1].insns) / (ph[2].t - ph[1].t);
        loads[mode] = rounds * mib / (ph[5].t - ph[4].t);
        stores[mode] = rounds * mib / (ph[6].t - ph[5].t);
        snprintf(name, sizeof(name), "%s guest instructions", m);
        row(name, ips[mode] / 1e6, "M/s", "ALU loop");
        snprintf(name, sizeof(name), "%s first touch, 1 MiB", m);
        row(name, mib / (ph[3].t - ph[2].t) / mib, "MiB/s", "stores: 256 fills + upgrades");
        snprintf(name, sizeof(name), "%s loads", m);
        row(name, loads[mode] / mib, "MiB/s", "8-byte loads over 1 MiB, cached");
        snprintf(name, sizeof(name), "%s stores", m);
        row(name, stores[mode] / mib, "MiB/s", "8-byte stores over 1 MiB, cached");
        snprintf(name, sizeof(name), "%s copy", m);
        row(name, rounds * mib / 2 / (ph[7].t - ph[6].t) / mib, "MiB/s", "byte loop, 512 KiB");
        snprintf(name, sizeof(name), "%s OUT round trips", m);
        row(name, exits / 1e3, "k/s", "event, write-back, complete, run");
    }
    printf("ratio backend_ips_vs_unicorn %.4f\n", ips[0] / lim_alu);
    printf("ratio backend_loads_vs_unicorn %.4f\n", loads[0] / 8 / lim_ld);
    printf("ratio backend_stores_vs_unicorn %.4f\n", stores[0] / 8 / lim_st);
    printf("ratio every_insn_ips_vs_unicorn %.4f\n", ips[1] / lim_alu);
    printf("ratio memhook_loads_vs_unicorn %.4f\n", hk_ld / lim_ld);
    printf("ratio mmio_loads_vs_unicorn %.4f\n", mm_ld / lim_ld);
    free(raw_buf);
    return 0;
}
