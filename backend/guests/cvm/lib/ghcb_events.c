/* SPDX-License-Identifier: MIT */
/*
 * ghcb_events.c - one function per NAE event the guests raise: inputs
 * into the save area (each marked valid), the call, and the outputs,
 * which the hypervisor must have marked valid before we believe them.
 */
#include "ghcb_client.h"
#include "guest.h"

static int outputs_valid(const struct ghcb *g, const unsigned *offs, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (!ghcb_is_valid(g, offs[i]))
            return -1;
    return 0;
}

static uint64_t shared_buffer_gpa(void)
{
    return ghcb_gpa + GHCB_SHARED_BUF_OFF;
}

int ghcb_ioio(uint16_t port, unsigned size, int in, uint32_t *val)
{
    if (size != 1 && size != 2 && size != 4)
        return -1;
    uint64_t mask = size == 4 ? 0xFFFFFFFFull : (1ull << (8 * size)) - 1;
    /* EXITINFO1 as the CPU's IOIO intercept builds it: port, one-hot size
     * (bits 4-6 = 1, 2, 4 bytes), 64-bit addressing, direction. */
    uint64_t info = (uint64_t)port << GHCB_IOIO_PORT_SHIFT | (uint64_t)size << 4 | GHCB_IOIO_A64 |
                    (in ? GHCB_IOIO_TYPE_IN : 0);
    struct ghcb *g = ghcb_begin();
    ghcb_set64(g, GHCB_OFF_RAX, in ? 0 : (*val & mask));
    if (ghcb_call(g, GHCB_NAE_IOIO, info, 0))
        return -1;
    if (in) {
        static const unsigned out[] = {GHCB_OFF_RAX};
        if (outputs_valid(g, out, 1))
            return -1;
        *val = (uint32_t)(g->save.rax & mask);
    }
    return 0;
}

int ghcb_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
    static const unsigned out[] = {GHCB_OFF_RAX, GHCB_OFF_RBX, GHCB_OFF_RCX, GHCB_OFF_RDX};
    struct ghcb *g = ghcb_begin();
    ghcb_set64(g, GHCB_OFF_RAX, leaf);
    ghcb_set64(g, GHCB_OFF_RCX, subleaf);
    /* CR4.OSXSAVE is off, so only x87 state is enabled (XCR0 = 1). */
    ghcb_set64(g, GHCB_OFF_XCR0, 1);
    if (ghcb_call(g, GHCB_NAE_CPUID, 0, 0) || outputs_valid(g, out, 4))
        return -1;
    regs[0] = (uint32_t)g->save.rax;
    regs[1] = (uint32_t)g->save.rbx;
    regs[2] = (uint32_t)g->save.rcx;
    regs[3] = (uint32_t)g->save.rdx;
    return 0;
}

int ghcb_rdmsr(uint32_t msr, uint64_t *val)
{
    static const unsigned out[] = {GHCB_OFF_RAX, GHCB_OFF_RDX};
    struct ghcb *g = ghcb_begin();
    ghcb_set64(g, GHCB_OFF_RCX, msr);
    if (ghcb_call(g, GHCB_NAE_MSR, GHCB_MSR_READ, 0) || outputs_valid(g, out, 2))
        return -1;
    *val = (g->save.rdx & 0xFFFFFFFFull) << 32 | (uint32_t)g->save.rax;
    return 0;
}

int ghcb_wrmsr(uint32_t msr, uint64_t val)
{
    struct ghcb *g = ghcb_begin();
    ghcb_set64(g, GHCB_OFF_RCX, msr);
    ghcb_set64(g, GHCB_OFF_RAX, (uint32_t)val);
    ghcb_set64(g, GHCB_OFF_RDX, val >> 32);
    return ghcb_call(g, GHCB_NAE_MSR, GHCB_MSR_WRITE, 0);
}

