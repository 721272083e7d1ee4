/* SPDX-License-Identifier: MIT */
/* The migration agent's guest messages: guest A exports its own context
 * (MSG_EXPORT_REQ); a new guest C, launched with IMI pages, absorbs it
 * (MSG_ABSORB_REQ) and from then on answers with A's keys, counters and
 * measurement; the refusals (wrong state, wrong digest, wrong VMPCK, not
 * the agent) and MSG_TSC_INFO_REQ, MSG_CPUID_REQ, MSG_VMRK_REQ. */
#include "testsupport.h"

#include "guest/snp_msg.h"
#include "common/snp_pageinfo.h"
#include "crypto/aead.h"
#include "crypto/snp_report.h"
#include "fw/snp_cpuid.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/fw_status.h"

#define PAGE 0x1000ull

struct rig {
    struct ts_host h;
    uint64_t req, rsp; /* message pages: hypervisor, firmware */
};

struct guest {
    uint64_t gctx, ram;
    uint32_t asid;
    uint8_t digest[48];
};

static uint64_t alloc(struct rig *r, uint64_t n)
{
    uint64_t pa;
    assert_int_equal(hv_hostmem_alloc(machine_hostmem(r->h.m), n, 1, &pa), SWSEV_OK);
    return pa;
}

static void rmp_set(struct rig *r, uint64_t spa, uint64_t gpa, bool a, bool imm, uint32_t asid)
{
    struct rmp_state st = {gpa, a, 0, imm, 0, asid};
    assert_int_equal(memsys_rmpupdate(r->h.ms, spa, &st), RMP_SUCCESS);
}

static uint16_t cmd(struct rig *r, uint32_t id, void *b, size_t len)
{
    return ts_cmd(&r->h, id, b, len);
}

/* GCTX_CREATE, LAUNCH_START (flags: bit 1 IMI_EN), ACTIVATE. */
static void start(struct rig *r, struct guest *g, uint32_t asid, uint32_t flags)
{
    memset(g, 0, sizeof(*g));
    g->asid = asid;
    g->gctx = alloc(r, 1);
    g->ram = alloc(r, 4);
    rmp_set(r, g->gctx, 0, true, true, 0);
    struct snp_fw_addr a = {g->gctx};
    assert_int_equal(cmd(r, SNP_CMD_GCTX_CREATE, &a, sizeof(a)), 0);
    struct snp_fw_launch_start ls;
    memset(&ls, 0, sizeof(ls));
    ls.gctx_paddr = g->gctx;
    ls.policy = 0x30000;
    ls.flags = flags;
    ls.desired_tsc_khz = 2000000;
    assert_int_equal(cmd(r, SNP_CMD_LAUNCH_START, &ls, sizeof(ls)), 0);
    struct snp_fw_activate act = {g->gctx, asid};
    assert_int_equal(cmd(r, SNP_CMD_ACTIVATE, &act, sizeof(act)), 0);
}

static void page(struct rig *r, struct guest *g, unsigned i, uint8_t type, bool imi)
{
    uint8_t buf[PAGE];
    memset(buf, 0x40 + (int)i, sizeof(buf));
    ts_hwrite(&r->h, g->ram + i * PAGE, buf, sizeof(buf));
    rmp_set(r, g->ram + i * PAGE, i * PAGE, true, true, g->asid);
    struct snp_fw_launch_update u;
    memset(&u, 0, sizeof(u));
    u.gctx_paddr = g->gctx;
    u.flags = (uint32_t)type << 1 | (imi ? 1u << 4 : 0);
    u.page_paddr = g->ram + i * PAGE;
    assert_int_equal(cmd(r, SNP_CMD_LAUNCH_UPDATE, &u, sizeof(u)), 0);
    uint8_t contents[48];
    assert_int_equal(snp_pageinfo_contents(contents, type, buf), SWSEV_OK);
    assert_int_equal(snp_pageinfo_extend(g->digest, contents, type, i * PAGE, imi, NULL), SWSEV_OK);
}

static void finish(struct rig *r, struct guest *g)
{
    struct snp_fw_launch_finish f;
    memset(&f, 0, sizeof(f));
    f.gctx_paddr = g->gctx;
    assert_int_equal(cmd(r, SNP_CMD_LAUNCH_FINISH, &f, sizeof(f)), 0);
}

/* The guest's VMPCK, read through its private mapping. */
static void vmpck_of(struct rig *r, struct guest *g, unsigned n, uint8_t out[32])
{
    struct hw_guest_ctx cpu;
    memset(&cpu, 0, sizeof(cpu));
    cpu.asid = g->asid;
    cpu.sev = cpu.es = cpu.snp = true;
    /* Secrets at page 1: read its frame directly with the guest key. */
    uint64_t c = memsys_cbit_mask(r->h.ms);
    (void)c;
    struct hv_npt npt;
    assert_int_equal(hv_npt_init(&npt, r->h.ms, machine_hostmem(r->h.m), false), SWSEV_OK);
    assert_int_equal(hv_npt_map(&npt, 0, g->ram, 4 * PAGE, NPT_RW, PGT_SIZE_4K), SWSEV_OK);
    cpu.np_enable = true;
    cpu.ncr3 = hv_npt_ncr3(&npt);
    struct hw_fault f;
    assert_int_equal(memsys_guest_phys_read(r->h.ms, &cpu,
                                            (PAGE + 0x20 + 32 * n) | memsys_cbit_mask(r->h.ms), out,
                                            32, &f),
                     SWSEV_OK);
    hv_npt_fini(&npt);
}

/* One exchange for guest g under key/id/seqno; returns the mailbox status
 * and the decrypted response payload. */
static uint16_t request(struct rig *r, struct guest *g, const uint8_t key[32], uint8_t id,
                        uint64_t seq, uint8_t type, const void *payload, uint16_t len, uint8_t *out,
                        uint16_t out_len)
{
    struct snp_msg_hdr h;
    uint8_t ct[PAGE];
    assert_int_equal(snp_msg_seal(key, id, seq, type, payload, len, &h, ct), SWSEV_OK);
    ts_hwrite(&r->h, r->req, &h, sizeof(h));
    ts_hwrite(&r->h, r->req + sizeof(h), ct, len);
    struct snp_fw_guest_request b = {g->gctx, r->req, r->rsp};
    uint16_t st = cmd(r, SNP_CMD_GUEST_REQUEST, &b, sizeof(b));
    if (st)
        return st;
    struct snp_fw_addr a = {r->rsp};
    assert_int_equal(cmd(r, SNP_CMD_PAGE_RECLAIM, &a, sizeof(a)), 0);
    rmp_set(r, r->rsp, 0, false, false, 0);
    struct snp_msg_hdr rh;
    ts_hread(&r->h, r->rsp, &rh, sizeof(rh));
    assert_int_equal(rh.msg_seqno, seq + 1);
    assert_int_equal(rh.msg_size, out_len);
    ts_hread(&r->h, r->rsp + sizeof(rh), ct, out_len);
    seq++;
    uint8_t iv[12] = {0};
    memcpy(iv, &seq, 8);
    assert_int_equal(
        crypto_gcm_decrypt(key, 32, iv, (uint8_t *)&rh + 0x30, 0x30, ct, out_len, out, rh.authtag),
        SWSEV_OK);
    rmp_set(r, r->rsp, 0, true, true, 0);
    return 0;
}

static void rig_init(struct rig *r)
{
    memset(r, 0, sizeof(*r));
    ts_host_init(&r->h, "genoa", "snp-ma", false);
    r->req = alloc(r, 1);
    r->rsp = alloc(r, 1);
    rmp_set(r, r->rsp, 0, true, true, 0);
}

