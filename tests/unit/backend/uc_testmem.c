/* SPDX-License-Identifier: GPL-2.0-only */
/* The Unicorn backend's test support (see uc_testmem.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swsev/abi/ghcb.h"
#include "uc_testmem.h"

#define MSR_GHCB       0xC0010130u
#define MSR_SEV_STATUS 0xC0010131u
#define MSR_TSC_AUX    0xC0000103u

int ut_create(struct uc_vcpu **v, const struct uc_vcpu_mem *mem, const struct uc_vcpu_config *cfg)
{
    struct uc_vcpu_config c = {0};
    if (cfg)
        c = *cfg;
    if (getenv("SWSEV_UC_EVERY_INSN"))
        c.flags |= UC_VCPU_F_HOOK_EVERY_INSN | UC_VCPU_F_CHECK_LENGTHS;
    return uc_vcpu_create(v, mem, &c);
}

void ut_destroy(struct uc_vcpu *v)
{
    struct uc_vcpu_stats st;
    uc_vcpu_get_stats(v, &st);
    if (st.len_mismatch)
        print_message("%llu instruction lengths differ from Unicorn's\n",
                      (unsigned long long)st.len_mismatch);
    assert_int_equal(st.len_mismatch, 0);
    uc_vcpu_destroy(v);
}

void ut_init(struct ut *t, const struct uc_vcpu_config *cfg)
{
    memset(t, 0, sizeof(*t));
    t->exit_code = -1;
    assert_int_equal(uc_flatmem_init(&t->fm, UT_BASE, UT_SIZE), 0);
    uc_flatmem_vtable(&t->fm, &t->mem);
    int rc = ut_create(&t->v, &t->mem, cfg);
    assert_int_equal(rc, 0);
    struct vcpu_regs r;
    assert_int_equal(uc_vcpu_get_regs(t->v, &r), 0);
    r.rip = UT_CODE;
    r.rsp = UT_STACK;
    assert_int_equal(uc_vcpu_set_regs(t->v, &r), 0);
}

void ut_fini(struct ut *t)
{
    ut_destroy(t->v);
    uc_flatmem_fini(&t->fm);
}

int ut_setup(void **state)
{
    ut_init(*state, NULL);
    return 0;
}

int ut_teardown(void **state)
{
    ut_fini(*state);
    return 0;
}

void ut_code(struct ut *t, uint64_t gva, const void *code, size_t len)
{
    assert_int_equal(uc_flatmem_write(&t->fm, gva, code, len), 0);
}

void ut_guest(struct ut *t, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s.bin", SWSEV_GUEST_DIR, name);
    if (access(path, R_OK)) {
        print_message("guest %s not built: %s\n", name, path);
        skip();
    }
    assert_true(uc_flatmem_load(&t->fm, UT_GUEST, path) > 0);
    ut_set_rip(t, UT_GUEST);
}

void ut_run(struct ut *t, struct vcpu_event *ev)
{
    int rc = uc_vcpu_run(t->v, ev);
    if (rc)
        print_message("uc_vcpu_run: %d (%s)\n", rc, uc_vcpu_strerror(t->v));
    assert_int_equal(rc, 0);
}

uint64_t ut_reg(struct ut *t, int which)
{
    struct vcpu_regs r;
    assert_int_equal(uc_vcpu_get_regs(t->v, &r), 0);
    uint64_t v;
    memcpy(&v, (const uint8_t *)&r + which, 8);
    return v;
}

void ut_set_rip(struct ut *t, uint64_t rip)
{
    struct vcpu_regs r;
    assert_int_equal(uc_vcpu_get_regs(t->v, &r), 0);
    r.rip = rip;
    assert_int_equal(uc_vcpu_set_regs(t->v, &r), 0);
}

void ut_gate(struct ut *t, uint64_t idt, unsigned vector, uint64_t handler, unsigned ist)
{
    uint8_t g[16] = {0};
    g[0] = (uint8_t)handler;
    g[1] = (uint8_t)(handler >> 8);
    g[2] = 0x08;
    g[4] = (uint8_t)ist;
    g[5] = 0x8E;
    g[6] = (uint8_t)(handler >> 16);
    g[7] = (uint8_t)(handler >> 24);
    for (int i = 0; i < 4; i++)
        g[8 + i] = (uint8_t)(handler >> (32 + 8 * i));
    ut_code(t, idt + 16ull * vector, g, sizeof(g));
}

void ut_tables(struct ut *t, uint64_t gdt, uint64_t idt)
{
    static const uint64_t desc[3] = {0, 0x00AF9B000000FFFFull, 0x00CF93000000FFFFull};
    ut_code(t, gdt, desc, sizeof(desc));
    struct vcpu_sregs s;
    assert_int_equal(uc_vcpu_get_sregs(t->v, &s), 0);
    s.gdtr_base = gdt;
    s.gdtr_limit = sizeof(desc) - 1;
    s.idtr_base = idt;
    s.idtr_limit = 4095;
    s.cs.selector = 0x08;
    s.ss.selector = 0x10;
    assert_int_equal(uc_vcpu_set_sregs(t->v, &s), 0);
}

/* ---- the stand-in model ---- */

