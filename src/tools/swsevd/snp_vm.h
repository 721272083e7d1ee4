/* SPDX-License-Identifier: MIT */
/*
 * tools/swsevd/snp_vm.h - one SNP guest on a running simulated host: the
 * launch plan of an OVMF image through SNP_LAUNCH_UPDATE (the VMM's part),
 * SNP_LAUNCH_FINISH, and the guest's own request client (the guest
 * kernel's part: VMPCK0 from its secrets page, sequence numbers). The
 * hypervisor carries the guest's messages through its guest-request path,
 * and for extended requests hands over the host's certificate table.
 * Used by swsevd (guests behind /dev/sev-guest) and by the CLI.
 */
#ifndef SWSEV_SWSEVD_SNP_VM_H
#define SWSEV_SWSEVD_SNP_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/snp_plan.h"
#include "guest/snp_msg.h"
#include "hv/vm.h"

struct snp_vm_opts {
    struct snp_plan_inputs plan; /* mode SNP; the image is only borrowed during launch */
    uint64_t policy;
    const uint8_t *id_block, *id_auth; /* NULL: no ID block */
    bool author_key_en;
    uint8_t host_data[32];
    /* The certificate table the host gives extended guest requests (GHCB
     * format), or NULL; copied. */
    const uint8_t *certs;
    size_t certs_len;
};

struct snp_vm {
    struct hv_vm *vm;
    uint8_t offline[48]; /* the calculator's digest of the plan */
    uint64_t pages;      /* PAGE_INFO steps of the launch */
    uint64_t secrets_gpa;
    struct hw_guest_ctx cpu;
    struct guest_snp guest;
    uint8_t *certs;
    size_t certs_len;
};

/* Launch on kvm's host; on failure err gets one line and *out is NULL. */
swsev_rc snp_vm_launch(struct snp_vm **out, struct hv_kvm *kvm, const struct snp_vm_opts *o,
                       char *err, size_t errlen);
void snp_vm_destroy(struct snp_vm *v);

#endif
