/* SPDX-License-Identifier: MIT */
/*
 * /dev/sev as Linux's ccp driver implements it (6.1 behaviour, see
 * docs/devsev.md). Every function here runs with the PSP driver's command
 * mutex held, like the kernel's sev_cmd_mutex.
 */
#include <errno.h>
#include <linux/ioctl.h>
#include <linux/psp-sev.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/snp_vcek.h"
#include "hv/sev_dev.h"
#include "hv/snp_host.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/abi/sev_cmd.h"
#include "swsev/chip.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* kernel-internal errno the driver returns for old firmware */
#endif

/* struct sev_issue_cmd is packed; the driver works on an aligned copy. */
struct issue {
    uint32_t cmd;
    uint64_t data;
    uint32_t error;
};

#define SEV_FW_BLOB_MAX_SIZE 0x4000 /* 16 KiB, the driver's limit on user blobs */
#define SEV_ES_TMR_SIZE      (1u << 20)

static int do_cmd(struct hv_sev_dev *dev, uint32_t cmd, void *data, size_t len, uint32_t *err)
{
    return hv_psp_do_cmd_locked(dev->psp, cmd, data, len, err);
}

static bool version_at_least(const struct hv_sev_dev *dev, uint8_t maj, uint8_t min)
{
    return dev->api_major > maj || (dev->api_major == maj && dev->api_minor >= min);
}

int hv_sev_platform_init(struct hv_sev_dev *dev, uint32_t *error)
{
    if (dev->state == SEV_STATE_INIT)
        return 0;
    struct sev_fw_init init = {0};
    if (dev->es_tmr) {
        init.flags = SEV_INIT_FLAGS_SEV_ES;
        init.tmr_paddr = hv_psp_pa(dev->psp, dev->tmr_spa);
        init.tmr_len = SEV_ES_TMR_SIZE;
    }
    int rc = do_cmd(dev, SEV_CMD_INIT, &init, sizeof(init), error);
    if (rc && error && *error == SEV_RET_SECURE_DATA_INVALID) {
        /* The firmware rebuilt its NV data: INIT once more, as Linux does. */
        rc = do_cmd(dev, SEV_CMD_INIT, &init, sizeof(init), error);
    }
    if (rc)
        return rc;
    dev->state = SEV_STATE_INIT;
    /* Prepare for the first guest: WBINVD on every CPU, then DF_FLUSH. */
    const struct chip_config *cfg = memsys_chip(dev->psp->ms);
    for (unsigned c = 0; c < cfg->nr_cores; c++)
        memsys_wbinvd(dev->psp->ms, c);
    return do_cmd(dev, SEV_CMD_DF_FLUSH, NULL, 0, error);
}

int hv_sev_platform_shutdown(struct hv_sev_dev *dev, uint32_t *error)
{
    if (dev->state == SEV_STATE_UNINIT)
        return 0;
    int rc = do_cmd(dev, SEV_CMD_SHUTDOWN, NULL, 0, error);
    if (rc)
        return rc;
    dev->state = SEV_STATE_UNINIT;
    return 0;
}

static int get_platform_state(struct hv_sev_dev *dev, int *state, uint32_t *error)
{
    struct sev_user_data_status st = {0};
    int rc = do_cmd(dev, SEV_CMD_PLATFORM_STATUS, &st, sizeof(st), error);
    if (!rc)
        *state = st.state;
    return rc;
}

