/* SPDX-License-Identifier: MIT */
/*
 * KVM_MEMORY_ENCRYPT_OP for SEV and SEV-ES guests: the argument checks,
 * query conventions (a zero length asks the firmware for the needed one),
 * blob copies and cache flushes of Linux's arch/x86/kvm/svm/sev.c, with
 * guest-memory addresses given as GPAs (see hv/vm.h).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>

#include "hv/vm_priv.h"
#include "swsev/abi/sev_cmd.h"

#define SEV_FW_BLOB_MAX_SIZE 0x4000
#define KMALLOC_MAX          (4u << 20) /* larger kernel allocations fail: -ENOMEM */

struct op {
    struct hv_vm *vm;
    const struct hv_uaccess *ua;
    uint32_t *error;
    uint64_t data; /* user address of the command's struct */
};

static int issue(struct op *o, uint32_t cmd, void *buf, size_t len)
{
    return hv_psp_do_cmd(o->vm->kvm->psp, cmd, buf, len, o->error);
}

static int get_params(struct op *o, void *p, size_t len)
{
    return o->ua->copy_from_user(o->ua->ctx, p, o->data, len) ? -EFAULT : 0;
}

static int put_params(struct op *o, const void *p, size_t len)
{
    return o->ua->copy_to_user(o->ua->ctx, o->data, p, len) ? -EFAULT : 0;
}

/* psp_copy_user_blob(): a user blob into a buffer the firmware can read. */
static int user_blob(struct op *o, uint64_t uaddr, uint32_t len, struct hv_psp_buf *b)
{
    struct hv_psp *psp = o->vm->kvm->psp;
    memset(b, 0, sizeof(*b));
    if (!uaddr || !len || len > SEV_FW_BLOB_MAX_SIZE)
        return -EINVAL;
    void *tmp = malloc(len);
    if (!tmp)
        return -ENOMEM;
    int rc = o->ua->copy_from_user(o->ua->ctx, tmp, uaddr, len) ? -EFAULT : 0;
    if (!rc && hv_psp_buf_alloc(psp, len, b))
        rc = -ENOMEM;
    if (!rc && hv_psp_buf_write(psp, b, tmp, len))
        rc = -EIO;
    free(tmp);
    return rc;
}

/* A zeroed buffer for firmware output (kzalloc). */
static int out_blob(struct op *o, size_t len, struct hv_psp_buf *b)
{
    struct hv_psp *psp = o->vm->kvm->psp;
    memset(b, 0, sizeof(*b));
    if (len > KMALLOC_MAX || hv_psp_buf_alloc(psp, len, b))
        return -ENOMEM;
    void *z = calloc(1, len ? len : 1);
    int rc = z && !hv_psp_buf_write(psp, b, z, len) ? 0 : -ENOMEM;
    free(z);
    return rc;
}

static int blob_to_user(struct op *o, uint64_t uaddr, const struct hv_psp_buf *b, size_t len)
{
    void *tmp = malloc(len ? len : 1);
    if (!tmp)
        return -ENOMEM;
    int rc = hv_psp_buf_read(o->vm->kvm->psp, b, tmp, len) ? -EIO : 0;
    if (!rc && o->ua->copy_to_user(o->ua->ctx, uaddr, tmp, len))
        rc = -EFAULT;
    free(tmp);
    return rc;
}

static void free_blob(struct op *o, struct hv_psp_buf *b)
{
    hv_psp_buf_free(o->vm->kvm->psp, b);
}

/* A guest range given by GPA must lie in the VM's RAM (KVM fails to pin
 * memory it cannot find: -EFAULT). */
static int guest_range(struct op *o, uint64_t gpa, uint64_t len)
{
    return gpa <= o->vm->ram_size && len <= o->vm->ram_size - gpa ? 0 : -EFAULT;
}

static int bind_asid(struct op *o, uint32_t handle)
{
    struct sev_fw_activate a = {handle, o->vm->asid};
    return issue(o, SEV_CMD_ACTIVATE, &a, sizeof(a));
}

static void decommission(struct op *o, uint32_t handle)
{
    uint32_t err;
    struct sev_fw_handle h = {handle};
    hv_psp_do_cmd(o->vm->kvm->psp, SEV_CMD_DECOMMISSION, &h, sizeof(h), &err);
}

