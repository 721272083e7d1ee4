/* SPDX-License-Identifier: MIT */
/* The SNP page-management commands through the mailbox, as a hypervisor
 * drives them against a launched guest: SNP_PAGE_UNSMASH, SNP_PAGE_SET_STATE,
 * SNP_PAGE_MD_INIT, SNP_PAGE_MOVE and SNP_PAGE_SWAP_OUT/IN. Every success
 * is checked from the guest's side (same plaintext at the same GPA), every
 * refusal with AMD's status and with the RMP entries, page contents and
 * guest context left exactly as they were. Swapped pages are unreadable by
 * the host while out; replayed, relocated and altered ones are refused.
 *
 * White box where the model gives the hypervisor no path: the firmware
 * object behind the mailbox is used to read whole RMP entries (VALIDATED,
 * VMSA, permissions), to make Pre-Swap pages (the model's RMPUPDATE clears
 * VALIDATED) and to exhaust a guest's swap IV counter. */
#include "testsupport.h"

#include "common/snp_pageinfo.h"
#include "fw/fw.h"
#include "hw/psp.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/abi/snp_pages.h"
#include "swsev/fw_status.h"

#define PAGE   0x1000ull
#define BIG    0x200000ull
#define ASID   1
#define ASID2  2
#define POLICY 0x30000ull
#define NRAM   16
#define GPA_2M 0x400000ull /* where the guest's 2 MiB pages go */

struct rig {
    struct ts_host h;
    struct hv_npt npt;
    struct hw_guest_ctx cpu; /* the guest, paging off: GVA = GPA */
    uint64_t gctx, ram;
    struct sev_fw *fw;
    /* "Nothing changed" watch list: RMP slots and host-view contents. */
    unsigned nwatch;
    uint64_t watch_pa[12], watch_len[12];
};

static uint16_t cmd(struct rig *r, uint32_t id, void *buf, size_t len)
{
    return ts_cmd(&r->h, id, buf, len);
}

static uint64_t page_alloc(struct rig *r, uint64_t n, uint64_t align)
{
    uint64_t pa;
    assert_int_equal(hv_hostmem_alloc(machine_hostmem(r->h.m), n, align, &pa), SWSEV_OK);
    return pa;
}

static void rmp_set_sz(struct rig *r, uint64_t spa, uint64_t gpa, bool assigned, bool immutable,
                       uint32_t asid, bool big)
{
    struct rmp_state st = {gpa, assigned, big, immutable, 0, asid};
    assert_int_equal(memsys_rmpupdate(r->h.ms, spa, &st), RMP_SUCCESS);
}

static void rmp_set(struct rig *r, uint64_t spa, uint64_t gpa, bool assigned, bool immutable,
                    uint32_t asid)
{
    rmp_set_sz(r, spa, gpa, assigned, immutable, asid, false);
}

static uint64_t fw_page(struct rig *r)
{
    uint64_t pa = page_alloc(r, 1, 1);
    rmp_set(r, pa, 0, true, true, 0);
    return pa;
}

static struct rmp_entry entry(struct rig *r, uint64_t spa)
{
    struct rmp_entry e;
    assert_int_equal(memsys_fw_rmp_read(r->fw->port, spa, &e), SWSEV_OK);
    return e;
}

/* Stands in for the transition the model's RMPUPDATE cannot make. */
static void make_pre_swap(struct rig *r, uint64_t spa)
{
    struct rmp_entry e = entry(r, spa);
    e.validated = e.immutable = e.lock = true;
    assert_int_equal(memsys_fw_rmp_write(r->fw->port, spa, &e), SWSEV_OK);
    memsys_fw_rmp_changed(r->fw->port);
}

static struct fw_snp_guest *guest_of(struct rig *r, uint64_t gctx)
{
    for (unsigned i = 0; i < FW_SNP_MAX_GUESTS; i++)
        if (r->fw->snp.guests[i].gctx_pa == gctx)
            return &r->fw->snp.guests[i];
    fail();
    return NULL;
}

static void reclaim(struct rig *r, uint64_t pa)
{
    struct snp_fw_addr a = {pa};
    assert_int_equal(cmd(r, SNP_CMD_PAGE_RECLAIM, &a, sizeof(a)), 0);
}

/* A firmware page back to the hypervisor. */
static void to_host(struct rig *r, uint64_t pa)
{
    reclaim(r, pa);
    rmp_set(r, pa, 0, false, false, 0);
}

static void fill(uint8_t *p, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(i * 31 + seed * 7 + 1);
    memcpy(p, "secret page ", 12);
    p[12] = (uint8_t)seed;
}

static swsev_rc gread(struct rig *r, uint64_t gpa, void *buf, size_t len)
{
    struct hw_fault f;
    return memsys_guest_phys_read(r->h.ms, &r->cpu, gpa | memsys_cbit_mask(r->h.ms), buf, len, &f);
}

static void gwrite(struct rig *r, uint64_t gpa, const void *buf, size_t len)
{
    struct hw_fault f;
    assert_int_equal(
        memsys_guest_phys_write(r->h.ms, &r->cpu, gpa | memsys_cbit_mask(r->h.ms), buf, len, &f),
        SWSEV_OK);
}

/* The guest sees pattern seed at gpa (len bytes). */
static void guest_sees(struct rig *r, uint64_t gpa, size_t len, unsigned seed)
{
    uint8_t *want = malloc(len), *got = malloc(len);
    fill(want, len, seed);
    assert_int_equal(gread(r, gpa, got, len), SWSEV_OK);
    assert_memory_equal(got, want, len);
    free(want);
    free(got);
}

static void pvalidate(struct rig *r, uint64_t gpa, bool big)
{
    bool nu;
    struct hw_fault f;
    assert_int_equal(memsys_pvalidate(r->h.ms, &r->cpu, gpa, big, true, &nu, &f), RMP_SUCCESS);
}

/* The hypervisor points the guest's GPA at another page. */
static void remap(struct rig *r, uint64_t gpa, uint64_t spa, bool big)
{
    assert_int_equal(
        hv_npt_map(&r->npt, gpa, spa, big ? BIG : PAGE, NPT_RW, big ? PGT_SIZE_2M : PGT_SIZE_4K),
        SWSEV_OK);
    memsys_wbinvd(r->h.ms, 0); /* and flushes its TLB */
}

static bool host_can_write(struct rig *r, uint64_t pa)
{
    uint8_t b = 0;
    struct hw_fault f;
    return memsys_host_write_f(r->h.ms, pa, &b, 1, &f) == SWSEV_OK;
}

/* ---- "nothing changed" ---- */

static void watch(struct rig *r, uint64_t pa, uint64_t len)
{
    assert_true(r->nwatch < 12);
    r->watch_pa[r->nwatch] = pa;
    r->watch_len[r->nwatch++] = len;
}

struct snap {
    uint8_t *rmp[12], *data[12];
    struct fw_snp_guest g;
};

static void rmp_raw(struct rig *r, uint64_t pa, uint64_t len, uint8_t *out)
{
    uint64_t base, end;
    memsys_rmp_range(r->h.ms, &base, &end);
    ts_hread(&r->h, base + RMP_BOOKKEEPING + (pa >> 12) * RMP_ENTRY_SIZE, out,
             len / PAGE * RMP_ENTRY_SIZE);
}

static void snap_take(struct rig *r, struct snap *s)
{
    for (unsigned i = 0; i < r->nwatch; i++) {
        uint64_t len = r->watch_len[i];
        s->rmp[i] = malloc(len / PAGE * RMP_ENTRY_SIZE);
        s->data[i] = malloc(len);
        rmp_raw(r, r->watch_pa[i], len, s->rmp[i]);
        ts_hread(&r->h, r->watch_pa[i], s->data[i], len);
    }
    memcpy(&s->g, guest_of(r, r->gctx), sizeof(s->g));
}

static void snap_same(struct rig *r, struct snap *s)
{
    for (unsigned i = 0; i < r->nwatch; i++) {
        uint64_t len = r->watch_len[i];
        uint8_t *rmp = malloc(len / PAGE * RMP_ENTRY_SIZE), *data = malloc(len);
        rmp_raw(r, r->watch_pa[i], len, rmp);
        ts_hread(&r->h, r->watch_pa[i], data, len);
        assert_memory_equal(rmp, s->rmp[i], len / PAGE * RMP_ENTRY_SIZE);
        assert_memory_equal(data, s->data[i], len);
        free(rmp);
        free(data);
        free(s->rmp[i]);
        free(s->data[i]);
    }
    assert_memory_equal(&s->g, guest_of(r, r->gctx), sizeof(s->g));
}

