/* SPDX-License-Identifier: MIT */
/*
 * tools/swsevd/guests.h - the SNP guests swsevd runs, each with its own
 * /dev/sev-guest (the guest kernel's driver over the guest's message
 * client). Clients start them with an OVMF image from their own memory
 * (OP_SNP_GUEST_START) and reach /dev/sev-guest with SWSEV_GUEST=NAME
 * (or without it while exactly one guest runs).
 */
#ifndef SWSEV_SWSEVD_GUESTS_H
#define SWSEV_SWSEVD_GUESTS_H

#include <pthread.h>

#include "guest/sev_guest_dev.h"
#include "tools/common/ops.h"
#include "tools/common/proto.h"
#include "tools/swsevd/server.h"
#include "tools/swsevd/snp_vm.h"

struct swsevd_guest {
    char name[SWSEVD_GUEST_NAME];
    struct snp_vm *v;
    struct guest_sev_dev dev;
    uint64_t policy;
};

struct swsevd_guests {
    pthread_mutex_t lock;
    struct hv_kvm *kvm;
    struct swsevd_guest g[SWSEVD_MAX_SNP_GUESTS];
    uint8_t *certs; /* the host's certificate table for extended requests */
    size_t certs_len;
};

void swsevd_guests_init(struct swsevd_guests *gs, struct hv_kvm *kvm, uint8_t *certs,
                        size_t certs_len);
void swsevd_guests_fini(struct swsevd_guests *gs);
swsev_rc swsevd_guests_call(struct swsevd_guests *gs, uint32_t op, const uint8_t *args, size_t len,
                            const struct hv_uaccess *ua, struct reply *out);
/* ioctl on /dev/sev-guest of guest name ("" = the only one). */
int swsevd_guests_ioctl(struct swsevd_guests *gs, const char *name, uint64_t request, uint64_t arg,
                        const struct hv_uaccess *ua);

#endif
