/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's VMGEXIT handler (see vmgexit.h). The shape is KVM's
 * sev_handle_vmgexit: the MSR protocol answered in the MSR; for the page
 * protocol the GHCB is read through the host path into a private copy,
 * its valid bitmap taken and cleared, the usage, version and the inputs of
 * the event checked, the event handled, and the answer (SW_EXITINFO1/2 and
 * RAX..RDX, each marked valid) written back. The guest can change the page
 * while we work on it; working on the copy means we never act on a field
 * we did not check. The events live in vmgexit_nae.c and vmgexit_snp.c.
 */
#include <stdlib.h>
#include <string.h>

#include "hv/vmgexit_priv.h"

/* ---- checks shared by the events ---- */

/* Under SNP the RMP says which pages are private; the host cannot tell
 * for SEV-ES (a private page is just ciphertext to it). */
bool hv_vmgexit_page_private(const struct hv_vm *vm, uint64_t gpa)
{
    struct rmp_state st;
    uint64_t spa = hv_vm_spa(vm, gpa & ~(PAGE_4K - 1));
    if (!vm->snp || !spa)
        return false;
    return memsys_rmpread(vm->kvm->ms, spa, &st) == RMP_SUCCESS && st.assigned;
}

bool hv_vmgexit_range_shared(const struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
    for (uint64_t p = gpa & ~(PAGE_4K - 1); p < gpa + len; p += PAGE_4K)
        if (hv_vmgexit_page_private(vm, p))
            return false;
    return true;
}

/* All of the listed inputs must be marked valid. */
bool hv_vmgexit_need(struct hv_vmgexit_exit *x, const unsigned *offs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!hv_vmgexit_valid(x, offs[i])) {
            hv_vmgexit_bad(x, GHCB_ERR_MISSING_INPUT, "an input of the event is not marked valid");
            return false;
        }
    return true;
}

/* The scratch area of an event that moves len bytes. Version 2 wants it
 * inside the GHCB's shared buffer; version 1 may point anywhere in guest
 * memory (read into a buffer of at most 16 pages, as KVM does). */
bool hv_vmgexit_scratch(struct hv_vmgexit_exit *x, uint64_t len, bool sync)
{
    if (!HV_VMGEXIT_NEED(x, GHCB_OFF_SW_SCRATCH))
        return false;
    uint64_t beg = x->scratch, end = beg + len;
    const char *why = NULL;
    if (len == 0 || end < beg) {
        why = "scratch area wraps around";
    } else if ((beg & ~(PAGE_4K - 1)) == x->gpa) {
        uint64_t sb = x->gpa + GHCB_SHARED_BUF_OFF, se = sb + GHCB_SHARED_BUF_SIZE;
        if (beg < sb || end > se) {
            why = "scratch area is not inside the GHCB's shared buffer";
        } else {
            x->sa = (uint8_t *)&x->g + (beg - x->gpa);
            x->sa_len = se - beg;
            return true;
        }
    } else if (x->g.protocol_version >= 2) {
        why = "version 2 wants the scratch area inside the GHCB";
    } else if (len > HV_VMGEXIT_SCRATCH_MAX) {
        why = "scratch area larger than the hypervisor's limit";
    } else if (!hv_vmgexit_guest_range(x->vm, beg, len) ||
               !hv_vmgexit_range_shared(x->vm, beg, len)) {
        why = "scratch area is not shared guest memory";
    } else {
        x->sa = malloc(len);
        if (x->sa && hv_vm_read(x->vm, beg, x->sa, len) == SWSEV_OK) {
            x->sa_heap = true;
            x->sa_sync = sync;
            x->sa_len = len;
            x->sa_gpa = beg;
            return true;
        }
        free(x->sa);
        x->sa = NULL;
        why = "scratch area could not be read";
    }
    hv_vmgexit_bad(x, GHCB_ERR_INVALID_SCRATCH_AREA, why);
    return false;
}

/* ---- the page protocol ---- */

static bool snp_event(uint64_t code)
{
    return code == GHCB_NAE_PSC || code == GHCB_NAE_GUEST_REQUEST ||
           code == GHCB_NAE_EXT_GUEST_REQUEST || code == GHCB_NAE_AP_CREATION ||
           code == GHCB_NAE_RUN_VMPL;
}

