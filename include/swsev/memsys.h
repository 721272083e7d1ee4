/* SPDX-License-Identifier: MIT */
/*
 * swsev/memsys.h - the simulated SoC memory system.
 *
 *   DRAM <- memory controller (key slot per ASID, XEX engine) <- cache
 *        (plaintext lines tagged by key and PA) <- access paths
 *
 * Three access paths, each with its own contract:
 *
 *  - host:     the hypervisor. Addresses are system physical addresses; the
 *              chip's C-bit in the address selects the host SME key (slot 0),
 *              without it the access is unencrypted. The host never holds a
 *              guest key, so a guest's private page reads as ciphertext.
 *  - guest:    a vCPU. Virtual addresses go through the guest page tables
 *              (in guest memory, always read privately under SEV) and the
 *              hypervisor's nested page tables to a system physical address.
 *              A guest PTE with the C-bit (or any instruction fetch) of an
 *              SEV guest selects the guest's ASID key. Faults come back as
 *              the architectural record (#PF, #NPF exit, #GP).
 *  - firmware: the Secure Processor: any key slot, by system physical
 *              address, and the key slots themselves. Only through the port
 *              of src/hw/memsys_fw.h, which can be claimed once.
 *
 * All paths share the cache, so flush discipline (WBINVD, VM_PAGE_FLUSH,
 * CLFLUSH, DF_FLUSH) has its real consequences. Every function is
 * thread-safe; operations are serialised.
 */
#ifndef SWSEV_MEMSYS_H
#define SWSEV_MEMSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/chip.h"
#include "swsev/status.h"

struct memsys;
struct crypto_drbg;

/* Largest single guest access, in bytes (one page; may straddle two). */
#define MEMSYS_GUEST_MAX_ACCESS 4096u

/* Architectural fault record. */
enum hw_fault_kind {
    HW_FAULT_NONE = 0,
    HW_FAULT_PF = 1,  /* guest #PF: error_code = #PF error code, addr = CR2 */
    HW_FAULT_NPF = 2, /* #VMEXIT(NPF): error_code = EXITINFO1, addr = EXITINFO2 (GPA) */
    HW_FAULT_GP = 3,  /* guest #GP(0): non-canonical address */
    HW_FAULT_VC = 4,  /* guest #VC: error_code = exit code */
};

#define HW_VECTOR_GP 13
#define HW_VECTOR_PF 14
#define HW_VECTOR_VC 29

/* #PF error code and NPF EXITINFO1 bits. */
#define PFERR_PRESENT     (1ull << 0)
#define PFERR_WRITE       (1ull << 1)
#define PFERR_USER        (1ull << 2)
#define PFERR_RSVD        (1ull << 3)
#define PFERR_FETCH       (1ull << 4)
#define PFERR_RMP         (1ull << 31)
#define PFERR_GUEST_FINAL (1ull << 32) /* NPF on the final GPA translation */
#define PFERR_GUEST_PAGE  (1ull << 33) /* NPF during the guest page-table walk */
#define PFERR_GUEST_ENC   (1ull << 34)
#define PFERR_GUEST_SIZEM (1ull << 35)
#define PFERR_GUEST_VMPL  (1ull << 36)

struct hw_fault {
    uint32_t kind;   /* enum hw_fault_kind */
    uint32_t vector; /* 13, 14, 29, or 0 for an NPF exit */
    uint64_t error_code;
    uint64_t addr;
};

/* Control registers and EFER bits the walker honours. */
#define X86_CR0_WP   (1ull << 16)
#define X86_CR0_PG   (1ull << 31)
#define X86_CR4_PAE  (1ull << 5)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
#define X86_EFER_NXE (1ull << 11)

/* Page-table entry bits (guest and nested). */
#define PTE_P  (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_A  (1ull << 5)
#define PTE_D  (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_NX (1ull << 63)

/* The translation state of one vCPU as the memory system needs it. */
struct hw_guest_ctx {
    uint32_t asid;
    bool sev;     /* guest runs with SEV (C-bit honoured, key = ASID) */
    bool es, snp; /* recorded for later layers; the walker treats them as SEV */
    uint8_t cpl;  /* 3 = user */
    uint8_t vmpl;
    uint64_t cr0, cr3, cr4, efer;
    bool np_enable; /* nested paging on: GPA -> SPA through ncr3 */
    uint64_t ncr3;  /* SPA of the nested PML4, may carry the host C-bit */
};

enum hw_access { HW_ACC_READ = 0, HW_ACC_WRITE = 1, HW_ACC_FETCH = 2 };

