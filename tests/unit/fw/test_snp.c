/* SPDX-License-Identifier: MIT */
/* The SNP firmware through the mailbox, as a hypervisor drives it: SNP_INIT
 * over an RMP the host set up, a guest context, a measured launch (NORMAL,
 * ZERO, SECRETS, CPUID and VMSA pages) with an ID block, then guest
 * requests encrypted under the VMPCK the guest reads from its secrets page:
 * a report that verifies with the chip's VCEK and carries the digest the
 * offline PAGE_INFO chain predicts, derived keys, and the refusals (replay,
 * bad tag, wrong states), each changing nothing. */
#include "testsupport.h"

#include "guest/snp_msg.h"
#include "common/snp_pageinfo.h"
#include "crypto/aead.h"
#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "crypto/snp_report.h"
#include "crypto/snp_vcek.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/fw_status.h"
#include "swsev/abi/vmsa.h"

#define PAGE   0x1000ull
#define ASID   1
#define POLICY 0x30000ull /* SMT allowed, bit 17 set, ABI 0.0 */

struct snp_rig {
    struct ts_host h;
    struct hv_npt npt;
    struct hw_guest_ctx gctx_cpu; /* the guest vCPU's view */
    uint64_t gctx;                /* guest context page */
    uint64_t ram;                 /* 16 guest pages at GPA 0 */
    uint8_t digest[48];           /* expected launch digest */
};

static struct hv_hostmem *hm(struct snp_rig *r)
{
    return machine_hostmem(r->h.m);
}

static uint64_t page_alloc(struct snp_rig *r, uint64_t n, uint64_t align)
{
    uint64_t pa;
    assert_int_equal(hv_hostmem_alloc(hm(r), n, align, &pa), SWSEV_OK);
    return pa;
}

static void rmp_set(struct snp_rig *r, uint64_t spa, uint64_t gpa, bool assigned, bool immutable,
                    uint32_t asid)
{
    struct rmp_state st = {gpa, assigned, 0, immutable, 0, asid};
    assert_int_equal(memsys_rmpupdate(r->h.ms, spa, &st), RMP_SUCCESS);
}

static uint64_t fw_page(struct snp_rig *r)
{
    uint64_t pa = page_alloc(r, 1, 1);
    rmp_set(r, pa, 0, true, true, 0);
    return pa;
}

/* Give a firmware page back to the hypervisor (PAGE_RECLAIM + RMPUPDATE). */
static void reclaim(struct snp_rig *r, uint64_t pa)
{
    struct snp_fw_addr a = {pa};
    assert_int_equal(ts_cmd(&r->h, SNP_CMD_PAGE_RECLAIM, &a, sizeof(a)), 0);
    rmp_set(r, pa, 0, false, false, 0);
}

static uint16_t cmd(struct snp_rig *r, uint32_t id, void *buf, size_t len)
{
    return ts_cmd(&r->h, id, buf, len);
}

static void snp_status(struct snp_rig *r, struct snp_platform_status *s)
{
    uint64_t pa = fw_page(r);
    struct snp_fw_addr a = {pa};
    assert_int_equal(cmd(r, SNP_CMD_PLATFORM_STATUS, &a, sizeof(a)), 0);
    reclaim(r, pa);
    ts_hread(&r->h, pa, s, sizeof(*s));
}

static void flush(struct snp_rig *r)
{
    for (unsigned c = 0; c < memsys_chip(r->h.ms)->nr_cores; c++)
        memsys_wbinvd(r->h.ms, c);
    assert_int_equal(cmd(r, SNP_CMD_DF_FLUSH, NULL, 0), 0);
}

static void rmp_enable(struct snp_rig *r)
{
    const struct chip_config *cfg = memsys_chip(r->h.ms);
    uint64_t size = RMP_BOOKKEEPING + (cfg->dram_size >> 12) * RMP_ENTRY_SIZE;
    size = (size + 0xfffff) & ~0xfffffull;
    uint64_t base = page_alloc(r, size / PAGE, 256);
    assert_int_equal(memsys_rmp_configure(r->h.ms, base, base + size - 1), SWSEV_OK);
    assert_int_equal(memsys_snp_enable(r->h.ms), SWSEV_OK);
}

