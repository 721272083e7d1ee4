/* SPDX-License-Identifier: MIT */
/*
 * The SNP firmware's CPUID table check (docs/research/snp-cpuid.md).
 *
 * Each known (leaf, subleaf) has either four register policies - a rule
 * (EXACT, MASK, LESSTHAN or UNCHECKED) plus a mask of bits that must be 0 -
 * or a check function of its own. Leaves of the checked ranges the table
 * does not list must read all zero. The corrections are the firmware's,
 * including the ones that do not restore a valid value (see the notes at
 * leaf 7/0 EDX and 0x8000_001F EBX): a host diffing the page we write back
 * sees what AMD's firmware would have written.
 *
 * Values AMD's firmware reads from the processor come from the chip model:
 * the family/model/stepping signature (leaves 0x1, 0x8000_0001), and the
 * C-bit position and VMPL count of 0x8000_001F EBX, which AMD's table
 * fixes for its parts (51 and 4, what our Milan and Genoa presets have).
 * Everything else is the firmware's own constant policy.
 */
#include <string.h>

#include "fw/snp_cpuid.h"

/* Offsets inside an entry. */
#define ENT_EAX_IN  0x00
#define ENT_ECX_IN  0x04
#define ENT_XCR0_IN 0x08
#define ENT_XSS_IN  0x10
#define ENT_REGS    0x18
#define ENT_RSVD    0x28

enum { EAX, EBX, ECX, EDX };

_Static_assert(FW_SNP_CPUID_HDR_SIZE + FW_SNP_CPUID_MAX_ENTRIES * FW_SNP_CPUID_ENTRY_SIZE <=
                   FW_SNP_CPUID_PAGE_SIZE,
               "a full table fits in the page");

enum rule {
    RULE_UNCHECKED, /* anything, apart from the reserved bits */
    RULE_EXACT,     /* must equal value, else becomes value */
    RULE_MASK,      /* only bits of value may be set, others are cleared */
    RULE_LESSTHAN,  /* at most value (unsigned), else becomes value */
};

struct reg_policy {
    uint8_t rule;
    uint32_t value;
    uint32_t reserved; /* bits that must be 0 */
};

/* What a leaf check gets besides the registers. */
struct leaf_input {
    const struct chip_config *cfg;
    uint64_t xcr0, xss;
};

typedef bool (*leaf_check)(const struct leaf_input *in, uint32_t r[4]);

struct leaf_policy {
    uint32_t leaf, subleaf;
    leaf_check check; /* NULL: the four policies below apply */
    struct reg_policy reg[4];
};

/* ---- corrections: each returns false when it had to change *reg ---- */

static bool no_reserved(uint32_t *reg, uint32_t reserved)
{
    if (!(*reg & reserved))
        return true;
    *reg &= ~reserved;
    return false;
}

static bool only_bits(uint32_t *reg, uint32_t allowed)
{
    if (!(*reg & ~allowed))
        return true;
    *reg &= allowed;
    return false;
}

static bool equals(uint32_t *reg, uint32_t value)
{
    if (*reg == value)
        return true;
    *reg = value;
    return false;
}

static bool at_most(uint32_t *reg, uint32_t limit)
{
    if (*reg <= limit)
        return true;
    *reg = limit;
    return false;
}

/* The field (mask << shift) of *reg holds at most limit. */
static bool field_at_most(uint32_t *reg, unsigned shift, uint32_t mask, uint32_t limit)
{
    if (((*reg >> shift) & mask) <= limit)
        return true;
    *reg = (*reg & ~(mask << shift)) | ((limit & mask) << shift);
    return false;
}

static bool field_equals(uint32_t *reg, unsigned shift, uint32_t mask, uint32_t value)
{
    if (((*reg >> shift) & mask) == value)
        return true;
    *reg = (*reg & ~(mask << shift)) | ((value & mask) << shift);
    return false;
}

static bool apply_policy(const struct reg_policy *p, uint32_t *reg)
{
    bool held = true;
    switch (p->rule) {
    case RULE_EXACT:
        held = equals(reg, p->value);
        break;
    case RULE_MASK:
        held = only_bits(reg, p->value);
        break;
    case RULE_LESSTHAN:
        held = at_most(reg, p->value);
        break;
    default:
        break;
    }
    /* The firmware ends a register's check at a rule correction; the value
     * it writes never has reserved bits in these tables. */
    if (!held)
        return false;
    return no_reserved(reg, p->reserved);
}