/* A command that must fail with status want and change nothing watched. */
static void refused(struct rig *r, uint16_t want, uint32_t id, void *buf, size_t len)
{
    struct snap s;
    snap_take(r, &s);
    assert_int_equal(cmd(r, id, buf, len), want);
    snap_same(r, &s);
}

/* ---- the rig: a host with SNP, a guest launched with 4 pages ---- */

static void rig_init(struct rig *r)
{
    memset(r, 0, sizeof(*r));
    ts_host_init(&r->h, "milan", "snp", false);
    r->fw = r->h.psp->dev->fw.ctx;
    r->gctx = fw_page(r);
    struct snp_fw_addr a = {r->gctx};
    assert_int_equal(cmd(r, SNP_CMD_GCTX_CREATE, &a, sizeof(a)), 0);
    r->ram = page_alloc(r, NRAM, 1);
    assert_int_equal(hv_npt_init(&r->npt, r->h.ms, machine_hostmem(r->h.m), false), SWSEV_OK);
    assert_int_equal(hv_npt_map(&r->npt, 0, r->ram, NRAM * PAGE, NPT_RW, PGT_SIZE_4K), SWSEV_OK);
    r->cpu.asid = ASID;
    r->cpu.sev = r->cpu.es = r->cpu.snp = true;
    r->cpu.np_enable = true;
    r->cpu.ncr3 = hv_npt_ncr3(&r->npt);
}

static void rig_fini(struct rig *r)
{
    hv_npt_fini(&r->npt);
    ts_host_fini(&r->h);
}

static uint16_t launch_start(struct rig *r, uint64_t gctx)
{
    struct snp_fw_launch_start b;
    memset(&b, 0, sizeof(b));
    b.gctx_paddr = gctx;
    b.policy = POLICY;
    return cmd(r, SNP_CMD_LAUNCH_START, &b, sizeof(b));
}

/* Pages 0..3 (GPA 0..0x3fff) measured with pattern i; RUNNING. */
static void launch(struct rig *r)
{
    assert_int_equal(launch_start(r, r->gctx), 0);
    struct snp_fw_activate act = {r->gctx, ASID};
    assert_int_equal(cmd(r, SNP_CMD_ACTIVATE, &act, sizeof(act)), 0);
    uint8_t page[PAGE];
    for (unsigned i = 0; i < 4; i++) {
        uint64_t spa = r->ram + i * PAGE;
        fill(page, PAGE, i);
        ts_hwrite(&r->h, spa, page, PAGE);
        rmp_set(r, spa, i * PAGE, true, true, ASID);
        struct snp_fw_launch_update u;
        memset(&u, 0, sizeof(u));
        u.gctx_paddr = r->gctx;
        u.flags = (uint32_t)SNP_PAGE_TYPE_NORMAL << 1;
        u.page_paddr = spa;
        assert_int_equal(cmd(r, SNP_CMD_LAUNCH_UPDATE, &u, sizeof(u)), 0);
    }
    struct snp_fw_launch_finish f;
    memset(&f, 0, sizeof(f));
    f.gctx_paddr = r->gctx;
    assert_int_equal(cmd(r, SNP_CMD_LAUNCH_FINISH, &f, sizeof(f)), 0);
    for (unsigned i = 0; i < 4; i++)
        guest_sees(r, i * PAGE, PAGE, i);
}

/* Another guest context: INIT, or LAUNCH without an ASID. */
static uint64_t other_guest(struct rig *r, bool launched)
{
    uint64_t g = fw_page(r);
    struct snp_fw_addr a = {g};
    assert_int_equal(cmd(r, SNP_CMD_GCTX_CREATE, &a, sizeof(a)), 0);
    if (launched)
        assert_int_equal(launch_start(r, g), 0);
    return g;
}

static uint64_t md_page(struct rig *r, uint64_t gctx)
{
    uint64_t pa = fw_page(r);
    struct snp_fw_md_init b = {gctx, pa};
    assert_int_equal(cmd(r, SNP_CMD_PAGE_MD_INIT, &b, sizeof(b)), 0);
    return pa;
}

/* A 2 MiB region of 512 4 KiB Pre-Guest pages of ASID asid at gpa. */
static uint64_t region_pre_guest(struct rig *r, uint64_t gpa, uint32_t asid)
{
    uint64_t pa = page_alloc(r, 512, 512);
    for (unsigned i = 0; i < 512; i++)
        rmp_set(r, pa + i * PAGE, gpa + i * PAGE, true, true, asid);
    return pa;
}

static uint16_t swap_out(struct rig *r, uint64_t gctx, uint64_t src, uint64_t dst, uint64_t md,
                         uint64_t flags)
{
    struct snp_fw_swap_out b = {gctx, src, dst, md, 0x5eed0000 + md, flags};
    return cmd(r, SNP_CMD_PAGE_SWAP_OUT, &b, sizeof(b));
}

static uint16_t swap_in(struct rig *r, uint64_t gctx, uint64_t src, uint64_t dst, uint64_t md,
                        uint64_t flags)
{
    struct snp_fw_swap_in b = {gctx, src, dst, md, 0, flags};
    return cmd(r, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b));
}

static void read_mdata(struct rig *r, uint64_t md, struct snp_mdata_entry *m)
{
    ts_hread(&r->h, md, m, sizeof(*m));
}

/* ---- the tests ---- */

static void page_commands_need_snp_init(void **state)
{
    (void)state;
    struct rig r;
    memset(&r, 0, sizeof(r));
    ts_host_init_nosnp(&r.h, "milan", "snp", false);
    struct snp_fw_page_unsmash u = {0x200000};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u)),
                     SEV_STATUS_INVALID_PLATFORM_STATE);
    struct snp_fw_page_set_state ss = {0x10, 0, 0x1000000};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss)),
                     SEV_STATUS_INVALID_PLATFORM_STATE);
    ss.length = 0x18; /* the length is checked first */
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss)), SEV_STATUS_INVALID_LENGTH);
    struct snp_fw_md_init md = {0x1000000, 0x1001000};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_MD_INIT, &md, sizeof(md)),
                     SEV_STATUS_INVALID_PLATFORM_STATE);
    struct snp_fw_page_move mv = {0x1000000, 0, 0, 0x1001000, 0x1002000};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_MOVE, &mv, sizeof(mv)),
                     SEV_STATUS_INVALID_PLATFORM_STATE);
    mv.rsvd = 1; /* reserved fields before the platform state */
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_MOVE, &mv, sizeof(mv)), SEV_STATUS_INVALID_PARAM);
    struct snp_fw_swap_out so = {0x1000000, 0x1001000, 0x1002000, 0x1003000, 0, 0};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_SWAP_OUT, &so, sizeof(so)),
                     SEV_STATUS_INVALID_PLATFORM_STATE);
    struct snp_fw_swap_in si = {0x1000000, 0x1001000, 0x1002000, 0x1003000, 0, 0};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_SWAP_IN, &si, sizeof(si)),
                     SEV_STATUS_INVALID_PLATFORM_STATE);
    ts_host_fini(&r.h);
}

/* 512 uniform Pre-Guest entries become one 2 MiB Pre-Guest entry, which
 * the guest then validates and uses as a 2 MiB page; Pre-Swap entries keep
 * VALIDATED. */
static void unsmash_merges_uniform_entries(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    launch(&r);
    uint64_t pa = region_pre_guest(&r, GPA_2M, ASID);
    struct snp_fw_page_unsmash u = {pa};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u)), 0);
    for (unsigned i = 0; i < 512; i += 73) {
        struct rmp_state st;
        assert_int_equal(memsys_rmpread(r.h.ms, pa + i * PAGE, &st), RMP_SUCCESS);
        assert_int_equal(st.pagesize & 1, 1);
        assert_int_equal(st.assigned, 1);
        assert_int_equal(st.immutable, 1);
        assert_int_equal(st.asid, ASID);
        assert_int_equal(st.gpa, GPA_2M + i * PAGE);
    }
    struct rmp_entry e = entry(&r, pa);
    assert_true(e.size_2m && !e.validated && e.gpa == GPA_2M && e.subpage_count == 0);
    /* A 2 MiB guest page from here on. */
    reclaim(&r, pa | 1);
    remap(&r, GPA_2M, pa, true);
    pvalidate(&r, GPA_2M, true);
    uint8_t buf[64];
    fill(buf, sizeof(buf), 9);
    gwrite(&r, GPA_2M + 0x1ff000, buf, sizeof(buf));
    guest_sees(&r, GPA_2M + 0x1ff000, sizeof(buf), 9);

    /* Pre-Swap entries: the merged entry stays validated. */
    uint64_t pb = region_pre_guest(&r, GPA_2M + BIG, ASID);
    for (unsigned i = 0; i < 512; i++)
        make_pre_swap(&r, pb + i * PAGE);
    u.page_paddr = pb | memsys_cbit_mask(r.h.ms); /* the C-bit is ignored */
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u)), 0);
    e = entry(&r, pb + 5 * PAGE);
    assert_true(e.size_2m && e.validated && e.immutable && e.gpa == GPA_2M + BIG);
    rig_fini(&r);
}

