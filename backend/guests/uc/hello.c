/* SPDX-License-Identifier: GPL-2.0-only */
/* hello: one line on the serial port, exit code 0 on port 0xF4. */
#include "guest.h"

int guest_main(void)
{
    serial_puts("hello from an SEV guest\n");
    return 0;
}
