/* SPDX-License-Identifier: MIT */
/*
 * ASID binding and the flush rules (SEV API, ACTIVATE / DEACTIVATE /
 * DF_FLUSH; checks as in AMD's firmware, sev-reference 1.5):
 *  - ACTIVATE loads the guest's key into the memory controller slot of the
 *    ASID; the ASID must be in range for the guest's kind (SEV-ES guests
 *    below the minimum SEV ASID, others at or above it), unowned, and clean;
 *  - DEACTIVATE unbinds the guest and marks the ASID dirty: its lines may
 *    still be in the caches. The key stays in the slot until overwritten;
 *  - DF_FLUSH cleans the dirty ASIDs, but only if every core executed
 *    WBINVD since the last DEACTIVATE (else WBINVD_REQUIRED).
 */
#include <string.h>

#include "fw/handlers.h"

uint16_t fw_activate(struct sev_fw *fw, struct fw_guest *g, uint32_t asid)
{
    if (asid == 0 || asid > fw->nr_asids)
        return SEV_STATUS_INVALID_ASID;
    if (g->es ? asid >= fw->min_sev_asid : asid < fw->min_sev_asid)
        return SEV_STATUS_INVALID_ASID;
    if (g->active)
        return SEV_STATUS_ACTIVE; /* also when asked for another ASID */
    struct fw_asid *a = &fw->asids[asid];
    if (a->handle && a->handle != g->handle)
        return SEV_STATUS_ASID_OWNED;
    if (a->dirty)
        return SEV_STATUS_DFFLUSH_REQUIRED;
    const uint8_t *vek = g->vek;
    if (g->key_owner) {
        struct fw_guest *owner = fw_guest_find(fw, g->key_owner);
        if (owner)
            vek = owner->vek;
    }
    if (memsys_fw_set_key(fw->port, asid, vek, 16) != SWSEV_OK)
        return SEV_STATUS_HWERROR_PLATFORM;
    a->handle = g->handle;
    g->asid = asid;
    g->active = true;
    return SEV_STATUS_SUCCESS;
}

void fw_deactivate(struct sev_fw *fw, struct fw_guest *g)
{
    if (!g->active)
        return;
    struct fw_asid *a = &fw->asids[g->asid];
    a->handle = 0;
    a->dirty = true;
    for (unsigned c = 0; c < fw->nr_cores; c++)
        fw->wbinvd_at_deactivate[c] = memsys_fw_wbinvd_count(fw->port, c);
    g->active = false;
}

uint16_t fw_df_flush(struct sev_fw *fw)
{
    bool any_dirty = false;
    for (uint32_t i = 1; i <= fw->nr_asids; i++)
        any_dirty = any_dirty || fw->asids[i].dirty;
    if (!any_dirty)
        return SEV_STATUS_SUCCESS;
    for (unsigned c = 0; c < fw->nr_cores; c++)
        if (memsys_fw_wbinvd_count(fw->port, c) == fw->wbinvd_at_deactivate[c])
            return SEV_STATUS_WBINVD_REQUIRED;
    (void)memsys_fw_df_flush(fw->port);
    for (uint32_t i = 1; i <= fw->nr_asids; i++)
        fw->asids[i].dirty = false;
    return SEV_STATUS_SUCCESS;
}

uint16_t fw_cmd_activate(struct sev_fw *fw, struct fw_call *c)
{
    struct sev_fw_activate *b = c->buf;
    struct fw_guest *g = fw_guest_find(fw, b->handle);
    if (!g)
        return SEV_STATUS_INVALID_GUEST;
    if (g->state == SEV_GSTATE_SENT)
        return SEV_STATUS_INVALID_GUEST_STATE;
    return fw_activate(fw, g, b->asid);
}

uint16_t fw_cmd_activate_ex(struct sev_fw *fw, struct fw_call *c)
{
    struct sev_fw_activate_ex *b = c->buf;
    if (b->ex_len != sizeof(*b))
        return SEV_STATUS_INVALID_LENGTH;
    struct fw_guest *g = fw_guest_find(fw, b->handle);
    if (!g)
        return SEV_STATUS_INVALID_GUEST;
    if (g->state == SEV_GSTATE_SENT)
        return SEV_STATUS_INVALID_GUEST_STATE;
    /* The APIC IDs select the CCXs whose memory controllers get the key;
     * the model has one cache and loads every controller, but the list
     * must still be readable. */
    if (b->num_ids > 0 && !fw_mem_valid(fw, b->ids_paddr, (uint64_t)b->num_ids * 4))
        return SEV_STATUS_INVALID_ADDRESS;
    return fw_activate(fw, g, b->asid);
}

uint16_t fw_cmd_deactivate(struct sev_fw *fw, struct fw_call *c)
{
    struct sev_fw_handle *b = c->buf;
    struct fw_guest *g = fw_guest_find(fw, b->handle);
    if (!g)
        return SEV_STATUS_INVALID_GUEST;
    fw_deactivate(fw, g);
    return SEV_STATUS_SUCCESS;
}

uint16_t fw_cmd_df_flush(struct sev_fw *fw, struct fw_call *c)
{
    (void)c;
    return fw_df_flush(fw);
}
