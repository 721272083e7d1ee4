/* SPDX-License-Identifier: MIT */
/* The VMM's MMIO instruction decoder (hv/mmio_insn.h): every form it takes,
 * what a store writes and a load leaves in the registers, and refusals of
 * everything else. */
#include "testsupport.h"

#include "hv/mmio_insn.h"

#define DEC(in, ...)                                                                               \
    do {                                                                                           \
        static const uint8_t b_[] = {__VA_ARGS__};                                                 \
        assert_int_equal(hv_mmio_decode(b_, sizeof(b_), (in)), 0);                                 \
        assert_int_equal((in)->len, sizeof(b_));                                                   \
    } while (0)

#define BAD(...)                                                                                   \
    do {                                                                                           \
        static const uint8_t b_[] = {__VA_ARGS__};                                                 \
        struct hv_mmio_insn x_;                                                                    \
        assert_int_equal(hv_mmio_decode(b_, sizeof(b_), &x_), -1);                                 \
    } while (0)

static void test_stores(void **state)
{
    (void)state;
    struct hv_mmio_insn in;
    uint64_t gpr[16] = {0x1122334455667788ull};
    gpr[8] = 0xABCDull;
    DEC(&in, 0x89, 0x07); /* mov [rdi], eax */
    assert_true(in.write);
    assert_int_equal(in.size, 4);
    assert_int_equal(hv_mmio_store_value(&in, gpr) & 0xFFFFFFFF, 0x55667788);
    DEC(&in, 0x48, 0x89, 0x07); /* mov [rdi], rax */
    assert_int_equal(in.size, 8);
    DEC(&in, 0x66, 0x89, 0x07); /* mov [rdi], ax */
    assert_int_equal(in.size, 2);
    DEC(&in, 0x88, 0x27); /* mov [rdi], ah */
    assert_true(in.high_byte);
    assert_int_equal(hv_mmio_store_value(&in, gpr), 0x77);
    DEC(&in, 0x40, 0x88, 0x27); /* mov [rdi], spl: REX makes it a low byte */
    assert_false(in.high_byte);
    assert_int_equal(in.reg, 4);
    DEC(&in, 0x44, 0x89, 0x47, 0x08); /* mov [rdi+8], r8d */
    assert_int_equal(in.reg, 8);
    assert_int_equal(hv_mmio_store_value(&in, gpr) & 0xFFFF, 0xABCD);
    DEC(&in, 0xC7, 0x07, 0x78, 0x56, 0x34, 0x12); /* mov dword [rdi], imm32 */
    assert_true(in.has_imm);
    assert_int_equal(hv_mmio_store_value(&in, gpr), 0x12345678);
    DEC(&in, 0x48, 0xC7, 0x07, 0xFF, 0xFF, 0xFF, 0xFF); /* imm32 sign-extends to 64 */
    assert_int_equal(hv_mmio_store_value(&in, gpr), 0xFFFFFFFFFFFFFFFFull);
    DEC(&in, 0x66, 0xC7, 0x07, 0x34, 0x12); /* mov word [rdi], imm16 */
    assert_int_equal(hv_mmio_store_value(&in, gpr), 0x1234);
    DEC(&in, 0xC6, 0x07, 0xAB);
    assert_int_equal(in.size, 1);
    assert_int_equal(hv_mmio_store_value(&in, gpr), 0xAB);
    DEC(&in, 0x65, 0x67, 0x89, 0x07); /* segment and address-size prefixes */
}

