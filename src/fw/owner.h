/* SPDX-License-Identifier: MIT */
/*
 * fw/owner.h - the platform owner's keys (OCA, PEK, PDH) and the firmware's
 * non-volatile storage of them.
 */
#ifndef SWSEV_FW_OWNER_H
#define SWSEV_FW_OWNER_H

#include "fw/fw.h"

/* New self-owned identity: OCA (self-signed), PEK (signed by OCA and CEK),
 * PDH (signed by PEK). Persists it. */
uint16_t fw_owner_generate_all(struct sev_fw *fw);
/* New PDH signed by the current PEK. Persists it. */
uint16_t fw_owner_new_pdh(struct sev_fw *fw);
/* Forget OCA, PEK and PDH (in memory only). */
void fw_owner_clear(struct sev_fw *fw);

/* Seal the owner state and hand it to storage: the NV callback, or the
 * INIT_EX buffer in host memory when the host provided one. */
uint16_t fw_nv_commit(struct sev_fw *fw);
/* INIT_EX: load the owner state from the host's NV buffer. An erased
 * buffer (all 0x00 or all 0xFF) means no state yet. */
uint16_t fw_nv_load_from_memory(struct sev_fw *fw, uint64_t paddr, uint32_t len);

#endif
