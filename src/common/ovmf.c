/* SPDX-License-Identifier: MIT */
/* OVMF image parsing: footer GUID table, SEV-ES reset block, SEV hash table
 * and SEV metadata (sev-reference 9.1). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/ovmf.h"

const struct ovmf_guid ovmf_guid_table_footer =
    OVMF_GUID_INIT(0x96b582de, 0x1fb2, 0x45f7, 0xba, 0xea, 0xa3, 0x66, 0xc5, 0x5a, 0x08, 0x2d);
const struct ovmf_guid ovmf_guid_sev_hash_table =
    OVMF_GUID_INIT(0x7255371f, 0x3a3b, 0x4b04, 0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54);
const struct ovmf_guid ovmf_guid_sev_es_reset =
    OVMF_GUID_INIT(0x00f771de, 0x1a7e, 0x4fcb, 0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e);
const struct ovmf_guid ovmf_guid_sev_metadata =
    OVMF_GUID_INIT(0xdc886566, 0x984a, 0x4798, 0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc);
const struct ovmf_guid ovmf_guid_svsm_info =
    OVMF_GUID_INIT(0xa789a612, 0x0597, 0x4c4b, 0xa4, 0x9f, 0xcb, 0xb1, 0xfe, 0x9d, 0x1d, 0xdd);

#define PAGE 4096u

void ovmf_guid_format(const struct ovmf_guid *g, char out[OVMF_GUID_STR_LEN])
{
    const uint8_t *b = g->b;
    snprintf(out, OVMF_GUID_STR_LEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[3], b[2],
             b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

const char *ovmf_section_type_name(uint32_t type)
{
    switch (type) {
    case OVMF_SECTION_SNP_SEC_MEM:
        return "SNP_SEC_MEM";
    case OVMF_SECTION_SNP_SECRETS:
        return "SNP_SECRETS";
    case OVMF_SECTION_CPUID:
        return "CPUID";
    case OVMF_SECTION_SVSM_CAA:
        return "SVSM_CAA";
    case OVMF_SECTION_SNP_KERNEL_HASHES:
        return "SNP_KERNEL_HASHES";
    }
    return "UNKNOWN";
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

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

#define BAD(...) failf(err, errlen, SWSEV_TOOL_ERR(SWSEV_E_FORMAT), __VA_ARGS__)

const struct ovmf_entry *ovmf_find(const struct ovmf *o, const struct ovmf_guid *guid)
{
    for (size_t i = 0; i < o->n_entries; i++)
        if (!memcmp(o->entries[i].guid.b, guid->b, sizeof(guid->b)))
            return &o->entries[i];
    return NULL;
}

bool ovmf_has_section(const struct ovmf *o, uint32_t type)
{
    for (size_t i = 0; i < o->n_sections; i++)
        if (o->sections[i].type == type)
            return true;
    return false;
}

bool ovmf_sev_hashes_supported(const struct ovmf *o)
{
    return o->has_hash_table && o->hash_table_gpa != 0;
}

/*
 * The footer entry's header sits right before the 32-byte gap at the end;
 * its size covers the whole table. Entries are stacked backwards from
 * there: each one ends with its header (size, GUID) and its data precedes
 * it. The walk must consume the table exactly.
 */
