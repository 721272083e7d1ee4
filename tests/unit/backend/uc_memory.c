/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend's software TLB against the model: changes the model makes
 * between events are seen (with and without a generation counter), only
 * the bytes the guest changed are written back, guest writes reach the
 * model before it is asked for another page (a page-table write must be
 * visible to its walk), self-modifying code and model-side code changes
 * run the new code, windows are evicted and refilled, upper-half
 * addresses work, and the model's instruction-fetch checks (NX) apply.
 */
#include <string.h>

#include "uc_testmem.h"

#define HLT 0xF4

static struct ut t;

static uint8_t out_byte(void)
{
    struct vcpu_event ev;
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_IO);
    size_t len;
    uint8_t b = uc_vcpu_io_data(t.v, &len)[0];
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);
    return b;
}

/* loop: mov al, [0x40000]; out 0x80, al; jmp loop */
static const uint8_t reader[] = {0x8A, 0x04, 0x25, 0x00, 0x00, 0x04, 0x00, 0xE6, 0x80, 0xEB, 0xF5};

static void model_changes_seen(void **state)
{
    (void)state;
    ut_code(&t, UT_CODE, reader, sizeof(reader));
    uint8_t b = 1;
    ut_code(&t, 0x40000, &b, 1);
    assert_int_equal(out_byte(), 1);
    assert_int_equal(out_byte(), 1);
    b = 2;
    ut_code(&t, 0x40000, &b, 1); /* moves the generation */
    assert_int_equal(out_byte(), 2);
    /* A change that does not move the generation needs uc_vcpu_flush(). */
    t.fm.mem[0x40000] = 3;
    assert_int_equal(out_byte(), 2);
    uc_vcpu_flush(t.v);
    assert_int_equal(out_byte(), 3);
}

static void no_generation(void **state)
{
    (void)state;
    ut_fini(&t);
    memset(&t, 0, sizeof(t));
    assert_int_equal(uc_flatmem_init(&t.fm, UT_BASE, UT_SIZE), 0);
    uc_flatmem_vtable(&t.fm, &t.mem);
    t.mem.generation = NULL;
    assert_int_equal(ut_create(&t.v, &t.mem, NULL), 0);
    ut_set_rip(&t, UT_CODE);
    ut_code(&t, UT_CODE, reader, sizeof(reader));
    t.fm.mem[0x40000] = 5;
    assert_int_equal(out_byte(), 5);
    t.fm.mem[0x40000] = 6; /* behind everyone's back: still seen */
    assert_int_equal(out_byte(), 6);
    struct uc_vcpu_stats st;
    uc_vcpu_get_stats(t.v, &st);
    assert_true(st.refills >= 2);
    assert_true(st.changed >= 1);
}

/* While the guest runs, "someone else" writes byte 20 of the page the
 * guest writes byte 10 of: the model is asked for page 0x50000 then. */
static int concurrent(struct uc_flatmem *fm, uint64_t gva, size_t len, enum hw_access acc,
                      struct hw_fault *f)
{
    (void)len;
    (void)acc;
    (void)f;
    if (gva == 0x50000) {
        /* The guest's byte 10 was written back before this question. */
        assert_int_equal(fm->mem[0x40000 + 10], 0xAA);
        fm->mem[0x40000 + 20] = 0xBB;
        fm->gen++;
    }
    return 0;
}

static void only_changed_bytes(void **state)
{
    (void)state;
    /* mov byte [0x4000a], 0xAA; mov al, [0x50000]; out 0x80, al; hlt */
    static const uint8_t c[] = {0xC6, 0x04, 0x25, 0x0A, 0x00, 0x04, 0x00, 0xAA, 0x8A,
                                0x04, 0x25, 0x00, 0x00, 0x05, 0x00, 0xE6, 0x80, HLT};
    ut_code(&t, UT_CODE, c, sizeof(c));
    t.fm.check = concurrent;
    out_byte();
    t.fm.check = NULL;
    assert_int_equal(t.fm.mem[0x40000 + 10], 0xAA);
    assert_int_equal(t.fm.mem[0x40000 + 20], 0xBB);
}

static void self_modifying_code(void **state)
{
    (void)state;
    /* mov byte [rip + 1], 0x42 ; patches the immediate of the next insn
     * mov al, 0x11 ; out 0x80, al ; hlt */
    static const uint8_t c[] = {0xC6, 0x05, 0x01, 0x00, 0x00, 0x00,
                                0x42, 0xB0, 0x11, 0xE6, 0x80, HLT};
    ut_code(&t, UT_CODE, c, sizeof(c));
    assert_int_equal(out_byte(), 0x42);
    /* The patched code reached the model. */
    struct vcpu_event ev;
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_HLT);
    assert_int_equal(t.fm.mem[UT_CODE + 8], 0x42);
}

static void model_changes_code(void **state)
{
    (void)state;
    /* loop: mov al, 1; out 0x80, al; jmp loop */
    uint8_t c[] = {0xB0, 0x01, 0xE6, 0x80, 0xEB, 0xFA};
    ut_code(&t, UT_CODE, c, sizeof(c));
    assert_int_equal(out_byte(), 1);
    assert_int_equal(out_byte(), 1);
    c[1] = 2;
    ut_code(&t, UT_CODE, c, sizeof(c));
    /* Unicorn's translation of the old bytes is dropped on the refill. */
    assert_int_equal(out_byte(), 2);
}

