/* SPDX-License-Identifier: MIT */
/*
 * The launch digest: PAGE_INFO, the launch plan, and every case of
 * virtee/sev-snp-measure's tests/test_guest.py (commit 8f2b337e) whose
 * inputs we have, byte for byte. Its kernel is /dev/null (an empty file),
 * its initrd /dev/null or none.
 */
#include <stdio.h>
#include <string.h>

#include "testsupport.h"
#include "common/snp_plan.h"
#include "crypto/digest.h"

#define AMDSEV  "ovmf/ovmf_AmdSev_suffix.bin"
#define OVMFX64 "ovmf/ovmf_OvmfX64_suffix.bin"
#define EPYC_V4 0x00800F12u

/* ---- PAGE_INFO ---- */

static void pageinfo_bytes(void **state)
{
    (void)state;
    uint8_t digest[48], contents[48];
    for (int i = 0; i < 48; i++) {
        digest[i] = (uint8_t)i;
        contents[i] = (uint8_t)(0xA0 + i);
    }
    /* The structure the firmware hashes, written out by hand. */
    uint8_t want[0x70] = {0};
    memcpy(want, digest, 48);
    memcpy(want + 0x30, contents, 48);
    want[0x60] = 0x70;
    want[0x62] = SNP_PAGE_TYPE_NORMAL;
    want[0x63] = 1; /* IMI */
    want[0x65] = 0x0F;
    want[0x66] = 0x03;
    want[0x67] = 0x01; /* VMPL1, VMPL2, VMPL3 after a reserved byte */
    uint64_t gpa = 0x0000123456789000ull;
    memcpy(want + 0x68, &gpa, 8);
    const uint8_t perms[3] = {0x0F, 0x03, 0x01};
    struct snp_pageinfo pi;
    snp_pageinfo_fill(&pi, digest, contents, SNP_PAGE_TYPE_NORMAL, gpa, true, perms);
    assert_memory_equal(&pi, want, sizeof(want));

    uint8_t expect[48];
    assert_int_equal(crypto_hash(CRYPTO_SHA384, want, sizeof(want), expect), SWSEV_OK);
    assert_int_equal(snp_pageinfo_extend(digest, contents, SNP_PAGE_TYPE_NORMAL, gpa, true, perms),
                     SWSEV_OK);
    assert_memory_equal(digest, expect, 48);

    /* No permissions, no IMI: those bytes are zero. */
    snp_pageinfo_fill(&pi, digest, contents, SNP_PAGE_TYPE_ZERO, 0, false, NULL);
    assert_int_equal(pi.imi_page | pi.reserved | pi.vmpl1_perms | pi.vmpl2_perms | pi.vmpl3_perms,
                     0);
    assert_int_equal(pi.length, 0x70);
}

static void pageinfo_types(void **state)
{
    (void)state;
    uint8_t digest[48] = {1}, before[48], contents[48] = {0};
    memcpy(before, digest, 48);
    /* An invalid type is refused and the digest stays as it was. */
    assert_int_equal(snp_pageinfo_extend(digest, contents, 0, 0, false, NULL),
                     SWSEV_TOOL_ERR(SWSEV_E_INVAL));
    assert_int_equal(snp_pageinfo_extend(digest, contents, 7, 0, false, NULL),
                     SWSEV_TOOL_ERR(SWSEV_E_INVAL));
    assert_memory_equal(digest, before, 48);
    static const char *names[] = {"INVALID",    "NORMAL",  "VMSA",  "ZERO",
                                  "UNMEASURED", "SECRETS", "CPUID", "INVALID"};
    for (uint8_t t = 0; t < 8; t++) {
        assert_string_equal(snp_page_type_name(t), names[t]);
        assert_int_equal(snp_page_type_valid(t), t >= 1 && t <= 6);
    }
    assert_true(snp_page_type_measured(SNP_PAGE_TYPE_NORMAL));
    assert_true(snp_page_type_measured(SNP_PAGE_TYPE_VMSA));
    assert_false(snp_page_type_measured(SNP_PAGE_TYPE_CPUID));

    /* CONTENTS: a hash for NORMAL and VMSA, zeros for the others. */
    uint8_t page[4096], out[48], h[48], zeros[48] = {0};
    memset(page, 0x5A, sizeof(page));
    assert_int_equal(crypto_hash(CRYPTO_SHA384, page, sizeof(page), h), SWSEV_OK);
    assert_int_equal(snp_pageinfo_contents(out, SNP_PAGE_TYPE_VMSA, page), SWSEV_OK);
    assert_memory_equal(out, h, 48);
    for (uint8_t t = SNP_PAGE_TYPE_ZERO; t <= SNP_PAGE_TYPE_CPUID; t++) {
        memset(out, 0xFF, sizeof(out));
        assert_int_equal(snp_pageinfo_contents(out, t, page), SWSEV_OK);
        assert_memory_equal(out, zeros, 48);
        assert_int_equal(snp_pageinfo_contents(out, t, NULL), SWSEV_OK);
    }
    assert_int_equal(snp_pageinfo_contents(out, SNP_PAGE_TYPE_NORMAL, NULL),
                     SWSEV_TOOL_ERR(SWSEV_E_INVAL));
    assert_int_equal(snp_pageinfo_contents(out, 9, page), SWSEV_TOOL_ERR(SWSEV_E_INVAL));
}

