/* SPDX-License-Identifier: MIT */
/*
 * Incoming migration: RECEIVE_START, RECEIVE_UPDATE_DATA,
 * RECEIVE_UPDATE_VMSA, RECEIVE_FINISH. The channel is the sender's
 * SEND_START session unwrapped with this platform's PDH; every page is
 * authenticated and lands encrypted under the new guest's own key.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "fw/handlers.h"
#include "fw/launch.h"

FW_HANDLER(receive_start)
{
    struct sev_fw_receive_start *b = c->buf;
    uint16_t st = fw_check_policy(fw, b->policy);
    if (st)
        return st;
    uint8_t tek[16], tik[16];
    st = fw_open_channel(fw, b->pdh_cert_paddr, b->pdh_cert_len, b->session_paddr, b->session_len,
                         b->policy, tek, tik);
    struct fw_guest *g = NULL;
    if (!st)
        st = fw_new_guest(fw, b->handle, b->policy, &g);
    if (!st) {
        memcpy(g->tek, tek, 16);
        memcpy(g->tik, tik, 16);
        g->state = SEV_GSTATE_RUPDATE;
        b->handle = g->handle;
        c->writeback = true;
    }
    OPENSSL_cleanse(tek, 16);
    OPENSSL_cleanse(tik, 16);
    return st;
}

static uint16_t receive_update(struct sev_fw *fw, struct fw_call *c, bool vmsa)
{
    struct sev_fw_packet *b = c->buf;
    struct fw_guest *g;
    uint16_t st = fw_guest_in(fw, b->handle, SEV_GSTATE_RUPDATE, &g);
    if (st)
        return st;
    if (vmsa && !g->es)
        return SEV_STATUS_INVALID_GUEST;
    if (!g->active)
        return SEV_STATUS_INACTIVE;
    struct sev_packet_hdr hdr;
    uint8_t trans[4096], plain[4096];
    st = fw_read_packet(fw, b, &hdr, trans);
    if (st)
        return st;
    if ((vmsa && b->guest_len != 4096) || (fw_strip_cbit(fw, b->guest_paddr) & 15))
        return SEV_STATUS_INVALID_PARAM;
    st = fw_status_of(sev_packet_open(SEV_MAC_CTX_PACKET, g->tek, g->tik, &hdr, b->guest_len, trans,
                                      b->trans_len, NULL, plain));
    if (!st)
        st = fw_guest_mem_write(fw, g->asid, b->guest_paddr, plain, b->guest_len);
    if (!st && vmsa && memsys_fw_vmsa_seal(fw->port, fw_strip_cbit(fw, b->guest_paddr), g->asid))
        st = SEV_STATUS_RESOURCE_LIMIT;
    OPENSSL_cleanse(plain, sizeof(plain));
    return st;
}

FW_HANDLER(receive_update_data)
{
    return receive_update(fw, c, false);
}

FW_HANDLER(receive_update_vmsa)
{
    return receive_update(fw, c, true);
}

FW_HANDLER(receive_finish)
{
    struct sev_fw_handle *b = c->buf;
    return fw_close_channel(fw, b->handle, SEV_GSTATE_RUPDATE, SEV_GSTATE_RUNNING);
}