static swsev_rc parse_table(struct ovmf *o, char *err, size_t errlen)
{
    if (o->size < OVMF_FOOTER_GAP + OVMF_ENTRY_HDR_LEN)
        return SWSEV_OK; /* too small to carry a table: none */
    size_t footer = o->size - OVMF_FOOTER_GAP - OVMF_ENTRY_HDR_LEN;
    if (memcmp(o->image + footer + 2, ovmf_guid_table_footer.b, 16))
        return SWSEV_OK;
    o->has_table = true;
    size_t table_len = get16(o->image + footer);
    if (table_len < OVMF_ENTRY_HDR_LEN)
        return BAD("footer table length %zu is smaller than its %d-byte header", table_len,
                   OVMF_ENTRY_HDR_LEN);
    table_len -= OVMF_ENTRY_HDR_LEN;
    if (table_len > footer)
        return BAD("footer table length %zu runs past the start of the %zu-byte image",
                   table_len + OVMF_ENTRY_HDR_LEN, o->size);
    size_t start = footer - table_len, end = footer;
    size_t n = 0;
    while (end - start >= OVMF_ENTRY_HDR_LEN) {
        const uint8_t *h = o->image + end - OVMF_ENTRY_HDR_LEN;
        size_t len = get16(h);
        if (len < OVMF_ENTRY_HDR_LEN)
            return BAD("footer table entry at offset 0x%zx has length %zu, less than its "
                       "%d-byte header",
                       end - OVMF_ENTRY_HDR_LEN, len, OVMF_ENTRY_HDR_LEN);
        if (len > end - start)
            return BAD("footer table entry at offset 0x%zx has length %zu, beyond the table's "
                       "remaining %zu bytes",
                       end - OVMF_ENTRY_HDR_LEN, len, end - start);
        if (n == OVMF_MAX_ENTRIES)
            return BAD("footer table has more than %d entries", OVMF_MAX_ENTRIES);
        struct ovmf_entry *e = &o->entries[n++];
        memcpy(e->guid.b, h + 2, 16);
        e->offset = end - len;
        e->len = len - OVMF_ENTRY_HDR_LEN;
        end -= len;
    }
    if (end != start)
        return BAD("footer table has %zu stray bytes before its first entry", end - start);
    /* Walked backwards; keep image order, and refuse ambiguous duplicates. */
    for (size_t i = 0; i < n / 2; i++) {
        struct ovmf_entry t = o->entries[i];
        o->entries[i] = o->entries[n - 1 - i];
        o->entries[n - 1 - i] = t;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (!memcmp(o->entries[i].guid.b, o->entries[j].guid.b, 16)) {
                char g[OVMF_GUID_STR_LEN];
                ovmf_guid_format(&o->entries[i].guid, g);
                return BAD("footer table has two entries with GUID %s", g);
            }
    o->n_entries = n;
    return SWSEV_OK;
}

/* A known entry must be long enough for the fields we read from it. */
static swsev_rc entry_u32(const struct ovmf *o, const struct ovmf_guid *guid, const char *what,
                          size_t need, bool *found, uint32_t *v0, uint32_t *v1, char *err,
                          size_t errlen)
{
    const struct ovmf_entry *e = ovmf_find(o, guid);
    *found = e != NULL;
    if (!e)
        return SWSEV_OK;
    if (e->len < need)
        return BAD("%s entry has %zu data bytes, needs %zu", what, e->len, need);
    *v0 = get32(o->image + e->offset);
    if (v1)
        *v1 = get32(o->image + e->offset + 4);
    return SWSEV_OK;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static swsev_rc check_section(const struct ovmf *o, size_t i, char *err, size_t errlen)
{
    const struct ovmf_section *s = &o->sections[i];
    const char *name = ovmf_section_type_name(s->type);
    if (!strcmp(name, "UNKNOWN"))
        return BAD("SEV metadata section %zu has unknown type 0x%x", i, s->type);
    if (s->gpa % PAGE || s->size == 0 || s->size % PAGE)
        return BAD("SEV metadata section %zu (%s, GPA 0x%" PRIx32 ", size 0x%" PRIx32
                   ") is not a non-empty range of whole 4 KiB pages",
                   i, name, s->gpa, s->size);
    /* One page: sev-snp-measure measures one, QEMU measures them all. */
    if ((s->type == OVMF_SECTION_SNP_SECRETS || s->type == OVMF_SECTION_CPUID) && s->size != PAGE)
        return BAD("SEV metadata section %zu (%s) has size 0x%" PRIx32 ", not one 4 KiB page", i,
                   name, s->size);
    if ((uint64_t)s->gpa + s->size > OVMF_END_4G)
        return BAD("SEV metadata section %zu (%s, GPA 0x%" PRIx32 ", size 0x%" PRIx32
                   ") extends beyond 4 GiB",
                   i, name, s->gpa, s->size);
    if (ranges_overlap(s->gpa, s->size, o->gpa, o->size))
        return BAD("SEV metadata section %zu (%s, GPA 0x%" PRIx32 ", size 0x%" PRIx32
                   ") overlaps the firmware image at 0x%" PRIx64,
                   i, name, s->gpa, s->size, o->gpa);
    for (size_t j = 0; j < i; j++) {
        const struct ovmf_section *t = &o->sections[j];
        if (ranges_overlap(s->gpa, s->size, t->gpa, t->size))
            return BAD("SEV metadata sections %zu (%s) and %zu (%s) overlap at GPA 0x%" PRIx32, j,
                       ovmf_section_type_name(t->type), i, name, s->gpa > t->gpa ? s->gpa : t->gpa);
    }
    return SWSEV_OK;
}

/* The metadata entry gives the distance from the end of the image to the
 * "ASEV" header: signature, total size, version, number of sections. */
static swsev_rc parse_metadata(struct ovmf *o, char *err, size_t errlen)
{
    bool found;
    uint32_t back = 0;
    swsev_rc rc =
        entry_u32(o, &ovmf_guid_sev_metadata, "SEV metadata", 4, &found, &back, NULL, err, errlen);
    if (rc || !found)
        return rc;
    if (back < OVMF_METADATA_HDR || back > o->size)
        return BAD("SEV metadata offset 0x%" PRIx32 " from the end lies outside the %zu-byte "
                   "image",
                   back, o->size);
    size_t at = o->size - back;
    const uint8_t *h = o->image + at;
    if (memcmp(h, "ASEV", 4))
        return BAD("SEV metadata at offset 0x%zx lacks the \"ASEV\" signature", at);
    uint32_t len = get32(h + 4), version = get32(h + 8), count = get32(h + 12);
    if (version != OVMF_METADATA_VERSION)
        return BAD("SEV metadata version %" PRIu32 " (only %d is known)", version,
                   OVMF_METADATA_VERSION);
    if (count > OVMF_MAX_SECTIONS)
        return BAD("SEV metadata lists %" PRIu32 " sections (at most %d)", count,
                   OVMF_MAX_SECTIONS);
    if (len < OVMF_METADATA_HDR + (size_t)count * OVMF_SECTION_LEN)
        return BAD("SEV metadata length %" PRIu32 " cannot hold its %" PRIu32 " sections", len,
                   count);
    if (len > back)
        return BAD("SEV metadata length %" PRIu32 " runs past the end of the image", len);
    o->has_metadata = true;
    o->metadata_offset = at;
    o->n_sections = count;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *d = h + OVMF_METADATA_HDR + i * OVMF_SECTION_LEN;
        o->sections[i] = (struct ovmf_section){get32(d), get32(d + 4), get32(d + 8)};
        rc = check_section(o, i, err, errlen);
        if (rc)
            return rc;
    }
    return SWSEV_OK;
}

swsev_rc ovmf_parse(struct ovmf *o, const uint8_t *image, size_t size, uint64_t end_gpa, char *err,
                    size_t errlen)
{
    memset(o, 0, sizeof(*o));
    if (err && errlen)
        err[0] = '\0';
    if (!image || size == 0)
        return failf(err, errlen, SWSEV_TOOL_ERR(SWSEV_E_INVAL), "empty firmware image");
    if (end_gpa > OVMF_END_4G || size > end_gpa)
        return failf(err, errlen, SWSEV_TOOL_ERR(SWSEV_E_INVAL),
                     "a %zu-byte image cannot end at GPA 0x%" PRIx64 " (below 4 GiB)", size,
                     end_gpa);
    o->image = image;
    o->size = size;
    o->gpa = end_gpa - size;
    swsev_rc rc = parse_table(o, err, errlen);
    if (!rc)
        rc = entry_u32(o, &ovmf_guid_sev_es_reset, "SEV-ES reset block", 4, &o->has_reset_eip,
                       &o->reset_eip, NULL, err, errlen);
    if (!rc)
        rc = entry_u32(o, &ovmf_guid_sev_hash_table, "SEV hash table", 8, &o->has_hash_table,
                       &o->hash_table_gpa, &o->hash_table_size, err, errlen);
    if (!rc)
        rc = entry_u32(o, &ovmf_guid_svsm_info, "SVSM info", 4, &o->has_svsm_info,
                       &o->svsm_entry_offset, NULL, err, errlen);
    if (!rc)
        rc = parse_metadata(o, err, errlen);
    if (rc) {
        /* Leave nothing half-parsed behind. */
        memset(o, 0, sizeof(*o));
    }
    return rc;
}
