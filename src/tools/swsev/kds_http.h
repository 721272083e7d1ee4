/* SPDX-License-Identifier: MIT */
/*
 * tools/swsev/kds_http.h - just enough HTTP/1.1 for a local KDS: one
 * request per connection (no body, no keep-alive), GET and HEAD, a bounded
 * header and a deadline for the whole request, so that no client, however
 * slow or malformed, can stop the server or make it misbehave.
 */
#ifndef SWSEV_TOOLS_KDS_HTTP_H
#define SWSEV_TOOLS_KDS_HTTP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#define KDS_HTTP_MAX_HEADER  8192 /* request line and headers */
#define KDS_HTTP_MAX_TARGET  2048
#define KDS_HTTP_DEADLINE_MS 5000 /* for the whole request */

struct kds_request {
    char method[8];
    char target[KDS_HTTP_MAX_TARGET];
    bool head; /* HEAD: send the headers only */
};

/* Bind and listen on "HOST:PORT" (numeric; "[::1]:PORT" for IPv6; port 0
 * picks one). *port gets the bound port. -1 with a reason in err. */
int kds_http_listen(const char *hostport, int *fd, int *port, char *err, size_t errlen);
/* Read and parse one request. Returns 0 when rq holds a GET or HEAD, an
 * HTTP status to answer with (400 malformed or too large, 405 another
 * method, 408 too slow, 505 not HTTP/1.x), or -1 when the client sent
 * nothing or stop became set (no answer then). */
int kds_http_read(int fd, struct kds_request *rq, volatile sig_atomic_t *stop);
/* Send a complete response and return 0, or -1 if the peer went away. */
int kds_http_send(int fd, int status, const char *content_type, const void *body, size_t len,
                  bool head);
const char *kds_http_reason(int status);
/* Close after a response: stop sending, then drain what the client still
 * sends for a moment, so that closing with unread input does not reset
 * the connection before the client has read the answer. */
void kds_http_close(int fd);

#endif
