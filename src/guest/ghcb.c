/* SPDX-License-Identifier: MIT */
/*
 * The guest's GHCB client (see ghcb.h): what Linux's arch/x86/coco/sev
 * (sev-shared.c, core.c) does, in the same order and with the same checks
 * of the hypervisor's answers - the hypervisor is not trusted to answer
 * sensibly, so every response code, valid bit and progress indicator is
 * looked at before it is used.
 */
#include <errno.h>
#include <string.h>

#include "guest/ghcb.h"

#define PAGE_4K 0x1000ull
#define ERR_IO  SWSEV_HV_ERR(SWSEV_E_IO)

swsev_rc ghcb_client_init(struct ghcb_client *c, struct memsys *ms, const struct hw_guest_ctx *cpu,
                          uint64_t ghcb_gpa, ghcb_vmgexit_fn vmgexit, void *ctx)
{
    memset(c, 0, sizeof(*c));
    if (!ms || !cpu || !vmgexit)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    c->cbit_mask = memsys_cbit_mask(ms);
    if ((ghcb_gpa & ~c->cbit_mask) & (PAGE_4K - 1))
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    c->ms = ms;
    c->cpu = cpu;
    c->ghcb_gpa = ghcb_gpa;
    c->vmgexit = vmgexit;
    c->vmgexit_ctx = ctx;
    c->version = GHCB_PROTOCOL_MAX;
    return SWSEV_OK;
}

void ghcb_set_pvalidate(struct ghcb_client *c, ghcb_pvalidate_fn fn, void *ctx)
{
    c->pvalidate = fn;
    c->pvalidate_ctx = ctx;
}

static uint64_t plain_gpa(const struct ghcb_client *c)
{
    return c->ghcb_gpa & ~c->cbit_mask;
}

static swsev_rc bad_response(struct ghcb_client *c)
{
    c->last.outcome = GHCB_OUT_BAD_RESPONSE;
    return ERR_IO;
}

/* ---- the MSR protocol ---- */

uint64_t ghcb_msr_exit(struct ghcb_client *c, uint64_t msr)
{
    memset(&c->last, 0, sizeof(c->last));
    c->last.msr = c->vmgexit(c->vmgexit_ctx, msr);
    return c->last.msr;
}

/* One request whose answer must carry response code resp. */
static swsev_rc msr_call(struct ghcb_client *c, uint64_t req, unsigned resp, uint64_t *val)
{
    *val = ghcb_msr_exit(c, req);
    return GHCB_MSR_INFO(*val) == resp ? SWSEV_OK : bad_response(c);
}

swsev_rc ghcb_msr_sev_info(struct ghcb_client *c, uint16_t *max, uint16_t *min, uint8_t *cbit)
{
    uint64_t v;
    swsev_rc rc = msr_call(c, GHCB_MSR_SEV_INFO_REQ, GHCB_MSR_SEV_INFO_RESP, &v);
    if (rc)
        return rc;
    *max = GHCB_MSR_PROTO_MAX(v);
    *min = GHCB_MSR_PROTO_MIN(v);
    *cbit = GHCB_MSR_CBIT(v);
    return SWSEV_OK;
}

swsev_rc ghcb_negotiate(struct ghcb_client *c)
{
    uint16_t max, min;
    uint8_t cbit;
    swsev_rc rc = ghcb_msr_sev_info(c, &max, &min, &cbit);
    if (rc)
        return rc;
    if (max < GHCB_PROTOCOL_MIN || min > GHCB_PROTOCOL_MAX || min > max)
        return SWSEV_HV_ERR(SWSEV_E_UNSUPPORTED);
    uint16_t v = max < GHCB_PROTOCOL_MAX ? max : GHCB_PROTOCOL_MAX;
    if (c->cpu->snp && v < GHCB_SNP_MIN_VERSION)
        return SWSEV_HV_ERR(SWSEV_E_UNSUPPORTED);
    c->version = v;
    c->cbit = cbit;
    return SWSEV_OK;
}

