/* SPDX-License-Identifier: MIT */
/* OVMF parsing: the fixtures of sev-snp-measure, Debian's images when
 * installed, and a synthetic image broken in every way the parser checks. */
#include <stdio.h>
#include <string.h>

#include "testsupport.h"
#include "common/ovmf.h"

/* ---- the fixtures (the last 4 KiB of edk2-stable202405 builds) ---- */

static void amdsev_fixture(void **state)
{
    (void)state;
    uint8_t *img;
    size_t len;
    ts_read_file(ts_data_path("ovmf/ovmf_AmdSev_suffix.bin"), &img, &len);
    struct ovmf o;
    char err[200];
    assert_int_equal(ovmf_parse(&o, img, len, OVMF_END_4G, err, sizeof(err)), SWSEV_OK);
    assert_string_equal(err, "");
    assert_int_equal(o.gpa, 0xFFFFF000u);
    assert_true(o.has_table);
    assert_int_equal(o.n_entries, 5);
    /* In image order: the last entry is the one next to the footer. */
    assert_memory_equal(o.entries[4].guid.b, ovmf_guid_sev_es_reset.b, 16);
    assert_true(o.has_reset_eip);
    assert_int_equal(o.reset_eip, 0x80B004);
    assert_true(o.has_hash_table);
    assert_int_equal(o.hash_table_gpa, 0x810C00);
    assert_int_equal(o.hash_table_size, 0x400);
    assert_true(ovmf_sev_hashes_supported(&o));
    assert_false(o.has_svsm_info);
    assert_true(o.has_metadata);
    assert_int_equal(o.metadata_offset, len - 0x554);
    static const struct ovmf_section want[] = {
        {0x800000, 0x9000, OVMF_SECTION_SNP_SEC_MEM},
        {0x80A000, 0x3000, OVMF_SECTION_SNP_SEC_MEM},
        {0x80D000, 0x1000, OVMF_SECTION_SNP_SECRETS},
        {0x80E000, 0x1000, OVMF_SECTION_CPUID},
        {0x80F000, 0x1000, OVMF_SECTION_SVSM_CAA},
        {0x810000, 0x1000, OVMF_SECTION_SNP_KERNEL_HASHES},
        {0x811000, 0xF000, OVMF_SECTION_SNP_SEC_MEM},
    };
    assert_int_equal(o.n_sections, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(o.sections[i].gpa, want[i].gpa);
        assert_int_equal(o.sections[i].size, want[i].size);
        assert_int_equal(o.sections[i].type, want[i].type);
    }
    assert_true(ovmf_has_section(&o, OVMF_SECTION_SNP_KERNEL_HASHES));
    assert_non_null(ovmf_find(&o, &ovmf_guid_sev_metadata));
    assert_null(ovmf_find(&o, &ovmf_guid_svsm_info));
    free(img);
}

static void ovmfx64_fixture(void **state)
{
    (void)state;
    uint8_t *img;
    size_t len;
    ts_read_file(ts_data_path("ovmf/ovmf_OvmfX64_suffix.bin"), &img, &len);
    struct ovmf o;
    assert_int_equal(ovmf_parse(&o, img, len, OVMF_END_4G, NULL, 0), SWSEV_OK);
    assert_int_equal(o.reset_eip, 0x80B004);
    /* The hash table entry is there but empty: no measured direct boot. */
    assert_true(o.has_hash_table);
    assert_int_equal(o.hash_table_gpa, 0);
    assert_false(ovmf_sev_hashes_supported(&o));
    assert_false(ovmf_has_section(&o, OVMF_SECTION_SNP_KERNEL_HASHES));
    assert_true(ovmf_has_section(&o, OVMF_SECTION_SNP_SECRETS));
    free(img);
}