/* Result of a translation. */
struct hw_xlate {
    uint64_t gpa;      /* guest physical address, C-bit stripped */
    uint64_t spa;      /* system physical address, C-bit stripped */
    bool guest_c;      /* guest asked for a private access */
    bool private_;     /* access uses the guest's key */
    bool npt_c;        /* nested leaf carries the host C-bit */
    uint32_t keysel;   /* key slot used, or MEMSYS_KEYSEL_PLAIN */
    uint8_t npt_level; /* nested leaf level: 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB */
    uint8_t perms;     /* HW_PERM_*: permissions combined over all levels */
};

#define HW_PERM_GUEST_RW (1u << 0) /* guest tables allow writes */
#define HW_PERM_GUEST_US (1u << 1) /* guest tables allow user access */
#define HW_PERM_GUEST_NX (1u << 2) /* guest tables forbid execution */
#define HW_PERM_NPT_RW   (1u << 3) /* nested tables allow writes */
#define HW_PERM_NPT_NX   (1u << 4) /* nested tables forbid execution */

#define MEMSYS_KEYSEL_PLAIN 0xFFFFFFFFu

struct memsys_stats {
    uint64_t cache_hits, cache_misses, cache_writebacks, cache_evictions;
    uint64_t bytes_encrypted, bytes_decrypted, dropped_writes;
};

/* Power on a SoC. rng draws the SME key and the engine's tweak vectors. */
swsev_rc memsys_create(struct memsys **out, const struct chip_config *cfg, struct crypto_drbg *rng);
void memsys_destroy(struct memsys *ms);

const struct chip_config *memsys_chip(const struct memsys *ms);
/* The C-bit as an address mask. */
uint64_t memsys_cbit_mask(const struct memsys *ms);
/* A counter that moves with every write to DRAM (by anyone) and every key
 * change: a vCPU backend caching decrypted guest pages compares it to know
 * whether its copies may be stale. */
uint64_t memsys_generation(struct memsys *ms);

/* Host path. pa may carry the C-bit (SME). Any length within DRAM. */
swsev_rc memsys_host_read(struct memsys *ms, uint64_t pa, void *buf, size_t len);
swsev_rc memsys_host_write(struct memsys *ms, uint64_t pa, const void *buf, size_t len);
/* 8-byte accesses (page-table entries): pa must be 8-byte aligned. */
swsev_rc memsys_host_read64(struct memsys *ms, uint64_t pa, uint64_t *val);
swsev_rc memsys_host_write64(struct memsys *ms, uint64_t pa, uint64_t val);

/* Guest path. 1 <= len <= MEMSYS_GUEST_MAX_ACCESS. On SWSEV_HW_FAULT the
 * fault record says what happened and no byte was written. */
swsev_rc memsys_guest_read(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva, void *buf,
                           size_t len, struct hw_fault *f);
swsev_rc memsys_guest_write(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva,
                            const void *buf, size_t len, struct hw_fault *f);
/* Every check an access of kind acc at gva makes (translation, A/D bits,
 * RMP), without moving a byte: how a backend that caches guest pages asks
 * before it lets the guest write a page it holds. */
swsev_rc memsys_guest_check(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva,
                            enum hw_access acc, struct hw_fault *f);
swsev_rc memsys_guest_fetch(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva,
                            void *buf, size_t len, struct hw_fault *f);
/* Guest-physical view: gpa carries the C-bit as an address bit. */
swsev_rc memsys_guest_phys_read(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gpa,
                                void *buf, size_t len, struct hw_fault *f);
swsev_rc memsys_guest_phys_write(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gpa,
                                 const void *buf, size_t len, struct hw_fault *f);
/* Translate without accessing the final page. */
swsev_rc memsys_guest_translate(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva,
                                enum hw_access acc, struct hw_xlate *x, struct hw_fault *f);

/* Cache maintenance. */
void memsys_wbinvd(struct memsys *ms, unsigned core);
/* WRMSR VM_PAGE_FLUSH: value = page address [63:12] | ASID [11:0]. */
swsev_rc memsys_vm_page_flush(struct memsys *ms, uint64_t value);
/* CLFLUSH of the line at pa (with or without the host C-bit). */
swsev_rc memsys_clflush(struct memsys *ms, uint64_t pa);
/* CLFLUSH of every line of [pa, pa + len) (clflush_cache_range). */
swsev_rc memsys_clflush_range(struct memsys *ms, uint64_t pa, uint64_t len);
/* Lines currently cached under key selector keysel (dirty ones in *dirty). */
unsigned memsys_cached_lines(struct memsys *ms, uint32_t keysel, unsigned *dirty);

void memsys_get_stats(struct memsys *ms, struct memsys_stats *st);
/* Bytes of simulated DRAM backed by host memory so far. */
uint64_t memsys_resident_bytes(struct memsys *ms);

