/* SPDX-License-Identifier: MIT */
/*
 * guest_req.h - the SNP guest request as a Linux guest's sev-guest driver
 * makes it (SEV-SNP firmware ABI, "guest messages"; GHCB spec, "SNP guest
 * request"): each message is sealed with AES-256-GCM under VMPCK0 from
 * the secrets page and the next sequence number, carried by the
 * hypervisor through two shared pages and a GHCB event, and the answer
 * is believed only if it authenticates under the same key and carries the
 * sequence number + 1. The hypervisor sees and may change everything in
 * the shared pages; it cannot forge or replay a message.
 */
#ifndef ATTEST_GUEST_REQ_H
#define ATTEST_GUEST_REQ_H

#include <stdint.h>

#include "swsev/abi/snp_cmd.h"

#define GUEST_MSG_SIZE        4096u
#define GUEST_MSG_PAYLOAD_MAX (GUEST_MSG_SIZE - sizeof(struct snp_msg_hdr))

/* A sealed message as it travels: header, then the ciphertext. */
struct guest_msg {
    struct snp_msg_hdr hdr;
    uint8_t payload[GUEST_MSG_PAYLOAD_MAX];
};
_Static_assert(sizeof(struct guest_msg) == GUEST_MSG_SIZE, "one page");

/* Make the two message pages shared and take VMPCK0 from the secrets
 * page. 0, or -1 (the key is disabled, OpenSSL refused it, or sharing
 * the pages failed). */
int guest_req_init(void);

/* Seal len bytes of payload as a message of type under the next sequence
 * number, into m (private memory). Consumes nothing: only an answered
 * exchange advances the sequence. 0, or -1 (the key is gone, the payload
 * too large, or the 32-bit sequence space is used up). */
int guest_req_seal(struct guest_msg *m, uint8_t type, const void *payload, uint16_t len);

enum guest_req_rc {
    GREQ_OK = 0,
    GREQ_NO_KEY,  /* the VMPCK was disabled by an earlier failure */
    GREQ_EVENT,   /* the hypervisor refused the GHCB event (SW_EXITINFO1 != 0) */
    GREQ_REFUSED, /* SW_EXITINFO2 != 0: the hypervisor's or the firmware's error */
    GREQ_BAD_HDR, /* the answer's header does not match the request */
    GREQ_BAD_TAG, /* the answer does not authenticate */
};
const char *guest_req_rc_name(enum guest_req_rc rc);

/* Send m (exactly its bytes: a message can be sent again verbatim) and
 * open the answer: resp_len bytes of its payload into resp. *err is
 * SW_EXITINFO2 ([63:32] the hypervisor's error, [31:0] the firmware's).
 * Any failure disables the key, as Linux does: a message that went out
 * without an answer may never have its sequence number reused for
 * different bytes (same IV, other plaintext), and the simplest way never
 * to do that is to stop. */
enum guest_req_rc guest_req_send(const struct guest_msg *m, void *resp, uint16_t resp_len,
                                 uint64_t *err);

/* Forget the key (our copy; the secrets page keeps its own). */
void guest_req_fini(void);

#endif
