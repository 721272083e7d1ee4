/* SPDX-License-Identifier: MIT */
/*
 * hv/psp_drv.h - the hypervisor's driver for the Secure Processor, shaped
 * like Linux's ccp driver (drivers/crypto/ccp/sev-dev.c): it owns one
 * command-buffer page in host memory, copies a command's data there, writes
 * the buffer's physical address and the command ID to the mailbox
 * registers, waits for the response bit and copies the buffer back.
 *
 * With host SME on (mem_encrypt=on), host memory is encrypted and the
 * addresses handed to the PSP carry the C-bit (Linux's __psp_pa()).
 * Commands are serialised by the driver (Linux's sev_cmd_mutex).
 */
#ifndef SWSEV_HV_PSP_DRV_H
#define SWSEV_HV_PSP_DRV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/hostmem.h"
#include "hw/psp.h"
#include "swsev/memsys.h"

#define HV_PSP_MAX_CMDBUF 4096

struct hv_psp {
    struct psp *dev;
    struct memsys *ms;
    struct hv_hostmem *hm;
    pthread_mutex_t cmd_mutex;
    bool sme;           /* host memory encrypted with the SME key */
    uint64_t cmdbuf_pa; /* one page for command buffers */
    uint64_t commands;
};

swsev_rc hv_psp_init(struct hv_psp *drv, struct psp *dev, struct memsys *ms, struct hv_hostmem *hm,
                     bool sme);
void hv_psp_fini(struct hv_psp *drv);

/* The address of host memory as the PSP must see it (with the C-bit when
 * host SME is on). */
uint64_t hv_psp_pa(const struct hv_psp *drv, uint64_t spa);

/* Serialisation of command sequences (Linux: sev_cmd_mutex). */
void hv_psp_lock(struct hv_psp *drv);
void hv_psp_unlock(struct hv_psp *drv);

/* Issue one command with the lock held. data (len bytes, may be NULL/0)
 * is copied into the command buffer and back. Returns 0, or -EIO with
 * *fw_error set to the firmware status; -EINVAL for an oversized buffer. */
int hv_psp_do_cmd_locked(struct hv_psp *drv, uint32_t cmd, void *data, size_t len,
                         uint32_t *fw_error);
/* The same, taking the lock. */
int hv_psp_do_cmd(struct hv_psp *drv, uint32_t cmd, void *data, size_t len, uint32_t *fw_error);

/* Host buffers the driver hands to the firmware by address (certificates,
 * measurements...): pages from the host allocator, accessed through the
 * host path with the driver's encryption. */
struct hv_psp_buf {
    uint64_t spa;
    size_t len, pages;
};
swsev_rc hv_psp_buf_alloc(struct hv_psp *drv, size_t len, struct hv_psp_buf *b);
void hv_psp_buf_free(struct hv_psp *drv, struct hv_psp_buf *b);
swsev_rc hv_psp_buf_write(struct hv_psp *drv, const struct hv_psp_buf *b, const void *src,
                          size_t len);
swsev_rc hv_psp_buf_read(struct hv_psp *drv, const struct hv_psp_buf *b, void *dst, size_t len);
/* The PSP-visible address of a buffer (0 for an empty buffer). */
uint64_t hv_psp_buf_pa(const struct hv_psp *drv, const struct hv_psp_buf *b);

#endif