/* ---- SEV-SNP: the Reverse Map Table (APM vol. 2 15.36, sev-reference 5.4) ----
 *
 * The RMP is a table in simulated DRAM: 16 KiB of processor bookkeeping at
 * RMP_BASE, then one 16-byte entry per 4 KiB page of DRAM. Once SNP is
 * enabled (SYSCFG.SNPEn), every access is checked against it:
 *  - host writes to an assigned page fail with an RMP #PF (error code bit
 *    31); host reads are allowed and see ciphertext;
 *  - an SNP guest's private access needs an entry that is assigned to its
 *    ASID at that GPA with a page size no smaller than the nested mapping
 *    (else #NPF with RMP, ENC or SIZEM bits), then VALIDATED (else #VC
 *    0x404), then, above VMPL0, the VMPL permission (else #NPF with VMPL);
 *  - a shared (C=0) access, and any access of a non-SNP guest, needs a page
 *    the hypervisor owns (not assigned) when it writes.
 * The firmware reaches the RMP through its port (hw/memsys_fw.h). */
#define MSR_RMP_BASE    0xC0010132u
#define MSR_RMP_END     0xC0010133u
#define RMP_BOOKKEEPING 0x4000u
#define RMP_ENTRY_SIZE  16u

/* RMPUPDATE / PSMASH / PVALIDATE / RMPADJUST return codes (RAX). */
#define RMP_SUCCESS           0
#define RMP_FAIL_INPUT        1
#define RMP_FAIL_PERMISSION   2
#define RMP_FAIL_INUSE        3
#define RMP_FAIL_OVERLAP      4 /* RMPUPDATE: 2 MiB vs 4 KiB entries; PSMASH: FAIL_BADADDR */
#define RMP_FAIL_SIZEMISMATCH 6
#define RMP_FAULT             (-1) /* the instruction faulted: see the fault record */

/* #VC exit code of a private access to a page that is not validated. */
#define SVM_EXIT_VMM_COMMUNICATION_PAGE_NOT_VALIDATED 0x404

/* The architectural 16-byte state (RMPUPDATE input, RMPREAD output). */
struct rmp_state {
    uint64_t gpa;
    uint8_t assigned;  /* bit 0 */
    uint8_t pagesize;  /* bit 0: 2 MiB; RMPREAD bit 1: the 2 MiB region has 4 KiB entries */
    uint8_t immutable; /* bit 0 */
    uint8_t rsvd;
    uint32_t asid;
};
_Static_assert(sizeof(struct rmp_state) == 16, "RMPUPDATE state is 16 bytes");

/* WRMSR RMP_BASE / RMP_END (end inclusive; base and end + 1 1 MiB-aligned,
 * as Linux checks): only while SNP is disabled. The table must cover all of
 * DRAM, and lie inside it. */
swsev_rc memsys_rmp_configure(struct memsys *ms, uint64_t rmp_base, uint64_t rmp_end);
/* Set SYSCFG.SNPEn (the OS does it once at boot, after zeroing the table). */
swsev_rc memsys_snp_enable(struct memsys *ms);
bool memsys_snp_enabled(struct memsys *ms);
void memsys_rmp_range(struct memsys *ms, uint64_t *base, uint64_t *end);

/* Host instructions. spa without the C-bit. */
int memsys_rmpupdate(struct memsys *ms, uint64_t spa, const struct rmp_state *st);
int memsys_psmash(struct memsys *ms, uint64_t spa);
int memsys_rmpread(struct memsys *ms, uint64_t spa, struct rmp_state *out);
/* Host write with the fault record of an RMP violation (memsys_host_write
 * returns SWSEV_HW_ERR(SWSEV_HW_FAULT) without it). */
swsev_rc memsys_host_write_f(struct memsys *ms, uint64_t pa, const void *buf, size_t len,
                             struct hw_fault *f);

/* Guest instructions (executed by the vCPU whose state is g). gva is
 * translated as a data access; RMP_FAULT means *f holds the fault. */
int memsys_pvalidate(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva, bool size_2m,
                     bool validate, bool *no_update, struct hw_fault *f);
/* RDX: [7:0] target VMPL, [15:8] permission mask, bit 16 VMSA. */
int memsys_rmpadjust(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva, bool size_2m,
                     uint64_t rdx, struct hw_fault *f);
/* RMPQUERY: the permission mask of target VMPL (RDX[7:0]) for gva. */
int memsys_rmpquery(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva, uint8_t vmpl,
                    uint8_t *perms, struct hw_fault *f);

/* VMPL permission bits (sev-reference 5.6). */
#define VMPL_PERM_READ   (1u << 0)
#define VMPL_PERM_WRITE  (1u << 1)
#define VMPL_PERM_XUSER  (1u << 2)
#define VMPL_PERM_XSUPER (1u << 3)
#define VMPL_PERM_ALL    0x1Fu

#endif