swsev_rc hv_sev_dev_probe(struct hv_sev_dev *dev, struct hv_psp *psp, bool init_on_probe)
{
    memset(dev, 0, sizeof(*dev));
    dev->psp = psp;
    dev->state = SEV_STATE_UNINIT;
    const struct chip_config *cfg = memsys_chip(psp->ms);
    if (cfg->features & CPUID_SEV_ES) {
        swsev_rc rc = hv_hostmem_alloc(psp->hm, SEV_ES_TMR_SIZE / 4096, 256, &dev->tmr_spa);
        if (rc)
            return rc;
        dev->es_tmr = true;
    }
    uint32_t err = 0;
    struct sev_user_data_status st = {0};
    hv_psp_lock(psp);
    int rc = do_cmd(dev, SEV_CMD_PLATFORM_STATUS, &st, sizeof(st), &err);
    if (!rc) {
        dev->api_major = st.api_major;
        dev->api_minor = st.api_minor;
        dev->build = st.build;
        dev->state = st.state == SEV_STATE_UNINIT ? SEV_STATE_UNINIT : SEV_STATE_INIT;
    }
    dev->snp = memsys_snp_enabled(psp->ms);
    if (!rc && init_on_probe)
        rc = hv_sev_platform_init(dev, &err);
    hv_psp_unlock(psp);
    return rc ? SWSEV_FW_ERR(err) : SWSEV_OK;
}

void hv_sev_dev_remove(struct hv_sev_dev *dev)
{
    uint32_t err;
    if (!dev->psp)
        return;
    hv_psp_lock(dev->psp);
    hv_sev_platform_shutdown(dev, &err);
    hv_psp_unlock(dev->psp);
    if (dev->es_tmr)
        hv_hostmem_free(dev->psp->hm, dev->tmr_spa, SEV_ES_TMR_SIZE / 4096);
    dev->psp = NULL;
}

/* ---- the ioctl commands ---- */

static int do_reset(struct hv_sev_dev *dev, struct issue *argp, bool writable)
{
    if (!writable)
        return -EPERM;
    /* FACTORY_RESET must be issued in UNINIT: refuse while guests exist,
     * shut an initialised platform down first. */
    int state, rc = get_platform_state(dev, &state, &argp->error);
    if (rc)
        return rc;
    if (state == SEV_STATE_WORKING)
        return -EBUSY;
    if (state == SEV_STATE_INIT) {
        rc = hv_sev_platform_shutdown(dev, &argp->error);
        if (rc)
            return rc;
    }
    return do_cmd(dev, SEV_CMD_PLATFORM_RESET, NULL, 0, &argp->error);
}

static int do_platform_status(struct hv_sev_dev *dev, struct issue *argp,
                              const struct hv_uaccess *ua)
{
    struct sev_user_data_status data;
    memset(&data, 0, sizeof(data));
    int rc = do_cmd(dev, SEV_CMD_PLATFORM_STATUS, &data, sizeof(data), &argp->error);
    if (rc)
        return rc;
    if (ua->copy_to_user(ua->ctx, argp->data, &data, sizeof(data)))
        return -EFAULT;
    return 0;
}

static int do_pek_pdh_gen(struct hv_sev_dev *dev, uint32_t cmd, struct issue *argp, bool writable)
{
    if (!writable)
        return -EPERM;
    if (dev->state == SEV_STATE_UNINIT) {
        int rc = hv_sev_platform_init(dev, &argp->error);
        if (rc)
            return rc;
    }
    return do_cmd(dev, cmd, NULL, 0, &argp->error);
}

/* A host buffer the firmware writes a blob into, returned to user space. */
static int blob_alloc(struct hv_sev_dev *dev, size_t len, struct hv_psp_buf *b)
{
    if (hv_psp_buf_alloc(dev->psp, len, b))
        return -ENOMEM;
    static const uint8_t zero[4096];
    for (size_t off = 0; off < len; off += sizeof(zero)) {
        size_t n = len - off < sizeof(zero) ? len - off : sizeof(zero);
        if (memsys_host_write(dev->psp->ms, hv_psp_pa(dev->psp, b->spa + off), zero, n))
            return -EIO;
    }
    return 0;
}

