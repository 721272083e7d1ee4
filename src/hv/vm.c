/* SPDX-License-Identifier: MIT */
/* VMs, ASIDs, and the VM lifecycle part of the KVM-style SEV layer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hv/vm.h"
#include "hv/vm_priv.h"
#include "swsev/abi/sev_cmd.h"
#include "swsev/abi/vmsa.h"

swsev_rc hv_kvm_init(struct hv_kvm *k, struct hv_sev_dev *dev)
{
    memset(k, 0, sizeof(*k));
    k->dev = dev;
    k->psp = dev->psp;
    k->ms = dev->psp->ms;
    k->hm = dev->psp->hm;
    const struct chip_config *cfg = memsys_chip(k->ms);
    k->nr_asids = cfg->nr_asids;
    k->min_sev_asid = cfg->min_sev_asid;
    k->asid_used = calloc(k->nr_asids + 1, 1);
    k->asid_reclaim = calloc(k->nr_asids + 1, 1);
    if (!k->asid_used || !k->asid_reclaim) {
        hv_kvm_fini(k);
        return SWSEV_HV_ERR(SWSEV_E_NOMEM);
    }
    pthread_mutex_init(&k->lock, NULL);
    k->next_vm_id = 1;
    return SWSEV_OK;
}

void hv_kvm_fini(struct hv_kvm *k)
{
    free(k->asid_used);
    free(k->asid_reclaim);
    if (k->asid_used)
        pthread_mutex_destroy(&k->lock);
    k->asid_used = k->asid_reclaim = NULL;
}

/* WBINVD on every core, then DF_FLUSH: the ASIDs waiting for reclaim
 * become usable (KVM's sev_flush_asids). */
static int flush_asids(struct hv_kvm *k)
{
    uint32_t err;
    const struct chip_config *cfg = memsys_chip(k->ms);
    for (unsigned c = 0; c < cfg->nr_cores; c++)
        memsys_wbinvd(k->ms, c);
    int rc = hv_psp_do_cmd(k->psp, SEV_CMD_DF_FLUSH, NULL, 0, &err);
    if (rc)
        return rc;
    memset(k->asid_reclaim, 0, k->nr_asids + 1);
    return 0;
}

/* SEV-ES guests take ASIDs below the minimum SEV ASID, SEV guests the rest. */
int hv_kvm_asid_new(struct hv_kvm *k, bool es, uint32_t *asid)
{
    uint32_t lo = es ? 1 : k->min_sev_asid, hi = es ? k->min_sev_asid - 1 : k->nr_asids;
    pthread_mutex_lock(&k->lock);
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t a = lo; a <= hi; a++) {
            if (!k->asid_used[a] && !k->asid_reclaim[a]) {
                k->asid_used[a] = 1;
                *asid = a;
                pthread_mutex_unlock(&k->lock);
                return 0;
            }
        }
        bool any = false;
        for (uint32_t a = lo; a <= hi; a++)
            any = any || k->asid_reclaim[a];
        if (!any || flush_asids(k))
            break;
    }
    pthread_mutex_unlock(&k->lock);
    return -EBUSY;
}

void hv_kvm_asid_free(struct hv_kvm *k, uint32_t asid)
{
    pthread_mutex_lock(&k->lock);
    k->asid_used[asid] = 0;
    k->asid_reclaim[asid] = 1;
    pthread_mutex_unlock(&k->lock);
}

swsev_rc hv_vm_create(struct hv_kvm *k, uint64_t ram_size, uint32_t nr_vcpus, struct hv_vm **out)
{
    return hv_vm_create_ex(k, ram_size, nr_vcpus, false, out);
}

