/* SPDX-License-Identifier: MIT */
/*
 * paging.h - the loader's identity page tables (docs/x86-guests.md): PML4
 * 0x9000, PDPT 0xA000, PD 0xB000, PT 0xC000; 0-2 MiB in 4 KiB pages
 * through the PT, 2 MiB-1 GiB in 2 MiB pages, every entry private (C-bit
 * set). A guest makes a page shared (or MMIO-reachable) by clearing the
 * C-bit of the entry that maps it.
 */
#ifndef GUEST_PAGING_H
#define GUEST_PAGING_H

#include <stdint.h>

#define PAGE_2M (2ull << 20)

/* Set or clear the C-bit of the entry mapping va (a 4 KiB entry below
 * 2 MiB, the 2 MiB entry above: the whole 2 MiB then changes) and flush
 * its TLB entry. va must be below 1 GiB, the end of the identity map. */
void page_set_private(uint64_t va, int private_);

#endif
