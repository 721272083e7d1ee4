/* SPDX-License-Identifier: MIT */
/* A modelled guest on a whole simulated host (see mrun.h). */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/mrun.h"
#include "backend/ximage.h"
#include "common/snp_pageinfo.h"
#include "hv/sev_dev.h"
#include "swsev/abi/vmcb.h"
#include "swsev/abi/vmsa.h"
#include "swsev/fw_status.h"

static int sev_op(struct hv_vm *vm, uint32_t cmd, void *data, uint32_t *fw)
{
    return hv_vm_sev_op(vm, cmd, (uint64_t)(uintptr_t)data, fw, &hv_uaccess_self);
}

/* vCPU i's launch VMSA: the image's entry state for an x86-64 image's
 * BSP; otherwise real mode, paging off, as a vCPU leaves RESET (an AP
 * waiting for INIT-SIPI or AP creation). QEMU launches one per vCPU. */
static void launch_vmsa(const struct mrun *r, uint32_t i, uint8_t page[4096], uint64_t features)
{
    if (r->img && i == 0)
        ximage_initial_vmsa(r->img, page, features);
    else
        vmsa_reset_state(page, VMSA_VMM_QEMU, i == 0, 0, 0x00A00F11, features);
}

/* An x86-64 image: its page tables and every page its segments cover, in
 * address order, through update(gpa, bytes, len). */
static int image_pages(struct mrun *r, uint64_t enc,
                       int (*update)(struct mrun *r, uint64_t gpa, const void *p, uint32_t *fw),
                       uint32_t *fw)
{
    uint8_t pt[XIMAGE_PT_PAGES][4096];
    ximage_page_tables(pt, enc);
    int e = 0;
    for (unsigned i = 0; i < XIMAGE_PT_PAGES && !e; i++)
        e = update(r, XIMAGE_PT_GPA + 4096ull * i, pt[i], fw);
    const struct ximage *img = r->img;
    for (uint64_t a = img->lo; a < img->hi && !e; a += 4096)
        if (img->present[(a - img->lo) / 4096])
            e = update(r, a, img->bytes + (a - img->lo), fw);
    return e;
}

static int snp_page(struct mrun *r, uint64_t gpa, const void *p, uint32_t *fw)
{
    return hv_vm_snp_update(r->vm, gpa, p, 4096, SNP_PAGE_TYPE_NORMAL, fw);
}

static int sev_page(struct mrun *r, uint64_t gpa, const void *p, uint32_t *fw)
{
    if (hv_vm_write(r->vm, gpa, p, 4096))
        return -EFAULT;
    if (r->mode == MRUN_NONE)
        return 0;
    struct kvm_sev_launch_update_data up = {gpa, 4096};
    return sev_op(r->vm, KVM_SEV_LAUNCH_UPDATE_DATA, &up, fw);
}

/* SNP: code, secrets and CPUID pages, the VMSA; SNP_LAUNCH_FINISH. */
static int launch_snp(struct mrun *r, uint32_t *fw)
{
    struct hv_vm *vm = r->vm;
    uint8_t page[4096], cpuid[4096];
    memset(page, 0x90, sizeof(page)); /* the "code" the program stands for */
    hv_snp_cpuid_table(r->kvm.ms, cpuid);
    int e = hv_vm_snp_start(vm, 0x30000, fw);
    if (!e)
        e = r->img ? image_pages(r, memsys_cbit_mask(r->kvm.ms), snp_page, fw)
                   : hv_vm_snp_update(vm, 0, page, 4096, SNP_PAGE_TYPE_NORMAL, fw);
    if (!e)
        e = hv_vm_snp_update(vm, MRUN_SECRETS_GPA, NULL, 4096, SNP_PAGE_TYPE_SECRETS, fw);
    if (!e)
        e = hv_vm_snp_update(vm, MRUN_CPUID_GPA, cpuid, 4096, SNP_PAGE_TYPE_CPUID, fw);
    for (uint32_t i = 0; i < vm->nr_vcpus && !e; i++) {
        launch_vmsa(r, i, page, 1); /* SNPActive */
        e = hv_vm_snp_update_vmsa(vm, i, page, fw);
    }
    uint8_t hd[32] = {0};
    if (!e)
        e = hv_vm_snp_finish(vm, NULL, NULL, 0, hd, fw);
    return e;
}