swsev_rc ghcb_msr_cpuid(struct ghcb_client *c, uint32_t fn, uint32_t regs[4])
{
    for (unsigned r = 0; r < 4; r++) {
        uint64_t v;
        swsev_rc rc = msr_call(c, ghcb_msr_cpuid_req(fn, r), GHCB_MSR_CPUID_RESP, &v);
        if (rc)
            return rc;
        regs[r] = (uint32_t)(v >> 32);
    }
    return SWSEV_OK;
}

swsev_rc ghcb_msr_pref_gpa(struct ghcb_client *c, uint64_t *gpa)
{
    uint64_t v;
    swsev_rc rc = msr_call(c, GHCB_MSR_PREF_GPA_REQ, GHCB_MSR_PREF_GPA_RESP, &v);
    if (!rc)
        *gpa = GHCB_MSR_GFN(v) << 12;
    return rc;
}

swsev_rc ghcb_msr_register(struct ghcb_client *c)
{
    uint64_t gfn = plain_gpa(c) >> 12, v;
    swsev_rc rc = msr_call(c, ghcb_msr_gfn(gfn, GHCB_MSR_REG_GPA_REQ), GHCB_MSR_REG_GPA_RESP, &v);
    if (!rc && GHCB_MSR_GFN(v) != gfn)
        rc = bad_response(c); /* refused: Linux terminates (GHCB_TERM_REGISTER) */
    return rc;
}

swsev_rc ghcb_msr_psc(struct ghcb_client *c, uint64_t gpa, unsigned op)
{
    uint64_t v;
    swsev_rc rc = msr_call(c, ghcb_msr_psc_req(gpa >> 12, op), GHCB_MSR_PSC_RESP, &v);
    if (!rc && GHCB_MSR_RESP_VAL(v))
        rc = bad_response(c);
    return rc;
}

/* PVALIDATE one 4 KiB page. CF = 1 (nothing changed) is a failure too:
 * validating a page twice is how a hypervisor replays memory. */
static swsev_rc pvalidate(struct ghcb_client *c, uint64_t gpa, bool validate)
{
    if (!c->pvalidate)
        return SWSEV_OK; /* no vCPU behind this client: the hypervisor alone is tested */
    bool no_update = false;
    int r = c->pvalidate(c->pvalidate_ctx, gpa, false, validate, &no_update);
    return r == RMP_SUCCESS && !no_update ? SWSEV_OK : SWSEV_HW_ERR(SWSEV_HW_INVAL);
}

swsev_rc ghcb_msr_page_state(struct ghcb_client *c, uint64_t gpa, bool private_)
{
    swsev_rc rc = SWSEV_OK;
    if (!private_)
        rc = pvalidate(c, gpa, false);
    if (!rc)
        rc = ghcb_msr_psc(c, gpa, private_ ? GHCB_PSC_OP_PRIVATE : GHCB_PSC_OP_SHARED);
    if (!rc && private_)
        rc = pvalidate(c, gpa, true);
    return rc;
}

swsev_rc ghcb_msr_hv_features(struct ghcb_client *c, uint64_t *features)
{
    uint64_t v;
    swsev_rc rc = msr_call(c, GHCB_MSR_HV_FT_REQ, GHCB_MSR_HV_FT_RESP, &v);
    if (!rc)
        *features = c->hv_features = GHCB_MSR_HV_FT(v);
    return rc;
}

swsev_rc ghcb_msr_ap_reset_hold(struct ghcb_client *c, bool *released)
{
    uint64_t v;
    swsev_rc rc = msr_call(c, GHCB_MSR_AP_RESET_HOLD_REQ, GHCB_MSR_AP_RESET_HOLD_RESP, &v);
    *released = !rc && GHCB_MSR_GFN(v) != 0;
    return rc;
}

swsev_rc ghcb_msr_run_vmpl(struct ghcb_client *c, uint8_t vmpl)
{
    uint64_t v;
    swsev_rc rc = msr_call(c, ghcb_msr_vmpl_req(vmpl), GHCB_MSR_VMPL_RESP, &v);
    if (!rc && GHCB_MSR_RESP_VAL(v))
        rc = bad_response(c);
    return rc;
}

void ghcb_msr_terminate(struct ghcb_client *c, uint8_t reason_set, uint8_t reason_code)
{
    ghcb_msr_exit(c, ghcb_msr_term_req(reason_set, reason_code));
}