static void names_and_guids(void **state)
{
    (void)state;
    char s[OVMF_GUID_STR_LEN];
    ovmf_guid_format(&ovmf_guid_table_footer, s);
    assert_string_equal(s, "96b582de-1fb2-45f7-baea-a366c55a082d");
    ovmf_guid_format(&ovmf_guid_sev_hash_table, s);
    assert_string_equal(s, "7255371f-3a3b-4b04-927b-1da6efa8d454");
    ovmf_guid_format(&ovmf_guid_sev_es_reset, s);
    assert_string_equal(s, "00f771de-1a7e-4fcb-890e-68c77e2fb44e");
    ovmf_guid_format(&ovmf_guid_sev_metadata, s);
    assert_string_equal(s, "dc886566-984a-4798-a75e-5585a7bf67cc");
    ovmf_guid_format(&ovmf_guid_svsm_info, s);
    assert_string_equal(s, "a789a612-0597-4c4b-a49f-cbb1fe9d1ddd");
    assert_string_equal(ovmf_section_type_name(OVMF_SECTION_SNP_SEC_MEM), "SNP_SEC_MEM");
    assert_string_equal(ovmf_section_type_name(OVMF_SECTION_SNP_SECRETS), "SNP_SECRETS");
    assert_string_equal(ovmf_section_type_name(OVMF_SECTION_CPUID), "CPUID");
    assert_string_equal(ovmf_section_type_name(OVMF_SECTION_SVSM_CAA), "SVSM_CAA");
    assert_string_equal(ovmf_section_type_name(OVMF_SECTION_SNP_KERNEL_HASHES),
                        "SNP_KERNEL_HASHES");
    assert_string_equal(ovmf_section_type_name(7), "UNKNOWN");
}

/* ---- Debian's ovmf package, when installed ---- */

static bool read_if_present(const char *path, uint8_t **img, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    fclose(f);
    ts_read_file(path, img, len);
    return true;
}

static void debian_images(void **state)
{
    (void)state;
    static const char *with_snp[] = {"/usr/share/ovmf/OVMF.fd", "/usr/share/OVMF/OVMF_CODE.fd"};
    int seen = 0;
    for (size_t i = 0; i < 2; i++) {
        uint8_t *img;
        size_t len;
        if (!read_if_present(with_snp[i], &img, &len))
            continue;
        seen++;
        struct ovmf o;
        char err[200];
        assert_int_equal(ovmf_parse(&o, img, len, OVMF_END_4G, err, sizeof(err)), SWSEV_OK);
        /* Debian 12's builds carry SNP metadata without kernel hashes. */
        assert_true(o.has_reset_eip);
        assert_true(o.has_metadata);
        assert_true(ovmf_has_section(&o, OVMF_SECTION_SNP_SECRETS));
        assert_true(ovmf_has_section(&o, OVMF_SECTION_CPUID));
        assert_false(ovmf_has_section(&o, OVMF_SECTION_SNP_KERNEL_HASHES));
        assert_false(ovmf_sev_hashes_supported(&o));
        free(img);
    }
    uint8_t *img;
    size_t len;
    if (read_if_present("/usr/share/OVMF/OVMF_CODE_4M.fd", &img, &len)) {
        seen++;
        struct ovmf o;
        assert_int_equal(ovmf_parse(&o, img, len, OVMF_END_4G, NULL, 0), SWSEV_OK);
        assert_true(o.has_table);
        assert_true(o.has_reset_eip);
        assert_false(o.has_metadata);
        free(img);
    }
    if (!seen)
        skip();
}

/* ---- a synthetic image, to break every structure on purpose ---- */

#define FAKE_SIZE 8192
struct fake {
    uint8_t img[FAKE_SIZE];
    size_t end; /* where the next entry (walking backwards) ends */
};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static size_t footer_at(void)
{
    return FAKE_SIZE - OVMF_FOOTER_GAP - OVMF_ENTRY_HDR_LEN;
}

static void fake_set_table_len(struct fake *f, size_t len)
{
    put16(f->img + footer_at(), (uint16_t)len);
}

