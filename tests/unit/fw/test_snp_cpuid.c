/* SPDX-License-Identifier: MIT */
/* The SNP firmware's CPUID table check (fw/snp_cpuid.h): a table as QEMU
 * builds it passes untouched; each rule kind (LESSTHAN, MASK, EXACT,
 * reserved bits, unknown leaves, entry reserved field) is reported and
 * corrected the way AMD's firmware corrects it, including its quirks; the
 * header checks leave the page alone; leaves outside the standard and
 * extended ranges are neither checked nor counted. */
#include "testsupport.h"

#include "fw/snp_cpuid.h"

#define PAGE_SZ FW_SNP_CPUID_PAGE_SIZE

enum { EAX, EBX, ECX, EDX };

/* ---- building and reading tables ---- */

static uint8_t *entry(uint8_t *page, uint32_t i)
{
    return page + FW_SNP_CPUID_HDR_SIZE + i * FW_SNP_CPUID_ENTRY_SIZE;
}

static uint32_t count_of(const uint8_t *page)
{
    uint32_t n;
    memcpy(&n, page, 4);
    return n;
}

/* Append an entry; returns its index. */
static uint32_t add_x(uint8_t *page, uint32_t leaf, uint32_t sub, uint64_t xcr0, uint64_t xss,
                      uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    uint32_t n = count_of(page);
    assert_true(n < FW_SNP_CPUID_MAX_ENTRIES);
    uint8_t *e = entry(page, n);
    uint32_t regs[4] = {a, b, c, d};
    memcpy(e, &leaf, 4);
    memcpy(e + 4, &sub, 4);
    memcpy(e + 8, &xcr0, 8);
    memcpy(e + 0x10, &xss, 8);
    memcpy(e + 0x18, regs, 16);
    n++;
    memcpy(page, &n, 4);
    return n - 1;
}

static uint32_t add(uint8_t *page, uint32_t leaf, uint32_t sub, uint32_t a, uint32_t b, uint32_t c,
                    uint32_t d)
{
    return add_x(page, leaf, sub, 0, 0, a, b, c, d);
}

static uint32_t reg(uint8_t *page, uint32_t i, int r)
{
    uint32_t v;
    memcpy(&v, entry(page, i) + 0x18 + 4 * r, 4);
    return v;
}

static void set_reg(uint8_t *page, uint32_t i, int r, uint32_t v)
{
    memcpy(entry(page, i) + 0x18 + 4 * r, &v, 4);
}

static void chip(struct chip_config *cfg, const char *name)
{
    assert_int_equal(chip_config_preset(cfg, name), SWSEV_OK);
}

/* Validate; the result, with header_bad asserted false. */
static bool check(const struct chip_config *cfg, uint8_t *page, uint32_t *checked)
{
    bool header_bad = true;
    uint32_t n = 0xdead;
    bool ok = fw_snp_cpuid_validate(cfg, page, &header_bad, &n);
    assert_false(header_bad);
    if (checked)
        *checked = n;
    return ok;
}

/* One entry alone: validate it and return whether it passed; the
 * (possibly corrected) registers are left in out. */
static bool check_one(const struct chip_config *cfg, uint32_t leaf, uint32_t sub, uint64_t xcr0,
                      uint64_t xss, const uint32_t in[4], uint32_t out[4])
{
    uint8_t page[PAGE_SZ] = {0};
    add_x(page, leaf, sub, xcr0, xss, in[0], in[1], in[2], in[3]);
    uint8_t before[PAGE_SZ];
    memcpy(before, page, PAGE_SZ);
    uint32_t n;
    bool ok = check(cfg, page, &n);
    assert_int_equal(n, 1);
    for (int r = EAX; r <= EDX; r++)
        out[r] = reg(page, 0, r);
    /* Only the four output registers may change. */
    memcpy(before + FW_SNP_CPUID_HDR_SIZE + 0x18, out, 16);
    assert_memory_equal(before, page, PAGE_SZ);
    /* An accepted entry is never rewritten. */
    if (ok)
        assert_memory_equal(in, out, 16);
    return ok;
}

/* A failing entry whose registers come back as want. */
static void expect_fix(const struct chip_config *cfg, uint32_t leaf, uint32_t sub, uint64_t xcr0,
                       uint64_t xss, uint32_t a, uint32_t b, uint32_t c, uint32_t d,
                       const uint32_t want[4])
{
    uint32_t in[4] = {a, b, c, d}, out[4];
    assert_false(check_one(cfg, leaf, sub, xcr0, xss, in, out));
    for (int r = EAX; r <= EDX; r++) {
        if (out[r] != want[r])
            fail_msg("leaf %#x/%u reg %d: got %#x, want %#x", leaf, sub, r, out[r], want[r]);
    }
}

static void expect_pass(const struct chip_config *cfg, uint32_t leaf, uint32_t sub, uint64_t xcr0,
                        uint64_t xss, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
    uint32_t in[4] = {a, b, c, d}, out[4];
    if (!check_one(cfg, leaf, sub, xcr0, xss, in, out))
        fail_msg("leaf %#x/%u refused: %#x %#x %#x %#x", leaf, sub, out[0], out[1], out[2], out[3]);
    assert_memory_equal(in, out, 16);
}

