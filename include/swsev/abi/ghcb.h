/* SPDX-License-Identifier: MIT */
/*
 * swsev/abi/ghcb.h - the Guest-Hypervisor Communication Block protocol
 * (AMD pub. 56421, GHCB spec v2; sev-reference section 4): the 4 KiB GHCB
 * page and its valid bitmap, the GHCB MSR protocol, the NAE event exit
 * codes, the SW_EXITINFO1 return convention and error reasons, the page
 * state change descriptor, hypervisor feature bits and termination reasons.
 *
 * Names carry a GHCB_ prefix so that this header can be included next to
 * swsev/abi/vmcb.h (whose SVM_EXIT_* codes are the same numbers).
 */
#ifndef SWSEV_ABI_GHCB_H
#define SWSEV_ABI_GHCB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- the GHCB page (sev-reference 4.1) ---- */

#define GHCB_PAGE_SIZE       4096u
#define GHCB_SHARED_BUF_OFF  0x800u
#define GHCB_SHARED_BUF_SIZE 0x7F0u /* 2032 bytes */

/* The save area: field offsets equal the VMSA offsets of the registers. */
struct ghcb_save_area {
    uint8_t rsvd_0x000[0xCB];
    uint8_t cpl; /* 0x0CB */
    uint8_t rsvd_0x0cc[0x74];
    uint64_t xss; /* 0x140 */
    uint8_t rsvd_0x148[0x18];
    uint64_t dr7; /* 0x160 */
    uint8_t rsvd_0x168[0x10];
    uint64_t rip; /* 0x178 */
    uint8_t rsvd_0x180[0x58];
    uint64_t rsp; /* 0x1D8 */
    uint8_t rsvd_0x1e0[0x18];
    uint64_t rax; /* 0x1F8 */
    uint8_t rsvd_0x200[0x108];
    uint64_t rcx; /* 0x308 */
    uint64_t rdx; /* 0x310 */
    uint64_t rbx; /* 0x318 */
    uint8_t rsvd_0x320[8];
    uint64_t rbp;                                  /* 0x328 */
    uint64_t rsi;                                  /* 0x330 */
    uint64_t rdi;                                  /* 0x338 */
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15; /* 0x340 - 0x378 */
    uint8_t rsvd_0x380[0x10];
    uint64_t sw_exit_code;   /* 0x390 */
    uint64_t sw_exit_info_1; /* 0x398 */
    uint64_t sw_exit_info_2; /* 0x3A0 */
    uint64_t sw_scratch;     /* 0x3A8 */
    uint8_t rsvd_0x3b0[0x38];
    uint64_t xcr0;            /* 0x3E8 */
    uint8_t valid_bitmap[16]; /* 0x3F0: bit n = the qword at 8n is valid */
    uint64_t x87_state_gpa;   /* 0x400 */
};

struct ghcb {
    struct ghcb_save_area save;
    uint8_t rsvd_0x408[GHCB_SHARED_BUF_OFF - sizeof(struct ghcb_save_area)];
    uint8_t shared_buffer[GHCB_SHARED_BUF_SIZE]; /* 0x800 */
    uint8_t rsvd_0xff0[10];
    uint16_t protocol_version; /* 0xFFA: the negotiated version */
    uint32_t ghcb_usage;       /* 0xFFC: 0 = the standard layout */
};

/* Byte offsets of the fields (the valid-bitmap bit is offset / 8). */
#define GHCB_OFF_CPL           0x0CBu
#define GHCB_OFF_XSS           0x140u
#define GHCB_OFF_DR7           0x160u
#define GHCB_OFF_RIP           0x178u
#define GHCB_OFF_RSP           0x1D8u
#define GHCB_OFF_RAX           0x1F8u
#define GHCB_OFF_RCX           0x308u
#define GHCB_OFF_RDX           0x310u
#define GHCB_OFF_RBX           0x318u
#define GHCB_OFF_RBP           0x328u
#define GHCB_OFF_RSI           0x330u
#define GHCB_OFF_RDI           0x338u
#define GHCB_OFF_R8            0x340u
#define GHCB_OFF_R15           0x378u
#define GHCB_OFF_SW_EXIT_CODE  0x390u
#define GHCB_OFF_SW_EXIT_INFO1 0x398u
#define GHCB_OFF_SW_EXIT_INFO2 0x3A0u
#define GHCB_OFF_SW_SCRATCH    0x3A8u
#define GHCB_OFF_XCR0          0x3E8u
#define GHCB_OFF_VALID_BITMAP  0x3F0u
#define GHCB_OFF_X87_STATE     0x400u
#define GHCB_OFF_PROTOCOL_VER  0xFFAu
#define GHCB_OFF_USAGE         0xFFCu

