/* SPDX-License-Identifier: MIT */
/*
 * The integrity of encrypted VMSAs. An SEV-ES or SNP guest's register state
 * lives in its VMSA, encrypted with the guest's key; on top of that, the
 * hardware keeps a checksum of each VMSA where the hypervisor cannot reach
 * it (AMD's firmware keeps it in the TMR, and points at the slot from VMSA
 * bytes 0x380-0x38F). The firmware seals a VMSA when it creates one
 * (LAUNCH_UPDATE_VMSA, SNP_LAUNCH_UPDATE of a VMSA page, RECEIVE_UPDATE_VMSA),
 * VMEXIT reseals it after saving the state, and VMRUN refuses a VMSA whose
 * plaintext does not match (SVM_EXIT_INVALID): a hypervisor that rewrites or
 * replays VMSA ciphertext gets a vCPU that does not start, never a guest
 * running with registers it chose.
 *
 * The checksum here is SHA-256 of the VMSA plaintext, bound to the page's
 * address and ASID.
 */
#include <string.h>

#include "crypto/digest.h"
#include "hw/memsys_priv.h"

static swsev_rc digest(uint64_t spa, uint32_t asid, const uint8_t page[4096], uint8_t out[32])
{
    struct crypto_digest d;
    swsev_rc rc = crypto_digest_init(&d, CRYPTO_SHA256);
    if (!rc)
        rc = crypto_digest_update(&d, &spa, sizeof(spa));
    if (!rc)
        rc = crypto_digest_update(&d, &asid, sizeof(asid));
    if (!rc)
        rc = crypto_digest_update(&d, page, 4096);
    if (!rc)
        rc = crypto_digest_final(&d, out);
    crypto_digest_clear(&d);
    return rc;
}

static struct ms_vmsa_seal *slot(struct memsys *ms, uint64_t spa, bool create)
{
    struct ms_vmsa_seal *free_slot = NULL;
    for (unsigned i = 0; i < MS_VMSA_SEALS; i++) {
        if (ms->seals[i].used && ms->seals[i].spa == spa)
            return &ms->seals[i];
        if (!ms->seals[i].used && !free_slot)
            free_slot = &ms->seals[i];
    }
    return create ? free_slot : NULL;
}

swsev_rc ms_vmsa_seal(struct memsys *ms, uint64_t spa, uint32_t asid, const uint8_t page[4096])
{
    struct ms_vmsa_seal *s = slot(ms, spa, true);
    if (!s)
        return SWSEV_HW_ERR(SWSEV_HW_NOMEM);
    swsev_rc rc = digest(spa, asid, page, s->digest);
    if (rc)
        return rc;
    s->spa = spa;
    s->asid = asid;
    s->used = true;
    return SWSEV_OK;
}

bool ms_vmsa_check(struct memsys *ms, uint64_t spa, uint32_t asid, const uint8_t page[4096])
{
    struct ms_vmsa_seal *s = slot(ms, spa, false);
    uint8_t d[32];
    return s && s->asid == asid && !digest(spa, asid, page, d) &&
           crypto_equal(d, s->digest, sizeof(d));
}

swsev_rc memsys_fw_vmsa_seal(struct memsys_fw_port *port, uint64_t spa, uint32_t asid)
{
    struct memsys *ms = port->ms;
    uint8_t page[4096];
    pthread_mutex_lock(&ms->lock);
    swsev_rc rc = ms_phys_access(ms, asid, spa & ~4095ull, page, sizeof(page), false);
    if (!rc)
        rc = ms_vmsa_seal(ms, spa & ~4095ull, asid, page);
    pthread_mutex_unlock(&ms->lock);
    memset(page, 0, sizeof(page));
    return rc;
}

void memsys_fw_vmsa_unseal(struct memsys_fw_port *port, uint64_t spa)
{
    struct memsys *ms = port->ms;
    pthread_mutex_lock(&ms->lock);
    struct ms_vmsa_seal *s = slot(ms, spa & ~4095ull, false);
    if (s)
        memset(s, 0, sizeof(*s));
    pthread_mutex_unlock(&ms->lock);
}