static void fake_init(struct fake *f)
{
    memset(f->img, 0, sizeof(f->img));
    f->end = footer_at();
    memcpy(f->img + footer_at() + 2, ovmf_guid_table_footer.b, 16);
    fake_set_table_len(f, OVMF_ENTRY_HDR_LEN);
}

static void fake_entry(struct fake *f, const struct ovmf_guid *g, const void *data, size_t len)
{
    size_t total = len + OVMF_ENTRY_HDR_LEN;
    uint8_t *hdr = f->img + f->end - OVMF_ENTRY_HDR_LEN;
    memcpy(hdr - len, data, len);
    put16(hdr, (uint16_t)total);
    memcpy(hdr + 2, g->b, 16);
    f->end -= total;
    fake_set_table_len(f, footer_at() - f->end + OVMF_ENTRY_HDR_LEN);
}

static void fake_u32_entry(struct fake *f, const struct ovmf_guid *g, uint32_t v)
{
    uint8_t d[4];
    put32(d, v);
    fake_entry(f, g, d, 4);
}

#define META_AT 0x100 /* offset of "ASEV" in the fake image */

/* A metadata block with n sections at META_AT, and the entry pointing at it. */
static void fake_metadata(struct fake *f, const struct ovmf_section *s, size_t n)
{
    uint8_t *h = f->img + META_AT;
    memcpy(h, "ASEV", 4);
    put32(h + 4, (uint32_t)(OVMF_METADATA_HDR + n * OVMF_SECTION_LEN));
    put32(h + 8, OVMF_METADATA_VERSION);
    put32(h + 12, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        uint8_t *d = h + OVMF_METADATA_HDR + i * OVMF_SECTION_LEN;
        put32(d, s[i].gpa);
        put32(d + 4, s[i].size);
        put32(d + 8, s[i].type);
    }
    fake_u32_entry(f, &ovmf_guid_sev_metadata, FAKE_SIZE - META_AT);
}

static const struct ovmf_section good_sections[] = {
    {0x800000, 0x9000, OVMF_SECTION_SNP_SEC_MEM},
    {0x80D000, 0x1000, OVMF_SECTION_SNP_SECRETS},
    {0x80E000, 0x1000, OVMF_SECTION_CPUID},
};

/* A well-formed fake: reset block, hash table, SVSM info, metadata. */
static void fake_good(struct fake *f)
{
    fake_init(f);
    fake_u32_entry(f, &ovmf_guid_sev_es_reset, 0x80B004);
    uint8_t ht[8];
    put32(ht, 0x810C00);
    put32(ht + 4, 0x400);
    fake_entry(f, &ovmf_guid_sev_hash_table, ht, 8);
    fake_u32_entry(f, &ovmf_guid_svsm_info, 0x1234);
    fake_metadata(f, good_sections, 3);
}

static void expect_bad(struct fake *f, size_t size, const char *why)
{
    struct ovmf o;
    char err[200] = "untouched";
    swsev_rc rc = ovmf_parse(&o, f->img + FAKE_SIZE - size, size, OVMF_END_4G, err, sizeof(err));
    if (rc != SWSEV_TOOL_ERR(SWSEV_E_FORMAT) || !strstr(err, why))
        fail_msg("expected a format error naming '%s', got rc 0x%x '%s'", why, (unsigned)rc, err);
    /* Nothing half-parsed is left behind. */
    assert_false(o.has_table);
    assert_int_equal(o.n_sections, 0);
    assert_null(o.image);
}

