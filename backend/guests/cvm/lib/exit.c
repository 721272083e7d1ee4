/* SPDX-License-Identifier: MIT */
/* exit.c - the ways a guest ends: the debug-exit port, a termination
 * request, and a shutdown when neither is honoured. */
#include "ghcb_client.h"
#include "guest.h"
#include "x86.h"

#define DEBUG_EXIT_PORT 0xF4

void shutdown(void)
{
    /* An empty IDT: the next exception cannot be delivered, nor the #DF
     * that follows, and the CPU shuts down. */
    static const struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } none = {0, 0};
    __asm__ __volatile__("lidt %0\n\tud2" : : "m"(none) : "memory");
    __builtin_unreachable();
}

void debug_exit(uint32_t code)
{
    outl(DEBUG_EXIT_PORT, code);
    guest_fail(FAIL_EXIT_RETURNED);
}

void guest_fail(unsigned code)
{
    if (sev_mode == MODE_SEV_ES || sev_mode == MODE_SNP)
        ghcb_msr_terminate(GUEST_TERM_SET, code);
    outl(DEBUG_EXIT_PORT, code);
    shutdown();
}