static void unsmash_refusals(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    launch(&r);
    uint64_t pa = region_pre_guest(&r, GPA_2M, ASID);
    watch(&r, pa, BIG);
    struct snp_fw_page_unsmash u;
    uint64_t bad_bits[] = {pa | 2, pa | 0x800, pa | 1, pa + PAGE};
    for (unsigned i = 0; i < 4; i++) {
        u.page_paddr = bad_bits[i];
        refused(&r, SEV_STATUS_INVALID_PARAM, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    }
    uint64_t base, end;
    memsys_rmp_range(r.h.ms, &base, &end);
    u.page_paddr = (base + BIG - 1) & ~(BIG - 1); /* a page of the RMP itself */
    assert_true(u.page_paddr <= end);
    refused(&r, SEV_STATUS_INVALID_PARAM, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    u.page_paddr = memsys_chip(r.h.ms)->dram_size; /* beyond the RMP: Default */
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    if (base & (BIG - 1)) { /* a 2 MiB range that runs into the RMP */
        u.page_paddr = base & ~(BIG - 1);
        refused(&r, SEV_STATUS_INVALID_ADDRESS, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    } /* (always covered by unsmash_range_into_the_rmp) */

    /* Each broken condition on one entry, restored afterwards. */
    u.page_paddr = pa;
    const unsigned k = 300;
    struct rmp_entry keep = entry(&r, pa + k * PAGE);
    /* not immutable (Guest-Invalid) */
    reclaim(&r, pa + k * PAGE);
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    /* ASID 0 (a Firmware page in the middle) */
    rmp_set(&r, pa + k * PAGE, 0, false, false, 0);
    rmp_set(&r, pa + k * PAGE, 0, true, true, 0);
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    reclaim(&r, pa + k * PAGE);
    /* another ASID */
    rmp_set(&r, pa + k * PAGE, 0, false, false, 0);
    rmp_set(&r, pa + k * PAGE, GPA_2M + k * PAGE, true, true, ASID2);
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    /* GPA not consecutive */
    struct rmp_entry e = keep;
    e.gpa += PAGE;
    assert_int_equal(memsys_fw_rmp_write(r.fw->port, pa + k * PAGE, &e), SWSEV_OK);
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    /* another state (Pre-Swap among Pre-Guest) */
    e = keep;
    e.validated = true;
    assert_int_equal(memsys_fw_rmp_write(r.fw->port, pa + k * PAGE, &e), SWSEV_OK);
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    /* VMSA */
    e = keep;
    e.vmsa = true;
    assert_int_equal(memsys_fw_rmp_write(r.fw->port, pa + k * PAGE, &e), SWSEV_OK);
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    /* other VMPL permissions */
    e = keep;
    e.perms[1] = 1;
    assert_int_equal(memsys_fw_rmp_write(r.fw->port, pa + k * PAGE, &e), SWSEV_OK);
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    assert_int_equal(memsys_fw_rmp_write(r.fw->port, pa + k * PAGE, &keep), SWSEV_OK);

    /* The first GPA not 2 MiB aligned (all entries shifted by a page). */
    uint64_t pb = region_pre_guest(&r, GPA_2M + PAGE, ASID);
    u.page_paddr = pb;
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    /* Already a 2 MiB entry. */
    uint64_t pc = page_alloc(&r, 512, 512);
    rmp_set_sz(&r, pc, GPA_2M, true, true, ASID, true);
    u.page_paddr = pc;
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    /* Hypervisor pages. */
    u.page_paddr = page_alloc(&r, 512, 512);
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u));
    /* And the untouched region still merges. */
    u.page_paddr = pa;
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u)), 0);
    rig_fini(&r);
}

/* A host whose RMP starts 1 MiB past a 2 MiB boundary: the 2 MiB range
 * below it is not RMP-owned but runs into the table. */
static void unsmash_range_into_the_rmp(void **state)
{
    (void)state;
    struct rig r;
    memset(&r, 0, sizeof(r));
    ts_host_init_nosnp(&r.h, "milan", "snp", false);
    const struct chip_config *cfg = memsys_chip(r.h.ms);
    uint64_t size = RMP_BOOKKEEPING + (cfg->dram_size >> 12) * RMP_ENTRY_SIZE;
    size = (size + 0xfffff) & ~0xfffffull;
    uint64_t region = page_alloc(&r, (size >> 12) + 256, 512), base = region + 0x100000;
    assert_int_equal(memsys_rmp_configure(r.h.ms, base, base + size - 1), SWSEV_OK);
    assert_int_equal(memsys_snp_enable(r.h.ms), SWSEV_OK);
    assert_int_equal(cmd(&r, SNP_CMD_INIT, NULL, 0), 0);
    struct snp_fw_page_unsmash u = {region};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u)), SEV_STATUS_INVALID_ADDRESS);
    u.page_paddr = region + BIG; /* inside the table */
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_UNSMASH, &u, sizeof(u)), SEV_STATUS_INVALID_PARAM);
    ts_host_fini(&r.h);
}

/* A page-aligned RANGE_LIST in host memory. */
static uint64_t range_list(struct rig *r, uint32_t n, const struct snp_range *ranges, uint32_t rsvd)
{
    uint64_t pa = ts_hbuf(&r->h, PAGE);
    struct snp_range_list l = {n, rsvd};
    ts_hwrite(&r->h, pa, &l, sizeof(l));
    if (ranges)
        ts_hwrite(&r->h, pa + sizeof(l), ranges, n * sizeof(*ranges));
    return pa;
}

static void set_state_firmware_to_hv_fixed(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    /* Two 2 MiB-aligned ranges: 3 Firmware pages at a, 1 at b. */
    uint64_t a = page_alloc(&r, 512, 512), b = page_alloc(&r, 512, 512);
    for (unsigned i = 0; i < 3; i++)
        rmp_set(&r, a + i * PAGE, 0, true, true, 0);
    rmp_set(&r, b, 0, true, true, 0);
    watch(&r, a, 4 * PAGE);
    watch(&r, b, PAGE);
    struct snp_range good[2] = {{a, 3, 0}, {b | memsys_cbit_mask(r.h.ms), 1, 0}};
    struct snp_fw_page_set_state ss = {0x10, 0, range_list(&r, 2, good, 0)};

    /* Buffer and list refusals. */
    ss.length = 0x0f;
    refused(&r, SEV_STATUS_INVALID_LENGTH, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss));
    ss.length = 0x10;
    ss.rsvd = 1;
    refused(&r, SEV_STATUS_INVALID_PARAM, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss));
    ss.rsvd = 0;
    uint64_t list = ss.list_paddr;
    ss.list_paddr = list + 0x10;
    refused(&r, SEV_STATUS_INVALID_PARAM, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss));
    ss.list_paddr = memsys_chip(r.h.ms)->dram_size;
    refused(&r, SEV_STATUS_INVALID_ADDRESS, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss));
    ss.list_paddr = range_list(&r, 2, good, 1); /* list reserved word */
    refused(&r, SEV_STATUS_INVALID_PARAM, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss));
    ss.list_paddr = range_list(&r, 256, NULL, 0); /* more than fit in the page */
    refused(&r, SEV_STATUS_INVALID_PARAM, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss));
    struct snp_range bad[2] = {{a, 3, 0}, {b, 1, 7}}; /* range reserved word */
    ss.list_paddr = range_list(&r, 2, bad, 0);
    refused(&r, SEV_STATUS_INVALID_PARAM, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss));
    bad[1] = (struct snp_range){b + PAGE, 1, 0}; /* base not 2 MiB aligned */
    ss.list_paddr = range_list(&r, 2, bad, 0);
    refused(&r, SEV_STATUS_INVALID_PARAM, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss));
    /* A page that is not Firmware (the 4th at a): nothing converted, not
     * even the ranges before it. */
    bad[0] = (struct snp_range){b, 1, 0};
    bad[1] = (struct snp_range){a, 4, 0};
    ss.list_paddr = range_list(&r, 2, bad, 0);
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss));
    /* A 2 MiB Firmware page is not a 4 KiB Firmware entry. */
    uint64_t c = page_alloc(&r, 512, 512);
    rmp_set_sz(&r, c, 0, true, true, 0, true);
    bad[0] = (struct snp_range){c, 1, 0};
    ss.list_paddr = range_list(&r, 1, bad, 0);
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss));

    /* Success, with an empty range and one beyond the RMP (Default). */
    struct snp_range ok[4] = {
        {a, 3, 0}, {b, 1, 0}, {b, 0, 0}, {memsys_chip(r.h.ms)->dram_size, 8, 0}};
    ss.list_paddr = range_list(&r, 4, ok, 0);
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss)), 0);
    uint64_t fixed[4] = {a, a + PAGE, a + 2 * PAGE, b};
    for (unsigned i = 0; i < 4; i++) {
        struct rmp_entry e = entry(&r, fixed[i]);
        assert_true(!e.assigned && e.immutable && !e.lock && !e.asid && !e.gpa);
        /* HV-Fixed: the hypervisor's, but never assignable or reclaimable. */
        assert_true(host_can_write(&r, fixed[i]));
        struct rmp_state st = {0, 1, 0, 1, 0, 0};
        assert_int_equal(memsys_rmpupdate(r.h.ms, fixed[i], &st), RMP_FAIL_PERMISSION);
        struct snp_fw_addr ra = {fixed[i]};
        assert_int_equal(cmd(&r, SNP_CMD_PAGE_RECLAIM, &ra, sizeof(ra)),
                         SEV_STATUS_INVALID_PAGE_STATE);
    }
    /* The page after the range was not touched. */
    assert_true(!entry(&r, a + 3 * PAGE).immutable);
    /* HV-Fixed pages are not Firmware pages: a second run refuses. */
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss));
    rig_fini(&r);
}

