/* SPDX-License-Identifier: MIT */
/*
 * tools/common/client.h - the client side of the swsevd protocol: forward
 * an ioctl (or a management call) and serve the daemon's reads and writes
 * of user memory with the caller's accessors.
 */
#ifndef SWSEV_TOOLS_CLIENT_H
#define SWSEV_TOOLS_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tools/common/proto.h"

/* How the daemon's UREAD/UWRITE requests reach the caller's memory. Both
 * return 0 or an errno value (EFAULT for addresses the caller cannot use). */
struct umem_ops {
    void *ctx;
    int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
    int (*write)(void *ctx, uint64_t addr, const void *buf, size_t len);
};

/* Accessors for another process's memory (process_vm_readv/writev), or for
 * this process when ctx is NULL: faults come back as EFAULT, never SIGSEGV. */
extern const struct umem_ops umem_process_ops;
/* ctx for umem_process_ops: a pointer to a pid_t, or NULL for self. */

/* Forward an ioctl; returns its return value and sets *err (errno) when it
 * is -1. Transport failures return -1 with *err = EIO. */
int client_ioctl(int fd, const struct proto_ioctl *req, const struct umem_ops *um, int *err);

/* A management call: op and argument bytes; the reply payload (after the
 * struct proto_done) is returned in a malloc'ed buffer. Returns the
 * daemon's swsev_rc, or a transport error as SWSEV_RC(TRANSPORT, errno). */
swsev_rc client_call(int fd, uint32_t op, const void *args, size_t args_len,
                     const struct umem_ops *um, void **reply, size_t *reply_len);

#endif