/* ---- family / model / stepping (leaves 0x1 and 0x8000_0001 EAX) ---- */

/* Family = base + extended family. Model = base + extended model: AMD's
 * firmware adds the two model nibbles instead of concatenating them, so
 * e.g. model 0x20 (2 + 0) compares equal to model 0x11 (1 + 1). */
static uint32_t fms_family(uint32_t eax)
{
    return ((eax >> 8) & 0xF) + ((eax >> 20) & 0xFF);
}

static uint32_t fms_model(uint32_t eax)
{
    return ((eax >> 4) & 0xF) + ((eax >> 16) & 0xF);
}

/* The guest may claim an older part than the chip, never a newer one;
 * compared family first, then model, then stepping. */
static bool fms_not_above(uint32_t chip_sig, uint32_t *eax)
{
    uint32_t cf = fms_family(chip_sig), gf = fms_family(*eax);
    uint32_t cm = fms_model(chip_sig), gm = fms_model(*eax);
    uint32_t cs = chip_sig & 0xF, gs = *eax & 0xF;
    if (gf < cf || (gf == cf && gm < cm) || (gf == cf && gm == cm && gs <= cs))
        return true;
    *eax = chip_sig;
    return false;
}

/* ---- leaves with checks of their own ---- */

#define FMS_RESERVED 0xF000F000u /* bits 15:12 and 31:28 of a signature */

/* Fn0000_0001 */
#define L1_CLFLUSH_UNITS 8u          /* EBX[15:8]: 64-byte lines, in 8-byte units */
#define L1_EBX_RESERVED  0x000000FFu /* brand ID must be 0 */
/* ECX bit 27 (OSXSAVE, follows CR4) and bit 31 (hypervisor present) are
 * left to the VMM; they are neither allowed nor reserved below. */
#define L1_ECX_FREE     0x88000000u
#define L1_ECX_ALLOWED  0x76FA320Bu
#define L1_ECX_RESERVED 0x0105CDF4u
#define L1_EDX_ALLOWED  0x178BFBFFu
#define L1_EDX_RESERVED 0xE8740400u

static bool leaf_1(const struct leaf_input *in, uint32_t r[4])
{
    bool ok = fms_not_above(chip_signature(in->cfg), &r[EAX]);
    ok &= no_reserved(&r[EAX], FMS_RESERVED);
    ok &= field_equals(&r[EBX], 8, 0xFF, L1_CLFLUSH_UNITS);
    ok &= no_reserved(&r[EBX], L1_EBX_RESERVED);
    ok &= only_bits(&r[ECX], L1_ECX_ALLOWED | L1_ECX_FREE);
    ok &= no_reserved(&r[ECX], L1_ECX_RESERVED);
    ok &= only_bits(&r[EDX], L1_EDX_ALLOWED);
    ok &= no_reserved(&r[EDX], L1_EDX_RESERVED);
    return ok;
}

/* Fn0000_0007 subleaf 0 */
#define L7_EAX_MAX_SUBLEAF 1u
#define L7_EBX_ALLOWED     0xF1BF97A9u
#define L7_EBX_RESERVED    0x0E006846u
#define L7_ECX_OSPKE       0x00000010u /* follows CR4.PKE: left to the VMM */
#define L7_ECX_ALLOWED     0x00415FCEu
#define L7_ECX_RESERVED    0xFFBEA021u
#define L7_EDX_ALLOWED     0x10000010u
#define L7_EDX_RESERVED    0xEFFFFFEFu

static bool leaf_7_0(const struct leaf_input *in, uint32_t r[4])
{
    (void)in;
    bool ok = at_most(&r[EAX], L7_EAX_MAX_SUBLEAF);
    ok &= only_bits(&r[EBX], L7_EBX_ALLOWED);
    ok &= no_reserved(&r[EBX], L7_EBX_RESERVED);
    ok &= only_bits(&r[ECX], L7_ECX_ALLOWED | L7_ECX_OSPKE);
    ok &= no_reserved(&r[ECX], L7_ECX_RESERVED);
    /* AMD's correction for EDX is inverted: it clears the allowed bits and
     * keeps the others, which the reserved mask (the complement of the
     * allowed bits) then clears. A failing EDX therefore comes back 0. */
    if (r[EDX] & ~L7_EDX_ALLOWED) {
        r[EDX] &= ~L7_EDX_ALLOWED;
        ok = false;
    }
    ok &= no_reserved(&r[EDX], L7_EDX_RESERVED);
    return ok;
}

