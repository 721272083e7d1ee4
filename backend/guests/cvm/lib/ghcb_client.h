/* SPDX-License-Identifier: MIT */
/*
 * ghcb_client.h - the guest's side of the GHCB protocol (AMD pub. 56421):
 * the MSR protocol over MSR 0xC0010130 (ghcb_msr.c), the GHCB page and its
 * call convention (ghcb_page.c), and one function per NAE event the guests
 * use (ghcb_events.c). Only for SEV-ES and SNP guests.
 */
#ifndef GUEST_GHCB_CLIENT_H
#define GUEST_GHCB_CLIENT_H

#include <stdint.h>

#include "swsev/abi/ghcb.h"

#define MSR_GHCB 0xC0010130u

/* ---- MSR protocol ---- */
/* One request: the value into the GHCB MSR, VMGEXIT, the answer out. */
uint64_t ghcb_msr_request(uint64_t req);
/* SEV information request; sets ghcb_version (2 when the hypervisor
 * offers it, else 1; SNP needs 2) and returns the C-bit position it
 * reports. Fails the guest when no version fits. */
unsigned ghcb_negotiate(void);
/* SNP: register the GHCB at gpa; page-state change of one 4 KiB page
 * (op GHCB_PSC_OP_PRIVATE / _SHARED). 0 or -1. */
int ghcb_msr_register(uint64_t gpa);
int ghcb_msr_psc(uint64_t gpa, unsigned op);
__attribute__((noreturn)) void ghcb_msr_terminate(unsigned set, unsigned code);

extern unsigned ghcb_version;

/* ---- the GHCB page ---- */
extern struct ghcb *ghcb; /* NULL until ghcb_setup is done */
extern uint64_t ghcb_gpa; /* its guest-physical address (no C-bit) */
/* Make the page shared (SNP: rescind, PSC, register), map it without the
 * C-bit and clear it. Needs ghcb_negotiate and cbit_mask first. */
void ghcb_setup(void);
/* Start an event: no valid bits, no stale exit code. */
struct ghcb *ghcb_begin(void);
/* Finish it: exit code and info into the page, protocol version and
 * usage, the GPA into the MSR, VMGEXIT. 0 when SW_EXITINFO1 says OK, -1
 * otherwise. */
int ghcb_call(struct ghcb *g, uint64_t exit_code, uint64_t info1, uint64_t info2);

/* ---- NAE events (ghcb_events.c); 0 or -1 ---- */
/* size 1, 2 or 4; *val in for OUT, out for IN (zero-extended). */
int ghcb_ioio(uint16_t port, unsigned size, int in, uint32_t *val);
int ghcb_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);
int ghcb_rdmsr(uint32_t msr, uint64_t *val);
int ghcb_wrmsr(uint32_t msr, uint64_t val);
int ghcb_rdtsc(uint64_t *tsc);
int ghcb_vmmcall(uint64_t *rax);
/* len 1-8 bytes through the shared buffer; gpa without the C-bit. */
int ghcb_mmio(uint64_t gpa, void *buf, unsigned len, int write);
/* SNP: page-state change of npages 4 KiB pages from gpa with the PSC NAE
 * event (descriptors of up to 253 entries, re-sent until done). */
int ghcb_psc(uint64_t gpa, uint64_t npages, unsigned op);
/* SNP guest request: the firmware message in the shared page req_gpa, its
 * answer into the shared page resp_gpa. 0 with *err = SW_EXITINFO2 as the
 * hypervisor left it ([63:32] its own error, [31:0] the firmware's; 0 when
 * the firmware answered), -1 when the event itself was refused. */
int ghcb_guest_request(uint64_t req_gpa, uint64_t resp_gpa, uint64_t *err);

#endif