static void cpuid(uint32_t leaf, uint32_t r[4])
{
    memset(r, 0, 16);
    if (leaf == 0) {
        r[0] = 0x10;
        memcpy(&r[1], "Auth", 4);
        memcpy(&r[3], "enti", 4);
        memcpy(&r[2], "cAMD", 4);
    } else if (leaf == 0x80000000u) {
        r[0] = 0x8000001F;
    } else if (leaf == 0x8000001Fu) {
        r[0] = 0xF; /* SME, SEV, page flush MSR, SEV-ES */
        r[1] = 51;
    }
}

/* Port I/O of the devices: serial, exit, echo, POST. Returns the IN value. */
static uint32_t port_io(struct ut *t, uint16_t port, unsigned size, bool in, uint32_t val)
{
    if (in)
        return port == UT_ECHO ? (t->echo + 1) & (size == 4 ? 0xFFFFFFFFu : (1u << 8 * size) - 1)
                               : 0;
    if (port == UT_SERIAL && t->nserial < sizeof(t->serial) - 1)
        t->serial[t->nserial++] = (char)val;
    else if (port == UT_EXITPORT)
        t->exit_code = (int)(val & 0xFF);
    else if (port == UT_ECHO)
        t->echo = val;
    return 0;
}

static bool msr(struct ut *t, bool write, uint32_t idx, uint64_t *val)
{
    switch (idx) {
    case MSR_GHCB:
        if (write)
            t->ghcb_msr = *val;
        else
            *val = t->ghcb_msr;
        return true;
    case MSR_SEV_STATUS:
        if (!write)
            *val = t->es ? 3 : 0;
        return !write;
    case MSR_TSC_AUX:
        if (write)
            t->tsc_aux = *val;
        else
            *val = t->tsc_aux;
        return true;
    default:
        return false;
    }
}

/* The hypervisor's side of one VMGEXIT: the MSR protocol, or the GHCB page. */
static void vmgexit(struct ut *t)
{
    t->vmgexits++;
    if (GHCB_MSR_INFO(t->ghcb_msr) == GHCB_MSR_SEV_INFO_REQ) {
        t->ghcb_msr = ghcb_msr_sev_info_resp(2, 1, 51);
        return;
    }
    if (GHCB_MSR_INFO(t->ghcb_msr) == GHCB_MSR_TERM_REQ) {
        t->exit_code = 128 + GHCB_MSR_TERM_CODE(t->ghcb_msr);
        return;
    }
    struct ghcb g;
    assert_int_equal(uc_flatmem_read(&t->fm, t->ghcb_msr, &g, sizeof(g)), 0);
    uint64_t code = ghcb_get64(&g, GHCB_OFF_SW_EXIT_CODE);
    uint64_t info1 = ghcb_get64(&g, GHCB_OFF_SW_EXIT_INFO1);
    uint64_t rax = ghcb_get64(&g, GHCB_OFF_RAX), rcx = ghcb_get64(&g, GHCB_OFF_RCX);
    ghcb_clear_valid(&g);
    if (code == GHCB_NAE_CPUID) {
        uint32_t r[4];
        cpuid((uint32_t)rax, r);
        ghcb_set64(&g, GHCB_OFF_RAX, r[0]);
        ghcb_set64(&g, GHCB_OFF_RBX, r[1]);
        ghcb_set64(&g, GHCB_OFF_RCX, r[2]);
        ghcb_set64(&g, GHCB_OFF_RDX, r[3]);
    } else if (code == GHCB_NAE_MSR) {
        uint64_t val = (uint32_t)rax | ghcb_get64(&g, GHCB_OFF_RDX) << 32;
        msr(t, info1 == GHCB_MSR_WRITE, (uint32_t)rcx, &val);
        if (info1 == GHCB_MSR_READ) {
            ghcb_set64(&g, GHCB_OFF_RAX, (uint32_t)val);
            ghcb_set64(&g, GHCB_OFF_RDX, val >> 32);
        }
    } else if (code == GHCB_NAE_RDTSC) {
        t->tsc += 1000;
        ghcb_set64(&g, GHCB_OFF_RAX, (uint32_t)t->tsc);
        ghcb_set64(&g, GHCB_OFF_RDX, t->tsc >> 32);
    } else if (code == GHCB_NAE_IOIO) {
        unsigned size = (unsigned)((info1 & GHCB_IOIO_SZ_MASK) >> 4);
        size = size == 4 ? 4 : size; /* one-hot 1, 2, 4 */
        bool in = info1 & GHCB_IOIO_TYPE_IN;
        uint32_t r = port_io(t, GHCB_IOIO_PORT(info1), size, in, (uint32_t)rax);
        if (in)
            ghcb_set64(&g, GHCB_OFF_RAX, r);
    } else {
        ghcb_set64(&g, GHCB_OFF_SW_EXIT_INFO1, GHCB_RET_ERROR);
        assert_int_equal(uc_flatmem_write(&t->fm, t->ghcb_msr, &g, sizeof(g)), 0);
        return;
    }
    ghcb_set64(&g, GHCB_OFF_SW_EXIT_INFO1, GHCB_RET_OK);
    assert_int_equal(uc_flatmem_write(&t->fm, t->ghcb_msr, &g, sizeof(g)), 0);
}

