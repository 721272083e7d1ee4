/* SPDX-License-Identifier: MIT */
/*
 * guest/ghcb.h - the guest's GHCB client, what Linux's arch/x86/coco/sev
 * does: the GHCB MSR protocol (SEV information and version negotiation,
 * CPUID, preferred and registered GHCB GPA, page state change, hypervisor
 * features, AP reset hold, run at VMPL, termination) and the page protocol
 * (set the fields and their valid bits, SW_EXITCODE / EXITINFO1 / EXITINFO2
 * and SW_SCRATCH pointing into the shared buffer, VMGEXIT, check the
 * answer, invalidate) with a helper per NAE event.
 *
 * The client writes its GHCB through the memory system's guest-physical
 * path: a GHCB is a shared page, accessed with C=0. A guest that puts it
 * in private memory (a bug, or a test of one) passes the GPA with the
 * C-bit set; the GHCB MSR still gets the plain GPA, as on hardware.
 * VMGEXIT is a callback: it gets the GHCB MSR value and returns the value
 * the guest reads back (the vCPU layer, or a test wiring it straight to
 * hv_vmgexit_handle). PVALIDATE is a callback too (memsys_pvalidate in a
 * vCPU).
 *
 * Return values: SWSEV_OK when the hypervisor answered success;
 * SWSEV_HV_ERR(SWSEV_E_IO) when it answered with an error, an exception to
 * inject, or a malformed answer (c->last says which); SWSEV_HV_ERR(
 * SWSEV_E_INVAL) for arguments the guest should never send; guest-path
 * faults as the memory system reports them (c->fault holds the record).
 */
#ifndef SWSEV_GUEST_GHCB_H
#define SWSEV_GUEST_GHCB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/snp_msg.h"
#include "swsev/abi/ghcb.h"
#include "swsev/memsys.h"

/* VMGEXIT: returns the GHCB MSR value after the exit. */
typedef uint64_t (*ghcb_vmgexit_fn)(void *ctx, uint64_t ghcb_msr);
/* PVALIDATE of the page at gpa: RMP_* return code, *no_update as CF. */
typedef int (*ghcb_pvalidate_fn)(void *ctx, uint64_t gpa, bool size_2m, bool validate,
                                 bool *no_update);

/* How the last page-protocol exit ended. */
enum ghcb_outcome {
    GHCB_OUT_OK = 0,
    GHCB_OUT_EXCEPTION = 1,    /* the hypervisor asks for #GP/#UD (vector, error_code) */
    GHCB_OUT_VMM_ERROR = 2,    /* SW_EXITINFO1 = 2, or an exception Linux would not accept */
    GHCB_OUT_BAD_RESPONSE = 3, /* outputs missing, or the MSR response code is wrong */
};

struct ghcb_last {
    uint32_t outcome;      /* enum ghcb_outcome */
    uint64_t info1, info2; /* SW_EXITINFO1/2 as answered */
    uint8_t vector;
    bool has_error_code;
    uint32_t error_code;
    uint64_t msr; /* the GHCB MSR after the last exit */
};

struct ghcb_client {
    struct memsys *ms;
    const struct hw_guest_ctx *cpu;
    uint64_t ghcb_gpa; /* where the guest accesses its GHCB (C-bit only if private) */
    uint64_t cbit_mask;
    ghcb_vmgexit_fn vmgexit;
    void *vmgexit_ctx;
    ghcb_pvalidate_fn pvalidate;
    void *pvalidate_ctx;
    uint16_t version;     /* written into every GHCB; ghcb_negotiate sets it */
    uint8_t cbit;         /* what SEV information said */
    uint64_t hv_features; /* what ghcb_hv_features / ghcb_msr_hv_features said */
    struct ghcb page;     /* the guest's view of its GHCB between exits */
    struct ghcb_last last;
    struct hw_fault fault;
    /* The next SNP transport call is an extended request (ghcb_snp_ext_report). */
    bool ext_armed;
    uint64_t ext_gpa, ext_npages;
    uint32_t ext_vmm_error;
};

/* ghcb_gpa: page-aligned (plus the C-bit for a private GHCB). The version
 * starts at GHCB_PROTOCOL_MAX until ghcb_negotiate. */
swsev_rc ghcb_client_init(struct ghcb_client *c, struct memsys *ms, const struct hw_guest_ctx *cpu,
                          uint64_t ghcb_gpa, ghcb_vmgexit_fn vmgexit, void *ctx);
void ghcb_set_pvalidate(struct ghcb_client *c, ghcb_pvalidate_fn fn, void *ctx);

/* ---- the MSR protocol ---- */

