/* SPDX-License-Identifier: MIT */
/* /dev/sev-guest in the guest kernel (see sev_guest_dev.h). */
#include <errno.h>
#include <linux/ioctl.h>
#include <linux/sev-guest.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "guest/sev_guest_dev.h"
#include "swsev/abi/snp_cmd.h"

#define EXITINFO2_PRESET 0xffull
#define CERTS_MAX        (16u << 10)
#define PAGE             4096u

struct ioc {
    uint8_t msg_version;
    uint64_t req_data, resp_data, exitinfo2;
};

static int get_ioc(const struct guest_uaccess *ua, uint64_t arg, struct ioc *c)
{
    struct snp_guest_request_ioctl u;
    if (ua->copy_from_user(ua->ctx, &u, arg, sizeof(u)))
        return -EFAULT;
    c->msg_version = u.msg_version;
    c->req_data = u.req_data;
    c->resp_data = u.resp_data;
    c->exitinfo2 = u.exitinfo2;
    return 0;
}

static int put_ioc(const struct guest_uaccess *ua, uint64_t arg, const struct ioc *c)
{
    struct snp_guest_request_ioctl u;
    memset(&u, 0, sizeof(u));
    u.msg_version = c->msg_version;
    u.req_data = c->req_data;
    u.resp_data = c->resp_data;
    u.exitinfo2 = c->exitinfo2;
    return ua->copy_to_user(ua->ctx, arg, &u, sizeof(u)) ? -EFAULT : 0;
}

/* The message went out and came back wrong (or not at all): the driver
 * stops using this VMPCK, since the guest and the firmware may no longer
 * agree on the sequence number. */
static int after_send(struct guest_sev_dev *d, swsev_rc rc, uint32_t fw, struct ioc *c)
{
    if (!rc) {
        c->exitinfo2 = 0;
        return 0;
    }
    d->vmpck_wiped = true;
    OPENSSL_cleanse(d->msg->vmpck, sizeof(d->msg->vmpck));
    if (SWSEV_RC_LAYER(rc) == SWSEV_LAYER_FW || fw) {
        c->exitinfo2 = fw;
        return -EIO;
    }
    return SWSEV_RC_CODE(rc) == SWSEV_E_VERIFY ? -EBADMSG : -EIO;
}

static int get_report(struct guest_sev_dev *d, struct ioc *c, const struct guest_uaccess *ua)
{
    struct snp_report_req q;
    uint8_t rsp[sizeof(struct snp_report_resp)];
    if (!c->req_data || !c->resp_data)
        return -EINVAL;
    if (ua->copy_from_user(ua->ctx, &q, c->req_data, sizeof(q)))
        return -EFAULT;
    memset(rsp, 0, sizeof(rsp));
    uint32_t fw = 0;
    swsev_rc rc =
        guest_snp_request(d->msg, SNP_MSG_REPORT_REQ, &q, sizeof(q), rsp, SNP_REPORT_RSP_SIZE, &fw);
    int r = after_send(d, rc, fw, c);
    if (!r && ua->copy_to_user(ua->ctx, c->resp_data, rsp, sizeof(rsp)))
        r = -EFAULT;
    return r;
}

static int get_derived_key(struct guest_sev_dev *d, struct ioc *c, const struct guest_uaccess *ua)
{
    struct snp_derived_key_req q;
    struct snp_derived_key_resp out;
    if (!c->req_data || !c->resp_data)
        return -EINVAL;
    if (ua->copy_from_user(ua->ctx, &q, c->req_data, sizeof(q)))
        return -EFAULT;
    memset(&out, 0, sizeof(out));
    uint32_t fw = 0;
    swsev_rc rc =
        guest_snp_request(d->msg, SNP_MSG_KEY_REQ, &q, sizeof(q), out.data, sizeof(out.data), &fw);
    int r = after_send(d, rc, fw, c);
    if (!r && ua->copy_to_user(ua->ctx, c->resp_data, &out, sizeof(out)))
        r = -EFAULT;
    OPENSSL_cleanse(&out, sizeof(out));
    return r;
}

static int get_ext_report(struct guest_sev_dev *d, struct ioc *c, const struct guest_uaccess *ua)
{
    struct snp_ext_report_req q;
    if (!c->req_data || !c->resp_data)
        return -EINVAL;
    if (ua->copy_from_user(ua->ctx, &q, c->req_data, sizeof(q)))
        return -EFAULT;
    size_t len = q.certs_address && q.certs_len ? q.certs_len : 0;
    if (len && (len % PAGE || len > CERTS_MAX))
        return -EINVAL;
    uint8_t *certs = len ? calloc(1, len) : NULL;
    if (len && !certs)
        return -ENOMEM;
    uint8_t rsp[sizeof(struct snp_report_resp)];
    memset(rsp, 0, sizeof(rsp));
    uint32_t fw = 0, vmm = 0;
    size_t have = len;
    swsev_rc rc = guest_snp_ext_report(d->msg, &q.data, sizeof(q.data), rsp, SNP_REPORT_RSP_SIZE,
                                       certs, &have, &fw, &vmm);
    int r;
    if (vmm == 1) {
        /* The host needs more room: tell the caller how much. */
        c->exitinfo2 = (uint64_t)vmm << 32;
        q.certs_len = (uint32_t)((have + PAGE - 1) / PAGE * PAGE);
        r = ua->copy_to_user(ua->ctx, c->req_data, &q, sizeof(q)) ? -EFAULT : -EIO;
    } else {
        r = after_send(d, rc, fw, c);
        if (!r && len && ua->copy_to_user(ua->ctx, q.certs_address, certs, len))
            r = -EFAULT;
        if (!r && ua->copy_to_user(ua->ctx, c->resp_data, rsp, sizeof(rsp)))
            r = -EFAULT;
    }
    free(certs);
    return r;
}

int guest_sev_dev_ioctl(struct guest_sev_dev *d, uint64_t request, uint64_t arg,
                        const struct guest_uaccess *ua)
{
    struct ioc c;
    int r = get_ioc(ua, arg, &c);
    if (r)
        return r;
    c.exitinfo2 = EXITINFO2_PRESET;
    if (c.msg_version == 0)
        return -EINVAL;
    if (d->vmpck_wiped) {
        r = -ENOTTY;
    } else {
        switch (request) {
        case SNP_GET_REPORT:
            r = get_report(d, &c, ua);
            break;
        case SNP_GET_DERIVED_KEY:
            r = get_derived_key(d, &c, ua);
            break;
        case SNP_GET_EXT_REPORT:
            r = get_ext_report(d, &c, ua);
            break;
        default:
            r = -ENOTTY;
            break;
        }
    }
    if (c.exitinfo2 && put_ioc(ua, arg, &c))
        r = -EFAULT;
    return r;
}