/* XCR0 / IA32_XSS state components. */
#define XCR0_X87       (1ull << 0)
#define XCR0_SSE       (1ull << 1)
#define XCR0_AVX       (1ull << 2)
#define XCR0_OPMASK    (1ull << 5)
#define XCR0_ZMM_HI256 (1ull << 6)
#define XCR0_HI16_ZMM  (1ull << 7)
#define XCR0_PKRU      (1ull << 9)
#define XSS_CET_U      (1ull << 11)
#define XSS_CET_S      (1ull << 12)

#define XSAVE_LEGACY_AND_HEADER 0x240u

/* Standard-format XSAVE size for XCR0_IN: the end of the highest enabled
 * component the firmware knows (AVX at 0x240, opmask 0x340, ZMM_Hi256
 * 0x380, Hi16_ZMM 0x580, PKRU 0x980 + 8). */
static uint32_t xsave_std_size(uint64_t xcr0)
{
    if (xcr0 & XCR0_PKRU)
        return 0x988;
    if (xcr0 & XCR0_HI16_ZMM)
        return 0x980;
    if (xcr0 & XCR0_ZMM_HI256)
        return 0x580;
    if (xcr0 & XCR0_OPMASK)
        return 0x380;
    if (xcr0 & XCR0_AVX)
        return 0x340;
    return XSAVE_LEGACY_AND_HEADER;
}

/* Compacted-format size for XCR0_IN | XSS_IN: legacy area and header plus
 * each enabled component's size. */
static uint32_t xsave_compacted_size(uint64_t xcr0, uint64_t xss)
{
    uint32_t size = XSAVE_LEGACY_AND_HEADER;
    size += (xcr0 & XCR0_PKRU) ? 0x8 : 0;
    size += (xcr0 & XCR0_HI16_ZMM) ? 0x400 : 0;
    size += (xcr0 & XCR0_ZMM_HI256) ? 0x200 : 0;
    size += (xcr0 & XCR0_OPMASK) ? 0x40 : 0;
    size += (xcr0 & XCR0_AVX) ? 0x100 : 0;
    size += (xss & XSS_CET_U) ? 0x10 : 0;
    size += (xss & XSS_CET_S) ? 0x18 : 0;
    return size;
}

/* Fn0000_000D subleaf 0 */
#define LD0_EAX_REQUIRED (uint32_t)(XCR0_X87 | XCR0_SSE)
#define LD0_EAX_ALLOWED  0x000002E7u /* x87, SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM, PKRU */
#define LD0_EAX_RESERVED 0xFFFFFD18u

static bool leaf_d_0(const struct leaf_input *in, uint32_t r[4])
{
    bool ok = true;
    /* x87 and SSE state always exist: missing ones are added. */
    if ((r[EAX] & LD0_EAX_REQUIRED) != LD0_EAX_REQUIRED) {
        r[EAX] |= LD0_EAX_REQUIRED;
        ok = false;
    }
    ok &= only_bits(&r[EAX], LD0_EAX_ALLOWED);
    ok &= no_reserved(&r[EAX], LD0_EAX_RESERVED);
    ok &= equals(&r[EBX], xsave_std_size(in->xcr0));
    /* ECX (size for every supported component) is not checked. */
    ok &= equals(&r[EDX], 0);
    return ok;
}

/* Fn0000_000D subleaf 1 */
#define LD1_EAX_ALLOWED  0x0000000Fu /* XSAVEOPT, XSAVEC, XGETBV1, XSAVES */
#define LD1_EAX_RESERVED 0xFFFFFFF0u
#define LD1_ECX_ALLOWED  0x00001800u /* CET_U, CET_S in IA32_XSS */