/* ---- the page protocol ---- */

void ghcb_invalidate(struct ghcb_client *c)
{
    c->page.save.sw_exit_code = 0;
    ghcb_clear_valid(&c->page);
}

void ghcb_release(struct ghcb_client *c)
{
    static const uint8_t zero[16];
    ghcb_invalidate(c);
    memsys_guest_phys_write(c->ms, c->cpu, c->ghcb_gpa + GHCB_OFF_SW_EXIT_CODE, zero, 8, &c->fault);
    memsys_guest_phys_write(c->ms, c->cpu, c->ghcb_gpa + GHCB_OFF_VALID_BITMAP, zero, 16,
                            &c->fault);
}

/* Every helper ends here: outputs taken, the GHCB released. */
static swsev_rc put(struct ghcb_client *c, swsev_rc rc)
{
    ghcb_release(c);
    return rc;
}

void ghcb_set(struct ghcb_client *c, unsigned off, uint64_t value)
{
    if (off == GHCB_OFF_CPL) {
        c->page.save.cpl = (uint8_t)value;
        ghcb_mark_valid(&c->page, off);
    } else {
        ghcb_set64(&c->page, off, value);
    }
}

bool ghcb_valid(const struct ghcb_client *c, unsigned off)
{
    return ghcb_is_valid(&c->page, off);
}

uint64_t ghcb_get(const struct ghcb_client *c, unsigned off)
{
    return off == GHCB_OFF_CPL ? c->page.save.cpl : ghcb_get64(&c->page, off);
}

uint64_t ghcb_shared_gpa(const struct ghcb_client *c)
{
    return plain_gpa(c) + GHCB_SHARED_BUF_OFF;
}

swsev_rc ghcb_call(struct ghcb_client *c, uint64_t exit_code, uint64_t info1, uint64_t info2)
{
    memset(&c->last, 0, sizeof(c->last));
    c->page.protocol_version = c->version;
    c->page.ghcb_usage = GHCB_DEFAULT_USAGE;
    ghcb_set64(&c->page, GHCB_OFF_SW_EXIT_CODE, exit_code);
    ghcb_set64(&c->page, GHCB_OFF_SW_EXIT_INFO1, info1);
    ghcb_set64(&c->page, GHCB_OFF_SW_EXIT_INFO2, info2);
    swsev_rc rc =
        memsys_guest_phys_write(c->ms, c->cpu, c->ghcb_gpa, &c->page, sizeof(c->page), &c->fault);
    if (rc)
        return rc;
    c->last.msr = c->vmgexit(c->vmgexit_ctx, plain_gpa(c));
    rc = memsys_guest_phys_read(c->ms, c->cpu, c->ghcb_gpa, &c->page, sizeof(c->page), &c->fault);
    if (rc)
        return rc;
    uint64_t i1 = c->page.save.sw_exit_info_1, i2 = c->page.save.sw_exit_info_2;
    c->last.info1 = i1;
    c->last.info2 = i2;
    switch ((uint32_t)i1) {
    case GHCB_RET_OK:
        return SWSEV_OK;
    case GHCB_RET_EXCEPTION: {
        /* Only #GP and #UD make sense for the events a guest exits with;
         * anything else is the hypervisor misbehaving (Linux likewise). */
        uint8_t v = (uint8_t)(i2 & GHCB_EVT_VECTOR_MASK);
        if ((i2 & GHCB_EVT_VALID) && (i2 & GHCB_EVT_TYPE_MASK) == GHCB_EVT_TYPE_EXCEPT &&
            (v == GHCB_VECTOR_GP || v == GHCB_VECTOR_UD)) {
            c->last.outcome = GHCB_OUT_EXCEPTION;
            c->last.vector = v;
            c->last.has_error_code = (i2 & GHCB_EVT_VALID_ERR) != 0;
            c->last.error_code = c->last.has_error_code ? GHCB_EVT_ERR_CODE(i2) : 0;
            return ERR_IO;
        }
        break;
    }
    default:
        break;
    }
    c->last.outcome = GHCB_OUT_VMM_ERROR;
    return ERR_IO;
}