swsev_rc hv_vm_create_ex(struct hv_kvm *k, uint64_t ram_size, uint32_t nr_vcpus, bool snp,
                         struct hv_vm **out)
{
    if (ram_size == 0 || ram_size % (2ull << 20) || nr_vcpus == 0 || nr_vcpus > 64)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    struct hv_vm *vm = calloc(1, sizeof(*vm));
    if (!vm)
        return SWSEV_HV_ERR(SWSEV_E_NOMEM);
    vm->kvm = k;
    vm->ram_size = ram_size;
    vm->nr_vcpus = nr_vcpus;
    swsev_rc rc = hv_hostmem_alloc(k->hm, ram_size / 4096, 512, &vm->ram_spa);
    if (rc) {
        free(vm);
        return rc;
    }
    rc = hv_hostmem_alloc(k->hm, nr_vcpus, 1, &vm->vmsa_spa);
    if (!rc)
        rc = hv_npt_init(&vm->npt, k->ms, k->hm, k->psp->sme);
    if (!rc)
        rc = hv_npt_map(&vm->npt, 0, vm->ram_spa, ram_size, NPT_RW,
                        snp ? PGT_SIZE_4K : PGT_SIZE_2M); /* SNP: as the RMP's 4 KiB entries */
    /* Fresh guest memory is zeroed by the host, like any page it hands out. */
    static const uint8_t zero[4096];
    for (uint64_t off = 0; !rc && off < ram_size; off += 4096)
        rc = hv_vm_write(vm, off, zero, sizeof(zero));
    if (rc) {
        hv_vm_destroy(vm);
        return rc;
    }
    pthread_mutex_lock(&k->lock);
    vm->id = k->next_vm_id++;
    pthread_mutex_unlock(&k->lock);
    *out = vm;
    return SWSEV_OK;
}

void hv_vm_destroy(struct hv_vm *vm)
{
    struct hv_kvm *k = vm->kvm;
    if (vm->snp)
        hv_vm_snp_teardown(vm);
    if (vm->handle) {
        uint32_t err;
        struct sev_fw_handle h = {vm->handle};
        hv_psp_do_cmd(k->psp, SEV_CMD_DEACTIVATE, &h, sizeof(h), &err);
        hv_psp_do_cmd(k->psp, SEV_CMD_DECOMMISSION, &h, sizeof(h), &err);
    }
    if (vm->sev_active)
        hv_kvm_asid_free(k, vm->asid);
    /* The freed pages may still have lines cached under the guest's ASID;
     * write them back before the host reuses the memory (KVM does a WBINVD
     * on all CPUs when guest memory is reclaimed). */
    const struct chip_config *cfg = memsys_chip(k->ms);
    for (unsigned c = 0; c < cfg->nr_cores; c++)
        memsys_wbinvd(k->ms, c);
    if (vm->npt.ms)
        hv_npt_fini(&vm->npt);
    if (vm->vmsa_spa)
        hv_hostmem_free(k->hm, vm->vmsa_spa, vm->nr_vcpus);
    hv_hostmem_free(k->hm, vm->ram_spa, vm->ram_size / 4096);
    if (vm->rom_size)
        hv_hostmem_free(k->hm, vm->rom_spa, vm->rom_size / 4096);
    free(vm);
}

static swsev_rc ram_range(struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
    if (gpa <= vm->ram_size && len <= vm->ram_size - gpa)
        return SWSEV_OK;
    if (vm->rom_size && gpa >= vm->rom_gpa && gpa - vm->rom_gpa <= vm->rom_size &&
        len <= vm->rom_size - (gpa - vm->rom_gpa))
        return SWSEV_OK;
    return SWSEV_HV_ERR(SWSEV_E_INVAL);
}

uint64_t hv_vm_spa(const struct hv_vm *vm, uint64_t gpa)
{
    if (gpa < vm->ram_size)
        return vm->ram_spa + gpa;
    if (vm->rom_size && gpa >= vm->rom_gpa && gpa - vm->rom_gpa < vm->rom_size)
        return vm->rom_spa + (gpa - vm->rom_gpa);
    return 0;
}