_Static_assert(sizeof(struct ghcb_save_area) == 0x408, "GHCB save area");
_Static_assert(sizeof(struct ghcb) == GHCB_PAGE_SIZE, "GHCB page");
_Static_assert(offsetof(struct ghcb_save_area, cpl) == GHCB_OFF_CPL, "CPL");
_Static_assert(offsetof(struct ghcb_save_area, xss) == GHCB_OFF_XSS, "XSS");
_Static_assert(offsetof(struct ghcb_save_area, dr7) == GHCB_OFF_DR7, "DR7");
_Static_assert(offsetof(struct ghcb_save_area, rip) == GHCB_OFF_RIP, "RIP");
_Static_assert(offsetof(struct ghcb_save_area, rsp) == GHCB_OFF_RSP, "RSP");
_Static_assert(offsetof(struct ghcb_save_area, rax) == GHCB_OFF_RAX, "RAX");
_Static_assert(offsetof(struct ghcb_save_area, rcx) == GHCB_OFF_RCX, "RCX");
_Static_assert(offsetof(struct ghcb_save_area, rdx) == GHCB_OFF_RDX, "RDX");
_Static_assert(offsetof(struct ghcb_save_area, rbx) == GHCB_OFF_RBX, "RBX");
_Static_assert(offsetof(struct ghcb_save_area, rbp) == GHCB_OFF_RBP, "RBP");
_Static_assert(offsetof(struct ghcb_save_area, rsi) == GHCB_OFF_RSI, "RSI");
_Static_assert(offsetof(struct ghcb_save_area, rdi) == GHCB_OFF_RDI, "RDI");
_Static_assert(offsetof(struct ghcb_save_area, r8) == GHCB_OFF_R8, "R8");
_Static_assert(offsetof(struct ghcb_save_area, r15) == GHCB_OFF_R15, "R15");
_Static_assert(offsetof(struct ghcb_save_area, sw_exit_code) == GHCB_OFF_SW_EXIT_CODE, "EXITCODE");
_Static_assert(offsetof(struct ghcb_save_area, sw_exit_info_1) == GHCB_OFF_SW_EXIT_INFO1, "INFO1");
_Static_assert(offsetof(struct ghcb_save_area, sw_exit_info_2) == GHCB_OFF_SW_EXIT_INFO2, "INFO2");
_Static_assert(offsetof(struct ghcb_save_area, sw_scratch) == GHCB_OFF_SW_SCRATCH, "SCRATCH");
_Static_assert(offsetof(struct ghcb_save_area, xcr0) == GHCB_OFF_XCR0, "XCR0");
_Static_assert(offsetof(struct ghcb_save_area, valid_bitmap) == GHCB_OFF_VALID_BITMAP, "bitmap");
_Static_assert(offsetof(struct ghcb_save_area, x87_state_gpa) == GHCB_OFF_X87_STATE, "x87");
_Static_assert(offsetof(struct ghcb, shared_buffer) == GHCB_SHARED_BUF_OFF, "shared buffer");
_Static_assert(offsetof(struct ghcb, protocol_version) == GHCB_OFF_PROTOCOL_VER, "version");
_Static_assert(offsetof(struct ghcb, ghcb_usage) == GHCB_OFF_USAGE, "usage");

/* The valid bitmap: a field is input (or output) only when its bit is set.
 * off is a field's byte offset in the save area (GHCB_OFF_*). */
static inline int ghcb_is_valid(const struct ghcb *g, unsigned off)
{
    unsigned bit = off / 8;
    return (g->save.valid_bitmap[bit / 8] >> (bit % 8)) & 1;
}

static inline void ghcb_mark_valid(struct ghcb *g, unsigned off)
{
    unsigned bit = off / 8;
    g->save.valid_bitmap[bit / 8] |= (uint8_t)(1u << (bit % 8));
}