static void dispatch(struct hv_vmgexit_exit *x)
{
    struct hv_vmgexit_result *r = x->r;
    struct hv_vmgexit_vcpu *v = x->v;
    if (snp_event(x->code) && !x->vm->snp) {
        hv_vmgexit_bad(x, GHCB_ERR_INVALID_EVENT, "SNP event from a guest that is not SNP");
        return;
    }
    switch (x->code) {
    case GHCB_NAE_DR7_READ:
        x->rax = v->dr7;
        break;
    case GHCB_NAE_DR7_WRITE:
        if (HV_VMGEXIT_NEED(x, GHCB_OFF_RAX))
            v->dr7 = x->rax;
        break;
    case GHCB_NAE_RDTSC:
    case GHCB_NAE_RDTSCP: {
        uint64_t t = hv_vmgexit_tsc(x->hx);
        x->rax = (uint32_t)t;
        x->rdx = t >> 32;
        if (x->code == GHCB_NAE_RDTSCP)
            x->rcx = (uint32_t)v->tsc_aux;
        break;
    }
    case GHCB_NAE_RDPMC:
        if (HV_VMGEXIT_NEED(x, GHCB_OFF_RCX))
            hv_vmgexit_inject(x, GHCB_VECTOR_GP, "no performance counters: #GP");
        break;
    case GHCB_NAE_CPUID:
        hv_vmgexit_ev_cpuid(x);
        break;
    case GHCB_NAE_INVD:
    case GHCB_NAE_WBINVD:
    case GHCB_NAE_NMI_COMPLETE:
        break;
    case GHCB_NAE_IOIO:
        hv_vmgexit_ev_ioio(x);
        break;
    case GHCB_NAE_MSR:
        hv_vmgexit_ev_msr(x);
        break;
    case GHCB_NAE_VMMCALL:
        hv_vmgexit_ev_vmmcall(x);
        break;
    case GHCB_NAE_MONITOR:
        if (HV_VMGEXIT_NEED(x, GHCB_OFF_RAX, GHCB_OFF_RCX, GHCB_OFF_RDX))
            hv_vmgexit_inject(x, GHCB_VECTOR_UD, "MONITOR is not exposed: #UD");
        break;
    case GHCB_NAE_MWAIT:
        if (HV_VMGEXIT_NEED(x, GHCB_OFF_RAX, GHCB_OFF_RCX))
            hv_vmgexit_inject(x, GHCB_VECTOR_UD, "MWAIT is not exposed: #UD");
        break;
    case GHCB_NAE_MMIO_READ:
    case GHCB_NAE_MMIO_WRITE:
        hv_vmgexit_ev_mmio(x, x->code == GHCB_NAE_MMIO_WRITE);
        break;
    case GHCB_NAE_AP_HLT_LOOP:
        v->hold = HV_HOLD_NAE;
        v->hold_gpa = x->gpa;
        r->kind = HV_VMGEXIT_HLT;
        break;
    case GHCB_NAE_AP_JUMP_TABLE:
        hv_vmgexit_ev_jump_table(x);
        break;
    case GHCB_NAE_HV_FEATURES:
        hv_vmgexit_answer(x, 0, x->hx->cfg.hv_features);
        break;
    case GHCB_NAE_TERM_REQUEST:
        r->kind = HV_VMGEXIT_TERMINATE;
        r->term.requested = true;
        r->term.reason_set = (uint8_t)(x->info1 & 0xF);
        r->term.reason_code = (uint8_t)(x->info1 >> 4);
        break;
    case GHCB_NAE_UNSUPPORTED:
        r->kind = HV_VMGEXIT_UNSUPPORTED;
        r->why = "the guest reported an event it cannot handle";
        break;
    case GHCB_NAE_PSC:
        hv_vmgexit_ev_psc(x);
        break;
    case GHCB_NAE_GUEST_REQUEST:
    case GHCB_NAE_EXT_GUEST_REQUEST:
        hv_vmgexit_ev_guest_request(x, x->code == GHCB_NAE_EXT_GUEST_REQUEST);
        break;
    case GHCB_NAE_AP_CREATION:
        hv_vmgexit_ev_ap_creation(x);
        break;
    case GHCB_NAE_RUN_VMPL:
        if (x->info1 >= hv_vmgexit_nr_vmpls(x->hx)) {
            hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT, "run VMPL: no such VMPL");
        } else {
            r->kind = HV_VMGEXIT_RUN_VMPL;
            r->vmpl = (uint8_t)x->info1;
        }
        break;
    default:
        hv_vmgexit_bad(x, GHCB_ERR_INVALID_EVENT, "unknown exit code");
    }
}

