/* SPDX-License-Identifier: MIT */
/* Guest contexts, ASIDs and the flush rules; key sharing; COPY; SWAP. */
#include "testsupport.h"
#include "swsev/abi/sev_cmd.h"
#include "swsev/fw_status.h"

#define S(x) SEV_STATUS_##x

static uint32_t launch(struct ts_host *h, uint32_t share, uint32_t policy, uint16_t *st)
{
    struct sev_fw_launch_start ls = {.handle = share, .policy = policy};
    *st = ts_cmd(h, SEV_CMD_LAUNCH_START, &ls, sizeof(ls));
    return ls.handle;
}

static uint16_t activate(struct ts_host *h, uint32_t handle, uint32_t asid)
{
    struct sev_fw_activate a = {handle, asid};
    return ts_cmd(h, SEV_CMD_ACTIVATE, &a, sizeof(a));
}

static uint16_t by_handle(struct ts_host *h, uint32_t cmd, uint32_t handle)
{
    struct sev_fw_handle b = {handle};
    return ts_cmd(h, cmd, &b, sizeof(b));
}

static void asid_rules(void **state)
{
    (void)state;
    struct ts_host h;
    ts_host_init(&h, "rome", "asid", true); /* 509 ASIDs, SEV from 100 */
    uint16_t st;
    uint32_t g1 = launch(&h, 0, 0, &st);
    assert_int_equal(st, 0);
    uint32_t g2 = launch(&h, 0, 0, &st);
    assert_int_equal(st, 0);
    assert_int_equal(activate(&h, g1, 0), S(INVALID_ASID));
    assert_int_equal(activate(&h, g1, 510), S(INVALID_ASID));
    assert_int_equal(activate(&h, g1, 99), S(INVALID_ASID)); /* an SEV-ES ASID */
    assert_int_equal(activate(&h, 999, 100), S(INVALID_GUEST));
    assert_int_equal(activate(&h, g1, 100), 0);
    assert_int_equal(activate(&h, g1, 101), S(ACTIVE));
    assert_int_equal(activate(&h, g2, 100), S(ASID_OWNED));
    struct sev_fw_guest_status gs = {.handle = g1};
    assert_int_equal(ts_cmd(&h, SEV_CMD_GUEST_STATUS, &gs, sizeof(gs)), 0);
    assert_int_equal(gs.asid, 100);
    assert_int_equal(gs.state, SEV_GSTATE_LUPDATE);
    assert_int_equal(by_handle(&h, SEV_CMD_DECOMMISSION, g1), S(ACTIVE));

    /* DEACTIVATE leaves the ASID dirty until WBINVD on every core + DF_FLUSH. */
    assert_int_equal(by_handle(&h, SEV_CMD_DEACTIVATE, g1), 0);
    assert_int_equal(activate(&h, g2, 100), S(DFFLUSH_REQUIRED));
    assert_int_equal(ts_cmd(&h, SEV_CMD_DF_FLUSH, NULL, 0), S(WBINVD_REQUIRED));
    memsys_wbinvd(h.ms, 0);
    assert_int_equal(ts_cmd(&h, SEV_CMD_DF_FLUSH, NULL, 0), S(WBINVD_REQUIRED)); /* core 1? */
    memsys_wbinvd(h.ms, 1);
    assert_int_equal(ts_cmd(&h, SEV_CMD_DF_FLUSH, NULL, 0), 0);
    assert_int_equal(activate(&h, g2, 100), 0);
    /* A fresh ASID needs no flush. */
    assert_int_equal(by_handle(&h, SEV_CMD_DEACTIVATE, g2), 0);
    assert_int_equal(activate(&h, g1, 200), 0);

    /* DECOMMISSION: the handle is gone, the platform back to INIT at the end. */
    assert_int_equal(by_handle(&h, SEV_CMD_DECOMMISSION, g2), 0);
    assert_int_equal(by_handle(&h, SEV_CMD_DECOMMISSION, g2), S(INVALID_GUEST));
    assert_int_equal(by_handle(&h, SEV_CMD_DEACTIVATE, g1), 0);
    assert_int_equal(by_handle(&h, SEV_CMD_DECOMMISSION, g1), 0);
    uint8_t ps[12];
    ts_platform_status(&h, ps);
    assert_int_equal(ps[2], SEV_STATE_INIT);
    assert_int_equal(ps[8], 0);
    ts_host_fini(&h);
}

