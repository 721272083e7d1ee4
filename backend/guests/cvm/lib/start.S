/* SPDX-License-Identifier: MIT */
/*
 * start.S - the guests' entry point, their GDT and the exception stubs.
 *
 * The runner enters _start in 64-bit mode at CPL0 with paging on, but the
 * CS selector it leaves behind refers to no descriptor the guest owns, so
 * the first thing done is a GDT of our own and a far return into it (see
 * docs/x86-guests.md, "Boot contract").
 */

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define STACK_SIZE 16384

    .code64

    .section .text.start, "ax"
    .globl _start
_start:
    /* Every GPR is 0 at entry, RSP included: the far return below pushes,
     * so the stack comes first (segments play no part in 64-bit stack
     * addressing, so this is safe before SS is reloaded). */
    lea     boot_stack_top(%rip), %rsp
    lgdt    gdt_ptr(%rip)
    pushq   $KERNEL_CS
    lea     1f(%rip), %rax
    pushq   %rax
    lretq
1:  mov     $KERNEL_DS, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    mov     %eax, %fs
    mov     %eax, %gs
    xor     %eax, %eax
    /* The C side builds and loads the IDT, then runs the program. */
    call    guest_entry
2:  hlt
    jmp     2b

/*
 * Exception stubs, one per vector 0-31. Each pushes a dummy error code
 * where the CPU pushes none (so every frame has the same shape), then the
 * vector, and joins the common path, which saves the GPRs as struct
 * exc_frame (guest.h) and calls exc_dispatch(frame). The handler may
 * change the saved registers (the #VC handler writes RAX-RDX and moves
 * RIP past the instruction it emulated); IRETQ resumes with them.
 */
    .macro  STUB vec, has_err
    .balign 16
exc_stub_\vec:
    .if \has_err == 0
    pushq   $0
    .endif
    pushq   $\vec
    jmp     exc_common
    .endm

    .text
    /* Error codes: #DF 8, #TS 10, #NP 11, #SS 12, #GP 13, #PF 14, #AC 17,
     * #CP 21, #VC 29, #SX 30, as the architecture pushes them. */
    STUB 0, 0
    STUB 1, 0
    STUB 2, 0
    STUB 3, 0
    STUB 4, 0
    STUB 5, 0
    STUB 6, 0
    STUB 7, 0
    STUB 8, 1
    STUB 9, 0
    STUB 10, 1
    STUB 11, 1
    STUB 12, 1
    STUB 13, 1
    STUB 14, 1
    STUB 15, 0
    STUB 16, 0
    STUB 17, 1
    STUB 18, 0
    STUB 19, 0
    STUB 20, 0
    STUB 21, 1
    STUB 22, 0
    STUB 23, 0
    STUB 24, 0
    STUB 25, 0
    STUB 26, 0
    STUB 27, 0
    STUB 28, 0
    STUB 29, 1
    STUB 30, 1
    STUB 31, 0

exc_common:
    pushq   %rax
    pushq   %rbx
    pushq   %rcx
    pushq   %rdx
    pushq   %rsi
    pushq   %rdi
    pushq   %rbp
    pushq   %r8
    pushq   %r9
    pushq   %r10
    pushq   %r11
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    mov     %rsp, %rdi
    /* The CPU aligns RSP to 16 before pushing the frame, which leaves it
     * aligned here; realign anyway so a backend that does not still gives
     * the C code the ABI's alignment. RBX is callee-saved. */
    mov     %rsp, %rbx
    and     $-16, %rsp
    cld
    call    exc_dispatch
    mov     %rbx, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %r11
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rbp
    popq    %rdi
    popq    %rsi
    popq    %rdx
    popq    %rcx
    popq    %rbx
    popq    %rax
    add     $16, %rsp           /* vector and error code */
    iretq

    .section .rodata
    .balign 8
    .globl  exc_stubs
exc_stubs:
    .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad   exc_stub_\v
    .endr

    /* Flat segments; the accessed bits are preset so that loading a
     * selector never makes the CPU write to this read-only table. */
    .balign 16
gdt:
    .quad   0                       /* null */
    .quad   0x00af9b000000ffff      /* 0x08: code, 64-bit (L=1), DPL0 */
    .quad   0x00cf93000000ffff      /* 0x10: data, writable, DPL0 */
gdt_end:
    .balign 8
gdt_ptr:
    .word   gdt_end - gdt - 1
    .quad   gdt

    .section .bss.stack, "aw", @nobits
    .balign 16
boot_stack:
    .skip   STACK_SIZE
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