/* A range inside the RMP: the RMP's own pages (Firmware pages) are left
 * out, as AMD's list walk does, so nothing is converted. */
static void set_state_skips_the_rmp(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    uint64_t base, end;
    memsys_rmp_range(r.h.ms, &base, &end);
    uint64_t start = (base + BIG - 1) & ~(BIG - 1);
    assert_true(start < end);
    assert_true(entry(&r, start).assigned && entry(&r, start).immutable);
    watch(&r, start, end + 1 - start);
    struct snp_range rg = {start, (uint32_t)((end + 1 - start) / PAGE), 0};
    struct snp_fw_page_set_state ss = {0x10, 0, range_list(&r, 1, &rg, 0)};
    refused(&r, 0, SNP_CMD_PAGE_SET_STATE, &ss, sizeof(ss)); /* succeeds, changes nothing */
    rig_fini(&r);
}

static void md_init_rules(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    uint64_t page = fw_page(&r), hv = page_alloc(&r, 1, 1), not_gctx = fw_page(&r);
    watch(&r, page, PAGE);
    watch(&r, r.gctx, PAGE);
    struct snp_fw_md_init b = {r.gctx, page};
    /* INIT guest (before LAUNCH_START). */
    refused(&r, SEV_STATUS_INVALID_GUEST_STATE, SNP_CMD_PAGE_MD_INIT, &b, sizeof(b));
    launch(&r);
    b.page_paddr = page | 0x40;
    refused(&r, SEV_STATUS_INVALID_PARAM, SNP_CMD_PAGE_MD_INIT, &b, sizeof(b));
    b = (struct snp_fw_md_init){r.gctx | 8, page};
    refused(&r, SEV_STATUS_INVALID_PARAM, SNP_CMD_PAGE_MD_INIT, &b, sizeof(b));
    uint64_t base, end;
    memsys_rmp_range(r.h.ms, &base, &end);
    b = (struct snp_fw_md_init){r.gctx, base};
    refused(&r, SEV_STATUS_INVALID_PARAM, SNP_CMD_PAGE_MD_INIT, &b, sizeof(b));
    b = (struct snp_fw_md_init){not_gctx, page};
    refused(&r, SEV_STATUS_INVALID_GUEST, SNP_CMD_PAGE_MD_INIT, &b, sizeof(b));
    b = (struct snp_fw_md_init){r.gctx, hv};
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_MD_INIT, &b, sizeof(b));
    b = (struct snp_fw_md_init){r.gctx, r.gctx};
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_MD_INIT, &b, sizeof(b));
    /* Inside a 2 MiB Firmware page (not its first 4 KiB). */
    uint64_t big = page_alloc(&r, 512, 512);
    rmp_set_sz(&r, big, 0, true, true, 0, true);
    b = (struct snp_fw_md_init){r.gctx, big + PAGE};
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_MD_INIT, &b, sizeof(b));

    /* Success: zeroed, Metadata (RMP.GPA = guest context, tag 1), owned by
     * the firmware. */
    uint8_t junk[PAGE], got[PAGE], zero[PAGE] = {0};
    memset(junk, 0xA5, sizeof(junk));
    ts_hwrite(&r.h, hv, junk, sizeof(junk));
    rmp_set(&r, hv, 0, true, true, 0);
    b = (struct snp_fw_md_init){r.gctx, hv};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_MD_INIT, &b, sizeof(b)), 0);
    ts_hread(&r.h, hv, got, sizeof(got));
    assert_memory_equal(got, zero, sizeof(zero));
    struct rmp_entry e = entry(&r, hv);
    assert_true(e.assigned && e.immutable && !e.asid && !e.vmsa);
    assert_int_equal(e.gpa, r.gctx | (1ull << 48));
    assert_false(host_can_write(&r, hv));
    /* A Metadata page is not a Firmware page any more. */
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_MD_INIT, &b, sizeof(b));
    /* A 2 MiB Firmware page becomes a 2 MiB Metadata page. */
    b.page_paddr = big;
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_MD_INIT, &b, sizeof(b)), 0);
    e = entry(&r, big + 77 * PAGE);
    assert_true(e.size_2m && e.gpa == (r.gctx | (1ull << 48)));
    rig_fini(&r);
}

/* Move a guest page the way a hypervisor compacts memory: src made
 * Pre-Guest (it loses VALIDATED) or Pre-Swap, dst a Pre-Guest page of the
 * guest. The guest reads the same plaintext at the same GPA afterwards. */
static void move_4k_keeps_the_guest_view(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    launch(&r);
    uint64_t src = r.ram + 1 * PAGE, dst = page_alloc(&r, 1, 1);
    uint8_t ct_src[64], ct_dst[64];
    ts_hread(&r.h, src, ct_src, sizeof(ct_src));
    rmp_set(&r, src, 1 * PAGE, true, true, ASID);
    rmp_set(&r, dst, 0x9000, true, true, ASID);
    struct snp_fw_page_move b = {r.gctx, 0, 0, src, dst};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_MOVE, &b, sizeof(b)), 0);
    struct rmp_entry es = entry(&r, src), ed = entry(&r, dst);
    assert_true(es.assigned && !es.immutable && !es.validated &&
                es.asid == ASID); /* Guest-Invalid */
    assert_true(ed.assigned && !ed.immutable && !ed.validated && ed.asid == ASID);
    assert_int_equal(ed.gpa, 1 * PAGE);
    /* Re-encrypted for the new address: other ciphertext for the host. */
    ts_hread(&r.h, dst, ct_dst, sizeof(ct_dst));
    assert_memory_not_equal(ct_src, ct_dst, sizeof(ct_dst));
    remap(&r, 1 * PAGE, dst, false);
    uint8_t tmp[16];
    assert_int_not_equal(gread(&r, 1 * PAGE, tmp, sizeof(tmp)), SWSEV_OK); /* #VC: not validated */
    pvalidate(&r, 1 * PAGE, false);
    guest_sees(&r, 1 * PAGE, PAGE, 1);

    /* From Pre-Swap the destination arrives Guest-Valid. */
    uint64_t src2 = r.ram + 2 * PAGE, dst2 = page_alloc(&r, 1, 1);
    rmp_set(&r, src2, 2 * PAGE, true, true, ASID);
    make_pre_swap(&r, src2);
    rmp_set(&r, dst2, 0, true, true, ASID);
    b = (struct snp_fw_page_move){r.gctx, 0, 0, src2 | memsys_cbit_mask(r.h.ms), dst2};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_MOVE, &b, sizeof(b)), 0);
    ed = entry(&r, dst2);
    assert_true(ed.validated && !ed.immutable && ed.gpa == 2 * PAGE);
    assert_false(entry(&r, src2).validated);
    remap(&r, 2 * PAGE, dst2, false);
    guest_sees(&r, 2 * PAGE, PAGE, 2);
    /* The old page no longer answers for the GPA. */
    remap(&r, 2 * PAGE, src2, false);
    assert_int_not_equal(gread(&r, 2 * PAGE, tmp, sizeof(tmp)), SWSEV_OK);
    rig_fini(&r);
}

