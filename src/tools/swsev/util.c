/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/ioctl.h>
#include <linux/psp-sev.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "swsev/fw_status.h"
#include "tools/common/client.h"
#include "tools/common/files.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/util.h"

int devsev_open(struct devsev *d, const struct common_opts *o, bool writable, const char *cmd)
{
    const char *sock = o->socket ? o->socket : getenv("SWSEV_SOCKET");
    d->daemon = sock && *sock;
    if (d->daemon) {
        d->fd = proto_connect(sock);
        if (d->fd < 0) {
            cli_error(cmd, "cannot reach swsevd at %s: %s", sock, strerror(-d->fd));
            return -1;
        }
        return 0;
    }
    d->fd = open("/dev/sev", writable ? O_RDWR : O_RDONLY);
    if (d->fd < 0) {
        cli_error(cmd, "no swsevd (--socket or SWSEV_SOCKET) and /dev/sev: %s", strerror(errno));
        return -1;
    }
    return 0;
}

void devsev_close(struct devsev *d)
{
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
}

int devsev_issue(struct devsev *d, uint32_t cmd, void *data, uint32_t *fw_error)
{
    struct sev_issue_cmd c = {.cmd = cmd, .data = (uint64_t)(uintptr_t)data, .error = 0};
    int rc, err = 0;
    if (d->daemon) {
        struct proto_ioctl req = {.device = PROTO_DEV_SEV,
                                  .flags = PROTO_F_WRITABLE,
                                  .request = SEV_ISSUE_CMD,
                                  .arg = (uint64_t)(uintptr_t)&c};
        rc = client_ioctl(d->fd, &req, &umem_process_ops, &err);
    } else {
        rc = ioctl(d->fd, SEV_ISSUE_CMD, &c);
        err = errno;
    }
    *fw_error = c.error;
    if (rc < 0)
        errno = err;
    return rc;
}

int daemon_connect(const struct common_opts *o, const char *cmd)
{
    const char *sock = o->socket ? o->socket : getenv("SWSEV_SOCKET");
    if (!sock || !*sock) {
        cli_error(cmd, "needs swsevd: give --socket PATH or set SWSEV_SOCKET");
        return -1;
    }
    int fd = proto_connect(sock);
    if (fd < 0)
        cli_error(cmd, "cannot reach swsevd at %s: %s", sock, strerror(-fd));
    return fd;
}

swsev_rc daemon_call(int fd, uint32_t op, const void *args, size_t len, void **reply,
                     size_t *reply_len)
{
    return client_call(fd, op, args, len, &umem_process_ops, reply, reply_len);
}

int report_ioctl_failure(const char *cmd, const char *what, uint32_t fw_error)
{
    int e = errno;
    if (e == EIO)
        fprintf(stderr, "swsev: %s: %s failed: firmware status %s (0x%x)\n", cmd, what,
                swsev_fw_status_name(fw_error), fw_error);
    else
        fprintf(stderr, "swsev: %s: %s failed: %s\n", cmd, what, strerror(e));
    return CLI_EXIT_FAILURE;
}

int read_file(const char *cmd, const char *path, size_t max, uint8_t **buf, size_t *len)
{
    void *d;
    swsev_rc rc = file_read_all(path, max, &d, len);
    if (rc) {
        if (rc == SWSEV_TOOL_ERR(SWSEV_E_FORMAT))
            cli_error(cmd, "%s: not a regular file of at most %zu bytes", path, max);
        else
            cli_error(cmd, "cannot read %s: %s", path, swsev_strerror(rc));
        return -1;
    }
    *buf = d;
    return 0;
}

int read_exact(const char *cmd, const char *path, void *buf, size_t len)
{
    uint8_t *d;
    size_t n;
    if (read_file(cmd, path, len, &d, &n))
        return -1;
    if (n != len) {
        free(d);
        cli_error(cmd, "%s: expected %zu bytes, found %zu", path, len, n);
        return -1;
    }
    memcpy(buf, d, len);
    free(d);
    return 0;
}

int write_file(const char *cmd, const char *dir, const char *name, const void *buf, size_t len,
               int mode)
{
    char path[4096];
    if (dir)
        snprintf(path, sizeof(path), "%s/%s", dir, name);
    else
        snprintf(path, sizeof(path), "%s", name);
    swsev_rc rc = file_write_atomic(path, buf, len);
    if (rc) {
        cli_error(cmd, "cannot write %s: %s", path, swsev_strerror(rc));
        return -1;
    }
    chmod(path, (mode_t)mode);
    return 0;
}

char *base64_encode(const uint8_t *p, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 2);
    if (!out)
        return NULL;
    int k = EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    out[k] = '\n';
    out[k + 1] = 0;
    return out;
}

