/* SPDX-License-Identifier: MIT */
/*
 * guest/snp_msg.h - what an SNP guest kernel's sev-guest driver does: read
 * the VMPCKs from the secrets page (private memory), seal each request to
 * the firmware with AES-256-GCM under VMPCK n and the next sequence
 * number, put it in a shared page, let the hypervisor carry it (here a
 * callback; the GHCB's guest-request exit in a running vCPU), and open the
 * response, which must carry the sequence number + 1. Every accepted
 * exchange advances the sequence by 2; a failed one leaves it, so a retry
 * reuses the number (Linux does the same and never reuses an IV with a
 * different message).
 */
#ifndef SWSEV_GUEST_SNP_MSG_H
#define SWSEV_GUEST_SNP_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/memsys.h"

/* The hypervisor's side of a guest request: 0 or -errno, *fw_error the
 * firmware status (KVM returns it to the guest in the GHCB's exit info). */
typedef int (*guest_snp_transport)(void *ctx, uint64_t req_gpa, uint64_t resp_gpa,
                                   uint32_t *fw_error);

/* The hypervisor's certificate table for extended guest requests (GHCB
 * SNP_EXTENDED_GUEST_REQUEST): copies it into buf when it fits cap, and
 * returns its length either way (0: the host has none). */
typedef size_t (*guest_snp_certs)(void *ctx, uint8_t *buf, size_t cap);

struct guest_snp {
    struct memsys *ms;
    const struct hw_guest_ctx *cpu;
    uint8_t vmpck[32];
    uint8_t vmpck_id;
    uint64_t seqno;             /* the last sequence number used (even) */
    uint64_t req_gpa, resp_gpa; /* shared pages */
    guest_snp_transport transport;
    guest_snp_certs certs;
    void *transport_ctx;
};

/* Read VMPCK vmpck_id from the secrets page at secrets_gpa. */
struct snp_msg_hdr;

/* Seal one guest message as the guest does: the header (AES-256-GCM,
 * version 1, seqno, type, size, VMPCK id) and payload encrypted under key
 * into ct (len bytes), the tag in the header. */
swsev_rc snp_msg_seal(const uint8_t key[32], uint8_t vmpck_id, uint64_t seqno, uint8_t type,
                      const void *payload, uint16_t len, struct snp_msg_hdr *h, uint8_t *ct);

swsev_rc guest_snp_init(struct guest_snp *g, struct memsys *ms, const struct hw_guest_ctx *cpu,
                        uint64_t secrets_gpa, uint8_t vmpck_id, uint64_t req_gpa, uint64_t resp_gpa,
                        guest_snp_transport t, void *tctx);
void guest_snp_fini(struct guest_snp *g);

/* One exchange. resp gets the decrypted response payload (resp_len bytes,
 * what the message type's response holds). SWSEV_FW_ERR(status) when the
 * firmware refused the request; SWSEV_TOOL_ERR(SWSEV_E_VERIFY) when the
 * response does not authenticate. */
swsev_rc guest_snp_request(struct guest_snp *g, uint8_t type, const void *req, uint16_t req_len,
                           void *resp, uint16_t resp_len, uint32_t *fw_error);

void guest_snp_set_certs(struct guest_snp *g, guest_snp_certs certs);

/* MSG_REPORT_REQ: the 0x4A0-byte report for report_data at vmpl. */
swsev_rc guest_snp_report(struct guest_snp *g, const uint8_t report_data[64], uint32_t vmpl,
                          uint8_t report[0x4A0], uint32_t *status, uint32_t *fw_error);

/* The extended request: the host's certificate table into certs (*certs_len:
 * in, the buffer's size; out, the table's size) and the report response.
 * When the table does not fit, *vmm_error = 1 (INVALID_LEN), *certs_len
 * says what is needed, and (as Linux does, so the sequence number is
 * consumed) the message still goes to the firmware as a plain request;
 * SWSEV_TOOL_ERR(SWSEV_E_INVAL) is returned. */
swsev_rc guest_snp_ext_report(struct guest_snp *g, const void *req, uint16_t req_len, void *resp,
                              uint16_t resp_len, uint8_t *certs, size_t *certs_len,
                              uint32_t *fw_error, uint32_t *vmm_error);

#endif
