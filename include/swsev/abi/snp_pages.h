/* SPDX-License-Identifier: MIT */
/*
 * swsev/abi/snp_pages.h - the SEV-SNP page-management commands as the
 * firmware reads them: SNP_PAGE_SWAP_OUT/IN, SNP_PAGE_MOVE, SNP_PAGE_MD_INIT,
 * SNP_PAGE_SET_STATE (with its RANGE_LIST) and SNP_PAGE_UNSMASH, and the
 * 64-byte metadata entry the swap commands keep in Metadata pages
 * (sev-reference 3.4; AMD's Genoa firmware 1.55.25, sev_mcmd.h and
 * sev_rmp.h; docs/research/snp-page-commands.md). Little-endian, packed.
 */
#ifndef SWSEV_ABI_SNP_PAGES_H
#define SWSEV_ABI_SNP_PAGES_H

#include <stddef.h>
#include <stdint.h>

/* SNP_PAGE_SWAP_OUT / SNP_PAGE_SWAP_IN flags (the u64 at 0x28). */
#define SNP_SWAP_PAGE_SIZE_2M     (1ull << 0)
#define SNP_SWAP_PAGE_TYPE(f)     ((unsigned)(((f) >> 1) & 3))
#define SNP_SWAP_PAGE_TYPE_SET(t) ((uint64_t)(t) << 1)
#define SNP_SWAP_IN_PLACE         (1ull << 3) /* SWAP_IN only; reserved in SWAP_OUT */
#define SNP_SWAP_ROOT_MDATA_EN    (1ull << 4) /* the entry lives in the guest context */
#define SNP_SWAP_RESERVED         (~0ull << 5)

enum snp_swap_page_type {
    SNP_SWAP_DATA = 0,
    SNP_SWAP_METADATA = 1,
    SNP_SWAP_VMSA = 2,
};

struct snp_fw_swap_out {
    uint64_t gctx_paddr;
    uint64_t src_paddr;     /* guest page (or Metadata page) to swap out */
    uint64_t dst_paddr;     /* Firmware page that receives the ciphertext */
    uint64_t mdata_paddr;   /* 64-byte slot in a Metadata page of this guest */
    uint64_t software_data; /* copied into the entry for the hypervisor */
    uint64_t flags;         /* SNP_SWAP_* */
} __attribute__((packed));
_Static_assert(sizeof(struct snp_fw_swap_out) == 0x30, "SNP_PAGE_SWAP_OUT buffer");
_Static_assert(offsetof(struct snp_fw_swap_out, mdata_paddr) == 0x18, "mdata_paddr");
_Static_assert(offsetof(struct snp_fw_swap_out, flags) == 0x28, "swap-out flags");

struct snp_fw_swap_in {
    uint64_t gctx_paddr;
    uint64_t src_paddr; /* the ciphertext, any page */
    uint64_t dst_paddr; /* Pre-Guest page of the guest (Firmware for a Metadata page) */
    uint64_t mdata_paddr;
    uint64_t rsvd;
    uint64_t flags; /* SNP_SWAP_* */
} __attribute__((packed));
_Static_assert(sizeof(struct snp_fw_swap_in) == 0x30, "SNP_PAGE_SWAP_IN buffer");
_Static_assert(offsetof(struct snp_fw_swap_in, rsvd) == 0x20, "swap-in reserved");
_Static_assert(offsetof(struct snp_fw_swap_in, flags) == 0x28, "swap-in flags");

struct snp_fw_page_move {
    uint64_t gctx_paddr;
    uint32_t flags; /* bit 0 PAGE_SIZE (1 = 2 MiB), bits 31:1 reserved */
    uint32_t rsvd;
    uint64_t src_paddr;
    uint64_t dst_paddr;
} __attribute__((packed));
_Static_assert(sizeof(struct snp_fw_page_move) == 0x20, "SNP_PAGE_MOVE buffer");
_Static_assert(offsetof(struct snp_fw_page_move, src_paddr) == 0x10, "move src");

struct snp_fw_md_init {
    uint64_t gctx_paddr;
    uint64_t page_paddr; /* Firmware page to become a Metadata page */
} __attribute__((packed));
_Static_assert(sizeof(struct snp_fw_md_init) == 0x10, "SNP_PAGE_MD_INIT buffer");

struct snp_fw_page_set_state {
    uint32_t length; /* must be 0x10 */
    uint32_t rsvd;
    uint64_t list_paddr; /* page-aligned RANGE_LIST */
} __attribute__((packed));
_Static_assert(sizeof(struct snp_fw_page_set_state) == 0x10, "SNP_PAGE_SET_STATE buffer");

struct snp_fw_page_unsmash {
    uint64_t page_paddr; /* 2 MiB aligned; bit 0 (page size) must be 0 */
} __attribute__((packed));
_Static_assert(sizeof(struct snp_fw_page_unsmash) == 0x08, "SNP_PAGE_UNSMASH buffer");

/* RANGE_LIST (SNP_INIT_EX, SNP_PAGE_SET_STATE): a header and up to 255
 * ranges, all within one 4 KiB page. */
struct snp_range {
    uint64_t base; /* C-bit ignored; 2 MiB aligned for SNP_PAGE_SET_STATE */
    uint32_t page_count;
    uint32_t rsvd;
} __attribute__((packed));
_Static_assert(sizeof(struct snp_range) == 0x10, "RANGE_LIST element");

struct snp_range_list {
    uint32_t n;
    uint32_t rsvd;
    struct snp_range ranges[];
} __attribute__((packed));
_Static_assert(sizeof(struct snp_range_list) == 0x08, "RANGE_LIST header");
#define SNP_RANGE_LIST_MAX 255u

/* Metadata entry (MDATA), 64 bytes, written by SWAP_OUT, consumed by
 * SWAP_IN. The whole entry lives in firmware-owned memory; only the
 * firmware writes it. */
#define SNP_MDATA_VALID          (1ull << 0)
#define SNP_MDATA_PAGE_VALIDATED (1ull << 1)
#define SNP_MDATA_VMSA           (1ull << 2)
#define SNP_MDATA_METADATA       (1ull << 3)
#define SNP_MDATA_PAGE_SIZE_2M   (1ull << 4)
#define SNP_MDATA_GPA_MASK       (~0xFFFull) /* bits 63:12: the page's GPA */

struct snp_mdata_entry {
    uint64_t software_data;
    uint64_t iv;          /* AES-GCM IV: this u64 (LE) followed by four zero bytes */
    uint8_t auth_tag[16]; /* AES-GCM tag over the page */
    uint64_t entry;       /* SNP_MDATA_* | GPA */
    uint64_t vmpl;        /* RMP quadword 1: byte n = VMPLn permission mask */
    uint64_t rsvd[2];
} __attribute__((packed));
_Static_assert(sizeof(struct snp_mdata_entry) == 0x40, "metadata entry");
_Static_assert(offsetof(struct snp_mdata_entry, iv) == 0x08, "MDATA iv");
_Static_assert(offsetof(struct snp_mdata_entry, auth_tag) == 0x10, "MDATA tag");
_Static_assert(offsetof(struct snp_mdata_entry, entry) == 0x20, "MDATA entry word");
_Static_assert(offsetof(struct snp_mdata_entry, vmpl) == 0x28, "MDATA VMPL masks");

#endif