/* ---- what QEMU gives an SNP guest ---- */

/*
 * The CPUID page QEMU (target/i386/sev.c) builds from the vCPU's CPUID as
 * KVM holds it: QEMU's EPYC-Milan CPU model with its v2 cache description,
 * one vCPU, KVM defaults (x2apic on, monitor off, hypervisor bit), SNP
 * enabled (0x8000001F: SEV|ES|SNP, C-bit, reduction 1), xlevel raised to
 * 0x8000001F for SEV. Every leaf KVM lists, in KVM's order: leaves without
 * a defined value read 0, ECX_IN is only set for indexed leaves, 0xD/0-1
 * carry XCR0_IN 1 and EBX 0x240. The identity and address sizes are the
 * chip's, as with -cpu host / host-phys-bits=on.
 */
static void qemu_table(const struct chip_config *cfg, uint8_t page[PAGE_SZ])
{
    uint32_t sig = chip_signature(cfg), x8[4];
    chip_cpuid(cfg, 0x80000008, 0, x8);
    memset(page, 0, PAGE_SZ);
    add(page, 0x0, 0, 0xD, 0x68747541, 0x444D4163, 0x69746E65); /* "AuthenticAMD" */
    /* CLFLUSH 8; SSE3 PCLMULQDQ SSSE3 FMA CX16 PCID SSE4.1/4.2 X2APIC MOVBE
     * POPCNT AES XSAVE AVX F16C RDRAND HYPERVISOR; FPU..SSE2 without HTT */
    add(page, 0x1, 0, sig, 0x00000800, 0xF6FA3203, 0x078BFBFF);
    add(page, 0x2, 0, 0, 0, 0, 0);
    add(page, 0x3, 0, 0, 0, 0, 0);
    add(page, 0x5, 0, 0, 0, 3, 0);                      /* MWAIT extensions */
    add(page, 0x6, 0, 0x4, 0, 0, 0);                    /* ARAT */
    add(page, 0x7, 0, 0, 0x219C07A9, 0x0040000C, 0x10); /* .. SHA, UMIP PKU RDPID, FSRM */
    add(page, 0x8, 0, 0, 0, 0, 0);
    add(page, 0x9, 0, 0, 0, 0, 0);
    add(page, 0xA, 0, 0, 0, 0, 0);
    add(page, 0xB, 0, 0, 1, 0x100, 0); /* SMT level, one thread */
    add(page, 0xB, 1, 0, 1, 0x201, 0); /* core level */
    add(page, 0xC, 0, 0, 0, 0, 0);
    add_x(page, 0xD, 0, 1, 0, 0x207, 0x240, 0x988, 0); /* x87 SSE AVX PKRU */
    add_x(page, 0xD, 1, 1, 0, 0xF, 0x240, 0, 0);       /* XSAVEOPT XSAVEC XGETBV1 XSAVES */
    add(page, 0xD, 2, 0x100, 0x240, 0, 0);             /* AVX state */
    add(page, 0xD, 9, 0x8, 0x980, 0, 0);               /* PKRU state */
    add(page, 0x40000000, 0, 0x40000001, 0x4B4D564B, 0x564B4D56, 0x4D); /* "KVMKVMKVM" */
    add(page, 0x40000001, 0, 0x01007AFB, 0, 0, 0);
    add(page, 0x80000000, 0, 0x8000001F, 0x68747541, 0x444D4163, 0x69746E65);
    /* LAHF SVM CR8LEG ABM SSE4A MISALIGNSSE 3DNOWPREFETCH OSVW TOPOEXT
     * PERFCORE; the leaf-1 aliases, SYSCALL NX MMXEXT FFXSR 1G RDTSCP LM */
    add(page, 0x80000001, 0, sig, 0, 0x00C003F5, 0x2FD3FBFF);
    uint32_t brand[12] = {0};
    memcpy(brand, "AMD EPYC-Milan Processor", 24);
    for (uint32_t i = 0; i < 3; i++)
        add(page, 0x80000002 + i, 0, brand[4 * i], brand[4 * i + 1], brand[4 * i + 2],
            brand[4 * i + 3]);
    add(page, 0x80000005, 0, 0x01FF01FF, 0x01FF01FF, 0x40020140, 0x40020140);
    add(page, 0x80000006, 0, 0, 0x42004200, 0x02006140, 0x01009140);
    add(page, 0x80000007, 0, 0, 0, 0, 0);
    /* CLZERO XSAVEERPTR WBNOINVD IBPB IBRS STIBP AMD_SSBD */
    add(page, 0x80000008, 0, x8[0], 0x0100D205, 0, 0);
    add(page, 0x80000009, 0, 0, 0, 0, 0);
    add(page, 0x8000000A, 0, 1, 0x10, 0, 0x9); /* SVM rev 1, NPT NRIPS */
    for (uint32_t l = 0x8000000B; l <= 0x8000001C; l++)
        add(page, l, 0, 0, 0, 0, 0);
    add(page, 0x8000001D, 0, 0x121, 0x01C0003F, 0x3F, 0x1);   /* L1d */
    add(page, 0x8000001D, 1, 0x122, 0x01C0003F, 0x3F, 0x1);   /* L1i */
    add(page, 0x8000001D, 2, 0x43, 0x01C0003F, 0x3FF, 0x0);   /* L2 */
    add(page, 0x8000001D, 3, 0x163, 0x03C0003F, 0x7FFF, 0x2); /* L3, inclusive */
    add(page, 0x8000001E, 0, 0, 0, 0, 0);
    add(page, 0x8000001F, 0, 0x1A, (cfg->cbit & 0x3Fu) | (1u << 6), 0, 0);
}