static int blob_to_user(struct hv_sev_dev *dev, const struct hv_uaccess *ua, uint64_t uaddr,
                        const struct hv_psp_buf *b, size_t len)
{
    if (len > b->len)
        len = b->len;
    void *tmp = malloc(len ? len : 1);
    if (!tmp)
        return -ENOMEM;
    int rc = hv_psp_buf_read(dev->psp, b, tmp, len) ? -EIO : 0;
    if (!rc && ua->copy_to_user(ua->ctx, uaddr, tmp, len))
        rc = -EFAULT;
    free(tmp);
    return rc;
}

/* psp_copy_user_blob(): a user blob into a host buffer. */
static int blob_from_user(struct hv_sev_dev *dev, const struct hv_uaccess *ua, uint64_t uaddr,
                          uint32_t len, struct hv_psp_buf *b)
{
    memset(b, 0, sizeof(*b));
    if (!uaddr || !len || len > SEV_FW_BLOB_MAX_SIZE)
        return -EINVAL;
    void *tmp = malloc(len);
    if (!tmp)
        return -ENOMEM;
    int rc = ua->copy_from_user(ua->ctx, tmp, uaddr, len) ? -EFAULT : 0;
    if (!rc && hv_psp_buf_alloc(dev->psp, len, b))
        rc = -ENOMEM;
    if (!rc && hv_psp_buf_write(dev->psp, b, tmp, len))
        rc = -EIO;
    free(tmp);
    return rc;
}

static int do_pek_csr(struct hv_sev_dev *dev, struct issue *argp, bool writable,
                      const struct hv_uaccess *ua)
{
    struct sev_user_data_pek_csr input;
    struct sev_fw_addr_len data;
    struct hv_psp_buf blob = {0};
    int rc;
    if (!writable)
        return -EPERM;
    if (ua->copy_from_user(ua->ctx, &input, argp->data, sizeof(input)))
        return -EFAULT;
    memset(&data, 0, sizeof(data));
    /* No address or no length: the caller queries the CSR length. */
    if (input.address && input.length) {
        if (input.length > SEV_FW_BLOB_MAX_SIZE)
            return -EFAULT;
        rc = blob_alloc(dev, input.length, &blob);
        if (rc)
            goto out;
        data.paddr = hv_psp_buf_pa(dev->psp, &blob);
        data.len = input.length;
    }
    if (dev->state == SEV_STATE_UNINIT) {
        rc = hv_sev_platform_init(dev, &argp->error);
        if (rc)
            goto out;
    }
    rc = do_cmd(dev, SEV_CMD_PEK_CSR, &data, sizeof(data), &argp->error);
    /* The length goes back whatever happened (it is the needed length on
     * INVALID_LENGTH), and so does the blob. */
    input.length = data.len;
    if (ua->copy_to_user(ua->ctx, argp->data, &input, sizeof(input))) {
        rc = -EFAULT;
        goto out;
    }
    if (blob.len) {
        int r2 = blob_to_user(dev, ua, input.address, &blob, input.length);
        if (r2)
            rc = r2;
    }
out:
    hv_psp_buf_free(dev->psp, &blob);
    return rc;
}

static int do_pek_import(struct hv_sev_dev *dev, struct issue *argp, bool writable,
                         const struct hv_uaccess *ua)
{
    struct sev_user_data_pek_cert_import input;
    struct sev_fw_pek_cert_import data;
    struct hv_psp_buf pek = {0}, oca = {0};
    if (!writable)
        return -EPERM;
    if (ua->copy_from_user(ua->ctx, &input, argp->data, sizeof(input)))
        return -EFAULT;
    int rc = blob_from_user(dev, ua, input.pek_cert_address, input.pek_cert_len, &pek);
    if (!rc)
        rc = blob_from_user(dev, ua, input.oca_cert_address, input.oca_cert_len, &oca);
    if (!rc && dev->state != SEV_STATE_INIT)
        rc = hv_sev_platform_init(dev, &argp->error);
    if (!rc) {
        memset(&data, 0, sizeof(data));
        data.pek_paddr = hv_psp_buf_pa(dev->psp, &pek);
        data.pek_len = input.pek_cert_len;
        data.oca_paddr = hv_psp_buf_pa(dev->psp, &oca);
        data.oca_len = input.oca_cert_len;
        rc = do_cmd(dev, SEV_CMD_PEK_CERT_IMPORT, &data, sizeof(data), &argp->error);
    }
    hv_psp_buf_free(dev->psp, &pek);
    hv_psp_buf_free(dev->psp, &oca);
    return rc;
}

