/* SPDX-License-Identifier: MIT */
/*
 * fw/snp_cpuid.h - the SNP firmware's policy check of a guest CPUID table:
 * the CPUID page of SNP_LAUNCH_UPDATE (page type 6) and the table of the
 * MSG_CPUID_REQ guest message share one layout and one check.
 *
 * The rules are those of AMD's SNP firmware (per-leaf EXACT / MASK /
 * LESSTHAN / UNCHECKED rules, reserved-bit masks, custom checks for a few
 * leaves), with the values the firmware reads from the processor taken from
 * the chip model instead. docs/research/snp-cpuid.md lists them per leaf.
 */
#ifndef SWSEV_FW_SNP_CPUID_H
#define SWSEV_FW_SNP_CPUID_H

#include <stdbool.h>
#include <stdint.h>

#include "swsev/chip.h"

/* Table layout: u32 COUNT, u32 reserved, u64 reserved, then COUNT entries
 * of EAX_IN u32, ECX_IN u32, XCR0_IN u64, XSS_IN u64, EAX, EBX, ECX, EDX
 * (u32 each) and a reserved u64; all little-endian. */
#define FW_SNP_CPUID_PAGE_SIZE   4096u
#define FW_SNP_CPUID_HDR_SIZE    0x10u
#define FW_SNP_CPUID_ENTRY_SIZE  0x30u
#define FW_SNP_CPUID_MAX_ENTRIES 64u

/*
 * Check the CPUID table in page against the firmware's policy for the chip
 * cfg describes, correcting failing registers in place.
 *
 * Header reserved fields non-zero or COUNT > 64: *header_bad = true, the
 * page is not touched, *checked = 0, returns false. Otherwise
 * *header_bad = false and every entry is visited, also after a failure.
 * Entries whose EAX_IN lies outside 0x0000_0000-0x0000_FFFF and
 * 0x8000_0000-0x8000_FFFF are skipped; the others count in *checked and
 * are checked: a non-zero entry reserved field fails (and stays), a
 * register that breaks its rule is rewritten to what the firmware would
 * write back. Returns true iff no entry failed, i.e. iff the page is
 * unchanged and acceptable. header_bad and checked may be NULL.
 */
bool fw_snp_cpuid_validate(const struct chip_config *cfg, uint8_t page[FW_SNP_CPUID_PAGE_SIZE],
                           bool *header_bad, uint32_t *checked);

#endif
