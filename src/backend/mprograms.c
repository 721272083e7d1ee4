/* SPDX-License-Identifier: MIT */
/*
 * The modelled guest programs `swsev vm run` knows:
 *   hello   boot, validate memory (SNP: page-state change to private and
 *           PVALIDATE), use it, print on the serial console, exit 0;
 *   attest  (SNP) ask for an attestation report through the GHCB's guest
 *           request, print its measurement and report data;
 *   psc     (SNP) a page-state-change torture test: pages flip between
 *           private and shared, each state checked from both sides;
 *   mmio    read and write the MMIO test region;
 *   vmpl    (SNP) VMPL0 runs VMPL1 on the same vCPU and back (RUN_VMPL);
 *   conform the scenario of the x86-64 guest conform.elf (docs/x86-guests.md),
 *           line for line: both backends must print the same transcript.
 * Each returns 0 or -1; the exit code comes from the debug-exit port.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "backend/mrun.h"
#include "guest/snp_msg.h"
#include "swsev/abi/ghcb.h"
#include "swsev/abi/vmsa.h"

static const char *mode_name(enum mrun_mode m)
{
    return m == MRUN_SNP ? "SEV-SNP" : m == MRUN_SEV_ES ? "SEV-ES" : "SEV";
}

/* SNP: claim npages of RAM at gpa as validated private memory. */
static int claim(struct mkernel *k, uint64_t gpa, uint64_t npages)
{
    if (!k->snp)
        return 0;
    return ghcb_page_state_change(&k->ghcb, gpa, npages, true) ? -1 : 0;
}

static int hello(struct mrun *r, struct mkernel *k)
{
    char line[96];
    uint64_t sev_status = 0;
    if (r->mode != MRUN_SEV && mg_rdmsr(k->g, 0xC0010131, &sev_status))
        return -1;
    if (claim(k, MRUN_FREE_GPA, 16))
        return mk_exit(k, 3), -1;
    /* Private memory works, and is the guest's alone. */
    static const char secret[] = "only the guest can read this";
    char back[sizeof(secret)];
    if (mk_write(k, MRUN_FREE_GPA, true, secret, sizeof(secret)) ||
        mk_read(k, MRUN_FREE_GPA, true, back, sizeof(back)) || memcmp(back, secret, sizeof(back)))
        return mk_exit(k, 4), -1;
    uint32_t regs[4];
    if (mg_cpuid(k->g, 0x8000001F, 0, regs))
        return -1;
    snprintf(line, sizeof(line), "hello from an %s guest (SEV_STATUS 0x%llx, C-bit %u)\n",
             mode_name(r->mode), (unsigned long long)sev_status, regs[1] & 0x3f);
    if (mk_puts(k, line))
        return -1;
    return mk_exit(k, 0);
}