static int do_pdh_export(struct hv_sev_dev *dev, struct issue *argp, bool writable,
                         const struct hv_uaccess *ua)
{
    struct sev_user_data_pdh_cert_export input;
    struct sev_fw_pdh_cert_export data;
    struct hv_psp_buf pdh = {0}, chain = {0};
    int rc;
    /* The driver's state is UNINIT or INIT; it initialises when needed. */
    if (dev->state != SEV_STATE_INIT) {
        if (!writable)
            return -EPERM;
        rc = hv_sev_platform_init(dev, &argp->error);
        if (rc)
            return rc;
    }
    if (ua->copy_from_user(ua->ctx, &input, argp->data, sizeof(input)))
        return -EFAULT;
    memset(&data, 0, sizeof(data));
    if (input.pdh_cert_address && input.pdh_cert_len && input.cert_chain_address) {
        if (input.pdh_cert_len > SEV_FW_BLOB_MAX_SIZE ||
            input.cert_chain_len > SEV_FW_BLOB_MAX_SIZE)
            return -EFAULT;
        rc = blob_alloc(dev, input.pdh_cert_len, &pdh);
        if (!rc)
            rc = blob_alloc(dev, input.cert_chain_len, &chain);
        if (rc)
            goto out;
        data.pdh_paddr = hv_psp_buf_pa(dev->psp, &pdh);
        data.pdh_len = input.pdh_cert_len;
        data.chain_paddr = hv_psp_buf_pa(dev->psp, &chain);
        data.chain_len = input.cert_chain_len;
    }
    rc = do_cmd(dev, SEV_CMD_PDH_CERT_EXPORT, &data, sizeof(data), &argp->error);
    input.cert_chain_len = data.chain_len;
    input.pdh_cert_len = data.pdh_len;
    if (ua->copy_to_user(ua->ctx, argp->data, &input, sizeof(input))) {
        rc = -EFAULT;
        goto out;
    }
    if (pdh.len) {
        int r2 = blob_to_user(dev, ua, input.pdh_cert_address, &pdh, input.pdh_cert_len);
        if (r2) {
            rc = r2;
            goto out;
        }
    }
    if (chain.len) {
        int r2 = blob_to_user(dev, ua, input.cert_chain_address, &chain, input.cert_chain_len);
        if (r2)
            rc = r2;
    }
out:
    hv_psp_buf_free(dev->psp, &pdh);
    hv_psp_buf_free(dev->psp, &chain);
    return rc;
}

static int do_get_id(struct hv_sev_dev *dev, struct issue *argp, const struct hv_uaccess *ua)
{
    struct sev_fw_addr_len data;
    struct hv_psp_buf id = {0};
    if (!version_at_least(dev, 0, 16))
        return -ENOTSUPP;
    int rc = blob_alloc(dev, sizeof(struct sev_user_data_get_id), &id);
    if (rc)
        goto out;
    data.paddr = hv_psp_buf_pa(dev->psp, &id);
    data.len = sizeof(struct sev_user_data_get_id);
    rc = do_cmd(dev, SEV_CMD_GET_ID, &data, sizeof(data), &argp->error);
    if (!rc)
        rc = blob_to_user(dev, ua, argp->data, &id, data.len);
out:
    hv_psp_buf_free(dev->psp, &id);
    return rc;
}