/* Our answer back into the page: SW_EXITINFO1/2 and RAX..RDX, each marked
 * valid (what KVM's sev_es_sync_to_ghcb and svm_vmgexit_* do). */
static void finish(struct hv_vmgexit_exit *x)
{
    struct hv_vmgexit_result *r = x->r;
    ghcb_set64(&x->g, GHCB_OFF_RAX, x->rax);
    ghcb_set64(&x->g, GHCB_OFF_RBX, x->rbx);
    ghcb_set64(&x->g, GHCB_OFF_RCX, x->rcx);
    ghcb_set64(&x->g, GHCB_OFF_RDX, x->rdx);
    ghcb_set64(&x->g, GHCB_OFF_SW_EXIT_INFO1, r->info1);
    ghcb_set64(&x->g, GHCB_OFF_SW_EXIT_INFO2, r->info2);
    if (x->sa_heap) {
        if (x->sa_sync && r->info1 == GHCB_RET_OK &&
            hv_vm_write(x->vm, x->sa_gpa, x->sa, x->sa_len) != SWSEV_OK)
            r->why = "scratch area could not be written back";
        free(x->sa);
    }
    if (hv_vm_write(x->vm, x->gpa, &x->g, sizeof(x->g)) != SWSEV_OK) {
        r->kind = HV_VMGEXIT_BAD_GHCB;
        r->why = "the GHCB page could not be written back";
    }
}

static void page_protocol(struct hv_vmgexit *hx, struct hv_vmgexit_vcpu *v,
                          struct hv_vmgexit_result *r)
{
    struct hv_vmgexit_exit *x = calloc(1, sizeof(*x));
    if (!x) {
        r->kind = HV_VMGEXIT_BAD_GHCB;
        r->why = "out of memory";
        return;
    }
    x->hx = hx;
    x->vm = hx->vm;
    x->v = v;
    x->r = r;
    x->gpa = v->ghcb_msr;
    /* Without a readable GHCB there is nowhere to answer: KVM resumes the
     * guest (unmappable GPA) or fails the run; the VMM decides. */
    if (x->gpa == 0 || !hv_vmgexit_guest_range(x->vm, x->gpa, PAGE_4K)) {
        r->kind = HV_VMGEXIT_BAD_GHCB;
        r->why = "GHCB GPA is not guest memory";
    } else if (hv_vmgexit_page_private(x->vm, x->gpa)) {
        r->kind = HV_VMGEXIT_BAD_GHCB;
        r->why = "GHCB is in private memory";
    } else if (hv_vm_read(x->vm, x->gpa, &x->g, sizeof(x->g)) != SWSEV_OK) {
        r->kind = HV_VMGEXIT_BAD_GHCB;
        r->why = "GHCB could not be read";
    }
    if (r->kind == HV_VMGEXIT_BAD_GHCB) {
        free(x);
        return;
    }
    struct ghcb *g = &x->g;
    memcpy(x->valid, g->save.valid_bitmap, sizeof(x->valid));
    ghcb_clear_valid(g);
    x->rax = hv_vmgexit_valid(x, GHCB_OFF_RAX) ? g->save.rax : 0;
    x->rbx = hv_vmgexit_valid(x, GHCB_OFF_RBX) ? g->save.rbx : 0;
    x->rcx = hv_vmgexit_valid(x, GHCB_OFF_RCX) ? g->save.rcx : 0;
    x->rdx = hv_vmgexit_valid(x, GHCB_OFF_RDX) ? g->save.rdx : 0;
    x->xcr0 = hv_vmgexit_valid(x, GHCB_OFF_XCR0) ? g->save.xcr0 : 1;
    x->cpl = hv_vmgexit_valid(x, GHCB_OFF_CPL) ? g->save.cpl : 0;
    x->code = g->save.sw_exit_code;
    x->info1 = g->save.sw_exit_info_1;
    x->info2 = g->save.sw_exit_info_2;
    x->scratch = hv_vmgexit_valid(x, GHCB_OFF_SW_SCRATCH) ? g->save.sw_scratch : 0;
    r->exit_code = x->code;
    if (x->vm->snp && v->registered_gpa != x->gpa)
        hv_vmgexit_bad(x, GHCB_ERR_NOT_REGISTERED, "GHCB GPA is not the registered one");
    else if (g->ghcb_usage != GHCB_DEFAULT_USAGE || g->protocol_version < GHCB_PROTOCOL_MIN ||
             g->protocol_version > hx->cfg.ghcb_version ||
             (x->vm->snp && g->protocol_version < GHCB_SNP_MIN_VERSION))
        /* What a private (encrypted) GHCB of an SEV-ES guest looks like. */
        hv_vmgexit_bad(x, GHCB_ERR_INVALID_USAGE, "GHCB usage or protocol version not supported");
    else if (HV_VMGEXIT_NEED(x, GHCB_OFF_SW_EXIT_CODE, GHCB_OFF_SW_EXIT_INFO1,
                             GHCB_OFF_SW_EXIT_INFO2))
        dispatch(x);
    if (r->kind == HV_VMGEXIT_UNSUPPORTED) {
        r->info1 = x->info1; /* the guest's report, for the VMM's log */
        r->info2 = x->info2;
        free(x);
        return;
    }
    finish(x);
    free(x);
}