static void qemu_table_passes(void **state)
{
    (void)state;
    static const char *const chips[] = {"milan", "genoa"};
    for (size_t c = 0; c < 2; c++) {
        struct chip_config cfg;
        chip(&cfg, chips[c]);
        uint8_t page[PAGE_SZ], before[PAGE_SZ];
        qemu_table(&cfg, page);
        memcpy(before, page, PAGE_SZ);
        uint32_t n;
        assert_true(check(&cfg, page, &n));
        assert_memory_equal(page, before, PAGE_SZ);
        /* The two KVM leaves 0x4000_000x are not counted. */
        assert_int_equal(n, count_of(page) - 2);
    }
}

/* The table swsev's own VMM layer builds (the chip model's leaves)
 * passes: leaf 1 reports the CLFLUSH line size the firmware insists on;
 * without it the firmware would set it. */
static void chip_model_leaves(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    static const uint32_t leaves[] = {0x1, 0x80000000, 0x80000001, 0x80000008, 0x8000001F};
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        uint32_t r[4], out[4];
        chip_cpuid(&cfg, leaves[i], 0, r);
        if (leaves[i] == 1) {
            assert_int_equal(r[EBX] & 0xff00, 0x800);
            uint32_t bad[4] = {r[0], r[EBX] & ~0xff00u, r[2], r[3]};
            assert_false(check_one(&cfg, 1, 0, 0, 0, bad, out));
            assert_int_equal(out[EBX], r[EBX]);
        }
        expect_pass(&cfg, leaves[i], 0, 0, 0, r[0], r[1], r[2], r[3]);
    }
}

/* ---- the header ---- */

static void header_errors_leave_page(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    for (int kind = 0; kind < 4; kind++) {
        uint8_t page[PAGE_SZ], before[PAGE_SZ];
        qemu_table(&cfg, page);
        set_reg(page, 1, EAX, 0xFFFFFFFF); /* a failing entry: must not be touched */
        uint32_t v = 1;
        uint64_t v64 = 1ull << 63;
        if (kind == 0)
            memcpy(page + 4, &v, 4);
        else if (kind == 1)
            memcpy(page + 8, &v64, 8);
        else {
            v = kind == 2 ? 65 : 0xFFFFFFFF;
            memcpy(page, &v, 4);
        }
        memcpy(before, page, PAGE_SZ);
        bool header_bad = false;
        uint32_t n = 7;
        assert_false(fw_snp_cpuid_validate(&cfg, page, &header_bad, &n));
        assert_true(header_bad);
        assert_int_equal(n, 0);
        assert_memory_equal(page, before, PAGE_SZ);
        /* NULL out-parameters are fine. */
        assert_false(fw_snp_cpuid_validate(&cfg, page, NULL, NULL));
        assert_memory_equal(page, before, PAGE_SZ);
    }
}

static void count_limits(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    uint8_t page[PAGE_SZ] = {0};
    uint32_t n = 5;
    assert_true(check(&cfg, page, &n)); /* count 0 */
    assert_int_equal(n, 0);
    /* 64 zero entries of leaf 0x3 (unknown, all zero): accepted. */
    for (uint32_t i = 0; i < FW_SNP_CPUID_MAX_ENTRIES; i++)
        add(page, 0x3, 0, 0, 0, 0, 0);
    assert_true(check(&cfg, page, &n));
    assert_int_equal(n, 64);
    /* Whatever follows the COUNT entries is not looked at. */
    memset(page, 0xFF, PAGE_SZ);
    memset(page, 0, FW_SNP_CPUID_HDR_SIZE);
    add(page, 0x3, 0, 0, 0, 0, 0);
    memset(entry(page, 0) + 0x28, 0, 8);
    assert_true(check(&cfg, page, &n));
    assert_int_equal(n, 1);
    assert_true(fw_snp_cpuid_validate(&cfg, page, NULL, NULL));
}

/* ---- the four rules and the reserved masks ---- */

