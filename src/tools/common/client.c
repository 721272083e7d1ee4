/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "tools/common/client.h"

static int pvm(void *ctx, uint64_t addr, void *buf, size_t len, int write)
{
    if (len == 0)
        return 0;
    pid_t pid = ctx ? *(pid_t *)ctx : getpid();
    struct iovec local = {buf, len}, remote = {(void *)(uintptr_t)addr, len};
    ssize_t n = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0)
                      : process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n == (ssize_t)len)
        return 0;
    return n < 0 && errno != EFAULT && errno != ESRCH && errno != EPERM ? errno : EFAULT;
}

static int pvm_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    return pvm(ctx, addr, buf, len, 0);
}

static int pvm_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
    return pvm(ctx, addr, (void *)buf, len, 1);
}

const struct umem_ops umem_process_ops = {NULL, pvm_read, pvm_write};

/* Serve UREAD / UWRITE until the final message of type want arrives. */
static int serve(int fd, const struct umem_ops *um, uint16_t want, void **final, uint32_t *flen)
{
    for (;;) {
        struct proto_hdr h;
        void *buf = NULL;
        int rc = proto_recv(fd, &h, &buf, 0);
        if (rc) {
            free(buf);
            return rc;
        }
        if (h.type == want) {
            *final = buf;
            *flen = h.len;
            return 0;
        }
        struct proto_umem m;
        if ((h.type != PROTO_UREAD && h.type != PROTO_UWRITE) || h.len < sizeof(m)) {
            free(buf);
            return -EPROTO;
        }
        memcpy(&m, buf, sizeof(m));
        if (h.type == PROTO_UREAD) {
            int32_t e = 0;
            void *data = m.len ? malloc(m.len) : NULL;
            if (m.len && !data)
                e = ENOMEM;
            else
                e = um->read(um->ctx, m.addr, data, m.len);
            rc = proto_send(fd, PROTO_UREAD_DATA, &e, sizeof(e), data, e ? 0 : m.len);
            free(data);
        } else {
            int32_t e = h.len - sizeof(m) == m.len
                            ? um->write(um->ctx, m.addr, (uint8_t *)buf + sizeof(m), m.len)
                            : EPROTO;
            rc = proto_send(fd, PROTO_UWRITE_DONE, &e, sizeof(e), NULL, 0);
        }
        free(buf);
        if (rc)
            return rc;
    }
}

int client_ioctl(int fd, const struct proto_ioctl *req, const struct umem_ops *um, int *err)
{
    void *fin = NULL;
    uint32_t flen = 0;
    int rc = proto_send(fd, PROTO_IOCTL, req, sizeof(*req), NULL, 0);
    if (!rc)
        rc = serve(fd, um, PROTO_IOCTL_DONE, &fin, &flen);
    if (rc || flen < sizeof(struct proto_done)) {
        free(fin);
        *err = EIO;
        return -1;
    }
    struct proto_done d;
    memcpy(&d, fin, sizeof(d));
    free(fin);
    *err = d.error;
    return d.ret;
}

swsev_rc client_call(int fd, uint32_t op, const void *args, size_t args_len,
                     const struct umem_ops *um, void **reply, size_t *reply_len)
{
    struct proto_call c = {op};
    void *fin = NULL;
    uint32_t flen = 0;
    *reply = NULL;
    *reply_len = 0;
    if (args_len > PROTO_MAX_PAYLOAD - sizeof(c))
        return SWSEV_RC(SWSEV_LAYER_TRANSPORT, EMSGSIZE);
    int rc = proto_send(fd, PROTO_CALL, &c, sizeof(c), args, (uint32_t)args_len);
    if (!rc)
        rc = serve(fd, um, PROTO_REPLY, &fin, &flen);
    if (!rc && flen < sizeof(struct proto_done))
        rc = -EPROTO;
    if (rc) {
        free(fin);
        return SWSEV_RC(SWSEV_LAYER_TRANSPORT, -rc);
    }
    struct proto_done d;
    memcpy(&d, fin, sizeof(d));
    *reply_len = flen - sizeof(d);
    memmove(fin, (uint8_t *)fin + sizeof(d), *reply_len);
    *reply = fin;
    return d.ret;
}
