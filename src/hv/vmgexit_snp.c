/* SPDX-License-Identifier: MIT */
/* The VMGEXIT handler's SNP events: page state changes (RMPUPDATE, PSMASH),
 * guest requests and extended requests with the VMM's certificates, AP
 * creation (see vmgexit.h, docs/ghcb.md). */
#include <stdlib.h>
#include <string.h>

#include "hv/snp_host.h"
#include "hv/vmgexit_priv.h"
#include "swsev/abi/snp_cmd.h"

/* Keep the VM layer's view (guest-request path, teardown) in step with
 * the RMP. Same indexing as vm_snp.c: RAM pages, then the ROM region. */
static void mark_private(struct hv_vm *vm, uint64_t gpa, bool priv)
{
    if (!vm->private_pages)
        return;
    if (gpa < vm->ram_size)
        vm->private_pages[gpa / PAGE_4K] = priv;
    else if (vm->rom_size && gpa >= vm->rom_gpa && gpa - vm->rom_gpa < vm->rom_size)
        vm->private_pages[(vm->ram_size + gpa - vm->rom_gpa) / PAGE_4K] = priv;
}

/* The raw RMP entry (lo qword), read from the table as Linux does before
 * RMPREAD exists: the architectural view has no VMSA bit. */
static bool rmp_raw_lo(struct memsys *ms, uint64_t spa, uint64_t *lo)
{
    uint64_t base, end;
    memsys_rmp_range(ms, &base, &end);
    if (!base)
        return false;
    uint64_t pa = base + RMP_BOOKKEEPING + (spa >> 12) * RMP_ENTRY_SIZE;
    return pa + 8 <= end + 1 && memsys_host_read(ms, pa, lo, sizeof(*lo)) == SWSEV_OK;
}
#define RMP_RAW_VMSA (1ull << 61)

/* One 4 KiB page to private or shared, as KVM's gmem paths do it: a page
 * turned private is Guest-Invalid (assigned, not immutable: the guest
 * must PVALIDATE it); one turned shared has the guest's cache lines
 * written back first. Returns 0 or a PSC error for SW_EXITINFO2. */
uint64_t hv_vmgexit_psc_page(struct hv_vmgexit *hx, uint64_t gpa, unsigned op, uint64_t ghcb_gpa)
{
    struct hv_vm *vm = hx->vm;
    struct memsys *ms = vm->kvm->ms;
    if (!hv_vmgexit_guest_range(vm, gpa, PAGE_4K))
        return GHCB_PSC_ERR_INVALID_ENTRY; /* not the guest's memory */
    uint64_t spa = hv_vm_spa(vm, gpa);
    struct rmp_state st;
    if (memsys_rmpread(ms, spa, &st) != RMP_SUCCESS)
        return GHCB_PSC_ERR_GENERIC;
    bool mine = st.assigned && st.asid == vm->asid && st.gpa == gpa;
    if (op == GHCB_PSC_OP_PRIVATE) {
        if (gpa == ghcb_gpa)
            return GHCB_PSC_ERR_INVALID_ENTRY; /* the page this request travels in */
        if (st.assigned)
            return mine ? 0 : GHCB_PSC_ERR_INVALID_ENTRY;
        memsys_clflush_range(ms, hv_psp_pa(vm->kvm->psp, spa), PAGE_4K);
        struct rmp_state ns = {gpa, 1, 0, 0, 0, vm->asid};
        if (memsys_rmpupdate(ms, spa, &ns) != RMP_SUCCESS)
            return GHCB_PSC_ERR_GENERIC;
        mark_private(vm, gpa, true);
        return 0;
    }
    if (!st.assigned) {
        mark_private(vm, gpa, false);
        return 0;
    }
    if (!mine)
        return GHCB_PSC_ERR_INVALID_ENTRY;
    memsys_vm_page_flush(ms, spa | vm->asid);
    if (hv_snp_make_shared(vm->kvm->psp, spa))
        return GHCB_PSC_ERR_GENERIC; /* e.g. a page the firmware made immutable */
    mark_private(vm, gpa, false);
    return 0;
}

static uint64_t psc_psmash(struct hv_vmgexit *hx, uint64_t gpa)
{
    struct hv_vm *vm = hx->vm;
    if (!hv_vmgexit_guest_range(vm, gpa, PAGE_2M))
        return GHCB_PSC_ERR_INVALID_ENTRY;
    uint64_t spa = hv_vm_spa(vm, gpa);
    struct rmp_state st;
    if (spa & (PAGE_2M - 1))
        return GHCB_PSC_ERR_INVALID_ENTRY; /* not backed by one 2 MiB host page */
    if (memsys_rmpread(vm->kvm->ms, spa, &st) != RMP_SUCCESS)
        return GHCB_PSC_ERR_GENERIC;
    if (!st.assigned || !(st.pagesize & 1))
        return 0; /* already 4 KiB entries */
    return memsys_psmash(vm->kvm->ms, spa) == RMP_SUCCESS ? 0 : GHCB_PSC_ERR_GENERIC;
}