static void rig_init(struct snp_rig *r)
{
    memset(r, 0, sizeof(*r));
    /* The machine boots as Linux does: RMP, SNP_INIT, WBINVD, SNP_DF_FLUSH. */
    ts_host_init(&r->h, "milan", "snp", false);
    r->gctx = fw_page(r);
    struct snp_fw_addr a = {r->gctx};
    assert_int_equal(cmd(r, SNP_CMD_GCTX_CREATE, &a, sizeof(a)), 0);
    r->ram = page_alloc(r, 16, 1);
    assert_int_equal(hv_npt_init(&r->npt, r->h.ms, hm(r), false), SWSEV_OK);
    assert_int_equal(hv_npt_map(&r->npt, 0, r->ram, 16 * PAGE, NPT_RW, PGT_SIZE_4K), SWSEV_OK);
    r->gctx_cpu.asid = ASID;
    r->gctx_cpu.sev = r->gctx_cpu.es = r->gctx_cpu.snp = true;
    r->gctx_cpu.np_enable = true;
    r->gctx_cpu.ncr3 = hv_npt_ncr3(&r->npt);
}

static void rig_fini(struct snp_rig *r)
{
    hv_npt_fini(&r->npt);
    ts_host_fini(&r->h);
}

static uint16_t launch_start(struct snp_rig *r, uint64_t policy)
{
    struct snp_fw_launch_start b;
    memset(&b, 0, sizeof(b));
    b.gctx_paddr = r->gctx;
    b.policy = policy;
    return cmd(r, SNP_CMD_LAUNCH_START, &b, sizeof(b));
}

/* The hypervisor's half of one launch page: plaintext in, RMP Pre-Guest,
 * SNP_LAUNCH_UPDATE. The expected digest follows the same chain. */
static uint16_t launch_page(struct snp_rig *r, unsigned gpn, uint8_t type, const uint8_t *data,
                            bool expect_ok)
{
    uint64_t spa = r->ram + gpn * PAGE, gpa = gpn * PAGE;
    if (type == SNP_PAGE_TYPE_VMSA)
        gpa = SNP_VMSA_GPA;
    ts_hwrite(&r->h, spa, data, PAGE);
    rmp_set(r, spa, gpa, true, true, ASID);
    struct snp_fw_launch_update b;
    memset(&b, 0, sizeof(b));
    b.gctx_paddr = r->gctx;
    b.flags = (uint32_t)type << 1;
    b.page_paddr = spa;
    uint16_t st = cmd(r, SNP_CMD_LAUNCH_UPDATE, &b, sizeof(b));
    if (expect_ok && st == 0) {
        uint8_t contents[48], page[PAGE];
        memcpy(page, data, PAGE);
        if (type == SNP_PAGE_TYPE_VMSA)
            memset(page + VMSA_TSC_SCALE, 0, 16);
        assert_int_equal(snp_pageinfo_contents(contents, type, page), SWSEV_OK);
        assert_int_equal(snp_pageinfo_extend(r->digest, contents, type, gpa, false, NULL),
                         SWSEV_OK);
    }
    return st;
}

static void cpuid_page(struct snp_rig *r, uint8_t page[PAGE], bool wrong)
{
    memset(page, 0, PAGE);
    uint32_t count = 1, regs[4], fn = 0x8000001F;
    chip_cpuid(memsys_chip(r->h.ms), fn, 0, regs);
    if (wrong)
        regs[1] = (regs[1] & ~0x3fu) | 48; /* another C-bit position (bits within 51's) */
    memcpy(page, &count, 4);
    memcpy(page + 0x10, &fn, 4);
    memcpy(page + 0x10 + 0x18, regs, 16);
}

/* Launch a guest: pages 0 (code), 1 (zero), 2 (secrets), 3 (CPUID), 4
 * (VMSA), ACTIVATE first as KVM does. */
static void launch(struct snp_rig *r, uint64_t policy)
{
    assert_int_equal(launch_start(r, policy), 0);
    struct snp_fw_activate act = {r->gctx, ASID};
    assert_int_equal(cmd(r, SNP_CMD_ACTIVATE, &act, sizeof(act)), 0);
    uint8_t page[PAGE];
    memset(page, 0xC3, sizeof(page));
    memcpy(page, "guest code", 10);
    assert_int_equal(launch_page(r, 0, SNP_PAGE_TYPE_NORMAL, page, true), 0);
    memset(page, 0x77, sizeof(page));
    assert_int_equal(launch_page(r, 1, SNP_PAGE_TYPE_ZERO, page, true), 0);
    assert_int_equal(launch_page(r, 2, SNP_PAGE_TYPE_SECRETS, page, true), 0);
    cpuid_page(r, page, false);
    assert_int_equal(launch_page(r, 3, SNP_PAGE_TYPE_CPUID, page, true), 0);
    vmsa_reset_state(page, VMSA_VMM_QEMU, 1, 0, 0x00a00f11, 1);
    assert_int_equal(launch_page(r, 4, SNP_PAGE_TYPE_VMSA, page, true), 0);
}

