/* SPDX-License-Identifier: MIT */
/*
 * hv/sev_dev.h - the /dev/sev character device of the Linux ccp driver
 * (drivers/crypto/ccp/sev-dev.c), reproduced: SEV_ISSUE_CMD with every
 * command of <linux/psp-sev.h>, the driver's own platform bookkeeping
 * (it initialises the platform on probe and before commands that need it),
 * its length and permission checks, and its return conventions: 0, or -1
 * with errno (EIO with the firmware status in sev_issue_cmd.error; EFAULT,
 * EINVAL, EPERM, EBUSY, ENOMEM, ENOTSUPP...). User memory is reached only
 * through the caller's copy_from_user / copy_to_user accessors.
 */
#ifndef SWSEV_HV_SEV_DEV_H
#define SWSEV_HV_SEV_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/psp_drv.h"

/* The kernel's user-memory accessors for one ioctl: 0 or an errno. */
struct hv_uaccess {
    void *ctx;
    int (*copy_from_user)(void *ctx, void *dst, uint64_t uaddr, size_t len);
    int (*copy_to_user)(void *ctx, uint64_t uaddr, const void *src, size_t len);
};

/* Accessors for a caller in this process (user addresses are pointers). */
extern const struct hv_uaccess hv_uaccess_self;

struct hv_sev_dev {
    struct hv_psp *psp;
    /* The driver's view of the platform (UNINIT or INIT; it never tracks
     * WORKING), like struct sev_device.state. */
    int state;
    uint8_t api_major, api_minor, build;
    bool es_tmr;      /* INIT with the SEV-ES flag and a TMR */
    uint64_t tmr_spa; /* 1 MiB, 1 MiB-aligned */
    /* SNP was initialised at boot (the host set up the RMP): the SNP
     * ioctls 9-12 of Linux 6.11 are served; otherwise they get EINVAL. */
    bool snp;
};

/* The SNP ioctl numbers and structures of Linux 6.11+ <linux/psp-sev.h>
 * (Debian 12's 6.1 header stops at SEV_GET_ID2). */
#define SEV_SNP_PLATFORM_STATUS 9
#define SEV_SNP_COMMIT          10
#define SEV_SNP_SET_CONFIG      11
#define SEV_SNP_VLEK_LOAD       12
#define HV_SEV_MAX              13

struct hv_user_snp_vlek_load {
    uint32_t len;
    uint8_t vlek_wrapped_version;
    uint8_t rsvd[3];
    uint64_t vlek_wrapped_address;
} __attribute__((packed));

/* Probe: read the API version (PLATFORM_STATUS); initialise the platform
 * when init_on_probe is set (the default of Linux's psp_init_on_probe). */
swsev_rc hv_sev_dev_probe(struct hv_sev_dev *dev, struct hv_psp *psp, bool init_on_probe);
void hv_sev_dev_remove(struct hv_sev_dev *dev);

/* ioctl(2) on /dev/sev. Returns 0 or -errno. */
int hv_sev_dev_ioctl(struct hv_sev_dev *dev, uint64_t request, uint64_t arg, bool writable,
                     const struct hv_uaccess *ua);

/* The driver's platform init / shutdown (also used by the KVM-style layer). */
int hv_sev_platform_init(struct hv_sev_dev *dev, uint32_t *error);
int hv_sev_platform_shutdown(struct hv_sev_dev *dev, uint32_t *error);

#endif