void hv_vmgexit_ev_psc(struct hv_vmgexit_exit *x)
{
    if (!hv_vmgexit_scratch(x, sizeof(struct ghcb_psc_hdr), true))
        return;
    struct ghcb_psc_hdr h;
    memcpy(&h, x->sa, sizeof(h));
    uint64_t max = (x->sa_len - sizeof(h)) / 8;
    if (max > GHCB_PSC_MAX_ENTRIES)
        max = GHCB_PSC_MAX_ENTRIES;
    if (h.end_entry >= max || h.rsvd) {
        hv_vmgexit_answer(x, 0, GHCB_PSC_ERR_INVALID_HDR);
        x->r->why = "PSC header out of range";
        return;
    }
    uint64_t err = 0;
    unsigned idx;
    for (idx = h.cur_entry; idx <= h.end_entry && !err; idx++) {
        uint8_t *ep = x->sa + sizeof(h) + 8u * idx;
        uint64_t e;
        memcpy(&e, ep, 8);
        unsigned op = GHCB_PSC_OP(e), n = GHCB_PSC_2M(e) ? 512 : 1, cur = GHCB_PSC_CUR_PAGE(e);
        uint64_t gfn = GHCB_PSC_GFN(e);
        if ((e & GHCB_PSC_RSVD_MASK) || op < GHCB_PSC_OP_PRIVATE || op > GHCB_PSC_OP_UNSMASH ||
            cur > n || (gfn & (n - 1)) || (gfn + n) << 12 > hv_vmgexit_max_gpa(x->vm)) {
            err = GHCB_PSC_ERR_INVALID_ENTRY;
            break;
        }
        if (op == GHCB_PSC_OP_PSMASH && n == 512 && cur < n)
            err = psc_psmash(x->hx, gfn << 12);
        for (; !err && cur < n && op <= GHCB_PSC_OP_SHARED; cur++) {
            err = hv_vmgexit_psc_page(x->hx, (gfn + cur) << 12, op, x->gpa);
            if (err)
                break;
        }
        if (!err)
            cur = n; /* UNSMASH has nothing to do: our entries are 4 KiB */
        /* Progress goes back to the guest, so a retry resumes here. */
        e = (e & ~0xFFFull) | cur;
        memcpy(ep, &e, 8);
        if (err)
            break;
    }
    h.cur_entry = (uint16_t)idx;
    memcpy(x->sa, &h, sizeof(h));
    hv_vmgexit_answer(x, 0, err); /* "no action": the PSC result is in SW_EXITINFO2 */
    if (err)
        x->r->why = "page state change refused";
}

unsigned hv_vmgexit_nr_vmpls(const struct hv_vmgexit *hx)
{
    unsigned n = memsys_chip(hx->vm->kvm->ms)->nr_vmpls;
    return (hx->cfg.hv_features & GHCB_HV_FT_SNP_MULTI_VMPL) && n ? n : 1;
}

