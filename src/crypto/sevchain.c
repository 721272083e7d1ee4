/* SPDX-License-Identifier: MIT */
#include "crypto/sevchain.h"

const char *sev_chain_result_str(enum sev_chain_result r)
{
    switch (r) {
    case SEV_CHAIN_OK:
        return "chain verified";
    case SEV_CHAIN_ARK_BAD:
        return "ARK is not correctly self-signed";
    case SEV_CHAIN_ASK_BAD:
        return "ASK is not signed by the ARK";
    case SEV_CHAIN_CEK_BAD:
        return "CEK is not signed by the ASK";
    case SEV_CHAIN_OCA_BAD:
        return "OCA is not correctly self-signed";
    case SEV_CHAIN_PEK_OCA_BAD:
        return "PEK is not signed by the OCA";
    case SEV_CHAIN_PEK_CEK_BAD:
        return "PEK is not signed by the CEK";
    case SEV_CHAIN_PDH_BAD:
        return "PDH is not signed by the PEK";
    case SEV_CHAIN_USAGE_BAD:
        return "a certificate has the wrong usage for its place in the chain";
    }
    return "unknown result";
}

enum sev_chain_result sev_chain_verify(const struct sev_chain *ch, unsigned parts)
{
    if ((parts & SEV_CHAIN_AMD) &&
        (ch->ark.hdr.key_usage != SEV_USAGE_ARK || ch->ask.hdr.key_usage != SEV_USAGE_ASK ||
         ch->cek.pubkey_usage != SEV_USAGE_CEK))
        return SEV_CHAIN_USAGE_BAD;
    if ((parts & SEV_CHAIN_PLATFORM) &&
        (ch->oca.pubkey_usage != SEV_USAGE_OCA || ch->pek.pubkey_usage != SEV_USAGE_PEK ||
         ch->pdh.pubkey_usage != SEV_USAGE_PDH || ch->cek.pubkey_usage != SEV_USAGE_CEK))
        return SEV_CHAIN_USAGE_BAD;
    if (parts & SEV_CHAIN_AMD) {
        if (amdcert_verify(&ch->ark, &ch->ark))
            return SEV_CHAIN_ARK_BAD;
        if (amdcert_verify(&ch->ask, &ch->ark))
            return SEV_CHAIN_ASK_BAD;
        EVP_PKEY *ask = NULL;
        swsev_rc rc = amdcert_pubkey(&ch->ask, &ask);
        if (!rc)
            rc = sevcert_verify(&ch->cek, SEV_USAGE_ASK, ask);
        EVP_PKEY_free(ask);
        if (rc)
            return SEV_CHAIN_CEK_BAD;
    }
    if (parts & SEV_CHAIN_PLATFORM) {
        if (sevcert_verify_by(&ch->oca, &ch->oca))
            return SEV_CHAIN_OCA_BAD;
        if (sevcert_verify_by(&ch->pek, &ch->oca))
            return SEV_CHAIN_PEK_OCA_BAD;
        if (sevcert_verify_by(&ch->pek, &ch->cek))
            return SEV_CHAIN_PEK_CEK_BAD;
        if (sevcert_verify_by(&ch->pdh, &ch->pek))
            return SEV_CHAIN_PDH_BAD;
    }
    return SEV_CHAIN_OK;
}