static uint16_t launch_finish(struct snp_rig *r, const struct snp_id_block *blk,
                              const struct snp_id_auth *auth, uint64_t flags)
{
    struct snp_fw_launch_finish b;
    memset(&b, 0, sizeof(b));
    b.gctx_paddr = r->gctx;
    b.flags = flags;
    memset(b.host_data, 0x42, 32);
    if (blk) {
        b.id_block_paddr = page_alloc(r, 1, 1);
        b.id_auth_paddr = page_alloc(r, 1, 1);
        ts_hwrite(&r->h, b.id_block_paddr, blk, sizeof(*blk));
        ts_hwrite(&r->h, b.id_auth_paddr, auth, sizeof(*auth));
    }
    return cmd(r, SNP_CMD_LAUNCH_FINISH, &b, sizeof(b));
}

static void sign_id(EVP_PKEY *k, const struct snp_id_block *blk, struct snp_id_auth *a)
{
    memset(a, 0, sizeof(*a));
    a->id_key_algo = 1;
    a->id_key.curve = 2;
    assert_int_equal(crypto_ecc_to_le(k, a->id_key.qx, a->id_key.qy), SWSEV_OK);
    assert_int_equal(crypto_ecdsa_sign(k, CRYPTO_SHA384, blk, sizeof(*blk), a->id_block_sig.r,
                                       a->id_block_sig.s),
                     SWSEV_OK);
}

/* ---- the guest's side of a guest request ---- */

static void guest_read_private(struct snp_rig *r, uint64_t gpa, void *buf, size_t len)
{
    struct hw_fault f;
    uint64_t c = memsys_cbit_mask(r->h.ms);
    assert_int_equal(memsys_guest_phys_read(r->h.ms, &r->gctx_cpu, gpa | c, buf, len, &f),
                     SWSEV_OK);
}

struct msg_pages {
    uint64_t req, rsp;
};

static uint16_t guest_request(struct snp_rig *r, const uint8_t vmpck[32], uint8_t vmpck_id,
                              uint64_t seqno, uint8_t type, const void *payload, uint16_t len,
                              struct msg_pages *p, bool tamper)
{
    struct snp_msg_hdr h;
    uint8_t ct[PAGE];
    assert_int_equal(snp_msg_seal(vmpck, vmpck_id, seqno, type, payload, len, &h, ct), SWSEV_OK);
    if (tamper)
        ct[0] ^= 1;
    ts_hwrite(&r->h, p->req, &h, sizeof(h));
    ts_hwrite(&r->h, p->req + sizeof(h), ct, len);
    struct snp_fw_guest_request b = {r->gctx, p->req, p->rsp};
    return cmd(r, SNP_CMD_GUEST_REQUEST, &b, sizeof(b));
}

/* Reclaim the response page and decrypt it as the guest. */
static void guest_response(struct snp_rig *r, const uint8_t vmpck[32], struct msg_pages *p,
                           uint64_t seqno, uint8_t *out, uint16_t len)
{
    reclaim(r, p->rsp);
    struct snp_msg_hdr h;
    uint8_t ct[PAGE], iv[12] = {0};
    ts_hread(&r->h, p->rsp, &h, sizeof(h));
    assert_int_equal(h.msg_seqno, seqno);
    assert_int_equal(h.msg_size, len);
    ts_hread(&r->h, p->rsp + sizeof(h), ct, len);
    memcpy(iv, &seqno, 8);
    assert_int_equal(
        crypto_gcm_decrypt(vmpck, 32, iv, (uint8_t *)&h + 0x30, 0x30, ct, len, out, h.authtag),
        SWSEV_OK);
    rmp_set(r, p->rsp, 0, true, true, 0); /* a firmware page again for the next request */
}

