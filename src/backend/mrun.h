/* SPDX-License-Identifier: MIT */
/*
 * backend/mrun.h - run a guest on a whole simulated host: the machine, a
 * KVM-style VM launched as SEV, SEV-ES or SEV-SNP (the launch measured by
 * the firmware as for any guest; or no SEV, for x86-64 images), its vCPUs
 * with their VMCBs, the GHCB handler and the device set on the hypervisor
 * side; on the guest side either a modelled guest kernel and program, or
 * an x86-64 image (backend/ximage.h) that a CPU backend then runs. Serial output
 * goes to a callback; the run ends with the guest's debug-exit code, its
 * termination request, a shutdown or a failed entry.
 *
 * Fixed guest-physical layout (the "firmware" a modelled guest boots
 * from; an x86-64 image's is in backend/ximage.h): 0x0 a measured code page, 0x1000 the secrets
 * page (SNP), 0x2000 the CPUID page (SNP), 0x3000 the GHCB (shared), 0x4000/0x5000 the guest
 * message pages (shared), RAM up to 16 MiB, the MMIO test region at
 * 0x10000000.
 */
#ifndef SWSEV_BACKEND_MRUN_H
#define SWSEV_BACKEND_MRUN_H

#include "backend/mkernel.h"
#include "hv/vcpu_run.h"
#include "swsev/machine.h"

#define MRUN_SECRETS_GPA 0x1000ull
#define MRUN_CPUID_GPA   0x2000ull
#define MRUN_GHCB_GPA    0x3000ull
#define MRUN_REQ_GPA     0x4000ull
#define MRUN_RESP_GPA    0x5000ull
#define MRUN_AP_GHCB_GPA 0x6000ull   /* the AP's GHCB (shared) */
#define MRUN_FREE_GPA    0x100000ull /* RAM the guest may claim (not launched) */
#define MRUN_RAM         (16ull << 20)
#define MRUN_MMIO_GPA    0x10000000ull

/* MRUN_NONE: no SEV at all (x86 images only: the baseline of benchmarks). */
enum mrun_mode { MRUN_NONE = 0, MRUN_SEV = 1, MRUN_SEV_ES = 2, MRUN_SNP = 3 };

struct ximage;

struct mrun;
typedef int (*mrun_program)(struct mrun *r, struct mkernel *k);

struct mrun {
    enum mrun_mode mode;
    const struct ximage *img; /* an x86-64 image instead of a modelled program */
    struct swsev_machine *m;
    struct hv_kvm kvm;
    bool kvm_up;
    struct hv_vm *vm;
    struct hv_devices dev;
    bool dev_up;
    struct hv_vmgexit hx;
    bool hx_up;
    struct hv_vcpu *vcpu;
    struct mguest g;
    struct mkernel k;
    /* An AP the guest created (SNP AP creation), run by mrun_run_ap. */
    struct hv_vcpu *ap_vcpu;
    struct mguest ap_g;
    struct mkernel ap_k;
    struct vcpu_exit exit; /* why the run ended */
    bool exited;
    uint8_t launch_digest[48]; /* SNP: the firmware's MEASUREMENT */
};

#define MRUN_MAX_VCPUS 64

/* What to start: a simulated host with one VM, launched (measured) as mode
 * says, its vCPU in VMRUN. */
struct mrun_config {
    const char *chip; /* NULL: milan */
    enum mrun_mode mode;
    const void *seed; /* reproducible randomness, or NULL */
    size_t seed_len;
    unsigned vcpus;           /* 0: 1. Every vCPU's VMSA is launched (measured), as QEMU does */
    const struct ximage *img; /* an x86-64 image, or NULL for a modelled program */
    void (*serial)(void *ctx, uint8_t byte); /* every byte the guest prints (may be NULL) */
    void *serial_ctx;
};

/* 0, or an error with one line in err. A modelled program's kernel has set
 * up its GHCB (SEV-ES/SNP); an x86-64 image has not run yet. */
swsev_rc mrun_start_cfg(struct mrun *r, const struct mrun_config *c, char *err, size_t errlen);
/* mrun_start_cfg for a modelled program on one vCPU. */
swsev_rc mrun_start(struct mrun *r, const char *chip, enum mrun_mode mode, const void *seed,
                    size_t seed_len, void (*serial)(void *ctx, uint8_t byte), void *ctx, char *err,
                    size_t errlen);
/* The exit status r->exit stands for: the debug-exit value & 0x7f, 128 +
 * the termination reason code, 0 for HLT, 255 otherwise. */
int mrun_exit_status(const struct mrun *r);
/* Run program; returns mrun_exit_status once the VMM stopped the guest,
 * else 0 (or 255 if the program failed). */
int mrun_program_run(struct mrun *r, mrun_program program);
/* Start the AP apic_id the guest asked for (GHCB SNP AP creation) and run
 * program on it, with its own kernel and GHCB. 0, or -1 when there is no
 * such request or the AP does not start. */
int mrun_run_ap(struct mrun *r, uint32_t apic_id, mrun_program program);
void mrun_free(struct mrun *r);

/* The programs (swsev vm run --list). NULL for an unknown name. */
mrun_program mrun_find(const char *name, const char **summary);
const char *mrun_program_name(size_t i);

#endif