static void move_2m_and_metadata(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    launch(&r);
    /* A validated 2 MiB guest page with data at both ends. */
    uint64_t src = page_alloc(&r, 512, 512), dst = page_alloc(&r, 512, 512);
    rmp_set_sz(&r, src, GPA_2M, true, true, ASID, true);
    reclaim(&r, src | 1);
    remap(&r, GPA_2M, src, true);
    pvalidate(&r, GPA_2M, true);
    uint8_t buf[PAGE];
    fill(buf, PAGE, 20);
    gwrite(&r, GPA_2M, buf, PAGE);
    fill(buf, PAGE, 21);
    gwrite(&r, GPA_2M + BIG - PAGE, buf, PAGE);
    rmp_set_sz(&r, src, GPA_2M, true, true, ASID, true);
    rmp_set_sz(&r, dst, 0, true, true, ASID, true);
    struct snp_fw_page_move b = {r.gctx, 1, 0, src + PAGE, dst};
    watch(&r, src, BIG);
    watch(&r, dst, BIG);
    /* Not the first page of the 2 MiB entry. */
    refused(&r, SEV_STATUS_INVALID_PAGE_SIZE, SNP_CMD_PAGE_MOVE, &b, sizeof(b));
    b = (struct snp_fw_page_move){r.gctx, 0, 0, src, dst};
    refused(&r, SEV_STATUS_INVALID_PAGE_SIZE, SNP_CMD_PAGE_MOVE, &b, sizeof(b));
    b.flags = 1;
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_MOVE, &b, sizeof(b)), 0);
    struct rmp_entry ed = entry(&r, dst + 100 * PAGE);
    assert_true(ed.size_2m && !ed.immutable && ed.gpa == GPA_2M && ed.asid == ASID);
    remap(&r, GPA_2M, dst, true);
    pvalidate(&r, GPA_2M, true);
    guest_sees(&r, GPA_2M, PAGE, 20);
    guest_sees(&r, GPA_2M + BIG - PAGE, PAGE, 21);

    /* A Metadata page moves to a Firmware page, contents and owner with it. */
    uint64_t md = md_page(&r, r.gctx), f = fw_page(&r);
    uint64_t g = r.ram + 3 * PAGE, out = fw_page(&r);
    rmp_set(&r, g, 3 * PAGE, true, true, ASID);
    assert_int_equal(swap_out(&r, r.gctx, g, out, md + 0x80, 0), 0);
    uint8_t before[PAGE], after[PAGE];
    ts_hread(&r.h, md, before, sizeof(before));
    b = (struct snp_fw_page_move){r.gctx, 0, 0, md, f};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_MOVE, &b, sizeof(b)), 0);
    ts_hread(&r.h, f, after, sizeof(after));
    assert_memory_equal(before, after, sizeof(after));
    assert_int_equal(entry(&r, f).gpa, r.gctx | (1ull << 48));
    assert_int_equal(entry(&r, md).gpa, 0); /* a Firmware page again */
    /* The moved entry still brings the page back. */
    uint64_t d = page_alloc(&r, 1, 1), ct = out;
    to_host(&r, ct);
    rmp_set(&r, d, 0, true, true, ASID);
    assert_int_equal(swap_in(&r, r.gctx, ct, d, f + 0x80, 0), 0);
    /* A Metadata page onto itself: the destination is not a Firmware page. */
    b = (struct snp_fw_page_move){r.gctx, 0, 0, f, f};
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_MOVE, &b, sizeof(b));
    rig_fini(&r);
}

static void move_refusals(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    launch(&r);
    uint64_t src = r.ram + 1 * PAGE, dst = page_alloc(&r, 1, 1), hv = page_alloc(&r, 1, 1);
    rmp_set(&r, src, 1 * PAGE, true, true, ASID);
    rmp_set(&r, dst, 0, true, true, ASID);
    uint64_t g_init = other_guest(&r, false), g_inactive = other_guest(&r, true);
    uint64_t not_gctx = fw_page(&r);
    watch(&r, src, PAGE);
    watch(&r, dst, PAGE);
    watch(&r, r.gctx, PAGE);
    uint64_t base, end;
    memsys_rmp_range(r.h.ms, &base, &end);
    struct {
        uint16_t want;
        struct snp_fw_page_move b;
    } cases[] = {
        {SEV_STATUS_INVALID_PARAM, {r.gctx | 0x10, 0, 0, src, dst}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, 0, 0, src | 1, dst}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, 0, 0, src, dst | 0x800}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, 2, 0, src, dst}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, 0, 1, src, dst}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, 0, 0, base, dst}},
        {SEV_STATUS_INVALID_GUEST, {not_gctx, 0, 0, src, dst}},
        {SEV_STATUS_INVALID_PAGE_SIZE, {r.gctx, 1, 0, src, dst}},
        {SEV_STATUS_INVALID_GUEST_STATE, {g_init, 0, 0, src, dst}},
        {SEV_STATUS_INACTIVE, {g_inactive, 0, 0, src, dst}},
        {SEV_STATUS_INVALID_PAGE_STATE, {r.gctx, 0, 0, src, hv}},
        {SEV_STATUS_INVALID_PAGE_STATE, {r.gctx, 0, 0, r.ram, dst}},    /* Guest-Valid src */
        {SEV_STATUS_INVALID_PAGE_STATE, {r.gctx, 0, 0, src, not_gctx}}, /* Firmware dst */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        refused(&r, cases[i].want, SNP_CMD_PAGE_MOVE, &cases[i].b, sizeof(cases[i].b));
    /* Pages of another ASID. */
    uint64_t other = page_alloc(&r, 1, 1);
    rmp_set(&r, other, 0x5000, true, true, ASID2);
    watch(&r, other, PAGE);
    struct snp_fw_page_move b = {r.gctx, 0, 0, other, dst};
    refused(&r, SEV_STATUS_INVALID_PAGE_OWNER, SNP_CMD_PAGE_MOVE, &b, sizeof(b));
    b = (struct snp_fw_page_move){r.gctx, 0, 0, src, other};
    refused(&r, SEV_STATUS_INVALID_PAGE_OWNER, SNP_CMD_PAGE_MOVE, &b, sizeof(b));
    /* A Metadata page of another guest. */
    uint64_t g2 = other_guest(&r, true);
    uint64_t md2 = md_page(&r, g2);
    b = (struct snp_fw_page_move){r.gctx, 0, 0, md2, not_gctx};
    refused(&r, SEV_STATUS_INVALID_PAGE_OWNER, SNP_CMD_PAGE_MOVE, &b, sizeof(b));
    /* Metadata to a non-Firmware page. */
    uint64_t md = md_page(&r, r.gctx);
    b = (struct snp_fw_page_move){r.gctx, 0, 0, md, dst};
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_MOVE, &b, sizeof(b));
    /* The untouched pair still moves. */
    b = (struct snp_fw_page_move){r.gctx, 0, 0, src, dst};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_MOVE, &b, sizeof(b)), 0);
    rig_fini(&r);
}