/* ---- the MSR protocol ---- */

static void msr_protocol(struct hv_vmgexit *hx, struct hv_vmgexit_vcpu *v,
                         struct hv_vmgexit_result *r)
{
    struct hv_vm *vm = hx->vm;
    uint64_t m = v->ghcb_msr;
    unsigned info = (unsigned)GHCB_MSR_INFO(m);
    r->msr_protocol = true;
    r->exit_code = info;
    bool snp_only = info == GHCB_MSR_PREF_GPA_REQ || info == GHCB_MSR_REG_GPA_REQ ||
                    info == GHCB_MSR_PSC_REQ || info == GHCB_MSR_VMPL_REQ;
    if (snp_only && !vm->snp) {
        /* KVM ends a non-SNP guest that asks for SNP services. */
        r->kind = HV_VMGEXIT_TERMINATE;
        r->why = "SNP MSR-protocol request from a guest that is not SNP";
        return;
    }
    switch (info) {
    case GHCB_MSR_SEV_INFO_REQ:
        v->ghcb_msr = ghcb_msr_sev_info_resp(hx->cfg.ghcb_version, GHCB_PROTOCOL_MIN,
                                             memsys_chip(vm->kvm->ms)->cbit);
        break;
    case GHCB_MSR_CPUID_REQ: {
        uint32_t regs[4];
        hv_vmgexit_cpuid(hx, v, GHCB_MSR_CPUID_FN(m), 0, regs);
        v->ghcb_msr = (uint64_t)regs[GHCB_MSR_CPUID_REG(m)] << 32 | GHCB_MSR_CPUID_RESP;
        break;
    }
    case GHCB_MSR_AP_RESET_HOLD_REQ:
        v->hold = HV_HOLD_MSR;
        v->ghcb_msr = GHCB_MSR_AP_RESET_HOLD_RESP; /* result 0 until woken */
        r->kind = HV_VMGEXIT_HLT;
        break;
    case GHCB_MSR_PREF_GPA_REQ:
        v->ghcb_msr = ghcb_msr_gfn(GHCB_MSR_GFN_NONE, GHCB_MSR_PREF_GPA_RESP);
        break;
    case GHCB_MSR_REG_GPA_REQ: {
        uint64_t gfn = GHCB_MSR_GFN(m);
        if (gfn >= (1ull << 40) || !hv_vmgexit_guest_range(vm, gfn << 12, PAGE_4K)) {
            v->ghcb_msr = ghcb_msr_gfn(GHCB_MSR_GFN_NONE, GHCB_MSR_REG_GPA_RESP);
            r->why = "GHCB registration outside guest memory";
        } else {
            v->registered_gpa = gfn << 12;
            v->ghcb_msr = ghcb_msr_gfn(gfn, GHCB_MSR_REG_GPA_RESP);
        }
        break;
    }
    case GHCB_MSR_PSC_REQ: {
        unsigned op = GHCB_MSR_PSC_OP(m);
        uint64_t err =
            (m >> 56) || (op != GHCB_PSC_OP_PRIVATE && op != GHCB_PSC_OP_SHARED)
                ? GHCB_PSC_ERR_INVALID_ENTRY
                : hv_vmgexit_psc_page(hx, GHCB_MSR_PSC_GFN(m) << 12, op, HV_VMGEXIT_NO_GPA);
        v->ghcb_msr = GHCB_MSR_PSC_RESP | (err ? GHCB_MSR_PSC_ERROR : 0);
        if (err)
            r->why = "page state change refused";
        break;
    }
    case GHCB_MSR_VMPL_REQ: {
        uint8_t vmpl = GHCB_MSR_VMPL(m);
        if (vmpl >= hv_vmgexit_nr_vmpls(hx) || (m & 0xFFFFFF0000000000ull) || (m & 0xFFFFF000u)) {
            v->ghcb_msr = (1ull << 32) | GHCB_MSR_VMPL_RESP;
            r->why = "run VMPL: no such VMPL";
        } else {
            v->ghcb_msr = GHCB_MSR_VMPL_RESP;
            r->kind = HV_VMGEXIT_RUN_VMPL;
            r->vmpl = vmpl;
        }
        break;
    }
    case GHCB_MSR_HV_FT_REQ:
        v->ghcb_msr = ghcb_msr_gfn(hx->cfg.hv_features, GHCB_MSR_HV_FT_RESP);
        break;
    case GHCB_MSR_TERM_REQ:
        r->kind = HV_VMGEXIT_TERMINATE;
        r->term.requested = true;
        r->term.reason_set = GHCB_MSR_TERM_SET(m);
        r->term.reason_code = GHCB_MSR_TERM_CODE(m);
        break;
    default:
        /* Unknown request: the MSR keeps its value, the guest sees no
         * response code and knows (KVM does the same). */
        r->why = "unknown MSR-protocol request";
    }
}

