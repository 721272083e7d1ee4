/* SPDX-License-Identifier: GPL-2.0-only */
/* A flat guest memory for the Unicorn backend (see uc_flatmem.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uc_flatmem.h"

int uc_flatmem_init(struct uc_flatmem *fm, uint64_t base, uint64_t size)
{
    memset(fm, 0, sizeof(*fm));
    fm->mem = calloc(1, size);
    if (!fm->mem)
        return -ENOMEM;
    fm->base = base;
    fm->size = size;
    return 0;
}

void uc_flatmem_fini(struct uc_flatmem *fm)
{
    free(fm->mem);
    fm->mem = NULL;
}

static bool inside(const struct uc_flatmem *fm, uint64_t gva, size_t len)
{
    return gva >= fm->base && gva - fm->base <= fm->size && len <= fm->size - (gva - fm->base);
}

static int pf(uint64_t gva, enum hw_access acc, struct hw_fault *f)
{
    memset(f, 0, sizeof(*f));
    f->kind = HW_FAULT_PF;
    f->vector = HW_VECTOR_PF;
    f->error_code =
        (acc == HW_ACC_WRITE ? PFERR_WRITE : 0) | (acc == HW_ACC_FETCH ? PFERR_FETCH : 0);
    f->addr = gva;
    return UC_VCPU_MEM_FAULT;
}

static int fm_read(void *ctx, uint64_t gva, void *buf, size_t len, enum hw_access acc,
                   struct hw_fault *f)
{
    struct uc_flatmem *fm = ctx;
    fm->reads++;
    if (fm->check) {
        int rc = fm->check(fm, gva, len, acc, f);
        if (rc)
            return rc;
    }
    if (!inside(fm, gva, len))
        return pf(gva < fm->base ? gva : fm->base + fm->size, acc, f);
    memcpy(buf, fm->mem + (gva - fm->base), len);
    return UC_VCPU_MEM_OK;
}

static int fm_write(void *ctx, uint64_t gva, const void *buf, size_t len, struct hw_fault *f)
{
    struct uc_flatmem *fm = ctx;
    fm->writes++;
    if (fm->check) {
        int rc = fm->check(fm, gva, len, HW_ACC_WRITE, f);
        if (rc)
            return rc;
    }
    if (!inside(fm, gva, len))
        return pf(gva, HW_ACC_WRITE, f);
    memcpy(fm->mem + (gva - fm->base), buf, len);
    fm->gen++;
    return UC_VCPU_MEM_OK;
}

static uint64_t fm_gen(void *ctx)
{
    return ((struct uc_flatmem *)ctx)->gen;
}

void uc_flatmem_vtable(struct uc_flatmem *fm, struct uc_vcpu_mem *mem)
{
    memset(mem, 0, sizeof(*mem));
    mem->ctx = fm;
    mem->read = fm_read;
    mem->write = fm_write;
    mem->generation = fm_gen;
}

int uc_flatmem_write(struct uc_flatmem *fm, uint64_t gva, const void *buf, size_t len)
{
    if (!inside(fm, gva, len))
        return -EFAULT;
    memcpy(fm->mem + (gva - fm->base), buf, len);
    fm->gen++;
    return 0;
}

int uc_flatmem_read(struct uc_flatmem *fm, uint64_t gva, void *buf, size_t len)
{
    if (!inside(fm, gva, len))
        return -EFAULT;
    memcpy(buf, fm->mem + (gva - fm->base), len);
    return 0;
}

void uc_flatmem_touch(struct uc_flatmem *fm)
{
    fm->gen++;
}

long uc_flatmem_load(struct uc_flatmem *fm, uint64_t gva, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -errno;
    long n = 0;
    int c;
    while ((c = fgetc(fp)) != EOF) {
        uint8_t b = (uint8_t)c;
        if (uc_flatmem_write(fm, gva + (uint64_t)n, &b, 1)) {
            fclose(fp);
            return -EFBIG;
        }
        n++;
    }
    fclose(fp);
    return n;
}
