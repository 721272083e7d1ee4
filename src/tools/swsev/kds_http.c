/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tools/swsev/kds_http.h"

int kds_http_listen(const char *hostport, int *fd, int *port, char *err, size_t errlen)
{
    char host[128];
    const char *colon = strrchr(hostport, ':');
    size_t hl = colon ? (size_t)(colon - hostport) : 0;
    if (!colon || hl == 0 || hl >= sizeof(host)) {
        snprintf(err, errlen, "expected HOST:PORT, not '%s'", hostport);
        return -1;
    }
    memcpy(host, hostport, hl);
    host[hl] = 0;
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') { /* [::1]:PORT */
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = 0;
    }
    const char *ps = colon + 1;
    char *end;
    errno = 0;
    long pv = strtol(ps, &end, 10);
    if (!*ps || *end || errno || pv < 0 || pv > 65535) {
        snprintf(err, errlen, "'%s' is not a port number", ps);
        return -1;
    }
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    int r = getaddrinfo(host, ps, &hints, &ai);
    if (r) {
        snprintf(err, errlen, "'%s' is not a numeric address: %s", host, gai_strerror(r));
        return -1;
    }
    int s = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
        bind(s, ai->ai_addr, ai->ai_addrlen) || listen(s, 16)) {
        int e = errno;
        snprintf(err, errlen, "cannot listen on %s: %s", hostport, strerror(e));
        if (s >= 0)
            close(s);
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(s, (struct sockaddr *)&ss, &sl)) {
        snprintf(err, errlen, "getsockname: %s", strerror(errno));
        close(s);
        return -1;
    }
    *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                           : ((struct sockaddr_in *)&ss)->sin_port);
    *fd = s;
    return 0;
}

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Request line "METHOD SP /target SP HTTP/1.x", then header lines that
 * are at least "name:"; their contents do not matter to a KDS. */
static int parse(char *buf, struct kds_request *rq)
{
    char *eol = strstr(buf, "\r\n");
    *eol = 0;
    char *sp1 = strchr(buf, ' ');
    size_t ml = sp1 ? (size_t)(sp1 - buf) : 0;
    if (ml == 0 || ml >= sizeof(rq->method))
        return 400;
    for (size_t i = 0; i < ml; i++)
        if (buf[i] < 'A' || buf[i] > 'Z')
            return 400;
    char *target = sp1 + 1, *sp2 = strchr(target, ' ');
    size_t tl = sp2 ? (size_t)(sp2 - target) : 0;
    if (tl == 0 || tl >= sizeof(rq->target) || target[0] != '/')
        return 400;
    for (size_t i = 0; i < tl; i++)
        if (target[i] <= 0x20 || target[i] >= 0x7f)
            return 400;
    const char *version = sp2 + 1;
    if (strncmp(version, "HTTP/", 5))
        return 400;
    if (strcmp(version, "HTTP/1.1") && strcmp(version, "HTTP/1.0"))
        return 505;
    for (char *h = eol + 2; !(h[0] == '\r' && h[1] == '\n');) {
        char *e = strstr(h, "\r\n");
        char *colon = memchr(h, ':', (size_t)(e - h));
        if (!colon || colon == h || h[0] == ' ' || h[0] == '\t')
            return 400;
        h = e + 2;
    }
    memcpy(rq->method, buf, ml);
    rq->method[ml] = 0;
    memcpy(rq->target, target, tl);
    rq->target[tl] = 0;
    rq->head = !strcmp(rq->method, "HEAD");
    return strcmp(rq->method, "GET") && !rq->head ? 405 : 0;
}

int kds_http_read(int fd, struct kds_request *rq, volatile sig_atomic_t *stop)
{
    char buf[KDS_HTTP_MAX_HEADER + 1];
    size_t len = 0;
    long deadline = now_ms() + KDS_HTTP_DEADLINE_MS;
    memset(rq, 0, sizeof(*rq));
    for (;;) {
        long left = deadline - now_ms();
        if (left <= 0)
            return 408;
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR) {
            if (*stop)
                return -1;
            continue;
        }
        if (r < 0)
            return -1;
        if (r == 0)
            return 408;
        ssize_t n = recv(fd, buf + len, KDS_HTTP_MAX_HEADER - len, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return -1;
        if (n == 0) /* the client gave up half-way, or never started */
            return len ? 400 : -1;
        if (memchr(buf + len, 0, (size_t)n))
            return 400;
        len += (size_t)n;
        buf[len] = 0;
        if (strstr(buf, "\r\n\r\n"))
            return parse(buf, rq);
        if (len == KDS_HTTP_MAX_HEADER)
            return 400;
    }
}

const char *kds_http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Internal Server Error";
    }
}

static int send_all(int fd, const void *p, size_t len)
{
    const char *c = p;
    while (len) {
        ssize_t n = send(fd, c, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        c += n;
        len -= (size_t)n;
    }
    return 0;
}

int kds_http_send(int fd, int status, const char *content_type, const void *body, size_t len,
                  bool head)
{
    char hdr[256];
    int n = snprintf(hdr, sizeof(hdr),
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s"
                     "Connection: close\r\n\r\n",
                     status, kds_http_reason(status), content_type, len,
                     status == 405 ? "Allow: GET, HEAD\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof(hdr) || send_all(fd, hdr, (size_t)n))
        return -1;
    return head || !len ? 0 : send_all(fd, body, len);
}

void kds_http_close(int fd)
{
    char sink[4096];
    long deadline = now_ms() + 200;
    shutdown(fd, SHUT_WR);
    for (long left; (left = deadline - now_ms()) > 0;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, (int)left) <= 0 || recv(fd, sink, sizeof(sink), 0) <= 0)
            break;
    }
    close(fd);
}
