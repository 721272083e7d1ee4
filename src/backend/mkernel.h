/* SPDX-License-Identifier: MIT */
/*
 * backend/mkernel.h - the guest kernel of modelled guests: what an SEV-ES
 * or SNP guest kernel sets up before anything else, and its #VC handler.
 *
 * Boot: negotiate the GHCB protocol (MSR protocol, SEV information), under
 * SNP register the GHCB GPA, then use the GHCB page (a shared page at a
 * fixed GPA). #VC: CPUID, port I/O, MSRs, RDTSC, VMMCALL and MMIO become
 * GHCB events (guest/ghcb.h); the results go back into the registers.
 * Guest programs run in the guest-physical view (paging off: an address's
 * C-bit says private or shared), as a kernel's early boot code does.
 */
#ifndef SWSEV_BACKEND_MKERNEL_H
#define SWSEV_BACKEND_MKERNEL_H

#include "backend/mguest.h"
#include "guest/ghcb.h"

struct mkernel {
    struct mguest *g;
    struct ghcb_client ghcb;
    uint64_t cbit;
    bool snp;
};

/* Boot the kernel: GHCB at ghcb_gpa (a shared page). */
swsev_rc mkernel_boot(struct mkernel *k, struct mguest *g, uint64_t ghcb_gpa);
/* The #VC handler (mguest_vc_fn). */
int mkernel_vc(void *kernel, struct mguest *g, uint64_t code, const struct vcpu_event *ev);

/* Conveniences for guest programs. */
int mk_puts(struct mkernel *k, const char *s); /* to the serial port */
int mk_exit(struct mkernel *k, uint32_t code); /* the debug-exit port */
int mk_read(struct mkernel *k, uint64_t gpa, bool private_, void *buf, size_t len);
int mk_write(struct mkernel *k, uint64_t gpa, bool private_, const void *buf, size_t len);

#endif