/* One raw exit: write msr, VMGEXIT, return what the MSR holds after it. */
uint64_t ghcb_msr_exit(struct ghcb_client *c, uint64_t msr);
swsev_rc ghcb_msr_sev_info(struct ghcb_client *c, uint16_t *max, uint16_t *min, uint8_t *cbit);
/* Linux's sev_es_negotiate_protocol: the highest common version, at least
 * 2 for an SNP guest (else SWSEV_HV_ERR(SWSEV_E_UNSUPPORTED)). */
swsev_rc ghcb_negotiate(struct ghcb_client *c);
swsev_rc ghcb_msr_cpuid(struct ghcb_client *c, uint32_t fn, uint32_t regs[4]);
/* *gpa = GHCB_MSR_GFN_NONE << 12 when the hypervisor has no preference. */
swsev_rc ghcb_msr_pref_gpa(struct ghcb_client *c, uint64_t *gpa);
/* Register the client's GHCB GPA (SNP); the answer must echo it. */
swsev_rc ghcb_msr_register(struct ghcb_client *c);
/* One page to private (op 1) or shared (op 2), no PVALIDATE. */
swsev_rc ghcb_msr_psc(struct ghcb_client *c, uint64_t gpa, unsigned op);
/* Linux's early_set_pages_state: PVALIDATE rescinded before a page turns
 * shared, done after it turns private. */
swsev_rc ghcb_msr_page_state(struct ghcb_client *c, uint64_t gpa, bool private_);
swsev_rc ghcb_msr_hv_features(struct ghcb_client *c, uint64_t *features);
/* *released: the hypervisor answered non-zero (the AP was woken). */
swsev_rc ghcb_msr_ap_reset_hold(struct ghcb_client *c, bool *released);
swsev_rc ghcb_msr_run_vmpl(struct ghcb_client *c, uint8_t vmpl);
/* The guest stops here; the return only says the exit happened. */
void ghcb_msr_terminate(struct ghcb_client *c, uint8_t reason_set, uint8_t reason_code);

/* ---- the page protocol ---- */

/* Forget the previous exit (Linux's vc_ghcb_invalidate): the working copy. */
void ghcb_invalidate(struct ghcb_client *c);
/* After use (Linux's __sev_put_ghcb): no exit code and no valid bits in
 * the GHCB in memory either, so nothing stale is ever taken as input.
 * Every helper below ends with it; callers of ghcb_call do it themselves. */
void ghcb_release(struct ghcb_client *c);
/* Put an input into the page (and mark it valid) before ghcb_call. */
void ghcb_set(struct ghcb_client *c, unsigned off, uint64_t value);
bool ghcb_valid(const struct ghcb_client *c, unsigned off);
uint64_t ghcb_get(const struct ghcb_client *c, unsigned off);
/* The GPA of the shared buffer (what SW_SCRATCH points to). */
uint64_t ghcb_shared_gpa(const struct ghcb_client *c);
/* One NAE event: exit code and info into the page, version and usage, the
 * page written, VMGEXIT with the GHCB GPA, the page read back, SW_EXITINFO1
 * checked (Linux's sev_es_ghcb_hv_call + verify_exception_info). */
swsev_rc ghcb_call(struct ghcb_client *c, uint64_t exit_code, uint64_t info1, uint64_t info2);

/* NAE helpers. Port I/O: size 1, 2 or 4. */
swsev_rc ghcb_io_out(struct ghcb_client *c, uint16_t port, uint8_t size, uint32_t val);
swsev_rc ghcb_io_in(struct ghcb_client *c, uint16_t port, uint8_t size, uint32_t *val);
/* REP OUTS / REP INS through the shared buffer (several exits if needed). */
swsev_rc ghcb_io_outs(struct ghcb_client *c, uint16_t port, uint8_t size, const void *data,
                      uint32_t count);
swsev_rc ghcb_io_ins(struct ghcb_client *c, uint16_t port, uint8_t size, void *data,
                     uint32_t count);
/* MMIO of 1..8 bytes at a GPA that is not memory. */
swsev_rc ghcb_mmio_read(struct ghcb_client *c, uint64_t gpa, void *buf, uint32_t len);
swsev_rc ghcb_mmio_write(struct ghcb_client *c, uint64_t gpa, const void *buf, uint32_t len);
/* xcr0 goes along (Linux sends 1 when OSXSAVE is off). */
swsev_rc ghcb_cpuid(struct ghcb_client *c, uint32_t leaf, uint32_t subleaf, uint64_t xcr0,
                    uint32_t regs[4]);