static void fake_is_good(void **state)
{
    (void)state;
    struct fake f;
    fake_good(&f);
    struct ovmf o;
    char err[200];
    assert_int_equal(ovmf_parse(&o, f.img, FAKE_SIZE, OVMF_END_4G, err, sizeof(err)), SWSEV_OK);
    assert_int_equal(o.n_entries, 4);
    assert_int_equal(o.reset_eip, 0x80B004);
    assert_int_equal(o.hash_table_gpa, 0x810C00);
    assert_true(o.has_svsm_info);
    assert_int_equal(o.svsm_entry_offset, 0x1234);
    assert_int_equal(o.metadata_offset, META_AT);
    assert_int_equal(o.n_sections, 3);
    /* An image may end below 4 GiB (the SVSM image sits under OVMF). */
    assert_int_equal(ovmf_parse(&o, f.img, FAKE_SIZE, 0xFFC00000, NULL, 0), SWSEV_OK);
    assert_int_equal(o.gpa, 0xFFC00000 - FAKE_SIZE);
}

static void absent_structures_are_not_errors(void **state)
{
    (void)state;
    struct fake f;
    struct ovmf o;
    /* No footer GUID: no table. */
    memset(f.img, 0, sizeof(f.img));
    assert_int_equal(ovmf_parse(&o, f.img, FAKE_SIZE, OVMF_END_4G, NULL, 0), SWSEV_OK);
    assert_false(o.has_table);
    assert_false(o.has_metadata);
    /* Smaller than a footer: no table either. */
    assert_int_equal(ovmf_parse(&o, f.img, 49, OVMF_END_4G, NULL, 0), SWSEV_OK);
    assert_false(o.has_table);
    /* An empty table and no metadata entry. */
    fake_init(&f);
    assert_int_equal(ovmf_parse(&o, f.img, FAKE_SIZE, OVMF_END_4G, NULL, 0), SWSEV_OK);
    assert_true(o.has_table);
    assert_int_equal(o.n_entries, 0);
    assert_false(o.has_reset_eip);
    /* Metadata with no sections. */
    fake_metadata(&f, NULL, 0);
    assert_int_equal(ovmf_parse(&o, f.img, FAKE_SIZE, OVMF_END_4G, NULL, 0), SWSEV_OK);
    assert_true(o.has_metadata);
    assert_int_equal(o.n_sections, 0);
}

static void bad_arguments(void **state)
{
    (void)state;
    struct ovmf o;
    uint8_t b[64] = {0};
    char err[100];
    assert_int_equal(ovmf_parse(&o, NULL, 10, OVMF_END_4G, err, sizeof(err)),
                     SWSEV_TOOL_ERR(SWSEV_E_INVAL));
    assert_non_null(strstr(err, "empty"));
    assert_int_equal(ovmf_parse(&o, b, 0, OVMF_END_4G, NULL, 0), SWSEV_TOOL_ERR(SWSEV_E_INVAL));
    assert_int_equal(ovmf_parse(&o, b, sizeof(b), OVMF_END_4G + 1, err, sizeof(err)),
                     SWSEV_TOOL_ERR(SWSEV_E_INVAL));
    assert_int_equal(ovmf_parse(&o, b, sizeof(b), 32, err, sizeof(err)),
                     SWSEV_TOOL_ERR(SWSEV_E_INVAL));
    assert_non_null(strstr(err, "cannot end"));
}

static void bad_footer(void **state)
{
    (void)state;
    struct fake f;
    /* Footer length smaller than its own header. */
    fake_good(&f);
    fake_set_table_len(&f, 17);
    expect_bad(&f, FAKE_SIZE, "smaller than its 18-byte header");
    /* Footer length beyond the start of the image. */
    fake_good(&f);
    fake_set_table_len(&f, 0xFFFF);
    expect_bad(&f, FAKE_SIZE, "runs past the start");
    /* A truncated image: the table's start is cut off. */
    fake_good(&f);
    expect_bad(&f, OVMF_FOOTER_GAP + OVMF_ENTRY_HDR_LEN + 30, "runs past the start");
    /* A table length that leaves bytes no entry accounts for. */
    fake_good(&f);
    fake_set_table_len(&f, footer_at() - f.end + OVMF_ENTRY_HDR_LEN + 5);
    expect_bad(&f, FAKE_SIZE, "stray bytes");
}

