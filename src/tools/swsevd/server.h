/* SPDX-License-Identifier: MIT */
/*
 * tools/swsevd/server.h - swsevd's socket server: one thread per client
 * connection; device ioctls and management calls are handed to the
 * handlers below with user-memory accessors that round-trip to the client.
 */
#ifndef SWSEV_SWSEVD_SERVER_H
#define SWSEV_SWSEVD_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hv/sev_dev.h"
#include "tools/common/proto.h"

struct server;

/* A management call's reply is built into a growing buffer. */
struct reply {
    uint8_t *data;
    size_t len, cap;
};
int reply_put(struct reply *r, const void *p, size_t n);

struct server_handlers {
    void *ctx;
    /* ioctl on a device; returns 0 or -errno. */
    int (*ioctl)(void *ctx, const struct proto_ioctl *req, const struct hv_uaccess *ua);
    /* management call; returns a swsev_rc, fills out. */
    swsev_rc (*call)(void *ctx, uint32_t op, const uint8_t *args, size_t len,
                     const struct hv_uaccess *ua, struct reply *out);
};

/* Listen on path (replacing a stale socket file). */
int server_start(struct server **out, const char *path, const struct server_handlers *h);
/* Serve until server_stop() is called (from a signal handler: it only
 * writes to a pipe). Returns when every connection is closed. */
void server_run(struct server *s);
void server_stop(struct server *s);
void server_destroy(struct server *s);

#endif
