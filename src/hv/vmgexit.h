/* SPDX-License-Identifier: MIT */
/*
 * hv/vmgexit.h - the hypervisor's side of the GHCB protocol (GHCB spec v2,
 * what KVM's arch/x86/kvm/svm/sev.c does on #VMEXIT(VMGEXIT)).
 *
 * On a VMGEXIT the vCPU's GHCB MSR value says which protocol the guest
 * speaks: GHCBInfo (bits [11:0]) non-zero is an MSR-protocol request,
 * answered in the same MSR; zero means the value is the GPA of a GHCB page.
 * The hypervisor reaches that page only through its host path
 * (hv_vm_read / hv_vm_write): a GHCB in private memory is ciphertext to it,
 * and under SNP an RMP-assigned page cannot be written at all.
 *
 * Everything in the GHCB is guest-controlled input. Each event is
 * validated before it is acted on, and refused with the spec's answer
 * (SW_EXITINFO1 = 2, SW_EXITINFO2 = GHCB_ERR_*): usage or version the
 * hypervisor does not speak (INVALID_USAGE), inputs without their valid
 * bit (MISSING_INPUT), a scratch area outside the shared buffer - or, for
 * a version-1 guest, outside guest memory - or too short for the event
 * (INVALID_SCRATCH_AREA), out-of-range GPAs and malformed requests
 * (INVALID_INPUT), unknown exit codes or SNP events of a non-SNP guest
 * (INVALID_EVENT), an SNP GHCB other than the registered one
 * (NOT_REGISTERED). docs/ghcb.md lists the rules per event.
 *
 * The handler returns a small result telling the VMM what happened; it
 * never blocks and never runs the guest. Thread-safe: every vCPU of a VM
 * may call it from its own thread.
 */
#ifndef SWSEV_HV_VMGEXIT_H
#define SWSEV_HV_VMGEXIT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/devices.h"
#include "hv/vm.h"
#include "swsev/abi/ghcb.h"

#define HV_VMGEXIT_NO_GPA      (~0ull)
#define HV_VMGEXIT_CERTS_MAX   (64u * 4096) /* the VMM's certificate table: 64 pages at most */
#define HV_VMGEXIT_SCRATCH_MAX (16u * 4096) /* version-1 scratch outside the GHCB (KVM) */

/* What the VMM configures (hv_vmgexit_config_default fills the defaults). */
struct hv_vmgexit_config {
    uint16_t ghcb_version;      /* highest version offered: 2 (1 = KVM_SEV_INIT's ES guests) */
    uint64_t hv_features;       /* GHCB_HV_FT_*; default SNP + AP creation for SNP guests */
    uint64_t sev_features;      /* what AP creation must carry in RAX (VMSA SEV_FEATURES) */
    uint64_t tsc_hz;            /* the guest's TSC rate, from the host's monotonic clock */
    uint64_t (*tsc)(void *ctx); /* or a clock of the VMM's own (NULL: the above) */
    void *tsc_ctx;
};

/* AP creation as the guest asked for it, for the vCPU layer to pick up. */
struct hv_vmgexit_ap {
    bool pending;          /* set by the event, cleared by hv_vmgexit_ap_take */
    uint32_t request;      /* GHCB_AP_CREATE_ON_INIT / GHCB_AP_CREATE / GHCB_AP_DESTROY */
    uint8_t vmpl;          /* the VMPL the new VMSA runs at */
    uint64_t vmsa_gpa;     /* HV_VMGEXIT_NO_GPA for DESTROY */
    uint64_t vmsa_spa;     /* the page behind it (0 for DESTROY) */
    uint64_t sev_features; /* RAX of the request */
};

/* One VM's GHCB state. */
struct hv_vmgexit {
    struct hv_vm *vm;
    struct hv_devices *dev; /* may be NULL: every port and MMIO access is unclaimed */
    struct hv_vmgexit_config cfg;
    pthread_mutex_t lock;
    uint64_t ap_jump_table;   /* AP jump table GPA (SEV-ES), 0 = none */
    struct hv_vmgexit_ap *ap; /* one per APIC ID (vCPU index) */
    uint8_t *certs;           /* the extended request's certificate table */
    size_t certs_len;
};

/* Per-vCPU state: what the VMCB and KVM's vcpu_sev_es_state hold. */
enum hv_vmgexit_hold { HV_HOLD_NONE = 0, HV_HOLD_NAE = 1, HV_HOLD_MSR = 2 };