static void bad_entries(void **state)
{
    (void)state;
    struct fake f;
    /* An entry shorter than its header. */
    fake_good(&f);
    put16(f.img + footer_at() - OVMF_ENTRY_HDR_LEN, 10);
    expect_bad(&f, FAKE_SIZE, "less than its 18-byte header");
    /* An entry longer than what is left of the table. */
    fake_good(&f);
    put16(f.img + footer_at() - OVMF_ENTRY_HDR_LEN, 600);
    expect_bad(&f, FAKE_SIZE, "beyond the table");
    /* Two entries with one GUID. */
    fake_init(&f);
    fake_u32_entry(&f, &ovmf_guid_sev_es_reset, 1);
    fake_u32_entry(&f, &ovmf_guid_sev_es_reset, 2);
    expect_bad(&f, FAKE_SIZE, "two entries with GUID 00f771de");
    /* Known entries too short for their fields. */
    fake_init(&f);
    fake_entry(&f, &ovmf_guid_sev_es_reset, "ab", 2);
    expect_bad(&f, FAKE_SIZE, "SEV-ES reset block entry has 2 data bytes");
    fake_init(&f);
    fake_u32_entry(&f, &ovmf_guid_sev_hash_table, 0x810C00);
    expect_bad(&f, FAKE_SIZE, "SEV hash table entry has 4 data bytes, needs 8");
    fake_init(&f);
    fake_entry(&f, &ovmf_guid_sev_metadata, "", 0);
    expect_bad(&f, FAKE_SIZE, "SEV metadata entry has 0 data bytes");
    fake_init(&f);
    fake_entry(&f, &ovmf_guid_svsm_info, "abc", 3);
    expect_bad(&f, FAKE_SIZE, "SVSM info entry");
    /* More entries than the parser keeps. */
    fake_init(&f);
    for (int i = 0; i <= OVMF_MAX_ENTRIES; i++) {
        struct ovmf_guid g = {{(uint8_t)i, 0x55}};
        fake_entry(&f, &g, "", 0);
    }
    expect_bad(&f, FAKE_SIZE, "more than 64 entries");
}

static void bad_metadata_header(void **state)
{
    (void)state;
    struct fake f;
    uint8_t *h = f.img + META_AT;
    /* The offset from the end points outside the image, or too close to its end. */
    fake_init(&f);
    fake_u32_entry(&f, &ovmf_guid_sev_metadata, FAKE_SIZE + 1);
    expect_bad(&f, FAKE_SIZE, "lies outside");
    fake_init(&f);
    fake_u32_entry(&f, &ovmf_guid_sev_metadata, 8);
    expect_bad(&f, FAKE_SIZE, "lies outside");
    /* The same metadata in an image cut short before it. */
    fake_good(&f);
    expect_bad(&f, FAKE_SIZE - META_AT - 4, "lies outside");
    /* Signature, version, count, length. */
    fake_good(&f);
    h[0] = 'B';
    expect_bad(&f, FAKE_SIZE, "lacks the \"ASEV\" signature");
    fake_good(&f);
    put32(h + 8, 2);
    expect_bad(&f, FAKE_SIZE, "version 2");
    fake_good(&f);
    put32(h + 12, 1000);
    expect_bad(&f, FAKE_SIZE, "lists 1000 sections");
    fake_good(&f);
    put32(h + 4, OVMF_METADATA_HDR + 2 * OVMF_SECTION_LEN);
    expect_bad(&f, FAKE_SIZE, "cannot hold its 3 sections");
    fake_good(&f);
    put32(h + 4, FAKE_SIZE);
    expect_bad(&f, FAKE_SIZE, "runs past the end");
}

static void expect_bad_section(struct ovmf_section s, const char *why)
{
    struct fake f;
    struct ovmf_section list[4];
    memcpy(list, good_sections, sizeof(good_sections));
    list[3] = s;
    fake_init(&f);
    fake_metadata(&f, list, 4);
    expect_bad(&f, FAKE_SIZE, why);
}

