/* SPDX-License-Identifier: MIT */
/*
 * fw/snp_msg.h - the guest messages behind SNP_GUEST_REQUEST, shared by
 * snp_request.c (transport, reports, keys) and snp_msg_ma.c (CPUID, TSC,
 * and the migration agent's EXPORT / IMPORT / ABSORB / VMRK).
 */
#ifndef SWSEV_FW_SNP_MSG_H
#define SWSEV_FW_SNP_MSG_H

#include "fw/fw.h"
#include "swsev/abi/snp_cmd.h"

struct fw_snp_msg {
    struct sev_fw *fw;
    struct fw_snp_guest *g; /* the requesting guest */
    const struct snp_msg_hdr *hdr;
    const uint8_t *req; /* decrypted payload, zero-padded to a page */
    uint8_t *rsp;       /* response payload, zeroed */
    uint16_t rsp_size;
};

/* Each fills m->rsp (its size fixed by the dispatcher) and returns the
 * response's STATUS. */
uint32_t fw_snp_msg_cpuid(struct fw_snp_msg *m);
uint32_t fw_snp_msg_tsc_info(struct fw_snp_msg *m);
uint32_t fw_snp_msg_vmrk(struct fw_snp_msg *m);
uint32_t fw_snp_msg_export(struct fw_snp_msg *m);
uint32_t fw_snp_msg_import(struct fw_snp_msg *m);
uint32_t fw_snp_msg_absorb(struct fw_snp_msg *m);
uint32_t fw_snp_msg_absorb_noma(struct fw_snp_msg *m);

/* The transported guest context (AMD's version 3, 0x300 bytes). */
#define FW_SNP_XGCTX_SIZE    0x300
#define FW_SNP_XGCTX_VERSION 3

#endif
