/* SPDX-License-Identifier: MIT */
/*
 * common/snp_plan.h - the launch plan: the ordered launch updates a VMM
 * such as QEMU performs to start an SEV, SEV-ES or SEV-SNP guest from an
 * OVMF image (sev-reference 9), and the launch digest they produce.
 *
 * One plan, two consumers:
 *  - the offline calculator (`swsev snp measure`) runs snp_plan_digest()
 *    and gets the digest sev-snp-measure computes, page by page;
 *  - a VMM walks plan->ops in order and issues one SNP_LAUNCH_UPDATE per op
 *    (or LAUNCH_UPDATE_DATA / LAUNCH_UPDATE_VMSA for SEV and SEV-ES).
 *
 * SNP order (QEMU): the OVMF image as NORMAL pages; then each SEV metadata
 * section in table order (SNP_SEC_MEM as ZERO pages, or UNMEASURED on GCE;
 * the SECRETS page; the CPUID page, deferred after all other sections on
 * EC2; the kernel hashes page as NORMAL when a kernel is given, else ZERO;
 * the SVSM calling area as ZERO); then one VMSA per vCPU (BSP first).
 * SEV-ES: the image, the kernel hashes table, the VMSAs. SEV: the image and
 * the kernel hashes table.
 */
#ifndef SWSEV_COMMON_SNP_PLAN_H
#define SWSEV_COMMON_SNP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ovmf.h"
#include "common/snp_pageinfo.h"
#include "swsev/abi/vmsa.h"
#include "swsev/status.h"

enum snp_plan_mode {
    SNP_PLAN_SEV = 1,    /* LAUNCH_UPDATE_DATA; digest SHA-256 */
    SNP_PLAN_SEV_ES = 2, /* + LAUNCH_UPDATE_VMSA; digest SHA-256 */
    SNP_PLAN_SNP = 3,    /* SNP_LAUNCH_UPDATE; digest SHA-384 chain of PAGE_INFO */
};

#define SNP_PLAN_MAX_VCPUS 4096 /* KVM's limit on x86 */

/* QEMU's kernel hashes table for measured direct boot (sev-reference 9.4):
 * a GUIDed header and three (GUID, length, SHA-256) entries, padded to 16. */
#define SNP_PLAN_HASHES_TABLE_LEN 0xA8
#define SNP_PLAN_HASHES_PADDED    0xB0
struct snp_plan_kernel {
    uint8_t kernel_sha256[32];  /* SHA-256 of the -kernel file */
    uint8_t initrd_sha256[32];  /* of the -initrd file (of nothing when none) */
    uint8_t cmdline_sha256[32]; /* of -append and its NUL (of a lone NUL when none) */
};
/* Hash kernel, initrd (NULL/0 when none) and cmdline (NULL when none) the
 * way QEMU does. */
swsev_rc snp_plan_kernel_hash(struct snp_plan_kernel *k, const void *kernel, size_t kernel_len,
                              const void *initrd, size_t initrd_len, const char *cmdline);
/* SHA-256 of the command line as the guest gets it: with its NUL (a lone
 * NUL when cmdline is NULL or empty). */
swsev_rc snp_plan_cmdline_hash(uint8_t out[32], const char *cmdline);
/* The padded table QEMU writes into guest memory (SNP_PLAN_HASHES_PADDED bytes). */
void snp_plan_hashes_table(const struct snp_plan_kernel *k, uint8_t out[SNP_PLAN_HASHES_PADDED]);

struct snp_plan_inputs {
    enum snp_plan_mode mode;
    const uint8_t *ovmf; /* the image, borrowed: must outlive the plan */
    size_t ovmf_len;
    unsigned vcpus;                       /* 1..SNP_PLAN_MAX_VCPUS (ignored for SEV) */
    uint32_t vcpu_sig;                    /* CPUID Fn0000_0001 EAX; QEMU puts it in RDX */
    enum vmsa_vmm vmm;                    /* register reset state and section handling */
    uint64_t guest_features;              /* SNP: SEV_FEATURES of every VMSA (SEV-ES: always 0) */
    const struct snp_plan_kernel *kernel; /* -kernel given: its hashes; NULL otherwise */
    /* SNP only: just the firmware image ops (what --snp-ovmf-hash covers);
     * vCPUs, reset block and metadata sections are then not needed. */
    bool image_only;
};

/* One launch update. For SNP, len is a multiple of 4 KiB and the firmware
 * extends the digest once per page (GPA += 4 KiB). */