/* ---- sev-snp-measure's expected digests ---- */

struct ssm_case {
    const char *name;
    enum snp_plan_mode mode;
    const char *ovmf;
    unsigned vcpus;
    enum vmsa_vmm vmm;
    uint64_t features;
    bool kernel;        /* kernel = /dev/null (empty), initrd empty */
    const char *append; /* NULL: none */
    const char *seed;   /* --snp-ovmf-hash, or NULL */
    const char *digest;
};

static const char ovmf_hash[] = "086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2"
                                "c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74";

static const struct ssm_case ssm_cases[] = {
    {"test_snp_ovmf_hash_gen_default", SNP_PLAN_SNP, AMDSEV, 1, VMSA_VMM_QEMU, 0x21, true, "",
     ovmf_hash,
     "329c8ce0972ae52343b64d34a434a86f245dfd74f5ed7aae15d22efc78fb9683632b9b50e4e1d7fa41179ef98a7ef"
     "198"},
    {"test_snp_ovmf_hash_gen_feature_snp_only", SNP_PLAN_SNP, AMDSEV, 1, VMSA_VMM_QEMU, 0x1, true,
     "", ovmf_hash,
     "ddc5224521617a536ee7ce9dd6224d1b58a8d4fda1c741f3ac99fc4bfa04ba6e9fc98646d4a07a9079397fa385281"
     "9b5"},
    {"test_snp_ovmf_hash_full_default", SNP_PLAN_SNP, AMDSEV, 1, VMSA_VMM_QEMU, 0x21, true,
     "console=ttyS0 loglevel=7", ovmf_hash,
     "803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228"
     "977"},
    {"test_snp_ovmf_hash_full_feature_snp_only", SNP_PLAN_SNP, AMDSEV, 1, VMSA_VMM_QEMU, 0x1, true,
     "console=ttyS0 loglevel=7", ovmf_hash,
     "6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b0"
     "8fa"},
    {"test_snp_ec2_default", SNP_PLAN_SNP, AMDSEV, 1, VMSA_VMM_EC2, 0x21, true, "", NULL,
     "0ce9ccc06bab55eebe8abc234f3df6514883977a68a591b71052498ab52b2f1aa415db338033946ef93aa8278c0d6"
     "7fb"},
    {"test_snp_ec2_feature_snp_only", SNP_PLAN_SNP, AMDSEV, 1, VMSA_VMM_EC2, 0x1, true, "", NULL,
     "0883bd0eeb716e65b7b977a321c278d1e51b33b5c655fab985443bbcc65c086b9c15e8a0bd8811050dec7e24964e5"
     "056"},
    {"test_snp_gce_default", SNP_PLAN_SNP, AMDSEV, 1, VMSA_VMM_GCE, 0x1, true, "", NULL,
     "5da7106cf14cf46b1725ebab123eb9e53bd46a1e9f400cd0c08e7827b04b688ea8b4e403c8404efed4397ea5d5d07"
     "22e"},
    {"test_snp_gce_with_multiple_vcpus_default", SNP_PLAN_SNP, AMDSEV, 4, VMSA_VMM_GCE, 0x1, true,
     "", NULL,
     "5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e"
     "29d"},
    {"test_snp_default", SNP_PLAN_SNP, AMDSEV, 1, VMSA_VMM_QEMU, 0x21, true,
     "console=ttyS0 loglevel=7", NULL,
     "803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228"
     "977"},
    {"test_snp_guest_feature_snp_only", SNP_PLAN_SNP, AMDSEV, 1, VMSA_VMM_QEMU, 0x1, true,
     "console=ttyS0 loglevel=7", NULL,
     "6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b0"
     "8fa"},
    {"test_snp_without_kernel_default", SNP_PLAN_SNP, AMDSEV, 1, VMSA_VMM_QEMU, 0x21, false, NULL,
     NULL,
     "e1e1ca029dd7973ab9513295be68198472dcd4fc834bd9af9b63f6e8a1674dbf281a9278a4a2ebe0eed9f22adbcd0"
     "e2b"},
    {"test_snp_without_kernel_feature_snp_only", SNP_PLAN_SNP, AMDSEV, 1, VMSA_VMM_QEMU, 0x1, false,
     NULL, NULL,
     "19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df6"
     "32d"},
    {"test_snp_with_multiple_vcpus_default", SNP_PLAN_SNP, AMDSEV, 4, VMSA_VMM_QEMU, 0x21, true, "",
     NULL,
     "4953b1fb416fa874980e8442b3706d345926d5f38879134e00813c5d7abcbe78eafe7b422907be0b4698e2414a631"
     "942"},
    {"test_snp_with_multiple_vcpus_feature_snp_only", SNP_PLAN_SNP, AMDSEV, 4, VMSA_VMM_QEMU, 0x1,
     true, "", NULL,
     "5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046"
     "ad5"},
    {"test_snp_with_ovmfx64_without_default", SNP_PLAN_SNP, OVMFX64, 1, VMSA_VMM_QEMU, 0x21, false,
     NULL, NULL,
     "28797ae0afaba4005a81e629acebfb59e6687949d6be44007cd5506823b0dd66f146aaae26ff291eed7b493d8a64c"
     "385"},
    {"test_snp_with_ovmfx64_without_kernel_feature_snp_only", SNP_PLAN_SNP, OVMFX64, 1,
     VMSA_VMM_QEMU, 0x1, false, NULL, NULL,
     "da0296de8193586a5512078dcd719eccecbd87e2b825ad4148c44f665dc87df21e5b49e21523a9ad993afdb6a30b4"
     "005"},
    {"test_seves", SNP_PLAN_SEV_ES, AMDSEV, 1, VMSA_VMM_QEMU, 0x1, true, "", NULL,
     "13810ae661ea11e2bb205621f582fee268f0367c8f97bc297b7fadef3e12002c"},
    {"test_seves_with_multiple_vcpus", SNP_PLAN_SEV_ES, AMDSEV, 4, VMSA_VMM_QEMU, 0x21, true, "",
     NULL, "0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91"},
    {"test_sev", SNP_PLAN_SEV, AMDSEV, 1, VMSA_VMM_QEMU, 0x21, true, "console=ttyS0 loglevel=7",
     NULL, "82a3ee5d537c3620628270c292ae30cb40c3c878666a7890ee7ef2a08fb535ff"},
    {"test_sev_with_kernel_without_initrd_and_append", SNP_PLAN_SEV, AMDSEV, 1, VMSA_VMM_QEMU, 0x21,
     true, NULL, NULL, "77f613d7bbcdf12a73782ea9e88b0172aeda50d1a54201cb903594ff52846898"},
    {"test_sev_with_ovmfx64_without_kernel", SNP_PLAN_SEV, OVMFX64, 1, VMSA_VMM_QEMU, 0x21, false,
     NULL, NULL, "b4c021e085fb83ceffe6571a3d357b4a98773c83c474e47f76c876708fe316da"},
};