/* SEV and SEV-ES: the legacy KVM flow (policy bit 2 for SEV-ES). */
static int launch_sev(struct mrun *r, bool es, uint32_t *fw)
{
    struct hv_vm *vm = r->vm;
    uint8_t page[4096];
    memset(page, 0x90, sizeof(page));
    int e = sev_op(vm, es ? KVM_SEV_ES_INIT : KVM_SEV_INIT, NULL, fw);
    struct kvm_sev_launch_start ls;
    memset(&ls, 0, sizeof(ls));
    ls.policy = es ? 0x4 : 0x0;
    if (!e)
        e = sev_op(vm, KVM_SEV_LAUNCH_START, &ls, fw);
    if (!e)
        e = r->img ? image_pages(r, memsys_cbit_mask(r->kvm.ms), sev_page, fw)
                   : sev_page(r, 0, page, fw);
    for (uint32_t i = 0; es && i < vm->nr_vcpus && !e; i++) {
        launch_vmsa(r, i, page, 0);
        if (memsys_host_write(r->kvm.ms, hv_psp_pa(r->kvm.psp, vm->vmsa_spa + 4096ull * i), page,
                              4096))
            e = -EFAULT;
    }
    if (!e && es)
        e = sev_op(vm, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, fw); /* every vCPU's */
    struct kvm_sev_launch_measure me;
    uint8_t m[48];
    memset(&me, 0, sizeof(me));
    me.uaddr = (uint64_t)(uintptr_t)m;
    me.len = sizeof(m);
    if (!e)
        e = sev_op(vm, KVM_SEV_LAUNCH_MEASURE, &me, fw);
    if (!e)
        e = sev_op(vm, KVM_SEV_LAUNCH_FINISH, NULL, fw);
    return e;
}

/* The hypervisor's side of every VMEXIT of the modelled guest. */
static int vmm_exit(void *vmm, struct mguest *g)
{
    struct mrun *r = vmm;
    (void)g;
    if (hv_vcpu_handle_exit(r->vcpu, r->hx_up ? &r->hx : NULL, &r->dev, &r->exit) == 0)
        return 0;
    r->exited = true;
    return 1;
}

static swsev_rc start(struct mrun *r, const struct mrun_config *c, char *err, size_t errlen)
{
    const char *chip = c->chip ? c->chip : "milan";
    enum mrun_mode mode = c->mode;
    const struct ximage *img = c->img;
    unsigned vcpus = c->vcpus ? c->vcpus : 1;
    if (vcpus > MRUN_MAX_VCPUS) {
        memset(r, 0, sizeof(*r));
        snprintf(err, errlen, "at most %u vCPUs", MRUN_MAX_VCPUS);
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    }
    memset(r, 0, sizeof(*r));
    r->mode = mode;
    r->img = img;
    struct machine_config mc;
    struct fw_identity id;
    memset(&id, 0, sizeof(id));
    memcpy(id.chip_secret, "swsev vm run", 12);
    if (machine_config_default(&mc, chip)) {
        snprintf(err, errlen, "unknown chip '%s'", chip);
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    }
    if (mode == MRUN_SNP && !mc.snp) {
        snprintf(err, errlen, "chip %s has no SEV-SNP", chip);
        return SWSEV_TOOL_ERR(SWSEV_E_UNSUPPORTED);
    }
    mc.chip.dram_size = 512ull << 20;
    mc.seed = c->seed;
    mc.seed_len = c->seed_len;
    swsev_rc rc = machine_create(&r->m, &mc, &id, NULL, 0, NULL);
    if (!rc)
        rc = hv_kvm_init(&r->kvm, machine_sev_dev(r->m));
    r->kvm_up = rc == SWSEV_OK;
    if (!rc)
        rc = hv_vm_create_ex(&r->kvm, MRUN_RAM, vcpus, mode == MRUN_SNP, &r->vm);
    if (!rc)
        rc = hv_dev_init(&r->dev, MRUN_MMIO_GPA, 4096);
    r->dev_up = rc == SWSEV_OK;
    if (rc) {
        snprintf(err, errlen, "the simulated host did not start: %s", swsev_strerror(rc));
        return rc;
    }
    hv_dev_set_serial_out(&r->dev, c->serial, c->serial_ctx);
    uint32_t fw = 0;
    int e = mode == MRUN_SNP    ? launch_snp(r, &fw)
            : mode == MRUN_NONE ? image_pages(r, 0, sev_page, &fw)
                                : launch_sev(r, mode == MRUN_SEV_ES, &fw);
    if (e) {
        snprintf(err, errlen, "launch failed: %s (firmware status 0x%x %s)", strerror(-e), fw,
                 swsev_fw_status_name(fw));
        return SWSEV_FW_ERR(fw);
    }
    if (mode == MRUN_SEV_ES || mode == MRUN_SNP) {
        rc = hv_vmgexit_init(&r->hx, r->vm, &r->dev, NULL);
        r->hx_up = rc == SWSEV_OK;
    }
    if (!rc)
        rc = hv_vcpu_create(r->vm, r->hx_up ? &r->hx : NULL, 0, &r->vcpu);
    if (!rc && hv_vcpu_vmrun(r->vcpu, &r->exit))
        rc = SWSEV_HW_ERR(SWSEV_HW_FAULT);
    if (!rc && (mode == MRUN_SEV || mode == MRUN_NONE)) {
        /* Without SEV-ES the VMM sets the registers: paging off for a
         * modelled guest, the image's long-mode state for an x86 one. */
        struct vcpu_regs regs;
        struct vcpu_sregs s;
        memset(&regs, 0, sizeof(regs));
        memset(&s, 0, sizeof(s));
        s.cr0 = 0x10;
        if (img)
            ximage_initial_state(img, &regs, &s);
        rc = hv_vcpu_set_state(r->vcpu, &regs, &s);
    }
    if (rc) {
        snprintf(err, errlen, "the vCPU did not start: %s", swsev_strerror(rc));
        return rc;
    }
    if (img)
        return SWSEV_OK; /* the image boots itself */
    mguest_init(&r->g, r->kvm.ms, r->vcpu->hw, r->vcpu->vmcb_spa, vmm_exit, r);
    if (mode != MRUN_SEV) {
        rc = mkernel_boot(&r->k, &r->g, MRUN_GHCB_GPA);
        if (rc) {
            snprintf(err, errlen, "the guest kernel could not set up its GHCB: %s",
                     swsev_strerror(rc));
            return rc;
        }
    } else {
        r->k.g = &r->g;
        r->k.cbit = memsys_cbit_mask(r->kvm.ms);
    }
    return SWSEV_OK;
}

