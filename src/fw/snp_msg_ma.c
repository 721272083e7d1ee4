/* SPDX-License-Identifier: MIT */
/*
 * Guest messages beyond reports and keys (docs/research/snp-fw-behaviour.md
 * 1.7, 1.8): MSG_CPUID_REQ (the CPUID table check for a running guest),
 * MSG_TSC_INFO_REQ, and the migration agent's messages: MSG_EXPORT_REQ
 * (a guest's context, sealed in the agent's response), MSG_IMPORT_REQ and
 * MSG_ABSORB_REQ (a context installed into a new guest), MSG_ABSORB_NOMA_REQ
 * and MSG_VMRK_REQ. Each returns its status in the response's STATUS.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "fw/snp_cpuid.h"
#include "fw/snp_msg.h"
#include "swsev/abi/snp_pages.h"
#include "swsev/abi/snp_report.h"

#define LOW_BITS 0xFFFull

/* The transported context, as AMD's firmware lays it out. */
struct xgctx {
    uint8_t ld[48];
    uint8_t oek[32];
    uint8_t vmpck[4][32];
    uint8_t vmrk[32];
    uint8_t host_data[32];
    uint8_t id_key_digest[48];
    uint8_t author_key_digest[48];
    uint8_t report_id[32];
    uint8_t imd[48];
    uint64_t msg_count[4];
    uint8_t root_md_entry[64];
    uint64_t flags; /* bit 0 AUTHOR_KEY_EN, 1 ID_BLOCK_EN, 2 VCEK_DIS */
    uint64_t policy;
    uint8_t state;
    uint8_t rsvd[7];
    uint64_t oek_iv_count;
    struct snp_id_block id_block;
    uint8_t gosvw[16];
    uint32_t desired_tsc_khz;
    uint32_t rsvd2;
    uint64_t psp_tsc_offset;
    uint64_t launch_tcb;
    uint8_t rsvd3[0x300 - 0x2C8];
} __attribute__((packed));
_Static_assert(sizeof(struct xgctx) == FW_SNP_XGCTX_SIZE, "transported guest context");
_Static_assert(offsetof(struct xgctx, msg_count) == 0x1C0, "MSG_COUNT at 0x1C0");
_Static_assert(offsetof(struct xgctx, id_block) == 0x240, "ID_BLOCK at 0x240");
_Static_assert(offsetof(struct xgctx, launch_tcb) == 0x2C0, "LAUNCH_TCB at 0x2C0");

struct export_req {
    uint64_t gctx_paddr;
    uint32_t flags; /* bit 0 IMI_EN */
    uint32_t rsvd;
} __attribute__((packed));

struct import_req { /* also ABSORB; ABSORB_NOMA has no gctx_paddr (reserved) */
    uint64_t gctx_paddr;
    uint32_t size;
    uint32_t version;
    uint8_t rsvd[16];
    struct xgctx gctx;
} __attribute__((packed));

struct xgctx_rsp {
    uint32_t status;
    uint32_t size;
    uint32_t version;
    uint8_t rsvd[20];
    struct xgctx gctx;
} __attribute__((packed));
_Static_assert(offsetof(struct xgctx_rsp, gctx) == 0x20, "exported context at 0x20");

struct vmrk_req {
    uint64_t gctx_paddr;
    uint8_t rsvd[24];
    uint8_t vmrk[32];
} __attribute__((packed));

static bool zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return false;
    return true;
}

/* ---- MSG_CPUID_REQ, MSG_TSC_INFO_REQ ---- */

uint32_t fw_snp_msg_cpuid(struct fw_snp_msg *m)
{
    uint8_t page[FW_SNP_CPUID_PAGE_SIZE];
    memcpy(page, m->req, sizeof(page));
    bool header_bad;
    uint32_t checked = 0;
    bool ok = fw_snp_cpuid_validate(memsys_chip(m->fw->ms), page, &header_bad, &checked);
    /* The response: STATUS, COUNT (entries checked), reserved, entries. */
    size_t n = m->rsp_size > 0x10 ? m->rsp_size - 0x10u : 0;
    if (!header_bad)
        memcpy(m->rsp + 0x10, page + 0x10, n);
    memcpy(m->rsp + 4, &checked, 4);
    return ok ? SEV_STATUS_SUCCESS : SEV_STATUS_INVALID_PARAM;
}