/* ---- set-up ---- */

void hv_vmgexit_config_default(const struct hv_vm *vm, struct hv_vmgexit_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->ghcb_version = GHCB_PROTOCOL_MAX;
    /* Multiple VMPLs: the vCPU layer switches VMSAs on RUN_VMPL
     * (hv/vcpu_run.c). */
    cfg->hv_features =
        vm->snp ? GHCB_HV_FT_SNP | GHCB_HV_FT_SNP_AP_CREATION | GHCB_HV_FT_SNP_MULTI_VMPL : 0;
    cfg->sev_features = vm->snp ? 1 : 0; /* SNPActive */
    cfg->tsc_hz = 2000000000ull;
}

swsev_rc hv_vmgexit_init(struct hv_vmgexit *hx, struct hv_vm *vm, struct hv_devices *dev,
                         const struct hv_vmgexit_config *cfg)
{
    memset(hx, 0, sizeof(*hx));
    if (cfg) {
        if (cfg->ghcb_version < GHCB_PROTOCOL_MIN || cfg->ghcb_version > GHCB_PROTOCOL_MAX ||
            (vm->snp && cfg->ghcb_version < GHCB_SNP_MIN_VERSION) ||
            (!cfg->tsc && (cfg->tsc_hz == 0 || cfg->tsc_hz > 10000000000ull)))
            return SWSEV_HV_ERR(SWSEV_E_INVAL);
        hx->cfg = *cfg;
    } else {
        hv_vmgexit_config_default(vm, &hx->cfg);
    }
    hx->ap = calloc(vm->nr_vcpus, sizeof(*hx->ap));
    if (!hx->ap)
        return SWSEV_HV_ERR(SWSEV_E_NOMEM);
    hx->vm = vm;
    hx->dev = dev;
    pthread_mutex_init(&hx->lock, NULL);
    return SWSEV_OK;
}

