/* SPDX-License-Identifier: MIT */
/*
 * idt.c - the IDT (vectors 0-31, 64-bit interrupt gates to start.S's
 * stubs) and the dispatch from the stubs: #VC to its handler, everything
 * else is unexpected and ends the guest.
 */
#include "guest.h"

#define KERNEL_CS   0x08
#define GATE_INTR64 0x8E /* present, DPL0, 64-bit interrupt gate */
#define NR_VECTORS  32
#define VECTOR_VC   29

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist; /* 0: the backend ignores IST, and we need no second stack */
    uint8_t type;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t zero;
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "long-mode gate");

extern const uint64_t exc_stubs[NR_VECTORS]; /* start.S */
void vc_handle(struct exc_frame *f);         /* vc.c */
void exc_dispatch(struct exc_frame *f);      /* called by start.S */

static struct idt_gate idt[NR_VECTORS] __attribute__((aligned(16)));

void idt_init(void)
{
    for (unsigned v = 0; v < NR_VECTORS; v++) {
        uint64_t a = exc_stubs[v];
        idt[v] = (struct idt_gate){
            .offset_lo = (uint16_t)a,
            .selector = KERNEL_CS,
            .type = GATE_INTR64,
            .offset_mid = (uint16_t)(a >> 16),
            .offset_hi = (uint32_t)(a >> 32),
        };
    }
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } ptr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};
    __asm__ __volatile__("lidt %0" : : "m"(ptr) : "memory");
}

static __attribute__((noreturn)) void unexpected(const struct exc_frame *f)
{
    /* Printing may itself need #VC; an exception while we are here means
     * even that does not work, so end without a word. */
    static int reporting;
    if (reporting)
        guest_fail(FAIL_NESTED);
    reporting = 1;
    printf("exception %lu error 0x%lx at 0x%lx\n", (unsigned long)f->vector,
           (unsigned long)f->error, (unsigned long)f->rip);
    debug_exit(EXIT_EXCEPTION);
}

void exc_dispatch(struct exc_frame *f)
{
    if (f->vector == VECTOR_VC)
        vc_handle(f);
    else
        unexpected(f);
}
