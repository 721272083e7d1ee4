/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hello guest on a plain memory (no SEV model): its output and exit
 * code arrive as I/O events - one OUT per byte on port 0x3F8, with RIP on
 * the OUT and its length - and the exit code as an OUT to port 0xF4.
 */
#include <string.h>

#include "uc_testmem.h"

static void hello_by_events(void **state)
{
    (void)state;
    struct ut t;
    ut_init(&t, NULL);
    ut_guest(&t, "hello");
    char out[128] = {0};
    size_t n = 0;
    int code = -1;
    for (int i = 0; i < 1000 && code < 0; i++) {
        struct vcpu_event ev;
        ut_run(&t, &ev);
        assert_int_equal(ev.kind, VCPU_EV_IO);
        assert_false(ev.io.in);
        assert_int_equal(ev.io.size, 1);
        assert_int_equal(ev.io.count, 1);
        /* RIP is on the OUT: EE (OUT DX, AL) for the serial port, E6 ib
         * (OUT imm8, AL) for the exit port. */
        uint64_t rip = ut_reg(&t, UT_RIP);
        uint8_t op[2];
        assert_int_equal(uc_flatmem_read(&t.fm, rip, op, 2), 0);
        if (op[0] == 0xE6) {
            assert_int_equal(ev.insn_len, 2);
            assert_int_equal(ev.io.port, op[1]);
        } else {
            assert_int_equal(op[0], 0xEE);
            assert_int_equal(ev.insn_len, 1);
        }
        size_t len;
        const uint8_t *d = uc_vcpu_io_data(t.v, &len);
        assert_int_equal(len, 1);
        if (ev.io.port == 0xF4)
            code = d[0];
        else {
            assert_int_equal(ev.io.port, 0x3F8);
            out[n++] = (char)d[0];
        }
        assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);
        assert_int_equal(ut_reg(&t, UT_RIP), rip + ev.insn_len);
    }
    assert_string_equal(out, "hello from an SEV guest\n");
    assert_int_equal(code, 0);
    /* After the exit port the guest halts. */
    struct vcpu_event ev;
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_HLT);
    assert_int_equal(ev.insn_len, 1);
    ut_fini(&t);
}

static void hello_machine(void **state)
{
    (void)state;
    struct ut t;
    ut_init(&t, NULL);
    ut_guest(&t, "hello");
    struct vcpu_event ev;
    assert_int_equal(ut_machine(&t, &ev, 10000), 0);
    assert_int_equal(t.exit_code, 0);
    t.serial[t.nserial] = 0;
    assert_string_equal(t.serial, "hello from an SEV guest\n");
    struct uc_vcpu_stats st;
    uc_vcpu_get_stats(t.v, &st);
    /* With the memory's generation counter the cached pages survive the
     * events: a handful of fills for the whole run. */
    assert_true(st.fills < 32);
    ut_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hello_by_events),
        cmocka_unit_test(hello_machine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
