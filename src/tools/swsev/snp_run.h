/* SPDX-License-Identifier: MIT */
/*
 * tools/swsev/snp_run.h - one SNP guest from start to report, in process:
 * a simulated host (machine, PSP driver, KVM-style VM layer), the launch
 * plan of an OVMF image run through SNP_LAUNCH_UPDATE, SNP_LAUNCH_FINISH,
 * then the guest's own request for a report over the hypervisor's
 * guest-request path. Shared by `swsev snp launch`, the demo and the
 * benchmark.
 */
#ifndef SWSEV_TOOLS_SNP_RUN_H
#define SWSEV_TOOLS_SNP_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/snp_plan.h"
#include "swsev/fw.h"
#include "swsev/machine.h"

struct snp_run_opts {
    const char *chip; /* "milan", "genoa" */
    const struct fw_identity *id;
    const void *seed; /* machine DRBG seed (NULL: real entropy) */
    size_t seed_len;
    struct snp_plan_inputs plan; /* mode SNP */
    uint64_t policy;
    const uint8_t *id_block, *id_auth; /* NULL: no ID block */
    bool author_key_en;
    uint8_t host_data[32];
    uint8_t report_data[64];
    uint32_t vmpl;
};

struct snp_run {
    struct swsev_machine *m;
    struct hv_vm *vm;
    void *priv;          /* the VM layer and the guest */
    uint64_t pages;      /* PAGE_INFO steps of the launch */
    uint8_t offline[48]; /* the calculator's digest of the same plan */
    uint8_t report[0x4A0];
    uint32_t report_status;
};

/* Launch and finish; on failure err gets one line. */
swsev_rc snp_run_launch(struct snp_run *r, const struct snp_run_opts *o, char *err, size_t errlen);
/* The guest asks for a report (report_data, vmpl of o). */
swsev_rc snp_run_report(struct snp_run *r, const uint8_t report_data[64], uint32_t vmpl, char *err,
                        size_t errlen);
/* The guest sends a request again under its last sequence number (what a
 * hypervisor replaying a captured message achieves). True when the firmware
 * refused it and no report came back; err names the status. */
bool snp_run_replay(struct snp_run *r, const uint8_t report_data[64], char *err, size_t errlen);
void snp_run_free(struct snp_run *r);

#endif