static void platform_init_rules(void **state)
{
    (void)state;
    struct snp_rig r;
    memset(&r, 0, sizeof(r));
    ts_host_init_nosnp(&r.h, "milan", "snp", false);
    /* Without SYSCFG.SNPEn and an RMP. */
    assert_int_equal(cmd(&r, SNP_CMD_INIT, NULL, 0), SEV_STATUS_INVALID_CONFIG);
    /* Status works in UNINIT on any page. */
    uint64_t pa = page_alloc(&r, 1, 1);
    struct snp_fw_addr a = {pa};
    assert_int_equal(cmd(&r, SNP_CMD_PLATFORM_STATUS, &a, sizeof(a)), 0);
    a.paddr = pa + PAGE - 8;
    assert_int_equal(cmd(&r, SNP_CMD_PLATFORM_STATUS, &a, sizeof(a)), SEV_STATUS_INVALID_PARAM);
    /* Guest commands before SNP_INIT. */
    a.paddr = pa;
    assert_int_equal(cmd(&r, SNP_CMD_GCTX_CREATE, &a, sizeof(a)),
                     SEV_STATUS_INVALID_PLATFORM_STATE);
    rmp_enable(&r);
    /* INIT_EX with reserved bits, then without INIT_RMP before any init. */
    struct snp_fw_init_ex ex;
    memset(&ex, 0, sizeof(ex));
    ex.flags = 4;
    assert_int_equal(cmd(&r, SNP_CMD_INIT_EX, &ex, sizeof(ex)), SEV_STATUS_INVALID_PARAM);
    ex.flags = 0;
    assert_int_equal(cmd(&r, SNP_CMD_INIT_EX, &ex, sizeof(ex)), SEV_STATUS_RMP_INIT_REQUIRED);
    ex.flags = 1;
    assert_int_equal(cmd(&r, SNP_CMD_INIT_EX, &ex, sizeof(ex)), 0);
    assert_int_equal(cmd(&r, SNP_CMD_INIT, NULL, 0), SEV_STATUS_INVALID_PLATFORM_STATE);
    /* The RMP now protects itself from the hypervisor. */
    uint64_t base, end;
    memsys_rmp_range(r.h.ms, &base, &end);
    uint8_t junk[16] = {1};
    assert_int_equal(memsys_host_write(r.h.ms, base + RMP_BOOKKEEPING, junk, sizeof(junk)),
                     SWSEV_HW_ERR(SWSEV_HW_FAULT));
    /* Output pages must be firmware pages in INIT. */
    assert_int_equal(cmd(&r, SNP_CMD_PLATFORM_STATUS, &a, sizeof(a)),
                     SEV_STATUS_INVALID_PAGE_STATE);
    struct snp_platform_status s;
    snp_status(&r, &s);
    struct fw_params fp;
    fw_params_for_chip(&fp, "milan");
    assert_int_equal(s.state, SNP_STATE_INIT);
    assert_int_equal(s.is_rmp_initialized, 1);
    assert_int_equal(s.current_tcb_version, fp.snp_tcb);
    assert_int_equal(s.reported_tcb_version, fp.snp_tcb);
    assert_int_equal(s.guest_count, 0);
    /* SNP_CONFIG: a TCB above the committed one is refused; a lower one is
     * reported; masks show in the status. */
    struct snp_fw_config cf;
    memset(&cf, 0, sizeof(cf));
    cf.reported_tcb = fp.snp_tcb + (1ull << 56);
    assert_int_equal(cmd(&r, SNP_CMD_CONFIG, &cf, sizeof(cf)), SEV_STATUS_INVALID_PARAM);
    cf.reported_tcb = fp.snp_tcb - (1ull << 56);
    cf.flags = 1;
    assert_int_equal(cmd(&r, SNP_CMD_CONFIG, &cf, sizeof(cf)), 0);
    snp_status(&r, &s);
    assert_int_equal(s.reported_tcb_version, cf.reported_tcb);
    assert_int_equal(s.flags & 1, 1);
    struct snp_fw_len cm = {3};
    assert_int_equal(cmd(&r, SNP_CMD_COMMIT, &cm, sizeof(cm)), SEV_STATUS_INVALID_PARAM);
    cm.len = 4;
    assert_int_equal(cmd(&r, SNP_CMD_COMMIT, &cm, sizeof(cm)), 0);
    snp_status(&r, &s);
    assert_int_equal(s.reported_tcb_version, fp.snp_tcb);
    /* Shutdown needs clean ASIDs. */
    assert_int_equal(cmd(&r, SNP_CMD_SHUTDOWN, NULL, 0), SEV_STATUS_DFFLUSH_REQUIRED);
    assert_int_equal(cmd(&r, SNP_CMD_DF_FLUSH, NULL, 0), SEV_STATUS_WBINVD_REQUIRED);
    flush(&r);
    assert_int_equal(cmd(&r, SNP_CMD_SHUTDOWN, NULL, 0), 0);
    assert_int_equal(cmd(&r, SNP_CMD_SHUTDOWN, NULL, 0), 0); /* UNINIT: a no-op */
    ts_host_fini(&r.h);
}

