/* SPDX-License-Identifier: MIT */
/* hw/memsys_priv.h - the memory system's internals, shared by its files. */
#ifndef SWSEV_HW_MEMSYS_PRIV_H
#define SWSEV_HW_MEMSYS_PRIV_H

#include <pthread.h>

#include "hw/cache.h"
#include "hw/dram.h"
#include "hw/memctl.h"
#include "hw/memsys_fw.h"
#include "hw/tlb.h"

_Static_assert(MEMCTL_KEYSEL_PLAIN == CACHE_KEYSEL_PLAIN, "one plaintext key selector");
_Static_assert(MEMSYS_KEYSEL_PLAIN == CACHE_KEYSEL_PLAIN, "one plaintext key selector");

struct memsys_fw_port {
    struct memsys *ms;
};

/* The checksum of one encrypted VMSA (vmsa_seal.c). */
#define MS_VMSA_SEALS 512
struct ms_vmsa_seal {
    uint64_t spa;
    uint32_t asid;
    bool used;
    uint8_t digest[32];
};

struct memsys {
    struct chip_config cfg;
    pthread_mutex_t lock;
    struct dram dram;
    struct memctl mc;
    struct cache cache;
    uint64_t cbit_mask;
    uint64_t pa_limit_mask; /* bits [eff_pa_bits-1:0] */
    struct memsys_fw_port port;
    bool port_claimed;
    uint64_t *wbinvd_count; /* per core */
    uint64_t df_flushes;
    struct tlb tlb;
    /* SNP: RMP_BASE / RMP_END and SYSCFG.SNPEn. */
    uint64_t rmp_base, rmp_end;
    bool rmp_configured, snp_enabled;
    struct ms_vmsa_seal seals[MS_VMSA_SEALS];
    /* Bumped by every write to DRAM and every key change: lets a backend
     * that caches guest pages know when nothing changed behind it. */
    uint64_t generation;
};

/* VMSA integrity (vmsa_seal.c), lock held. */
swsev_rc ms_vmsa_seal(struct memsys *ms, uint64_t spa, uint32_t asid, const uint8_t page[4096]);
bool ms_vmsa_check(struct memsys *ms, uint64_t spa, uint32_t asid, const uint8_t page[4096]);

/* RMP (rmp.c), lock held. */
swsev_rc ms_rmp_get(struct memsys *ms, uint64_t spa, struct rmp_entry *e);
swsev_rc ms_rmp_put(struct memsys *ms, uint64_t spa, const struct rmp_entry *e);
/* The RMP check of a host write to [spa, spa + len). */
swsev_rc ms_rmp_check_host_write(struct memsys *ms, uint64_t spa, size_t len, struct hw_fault *f);
/* The RMP check of a guest access through translation x. */
swsev_rc ms_rmp_check_guest(struct memsys *ms, const struct hw_guest_ctx *g,
                            const struct hw_xlate *x, enum hw_access acc, struct hw_fault *f);

/* Physical access under keysel with the lock held: range and key checked,
 * split at page boundaries, through the cache. */
swsev_rc ms_phys_access(struct memsys *ms, uint32_t keysel, uint64_t spa, void *buf, size_t len,
                        bool write);

/* Page-table entry access for the walker: the read records the page as a
 * page-table page (see hw/tlb.h); the write sets accessed/dirty bits and
 * does not invalidate translations. */
swsev_rc ms_pt_read(struct memsys *ms, uint32_t keysel, uint64_t spa, uint64_t *val);
void ms_pt_write_ad(struct memsys *ms, uint32_t keysel, uint64_t spa, uint64_t val);

/* Translation with the lock held (paging.c). */
swsev_rc ms_nested_translate(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gpa,
                             enum hw_access acc, bool walk, uint64_t *spa, bool *npt_c,
                             uint8_t *level, uint8_t *perms, struct hw_fault *f);
swsev_rc ms_guest_translate(struct memsys *ms, const struct hw_guest_ctx *g, uint64_t gva,
                            enum hw_access acc, struct hw_xlate *x, struct hw_fault *f);
/* Key selector of a final guest access given its translation pieces. */
swsev_rc ms_guest_keysel(struct memsys *ms, const struct hw_guest_ctx *g, bool private_, bool npt_c,
                         uint32_t *keysel);

#endif
