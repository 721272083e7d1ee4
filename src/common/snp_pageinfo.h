/* SPDX-License-Identifier: MIT */
/*
 * common/snp_pageinfo.h - the SNP launch digest step (SNP firmware ABI,
 * SNP_LAUNCH_UPDATE; sev-reference 3.5).
 *
 * Every 4 KiB page given to SNP_LAUNCH_UPDATE extends the guest's launch
 * digest: the firmware fills a 0x70-byte PAGE_INFO with the current digest,
 * a hash of the page (or zeros, by page type), the page type, the VMPL
 * permissions and the page's GPA, and the SHA-384 of that structure becomes
 * the new digest. The final digest is the MEASUREMENT of the attestation
 * report. The firmware and the offline calculator (snp_plan) call the same
 * function so that they cannot drift apart.
 */
#ifndef SWSEV_COMMON_SNP_PAGEINFO_H
#define SWSEV_COMMON_SNP_PAGEINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/status.h"

/* Page types of SNP_LAUNCH_UPDATE (0 is reserved). */
#define SNP_PAGE_TYPE_NORMAL     0x1 /* CONTENTS = SHA-384 of the page */
#define SNP_PAGE_TYPE_VMSA       0x2 /* CONTENTS = SHA-384 of the VMSA page */
#define SNP_PAGE_TYPE_ZERO       0x3 /* firmware zeroes the page; CONTENTS = 0 */
#define SNP_PAGE_TYPE_UNMEASURED 0x4 /* page kept as is, not hashed; CONTENTS = 0 */
#define SNP_PAGE_TYPE_SECRETS    0x5 /* firmware writes the secrets page; CONTENTS = 0 */
#define SNP_PAGE_TYPE_CPUID      0x6 /* firmware validates the CPUID table; CONTENTS = 0 */

#define SNP_PAGEINFO_DIGEST_LEN 48 /* SHA-384 */
#define SNP_PAGEINFO_LEN        0x70
#define SNP_PAGE_SIZE           4096

/*
 * PAGE_INFO as the firmware fills and hashes it. Bytes 0x64..0x67 follow
 * AMD's firmware (reserved, VMPL1, VMPL2, VMPL3); sev-snp-measure and the
 * virtee crate write them in the opposite order, which hashes the same
 * only because they always write zeros.
 */
struct snp_pageinfo {
    uint8_t digest_cur[SNP_PAGEINFO_DIGEST_LEN]; /* 0x00 launch digest so far */
    uint8_t contents[SNP_PAGEINFO_DIGEST_LEN];   /* 0x30 see SNP_PAGE_TYPE_* */
    uint16_t length;                             /* 0x60 0x70 */
    uint8_t page_type;                           /* 0x62 */
    uint8_t imi_page;                            /* 0x63 bit 0: page of an IMI launch */
    uint8_t reserved;                            /* 0x64 */
    uint8_t vmpl1_perms;                         /* 0x65 */
    uint8_t vmpl2_perms;                         /* 0x66 */
    uint8_t vmpl3_perms;                         /* 0x67 */
    uint64_t gpa;                                /* 0x68 GPA of the page (RMP entry) */
} __attribute__((packed));

_Static_assert(sizeof(struct snp_pageinfo) == SNP_PAGEINFO_LEN, "PAGE_INFO is 0x70 bytes");
_Static_assert(offsetof(struct snp_pageinfo, contents) == 0x30, "CONTENTS at 0x30");
_Static_assert(offsetof(struct snp_pageinfo, length) == 0x60, "LENGTH at 0x60");
_Static_assert(offsetof(struct snp_pageinfo, page_type) == 0x62, "PAGE_TYPE at 0x62");
_Static_assert(offsetof(struct snp_pageinfo, imi_page) == 0x63, "IMI_PAGE at 0x63");
_Static_assert(offsetof(struct snp_pageinfo, vmpl1_perms) == 0x65, "VMPL1 at 0x65");
_Static_assert(offsetof(struct snp_pageinfo, vmpl3_perms) == 0x67, "VMPL3 at 0x67");
_Static_assert(offsetof(struct snp_pageinfo, gpa) == 0x68, "GPA at 0x68");

/* The GPA KVM records for VMSA pages (bits 47:12 set), which is what the
 * firmware puts in their PAGE_INFO. */
#define SNP_VMSA_GPA 0x0000FFFFFFFFF000ull

/* True for the types SNP_LAUNCH_UPDATE accepts (1..6). */
bool snp_page_type_valid(uint8_t page_type);
/* "NORMAL", "VMSA", ... or "INVALID". */
const char *snp_page_type_name(uint8_t page_type);
/* True when the type's CONTENTS is a hash of the page (NORMAL, VMSA). */
bool snp_page_type_measured(uint8_t page_type);

/* Fill a PAGE_INFO (digest_cur := digest). vmpl_perms = {VMPL1, VMPL2, VMPL3}
 * permission masks (sev-reference 5.6), or NULL for all zero. */
void snp_pageinfo_fill(struct snp_pageinfo *pi, const uint8_t digest[SNP_PAGEINFO_DIGEST_LEN],
                       const uint8_t contents[SNP_PAGEINFO_DIGEST_LEN], uint8_t page_type,
                       uint64_t gpa, bool imi, const uint8_t vmpl_perms[3]);

/*
 * One launch digest step: digest := SHA-384(PAGE_INFO(digest, contents,
 * page_type, gpa, imi, vmpl_perms)). contents is the CONTENTS field as the
 * firmware computes it: snp_pageinfo_contents() gives it from a page.
 * page_type must be valid (SWSEV_TOOL_ERR(SWSEV_E_INVAL) otherwise, digest
 * unchanged); a crypto failure leaves digest unchanged too.
 */
swsev_rc snp_pageinfo_extend(uint8_t digest[SNP_PAGEINFO_DIGEST_LEN],
                             const uint8_t contents[SNP_PAGEINFO_DIGEST_LEN], uint8_t page_type,
                             uint64_t gpa, bool imi, const uint8_t vmpl_perms[3]);

/* The CONTENTS field for a page of this type: SHA-384 of the 4 KiB page for
 * NORMAL and VMSA (page must be non-NULL), 48 zero bytes otherwise (page may
 * be NULL). The caller of a VMSA page must already have zeroed the fields
 * the firmware reads as zero (Secure TSC scale and offset). */
swsev_rc snp_pageinfo_contents(uint8_t out[SNP_PAGEINFO_DIGEST_LEN], uint8_t page_type,
                               const uint8_t *page);

#endif
