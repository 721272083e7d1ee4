/* SPDX-License-Identifier: MIT */
/* The firmware's table of guest contexts, addressed by handle. */
#include <string.h>

#include <openssl/crypto.h>

#include "fw/handlers.h"

struct fw_guest *fw_guest_find(struct sev_fw *fw, uint32_t handle)
{
    if (handle == 0)
        return NULL;
    for (uint32_t i = 0; i < FW_MAX_GUESTS; i++)
        if (fw->guests[i].handle == handle)
            return &fw->guests[i];
    return NULL;
}

struct fw_guest *fw_guest_alloc(struct sev_fw *fw)
{
    for (uint32_t i = 0; i < FW_MAX_GUESTS; i++) {
        struct fw_guest *g = &fw->guests[i];
        if (g->handle)
            continue;
        memset(g, 0, sizeof(*g));
        /* Handles are never reused while the firmware runs, so a stale
         * handle from a decommissioned guest is INVALID_GUEST. */
        g->handle = fw->next_handle++;
        if (fw->next_handle == 0)
            fw->next_handle = 1;
        fw->guest_count++;
        fw_platform_update_state(fw);
        return g;
    }
    return NULL;
}

void fw_guest_free(struct sev_fw *fw, struct fw_guest *g)
{
    crypto_digest_clear(&g->digest);
    OPENSSL_cleanse(g, sizeof(*g));
    fw->guest_count--;
    fw_platform_update_state(fw);
}

void fw_platform_update_state(struct sev_fw *fw)
{
    /* INIT <-> WORKING follows the existence of guests. */
    if (fw->state == SEV_STATE_INIT && fw->guest_count > 0)
        fw->state = SEV_STATE_WORKING;
    else if (fw->state == SEV_STATE_WORKING && fw->guest_count == 0)
        fw->state = SEV_STATE_INIT;
}

uint16_t fw_cmd_guest_status(struct sev_fw *fw, struct fw_call *c)
{
    struct sev_fw_guest_status *b = c->buf;
    struct fw_guest *g = fw_guest_find(fw, b->handle);
    if (!g)
        return SEV_STATUS_INVALID_GUEST;
    b->policy = g->policy;
    b->asid = g->active ? g->asid : 0;
    b->state = g->state;
    c->writeback = true;
    return SEV_STATUS_SUCCESS;
}

uint16_t fw_cmd_decommission(struct sev_fw *fw, struct fw_call *c)
{
    struct sev_fw_handle *b = c->buf;
    struct fw_guest *g = fw_guest_find(fw, b->handle);
    if (!g)
        return SEV_STATUS_INVALID_GUEST;
    if (g->active)
        return SEV_STATUS_ACTIVE;
    /* Guests sharing this one's key keep a copy of it; nothing to undo. */
    fw_guest_free(fw, g);
    return SEV_STATUS_SUCCESS;
}