static void unbind(struct op *o, uint32_t handle)
{
    uint32_t err;
    struct sev_fw_handle h = {handle};
    hv_psp_do_cmd(o->vm->kvm->psp, SEV_CMD_DEACTIVATE, &h, sizeof(h), &err);
    decommission(o, handle);
}

static int launch_start(struct op *o)
{
    struct kvm_sev_launch_start p;
    struct sev_fw_launch_start start;
    struct hv_psp_buf dh = {0}, session = {0};
    int rc = get_params(o, &p, sizeof(p));
    if (rc)
        return rc;
    memset(&start, 0, sizeof(start));
    if (p.dh_uaddr) {
        rc = user_blob(o, p.dh_uaddr, p.dh_len, &dh);
        if (rc)
            goto out;
        start.dh_cert_paddr = hv_psp_buf_pa(o->vm->kvm->psp, &dh);
        start.dh_cert_len = p.dh_len;
    }
    if (p.session_uaddr) {
        rc = user_blob(o, p.session_uaddr, p.session_len, &session);
        if (rc)
            goto out;
        start.session_paddr = hv_psp_buf_pa(o->vm->kvm->psp, &session);
        start.session_len = p.session_len;
    }
    start.handle = p.handle;
    start.policy = p.policy;
    rc = issue(o, SEV_CMD_LAUNCH_START, &start, sizeof(start));
    if (rc)
        goto out;
    rc = bind_asid(o, start.handle);
    if (rc) {
        decommission(o, start.handle);
        goto out;
    }
    p.handle = start.handle;
    if (put_params(o, &p, sizeof(p))) {
        unbind(o, start.handle);
        rc = -EFAULT;
        goto out;
    }
    o->vm->handle = start.handle;
out:
    free_blob(o, &dh);
    free_blob(o, &session);
    return rc;
}

static int launch_update_data(struct op *o)
{
    struct kvm_sev_launch_update_data p;
    int rc = get_params(o, &p, sizeof(p));
    if (!rc)
        rc = guest_range(o, p.uaddr, p.len);
    if (rc)
        return rc;
    hv_vm_clflush(o->vm, p.uaddr, p.len);
    struct sev_fw_launch_update d = {o->vm->handle, 0, hv_vm_host_pa(o->vm, p.uaddr), p.len};
    return issue(o, SEV_CMD_LAUNCH_UPDATE_DATA, &d, sizeof(d));
}

static int launch_update_vmsa(struct op *o)
{
    if (!o->vm->es)
        return -ENOTTY;
    for (uint32_t i = 0; i < o->vm->nr_vcpus; i++) {
        uint64_t spa = o->vm->vmsa_spa + i * 4096ull;
        uint64_t pa = hv_psp_pa(o->vm->kvm->psp, spa);
        memsys_clflush_range(o->vm->kvm->ms, pa, 4096);
        struct sev_fw_launch_update d = {o->vm->handle, 0, pa, 4096};
        int rc = issue(o, SEV_CMD_LAUNCH_UPDATE_VMSA, &d, sizeof(d));
        if (rc)
            return rc;
    }
    return 0;
}

static int launch_measure(struct op *o)
{
    struct kvm_sev_launch_measure p;
    struct sev_fw_launch_update d;
    struct hv_psp_buf blob = {0};
    int rc = get_params(o, &p, sizeof(p));
    if (rc)
        return rc;
    memset(&d, 0, sizeof(d));
    if (p.len) {
        if (p.len > SEV_FW_BLOB_MAX_SIZE)
            return -EINVAL;
        rc = out_blob(o, p.len, &blob);
        if (rc)
            return rc;
        d.paddr = hv_psp_buf_pa(o->vm->kvm->psp, &blob);
        d.len = p.len;
    }
    d.handle = o->vm->handle;
    rc = issue(o, SEV_CMD_LAUNCH_MEASURE, &d, sizeof(d));
    /* A zero length asks for the needed one; the firmware's answer goes back. */
    if (p.len) {
        if (rc)
            goto out;
        int r2 = blob_to_user(o, p.uaddr, &blob, p.len);
        if (r2) {
            rc = r2;
            goto out;
        }
    }
    p.len = d.len;
    if (put_params(o, &p, sizeof(p)))
        rc = -EFAULT;
out:
    free_blob(o, &blob);
    return rc;
}

