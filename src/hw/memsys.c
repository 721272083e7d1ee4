/* SPDX-License-Identifier: MIT */
/* The memory system: power-on, the host and firmware paths, cache control. */
#include <stdlib.h>
#include <string.h>

#include "crypto/drbg.h"
#include "hw/memsys_priv.h"

static swsev_rc be_fill(void *ctx, uint32_t keysel, uint64_t pa, uint8_t *buf, size_t len)
{
    return memctl_read(ctx, keysel, pa, buf, len);
}

static swsev_rc be_writeback(void *ctx, uint32_t keysel, uint64_t pa, const uint8_t *buf,
                             size_t len)
{
    return memctl_write(ctx, keysel, pa, buf, len);
}

swsev_rc memsys_create(struct memsys **out, const struct chip_config *cfg, struct crypto_drbg *rng)
{
    swsev_rc rc = chip_config_check(cfg);
    if (rc)
        return rc;
    struct memsys *ms = calloc(1, sizeof(*ms));
    if (!ms)
        return SWSEV_HW_ERR(SWSEV_HW_NOMEM);
    ms->cfg = *cfg;
    pthread_mutex_init(&ms->lock, NULL);
    ms->cbit_mask = 1ull << cfg->cbit;
    ms->pa_limit_mask = (1ull << chip_effective_pa_bits(cfg)) - 1;
    ms->port.ms = ms;
    tlb_init(&ms->tlb);
    ms->wbinvd_count = calloc(cfg->nr_cores, sizeof(uint64_t));

    uint8_t rnd[XEX_NR_BITS * 16], sme_key[16];
    if (!ms->wbinvd_count)
        rc = SWSEV_HW_ERR(SWSEV_HW_NOMEM);
    if (!rc)
        rc = crypto_drbg_bytes(rng, rnd, sizeof(rnd));
    if (!rc)
        rc = crypto_drbg_bytes(rng, sme_key, sizeof(sme_key));
    if (!rc)
        rc = dram_init(&ms->dram, cfg->dram_size);
    if (!rc)
        rc = memctl_init(&ms->mc, &ms->dram, cfg->nr_asids, rnd);
    /* The SME key is generated at power-on and never leaves the SoC. */
    if (!rc)
        rc = memctl_set_key(&ms->mc, 0, sme_key, sizeof(sme_key));
    if (!rc) {
        struct cache_backend be = {&ms->mc, be_fill, be_writeback};
        rc = cache_init(&ms->cache, cfg->cache_sets, cfg->cache_ways,
                        (cfg->features & CPUID_SEV_HW_COHERENCY) != 0, &be);
    }
    memset(rnd, 0, sizeof(rnd));
    memset(sme_key, 0, sizeof(sme_key));
    if (rc) {
        memsys_destroy(ms);
        return rc;
    }
    *out = ms;
    return SWSEV_OK;
}

void memsys_destroy(struct memsys *ms)
{
    if (!ms)
        return;
    cache_fini(&ms->cache);
    if (ms->mc.slots)
        memctl_fini(&ms->mc);
    dram_fini(&ms->dram);
    free(ms->wbinvd_count);
    pthread_mutex_destroy(&ms->lock);
    free(ms);
}

const struct chip_config *memsys_chip(const struct memsys *ms)
{
    return &ms->cfg;
}

uint64_t memsys_generation(struct memsys *ms)
{
    return __atomic_load_n(&ms->generation, __ATOMIC_RELAXED);
}

uint64_t memsys_cbit_mask(const struct memsys *ms)
{
    return ms->cbit_mask;
}

swsev_rc ms_phys_access(struct memsys *ms, uint32_t keysel, uint64_t spa, void *buf, size_t len,
                        bool write)
{
    swsev_rc rc = dram_check(&ms->dram, spa, len);
    if (rc)
        return rc;
    if (!memctl_has_key(&ms->mc, keysel))
        return SWSEV_HW_ERR(SWSEV_HW_NOKEY);
    if (write) {
        tlb_write_hook(&ms->tlb, spa, len);
        __atomic_add_fetch(&ms->generation, 1, __ATOMIC_RELAXED);
    }
    uint8_t *p = buf;
    while (len > 0 && rc == SWSEV_OK) {
        size_t chunk = 4096 - (spa & 4095);
        if (chunk > len)
            chunk = len;
        rc = write ? cache_write(&ms->cache, keysel, spa, p, chunk)
                   : cache_read(&ms->cache, keysel, spa, p, chunk);
        spa += chunk;
        p += chunk;
        len -= chunk;
    }
    return rc;
}