uint64_t hv_vm_host_pa(const struct hv_vm *vm, uint64_t gpa)
{
    return hv_psp_pa(vm->kvm->psp, hv_vm_spa(vm, gpa));
}

swsev_rc hv_vm_add_rom(struct hv_vm *vm, uint64_t gpa, uint64_t size)
{
    if (vm->rom_size || vm->private_pages || (gpa | size) & 4095 || size == 0 ||
        gpa < vm->ram_size || gpa + size > (4ull << 30) || gpa + size < gpa)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    swsev_rc rc = hv_hostmem_alloc(vm->kvm->hm, size / 4096, 1, &vm->rom_spa);
    if (!rc)
        rc = hv_npt_map(&vm->npt, gpa, vm->rom_spa, size, NPT_RW, PGT_SIZE_4K);
    if (rc)
        return rc;
    vm->rom_gpa = gpa;
    vm->rom_size = size;
    return SWSEV_OK;
}

swsev_rc hv_vm_write(struct hv_vm *vm, uint64_t gpa, const void *buf, size_t len)
{
    swsev_rc rc = ram_range(vm, gpa, len);
    return rc ? rc : memsys_host_write(vm->kvm->ms, hv_vm_host_pa(vm, gpa), buf, len);
}

swsev_rc hv_vm_read(struct hv_vm *vm, uint64_t gpa, void *buf, size_t len)
{
    swsev_rc rc = ram_range(vm, gpa, len);
    return rc ? rc : memsys_host_read(vm->kvm->ms, hv_vm_host_pa(vm, gpa), buf, len);
}

swsev_rc hv_vm_read_flushed(struct hv_vm *vm, uint64_t gpa, void *buf, size_t len)
{
    swsev_rc rc = ram_range(vm, gpa, len);
    if (rc)
        return rc;
    for (uint64_t p = gpa & ~4095ull; vm->sev_active && p < gpa + len; p += 4096)
        memsys_vm_page_flush(vm->kvm->ms, (hv_vm_spa(vm, p) & ~4095ull) | vm->asid);
    hv_vm_clflush(vm, gpa, len);
    return hv_vm_read(vm, gpa, buf, len);
}

void hv_vm_clflush(struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
    /* KVM's sev_clflush_pages: drop the host's lines of pages the firmware
     * is about to rewrite under the guest key, so that no stale host line is
     * written back over the guest's ciphertext later. */
    memsys_clflush_range(vm->kvm->ms, hv_vm_host_pa(vm, gpa), len);
}

int hv_vm_sev_init(struct hv_vm *vm, bool es, uint32_t *fw_error)
{
    if (vm->sev_active)
        return -EINVAL;
    if (es && !(memsys_chip(vm->kvm->ms)->features & CPUID_SEV_ES))
        return -ENOTTY;
    uint32_t asid;
    int rc = hv_kvm_asid_new(vm->kvm, es, &asid);
    if (rc)
        return rc;
    hv_psp_lock(vm->kvm->psp);
    rc = hv_sev_platform_init(vm->kvm->dev, fw_error);
    hv_psp_unlock(vm->kvm->psp);
    if (rc) {
        pthread_mutex_lock(&vm->kvm->lock);
        vm->kvm->asid_used[asid] = 0;
        pthread_mutex_unlock(&vm->kvm->lock);
        return rc;
    }
    vm->asid = asid;
    vm->es = es;
    vm->sev_active = true;
    if (es) {
        /* Every vCPU starts from the architectural reset state. */
        uint8_t page[VMSA_SIZE];
        const struct chip_config *cfg = memsys_chip(vm->kvm->ms);
        for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
            vmsa_reset_state(page, VMSA_VMM_QEMU, i == 0, 0xFFFFFFF0u, chip_signature(cfg), 0);
            memsys_host_write(vm->kvm->ms, hv_psp_pa(vm->kvm->psp, vm->vmsa_spa + i * 4096ull),
                              page, sizeof(page));
        }
    }
    return 0;
}