void hv_vmgexit_ev_ap_creation(struct hv_vmgexit_exit *x)
{
    struct hv_vmgexit *hx = x->hx;
    uint32_t request = (uint32_t)(x->info1 & ~GHCB_AP_VMPL_MASK);
    uint8_t vmpl = (uint8_t)((x->info1 & GHCB_AP_VMPL_MASK) >> GHCB_AP_VMPL_SHIFT);
    uint32_t apic = (uint32_t)(x->info1 >> 32);
    if (request > GHCB_AP_DESTROY || apic >= x->vm->nr_vcpus || vmpl >= hv_vmgexit_nr_vmpls(hx) ||
        !(hx->cfg.hv_features & GHCB_HV_FT_SNP_AP_CREATION)) {
        hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT, "AP creation: bad request, APIC ID or VMPL");
        return;
    }
    struct hv_vmgexit_ap rec = {true, request, vmpl, HV_VMGEXIT_NO_GPA, 0, 0};
    if (request != GHCB_AP_DESTROY) {
        if (!HV_VMGEXIT_NEED(x, GHCB_OFF_RAX))
            return;
        uint64_t vmsa = x->info2, lo = 0;
        struct rmp_state st;
        /* The VMSA must be a page the guest turned into a VMSA (RMPADJUST
         * with the VMSA bit) and not 2 MiB aligned (KVM: an SNP erratum
         * makes such a VMSA fault the host). */
        uint64_t spa = (vmsa & (PAGE_4K - 1)) || !(vmsa & (PAGE_2M - 1)) ||
                               !hv_vmgexit_guest_range(x->vm, vmsa, PAGE_4K)
                           ? 0
                           : hv_vm_spa(x->vm, vmsa);
        if (x->rax != hx->cfg.sev_features) {
            hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT,
                           "AP creation: SEV_FEATURES differ from the VM's");
            return;
        }
        if (!spa || memsys_rmpread(x->vm->kvm->ms, spa, &st) != RMP_SUCCESS || !st.assigned ||
            st.asid != x->vm->asid || st.gpa != vmsa || !rmp_raw_lo(x->vm->kvm->ms, spa, &lo) ||
            !(lo & RMP_RAW_VMSA)) {
            hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT, "AP creation: not a VMSA page of this guest");
            return;
        }
        rec.vmsa_gpa = vmsa;
        rec.vmsa_spa = spa;
        rec.sev_features = x->rax;
    }
    hx->ap[apic] = rec;
    x->r->kind = HV_VMGEXIT_AP_CREATE;
    x->r->ap_apic_id = apic;
}

/* Write the certificate table for an extended request, or say how many
 * pages it needs. Returns false when the request was answered. */
static bool ext_certs(struct hv_vmgexit_exit *x, uint64_t req_gpa)
{
    struct hv_vmgexit *hx = x->hx;
    uint8_t type = 0;
    if (hv_vm_read(x->vm, req_gpa + offsetof(struct snp_msg_hdr, msg_type), &type, 1))
        type = 0;
    if (type != SNP_MSG_REPORT_REQ)
        return true; /* certificates only come with reports */
    if (!HV_VMGEXIT_NEED(x, GHCB_OFF_RAX, GHCB_OFF_RBX))
        return false;
    uint64_t data = x->rax, npages = x->rbx;
    uint64_t need = (hx->certs_len + PAGE_4K - 1) / PAGE_4K;
    if (data & (PAGE_4K - 1)) {
        hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT, "certificate buffer not page aligned");
        return false;
    }
    if (npages < need) {
        x->rbx = need;
        hv_vmgexit_answer(x, 0, GHCB_SNP_ERR(GHCB_SNP_VMM_ERR_INVALID_LEN, 0));
        x->r->why = "certificate buffer too small";
        return false;
    }
    uint64_t len = hx->certs_len ? need * PAGE_4K : (npages ? GHCB_CERT_ENTRY_SIZE : 0);
    if (!len)
        return true;
    if (!hv_vmgexit_guest_range(x->vm, data, len) || !hv_vmgexit_range_shared(x->vm, data, len)) {
        hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT, "certificate buffer is not shared guest memory");
        return false;
    }
    uint8_t *buf = calloc(1, len);
    bool ok = buf != NULL;
    if (ok) {
        if (hx->certs_len)
            memcpy(buf, hx->certs, hx->certs_len);
        ok = hv_vm_write(x->vm, data, buf, len) == SWSEV_OK;
    }
    free(buf);
    if (!ok)
        hv_vmgexit_answer(x, 0, GHCB_SNP_ERR(GHCB_SNP_VMM_ERR_GENERIC, 0));
    return ok;
}

void hv_vmgexit_ev_guest_request(struct hv_vmgexit_exit *x, bool ext)
{
    uint64_t req = x->info1, resp = x->info2;
    if ((req | resp) & (PAGE_4K - 1) || req == resp ||
        !hv_vmgexit_guest_range(x->vm, req, PAGE_4K) ||
        !hv_vmgexit_guest_range(x->vm, resp, PAGE_4K) || hv_vmgexit_page_private(x->vm, req) ||
        hv_vmgexit_page_private(x->vm, resp)) {
        hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT,
                       "guest request pages are not two shared guest pages");
        return;
    }
    if (ext && !ext_certs(x, req))
        return;
    uint32_t fw = 0;
    int rc = hv_vm_snp_guest_request(x->vm, req, resp, &fw);
    if (rc && !fw) {
        hv_vmgexit_answer(x, 0, GHCB_SNP_ERR(GHCB_SNP_VMM_ERR_GENERIC, 0));
        x->r->why = "guest request failed in the hypervisor";
        return;
    }
    hv_vmgexit_answer(x, 0, GHCB_SNP_ERR(0, fw)); /* firmware errors go to the guest */
}
