/* SPDX-License-Identifier: MIT */
/* hv/vmgexit_priv.h - pieces of the VMGEXIT handler shared by its files:
 * the exit in progress, the answers, guest-memory checks and the events. */
#ifndef SWSEV_HV_VMGEXIT_PRIV_H
#define SWSEV_HV_VMGEXIT_PRIV_H

#include "hv/vmgexit.h"

#define PAGE_4K 0x1000ull
#define PAGE_2M 0x200000ull

/* One page-protocol exit in progress. */
struct hv_vmgexit_exit {
    struct hv_vmgexit *hx;
    struct hv_vm *vm;
    struct hv_vmgexit_vcpu *v;
    struct hv_vmgexit_result *r;
    uint64_t gpa;  /* of the GHCB */
    struct ghcb g; /* our copy: what we checked is what we use */
    uint8_t valid[16];
    uint64_t code, info1, info2, scratch;
    uint64_t rax, rbx, rcx, rdx, xcr0;
    uint8_t cpl;
    uint8_t *sa; /* the scratch area: in g, or a buffer for a version-1 area outside it */
    uint64_t sa_len, sa_gpa;
    bool sa_heap, sa_sync;
};

/* ---- answers ---- */

static inline void hv_vmgexit_answer(struct hv_vmgexit_exit *x, uint64_t info1, uint64_t info2)
{
    x->r->info1 = info1;
    x->r->info2 = info2;
}

static inline void hv_vmgexit_bad(struct hv_vmgexit_exit *x, uint32_t reason, const char *why)
{
    hv_vmgexit_answer(x, GHCB_RET_ERROR, reason);
    x->r->ghcb_error = reason;
    x->r->why = why;
}

static inline void hv_vmgexit_inject(struct hv_vmgexit_exit *x, uint8_t vector, const char *why)
{
    hv_vmgexit_answer(x, GHCB_RET_EXCEPTION,
                      ghcb_evt_exception(vector, vector == GHCB_VECTOR_GP, 0));
    x->r->why = why;
}

static inline bool hv_vmgexit_valid(const struct hv_vmgexit_exit *x, unsigned off)
{
    unsigned bit = off / 8;
    return (x->valid[bit / 8] >> (bit % 8)) & 1;
}

/* All of the listed inputs must be marked valid (else MISSING_INPUT). */
bool hv_vmgexit_need(struct hv_vmgexit_exit *x, const unsigned *offs, size_t n);
#define HV_VMGEXIT_NEED(x, ...)                                                                    \
    hv_vmgexit_need((x), (const unsigned[]){__VA_ARGS__},                                          \
                    sizeof((const unsigned[]){__VA_ARGS__}) / sizeof(unsigned))
/* The scratch area of an event that moves len bytes (else
 * INVALID_SCRATCH_AREA); sync: written back to guest memory at the end. */
bool hv_vmgexit_scratch(struct hv_vmgexit_exit *x, uint64_t len, bool sync);

/* ---- guest memory as the hypervisor sees it ---- */

static inline bool hv_vmgexit_guest_range(const struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
    if (gpa + len < gpa)
        return false;
    if (gpa <= vm->ram_size && len <= vm->ram_size - gpa)
        return true;
    return vm->rom_size && gpa >= vm->rom_gpa && gpa - vm->rom_gpa <= vm->rom_size &&
           len <= vm->rom_size - (gpa - vm->rom_gpa);
}

static inline uint64_t hv_vmgexit_max_gpa(const struct hv_vm *vm)
{
    return 1ull << chip_effective_pa_bits(memsys_chip(vm->kvm->ms));
}

/* Under SNP the RMP says which pages are private; the host cannot tell
 * for SEV-ES (a private page is just ciphertext to it). */
bool hv_vmgexit_page_private(const struct hv_vm *vm, uint64_t gpa);
bool hv_vmgexit_range_shared(const struct hv_vm *vm, uint64_t gpa, uint64_t len);

/* ---- events (vmgexit_nae.c, vmgexit_snp.c) ---- */

/* CPUID as the guest sees it: the chip model, filtered as KVM does. */
void hv_vmgexit_cpuid(struct hv_vmgexit *hx, const struct hv_vmgexit_vcpu *v, uint32_t leaf,
                      uint32_t subleaf, uint32_t regs[4]);
uint64_t hv_vmgexit_tsc(const struct hv_vmgexit *hx);
/* VMPLs a guest may ask for (1 unless multi-VMPL is offered). */
unsigned hv_vmgexit_nr_vmpls(const struct hv_vmgexit *hx);
/* One 4 KiB page to private or shared: 0 or a GHCB_PSC_ERR_*. */
uint64_t hv_vmgexit_psc_page(struct hv_vmgexit *hx, uint64_t gpa, unsigned op, uint64_t ghcb_gpa);

void hv_vmgexit_ev_ioio(struct hv_vmgexit_exit *x);
void hv_vmgexit_ev_mmio(struct hv_vmgexit_exit *x, bool write);
void hv_vmgexit_ev_msr(struct hv_vmgexit_exit *x);
void hv_vmgexit_ev_vmmcall(struct hv_vmgexit_exit *x);
void hv_vmgexit_ev_cpuid(struct hv_vmgexit_exit *x);
void hv_vmgexit_ev_jump_table(struct hv_vmgexit_exit *x);
void hv_vmgexit_ev_psc(struct hv_vmgexit_exit *x);
void hv_vmgexit_ev_ap_creation(struct hv_vmgexit_exit *x);
void hv_vmgexit_ev_guest_request(struct hv_vmgexit_exit *x, bool ext);

#endif
