/* SPDX-License-Identifier: MIT */
/* fw/launch.h - pieces of guest creation shared by launch, receive and send. */
#ifndef SWSEV_FW_LAUNCH_H
#define SWSEV_FW_LAUNCH_H

#include "crypto/sev_launch.h"
#include "fw/fw.h"

/* Reserved bits -> INVALID_PARAM; API minimum above ours or ES without an
 * SEV-ES platform -> POLICY_FAILURE. */
uint16_t fw_check_policy(struct sev_fw *fw, uint32_t policy);
/* Unwrap a session (LAUNCH_START, RECEIVE_START): ECDH of our PDH with the
 * peer's PDH certificate, then the session blob's MACs. */
uint16_t fw_open_channel(struct sev_fw *fw, uint64_t cert_pa, uint32_t cert_len,
                         uint64_t session_pa, uint32_t session_len, uint32_t policy,
                         uint8_t tek[16], uint8_t tik[16]);
/* A new guest context (own VEK, or shared with share_handle's guest). */
uint16_t fw_new_guest(struct sev_fw *fw, uint32_t share_handle, uint32_t policy,
                      struct fw_guest **out);
uint16_t fw_guest_in(struct sev_fw *fw, uint32_t handle, uint8_t state, struct fw_guest **g);
/* Read and length-check a packet command's header and transport buffer. */
uint16_t fw_read_packet(struct sev_fw *fw, const struct sev_fw_packet *b,
                        struct sev_packet_hdr *hdr, uint8_t *trans);
/* End of a launch, send or receive: the channel keys are wiped and the
 * guest moves from state `from` to `to`. */
uint16_t fw_close_channel(struct sev_fw *fw, uint32_t handle, uint8_t from, uint8_t to);
/* A firmware status from a crypto-layer result. */
uint16_t fw_status_of(swsev_rc rc);

#endif
