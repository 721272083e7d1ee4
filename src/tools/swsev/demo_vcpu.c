/* SPDX-License-Identifier: MIT */
/*
 * The vCPU part of the demo: guests that run. An SEV-ES guest prints over
 * the GHCB; the hypervisor cannot read its registers, sees its VMSA only as
 * ciphertext, and a VMSA it tampers with is refused at VMRUN. An SNP guest
 * validates its memory, prints over the GHCB-emulated serial port and asks
 * for its attestation report through the GHCB guest request.
 */
#include <stdio.h>
#include <string.h>

#include "backend/mrun.h"
#include "swsev/abi/vmcb.h"
#include "swsev/abi/vmsa.h"
#include "tools/common/x86tool.h"
#include "tools/swsev/cli.h"

/* A guest's serial output (the conformance guest prints a dozen lines). */
struct capture {
    char buf[2048];
    size_t len;
};

static void capture(void *ctx, uint8_t byte)
{
    struct capture *c = ctx;
    if (c->len + 1 < sizeof(c->buf))
        c->buf[c->len++] = (char)byte;
    c->buf[c->len] = 0;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == '\n')
        s[--n] = 0;
}

static void es_part(struct demo_ctx *d, const char *chip, const uint8_t *seed, size_t seed_len)
{
    struct mrun r;
    struct capture out = {{0}, 0};
    char err[256] = "";
    bool ok = !mrun_start(&r, chip, MRUN_SEV_ES, seed, seed_len, capture, &out, err, sizeof(err));
    int code = ok ? mrun_program_run(&r, mrun_find("hello", NULL)) : -1;
    chomp(out.buf);
    demo_step(d, ok && code == 0 && strstr(out.buf, "SEV-ES guest"),
              "an SEV-ES guest runs: CPUID and port I/O go #VC -> GHCB -> VMGEXIT; it printed "
              "\"%s\"%s%s",
              out.buf, err[0] ? ": " : "", err);
    if (!ok) {
        mrun_free(&r);
        return;
    }
    /* The hypervisor's view of the stopped vCPU. */
    struct vcpu_regs regs;
    bool hidden = hw_vcpu_get_regs(r.vcpu->hw, &regs, NULL) != SWSEV_OK;
    uint8_t ct[4096];
    memsys_wbinvd(r.kvm.ms, 0);
    bool read = !memsys_host_read(r.kvm.ms, r.vm->vmsa_spa, ct, sizeof(ct));
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", ct[VMSA_RIP + i]);
    demo_step(d, hidden && read,
              "the hypervisor cannot read the guest's registers; its VMSA (RIP..) is ciphertext: "
              "%s",
              hex);
    /* It rewrites one byte of the VMSA: the next VMRUN is refused. */
    ct[VMSA_RIP] ^= 1;
    struct vcpu_exit ex;
    bool refused = !memsys_host_write(r.kvm.ms, r.vm->vmsa_spa, ct, sizeof(ct)) &&
                   hv_vcpu_vmrun(r.vcpu, &ex) != 0 && ex.reason == VCPU_EXIT_FAIL_ENTRY &&
                   ex.fail_entry_code == SVM_EXIT_INVALID;
    demo_step(d, refused, "a tampered VMSA is refused at VMRUN (SVM_EXIT_INVALID)");
    mrun_free(&r);
}

static void snp_part(struct demo_ctx *d, const char *chip, const uint8_t *seed, size_t seed_len)
{
    static const char *progs[] = {"hello", "attest"};
    for (int i = 0; i < 2; i++) {
        struct mrun r;
        struct capture out = {{0}, 0};
        char err[256] = "";
        bool ok = !mrun_start(&r, chip, MRUN_SNP, seed, seed_len, capture, &out, err, sizeof(err));
        int code = ok ? mrun_program_run(&r, mrun_find(progs[i], NULL)) : -1;
        chomp(out.buf);
        if (strlen(out.buf) > 70)
            strcpy(out.buf + 67, "...");
        demo_step(d, ok && code == 0,
                  i == 0 ? "an SNP guest validates its memory (page-state change + PVALIDATE) "
                           "and prints over the GHCB serial port: \"%s\"%s%s"
                         : "it asks for its attestation report through the GHCB guest request: "
                           "\"%s\"%s%s",
                  out.buf, err[0] ? ": " : "", err);
        mrun_free(&r);
    }
}

