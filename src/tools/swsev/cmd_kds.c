/* SPDX-License-Identifier: MIT */
/*
 * swsev kds serve - a local AMD Key Distribution Service for one
 * installation's chip, with AMD's URL layout (VCEK spec, pub. 57230,
 * chapter 4; docs/kds.md):
 *
 *   GET /vcek/v1/{Product}/cert_chain   ASK then ARK, PEM
 *   GET /vlek/v1/{Product}/cert_chain   ASVK then ARK, PEM
 *   GET /vcek/v1/{Product}/crl          the ARK's CRL, DER (also under /vlek/)
 *   GET
 * /vcek/v1/{Product}/{hwID}?blSPL=N&teeSPL=N&snpSPL=N&ucodeSPL=N[&fmcSPL=N] the
 * chip's VCEK at that TCB, DER
 *
 * One request per connection, served one after the other: a KDS is asked
 * for a handful of certificates, and a client that stalls is cut off at
 * the request deadline (kds_http.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "crypto/snp_x509.h"
#include "tools/common/files.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/kds_certs.h"
#include "tools/swsev/kds_http.h"
#include "tools/swsev/util.h"

#define CT_CERT  "application/pkix-cert"  /* RFC 2585: one DER certificate */
#define CT_CRL   "application/pkix-crl"   /* RFC 2585: one DER CRL */
#define CT_CHAIN "application/x-pem-file" /* PEM certificates, concatenated */
#define CT_TEXT  "text/plain; charset=utf-8"

/* Set by SIGINT/SIGTERM; the serve loop polls it. */
static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

struct reply {
    int status;
    const char *type;
    uint8_t *body; /* malloc'ed */
    size_t len;
};

static void reply_text(struct reply *r, int status, const char *msg)
{
    r->status = status;
    r->type = CT_TEXT;
    r->len = strlen(msg) + 1;
    r->body = malloc(r->len);
    if (r->body) {
        memcpy(r->body, msg, r->len - 1);
        r->body[r->len - 1] = '\n';
    } else {
        r->len = 0;
    }
}

/* ASK (or ASVK) then ARK, as AMD's cert_chain. */
static void reply_chain(struct reply *r, X509 *mid, X509 *ark)
{
    char *a = NULL, *b = NULL;
    size_t al = 0, bl = 0;
    if (snp_x509_to_pem(mid, &a, &al) || snp_x509_to_pem(ark, &b, &bl) ||
        !(r->body = malloc(al + bl))) {
        reply_text(r, 500, "cannot encode the certificate chain");
    } else {
        memcpy(r->body, a, al);
        memcpy(r->body + al, b, bl);
        r->len = al + bl;
        r->status = 200;
        r->type = CT_CHAIN;
    }
    free(a);
    free(b);
}

/* One SPL value: 1-3 decimal digits (clients send "03"), at most 255. */
static bool parse_spl(const char *s, size_t n, unsigned *v)
{
    if (n == 0 || n > 3)
        return false;
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        *v = *v * 10 + (unsigned)(s[i] - '0');
    }
    return *v <= 255;
}

/* The TCB a VCEK query names: every SPL of the product exactly once,
 * nothing else. NULL when it does, else why not. */
static const char *parse_query(const char *q, enum snp_product p, uint64_t *tcb)
{
    static const char *const names[] = {"blSPL", "teeSPL", "snpSPL", "ucodeSPL", "fmcSPL"};
    const size_t count = p == SNP_TURIN ? 5 : 4;
    unsigned v[5] = {0};
    bool seen[5] = {false};
    while (q && *q) {
        const char *amp = strchr(q, '&'), *end = amp ? amp : q + strlen(q);
        const char *eq = memchr(q, '=', (size_t)(end - q));
        size_t i = 0;
        for (; eq && i < count; i++)
            if (strlen(names[i]) == (size_t)(eq - q) && !strncmp(q, names[i], (size_t)(eq - q)))
                break;
        if (!eq || i == count)
            return "unknown query parameter";
        if (seen[i])
            return "repeated SPL parameter";
        if (!parse_spl(eq + 1, (size_t)(end - eq - 1), &v[i]))
            return "SPL values are decimal numbers from 0 to 255";
        seen[i] = true;
        q = amp ? amp + 1 : end;
    }
    for (size_t i = 0; i < count; i++)
        if (!seen[i])
            return p == SNP_TURIN ? "blSPL, teeSPL, snpSPL, ucodeSPL and fmcSPL are required"
                                  : "blSPL, teeSPL, snpSPL and ucodeSPL are required";
    struct snp_tcb t = {(uint8_t)v[4], (uint8_t)v[0], (uint8_t)v[1], (uint8_t)v[2], (uint8_t)v[3]};
    *tcb = snp_tcb_encode(t, p);
    return NULL;
}

