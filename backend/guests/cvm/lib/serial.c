/* SPDX-License-Identifier: MIT */
/*
 * serial.c - the console: COM1's transmit register at 0x3F8. Every byte
 * is an OUT (EE), so under SEV-ES/SNP each one is a #VC the handler turns
 * into a GHCB IOIO event; under SEV the hypervisor intercepts it.
 *
 * No polling of the line status register: the model's UART always has an
 * empty transmitter (LSR 0x60), and skipping the IN halves the exits.
 */
#include "guest.h"
#include "x86.h"

#define COM1_THR 0x3F8

void serial_putc(char c)
{
    outb(COM1_THR, (uint8_t)c);
}

void serial_puts(const char *s)
{
    while (*s)
        serial_putc(*s++);
}
