/* SPDX-License-Identifier: MIT */
/*
 * attest.elf - an SEV-SNP guest asks the firmware for its attestation
 * report, as a Linux guest's sev-guest driver does (MSG_REPORT_REQ over
 * the GHCB guest request, attest/guest_req.c), checks it and prints it.
 * Then a second report, which the firmware must accept under the next
 * sequence number, and a verbatim resend of the first request, which it
 * must refuse. Transcript and exit codes: docs/x86-guests.md.
 */
#include "attest/guest_req.h"
#include "guest.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/abi/snp_report.h"

enum {
    EXIT_OK = 0,
    EXIT_NOT_SNP = 2,
    EXIT_SETUP = 3,    /* no key, no shared pages, or nothing to seal with */
    EXIT_REQUEST = 4,  /* the exchange failed: refused, forged or mangled */
    EXIT_REPORT = 5,   /* an authentic answer, but not the report we asked for */
    EXIT_REPLAYED = 6, /* the firmware answered a replayed request */
};

struct report_rsp {
    struct snp_msg_report_rsp_hdr hdr;
    struct snp_report report;
} __attribute__((packed));
_Static_assert(sizeof(struct report_rsp) == SNP_REPORT_RSP_SIZE, "MSG_REPORT_RSP");

/* REPORT_DATA: 64 bytes of the guest's choosing that the firmware signs
 * along with the rest (a verifier's nonce or a key's hash, usually). */
static const uint8_t report_data[64] = "swsev x86 attest";

static struct guest_msg first, second;
static struct report_rsp rsp1, rsp2;

static void print_hex(const char *label, const uint8_t *p, unsigned n, int truncated)
{
    static const char digits[] = "0123456789abcdef";
    serial_puts(label);
    for (unsigned i = 0; i < n; i++) {
        serial_putc(digits[p[i] >> 4]);
        serial_putc(digits[p[i] & 15]);
    }
    serial_puts(truncated ? "...\n" : "\n");
}

/* Seal a MSG_REPORT_REQ for VMPL 0 into m, send it, and check the answer
 * is a report of ours: status 0, the full size, our REPORT_DATA. */
static int get_report(struct guest_msg *m, struct report_rsp *r)
{
    struct snp_msg_report_req q;
    memset(&q, 0, sizeof(q));
    memcpy(q.report_data, report_data, sizeof(report_data));
    q.vmpl = 0;
    if (guest_req_seal(m, SNP_MSG_REPORT_REQ, &q, sizeof(q))) {
        printf("attest: cannot seal the request\n");
        return EXIT_SETUP;
    }
    uint64_t err;
    enum guest_req_rc rc = guest_req_send(m, r, sizeof(*r), &err);
    if (rc != GREQ_OK) {
        printf("attest: seqno %lu: %s (SW_EXITINFO2 0x%lx)\n", (unsigned long)m->hdr.msg_seqno,
               guest_req_rc_name(rc), (unsigned long)err);
        return EXIT_REQUEST;
    }
    if (r->hdr.status != 0 || r->hdr.report_size != sizeof(r->report)) {
        printf("attest: MSG_REPORT_RSP status 0x%x, report size 0x%x\n", r->hdr.status,
               r->hdr.report_size);
        return EXIT_REPORT;
    }
    if (memcmp(r->report.report_data, report_data, sizeof(report_data)) || r->report.vmpl != 0) {
        printf("attest: the report is not for our REPORT_DATA at VMPL 0\n");
        return EXIT_REPORT;
    }
    return EXIT_OK;
}

static void print_report(const struct snp_report *rep)
{
    printf("attest: report version 0x%x, vmpl %u, policy 0x%lx\n", rep->version, rep->vmpl,
           (unsigned long)rep->policy);
    print_hex("measurement: ", rep->measurement, sizeof(rep->measurement), 0);
    print_hex("report_data: ", rep->report_data, sizeof(rep->report_data), 0);
    print_hex("chip_id: ", rep->chip_id, 16, 1);
    print_hex("signature_r: ", rep->sig_r, 16, 1);
}

/* The first request again, byte for byte: a hypervisor that recorded it
 * could do the same. Its sequence number is spent, so the firmware must
 * refuse it (the answer it once had is not to be had twice). */
static int replay_first(void)
{
    struct report_rsp r;
    uint64_t err;
    enum guest_req_rc rc = guest_req_send(&first, &r, sizeof(r), &err);
    if (rc == GREQ_OK) {
        printf("attest: the replayed request (seqno %lu) got an authentic answer\n",
               (unsigned long)first.hdr.msg_seqno);
        return EXIT_REPLAYED;
    }
    printf("replayed request refused\n");
    return EXIT_OK;
}

static int attest(void)
{
    if (guest_req_init()) {
        printf("attest: cannot set up the guest request (VMPCK0, shared pages)\n");
        return EXIT_SETUP;
    }
    int rc = get_report(&first, &rsp1);
    if (rc)
        return rc;
    print_report(&rsp1.report);
    rc = get_report(&second, &rsp2);
    if (rc)
        return rc;
    /* The same VM: the launch digest cannot have changed in between. */
    if (memcmp(rsp2.report.measurement, rsp1.report.measurement, sizeof(rsp1.report.measurement))) {
        printf("attest: the second report has another measurement\n");
        return EXIT_REPORT;
    }
    printf("second report: ok\n");
    return replay_first();
}

int main(void)
{
    if (sev_mode != MODE_SNP) {
        printf("attest: needs an SEV-SNP guest\n");
        return EXIT_NOT_SNP;
    }
    int rc = attest();
    guest_req_fini();
    return rc;
}