void hv_vmgexit_fini(struct hv_vmgexit *hx)
{
    if (!hx->ap)
        return;
    pthread_mutex_destroy(&hx->lock);
    free(hx->ap);
    free(hx->certs);
    memset(hx, 0, sizeof(*hx));
}

void hv_vmgexit_vcpu_init(struct hv_vmgexit *hx, struct hv_vmgexit_vcpu *v, uint32_t apic_id)
{
    memset(v, 0, sizeof(*v));
    v->apic_id = apic_id;
    v->ghcb_msr = ghcb_msr_sev_info_resp(hx->cfg.ghcb_version, GHCB_PROTOCOL_MIN,
                                         memsys_chip(hx->vm->kvm->ms)->cbit);
    v->registered_gpa = HV_VMGEXIT_NO_GPA;
    v->apic_base = 0xFEE00000ull | 0x800 | (apic_id == 0 ? 0x100 : 0); /* EN, BSP */
    v->pat = 0x0007040600070406ull;                                    /* the reset PAT */
    v->misc_enable = 1;                                                /* fast strings */
    v->dr7 = 0x400;
}

swsev_rc hv_vmgexit_set_certs(struct hv_vmgexit *hx, const void *blob, size_t len)
{
    if (len > HV_VMGEXIT_CERTS_MAX || (len && !blob))
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    uint8_t *copy = NULL;
    if (len) {
        copy = malloc(len);
        if (!copy)
            return SWSEV_HV_ERR(SWSEV_E_NOMEM);
        memcpy(copy, blob, len);
    }
    pthread_mutex_lock(&hx->lock);
    free(hx->certs);
    hx->certs = copy;
    hx->certs_len = len;
    pthread_mutex_unlock(&hx->lock);
    return SWSEV_OK;
}

void hv_vmgexit_handle(struct hv_vmgexit *hx, struct hv_vmgexit_vcpu *v,
                       struct hv_vmgexit_result *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_lock(&hx->lock);
    v->hold = HV_HOLD_NONE; /* a new exit ends any earlier hold */
    if (GHCB_MSR_INFO(v->ghcb_msr))
        msr_protocol(hx, v, r);
    else
        page_protocol(hx, v, r);
    pthread_mutex_unlock(&hx->lock);
}

swsev_rc hv_vmgexit_ap_wake(struct hv_vmgexit *hx, struct hv_vmgexit_vcpu *v)
{
    swsev_rc rc = SWSEV_HV_ERR(SWSEV_E_INVAL);
    pthread_mutex_lock(&hx->lock);
    if (v->hold == HV_HOLD_MSR) {
        v->ghcb_msr = ghcb_msr_gfn(1, GHCB_MSR_AP_RESET_HOLD_RESP);
        rc = SWSEV_OK;
    } else if (v->hold == HV_HOLD_NAE && hv_vmgexit_guest_range(hx->vm, v->hold_gpa, PAGE_4K) &&
               !hv_vmgexit_page_private(hx->vm, v->hold_gpa)) {
        /* SW_EXITINFO2 non-zero: the AP was woken (KVM on the SIPI). */
        struct ghcb *g = malloc(sizeof(*g));
        if (g && hv_vm_read(hx->vm, v->hold_gpa, g, sizeof(*g)) == SWSEV_OK) {
            ghcb_set64(g, GHCB_OFF_SW_EXIT_INFO1, 0);
            ghcb_set64(g, GHCB_OFF_SW_EXIT_INFO2, 1);
            if (hv_vm_write(hx->vm, v->hold_gpa, g, sizeof(*g)) == SWSEV_OK)
                rc = SWSEV_OK;
        }
        free(g);
    }
    if (rc == SWSEV_OK)
        v->hold = HV_HOLD_NONE;
    pthread_mutex_unlock(&hx->lock);
    return rc;
}

bool hv_vmgexit_ap_take(struct hv_vmgexit *hx, uint32_t apic_id, struct hv_vmgexit_ap *out)
{
    bool got = false;
    pthread_mutex_lock(&hx->lock);
    if (apic_id < hx->vm->nr_vcpus && hx->ap[apic_id].pending) {
        *out = hx->ap[apic_id];
        hx->ap[apic_id].pending = false;
        got = true;
    }
    pthread_mutex_unlock(&hx->lock);
    return got;
}
