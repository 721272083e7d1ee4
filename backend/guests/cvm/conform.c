/* SPDX-License-Identifier: MIT */
/*
 * conform.elf - a fixed scenario whose serial transcript a modelled C
 * guest reproduces line for line (docs/x86-guests.md, "conform.elf"):
 * CPUID, SEV_STATUS, a port read, MMIO and VMMCALL, each printed as
 * "name: value". Nothing here depends on time or on memory contents the
 * launch did not fix, so two runs in the same mode print the same bytes.
 */
#include "guest.h"
#include "paging.h"
#include "x86.h"

#define MSR_SEV_STATUS 0xC0010131u
#define COM1_LSR       0x3FD
#define MMIO_GPA       0x10000000ull
#define EXIT_CONFORM   7

int main(void)
{
    uint32_t r[4];
    char vendor[13];

    printf("conform: start\n");
    printf("mode: %s\n", sev_mode_name(sev_mode));

    cpuid(0, 0, r);
    /* The vendor string is EBX, EDX, ECX in that order. */
    memcpy(vendor, &r[1], 4);
    memcpy(vendor + 4, &r[3], 4);
    memcpy(vendor + 8, &r[2], 4);
    vendor[12] = '\0';
    printf("cpuid_0_vendor: %s\n", vendor);
    printf("cpuid_0_max_leaf: 0x%x\n", r[0]);

    cpuid(0x8000001F, 0, r);
    printf("cpuid_8000001f_eax: 0x%x\n", r[0]);
    printf("cpuid_8000001f_ebx: 0x%x\n", r[1]);

    printf("sev_status: 0x%lx\n", (unsigned long)rdmsr(MSR_SEV_STATUS));
    printf("lsr: 0x%x\n", inb(COM1_LSR));

    /* Device memory must be reached with C=0: clear the C-bit of the
     * 2 MiB entry covering the region (PD entry 128). */
    page_set_private(MMIO_GPA, 0);
    mmio_write32(MMIO_GPA, 0x12345678u);
    mmio_write32(MMIO_GPA + 4, 0xCAFEF00Du);
    uint32_t a = mmio_read32(MMIO_GPA);
    uint32_t b = mmio_read32(MMIO_GPA + 4);
    printf("mmio_10000000: 0x%x\n", a);
    printf("mmio_10000004: 0x%x\n", b);

    printf("vmmcall_0: 0x%lx\n", (unsigned long)vmmcall(0));

    printf("conform: end\n");
    return EXIT_CONFORM;
}