/* Outputs the hypervisor must have marked valid. */
static swsev_rc outputs(struct ghcb_client *c, const unsigned *offs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!ghcb_valid(c, offs[i]))
            return bad_response(c);
    return SWSEV_OK;
}
#define OUTPUTS(c, ...)                                                                            \
    outputs((c), (const unsigned[]){__VA_ARGS__},                                                  \
            sizeof((const unsigned[]){__VA_ARGS__}) / sizeof(unsigned))

static bool io_size_ok(uint8_t size)
{
    return size == 1 || size == 2 || size == 4;
}

/* SW_EXITINFO1 for an I/O instruction as Linux's vc_ioio_exitinfo builds
 * it: 64-bit addressing, DS for OUTS, ES for INS, REP for the strings. */
static uint64_t ioio_info(uint16_t port, uint8_t size, bool in, bool string)
{
    uint64_t i = (uint64_t)port << GHCB_IOIO_PORT_SHIFT | (uint64_t)size << 4 | GHCB_IOIO_A64;
    if (in)
        i |= GHCB_IOIO_TYPE_IN;
    if (string)
        i |= GHCB_IOIO_STR | GHCB_IOIO_REP | (in ? 0 : 3u << GHCB_IOIO_SEG_SHIFT);
    return i;
}

swsev_rc ghcb_io_out(struct ghcb_client *c, uint16_t port, uint8_t size, uint32_t val)
{
    if (!io_size_ok(size))
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    ghcb_invalidate(c);
    uint64_t mask = size == 4 ? 0xFFFFFFFFull : (1ull << (8 * size)) - 1;
    ghcb_set(c, GHCB_OFF_RAX, val & mask);
    return put(c, ghcb_call(c, GHCB_NAE_IOIO, ioio_info(port, size, false, false), 0));
}

swsev_rc ghcb_io_in(struct ghcb_client *c, uint16_t port, uint8_t size, uint32_t *val)
{
    if (!io_size_ok(size))
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    ghcb_invalidate(c);
    ghcb_set(c, GHCB_OFF_RAX, 0);
    swsev_rc rc = ghcb_call(c, GHCB_NAE_IOIO, ioio_info(port, size, true, false), 0);
    if (!rc)
        rc = OUTPUTS(c, GHCB_OFF_RAX);
    if (!rc) {
        uint64_t mask = size == 4 ? 0xFFFFFFFFull : (1ull << (8 * size)) - 1;
        *val = (uint32_t)(c->page.save.rax & mask);
    }
    return put(c, rc);
}

/* REP INS/OUTS: as many elements per exit as the shared buffer holds. */
static swsev_rc io_string(struct ghcb_client *c, uint16_t port, uint8_t size, bool in,
                          uint8_t *data, uint32_t count)
{
    if (!io_size_ok(size))
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    uint32_t per_exit = GHCB_SHARED_BUF_SIZE / size;
    while (count) {
        uint32_t n = count < per_exit ? count : per_exit;
        ghcb_invalidate(c);
        if (!in)
            memcpy(c->page.shared_buffer, data, (size_t)n * size);
        ghcb_set(c, GHCB_OFF_SW_SCRATCH, ghcb_shared_gpa(c));
        swsev_rc rc = ghcb_call(c, GHCB_NAE_IOIO, ioio_info(port, size, in, true), n);
        if (rc)
            return put(c, rc);
        if (in)
            memcpy(data, c->page.shared_buffer, (size_t)n * size);
        data += (size_t)n * size;
        count -= n;
    }
    return put(c, SWSEV_OK);
}

swsev_rc ghcb_io_outs(struct ghcb_client *c, uint16_t port, uint8_t size, const void *data,
                      uint32_t count)
{
    return io_string(c, port, size, false, (uint8_t *)(uintptr_t)data, count);
}

swsev_rc ghcb_io_ins(struct ghcb_client *c, uint16_t port, uint8_t size, void *data, uint32_t count)
{
    return io_string(c, port, size, true, data, count);
}

