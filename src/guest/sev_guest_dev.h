/* SPDX-License-Identifier: MIT */
/*
 * guest/sev_guest_dev.h - the guest kernel's /dev/sev-guest (Linux
 * drivers/virt/coco/sev-guest, 6.11-era behaviour, docs/research/
 * linux-dev-sev.md 6): SNP_GET_REPORT, SNP_GET_DERIVED_KEY and
 * SNP_GET_EXT_REPORT with <linux/sev-guest.h>'s structures, exitinfo2
 * pre-set to 0xff and written back only when non-zero, the extended
 * report's certificate-length protocol, and the VMPCK wiped after a
 * failure once a message has left the guest (every later call: ENOTTY).
 */
#ifndef SWSEV_GUEST_SEV_GUEST_DEV_H
#define SWSEV_GUEST_SEV_GUEST_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/snp_msg.h"

/* copy_from_user / copy_to_user of the calling program (0 or non-zero). */
struct guest_uaccess {
    void *ctx;
    int (*copy_from_user)(void *ctx, void *dst, uint64_t uaddr, size_t len);
    int (*copy_to_user)(void *ctx, uint64_t uaddr, const void *src, size_t len);
};

struct guest_sev_dev {
    struct guest_snp *msg;
    bool vmpck_wiped;
};

/* ioctl(2); 0 or -errno. */
int guest_sev_dev_ioctl(struct guest_sev_dev *d, uint64_t request, uint64_t arg,
                        const struct guest_uaccess *ua);

#endif