static inline void ghcb_clear_valid(struct ghcb *g)
{
    memset(g->save.valid_bitmap, 0, sizeof(g->save.valid_bitmap));
}

/* Set a qword field and mark it valid. */
static inline void ghcb_set64(struct ghcb *g, unsigned off, uint64_t v)
{
    memcpy((uint8_t *)g + off, &v, sizeof(v));
    ghcb_mark_valid(g, off);
}

static inline uint64_t ghcb_get64(const struct ghcb *g, unsigned off)
{
    uint64_t v;
    memcpy(&v, (const uint8_t *)g + off, sizeof(v));
    return v;
}

/* ---- protocol versions and usage ---- */

#define GHCB_PROTOCOL_MIN    1u /* SEV-ES */
#define GHCB_PROTOCOL_MAX    2u /* SEV-SNP and the v2 NAE events */
#define GHCB_DEFAULT_USAGE   0u
#define GHCB_SNP_MIN_VERSION 2u

/* ---- the GHCB MSR protocol (MSR 0xC0010130, sev-reference 4.2) ---- */

#define GHCB_MSR_INFO_MASK 0xFFFull /* GHCBInfo: bits [11:0] */
#define GHCB_MSR_INFO(v)   ((v)&GHCB_MSR_INFO_MASK)

#define GHCB_MSR_SEV_INFO_RESP      0x001u
#define GHCB_MSR_SEV_INFO_REQ       0x002u
#define GHCB_MSR_CPUID_REQ          0x004u
#define GHCB_MSR_CPUID_RESP         0x005u
#define GHCB_MSR_AP_RESET_HOLD_REQ  0x006u
#define GHCB_MSR_AP_RESET_HOLD_RESP 0x007u
#define GHCB_MSR_PREF_GPA_REQ       0x010u
#define GHCB_MSR_PREF_GPA_RESP      0x011u
#define GHCB_MSR_REG_GPA_REQ        0x012u
#define GHCB_MSR_REG_GPA_RESP       0x013u
#define GHCB_MSR_PSC_REQ            0x014u
#define GHCB_MSR_PSC_RESP           0x015u
#define GHCB_MSR_VMPL_REQ           0x016u
#define GHCB_MSR_VMPL_RESP          0x017u
#define GHCB_MSR_HV_FT_REQ          0x080u
#define GHCB_MSR_HV_FT_RESP         0x081u
#define GHCB_MSR_TERM_REQ           0x100u

/* SEV information: [63:48] max version, [47:32] min version, [31:24] C-bit. */
static inline uint64_t ghcb_msr_sev_info_resp(uint16_t max, uint16_t min, uint8_t cbit)
{
    return (uint64_t)max << 48 | (uint64_t)min << 32 | (uint64_t)cbit << 24 |
           GHCB_MSR_SEV_INFO_RESP;
}
#define GHCB_MSR_PROTO_MAX(v) ((uint16_t)((v) >> 48))
#define GHCB_MSR_PROTO_MIN(v) ((uint16_t)((v) >> 32))
#define GHCB_MSR_CBIT(v)      ((uint8_t)((v) >> 24))

/* CPUID: request [63:32] function, [31:30] register; response [63:32] value. */
#define GHCB_CPUID_EAX 0u
#define GHCB_CPUID_EBX 1u
#define GHCB_CPUID_ECX 2u
#define GHCB_CPUID_EDX 3u
static inline uint64_t ghcb_msr_cpuid_req(uint32_t fn, unsigned reg)
{
    return (uint64_t)fn << 32 | (uint64_t)(reg & 3) << 30 | GHCB_MSR_CPUID_REQ;
}
#define GHCB_MSR_CPUID_FN(v)  ((uint32_t)((v) >> 32))
#define GHCB_MSR_CPUID_REG(v) ((unsigned)(((v) >> 30) & 3))

/* GPA values in [63:12] (preferred and registered GHCB, AP reset hold). */
#define GHCB_MSR_GFN(v)   ((v) >> 12)
#define GHCB_MSR_GFN_NONE 0xFFFFFFFFFFFFFull /* no preferred GPA / refused */
static inline uint64_t ghcb_msr_gfn(uint64_t gfn, unsigned info)
{
    return gfn << 12 | info;
}