/* x86-64 guest binaries on the Unicorn backend, in swsev-x86 (GPL-2.0). */
static void x86_part(struct demo_ctx *d, const char *chip)
{
    char hello[4096], conform[4096], out[2048];
    if (x86tool_guest("hello.elf", hello, sizeof(hello)) ||
        x86tool_guest("conform.elf", conform, sizeof(conform)) || x86tool_find(out, sizeof(out))) {
        demo_note(d, "x86-64 guests skipped: swsev-x86 was not built (libunicorn-dev)");
        return;
    }
    char *args[] = {"swsev-x86", "run", hello, "--snp", "--chip", (char *)chip, NULL};
    int st = x86tool_capture(args, out, sizeof(out));
    const char *v = strstr(out, "validated 256 pages");
    char line[96] = "";
    if (v) {
        snprintf(line, sizeof(line), "%s", v);
        line[strcspn(line, "\n")] = 0;
    }
    demo_step(d, st == 0 && v && strstr(out, "(SEV-SNP)") && strstr(out, "refused: no update"),
              "an x86-64 guest binary on Unicorn boots under SNP, sets up its GHCB, prints over "
              "the GHCB serial port and validates its memory: \"%s\"",
              line);
    /* Its attestation report, asked for by machine code: AES-256-GCM from
     * Debian's libcrypto.a linked into the guest, the GHCB guest request. */
    char attest[4096];
    if (!x86tool_guest("attest.elf", attest, sizeof(attest))) {
        char *aargs[] = {"swsev-x86", "run", attest, "--snp", "--chip", (char *)chip, NULL};
        st = x86tool_capture(aargs, out, sizeof(out));
        const char *m = strstr(out, "measurement: ");
        char digest[40] = "";
        if (m)
            snprintf(digest, sizeof(digest), "%.32s...", m + 13);
        demo_step(d,
                  st == 0 && m && strstr(out, "second report: ok") &&
                      strstr(out, "replayed request refused"),
                  "the x86-64 guest asks for its attestation report (MSG_REPORT_REQ sealed under "
                  "VMPCK0 in the guest, the GHCB guest request): measurement %s; a replayed "
                  "request is refused",
                  digest);
    } else {
        demo_note(d, "attest.elf was not built (no libcrypto.a): its step is skipped");
    }
    /* The same scenario as machine code and as a modelled C guest. */
    char *cargs[] = {"swsev-x86", "run", conform, "--snp", "--chip", (char *)chip, NULL};
    st = x86tool_capture(cargs, out, sizeof(out));
    struct mrun r;
    struct capture twin = {{0}, 0};
    char err[256] = "";
    bool ok = !mrun_start(&r, chip, MRUN_SNP, NULL, 0, capture, &twin, err, sizeof(err));
    int code = ok ? mrun_program_run(&r, mrun_find("conform", NULL)) : -1;
    mrun_free(&r);
    demo_step(d, st == 7 && code == 7 && !strcmp(out, twin.buf),
              "conformance: the x86-64 guest and its modelled twin print the same %zu-byte "
              "transcript (CPUID, SEV_STATUS, I/O, MMIO, VMMCALL over #VC and the GHCB)",
              strlen(out));
}

int demo_vcpu(struct demo_ctx *d, const char *chip, const uint8_t *seed, size_t seed_len)
{
    const char *snp_chip = strcmp(chip, "genoa") ? "milan" : "genoa";
    es_part(d, snp_chip, seed, seed_len);
    snp_part(d, snp_chip, seed, seed_len);
    x86_part(d, snp_chip);
    return 0;
}