swsev_rc ms_pt_read(struct memsys *ms, uint32_t keysel, uint64_t spa, uint64_t *val)
{
    tlb_note_pt_page(&ms->tlb, spa);
    return ms_phys_access(ms, keysel, spa, val, sizeof(*val), false);
}

void ms_pt_write_ad(struct memsys *ms, uint32_t keysel, uint64_t spa, uint64_t val)
{
    /* The entry was just read at this address, so range and key are valid. */
    (void)cache_write(&ms->cache, keysel, spa, &val, sizeof(val));
}

/* Split a host address into key selector and SPA. */
static swsev_rc host_decode(const struct memsys *ms, uint64_t pa, uint32_t *keysel, uint64_t *spa)
{
    *keysel = (pa & ms->cbit_mask) ? 0 : MEMSYS_KEYSEL_PLAIN;
    *spa = pa & ~ms->cbit_mask;
    if (*spa & ~ms->pa_limit_mask)
        return SWSEV_HW_ERR(SWSEV_HW_RANGE);
    return SWSEV_OK;
}

static swsev_rc host_access(struct memsys *ms, uint64_t pa, void *buf, size_t len, bool write)
{
    uint32_t keysel;
    uint64_t spa;
    swsev_rc rc = host_decode(ms, pa, &keysel, &spa);
    if (rc)
        return rc;
    pthread_mutex_lock(&ms->lock);
    if (write)
        rc = ms_rmp_check_host_write(ms, spa, len, NULL);
    if (!rc)
        rc = ms_phys_access(ms, keysel, spa, buf, len, write);
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

swsev_rc memsys_host_read(struct memsys *ms, uint64_t pa, void *buf, size_t len)
{
    return host_access(ms, pa, buf, len, false);
}

swsev_rc memsys_host_write(struct memsys *ms, uint64_t pa, const void *buf, size_t len)
{
    return host_access(ms, pa, (void *)buf, len, true);
}

swsev_rc memsys_host_read64(struct memsys *ms, uint64_t pa, uint64_t *val)
{
    if (pa & 7)
        return SWSEV_HW_ERR(SWSEV_HW_ALIGN);
    return host_access(ms, pa, val, sizeof(*val), false);
}

swsev_rc memsys_host_write64(struct memsys *ms, uint64_t pa, uint64_t val)
{
    if (pa & 7)
        return SWSEV_HW_ERR(SWSEV_HW_ALIGN);
    return host_access(ms, pa, &val, sizeof(val), true);
}

void memsys_wbinvd(struct memsys *ms, unsigned core)
{
    pthread_mutex_lock(&ms->lock);
    cache_flush_all(&ms->cache);
    tlb_flush(&ms->tlb);
    if (core < ms->cfg.nr_cores)
        ms->wbinvd_count[core]++;
    pthread_mutex_unlock(&ms->lock);
}

swsev_rc memsys_vm_page_flush(struct memsys *ms, uint64_t value)
{
    uint32_t asid = value & 0xfff;
    uint64_t pa = value & ~0xfffull;
    if (asid > ms->cfg.nr_asids || (pa & ~ms->pa_limit_mask))
        return SWSEV_HW_ERR(SWSEV_HW_INVAL);
    if (dram_check(&ms->dram, pa, 4096))
        return SWSEV_HW_ERR(SWSEV_HW_RANGE);
    pthread_mutex_lock(&ms->lock);
    cache_flush_page(&ms->cache, asid, pa, false);
    pthread_mutex_unlock(&ms->lock);
    return SWSEV_OK;
}

swsev_rc memsys_clflush(struct memsys *ms, uint64_t pa)
{
    uint32_t keysel;
    uint64_t spa;
    swsev_rc rc = host_decode(ms, pa, &keysel, &spa);
    if (!rc)
        rc = dram_check(&ms->dram, spa, 1);
    if (rc)
        return rc;
    pthread_mutex_lock(&ms->lock);
    cache_flush_line(&ms->cache, keysel, spa);
    pthread_mutex_unlock(&ms->lock);
    return SWSEV_OK;
}

swsev_rc memsys_clflush_range(struct memsys *ms, uint64_t pa, uint64_t len)
{
    uint32_t keysel;
    uint64_t spa;
    swsev_rc rc = host_decode(ms, pa, &keysel, &spa);
    if (!rc)
        rc = dram_check(&ms->dram, spa, len);
    if (rc)
        return rc;
    pthread_mutex_lock(&ms->lock);
    cache_flush_range(&ms->cache, keysel, spa, len);
    pthread_mutex_unlock(&ms->lock);
    return SWSEV_OK;
}

unsigned memsys_cached_lines(struct memsys *ms, uint32_t keysel, unsigned *dirty)
{
    pthread_mutex_lock(&ms->lock);
    unsigned n = cache_count_keysel(&ms->cache, keysel, dirty);
    pthread_mutex_unlock(&ms->lock);
    return n;
}

void memsys_get_stats(struct memsys *ms, struct memsys_stats *st)
{
    pthread_mutex_lock(&ms->lock);
    st->cache_hits = ms->cache.stats.hits;
    st->cache_misses = ms->cache.stats.misses;
    st->cache_writebacks = ms->cache.stats.writebacks;
    st->cache_evictions = ms->cache.stats.evictions;
    st->bytes_encrypted = ms->mc.stats.bytes_encrypted;
    st->bytes_decrypted = ms->mc.stats.bytes_decrypted;
    st->dropped_writes = ms->mc.stats.dropped_writes;
    pthread_mutex_unlock(&ms->lock);
}

uint64_t memsys_resident_bytes(struct memsys *ms)
{
    return dram_resident_bytes(&ms->dram);
}

/* ---- the firmware port ---- */

swsev_rc memsys_claim_fw_port(struct memsys *ms, struct memsys_fw_port **port)
{
    pthread_mutex_lock(&ms->lock);
    bool taken = ms->port_claimed;
    ms->port_claimed = true;
    pthread_mutex_unlock(&ms->lock);
    if (taken)
        return SWSEV_HW_ERR(SWSEV_HW_BUSY);
    *port = &ms->port;
    return SWSEV_OK;
}

struct memsys *memsys_fw_port_memsys(struct memsys_fw_port *port)
{
    return port->ms;
}

swsev_rc memsys_fw_set_key(struct memsys_fw_port *port, uint32_t asid, const uint8_t *key,
                           size_t keylen)
{
    struct memsys *ms = port->ms;
    pthread_mutex_lock(&ms->lock);
    swsev_rc rc = memctl_set_key(&ms->mc, asid, key, keylen);
    __atomic_add_fetch(&ms->generation, 1, __ATOMIC_RELAXED);
    tlb_flush(&ms->tlb);
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

swsev_rc memsys_fw_clear_key(struct memsys_fw_port *port, uint32_t asid)
{
    struct memsys *ms = port->ms;
    pthread_mutex_lock(&ms->lock);
    swsev_rc rc = memctl_clear_key(&ms->mc, asid);
    __atomic_add_fetch(&ms->generation, 1, __ATOMIC_RELAXED);
    tlb_flush(&ms->tlb);
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

bool memsys_fw_has_key(struct memsys_fw_port *port, uint32_t asid)
{
    struct memsys *ms = port->ms;
    pthread_mutex_lock(&ms->lock);
    bool has = asid != MEMSYS_KEYSEL_PLAIN && memctl_has_key(&ms->mc, asid);
    pthread_mutex_unlock(&ms->lock);
    return has;
}

static swsev_rc fw_access(struct memsys_fw_port *port, uint32_t keysel, uint64_t spa, void *buf,
                          size_t len, bool write)
{
    struct memsys *ms = port->ms;
    if (keysel != MEMSYS_KEYSEL_PLAIN && keysel > ms->cfg.nr_asids)
        return SWSEV_HW_ERR(SWSEV_HW_INVAL);
    pthread_mutex_lock(&ms->lock);
    swsev_rc rc = ms_phys_access(ms, keysel, spa, buf, len, write);
    pthread_mutex_unlock(&ms->lock);
    return rc;
}

swsev_rc memsys_fw_read(struct memsys_fw_port *port, uint32_t keysel, uint64_t spa, void *buf,
                        size_t len)
{
    return fw_access(port, keysel, spa, buf, len, false);
}

swsev_rc memsys_fw_write(struct memsys_fw_port *port, uint32_t keysel, uint64_t spa,
                         const void *buf, size_t len)
{
    return fw_access(port, keysel, spa, (void *)buf, len, true);
}

uint64_t memsys_fw_wbinvd_count(struct memsys_fw_port *port, unsigned core)
{
    struct memsys *ms = port->ms;
    pthread_mutex_lock(&ms->lock);
    uint64_t n = core < ms->cfg.nr_cores ? ms->wbinvd_count[core] : 0;
    pthread_mutex_unlock(&ms->lock);
    return n;
}

unsigned memsys_fw_df_flush(struct memsys_fw_port *port)
{
    struct memsys *ms = port->ms;
    unsigned left = 0;
    pthread_mutex_lock(&ms->lock);
    ms->df_flushes++;
    left = cache_count_keysel_range(&ms->cache, 1, ms->cfg.nr_asids, NULL);
    pthread_mutex_unlock(&ms->lock);
    return left;
}
