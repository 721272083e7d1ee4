/* SPDX-License-Identifier: MIT */
/*
 * crypto/sevchain.h - verification of the legacy SEV certificate chain:
 *
 *   ARK (self) -> ASK -> CEK -> PEK <- OCA (self), PEK -> PDH
 *
 * The result names the first link that failed, so that a verifier can say
 * which certificate is wrong.
 */
#ifndef SWSEV_CRYPTO_SEVCHAIN_H
#define SWSEV_CRYPTO_SEVCHAIN_H

#include "crypto/amdcert.h"
#include "crypto/sevcert.h"

enum sev_chain_result {
    SEV_CHAIN_OK = 0,
    SEV_CHAIN_ARK_BAD,     /* ARK not self-signed correctly */
    SEV_CHAIN_ASK_BAD,     /* ASK not signed by the ARK */
    SEV_CHAIN_CEK_BAD,     /* CEK not signed by the ASK */
    SEV_CHAIN_OCA_BAD,     /* OCA not self-signed */
    SEV_CHAIN_PEK_OCA_BAD, /* PEK not signed by the OCA */
    SEV_CHAIN_PEK_CEK_BAD, /* PEK not signed by the CEK */
    SEV_CHAIN_PDH_BAD,     /* PDH not signed by the PEK */
    SEV_CHAIN_USAGE_BAD,   /* a certificate in the wrong role */
};

struct sev_chain {
    struct amd_cert ark, ask;
    struct sev_cert cek, oca, pek, pdh;
};

#define SEV_CHAIN_AMD      (1u << 0) /* ARK, ASK and the CEK's ASK signature */
#define SEV_CHAIN_PLATFORM (1u << 1) /* OCA, PEK (by OCA and CEK), PDH */

enum sev_chain_result sev_chain_verify(const struct sev_chain *ch, unsigned parts);
const char *sev_chain_result_str(enum sev_chain_result r);

#endif