uint32_t fw_snp_msg_tsc_info(struct fw_snp_msg *m)
{
    if (!zero(m->req, 0x80))
        return SEV_STATUS_INVALID_PARAM;
    /* GUEST_TSC_SCALE: desired frequency / 99.8 MHz reference, 8.32 fixed point. */
    uint64_t scale = ((uint64_t)m->g->desired_tsc_khz << 32) / 99800;
    uint64_t offset = 0, factor = m->fw->params.snp_product == SNP_GENOA ? 200 : 0;
    memcpy(m->rsp + 0x08, &scale, 8);
    memcpy(m->rsp + 0x10, &offset, 8);
    memcpy(m->rsp + 0x18, &factor, 8);
    return SEV_STATUS_SUCCESS;
}

/* ---- the migration agent ---- */

/* Is the requester the migration agent of target? */
static bool is_agent_of(const struct fw_snp_guest *agent, const struct fw_snp_guest *target)
{
    return target->ma_gctx_pa == agent->gctx_pa &&
           !memcmp(target->report_id_ma, agent->report_id, 32);
}

static void to_xgctx(const struct fw_snp_guest *g, bool imi, struct xgctx *x)
{
    memset(x, 0, sizeof(*x));
    memcpy(x->ld, g->measurement, 48);
    memcpy(x->oek, g->oek, 32);
    memcpy(x->vmpck, g->vmpck, sizeof(x->vmpck));
    memcpy(x->vmrk, g->vmrk, 32);
    memcpy(x->host_data, g->host_data, 32);
    memcpy(x->id_key_digest, g->id_key_digest, 48);
    memcpy(x->author_key_digest, g->author_key_digest, 48);
    memcpy(x->report_id, g->report_id, 32);
    memcpy(x->imd, g->imd, 48);
    memcpy(x->msg_count, g->msg_count, sizeof(x->msg_count));
    if (!imi)
        memcpy(x->root_md_entry, g->root_md_entry, 64);
    x->flags =
        (uint64_t)g->author_key_en | (uint64_t)g->id_block_en << 1 | (uint64_t)g->vcek_dis << 2;
    x->policy = g->policy;
    x->state = g->state;
    x->oek_iv_count = g->oek_iv_count;
    if (g->id_block_en) {
        memcpy(x->id_block.ld, g->measurement, 48);
        memcpy(x->id_block.family_id, g->family_id, 16);
        memcpy(x->id_block.image_id, g->image_id, 16);
        x->id_block.version = 1;
        x->id_block.guest_svn = g->guest_svn;
        x->id_block.policy = g->policy;
    }
    memcpy(x->gosvw, g->gosvw, 16);
    x->desired_tsc_khz = g->desired_tsc_khz;
    x->launch_tcb = g->launch_tcb;
}

/* Install an incoming context into g (keys, digests, counters, ID data);
 * VCEK_DIS and the state stay g's own. */
static void from_xgctx(struct fw_snp_guest *g, const struct xgctx *x)
{
    memcpy(g->measurement, x->ld, 48);
    memcpy(g->oek, x->oek, 32);
    g->oek_valid = true;
    memcpy(g->vmpck, x->vmpck, sizeof(g->vmpck));
    memcpy(g->vmrk, x->vmrk, 32);
    memcpy(g->host_data, x->host_data, 32);
    memcpy(g->id_key_digest, x->id_key_digest, 48);
    memcpy(g->author_key_digest, x->author_key_digest, 48);
    memcpy(g->imd, x->imd, 48);
    memcpy(g->msg_count, x->msg_count, sizeof(g->msg_count));
    memcpy(g->root_md_entry, x->root_md_entry, 64);
    g->author_key_en = x->flags & 1;
    g->id_block_en = (x->flags >> 1) & 1;
    g->policy = x->policy;
    g->oek_iv_count = x->oek_iv_count;
    memcpy(g->family_id, x->id_block.family_id, 16);
    memcpy(g->image_id, x->id_block.image_id, 16);
    g->guest_svn = x->id_block.guest_svn;
    memcpy(g->gosvw, x->gosvw, 16);
    g->desired_tsc_khz = x->desired_tsc_khz;
    g->launch_tcb = x->launch_tcb;
}

