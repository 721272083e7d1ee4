/* SPDX-License-Identifier: MIT */
/* paging.c - C-bit changes in the loader's page tables (see paging.h). */
#include "guest.h"
#include "paging.h"
#include "x86.h"

#define PD_GPA 0xB000ull
#define PT_GPA 0xC000ull

void page_set_private(uint64_t va, int private_)
{
    /* The tables are identity-mapped like everything else, so their GPA
     * is their address. volatile: the CPU reads these, not the compiler. */
    volatile uint64_t *entry;
    if (va < PAGE_2M)
        entry = (volatile uint64_t *)PT_GPA + (va >> 12);
    else
        entry = (volatile uint64_t *)PD_GPA + (va >> 21);
    if (private_)
        *entry |= cbit_mask;
    else
        *entry &= ~cbit_mask;
    invlpg(va);
}
