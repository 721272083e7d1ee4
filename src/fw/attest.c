/* SPDX-License-Identifier: MIT */
/* ATTESTATION: the legacy report, signed by the PEK (sev-reference 2.9). */
#include <string.h>

#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "crypto/sevcert.h"
#include "fw/handlers.h"

FW_HANDLER(attestation)
{
    struct sev_fw_attestation *b = c->buf;
    struct fw_guest *g = fw_guest_find(fw, b->handle);
    if (!g)
        return SEV_STATUS_INVALID_GUEST;
    if (g->state != SEV_GSTATE_LSECRET && g->state != SEV_GSTATE_RUNNING &&
        g->state != SEV_GSTATE_SUPDATE && g->state != SEV_GSTATE_SENT)
        return SEV_STATUS_INVALID_GUEST_STATE;
    struct sev_attestation_report r;
    if (b->paddr == 0 || b->len < sizeof(r)) {
        b->len = sizeof(r);
        c->writeback = true;
        return SEV_STATUS_INVALID_LENGTH;
    }
    memset(&r, 0, sizeof(r));
    memcpy(r.mnonce, b->mnonce, sizeof(r.mnonce));
    memcpy(r.launch_digest, g->launch_digest, sizeof(r.launch_digest));
    r.policy = g->policy;
    r.sig_usage = SEV_USAGE_PEK;
    r.sig_algo = SEV_ALGO_ECDSA_SHA256;
    if (crypto_ecdsa_sign(fw->pek, CRYPTO_SHA256, &r,
                          offsetof(struct sev_attestation_report, sig_usage), r.sig_r, r.sig_s))
        return SEV_STATUS_HWERROR_PLATFORM;
    uint16_t st = fw_mem_write(fw, b->paddr, &r, sizeof(r));
    if (st)
        return st;
    b->len = sizeof(r);
    c->writeback = true;
    return SEV_STATUS_SUCCESS;
}