struct snp_plan_op {
    uint64_t gpa;      /* SNP VMSA ops: SNP_VMSA_GPA; SEV-ES VMSA ops: 0 */
    uint64_t len;      /* bytes */
    uint8_t page_type; /* SNP_PAGE_TYPE_*: SEV/SEV-ES use NORMAL for data, VMSA for VMSAs */
    /* The bytes to load (len of them) for NORMAL and VMSA ops: they point
     * into the OVMF image or into a buffer the plan owns. NULL for ZERO,
     * UNMEASURED, SECRETS and CPUID: the VMM supplies that page (zeros; the
     * CPUID table it builds from its CPUID model) and it does not enter the
     * digest. */
    const uint8_t *data;
    int vcpu;       /* VMSA ops: the vCPU index; -1 otherwise */
    int section;    /* index into plan->ovmf.sections, or -1 */
    char what[32];  /* "OVMF", "SNP_SEC_MEM", "VMSA vcpu 1", ... */
    uint8_t *owned; /* internal: buffer freed with the plan */
};

struct snp_plan {
    enum snp_plan_mode mode;
    struct ovmf ovmf;   /* the parsed image (borrows the inputs' bytes) */
    size_t n_image_ops; /* ops[0 .. n_image_ops) load the firmware image */
    size_t n_ops;
    struct snp_plan_op *ops;
    uint64_t n_pages; /* SNP: PAGE_INFO steps in the whole plan */
};

/*
 * Build the plan for these inputs. *out is NULL on failure, which returns
 * SWSEV_TOOL_ERR(SWSEV_E_FORMAT) for an unusable image,
 * SWSEV_TOOL_ERR(SWSEV_E_INVAL) for inconsistent inputs (e.g. a kernel
 * with an image that has no place for its hashes) and
 * SWSEV_TOOL_ERR(SWSEV_E_NOMEM); err (errlen bytes, may be NULL) gets a
 * one-line reason.
 */
swsev_rc snp_plan_build(struct snp_plan **out, const struct snp_plan_inputs *in, char *err,
                        size_t errlen);
void snp_plan_free(struct snp_plan *p);

/* What the digest walk reports for each PAGE_INFO it hashes. */
struct snp_plan_page {
    uint64_t index; /* 0-based position in the whole plan */
    const struct snp_plan_op *op;
    size_t op_index;
    uint64_t gpa;
    uint8_t page_type;
    uint8_t contents[SNP_PAGEINFO_DIGEST_LEN]; /* PAGE_INFO CONTENTS */
    uint8_t digest[SNP_PAGEINFO_DIGEST_LEN];   /* the launch digest after this page */
};
/* Called once per page, in order. */
typedef void (*snp_plan_page_fn)(void *arg, const struct snp_plan_page *pg);

/* SNP plans: the launch digest of the whole plan from a zero digest, as
 * SNP_LAUNCH_FINISH leaves it (the report's MEASUREMENT). fn (may be NULL)
 * sees every page. SWSEV_TOOL_ERR(SWSEV_E_INVAL) for a non-SNP plan. */
swsev_rc snp_plan_digest(const struct snp_plan *p, uint8_t out[SNP_PAGEINFO_DIGEST_LEN],
                         snp_plan_page_fn fn, void *arg);
/* The same over ops[first, first + count), starting from seed (NULL: zeros).
 * sev-snp-measure's --snp-ovmf-hash is the digest of the image ops alone:
 * range(NULL, 0, n_image_ops) gives it, range(hash, n_image_ops, rest)
 * resumes from it. Page indexes passed to fn stay those of the whole plan. */
swsev_rc snp_plan_digest_range(const struct snp_plan *p, const uint8_t *seed, size_t first,
                               size_t count, uint8_t out[SNP_PAGEINFO_DIGEST_LEN],
                               snp_plan_page_fn fn, void *arg);
/* SEV and SEV-ES plans: the SHA-256 launch digest (what LAUNCH_MEASURE
 * covers), over the data of every op in order. SWSEV_TOOL_ERR(SWSEV_E_INVAL) for an SNP plan. */
swsev_rc snp_plan_sev_digest(const struct snp_plan *p, uint8_t out[32]);

/* vCPU signature (CPUID Fn0000_0001 EAX) from family, model, stepping. */
uint32_t snp_plan_cpu_sig(unsigned family, unsigned model, unsigned stepping);
/* The signature of a QEMU CPU model name ("EPYC-v4", "EPYC-Milan", ...);
 * false for an unknown name. */
bool snp_plan_cpu_sig_by_name(const char *name, uint32_t *sig);
/* The i-th known CPU model name, NULL past the end. */
const char *snp_plan_cpu_name(size_t i);

#endif