/* LAUNCH_SECRET, SEND_UPDATE_DATA and RECEIVE_UPDATE_DATA share a shape. */
static int guest_page_checks(struct op *o, uint64_t gpa, uint32_t len)
{
    uint64_t offset = gpa & 4095;
    if (len > 4096 || len + offset > 4096)
        return -EINVAL;
    return guest_range(o, gpa, len);
}

static int launch_secret(struct op *o)
{
    struct kvm_sev_launch_secret p;
    struct hv_psp_buf trans = {0}, hdr = {0};
    int rc = get_params(o, &p, sizeof(p));
    if (rc)
        return rc;
    rc = guest_range(o, p.guest_uaddr, p.guest_len);
    if (rc)
        return rc;
    hv_vm_clflush(o->vm, p.guest_uaddr, p.guest_len);
    struct sev_fw_packet d;
    memset(&d, 0, sizeof(d));
    d.guest_paddr = hv_vm_host_pa(o->vm, p.guest_uaddr);
    d.guest_len = p.guest_len;
    rc = user_blob(o, p.trans_uaddr, p.trans_len, &trans);
    if (!rc)
        rc = user_blob(o, p.hdr_uaddr, p.hdr_len, &hdr);
    if (!rc) {
        d.trans_paddr = hv_psp_buf_pa(o->vm->kvm->psp, &trans);
        d.trans_len = p.trans_len;
        d.hdr_paddr = hv_psp_buf_pa(o->vm->kvm->psp, &hdr);
        d.hdr_len = p.hdr_len;
        d.handle = o->vm->handle;
        rc = issue(o, SEV_CMD_LAUNCH_UPDATE_SECRET, &d, sizeof(d));
    }
    free_blob(o, &trans);
    free_blob(o, &hdr);
    return rc;
}

static int handle_only(struct op *o, uint32_t cmd)
{
    struct sev_fw_handle d = {o->vm->handle};
    return issue(o, cmd, &d, sizeof(d));
}

static int guest_status(struct op *o)
{
    struct kvm_sev_guest_status p;
    struct sev_fw_guest_status d;
    memset(&d, 0, sizeof(d));
    d.handle = o->vm->handle;
    int rc = issue(o, SEV_CMD_GUEST_STATUS, &d, sizeof(d));
    if (rc)
        return rc;
    p.policy = d.policy;
    p.state = d.state;
    p.handle = o->vm->handle;
    return put_params(o, &p, sizeof(p));
}

/* DBG_DECRYPT / DBG_ENCRYPT through a bounce page, 16-byte granular, one
 * page at a time, with a read-modify-write for unaligned encryption
 * (KVM's sev_dbg_crypt). */
static int dbg_crypt(struct op *o, bool decrypt)
{
    struct kvm_sev_dbg p;
    struct hv_psp_buf bounce = {0};
    int rc = get_params(o, &p, sizeof(p));
    if (rc)
        return rc;
    if (!p.len || p.src_uaddr + p.len < p.src_uaddr || p.dst_uaddr + p.len < p.dst_uaddr)
        return -EINVAL;
    uint64_t gpa = decrypt ? p.src_uaddr : p.dst_uaddr;
    uint64_t user = decrypt ? p.dst_uaddr : p.src_uaddr;
    rc = guest_range(o, gpa, p.len);
    if (!rc)
        rc = out_blob(o, 4096 + 32, &bounce);
    uint8_t buf[4096 + 32];
    struct hv_psp *psp = o->vm->kvm->psp;
    uint64_t bpa = hv_psp_buf_pa(psp, &bounce);
    for (uint64_t done = 0; !rc && done < p.len;) {
        uint64_t a = gpa + done;
        uint64_t n = 4096 - (a & 4095);
        if (n > p.len - done)
            n = p.len - done;
        uint64_t lo = a & ~15ull, hi = (a + n + 15) & ~15ull;
        struct sev_fw_dbg d = {o->vm->handle, 0, hv_vm_host_pa(o->vm, lo), bpa,
                               (uint32_t)(hi - lo)};
        if (decrypt) {
            rc = issue(o, SEV_CMD_DBG_DECRYPT, &d, sizeof(d));
            if (!rc && hv_psp_buf_read(psp, &bounce, buf, hi - lo))
                rc = -EIO;
            if (!rc && o->ua->copy_to_user(o->ua->ctx, user + done, buf + (a - lo), n))
                rc = -EFAULT;
        } else {
            if (lo != a || hi != a + n) {
                rc = issue(o, SEV_CMD_DBG_DECRYPT, &d, sizeof(d));
                if (!rc && hv_psp_buf_read(psp, &bounce, buf, hi - lo))
                    rc = -EIO;
            }
            if (!rc && o->ua->copy_from_user(o->ua->ctx, buf + (a - lo), user + done, n))
                rc = -EFAULT;
            if (!rc && hv_psp_buf_write(psp, &bounce, buf, hi - lo))
                rc = -EIO;
            if (!rc) {
                struct sev_fw_dbg e = {o->vm->handle, 0, bpa, hv_vm_host_pa(o->vm, lo),
                                       (uint32_t)(hi - lo)};
                hv_vm_clflush(o->vm, lo, hi - lo);
                rc = issue(o, SEV_CMD_DBG_ENCRYPT, &e, sizeof(e));
            }
        }
        done += n;
    }
    free_blob(o, &bounce);
    return rc;
}

