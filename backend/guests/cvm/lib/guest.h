/* SPDX-License-Identifier: MIT */
/*
 * guest.h - the guest library as the programs see it: the exception frame,
 * the console, the ways a guest ends, and the VM's kind.
 */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdint.h>

/* What start.S's exc_common leaves on the stack, lowest address first. */
struct exc_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* The program: called once the IDT is loaded and the VM's kind is known
 * (SEV-ES/SNP: the GHCB is up). Its return value is the debug-exit code. */
int main(void);

/* ---- console (serial.c, printf.c) ---- */
void serial_putc(char c);
void serial_puts(const char *s);
/* %s %c %d %u %x and the l forms %ld %lu %lx, and %%. No widths. */
void printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- ending (exit.c) ---- */
/* The debug-exit port: the VM stops and the runner exits with code & 0x7f. */
__attribute__((noreturn)) void debug_exit(uint32_t code);
/* A failure of the library itself: SEV-ES/SNP ask the hypervisor to
 * terminate (GHCB MSR protocol, reason set GUEST_TERM_SET, exit code
 * 128 + code), others use the debug-exit port with code. No printing:
 * the console may be what failed. */
__attribute__((noreturn)) void guest_fail(unsigned code);

/* Shut the vCPU down (a triple fault): the last resort when the
 * hypervisor ignores an exit or termination request. */
__attribute__((noreturn)) void shutdown(void);

#define GUEST_TERM_SET 3u /* our reason-code set (0 is the GHCB's, 1 Linux's) */
enum guest_fail_code {
    FAIL_VC_NO_GHCB = 0x10,    /* #VC before the GHCB was set up */
    FAIL_VC_DECODE = 0x11,     /* #VC on an instruction vc.c does not emulate */
    FAIL_GHCB_CALL = 0x12,     /* the hypervisor refused or garbled a GHCB event */
    FAIL_REGISTER = 0x14,      /* SNP: GHCB GPA registration refused */
    FAIL_PSC = 0x15,           /* SNP: page-state change refused */
    FAIL_PVALIDATE = 0x16,     /* SNP: PVALIDATE failed */
    FAIL_NESTED = 0x17,        /* an exception while handling one */
    FAIL_EXIT_RETURNED = 0x18, /* the debug-exit port did not stop the VM */
    FAIL_CBIT = 0x19,          /* implausible C-bit, or SNP: it disagrees with the CPUID page */
};

/* Unexpected exceptions print "exception N error E at RIP" and end with
 * this debug-exit code. */
#define EXIT_EXCEPTION 0x7e

/* ---- the VM's kind (sev.c) ---- */
enum sev_mode { MODE_NONE, MODE_SEV, MODE_SEV_ES, MODE_SNP };
extern enum sev_mode sev_mode;
extern uint64_t sev_status; /* MSR 0xC0010131 */
extern uint64_t cbit_mask;  /* 0 without SEV */
const char *sev_mode_name(enum sev_mode m);

/* ---- freestanding string functions (string.c) ---- */
#include <string.h>

#endif