static struct snp_plan *build(const uint8_t *img, size_t len, enum snp_plan_mode mode,
                              unsigned vcpus, enum vmsa_vmm vmm, uint64_t features,
                              const struct snp_plan_kernel *k)
{
    struct snp_plan_inputs in = {.mode = mode,
                                 .ovmf = img,
                                 .ovmf_len = len,
                                 .vcpus = vcpus,
                                 .vcpu_sig = EPYC_V4,
                                 .vmm = vmm,
                                 .guest_features = features,
                                 .kernel = k};
    struct snp_plan *p;
    char err[200];
    swsev_rc rc = snp_plan_build(&p, &in, err, sizeof(err));
    if (rc)
        fail_msg("plan: %s", err);
    return p;
}

static void ssm_expected_digests(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ssm_cases) / sizeof(ssm_cases[0]); i++) {
        const struct ssm_case *c = &ssm_cases[i];
        uint8_t *img;
        size_t len;
        ts_read_file(ts_data_path(c->ovmf), &img, &len);
        struct snp_plan_kernel k;
        assert_int_equal(snp_plan_kernel_hash(&k, "", 0, NULL, 0, c->append), SWSEV_OK);
        struct snp_plan *p =
            build(img, len, c->mode, c->vcpus, c->vmm, c->features, c->kernel ? &k : NULL);
        uint8_t got[48], want[48];
        size_t n = ts_unhex(c->digest, want, sizeof(want));
        if (c->mode != SNP_PLAN_SNP) {
            assert_int_equal(snp_plan_sev_digest(p, got), SWSEV_OK);
        } else if (c->seed) {
            uint8_t seed[48];
            ts_unhex(c->seed, seed, sizeof(seed));
            assert_int_equal(snp_plan_digest_range(p, seed, p->n_image_ops,
                                                   p->n_ops - p->n_image_ops, got, NULL, NULL),
                             SWSEV_OK);
        } else {
            assert_int_equal(snp_plan_digest(p, got, NULL, NULL), SWSEV_OK);
        }
        if (memcmp(got, want, n))
            fail_msg("%s: digest differs from sev-snp-measure's", c->name);
        snp_plan_free(p);
        free(img);
    }
}

