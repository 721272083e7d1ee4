/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The conformance guest on the stand-in model: plain (events answered
 * directly), and SEV-ES (CPUID, I/O, MSRs and RDTSC become #VC; the guest's
 * #VC handler fills the GHCB and VMGEXITs; the answers come back through
 * the GHCB). Either way every check in the guest passes (exit code 0).
 */
#include <stdio.h>
#include <string.h>

#include "uc_testmem.h"

static void run(bool es, struct ut *t)
{
    ut_init(t, NULL);
    t->es = es;
    ut_guest(t, "conformance");
    struct vcpu_event ev;
    int rc = ut_machine(t, &ev, 100000);
    t->serial[t->nserial] = 0;
    if (rc || t->exit_code) {
        print_message("%s", t->serial);
        print_message("last event %u, exit code %d\n", ev.kind, t->exit_code);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(t->exit_code, 0);
    assert_non_null(strstr(t->serial, "conformance: passed"));
}

static void plain(void **state)
{
    (void)state;
    struct ut t;
    run(false, &t);
    assert_non_null(strstr(t.serial, "SEV-ES: off"));
    assert_int_equal(t.vmgexits, 0);
    assert_int_equal(t.vc, 0);
    ut_fini(&t);
}

static void sev_es(void **state)
{
    (void)state;
    struct ut t;
    run(true, &t);
    assert_non_null(strstr(t.serial, "SEV-ES: on"));
    /* Every serial byte, every CPUID/MSR/RDTSC/IN/OUT went through #VC. */
    assert_true(t.vc >= t.nserial + 10);
    assert_true(t.vmgexits >= t.vc);
    ut_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain),
        cmocka_unit_test(sev_es),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
