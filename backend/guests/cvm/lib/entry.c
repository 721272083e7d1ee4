/* SPDX-License-Identifier: MIT */
/* entry.c - from start.S to main: exceptions first (so that anything
 * going wrong later is reported), then the VM's kind and the GHCB. */
#include "guest.h"

void idt_init(void);    /* idt.c */
void sev_init(void);    /* sev.c */
void guest_entry(void); /* called by start.S */

void guest_entry(void)
{
    idt_init();
    sev_init();
    debug_exit((uint32_t)main());
}