static void launch_rules(void **state)
{
    (void)state;
    struct snp_rig r;
    rig_init(&r);
    /* A GCTX on a hypervisor page; a guest command naming a non-context page. */
    uint64_t hvpage = page_alloc(&r, 1, 1);
    struct snp_fw_addr a = {hvpage};
    assert_int_equal(cmd(&r, SNP_CMD_GCTX_CREATE, &a, sizeof(a)), SEV_STATUS_INVALID_PAGE_STATE);
    struct snp_fw_launch_start ls;
    memset(&ls, 0, sizeof(ls));
    ls.gctx_paddr = hvpage;
    ls.policy = POLICY;
    assert_int_equal(cmd(&r, SNP_CMD_LAUNCH_START, &ls, sizeof(ls)), SEV_STATUS_INVALID_GUEST);
    /* Policies the firmware refuses. */
    assert_int_equal(launch_start(&r, 0x10000), SEV_STATUS_POLICY_FAILURE); /* bit 17 */
    assert_int_equal(launch_start(&r, 0x20000), SEV_STATUS_POLICY_FAILURE); /* SMT */
    assert_int_equal(launch_start(&r, POLICY | (1ull << 21)), SEV_STATUS_POLICY_FAILURE);
    assert_int_equal(launch_start(&r, POLICY | 0x0200), SEV_STATUS_POLICY_FAILURE); /* ABI 2.0 */
    assert_int_equal(launch_start(&r, POLICY), 0);
    assert_int_equal(launch_start(&r, POLICY), SEV_STATUS_INVALID_GUEST_STATE);
    /* LAUNCH_UPDATE before ACTIVATE. */
    uint8_t page[PAGE];
    memset(page, 1, sizeof(page));
    assert_int_equal(launch_page(&r, 0, SNP_PAGE_TYPE_NORMAL, page, false), SEV_STATUS_INACTIVE);
    struct snp_fw_activate act = {r.gctx, 200}; /* not an SEV-ES/SNP ASID */
    assert_int_equal(cmd(&r, SNP_CMD_ACTIVATE, &act, sizeof(act)), SEV_STATUS_INVALID_ASID);
    act.asid = ASID;
    assert_int_equal(cmd(&r, SNP_CMD_ACTIVATE, &act, sizeof(act)), 0);
    assert_int_equal(cmd(&r, SNP_CMD_ACTIVATE, &act, sizeof(act)), SEV_STATUS_ACTIVE);
    /* A page still owned by the hypervisor; a page of another ASID. */
    struct snp_fw_launch_update u;
    memset(&u, 0, sizeof(u));
    u.gctx_paddr = r.gctx;
    u.flags = SNP_PAGE_TYPE_NORMAL << 1;
    u.page_paddr = r.ram + 5 * PAGE;
    assert_int_equal(cmd(&r, SNP_CMD_LAUNCH_UPDATE, &u, sizeof(u)), SEV_STATUS_INVALID_PAGE_STATE);
    rmp_set(&r, r.ram + 5 * PAGE, 5 * PAGE, true, true, ASID + 1);
    assert_int_equal(cmd(&r, SNP_CMD_LAUNCH_UPDATE, &u, sizeof(u)), SEV_STATUS_INVALID_PAGE_OWNER);
    u.flags = 7 << 1; /* page type 7: checked before the owner */
    assert_int_equal(cmd(&r, SNP_CMD_LAUNCH_UPDATE, &u, sizeof(u)), SEV_STATUS_INVALID_PARAM);
    u.flags = 1u << 5;
    assert_int_equal(cmd(&r, SNP_CMD_LAUNCH_UPDATE, &u, sizeof(u)), SEV_STATUS_INVALID_PARAM);
    /* A CPUID page with a wrong value: refused, the corrected table goes
     * back to the host in plaintext, the digest does not move. */
    cpuid_page(&r, page, true);
    assert_int_equal(launch_page(&r, 3, SNP_PAGE_TYPE_CPUID, page, false),
                     SEV_STATUS_INVALID_PARAM);
    uint8_t back[PAGE], good[PAGE];
    ts_hread(&r.h, r.ram + 3 * PAGE, back, sizeof(back));
    cpuid_page(&r, good, false);
    /* AMD's firmware ORs the right C-bit into the field and clears the
     * reduction field [11:6] (docs/research/snp-cpuid.md 5). */
    uint32_t ebx;
    memcpy(&ebx, good + 0x10 + 0x1C, 4);
    ebx &= ~0xFC0u;
    memcpy(good + 0x10 + 0x1C, &ebx, 4);
    assert_memory_equal(back, good, PAGE);
    /* The host cannot write a guest page any more. */
    memset(page, 9, sizeof(page));
    assert_int_equal(launch_page(&r, 6, SNP_PAGE_TYPE_NORMAL, page, true), 0);
    assert_int_equal(memsys_host_write(r.h.ms, r.ram + 6 * PAGE, page, 8),
                     SWSEV_HW_ERR(SWSEV_HW_FAULT));
    /* Guest requests need a running guest. */
    struct msg_pages mp = {page_alloc(&r, 1, 1), fw_page(&r)};
    uint8_t vmpck[32] = {0}, req[0x60] = {0};
    assert_int_equal(
        guest_request(&r, vmpck, 0, 1, SNP_MSG_REPORT_REQ, req, sizeof(req), &mp, false),
        SEV_STATUS_INVALID_GUEST_STATE);
    /* Decommission frees the guest and its context page. */
    a.paddr = r.gctx;
    assert_int_equal(cmd(&r, SNP_CMD_DECOMMISSION, &a, sizeof(a)), 0);
    assert_int_equal(cmd(&r, SNP_CMD_DECOMMISSION, &a, sizeof(a)), SEV_STATUS_INVALID_GUEST);
    struct snp_platform_status s;
    snp_status(&r, &s);
    assert_int_equal(s.guest_count, 0);
    rig_fini(&r);
}