/* test_snp_ovmf_hash_full_*: the digest of the firmware pages alone. */
static void ssm_ovmf_hash(void **state)
{
    (void)state;
    uint8_t *img;
    size_t len;
    ts_read_file(ts_data_path(AMDSEV), &img, &len);
    struct snp_plan_inputs in = {
        .mode = SNP_PLAN_SNP, .ovmf = img, .ovmf_len = len, .image_only = true};
    struct snp_plan *p;
    assert_int_equal(snp_plan_build(&p, &in, NULL, 0), SWSEV_OK);
    assert_int_equal(p->n_ops, 1);
    assert_int_equal(p->n_image_ops, 1);
    uint8_t got[48], want[48];
    ts_unhex(ovmf_hash, want, sizeof(want));
    assert_int_equal(snp_plan_digest(p, got, NULL, NULL), SWSEV_OK);
    assert_memory_equal(got, want, 48);
    snp_plan_free(p);

    /* The same prefix of a full plan. */
    p = build(img, len, SNP_PLAN_SNP, 1, VMSA_VMM_QEMU, 0x1, NULL);
    assert_int_equal(snp_plan_digest_range(p, NULL, 0, p->n_image_ops, got, NULL, NULL), SWSEV_OK);
    assert_memory_equal(got, want, 48);
    snp_plan_free(p);
    free(img);
}

/* test_snp_with_ovmfx64_and_kernel_should_fail and the SEV/SEV-ES ones. */
static void ssm_kernel_without_hashes_support(void **state)
{
    (void)state;
    uint8_t *img;
    size_t len;
    ts_read_file(ts_data_path(OVMFX64), &img, &len);
    struct snp_plan_kernel k;
    assert_int_equal(snp_plan_kernel_hash(&k, "", 0, "", 0, ""), SWSEV_OK);
    static const struct {
        enum snp_plan_mode mode;
        const char *why;
    } cases[] = {
        {SNP_PLAN_SNP, "no SNP_KERNEL_HASHES section"},
        {SNP_PLAN_SEV_ES, "does not support kernel hashes"},
        {SNP_PLAN_SEV, "does not support kernel hashes"},
    };
    for (size_t i = 0; i < 3; i++) {
        struct snp_plan_inputs in = {.mode = cases[i].mode,
                                     .ovmf = img,
                                     .ovmf_len = len,
                                     .vcpus = 1,
                                     .vcpu_sig = EPYC_V4,
                                     .kernel = &k};
        struct snp_plan *p = (struct snp_plan *)&in; /* must be reset to NULL */
        char err[200];
        assert_int_equal(snp_plan_build(&p, &in, err, sizeof(err)), SWSEV_TOOL_ERR(SWSEV_E_INVAL));
        assert_null(p);
        assert_non_null(strstr(err, cases[i].why));
    }
    free(img);
}

/* ---- the plan's shape: what a VMM will execute ---- */

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

struct walk {
    uint64_t pages;
    uint8_t last[48];
    bool in_order;
};

static void count_page(void *arg, const struct snp_plan_page *pg)
{
    struct walk *w = arg;
    if (pg->index != w->pages)
        w->in_order = false;
    w->pages++;
    memcpy(w->last, pg->digest, 48);
}