/* A guest page swapped out to hypervisor memory and back, somewhere else. */
static void swap_round_trip(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    launch(&r);
    uint64_t md = md_page(&r, r.gctx), src = r.ram + 3 * PAGE, out = fw_page(&r);
    rmp_set(&r, src, 3 * PAGE, true, true, ASID); /* Pre-Guest */
    make_pre_swap(&r, src);                       /* the guest had validated it */
    assert_int_equal(swap_out(&r, r.gctx, src, out, md + 0x40, 0), 0);
    struct rmp_entry e = entry(&r, src);
    assert_true(e.immutable && !e.validated); /* Pre-Swap -> Pre-Guest */
    struct snp_mdata_entry m;
    read_mdata(&r, md + 0x40, &m);
    assert_int_equal(m.software_data, 0x5eed0000 + md + 0x40);
    assert_int_equal(m.iv, 0);
    assert_int_equal(m.entry, SNP_MDATA_VALID | SNP_MDATA_PAGE_VALIDATED | 3 * PAGE);
    assert_int_equal(m.vmpl, 0);
    assert_int_equal(guest_of(&r, r.gctx)->oek_iv_count, 1);
    /* While out, the host holds only ciphertext: nothing of the page. */
    to_host(&r, out);
    uint8_t ct[PAGE], plain[PAGE];
    ts_hread(&r.h, out, ct, sizeof(ct));
    fill(plain, PAGE, 3);
    assert_memory_not_equal(ct, plain, sizeof(ct));
    assert_null(memmem(ct, sizeof(ct), "secret page", 11));
    /* The old frame goes back to the host too. */
    reclaim(&r, src);
    rmp_set(&r, src, 0, false, false, 0);
    uint8_t old[PAGE];
    ts_hread(&r.h, src, old, sizeof(old));
    assert_null(memmem(old, sizeof(old), "secret page", 11));
    /* Swap in to another frame from another host buffer. */
    uint64_t held = page_alloc(&r, 1, 1), dst = page_alloc(&r, 1, 1);
    ts_hwrite(&r.h, held, ct, sizeof(ct));
    rmp_set(&r, dst, 0x7000, true, true, ASID);
    assert_int_equal(swap_in(&r, r.gctx, held, dst, md + 0x40, 0), 0);
    e = entry(&r, dst);
    assert_true(e.immutable && e.validated && e.gpa == 3 * PAGE && !e.vmsa); /* Pre-Swap */
    read_mdata(&r, md + 0x40, &m);
    assert_false(m.entry & SNP_MDATA_VALID);
    reclaim(&r, dst); /* Pre-Swap -> Guest-Valid */
    remap(&r, 3 * PAGE, dst, false);
    guest_sees(&r, 3 * PAGE, PAGE, 3);
    rig_fini(&r);
}

static void swap_replay_tamper_relocate(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    launch(&r);
    uint64_t md = md_page(&r, r.gctx);
    /* Pages 2 and 3 out: entries at 0x80 and 0xc0. */
    uint64_t ct[4], dst[4];
    for (unsigned i = 2; i < 4; i++) {
        uint64_t src = r.ram + i * PAGE;
        ct[i] = fw_page(&r);
        rmp_set(&r, src, i * PAGE, true, true, ASID);
        assert_int_equal(swap_out(&r, r.gctx, src, ct[i], md + 0x40 * i, 0), 0);
        to_host(&r, ct[i]);
        dst[i] = page_alloc(&r, 1, 1);
        rmp_set(&r, dst[i], 0, true, true, ASID);
    }
    watch(&r, dst[2], PAGE);
    watch(&r, dst[3], PAGE);
    watch(&r, md, PAGE);
    /* Relocation: page 3's ciphertext under page 2's entry (its IV, tag
     * and GPA). */
    struct snp_fw_swap_in b = {r.gctx, ct[3], dst[2], md + 0x80, 0, 0};
    refused(&r, SEV_STATUS_BAD_MEASUREMENT, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b));
    /* Tampering: one bit of the ciphertext. */
    uint8_t byte;
    ts_hread(&r.h, ct[2] + 100, &byte, 1);
    byte ^= 4;
    ts_hwrite(&r.h, ct[2] + 100, &byte, 1);
    b = (struct snp_fw_swap_in){r.gctx, ct[2], dst[2], md + 0x80, 0, 0};
    refused(&r, SEV_STATUS_BAD_MEASUREMENT, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b));
    byte ^= 4;
    ts_hwrite(&r.h, ct[2] + 100, &byte, 1);
    /* Into another guest's page: refused before decrypting. */
    uint64_t theirs = page_alloc(&r, 1, 1);
    rmp_set(&r, theirs, 0, true, true, ASID2);
    watch(&r, theirs, PAGE);
    b.dst_paddr = theirs;
    refused(&r, SEV_STATUS_INVALID_PAGE_OWNER, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b));
    /* The genuine pair works, once; the page lands at its own GPA. */
    b.dst_paddr = dst[2];
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b)), 0);
    assert_int_equal(entry(&r, dst[2]).gpa, 2 * PAGE);
    uint64_t again = page_alloc(&r, 1, 1);
    rmp_set(&r, again, 0, true, true, ASID);
    watch(&r, again, PAGE);
    b.dst_paddr = again;
    refused(&r, SEV_STATUS_INVALID_MDATA_ENTRY, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b));
    /* The entries are the firmware's: the host can neither forge nor
     * restore one. */
    assert_false(host_can_write(&r, md + 0x80));
    /* Another guest cannot use this guest's entries... */
    uint64_t g2 = other_guest(&r, true);
    struct snp_fw_activate act = {g2, ASID2};
    assert_int_equal(cmd(&r, SNP_CMD_ACTIVATE, &act, sizeof(act)), 0);
    b = (struct snp_fw_swap_in){g2, ct[3], theirs, md + 0xc0, 0, 0};
    refused(&r, SEV_STATUS_INVALID_PAGE_OWNER, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b));
    /* ...nor, with its own (root) entry, decrypt this guest's page. */
    uint64_t p2 = page_alloc(&r, 1, 1), c2 = fw_page(&r);
    rmp_set(&r, p2, 0x1000, true, true, ASID2);
    assert_int_equal(swap_out(&r, g2, p2, c2, 0, SNP_SWAP_ROOT_MDATA_EN), 0);
    b = (struct snp_fw_swap_in){g2, ct[3], theirs, 0, 0, SNP_SWAP_ROOT_MDATA_EN};
    refused(&r, SEV_STATUS_BAD_MEASUREMENT, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b));
    /* Page 3 comes back intact at GPA 3. */
    b = (struct snp_fw_swap_in){r.gctx, ct[3], dst[3], md + 0xc0, 0, 0};
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b)), 0);
    reclaim(&r, dst[3]);
    remap(&r, 3 * PAGE, dst[3], false);
    pvalidate(&r, 3 * PAGE, false);
    guest_sees(&r, 3 * PAGE, PAGE, 3);
    rig_fini(&r);
}

/* The root entry in the guest context, a Metadata page swapped out under
 * it (a two-level tree) and back, and a data page restored through the
 * restored Metadata page. */
static void swap_root_and_metadata_tree(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    launch(&r);
    uint64_t md = md_page(&r, r.gctx), src = r.ram + 2 * PAGE, out = fw_page(&r);
    rmp_set(&r, src, 2 * PAGE, true, true, ASID);
    assert_int_equal(swap_out(&r, r.gctx, src, out, md, 0), 0);
    to_host(&r, out);
    /* The Metadata page itself goes out, its entry in the root. */
    uint64_t md_out = fw_page(&r);
    uint8_t md_before[PAGE];
    ts_hread(&r.h, md, md_before, sizeof(md_before));
    uint64_t root = SNP_SWAP_ROOT_MDATA_EN;
    assert_int_equal(swap_out(&r, r.gctx, md, md_out, 0, root | SNP_SWAP_PAGE_TYPE_SET(1)), 0);
    struct rmp_entry e = entry(&r, md);
    assert_true(e.assigned && e.immutable && e.gpa == 0); /* Metadata -> Firmware */
    struct snp_mdata_entry m;
    memcpy(&m, guest_of(&r, r.gctx)->root_md_entry, sizeof(m));
    assert_int_equal(m.entry, SNP_MDATA_VALID | SNP_MDATA_METADATA | SNP_MDATA_GPA_MASK);
    assert_int_equal(m.iv, 1);
    to_host(&r, md_out);
    /* Its type must be asked for. */
    uint64_t md2 = fw_page(&r);
    watch(&r, md2, PAGE);
    struct snp_fw_swap_in b = {r.gctx, md_out, md2, 0, 0, root};
    refused(&r, SEV_STATUS_INVALID_MDATA_ENTRY, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b));
    b.flags = root | SNP_SWAP_PAGE_TYPE_SET(1) | SNP_SWAP_IN_PLACE;
    refused(&r, SEV_STATUS_INVALID_PARAM, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b));
    b = (struct snp_fw_swap_in){r.gctx, md_out, src, 0, 0, root | SNP_SWAP_PAGE_TYPE_SET(1)};
    refused(&r, SEV_STATUS_INVALID_PAGE_STATE, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b));
    b.dst_paddr = md2;
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b)), 0);
    uint8_t md_after[PAGE];
    ts_hread(&r.h, md2, md_after, sizeof(md_after));
    assert_memory_equal(md_before, md_after, sizeof(md_after));
    assert_int_equal(entry(&r, md2).gpa, r.gctx | (1ull << 48));
    r.nwatch = 0;
    refused(&r, SEV_STATUS_INVALID_MDATA_ENTRY, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b));
    /* The data page through the restored Metadata page. */
    uint64_t dst = page_alloc(&r, 1, 1);
    rmp_set(&r, dst, 0, true, true, ASID);
    assert_int_equal(swap_in(&r, r.gctx, out, dst, md2, 0), 0);
    reclaim(&r, dst);
    remap(&r, 2 * PAGE, dst, false);
    pvalidate(&r, 2 * PAGE, false);
    guest_sees(&r, 2 * PAGE, PAGE, 2);
    /* A data page under the root entry. */
    uint64_t s1 = r.ram + 1 * PAGE, o1 = fw_page(&r), d1 = page_alloc(&r, 1, 1);
    rmp_set(&r, s1, 1 * PAGE, true, true, ASID);
    assert_int_equal(swap_out(&r, r.gctx, s1, o1, 0, root), 0);
    to_host(&r, o1);
    rmp_set(&r, d1, 0, true, true, ASID);
    assert_int_equal(swap_in(&r, r.gctx, o1, d1, 0, root), 0);
    assert_int_equal(swap_in(&r, r.gctx, o1, d1, 0, root), SEV_STATUS_INVALID_MDATA_ENTRY);
    rig_fini(&r);
}

