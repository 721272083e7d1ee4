/* SPDX-License-Identifier: MIT */
/*
 * hello.elf - the first x86-64 guest: says what kind of VM it runs in and,
 * under SEV-SNP, accepts 1 MiB of memory the launch did not cover (page-
 * state change to private, PVALIDATE), uses it, and shows that validating
 * a page twice is refused. Transcript: docs/x86-guests.md.
 */
#include "ghcb_client.h"
#include "guest.h"
#include "snp.h"
#include "x86.h"

#define ACCEPT_GPA   0x400000ull
#define ACCEPT_PAGES 256ull

/* A value that differs per address, so a page mapped twice shows. */
static uint64_t pattern(uint64_t addr)
{
    return addr * 0x9E3779B97F4A7C15ull ^ 0x5A5A5A5A5A5A5A5Aull;
}

static int snp_memory(void)
{
    uint64_t failed;
    if (snp_accept(ACCEPT_GPA, ACCEPT_PAGES, &failed)) {
        printf("accepting memory failed at 0x%lx\n", (unsigned long)failed);
        return 1;
    }
    /* volatile: the values must really go to memory and come back. */
    volatile uint64_t *p = (volatile uint64_t *)ACCEPT_GPA;
    uint64_t n = ACCEPT_PAGES * 4096 / 8;
    for (uint64_t i = 0; i < n; i++)
        p[i] = pattern(ACCEPT_GPA + 8 * i);
    for (uint64_t i = 0; i < n; i++) {
        if (p[i] != pattern(ACCEPT_GPA + 8 * i)) {
            printf("memory check failed at 0x%lx\n", (unsigned long)(ACCEPT_GPA + 8 * i));
            return 2;
        }
    }
    printf("validated %lu pages (%lu MiB) at 0x%lx\n", (unsigned long)ACCEPT_PAGES,
           (unsigned long)(ACCEPT_PAGES * 4096 >> 20), (unsigned long)ACCEPT_GPA);
    /* The RMP entry is already validated: PVALIDATE succeeds (RAX 0) but
     * changes nothing and says so with CF=1 (PVALIDATE_NO_UPDATE). */
    int no_update;
    uint32_t rc = pvalidate(ACCEPT_GPA, 0, 1, &no_update);
    if (rc != 0 || !no_update) {
        printf("second PVALIDATE of 0x%lx: rax 0x%x CF %d, expected rax 0 and CF 1\n",
               (unsigned long)ACCEPT_GPA, rc, no_update);
        return 3;
    }
    printf("second PVALIDATE of 0x%lx refused: no update (CF=1), as the architecture says\n",
           (unsigned long)ACCEPT_GPA);
    return 0;
}

int main(void)
{
    printf("hello from an x86-64 guest (%s)\n", sev_mode_name(sev_mode));
    if (sev_mode == MODE_NONE)
        return 0;
    /* Under SEV-ES/SNP this CPUID is a #VC answered over the GHCB. */
    uint32_t r[4];
    cpuid(0x8000001F, 0, r);
    printf("SEV_STATUS 0x%lx, C-bit position %u\n", (unsigned long)sev_status, r[1] & 0x3F);
    if (sev_mode == MODE_SNP)
        return snp_memory();
    return 0;
}