static void id_block_checks(void **state)
{
    (void)state;
    struct snp_rig r;
    rig_init(&r);
    launch(&r, POLICY);
    uint8_t seed[64];
    memset(seed, 0x1D, sizeof(seed));
    EVP_PKEY *idk = NULL;
    assert_int_equal(crypto_ecc_from_seed(seed, &idk), SWSEV_OK);
    struct snp_id_block blk;
    memset(&blk, 0, sizeof(blk));
    memcpy(blk.ld, r.digest, 48);
    memset(blk.family_id, 0xF1, 16);
    memset(blk.image_id, 0x11, 16);
    blk.version = 1;
    blk.guest_svn = 7;
    blk.policy = POLICY;
    struct snp_id_auth *auth = calloc(1, sizeof(*auth));
    assert_non_null(auth);
    /* Wrong digest, wrong policy, wrong algorithm, bad signature. */
    struct snp_id_block bad = blk;
    bad.ld[0] ^= 1;
    sign_id(idk, &bad, auth);
    assert_int_equal(launch_finish(&r, &bad, auth, 1), SEV_STATUS_BAD_MEASUREMENT);
    bad = blk;
    bad.policy |= SNP_POLICY_DEBUG;
    sign_id(idk, &bad, auth);
    assert_int_equal(launch_finish(&r, &bad, auth, 1), SEV_STATUS_POLICY_FAILURE);
    sign_id(idk, &blk, auth);
    auth->id_key_algo = 2;
    assert_int_equal(launch_finish(&r, &blk, auth, 1), SEV_STATUS_INVALID_PARAM);
    sign_id(idk, &blk, auth);
    auth->id_block_sig.r[0] ^= 1;
    assert_int_equal(launch_finish(&r, &blk, auth, 1), SEV_STATUS_BAD_SIGNATURE);
    sign_id(idk, &blk, auth);
    auth->id_key.qx[0] ^= 1; /* off the curve, or another key */
    assert_int_equal(launch_finish(&r, &blk, auth, 1), SEV_STATUS_BAD_SIGNATURE);
    sign_id(idk, &blk, auth);
    assert_int_equal(launch_finish(&r, &blk, auth, 1), 0);
    assert_int_equal(launch_finish(&r, &blk, auth, 1), SEV_STATUS_INVALID_GUEST_STATE);
    free(auth);
    EVP_PKEY_free(idk);
    rig_fini(&r);
}