static swsev_rc mmio(struct ghcb_client *c, uint64_t gpa, uint8_t *buf, uint32_t len, bool write)
{
    if (len == 0 || len > 8)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    ghcb_invalidate(c);
    if (write)
        memcpy(c->page.shared_buffer, buf, len);
    ghcb_set(c, GHCB_OFF_SW_SCRATCH, ghcb_shared_gpa(c));
    swsev_rc rc =
        ghcb_call(c, write ? GHCB_NAE_MMIO_WRITE : GHCB_NAE_MMIO_READ, gpa & ~c->cbit_mask, len);
    if (!rc && !write)
        memcpy(buf, c->page.shared_buffer, len);
    return put(c, rc);
}

swsev_rc ghcb_mmio_read(struct ghcb_client *c, uint64_t gpa, void *buf, uint32_t len)
{
    return mmio(c, gpa, buf, len, false);
}

swsev_rc ghcb_mmio_write(struct ghcb_client *c, uint64_t gpa, const void *buf, uint32_t len)
{
    return mmio(c, gpa, (uint8_t *)(uintptr_t)buf, len, true);
}

swsev_rc ghcb_cpuid(struct ghcb_client *c, uint32_t leaf, uint32_t subleaf, uint64_t xcr0,
                    uint32_t regs[4])
{
    ghcb_invalidate(c);
    ghcb_set(c, GHCB_OFF_RAX, leaf);
    ghcb_set(c, GHCB_OFF_RCX, subleaf);
    ghcb_set(c, GHCB_OFF_XCR0, xcr0);
    swsev_rc rc = ghcb_call(c, GHCB_NAE_CPUID, 0, 0);
    if (!rc)
        rc = OUTPUTS(c, GHCB_OFF_RAX, GHCB_OFF_RBX, GHCB_OFF_RCX, GHCB_OFF_RDX);
    if (!rc) {
        regs[0] = (uint32_t)c->page.save.rax;
        regs[1] = (uint32_t)c->page.save.rbx;
        regs[2] = (uint32_t)c->page.save.rcx;
        regs[3] = (uint32_t)c->page.save.rdx;
    }
    return put(c, rc);
}

swsev_rc ghcb_rdmsr(struct ghcb_client *c, uint32_t msr, uint64_t *val)
{
    ghcb_invalidate(c);
    ghcb_set(c, GHCB_OFF_RCX, msr);
    swsev_rc rc = ghcb_call(c, GHCB_NAE_MSR, GHCB_MSR_READ, 0);
    if (!rc)
        rc = OUTPUTS(c, GHCB_OFF_RAX, GHCB_OFF_RDX);
    if (!rc)
        *val = c->page.save.rdx << 32 | (uint32_t)c->page.save.rax;
    return put(c, rc);
}

swsev_rc ghcb_wrmsr(struct ghcb_client *c, uint32_t msr, uint64_t val)
{
    ghcb_invalidate(c);
    ghcb_set(c, GHCB_OFF_RCX, msr);
    ghcb_set(c, GHCB_OFF_RAX, (uint32_t)val);
    ghcb_set(c, GHCB_OFF_RDX, val >> 32);
    return put(c, ghcb_call(c, GHCB_NAE_MSR, GHCB_MSR_WRITE, 0));
}

swsev_rc ghcb_rdtsc(struct ghcb_client *c, uint64_t *tsc)
{
    ghcb_invalidate(c);
    swsev_rc rc = ghcb_call(c, GHCB_NAE_RDTSC, 0, 0);
    if (!rc)
        rc = OUTPUTS(c, GHCB_OFF_RAX, GHCB_OFF_RDX);
    if (!rc)
        *tsc = c->page.save.rdx << 32 | (uint32_t)c->page.save.rax;
    return put(c, rc);
}

swsev_rc ghcb_rdtscp(struct ghcb_client *c, uint64_t *tsc, uint32_t *aux)
{
    ghcb_invalidate(c);
    swsev_rc rc = ghcb_call(c, GHCB_NAE_RDTSCP, 0, 0);
    if (!rc)
        rc = OUTPUTS(c, GHCB_OFF_RAX, GHCB_OFF_RCX, GHCB_OFF_RDX);
    if (!rc) {
        *tsc = c->page.save.rdx << 32 | (uint32_t)c->page.save.rax;
        *aux = (uint32_t)c->page.save.rcx;
    }
    return put(c, rc);
}