/* VMSA pages, 2 MiB pages and swapping in place. */
static void swap_vmsa_2m_in_place(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    launch(&r);
    uint64_t md = md_page(&r, r.gctx);
    /* A VMSA page: RMP.VMSA comes back set, VMPL masks with it. */
    uint64_t v = r.ram + 1 * PAGE, vo = fw_page(&r), vd = page_alloc(&r, 1, 1);
    rmp_set(&r, v, 1 * PAGE, true, true, ASID);
    struct rmp_entry e = entry(&r, v);
    e.perms[1] = 0x0f;
    assert_int_equal(memsys_fw_rmp_write(r.fw->port, v, &e), SWSEV_OK);
    uint64_t vmsa = SNP_SWAP_PAGE_TYPE_SET(SNP_SWAP_VMSA);
    assert_int_equal(swap_out(&r, r.gctx, v, vo, md, vmsa), 0);
    to_host(&r, vo);
    rmp_set(&r, vd, 0, true, true, ASID);
    assert_int_equal(swap_in(&r, r.gctx, vo, vd, md, vmsa | SNP_SWAP_IN_PLACE),
                     SEV_STATUS_INVALID_PARAM);
    assert_int_equal(swap_in(&r, r.gctx, vo, vd, md, 0), SEV_STATUS_INVALID_MDATA_ENTRY);
    uint64_t hv = page_alloc(&r, 1, 1), theirs = page_alloc(&r, 1, 1);
    rmp_set(&r, theirs, 0, true, true, ASID2);
    assert_int_equal(swap_in(&r, r.gctx, vo, hv, md, vmsa), SEV_STATUS_INVALID_PAGE_STATE);
    assert_int_equal(swap_in(&r, r.gctx, vo, theirs, md, vmsa), SEV_STATUS_INVALID_PAGE_OWNER);
    assert_int_equal(swap_in(&r, r.gctx, vo, vd, md, vmsa), 0);
    e = entry(&r, vd);
    assert_true(e.vmsa && e.gpa == 1 * PAGE && e.perms[1] == 0x0f && !e.validated);

    /* A 2 MiB page, swapped in place: the host copies the ciphertext into
     * a frame and hands it to the guest as a Pre-Guest page. */
    uint64_t big = page_alloc(&r, 512, 512), bo = page_alloc(&r, 512, 512);
    rmp_set_sz(&r, big, GPA_2M, true, true, ASID, true);
    reclaim(&r, big | 1);
    remap(&r, GPA_2M, big, true);
    pvalidate(&r, GPA_2M, true);
    uint8_t buf[PAGE];
    fill(buf, PAGE, 30);
    gwrite(&r, GPA_2M + 0x100000, buf, PAGE);
    rmp_set_sz(&r, big, GPA_2M, true, true, ASID, true);
    make_pre_swap(&r, big); /* validated by the guest: comes back Pre-Swap */
    rmp_set_sz(&r, bo, 0, true, true, 0, true);
    assert_int_equal(swap_out(&r, r.gctx, big, bo, md + 0x40, 0), SEV_STATUS_INVALID_PAGE_SIZE);
    assert_int_equal(swap_out(&r, r.gctx, big, bo, md + 0x40, SNP_SWAP_PAGE_SIZE_2M), 0);
    reclaim(&r, bo | 1);
    uint64_t inplace = page_alloc(&r, 512, 512);
    uint8_t *ct = malloc(BIG);
    ts_hread(&r.h, bo, ct, BIG);
    ts_hwrite(&r.h, inplace, ct, BIG);
    free(ct);
    rmp_set_sz(&r, inplace, 0, true, true, ASID, true);
    uint64_t f2m = SNP_SWAP_PAGE_SIZE_2M;
    assert_int_equal(swap_in(&r, r.gctx, inplace, inplace, md + 0x40, 0),
                     SEV_STATUS_INVALID_PAGE_SIZE);
    assert_int_equal(swap_in(&r, r.gctx, big, inplace, md + 0x40, f2m | SNP_SWAP_IN_PLACE),
                     SEV_STATUS_INVALID_ADDRESS);
    assert_int_equal(swap_in(&r, r.gctx, inplace, inplace, md + 0x40, f2m | SNP_SWAP_IN_PLACE), 0);
    e = entry(&r, inplace + 3 * PAGE);
    assert_true(e.size_2m && e.gpa == GPA_2M && e.validated && e.immutable);
    reclaim(&r, inplace | 1);
    remap(&r, GPA_2M, inplace, true);
    guest_sees(&r, GPA_2M + 0x100000, PAGE, 30);

    /* A 2 MiB VMSA entry (allowed out) cannot come back: VMSAs are 4 KiB. */
    uint64_t b2 = page_alloc(&r, 512, 512), o2 = page_alloc(&r, 512, 512);
    rmp_set_sz(&r, b2, GPA_2M, true, true, ASID, true);
    rmp_set_sz(&r, o2, 0, true, true, 0, true);
    assert_int_equal(swap_out(&r, r.gctx, b2, o2, md + 0x80, vmsa | f2m), 0);
    assert_int_equal(swap_in(&r, r.gctx, o2, b2, md + 0x80, vmsa | f2m),
                     SEV_STATUS_INVALID_PAGE_SIZE);
    rig_fini(&r);
}