static bool leaf_d_1(const struct leaf_input *in, uint32_t r[4])
{
    bool ok = only_bits(&r[EAX], LD1_EAX_ALLOWED);
    ok &= no_reserved(&r[EAX], LD1_EAX_RESERVED);
    ok &= equals(&r[EBX], xsave_compacted_size(in->xcr0, in->xss));
    ok &= only_bits(&r[ECX], LD1_ECX_ALLOWED);
    ok &= only_bits(&r[EDX], 0);
    return ok;
}

/* Fn8000_0001 */
#define LX1_EBX_RESERVED 0x0FFFFFFFu /* only PkgType [31:28] may be set */
#define LX1_ECX_ALLOWED  0x75C237FFu
#define LX1_ECX_RESERVED 0x803C4000u
#define LX1_EDX_ALLOWED  0x2FD3FBFFu
#define LX1_EDX_RESERVED 0x102C0400u

static bool leaf_x_1(const struct leaf_input *in, uint32_t r[4])
{
    bool ok = fms_not_above(chip_signature(in->cfg), &r[EAX]);
    ok &= no_reserved(&r[EAX], FMS_RESERVED);
    ok &= no_reserved(&r[EBX], LX1_EBX_RESERVED);
    ok &= only_bits(&r[ECX], LX1_ECX_ALLOWED);
    ok &= no_reserved(&r[ECX], LX1_ECX_RESERVED);
    ok &= only_bits(&r[EDX], LX1_EDX_ALLOWED);
    ok &= no_reserved(&r[EDX], LX1_EDX_RESERVED);
    return ok;
}

/* Fn8000_0008. The address-size limits are firmware constants, not the
 * running part's values: any Milan/Genoa value is below them. */
#define LX8_PHYS_ADDR_MAX   52u /* EAX[7:0] */
#define LX8_LINEAR_ADDR_MAX 57u /* EAX[15:8] */
#define LX8_EAX_RESERVED    0xFF000000u
#define LX8_EBX_ALLOWED     0x79BEF35Fu
#define LX8_EBX_RESERVED    0x060008A0u
#define LX8_ECX_RESERVED    0xFFFC0F00u
#define LX8_INVLPGB_MAX     7u /* EDX[15:0] */
#define LX8_RDPRU_MAX       1u /* EDX[23:16] */
#define LX8_EDX_RESERVED    0xFF000000u

static bool leaf_x_8(const struct leaf_input *in, uint32_t r[4])
{
    (void)in;
    bool ok = field_at_most(&r[EAX], 0, 0xFF, LX8_PHYS_ADDR_MAX);
    ok &= field_at_most(&r[EAX], 8, 0xFF, LX8_LINEAR_ADDR_MAX);
    /* EAX[23:16] (guest physical address size) is capped at 0xFF: never
     * exceeded, so not written out here. */
    ok &= no_reserved(&r[EAX], LX8_EAX_RESERVED);
    ok &= only_bits(&r[EBX], LX8_EBX_ALLOWED);
    ok &= no_reserved(&r[EBX], LX8_EBX_RESERVED);
    ok &= no_reserved(&r[ECX], LX8_ECX_RESERVED);
    ok &= field_at_most(&r[EDX], 0, 0xFFFF, LX8_INVLPGB_MAX);
    ok &= field_at_most(&r[EDX], 16, 0xFF, LX8_RDPRU_MAX);
    ok &= no_reserved(&r[EDX], LX8_EDX_RESERVED);
    return ok;
}

/* Fn8000_001F */
#define LX1F_EAX_ALLOWED  0x030FFFFFu
#define LX1F_EAX_RESERVED 0xFCF00000u
#define LX1F_REDUCTION    (0x3Fu << 6) /* EBX[11:6], not checked */
#define LX1F_VMPL_SHIFT   12
#define LX1F_VMPL_MASK    0xFu
#define LX1F_EBX_RESERVED 0xFFFF0000u

