/* SPDX-License-Identifier: MIT */
/*
 * swsev/vcpu.h - the backend-neutral vCPU interface.
 *
 * A backend executes guest instructions (a modelled guest written in C, or
 * x86-64 machine code under Unicorn). It never includes a CPU emulator's
 * header in the SEV model, and the SEV model never includes one: the two
 * meet here. The shape is KVM's: registers in, run until something the
 * model must handle, an exit record out.
 *
 * What the model owns (hw/vcpu.c): guest memory (every access goes through
 * the memory system's guest path with the guest-physical C-bit as an
 * address bit, so RMP, keys and faults apply), the world switch (VMRUN /
 * VMEXIT with the VMCB, and for SEV-ES/SNP the encrypted VMSA and its
 * integrity check), #VC delivery for non-automatic exits of SEV-ES/SNP
 * guests, the SEV MSRs (GHCB 0xC0010130, SEV_STATUS 0xC0010131), PVALIDATE
 * and RMPADJUST, VMGEXIT.
 *
 * What a backend owns: decoding and executing instructions, and telling the
 * model about the ones the model handles (struct vcpu_event).
 */
#ifndef SWSEV_VCPU_H
#define SWSEV_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/memsys.h"
#include "swsev/status.h"

/* General-purpose state, as KVM's struct kvm_regs. */
struct vcpu_regs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
};

struct vcpu_segment {
    uint64_t base;
    uint32_t limit;
    uint16_t selector;
    uint16_t attrib; /* VMCB/VMSA attribute format */
};

struct vcpu_sregs {
    struct vcpu_segment cs, ds, es, fs, gs, ss, tr, ldtr;
    uint64_t gdtr_base, idtr_base;
    uint32_t gdtr_limit, idtr_limit;
    uint64_t cr0, cr2, cr3, cr4, efer, xcr0;
};

/* Events a backend reports instead of executing the instruction itself.
 * The model decides: intercept (exit to the hypervisor), #VC into the
 * guest (SEV-ES/SNP), or a result the backend writes back. */
enum vcpu_event_kind {
    VCPU_EV_NONE = 0,
    VCPU_EV_CPUID,     /* in: rax, rcx; out: rax, rbx, rcx, rdx */
    VCPU_EV_IO,        /* IN/OUT (string forms: count > 1) */
    VCPU_EV_RDMSR,     /* in: rcx; out: rax, rdx */
    VCPU_EV_WRMSR,     /* in: rcx, rax, rdx */
    VCPU_EV_RDTSC,     /* out: rax, rdx (RDTSCP: rcx too) */
    VCPU_EV_VMMCALL,   /* rax and friends */
    VCPU_EV_VMGEXIT,   /* REP VMMCALL: the GHCB protocol */
    VCPU_EV_PVALIDATE, /* in: rax (VA), rcx (size), rdx (validate); out: rax, CF */
    VCPU_EV_RMPADJUST, /* in: rax (VA), rcx (size), rdx; out: rax */
    VCPU_EV_HLT,
    VCPU_EV_MMIO,     /* an access to a GPA that is not memory */
    VCPU_EV_FAULT,    /* an architectural fault the backend cannot deliver itself */
    VCPU_EV_SHUTDOWN, /* triple fault */
};

struct vcpu_event {
    uint32_t kind;    /* enum vcpu_event_kind */
    uint8_t insn_len; /* bytes of the instruction (for nRIP) */
    struct {
        uint16_t port;
        uint8_t size; /* 1, 2, 4 */
        bool in;
        uint32_t count; /* > 1 for INS/OUTS with REP */
    } io;
    struct {
        uint64_t gpa;
        uint8_t len;
        bool write;
        uint8_t data[8];
    } mmio;
    struct hw_fault fault;
};

/* Why vcpu_run returned: what the VMM (hypervisor side) must handle. */
enum vcpu_exit_reason {
    VCPU_EXIT_NONE = 0,
    VCPU_EXIT_IO,           /* port I/O the VMM emulates (data in exit.io) */
    VCPU_EXIT_MMIO,         /* MMIO the VMM emulates */
    VCPU_EXIT_HLT,          /* the guest halted */
    VCPU_EXIT_SHUTDOWN,     /* triple fault, or an SEV-ES guest that cannot go on */
    VCPU_EXIT_SYSTEM_EVENT, /* GHCB termination request: reason set and code */
    VCPU_EXIT_FAIL_ENTRY,   /* VMRUN failed (e.g. VMSA integrity): hw code */
    VCPU_EXIT_INTERNAL,     /* a backend error */
};

