/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport.h"

const char *ts_data_path(const char *rel)
{
    static char path[4096];
    const char *base = getenv("SWSEV_TEST_DATA");
    if (!base)
        base = "tests/data";
    snprintf(path, sizeof(path), "%s/%s", base, rel);
    return path;
}

void ts_read_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = malloc(n > 0 ? (size_t)n : 1);
    assert_non_null(*buf);
    assert_int_equal(fread(*buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
}

size_t ts_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; hex[0] && hex[1] && n < cap; hex += 2) {
        unsigned v;
        assert_int_equal(sscanf(hex, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
    }
    return n;
}

void ts_machine_init(struct ts_machine *m, const char *chip, uint64_t dram)
{
    memset(m, 0, sizeof(*m));
    assert_int_equal(chip_config_preset(&m->cfg, chip), SWSEV_OK);
    if (dram)
        m->cfg.dram_size = dram;
    assert_int_equal(crypto_drbg_new(&m->rng, "swsev-tests", 11), SWSEV_OK);
    assert_int_equal(memsys_create(&m->ms, &m->cfg, m->rng), SWSEV_OK);
    assert_int_equal(memsys_claim_fw_port(m->ms, &m->fw), SWSEV_OK);
    assert_int_equal(hv_hostmem_init(&m->hm, 16ull << 20, m->cfg.dram_size - (16ull << 20)),
                     SWSEV_OK);
}

void ts_machine_fini(struct ts_machine *m)
{
    hv_hostmem_fini(&m->hm);
    memsys_destroy(m->ms);
    crypto_drbg_free(m->rng);
    memset(m, 0, sizeof(*m));
}

void ts_set_key(struct ts_machine *m, uint32_t asid, uint8_t fill)
{
    uint8_t key[16];
    memset(key, fill, sizeof(key));
    key[0] = (uint8_t)asid;
    assert_int_equal(memsys_fw_set_key(m->fw, asid, key, sizeof(key)), SWSEV_OK);
}

void ts_guest_init(struct ts_machine *m, struct ts_guest *g, uint32_t asid, uint64_t ram_size,
                   bool sev)
{
    memset(g, 0, sizeof(*g));
    g->ram_size = ram_size;
    assert_int_equal(hv_hostmem_alloc(&m->hm, ram_size / 4096, 1, &g->ram_spa), SWSEV_OK);
    assert_int_equal(hv_npt_init(&g->npt, m->ms, &m->hm, false), SWSEV_OK);
    assert_int_equal(hv_npt_map(&g->npt, 0, g->ram_spa, ram_size, NPT_RW, PGT_SIZE_4K), SWSEV_OK);
    g->ctx.asid = asid;
    g->ctx.sev = sev;
    g->ctx.np_enable = true;
    g->ctx.ncr3 = hv_npt_ncr3(&g->npt);
    assert_int_equal(guest_pgtable_init(&g->pt, m->ms, &g->ctx, TS_GUEST_PT_POOL, 256 * 1024),
                     SWSEV_OK);
    g->ctx.cr0 = X86_CR0_PG | X86_CR0_WP | 1;
    g->ctx.cr4 = X86_CR4_PAE;
    g->ctx.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
    g->ctx.cr3 = guest_pgtable_cr3(&g->pt);
}

void ts_guest_map(struct ts_guest *g, uint64_t gva, uint64_t gpa, uint64_t size, uint64_t flags)
{
    assert_int_equal(guest_pgtable_map(&g->pt, gva, gpa, size, flags, PGT_SIZE_4K), SWSEV_OK);
}

void ts_guest_fini(struct ts_guest *g)
{
    hv_npt_fini(&g->npt);
}
