/* SPDX-License-Identifier: MIT */
/*
 * hw/memsys_fw.h - the memory system's privileged interface, meant for the
 * Secure Processor firmware alone: key slots, access under any key, and
 * the data-fabric flush. The port is claimed once per SoC; a second claim
 * fails with SWSEV_HW_BUSY, so only the firmware that booted the SoC can
 * program keys.
 */
#ifndef SWSEV_HW_MEMSYS_FW_H
#define SWSEV_HW_MEMSYS_FW_H

#include "swsev/memsys.h"

struct memsys_fw_port;

swsev_rc memsys_claim_fw_port(struct memsys *ms, struct memsys_fw_port **port);
struct memsys *memsys_fw_port_memsys(struct memsys_fw_port *port);

/* Key slots. asid 0 is the host SME key. keylen 16 (AES-128) or 32 (AES-256). */
swsev_rc memsys_fw_set_key(struct memsys_fw_port *port, uint32_t asid, const uint8_t *key,
                           size_t keylen);
swsev_rc memsys_fw_clear_key(struct memsys_fw_port *port, uint32_t asid);
bool memsys_fw_has_key(struct memsys_fw_port *port, uint32_t asid);

/* Access by SPA (no C-bit) under key selector keysel (an ASID or
 * MEMSYS_KEYSEL_PLAIN), through the cache like any other agent. */
swsev_rc memsys_fw_read(struct memsys_fw_port *port, uint32_t keysel, uint64_t spa, void *buf,
                        size_t len);
swsev_rc memsys_fw_write(struct memsys_fw_port *port, uint32_t keysel, uint64_t spa,
                         const void *buf, size_t len);

/* WBINVD bookkeeping: the counter of cache-wide flushes each core has
 * executed. The firmware compares them with its own records to decide
 * whether DF_FLUSH may run (WBINVD_REQUIRED otherwise). */
uint64_t memsys_fw_wbinvd_count(struct memsys_fw_port *port, unsigned core);
/* Data-fabric flush: drains the memory controllers' write queues. In this
 * model write-backs are synchronous, so it only counts; it does not touch
 * the CPU cache (that is WBINVD's job). Returns the number of lines still
 * cached under guest ASIDs, for the firmware's diagnostics. */
unsigned memsys_fw_df_flush(struct memsys_fw_port *port);

/* The full RMP entry as the firmware sees it (the raw 16-byte format of
 * sev-reference 5.4: lo = ASSIGNED, PAGE_SIZE, IMMUTABLE, subpage count,
 * GFN, ASID, VMSA, VALIDATED, LOCK; hi = VMPL0..3 permission bytes). */
struct rmp_entry {
    bool assigned, size_2m, immutable, vmsa, validated, lock;
    uint16_t subpage_count;
    uint64_t gpa; /* page aligned */
    uint32_t asid;
    uint8_t perms[4]; /* VMPL0..VMPL3 */
};
/* The entry of the 4 KiB page at spa (for a page inside a 2 MiB entry, the
 * 2 MiB entry's state). SWSEV_HW_ERR(SWSEV_HW_RANGE) outside the RMP. */
swsev_rc memsys_fw_rmp_read(struct memsys_fw_port *port, uint64_t spa, struct rmp_entry *e);
/* Write the entry of the 4 KiB page at spa, or, with e->size_2m and a
 * 2 MiB-aligned spa, of the whole 2 MiB page. */
swsev_rc memsys_fw_rmp_write(struct memsys_fw_port *port, uint64_t spa, const struct rmp_entry *e);
/* Invalidate cached translations and RMP checks (the firmware changed the
 * RMP; hardware does the same through its TLB shootdown). */
void memsys_fw_rmp_changed(struct memsys_fw_port *port);

/* Seal the VMSA at spa (encrypted under asid) as it is now: VMRUN accepts
 * it only while its plaintext matches (see hw/vmsa_seal.c). */
swsev_rc memsys_fw_vmsa_seal(struct memsys_fw_port *port, uint64_t spa, uint32_t asid);
void memsys_fw_vmsa_unseal(struct memsys_fw_port *port, uint64_t spa);

#endif
