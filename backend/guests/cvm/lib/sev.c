/* SPDX-License-Identifier: MIT */
/*
 * sev.c - what kind of VM this is (SEV_STATUS), where the C-bit is, and,
 * for SEV-ES and SNP, the GHCB set-up that must precede any instruction
 * that raises #VC (printing included).
 */
#include "ghcb_client.h"
#include "guest.h"
#include "snp.h"
#include "x86.h"

#define MSR_SEV_STATUS    0xC0010131u
#define SEV_STATUS_SEV    (1ull << 0)
#define SEV_STATUS_SEV_ES (1ull << 1)
#define SEV_STATUS_SNP    (1ull << 2)

enum sev_mode sev_mode;
uint64_t sev_status;
uint64_t cbit_mask;

const char *sev_mode_name(enum sev_mode m)
{
    switch (m) {
    case MODE_SNP:
        return "SEV-SNP";
    case MODE_SEV_ES:
        return "SEV-ES";
    case MODE_SEV:
        return "SEV";
    default:
        return "no SEV";
    }
}

static unsigned checked_cbit(unsigned pos)
{
    /* Above any real RAM address and inside the PTE's address bits. */
    if (pos < 32 || pos > 51)
        guest_fail(FAIL_CBIT);
    return pos;
}

void sev_init(void)
{
    /* SEV_STATUS is read by the CPU itself (no #VC), so it works before
     * anything else is set up. */
    sev_status = rdmsr(MSR_SEV_STATUS);
    if (sev_status & SEV_STATUS_SNP)
        sev_mode = MODE_SNP;
    else if (sev_status & SEV_STATUS_SEV_ES)
        sev_mode = MODE_SEV_ES;
    else if (sev_status & SEV_STATUS_SEV)
        sev_mode = MODE_SEV;
    else
        sev_mode = MODE_NONE;

    if (sev_mode == MODE_SEV) {
        /* CPUID is intercepted, not #VC: it simply works. */
        uint32_t r[4];
        cpuid(0x8000001F, 0, r);
        cbit_mask = 1ull << checked_cbit(r[1] & 0x3F);
    } else if (sev_mode == MODE_SEV_ES || sev_mode == MODE_SNP) {
        /* CPUID would be a #VC, and the GHCB page needs the C-bit first:
         * take it from the SEV information the negotiation returns. */
        unsigned pos = checked_cbit(ghcb_negotiate());
        uint32_t r[4];
        /* Under SNP the hypervisor's word can be checked against the
         * firmware-validated CPUID page. */
        if (sev_mode == MODE_SNP && snp_cpuid_page(0x8000001F, 0, r) == 0 && (r[1] & 0x3F) != pos)
            guest_fail(FAIL_CBIT);
        cbit_mask = 1ull << pos;
        ghcb_setup();
    }
}
