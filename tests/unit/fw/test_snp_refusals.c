/* SPDX-License-Identifier: MIT */
/* Every refused SNP command changes nothing: for a table of malformed
 * buffers, wrong page states, wrong guests and wrong states, the firmware
 * returns the spec's status and the platform status, the guest's status,
 * the RMP entries and the contents of every page involved are exactly as
 * before. */
#include "testsupport.h"

#include "common/snp_pageinfo.h"
#include "crypto/digest.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/fw_status.h"

#define PAGE   0x1000ull
#define ASID   1
#define NPAGES 8

struct rig {
    struct ts_host h;
    uint64_t gctx, gctx2, ram, fwp, out;
};

static void rmp_set(struct rig *r, uint64_t spa, uint64_t gpa, bool a, bool imm, uint32_t asid)
{
    struct rmp_state st = {gpa, a, 0, imm, 0, asid};
    assert_int_equal(memsys_rmpupdate(r->h.ms, spa, &st), RMP_SUCCESS);
}

static uint64_t alloc(struct rig *r, uint64_t n)
{
    uint64_t pa;
    assert_int_equal(hv_hostmem_alloc(machine_hostmem(r->h.m), n, 1, &pa), SWSEV_OK);
    return pa;
}

static uint16_t cmd(struct rig *r, uint32_t id, void *b, size_t len)
{
    return ts_cmd(&r->h, id, b, len);
}

/* A running guest (pages 0..3 launched), a second context in INIT, a
 * firmware page and a hypervisor page. */
static void rig_init(struct rig *r)
{
    memset(r, 0, sizeof(*r));
    ts_host_init(&r->h, "milan", "snp-refusals", false);
    r->gctx = alloc(r, 1);
    r->gctx2 = alloc(r, 1);
    r->fwp = alloc(r, 1);
    r->out = alloc(r, 1);
    r->ram = alloc(r, NPAGES);
    rmp_set(r, r->gctx, 0, true, true, 0);
    rmp_set(r, r->gctx2, 0, true, true, 0);
    rmp_set(r, r->fwp, 0, true, true, 0);
    struct snp_fw_addr a = {r->gctx};
    assert_int_equal(cmd(r, SNP_CMD_GCTX_CREATE, &a, sizeof(a)), 0);
    a.paddr = r->gctx2;
    assert_int_equal(cmd(r, SNP_CMD_GCTX_CREATE, &a, sizeof(a)), 0);
    struct snp_fw_launch_start ls;
    memset(&ls, 0, sizeof(ls));
    ls.gctx_paddr = r->gctx;
    ls.policy = 0x30000;
    assert_int_equal(cmd(r, SNP_CMD_LAUNCH_START, &ls, sizeof(ls)), 0);
    struct snp_fw_activate act = {r->gctx, ASID};
    assert_int_equal(cmd(r, SNP_CMD_ACTIVATE, &act, sizeof(act)), 0);
    for (unsigned i = 0; i < 4; i++) {
        uint8_t page[PAGE];
        memset(page, (int)i + 1, sizeof(page));
        ts_hwrite(&r->h, r->ram + i * PAGE, page, sizeof(page));
        rmp_set(r, r->ram + i * PAGE, i * PAGE, true, true, ASID);
        struct snp_fw_launch_update u;
        memset(&u, 0, sizeof(u));
        u.gctx_paddr = r->gctx;
        u.flags = (i == 2 ? SNP_PAGE_TYPE_SECRETS : SNP_PAGE_TYPE_NORMAL) << 1;
        u.page_paddr = r->ram + i * PAGE;
        assert_int_equal(cmd(r, SNP_CMD_LAUNCH_UPDATE, &u, sizeof(u)), 0);
    }
    struct snp_fw_launch_finish f;
    memset(&f, 0, sizeof(f));
    f.gctx_paddr = r->gctx;
    assert_int_equal(cmd(r, SNP_CMD_LAUNCH_FINISH, &f, sizeof(f)), 0);
    /* Page 4: Pre-Guest, not yet launched; 5: another ASID's. */
    rmp_set(r, r->ram + 4 * PAGE, 4 * PAGE, true, true, ASID);
    rmp_set(r, r->ram + 5 * PAGE, 5 * PAGE, true, true, ASID + 1);
}

/* What must not change: SHA-384 over the RMP entries and the contents (as
 * DRAM holds them) of every page of the rig. */