static bool leaf_x_1f(const struct leaf_input *in, uint32_t r[4])
{
    bool ok = only_bits(&r[EAX], LX1F_EAX_ALLOWED);
    ok &= no_reserved(&r[EAX], LX1F_EAX_RESERVED);
    /* EBX outside the reduction and VMPL fields must be the C-bit position.
     * AMD's correction ORs the C-bit in and clears the reduction field but
     * leaves wrong bits in place, so a wrong C-bit position is reported but
     * not always repaired (the result can fail again). */
    uint32_t cbit = in->cfg->cbit & 0x3Fu;
    uint32_t strict = r[EBX] & ~LX1F_REDUCTION & ~(LX1F_VMPL_MASK << LX1F_VMPL_SHIFT);
    if (strict != cbit) {
        r[EBX] = (r[EBX] & ~LX1F_REDUCTION) | cbit;
        ok = false;
    }
    ok &= field_at_most(&r[EBX], LX1F_VMPL_SHIFT, LX1F_VMPL_MASK, in->cfg->nr_vmpls);
    ok &= no_reserved(&r[EBX], LX1F_EBX_RESERVED);
    /* ECX (ASID count) and EDX (minimum SEV ASID) are not checked. */
    return ok;
}

/* Fn8000_0022 */
#define LX22_EAX_ALLOWED   0x00000007u
#define LX22_PERF_CTRS_MAX 6u    /* EBX[3:0] */
#define LX22_LBR_DEPTH_MAX 0x10u /* EBX[9:4] */

static bool leaf_x_22(const struct leaf_input *in, uint32_t r[4])
{
    (void)in;
    bool ok = only_bits(&r[EAX], LX22_EAX_ALLOWED);
    ok &= field_at_most(&r[EBX], 0, 0xF, LX22_PERF_CTRS_MAX);
    ok &= field_at_most(&r[EBX], 4, 0x3F, LX22_LBR_DEPTH_MAX);
    /* ECX is not checked. */
    ok &= equals(&r[EDX], 0);
    return ok;
}

/* ---- the table ---- */

/* One row per (leaf, subleaf) the firmware knows: the EAX, EBX, ECX, EDX
 * policies, or a check function. ANY: unchecked; RSVD: unchecked but the
 * mask's bits must be 0; EQ: exact value; ONLY: mask of allowed bits; MAX:
 * at most the value. The second argument of EQ and ONLY is the reserved
 * mask. */
/* clang-format off */
#define POL(rule, value, reserved) {RULE_##rule, (value), (reserved)}
#define LEAF(leaf, sub, eax, ebx, ecx, edx) {(leaf), (sub), NULL, {eax, ebx, ecx, edx}}
#define CHECK(leaf, sub, fn) {(leaf), (sub), (fn), {ANY, ANY, ANY, ANY}}
/* clang-format on */
#define ANY        POL(UNCHECKED, 0, 0)
#define RSVD(mask) POL(UNCHECKED, 0, mask)
#define EQ(v, r)   POL(EXACT, v, r)
#define ONLY(v, r) POL(MASK, v, r)
#define MAX(v)     POL(LESSTHAN, v, 0)
#define ZERO       POL(EXACT, 0, 0xFFFFFFFF) /* a register the leaf does not define */