static int attestation(struct op *o)
{
    struct kvm_sev_attestation_report p;
    struct sev_fw_attestation d;
    struct hv_psp_buf blob = {0};
    int rc = get_params(o, &p, sizeof(p));
    if (rc)
        return rc;
    memset(&d, 0, sizeof(d));
    if (p.len && p.uaddr) {
        if (p.len > SEV_FW_BLOB_MAX_SIZE)
            return -EINVAL;
        rc = out_blob(o, p.len, &blob);
        if (rc)
            return rc;
        d.paddr = hv_psp_buf_pa(o->vm->kvm->psp, &blob);
        d.len = p.len;
        memcpy(d.mnonce, p.mnonce, sizeof(d.mnonce));
    }
    d.handle = o->vm->handle;
    rc = issue(o, SEV_CMD_ATTESTATION_REPORT, &d, sizeof(d));
    if (p.len) {
        if (rc)
            goto out;
        if (blob.len) {
            int r2 = blob_to_user(o, p.uaddr, &blob, p.len);
            if (r2) {
                rc = r2;
                goto out;
            }
        }
    }
    p.len = d.len;
    if (put_params(o, &p, sizeof(p)))
        rc = -EFAULT;
out:
    free_blob(o, &blob);
    return rc;
}

static int send_start(struct op *o)
{
    struct kvm_sev_send_start p;
    struct sev_fw_send_start d;
    struct hv_psp_buf pdh = {0}, plat = {0}, amd = {0}, session = {0};
    struct hv_psp *psp = o->vm->kvm->psp;
    int rc = get_params(o, &p, sizeof(p));
    if (rc)
        return rc;
    memset(&d, 0, sizeof(d));
    d.handle = o->vm->handle;
    if (!p.session_len) {
        /* Query: the firmware says how long the session blob is. */
        rc = issue(o, SEV_CMD_SEND_START, &d, sizeof(d));
        p.session_len = d.session_len;
        return put_params(o, &p, sizeof(p)) ? -EFAULT : rc;
    }
    if (!p.pdh_cert_uaddr || !p.pdh_cert_len || !p.session_uaddr ||
        p.session_len > SEV_FW_BLOB_MAX_SIZE)
        return -EINVAL;
    rc = out_blob(o, p.session_len, &session);
    if (!rc)
        rc = user_blob(o, p.pdh_cert_uaddr, p.pdh_cert_len, &pdh);
    if (!rc)
        rc = user_blob(o, p.plat_certs_uaddr, p.plat_certs_len, &plat);
    if (!rc)
        rc = user_blob(o, p.amd_certs_uaddr, p.amd_certs_len, &amd);
    if (rc)
        goto out;
    d.pdh_cert_paddr = hv_psp_buf_pa(psp, &pdh);
    d.pdh_cert_len = p.pdh_cert_len;
    d.plat_certs_paddr = hv_psp_buf_pa(psp, &plat);
    d.plat_certs_len = p.plat_certs_len;
    d.amd_certs_paddr = hv_psp_buf_pa(psp, &amd);
    d.amd_certs_len = p.amd_certs_len;
    d.session_paddr = hv_psp_buf_pa(psp, &session);
    d.session_len = p.session_len;
    rc = issue(o, SEV_CMD_SEND_START, &d, sizeof(d));
    if (!rc) {
        rc = blob_to_user(o, p.session_uaddr, &session, p.session_len);
        if (rc)
            goto out;
    }
    p.policy = d.policy;
    p.session_len = d.session_len;
    if (put_params(o, &p, sizeof(p)))
        rc = -EFAULT;
out:
    free_blob(o, &pdh);
    free_blob(o, &plat);
    free_blob(o, &amd);
    free_blob(o, &session);
    return rc;
}