static void test_addressing_lengths(void **state)
{
    (void)state;
    struct hv_mmio_insn in;
    DEC(&in, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x00, 0x10); /* mov eax, [0x10000000] */
    DEC(&in, 0x8B, 0x05, 0x10, 0x00, 0x00, 0x00);       /* mov eax, [rip+0x10] */
    DEC(&in, 0x8B, 0x44, 0x24, 0x08);                   /* mov eax, [rsp+8] */
    DEC(&in, 0x8B, 0x87, 0x00, 0x10, 0x00, 0x00);       /* mov eax, [rdi+0x1000] */
    DEC(&in, 0x8B, 0x84, 0x8F, 0x00, 0x10, 0x00, 0x00); /* mov eax, [rdi+rcx*4+0x1000] */
    DEC(&in, 0xC7, 0x44, 0x24, 0x08, 1, 0, 0, 0);       /* mov dword [rsp+8], 1 */
}

static void test_loads(void **state)
{
    (void)state;
    struct hv_mmio_insn in;
    uint64_t gpr[16];
    memset(gpr, 0xEE, sizeof(gpr));
    DEC(&in, 0x8B, 0x07); /* mov eax, [rdi]: clears bits 63:32 */
    assert_false(in.write);
    hv_mmio_load(&in, gpr, 0xCAFEF00D);
    assert_int_equal(gpr[0], 0xCAFEF00Dull);
    memset(gpr, 0xEE, sizeof(gpr));
    DEC(&in, 0x8A, 0x07); /* mov al, [rdi]: keeps the rest */
    hv_mmio_load(&in, gpr, 0x11);
    assert_int_equal(gpr[0], 0xEEEEEEEEEEEEEE11ull);
    DEC(&in, 0x8A, 0x3F); /* mov bh, [rdi] */
    hv_mmio_load(&in, gpr, 0x22);
    assert_int_equal(gpr[3], 0xEEEEEEEEEEEE22EEull);
    DEC(&in, 0x66, 0x8B, 0x07); /* mov ax, [rdi] */
    hv_mmio_load(&in, gpr, 0x3344);
    assert_int_equal(gpr[0], 0xEEEEEEEEEEEE3344ull);
    DEC(&in, 0x4C, 0x8B, 0x3F); /* mov r15, [rdi] */
    hv_mmio_load(&in, gpr, 0x0102030405060708ull);
    assert_int_equal(gpr[15], 0x0102030405060708ull);
    DEC(&in, 0x0F, 0xB6, 0x07); /* movzx eax, byte [rdi] */
    hv_mmio_load(&in, gpr, 0xFF);
    assert_int_equal(gpr[0], 0xFF);
    memset(gpr, 0xEE, sizeof(gpr));
    DEC(&in, 0x66, 0x0F, 0xB6, 0x07); /* movzx ax, byte [rdi] */
    hv_mmio_load(&in, gpr, 0x7F);
    assert_int_equal(gpr[0], 0xEEEEEEEEEEEE007Full);
    DEC(&in, 0x48, 0x0F, 0xB7, 0x07); /* movzx rax, word [rdi] */
    hv_mmio_load(&in, gpr, 0xBEEF);
    assert_int_equal(gpr[0], 0xBEEF);
}

static void test_refusals(void **state)
{
    (void)state;
    struct hv_mmio_insn in;
    assert_int_equal(hv_mmio_decode(NULL, 0, &in), -1);
    BAD(0x89, 0xC0);                   /* register form: not memory */
    BAD(0x8B);                         /* truncated ModRM */
    BAD(0x8B, 0x04);                   /* truncated SIB */
    BAD(0x8B, 0x05, 0x10, 0x00);       /* truncated displacement */
    BAD(0xC7, 0x07, 0x78, 0x56);       /* truncated immediate */
    BAD(0xC7, 0x0F, 0, 0, 0, 0);       /* C7 /1 is not a MOV */
    BAD(0x0F, 0x05);                   /* SYSCALL */
    BAD(0x0F);                         /* truncated escape */
    BAD(0x01, 0x07);                   /* ADD: not emulated */
    BAD(0xA1, 0, 0, 0, 0, 0, 0, 0, 0); /* MOV moffs: not emulated */
    BAD(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
        0x66); /* prefixes only */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stores),
        cmocka_unit_test(test_addressing_lengths),
        cmocka_unit_test(test_loads),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
