/* SPDX-License-Identifier: MIT */
/*
 * swsev/abi/sev_launch.h - byte layouts of the SEV launch and migration
 * channel (sev-reference 2.5-2.8): the session blob of LAUNCH_START /
 * SEND_START / RECEIVE_START and the packet header of LAUNCH_SECRET and
 * SEND/RECEIVE_UPDATE_*.
 */
#ifndef SWSEV_ABI_SEV_LAUNCH_H
#define SWSEV_ABI_SEV_LAUNCH_H

#include <stddef.h>
#include <stdint.h>

struct sev_session_blob {
    uint8_t nonce[16];
    uint8_t wrap_tk[32]; /* AES-128-CTR(KEK, WRAP_IV, TEK || TIK) */
    uint8_t wrap_iv[16];
    uint8_t wrap_mac[32];   /* HMAC-SHA256(KIK, WRAP_TK) */
    uint8_t policy_mac[32]; /* HMAC-SHA256(TIK, policy as 4 LE bytes) */
} __attribute__((packed));
/* 0x80 bytes: the field table of sev-reference 2.5 (whose heading says 0x70)
 * and virtee/sev's Session struct agree on 16 + 32 + 16 + 32 + 32. */
_Static_assert(sizeof(struct sev_session_blob) == 0x80, "session blob is 0x80 bytes");
_Static_assert(offsetof(struct sev_session_blob, wrap_iv) == 0x30, "WRAP_IV at 0x30");
_Static_assert(offsetof(struct sev_session_blob, policy_mac) == 0x60, "POLICY_MAC at 0x60");

#define SEV_PACKET_FLAG_COMPRESSED (1u << 0)

struct sev_packet_hdr {
    uint32_t flags;
    uint8_t iv[16];
    uint8_t mac[32];
} __attribute__((packed));
_Static_assert(sizeof(struct sev_packet_hdr) == 52, "packet header is 52 bytes");

/* MAC context bytes. */
#define SEV_MAC_CTX_SECRET  0x01 /* LAUNCH_SECRET */
#define SEV_MAC_CTX_PACKET  0x02 /* SEND/RECEIVE_UPDATE_DATA and _VMSA */
#define SEV_MAC_CTX_MEASURE 0x04 /* LAUNCH_MEASURE */

#endif