static void lessthan_rule(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    /* Leaf 0: EAX at most 0x10, the rest is the vendor string (free). */
    expect_pass(&cfg, 0, 0, 0, 0, 0x10, 1, 2, 3);
    expect_fix(&cfg, 0, 0, 0, 0, 0x11, 1, 2, 3, (uint32_t[]){0x10, 1, 2, 3});
    expect_fix(&cfg, 0x80000000, 0, 0, 0, 0x80000029, 0, 0, 0, (uint32_t[]){0x80000028, 0, 0, 0});
    expect_pass(&cfg, 0x80000000, 0, 0, 0, 0x80000000, 0, 0, 0);
    /* 7/0 EAX: at most subleaf 1. */
    expect_fix(&cfg, 7, 0, 0, 0, 2, 0, 0, 0, (uint32_t[]){1, 0, 0, 0});
    /* SNP_FEATURE_INFO 0x8000_0024/0 EAX at most 1. */
    expect_fix(&cfg, 0x80000024, 0, 0, 0, 5, 1, 3, 0, (uint32_t[]){1, 1, 3, 0});
}

static void mask_rule(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    /* 0x8000_0001 ECX: FMA4 (bit 16) is neither allowed nor reserved. */
    uint32_t sig = chip_signature(&cfg);
    expect_fix(&cfg, 0x80000001, 0, 0, 0, sig, 0, 0x00C003F5 | (1u << 16), 0x2FD3FBFF,
               (uint32_t[]){sig, 0, 0x00C003F5, 0x2FD3FBFF});
    /* 0x8000_0021 EAX: bit 4 (not in the allowed set). */
    expect_fix(&cfg, 0x80000021, 0, 0, 0, 0x45 | 0x10, 0, 0, 0, (uint32_t[]){0x45, 0, 0, 0});
    /* Leaf 6 EAX: only ARAT. */
    expect_fix(&cfg, 6, 0, 0, 0, 0x4 | 0x2, 0, 1, 0, (uint32_t[]){0x4, 0, 1, 0});
    /* 0xD/1 EDX must be 0 (mask 0), ECX only the CET bits. */
    expect_fix(&cfg, 0xD, 1, 1, 0, 0xF, 0x240, 0x1800 | 0x100, 0x1,
               (uint32_t[]){0xF, 0x240, 0x1800, 0});
    /* Leaf 1 ECX: OSXSAVE (27) and bit 31 are the VMM's; TSC-deadline (24)
     * is reserved on AMD. */
    expect_pass(&cfg, 1, 0, 0, 0, sig, 0x800, 0xF6FA3203 | (1u << 27), 0x078BFBFF);
    expect_fix(&cfg, 1, 0, 0, 0, sig, 0x800, 0xF6FA3203 | (1u << 24), 0x078BFBFF,
               (uint32_t[]){sig, 0x800, 0xF6FA3203, 0x078BFBFF});
}

static void exact_rule(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    /* XSAVE component offsets are fixed. */
    expect_fix(&cfg, 0xD, 2, 0, 0, 0x100, 0x250, 0, 0, (uint32_t[]){0x100, 0x240, 0, 0});
    expect_fix(&cfg, 0xD, 9, 0, 0, 0x10, 0x980, 0, 0, (uint32_t[]){0x8, 0x980, 0, 0});
    /* A register a leaf does not define must be 0. */
    expect_fix(&cfg, 0x80000019, 0, 0, 0, 0xF040F040, 0xF0400000, 1, 0,
               (uint32_t[]){0xF040F040, 0xF0400000, 0, 0});
    /* 7/1: only AVX512_BF16 in EAX, nothing else. */
    expect_fix(&cfg, 7, 1, 0, 0, 0x20, 0, 0, 0x10, (uint32_t[]){0x20, 0, 0, 0});
    /* 0x8000_0022 EDX exact 0, ECX free. */
    expect_fix(&cfg, 0x80000022, 0, 0, 0, 0x7, 0x106, 0xABCD, 0x1,
               (uint32_t[]){0x7, 0x106, 0xABCD, 0});
}

static void reserved_bits(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    uint32_t sig = chip_signature(&cfg);
    /* Leaf 1 EBX[7:0] (brand ID) is reserved. */
    expect_fix(&cfg, 1, 0, 0, 0, sig, 0x801, 0, 0, (uint32_t[]){sig, 0x800, 0, 0});
    /* Leaf 1 EAX[15:12]: the signature's reserved nibble. */
    expect_fix(&cfg, 1, 0, 0, 0, sig | 0x1000, 0x800, 0, 0, (uint32_t[]){sig, 0x800, 0, 0});
    /* 0x8000_0008 ECX[11:8] reserved; APIC ID size and NC are free. */
    uint32_t x8 = 0x3030;
    expect_pass(&cfg, 0x80000008, 0, 0, 0, x8, 0, 0x0000F0FF | (3u << 16), 0);
    expect_fix(&cfg, 0x80000008, 0, 0, 0, x8, 0, 0x100, 0, (uint32_t[]){x8, 0, 0, 0});
    /* Unchecked registers still have reserved bits: 0xB/0 EAX[31:5]. */
    expect_fix(&cfg, 0xB, 0, 0, 0, 0x21, 1, 0x100, 7, (uint32_t[]){0x1, 1, 0x100, 7});
    /* QEMU's first EPYC-Milan cache model set "complex indexing" (EDX bit
     * 2) in the L3 leaf, a bit reserved for the firmware. */
    expect_fix(&cfg, 0x8000001D, 3, 0, 0, 0x163, 0x03C0003F, 0x7FFF, 0x6,
               (uint32_t[]){0x163, 0x03C0003F, 0x7FFF, 0x2});
    /* 0x8000_001E EDX does not exist: any bit is reserved. */
    expect_fix(&cfg, 0x8000001E, 0, 0, 0, 5, 0x0105, 0x0300, 0x80000000,
               (uint32_t[]){5, 0x0105, 0x0300, 0});
}

