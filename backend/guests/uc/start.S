/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry of the x86-64 guests: CPL0 in 64-bit mode, no assumption about the
 * segment state the loader left. Loads a flat GDT (reloading CS through a
 * far return and the data segments, which makes the CPU read descriptors
 * from guest memory), an IDT whose vectors 0-31 go to guest_trap() in C,
 * a stack, and calls guest_main(); its return value is the exit code.
 */
    .code64
    .section .text.start, "ax"
    .globl _start
_start:
    cli
    lea     stack_top(%rip), %rsp
    lgdt    gdt_desc(%rip)
    lea     1f(%rip), %rax
    pushq   $0x08
    pushq   %rax
    lretq
1:  mov     $0x10, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    call    idt_init
    lidt    idt_desc(%rip)
    call    guest_main
    mov     %eax, %edi
    call    guest_exit
2:  hlt
    jmp     2b

/* Vectors with an error code: 8, 10-14, 17, 21, 29 (#VC), 30. */
    .macro STUB vec
trap_stub_\vec:
    .if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
    .else
    pushq   $0
    .endif
    pushq   $\vec
    jmp     trap_common
    .endm

    .altmacro
    .set    vec, 0
    .rept   32
    STUB    %vec
    .set    vec, vec + 1
    .endr

/* struct trap_frame (guest.h): r15 ... rax, vector, error code, then the
 * CPU's frame. */
trap_common:
    push    %rax
    push    %rbx
    push    %rcx
    push    %rdx
    push    %rsi
    push    %rdi
    push    %rbp
    push    %r8
    push    %r9
    push    %r10
    push    %r11
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    mov     %rsp, %rdi
    cld
    call    guest_trap
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %r11
    pop     %r10
    pop     %r9
    pop     %r8
    pop     %rbp
    pop     %rdi
    pop     %rsi
    pop     %rdx
    pop     %rcx
    pop     %rbx
    pop     %rax
    add     $16, %rsp
    iretq

    .macro STUBADDR vec
    .quad   trap_stub_\vec
    .endm

    .section .rodata
    .globl  trap_stubs
    .balign 8
trap_stubs:
    .set    vec, 0
    .rept   32
    STUBADDR %vec
    .set    vec, vec + 1
    .endr

    .section .data
    .balign 16
gdt:
    .quad   0
    .quad   0x00AF9B000000FFFF      /* 0x08: 64-bit code, DPL0, accessed */
    .quad   0x00CF93000000FFFF      /* 0x10: data, accessed */
gdt_desc:
    .word   gdt_desc - gdt - 1
    .quad   gdt
    .balign 16
idt_desc:
    .word   4095
    .quad   idt

    .section .bss
    .balign 4096
    .globl  idt
idt:
    .space  4096
stack:
    .space  16384
stack_top:
