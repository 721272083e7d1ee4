/* SPDX-License-Identifier: MIT */
/* snp.h - SEV-SNP only: the CPUID page and accepting memory. */
#ifndef GUEST_SNP_H
#define GUEST_SNP_H

#include <stdint.h>

#define SNP_CPUID_PAGE 0x2000ull /* launched by the firmware, see docs/x86-guests.md */

/* The firmware-checked CPUID values for (leaf, subleaf): 0 and regs
 * filled, or -1 when the page has no such entry. */
int snp_cpuid_page(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

/* Make npages 4 KiB pages at gpa (identity-mapped, private in the page
 * tables) usable private memory: page-state change to private through the
 * GHCB, then PVALIDATE each. 0, or -1 with *failed_gpa set. */
int snp_accept(uint64_t gpa, uint64_t npages, uint64_t *failed_gpa);

/* The opposite, for pages the hypervisor must read or write (the guest
 * request's message pages): rescind the validation of npages 4 KiB pages
 * at gpa, page-state change to shared through the GHCB, clear their C-bit
 * and zero them. They must lie below 2 MiB, where the page tables have
 * 4 KiB entries (a 2 MiB entry would share the neighbours too). 0 or -1. */
int snp_share(uint64_t gpa, uint64_t npages);

#endif