static void snapshot(struct rig *r, uint8_t out[48])
{
    struct crypto_digest d;
    assert_int_equal(crypto_digest_init(&d, CRYPTO_SHA384), SWSEV_OK);
    uint64_t pages[4 + NPAGES] = {r->gctx, r->gctx2, r->fwp, r->out};
    for (unsigned i = 0; i < NPAGES; i++)
        pages[4 + i] = r->ram + i * PAGE;
    for (unsigned i = 0; i < 4 + NPAGES; i++) {
        struct rmp_state st;
        uint8_t buf[PAGE];
        assert_int_equal(memsys_rmpread(r->h.ms, pages[i], &st), RMP_SUCCESS);
        memsys_wbinvd(r->h.ms, 0);
        ts_hread(&r->h, pages[i], buf, sizeof(buf));
        crypto_digest_update(&d, &st, sizeof(st));
        crypto_digest_update(&d, buf, sizeof(buf));
    }
    assert_int_equal(crypto_digest_final(&d, out), SWSEV_OK);
}

struct refusal {
    const char *what;
    uint32_t cmd;
    uint8_t buf[0x60];
    size_t len;
    uint16_t status;
};

static void add(struct refusal *t, size_t *n, const char *what, uint32_t id, const void *b,
                size_t len, uint16_t st)
{
    t[*n].what = what;
    t[*n].cmd = id;
    memset(t[*n].buf, 0, sizeof(t[*n].buf));
    if (len)
        memcpy(t[*n].buf, b, len);
    t[*n].len = len;
    t[*n].status = st;
    (*n)++;
}

