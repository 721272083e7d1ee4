/* SPDX-License-Identifier: MIT */
/*
 * SEV-SNP guests, the way KVM drives them (arch/x86/kvm/svm/sev.c): a guest
 * context in a firmware page, LAUNCH_START, an ASID and SNP_ACTIVATE, each
 * launch page made Pre-Guest by RMPUPDATE and handed to SNP_LAUNCH_UPDATE,
 * LAUNCH_FINISH; guest requests through a bounce page and a firmware
 * response page; at the end DECOMMISSION and every page back to the host.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/snp_pageinfo.h"
#include "hv/snp_host.h"
#include "hv/vm_priv.h"
#include "swsev/abi/snp_cmd.h"

#define PAGE_4K 0x1000ull

/* Index of a guest page in private_pages: RAM first, then the ROM region. */
static bool page_index(const struct hv_vm *vm, uint64_t gpa, uint64_t *idx)
{
    if (gpa < vm->ram_size) {
        *idx = gpa / PAGE_4K;
        return true;
    }
    if (vm->rom_size && gpa >= vm->rom_gpa && gpa - vm->rom_gpa < vm->rom_size) {
        *idx = vm->ram_size / PAGE_4K + (gpa - vm->rom_gpa) / PAGE_4K;
        return true;
    }
    return false;
}

static uint64_t nr_pages(const struct hv_vm *vm)
{
    return (vm->ram_size + vm->rom_size) / PAGE_4K;
}

static int issue(struct hv_vm *vm, uint32_t cmd, void *buf, size_t len, uint32_t *fw_error)
{
    return hv_psp_do_cmd(vm->kvm->psp, cmd, buf, len, fw_error);
}

int hv_vm_snp_start(struct hv_vm *vm, uint64_t policy, uint32_t *fw_error)
{
    *fw_error = 0;
    if (vm->sev_active || vm->snp || !memsys_snp_enabled(vm->kvm->ms))
        return -EINVAL;
    vm->private_pages = calloc(nr_pages(vm), sizeof(bool));
    if (!vm->private_pages)
        return -ENOMEM;
    vm->snp = true;
    if (hv_snp_fw_page_alloc(vm->kvm->psp, &vm->gctx_spa)) {
        vm->gctx_spa = 0;
        return -ENOMEM;
    }
    struct snp_fw_addr a = {vm->gctx_spa};
    int rc = issue(vm, SNP_CMD_GCTX_CREATE, &a, sizeof(a), fw_error);
    if (rc)
        return rc;
    struct snp_fw_launch_start ls;
    memset(&ls, 0, sizeof(ls));
    ls.gctx_paddr = vm->gctx_spa;
    ls.policy = policy;
    rc = issue(vm, SNP_CMD_LAUNCH_START, &ls, sizeof(ls), fw_error);
    if (rc)
        return rc;
    uint32_t asid;
    rc = hv_kvm_asid_new(vm->kvm, true, &asid);
    if (rc)
        return rc;
    vm->asid = asid;
    vm->sev_active = vm->es = true;
    vm->policy = policy;
    struct snp_fw_activate act = {vm->gctx_spa, asid};
    return issue(vm, SNP_CMD_ACTIVATE, &act, sizeof(act), fw_error);
}

static int update_page(struct hv_vm *vm, uint64_t spa, uint64_t gpa, uint8_t type,
                       uint32_t *fw_error)
{
    struct hv_psp *psp = vm->kvm->psp;
    /* The host's lines of the page go to DRAM before it changes owner. */
    memsys_clflush_range(vm->kvm->ms, hv_psp_pa(psp, spa), PAGE_4K);
    if (hv_snp_make_private(psp, spa, gpa, vm->asid))
        return -EFAULT;
    struct snp_fw_launch_update u;
    memset(&u, 0, sizeof(u));
    u.gctx_paddr = vm->gctx_spa;
    u.flags = (uint32_t)type << 1;
    u.page_paddr = hv_psp_pa(psp, spa);
    int rc = issue(vm, SNP_CMD_LAUNCH_UPDATE, &u, sizeof(u), fw_error);
    if (rc)
        (void)hv_snp_make_shared(psp, spa); /* KVM gives a failed page back */
    return rc;
}

