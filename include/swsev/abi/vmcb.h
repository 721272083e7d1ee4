/* SPDX-License-Identifier: MIT */
/*
 * swsev/abi/vmcb.h - the VMCB control area (APM vol. 2 appendix B,
 * sev-reference 5.1): field offsets, the nested-control and TLB-control
 * bits, and the SVM exit codes the model produces.
 */
#ifndef SWSEV_ABI_VMCB_H
#define SWSEV_ABI_VMCB_H

#include <stdint.h>

#define VMCB_SIZE            4096
#define VMCB_INTERCEPT_CR    0x000
#define VMCB_INTERCEPT_MISC1 0x00C /* bit 18 CPUID, 27 IOIO, 28 MSR, 24 HLT, 14 RDTSC */
#define VMCB_INTERCEPT_MISC2 0x010 /* bit 1 VMMCALL */
#define VMCB_IOPM_BASE       0x040
#define VMCB_MSRPM_BASE      0x048
#define VMCB_TSC_OFFSET      0x050
#define VMCB_ASID            0x058 /* u32 */
#define VMCB_TLB_CONTROL     0x05C /* u8 */
#define VMCB_EXIT_CODE       0x070 /* u64 (EXITCODE lo / hi) */
#define VMCB_EXIT_INFO1      0x078
#define VMCB_EXIT_INFO2      0x080
#define VMCB_EXIT_INT_INFO   0x088
#define VMCB_NESTED_CTL      0x090
#define VMCB_GHCB_GPA        0x0A0
#define VMCB_EVENT_INJ       0x0A8
#define VMCB_N_CR3           0x0B0
#define VMCB_NRIP            0x0C8
#define VMCB_INSN_LEN        0x0D0 /* u8: guest instruction bytes fetched (decode assist) */
#define VMCB_INSN_BYTES      0x0D1 /* up to 15 bytes */
#define VMCB_VMSA_PA         0x108
#define VMCB_SEV_FEATURES    0x140
#define VMCB_SAVE_AREA       0x400 /* the legacy save area (non-ES guests) */

/* VMCB_NESTED_CTL */
/* EVENTINJ (APM vol. 2, 15.20): vector [7:0], type [10:8], EV [11] (an
 * error code in [63:32]), V [31]. */
#define VMCB_EVENTINJ_V       (1ull << 31)
#define VMCB_EVENTINJ_EV      (1ull << 11)
#define VMCB_EVENTINJ_INTR    0u /* external interrupt */
#define VMCB_EVENTINJ_NMI     2u
#define VMCB_EVENTINJ_EXCP    3u /* exception (fault or trap) */
#define VMCB_EVENTINJ_SOFTINT 4u /* software interrupt (INT n) */

#define VMCB_NP_ENABLE     (1ull << 0)
#define VMCB_SEV_ENABLE    (1ull << 1)
#define VMCB_SEV_ES_ENABLE (1ull << 2)

/* Intercept bits (VMCB_INTERCEPT_MISC1 / MISC2). */
#define VMCB_INTERCEPT_RDTSC   (1u << 14)
#define VMCB_INTERCEPT_CPUID   (1u << 18)
#define VMCB_INTERCEPT_HLT     (1u << 24)
#define VMCB_INTERCEPT_IOIO    (1u << 27)
#define VMCB_INTERCEPT_MSR     (1u << 28)
#define VMCB_INTERCEPT_VMMCALL (1u << 1)

/* SVM exit codes. */
#define SVM_EXIT_EXCP_BASE 0x040
#define SVM_EXIT_RDTSC     0x06E
#define SVM_EXIT_CPUID     0x072
#define SVM_EXIT_HLT       0x078
#define SVM_EXIT_IOIO      0x07B
#define SVM_EXIT_MSR       0x07C
#define SVM_EXIT_SHUTDOWN  0x07F
#define SVM_EXIT_VMMCALL   0x081
#define SVM_EXIT_RDTSCP    0x087
#define SVM_EXIT_NPF       0x400
#define SVM_EXIT_VMGEXIT   0x403
/* VMRUN failures (EXITCODE as a signed value). */
#define SVM_EXIT_INVALID       ((uint64_t)-1) /* VMCB or VMSA inconsistent */
#define SVM_EXIT_VMSA_BUSY     ((uint64_t)-2)
#define SVM_EXIT_IDLE_REQUIRED ((uint64_t)-3)

/* #VC (vector 29): its error code is the SVM exit code of the event. */
#define X86_TRAP_UD 6
#define X86_TRAP_GP 13
#define X86_TRAP_PF 14
#define X86_TRAP_VC 29

/* Event injection (VMCB_EVENT_INJ, GHCB return 1): vector[7:0],
 * type[10:8] (3 = exception), EV bit 11, V bit 31, error code [63:32]. */
#define SVM_EVTINJ_VALID      (1u << 31)
#define SVM_EVTINJ_VALID_ERR  (1u << 11)
#define SVM_EVTINJ_TYPE_EXEPT (3u << 8)

#endif