static void plan_shape_qemu(void **state)
{
    (void)state;
    uint8_t *img;
    size_t len;
    ts_read_file(ts_data_path(AMDSEV), &img, &len);
    struct snp_plan_kernel k;
    assert_int_equal(snp_plan_kernel_hash(&k, "K", 1, "I", 1, "c"), SWSEV_OK);
    struct snp_plan *p = build(img, len, SNP_PLAN_SNP, 3, VMSA_VMM_QEMU, 0x21, &k);
    static const struct {
        uint64_t gpa, len;
        uint8_t type;
        const char *what;
    } want[] = {
        {0xFFFFF000, 0x1000, SNP_PAGE_TYPE_NORMAL, "OVMF"},
        {0x800000, 0x9000, SNP_PAGE_TYPE_ZERO, "SNP_SEC_MEM"},
        {0x80A000, 0x3000, SNP_PAGE_TYPE_ZERO, "SNP_SEC_MEM"},
        {0x80D000, 0x1000, SNP_PAGE_TYPE_SECRETS, "SNP_SECRETS"},
        {0x80E000, 0x1000, SNP_PAGE_TYPE_CPUID, "CPUID"},
        {0x80F000, 0x1000, SNP_PAGE_TYPE_ZERO, "SVSM_CAA"},
        {0x810000, 0x1000, SNP_PAGE_TYPE_NORMAL, "kernel hashes"},
        {0x811000, 0xF000, SNP_PAGE_TYPE_ZERO, "SNP_SEC_MEM"},
        {SNP_VMSA_GPA, 0x1000, SNP_PAGE_TYPE_VMSA, "VMSA vcpu 0"},
        {SNP_VMSA_GPA, 0x1000, SNP_PAGE_TYPE_VMSA, "VMSA vcpu 1"},
        {SNP_VMSA_GPA, 0x1000, SNP_PAGE_TYPE_VMSA, "VMSA vcpu 2"},
    };
    assert_int_equal(p->n_ops, 11);
    for (size_t i = 0; i < 11; i++) {
        const struct snp_plan_op *op = &p->ops[i];
        assert_int_equal(op->gpa, want[i].gpa);
        assert_int_equal(op->len, want[i].len);
        assert_int_equal(op->page_type, want[i].type);
        assert_string_equal(op->what, want[i].what);
        /* Contents exactly for the measured types. */
        assert_int_equal(op->data != NULL, snp_page_type_measured(op->page_type));
        assert_int_equal(op->vcpu, i >= 8 ? (int)i - 8 : -1);
    }
    assert_ptr_equal(p->ops[0].data, img);
    assert_int_equal(p->ops[6].section, 5);
    assert_int_equal(p->n_pages, 1 + 9 + 3 + 1 + 1 + 1 + 1 + 15 + 3);

    /* The hashes table at the hash table GPA's page offset (0xC00). */
    uint8_t table[SNP_PLAN_HASHES_PADDED], zeros[0xC00] = {0};
    snp_plan_hashes_table(&k, table);
    assert_memory_equal(p->ops[6].data + 0xC00, table, sizeof(table));
    assert_memory_equal(p->ops[6].data, zeros, sizeof(zeros));

    /* VMSAs: the BSP at the reset vector, APs at the reset block's EIP. */
    const uint8_t *bsp = p->ops[8].data, *ap = p->ops[9].data;
    assert_int_equal(get64(bsp + VMSA_RIP), 0xFFF0);
    assert_int_equal(get64(bsp + VMSA_CS + 8), 0xFFFF0000);
    assert_int_equal(get64(ap + VMSA_RIP), 0xB004);
    assert_int_equal(get64(ap + VMSA_CS + 8), 0x800000);
    assert_int_equal(get64(ap + VMSA_RDX), EPYC_V4);
    assert_int_equal(get64(ap + VMSA_SEV_FEATURES), 0x21);
    assert_memory_equal(p->ops[9].data, p->ops[10].data, VMSA_SIZE);
    assert_ptr_not_equal(p->ops[9].data, p->ops[10].data); /* one page per vCPU */

    /* The walk: every page once, in order, ending on the digest. */
    struct walk w = {.in_order = true};
    uint8_t d[48];
    assert_int_equal(snp_plan_digest(p, d, count_page, &w), SWSEV_OK);
    assert_true(w.in_order);
    assert_int_equal(w.pages, p->n_pages);
    assert_memory_equal(w.last, d, 48);
    /* Resuming a walk gives the same digest. */
    uint8_t mid[48], end[48];
    assert_int_equal(snp_plan_digest_range(p, NULL, 0, 4, mid, NULL, NULL), SWSEV_OK);
    assert_int_equal(snp_plan_digest_range(p, mid, 4, p->n_ops - 4, end, NULL, NULL), SWSEV_OK);
    assert_memory_equal(end, d, 48);
    snp_plan_free(p);
    free(img);
}

static void plan_shape_ec2_gce_sev(void **state)
{
    (void)state;
    uint8_t *img;
    size_t len;
    ts_read_file(ts_data_path(AMDSEV), &img, &len);
    /* EC2: the CPUID page after all other sections, right before the VMSAs. */
    struct snp_plan *p = build(img, len, SNP_PLAN_SNP, 2, VMSA_VMM_EC2, 0x1, NULL);
    assert_int_equal(p->n_ops, 10);
    assert_int_equal(p->ops[4].page_type, SNP_PAGE_TYPE_ZERO); /* SVSM_CAA moved up */
    assert_int_equal(p->ops[7].page_type, SNP_PAGE_TYPE_CPUID);
    assert_int_equal(p->ops[7].gpa, 0x80E000);
    assert_int_equal(p->ops[8].data[VMSA_CS + 2], 0x9A); /* BSP CS attributes on EC2 */
    assert_int_equal(p->ops[9].data[VMSA_CS + 2], 0x9B);
    assert_int_equal(get64(p->ops[9].data + VMSA_RDX), 0x600);
    snp_plan_free(p);
    /* GCE: pre-validated memory is UNMEASURED. */
    p = build(img, len, SNP_PLAN_SNP, 1, VMSA_VMM_GCE, 0x1, NULL);
    assert_int_equal(p->ops[1].page_type, SNP_PAGE_TYPE_UNMEASURED);
    assert_int_equal(p->ops[6].page_type, SNP_PAGE_TYPE_ZERO); /* no kernel: ZERO hashes page */
    snp_plan_free(p);
    /* SEV-ES: image, padded table at its GPA, VMSAs with no SEV features. */
    struct snp_plan_kernel k;
    assert_int_equal(snp_plan_kernel_hash(&k, "", 0, NULL, 0, NULL), SWSEV_OK);
    p = build(img, len, SNP_PLAN_SEV_ES, 2, VMSA_VMM_QEMU, 0x21, &k);
    assert_int_equal(p->n_ops, 4);
    assert_int_equal(p->ops[1].gpa, 0x810C00);
    assert_int_equal(p->ops[1].len, SNP_PLAN_HASHES_PADDED);
    assert_int_equal(get64(p->ops[2].data + VMSA_SEV_FEATURES), 0);
    assert_int_equal(p->ops[3].vcpu, 1);
    uint8_t d[48];
    assert_int_equal(snp_plan_digest(p, d, NULL, NULL), SWSEV_TOOL_ERR(SWSEV_E_INVAL));
    snp_plan_free(p);
    /* SEV: no VMSAs whatever the vCPU count. */
    p = build(img, len, SNP_PLAN_SEV, 0, VMSA_VMM_QEMU, 0, &k);
    assert_int_equal(p->n_ops, 2);
    snp_plan_free(p);
    p = build(img, len, SNP_PLAN_SNP, 1, VMSA_VMM_QEMU, 0x1, NULL);
    assert_int_equal(snp_plan_sev_digest(p, d), SWSEV_TOOL_ERR(SWSEV_E_INVAL));
    assert_int_equal(snp_plan_digest_range(p, NULL, 2, p->n_ops, d, NULL, NULL),
                     SWSEV_TOOL_ERR(SWSEV_E_INVAL));
    assert_int_equal(snp_plan_digest_range(p, NULL, p->n_ops + 1, 0, d, NULL, NULL),
                     SWSEV_TOOL_ERR(SWSEV_E_INVAL));
    snp_plan_free(p);
    snp_plan_free(NULL);
    free(img);
}

/* ---- kernel hashes and CPU signatures ---- */

static void kernel_hashes_table(void **state)
{
    (void)state;
    struct snp_plan_kernel k;
    assert_int_equal(snp_plan_kernel_hash(&k, "abc", 3, NULL, 0, "console=ttyS0"), SWSEV_OK);
    uint8_t want[32];
    ts_unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want, 32);
    assert_memory_equal(k.kernel_sha256, want, 32); /* SHA-256("abc") */
    ts_unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want, 32);
    assert_memory_equal(k.initrd_sha256, want, 32); /* SHA-256("") */
    uint8_t h[32];
    assert_int_equal(crypto_hash(CRYPTO_SHA256, "console=ttyS0", 14, h), SWSEV_OK);
    assert_memory_equal(k.cmdline_sha256, h, 32); /* with its NUL */
    assert_int_equal(snp_plan_cmdline_hash(h, NULL), SWSEV_OK);
    uint8_t nul_hash[32];
    assert_int_equal(crypto_hash(CRYPTO_SHA256, "", 1, nul_hash), SWSEV_OK);
    assert_memory_equal(h, nul_hash, 32);
    assert_int_equal(snp_plan_cmdline_hash(h, ""), SWSEV_OK);
    assert_memory_equal(h, nul_hash, 32);

    uint8_t t[SNP_PLAN_HASHES_PADDED];
    snp_plan_hashes_table(&k, t);
    static const uint8_t table_guid[16] = {0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c,
                                           0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21};
    static const uint8_t kernel_guid[16] = {0x37, 0x94, 0xe7, 0x4d, 0xd2, 0xab, 0x7f, 0x42,
                                            0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b};
    assert_memory_equal(t, table_guid, 16);
    assert_int_equal(t[0x10] | t[0x11] << 8, 0xA8);
    assert_int_equal(t[0x12 + 16], 0x32); /* cmdline entry length */
    assert_memory_equal(t + 0x12 + 18, k.cmdline_sha256, 32);
    assert_memory_equal(t + 0x44 + 18, k.initrd_sha256, 32);
    assert_memory_equal(t + 0x76, kernel_guid, 16);
    assert_memory_equal(t + 0x76 + 18, k.kernel_sha256, 32);
    for (int i = 0xA8; i < 0xB0; i++)
        assert_int_equal(t[i], 0);
}