static void eviction(void **state)
{
    (void)state;
    ut_fini(&t);
    struct uc_vcpu_config cfg = {.max_chunks = 1};
    ut_init(&t, &cfg);
    /* For each 2 MiB window w = 1..3: mov [w * 2 MiB + 8], w; out 0x80, al;
     * then read all three back into AL one by one. */
    uint8_t c[256];
    size_t n = 0;
    for (uint8_t w = 1; w <= 3; w++) {
        uint8_t st[] = {0xC6, 0x04, 0x25, 0x08, 0x00, (uint8_t)(w * 0x20), 0x00, w, 0xE6, 0x80};
        memcpy(c + n, st, sizeof(st));
        n += sizeof(st);
    }
    for (uint8_t w = 1; w <= 3; w++) {
        uint8_t ld[] = {0x8A, 0x04, 0x25, 0x08, 0x00, (uint8_t)(w * 0x20), 0x00, 0xE6, 0x80};
        memcpy(c + n, ld, sizeof(ld));
        n += sizeof(ld);
    }
    c[n++] = HLT;
    ut_code(&t, UT_CODE, c, n);
    for (int i = 0; i < 3; i++)
        out_byte();
    for (uint8_t w = 1; w <= 3; w++)
        assert_int_equal(out_byte(), w);
    for (uint8_t w = 1; w <= 3; w++)
        assert_int_equal(t.fm.mem[w * 0x200000ull + 8], w);
}

/* Upper-half addresses: a model that maps 0xFFFFFFFF80000000 + x and
 * 0xFFFF888000000000 + x to offset x of the flat memory. */
static int hi_read(void *ctx, uint64_t gva, void *buf, size_t len, enum hw_access acc,
                   struct hw_fault *f)
{
    struct ut *u = ctx;
    (void)acc;
    (void)f;
    memcpy(buf, u->fm.mem + (gva & 0x7FFFFF), len);
    return 0;
}

static int hi_write(void *ctx, uint64_t gva, const void *buf, size_t len, struct hw_fault *f)
{
    struct ut *u = ctx;
    (void)f;
    memcpy(u->fm.mem + (gva & 0x7FFFFF), buf, len);
    return 0;
}

static void upper_half(void **state)
{
    (void)state;
    ut_destroy(t.v);
    struct uc_vcpu_mem mem = {.ctx = &t, .read = hi_read, .write = hi_write};
    assert_int_equal(ut_create(&t.v, &mem, NULL), 0);
    /* mov rbx, 0xFFFF888000002000; mov rax, [rbx]; add rax, 1; mov [rbx + 8], rax;
     * out 0x80, al; hlt */
    static const uint8_t c[] = {0x48, 0xBB, 0x00, 0x20, 0x00, 0x00, 0x80, 0x88,
                                0xFF, 0xFF, 0x48, 0x8B, 0x03, 0x48, 0x83, 0xC0,
                                0x01, 0x48, 0x89, 0x43, 0x08, 0xE6, 0x80, HLT};
    memcpy(t.fm.mem + 0x1000, c, sizeof(c));
    t.fm.mem[0x2000] = 0x41;
    ut_set_rip(&t, 0xFFFFFFFF80001000ull);
    struct vcpu_regs r;
    assert_int_equal(uc_vcpu_get_regs(t.v, &r), 0);
    r.rsp = 0xFFFFFFFF80090000ull;
    assert_int_equal(uc_vcpu_set_regs(t.v, &r), 0);
    assert_int_equal(out_byte(), 0x42);
    assert_int_equal(t.fm.mem[0x2008], 0x42);
    assert_int_equal(ut_reg(&t, UT_RIP), 0xFFFFFFFF80001000ull + sizeof(c) - 1);
}

/* Page 0x60000 is data, not code: instruction fetches fault (NX). */
static int nx(struct uc_flatmem *fm, uint64_t gva, size_t len, enum hw_access acc,
              struct hw_fault *f)
{
    (void)fm;
    (void)len;
    if (gva >> 12 != 0x60 || acc != HW_ACC_FETCH)
        return 0;
    memset(f, 0, sizeof(*f));
    f->kind = HW_FAULT_PF;
    f->vector = HW_VECTOR_PF;
    f->error_code = PFERR_PRESENT | PFERR_FETCH;
    f->addr = gva;
    return UC_VCPU_MEM_FAULT;
}

static void fetch_checked(void **state)
{
    (void)state;
    /* mov al, [0x60000]; mov rbx, 0x60000; jmp rbx */
    static const uint8_t c[] = {0x8A, 0x04, 0x25, 0x00, 0x00, 0x06, 0x00, 0x48,
                                0xC7, 0xC3, 0x00, 0x00, 0x06, 0x00, 0xFF, 0xE3};
    static const uint8_t data[] = {0x90, HLT};
    ut_code(&t, UT_CODE, c, sizeof(c));
    ut_code(&t, 0x60000, data, sizeof(data));
    t.fm.check = nx;
    struct vcpu_event ev;
    ut_run(&t, &ev);
    t.fm.check = NULL;
    /* Read as data first (allowed), then executed: the fetch check is the
     * model's, and the fault is at the first instruction of the page. */
    assert_int_equal(ev.kind, VCPU_EV_FAULT);
    assert_int_equal(ev.fault.kind, HW_FAULT_PF);
    assert_true(ev.fault.error_code & PFERR_FETCH);
    assert_int_equal(ut_reg(&t, UT_RIP), 0x60000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UT_TEST(model_changes_seen, &t), UT_TEST(no_generation, &t),
        UT_TEST(only_changed_bytes, &t), UT_TEST(self_modifying_code, &t),
        UT_TEST(model_changes_code, &t), UT_TEST(eviction, &t),
        UT_TEST(upper_half, &t),         UT_TEST(fetch_checked, &t),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
