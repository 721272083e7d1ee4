/* SPDX-License-Identifier: MIT */
/*
 * hw/memctl.h - the memory controller: key slots and the encryption engine
 * between the cache and DRAM.
 *
 * Slot 0 holds the host's SME key, slots 1..nr_asids the guests' keys.
 * A slot keeps its key until it is overwritten or cleared: deactivating a
 * guest does not erase its key, which is why stale cache lines of an old
 * guest are written back under whatever key the slot holds later.
 */
#ifndef SWSEV_HW_MEMCTL_H
#define SWSEV_HW_MEMCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/aes_ecb.h"
#include "hw/dram.h"
#include "hw/xex.h"

#define MEMCTL_KEYSEL_PLAIN 0xFFFFFFFFu

struct memctl_slot {
    bool present;
    uint8_t keylen;
    struct crypto_aes_ecb aes;
};

struct memctl_stats {
    uint64_t bytes_encrypted, bytes_decrypted, dropped_writes;
};

struct memctl {
    struct dram *dram;
    struct xex_tweak tweak;
    uint32_t nr_slots;
    struct memctl_slot *slots;
    struct memctl_stats stats;
};

/* tweak_rnd: XEX_NR_BITS * 16 random bytes drawn at power-on. */
swsev_rc memctl_init(struct memctl *mc, struct dram *dram, uint32_t nr_asids,
                     const uint8_t *tweak_rnd);
void memctl_fini(struct memctl *mc);

/* Install a 16- or 32-byte key in slot asid (replacing what was there). */
swsev_rc memctl_set_key(struct memctl *mc, uint32_t asid, const uint8_t *key, size_t keylen);
swsev_rc memctl_clear_key(struct memctl *mc, uint32_t asid);
bool memctl_has_key(const struct memctl *mc, uint32_t keysel);

/* DRAM transfers. keysel is a slot or MEMCTL_KEYSEL_PLAIN. Encrypted
 * transfers need pa and len 16-byte aligned. */
swsev_rc memctl_read(struct memctl *mc, uint32_t keysel, uint64_t pa, uint8_t *buf, size_t len);
swsev_rc memctl_write(struct memctl *mc, uint32_t keysel, uint64_t pa, const uint8_t *buf,
                      size_t len);

#endif