static int send_update_data(struct op *o)
{
    struct kvm_sev_send_update_data p;
    struct sev_fw_packet d;
    struct hv_psp_buf hdr = {0}, trans = {0};
    struct hv_psp *psp = o->vm->kvm->psp;
    int rc = get_params(o, &p, sizeof(p));
    if (rc)
        return rc;
    memset(&d, 0, sizeof(d));
    d.handle = o->vm->handle;
    if (!p.trans_len || !p.hdr_len) {
        rc = issue(o, SEV_CMD_SEND_UPDATE_DATA, &d, sizeof(d));
        p.hdr_len = d.hdr_len;
        p.trans_len = d.trans_len;
        return put_params(o, &p, sizeof(p)) ? -EFAULT : rc;
    }
    /* KVM also refuses a zero guest_uaddr; here it is a GPA and 0 is valid. */
    if (!p.trans_uaddr || !p.guest_len || !p.hdr_uaddr)
        return -EINVAL;
    rc = guest_page_checks(o, p.guest_uaddr, p.guest_len);
    if (!rc)
        rc = out_blob(o, p.hdr_len, &hdr);
    if (!rc)
        rc = out_blob(o, p.trans_len, &trans);
    if (rc)
        goto out;
    d.hdr_paddr = hv_psp_buf_pa(psp, &hdr);
    d.hdr_len = p.hdr_len;
    d.trans_paddr = hv_psp_buf_pa(psp, &trans);
    d.trans_len = p.trans_len;
    /* SEND_UPDATE_DATA wants the C-bit in the guest address, always. */
    d.guest_paddr = (o->vm->ram_spa + p.guest_uaddr) | memsys_cbit_mask(o->vm->kvm->ms);
    d.guest_len = p.guest_len;
    rc = issue(o, SEV_CMD_SEND_UPDATE_DATA, &d, sizeof(d));
    if (!rc)
        rc = blob_to_user(o, p.trans_uaddr, &trans, p.trans_len);
    if (!rc)
        rc = blob_to_user(o, p.hdr_uaddr, &hdr, p.hdr_len);
out:
    free_blob(o, &hdr);
    free_blob(o, &trans);
    return rc;
}

static int receive_start(struct op *o)
{
    struct kvm_sev_receive_start p;
    struct sev_fw_receive_start d;
    struct hv_psp_buf pdh = {0}, session = {0};
    struct hv_psp *psp = o->vm->kvm->psp;
    int rc = get_params(o, &p, sizeof(p));
    if (rc)
        return rc;
    if (!p.pdh_uaddr || !p.pdh_len || !p.session_uaddr || !p.session_len)
        return -EINVAL;
    rc = user_blob(o, p.pdh_uaddr, p.pdh_len, &pdh);
    if (!rc)
        rc = user_blob(o, p.session_uaddr, p.session_len, &session);
    if (rc)
        goto out;
    memset(&d, 0, sizeof(d));
    d.handle = p.handle;
    d.policy = p.policy;
    d.pdh_cert_paddr = hv_psp_buf_pa(psp, &pdh);
    d.pdh_cert_len = p.pdh_len;
    d.session_paddr = hv_psp_buf_pa(psp, &session);
    d.session_len = p.session_len;
    rc = issue(o, SEV_CMD_RECEIVE_START, &d, sizeof(d));
    if (rc)
        goto out;
    rc = bind_asid(o, d.handle);
    if (rc) {
        decommission(o, d.handle);
        goto out;
    }
    p.handle = d.handle;
    if (put_params(o, &p, sizeof(p))) {
        unbind(o, d.handle);
        rc = -EFAULT;
        goto out;
    }
    o->vm->handle = d.handle;
out:
    free_blob(o, &pdh);
    free_blob(o, &session);
    return rc;
}