static const struct leaf_policy policies[] = {
    LEAF(0x00000000, 0, MAX(0x10), ANY, ANY, ANY),
    CHECK(0x00000001, 0, leaf_1),
    LEAF(0x00000002, 0, ANY, ANY, ANY, ANY),
    LEAF(0x00000004, 0, ANY, ANY, ANY, ANY),
    LEAF(0x00000005, 0, RSVD(0xFFFF0000), RSVD(0xFFFF0000), RSVD(0xFFFFFFFC), RSVD(0xFFFFFF00)),
    LEAF(0x00000006, 0, ONLY(0x4, 0xFFFFFFFB), ZERO, ONLY(0x1, 0xFFFFFFFE), ZERO),
    CHECK(0x00000007, 0, leaf_7_0),
    LEAF(0x00000007, 1, ONLY(0x20, 0xFFFFFFDF), ZERO, ZERO, ZERO),
    /* extended topology */
    LEAF(0x0000000B, 0, RSVD(0xFFFFFFE0), RSVD(0xFFFF0000), RSVD(0xFFFF0000), ANY),
    LEAF(0x0000000B, 1, RSVD(0xFFFFFFE0), RSVD(0xFFFF0000), RSVD(0xFFFF0000), ANY),
    LEAF(0x0000000B, 2, RSVD(0xFFFFFFE0), RSVD(0xFFFF0000), RSVD(0xFFFF0000), ANY),
    CHECK(0x0000000D, 0, leaf_d_0),
    CHECK(0x0000000D, 1, leaf_d_1),
    /* XSAVE components: size, standard-format offset, flags */
    LEAF(0x0000000D, 2, EQ(0x100, 0), EQ(0x240, 0), EQ(0, 0xFFFFFFFC), ZERO),
    LEAF(0x0000000D, 5, EQ(0x40, 0), EQ(0x340, 0), ONLY(3, 0xFFFFFFFC), ZERO),
    LEAF(0x0000000D, 6, EQ(0x200, 0), EQ(0x380, 0), ONLY(3, 0xFFFFFFFC), ZERO),
    LEAF(0x0000000D, 7, EQ(0x400, 0), EQ(0x580, 0), ONLY(3, 0xFFFFFFFC), ZERO),
    LEAF(0x0000000D, 9, EQ(0x8, 0), EQ(0x980, 0), EQ(0, 0xFFFFFFFC), ZERO),
    LEAF(0x0000000D, 11, EQ(0x10, 0), EQ(0, 0), EQ(1, 0xFFFFFFFC), ZERO),
    LEAF(0x0000000D, 12, EQ(0x18, 0), EQ(0, 0), EQ(1, 0xFFFFFFFC), ZERO),
    /* platform QoS monitoring and enforcement */
    LEAF(0x0000000F, 0, ZERO, ANY, ZERO, RSVD(0xFFFFFFFD)),
    LEAF(0x0000000F, 1, RSVD(0xFFFFFE00), ANY, ANY, RSVD(0xFFFFFFF8)),
    LEAF(0x00000010, 0, ZERO, RSVD(0xFFFFFFF9), ZERO, ZERO),
    LEAF(0x00000010, 1, RSVD(0xFFFFFFE0), ANY, RSVD(0xFFFFFFFB), RSVD(0xFFFF0000)),

    LEAF(0x80000000, 0, MAX(0x80000028), ANY, ANY, ANY),
    CHECK(0x80000001, 0, leaf_x_1),
    /* brand string, L1 caches and TLBs: anything */
    LEAF(0x80000002, 0, ANY, ANY, ANY, ANY),
    LEAF(0x80000003, 0, ANY, ANY, ANY, ANY),
    LEAF(0x80000004, 0, ANY, ANY, ANY, ANY),
    LEAF(0x80000005, 0, ANY, ANY, ANY, ANY),
    LEAF(0x80000006, 0, ANY, ANY, ANY, RSVD(0x00030000)),
    LEAF(0x80000007, 0, ZERO, ONLY(0x3B, 0xFFFFFFC0), ANY, ONLY(0x6799, 0xFFFF8026)),
    CHECK(0x80000008, 0, leaf_x_8),
    LEAF(0x8000000A, 0, RSVD(0xFFFFFF00), ANY, ZERO, ONLY(0x1FBFBCFF, 0xE0404300)),
    LEAF(0x80000019, 0, ANY, ANY, ZERO, ZERO),
    LEAF(0x8000001A, 0, RSVD(0xFFFFFFF8), ZERO, ZERO, ZERO),
    LEAF(0x8000001B, 0, ONLY(0xBFF, 0xFFFFF000), ZERO, ZERO, ZERO),
    /* cache topology */
    LEAF(0x8000001D, 0, RSVD(0xFC003C00), ANY, ANY, RSVD(0xFFFFFFFC)),
    LEAF(0x8000001D, 1, RSVD(0xFC003C00), ANY, ANY, RSVD(0xFFFFFFFC)),
    LEAF(0x8000001D, 2, RSVD(0xFC003C00), ANY, ANY, RSVD(0xFFFFFFFC)),
    LEAF(0x8000001D, 3, RSVD(0xFC003C00), ANY, ANY, RSVD(0xFFFFFFFC)),
    LEAF(0x8000001D, 4, RSVD(0xFFFFFFF0), ZERO, ANY, ZERO),
    LEAF(0x8000001E, 0, ANY, RSVD(0xFFFF0000), RSVD(0xFFFFF800), RSVD(0xFFFFFFFF)),
    CHECK(0x8000001F, 0, leaf_x_1f),
    /* platform QoS enforcement */
    LEAF(0x80000020, 0, ZERO, RSVD(0xFFFFFFE1), ZERO, ZERO),
    LEAF(0x80000020, 1, ANY, ZERO, ZERO, ANY),
    LEAF(0x80000020, 2, ANY, ZERO, ZERO, ANY),
    LEAF(0x80000020, 3, EQ(0, 0), ANY, ONLY(0x7F, 0xFFFFFF80), EQ(0, 0)),
    LEAF(0x80000021, 0, ONLY(0x18062FCF, 0xE7F9D020), RSVD(0xFFFFF000), ZERO, ZERO),
    CHECK(0x80000022, 0, leaf_x_22),
    LEAF(0x80000023, 0, ONLY(0x1, 0xFFFFFFFE), ANY, ZERO, ZERO),
    /* SNP_FEATURE_INFO, as this firmware answers it */
    LEAF(0x80000024, 0, MAX(1), ONLY(1, 0xFFFFFFFE), ONLY(3, 0xFFFFFFFC), ZERO),
    LEAF(0x80000024, 1, ONLY(0x1FF, 0xFFFFFE00), ZERO, ZERO, ZERO),
    LEAF(0x80000026, 0, ANY, ANY, ANY, ANY),
    LEAF(0x80000026, 1, ANY, ANY, ANY, ANY),
    LEAF(0x80000026, 2, ANY, ANY, ANY, ANY),
    LEAF(0x80000026, 3, ANY, ANY, ANY, ANY),
};

