/* SPDX-License-Identifier: MIT */
/*
 * SNP guest contexts and pages: SNP_GCTX_CREATE, SNP_DECOMMISSION,
 * SNP_ACTIVATE(_EX), SNP_GUEST_STATUS, SNP_PAGE_RECLAIM and
 * SNP_DBG_DECRYPT/ENCRYPT (docs/research/snp-fw-behaviour.md 5.3, 6.5).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "fw/handlers.h"
#include "swsev/abi/snp_cmd.h"

#define PAGE_4K  0x1000ull
#define LOW_BITS (PAGE_4K - 1)

/* Common prologue: platform INIT. */
static uint16_t need_init(struct sev_fw *fw)
{
    return fw->snp.state == SNP_STATE_INIT ? SEV_STATUS_SUCCESS : SEV_STATUS_INVALID_PLATFORM_STATE;
}

uint16_t fw_snp_guest_get(struct sev_fw *fw, uint64_t gctx_pa, struct fw_snp_guest **out)
{
    enum fw_page_state ps;
    struct rmp_entry e;
    uint16_t st = fw_snp_page_state(fw, gctx_pa, &ps, &e);
    if (st)
        return st;
    if (ps != FW_PS_CONTEXT)
        return SEV_STATUS_INVALID_GUEST;
    gctx_pa = fw_strip_cbit(fw, gctx_pa);
    for (unsigned i = 0; i < FW_SNP_MAX_GUESTS; i++)
        if (fw->snp.guests[i].gctx_pa == gctx_pa) {
            *out = &fw->snp.guests[i];
            return SEV_STATUS_SUCCESS;
        }
    return SEV_STATUS_INVALID_GUEST;
}

FW_HANDLER(snp_gctx_create)
{
    const struct snp_fw_addr *b = c->buf;
    if (b->paddr & LOW_BITS)
        return SEV_STATUS_INVALID_PARAM;
    uint16_t st = need_init(fw);
    enum fw_page_state ps;
    struct rmp_entry e;
    if (!st)
        st = fw_snp_page_state(fw, b->paddr, &ps, &e);
    if (st)
        return st;
    if (ps != FW_PS_FIRMWARE)
        return SEV_STATUS_INVALID_PAGE_STATE;
    if (e.size_2m)
        return SEV_STATUS_INVALID_PAGE_SIZE;
    struct fw_snp_guest *g = NULL;
    for (unsigned i = 0; i < FW_SNP_MAX_GUESTS && !g; i++)
        if (!fw->snp.guests[i].gctx_pa)
            g = &fw->snp.guests[i];
    if (!g)
        return SEV_STATUS_RESOURCE_LIMIT;
    memset(g, 0, sizeof(*g));
    st = fw_random(fw, g->vek, sizeof(g->vek));
    if (st)
        return st;
    /* The context page holds firmware data: zero it as the firmware does. */
    static const uint8_t zero[PAGE_4K];
    st = fw_mem_write(fw, b->paddr, zero, sizeof(zero));
    if (st)
        return st;
    e.vmsa = true;
    st = fw_snp_rmp_write(fw, b->paddr, &e);
    if (st)
        return st;
    g->gctx_pa = fw_strip_cbit(fw, b->paddr);
    g->state = SNP_GSTATE_INIT;
    g->launch_tcb = fw->snp.committed_tcb;
    return SEV_STATUS_SUCCESS;
}

static void snp_deactivate(struct sev_fw *fw, struct fw_snp_guest *g)
{
    if (!g->active)
        return;
    fw->asids[g->asid].handle = 0;
    fw->asids[g->asid].dirty = true;
    for (unsigned c = 0; c < fw->nr_cores; c++)
        fw->wbinvd_at_deactivate[c] = memsys_fw_wbinvd_count(fw->port, c);
    g->active = false;
}