swsev_rc ghcb_rdmsr(struct ghcb_client *c, uint32_t msr, uint64_t *val);
swsev_rc ghcb_wrmsr(struct ghcb_client *c, uint32_t msr, uint64_t val);
swsev_rc ghcb_rdtsc(struct ghcb_client *c, uint64_t *tsc);
swsev_rc ghcb_rdtscp(struct ghcb_client *c, uint64_t *tsc, uint32_t *aux);
/* KVM's calling convention: nr in RAX, a0..a3 in RBX, RCX, RDX, RSI; CPL
 * from the vCPU; the result in *ret. */
swsev_rc ghcb_vmmcall(struct ghcb_client *c, uint64_t nr, const uint64_t a[4], uint64_t *ret);
/* One AP HLT loop exit; *woken: SW_EXITINFO2 came back non-zero. */
swsev_rc ghcb_ap_hlt(struct ghcb_client *c, bool *woken);
/* Linux's sev_es_ap_hlt_loop, at most max_exits exits. */
swsev_rc ghcb_ap_hlt_loop(struct ghcb_client *c, unsigned max_exits, bool *woken);
swsev_rc ghcb_ap_jump_table_set(struct ghcb_client *c, uint64_t gpa);
swsev_rc ghcb_ap_jump_table_get(struct ghcb_client *c, uint64_t *gpa);
swsev_rc ghcb_hv_features(struct ghcb_client *c, uint64_t *features);
/* Termination NAE event (the guest does not go on). */
swsev_rc ghcb_terminate(struct ghcb_client *c, uint8_t reason_set, uint8_t reason_code);

/* ---- SNP ---- */

/* Raw PSC: entries (ghcb_psc_entry) through the shared buffer, as many
 * exits as the hypervisor needs; *psc_error gets SW_EXITINFO2 of a
 * refusal. No PVALIDATE. */
swsev_rc ghcb_psc(struct ghcb_client *c, const uint64_t *entries, unsigned n, uint64_t *psc_error);
/* Linux's set_pages_state for npages 4 KiB pages at gpa: PVALIDATE
 * rescinded before they turn shared, done after they turn private. */
swsev_rc ghcb_page_state_change(struct ghcb_client *c, uint64_t gpa, uint64_t npages,
                                bool private_);
/* SNP guest request: *exitinfo2 = VMM error << 32 | firmware error. */
swsev_rc ghcb_snp_guest_request(struct ghcb_client *c, uint64_t req_gpa, uint64_t resp_gpa,
                                uint64_t *exitinfo2);
/* Extended request: certificates into *npages shared pages at certs_gpa;
 * on INVALID_LEN *npages says how many are needed. */
swsev_rc ghcb_snp_ext_guest_request(struct ghcb_client *c, uint64_t req_gpa, uint64_t resp_gpa,
                                    uint64_t certs_gpa, uint64_t *npages, uint64_t *exitinfo2);
/* guest/snp_msg.h's transport over the GHCB (ctx = the client): a guest
 * request, or an extended one when ghcb_snp_ext_report armed it. On
 * INVALID_LEN it repeats the message as a plain request, as Linux does, so
 * the sequence number is used exactly once. */
int ghcb_snp_transport(void *ctx, uint64_t req_gpa, uint64_t resp_gpa, uint32_t *fw_error);
/* MSG_REPORT_REQ as an extended request through g (whose transport is
 * ghcb_snp_transport with this client): the certificate table lands in
 * *npages shared pages at certs_gpa. When they are too few, *vmm_error =
 * GHCB_SNP_VMM_ERR_INVALID_LEN, *npages the pages needed, the report is
 * still returned and SWSEV_HV_ERR(SWSEV_E_INVAL) comes back. */
swsev_rc ghcb_snp_ext_report(struct ghcb_client *c, struct guest_snp *g,
                             const uint8_t report_data[64], uint32_t vmpl, uint8_t report[0x4A0],
                             uint32_t *status, uint64_t certs_gpa, uint64_t *npages,
                             uint32_t *fw_error, uint32_t *vmm_error);
/* AP creation: request GHCB_AP_CREATE(_ON_INIT) with the VMSA's GPA and
 * SEV_FEATURES, or GHCB_AP_DESTROY. */
swsev_rc ghcb_snp_ap_create(struct ghcb_client *c, uint32_t apic_id, uint8_t vmpl, unsigned request,
                            uint64_t vmsa_gpa, uint64_t sev_features);
swsev_rc ghcb_snp_ap_destroy(struct ghcb_client *c, uint32_t apic_id, uint8_t vmpl);
swsev_rc ghcb_snp_run_vmpl(struct ghcb_client *c, uint8_t vmpl);

#endif
