/* SPDX-License-Identifier: MIT */
/*
 * swsev/machine.h - one simulated host: the SoC (memory system, PSP
 * mailbox), the Secure Processor firmware behind the mailbox, and the
 * hypervisor's drivers (host page allocator, PSP driver, /dev/sev). This
 * is board assembly only: each part keeps to its layer, and the hypervisor
 * reaches the firmware only through the mailbox.
 */
#ifndef SWSEV_MACHINE_H
#define SWSEV_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/chip.h"
#include "swsev/fw.h"
#include "swsev/status.h"

struct swsev_machine;

struct machine_config {
    struct chip_config chip;
    struct fw_params fw;
    const void *seed; /* NULL: real entropy */
    size_t seed_len;
    bool host_sme;      /* host memory SME-encrypted (Linux mem_encrypt=on) */
    bool init_on_probe; /* the driver initialises the platform at start (Linux default) */
    /* SEV-SNP host: the RMP is set up at boot and SNP_INIT runs before the
     * legacy platform is initialised (Linux 6.11 and later). Default: on
     * for chips with SNP. */
    bool snp;
};

/* Defaults for a chip preset. */
swsev_rc machine_config_default(struct machine_config *mc, const char *chip);

/* Power on. nv_blob (may be NULL) is the sealed NV data saved by an
 * earlier run; nv receives every new version of it. */
swsev_rc machine_create(struct swsev_machine **out, const struct machine_config *mc,
                        const struct fw_identity *id, const void *nv_blob, size_t nv_len,
                        const struct fw_nv_ops *nv);
void machine_destroy(struct swsev_machine *m);

struct memsys *machine_memsys(struct swsev_machine *m);
struct hv_psp *machine_psp_driver(struct swsev_machine *m);
struct hv_sev_dev *machine_sev_dev(struct swsev_machine *m);
struct hv_hostmem *machine_hostmem(struct swsev_machine *m);
struct crypto_drbg *machine_rng(struct swsev_machine *m);

#endif
