/* SPDX-License-Identifier: MIT */
/*
 * hv/snp_host.h - what the host kernel does for SEV-SNP (Linux
 * arch/x86/virt/svm/sev.c and the ccp driver): reserve and zero the RMP,
 * program RMP_BASE/RMP_END and set SYSCFG.SNPEn at boot, then SNP_INIT
 * followed by WBINVD on every core and SNP_DF_FLUSH; and the page
 * bookkeeping every SNP command needs: firmware pages handed to the PSP
 * (RMPUPDATE to assigned, ASID 0, immutable) and reclaimed afterwards
 * (SNP_PAGE_RECLAIM, then RMPUPDATE back to the hypervisor).
 */
#ifndef SWSEV_HV_SNP_HOST_H
#define SWSEV_HV_SNP_HOST_H

#include "hv/psp_drv.h"

/* Boot-time RMP set-up and SNP_INIT. *fw_error gets the firmware status. */
swsev_rc hv_snp_host_init(struct hv_psp *drv, uint32_t *fw_error);

/* A zeroed host page turned into a firmware page (spa without C-bit). */
swsev_rc hv_snp_fw_page_alloc(struct hv_psp *drv, uint64_t *spa);
/* Reclaim a firmware page for the host (keeps it allocated). */
swsev_rc hv_snp_page_reclaim(struct hv_psp *drv, uint64_t spa);
/* Reclaim and free. */
void hv_snp_fw_page_free(struct hv_psp *drv, uint64_t spa);
/* RMPUPDATE a guest page to Pre-Guest / back to the hypervisor. */
swsev_rc hv_snp_make_private(struct hv_psp *drv, uint64_t spa, uint64_t gpa, uint32_t asid);
swsev_rc hv_snp_make_shared(struct hv_psp *drv, uint64_t spa);

#endif
