/* SPDX-License-Identifier: MIT */
#include <errno.h>
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

/* ---- whole host ---- */
#include "crypto/sev_launch.h"

static swsev_rc ts_nv_store(void *ctx, const void *blob, size_t len)
{
    struct ts_host *h = ctx;
    if (len > sizeof(h->nv))
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    if (len)
        memcpy(h->nv, blob, len);
    h->nv_len = len;
    h->nv_stores++;
    return SWSEV_OK;
}

static void host_power_on(struct ts_host *h, const char *chip, bool init_on_probe)
{
    struct machine_config mc;
    assert_int_equal(machine_config_default(&mc, chip), SWSEV_OK);
    mc.chip.dram_size = 256ull << 20;
    mc.seed = h->tag;
    mc.seed_len = strlen(h->tag);
    mc.init_on_probe = init_on_probe;
    mc.snp = mc.snp && !h->snp_off;
    struct fw_nv_ops nv = {h, ts_nv_store};
    swsev_rc rc = machine_create(&h->m, &mc, &h->id, h->nv_len ? h->nv : NULL, h->nv_len, &nv);
    if (rc)
        fail_msg("machine_create: %s", swsev_strerror(rc));
    h->psp = machine_psp_driver(h->m);
    h->ms = machine_memsys(h->m);
}

void ts_host_init(struct ts_host *h, const char *chip, const char *secret_tag, bool init_on_probe)
{
    memset(h, 0, sizeof(*h));
    snprintf(h->tag, sizeof(h->tag), "%s", secret_tag);
    assert_int_equal(sev_kdf((const uint8_t *)secret_tag, strlen(secret_tag), "ts-chip", NULL, 0,
                             h->id.chip_secret, 32),
                     SWSEV_OK);
    host_power_on(h, chip, init_on_probe);
}

void ts_host_init_nosnp(struct ts_host *h, const char *chip, const char *secret_tag,
                        bool init_on_probe)
{
    memset(h, 0, sizeof(*h));
    h->snp_off = true;
    snprintf(h->tag, sizeof(h->tag), "%s", secret_tag);
    assert_int_equal(sev_kdf((const uint8_t *)secret_tag, strlen(secret_tag), "ts-chip", NULL, 0,
                             h->id.chip_secret, 32),
                     SWSEV_OK);
    host_power_on(h, chip, init_on_probe);
}

void ts_host_restart(struct ts_host *h, bool init_on_probe)
{
    char chip[16];
    snprintf(chip, sizeof(chip), "%s", memsys_chip(h->ms)->name);
    machine_destroy(h->m);
    host_power_on(h, chip, init_on_probe);
}

void ts_host_fini(struct ts_host *h)
{
    machine_destroy(h->m);
    memset(h, 0, sizeof(*h));
}

uint16_t ts_cmd(struct ts_host *h, uint32_t cmd, void *buf, size_t len)
{
    uint32_t err = 0xdead;
    hv_psp_do_cmd(h->psp, cmd, buf, len, &err);
    return (uint16_t)err;
}

uint64_t ts_hbuf(struct ts_host *h, size_t len)
{
    uint64_t pa;
    size_t pages = (len + 4095) / 4096;
    assert_int_equal(hv_hostmem_alloc(machine_hostmem(h->m), pages ? pages : 1, 1, &pa), SWSEV_OK);
    uint8_t zero[4096] = {0};
    for (size_t i = 0; i < (pages ? pages : 1); i++)
        ts_hwrite(h, pa + i * 4096, zero, 4096);
    return pa;
}

void ts_hwrite(struct ts_host *h, uint64_t pa, const void *p, size_t len)
{
    assert_int_equal(memsys_host_write(h->ms, pa, p, len), SWSEV_OK);
}

void ts_hread(struct ts_host *h, uint64_t pa, void *p, size_t len)
{
    assert_int_equal(memsys_host_read(h->ms, pa, p, len), SWSEV_OK);
}

void ts_platform_status(struct ts_host *h, uint8_t out[12])
{
    memset(out, 0, 12);
    assert_int_equal(ts_cmd(h, 0x004, out, 12), 0);
}

/* ---- test root ---- */
#include "crypto/digest.h"
#include "crypto/sevcert.h"

const struct ts_root *ts_test_root(void)
{
    /* Generating RSA-4096 keys takes seconds: once per program. */
    static struct ts_root root;
    static int made;
    if (!made) {
        struct crypto_drbg *rng;
        assert_int_equal(crypto_drbg_new(&rng, "root", 4), SWSEV_OK);
        assert_int_equal(
            amdcert_create_root(rng, &root.ark_key, &root.ark, &root.ask_key, &root.ask), SWSEV_OK);
        crypto_drbg_free(rng);
        made = 1;
    }
    return &root;
}

void ts_host_provision(struct ts_host *h, const struct ts_root *root)
{
    struct fw_params p;
    fw_params_for_chip(&p, memsys_chip(h->ms)->name);
    struct sev_cert cek;
    assert_int_equal(fw_cek_cert_template(h->id.chip_secret, &p, (uint8_t *)&cek), SWSEV_OK);
    assert_int_equal(sevcert_sign(&cek, 0, SEV_USAGE_ASK, SEV_ALGO_RSA_SHA384, root->ask_key),
                     SWSEV_OK);
    memcpy(h->id.cek_cert, &cek, sizeof(cek));
    h->id.has_cek_cert = true;
    assert_int_equal(
        crypto_hash(CRYPTO_SHA256, root->ark.raw, root->ark.len, h->id.trusted_ark_sha256),
        SWSEV_OK);
    h->id.has_trusted_ark = true;
    ts_host_restart(h, true);
}
