/* SPDX-License-Identifier: MIT */
/* guest_req.c - the SNP guest request (see guest_req.h). */
#include "guest_req.h"

#include "aead.h"
#include "ghcb_client.h"
#include "guest.h"
#include "ossl.h"
#include "snp.h"

/* The secrets page (docs/x86-guests.md: GPA 0x1000, private, launched by
 * the firmware). VMPCK0 at 0x20 (swsev/abi/snp_cmd.h); the OS area from
 * 0xA0 is the guest's own, and Linux keeps VMPCK0's last sequence number
 * in its first 32 bits so that it survives a kexec. We do the same. */
#define SECRETS_GPA 0x1000ull
#define OS_AREA_OFF offsetof(struct snp_secrets_page, os_area)

#define MSG_ALGO_AES_256_GCM 1
#define MSG_HDR_VERSION      1
#define MSG_VERSION          1
#define VMPCK_ID             0

/* The pages the hypervisor reads the request from and writes the answer
 * to. Below 2 MiB like everything in this image, where the page tables
 * have 4 KiB entries, so sharing them shares nothing else. */
static uint8_t shared[2][GUEST_MSG_SIZE] __attribute__((aligned(4096)));
#define REQ_PAGE  (shared[0])
#define RESP_PAGE (shared[1])

/* The answer, copied out of the shared page before anything in it is
 * looked at (the hypervisor could change it between check and use), and
 * the plaintext it opens to. */
static struct guest_msg answer;
static uint8_t plain[GUEST_MSG_PAYLOAD_MAX];

static int have_key;

static volatile uint32_t *seqno_store(void)
{
    const struct snp_secrets_page *s = (const struct snp_secrets_page *)SECRETS_GPA;
    return (volatile uint32_t *)(uintptr_t)&s->os_area[0];
}

int guest_req_init(void)
{
    const struct snp_secrets_page *s = (const struct snp_secrets_page *)SECRETS_GPA;
    const uint8_t *vmpck = s->vmpck[VMPCK_ID];
    /* An all-zero VMPCK is one a guest kernel disabled (Linux wipes it
     * after a failed exchange): refuse it rather than talk with it. */
    uint8_t any = 0;
    for (unsigned i = 0; i < AEAD_KEY_LEN; i++)
        any |= vmpck[i];
    if (!any || aead_init(vmpck))
        return -1;
    have_key = 1;
    if (snp_share((uint64_t)(uintptr_t)shared, 2)) {
        guest_req_fini();
        return -1;
    }
    return 0;
}

void guest_req_fini(void)
{
    aead_wipe();
    have_key = 0;
}

/* The IV: the sequence number, little-endian, zero-padded to 96 bits. */
static void iv_of(uint64_t seqno, uint8_t iv[AEAD_IV_LEN])
{
    for (unsigned i = 0; i < AEAD_IV_LEN; i++)
        iv[i] = i < 8 ? (uint8_t)(seqno >> (8 * i)) : 0;
}

/* The AAD: the header from algo on (0x30-0x5F). The tag and the
 * sequence number are not in it; the sequence number is in the IV. */
static const uint8_t *aad_of(const struct snp_msg_hdr *h)
{
    return (const uint8_t *)h + SNP_MSG_AAD_OFFSET;
}

int guest_req_seal(struct guest_msg *m, uint8_t type, const void *payload, uint16_t len)
{
    if (!have_key || len == 0 || len > GUEST_MSG_PAYLOAD_MAX)
        return -1;
    /* The stored number is the last answer's; the firmware takes the next
     * one from us and answers with the one after, hence odd requests.
     * The GHCB spec gives it 32 bits of storage: stop before they run
     * out (the firmware would refuse 0 anyway). */
    uint64_t seqno = (uint64_t)*seqno_store() + 1;
    if (seqno >= UINT32_MAX)
        return -1;
    memset(m, 0, sizeof(*m));
    struct snp_msg_hdr *h = &m->hdr;
    h->msg_seqno = seqno;
    h->algo = MSG_ALGO_AES_256_GCM;
    h->hdr_version = MSG_HDR_VERSION;
    h->hdr_size = sizeof(*h);
    h->msg_type = type;
    h->msg_version = MSG_VERSION;
    h->msg_size = len;
    h->msg_vmpck = VMPCK_ID;
    uint8_t iv[AEAD_IV_LEN];
    iv_of(seqno, iv);
    /* The tag is the first 16 of the header's 32 authtag bytes. */
    return aead_seal(iv, aad_of(h), SNP_MSG_AAD_LEN, payload, m->payload, len, h->authtag);
}