/* #VC for an SEV-ES guest's non-automatic exit: exit code as error code. */
static bool es_vc(struct ut *t, const struct vcpu_event *ev, const struct vcpu_regs *r)
{
    uint64_t code;
    switch (ev->kind) {
    case VCPU_EV_CPUID:
        code = GHCB_NAE_CPUID;
        break;
    case VCPU_EV_IO:
        code = GHCB_NAE_IOIO;
        break;
    case VCPU_EV_RDMSR:
    case VCPU_EV_WRMSR:
        if ((uint32_t)r->rcx == MSR_GHCB || (uint32_t)r->rcx == MSR_SEV_STATUS)
            return false;
        code = GHCB_NAE_MSR;
        break;
    case VCPU_EV_RDTSC:
        code = GHCB_NAE_RDTSC;
        break;
    default:
        return false;
    }
    t->vc++;
    assert_int_equal(uc_vcpu_inject(t->v, HW_VECTOR_VC, code), 0);
    return true;
}

int ut_machine(struct ut *t, struct vcpu_event *last, unsigned max_events)
{
    struct vcpu_event ev;
    for (unsigned n = 0; n < max_events && t->exit_code < 0; n++) {
        ut_run(t, &ev);
        *last = ev;
        struct vcpu_regs r;
        assert_int_equal(uc_vcpu_get_regs(t->v, &r), 0);
        if (t->es && es_vc(t, &ev, &r))
            continue;
        struct uc_vcpu_result res = {0};
        uint32_t in = 0; /* IN data: lives until the completion below */
        switch (ev.kind) {
        case VCPU_EV_NONE:
            continue;
        case VCPU_EV_CPUID: {
            uint32_t c[4];
            cpuid((uint32_t)r.rax, c);
            res = (struct uc_vcpu_result){.set = UC_RES_RAX | UC_RES_RBX | UC_RES_RCX | UC_RES_RDX,
                                          .rax = c[0],
                                          .rbx = c[1],
                                          .rcx = c[2],
                                          .rdx = c[3]};
            break;
        }
        case VCPU_EV_IO: {
            size_t len;
            const uint8_t *d = uc_vcpu_io_data(t->v, &len);
            uint32_t val = 0;
            if (!ev.io.in)
                memcpy(&val, d, ev.io.size);
            in = port_io(t, ev.io.port, ev.io.size, ev.io.in, val);
            res.data = &in;
            res.len = 4;
            if (ev.io.count != 1)
                return 1; /* string I/O: the caller's business */
            break;
        }
        case VCPU_EV_RDMSR:
        case VCPU_EV_WRMSR: {
            uint64_t val = (uint32_t)r.rax | r.rdx << 32;
            if (!msr(t, ev.kind == VCPU_EV_WRMSR, (uint32_t)r.rcx, &val)) {
                assert_int_equal(uc_vcpu_inject(t->v, HW_VECTOR_GP, 0), 0);
                continue;
            }
            if (ev.kind == VCPU_EV_RDMSR)
                res = (struct uc_vcpu_result){
                    .set = UC_RES_RAX | UC_RES_RDX, .rax = (uint32_t)val, .rdx = val >> 32};
            break;
        }
        case VCPU_EV_RDTSC:
            t->tsc += 1000;
            res = (struct uc_vcpu_result){.set = UC_RES_RAX | UC_RES_RDX | UC_RES_RCX,
                                          .rax = (uint32_t)t->tsc,
                                          .rdx = t->tsc >> 32,
                                          .rcx = r.rcx};
            if (ev.insn_len == 3)
                res.rcx = (uint32_t)t->tsc_aux; /* RDTSCP */
            break;
        case VCPU_EV_VMGEXIT:
            if (!t->es) {
                assert_int_equal(uc_vcpu_inject(t->v, 6, 0), 0);
                continue;
            }
            vmgexit(t);
            break;
        case VCPU_EV_HLT:
            assert_int_equal(uc_vcpu_complete(t->v, NULL), 0);
            return 0;
        case VCPU_EV_FAULT:
            /* The guest's own exceptions go to its IDT. */
            if (ev.fault.kind == HW_FAULT_NONE || ev.fault.kind == HW_FAULT_GP) {
                if (uc_vcpu_inject(t->v, ev.fault.vector, ev.fault.error_code))
                    return 1;
                continue;
            }
            return 1;
        default:
            return 1;
        }
        if (ev.kind != VCPU_EV_IO || ev.io.port != UT_EXITPORT)
            assert_int_equal(uc_vcpu_complete(t->v, &res), 0);
        else
            assert_int_equal(uc_vcpu_complete(t->v, NULL), 0);
        if (ev.kind != VCPU_EV_VMGEXIT)
            t->direct++;
    }
    return t->exit_code >= 0 ? 0 : 1;
}