static int do_get_id2(struct hv_sev_dev *dev, struct issue *argp, const struct hv_uaccess *ua)
{
    struct sev_user_data_get_id2 input;
    struct sev_fw_addr_len data = {0};
    struct hv_psp_buf id = {0};
    if (!version_at_least(dev, 0, 16))
        return -ENOTSUPP;
    if (ua->copy_from_user(ua->ctx, &input, argp->data, sizeof(input)))
        return -EFAULT;
    int rc = 0;
    if (input.address && input.length) {
        /* The page allocator's limit: 4 MiB (1 << (PAGE_SHIFT + MAX_ORDER)). */
        if (input.length > (4u << 20))
            return -ENOMEM;
        rc = blob_alloc(dev, input.length, &id);
        if (rc)
            goto out;
        data.paddr = hv_psp_buf_pa(dev->psp, &id);
        data.len = input.length;
    }
    rc = do_cmd(dev, SEV_CMD_GET_ID, &data, sizeof(data), &argp->error);
    /* The firmware returns the needed or written length: pass it on. */
    input.length = data.len;
    if (ua->copy_to_user(ua->ctx, argp->data, &input, sizeof(input))) {
        rc = -EFAULT;
        goto out;
    }
    if (id.len) {
        int r2 = blob_to_user(dev, ua, input.address, &id, data.len);
        if (r2)
            rc = r2;
    }
out:
    hv_psp_buf_free(dev->psp, &id);
    return rc;
}

/* ---- SNP (Linux 6.11: SNP initialised at boot, else EINVAL) ---- */

/* A firmware page for an output, given back to the host afterwards (with
 * the command lock held, so the reclaim goes through do_cmd). */
static int snp_out_page(struct hv_sev_dev *dev, uint64_t *spa)
{
    return hv_snp_fw_page_alloc(dev->psp, spa) ? -ENOMEM : 0;
}

static int snp_reclaim(struct hv_sev_dev *dev, uint64_t spa)
{
    struct snp_fw_addr a = {spa};
    uint32_t err;
    if (do_cmd(dev, SNP_CMD_PAGE_RECLAIM, &a, sizeof(a), &err) || hv_snp_make_shared(dev->psp, spa))
        return -EFAULT; /* the page is leaked, as Linux does */
    hv_hostmem_free(dev->psp->hm, spa, 1);
    return 0;
}

static int do_snp_platform_status(struct hv_sev_dev *dev, struct issue *argp,
                                  const struct hv_uaccess *ua)
{
    if (!argp->data || !dev->snp)
        return -EINVAL;
    uint64_t spa;
    int rc = snp_out_page(dev, &spa);
    if (rc)
        return rc;
    struct snp_fw_addr a = {hv_psp_pa(dev->psp, spa)};
    rc = do_cmd(dev, SNP_CMD_PLATFORM_STATUS, &a, sizeof(a), &argp->error);
    int r2 = snp_reclaim(dev, spa);
    struct snp_platform_status st;
    if (!rc && !r2 &&
        memsys_host_read(dev->psp->ms, hv_psp_pa(dev->psp, spa), &st, sizeof(st)) == SWSEV_OK &&
        ua->copy_to_user(ua->ctx, argp->data, &st, sizeof(st)))
        rc = -EFAULT;
    return rc ? rc : r2;
}

static int do_snp_commit(struct hv_sev_dev *dev, struct issue *argp)
{
    if (!dev->snp)
        return -EINVAL;
    struct snp_fw_len b = {sizeof(b)};
    return do_cmd(dev, SNP_CMD_COMMIT, &b, sizeof(b), &argp->error);
}

static int do_snp_set_config(struct hv_sev_dev *dev, struct issue *argp, bool writable,
                             const struct hv_uaccess *ua)
{
    if (!writable)
        return -EPERM;
    if (!argp->data || !dev->snp)
        return -EINVAL;
    struct snp_fw_config cfg;
    if (ua->copy_from_user(ua->ctx, &cfg, argp->data, sizeof(cfg)))
        return -EFAULT;
    return do_cmd(dev, SNP_CMD_CONFIG, &cfg, sizeof(cfg), &argp->error);
}