int hv_vm_snp_update(struct hv_vm *vm, uint64_t gpa, const void *data, uint64_t len,
                     uint8_t page_type, uint32_t *fw_error)
{
    *fw_error = 0;
    if (!vm->snp || (gpa | len) & (PAGE_4K - 1) || len == 0 || gpa + len < gpa ||
        !snp_page_type_valid(page_type))
        return -EINVAL;
    uint64_t idx;
    for (uint64_t off = 0; off < len; off += PAGE_4K)
        if (!page_index(vm, gpa + off, &idx) || vm->private_pages[idx])
            return -EINVAL; /* not guest memory, or already private */
    if (data && hv_vm_write(vm, gpa, data, len))
        return -EFAULT;
    for (uint64_t off = 0; off < len; off += PAGE_4K) {
        int rc = update_page(vm, hv_vm_spa(vm, gpa + off), gpa + off, page_type, fw_error);
        if (rc)
            return rc;
        page_index(vm, gpa + off, &idx);
        vm->private_pages[idx] = true;
    }
    return 0;
}

int hv_vm_snp_update_vmsa(struct hv_vm *vm, uint32_t vcpu, const void *vmsa, uint32_t *fw_error)
{
    *fw_error = 0;
    if (!vm->snp || vcpu >= vm->nr_vcpus)
        return -EINVAL;
    uint64_t spa = vm->vmsa_spa + vcpu * PAGE_4K;
    if (memsys_host_write(vm->kvm->ms, hv_psp_pa(vm->kvm->psp, spa), vmsa, PAGE_4K))
        return -EFAULT;
    return update_page(vm, spa, SNP_VMSA_GPA, SNP_PAGE_TYPE_VMSA, fw_error);
}

int hv_vm_snp_finish(struct hv_vm *vm, const void *id_block, const void *id_auth, uint64_t flags,
                     const uint8_t host_data[32], uint32_t *fw_error)
{
    *fw_error = 0;
    if (!vm->snp)
        return -EINVAL;
    struct hv_psp *psp = vm->kvm->psp;
    struct snp_fw_launch_finish f;
    memset(&f, 0, sizeof(f));
    f.gctx_paddr = vm->gctx_spa;
    f.flags = flags;
    if (host_data)
        memcpy(f.host_data, host_data, 32);
    struct hv_psp_buf blk = {0}, auth = {0};
    int rc = 0;
    if (id_block) {
        if (hv_psp_buf_alloc(psp, sizeof(struct snp_id_block), &blk) ||
            hv_psp_buf_alloc(psp, sizeof(struct snp_id_auth), &auth) ||
            hv_psp_buf_write(psp, &blk, id_block, sizeof(struct snp_id_block)) ||
            hv_psp_buf_write(psp, &auth, id_auth, sizeof(struct snp_id_auth)))
            rc = -ENOMEM;
        f.id_block_paddr = hv_psp_buf_pa(psp, &blk);
        f.id_auth_paddr = hv_psp_buf_pa(psp, &auth);
    }
    if (!rc)
        rc = issue(vm, SNP_CMD_LAUNCH_FINISH, &f, sizeof(f), fw_error);
    hv_psp_buf_free(psp, &blk);
    hv_psp_buf_free(psp, &auth);
    return rc;
}