/* Exact (leaf, subleaf) match: a leaf without subleaves must come with
 * ECX_IN = 0 to be recognised. */
static const struct leaf_policy *find_policy(uint32_t leaf, uint32_t subleaf)
{
    for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
        if (policies[i].leaf == leaf && policies[i].subleaf == subleaf)
            return &policies[i];
    return NULL;
}

/* ---- entries ---- */

static uint32_t load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* Only the standard and extended ranges are architectural leaves the
 * firmware has an opinion on; hypervisor (0x4000_xxxx) and other leaves
 * pass unchecked and uncounted. */
static bool in_checked_range(uint32_t leaf)
{
    return leaf <= 0x0000FFFFu || (leaf >= 0x80000000u && leaf <= 0x8000FFFFu);
}

/* A leaf the firmware does not know must read all zero; a non-zero one is
 * zeroed entirely. */
static bool unknown_leaf(uint32_t r[4])
{
    if (!(r[EAX] | r[EBX] | r[ECX] | r[EDX]))
        return true;
    memset(r, 0, 4 * sizeof(r[0]));
    return false;
}

static bool check_entry(const struct chip_config *cfg, uint8_t *e)
{
    const struct leaf_policy *p = find_policy(load32(e + ENT_EAX_IN), load32(e + ENT_ECX_IN));
    struct leaf_input in = {cfg, load64(e + ENT_XCR0_IN), load64(e + ENT_XSS_IN)};
    uint32_t r[4];
    memcpy(r, e + ENT_REGS, sizeof(r));
    /* A set reserved field fails the entry but is left as it is. */
    bool ok = load64(e + ENT_RSVD) == 0;
    if (!p) {
        ok &= unknown_leaf(r);
    } else if (p->check) {
        ok &= p->check(&in, r);
    } else {
        for (int i = EAX; i <= EDX; i++)
            ok &= apply_policy(&p->reg[i], &r[i]);
    }
    memcpy(e + ENT_REGS, r, sizeof(r));
    return ok;
}

static bool header_ok(const uint8_t *page)
{
    return load32(page + 4) == 0 && load64(page + 8) == 0 &&
           load32(page) <= FW_SNP_CPUID_MAX_ENTRIES;
}

bool fw_snp_cpuid_validate(const struct chip_config *cfg, uint8_t page[FW_SNP_CPUID_PAGE_SIZE],
                           bool *header_bad, uint32_t *checked)
{
    bool hdr_ok = header_ok(page);
    if (header_bad)
        *header_bad = !hdr_ok;
    if (checked)
        *checked = 0;
    if (!hdr_ok)
        return false;
    uint32_t count = load32(page), n = 0;
    bool ok = true;
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *e = page + FW_SNP_CPUID_HDR_SIZE + (size_t)i * FW_SNP_CPUID_ENTRY_SIZE;
        if (!in_checked_range(load32(e + ENT_EAX_IN)))
            continue;
        n++;
        ok &= check_entry(cfg, e);
    }
    if (checked)
        *checked = n;
    return ok;
}