static void attestation_report(void **state)
{
    (void)state;
    struct snp_rig r;
    rig_init(&r);
    launch(&r, POLICY);
    assert_int_equal(launch_finish(&r, NULL, NULL, 0), 0);
    /* The guest reads VMPCK0 from its secrets page; the host sees only
     * ciphertext there. */
    struct snp_secrets_page sp, host_view;
    guest_read_private(&r, 2 * PAGE, &sp, sizeof(sp));
    assert_int_equal(sp.version, 3);
    assert_int_equal(sp.fms, chip_signature(memsys_chip(r.h.ms)));
    ts_hread(&r.h, r.ram + 2 * PAGE, &host_view, sizeof(host_view));
    assert_memory_not_equal(host_view.vmpck[0], sp.vmpck[0], 32);
    /* The launched code page reads back as written; the ZERO page is zero. */
    uint8_t code[16], zero[16], z16[16] = {0};
    guest_read_private(&r, 0, code, sizeof(code));
    assert_memory_equal(code, "guest code", 10);
    guest_read_private(&r, PAGE, zero, sizeof(zero));
    assert_memory_equal(zero, z16, 16);

    struct msg_pages mp = {page_alloc(&r, 1, 1), fw_page(&r)};
    struct snp_msg_report_req q;
    memset(&q, 0, sizeof(q));
    memset(q.report_data, 0xAB, 64);
    assert_int_equal(
        guest_request(&r, sp.vmpck[0], 0, 1, SNP_MSG_REPORT_REQ, &q, sizeof(q), &mp, false), 0);
    uint8_t rsp[SNP_REPORT_RSP_SIZE];
    guest_response(&r, sp.vmpck[0], &mp, 2, rsp, sizeof(rsp));
    uint32_t status, size;
    memcpy(&status, rsp, 4);
    memcpy(&size, rsp + 4, 4);
    assert_int_equal(status, 0);
    assert_int_equal(size, 0x4A0);
    struct snp_report rep;
    assert_int_equal(snp_report_parse(rsp + 0x20, 0x4A0, &rep), SWSEV_OK);
    /* Signed by the VCEK the KDS would issue for this chip and TCB. */
    struct fw_params fp;
    fw_params_for_chip(&fp, "milan");
    EVP_PKEY *vcek = NULL;
    assert_int_equal(snp_vcek_derive(r.h.id.chip_secret, fp.snp_tcb, SNP_MILAN, &vcek), SWSEV_OK);
    assert_int_equal(snp_report_verify(&rep, vcek), SWSEV_OK);
    assert_memory_equal(rep.measurement, r.digest, 48);
    assert_int_equal(rep.policy, POLICY);
    assert_int_equal(rep.vmpl, 0);
    assert_int_equal(rep.reported_tcb, fp.snp_tcb);
    assert_int_equal(snp_report_product(&rep), SNP_MILAN);
    uint8_t hd[32], chip_id[64];
    memset(hd, 0x42, sizeof(hd));
    assert_memory_equal(rep.host_data, hd, 32);
    assert_memory_equal(rep.report_data, q.report_data, 64);
    assert_int_equal(snp_chip_id(r.h.id.chip_secret, chip_id), SWSEV_OK);
    assert_memory_equal(rep.chip_id, chip_id, 64);
    assert_int_equal(SNP_KEY_INFO_SIGNING_KEY(rep.key_info), 0);

    /* Replay of the same request: refused, and the response page untouched. */
    uint8_t before[PAGE], after[PAGE];
    ts_hread(&r.h, mp.rsp, before, sizeof(before));
    assert_int_equal(
        guest_request(&r, sp.vmpck[0], 0, 1, SNP_MSG_REPORT_REQ, &q, sizeof(q), &mp, false),
        SEV_STATUS_AEAD_OFLOW);
    ts_hread(&r.h, mp.rsp, after, sizeof(after));
    assert_memory_equal(before, after, PAGE);
    /* A tampered message, the wrong key, a VMPCK index above 3. */
    assert_int_equal(
        guest_request(&r, sp.vmpck[0], 0, 3, SNP_MSG_REPORT_REQ, &q, sizeof(q), &mp, true),
        SEV_STATUS_BAD_MEASUREMENT);
    assert_int_equal(
        guest_request(&r, sp.vmpck[1], 0, 3, SNP_MSG_REPORT_REQ, &q, sizeof(q), &mp, false),
        SEV_STATUS_BAD_MEASUREMENT);
    assert_int_equal(
        guest_request(&r, sp.vmpck[0], 4, 3, SNP_MSG_REPORT_REQ, &q, sizeof(q), &mp, false),
        SEV_STATUS_INVALID_PARAM);
    /* An unknown message type, correctly sealed. */
    assert_int_equal(guest_request(&r, sp.vmpck[0], 0, 3, 2, &q, sizeof(q), &mp, false),
                     SEV_STATUS_INVALID_PARAM);
    /* The response page must be a firmware page. */
    struct msg_pages bad = {mp.req, page_alloc(&r, 1, 1)};
    assert_int_equal(
        guest_request(&r, sp.vmpck[0], 0, 3, SNP_MSG_REPORT_REQ, &q, sizeof(q), &bad, false),
        SEV_STATUS_INVALID_PAGE_STATE);
    /* The sequence still continues at 3; VMPL below the VMPCK's: status in
     * the response. */
    q.vmpl = 0;
    assert_int_equal(
        guest_request(&r, sp.vmpck[1], 1, 1, SNP_MSG_REPORT_REQ, &q, sizeof(q), &mp, false), 0);
    guest_response(&r, sp.vmpck[1], &mp, 2, rsp, sizeof(rsp));
    memcpy(&status, rsp, 4);
    assert_int_equal(status, SEV_STATUS_INVALID_PARAM);
    EVP_PKEY_free(vcek);
    rig_fini(&r);
}