static void es_guests(void **state)
{
    (void)state;
    struct ts_host h;
    ts_host_init(&h, "rome", "es", true); /* the driver inits with SEV-ES and a TMR */
    uint8_t ps[12];
    ts_platform_status(&h, ps);
    assert_int_equal(ps[4], 1);
    uint16_t st;
    uint32_t g = launch(&h, 0, SEV_POLICY_ES, &st);
    assert_int_equal(st, 0);
    assert_int_equal(activate(&h, g, 100), S(INVALID_ASID)); /* ES wants < 100 */
    assert_int_equal(activate(&h, g, 5), 0);
    /* LAUNCH_UPDATE_VMSA: one page, page-aligned. */
    uint64_t page = ts_hbuf(&h, 4096);
    struct sev_fw_launch_update u = {g, 0, page + 16, 4096};
    assert_int_equal(ts_cmd(&h, SEV_CMD_LAUNCH_UPDATE_VMSA, &u, sizeof(u)), S(INVALID_LENGTH));
    u.paddr = page;
    u.len = 2048;
    assert_int_equal(ts_cmd(&h, SEV_CMD_LAUNCH_UPDATE_VMSA, &u, sizeof(u)), S(INVALID_LENGTH));
    u.len = 4096;
    assert_int_equal(ts_cmd(&h, SEV_CMD_LAUNCH_UPDATE_VMSA, &u, sizeof(u)), 0);
    /* Not for a plain SEV guest. */
    uint32_t p = launch(&h, 0, 0, &st);
    assert_int_equal(activate(&h, p, 150), 0);
    u.handle = p;
    assert_int_equal(ts_cmd(&h, SEV_CMD_LAUNCH_UPDATE_VMSA, &u, sizeof(u)), S(INVALID_GUEST));
    ts_host_fini(&h);
}

