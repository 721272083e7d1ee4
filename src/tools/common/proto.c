/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tools/common/proto.h"

int proto_write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int proto_read_all(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = recv(fd, p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return -ECONNRESET;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int proto_send(int fd, uint16_t type, const void *p1, uint32_t n1, const void *p2, uint32_t n2)
{
    if ((uint64_t)n1 + n2 > PROTO_MAX_PAYLOAD)
        return -EMSGSIZE;
    struct proto_hdr h = {PROTO_MAGIC, PROTO_VERSION, type, n1 + n2};
    /* One buffer so that small messages go out in one segment. */
    uint8_t small[512];
    if (sizeof(h) + n1 + n2 <= sizeof(small)) {
        memcpy(small, &h, sizeof(h));
        if (n1)
            memcpy(small + sizeof(h), p1, n1);
        if (n2)
            memcpy(small + sizeof(h) + n1, p2, n2);
        return proto_write_all(fd, small, sizeof(h) + n1 + n2);
    }
    int rc = proto_write_all(fd, &h, sizeof(h));
    if (!rc && n1)
        rc = proto_write_all(fd, p1, n1);
    if (!rc && n2)
        rc = proto_write_all(fd, p2, n2);
    return rc;
}

int proto_recv(int fd, struct proto_hdr *h, void **buf, uint32_t cap)
{
    int rc = proto_read_all(fd, h, sizeof(*h));
    if (rc)
        return rc;
    if (h->magic != PROTO_MAGIC || h->version != PROTO_VERSION || h->len > PROTO_MAX_PAYLOAD)
        return -EPROTO;
    if (*buf == NULL) {
        *buf = malloc(h->len ? h->len : 1);
        if (!*buf)
            return -ENOMEM;
    } else if (h->len > cap) {
        return -EMSGSIZE;
    }
    return h->len ? proto_read_all(fd, *buf, h->len) : 0;
}

int proto_connect(const char *path)
{
    if (!path)
        path = getenv("SWSEV_SOCKET");
    if (!path || !*path)
        return -ENOENT;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}