static int receive_update_data(struct op *o)
{
    struct kvm_sev_receive_update_data p;
    struct sev_fw_packet d;
    struct hv_psp_buf hdr = {0}, trans = {0};
    struct hv_psp *psp = o->vm->kvm->psp;
    int rc = get_params(o, &p, sizeof(p));
    if (rc)
        return rc;
    if (!p.hdr_uaddr || !p.hdr_len || !p.guest_len || !p.trans_uaddr || !p.trans_len)
        return -EINVAL;
    rc = guest_page_checks(o, p.guest_uaddr, p.guest_len);
    if (!rc)
        rc = user_blob(o, p.hdr_uaddr, p.hdr_len, &hdr);
    if (!rc)
        rc = user_blob(o, p.trans_uaddr, p.trans_len, &trans);
    if (rc)
        goto out;
    memset(&d, 0, sizeof(d));
    d.hdr_paddr = hv_psp_buf_pa(psp, &hdr);
    d.hdr_len = p.hdr_len;
    d.trans_paddr = hv_psp_buf_pa(psp, &trans);
    d.trans_len = p.trans_len;
    hv_vm_clflush(o->vm, p.guest_uaddr & ~4095ull, 4096);
    d.guest_paddr = (o->vm->ram_spa + p.guest_uaddr) | memsys_cbit_mask(o->vm->kvm->ms);
    d.guest_len = p.guest_len;
    d.handle = o->vm->handle;
    rc = issue(o, SEV_CMD_RECEIVE_UPDATE_DATA, &d, sizeof(d));
out:
    free_blob(o, &hdr);
    free_blob(o, &trans);
    return rc;
}

int hv_vm_sev_op(struct hv_vm *vm, uint32_t cmd, uint64_t data, uint32_t *fw_error,
                 const struct hv_uaccess *ua)
{
    struct op o = {vm, ua, fw_error, data};
    *fw_error = 0;
    if (cmd == KVM_SEV_INIT || cmd == KVM_SEV_ES_INIT)
        return hv_vm_sev_init(vm, cmd == KVM_SEV_ES_INIT, fw_error);
    if (!vm->sev_active)
        return -ENOTTY;
    switch (cmd) {
    case KVM_SEV_LAUNCH_START:
        return launch_start(&o);
    case KVM_SEV_LAUNCH_UPDATE_DATA:
        return launch_update_data(&o);
    case KVM_SEV_LAUNCH_UPDATE_VMSA:
        return launch_update_vmsa(&o);
    case KVM_SEV_LAUNCH_SECRET:
        return launch_secret(&o);
    case KVM_SEV_LAUNCH_MEASURE:
        return launch_measure(&o);
    case KVM_SEV_LAUNCH_FINISH:
        return handle_only(&o, SEV_CMD_LAUNCH_FINISH);
    case KVM_SEV_SEND_START:
        return send_start(&o);
    case KVM_SEV_SEND_UPDATE_DATA:
        return send_update_data(&o);
    case KVM_SEV_SEND_FINISH:
        return handle_only(&o, SEV_CMD_SEND_FINISH);
    case KVM_SEV_SEND_CANCEL:
        return handle_only(&o, SEV_CMD_SEND_CANCEL);
    case KVM_SEV_RECEIVE_START:
        return receive_start(&o);
    case KVM_SEV_RECEIVE_UPDATE_DATA:
        return receive_update_data(&o);
    case KVM_SEV_RECEIVE_FINISH:
        return handle_only(&o, SEV_CMD_RECEIVE_FINISH);
    case KVM_SEV_GUEST_STATUS:
        return guest_status(&o);
    case KVM_SEV_DBG_DECRYPT:
        return dbg_crypt(&o, true);
    case KVM_SEV_DBG_ENCRYPT:
        return dbg_crypt(&o, false);
    case KVM_SEV_GET_ATTESTATION_REPORT:
        return attestation(&o);
    default:
        /* SEND/RECEIVE_UPDATE_VMSA and CERT_EXPORT are not implemented by KVM. */
        return -EINVAL;
    }
}