int base64_decode(const char *s, uint8_t *out, size_t cap, size_t *n)
{
    size_t len = strlen(s);
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
        len--;
    if (len % 4 || len / 4 * 3 > cap + 2)
        return -1;
    uint8_t *tmp = malloc(len / 4 * 3 + 3);
    if (!tmp)
        return -1;
    int k = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)len);
    if (k < 0) {
        free(tmp);
        return -1;
    }
    size_t pad = (len && s[len - 1] == '=') + (len > 1 && s[len - 2] == '=');
    *n = (size_t)k - pad;
    if (*n > cap) {
        free(tmp);
        return -1;
    }
    memcpy(out, tmp, *n);
    free(tmp);
    return 0;
}

int read_b64_file(const char *cmd, const char *path, uint8_t *out, size_t want)
{
    uint8_t *d;
    size_t n, got = 0;
    if (read_file(cmd, path, 1 << 20, &d, &n))
        return -1;
    char *s = malloc(n + 1);
    memcpy(s, d, n);
    s[n] = 0;
    free(d);
    int rc = base64_decode(s, out, want, &got);
    free(s);
    if (rc || got != want) {
        cli_error(cmd, "%s: not base64 of %zu bytes", path, want);
        return -1;
    }
    return 0;
}

bool parse_u32(const char *s, uint32_t *v)
{
    uint64_t x;
    if (!cli_parse_u64(s, &x) || x > 0xffffffffu)
        return false;
    *v = (uint32_t)x;
    return true;
}

int parse_hex(const char *s, uint8_t *out, size_t n)
{
    if (strlen(s) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        char b[3] = {s[2 * i], s[2 * i + 1], 0};
        char *end;
        v = (unsigned)strtoul(b, &end, 16);
        if (*end || !b[0] || !b[1] || b[0] == '-' || b[0] == '+' || b[0] == ' ')
            return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

void print_hex(FILE *f, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", p[i]);
}

static void sep(struct json *j, const char *key)
{
    if (!j->first[j->depth])
        fputc(',', j->f);
    j->first[j->depth] = false;
    fprintf(j->f, "\n%*s\"%s\": ", 2 * j->depth, "", key);
}

void json_open(struct json *j, FILE *f)
{
    memset(j, 0, sizeof(*j));
    j->f = f;
    j->depth = 1;
    j->first[1] = true;
    fputc('{', f);
}

void json_close(struct json *j)
{
    fputs("\n}\n", j->f);
}

void json_obj(struct json *j, const char *key)
{
    sep(j, key);
    fputc('{', j->f);
    j->depth++;
    j->first[j->depth] = true;
}

void json_end_obj(struct json *j)
{
    j->depth--;
    fprintf(j->f, "\n%*s}", 2 * j->depth, "");
}

void json_str(struct json *j, const char *key, const char *v)
{
    sep(j, key);
    fputc('"', j->f);
    for (; *v; v++) {
        if (*v == '"' || *v == '\\')
            fprintf(j->f, "\\%c", *v);
        else if ((unsigned char)*v < 0x20)
            fprintf(j->f, "\\u%04x", *v);
        else
            fputc(*v, j->f);
    }
    fputc('"', j->f);
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
    sep(j, key);
    fprintf(j->f, "%llu", (unsigned long long)v);
}

void json_bool(struct json *j, const char *key, bool v)
{
    sep(j, key);
    fputs(v ? "true" : "false", j->f);
}

void json_hex(struct json *j, const char *key, const uint8_t *p, size_t n)
{
    sep(j, key);
    fputc('"', j->f);
    print_hex(j->f, p, n);
    fputc('"', j->f);
}

int parse_opts(const char *cmd, int argc, char **argv, struct common_opts *co,
               const struct opt *extra, char **pos, int max_pos, int *npos, void (*usage)(FILE *))
{
    memset(co, 0, sizeof(*co));
    *npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return -1;
        }
        if (!strcmp(a, "--json")) {
            co->json = true;
            continue;
        }
        if (!strcmp(a, "--socket")) {
            if (i + 1 >= argc)
                return cli_error(cmd, "--socket needs a path");
            co->socket = argv[++i];
            continue;
        }
        if (a[0] == '-' && a[1] == '-') {
            const struct opt *o = extra;
            for (; o && o->name; o++)
                if (!strcmp(a + 2, o->name))
                    break;
            if (!o || !o->name)
                return cli_error(cmd, "unknown option '%s' (try --help)", a);
            if (o->flag) {
                *o->flag = true;
            } else {
                if (i + 1 >= argc)
                    return cli_error(cmd, "%s needs a value", a);
                *o->value = argv[++i];
            }
            continue;
        }
        if (*npos >= max_pos)
            return cli_error(cmd, "unexpected argument '%s' (try --help)", a);
        pos[(*npos)++] = argv[i];
    }
    return 0;
}