/* Page state change: [55:52] operation, [51:12] GFN; response [63:32] error. */
#define GHCB_MSR_PSC_GFN(v) (((v) >> 12) & ((1ull << 40) - 1))
#define GHCB_MSR_PSC_OP(v)  ((unsigned)(((v) >> 52) & 0xF))
#define GHCB_MSR_PSC_ERROR  (1ull << 63) /* Linux/KVM's generic error response */
static inline uint64_t ghcb_msr_psc_req(uint64_t gfn, unsigned op)
{
    return (uint64_t)(op & 0xF) << 52 | (gfn & ((1ull << 40) - 1)) << 12 | GHCB_MSR_PSC_REQ;
}

/* Run at VMPL: request [39:32] target VMPL; response [63:32] error. */
#define GHCB_MSR_VMPL(v) ((uint8_t)((v) >> 32))
static inline uint64_t ghcb_msr_vmpl_req(uint8_t vmpl)
{
    return (uint64_t)vmpl << 32 | GHCB_MSR_VMPL_REQ;
}

/* Hypervisor features: response [63:12] bitmap. */
#define GHCB_MSR_HV_FT(v) ((v) >> 12)

/* Response values in [63:32] (PSC, VMPL). */
#define GHCB_MSR_RESP_VAL(v) ((uint32_t)((v) >> 32))

/* Termination: [15:12] reason set, [23:16] reason code. */
static inline uint64_t ghcb_msr_term_req(uint8_t set, uint8_t code)
{
    return (uint64_t)code << 16 | (uint64_t)(set & 0xF) << 12 | GHCB_MSR_TERM_REQ;
}
#define GHCB_MSR_TERM_SET(v)  ((uint8_t)(((v) >> 12) & 0xF))
#define GHCB_MSR_TERM_CODE(v) ((uint8_t)((v) >> 16))

/* ---- NAE events: SW_EXITCODE values (sev-reference 4.3) ---- */

#define GHCB_NAE_DR7_READ          0x027ull
#define GHCB_NAE_DR7_WRITE         0x037ull
#define GHCB_NAE_RDTSC             0x06Eull
#define GHCB_NAE_RDPMC             0x06Full
#define GHCB_NAE_CPUID             0x072ull
#define GHCB_NAE_INVD              0x076ull
#define GHCB_NAE_IOIO              0x07Bull
#define GHCB_NAE_MSR               0x07Cull
#define GHCB_NAE_VMMCALL           0x081ull
#define GHCB_NAE_RDTSCP            0x087ull
#define GHCB_NAE_WBINVD            0x089ull
#define GHCB_NAE_MONITOR           0x08Aull
#define GHCB_NAE_MWAIT             0x08Bull
#define GHCB_NAE_MMIO_READ         0x80000001ull
#define GHCB_NAE_MMIO_WRITE        0x80000002ull
#define GHCB_NAE_NMI_COMPLETE      0x80000003ull
#define GHCB_NAE_AP_HLT_LOOP       0x80000004ull
#define GHCB_NAE_AP_JUMP_TABLE     0x80000005ull
#define GHCB_NAE_PSC               0x80000010ull
#define GHCB_NAE_GUEST_REQUEST     0x80000011ull
#define GHCB_NAE_EXT_GUEST_REQUEST 0x80000012ull
#define GHCB_NAE_AP_CREATION       0x80000013ull
#define GHCB_NAE_HV_DOORBELL       0x80000014ull
#define GHCB_NAE_HV_IPI            0x80000015ull
#define GHCB_NAE_GET_APIC_IDS      0x80000017ull
#define GHCB_NAE_RUN_VMPL          0x80000018ull
#define GHCB_NAE_HV_FEATURES       0x8000FFFDull
#define GHCB_NAE_TERM_REQUEST      0x8000FFFEull
#define GHCB_NAE_UNSUPPORTED       0x8000FFFFull