static void key_sharing_and_copy(void **state)
{
    (void)state;
    struct ts_host h;
    ts_host_init(&h, "rome", "share", true);
    uint16_t st;
    uint32_t a = launch(&h, 0, 0, &st);
    uint32_t b = launch(&h, a, 0, &st); /* shares a's key */
    assert_int_equal(st, 0);
    assert_int_equal(activate(&h, a, 100), 0);
    assert_int_equal(activate(&h, b, 101), 0);
    /* Guest a encrypts a page; guest b, with the same key, reads it. */
    uint64_t page = ts_hbuf(&h, 8192);
    uint8_t data[4096], out[4096];
    for (int i = 0; i < 4096; i++)
        data[i] = (uint8_t)(i ^ 0x5a);
    ts_hwrite(&h, page, data, sizeof(data));
    /* Rome keeps no coherency across keys: the host's plaintext lines must
     * leave the cache before the firmware rewrites the page (KVM flushes
     * too), and guest a's lines (ASID 100) before guest b (ASID 101) reads. */
    memsys_wbinvd(h.ms, 0);
    struct sev_fw_launch_update u = {a, 0, page, 4096};
    assert_int_equal(ts_cmd(&h, SEV_CMD_LAUNCH_UPDATE_DATA, &u, sizeof(u)), 0);
    memsys_wbinvd(h.ms, 0);
    uint64_t dst = ts_hbuf(&h, 4096);
    struct sev_fw_dbg d = {b, 0, page, dst, 4096};
    assert_int_equal(ts_cmd(&h, SEV_CMD_DBG_DECRYPT, &d, sizeof(d)), 0);
    ts_hread(&h, dst, out, sizeof(out));
    assert_memory_equal(out, data, sizeof(out));
    /* NOKS refuses sharing; sharing with an unknown guest fails. */
    launch(&h, a, SEV_POLICY_NOKS, &st);
    assert_int_equal(st, S(POLICY_FAILURE));
    launch(&h, 777, 0, &st);
    assert_int_equal(st, S(INVALID_GUEST));

    /* COPY moves a guest page, re-encrypting it for its new address. */
    struct sev_fw_copy cp = {a, 4096, page, page + 4096};
    assert_int_equal(ts_cmd(&h, SEV_CMD_COPY, &cp, sizeof(cp)), 0);
    uint8_t c1[64], c2[64];
    ts_hread(&h, page, c1, 64);
    ts_hread(&h, page + 4096, c2, 64);
    assert_memory_not_equal(c1, c2, 64); /* another address, another ciphertext */
    d = (struct sev_fw_dbg){a, 0, page + 4096, dst, 4096};
    assert_int_equal(ts_cmd(&h, SEV_CMD_DBG_DECRYPT, &d, sizeof(d)), 0);
    ts_hread(&h, dst, out, sizeof(out));
    assert_memory_equal(out, data, sizeof(out));
    cp.length = 100;
    assert_int_equal(ts_cmd(&h, SEV_CMD_COPY, &cp, sizeof(cp)), S(INVALID_PARAM));
    cp = (struct sev_fw_copy){a, 8192, page, page + 4096};
    assert_int_equal(ts_cmd(&h, SEV_CMD_COPY, &cp, sizeof(cp)), S(INVALID_PARAM)); /* overlap */
    cp = (struct sev_fw_copy){a, 4096, page, 1ull << 40};
    assert_int_equal(ts_cmd(&h, SEV_CMD_COPY, &cp, sizeof(cp)), S(INVALID_ADDRESS));
    assert_int_equal(by_handle(&h, SEV_CMD_DEACTIVATE, a), 0);
    cp = (struct sev_fw_copy){a, 4096, page, page + 4096};
    assert_int_equal(ts_cmd(&h, SEV_CMD_COPY, &cp, sizeof(cp)), S(INACTIVE));
    ts_host_fini(&h);
}

static void swap_out_and_in(void **state)
{
    (void)state;
    struct ts_host h;
    ts_host_init(&h, "rome", "swap", true);
    uint16_t st;
    uint32_t g = launch(&h, 0, 0, &st);
    assert_int_equal(activate(&h, g, 100), 0);
    uint64_t page = ts_hbuf(&h, 4096), store = ts_hbuf(&h, 4096), md = ts_hbuf(&h, 64);
    uint64_t back = ts_hbuf(&h, 4096), dst = ts_hbuf(&h, 4096);
    uint8_t data[4096], out[4096];
    for (int i = 0; i < 4096; i++)
        data[i] = (uint8_t)(i * 3);
    ts_hwrite(&h, page, data, sizeof(data));
    struct sev_fw_launch_update u = {g, 0, page, 4096};
    assert_int_equal(ts_cmd(&h, SEV_CMD_LAUNCH_UPDATE_DATA, &u, sizeof(u)), 0);
    struct sev_fw_swap_out so = {g, 0, page, store, md, 0x1234};
    assert_int_equal(ts_cmd(&h, SEV_CMD_SWAP_OUT, &so, sizeof(so)), 0);
    uint8_t mdata[64];
    ts_hread(&h, md, mdata, 64);
    assert_int_equal(mdata[0], 0x34); /* software data comes back in the entry */
    struct sev_fw_swap_in si = {g, 0, store, back, md};
    assert_int_equal(ts_cmd(&h, SEV_CMD_SWAP_IN, &si, sizeof(si)), 0);
    struct sev_fw_dbg d = {g, 0, back, dst, 4096};
    assert_int_equal(ts_cmd(&h, SEV_CMD_DBG_DECRYPT, &d, sizeof(d)), 0);
    ts_hread(&h, dst, out, 4096);
    assert_memory_equal(out, data, 4096);
    /* A changed byte of the swapped page or of its entry: refused. */
    uint8_t b;
    ts_hread(&h, store + 100, &b, 1);
    b ^= 1;
    ts_hwrite(&h, store + 100, &b, 1);
    assert_int_equal(ts_cmd(&h, SEV_CMD_SWAP_IN, &si, sizeof(si)), S(SECURE_DATA_INVALID));
    b ^= 1;
    ts_hwrite(&h, store + 100, &b, 1);
    mdata[0] ^= 1;
    ts_hwrite(&h, md, mdata, 64);
    assert_int_equal(ts_cmd(&h, SEV_CMD_SWAP_IN, &si, sizeof(si)), S(SECURE_DATA_INVALID));
    mdata[0] ^= 1;
    ts_hwrite(&h, md, mdata, 64);
    si.flags = 1; /* a 2 MiB page the entry does not describe */
    assert_int_equal(ts_cmd(&h, SEV_CMD_SWAP_IN, &si, sizeof(si)), S(INVALID_ADDRESS));
    si.flags = 4; /* VMSA type for a non-ES guest */
    assert_int_equal(ts_cmd(&h, SEV_CMD_SWAP_IN, &si, sizeof(si)), S(INVALID_PARAM));
    si.flags = 0;
    so.src_paddr = page + 16;
    assert_int_equal(ts_cmd(&h, SEV_CMD_SWAP_OUT, &so, sizeof(so)), S(INVALID_ADDRESS));
    si.flags = 8; /* in place */
    assert_int_equal(ts_cmd(&h, SEV_CMD_SWAP_IN, &si, sizeof(si)), 0);
    d.src_paddr = store;
    assert_int_equal(ts_cmd(&h, SEV_CMD_DBG_DECRYPT, &d, sizeof(d)), 0);
    ts_hread(&h, dst, out, 4096);
    assert_memory_equal(out, data, 4096);
    ts_host_fini(&h);
}

static void activate_ex(void **state)
{
    (void)state;
    struct ts_host h;
    ts_host_init(&h, "rome", "actex", true);
    uint16_t st;
    uint32_t g = launch(&h, 0, 0, &st);
    uint64_t ids = ts_hbuf(&h, 16);
    struct sev_fw_activate_ex a = {0x10, g, 120, 2, ids};
    assert_int_equal(ts_cmd(&h, SEV_CMD_ACTIVATE_EX, &a, sizeof(a)), S(INVALID_LENGTH));
    a.ex_len = sizeof(a);
    a.ids_paddr = 1ull << 41;
    assert_int_equal(ts_cmd(&h, SEV_CMD_ACTIVATE_EX, &a, sizeof(a)), S(INVALID_ADDRESS));
    a.ids_paddr = ids;
    a.handle = 55;
    assert_int_equal(ts_cmd(&h, SEV_CMD_ACTIVATE_EX, &a, sizeof(a)), S(INVALID_GUEST));
    a.handle = g;
    assert_int_equal(ts_cmd(&h, SEV_CMD_ACTIVATE_EX, &a, sizeof(a)), 0);
    struct sev_fw_guest_status gs = {.handle = g};
    assert_int_equal(ts_cmd(&h, SEV_CMD_GUEST_STATUS, &gs, sizeof(gs)), 0);
    assert_int_equal(gs.asid, 120);
    assert_int_equal(ts_cmd(&h, SEV_CMD_ACTIVATE_EX, &a, sizeof(a)), S(ACTIVE));
    gs.handle = 99;
    assert_int_equal(ts_cmd(&h, SEV_CMD_GUEST_STATUS, &gs, sizeof(gs)), S(INVALID_GUEST));
    ts_host_fini(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(asid_rules),           cmocka_unit_test(es_guests),
        cmocka_unit_test(key_sharing_and_copy), cmocka_unit_test(swap_out_and_in),
        cmocka_unit_test(activate_ex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
