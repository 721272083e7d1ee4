/* SPDX-License-Identifier: MIT */
/* The launch plan: which launch updates a VMM issues, in which order, and
 * the digest they produce (sev-reference 9.2-9.5). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/snp_plan.h"
#include "crypto/digest.h"

#define PAGE 4096u

/* ---- kernel hashes table (QEMU's -kernel/-initrd/-append measurement) ---- */

static const struct ovmf_guid hashes_table_guid =
    OVMF_GUID_INIT(0x9438d606, 0x4f22, 0x4cc9, 0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21);
static const struct ovmf_guid hashes_cmdline_guid =
    OVMF_GUID_INIT(0x97d02dd8, 0xbd20, 0x4c94, 0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a);
static const struct ovmf_guid hashes_initrd_guid =
    OVMF_GUID_INIT(0x44baf731, 0x3a2f, 0x4bd7, 0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d);
static const struct ovmf_guid hashes_kernel_guid =
    OVMF_GUID_INIT(0x4de79437, 0xabd2, 0x427f, 0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b);

#define HASHES_ENTRY_LEN 50 /* GUID, u16 length, SHA-256 */
#define HASHES_HDR_LEN   18 /* GUID, u16 length */

swsev_rc snp_plan_kernel_hash(struct snp_plan_kernel *k, const void *kernel, size_t kernel_len,
                              const void *initrd, size_t initrd_len, const char *cmdline)
{
    static const uint8_t nul = 0;
    swsev_rc rc =
        crypto_hash(CRYPTO_SHA256, kernel_len ? kernel : &nul, kernel_len, k->kernel_sha256);
    if (!rc)
        rc = crypto_hash(CRYPTO_SHA256, initrd_len ? initrd : &nul, initrd_len, k->initrd_sha256);
    if (!rc)
        rc = snp_plan_cmdline_hash(k->cmdline_sha256, cmdline);
    return rc;
}

swsev_rc snp_plan_cmdline_hash(uint8_t out[32], const char *cmdline)
{
    /* The command line is hashed with its terminating NUL, as the guest sees it. */
    if (!cmdline)
        cmdline = "";
    return crypto_hash(CRYPTO_SHA256, cmdline, strlen(cmdline) + 1, out);
}

static uint8_t *put_hashes_entry(uint8_t *p, const struct ovmf_guid *g, const uint8_t h[32])
{
    memcpy(p, g->b, 16);
    p[16] = HASHES_ENTRY_LEN;
    p[17] = 0;
    memcpy(p + 18, h, 32);
    return p + HASHES_ENTRY_LEN;
}

void snp_plan_hashes_table(const struct snp_plan_kernel *k, uint8_t out[SNP_PLAN_HASHES_PADDED])
{
    memset(out, 0, SNP_PLAN_HASHES_PADDED);
    memcpy(out, hashes_table_guid.b, 16);
    out[16] = SNP_PLAN_HASHES_TABLE_LEN;
    out[17] = 0;
    uint8_t *p = out + HASHES_HDR_LEN;
    p = put_hashes_entry(p, &hashes_cmdline_guid, k->cmdline_sha256);
    p = put_hashes_entry(p, &hashes_initrd_guid, k->initrd_sha256);
    put_hashes_entry(p, &hashes_kernel_guid, k->kernel_sha256);
}

_Static_assert(HASHES_HDR_LEN + 3 * HASHES_ENTRY_LEN == SNP_PLAN_HASHES_TABLE_LEN,
               "hashes table layout");
_Static_assert(SNP_PLAN_HASHES_PADDED == ((SNP_PLAN_HASHES_TABLE_LEN + 15) & ~15),
               "hashes table padding");

/* ---- CPU signatures (QEMU's built-in AMD EPYC models) ---- */

uint32_t snp_plan_cpu_sig(unsigned family, unsigned model, unsigned stepping)
{
    /* CPUID Fn0000_0001 EAX: families above 0xF spill into the extended field. */
    unsigned fam_lo = family > 0xF ? 0xF : family;
    unsigned fam_hi = family > 0xF ? (family - 0xF) & 0xFF : 0;
    return (uint32_t)(fam_hi << 20 | ((model >> 4) & 0xF) << 16 | (fam_lo & 0xF) << 8 |
                      (model & 0xF) << 4 | (stepping & 0xF));
}

static const struct {
    const char *name;
    uint8_t family, model, stepping;
} cpu_models[] = {
    {"EPYC", 23, 1, 2},          {"EPYC-v1", 23, 1, 2},       {"EPYC-v2", 23, 1, 2},
    {"EPYC-IBPB", 23, 1, 2},     {"EPYC-v3", 23, 1, 2},       {"EPYC-v4", 23, 1, 2},
    {"EPYC-Rome", 23, 49, 0},    {"EPYC-Rome-v1", 23, 49, 0}, {"EPYC-Rome-v2", 23, 49, 0},
    {"EPYC-Rome-v3", 23, 49, 0}, {"EPYC-Milan", 25, 1, 1},    {"EPYC-Milan-v1", 25, 1, 1},
    {"EPYC-Milan-v2", 25, 1, 1}, {"EPYC-Genoa", 25, 17, 0},   {"EPYC-Genoa-v1", 25, 17, 0},
    {"EPYC-Turin", 26, 0, 0},
};

bool snp_plan_cpu_sig_by_name(const char *name, uint32_t *sig)
{
    for (size_t i = 0; i < sizeof(cpu_models) / sizeof(cpu_models[0]); i++)
        if (!strcmp(name, cpu_models[i].name)) {
            *sig =
                snp_plan_cpu_sig(cpu_models[i].family, cpu_models[i].model, cpu_models[i].stepping);
            return true;
        }
    return false;
}

const char *snp_plan_cpu_name(size_t i)
{
    return i < sizeof(cpu_models) / sizeof(cpu_models[0]) ? cpu_models[i].name : NULL;
}

/* ---- building the plan ---- */

