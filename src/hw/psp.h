/* SPDX-License-Identifier: MIT */
/*
 * hw/psp.h - the AMD Secure Processor's mailbox, as the host sees it: three
 * 32-bit registers in the PSP's MMIO space.
 *
 *   CMDRESP      host writes [23:16] command ID, bit 0 = interrupt on
 *                completion; the PSP writes back [15:0] status, [23:16] the
 *                command, bit 30 recovery needed, bit 31 response ready.
 *   CMDBUFF_LO/HI  the physical address of the command buffer (0 when the
 *                command has none), written before CMDRESP.
 *
 * Register offsets are those Linux's ccp driver uses for PCI SEV devices
 * (psp_vdata v2: 0x10980, 0x109e0, 0x109e4); they are per-device, not
 * architectural. The firmware runs synchronously when CMDRESP is written;
 * the device is serialised like the real mailbox.
 */
#ifndef SWSEV_HW_PSP_H
#define SWSEV_HW_PSP_H

#include <pthread.h>
#include <stdint.h>

#include "swsev/status.h"

#define PSP_REG_CMDRESP       0x10980u
#define PSP_REG_CMDBUFF_LO    0x109e0u
#define PSP_REG_CMDBUFF_HI    0x109e4u
#define PSP_CMDRESP_IOC       (1u << 0)
#define PSP_CMDRESP_CMD_SHIFT 16
#define PSP_CMDRESP_CMD_MASK  (0xffu << PSP_CMDRESP_CMD_SHIFT)
#define PSP_CMDRESP_STS_MASK  0xffffu
#define PSP_CMDRESP_RECOVERY  (1u << 30)
#define PSP_CMDRESP_RESP      (1u << 31)

/* What runs behind the mailbox: the Secure Processor firmware. Returns the
 * 16-bit firmware status. */
struct psp_firmware {
    void *ctx;
    uint16_t (*command)(void *ctx, uint32_t cmd, uint64_t cmdbuf_pa);
};

struct psp {
    pthread_mutex_t lock;
    uint32_t cmdresp, cmdbuf_lo, cmdbuf_hi;
    struct psp_firmware fw;
    uint64_t commands, interrupts;
};

void psp_init(struct psp *p);
void psp_fini(struct psp *p);
void psp_attach_firmware(struct psp *p, const struct psp_firmware *fw);
/* MMIO. Unknown offsets read as zero and ignore writes (SWSEV_HW_INVAL). */
uint32_t psp_mmio_read(struct psp *p, uint32_t offset);
swsev_rc psp_mmio_write(struct psp *p, uint32_t offset, uint32_t value);

#endif