static void unchecked_leaves_take_anything(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    static const uint32_t free_leaves[][2] = {
        {0x2, 0}, {0x4, 0}, {0x80000002, 0}, {0x80000005, 0}, {0x80000026, 3}};
    for (size_t i = 0; i < sizeof(free_leaves) / sizeof(free_leaves[0]); i++)
        expect_pass(&cfg, free_leaves[i][0], free_leaves[i][1], 0, 0, 0xFFFFFFFF, 0xDEADBEEF,
                    0x12345678, 0x80000001);
}

static void unknown_leaves(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    /* Not in the table: all four registers zeroed. */
    expect_fix(&cfg, 0x3, 0, 0, 0, 0, 0, 1, 0, (uint32_t[]){0, 0, 0, 0});
    expect_fix(&cfg, 0x80000009, 0, 0, 0, 0xFFFFFFFF, 2, 3, 4, (uint32_t[]){0, 0, 0, 0});
    expect_fix(&cfg, 0xFFFF, 0, 0, 0, 1, 1, 1, 1, (uint32_t[]){0, 0, 0, 0});
    expect_fix(&cfg, 0x8000FFFF, 0, 0, 0, 1, 1, 1, 1, (uint32_t[]){0, 0, 0, 0});
    /* Subleaves are matched exactly: 0x2 with ECX_IN 1, 1 with ECX_IN 1 and
     * 0xD/3 are unknown. */
    expect_fix(&cfg, 0x2, 1, 0, 0, 1, 0, 0, 0, (uint32_t[]){0, 0, 0, 0});
    expect_fix(&cfg, 0x1, 1, 0, 0, chip_signature(&cfg), 0x800, 0, 0, (uint32_t[]){0, 0, 0, 0});
    expect_fix(&cfg, 0xD, 3, 0, 0, 0x40, 0x3C0, 0, 0, (uint32_t[]){0, 0, 0, 0});
    /* Zero is fine. */
    expect_pass(&cfg, 0x3, 0, 0, 0, 0, 0, 0, 0);
    expect_pass(&cfg, 0x80000018, 0, 0, 0, 0, 0, 0, 0);
}

static void entry_reserved_field(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    uint8_t page[PAGE_SZ], before[PAGE_SZ];
    qemu_table(&cfg, page);
    uint64_t junk = 0x1234;
    memcpy(entry(page, 6) + 0x28, &junk, 8);
    memcpy(before, page, PAGE_SZ);
    /* Reported, not corrected: the page comes back unchanged but refused. */
    assert_false(check(&cfg, page, NULL));
    assert_memory_equal(page, before, PAGE_SZ);
}

static void out_of_range_not_checked(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    static const uint32_t leaves[] = {0x00010000, 0x40000000, 0x4FFFFFFF, 0x7FFFFFFF,
                                      0x80010000, 0xC0000000, 0xFFFFFFFF};
    uint8_t page[PAGE_SZ] = {0}, before[PAGE_SZ];
    uint64_t junk = ~0ull;
    for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        uint32_t e = add_x(page, leaves[i], 5, junk, junk, ~0u, ~0u, ~0u, ~0u);
        memcpy(entry(page, e) + 0x28, &junk, 8);
    }
    memcpy(before, page, PAGE_SZ);
    uint32_t n = 9;
    assert_true(check(&cfg, page, &n));
    assert_int_equal(n, 0);
    assert_memory_equal(page, before, PAGE_SZ);
    /* Next to a checked entry, only that one counts. */
    add(page, 0x0, 0, 0x20, 0, 0, 0);
    assert_false(check(&cfg, page, &n));
    assert_int_equal(n, 1);
    assert_int_equal(reg(page, count_of(page) - 1, EAX), 0x10);
    assert_memory_equal(page + FW_SNP_CPUID_HDR_SIZE, before + FW_SNP_CPUID_HDR_SIZE,
                        (count_of(page) - 1) * FW_SNP_CPUID_ENTRY_SIZE);
}

static void all_entries_processed(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    uint8_t page[PAGE_SZ], want[PAGE_SZ];
    qemu_table(&cfg, page);
    memcpy(want, page, PAGE_SZ);
    /* Break the first, a middle and the last entry. */
    uint32_t last = count_of(page) - 1;
    set_reg(page, 0, EAX, 0x30);
    set_reg(page, 6, EBX, 0x219C07A9 | (1u << 4)); /* 7/0 EBX: HLE is not allowed */
    set_reg(page, last, EAX, 0x1A | (1u << 20));   /* 0x8000001F: reserved */
    set_reg(want, 0, EAX, 0x10);
    uint32_t n;
    assert_false(check(&cfg, page, &n));
    assert_int_equal(n, count_of(page) - 2);
    assert_memory_equal(page, want, PAGE_SZ);
    /* The corrected table is accepted as it is. */
    assert_true(check(&cfg, page, NULL));
}

