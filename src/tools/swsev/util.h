/* SPDX-License-Identifier: MIT */
/* tools/swsev/util.h - pieces every swsev subcommand uses. */
#ifndef SWSEV_TOOLS_UTIL_H
#define SWSEV_TOOLS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "swsev/status.h"

/* Common options: --socket PATH, --json, --help. */
struct common_opts {
    const char *socket;
    bool json;
};

/* /dev/sev: the daemon named by --socket or $SWSEV_SOCKET, or else the real
 * device. ioctl semantics are the kernel's either way. */
struct devsev {
    int fd;
    bool daemon;
};
int devsev_open(struct devsev *d, const struct common_opts *o, bool writable, const char *cmd);
void devsev_close(struct devsev *d);
/* SEV_ISSUE_CMD; returns 0 or -1 with errno set; *fw_error gets the status. */
int devsev_issue(struct devsev *d, uint32_t cmd, void *data, uint32_t *fw_error);

/* A connection for management calls (the daemon only). */
int daemon_connect(const struct common_opts *o, const char *cmd);
swsev_rc daemon_call(int fd, uint32_t op, const void *args, size_t len, void **reply,
                     size_t *reply_len);

/* One line on stderr for a failed ioctl: errno and the firmware status. */
int report_ioctl_failure(const char *cmd, const char *what, uint32_t fw_error);

/* Files. */
int read_file(const char *cmd, const char *path, size_t max, uint8_t **buf, size_t *len);
int read_exact(const char *cmd, const char *path, void *buf, size_t len);
/* dir may be NULL: name is then the whole path. */
int write_file(const char *cmd, const char *dir, const char *name, const void *buf, size_t len,
               int mode);
/* Base64 of QEMU's dh-cert-file / session-file (sevctl writes them). */
char *base64_encode(const uint8_t *p, size_t n);
int base64_decode(const char *s, uint8_t *out, size_t cap, size_t *n);
int read_b64_file(const char *cmd, const char *path, uint8_t *out, size_t want);

/* Numbers and hex. */
bool parse_u32(const char *s, uint32_t *v);
int parse_hex(const char *s, uint8_t *out, size_t n);
void print_hex(FILE *f, const uint8_t *p, size_t n);

/* Minimal JSON output: one object, flat or with nested objects. */
struct json {
    FILE *f;
    int depth;
    bool first[8];
};
void json_open(struct json *j, FILE *f);
void json_close(struct json *j);
void json_obj(struct json *j, const char *key);
void json_end_obj(struct json *j);
void json_str(struct json *j, const char *key, const char *v);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_hex(struct json *j, const char *key, const uint8_t *p, size_t n);

#endif

/* Option parsing shared by the subcommands: --socket, --json, --help and
 * the command's own options; the rest are positional. Returns 0 to go on,
 * -1 after printing --help (exit 0), or 2 after an error line. */
#define PARSE_EXIT(r) ((r) < 0 ? CLI_EXIT_OK : (r))
struct opt {
    const char *name;   /* without the leading dashes */
    const char **value; /* for options with an argument */
    bool *flag;         /* for options without */
};
int parse_opts(const char *cmd, int argc, char **argv, struct common_opts *co,
               const struct opt *extra, char **pos, int max_pos, int *npos, void (*usage)(FILE *));
