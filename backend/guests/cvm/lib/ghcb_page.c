/* SPDX-License-Identifier: MIT */
/*
 * ghcb_page.c - the GHCB page: set up once at boot, then one event at a
 * time (no interrupts, and the #VC handler refuses to nest, so nothing
 * else can be using the page in between).
 */
#include "ghcb_client.h"
#include "guest.h"
#include "paging.h"
#include "x86.h"

/* In its own section, which the linker script puts first in .bss: the
 * page must lie below 2 MiB, where the loader maps 4 KiB pages, so that
 * sharing it does not share its neighbours. */
static uint8_t ghcb_mem[GHCB_PAGE_SIZE] __attribute__((aligned(4096), section(".bss.ghcb")));

struct ghcb *ghcb;
uint64_t ghcb_gpa;

void ghcb_setup(void)
{
    uint64_t va = (uint64_t)(uintptr_t)ghcb_mem;
    ghcb_gpa = va; /* identity map */
    if (sev_mode == MODE_SNP) {
        /* The loader launched the page validated and private. Rescind the
         * validation first: a page must not turn shared while the guest
         * still trusts it (the hypervisor could remap it behind our back). */
        int no_update;
        if (pvalidate(va, 0, 0, &no_update) != 0 || no_update)
            guest_fail(FAIL_PVALIDATE);
        if (ghcb_msr_psc(ghcb_gpa, GHCB_PSC_OP_SHARED))
            guest_fail(FAIL_PSC);
    }
    page_set_private(va, 0);
    /* Through the shared mapping the launched zeros read as ciphertext
     * (SEV-ES) or whatever the hypervisor left (SNP): start clean. */
    memset(ghcb_mem, 0, sizeof(ghcb_mem));
    if (sev_mode == MODE_SNP && ghcb_msr_register(ghcb_gpa))
        guest_fail(FAIL_REGISTER);
    ghcb = (struct ghcb *)ghcb_mem;
}

struct ghcb *ghcb_begin(void)
{
    if (!ghcb)
        guest_fail(FAIL_VC_NO_GHCB);
    ghcb_clear_valid(ghcb);
    ghcb->save.sw_exit_code = 0;
    return ghcb;
}

int ghcb_call(struct ghcb *g, uint64_t exit_code, uint64_t info1, uint64_t info2)
{
    ghcb_set64(g, GHCB_OFF_SW_EXIT_CODE, exit_code);
    ghcb_set64(g, GHCB_OFF_SW_EXIT_INFO1, info1);
    ghcb_set64(g, GHCB_OFF_SW_EXIT_INFO2, info2);
    g->protocol_version = (uint16_t)ghcb_version;
    g->ghcb_usage = GHCB_DEFAULT_USAGE;
    /* The MSR may hold an MSR-protocol answer from an earlier request. */
    wrmsr(MSR_GHCB, ghcb_gpa);
    vmgexit();
    /* SW_EXITINFO1[31:0]: 0 done, 1 an exception to take, 2 an error.
     * Our programs cause neither on purpose, so both are failures. */
    return (uint32_t)g->save.sw_exit_info_1 == GHCB_RET_OK ? 0 : -1;
}
