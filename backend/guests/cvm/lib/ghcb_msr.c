/* SPDX-License-Identifier: MIT */
/* ghcb_msr.c - the GHCB MSR protocol: small requests carried in MSR
 * 0xC0010130 itself, usable before (and without) a GHCB page. */
#include "ghcb_client.h"
#include "guest.h"
#include "x86.h"

unsigned ghcb_version;

uint64_t ghcb_msr_request(uint64_t req)
{
    wrmsr(MSR_GHCB, req);
    vmgexit();
    return rdmsr(MSR_GHCB);
}

unsigned ghcb_negotiate(void)
{
    uint64_t r = ghcb_msr_request(GHCB_MSR_SEV_INFO_REQ);
    if (GHCB_MSR_INFO(r) != GHCB_MSR_SEV_INFO_RESP)
        ghcb_msr_terminate(GHCB_TERM_SET_GHCB, GHCB_TERM_PROTOCOL);
    unsigned max = GHCB_MSR_PROTO_MAX(r), min = GHCB_MSR_PROTO_MIN(r);
    /* The highest version both sides speak; SNP's events need 2. */
    unsigned want = max >= 2 ? 2 : 1;
    if (want < min || (sev_mode == MODE_SNP && want < GHCB_SNP_MIN_VERSION))
        ghcb_msr_terminate(GHCB_TERM_SET_GHCB, GHCB_TERM_PROTOCOL);
    ghcb_version = want;
    return GHCB_MSR_CBIT(r);
}

int ghcb_msr_register(uint64_t gpa)
{
    uint64_t req = ghcb_msr_gfn(gpa >> 12, GHCB_MSR_REG_GPA_REQ);
    uint64_t r = ghcb_msr_request(req);
    /* The answer must echo the GFN; all ones means refused. */
    if (GHCB_MSR_INFO(r) != GHCB_MSR_REG_GPA_RESP || GHCB_MSR_GFN(r) != gpa >> 12)
        return -1;
    return 0;
}

int ghcb_msr_psc(uint64_t gpa, unsigned op)
{
    uint64_t r = ghcb_msr_request(ghcb_msr_psc_req(gpa >> 12, op));
    if (GHCB_MSR_INFO(r) != GHCB_MSR_PSC_RESP || GHCB_MSR_RESP_VAL(r) != 0)
        return -1;
    return 0;
}

void ghcb_msr_terminate(unsigned set, unsigned code)
{
    ghcb_msr_request(ghcb_msr_term_req((uint8_t)set, (uint8_t)code));
    /* The hypervisor stops the VM on that request. If it resumes us
     * anyway, carrying on would let a failure pass for success. */
    shutdown();
}