FW_HANDLER(snp_decommission)
{
    const struct snp_fw_addr *b = c->buf;
    if (b->paddr & LOW_BITS)
        return SEV_STATUS_INVALID_PARAM;
    uint16_t st = need_init(fw);
    struct fw_snp_guest *g;
    if (!st)
        st = fw_snp_guest_get(fw, b->paddr, &g);
    if (st)
        return st;
    enum fw_page_state ps;
    struct rmp_entry e;
    st = fw_snp_page_state(fw, b->paddr, &ps, &e);
    if (st)
        return st;
    e.vmsa = false; /* Context -> Firmware */
    st = fw_snp_rmp_write(fw, b->paddr, &e);
    if (st)
        return st;
    snp_deactivate(fw, g);
    if (g->state != SNP_GSTATE_INIT && fw->snp.guest_count)
        fw->snp.guest_count--;
    OPENSSL_cleanse(g, sizeof(*g));
    return SEV_STATUS_SUCCESS;
}

static uint16_t snp_activate(struct sev_fw *fw, uint64_t gctx, uint32_t asid)
{
    if (gctx & LOW_BITS)
        return SEV_STATUS_INVALID_PARAM;
    uint16_t st = need_init(fw);
    struct fw_snp_guest *g;
    if (!st)
        st = fw_snp_guest_get(fw, gctx, &g);
    if (st)
        return st;
    if (g->state != SNP_GSTATE_LAUNCH && g->state != SNP_GSTATE_RUNNING)
        return SEV_STATUS_INVALID_GUEST_STATE;
    /* SNP guests run in the SEV-ES ASID range. */
    if (asid == 0 || asid >= fw->min_sev_asid || asid > fw->nr_asids)
        return SEV_STATUS_INVALID_ASID;
    struct fw_asid *a = &fw->asids[asid];
    if (a->handle && !(g->active && g->asid == asid))
        return SEV_STATUS_ASID_OWNED;
    if (g->active)
        return SEV_STATUS_ACTIVE;
    if (a->dirty)
        return SEV_STATUS_DFFLUSH_REQUIRED;
    if (memsys_fw_set_key(fw->port, asid, g->vek, sizeof(g->vek)) != SWSEV_OK)
        return SEV_STATUS_HWERROR_PLATFORM;
    a->handle = FW_SNP_HANDLE | (uint32_t)(g - fw->snp.guests);
    g->asid = asid;
    g->active = true;
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(snp_activate)
{
    const struct snp_fw_activate *b = c->buf;
    return snp_activate(fw, b->gctx_paddr, b->asid);
}

struct snp_fw_activate_ex {
    uint32_t ex_len;
    uint32_t rsvd;
    uint64_t gctx_paddr;
    uint32_t asid;
    uint32_t num_ids;
    uint64_t ids_paddr;
} __attribute__((packed));
_Static_assert(sizeof(struct snp_fw_activate_ex) == 0x20, "SNP_ACTIVATE_EX buffer");

FW_HANDLER(snp_activate_ex)
{
    const struct snp_fw_activate_ex *b = c->buf;
    if (b->ex_len != sizeof(*b) || b->rsvd)
        return SEV_STATUS_INVALID_PARAM;
    if (b->num_ids && !fw_mem_valid(fw, b->ids_paddr, (uint64_t)b->num_ids * 4))
        return SEV_STATUS_INVALID_ADDRESS;
    return snp_activate(fw, b->gctx_paddr, b->asid);
}

FW_HANDLER(snp_guest_status)
{
    const struct snp_fw_guest_status *b = c->buf;
    if (b->gctx_paddr & LOW_BITS)
        return SEV_STATUS_INVALID_PARAM;
    uint16_t st = fw_snp_check_out_page(fw, b->status_paddr, sizeof(struct snp_guest_status_out));
    if (!st)
        st = need_init(fw);
    struct fw_snp_guest *g;
    if (!st)
        st = fw_snp_guest_get(fw, b->gctx_paddr, &g);
    if (st)
        return st;
    struct snp_guest_status_out o;
    memset(&o, 0, sizeof(o));
    o.policy = g->policy;
    o.asid = g->active ? g->asid : 0;
    o.state = g->state;
    o.vcek_dis = g->vcek_dis;
    return fw_mem_write(fw, b->status_paddr, &o, sizeof(o));
}

FW_HANDLER(snp_page_reclaim)
{
    const struct snp_fw_addr *b = c->buf;
    if (b->paddr & 0xFFE)
        return SEV_STATUS_INVALID_PARAM;
    uint16_t st = need_init(fw);
    if (st)
        return st;
    bool big = b->paddr & 1;
    uint64_t pa = b->paddr & ~LOW_BITS;
    if (!fw_mem_valid(fw, pa, big ? 0x200000 : PAGE_4K))
        return SEV_STATUS_INVALID_ADDRESS;
    enum fw_page_state ps;
    struct rmp_entry e;
    st = fw_snp_page_state(fw, pa, &ps, &e);
    if (st)
        return st;
    if (e.size_2m != big)
        return SEV_STATUS_INVALID_PAGE_SIZE;
    if (big && (pa & 0x1FFFFF))
        return SEV_STATUS_INVALID_ADDRESS;
    if (!e.immutable)
        return SEV_STATUS_SUCCESS; /* nothing to reclaim */
    if (ps != FW_PS_FIRMWARE && ps != FW_PS_PRE_GUEST && ps != FW_PS_PRE_SWAP &&
        ps != FW_PS_METADATA)
        return SEV_STATUS_INVALID_PAGE_STATE;
    /* Firmware and Metadata -> Reclaim (the tag goes), Pre-Guest ->
     * Guest-Invalid, Pre-Swap -> Guest-Valid. */
    if (ps == FW_PS_METADATA)
        e.gpa = 0;
    e.immutable = false;
    return fw_snp_rmp_write(fw, pa, &e);
}

/* SNP_DBG_*: the guest page (src for decrypt, dst for encrypt) must belong
 * to the guest; the other page must be a firmware page (decrypt) so the
 * hypervisor reads the plaintext only after reclaiming it. */
static uint16_t snp_dbg(struct sev_fw *fw, const struct snp_fw_dbg *b, bool decrypt)
{
    if ((b->gctx_paddr | b->src_paddr | b->dst_paddr) & LOW_BITS)
        return SEV_STATUS_INVALID_PARAM;
    uint16_t st = need_init(fw);
    struct fw_snp_guest *g;
    if (!st)
        st = fw_snp_guest_get(fw, b->gctx_paddr, &g);
    if (st)
        return st;
    uint64_t gpage = decrypt ? b->src_paddr : b->dst_paddr;
    uint64_t hpage = decrypt ? b->dst_paddr : b->src_paddr;
    enum fw_page_state gps, hps;
    struct rmp_entry ge, he;
    st = fw_snp_page_state(fw, gpage, &gps, &ge);
    if (!st)
        st = fw_snp_page_state(fw, hpage, &hps, &he);
    if (st)
        return st;
    if (gps != FW_PS_PRE_GUEST && gps != FW_PS_PRE_SWAP && gps != FW_PS_GUEST_INVALID &&
        gps != FW_PS_GUEST_VALID)
        return SEV_STATUS_INVALID_PAGE_STATE;
    if (decrypt && hps != FW_PS_FIRMWARE)
        return SEV_STATUS_INVALID_PAGE_STATE;
    if (ge.asid != g->asid || !g->active)
        return g->active ? SEV_STATUS_INVALID_PAGE_OWNER : SEV_STATUS_INACTIVE;
    if (!(g->policy & SNP_POLICY_DEBUG))
        return SEV_STATUS_POLICY_FAILURE;
    uint8_t page[PAGE_4K];
    st = decrypt ? fw_guest_mem_read(fw, g->asid, gpage, page, sizeof(page))
                 : fw_mem_read(fw, hpage, page, sizeof(page));
    if (!st)
        st = decrypt ? fw_mem_write(fw, hpage, page, sizeof(page))
                     : fw_guest_mem_write(fw, g->asid, gpage, page, sizeof(page));
    OPENSSL_cleanse(page, sizeof(page));
    return st;
}

FW_HANDLER(snp_dbg_decrypt)
{
    return snp_dbg(fw, c->buf, true);
}

FW_HANDLER(snp_dbg_encrypt)
{
    return snp_dbg(fw, c->buf, false);
}