static void cpu_signatures(void **state)
{
    (void)state;
    assert_int_equal(snp_plan_cpu_sig(14, 1, 2), 0x0E12);
    assert_int_equal(snp_plan_cpu_sig(23, 1, 2), 0x800F12);
    assert_int_equal(snp_plan_cpu_sig(25, 17, 0), 0xA10F10);
    static const struct {
        const char *name;
        uint32_t sig;
    } known[] = {
        {"EPYC", 0x800F12},          {"EPYC-v4", 0x800F12},      {"EPYC-IBPB", 0x800F12},
        {"EPYC-Rome", 0x830F10},     {"EPYC-Rome-v3", 0x830F10}, {"EPYC-Milan", 0xA00F11},
        {"EPYC-Milan-v2", 0xA00F11}, {"EPYC-Genoa", 0xA10F10},   {"EPYC-Genoa-v1", 0xA10F10},
        {"EPYC-Turin", 0xB00F00},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        uint32_t sig = 0;
        assert_true(snp_plan_cpu_sig_by_name(known[i].name, &sig));
        assert_int_equal(sig, known[i].sig);
    }
    uint32_t sig = 7;
    assert_false(snp_plan_cpu_sig_by_name("epyc-v4", &sig)); /* names are exact */
    assert_false(snp_plan_cpu_sig_by_name("EPYC-v5", &sig));
    assert_int_equal(sig, 7);
    size_t n = 0;
    while (snp_plan_cpu_name(n))
        n++;
    assert_int_equal(n, 16);
}

/* ---- inputs the plan refuses ---- */

static void expect_plan_error(const struct snp_plan_inputs *in, swsev_rc want, const char *why)
{
    struct snp_plan *p;
    char err[200] = "";
    swsev_rc rc = snp_plan_build(&p, in, err, sizeof(err));
    if (rc != want || !strstr(err, why))
        fail_msg("expected rc 0x%x naming '%s', got 0x%x '%s'", (unsigned)want, why, (unsigned)rc,
                 err);
    assert_null(p);
}

/* Offsets in the AmdSev fixture's footer table (see test_ovmf.c). */
#define FIX_RESET_EIP  0xFB8 /* u32 data of the SEV-ES reset block entry */
#define FIX_RESET_GUID 0xFBE /* its GUID */
#define FIX_HASH_GPA   0xF84 /* SEV hash table entry: GPA, size */
#define FIX_HASH_SIZE  0xF88

static void plan_refusals(void **state)
{
    (void)state;
    uint8_t *img;
    size_t len;
    ts_read_file(ts_data_path(AMDSEV), &img, &len);
    struct snp_plan_kernel k;
    assert_int_equal(snp_plan_kernel_hash(&k, "", 0, NULL, 0, NULL), SWSEV_OK);
    const swsev_rc inval = SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    struct snp_plan_inputs base = {.mode = SNP_PLAN_SNP,
                                   .ovmf = img,
                                   .ovmf_len = len,
                                   .vcpus = 2,
                                   .vcpu_sig = EPYC_V4,
                                   .vmm = VMSA_VMM_QEMU,
                                   .guest_features = 1};
    struct snp_plan_inputs in = base;
    in.mode = 0;
    expect_plan_error(&in, inval, "unknown launch mode");
    in = base;
    in.vmm = 7;
    expect_plan_error(&in, inval, "unknown VMM type");
    in = base;
    in.ovmf = NULL;
    expect_plan_error(&in, inval, "no firmware image");
    in = base;
    in.vcpus = 0;
    expect_plan_error(&in, inval, "0 vCPUs");
    in.vcpus = SNP_PLAN_MAX_VCPUS + 1;
    expect_plan_error(&in, inval, "vCPUs (1 to 4096)");
    in = base;
    in.ovmf_len = len - 16; /* SNP measures whole pages */
    expect_plan_error(&in, inval, "not a whole number of 4 KiB pages");
    in = base;
    in.mode = SNP_PLAN_SEV_ES;
    in.image_only = true;
    expect_plan_error(&in, inval, "image-only plan is an SNP plan");

    /* A malformed image is a format error, with the parser's reason. */
    uint8_t *bad = malloc(len);
    memcpy(bad, img, len);
    bad[len - 50] = 3; /* footer table length below its header */
    in = base;
    in.ovmf = bad;
    expect_plan_error(&in, SWSEV_TOOL_ERR(SWSEV_E_FORMAT), "footer table length 3");

    /* No SEV-ES reset block: no AP start address for SEV-ES and SNP. */
    memcpy(bad, img, len);
    bad[FIX_RESET_GUID] ^= 0xFF;
    expect_plan_error(&in, inval, "no SEV-ES reset block");
    in.mode = SNP_PLAN_SEV_ES;
    expect_plan_error(&in, inval, "no SEV-ES reset block");
    in.mode = SNP_PLAN_SEV; /* SEV has no VMSAs: fine */
    struct snp_plan *p;
    assert_int_equal(snp_plan_build(&p, &in, NULL, 0), SWSEV_OK);
    snp_plan_free(p);

    /* A zero reset address is useless for APs, harmless with one vCPU. */
    memcpy(bad, img, len);
    memset(bad + FIX_RESET_EIP, 0, 4);
    in = base;
    in.ovmf = bad;
    expect_plan_error(&in, inval, "AP start address 0");
    in.vcpus = 1;
    assert_int_equal(snp_plan_build(&p, &in, NULL, 0), SWSEV_OK);
    snp_plan_free(p);

    /* The hash table area too small for the padded table (QEMU refuses). */
    memcpy(bad, img, len);
    bad[FIX_HASH_SIZE] = 0xA0;
    bad[FIX_HASH_SIZE + 1] = 0;
    in = base;
    in.ovmf = bad;
    in.kernel = &k;
    expect_plan_error(&in, inval, "smaller than the 176-byte table");
    in.mode = SNP_PLAN_SEV;
    expect_plan_error(&in, inval, "smaller than the 176-byte table");

    /* A table that would straddle the end of the hashes page. */
    memcpy(bad, img, len);
    bad[FIX_HASH_GPA] = 0x80;
    bad[FIX_HASH_GPA + 1] = 0x0F; /* GPA 0x810F80: 0xF80 + 0xB0 > 4 KiB */
    in.mode = SNP_PLAN_SNP;
    expect_plan_error(&in, inval, "cannot hold the hashes table at page offset 0xf80");
    in.kernel = NULL; /* no kernel: the page is a ZERO page, nothing to hold */
    assert_int_equal(snp_plan_build(&p, &in, NULL, 0), SWSEV_OK);
    snp_plan_free(p);
    free(bad);
    free(img);
}