static void hex(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static int attest(struct mrun *r, struct mkernel *k)
{
    if (r->mode != MRUN_SNP) {
        mk_puts(k, "attest: needs an SEV-SNP guest\n");
        return mk_exit(k, 2);
    }
    struct guest_snp g;
    if (guest_snp_init(&g, k->g->ms, hw_vcpu_ctx(k->g->vcpu), MRUN_SECRETS_GPA, 0, MRUN_REQ_GPA,
                       MRUN_RESP_GPA, ghcb_snp_transport, &k->ghcb))
        return mk_exit(k, 5), -1;
    uint8_t rd[64] = "swsev vm run attest", report[0x4A0];
    uint32_t status = 0, fw = 0;
    swsev_rc rc = guest_snp_report(&g, rd, 0, report, &status, &fw);
    guest_snp_fini(&g);
    if (rc || status)
        return mk_exit(k, 6), -1;
    char m[97], line[160];
    hex(m, report + 0x90, 48);
    snprintf(line, sizeof(line), "report: version %u, measurement %s\n", report[0], m);
    if (mk_puts(k, line))
        return -1;
    memcpy(r->launch_digest, report + 0x90, 48);
    return mk_exit(k, 0);
}

static int psc(struct mrun *r, struct mkernel *k)
{
    if (r->mode != MRUN_SNP) {
        mk_puts(k, "psc: needs an SEV-SNP guest\n");
        return mk_exit(k, 2);
    }
    enum { PAGES = 8, ROUNDS = 4 };
    uint64_t base = MRUN_FREE_GPA + 0x40000;
    unsigned flips = 0;
    if (claim(k, base, PAGES))
        return mk_exit(k, 9), -1;
    for (unsigned round = 0; round < ROUNDS; round++) {
        for (unsigned i = 0; i < PAGES; i++) {
            uint64_t gpa = base + i * 0x1000ull;
            uint8_t v[16], w[16], b[16];
            memset(v, 0x40 + (int)(round * PAGES + i), sizeof(v));
            memset(w, 0xA0 + (int)i, sizeof(w));
            /* Private: written and read back through the C-bit. */
            if (mk_write(k, gpa, true, v, sizeof(v)) || mk_read(k, gpa, true, b, sizeof(b)) ||
                memcmp(b, v, sizeof(v)))
                return mk_exit(k, 10), -1;
            /* Shared: the guest and the hypervisor see the same bytes. */
            if (ghcb_page_state_change(&k->ghcb, gpa, 1, false) ||
                mk_write(k, gpa, false, w, sizeof(w)) || mk_read(k, gpa, false, b, sizeof(b)) ||
                memcmp(b, w, sizeof(w)))
                return mk_exit(k, 11), -1;
            /* Private again: what was shared is no plaintext to the guest
             * (the page now decrypts under the guest's key). */
            if (claim(k, gpa, 1) || mk_read(k, gpa, true, b, sizeof(b)) || !memcmp(b, w, sizeof(w)))
                return mk_exit(k, 12), -1;
            flips += 2;
        }
    }
    char line[64];
    snprintf(line, sizeof(line), "psc: %u page-state changes checked\n", flips);
    if (mk_puts(k, line))
        return -1;
    return mk_exit(k, 0);
}

static int mmio(struct mrun *r, struct mkernel *k)
{
    if (r->mode == MRUN_SEV) {
        /* A plain SEV guest's MMIO is a nested page fault the hypervisor
         * emulates by decoding the instruction: modelled guests have no
         * instruction bytes (the x86-64 backend does). */
        mk_puts(k, "mmio: needs an SEV-ES or SEV-SNP guest (#VC and the GHCB)\n");
        return mk_exit(k, 2);
    }
    uint64_t v = 0x1122334455667788ull, back = 0;
    if (mk_write(k, MRUN_MMIO_GPA + 8, false, &v, 8) ||
        mk_read(k, MRUN_MMIO_GPA + 8, false, &back, 8))
        return mk_exit(k, 20), -1;
    if (back != v)
        return mk_exit(k, 21), -1;
    mk_puts(k, "mmio: the test region answered\n");
    return mk_exit(k, 0);
}

/* The AP's program: it runs on its own vCPU, with its own GHCB. */
static int ap_main(struct mrun *r, struct mkernel *k)
{
    (void)r;
    uint64_t st = 0;
    if (mg_rdmsr(k->g, 0xC0010131, &st))
        return -1;
    char line[80];
    snprintf(line, sizeof(line), "AP 1: up (SEV_STATUS 0x%llx)\n", (unsigned long long)st);
    return mk_puts(k, line);
}

/* SNP AP bring-up: the BSP writes the AP's VMSA into a private page, marks
 * it a VMSA page with RMPADJUST and asks for AP creation through the GHCB;
 * the VMM starts the AP on that VMSA. */
static int smp(struct mrun *r, struct mkernel *k)
{
    if (r->mode != MRUN_SNP) {
        mk_puts(k, "smp: needs an SEV-SNP guest (AP creation)\n");
        return mk_exit(k, 2);
    }
    if (r->vm->nr_vcpus < 2) {
        mk_puts(k, "smp: needs a VM with 2 vCPUs or more (--vcpus)\n");
        return mk_exit(k, 2);
    }
    uint64_t vmsa = MRUN_FREE_GPA + 0x80000, rc = 0;
    uint8_t page[4096];
    vmsa_reset_state(page, VMSA_VMM_QEMU, 0, 0, 0x00A00F11, 1); /* an AP, SNPActive */
    if (claim(k, vmsa, 1) || mk_write(k, vmsa, true, page, sizeof(page)))
        return mk_exit(k, 30), -1;
    /* VMSA bit, target VMPL1: the page becomes a VMSA page. */
    if (mg_rmpadjust(k->g, vmsa, false, (1ull << 16) | 1, &rc) || rc)
        return mk_exit(k, 31), -1;
    if (ghcb_snp_ap_create(&k->ghcb, 1, 0, GHCB_AP_CREATE, vmsa, 1))
        return mk_exit(k, 32), -1;
    if (mrun_run_ap(r, 1, ap_main))
        return mk_exit(k, 33), -1;
    mk_puts(k, "BSP: AP 1 created from a VMSA the guest wrote, and it ran\n");
    return mk_exit(k, 0);
}

static int mk_printf(struct mkernel *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* SNP VMPLs on one vCPU, as an SVSM at VMPL0 runs an OS at VMPL1: VMPL0
 * writes a VMSA with VMPL 1, makes it a VMSA page, gives VMPL1 read/write
 * access to one page only (RMPADJUST), registers the VMSA for its own
 * APIC ID (AP creation) and asks the VMM to run VMPL1 (RUN_VMPL). The
 * same vCPU then runs as VMPL1 until VMPL1 asks for VMPL0 again. Last,
 * VMPL1 touches a page it was not given: the RMP refuses (a nested page
 * fault with the VMPL bit) and the VMM stops the VM, as KVM does. */
/* RUN_VMPL through the GHCB MSR protocol, the answer left unread: the
 * code after the VMGEXIT runs at the other VMPL, and the answer is for
 * this VMPL to read when it runs again. */
static int run_vmpl(struct mkernel *k, uint8_t vmpl)
{
    return mg_wrmsr(k->g, 0xC0010130, GHCB_MSR_VMPL_REQ | (uint64_t)vmpl << 32) || mg_vmgexit(k->g)
               ? -1
               : 0;
}

/* Back at this VMPL: its GHCB MSR holds the VMM's answer to its RUN_VMPL. */
static int run_vmpl_answered(struct mkernel *k)
{
    uint64_t m = 0;
    return mg_rdmsr(k->g, 0xC0010130, &m) || m != GHCB_MSR_VMPL_RESP ? -1 : 0;
}

static int vmpl(struct mrun *r, struct mkernel *k)
{
    if (r->mode != MRUN_SNP) {
        mk_puts(k, "vmpl: needs an SEV-SNP guest\n");
        return mk_exit(k, 2);
    }
    const uint64_t vmsa = MRUN_FREE_GPA + 0xA0000, given = vmsa + 0x1000, own = vmsa + 0x2000;
    static const char from0[] = "VMPL0 wrote this", from1[] = "VMPL1 was here";
    uint8_t page[4096];
    char back[32];
    uint64_t rc = 0;
    if (claim(k, vmsa, 3))
        return mk_exit(k, 40), -1;
    vmsa_reset_state(page, VMSA_VMM_QEMU, 1, 0, 0x00A00F11, 1);
    page[VMSA_VMPL] = 1;
    if (mk_write(k, vmsa, true, page, sizeof(page)) ||
        mk_write(k, given, true, from0, sizeof(from0)) || mk_write(k, own, true, from0, 4))
        return mk_exit(k, 41), -1;
    /* RDX: target VMPL 1, permissions read+write (bits 8, 9); VMSA bit 16. */
    if (mg_rmpadjust(k->g, given, false, 1 | 0x300, &rc) || rc ||
        mg_rmpadjust(k->g, vmsa, false, (1ull << 16) | 1, &rc) || rc)
        return mk_exit(k, 42), -1;
    if (ghcb_snp_ap_create(&k->ghcb, 0, 1, GHCB_AP_CREATE, vmsa, 1) || run_vmpl(k, 1))
        return mk_exit(k, 43), -1;
    /* VMPL1 from here on, on the same vCPU: its own VMSA (real mode),
     * its own GHCB MSR. */
    uint8_t now = hw_vcpu_ctx(k->g->vcpu)->vmpl;
    memset(back, 0, sizeof(back));
    if (mk_read(k, given, true, back, sizeof(from0)) || memcmp(back, from0, sizeof(from0)) ||
        mk_write(k, given + 64, true, from1, sizeof(from1)) || run_vmpl(k, 0))
        return -1;
    /* VMPL0 again. */
    memset(back, 0, sizeof(back));
    if (run_vmpl_answered(k) || mk_read(k, given + 64, true, back, sizeof(from1)) ||
        memcmp(back, from1, sizeof(from1)))
        return mk_exit(k, 44), -1;
    if (mk_printf(k,
                  "vmpl: VMPL0 ran VMPL1 on its vCPU (VMPL %u there), which read \"%s\" and "
                  "wrote \"%s\"; back at VMPL %u\n",
                  now, from0, back, hw_vcpu_ctx(k->g->vcpu)->vmpl) ||
        mk_puts(k, "vmpl: now VMPL1 touches a page it was not given\n") || run_vmpl(k, 1))
        return -1;
    mk_read(k, own, true, back, 4); /* the VMM stops the VM here */
    return -1;
}
static int mk_printf(struct mkernel *k, const char *fmt, ...)
{
    char line[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    return mk_puts(k, line);
}

/* conform.elf's transcript (docs/x86-guests.md, "conform.elf"). */
static int conform(struct mrun *r, struct mkernel *k)
{
    uint32_t c[4];
    uint64_t st = 0, rax = 0;
    uint32_t lsr = 0, a = 0, b = 0;
    char vendor[13];
    const uint32_t v1 = 0x12345678u, v2 = 0xCAFEF00Du;
    if (mk_printf(k, "conform: start\nmode: %s\n", mode_name(r->mode)) || mg_cpuid(k->g, 0, 0, c))
        return -1;
    memcpy(vendor, &c[1], 4);
    memcpy(vendor + 4, &c[3], 4);
    memcpy(vendor + 8, &c[2], 4);
    vendor[12] = 0;
    if (mk_printf(k, "cpuid_0_vendor: %s\ncpuid_0_max_leaf: 0x%x\n", vendor, c[0]) ||
        mg_cpuid(k->g, 0x8000001F, 0, c) ||
        mk_printf(k, "cpuid_8000001f_eax: 0x%x\ncpuid_8000001f_ebx: 0x%x\n", c[0], c[1]) ||
        mg_rdmsr(k->g, 0xC0010131, &st) ||
        mk_printf(k, "sev_status: 0x%llx\n", (unsigned long long)st) ||
        mg_in(k->g, 0x3FD, 1, &lsr) || mk_printf(k, "lsr: 0x%x\n", lsr & 0xFF))
        return -1;
    if (mk_write(k, MRUN_MMIO_GPA, false, &v1, 4) ||
        mk_write(k, MRUN_MMIO_GPA + 4, false, &v2, 4) || mk_read(k, MRUN_MMIO_GPA, false, &a, 4) ||
        mk_read(k, MRUN_MMIO_GPA + 4, false, &b, 4) ||
        mk_printf(k, "mmio_10000000: 0x%x\nmmio_10000004: 0x%x\n", a, b) ||
        mg_vmmcall(k->g, &rax) ||
        mk_printf(k, "vmmcall_0: 0x%llx\nconform: end\n", (unsigned long long)rax))
        return -1;
    return mk_exit(k, 7);
}

static const struct {
    const char *name;
    mrun_program fn;
    const char *summary;
} programs[] = {
    {"hello", hello, "boot, validate memory, print on the serial console"},
    {"attest", attest, "an attestation report through the GHCB guest request (SNP)"},
    {"psc", psc, "page-state-change torture test (SNP)"},
    {"mmio", mmio, "MMIO test region reads and writes"},
    {"smp", smp, "SNP AP creation: the BSP brings up a second vCPU (SNP)"},
    {"conform", conform, "the conformance scenario of conform.elf (SEV-ES, SNP)"},
    {"vmpl", vmpl, "SNP VMPLs: VMPL0 runs VMPL1 on its vCPU; the RMP keeps VMPL0's pages (SNP)"},
};

mrun_program mrun_find(const char *name, const char **summary)
{
    for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
        if (!strcmp(programs[i].name, name)) {
            if (summary)
                *summary = programs[i].summary;
            return programs[i].fn;
        }
    return NULL;
}

const char *mrun_program_name(size_t i)
{
    return i < sizeof(programs) / sizeof(programs[0]) ? programs[i].name : NULL;
}
