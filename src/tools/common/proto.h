/* SPDX-License-Identifier: MIT */
/*
 * tools/common/proto.h - the wire protocol between swsevd and its clients
 * (the LD_PRELOAD shim, the FUSE device file, the swsev CLI).
 *
 * A client forwards a device ioctl as (device, request, argument pointer).
 * The daemon then runs the kernel driver's logic and, exactly where the
 * kernel would call copy_from_user / copy_to_user, asks the client to read
 * or write its own memory (UREAD / UWRITE). The client answers each with
 * the bytes or an errno (EFAULT for an unmapped address). The exchange ends
 * with IOCTL_DONE carrying the ioctl's return value and errno. Management
 * calls (CALL / REPLY) use the same user-memory round trips.
 *
 * Framing: a 12-byte header (magic, version, type, payload length) and the
 * payload; little-endian; one outstanding request per connection.
 */
#ifndef SWSEV_TOOLS_PROTO_H
#define SWSEV_TOOLS_PROTO_H

#include <stdint.h>

#include "swsev/status.h"

#define PROTO_MAGIC       0x56535753u /* "SWSV" */
#define PROTO_VERSION     1
#define PROTO_MAX_PAYLOAD (16u << 20)

enum proto_type {
    PROTO_IOCTL = 1,       /* c->d: struct proto_ioctl */
    PROTO_IOCTL_DONE = 2,  /* d->c: struct proto_done */
    PROTO_UREAD = 3,       /* d->c: struct proto_umem */
    PROTO_UREAD_DATA = 4,  /* c->d: int32 errno, then the bytes */
    PROTO_UWRITE = 5,      /* d->c: struct proto_umem, then the bytes */
    PROTO_UWRITE_DONE = 6, /* c->d: int32 errno */
    PROTO_CALL = 7,        /* c->d: struct proto_call, then arguments */
    PROTO_REPLY = 8,       /* d->c: struct proto_done, then results */
};

enum proto_device {
    PROTO_DEV_SEV = 1,       /* /dev/sev */
    PROTO_DEV_SEV_GUEST = 2, /* /dev/sev-guest */
};

struct proto_hdr {
    uint32_t magic;
    uint16_t version;
    uint16_t type;
    uint32_t len;
} __attribute__((packed));

struct proto_ioctl {
    uint32_t device;  /* enum proto_device */
    uint32_t flags;   /* PROTO_F_* */
    uint64_t request; /* ioctl number */
    uint64_t arg;     /* the caller's argument (a pointer in its address space) */
    char guest[64];   /* /dev/sev-guest: which guest (SWSEV_GUEST), NUL-terminated */
} __attribute__((packed));

#define PROTO_F_WRITABLE (1u << 0) /* the file was opened for writing */

struct proto_umem {
    uint64_t addr;
    uint32_t len;
} __attribute__((packed));

struct proto_done {
    int32_t ret;   /* the ioctl's return value (0 or -1), or a swsev_rc for CALL */
    int32_t error; /* errno when ret is -1 */
} __attribute__((packed));

struct proto_call {
    uint32_t op;
} __attribute__((packed));

/* I/O helpers over a connected stream socket. All return 0 or -errno. */
int proto_send(int fd, uint16_t type, const void *p1, uint32_t n1, const void *p2, uint32_t n2);
/* Receive a header and up to cap bytes of payload into buf (allocating when
 * *buf is NULL and cap is 0). Rejects bad magic/version and oversize. */
int proto_recv(int fd, struct proto_hdr *h, void **buf, uint32_t cap);
int proto_write_all(int fd, const void *buf, size_t len);
int proto_read_all(int fd, void *buf, size_t len);

/* Connect to the daemon's socket (path, or $SWSEV_SOCKET when NULL). */
int proto_connect(const char *path);

#endif