swsev_rc ghcb_vmmcall(struct ghcb_client *c, uint64_t nr, const uint64_t a[4], uint64_t *ret)
{
    ghcb_invalidate(c);
    ghcb_set(c, GHCB_OFF_RAX, nr);
    ghcb_set(c, GHCB_OFF_CPL, c->cpu->cpl);
    if (a) {
        ghcb_set(c, GHCB_OFF_RBX, a[0]);
        ghcb_set(c, GHCB_OFF_RCX, a[1]);
        ghcb_set(c, GHCB_OFF_RDX, a[2]);
        ghcb_set(c, GHCB_OFF_RSI, a[3]);
    }
    swsev_rc rc = ghcb_call(c, GHCB_NAE_VMMCALL, 0, 0);
    if (!rc)
        rc = OUTPUTS(c, GHCB_OFF_RAX);
    if (!rc)
        *ret = c->page.save.rax;
    return put(c, rc);
}

swsev_rc ghcb_ap_hlt(struct ghcb_client *c, bool *woken)
{
    ghcb_invalidate(c);
    swsev_rc rc = ghcb_call(c, GHCB_NAE_AP_HLT_LOOP, 0, 0);
    *woken = !rc && ghcb_valid(c, GHCB_OFF_SW_EXIT_INFO2) && c->page.save.sw_exit_info_2;
    return put(c, rc);
}

swsev_rc ghcb_ap_hlt_loop(struct ghcb_client *c, unsigned max_exits, bool *woken)
{
    *woken = false;
    for (unsigned i = 0; i < max_exits && !*woken; i++) {
        swsev_rc rc = ghcb_ap_hlt(c, woken);
        if (rc)
            return rc;
    }
    return SWSEV_OK;
}

swsev_rc ghcb_ap_jump_table_set(struct ghcb_client *c, uint64_t gpa)
{
    ghcb_invalidate(c);
    return put(c, ghcb_call(c, GHCB_NAE_AP_JUMP_TABLE, GHCB_AP_JUMP_TABLE_SET, gpa));
}

swsev_rc ghcb_ap_jump_table_get(struct ghcb_client *c, uint64_t *gpa)
{
    ghcb_invalidate(c);
    swsev_rc rc = ghcb_call(c, GHCB_NAE_AP_JUMP_TABLE, GHCB_AP_JUMP_TABLE_GET, 0);
    if (!rc)
        rc = OUTPUTS(c, GHCB_OFF_SW_EXIT_INFO1, GHCB_OFF_SW_EXIT_INFO2);
    if (!rc)
        *gpa = c->page.save.sw_exit_info_2;
    return put(c, rc);
}

swsev_rc ghcb_hv_features(struct ghcb_client *c, uint64_t *features)
{
    ghcb_invalidate(c);
    swsev_rc rc = ghcb_call(c, GHCB_NAE_HV_FEATURES, 0, 0);
    if (!rc)
        rc = OUTPUTS(c, GHCB_OFF_SW_EXIT_INFO2);
    if (!rc)
        *features = c->hv_features = c->page.save.sw_exit_info_2;
    return put(c, rc);
}

swsev_rc ghcb_terminate(struct ghcb_client *c, uint8_t reason_set, uint8_t reason_code)
{
    ghcb_invalidate(c);
    return put(c, ghcb_call(c, GHCB_NAE_TERM_REQUEST, GHCB_TERM_INFO1(reason_set, reason_code), 0));
}

/* ---- SNP ---- */

/* One descriptor of at most GHCB_PSC_MAX_ENTRIES entries, re-sent until
 * the hypervisor has worked through it (Linux's vmgexit_psc). */