/* ---- the leaves with checks of their own ---- */

static void fms_rules(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "genoa"); /* family 0x19 model 0x11 stepping 0: 0x00A10F10 */
    uint32_t sig = chip_signature(&cfg);
    assert_int_equal(sig, 0x00A10F10);
    /* An older part is fine: Milan 0x00A00F11 (model 0x01 < 0x11), a lower
     * family (0x17), the same model. */
    expect_pass(&cfg, 1, 0, 0, 0, 0x00A00F11, 0x800, 0, 0);
    expect_pass(&cfg, 1, 0, 0, 0, 0x00830F10, 0x800, 0, 0);
    expect_pass(&cfg, 0x80000001, 0, 0, 0, sig, 0, 0, 0);
    /* A newer stepping, model or family becomes the chip's signature. */
    expect_fix(&cfg, 1, 0, 0, 0, sig + 1, 0x800, 0, 0, (uint32_t[]){sig, 0x800, 0, 0});
    expect_fix(&cfg, 1, 0, 0, 0, 0x00A10F20, 0x800, 0, 0, (uint32_t[]){sig, 0x800, 0, 0});
    expect_fix(&cfg, 0x80000001, 0, 0, 0, 0x00B00F00, 0, 0, 0, (uint32_t[]){sig, 0, 0, 0});
    /* The firmware adds the model nibbles (ext + base): model 0x20 sums to
     * 2 like Genoa's 0x11, so it passes; 0x12 sums to 3 and does not. */
    expect_pass(&cfg, 1, 0, 0, 0, 0x00A20F00, 0x800, 0, 0);
    expect_fix(&cfg, 1, 0, 0, 0, 0x00A10F20, 0x800, 0, 0, (uint32_t[]){sig, 0x800, 0, 0});
    /* Family is summed as well: base 0xE + extended 0xB is family 0x19. */
    expect_pass(&cfg, 1, 0, 0, 0, 0x00B10E10, 0x800, 0, 0);
    /* The CLFLUSH field is exact, the rest of EBX free. */
    expect_pass(&cfg, 1, 0, 0, 0, sig, 0x07FF0800, 0, 0);
    expect_fix(&cfg, 1, 0, 0, 0, sig, 0x07FF1000, 0, 0, (uint32_t[]){sig, 0x07FF0800, 0, 0});
    /* 0x8000_0001 EBX: only PkgType [31:28]. */
    expect_pass(&cfg, 0x80000001, 0, 0, 0, sig, 0x40000000, 0, 0);
    expect_fix(&cfg, 0x80000001, 0, 0, 0, sig, 0x40000001, 0, 0,
               (uint32_t[]){sig, 0x40000000, 0, 0});
}

static void leaf_7_edx_correction(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    /* FSRM (4) and bit 28 are allowed. An extra bit does not just go: the
     * firmware's correction drops the allowed ones as well. */
    expect_pass(&cfg, 7, 0, 0, 0, 0, 0, 0, 0x10000010);
    expect_fix(&cfg, 7, 0, 0, 0, 0, 0, 0, 0x10000010 | (1u << 8), (uint32_t[]){0, 0, 0, 0});
    /* OSPKE (ECX bit 4) is the VMM's business. */
    expect_pass(&cfg, 7, 0, 0, 0, 0, 0, 0x0040000C | 0x10, 0x10);
    /* HLE (EBX bit 4) and PCOMMIT (22) are not offered. */
    expect_fix(&cfg, 7, 0, 0, 0, 0, 0x219C07A9 | (1u << 22), 0, 0,
               (uint32_t[]){0, 0x219C07A9, 0, 0});
}