const char *guest_req_rc_name(enum guest_req_rc rc)
{
    switch (rc) {
    case GREQ_OK:
        return "ok";
    case GREQ_NO_KEY:
        return "the VMPCK is disabled";
    case GREQ_EVENT:
        return "the hypervisor refused the GHCB event";
    case GREQ_REFUSED:
        return "the request was refused";
    case GREQ_BAD_HDR:
        return "the response's header does not match the request";
    case GREQ_BAD_TAG:
        return "the response does not authenticate";
    }
    return "?";
}

/* What Linux checks before decrypting: the answer to this very message
 * (sequence number + 1, type + 1, same version), the algorithm and key
 * it was sealed with, and a size that fits. The AAD covers all but the
 * sequence number, which the IV covers: a header that lies fails the tag
 * anyway, but there is no point decrypting for it. */
static int header_matches(const struct snp_msg_hdr *q, const struct snp_msg_hdr *a,
                          uint16_t resp_len)
{
    return a->msg_seqno == q->msg_seqno + 1 && a->msg_type == q->msg_type + 1 &&
           a->msg_version == q->msg_version && a->algo == MSG_ALGO_AES_256_GCM &&
           a->hdr_version == MSG_HDR_VERSION && a->hdr_size == sizeof(*a) &&
           a->msg_vmpck == q->msg_vmpck && a->msg_size >= resp_len &&
           a->msg_size <= GUEST_MSG_PAYLOAD_MAX;
}

static enum guest_req_rc exchange(const struct guest_msg *m, void *resp, uint16_t resp_len,
                                  uint64_t *err)
{
    /* Only the message's own bytes go out; the rest of the page is 0. A
     * stale answer must not survive in the response page either. */
    size_t len = sizeof(m->hdr) + m->hdr.msg_size;
    memset(REQ_PAGE, 0, GUEST_MSG_SIZE);
    memcpy(REQ_PAGE, m, len);
    memset(RESP_PAGE, 0, GUEST_MSG_SIZE);
    if (ghcb_guest_request((uint64_t)(uintptr_t)REQ_PAGE, (uint64_t)(uintptr_t)RESP_PAGE, err))
        return GREQ_EVENT;
    if (*err)
        return GREQ_REFUSED;
    memcpy(&answer, RESP_PAGE, GUEST_MSG_SIZE);
    const struct snp_msg_hdr *a = &answer.hdr;
    if (!header_matches(&m->hdr, a, resp_len))
        return GREQ_BAD_HDR;
    uint8_t iv[AEAD_IV_LEN];
    iv_of(a->msg_seqno, iv);
    if (aead_open(iv, aad_of(a), SNP_MSG_AAD_LEN, answer.payload, plain, a->msg_size, a->authtag))
        return GREQ_BAD_TAG;
    memcpy(resp, plain, resp_len);
    OPENSSL_cleanse(plain, a->msg_size);
    return GREQ_OK;
}

enum guest_req_rc guest_req_send(const struct guest_msg *m, void *resp, uint16_t resp_len,
                                 uint64_t *err)
{
    *err = 0;
    if (!have_key)
        return GREQ_NO_KEY;
    enum guest_req_rc rc = exchange(m, resp, resp_len, err);
    if (rc != GREQ_OK) {
        guest_req_fini();
        return rc;
    }
    /* The firmware has used up request and response numbers: the next
     * request is 2 further on. (A verbatim resend of an older message
     * cannot get here: the firmware refuses an old number.) */
    if (m->hdr.msg_seqno == (uint64_t)*seqno_store() + 1)
        *seqno_store() += 2;
    return GREQ_OK;
}
