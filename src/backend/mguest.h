/* SPDX-License-Identifier: MIT */
/*
 * backend/mguest.h - modelled guests: guest programs written in C against
 * the vCPU model. Each "instruction" a program executes (CPUID, IN/OUT,
 * RDMSR/WRMSR, RDTSC, VMMCALL, VMGEXIT, PVALIDATE, HLT) is an event for
 * hw/vcpu.c, and every memory access goes through the memory system's
 * guest path with the vCPU's translation state, so the SEV model applies
 * in full: keys, C-bit, RMP, faults.
 *
 * The model's answer decides what happens, as on a CPU:
 *  - resume: the result is in the registers;
 *  - #VC (SEV-ES/SNP): the program's #VC handler runs (the guest kernel's;
 *    it talks to the hypervisor through the GHCB and VMGEXIT) and fills in
 *    the result, then the program continues;
 *  - another exception: the operation fails with it (a modelled guest has
 *    no other handlers; the run ends with the fault);
 *  - VMEXIT: the hypervisor's exit handler runs (the VMM loop, inverted:
 *    the program is the caller), then VMRUN resumes the guest.
 */
#ifndef SWSEV_BACKEND_MGUEST_H
#define SWSEV_BACKEND_MGUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "swsev/vcpu.h"

struct mguest;

/* The hypervisor's side: handle the VMEXIT recorded in the VMCB and VMRUN
 * again (return 0), or stop the guest (return non-zero: the run's result). */
typedef int (*mguest_exit_fn)(void *vmm, struct mguest *g);
/* The guest kernel's #VC handler: emulate event ev (error code code) and
 * leave the results in the registers; 0, or non-zero to fail the event. */
typedef int (*mguest_vc_fn)(void *kernel, struct mguest *g, uint64_t code,
                            const struct vcpu_event *ev);

struct mguest {
    struct memsys *ms;
    struct hw_vcpu *vcpu;
    uint64_t vmcb_spa;
    mguest_exit_fn on_exit;
    void *vmm;
    mguest_vc_fn on_vc;
    void *kernel;
    int stopped;           /* non-zero once the VMM stopped the guest */
    uint32_t fault_vector; /* the last exception that failed an operation */
    uint64_t fault_code;
    uint64_t instructions; /* events executed, for statistics */
    unsigned vc_depth;     /* #VC inside #VC is a double fault here */
};

void mguest_init(struct mguest *g, struct memsys *ms, struct hw_vcpu *v, uint64_t vmcb_spa,
                 mguest_exit_fn on_exit, void *vmm);
void mguest_set_vc(struct mguest *g, mguest_vc_fn on_vc, void *kernel);

/* The instructions. Each returns 0, or -1 when the guest stopped or the
 * operation faulted (g->stopped / g->fault_*). */
int mg_cpuid(struct mguest *g, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
int mg_out(struct mguest *g, uint16_t port, uint8_t size, uint32_t value);
int mg_in(struct mguest *g, uint16_t port, uint8_t size, uint32_t *value);
int mg_rdmsr(struct mguest *g, uint32_t msr, uint64_t *value);
int mg_wrmsr(struct mguest *g, uint32_t msr, uint64_t value);
int mg_rdtsc(struct mguest *g, uint64_t *tsc);
int mg_vmmcall(struct mguest *g, uint64_t *rax);
int mg_vmgexit(struct mguest *g);
int mg_pvalidate(struct mguest *g, uint64_t gva, bool size_2m, bool validate, uint64_t *rc,
                 bool *no_update);
int mg_rmpadjust(struct mguest *g, uint64_t gva, bool size_2m, uint64_t rdx, uint64_t *rc);
int mg_hlt(struct mguest *g);
/* Memory at guest-virtual addresses (len up to MEMSYS_GUEST_MAX_ACCESS). */
int mg_read(struct mguest *g, uint64_t gva, void *buf, size_t len);
int mg_write(struct mguest *g, uint64_t gva, const void *buf, size_t len);

/* #VC handlers read and write the registers through hw_vcpu_get_regs /
 * hw_vcpu_set_regs on g->vcpu (the vCPU is in guest mode then). */

#endif
