/* SPDX-License-Identifier: GPL-2.0-only */
/* The guests' runtime (see guest.h). */
#include "guest.h"

extern const uint64_t trap_stubs[32];
extern uint8_t idt[4096];
int (*guest_trap_hook)(struct trap_frame *tf);

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dd = d;
    const uint8_t *ss = s;
    while (n--)
        *dd++ = *ss++;
    return d;
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *dd = d;
    while (n--)
        *dd++ = (uint8_t)c;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return 0;
}

void serial_puts(const char *s)
{
    while (*s)
        outb(SERIAL_PORT, (uint8_t)*s++);
}

void serial_hex(uint64_t v)
{
    char buf[19] = "0x";
    for (int i = 0; i < 16; i++)
        buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
    buf[18] = 0;
    serial_puts(buf);
}

void guest_exit(unsigned code)
{
    outb(EXIT_PORT, (uint8_t)code);
    for (;;)
        __asm__ volatile("hlt");
}

/* Interrupt gates for vectors 0-31, code selector 0x08. */
void idt_init(void);
void idt_init(void)
{
    for (int v = 0; v < 32; v++) {
        uint64_t a = trap_stubs[v];
        uint8_t *g = idt + 16 * v;
        g[0] = (uint8_t)a;
        g[1] = (uint8_t)(a >> 8);
        g[2] = 0x08;
        g[3] = 0;
        g[4] = 0;
        g[5] = 0x8E;
        g[6] = (uint8_t)(a >> 16);
        g[7] = (uint8_t)(a >> 24);
        for (int i = 0; i < 4; i++)
            g[8 + i] = (uint8_t)(a >> (32 + 8 * i));
        for (int i = 12; i < 16; i++)
            g[i] = 0;
    }
}

void guest_trap(struct trap_frame *tf)
{
    if (tf->vector == 29) {
        vc_handle(tf);
        return;
    }
    if (guest_trap_hook && guest_trap_hook(tf))
        return;
    serial_puts("unexpected exception ");
    serial_hex(tf->vector);
    serial_puts(" at ");
    serial_hex(tf->rip);
    serial_puts("\n");
    guest_exit(0x80 + (unsigned)tf->vector);
}