static void reply_vcek(struct reply *r, const struct kds_certs *k, const char *hwid_hex,
                       const char *query)
{
    uint8_t hwid[64];
    if (strlen(hwid_hex) != 2 * k->hwid_len || parse_hex(hwid_hex, hwid, k->hwid_len)) {
        char msg[64];
        snprintf(msg, sizeof(msg), "a %s hwID is %zu hex digits", k->product_name, 2 * k->hwid_len);
        return reply_text(r, 400, msg);
    }
    uint64_t tcb;
    const char *why = parse_query(query, k->product, &tcb);
    if (why)
        return reply_text(r, 400, why);
    /* AMD's KDS knows every chip; this one, its own. */
    if (memcmp(hwid, k->hwid, k->hwid_len))
        return reply_text(r, 404, "unknown hwID");
    X509 *c = NULL;
    if (kds_certs_vcek(k, tcb, &c) || snp_x509_to_der(c, &r->body, &r->len)) {
        reply_text(r, 500, "cannot make the VCEK");
    } else {
        r->status = 200;
        r->type = CT_CERT;
    }
    X509_free(c);
}

static void route(struct reply *r, const struct kds_certs *k, const char *target)
{
    char path[KDS_HTTP_MAX_TARGET];
    snprintf(path, sizeof(path), "%s", target);
    char *query = strchr(path, '?');
    if (query)
        *query++ = 0;
    bool vcek = !strncmp(path, "/vcek/v1/", 9), vlek = !strncmp(path, "/vlek/v1/", 9);
    if (!vcek && !vlek)
        return reply_text(r, 404, "not a KDS path");
    char *product = path + 9, *rest = strchr(product, '/');
    if (!rest)
        return reply_text(r, 404, "not a KDS path");
    *rest++ = 0;
    if (snp_x509_product_parse(product) != k->product)
        return reply_text(r, 404, "unknown product");
    if (strchr(rest, '/') || !*rest)
        return reply_text(r, 404, "not a KDS path");
    if (!strcmp(rest, "cert_chain"))
        return reply_chain(r, vcek ? k->ask : k->asvk, k->ark);
    if (!strcmp(rest, "crl")) {
        if (snp_x509_crl_to_der(k->crl, &r->body, &r->len))
            return reply_text(r, 500, "cannot encode the CRL");
        r->status = 200;
        r->type = CT_CRL;
        return;
    }
    if (vlek) /* AMD hands VLEKs to cloud providers, not through the KDS */
        return reply_text(r, 404, "no VLEKs here");
    reply_vcek(r, k, rest, query);
}

static void peer_name(int fd, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char host[64] = "?";
    unsigned port = 0;
    if (!getpeername(fd, (struct sockaddr *)&ss, &sl)) {
        if (ss.ss_family == AF_INET6) {
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof(host));
            port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        } else if (ss.ss_family == AF_INET) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
            port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        }
    }
    snprintf(out, cap, "%s:%u", host, port);
}

/* One connection: read, answer, log one line. */
static void serve_one(int fd, const struct kds_certs *k)
{
    struct timeval tv = {KDS_HTTP_DEADLINE_MS / 1000, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)); /* a client that never reads */
    char peer[96];
    peer_name(fd, peer, sizeof(peer));
    struct kds_request rq;
    struct reply r = {0};
    int st = kds_http_read(fd, &rq, &stop_requested);
    if (st < 0) {
        close(fd);
        return;
    }
    if (st)
        reply_text(&r, st, kds_http_reason(st));
    else
        route(&r, k, rq.target);
    int sent = kds_http_send(fd, r.status, r.type, r.body, r.len, rq.head);
    fprintf(stderr, "swsev kds: %s \"%s %s\" %d %zu%s\n", peer, rq.method[0] ? rq.method : "-",
            rq.target[0] ? rq.target : "-", r.status, rq.head ? 0 : r.len,
            sent ? " (client gone)" : "");
    free(r.body);
    kds_http_close(fd);
}

