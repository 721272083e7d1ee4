/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "hw/psp.h"
#include "swsev/fw_status.h"

void psp_init(struct psp *p)
{
    memset(p, 0, sizeof(*p));
    pthread_mutex_init(&p->lock, NULL);
    /* Idle and ready: the host may issue the first command. */
    p->cmdresp = PSP_CMDRESP_RESP;
}

void psp_fini(struct psp *p)
{
    pthread_mutex_destroy(&p->lock);
}

void psp_attach_firmware(struct psp *p, const struct psp_firmware *fw)
{
    pthread_mutex_lock(&p->lock);
    p->fw = *fw;
    pthread_mutex_unlock(&p->lock);
}

uint32_t psp_mmio_read(struct psp *p, uint32_t offset)
{
    uint32_t v = 0;
    pthread_mutex_lock(&p->lock);
    if (offset == PSP_REG_CMDRESP)
        v = p->cmdresp;
    else if (offset == PSP_REG_CMDBUFF_LO)
        v = p->cmdbuf_lo;
    else if (offset == PSP_REG_CMDBUFF_HI)
        v = p->cmdbuf_hi;
    pthread_mutex_unlock(&p->lock);
    return v;
}

swsev_rc psp_mmio_write(struct psp *p, uint32_t offset, uint32_t value)
{
    swsev_rc rc = SWSEV_OK;
    pthread_mutex_lock(&p->lock);
    if (offset == PSP_REG_CMDBUFF_LO) {
        p->cmdbuf_lo = value;
    } else if (offset == PSP_REG_CMDBUFF_HI) {
        p->cmdbuf_hi = value;
    } else if (offset == PSP_REG_CMDRESP) {
        uint32_t cmd = (value & PSP_CMDRESP_CMD_MASK) >> PSP_CMDRESP_CMD_SHIFT;
        uint64_t pa = ((uint64_t)p->cmdbuf_hi << 32) | p->cmdbuf_lo;
        p->cmdresp = value & ~PSP_CMDRESP_RESP; /* busy */
        uint16_t status =
            p->fw.command ? p->fw.command(p->fw.ctx, cmd, pa) : SEV_STATUS_HWERROR_PLATFORM;
        p->commands++;
        if (value & PSP_CMDRESP_IOC)
            p->interrupts++;
        p->cmdresp = PSP_CMDRESP_RESP | (cmd << PSP_CMDRESP_CMD_SHIFT) | status;
    } else {
        rc = SWSEV_HW_ERR(SWSEV_HW_INVAL);
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}
