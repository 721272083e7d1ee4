/* SPDX-License-Identifier: MIT */
/* The vCPU reset state in the VMSA format (sev-reference 9.5). */
#include <string.h>

#include "swsev/abi/vmsa.h"

static void put_seg(uint8_t *p, unsigned off, uint16_t sel, uint16_t attr, uint32_t limit,
                    uint64_t base)
{
    struct vmsa_seg s = {sel, attr, limit, base};
    memcpy(p + off, &s, sizeof(s));
}

static void put64(uint8_t *p, unsigned off, uint64_t v)
{
    memcpy(p + off, &v, 8);
}

static void put32(uint8_t *p, unsigned off, uint32_t v)
{
    memcpy(p + off, &v, 4);
}

static void put16(uint8_t *p, unsigned off, uint16_t v)
{
    memcpy(p + off, &v, 2);
}

void vmsa_reset_state(uint8_t page[VMSA_SIZE], enum vmsa_vmm vmm, int is_bsp, uint32_t eip,
                      uint32_t vcpu_sig, uint64_t sev_features)
{
    memset(page, 0, VMSA_SIZE);
    if (is_bsp)
        eip = 0xFFFFFFF0u;
    uint16_t cs_attr = 0x9B, ss_attr = 0x93, tr_attr = 0x8B;
    uint64_t rdx = vcpu_sig;
    uint32_t mxcsr = 0x1F80;
    uint16_t fcw = 0x37F;
    uint64_t g_pat = 0x0007040600070406ull;
    if (vmm == VMSA_VMM_EC2) {
        cs_attr = is_bsp ? 0x9A : 0x9B;
        ss_attr = 0x92;
        tr_attr = 0x83;
        rdx = 0x600;
        mxcsr = 0;
        fcw = 0;
    } else if (vmm == VMSA_VMM_GCE) {
        rdx = 0x600;
        mxcsr = 0;
        fcw = 0;
        g_pat = 0x00070106ull;
    }
    put_seg(page, VMSA_ES, 0, 0x93, 0xFFFF, 0);
    put_seg(page, VMSA_CS, 0xF000, cs_attr, 0xFFFF, eip & 0xFFFF0000u);
    put_seg(page, VMSA_SS, 0, ss_attr, 0xFFFF, 0);
    put_seg(page, VMSA_DS, 0, 0x93, 0xFFFF, 0);
    put_seg(page, VMSA_FS, 0, 0x93, 0xFFFF, 0);
    put_seg(page, VMSA_GS, 0, 0x93, 0xFFFF, 0);
    put_seg(page, VMSA_GDTR, 0, 0, 0xFFFF, 0);
    put_seg(page, VMSA_LDTR, 0, 0x82, 0xFFFF, 0);
    put_seg(page, VMSA_IDTR, 0, 0, 0xFFFF, 0);
    put_seg(page, VMSA_TR, 0, tr_attr, 0xFFFF, 0);
    put64(page, VMSA_EFER, 0x1000); /* SVME */
    put64(page, VMSA_CR4, 0x40);    /* MCE */
    put64(page, VMSA_CR0, 0x10);    /* ET */
    put64(page, VMSA_DR7, 0x400);
    put64(page, VMSA_DR6, 0xFFFF0FF0);
    put64(page, VMSA_RFLAGS, 0x2);
    put64(page, VMSA_RIP, eip & 0xFFFF);
    put64(page, VMSA_G_PAT, g_pat);
    put64(page, VMSA_RDX, rdx);
    put64(page, VMSA_SEV_FEATURES, sev_features);
    put64(page, VMSA_XCR0, 0x1);
    put32(page, VMSA_MXCSR, mxcsr);
    put16(page, VMSA_X87_FCW, fcw);
}