static swsev_rc psc_batch(struct ghcb_client *c, const uint64_t *entries, unsigned n,
                          uint64_t *psc_error)
{
    uint8_t desc[GHCB_SHARED_BUF_SIZE];
    struct ghcb_psc_hdr h = {0, (uint16_t)(n - 1), 0};
    memcpy(desc, &h, sizeof(h));
    memcpy(desc + sizeof(h), entries, 8u * n);
    size_t len = sizeof(h) + 8u * n;
    /* Each exit must make progress; a hypervisor that answers success
     * without moving would otherwise keep the guest here forever. */
    for (;;) {
        ghcb_invalidate(c);
        memcpy(c->page.shared_buffer, desc, len);
        ghcb_set(c, GHCB_OFF_SW_SCRATCH, ghcb_shared_gpa(c));
        swsev_rc rc = ghcb_call(c, GHCB_NAE_PSC, 0, 0);
        if (rc)
            return put(c, rc);
        if (c->page.save.sw_exit_info_2) {
            *psc_error = c->page.save.sw_exit_info_2;
            c->last.outcome = GHCB_OUT_VMM_ERROR;
            return put(c, ERR_IO);
        }
        struct ghcb_psc_hdr nh;
        memcpy(&nh, c->page.shared_buffer, sizeof(nh));
        if (nh.rsvd || nh.end_entry != h.end_entry || nh.cur_entry < h.cur_entry)
            return put(c, bad_response(c)); /* going backwards: the hypervisor tricks us */
        if (nh.cur_entry > nh.end_entry)
            return put(c, SWSEV_OK);
        if (!memcmp(desc, c->page.shared_buffer, len))
            return put(c, bad_response(c)); /* no progress */
        memcpy(desc, c->page.shared_buffer, len);
        h = nh;
    }
}

swsev_rc ghcb_psc(struct ghcb_client *c, const uint64_t *entries, unsigned n, uint64_t *psc_error)
{
    *psc_error = 0;
    for (unsigned off = 0; off < n;) {
        unsigned k = n - off < GHCB_PSC_MAX_ENTRIES ? n - off : GHCB_PSC_MAX_ENTRIES;
        swsev_rc rc = psc_batch(c, entries + off, k, psc_error);
        if (rc)
            return rc;
        off += k;
    }
    return SWSEV_OK;
}

swsev_rc ghcb_page_state_change(struct ghcb_client *c, uint64_t gpa, uint64_t npages, bool private_)
{
    if ((gpa & (PAGE_4K - 1)) || npages == 0 || npages > (1ull << 20))
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    swsev_rc rc = SWSEV_OK;
    for (uint64_t i = 0; !private_ && !rc && i < npages; i++)
        rc = pvalidate(c, gpa + i * PAGE_4K, false);
    uint64_t e[GHCB_PSC_MAX_ENTRIES], psc_error;
    unsigned op = private_ ? GHCB_PSC_OP_PRIVATE : GHCB_PSC_OP_SHARED;
    for (uint64_t i = 0; !rc && i < npages;) {
        unsigned k = 0;
        for (; k < GHCB_PSC_MAX_ENTRIES && i < npages; k++, i++)
            e[k] = ghcb_psc_entry((gpa >> 12) + i, op, 0, 0);
        rc = ghcb_psc(c, e, k, &psc_error);
    }
    for (uint64_t i = 0; private_ && !rc && i < npages; i++)
        rc = pvalidate(c, gpa + i * PAGE_4K, true);
    return rc;
}

swsev_rc ghcb_snp_guest_request(struct ghcb_client *c, uint64_t req_gpa, uint64_t resp_gpa,
                                uint64_t *exitinfo2)
{
    ghcb_invalidate(c);
    swsev_rc rc = ghcb_call(c, GHCB_NAE_GUEST_REQUEST, req_gpa, resp_gpa);
    *exitinfo2 = rc ? 0 : c->page.save.sw_exit_info_2;
    return put(c, !rc && *exitinfo2 ? ERR_IO : rc);
}

swsev_rc ghcb_snp_ext_guest_request(struct ghcb_client *c, uint64_t req_gpa, uint64_t resp_gpa,
                                    uint64_t certs_gpa, uint64_t *npages, uint64_t *exitinfo2)
{
    ghcb_invalidate(c);
    ghcb_set(c, GHCB_OFF_RAX, certs_gpa);
    ghcb_set(c, GHCB_OFF_RBX, *npages);
    swsev_rc rc = ghcb_call(c, GHCB_NAE_EXT_GUEST_REQUEST, req_gpa, resp_gpa);
    *exitinfo2 = rc ? 0 : c->page.save.sw_exit_info_2;
    if (rc || !*exitinfo2)
        return put(c, rc);
    if (*exitinfo2 == GHCB_SNP_ERR(GHCB_SNP_VMM_ERR_INVALID_LEN, 0)) {
        if (!ghcb_valid(c, GHCB_OFF_RBX))
            return put(c, bad_response(c));
        *npages = c->page.save.rbx; /* the pages needed */
    }
    return put(c, ERR_IO);
}