/* IOIO: SW_EXITINFO1 (the SVM IOIO intercept's EXITINFO1). */
#define GHCB_IOIO_TYPE_IN    (1u << 0)
#define GHCB_IOIO_STR        (1u << 2)
#define GHCB_IOIO_REP        (1u << 3)
#define GHCB_IOIO_SZ8        (1u << 4)
#define GHCB_IOIO_SZ16       (1u << 5)
#define GHCB_IOIO_SZ32       (1u << 6)
#define GHCB_IOIO_SZ_MASK    (7u << 4) /* one-hot; as a number it is the size in bytes */
#define GHCB_IOIO_A16        (1u << 7)
#define GHCB_IOIO_A32        (1u << 8)
#define GHCB_IOIO_A64        (1u << 9)
#define GHCB_IOIO_SEG_SHIFT  10 /* [12:10] segment, ES = 0 */
#define GHCB_IOIO_PORT_SHIFT 16
#define GHCB_IOIO_PORT(i)    ((uint16_t)((i) >> GHCB_IOIO_PORT_SHIFT))

/* MSR: SW_EXITINFO1. */
#define GHCB_MSR_READ  0u
#define GHCB_MSR_WRITE 1u

/* AP jump table: SW_EXITINFO1. */
#define GHCB_AP_JUMP_TABLE_SET 0u
#define GHCB_AP_JUMP_TABLE_GET 1u

/* AP creation: SW_EXITINFO1 = APIC ID [63:32] | VMPL [19:16] | request. */
#define GHCB_AP_CREATE_ON_INIT 0u
#define GHCB_AP_CREATE         1u
#define GHCB_AP_DESTROY        2u
#define GHCB_AP_VMPL_SHIFT     16
#define GHCB_AP_VMPL_MASK      (0xFull << GHCB_AP_VMPL_SHIFT)
static inline uint64_t ghcb_ap_info1(uint32_t apic_id, uint8_t vmpl, unsigned request)
{
    return (uint64_t)apic_id << 32 | (uint64_t)(vmpl & 0xF) << GHCB_AP_VMPL_SHIFT | request;
}

/* Termination NAE: SW_EXITINFO1 [3:0] reason set, [11:4] reason code. */
#define GHCB_TERM_INFO1(set, code) ((uint64_t)((set)&0xF) | (uint64_t)((code)&0xFF) << 4)

/* ---- the return convention (SW_EXITINFO1 [31:0] after the exit) ---- */

#define GHCB_RET_OK        0u /* SW_EXITINFO2 holds the event's result, if any */
#define GHCB_RET_EXCEPTION 1u /* SW_EXITINFO2 holds an event to inject */
#define GHCB_RET_ERROR     2u /* SW_EXITINFO2 holds a GHCB_ERR_* reason */

#define GHCB_ERR_NOT_REGISTERED       1u
#define GHCB_ERR_INVALID_USAGE        2u
#define GHCB_ERR_INVALID_SCRATCH_AREA 3u
#define GHCB_ERR_MISSING_INPUT        4u
#define GHCB_ERR_INVALID_INPUT        5u
#define GHCB_ERR_INVALID_EVENT        6u

/* Event injection format of SW_EXITINFO2 with GHCB_RET_EXCEPTION. */
#define GHCB_EVT_VECTOR_MASK 0xFFull
#define GHCB_EVT_TYPE_EXCEPT (3ull << 8)
#define GHCB_EVT_TYPE_MASK   (7ull << 8)
#define GHCB_EVT_VALID_ERR   (1ull << 11)
#define GHCB_EVT_VALID       (1ull << 31)
#define GHCB_EVT_ERR_CODE(v) ((uint32_t)((v) >> 32))
static inline uint64_t ghcb_evt_exception(uint8_t vector, int has_err, uint32_t err)
{
    return vector | GHCB_EVT_TYPE_EXCEPT | GHCB_EVT_VALID |
           (has_err ? GHCB_EVT_VALID_ERR | (uint64_t)err << 32 : 0);
}
#define GHCB_VECTOR_UD 6u
#define GHCB_VECTOR_GP 13u

/* ---- SNP page state change (NAE 0x8000_0010 and the MSR protocol) ---- */

#define GHCB_PSC_OP_PRIVATE 1u
#define GHCB_PSC_OP_SHARED  2u
#define GHCB_PSC_OP_PSMASH  3u
#define GHCB_PSC_OP_UNSMASH 4u