static void derived_keys(void **state)
{
    (void)state;
    struct snp_rig r;
    rig_init(&r);
    launch(&r, POLICY);
    assert_int_equal(launch_finish(&r, NULL, NULL, 0), 0);
    struct snp_secrets_page sp;
    guest_read_private(&r, 2 * PAGE, &sp, sizeof(sp));
    struct msg_pages mp = {page_alloc(&r, 1, 1), fw_page(&r)};
    struct snp_msg_key_req q;
    memset(&q, 0, sizeof(q));
    struct snp_msg_key_rsp k1, k2, k3;
    uint64_t seq = 1;
    /* Same request twice: same key. */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(
            guest_request(&r, sp.vmpck[0], 0, seq, SNP_MSG_KEY_REQ, &q, sizeof(q), &mp, false), 0);
        guest_response(&r, sp.vmpck[0], &mp, seq + 1, (uint8_t *)(i ? &k2 : &k1), sizeof(k1));
        seq += 2;
    }
    assert_int_equal(k1.status, 0);
    assert_memory_equal(k1.key, k2.key, 32);
    /* Mixing in the measurement gives another key. */
    q.guest_field_select = SNP_GFS_MEASUREMENT | SNP_GFS_POLICY;
    assert_int_equal(
        guest_request(&r, sp.vmpck[0], 0, seq, SNP_MSG_KEY_REQ, &q, sizeof(q), &mp, false), 0);
    guest_response(&r, sp.vmpck[0], &mp, seq + 1, (uint8_t *)&k3, sizeof(k3));
    seq += 2;
    assert_int_equal(k3.status, 0);
    assert_memory_not_equal(k1.key, k3.key, 32);
    /* A TCB above the committed one, a reserved field bit: refused in the
     * response, key zero. */
    q.guest_field_select = SNP_GFS_TCB_VERSION;
    q.tcb_version = ~0ull;
    assert_int_equal(
        guest_request(&r, sp.vmpck[0], 0, seq, SNP_MSG_KEY_REQ, &q, sizeof(q), &mp, false), 0);
    guest_response(&r, sp.vmpck[0], &mp, seq + 1, (uint8_t *)&k3, sizeof(k3));
    seq += 2;
    assert_int_equal(k3.status, SEV_STATUS_INVALID_PARAM);
    uint8_t z[32] = {0};
    assert_memory_equal(k3.key, z, 32);
    q.guest_field_select = 1ull << 6;
    assert_int_equal(
        guest_request(&r, sp.vmpck[0], 0, seq, SNP_MSG_KEY_REQ, &q, sizeof(q), &mp, false), 0);
    guest_response(&r, sp.vmpck[0], &mp, seq + 1, (uint8_t *)&k3, sizeof(k3));
    assert_int_equal(k3.status, SEV_STATUS_INVALID_PARAM);
    /* Guest status and the debug policy. */
    uint64_t out = fw_page(&r);
    struct snp_fw_guest_status gs = {r.gctx, out};
    assert_int_equal(cmd(&r, SNP_CMD_GUEST_STATUS, &gs, sizeof(gs)), 0);
    reclaim(&r, out);
    struct snp_guest_status_out so;
    ts_hread(&r.h, out, &so, sizeof(so));
    assert_int_equal(so.policy, POLICY);
    assert_int_equal(so.asid, ASID);
    assert_int_equal(so.state, SNP_GSTATE_RUNNING);
    struct snp_fw_dbg d = {r.gctx, r.ram, fw_page(&r)};
    assert_int_equal(cmd(&r, SNP_CMD_DBG_DECRYPT, &d, sizeof(d)), SEV_STATUS_POLICY_FAILURE);
    rig_fini(&r);
}

static void debug_policy_allows_decrypt(void **state)
{
    (void)state;
    struct snp_rig r;
    rig_init(&r);
    launch(&r, POLICY | SNP_POLICY_DEBUG);
    assert_int_equal(launch_finish(&r, NULL, NULL, 0), 0);
    uint64_t dst = fw_page(&r);
    struct snp_fw_dbg d = {r.gctx, r.ram, dst};
    assert_int_equal(cmd(&r, SNP_CMD_DBG_DECRYPT, &d, sizeof(d)), 0);
    reclaim(&r, dst);
    uint8_t b[16];
    ts_hread(&r.h, dst, b, sizeof(b));
    assert_memory_equal(b, "guest code", 10);
    /* The destination must be a firmware page. */
    d.dst_paddr = dst;
    assert_int_equal(cmd(&r, SNP_CMD_DBG_DECRYPT, &d, sizeof(d)), SEV_STATUS_INVALID_PAGE_STATE);
    rig_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(platform_init_rules), cmocka_unit_test(launch_rules),
        cmocka_unit_test(id_block_checks),     cmocka_unit_test(attestation_report),
        cmocka_unit_test(derived_keys),        cmocka_unit_test(debug_policy_allows_decrypt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