/* ---- Debian's images, when installed ---- */

/* Digests from running sev-snp-measure 0.0.13 (commit 8f2b337e) on the
 * images of Debian 12's ovmf 2022.11-6+deb12u2, identified by SHA-256. */
static const struct {
    const char *path, *sha256;
    unsigned vcpus;
    uint32_t sig;
    uint64_t features;
    const char *digest;
} debian[] = {
    {"/usr/share/ovmf/OVMF.fd", "7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773",
     1, 0xA00F11, 0x1,
     "80479ca85a2b182c026f6a3a2f2b180ab968d84b17540dd30de39039e70b8c0c33ead2cae6d34e37750035fcff60b"
     "fc8"},
    {"/usr/share/OVMF/OVMF_CODE.fd",
     "d9b568def24088c92f34b5479e0ed7e44d0a4d4cea8a0f5716719180bba48106", 4, 0xA10F10, 0x21,
     "a9eb0f8b08c7c5cba6c90e3b37b78b3a44ceaad250a00ccfc066e6a4871f18688e29134279260c731267b28a268d3"
     "3ca"},
};

static void debian_digests(void **state)
{
    (void)state;
    int checked = 0;
    for (size_t i = 0; i < sizeof(debian) / sizeof(debian[0]); i++) {
        FILE *f = fopen(debian[i].path, "rb");
        if (!f)
            continue;
        fclose(f);
        uint8_t *img;
        size_t len;
        ts_read_file(debian[i].path, &img, &len);
        uint8_t h[32], want_h[32];
        assert_int_equal(crypto_hash(CRYPTO_SHA256, img, len, h), SWSEV_OK);
        ts_unhex(debian[i].sha256, want_h, sizeof(want_h));
        struct snp_plan_inputs in = {.mode = SNP_PLAN_SNP,
                                     .ovmf = img,
                                     .ovmf_len = len,
                                     .vcpus = debian[i].vcpus,
                                     .vcpu_sig = debian[i].sig,
                                     .guest_features = debian[i].features};
        struct snp_plan *p;
        char err[200];
        if (snp_plan_build(&p, &in, err, sizeof(err)))
            fail_msg("%s: %s", debian[i].path, err);
        if (!memcmp(h, want_h, 32)) { /* the build whose digest we know */
            uint8_t d[48], want[48];
            ts_unhex(debian[i].digest, want, sizeof(want));
            assert_int_equal(snp_plan_digest(p, d, NULL, NULL), SWSEV_OK);
            assert_memory_equal(d, want, 48);
            checked++;
        }
        snp_plan_free(p);
        free(img);
    }
    if (!checked)
        skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pageinfo_bytes),
        cmocka_unit_test(pageinfo_types),
        cmocka_unit_test(ssm_expected_digests),
        cmocka_unit_test(ssm_ovmf_hash),
        cmocka_unit_test(ssm_kernel_without_hashes_support),
        cmocka_unit_test(plan_shape_qemu),
        cmocka_unit_test(plan_shape_ec2_gce_sev),
        cmocka_unit_test(kernel_hashes_table),
        cmocka_unit_test(cpu_signatures),
        cmocka_unit_test(plan_refusals),
        cmocka_unit_test(debian_digests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