static void xsave_leaves(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    /* 0xD/0 EBX is the standard-format size for XCR0_IN. */
    static const struct {
        uint64_t xcr0;
        uint32_t size;
    } std[] = {{0x1, 0x240},  {0x3, 0x240},  {0x7, 0x340},   {0x27, 0x380},
               {0x67, 0x580}, {0xE7, 0x980}, {0x207, 0x988}, {0x2E7, 0x988}};
    for (size_t i = 0; i < sizeof(std) / sizeof(std[0]); i++) {
        expect_pass(&cfg, 0xD, 0, std[i].xcr0, 0, 0x207, std[i].size, 0x988, 0);
        expect_fix(&cfg, 0xD, 0, std[i].xcr0, 0, 0x207, std[i].size + 0x40, 0x988, 0,
                   (uint32_t[]){0x207, std[i].size, 0x988, 0});
    }
    /* EAX must have x87 and SSE; they are added. EDX exact 0. */
    expect_fix(&cfg, 0xD, 0, 1, 0, 0x204, 0x240, 0, 0x1, (uint32_t[]){0x207, 0x240, 0, 0});
    /* Bit 3 (MPX BNDREGS) is neither allowed: cleared. */
    expect_fix(&cfg, 0xD, 0, 1, 0, 0x20F, 0x240, 0, 0, (uint32_t[]){0x207, 0x240, 0, 0});
    /* 0xD/1 EBX is the compacted size for XCR0_IN | XSS_IN. */
    static const struct {
        uint64_t xcr0, xss;
        uint32_t size;
    } cmp[] = {{0x1, 0, 0x240},        {0x7, 0, 0x340},       {0x207, 0, 0x348},
               {0xE7, 0, 0x980},       {0x2E7, 0, 0x988},     {0x7, 1u << 11, 0x350},
               {0x7, 1u << 12, 0x358}, {0x7, 3u << 11, 0x368}};
    for (size_t i = 0; i < sizeof(cmp) / sizeof(cmp[0]); i++) {
        expect_pass(&cfg, 0xD, 1, cmp[i].xcr0, cmp[i].xss, 0xF, cmp[i].size, 0, 0);
        expect_fix(&cfg, 0xD, 1, cmp[i].xcr0, cmp[i].xss, 0xF, 0x240 + 0x1000, 0, 0,
                   (uint32_t[]){0xF, cmp[i].size, 0, 0});
    }
}

static void leaf_8000_0008(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    /* Physical address bits at most 52, linear at most 57, each field on
     * its own; guest physical (23:16) is free. */
    expect_pass(&cfg, 0x80000008, 0, 0, 0, 0x00FF3934, 0, 0, 0x00010007);
    expect_fix(&cfg, 0x80000008, 0, 0, 0, 0x00303035, 0, 0, 0, (uint32_t[]){0x00303034, 0, 0, 0});
    expect_fix(&cfg, 0x80000008, 0, 0, 0, 0x00004030, 0, 0, 0, (uint32_t[]){0x00003930, 0, 0, 0});
    /* INVLPGB count at most 7, RDPRU max at most 1. */
    expect_fix(&cfg, 0x80000008, 0, 0, 0, 0x3030, 0, 0, 0x00020008,
               (uint32_t[]){0x3030, 0, 0, 0x00010007});
    /* EBX: branch sampling (31) is not offered. */
    expect_fix(&cfg, 0x80000008, 0, 0, 0, 0x3030, 0x0100D205 | (1u << 31), 0, 0,
               (uint32_t[]){0x3030, 0x0100D205, 0, 0});
}

static void leaf_8000_001f(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "milan");
    uint32_t cbit = cfg.cbit;
    /* EAX: any of the SEV capability bits up to 25 except 20-23. */
    expect_pass(&cfg, 0x8000001F, 0, 0, 0, 0x030FFFFF, cbit, 509, 100);
    expect_fix(&cfg, 0x8000001F, 0, 0, 0, 0x1A | (1u << 21), cbit, 0, 0,
               (uint32_t[]){0x1A, cbit, 0, 0});
    /* EBX: any reduction, up to the chip's VMPL count. */
    expect_pass(&cfg, 0x8000001F, 0, 0, 0, 0x1A, cbit | (0x3Fu << 6) | (4u << 12), 0, 0);
    expect_fix(&cfg, 0x8000001F, 0, 0, 0, 0x1A, cbit | (5u << 6) | (7u << 12), 0, 0,
               (uint32_t[]){0x1A, cbit | (5u << 6) | (4u << 12), 0, 0});
    /* A wrong C-bit is ORed with the right one and the reduction field
     * cleared: 47 | 51 = 63, which still fails the next time. */
    uint32_t out[4];
    expect_fix(&cfg, 0x8000001F, 0, 0, 0, 0x1A, 47 | (1u << 6), 0, 0, (uint32_t[]){0x1A, 63, 0, 0});
    assert_false(check_one(&cfg, 0x8000001F, 0, 0, 0, (uint32_t[]){0x1A, 63, 0, 0}, out));
    /* A C-bit whose bits are a subset of the right one is repaired. */
    expect_fix(&cfg, 0x8000001F, 0, 0, 0, 0x1A, 48 | (1u << 6), 0, 0, (uint32_t[]){0x1A, 51, 0, 0});
    /* A reserved EBX bit also trips the strict part: the reduction goes. */
    expect_fix(&cfg, 0x8000001F, 0, 0, 0, 0x1A, cbit | (1u << 6) | (1u << 20), 0, 0,
               (uint32_t[]){0x1A, cbit, 0, 0});
    /* The C-bit and VMPL count are the chip model's. */
    struct chip_config other = cfg;
    other.cbit = 47;
    other.nr_vmpls = 2;
    expect_pass(&other, 0x8000001F, 0, 0, 0, 0x1A, 47 | (2u << 12), 0, 0);
    expect_fix(&other, 0x8000001F, 0, 0, 0, 0x1A, 47 | (3u << 12), 0, 0,
               (uint32_t[]){0x1A, 47 | (2u << 12), 0, 0});
}

