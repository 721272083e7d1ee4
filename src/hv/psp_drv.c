/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "hv/psp_drv.h"

swsev_rc hv_psp_init(struct hv_psp *drv, struct psp *dev, struct memsys *ms, struct hv_hostmem *hm,
                     bool sme)
{
    memset(drv, 0, sizeof(*drv));
    drv->dev = dev;
    drv->ms = ms;
    drv->hm = hm;
    drv->sme = sme;
    swsev_rc rc = hv_hostmem_alloc(hm, 1, 1, &drv->cmdbuf_pa);
    if (rc)
        return rc;
    pthread_mutex_init(&drv->cmd_mutex, NULL);
    return SWSEV_OK;
}

void hv_psp_fini(struct hv_psp *drv)
{
    if (!drv->hm)
        return;
    hv_hostmem_free(drv->hm, drv->cmdbuf_pa, 1);
    pthread_mutex_destroy(&drv->cmd_mutex);
    drv->hm = NULL;
}

uint64_t hv_psp_pa(const struct hv_psp *drv, uint64_t spa)
{
    return drv->sme ? spa | memsys_cbit_mask(drv->ms) : spa;
}

void hv_psp_lock(struct hv_psp *drv)
{
    pthread_mutex_lock(&drv->cmd_mutex);
}

void hv_psp_unlock(struct hv_psp *drv)
{
    pthread_mutex_unlock(&drv->cmd_mutex);
}

int hv_psp_do_cmd_locked(struct hv_psp *drv, uint32_t cmd, void *data, size_t len,
                         uint32_t *fw_error)
{
    if (len > HV_PSP_MAX_CMDBUF || (len && !data))
        return -EINVAL;
    uint64_t pa = hv_psp_pa(drv, drv->cmdbuf_pa);
    if (len && memsys_host_write(drv->ms, pa, data, len) != SWSEV_OK)
        return -EIO;
    /* Commands without a buffer get address 0, as the ccp driver does. */
    uint64_t reg = len ? pa : 0;
    psp_mmio_write(drv->dev, PSP_REG_CMDBUFF_LO, (uint32_t)reg);
    psp_mmio_write(drv->dev, PSP_REG_CMDBUFF_HI, (uint32_t)(reg >> 32));
    psp_mmio_write(drv->dev, PSP_REG_CMDRESP, (cmd & 0xff) << PSP_CMDRESP_CMD_SHIFT);
    uint32_t resp;
    do {
        resp = psp_mmio_read(drv->dev, PSP_REG_CMDRESP);
    } while (!(resp & PSP_CMDRESP_RESP));
    drv->commands++;
    uint32_t status = resp & PSP_CMDRESP_STS_MASK;
    if (fw_error)
        *fw_error = status;
    if (len && memsys_host_read(drv->ms, pa, data, len) != SWSEV_OK)
        return -EIO;
    return status ? -EIO : 0;
}

int hv_psp_do_cmd(struct hv_psp *drv, uint32_t cmd, void *data, size_t len, uint32_t *fw_error)
{
    hv_psp_lock(drv);
    int rc = hv_psp_do_cmd_locked(drv, cmd, data, len, fw_error);
    hv_psp_unlock(drv);
    return rc;
}

swsev_rc hv_psp_buf_alloc(struct hv_psp *drv, size_t len, struct hv_psp_buf *b)
{
    memset(b, 0, sizeof(*b));
    b->len = len;
    if (len == 0)
        return SWSEV_OK;
    b->pages = (len + 4095) / 4096;
    swsev_rc rc = hv_hostmem_alloc(drv->hm, b->pages, 1, &b->spa);
    if (rc)
        b->pages = 0;
    return rc;
}

void hv_psp_buf_free(struct hv_psp *drv, struct hv_psp_buf *b)
{
    if (b->pages)
        hv_hostmem_free(drv->hm, b->spa, b->pages);
    memset(b, 0, sizeof(*b));
}

swsev_rc hv_psp_buf_write(struct hv_psp *drv, const struct hv_psp_buf *b, const void *src,
                          size_t len)
{
    if (len > b->len)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    return len ? memsys_host_write(drv->ms, hv_psp_pa(drv, b->spa), src, len) : SWSEV_OK;
}

swsev_rc hv_psp_buf_read(struct hv_psp *drv, const struct hv_psp_buf *b, void *dst, size_t len)
{
    if (len > b->len)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    return len ? memsys_host_read(drv->ms, hv_psp_pa(drv, b->spa), dst, len) : SWSEV_OK;
}

uint64_t hv_psp_buf_pa(const struct hv_psp *drv, const struct hv_psp_buf *b)
{
    return b->len ? hv_psp_pa(drv, b->spa) : 0;
}