int hv_vm_snp_guest_request(struct hv_vm *vm, uint64_t req_gpa, uint64_t resp_gpa,
                            uint32_t *fw_error)
{
    *fw_error = 0;
    uint64_t qi, pi;
    if (!vm->snp || (req_gpa | resp_gpa) & (PAGE_4K - 1) || !page_index(vm, req_gpa, &qi) ||
        !page_index(vm, resp_gpa, &pi) || vm->private_pages[qi] || vm->private_pages[pi])
        return -EINVAL; /* the guest's message pages must be shared */
    struct hv_psp *psp = vm->kvm->psp;
    uint8_t page[PAGE_4K];
    uint64_t req_spa, resp_spa;
    if (hv_vm_read(vm, req_gpa, page, sizeof(page)))
        return -EFAULT;
    if (hv_hostmem_alloc(psp->hm, 1, 1, &req_spa))
        return -ENOMEM;
    int rc = -EFAULT;
    if (!memsys_host_write(psp->ms, hv_psp_pa(psp, req_spa), page, sizeof(page)) &&
        !hv_snp_fw_page_alloc(psp, &resp_spa)) {
        struct snp_fw_guest_request g = {vm->gctx_spa, hv_psp_pa(psp, req_spa),
                                         hv_psp_pa(psp, resp_spa)};
        rc = issue(vm, SNP_CMD_GUEST_REQUEST, &g, sizeof(g), fw_error);
        if (hv_snp_page_reclaim(psp, resp_spa)) {
            rc = rc ? rc : -EIO; /* leaked: it cannot be given back */
        } else {
            if (!rc && (memsys_host_read(psp->ms, hv_psp_pa(psp, resp_spa), page, sizeof(page)) ||
                        hv_vm_write(vm, resp_gpa, page, sizeof(page))))
                rc = -EFAULT;
            hv_hostmem_free(psp->hm, resp_spa, 1);
        }
    }
    hv_hostmem_free(psp->hm, req_spa, 1);
    return rc;
}

void hv_vm_snp_teardown(struct hv_vm *vm)
{
    struct hv_psp *psp = vm->kvm->psp;
    uint32_t err;
    if (vm->gctx_spa) {
        struct snp_fw_addr a = {vm->gctx_spa};
        issue(vm, SNP_CMD_DECOMMISSION, &a, sizeof(a), &err);
        hv_snp_fw_page_free(psp, vm->gctx_spa);
        vm->gctx_spa = 0;
    }
    /* Guest-Valid pages are no longer immutable: the host takes them back
     * with RMPUPDATE (KVM's sev_gmem_invalidate). */
    for (uint64_t i = 0; vm->private_pages && i < nr_pages(vm); i++) {
        if (!vm->private_pages[i])
            continue;
        uint64_t ram_pages = vm->ram_size / PAGE_4K;
        uint64_t spa =
            i < ram_pages ? vm->ram_spa + i * PAGE_4K : vm->rom_spa + (i - ram_pages) * PAGE_4K;
        (void)hv_snp_make_shared(psp, spa);
    }
    for (uint32_t v = 0; v < vm->nr_vcpus; v++) {
        struct rmp_state st;
        if (memsys_rmpread(psp->ms, vm->vmsa_spa + v * PAGE_4K, &st) == RMP_SUCCESS && st.assigned)
            (void)hv_snp_make_shared(psp, vm->vmsa_spa + v * PAGE_4K);
    }
    free(vm->private_pages);
    vm->private_pages = NULL;
    vm->snp = false;
}

void hv_snp_cpuid_table(const struct memsys *ms, uint8_t page[4096])
{
    static const uint32_t leaves[] = {0x1, 0x80000000, 0x80000001, 0x80000008, 0x8000001F};
    const struct chip_config *cfg = memsys_chip(ms);
    memset(page, 0, 4096);
    uint32_t count = sizeof(leaves) / sizeof(leaves[0]);
    memcpy(page, &count, 4);
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *e = page + 0x10 + 0x30 * i;
        uint32_t regs[4];
        chip_cpuid(cfg, leaves[i], 0, regs);
        memcpy(e, &leaves[i], 4);
        memcpy(e + 0x18, regs, 16);
    }
}