static int serve_loop(int lfd, const struct kds_certs *k)
{
    while (!stop_requested) {
        struct pollfd p = {lfd, POLLIN, 0};
        int r = poll(&p, 1, 500);
        if (r <= 0)
            continue; /* timeout, or EINTR: look at the flag again */
        int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                usleep(100 * 1000); /* let descriptors free up instead of spinning */
            continue;
        }
        serve_one(c, k);
    }
    return CLI_EXIT_OK;
}

static void usage_serve(FILE *f)
{
    fprintf(f, "usage: swsev kds serve --listen HOST:PORT --state DIR [--chip milan|genoa]\n"
               "                       [--port-file F]\n\n"
               "Serves the installation's ARK, ASK, ASVK, CRL and VCEKs with AMD's KDS URLs\n"
               "over plain HTTP (docs/kds.md). Logs one line per request on stderr;\n"
               "SIGINT or SIGTERM stop it (exit 0).\n\n"
               "  --listen HOST:PORT  numeric address and port ([::1]:PORT for IPv6; port 0\n"
               "                      picks a free one)\n"
               "  --state DIR         the installation (swsevd's state directory); created,\n"
               "                      as --chip (default milan), if DIR holds none\n"
               "  --chip NAME         the chip preset of a new installation (an existing one\n"
               "                      must match)\n"
               "  --port-file F       write the bound port to F once listening\n");
}

static int kds_serve(int argc, char **argv)
{
    const char *listen_at = NULL, *state = NULL, *chip = NULL, *port_file = NULL;
    const struct opt opts[] = {{"listen", &listen_at, NULL},
                               {"state", &state, NULL},
                               {"chip", &chip, NULL},
                               {"port-file", &port_file, NULL},
                               {NULL, NULL, NULL}};
    struct common_opts co;
    int npos;
    int r = parse_opts("kds serve", argc, argv, &co, opts, NULL, 0, &npos, usage_serve);
    if (r)
        return PARSE_EXIT(r);
    if (!listen_at || !state)
        return cli_error("kds serve", "--listen and --state are required (try --help)");
    if (chip && strcmp(chip, "milan") && strcmp(chip, "genoa"))
        return cli_error("kds serve", "--chip: milan or genoa (the SEV-SNP presets)");
    int lfd, port;
    char err[256];
    if (kds_http_listen(listen_at, &lfd, &port, err, sizeof(err)))
        return cli_error("kds serve", "%s", err);
    struct kds_certs k;
    if (kds_certs_open(&k, "kds serve", state, chip, true)) {
        close(lfd);
        return CLI_EXIT_FAILURE;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop; /* no SA_RESTART: a blocked poll returns */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    char pbuf[16];
    int pn = snprintf(pbuf, sizeof(pbuf), "%d\n", port);
    swsev_rc rc = port_file ? file_write_atomic(port_file, pbuf, (size_t)pn) : SWSEV_OK;
    if (rc) {
        cli_error("kds serve", "cannot write %s: %s", port_file, swsev_strerror(rc));
        kds_certs_close(&k);
        close(lfd);
        return CLI_EXIT_FAILURE;
    }
    fprintf(stderr, "swsev kds: serving %s (hwID ", k.product_name);
    print_hex(stderr, k.hwid, k.hwid_len);
    fprintf(stderr, ") on %s, port %d\n", listen_at, port);
    r = serve_loop(lfd, &k);
    fprintf(stderr, "swsev kds: stopped\n");
    kds_certs_close(&k);
    close(lfd);
    return r;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: swsev kds serve --listen HOST:PORT --state DIR [options]\n\n"
               "A local AMD Key Distribution Service for an installation's chip.\n"
               "'swsev kds serve --help' lists the options.\n");
}

int cmd_kds(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "serve"))
        return kds_serve(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    usage(stderr);
    return CLI_EXIT_USAGE;
}
