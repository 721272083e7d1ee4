/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "hv/hostmem.h"

#define BIT(i)      (1ull << ((i) % 64))
#define WORD(bm, i) ((bm)[(i) / 64])

swsev_rc hv_hostmem_init(struct hv_hostmem *hm, uint64_t base, uint64_t size)
{
    hm->bitmap = NULL;
    if ((base | size) & 4095 || size == 0)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    hm->base = base;
    hm->npages = size / 4096;
    hm->hint = 0;
    hm->used = 0;
    hm->bitmap = calloc((hm->npages + 63) / 64, sizeof(uint64_t));
    if (!hm->bitmap)
        return SWSEV_HV_ERR(SWSEV_E_NOMEM);
    pthread_mutex_init(&hm->lock, NULL);
    return SWSEV_OK;
}

void hv_hostmem_fini(struct hv_hostmem *hm)
{
    if (!hm->bitmap)
        return;
    free(hm->bitmap);
    hm->bitmap = NULL;
    pthread_mutex_destroy(&hm->lock);
}

static int range_free(const struct hv_hostmem *hm, uint64_t first, uint64_t n, uint64_t *busy)
{
    for (uint64_t i = first; i < first + n; i++) {
        if (WORD(hm->bitmap, i) & BIT(i)) {
            *busy = i;
            return 0;
        }
    }
    return 1;
}

static void mark(struct hv_hostmem *hm, uint64_t first, uint64_t n, int used)
{
    for (uint64_t i = first; i < first + n; i++) {
        if (used)
            WORD(hm->bitmap, i) |= BIT(i);
        else
            WORD(hm->bitmap, i) &= ~BIT(i);
    }
}

/* First fit from start; returns the first page index or UINT64_MAX. */
static uint64_t search(const struct hv_hostmem *hm, uint64_t start, uint64_t n, uint64_t align)
{
    uint64_t i = (start + align - 1) & ~(align - 1);
    while (i + n <= hm->npages) {
        uint64_t busy;
        if (range_free(hm, i, n, &busy))
            return i;
        i = (busy + 1 + align - 1) & ~(align - 1);
    }
    return UINT64_MAX;
}

swsev_rc hv_hostmem_alloc(struct hv_hostmem *hm, uint64_t npages, uint64_t align_pages,
                          uint64_t *pa)
{
    if (npages == 0 || align_pages == 0 || (align_pages & (align_pages - 1)) ||
        npages > hm->npages || (hm->base / 4096) % align_pages)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    pthread_mutex_lock(&hm->lock);
    uint64_t i = search(hm, hm->hint, npages, align_pages);
    if (i == UINT64_MAX)
        i = search(hm, 0, npages, align_pages);
    if (i != UINT64_MAX) {
        mark(hm, i, npages, 1);
        hm->used += npages;
        hm->hint = i + npages;
    }
    pthread_mutex_unlock(&hm->lock);
    if (i == UINT64_MAX)
        return SWSEV_HV_ERR(SWSEV_E_NOMEM);
    *pa = hm->base + i * 4096;
    return SWSEV_OK;
}

swsev_rc hv_hostmem_free(struct hv_hostmem *hm, uint64_t pa, uint64_t npages)
{
    if (pa < hm->base || (pa & 4095) || npages == 0)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    uint64_t first = (pa - hm->base) / 4096;
    if (first >= hm->npages || npages > hm->npages - first)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    pthread_mutex_lock(&hm->lock);
    swsev_rc rc = SWSEV_OK;
    for (uint64_t i = first; i < first + npages; i++)
        if (!(WORD(hm->bitmap, i) & BIT(i)))
            rc = SWSEV_HV_ERR(SWSEV_E_INVAL);
    if (!rc) {
        mark(hm, first, npages, 0);
        hm->used -= npages;
        if (first < hm->hint)
            hm->hint = first;
    }
    pthread_mutex_unlock(&hm->lock);
    return rc;
}