static int do_snp_vlek_load(struct hv_sev_dev *dev, struct issue *argp, bool writable,
                            const struct hv_uaccess *ua)
{
    if (!writable)
        return -EPERM;
    if (!argp->data || !dev->snp)
        return -EINVAL;
    struct hv_user_snp_vlek_load in;
    if (ua->copy_from_user(ua->ctx, &in, argp->data, sizeof(in)))
        return -EFAULT;
    if (in.len != sizeof(in) || in.vlek_wrapped_version != 0 || !in.vlek_wrapped_address)
        return -EINVAL;
    struct hv_psp_buf blob;
    int rc = blob_from_user(dev, ua, in.vlek_wrapped_address, SNP_VLEK_WRAPPED_LEN, &blob);
    if (rc)
        return rc;
    in.vlek_wrapped_address = hv_psp_buf_pa(dev->psp, &blob);
    rc = do_cmd(dev, SNP_CMD_VLEK_LOAD, &in, sizeof(in), &argp->error);
    hv_psp_buf_free(dev->psp, &blob);
    return rc;
}

int hv_sev_dev_ioctl(struct hv_sev_dev *dev, uint64_t request, uint64_t arg, bool writable,
                     const struct hv_uaccess *ua)
{
    struct sev_issue_cmd user;
    struct issue input;
    int rc;
    if ((unsigned int)request != SEV_ISSUE_CMD || request >> 32)
        return -EINVAL;
    if (ua->copy_from_user(ua->ctx, &user, arg, sizeof(user)))
        return -EFAULT;
    input.cmd = user.cmd;
    input.data = user.data;
    input.error = user.error;
    if (input.cmd >= HV_SEV_MAX)
        return -EINVAL;
    hv_psp_lock(dev->psp);
    switch (input.cmd) {
    case SEV_FACTORY_RESET:
        rc = do_reset(dev, &input, writable);
        break;
    case SEV_PLATFORM_STATUS:
        rc = do_platform_status(dev, &input, ua);
        break;
    case SEV_PEK_GEN:
        rc = do_pek_pdh_gen(dev, SEV_CMD_PEK_GEN, &input, writable);
        break;
    case SEV_PDH_GEN:
        rc = do_pek_pdh_gen(dev, SEV_CMD_PDH_GEN, &input, writable);
        break;
    case SEV_PEK_CSR:
        rc = do_pek_csr(dev, &input, writable, ua);
        break;
    case SEV_PEK_CERT_IMPORT:
        rc = do_pek_import(dev, &input, writable, ua);
        break;
    case SEV_PDH_CERT_EXPORT:
        rc = do_pdh_export(dev, &input, writable, ua);
        break;
    case SEV_GET_ID:
        rc = do_get_id(dev, &input, ua);
        break;
    case SEV_GET_ID2:
        rc = do_get_id2(dev, &input, ua);
        break;
    case SEV_SNP_PLATFORM_STATUS:
        rc = do_snp_platform_status(dev, &input, ua);
        break;
    case SEV_SNP_COMMIT:
        rc = do_snp_commit(dev, &input);
        break;
    case SEV_SNP_SET_CONFIG:
        rc = do_snp_set_config(dev, &input, writable, ua);
        break;
    case SEV_SNP_VLEK_LOAD:
        rc = do_snp_vlek_load(dev, &input, writable, ua);
        break;
    default:
        hv_psp_unlock(dev->psp);
        return -EINVAL;
    }
    /* The status word (error) goes back to the caller in every case. */
    user.cmd = input.cmd;
    user.data = input.data;
    user.error = input.error;
    if (ua->copy_to_user(ua->ctx, arg, &user, sizeof(user)))
        rc = -EFAULT;
    hv_psp_unlock(dev->psp);
    return rc;
}
