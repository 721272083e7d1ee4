/* SPDX-License-Identifier: MIT */
/*
 * swsev/abi/snp_report.h - the SEV-SNP attestation report (0x4A0 bytes,
 * SNP firmware ABI, sev-reference 3.10) and the TCB_VERSION layouts (3.11).
 */
#ifndef SWSEV_ABI_SNP_REPORT_H
#define SWSEV_ABI_SNP_REPORT_H

#include <stddef.h>
#include <stdint.h>

struct snp_report {
    uint32_t version;
    uint32_t guest_svn;
    uint64_t policy;
    uint8_t family_id[16];
    uint8_t image_id[16];
    uint32_t vmpl;
    uint32_t signature_algo; /* 1: ECDSA P-384 with SHA-384 */
    uint64_t current_tcb;
    uint64_t platform_info;
    uint32_t key_info; /* bit 0 AUTHOR_KEY_EN, bit 1 MASK_CHIP_KEY, [4:2] SIGNING_KEY */
    uint32_t reserved0;
    uint8_t report_data[64];
    uint8_t measurement[48];
    uint8_t host_data[32];
    uint8_t id_key_digest[48];
    uint8_t author_key_digest[48];
    uint8_t report_id[32];
    uint8_t report_id_ma[32];
    uint64_t reported_tcb;
    uint8_t cpuid_fam_id, cpuid_mod_id, cpuid_step; /* version 3 and later */
    uint8_t reserved1[21];
    uint8_t chip_id[64];
    uint64_t committed_tcb;
    uint8_t current_build, current_minor, current_major, reserved2;
    uint8_t committed_build, committed_minor, committed_major, reserved3;
    uint64_t launch_tcb;
    uint64_t launch_mit_vector;  /* version 5 */
    uint64_t current_mit_vector; /* version 5 */
    uint8_t reserved4[152];
    uint8_t sig_r[72]; /* little-endian */
    uint8_t sig_s[72];
    uint8_t sig_reserved[368];
} __attribute__((packed));

_Static_assert(sizeof(struct snp_report) == 0x4A0, "SNP report is 0x4A0 bytes");
_Static_assert(offsetof(struct snp_report, report_data) == 0x50, "REPORT_DATA at 0x50");
_Static_assert(offsetof(struct snp_report, measurement) == 0x90, "MEASUREMENT at 0x90");
_Static_assert(offsetof(struct snp_report, reported_tcb) == 0x180, "REPORTED_TCB at 0x180");
_Static_assert(offsetof(struct snp_report, chip_id) == 0x1A0, "CHIP_ID at 0x1A0");
_Static_assert(offsetof(struct snp_report, launch_tcb) == 0x1F0, "LAUNCH_TCB at 0x1F0");
_Static_assert(offsetof(struct snp_report, sig_r) == 0x2A0, "SIGNATURE at 0x2A0");

#define SNP_REPORT_SIGNED_LEN       0x2A0
#define SNP_KEY_INFO_SIGNING_KEY(k) (((k) >> 2) & 7u) /* 0 VCEK, 1 VLEK, 7 none */

/* TCB_VERSION fields. */
struct snp_tcb {
    uint8_t fmc, bootloader, tee, snp, microcode;
};

enum snp_product { SNP_PRODUCT_UNKNOWN = 0, SNP_MILAN, SNP_GENOA, SNP_TURIN };

static inline struct snp_tcb snp_tcb_decode(uint64_t v, enum snp_product p)
{
    struct snp_tcb t = {0, 0, 0, 0, 0};
    if (p == SNP_TURIN) {
        t.fmc = (uint8_t)v;
        t.bootloader = (uint8_t)(v >> 8);
        t.tee = (uint8_t)(v >> 16);
        t.snp = (uint8_t)(v >> 24);
    } else {
        t.bootloader = (uint8_t)v;
        t.tee = (uint8_t)(v >> 8);
        t.snp = (uint8_t)(v >> 48);
    }
    t.microcode = (uint8_t)(v >> 56);
    return t;
}

static inline uint64_t snp_tcb_encode(struct snp_tcb t, enum snp_product p)
{
    if (p == SNP_TURIN)
        return (uint64_t)t.fmc | (uint64_t)t.bootloader << 8 | (uint64_t)t.tee << 16 |
               (uint64_t)t.snp << 24 | (uint64_t)t.microcode << 56;
    return (uint64_t)t.bootloader | (uint64_t)t.tee << 8 | (uint64_t)t.snp << 48 |
           (uint64_t)t.microcode << 56;
}

#endif
