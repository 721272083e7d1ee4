/* SPDX-License-Identifier: MIT */
/* The SNP launch digest step: SHA-384 over PAGE_INFO (sev-reference 3.5). */
#include <string.h>

#include "common/snp_pageinfo.h"
#include "crypto/digest.h"

bool snp_page_type_valid(uint8_t page_type)
{
    return page_type >= SNP_PAGE_TYPE_NORMAL && page_type <= SNP_PAGE_TYPE_CPUID;
}

const char *snp_page_type_name(uint8_t page_type)
{
    switch (page_type) {
    case SNP_PAGE_TYPE_NORMAL:
        return "NORMAL";
    case SNP_PAGE_TYPE_VMSA:
        return "VMSA";
    case SNP_PAGE_TYPE_ZERO:
        return "ZERO";
    case SNP_PAGE_TYPE_UNMEASURED:
        return "UNMEASURED";
    case SNP_PAGE_TYPE_SECRETS:
        return "SECRETS";
    case SNP_PAGE_TYPE_CPUID:
        return "CPUID";
    }
    return "INVALID";
}

bool snp_page_type_measured(uint8_t page_type)
{
    return page_type == SNP_PAGE_TYPE_NORMAL || page_type == SNP_PAGE_TYPE_VMSA;
}

void snp_pageinfo_fill(struct snp_pageinfo *pi, const uint8_t digest[SNP_PAGEINFO_DIGEST_LEN],
                       const uint8_t contents[SNP_PAGEINFO_DIGEST_LEN], uint8_t page_type,
                       uint64_t gpa, bool imi, const uint8_t vmpl_perms[3])
{
    memset(pi, 0, sizeof(*pi));
    memcpy(pi->digest_cur, digest, SNP_PAGEINFO_DIGEST_LEN);
    memcpy(pi->contents, contents, SNP_PAGEINFO_DIGEST_LEN);
    pi->length = SNP_PAGEINFO_LEN; /* little-endian host: the struct is the wire format */
    pi->page_type = page_type;
    pi->imi_page = imi ? 1 : 0;
    if (vmpl_perms) {
        pi->vmpl1_perms = vmpl_perms[0];
        pi->vmpl2_perms = vmpl_perms[1];
        pi->vmpl3_perms = vmpl_perms[2];
    }
    pi->gpa = gpa;
}

swsev_rc snp_pageinfo_extend(uint8_t digest[SNP_PAGEINFO_DIGEST_LEN],
                             const uint8_t contents[SNP_PAGEINFO_DIGEST_LEN], uint8_t page_type,
                             uint64_t gpa, bool imi, const uint8_t vmpl_perms[3])
{
    if (!snp_page_type_valid(page_type))
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    struct snp_pageinfo pi;
    snp_pageinfo_fill(&pi, digest, contents, page_type, gpa, imi, vmpl_perms);
    /* Hash into a temporary so that a failure leaves the digest as it was. */
    uint8_t next[SNP_PAGEINFO_DIGEST_LEN];
    swsev_rc rc = crypto_hash(CRYPTO_SHA384, &pi, sizeof(pi), next);
    if (rc == SWSEV_OK)
        memcpy(digest, next, sizeof(next));
    return rc;
}

swsev_rc snp_pageinfo_contents(uint8_t out[SNP_PAGEINFO_DIGEST_LEN], uint8_t page_type,
                               const uint8_t *page)
{
    if (!snp_page_type_valid(page_type))
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    if (!snp_page_type_measured(page_type)) {
        memset(out, 0, SNP_PAGEINFO_DIGEST_LEN);
        return SWSEV_OK;
    }
    if (!page)
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    return crypto_hash(CRYPTO_SHA384, page, SNP_PAGE_SIZE, out);
}
