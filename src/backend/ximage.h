/* SPDX-License-Identifier: MIT */
/*
 * ximage.h - the boot contract of x86-64 guest binaries (docs/x86-guests.md):
 * an ELF64 executable whose PT_LOAD segments sit, identity-mapped, in
 * [XIMAGE_BASE, XIMAGE_END), the initial page tables the VMM builds for it
 * and the 64-bit register state it starts in. Everything here is launched
 * (measured) memory. Backend-neutral: the Unicorn runner uses it, and so
 * could any other CPU backend.
 */
#ifndef SWSEV_BACKEND_XIMAGE_H
#define SWSEV_BACKEND_XIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/vcpu.h"

#define XIMAGE_BASE      0x100000ull /* the lowest address a segment may use */
#define XIMAGE_END       0x300000ull /* segments end below this */
#define XIMAGE_PT_GPA    0x9000ull   /* PML4, PDPT, PD, PT: four pages */
#define XIMAGE_PT_PAGES  4u
#define XIMAGE_MAX_PAGES ((XIMAGE_END - XIMAGE_BASE) / 4096)

struct ximage {
    uint64_t entry;
    uint64_t lo, hi;  /* the page-aligned span the segments cover */
    uint8_t *bytes;   /* hi - lo bytes: file contents, zeroes for .bss and holes */
    uint8_t *present; /* one flag per page of the span: some segment covers it */
};

/* Parse an ELF64 x86-64 executable (ET_EXEC) from buf. Returns 0, or -1
 * with one line in err: not ELF64, wrong machine, a segment outside the
 * window, overlapping or truncated segments, an entry outside the code. */
int ximage_parse(struct ximage *img, const uint8_t *buf, size_t len, char *err, size_t errlen);
int ximage_load_file(struct ximage *img, const char *path, char *err, size_t errlen);
void ximage_free(struct ximage *img);

/* The initial page tables (XIMAGE_PT_PAGES pages for XIMAGE_PT_GPA):
 * identity map of 0..1 GiB, 4 KiB pages below 2 MiB, 2 MiB pages above,
 * every entry writable and carrying enc_mask (the C-bit, or 0). */
void ximage_page_tables(uint8_t pages[XIMAGE_PT_PAGES][4096], uint64_t enc_mask);

/* The state at the entry point: long mode, paging on through the tables
 * above, a flat 64-bit code segment, RFLAGS 2, all GPRs 0. */
void ximage_initial_state(const struct ximage *img, struct vcpu_regs *r, struct vcpu_sregs *s);
/* The same state as an SEV-ES/SNP VMSA page (4 KiB) with sev_features. */
void ximage_initial_vmsa(const struct ximage *img, uint8_t page[4096], uint64_t sev_features);

#endif
