/* SPDX-License-Identifier: MIT */
/* snp.c - the SNP CPUID page and memory acceptance (see snp.h). */
#include "ghcb_client.h"
#include "guest.h"
#include "paging.h"
#include "snp.h"
#include "x86.h"

/* The CPUID page's layout (SNP firmware ABI): a count, then entries. */
struct snp_cpuid_fn {
    uint32_t eax_in, ecx_in;
    uint64_t xcr0_in, xss_in;
    uint32_t eax, ebx, ecx, edx;
    uint64_t reserved;
};
struct snp_cpuid_table {
    uint32_t count;
    uint32_t reserved1;
    uint64_t reserved2;
    struct snp_cpuid_fn fn[64];
};
_Static_assert(sizeof(struct snp_cpuid_fn) == 0x30, "CPUID page entry");
_Static_assert(sizeof(struct snp_cpuid_table) <= 4096, "CPUID page");

int snp_cpuid_page(uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
    const struct snp_cpuid_table *t = (const struct snp_cpuid_table *)SNP_CPUID_PAGE;
    uint32_t n = t->count < 64 ? t->count : 64;
    for (uint32_t i = 0; i < n; i++) {
        const struct snp_cpuid_fn *e = &t->fn[i];
        if (e->eax_in == leaf && e->ecx_in == subleaf) {
            regs[0] = e->eax;
            regs[1] = e->ebx;
            regs[2] = e->ecx;
            regs[3] = e->edx;
            return 0;
        }
    }
    return -1;
}

int snp_accept(uint64_t gpa, uint64_t npages, uint64_t *failed_gpa)
{
    *failed_gpa = gpa;
    if (ghcb_psc(gpa, npages, GHCB_PSC_OP_PRIVATE))
        return -1;
    /* The hypervisor has assigned the pages to us; until each is
     * validated, a private access to it is a #VC. A page that reports "no
     * update" (CF) was already validated: the hypervisor may have remapped
     * a page we accepted before, so that counts as a failure too. */
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t va = gpa + (i << 12);
        int no_update;
        if (pvalidate(va, 0, 1, &no_update) != 0 || no_update) {
            *failed_gpa = va;
            return -1;
        }
    }
    return 0;
}

int snp_share(uint64_t gpa, uint64_t npages)
{
    if (gpa & 0xFFF || gpa + (npages << 12) > PAGE_2M)
        return -1;
    /* Rescind first, as Linux does: a page must not turn shared while the
     * guest still trusts it (the hypervisor could remap it behind our back
     * and the guest would read its data as if it were ours). */
    for (uint64_t i = 0; i < npages; i++) {
        int no_update;
        if (pvalidate(gpa + (i << 12), 0, 0, &no_update) != 0 || no_update)
            return -1;
    }
    if (ghcb_psc(gpa, npages, GHCB_PSC_OP_SHARED))
        return -1;
    for (uint64_t i = 0; i < npages; i++)
        page_set_private(gpa + (i << 12), 0);
    /* Through the shared mapping the launched zeros are gone (ciphertext,
     * or whatever the hypervisor put there): start clean. */
    memset((void *)(uintptr_t)gpa, 0, npages << 12);
    return 0;
}
