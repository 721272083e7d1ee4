/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * uc_flatmem.h - a struct uc_vcpu_mem over one host buffer, for running
 * guests without the SEV model (tests, the benchmark, examples): guest
 * virtual address = base + offset into the buffer, no paging, no
 * encryption. Accesses outside the buffer are #PF. A generation counter
 * lets the backend keep its cache across events; host-side writes must go
 * through uc_flatmem_write() (or uc_flatmem_touch()) so that it moves.
 */
#ifndef SWSEV_UC_FLATMEM_H
#define SWSEV_UC_FLATMEM_H

#include "uc_vcpu.h"

struct uc_flatmem {
    uint8_t *mem;
    uint64_t base, size;
    uint64_t gen;
    uint64_t reads, writes; /* calls from the backend */
    /* Optional: veto an access (return UC_VCPU_MEM_FAULT or _MMIO with *f
     * filled) - how tests make pages fault or be MMIO. */
    int (*check)(struct uc_flatmem *fm, uint64_t gva, size_t len, enum hw_access acc,
                 struct hw_fault *f);
    void *user;
};

int uc_flatmem_init(struct uc_flatmem *fm, uint64_t base, uint64_t size);
void uc_flatmem_fini(struct uc_flatmem *fm);
/* The vtable for uc_vcpu_create (ctx = fm). */
void uc_flatmem_vtable(struct uc_flatmem *fm, struct uc_vcpu_mem *mem);
/* Host-side access; writes move the generation. */
int uc_flatmem_write(struct uc_flatmem *fm, uint64_t gva, const void *buf, size_t len);
int uc_flatmem_read(struct uc_flatmem *fm, uint64_t gva, void *buf, size_t len);
void uc_flatmem_touch(struct uc_flatmem *fm);
/* Load a file (a flat guest binary) at gva. Returns its size or -errno. */
long uc_flatmem_load(struct uc_flatmem *fm, uint64_t gva, const char *path);

#endif