swsev_rc mrun_start(struct mrun *r, const char *chip, enum mrun_mode mode, const void *seed,
                    size_t seed_len, void (*serial)(void *ctx, uint8_t byte), void *ctx, char *err,
                    size_t errlen)
{
    struct mrun_config c = {chip, mode, seed, seed_len, 1, NULL, serial, ctx};
    return mrun_start_cfg(r, &c, err, errlen);
}

swsev_rc mrun_start_cfg(struct mrun *r, const struct mrun_config *c, char *err, size_t errlen)
{
    if (c->mode == MRUN_NONE && !c->img) {
        memset(r, 0, sizeof(*r));
        snprintf(err, errlen, "modelled guests run under SEV, SEV-ES or SEV-SNP");
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    }
    return start(r, c, err, errlen);
}

int mrun_exit_status(const struct mrun *r)
{
    if (r->exit.reason == VCPU_EXIT_SYSTEM_EVENT &&
        r->exit.system_event.type == VCPU_SYSTEM_EVENT_DEBUG_EXIT)
        return (int)(r->exit.system_event.reason_code & 0x7f);
    if (r->exit.reason == VCPU_EXIT_SYSTEM_EVENT)
        return 128 + (int)(r->exit.system_event.reason_code & 0x7f);
    if (r->exit.reason == VCPU_EXIT_HLT)
        return 0;
    return 255;
}

int mrun_program_run(struct mrun *r, mrun_program program)
{
    int rc = program(r, &r->k);
    if (!r->exited)
        return rc ? 255 : 0;
    return mrun_exit_status(r);
}

/* The hypervisor's side of the AP's exits. */
static int vmm_exit_ap(void *vmm, struct mguest *g)
{
    struct mrun *r = vmm;
    (void)g;
    struct vcpu_exit ex;
    return hv_vcpu_handle_exit(r->ap_vcpu, &r->hx, &r->dev, &ex) == 0 ? 0 : 1;
}

int mrun_run_ap(struct mrun *r, uint32_t apic_id, mrun_program program)
{
    struct hv_vmgexit_ap ap;
    if (r->mode != MRUN_SNP || r->ap_vcpu || !r->hx_up ||
        !hv_vmgexit_ap_take(&r->hx, apic_id, &ap) || ap.request == GHCB_AP_DESTROY)
        return -1;
    struct vcpu_exit ex;
    if (hv_vcpu_create(r->vm, &r->hx, apic_id, &r->ap_vcpu))
        return -1;
    hv_vcpu_set_vmsa(r->ap_vcpu, ap.vmsa_spa);
    if (hv_vcpu_vmrun(r->ap_vcpu, &ex))
        return -1;
    mguest_init(&r->ap_g, r->kvm.ms, r->ap_vcpu->hw, r->ap_vcpu->vmcb_spa, vmm_exit_ap, r);
    if (mkernel_boot(&r->ap_k, &r->ap_g, MRUN_AP_GHCB_GPA))
        return -1;
    return program(r, &r->ap_k);
}

void mrun_free(struct mrun *r)
{
    hv_vcpu_destroy(r->ap_vcpu);
    hv_vcpu_destroy(r->vcpu);
    if (r->hx_up)
        hv_vmgexit_fini(&r->hx);
    if (r->vm)
        hv_vm_destroy(r->vm);
    if (r->dev_up)
        hv_dev_fini(&r->dev);
    if (r->kvm_up)
        hv_kvm_fini(&r->kvm);
    machine_destroy(r->m);
    memset(r, 0, sizeof(*r));
}
