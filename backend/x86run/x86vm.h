/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86vm.h - an x86-64 guest binary on the whole simulated host: the image
 * launched through our firmware (backend/ximage.h, src/backend/mrun.c), its
 * vCPU executed by the Unicorn backend (backend/unicorn/uc_vcpu.h), every
 * event the backend stops at decided by the SEV model's vCPU (hw_vcpu_event:
 * #VC, intercepts, automatic exits) and every VMEXIT handled by the VMM
 * (hv_vcpu_handle_exit: the GHCB protocol, the devices). Guest memory
 * reaches Unicorn only through the model's guest path: page walk, C-bit,
 * nested paging, RMP, memory encryption.
 *
 * GPL-2.0-only because it links the Unicorn backend.
 */
#ifndef SWSEV_X86VM_H
#define SWSEV_X86VM_H

#include <stdint.h>
#include <stdio.h>

#include "backend/mrun.h"
#include "backend/ximage.h"
#include "uc_vcpu.h"

struct x86vm_stats {
    uint64_t events;   /* backend stops handed to the model */
    uint64_t vc;       /* #VC exceptions delivered */
    uint64_t vmexits;  /* VMEXITs the VMM handled */
    uint64_t vmgexits; /* of those, VMGEXITs */
    uint64_t injected; /* exceptions delivered through the guest's IDT */
};

/* Called when the guest writes port 0x80 (POST codes: benchmark phases),
 * before the VMM sees the write. */
typedef void (*x86vm_post_fn)(void *ctx, uint32_t value);

struct x86vm {
    struct mrun r;
    struct uc_vcpu *u;
    struct x86vm_stats st;
    x86vm_post_fn post;
    void *post_ctx;
    FILE *trace; /* when set: one line per event the backend stops at */
    /* Fault injection: the VMM injects this exception (VMCB EVENTINJ) at
     * the VMRUN after the guest's first VMEXIT. */
    struct {
        bool armed, has_code;
        uint8_t vector;
        uint32_t code;
    } inject;
    char err[256];
};

/* Launch img under mode (MRUN_NONE: no SEV) on chip, ready to run. serial
 * gets the guest's console bytes. Returns 0, or -1 with x->err set. */
int x86vm_start(struct x86vm *x, const struct ximage *img, enum mrun_mode mode, const char *chip,
                void (*serial)(void *ctx, uint8_t byte), void *ctx);
/* The same with the VM's vCPU count (every vCPU's VMSA is launched; only
 * the BSP runs) and the backend's configuration (NULL:
 * x86vm_default_config). */
int x86vm_start_cfg(struct x86vm *x, const struct ximage *img, enum mrun_mode mode,
                    const char *chip, unsigned vcpus, const struct uc_vcpu_config *cfg,
                    void (*serial)(void *ctx, uint8_t byte), void *ctx);
/* The backend's block scan (its fast mode) and a quantum of 2^18
 * instructions, a fraction of a millisecond: the backend flushes Unicorn's
 * TLB between quanta, which lets it grow back to the working set after an
 * exit-heavy phase (docs/x86-guests.md, "Performance"). */
void x86vm_default_config(struct uc_vcpu_config *cfg);
/* Run until the guest stops (debug-exit port, GHCB termination, HLT,
 * shutdown, failed VMRUN). Returns the exit status of mrun_exit_status(),
 * or -1 with x->err set for a backend error. */
int x86vm_run(struct x86vm *x);
void x86vm_free(struct x86vm *x);

#endif