static void export_and_absorb(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    struct guest a, c;
    start(&r, &a, 1, 0);
    page(&r, &a, 0, SNP_PAGE_TYPE_NORMAL, false);
    page(&r, &a, 1, SNP_PAGE_TYPE_SECRETS, false);
    finish(&r, &a);
    uint8_t ka[32];
    vmpck_of(&r, &a, 0, ka);

    /* A exports itself (IMI_EN: it keeps running). */
    uint8_t q[0x20] = {0}, x[0x1000 - 0x60];
    memcpy(q, &a.gctx, 8);
    q[8] = 1;
    assert_int_equal(request(&r, &a, ka, 0, 1, SNP_MSG_EXPORT_REQ, q, sizeof(q), x, sizeof(x)), 0);
    uint32_t st, size, version;
    memcpy(&st, x, 4);
    memcpy(&size, x + 4, 4);
    memcpy(&version, x + 8, 4);
    assert_int_equal(st, 0);
    assert_int_equal(size, 0x300);
    assert_int_equal(version, 3);
    assert_memory_equal(x + 0x20, a.digest, 48);  /* LD */
    assert_memory_equal(x + 0x20 + 0x50, ka, 32); /* VMPCK0 */
    uint64_t count0;
    memcpy(&count0, x + 0x20 + 0x1C0, 8);
    assert_int_equal(count0, 0); /* the counter as it was when the request arrived */
    uint8_t exported[0x300];
    memcpy(exported, x + 0x20, sizeof(exported));

    /* Another VMPCK may not export the guest itself. */
    uint8_t k1[32], small[0x10];
    vmpck_of(&r, &a, 1, k1);
    assert_int_equal(request(&r, &a, k1, 1, 1, SNP_MSG_EXPORT_REQ, q, sizeof(q), x, sizeof(x)), 0);
    memcpy(&st, x, 4);
    assert_int_equal(st, SEV_STATUS_INVALID_GUEST);

    /* C: launched with IMI pages (the agent's image), then absorbs A. */
    start(&r, &c, 2, 2);
    page(&r, &c, 0, SNP_PAGE_TYPE_NORMAL, true);
    page(&r, &c, 1, SNP_PAGE_TYPE_SECRETS, true);
    uint8_t ab[0x20 + 0x300];
    memset(ab, 0, sizeof(ab));
    memcpy(ab, &c.gctx, 8);
    uint32_t sz = 0x300, ver = 3;
    memcpy(ab + 8, &sz, 4);
    memcpy(ab + 12, &ver, 4);
    memcpy(ab + 0x20, exported, 0x300);
    /* IMD must be C's launch digest. */
    assert_int_equal(
        request(&r, &a, ka, 0, 3, SNP_MSG_ABSORB_REQ, ab, sizeof(ab), small, sizeof(small)), 0);
    memcpy(&st, small, 4);
    assert_int_equal(st, SEV_STATUS_BAD_MEASUREMENT);
    memcpy(ab + 0x20 + 0x190, c.digest, 48);
    ver = 2;
    memcpy(ab + 12, &ver, 4);
    assert_int_equal(
        request(&r, &a, ka, 0, 5, SNP_MSG_ABSORB_REQ, ab, sizeof(ab), small, sizeof(small)), 0);
    memcpy(&st, small, 4);
    assert_int_equal(st, SEV_STATUS_INVALID_PARAM);
    ver = 3;
    memcpy(ab + 12, &ver, 4);
    assert_int_equal(
        request(&r, &a, ka, 0, 7, SNP_MSG_ABSORB_REQ, ab, sizeof(ab), small, sizeof(small)), 0);
    memcpy(&st, small, 4);
    assert_int_equal(st, 0);

    /* C now answers with A's VMPCK0 and A's counter (0 at export: the
     * next sequence number is 1), and reports A's measurement with A as
     * its migration agent. */
    struct snp_msg_report_req rq;
    memset(&rq, 0, sizeof(rq));
    uint8_t rsp[SNP_REPORT_RSP_SIZE];
    assert_int_equal(
        request(&r, &c, ka, 0, 1, SNP_MSG_REPORT_REQ, &rq, sizeof(rq), rsp, sizeof(rsp)), 0);
    struct snp_report rep;
    memcpy(&rep, rsp + 0x20, sizeof(rep));
    assert_memory_equal(rep.measurement, a.digest, 48);
    uint8_t none[32];
    memset(none, 0xFF, 32);
    assert_memory_not_equal(rep.report_id_ma, none, 32);
    /* Absorbing again: C is running now. */
    assert_int_equal(
        request(&r, &a, ka, 0, 9, SNP_MSG_ABSORB_REQ, ab, sizeof(ab), small, sizeof(small)), 0);
    memcpy(&st, small, 4);
    assert_int_equal(st, SEV_STATUS_INVALID_GUEST_STATE);
    ts_host_fini(&r.h);
}