static uint64_t md_word(const struct xgctx *x)
{
    struct snp_mdata_entry e;
    memcpy(&e, x->root_md_entry, sizeof(e));
    return e.entry;
}

uint32_t fw_snp_msg_export(struct fw_snp_msg *m)
{
    struct export_req q;
    memcpy(&q, m->req, sizeof(q));
    if ((q.gctx_paddr & LOW_BITS) || (q.flags & ~1u) || q.rsvd)
        return SEV_STATUS_INVALID_PARAM;
    struct fw_snp_guest *t;
    if (fw_snp_guest_get(m->fw, q.gctx_paddr, &t))
        return SEV_STATUS_INVALID_GUEST;
    if (t->state != SNP_GSTATE_RUNNING)
        return SEV_STATUS_INVALID_GUEST_STATE;
    bool self = t == m->g && !m->g->ma_gctx_pa && m->hdr->msg_vmpck == 0;
    if (!self && !is_agent_of(m->g, t))
        return SEV_STATUS_INVALID_GUEST;
    bool imi = q.flags & 1;
    struct xgctx_rsp *r = (struct xgctx_rsp *)m->rsp;
    r->size = FW_SNP_XGCTX_SIZE;
    r->version = FW_SNP_XGCTX_VERSION;
    struct xgctx x;
    to_xgctx(t, imi, &x);
    memcpy(&r->gctx, &x, sizeof(x));
    OPENSSL_cleanse(&x, sizeof(x));
    if (!imi && t != m->g) {
        /* The exported guest ends here: its context page goes back to
         * firmware state, as SNP_DECOMMISSION would leave it. */
        enum fw_page_state ps;
        struct rmp_entry e;
        if (!fw_snp_page_state(m->fw, t->gctx_pa, &ps, &e)) {
            e.vmsa = false;
            (void)fw_snp_rmp_write(m->fw, t->gctx_pa, &e);
        }
        if (t->active) {
            m->fw->asids[t->asid].handle = 0;
            m->fw->asids[t->asid].dirty = true;
        }
        if (m->fw->snp.guest_count)
            m->fw->snp.guest_count--;
        OPENSSL_cleanse(t, sizeof(*t));
    }
    return SEV_STATUS_SUCCESS;
}

/* The common part of IMPORT and ABSORB: the request's context. */
static uint32_t incoming(struct fw_snp_msg *m, struct import_req *q, struct fw_snp_guest **t)
{
    memcpy(q, m->req, sizeof(*q));
    if (q->size != FW_SNP_XGCTX_SIZE || q->version != FW_SNP_XGCTX_VERSION ||
        (q->gctx_paddr & LOW_BITS) || !zero(q->rsvd, sizeof(q->rsvd)))
        return SEV_STATUS_INVALID_PARAM;
    if (fw_snp_guest_get(m->fw, q->gctx_paddr, t))
        return SEV_STATUS_INVALID_GUEST;
    return SEV_STATUS_SUCCESS;
}

uint32_t fw_snp_msg_import(struct fw_snp_msg *m)
{
    struct import_req q;
    struct fw_snp_guest *t;
    uint32_t st = incoming(m, &q, &t);
    if (st)
        return st;
    if (t->state != SNP_GSTATE_INIT)
        return SEV_STATUS_INVALID_GUEST_STATE;
    if (!(md_word(&q.gctx) & SNP_MDATA_VALID))
        return SEV_STATUS_INVALID_MDATA_ENTRY;
    uint8_t report_id[32];
    if (fw_random(m->fw, report_id, sizeof(report_id)))
        return SEV_STATUS_HWERROR_PLATFORM;
    from_xgctx(t, &q.gctx);
    OPENSSL_cleanse(&q, sizeof(q));
    memcpy(t->report_id, report_id, 32);
    t->ma_gctx_pa = m->g->gctx_pa;
    memcpy(t->report_id_ma, m->g->report_id, 32);
    t->imi_en = false;
    t->state = SNP_GSTATE_RUNNING;
    m->fw->snp.guest_count++;
    return SEV_STATUS_SUCCESS;
}

