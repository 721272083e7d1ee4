/* SPDX-License-Identifier: MIT */
/* printf.c - a printf onto the serial console with the conversions the
 * guests use: %s %c %d %u %x, their l forms, and %%. Hex is lower case
 * without leading zeros; the 0x prefix is part of the format string. */
#include <stdarg.h>

#include "guest.h"

static void put_unsigned(uint64_t v, unsigned base)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n)
        serial_putc(buf[--n]);
}

static void put_signed(int64_t v)
{
    if (v < 0) {
        serial_putc('-');
        put_unsigned(-(uint64_t)v, 10);
    } else {
        put_unsigned((uint64_t)v, 10);
    }
}

void printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            serial_putc(*fmt);
            continue;
        }
        int is_long = 0;
        if (fmt[1] == 'l') {
            is_long = 1;
            fmt++;
        }
        switch (*++fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            serial_puts(s ? s : "(null)");
            break;
        }
        case 'c':
            serial_putc((char)va_arg(ap, int));
            break;
        case 'd':
            put_signed(is_long ? va_arg(ap, long) : va_arg(ap, int));
            break;
        case 'u':
            put_unsigned(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10);
            break;
        case 'x':
            put_unsigned(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16);
            break;
        case '%':
            serial_putc('%');
            break;
        case '\0':
            fmt--; /* a lone % at the end: stop at the terminator */
            break;
        default:
            /* Unknown conversion: show it rather than guess its argument. */
            serial_putc('%');
            serial_putc(*fmt);
        }
    }
    va_end(ap);
}
