/* SPDX-License-Identifier: MIT */
/*
 * common/ovmf.h - what a VMM and a measurement calculator read from an OVMF
 * firmware image for an SEV, SEV-ES or SEV-SNP launch (sev-reference 9.1):
 *
 *  - the GUIDed footer table: entries of (data, u16 size, GUID) stacked
 *    backwards from a footer entry that ends 32 bytes before the end of the
 *    image (the last 32 bytes hold the reset vector);
 *  - the SEV-ES reset block entry: the EIP at which APs start;
 *  - the SEV hash table entry: where QEMU puts the kernel/initrd/cmdline
 *    hashes table for measured direct boot;
 *  - the SEV metadata ("ASEV"): the guest memory sections the VMM must hand
 *    to SNP_LAUNCH_UPDATE before the guest runs (zero pages, the secrets
 *    page, the CPUID page, the kernel hashes page, the SVSM calling area).
 *
 * The image is mapped so that it ends at a given GPA (4 GiB for OVMF).
 * Parsing is strict: a truncated, malformed, overlapping or out-of-range
 * structure is an error with a one-line reason, never a guess. An image
 * without the footer table, or without SEV metadata, is not an error: the
 * caller decides whether it needs them.
 */
#ifndef SWSEV_COMMON_OVMF_H
#define SWSEV_COMMON_OVMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/status.h"

/* A GUID in the byte order an EFI image stores it (first three fields
 * little-endian). */
struct ovmf_guid {
    uint8_t b[16];
};

/* Builds a struct ovmf_guid initialiser from the textual form
 * aaaaaaaa-bbbb-cccc-dddd-dddddddddddd (d0..d7 are the last eight bytes). */
#define OVMF_GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                                    \
    {                                                                                              \
        {                                                                                          \
            (uint8_t)(a), (uint8_t)((a) >> 8), (uint8_t)((a) >> 16), (uint8_t)((a) >> 24),         \
                (uint8_t)(b), (uint8_t)((b) >> 8), (uint8_t)(c), (uint8_t)((c) >> 8), d0, d1, d2,  \
                d3, d4, d5, d6, d7                                                                 \
        }                                                                                          \
    }

/* The GUIDs of the footer table that matter for SEV. */
extern const struct ovmf_guid ovmf_guid_table_footer;   /* 96b582de-1fb2-45f7-... */
extern const struct ovmf_guid ovmf_guid_sev_hash_table; /* 7255371f-3a3b-4b04-... */
extern const struct ovmf_guid ovmf_guid_sev_es_reset;   /* 00f771de-1a7e-4fcb-... */
extern const struct ovmf_guid ovmf_guid_sev_metadata;   /* dc886566-984a-4798-... */
extern const struct ovmf_guid ovmf_guid_svsm_info;      /* a789a612-0597-4c4b-... */

#define OVMF_GUID_STR_LEN 37 /* 36 characters and a NUL */
/* Lower-case textual form. */
void ovmf_guid_format(const struct ovmf_guid *g, char out[OVMF_GUID_STR_LEN]);

/* SEV metadata section types (edk2 OvmfPkg/ResetVector, OvmfSevMetadata). */
enum ovmf_section_type {
    OVMF_SECTION_SNP_SEC_MEM = 1,          /* memory the guest expects validated */
    OVMF_SECTION_SNP_SECRETS = 2,          /* the SNP secrets page */
    OVMF_SECTION_CPUID = 3,                /* the SNP CPUID page */
    OVMF_SECTION_SVSM_CAA = 4,             /* the SVSM calling area */
    OVMF_SECTION_SNP_KERNEL_HASHES = 0x10, /* the page holding the kernel hashes table */
};
/* "SNP_SEC_MEM", ... or "UNKNOWN". */
const char *ovmf_section_type_name(uint32_t type);

struct ovmf_section {
    uint32_t gpa;
    uint32_t size;
    uint32_t type; /* enum ovmf_section_type */
};

/* One footer table entry; its data lives at image[offset, offset + len). */
struct ovmf_entry {
    struct ovmf_guid guid;
    size_t offset;
    size_t len;
};

#define OVMF_MAX_ENTRIES      64
#define OVMF_MAX_SECTIONS     64
#define OVMF_END_4G           0x100000000ull
#define OVMF_FOOTER_GAP       32 /* bytes between the footer table and the image end */
#define OVMF_ENTRY_HDR_LEN    18 /* u16 size + GUID */
#define OVMF_METADATA_HDR     16 /* "ASEV", size, version, num_items */
#define OVMF_SECTION_LEN      12 /* gpa, size, type */
#define OVMF_METADATA_VERSION 1

struct ovmf {
    const uint8_t *image; /* borrowed: must outlive this structure */
    size_t size;
    uint64_t gpa; /* where the image starts: end GPA - size */

    bool has_table; /* footer GUID found */
    size_t n_entries;
    struct ovmf_entry entries[OVMF_MAX_ENTRIES]; /* in image order */

    bool has_reset_eip; /* SEV-ES reset block entry */
    uint32_t reset_eip; /* AP start: CS.base = eip & 0xFFFF0000, RIP = eip & 0xFFFF */

    bool has_hash_table;     /* SEV hash table entry */
    uint32_t hash_table_gpa; /* 0 means "not supported" */
    uint32_t hash_table_size;

    bool has_svsm_info; /* SVSM images: entry point offset from the image start */
    uint32_t svsm_entry_offset;

    bool has_metadata;      /* SEV metadata entry and its "ASEV" block */
    size_t metadata_offset; /* of the "ASEV" header in the image */
    size_t n_sections;
    struct ovmf_section sections[OVMF_MAX_SECTIONS]; /* in table order */
};

/*
 * Parse image (size bytes, mapped to end at end_gpa: OVMF_END_4G for OVMF).
 * On success o describes the image and borrows it. On failure returns
 * SWSEV_TOOL_ERR(SWSEV_E_FORMAT) (malformed image) or
 * SWSEV_TOOL_ERR(SWSEV_E_INVAL) (bad arguments), and writes a one-line
 * reason to err (errlen bytes; err may be NULL).
 */
swsev_rc ovmf_parse(struct ovmf *o, const uint8_t *image, size_t size, uint64_t end_gpa, char *err,
                    size_t errlen);

/* The footer table entry with this GUID, or NULL. */
const struct ovmf_entry *ovmf_find(const struct ovmf *o, const struct ovmf_guid *guid);
/* True when some metadata section has this type. */
bool ovmf_has_section(const struct ovmf *o, uint32_t type);
/* True when QEMU can measure kernel hashes for SEV and SEV-ES with this image
 * (a hash table entry with a non-zero GPA). */
bool ovmf_sev_hashes_supported(const struct ovmf *o);

#endif