int ghcb_snp_transport(void *ctx, uint64_t req_gpa, uint64_t resp_gpa, uint32_t *fw_error)
{
    struct ghcb_client *c = ctx;
    uint64_t e2 = 0;
    swsev_rc rc;
    *fw_error = 0;
    if (c->ext_armed) {
        c->ext_armed = false;
        uint64_t np = c->ext_npages;
        rc = ghcb_snp_ext_guest_request(c, req_gpa, resp_gpa, c->ext_gpa, &np, &e2);
        if (rc == ERR_IO && c->last.outcome == GHCB_OUT_OK &&
            GHCB_SNP_ERR_VMM(e2) == GHCB_SNP_VMM_ERR_INVALID_LEN) {
            /* The message was not sent; send it plainly so that its
             * sequence number is used and never reused with another
             * message (Linux's snp_issue_guest_request retry). */
            c->ext_vmm_error = GHCB_SNP_VMM_ERR_INVALID_LEN;
            c->ext_npages = np;
            rc = ghcb_snp_guest_request(c, req_gpa, resp_gpa, &e2);
        }
    } else {
        rc = ghcb_snp_guest_request(c, req_gpa, resp_gpa, &e2);
    }
    if (!rc)
        return 0;
    if (rc != ERR_IO || c->last.outcome != GHCB_OUT_OK)
        return -EIO;
    if (GHCB_SNP_ERR_VMM(e2) == GHCB_SNP_VMM_ERR_BUSY)
        return -EAGAIN;
    if (GHCB_SNP_ERR_VMM(e2))
        return -EIO;
    *fw_error = GHCB_SNP_ERR_FW(e2);
    return -EIO;
}

swsev_rc ghcb_snp_ext_report(struct ghcb_client *c, struct guest_snp *g,
                             const uint8_t report_data[64], uint32_t vmpl, uint8_t report[0x4A0],
                             uint32_t *status, uint64_t certs_gpa, uint64_t *npages,
                             uint32_t *fw_error, uint32_t *vmm_error)
{
    *vmm_error = 0;
    if (g->transport != ghcb_snp_transport || g->transport_ctx != c)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    c->ext_armed = true;
    c->ext_gpa = certs_gpa;
    c->ext_npages = *npages;
    c->ext_vmm_error = 0;
    swsev_rc rc = guest_snp_report(g, report_data, vmpl, report, status, fw_error);
    c->ext_armed = false;
    *vmm_error = c->ext_vmm_error;
    if (*vmm_error) {
        *npages = c->ext_npages;
        return rc ? rc : SWSEV_HV_ERR(SWSEV_E_INVAL);
    }
    return rc;
}

swsev_rc ghcb_snp_ap_create(struct ghcb_client *c, uint32_t apic_id, uint8_t vmpl, unsigned request,
                            uint64_t vmsa_gpa, uint64_t sev_features)
{
    if (request > GHCB_AP_DESTROY)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    ghcb_invalidate(c);
    if (request != GHCB_AP_DESTROY)
        ghcb_set(c, GHCB_OFF_RAX, sev_features);
    swsev_rc rc = ghcb_call(c, GHCB_NAE_AP_CREATION, ghcb_ap_info1(apic_id, vmpl, request),
                            request == GHCB_AP_DESTROY ? 0 : vmsa_gpa & ~c->cbit_mask);
    if (!rc)
        rc = OUTPUTS(c, GHCB_OFF_SW_EXIT_INFO1);
    return put(c, rc);
}

swsev_rc ghcb_snp_ap_destroy(struct ghcb_client *c, uint32_t apic_id, uint8_t vmpl)
{
    return ghcb_snp_ap_create(c, apic_id, vmpl, GHCB_AP_DESTROY, 0, 0);
}

swsev_rc ghcb_snp_run_vmpl(struct ghcb_client *c, uint8_t vmpl)
{
    ghcb_invalidate(c);
    return put(c, ghcb_call(c, GHCB_NAE_RUN_VMPL, vmpl, 0));
}