/* The descriptor in the shared buffer: a header and up to 253 entries. */
struct ghcb_psc_hdr {
    uint16_t cur_entry;
    uint16_t end_entry; /* inclusive */
    uint32_t rsvd;
};
_Static_assert(sizeof(struct ghcb_psc_hdr) == 8, "PSC header");
#define GHCB_PSC_MAX_ENTRIES ((GHCB_SHARED_BUF_SIZE - 8u) / 8u) /* 253 */

/* An entry (u64): [11:0] cur_page, [51:12] GFN, [55:52] operation,
 * bit 56 page size (1 = 2 MiB), [63:57] reserved. */
#define GHCB_PSC_CUR_PAGE(e) ((unsigned)((e)&0xFFF))
#define GHCB_PSC_GFN(e)      (((e) >> 12) & ((1ull << 40) - 1))
#define GHCB_PSC_OP(e)       ((unsigned)(((e) >> 52) & 0xF))
#define GHCB_PSC_2M(e)       ((unsigned)(((e) >> 56) & 1))
#define GHCB_PSC_RSVD_MASK   (~0ull << 57)
static inline uint64_t ghcb_psc_entry(uint64_t gfn, unsigned op, int size_2m, unsigned cur_page)
{
    return (cur_page & 0xFFFull) | (gfn & ((1ull << 40) - 1)) << 12 | (uint64_t)(op & 0xF) << 52 |
           (uint64_t)(size_2m ? 1 : 0) << 56;
}

/* SW_EXITINFO2 after a PSC NAE event. */
#define GHCB_PSC_ERR_GENERIC       (0x100ull << 32)
#define GHCB_PSC_ERR_INVALID_HDR   ((1ull << 32) | 1)
#define GHCB_PSC_ERR_INVALID_ENTRY ((1ull << 32) | 2)

/* ---- SNP guest requests: SW_EXITINFO2 = VMM error [63:32] | FW error ---- */

#define GHCB_SNP_VMM_ERR_INVALID_LEN 1u
#define GHCB_SNP_VMM_ERR_BUSY        2u
#define GHCB_SNP_VMM_ERR_GENERIC     0xFFFFFFFFu
#define GHCB_SNP_ERR(vmm, fw)        ((uint64_t)(vmm) << 32 | (uint32_t)(fw))
#define GHCB_SNP_ERR_VMM(v)          ((uint32_t)((v) >> 32))
#define GHCB_SNP_ERR_FW(v)           ((uint32_t)(v))
/* The extended request's certificate table ends with a zeroed entry. */
#define GHCB_CERT_ENTRY_SIZE 24u

/* ---- hypervisor feature bitmap (MSR 0x080 and NAE 0x8000_FFFD) ---- */

#define GHCB_HV_FT_SNP             (1ull << 0)
#define GHCB_HV_FT_SNP_AP_CREATION (1ull << 1)
#define GHCB_HV_FT_SNP_RINJ        (1ull << 2)
#define GHCB_HV_FT_SNP_RINJ_TIMER  (1ull << 3)
#define GHCB_HV_FT_APIC_ID_LIST    (1ull << 4)
#define GHCB_HV_FT_SNP_MULTI_VMPL  (1ull << 5)

/* ---- termination reasons ---- */

#define GHCB_TERM_SET_GHCB 0u /* GHCB-defined reasons */
#define GHCB_TERM_GENERAL  0u
#define GHCB_TERM_PROTOCOL 1u /* protocol version not supported */
#define GHCB_TERM_SNP_FEAT 2u /* SNP features not supported */

#define GHCB_TERM_SET_LINUX          1u /* Linux-specific reasons */
#define GHCB_TERM_LINUX_REGISTER     0u
#define GHCB_TERM_LINUX_PSC          1u
#define GHCB_TERM_LINUX_PVALIDATE    2u
#define GHCB_TERM_LINUX_NOT_VMPL0    3u
#define GHCB_TERM_LINUX_CPUID        4u
#define GHCB_TERM_LINUX_CPUID_HV     5u
#define GHCB_TERM_LINUX_SECRETS_PAGE 6u
#define GHCB_TERM_LINUX_NO_SVSM      7u
#define GHCB_TERM_LINUX_SVSM_VMPL0   8u
#define GHCB_TERM_LINUX_SVSM_CAA     9u

/* KVM_EXIT_SYSTEM_EVENT type for a GHCB termination request. */
#define GHCB_KVM_SYSTEM_EVENT_SEV_TERM 6u

#endif
