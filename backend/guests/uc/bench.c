/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench: the workloads of swsev-uc-bench, each between two writes to port
 * 0x80 (the host times them): an ALU loop, a load loop and a store loop
 * over 1 MiB, memcpy-like copying, and 10000 OUT round trips. The
 * iteration counts come from the host through port 0x81 (IN).
 */
#include "guest.h"

static uint64_t data[1 << 17] __attribute__((aligned(4096))); /* 1 MiB */

static void mark(uint8_t phase)
{
    outb(0x80, phase);
}

int guest_main(void)
{
    uint32_t n = inl(0x81);
    uint64_t acc = 1;
    mark(1);
    for (uint32_t i = 0; i < n; i++) {
        __asm__ volatile("" : "+r"(acc));
        acc = acc * 3 + i;
        acc ^= acc >> 7;
    }
    mark(2);
    for (unsigned i = 0; i < sizeof(data) / 8; i++)
        data[i] = i;
    mark(3);
    uint32_t rounds = inl(0x81);
    mark(4);
    for (uint32_t r = 0; r < rounds; r++)
        for (unsigned i = 0; i < sizeof(data) / 8; i++)
            acc += ((volatile uint64_t *)data)[i];
    mark(5);
    for (uint32_t r = 0; r < rounds; r++)
        for (unsigned i = 0; i < sizeof(data) / 8; i++)
            ((volatile uint64_t *)data)[i] = i + r;
    mark(6);
    for (uint32_t r = 0; r < rounds; r++)
        memcpy((uint8_t *)data + sizeof(data) / 2, data, sizeof(data) / 2);
    mark(7);
    for (int i = 0; i < 10000; i++)
        outb(0x82, (uint8_t)i);
    mark(8);
    return (int)(acc & 1) * 0;
}