static size_t build(struct rig *r, struct refusal *t)
{
    size_t n = 0;
    struct snp_fw_addr a;
    a.paddr = r->gctx | 8;
    add(t, &n, "GCTX_CREATE low bits", SNP_CMD_GCTX_CREATE, &a, sizeof(a),
        SEV_STATUS_INVALID_PARAM);
    a.paddr = r->out;
    add(t, &n, "GCTX_CREATE hypervisor page", SNP_CMD_GCTX_CREATE, &a, sizeof(a),
        SEV_STATUS_INVALID_PAGE_STATE);
    a.paddr = r->gctx;
    add(t, &n, "GCTX_CREATE on a context", SNP_CMD_GCTX_CREATE, &a, sizeof(a),
        SEV_STATUS_INVALID_PAGE_STATE);
    a.paddr = r->fwp;
    add(t, &n, "DECOMMISSION of a firmware page", SNP_CMD_DECOMMISSION, &a, sizeof(a),
        SEV_STATUS_INVALID_GUEST);
    a.paddr = r->gctx;
    add(t, &n, "RECLAIM of a context", SNP_CMD_PAGE_RECLAIM, &a, sizeof(a),
        SEV_STATUS_INVALID_PAGE_STATE);
    a.paddr = r->fwp | 0x10;
    add(t, &n, "RECLAIM reserved bits", SNP_CMD_PAGE_RECLAIM, &a, sizeof(a),
        SEV_STATUS_INVALID_PARAM);
    a.paddr = r->out + 8;
    add(t, &n, "PLATFORM_STATUS on a hypervisor page", SNP_CMD_PLATFORM_STATUS, &a, sizeof(a),
        SEV_STATUS_INVALID_PAGE_STATE);

    struct snp_fw_launch_start ls;
    memset(&ls, 0, sizeof(ls));
    ls.gctx_paddr = r->gctx;
    ls.policy = 0x30000;
    add(t, &n, "LAUNCH_START of a running guest", SNP_CMD_LAUNCH_START, &ls, sizeof(ls),
        SEV_STATUS_INVALID_GUEST_STATE);
    ls.gctx_paddr = r->gctx2;
    ls.policy = 0x10000;
    add(t, &n, "LAUNCH_START without bit 17", SNP_CMD_LAUNCH_START, &ls, sizeof(ls),
        SEV_STATUS_POLICY_FAILURE);
    ls.policy = 0x30000;
    ls.flags = 4;
    add(t, &n, "LAUNCH_START reserved flags", SNP_CMD_LAUNCH_START, &ls, sizeof(ls),
        SEV_STATUS_INVALID_PARAM);
    ls.flags = 1;
    ls.ma_gctx_paddr = r->fwp;
    add(t, &n, "LAUNCH_START with a bad migration agent", SNP_CMD_LAUNCH_START, &ls, sizeof(ls),
        SEV_STATUS_INVALID_GUEST);

    struct snp_fw_launch_update u;
    memset(&u, 0, sizeof(u));
    u.gctx_paddr = r->gctx;
    u.flags = SNP_PAGE_TYPE_NORMAL << 1;
    u.page_paddr = r->ram + 4 * PAGE;
    add(t, &n, "LAUNCH_UPDATE of a running guest", SNP_CMD_LAUNCH_UPDATE, &u, sizeof(u),
        SEV_STATUS_INVALID_GUEST_STATE);
    u.page_paddr = r->ram;
    add(t, &n, "LAUNCH_UPDATE of a launched page", SNP_CMD_LAUNCH_UPDATE, &u, sizeof(u),
        SEV_STATUS_INVALID_PAGE_STATE);
    u.page_paddr = r->ram + 4 * PAGE;
    u.perms = 0x7;
    add(t, &n, "LAUNCH_UPDATE reserved perms byte", SNP_CMD_LAUNCH_UPDATE, &u, sizeof(u),
        SEV_STATUS_INVALID_PARAM);
    u.perms = 0;
    u.gctx_paddr = r->gctx2;
    add(t, &n, "LAUNCH_UPDATE of a guest in INIT", SNP_CMD_LAUNCH_UPDATE, &u, sizeof(u),
        SEV_STATUS_INVALID_GUEST_STATE);

    struct snp_fw_launch_finish f;
    memset(&f, 0, sizeof(f));
    f.gctx_paddr = r->gctx;
    add(t, &n, "LAUNCH_FINISH twice", SNP_CMD_LAUNCH_FINISH, &f, sizeof(f),
        SEV_STATUS_INVALID_GUEST_STATE);
    f.flags = 8;
    add(t, &n, "LAUNCH_FINISH reserved flags", SNP_CMD_LAUNCH_FINISH, &f, sizeof(f),
        SEV_STATUS_INVALID_PARAM);

    struct snp_fw_activate act = {r->gctx, ASID};
    add(t, &n, "ACTIVATE twice", SNP_CMD_ACTIVATE, &act, sizeof(act), SEV_STATUS_ACTIVE);
    act.gctx_paddr = r->gctx2;
    add(t, &n, "ACTIVATE a guest in INIT", SNP_CMD_ACTIVATE, &act, sizeof(act),
        SEV_STATUS_INVALID_GUEST_STATE);

    struct snp_fw_dbg d = {r->gctx, r->ram, r->fwp};
    add(t, &n, "DBG_DECRYPT without the debug policy", SNP_CMD_DBG_DECRYPT, &d, sizeof(d),
        SEV_STATUS_POLICY_FAILURE);
    d.src_paddr = r->ram + 5 * PAGE;
    add(t, &n, "DBG_DECRYPT of another guest's page", SNP_CMD_DBG_DECRYPT, &d, sizeof(d),
        SEV_STATUS_INVALID_PAGE_OWNER);
    d.src_paddr = r->ram;
    d.dst_paddr = r->out;
    add(t, &n, "DBG_DECRYPT into a hypervisor page", SNP_CMD_DBG_DECRYPT, &d, sizeof(d),
        SEV_STATUS_INVALID_PAGE_STATE);

    struct snp_fw_guest_request g = {r->gctx, r->out, r->out};
    add(t, &n, "GUEST_REQUEST into a hypervisor page", SNP_CMD_GUEST_REQUEST, &g, sizeof(g),
        SEV_STATUS_INVALID_PAGE_STATE);
    g.resp_paddr = r->fwp;
    add(t, &n, "GUEST_REQUEST with a zero header", SNP_CMD_GUEST_REQUEST, &g, sizeof(g),
        SEV_STATUS_INVALID_PARAM);
    g.gctx_paddr = r->gctx2;
    add(t, &n, "GUEST_REQUEST of a guest in INIT", SNP_CMD_GUEST_REQUEST, &g, sizeof(g),
        SEV_STATUS_INVALID_GUEST_STATE);

    struct snp_fw_config cf;
    memset(&cf, 0, sizeof(cf));
    cf.flags = 4;
    add(t, &n, "CONFIG reserved flags", SNP_CMD_CONFIG, &cf, sizeof(cf), SEV_STATUS_INVALID_PARAM);
    struct snp_fw_len cm = {8};
    add(t, &n, "COMMIT bad length", SNP_CMD_COMMIT, &cm, sizeof(cm), SEV_STATUS_INVALID_PARAM);
    struct snp_fw_init_ex ex;
    memset(&ex, 0, sizeof(ex));
    ex.flags = 1;
    add(t, &n, "INIT_EX while initialised", SNP_CMD_INIT_EX, &ex, sizeof(ex),
        SEV_STATUS_INVALID_PLATFORM_STATE);
    add(t, &n, "INIT while initialised", SNP_CMD_INIT, NULL, 0, SEV_STATUS_INVALID_PLATFORM_STATE);
    return n;
}

static void refusals_change_nothing(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    struct refusal *t = calloc(64, sizeof(*t));
    assert_non_null(t);
    size_t n = build(&r, t);
    for (size_t i = 0; i < n; i++) {
        uint8_t before[48], after[48];
        snapshot(&r, before);
        uint16_t st = cmd(&r, t[i].cmd, t[i].len ? t[i].buf : NULL, t[i].len);
        if (st != t[i].status)
            fail_msg("%s: status 0x%x, expected 0x%x", t[i].what, st, t[i].status);
        snapshot(&r, after);
        if (memcmp(before, after, 48))
            fail_msg("%s: the refusal changed memory or the RMP", t[i].what);
    }
    free(t);
    ts_host_fini(&r.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refusals_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