static void tsc_cpuid_vmrk(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    struct guest a, b;
    start(&r, &a, 1, 0);
    page(&r, &a, 1, SNP_PAGE_TYPE_SECRETS, false);
    finish(&r, &a);
    uint8_t ka[32];
    vmpck_of(&r, &a, 0, ka);
    uint8_t tq[0x80] = {0}, tr[0x80];
    assert_int_equal(
        request(&r, &a, ka, 0, 1, SNP_MSG_TSC_INFO_REQ, tq, sizeof(tq), tr, sizeof(tr)), 0);
    uint32_t st;
    uint64_t scale, factor;
    memcpy(&st, tr, 4);
    memcpy(&scale, tr + 8, 8);
    memcpy(&factor, tr + 0x18, 8);
    assert_int_equal(st, 0);
    assert_int_equal(scale, (2000000ull << 32) / 99800);
    assert_int_equal(factor, 200); /* Genoa */
    tq[5] = 1;
    assert_int_equal(
        request(&r, &a, ka, 0, 3, SNP_MSG_TSC_INFO_REQ, tq, sizeof(tq), tr, sizeof(tr)), 0);
    memcpy(&st, tr, 4);
    assert_int_equal(st, SEV_STATUS_INVALID_PARAM);

    /* MSG_CPUID_REQ: a table with one wrong entry comes back corrected. */
    uint8_t cq[0x10 + 0x30], cr[sizeof(cq)];
    memset(cq, 0, sizeof(cq));
    uint32_t count = 1, fn = 0x8000001F, regs[4];
    chip_cpuid(memsys_chip(r.h.ms), fn, 0, regs);
    regs[1] = (regs[1] & ~0xF000u) | (7u << 12); /* more VMPLs than the part has */
    memcpy(cq, &count, 4);
    memcpy(cq + 0x10, &fn, 4);
    memcpy(cq + 0x28, regs, 16);
    assert_int_equal(request(&r, &a, ka, 0, 5, SNP_MSG_CPUID_REQ, cq, sizeof(cq), cr, sizeof(cr)),
                     0);
    uint32_t checked, ebx;
    memcpy(&st, cr, 4);
    memcpy(&checked, cr + 4, 4);
    memcpy(&ebx, cr + 0x10 + 0x1C, 4);
    assert_int_equal(st, SEV_STATUS_INVALID_PARAM);
    assert_int_equal(checked, 1);
    assert_int_equal((ebx >> 12) & 0xF, 4);

    /* MSG_VMRK_REQ: only an agent, only for a guest it launched. */
    start(&r, &b, 2, 0);
    uint8_t vq[0x40] = {0}, vr[0x10];
    memcpy(vq, &b.gctx, 8);
    assert_int_equal(request(&r, &a, ka, 0, 7, SNP_MSG_VMRK_REQ, vq, sizeof(vq), vr, sizeof(vr)),
                     0);
    memcpy(&st, vr, 4);
    assert_int_equal(st, SEV_STATUS_INVALID_GUEST);
    ts_host_fini(&r.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(export_and_absorb),
        cmocka_unit_test(tsc_cpuid_vmrk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