struct hv_vmgexit_vcpu {
    uint32_t apic_id;
    uint64_t ghcb_msr;       /* in: the GHCB MSR at VMGEXIT; out: what the guest reads */
    uint64_t registered_gpa; /* SNP: the registered GHCB, HV_VMGEXIT_NO_GPA = none */
    uint32_t hold;           /* enum hv_vmgexit_hold: parked in an AP reset hold */
    uint64_t hold_gpa;       /* the GHCB of a NAE hold */
    /* The MSRs the hypervisor emulates for the MSR event. */
    uint64_t tsc_aux, pat, apic_base, misc_enable, dr7;
};

/* Why the handler returned. */
enum hv_vmgexit_kind {
    HV_VMGEXIT_RESUME = 0,      /* answered (possibly with an error): run the guest again */
    HV_VMGEXIT_IO = 1,          /* a port access was handled (io); resume */
    HV_VMGEXIT_MMIO = 2,        /* an MMIO access was handled (mmio); resume */
    HV_VMGEXIT_HLT = 3,         /* AP HLT loop / AP reset hold: park until woken */
    HV_VMGEXIT_AP_CREATE = 4,   /* an AP creation request was recorded (ap); resume */
    HV_VMGEXIT_RUN_VMPL = 5,    /* the guest asks to run vCPU at vmpl; resume there */
    HV_VMGEXIT_TERMINATE = 6,   /* stop the guest (term) */
    HV_VMGEXIT_DEBUG_EXIT = 7,  /* the debug-exit port was written (debug_exit_code) */
    HV_VMGEXIT_BAD_GHCB = 8,    /* no usable GHCB page: nothing could be answered */
    HV_VMGEXIT_UNSUPPORTED = 9, /* the guest reported a #VC it cannot handle */
};

struct hv_vmgexit_result {
    uint32_t kind;         /* enum hv_vmgexit_kind */
    bool msr_protocol;     /* an MSR-protocol request (exit_code = GHCBInfo) */
    uint64_t exit_code;    /* SW_EXITCODE of a page-protocol event */
    uint64_t info1, info2; /* SW_EXITINFO1/2 as answered (UNSUPPORTED: as supplied) */
    uint32_t ghcb_error;   /* GHCB_ERR_* returned to the guest, 0 = none */
    const char *why;       /* one line on a refusal or a failure, else NULL */
    struct {
        uint16_t port;
        uint8_t size;
        bool in;
        uint32_t count; /* string I/O: repetitions */
        uint32_t claim; /* enum hv_dev_claim of the last access */
    } io;
    struct {
        uint64_t gpa;
        uint32_t len;
        bool write;
        uint32_t claim;
    } mmio;
    struct {
        bool requested; /* by the guest; false: the hypervisor ends a guest that broke protocol */
        uint8_t reason_set, reason_code;
    } term;
    uint32_t debug_exit_code;
    uint8_t vmpl;        /* RUN_VMPL */
    uint32_t ap_apic_id; /* AP_CREATE: whose record changed */
};

/* Defaults for vm: version 2, features for SNP guests, SEV_FEATURES =
 * SNPActive for SNP guests, a 2 GHz TSC. */
void hv_vmgexit_config_default(const struct hv_vm *vm, struct hv_vmgexit_config *cfg);
/* dev may be NULL. cfg NULL: the defaults. */
swsev_rc hv_vmgexit_init(struct hv_vmgexit *hx, struct hv_vm *vm, struct hv_devices *dev,
                         const struct hv_vmgexit_config *cfg);
void hv_vmgexit_fini(struct hv_vmgexit *hx);

/* A vCPU as it comes out of RESET: the GHCB MSR holds the SEV information
 * (what KVM puts there), no GHCB registered. */
void hv_vmgexit_vcpu_init(struct hv_vmgexit *hx, struct hv_vmgexit_vcpu *v, uint32_t apic_id);

/* The certificate table for extended guest requests (KVM's
 * SNP_SET_EXT_CONFIG / the VMM's certificates): copied; len 0 removes it. */
swsev_rc hv_vmgexit_set_certs(struct hv_vmgexit *hx, const void *blob, size_t len);

/* Handle the VMGEXIT of v (its GHCB MSR value in v->ghcb_msr). */
void hv_vmgexit_handle(struct hv_vmgexit *hx, struct hv_vmgexit_vcpu *v,
                       struct hv_vmgexit_result *r);

/* Wake an AP parked in a reset hold (the INIT-SIPI the BSP sends): its
 * next resume sees a non-zero result. SWSEV_HV_ERR(SWSEV_E_INVAL) when it
 * is not parked or its GHCB cannot be written any more. */
swsev_rc hv_vmgexit_ap_wake(struct hv_vmgexit *hx, struct hv_vmgexit_vcpu *v);

/* Take the pending AP creation record of apic_id (false: none). */
bool hv_vmgexit_ap_take(struct hv_vmgexit *hx, uint32_t apic_id, struct hv_vmgexit_ap *out);

#endif
