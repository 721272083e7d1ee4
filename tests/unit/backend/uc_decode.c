/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The block scan's instruction lengths against binutils (uc_insnlen_table.h:
 * 206 encodings over every opcode map, VEX and EVEX included), truncation,
 * and the classifier on the same table: exactly the instructions the
 * backend must stop at are recognised. (Every instruction the other tests
 * execute is also measured against Unicorn's own length: SWSEV_UC_EVERY_INSN.)
 */
#include <string.h>

#include "swsev/vcpu.h"
#include "uc_decode.h"
#include "uc_testmem.h"

#include "uc_insnlen_table.h"

static void lengths(void **state)
{
    (void)state;
    unsigned bad = 0;
    for (size_t i = 0; i < sizeof(insn_cases) / sizeof(insn_cases[0]); i++) {
        const struct insn_case *c = &insn_cases[i];
        uint8_t buf[32];
        memset(buf, 0xCC, sizeof(buf));
        memcpy(buf, c->bytes, c->len);
        int got = uc_insn_length(buf, sizeof(buf));
        int exact = uc_insn_length(c->bytes, c->len);
        int cut = uc_insn_length(c->bytes, c->len - 1u);
        if (got != c->len || exact != c->len || cut != -1) {
            print_message("%-40s: %d (exact %d, cut %d), binutils %u\n", c->text, got, exact, cut,
                          c->len);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

static void classified(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int op, ev;
    } ours[] = {
        {"in    $0x80,%al", UCI_EVENT, VCPU_EV_IO},
        {"out   %al,$0x80", UCI_EVENT, VCPU_EV_IO},
        {"in    (%dx),%eax", UCI_EVENT, VCPU_EV_IO},
        {"out   %ax,(%dx)", UCI_EVENT, VCPU_EV_IO},
        {"insb  (%dx),%es:(%rdi)", UCI_EVENT, VCPU_EV_IO},
        {"outsl %ds:(%rsi),(%dx)", UCI_EVENT, VCPU_EV_IO},
        {"hlt", UCI_EVENT, VCPU_EV_HLT},
        {"cpuid", UCI_EVENT, VCPU_EV_CPUID},
        {"rdtsc", UCI_EVENT, VCPU_EV_RDTSC},
        {"rdtscp", UCI_EVENT, VCPU_EV_RDTSC},
        {"rdmsr", UCI_EVENT, VCPU_EV_RDMSR},
        {"wrmsr", UCI_EVENT, VCPU_EV_WRMSR},
        {"vmmcall", UCI_EVENT, VCPU_EV_VMMCALL},
        {"vmgexit", UCI_EVENT, VCPU_EV_VMGEXIT}, /* F3 0F 01 D9 */
        {"pvalidate", UCI_EVENT, VCPU_EV_PVALIDATE},
        {"rmpadjust", UCI_EVENT, VCPU_EV_RMPADJUST},
        {"clts", UCI_CLTS, 0},
        {"mov   %cr0,%rax", UCI_MOV_FROM_CR, 0},
        {"mov   %rax,%cr3", UCI_MOV_TO_CR, 0},
        {"mov   %cr8,%rcx", UCI_MOV_FROM_CR, 0},
        {"invlpg (%rax)", UCI_INVLPG, 0},
        {"invlpg 0x1234(%rax,%rbx,8)", UCI_INVLPG, 0},
    };
    unsigned found = 0;
    for (size_t i = 0; i < sizeof(insn_cases) / sizeof(insn_cases[0]); i++) {
        const struct insn_case *c = &insn_cases[i];
        struct uc_insn in;
        int op = uc_decode(c->bytes, c->len, &in);
        int want = UCI_NONE, ev = 0;
        for (size_t j = 0; j < sizeof(ours) / sizeof(ours[0]); j++) {
            /* objdump pads mnemonics with spaces; compare without them. */
            char a[64], b[64];
            size_t na = 0, nb = 0;
            for (const char *s = c->text; *s && na < 63; s++)
                if (*s != ' ')
                    a[na++] = *s;
            for (const char *s = ours[j].text; *s && nb < 63; s++)
                if (*s != ' ')
                    b[nb++] = *s;
            a[na] = b[nb] = 0;
            if (!strcmp(a, b)) {
                want = ours[j].op;
                ev = ours[j].ev;
            }
        }
        if (op != want || (op == UCI_EVENT && in.ev != ev) ||
            (op != UCI_NONE && in.len != c->len) ||
            uc_decode_candidate(c->bytes, c->len) < (op != UCI_NONE)) {
            print_message("%s: op %d ev %d len %u, expected op %d ev %d\n", c->text, op, in.ev,
                          in.len, want, ev);
            fail();
        }
        found += op != UCI_NONE;
    }
    assert_int_equal(found, sizeof(ours) / sizeof(ours[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lengths),
        cmocka_unit_test(classified),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