static void swap_out_refusals(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    launch(&r);
    uint64_t md = md_page(&r, r.gctx), src = r.ram + 2 * PAGE, dst = fw_page(&r);
    uint64_t hv = page_alloc(&r, 1, 1), not_md = fw_page(&r), not_gctx = fw_page(&r);
    rmp_set(&r, src, 2 * PAGE, true, true, ASID);
    uint64_t g_init = other_guest(&r, false), g_inactive = other_guest(&r, true);
    uint64_t md_other = md_page(&r, g_inactive);
    uint64_t theirs = page_alloc(&r, 1, 1);
    rmp_set(&r, theirs, 0x2000, true, true, ASID2);
    uint64_t base, end;
    memsys_rmp_range(r.h.ms, &base, &end);
    watch(&r, src, PAGE);
    watch(&r, dst, PAGE);
    watch(&r, md, PAGE);
    watch(&r, r.gctx, PAGE);
    uint64_t m = md + 0x40, big = SNP_SWAP_PAGE_SIZE_2M;
    struct {
        uint16_t want;
        struct snp_fw_swap_out b;
    } cases[] = {
        {SEV_STATUS_INVALID_PARAM, {r.gctx | 1, src, dst, m, 0, 0}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, src | 0x20, dst, m, 0, 0}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, src, dst | 0x400, m, 0, 0}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, src, dst, m, 0, SNP_SWAP_IN_PLACE}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, src, dst, m, 0, 1ull << 5}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, src, dst, m, 0, 1ull << 63}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, base, dst, m, 0, 0}},
        {SEV_STATUS_INVALID_GUEST, {not_gctx, src, dst, m, 0, 0}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, src, dst, base, 0, 0}},            /* slot in the RMP */
        {SEV_STATUS_INVALID_PARAM, {r.gctx, src, dst, m + 8, 0, 0}},           /* not 64-aligned */
        {SEV_STATUS_INVALID_PARAM, {r.gctx, md & ~(BIG - 1), dst, m, 0, big}}, /* slot in src */
        {SEV_STATUS_INVALID_PAGE_STATE, {r.gctx, src, dst, not_md + 0x40, 0, 0}},
        {SEV_STATUS_INVALID_PAGE_OWNER, {r.gctx, src, dst, md_other, 0, 0}},
        {SEV_STATUS_INVALID_PAGE_SIZE, {r.gctx, src, dst, 0, 0, big | SNP_SWAP_ROOT_MDATA_EN}},
        {SEV_STATUS_INVALID_GUEST_STATE, {g_init, src, dst, 0, 0, SNP_SWAP_ROOT_MDATA_EN}},
        {SEV_STATUS_INACTIVE, {g_inactive, src, dst, md_other, 0, 0}},
        {SEV_STATUS_INVALID_PAGE_STATE, {r.gctx, r.ram, dst, m, 0, 0}}, /* Guest-Valid */
        {SEV_STATUS_INVALID_PAGE_STATE, {r.gctx, src, hv, m, 0, 0}},
        {SEV_STATUS_INVALID_PAGE_STATE, {r.gctx, src, dst, m, 0, SNP_SWAP_PAGE_TYPE_SET(3)}},
        {SEV_STATUS_INVALID_PAGE_STATE, {r.gctx, src, dst, m, 0, SNP_SWAP_PAGE_TYPE_SET(1)}},
        {SEV_STATUS_INVALID_PAGE_OWNER, {r.gctx, theirs, dst, m, 0, 0}},
        {SEV_STATUS_INVALID_PAGE_OWNER,
         {r.gctx, md_other, dst, m, 0, SNP_SWAP_PAGE_TYPE_SET(1)}}, /* their Metadata page */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        refused(&r, cases[i].want, SNP_CMD_PAGE_SWAP_OUT, &cases[i].b, sizeof(cases[i].b));
    /* The IV counter: the last value is never used. */
    guest_of(&r, r.gctx)->oek_iv_count = UINT64_MAX - 1;
    struct snp_fw_swap_out b = {r.gctx, src, dst, m, 0, 0};
    refused(&r, SEV_STATUS_AEAD_OFLOW, SNP_CMD_PAGE_SWAP_OUT, &b, sizeof(b));
    guest_of(&r, r.gctx)->oek_iv_count = UINT64_MAX - 2;
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_SWAP_OUT, &b, sizeof(b)), 0);
    struct snp_mdata_entry me;
    read_mdata(&r, m, &me);
    assert_int_equal(me.iv, UINT64_MAX - 2);
    rig_fini(&r);
}

static void swap_in_refusals(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r);
    launch(&r);
    uint64_t md = md_page(&r, r.gctx), src = r.ram + 2 * PAGE, ct = fw_page(&r);
    rmp_set(&r, src, 2 * PAGE, true, true, ASID);
    assert_int_equal(swap_out(&r, r.gctx, src, ct, md + 0x40, 0), 0);
    to_host(&r, ct);
    uint64_t dst = page_alloc(&r, 1, 1), hv = page_alloc(&r, 1, 1), not_gctx = fw_page(&r);
    rmp_set(&r, dst, 0, true, true, ASID);
    uint64_t g_init = other_guest(&r, false), g_inactive = other_guest(&r, true);
    uint64_t md_other = md_page(&r, g_inactive), not_md = fw_page(&r);
    uint64_t theirs = page_alloc(&r, 1, 1), ginv = page_alloc(&r, 1, 1);
    rmp_set(&r, theirs, 0, true, true, ASID2);
    rmp_set(&r, ginv, 0, true, false, ASID); /* Guest-Invalid */
    uint64_t base, end;
    memsys_rmp_range(r.h.ms, &base, &end);
    watch(&r, ct, PAGE);
    watch(&r, dst, PAGE);
    watch(&r, md, PAGE);
    watch(&r, ginv, PAGE);
    uint64_t m = md + 0x40, big = SNP_SWAP_PAGE_SIZE_2M, ip = SNP_SWAP_IN_PLACE;
    struct {
        uint16_t want;
        struct snp_fw_swap_in b;
    } cases[] = {
        {SEV_STATUS_INVALID_PARAM, {r.gctx | 1, ct, dst, m, 0, 0}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, ct | 0x20, dst, m, 0, 0}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, ct, dst | 0x400, m, 0, 0}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, ct, dst, m, 1, 0}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, ct, dst, m, 0, 1ull << 5}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, ct, base, m, 0, 0}},
        {SEV_STATUS_INVALID_GUEST, {not_gctx, ct, dst, m, 0, 0}},
        {SEV_STATUS_INVALID_PARAM, {r.gctx, ct, dst, m + 0x20, 0, 0}},
        {SEV_STATUS_INVALID_PAGE_STATE, {r.gctx, ct, dst, not_md, 0, 0}},
        {SEV_STATUS_INVALID_PAGE_OWNER, {r.gctx, ct, dst, md_other, 0, 0}},
        {SEV_STATUS_INVALID_GUEST_STATE, {g_init, ct, dst, 0, 0, SNP_SWAP_ROOT_MDATA_EN}},
        {SEV_STATUS_INACTIVE, {g_inactive, ct, dst, md_other, 0, 0}},
        {SEV_STATUS_INVALID_MDATA_ENTRY, {r.gctx, ct, dst, md + 0x80, 0, 0}}, /* never used */
        {SEV_STATUS_INVALID_MDATA_ENTRY, {r.gctx, ct, dst, m, 0, SNP_SWAP_PAGE_TYPE_SET(2)}},
        {SEV_STATUS_INVALID_PAGE_SIZE, {r.gctx, ct, dst, m, 0, big}},
        {SEV_STATUS_INVALID_PAGE_STATE, {r.gctx, ct, hv, m, 0, 0}},
        {SEV_STATUS_INVALID_PAGE_STATE, {r.gctx, ct, ginv, m, 0, 0}},
        {SEV_STATUS_INVALID_ADDRESS, {r.gctx, ct, dst, m, 0, ip}},
        {SEV_STATUS_INVALID_ADDRESS, {r.gctx, dst | memsys_cbit_mask(r.h.ms), dst, m, 0, ip}},
        {SEV_STATUS_INVALID_PAGE_STATE, {r.gctx, ginv, ginv, m, 0, ip}},
        {SEV_STATUS_INVALID_PAGE_OWNER, {r.gctx, ct, theirs, m, 0, 0}},
        {SEV_STATUS_BAD_MEASUREMENT, {r.gctx, dst, dst, m, 0, ip}}, /* not the ciphertext */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        refused(&r, cases[i].want, SNP_CMD_PAGE_SWAP_IN, &cases[i].b, sizeof(cases[i].b));
    /* An entry with both METADATA and VMSA set (only a forger could make
     * one: written here through the firmware's own port). */
    struct snp_mdata_entry me;
    read_mdata(&r, m, &me);
    me.entry |= SNP_MDATA_METADATA | SNP_MDATA_VMSA;
    assert_int_equal(memsys_fw_write(r.fw->port, MEMSYS_KEYSEL_PLAIN, md + 0xc0, &me, sizeof(me)),
                     SWSEV_OK);
    struct snp_fw_swap_in b = {r.gctx, ct, dst, md + 0xc0, 0, 0};
    refused(&r, SEV_STATUS_INVALID_MDATA_ENTRY, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b));
    /* And the page still comes back. */
    b.mdata_paddr = m;
    assert_int_equal(cmd(&r, SNP_CMD_PAGE_SWAP_IN, &b, sizeof(b)), 0);
    rig_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(page_commands_need_snp_init),
        cmocka_unit_test(unsmash_merges_uniform_entries),
        cmocka_unit_test(unsmash_refusals),
        cmocka_unit_test(unsmash_range_into_the_rmp),
        cmocka_unit_test(set_state_firmware_to_hv_fixed),
        cmocka_unit_test(set_state_skips_the_rmp),
        cmocka_unit_test(md_init_rules),
        cmocka_unit_test(move_4k_keeps_the_guest_view),
        cmocka_unit_test(move_2m_and_metadata),
        cmocka_unit_test(move_refusals),
        cmocka_unit_test(swap_round_trip),
        cmocka_unit_test(swap_replay_tamper_relocate),
        cmocka_unit_test(swap_root_and_metadata_tree),
        cmocka_unit_test(swap_vmsa_2m_in_place),
        cmocka_unit_test(swap_out_refusals),
        cmocka_unit_test(swap_in_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
