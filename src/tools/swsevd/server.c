/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tools/swsevd/server.h"

struct conn {
    int fd;
    bool broken; /* a transport error happened: stop using the socket */
    pthread_t thread;
    struct server *srv;
    struct conn *next;
};

struct server {
    int listen_fd;
    int wake[2];
    char *path;
    struct server_handlers h;
    pthread_mutex_t lock;
    struct conn *conns;
    unsigned active;
    pthread_cond_t idle;
};

int reply_put(struct reply *r, const void *p, size_t n)
{
    if (r->len + n > r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        while (cap < r->len + n)
            cap *= 2;
        uint8_t *d = realloc(r->data, cap);
        if (!d)
            return -ENOMEM;
        r->data = d;
        r->cap = cap;
    }
    memcpy(r->data + r->len, p, n);
    r->len += n;
    return 0;
}

/* ---- copy_from_user / copy_to_user over the connection ---- */

static int ua_from_user(void *ctx, void *dst, uint64_t uaddr, size_t len)
{
    struct conn *c = ctx;
    if (c->broken)
        return EFAULT;
    if (len == 0)
        return 0;
    if (len > PROTO_MAX_PAYLOAD - 4)
        return EFAULT;
    struct proto_umem m = {uaddr, (uint32_t)len};
    struct proto_hdr h;
    void *buf = NULL;
    int rc = proto_send(c->fd, PROTO_UREAD, &m, sizeof(m), NULL, 0);
    if (!rc)
        rc = proto_recv(c->fd, &h, &buf, 0);
    if (rc || h.type != PROTO_UREAD_DATA || h.len < 4) {
        free(buf);
        c->broken = true;
        return EFAULT;
    }
    int32_t e;
    memcpy(&e, buf, 4);
    if (!e && h.len - 4 != len)
        e = EFAULT;
    if (!e)
        memcpy(dst, (uint8_t *)buf + 4, len);
    free(buf);
    return e ? EFAULT : 0;
}

static int ua_to_user(void *ctx, uint64_t uaddr, const void *src, size_t len)
{
    struct conn *c = ctx;
    if (c->broken)
        return EFAULT;
    if (len == 0)
        return 0;
    if (len > PROTO_MAX_PAYLOAD - sizeof(struct proto_umem))
        return EFAULT;
    struct proto_umem m = {uaddr, (uint32_t)len};
    struct proto_hdr h;
    int32_t e = 0;
    void *buf = &e;
    int rc = proto_send(c->fd, PROTO_UWRITE, &m, sizeof(m), src, (uint32_t)len);
    if (!rc)
        rc = proto_recv(c->fd, &h, &buf, sizeof(e));
    if (rc || h.type != PROTO_UWRITE_DONE || h.len != sizeof(e)) {
        c->broken = true;
        return EFAULT;
    }
    return e ? EFAULT : 0;
}

static void handle_ioctl(struct conn *c, const void *payload, uint32_t len)
{
    struct proto_ioctl req;
    struct proto_done d = {-1, EINVAL};
    if (len == sizeof(req)) {
        memcpy(&req, payload, sizeof(req));
        req.guest[sizeof(req.guest) - 1] = 0;
        struct hv_uaccess ua = {c, ua_from_user, ua_to_user};
        int rc = c->srv->h.ioctl(c->srv->h.ctx, &req, &ua);
        d.ret = rc < 0 ? -1 : rc;
        d.error = rc < 0 ? -rc : 0;
    }
    if (!c->broken && proto_send(c->fd, PROTO_IOCTL_DONE, &d, sizeof(d), NULL, 0))
        c->broken = true;
}

static void handle_call(struct conn *c, const uint8_t *payload, uint32_t len)
{
    struct reply out = {0};
    struct proto_done d = {SWSEV_TOOL_ERR(SWSEV_E_INVAL), 0};
    struct proto_call call;
    if (len >= sizeof(call)) {
        memcpy(&call, payload, sizeof(call));
        struct hv_uaccess ua = {c, ua_from_user, ua_to_user};
        d.ret = c->srv->h.call(c->srv->h.ctx, call.op, payload + sizeof(call), len - sizeof(call),
                               &ua, &out);
    }
    if (!c->broken && proto_send(c->fd, PROTO_REPLY, &d, sizeof(d), out.data, (uint32_t)out.len))
        c->broken = true;
    free(out.data);
}

static void *conn_main(void *arg)
{
    struct conn *c = arg;
    while (!c->broken) {
        struct proto_hdr h;
        void *buf = NULL;
        if (proto_recv(c->fd, &h, &buf, 0)) {
            free(buf);
            break;
        }
        if (h.type == PROTO_IOCTL)
            handle_ioctl(c, buf, h.len);
        else if (h.type == PROTO_CALL)
            handle_call(c, buf, h.len);
        else
            c->broken = true; /* a protocol violation ends the connection */
        free(buf);
    }
    struct server *s = c->srv;
    pthread_mutex_lock(&s->lock);
    for (struct conn **p = &s->conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    s->active--;
    pthread_cond_broadcast(&s->idle);
    pthread_mutex_unlock(&s->lock);
    close(c->fd);
    free(c);
    return NULL;
}

int server_start(struct server **out, const char *path, const struct server_handlers *h)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    strcpy(sa.sun_path, path);
    struct server *s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->h = *h;
    s->path = strdup(path);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->idle, NULL);
    s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0 || pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        int e = errno;
        server_destroy(s);
        return -e;
    }
    /* A socket file left by a crashed daemon is replaced; anything else at
     * the path is an error. */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    if (bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(s->listen_fd, 64) != 0) {
        int e = errno;
        free(s->path);
        s->path = NULL; /* not ours to unlink */
        server_destroy(s);
        return -e;
    }
    chmod(path, 0600);
    *out = s;
    return 0;
}

void server_stop(struct server *s)
{
    char b = 1;
    ssize_t n = write(s->wake[1], &b, 1);
    (void)n;
}

void server_run(struct server *s)
{
    for (;;) {
        struct pollfd p[2] = {{s->listen_fd, POLLIN, 0}, {s->wake[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents)
            break;
        if (!(p[0].revents & POLLIN))
            continue;
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        struct conn *c = calloc(1, sizeof(*c));
        if (!c) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->srv = s;
        pthread_mutex_lock(&s->lock);
        c->next = s->conns;
        s->conns = c;
        s->active++;
        pthread_mutex_unlock(&s->lock);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&c->thread, &attr, conn_main, c) != 0) {
            pthread_mutex_lock(&s->lock);
            s->conns = c->next;
            s->active--;
            pthread_mutex_unlock(&s->lock);
            close(fd);
            free(c);
        }
        pthread_attr_destroy(&attr);
    }
    /* Shut down: wake every connection thread and wait for them. A command
     * already in the firmware completes first (the mailbox is serialised). */
    pthread_mutex_lock(&s->lock);
    for (struct conn *c = s->conns; c; c = c->next)
        shutdown(c->fd, SHUT_RDWR);
    while (s->active)
        pthread_cond_wait(&s->idle, &s->lock);
    pthread_mutex_unlock(&s->lock);
}

void server_destroy(struct server *s)
{
    if (!s)
        return;
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->wake[0] > 0) {
        close(s->wake[0]);
        close(s->wake[1]);
    }
    if (s->path) {
        unlink(s->path);
        free(s->path);
    }
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->idle);
    free(s);
}