static void leaf_8000_0022(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "genoa");
    /* PerfMonV2 leaf: EAX bits 0-2; 6 core counters and an LBR stack of
     * 16 at most, the rest of EBX free. */
    expect_pass(&cfg, 0x80000022, 0, 0, 0, 0x7, 0xFFFFFC06 | (0x10u << 4), 0x1234, 0);
    expect_fix(&cfg, 0x80000022, 0, 0, 0, 0xF, 0x0107, 0, 0, (uint32_t[]){0x7, 0x0106, 0, 0});
    expect_fix(&cfg, 0x80000022, 0, 0, 0, 0x1, 0x0116, 0, 0, (uint32_t[]){0x1, 0x0106, 0, 0});
}

static bool has_leaf(uint8_t *page, uint32_t count, uint32_t leaf)
{
    for (uint32_t i = 0; i < count; i++) {
        uint32_t l;
        memcpy(&l, entry(page, i), 4);
        if (l == leaf)
            return true;
    }
    return false;
}

/* A pseudo-random walk over the table's leaves: nothing outside the
 * registers changes, an accepted table is untouched, and a corrected entry
 * passes a second time (except after the 0x8000_001F C-bit quirk). */
static void corrections_are_stable(void **state)
{
    (void)state;
    struct chip_config cfg;
    chip(&cfg, "genoa");
    static const uint32_t leaves[][2] = {
        {0, 0},          {1, 0},          {5, 0},          {6, 0},          {7, 0},
        {7, 1},          {0xB, 1},        {0xD, 0},        {0xD, 1},        {0xD, 5},
        {0xD, 11},       {0xF, 0},        {0xF, 1},        {0x10, 0},       {0x10, 1},
        {0x80000000, 0}, {0x80000001, 0}, {0x80000006, 0}, {0x80000007, 0}, {0x80000008, 0},
        {0x8000000A, 0}, {0x8000001A, 0}, {0x8000001B, 0}, {0x8000001D, 2}, {0x8000001D, 4},
        {0x8000001E, 0}, {0x80000020, 0}, {0x80000020, 3}, {0x80000021, 0}, {0x80000022, 0},
        {0x80000023, 0}, {0x80000024, 0}, {0x80000024, 1}, {0x3, 0},        {0x8000001F, 0}};
    const size_t nl = sizeof(leaves) / sizeof(leaves[0]);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int it = 0; it < 20000; it++) {
        uint8_t page[PAGE_SZ] = {0}, before[PAGE_SZ];
        uint32_t count = 1 + (uint32_t)(it % FW_SNP_CPUID_MAX_ENTRIES);
        for (uint32_t i = 0; i < count; i++) {
            uint32_t r[4];
            for (int k = 0; k < 4; k++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                r[k] = (x & 1) ? (uint32_t)(x >> 32) : (uint32_t)(x >> 40) & 0xFFF;
            }
            size_t l = (size_t)(x >> 20) % nl;
            add_x(page, leaves[l][0], leaves[l][1], (x >> 8) & 0x2E7, (x >> 3) & 0x1800, r[0], r[1],
                  r[2], r[3]);
        }
        memcpy(before, page, PAGE_SZ);
        uint32_t n;
        bool ok = check(&cfg, page, &n);
        assert_int_equal(n, count);
        /* Accepted means untouched; a refusal that changes nothing only
         * comes from the C-bit correction of 0x8000_001F. */
        bool changed = memcmp(page, before, PAGE_SZ) != 0;
        if (ok)
            assert_false(changed);
        else if (!changed)
            assert_true(has_leaf(page, count, 0x8000001F));
        for (uint32_t i = 0; i < count; i++)
            assert_memory_equal(entry(page, i), entry(before, i), 0x18);
        /* Second pass: 0x8000001F entries may fail again, nothing else. */
        uint8_t again[PAGE_SZ];
        memcpy(again, page, PAGE_SZ);
        if (!check(&cfg, again, NULL)) {
            for (uint32_t i = 0; i < count; i++) {
                uint32_t leaf;
                memcpy(&leaf, entry(page, i), 4);
                if (memcmp(entry(page, i), entry(again, i), FW_SNP_CPUID_ENTRY_SIZE) != 0)
                    assert_int_equal(leaf, 0x8000001F);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qemu_table_passes),
        cmocka_unit_test(chip_model_leaves),
        cmocka_unit_test(header_errors_leave_page),
        cmocka_unit_test(count_limits),
        cmocka_unit_test(lessthan_rule),
        cmocka_unit_test(mask_rule),
        cmocka_unit_test(exact_rule),
        cmocka_unit_test(reserved_bits),
        cmocka_unit_test(unchecked_leaves_take_anything),
        cmocka_unit_test(unknown_leaves),
        cmocka_unit_test(entry_reserved_field),
        cmocka_unit_test(out_of_range_not_checked),
        cmocka_unit_test(all_entries_processed),
        cmocka_unit_test(fms_rules),
        cmocka_unit_test(leaf_7_edx_correction),
        cmocka_unit_test(xsave_leaves),
        cmocka_unit_test(leaf_8000_0008),
        cmocka_unit_test(leaf_8000_001f),
        cmocka_unit_test(leaf_8000_0022),
        cmocka_unit_test(corrections_are_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