static swsev_rc failf(char *err, size_t errlen, swsev_rc rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static swsev_rc failf(char *err, size_t errlen, swsev_rc rc, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

#define INVAL(...) failf(err, errlen, SWSEV_TOOL_ERR(SWSEV_E_INVAL), __VA_ARGS__)

/* Room for every op a plan can hold: image, hashes, each section (CPUID
 * counted twice would still fit), each vCPU. */
static size_t max_ops(const struct snp_plan *p, unsigned vcpus)
{
    return 2 + p->ovmf.n_sections + vcpus;
}

static struct snp_plan_op *add_op(struct snp_plan *p, uint64_t gpa, uint64_t len, uint8_t type,
                                  const uint8_t *data, int section, const char *what)
{
    struct snp_plan_op *op = &p->ops[p->n_ops++];
    *op = (struct snp_plan_op){
        .gpa = gpa, .len = len, .page_type = type, .data = data, .vcpu = -1, .section = section};
    snprintf(op->what, sizeof(op->what), "%s", what);
    return op;
}

/* A page the plan owns; the op's data points at it. */
static uint8_t *add_owned_op(struct snp_plan *p, uint64_t gpa, uint64_t len, uint8_t type,
                             int section, const char *what)
{
    uint8_t *buf = calloc(1, len);
    if (!buf)
        return NULL;
    struct snp_plan_op *op = add_op(p, gpa, len, type, buf, section, what);
    op->owned = buf;
    return buf;
}

/* QEMU checks that the area OVMF reserved can take the padded table. */
static swsev_rc check_hash_area(const struct ovmf *o, char *err, size_t errlen)
{
    if (!o->has_hash_table)
        return INVAL("a kernel is given but the OVMF image has no SEV hash table entry");
    if (o->hash_table_size < SNP_PLAN_HASHES_PADDED)
        return INVAL("the OVMF SEV hash table area (0x%" PRIx32 " bytes) is smaller than the "
                     "%d-byte table",
                     o->hash_table_size, SNP_PLAN_HASHES_PADDED);
    return SWSEV_OK;
}

static swsev_rc add_kernel_hashes_page(struct snp_plan *p, const struct snp_plan_inputs *in,
                                       size_t i, char *err, size_t errlen)
{
    const struct ovmf_section *s = &p->ovmf.sections[i];
    swsev_rc rc = check_hash_area(&p->ovmf, err, errlen);
    if (rc)
        return rc;
    /* The table sits at the same offset within the page as its GPA. */
    uint32_t off = p->ovmf.hash_table_gpa & (PAGE - 1);
    if (s->size != PAGE || off + SNP_PLAN_HASHES_PADDED > PAGE)
        return INVAL("the SNP_KERNEL_HASHES section (GPA 0x%" PRIx32 ", size 0x%" PRIx32
                     ") cannot hold the hashes table at page offset 0x%" PRIx32,
                     s->gpa, s->size, off);
    uint8_t *page = add_owned_op(p, s->gpa, PAGE, SNP_PAGE_TYPE_NORMAL, (int)i, "kernel hashes");
    if (!page)
        return SWSEV_TOOL_ERR(SWSEV_E_NOMEM);
    snp_plan_hashes_table(in->kernel, page + off);
    return SWSEV_OK;
}

static swsev_rc add_section(struct snp_plan *p, const struct snp_plan_inputs *in, size_t i,
                            char *err, size_t errlen)
{
    const struct ovmf_section *s = &p->ovmf.sections[i];
    const char *name = ovmf_section_type_name(s->type);
    switch (s->type) {
    case OVMF_SECTION_SNP_SEC_MEM:
        /* GCE leaves pre-validated memory unmeasured; QEMU and EC2 zero it. */
        add_op(p, s->gpa, s->size,
               in->vmm == VMSA_VMM_GCE ? SNP_PAGE_TYPE_UNMEASURED : SNP_PAGE_TYPE_ZERO, NULL,
               (int)i, name);
        return SWSEV_OK;
    case OVMF_SECTION_SNP_SECRETS:
        add_op(p, s->gpa, PAGE, SNP_PAGE_TYPE_SECRETS, NULL, (int)i, name);
        return SWSEV_OK;
    case OVMF_SECTION_CPUID:
        /* EC2 hands the CPUID page(s) over after every other section. */
        if (in->vmm != VMSA_VMM_EC2)
            add_op(p, s->gpa, PAGE, SNP_PAGE_TYPE_CPUID, NULL, (int)i, name);
        return SWSEV_OK;
    case OVMF_SECTION_SNP_KERNEL_HASHES:
        if (in->kernel)
            return add_kernel_hashes_page(p, in, i, err, errlen);
        add_op(p, s->gpa, s->size, SNP_PAGE_TYPE_ZERO, NULL, (int)i, name);
        return SWSEV_OK;
    case OVMF_SECTION_SVSM_CAA:
        add_op(p, s->gpa, s->size, SNP_PAGE_TYPE_ZERO, NULL, (int)i, name);
        return SWSEV_OK;
    }
    /* ovmf_parse refuses unknown types; keep the switch honest anyway. */
    return INVAL("SEV metadata section %zu has unknown type 0x%" PRIx32, i, s->type);
}

static swsev_rc add_vmsas(struct snp_plan *p, const struct snp_plan_inputs *in)
{
    uint64_t features = in->mode == SNP_PLAN_SNP ? in->guest_features : 0;
    uint64_t gpa = in->mode == SNP_PLAN_SNP ? SNP_VMSA_GPA : 0;
    uint32_t eip = p->ovmf.reset_eip;
    for (unsigned v = 0; v < in->vcpus; v++) {
        char what[32];
        snprintf(what, sizeof(what), "VMSA vcpu %u", v);
        uint8_t *page = add_owned_op(p, gpa, VMSA_SIZE, SNP_PAGE_TYPE_VMSA, -1, what);
        if (!page)
            return SWSEV_TOOL_ERR(SWSEV_E_NOMEM);
        p->ops[p->n_ops - 1].vcpu = (int)v;
        /* An AP whose reset EIP is the reset vector starts exactly like the BSP. */
        bool bsp = v == 0 || eip == 0xFFFFFFF0u;
        vmsa_reset_state(page, in->vmm, bsp, eip, in->vcpu_sig, features);
    }
    return SWSEV_OK;
}

static swsev_rc check_inputs(const struct snp_plan_inputs *in, char *err, size_t errlen)
{
    if (in->mode != SNP_PLAN_SEV && in->mode != SNP_PLAN_SEV_ES && in->mode != SNP_PLAN_SNP)
        return INVAL("unknown launch mode %d", (int)in->mode);
    if (in->vmm != VMSA_VMM_QEMU && in->vmm != VMSA_VMM_EC2 && in->vmm != VMSA_VMM_GCE)
        return INVAL("unknown VMM type %d", (int)in->vmm);
    if (!in->ovmf || !in->ovmf_len)
        return INVAL("no firmware image");
    if (in->image_only && in->mode != SNP_PLAN_SNP)
        return INVAL("an image-only plan is an SNP plan");
    if (in->mode != SNP_PLAN_SEV && !in->image_only &&
        (in->vcpus < 1 || in->vcpus > SNP_PLAN_MAX_VCPUS))
        return INVAL("%u vCPUs (1 to %d)", in->vcpus, SNP_PLAN_MAX_VCPUS);
    if (in->mode == SNP_PLAN_SNP && in->ovmf_len % PAGE)
        return INVAL("the firmware image is %zu bytes, not a whole number of 4 KiB pages",
                     in->ovmf_len);
    return SWSEV_OK;
}

static swsev_rc check_image(const struct snp_plan *p, const struct snp_plan_inputs *in, char *err,
                            size_t errlen)
{
    const struct ovmf *o = &p->ovmf;
    if (in->image_only)
        return SWSEV_OK;
    if (in->mode != SNP_PLAN_SEV) {
        if (!o->has_reset_eip)
            return INVAL("the OVMF image has no SEV-ES reset block (no AP start address)");
        if (in->vcpus > 1 && o->reset_eip == 0)
            return INVAL("the OVMF SEV-ES reset block gives AP start address 0");
    }
    if (in->kernel && in->mode != SNP_PLAN_SNP && !ovmf_sev_hashes_supported(o))
        return INVAL("a kernel is given but the OVMF image does not support kernel hashes "
                     "(no SEV hash table)");
    if (in->kernel && in->mode == SNP_PLAN_SNP &&
        !ovmf_has_section(o, OVMF_SECTION_SNP_KERNEL_HASHES))
        return INVAL("a kernel is given but the OVMF SEV metadata has no SNP_KERNEL_HASHES "
                     "section");
    return SWSEV_OK;
}

static swsev_rc build_snp(struct snp_plan *p, const struct snp_plan_inputs *in, char *err,
                          size_t errlen)
{
    add_op(p, p->ovmf.gpa, p->ovmf.size, SNP_PAGE_TYPE_NORMAL, p->ovmf.image, -1, "OVMF");
    p->n_image_ops = 1;
    if (in->image_only)
        return SWSEV_OK;
    for (size_t i = 0; i < p->ovmf.n_sections; i++) {
        swsev_rc rc = add_section(p, in, i, err, errlen);
        if (rc)
            return rc;
    }
    if (in->vmm == VMSA_VMM_EC2)
        for (size_t i = 0; i < p->ovmf.n_sections; i++)
            if (p->ovmf.sections[i].type == OVMF_SECTION_CPUID)
                add_op(p, p->ovmf.sections[i].gpa, PAGE, SNP_PAGE_TYPE_CPUID, NULL, (int)i,
                       "CPUID");
    return add_vmsas(p, in);
}

/* SEV and SEV-ES: LAUNCH_UPDATE_DATA of the image and of the padded hashes
 * table at its GPA, then (SEV-ES) LAUNCH_UPDATE_VMSA per vCPU. */
static swsev_rc build_sev(struct snp_plan *p, const struct snp_plan_inputs *in, char *err,
                          size_t errlen)
{
    add_op(p, p->ovmf.gpa, p->ovmf.size, SNP_PAGE_TYPE_NORMAL, p->ovmf.image, -1, "OVMF");
    p->n_image_ops = 1;
    if (in->kernel) {
        swsev_rc rc = check_hash_area(&p->ovmf, err, errlen);
        if (rc)
            return rc;
        uint8_t *t = add_owned_op(p, p->ovmf.hash_table_gpa, SNP_PLAN_HASHES_PADDED,
                                  SNP_PAGE_TYPE_NORMAL, -1, "kernel hashes");
        if (!t)
            return SWSEV_TOOL_ERR(SWSEV_E_NOMEM);
        snp_plan_hashes_table(in->kernel, t);
    }
    return in->mode == SNP_PLAN_SEV_ES ? add_vmsas(p, in) : SWSEV_OK;
}

swsev_rc snp_plan_build(struct snp_plan **out, const struct snp_plan_inputs *in, char *err,
                        size_t errlen)
{
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    swsev_rc rc = check_inputs(in, err, errlen);
    if (rc)
        return rc;
    struct snp_plan *p = calloc(1, sizeof(*p));
    if (!p)
        return SWSEV_TOOL_ERR(SWSEV_E_NOMEM);
    p->mode = in->mode;
    rc = ovmf_parse(&p->ovmf, in->ovmf, in->ovmf_len, OVMF_END_4G, err, errlen);
    if (!rc)
        rc = check_image(p, in, err, errlen);
    if (!rc) {
        unsigned vcpus = in->mode == SNP_PLAN_SEV || in->image_only ? 0 : in->vcpus;
        p->ops = calloc(max_ops(p, vcpus), sizeof(*p->ops));
        if (!p->ops)
            rc = SWSEV_TOOL_ERR(SWSEV_E_NOMEM);
    }
    if (!rc)
        rc = in->mode == SNP_PLAN_SNP ? build_snp(p, in, err, errlen)
                                      : build_sev(p, in, err, errlen);
    if (rc) {
        if (rc == SWSEV_TOOL_ERR(SWSEV_E_NOMEM))
            failf(err, errlen, rc, "out of memory");
        snp_plan_free(p);
        return rc;
    }
    for (size_t i = 0; i < p->n_ops; i++)
        p->n_pages += p->ops[i].len / PAGE;
    *out = p;
    return SWSEV_OK;
}

void snp_plan_free(struct snp_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->ops && i < p->n_ops; i++)
        free(p->ops[i].owned);
    free(p->ops);
    free(p);
}

/* ---- digests ---- */

swsev_rc snp_plan_digest_range(const struct snp_plan *p, const uint8_t *seed, size_t first,
                               size_t count, uint8_t out[SNP_PAGEINFO_DIGEST_LEN],
                               snp_plan_page_fn fn, void *arg)
{
    if (p->mode != SNP_PLAN_SNP || first > p->n_ops || count > p->n_ops - first)
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    struct snp_plan_page pg = {0};
    uint8_t digest[SNP_PAGEINFO_DIGEST_LEN] = {0};
    if (seed)
        memcpy(digest, seed, sizeof(digest));
    for (size_t i = 0; i < first; i++)
        pg.index += p->ops[i].len / PAGE;
    for (size_t i = first; i < first + count; i++) {
        const struct snp_plan_op *op = &p->ops[i];
        for (uint64_t off = 0; off < op->len; off += PAGE) {
            const uint8_t *page = op->data ? op->data + off : NULL;
            swsev_rc rc = snp_pageinfo_contents(pg.contents, op->page_type, page);
            if (!rc)
                rc = snp_pageinfo_extend(digest, pg.contents, op->page_type, op->gpa + off, false,
                                         NULL);
            if (rc)
                return rc;
            if (fn) {
                pg.op = op;
                pg.op_index = i;
                pg.gpa = op->gpa + off;
                pg.page_type = op->page_type;
                memcpy(pg.digest, digest, sizeof(digest));
                fn(arg, &pg);
            }
            pg.index++;
        }
    }
    memcpy(out, digest, sizeof(digest));
    return SWSEV_OK;
}

swsev_rc snp_plan_digest(const struct snp_plan *p, uint8_t out[SNP_PAGEINFO_DIGEST_LEN],
                         snp_plan_page_fn fn, void *arg)
{
    return snp_plan_digest_range(p, NULL, 0, p->n_ops, out, fn, arg);
}

swsev_rc snp_plan_sev_digest(const struct snp_plan *p, uint8_t out[32])
{
    if (p->mode == SNP_PLAN_SNP)
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    struct crypto_digest d;
    swsev_rc rc = crypto_digest_init(&d, CRYPTO_SHA256);
    for (size_t i = 0; !rc && i < p->n_ops; i++)
        rc = crypto_digest_update(&d, p->ops[i].data, p->ops[i].len);
    if (rc) {
        crypto_digest_clear(&d);
        return rc;
    }
    return crypto_digest_final(&d, out);
}