static void bad_sections(void **state)
{
    (void)state;
    expect_bad_section((struct ovmf_section){0x900000, 0x1000, 5},
                       "section 3 has unknown type 0x5");
    expect_bad_section((struct ovmf_section){0x900000, 0x1000, 0}, "unknown type 0x0");
    expect_bad_section((struct ovmf_section){0x900800, 0x1000, OVMF_SECTION_SNP_SEC_MEM},
                       "not a non-empty range of whole 4 KiB pages");
    expect_bad_section((struct ovmf_section){0x900000, 0x800, OVMF_SECTION_SNP_SEC_MEM},
                       "not a non-empty range");
    expect_bad_section((struct ovmf_section){0x900000, 0, OVMF_SECTION_SVSM_CAA},
                       "not a non-empty range");
    expect_bad_section((struct ovmf_section){0x900000, 0x2000, OVMF_SECTION_SNP_SECRETS},
                       "not one 4 KiB page");
    expect_bad_section((struct ovmf_section){0x900000, 0x2000, OVMF_SECTION_CPUID},
                       "not one 4 KiB page");
    expect_bad_section((struct ovmf_section){0xFFFFF000, 0x2000, OVMF_SECTION_SNP_SEC_MEM},
                       "extends beyond 4 GiB");
    /* The fake image occupies the last 8 KiB below 4 GiB. */
    expect_bad_section((struct ovmf_section){0xFFFFD000, 0x2000, OVMF_SECTION_SNP_SEC_MEM},
                       "overlaps the firmware image");
    expect_bad_section(
        (struct ovmf_section){0x808000, 0x1000, OVMF_SECTION_SNP_KERNEL_HASHES},
        "sections 0 (SNP_SEC_MEM) and 3 (SNP_KERNEL_HASHES) overlap at GPA 0x808000");
    expect_bad_section((struct ovmf_section){0x80E000, 0x1000, OVMF_SECTION_SVSM_CAA},
                       "sections 2 (CPUID) and 3 (SVSM_CAA) overlap");
}

/* Every prefix and every one-byte corruption of a real image either parses
 * or is refused with a reason; none crashes (run under ASan in CI). */
static void corruptions_never_crash(void **state)
{
    (void)state;
    uint8_t *img;
    size_t len;
    ts_read_file(ts_data_path("ovmf/ovmf_AmdSev_suffix.bin"), &img, &len);
    struct ovmf o;
    char err[200];
    for (size_t n = 1; n <= len; n++) {
        swsev_rc rc = ovmf_parse(&o, img + len - n, n, OVMF_END_4G, err, sizeof(err));
        assert_true(rc == SWSEV_OK || (rc == SWSEV_TOOL_ERR(SWSEV_E_FORMAT) && err[0]));
    }
    /* The table and the metadata live in the last 0x600 bytes. */
    for (size_t at = len - 0x600; at < len; at++) {
        uint8_t keep = img[at];
        for (unsigned v = 0; v < 256; v += 51) {
            img[at] = (uint8_t)(keep ^ (v | 1));
            swsev_rc rc = ovmf_parse(&o, img, len, OVMF_END_4G, err, sizeof(err));
            assert_true(rc == SWSEV_OK || (rc == SWSEV_TOOL_ERR(SWSEV_E_FORMAT) && err[0]));
        }
        img[at] = keep;
    }
    free(img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(amdsev_fixture),  cmocka_unit_test(ovmfx64_fixture),
        cmocka_unit_test(names_and_guids), cmocka_unit_test(debian_images),
        cmocka_unit_test(fake_is_good),    cmocka_unit_test(absent_structures_are_not_errors),
        cmocka_unit_test(bad_arguments),   cmocka_unit_test(bad_footer),
        cmocka_unit_test(bad_entries),     cmocka_unit_test(bad_metadata_header),
        cmocka_unit_test(bad_sections),    cmocka_unit_test(corruptions_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