uint32_t fw_snp_msg_absorb(struct fw_snp_msg *m)
{
    struct import_req q;
    struct fw_snp_guest *t;
    uint32_t st = incoming(m, &q, &t);
    if (st)
        return st;
    if (t->state != SNP_GSTATE_LAUNCH || !t->imi_en)
        return SEV_STATUS_INVALID_GUEST_STATE;
    struct snp_mdata_entry root;
    memcpy(&root, t->root_md_entry, sizeof(root));
    if (root.entry & SNP_MDATA_VALID)
        return SEV_STATUS_INVALID_MDATA_ENTRY;
    /* The agent's image must be the one launched by IMI pages. */
    if (memcmp(q.gctx.imd, t->measurement, 48))
        return SEV_STATUS_BAD_MEASUREMENT;
    uint8_t keep_id[32];
    memcpy(keep_id, t->report_id, 32);
    from_xgctx(t, &q.gctx);
    OPENSSL_cleanse(&q, sizeof(q));
    memcpy(t->report_id, keep_id, 32);
    t->ma_gctx_pa = m->g->gctx_pa;
    memcpy(t->report_id_ma, m->g->report_id, 32);
    t->imi_en = false;
    t->state = SNP_GSTATE_RUNNING;
    return SEV_STATUS_SUCCESS;
}

uint32_t fw_snp_msg_absorb_noma(struct fw_snp_msg *m)
{
    struct import_req q;
    memcpy(&q, m->req, sizeof(q));
    if (q.gctx_paddr || q.size != FW_SNP_XGCTX_SIZE || q.version != FW_SNP_XGCTX_VERSION ||
        !zero(q.rsvd, sizeof(q.rsvd)))
        return SEV_STATUS_INVALID_PARAM;
    struct fw_snp_guest *g = m->g;
    if (g->ma_gctx_pa)
        return SEV_STATUS_INVALID_GUEST;
    if (memcmp(q.gctx.imd, g->measurement, 48) || memcmp(q.gctx.imd, g->imd, 48))
        return SEV_STATUS_BAD_MEASUREMENT;
    /* The guest takes over its own earlier context (its keys and
     * counters); the response still goes out under the key and sequence
     * number the request used. */
    uint8_t keep_id[32];
    memcpy(keep_id, g->report_id, 32);
    from_xgctx(g, &q.gctx);
    OPENSSL_cleanse(&q, sizeof(q));
    memcpy(g->report_id, keep_id, 32);
    return SEV_STATUS_SUCCESS;
}

uint32_t fw_snp_msg_vmrk(struct fw_snp_msg *m)
{
    if (m->hdr->msg_vmpck != 0)
        return SEV_STATUS_INVALID_PARAM;
    struct vmrk_req q;
    memcpy(&q, m->req, sizeof(q));
    if ((q.gctx_paddr & LOW_BITS) || !zero(q.rsvd, sizeof(q.rsvd)))
        return SEV_STATUS_INVALID_PARAM;
    struct fw_snp_guest *t;
    if (fw_snp_guest_get(m->fw, q.gctx_paddr, &t))
        return SEV_STATUS_INVALID_GUEST;
    if (t->state != SNP_GSTATE_LAUNCH || t->imi_en)
        return SEV_STATUS_INVALID_GUEST_STATE;
    if (!is_agent_of(m->g, t))
        return SEV_STATUS_INVALID_GUEST;
    memcpy(t->vmrk, q.vmrk, 32);
    OPENSSL_cleanse(&q, sizeof(q));
    return SEV_STATUS_SUCCESS;
}