int ghcb_rdtsc(uint64_t *tsc)
{
    static const unsigned out[] = {GHCB_OFF_RAX, GHCB_OFF_RDX};
    struct ghcb *g = ghcb_begin();
    if (ghcb_call(g, GHCB_NAE_RDTSC, 0, 0) || outputs_valid(g, out, 2))
        return -1;
    *tsc = (g->save.rdx & 0xFFFFFFFFull) << 32 | (uint32_t)g->save.rax;
    return 0;
}

int ghcb_vmmcall(uint64_t *rax)
{
    static const unsigned out[] = {GHCB_OFF_RAX};
    struct ghcb *g = ghcb_begin();
    ghcb_set64(g, GHCB_OFF_RAX, *rax);
    /* The hypervisor cannot see our CPL (it is in the encrypted VMSA) and
     * KVM refuses hypercalls from CPL > 0: tell it. The CPL is a byte,
     * its valid bit that of the qword holding it. */
    g->save.cpl = 0;
    ghcb_mark_valid(g, GHCB_OFF_CPL);
    if (ghcb_call(g, GHCB_NAE_VMMCALL, 0, 0) || outputs_valid(g, out, 1))
        return -1;
    *rax = g->save.rax;
    return 0;
}

int ghcb_mmio(uint64_t gpa, void *buf, unsigned len, int write)
{
    if (len == 0 || len > 8)
        return -1;
    struct ghcb *g = ghcb_begin();
    if (write)
        memcpy(g->shared_buffer, buf, len);
    ghcb_set64(g, GHCB_OFF_SW_SCRATCH, shared_buffer_gpa());
    if (ghcb_call(g, write ? GHCB_NAE_MMIO_WRITE : GHCB_NAE_MMIO_READ, gpa, len))
        return -1;
    if (!write)
        memcpy(buf, g->shared_buffer, len);
    return 0;
}

int ghcb_psc(uint64_t gpa, uint64_t npages, unsigned op)
{
    while (npages) {
        unsigned n = npages < GHCB_PSC_MAX_ENTRIES ? (unsigned)npages : GHCB_PSC_MAX_ENTRIES;
        struct ghcb *g = ghcb_begin();
        struct ghcb_psc_hdr *h = (struct ghcb_psc_hdr *)g->shared_buffer;
        uint64_t *entry = (uint64_t *)(g->shared_buffer + sizeof(*h));
        h->cur_entry = 0;
        h->end_entry = (uint16_t)(n - 1);
        h->rsvd = 0;
        for (unsigned i = 0; i < n; i++)
            entry[i] = ghcb_psc_entry((gpa >> 12) + i, op, 0, 0);
        /* The hypervisor may stop part-way (cur_entry and the entries'
         * cur_page record where); re-send until every entry is done, but
         * only while it makes progress. */
        while (h->cur_entry <= h->end_entry) {
            uint16_t before = h->cur_entry;
            ghcb_begin();
            ghcb_set64(g, GHCB_OFF_SW_SCRATCH, shared_buffer_gpa());
            if (ghcb_call(g, GHCB_NAE_PSC, 0, 0) || g->save.sw_exit_info_2 != 0)
                return -1;
            if (h->end_entry != n - 1 || h->rsvd != 0 ||
                (h->cur_entry <= before && h->cur_entry <= h->end_entry))
                return -1;
        }
        gpa += (uint64_t)n << 12;
        npages -= n;
    }
    return 0;
}

int ghcb_guest_request(uint64_t req_gpa, uint64_t resp_gpa, uint64_t *err)
{
    struct ghcb *g = ghcb_begin();
    if (ghcb_call(g, GHCB_NAE_GUEST_REQUEST, req_gpa, resp_gpa))
        return -1;
    /* The hypervisor overwrites SW_EXITINFO2 (our response GPA) with the
     * outcome; like PSC's, it is read without a valid bit. */
    *err = g->save.sw_exit_info_2;
    return 0;
}