/* vcpu_exit.system_event.type */
#define VCPU_SYSTEM_EVENT_SEV_TERM   6     /* KVM_SYSTEM_EVENT_SEV_TERM: GHCB termination */
#define VCPU_SYSTEM_EVENT_DEBUG_EXIT 0x100 /* the debug-exit port: reason_code = the value */

struct vcpu_exit {
    uint32_t reason; /* enum vcpu_exit_reason */
    struct {
        uint16_t port;
        uint8_t size;
        bool in;
        uint32_t count;
        uint8_t data[4096]; /* OUT data, or where IN data goes */
    } io;
    struct {
        uint64_t gpa;
        uint32_t len;
        bool write;
        uint8_t data[8];
    } mmio;
    struct {
        uint32_t type; /* KVM_SYSTEM_EVENT_SEV_TERM = 6 for termination */
        uint32_t reason_set, reason_code;
    } system_event;
    uint64_t fail_entry_code; /* VMEXIT_INVALID (-1), VMSA_BUSY (-2), ... */
    struct {
        uint64_t code, info1, info2; /* the last VMEXIT (why a SHUTDOWN stop happened) */
    } vmexit;
};

/* ---- the SEV model's vCPU (hw/vcpu.c) ----
 *
 * VMRUN reads the VMCB (host memory): ASID, nested paging, SEV / SEV-ES
 * enables, nCR3, and for SEV-ES/SNP the VMSA pointer; the VMSA is decrypted
 * with the guest's key and must match its sealed checksum (and, under SNP,
 * be an RMP VMSA page of the guest), else the VMRUN fails with
 * SVM_EXIT_INVALID. While the vCPU is in guest mode the backend works on
 * its registers; every event goes through hw_vcpu_event. VMEXIT saves the
 * state (SEV-ES/SNP: back into the encrypted VMSA, resealed) and writes the
 * exit code and information into the VMCB for the hypervisor. */
struct hw_vcpu;

enum hw_vcpu_disposition {
    HW_VCPU_RESUME = 0, /* the model completed the instruction: go on */
    HW_VCPU_INJECT,     /* deliver exception *vector (error code *code) in the guest */
    HW_VCPU_EXITED,     /* VMEXIT: the hypervisor handles it (see the VMCB) */
};

swsev_rc hw_vcpu_create(struct memsys *ms, unsigned core, struct hw_vcpu **out);
void hw_vcpu_destroy(struct hw_vcpu *v);
/* VMRUN with the VMCB at vmcb_spa. SWSEV_OK when the guest runs; on a
 * failed entry SWSEV_HW_ERR(SWSEV_HW_FAULT) and EXITCODE = SVM_EXIT_INVALID. */
swsev_rc hw_vcpu_vmrun(struct hw_vcpu *v, uint64_t vmcb_spa);
bool hw_vcpu_in_guest(const struct hw_vcpu *v);
/* The guest's registers: the backend's while in guest mode; the
 * hypervisor's otherwise, except for SEV-ES/SNP guests, whose state is
 * only in the encrypted VMSA (SWSEV_HW_ERR(SWSEV_HW_INVAL) then). */
swsev_rc hw_vcpu_get_regs(struct hw_vcpu *v, struct vcpu_regs *r, struct vcpu_sregs *s);
swsev_rc hw_vcpu_set_regs(struct hw_vcpu *v, const struct vcpu_regs *r, const struct vcpu_sregs *s);
/* The translation state of guest mode (for the backend's memory accesses). */
const struct hw_guest_ctx *hw_vcpu_ctx(const struct hw_vcpu *v);
/* What the model does with an event: results go into the registers. */
enum hw_vcpu_disposition hw_vcpu_event(struct hw_vcpu *v, const struct vcpu_event *ev,
                                       uint32_t *vector, uint64_t *code);
/* The event the hypervisor injected with the VMCB's EVENTINJ at the last
 * VMRUN, once: true with its vector, type (VMCB_EVENTINJ_*) and error code
 * (*has_code). The backend delivers it through the guest's IDT before the
 * guest's next instruction. VMRUN refused an invalid EVENTINJ. */
bool hw_vcpu_take_event(struct hw_vcpu *v, uint32_t *vector, uint32_t *type, uint32_t *code,
                        bool *has_code);
/* An exit the backend or the model decides on (HLT, shutdown, ...). */
void hw_vcpu_vmexit(struct hw_vcpu *v, uint64_t code, uint64_t info1, uint64_t info2);

#endif
