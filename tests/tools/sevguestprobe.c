/* SPDX-License-Identifier: MIT */
/*
 * sevguestprobe - a stand-in for an unmodified /dev/sev-guest client
 * (snpguest, go-sev-guest): libc open(2)/ioctl(2), or with --raw the raw
 * system calls, and the structs of <linux/sev-guest.h>. Nothing of swsev.
 * Each action prints "ret=R errno=E exitinfo2=X" and its results.
 *
 *   sevguestprobe [--raw] [--dev PATH] ACTION [ARG]
 *   ACTION: report OUTFILE [HEX64] | key | ext-query | ext OUTDIR | version0 | badioctl
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sev-guest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int raw;

static int call(int fd, unsigned long req, struct snp_guest_request_ioctl *io)
{
    errno = 0;
    int r = raw ? (int)syscall(SYS_ioctl, fd, req, io) : ioctl(fd, req, io);
    int e = errno;
    printf("ret=%d errno=%d exitinfo2=0x%llx\n", r, r < 0 ? e : 0,
           (unsigned long long)io->exitinfo2);
    return r;
}

static void hex(const char *name, const unsigned char *p, size_t n)
{
    printf("%s=", name);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

static int save(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) {
        perror(path);
        return 1;
    }
    return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
    int i = 1;
    const char *dev = "/dev/sev-guest";
    for (;;) {
        if (i < argc && !strcmp(argv[i], "--raw")) {
            raw = 1;
            i++;
        } else if (i + 1 < argc && !strcmp(argv[i], "--dev")) {
            dev = argv[i + 1];
            i += 2;
        } else {
            break;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: sevguestprobe [--raw] ACTION [ARG]\n");
        return 2;
    }
    const char *action = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
    int fd = raw ? (int)syscall(SYS_openat, AT_FDCWD, dev, O_RDWR) : open(dev, O_RDWR);
    if (fd < 0) {
        printf("open errno=%d\n", errno);
        return 1;
    }
    struct snp_guest_request_ioctl io;
    memset(&io, 0, sizeof(io));
    io.msg_version = 1;
    io.exitinfo2 = 0x1234; /* left alone on success */
    struct snp_report_req rq;
    struct snp_report_resp rs;
    memset(&rq, 0, sizeof(rq));
    memset(&rs, 0, sizeof(rs));
    int rc = 0;
    if (!strcmp(action, "report")) {
        if (i + 2 < argc)
            for (int k = 0; k < 64 && argv[i + 2][2 * k]; k++)
                sscanf(argv[i + 2] + 2 * k, "%2hhx", &rq.user_data[k]);
        io.req_data = (unsigned long)&rq;
        io.resp_data = (unsigned long)&rs;
        if (call(fd, SNP_GET_REPORT, &io) == 0) {
            unsigned status, size;
            memcpy(&status, rs.data, 4);
            memcpy(&size, rs.data + 4, 4);
            printf("status=%u size=%u\n", status, size);
            rc = arg ? save(arg, rs.data + 32, 0x4A0) : 0;
        }
    } else if (!strcmp(action, "key")) {
        struct snp_derived_key_req kq;
        struct snp_derived_key_resp kr;
        memset(&kq, 0, sizeof(kq));
        memset(&kr, 0, sizeof(kr));
        kq.guest_field_select = 0x9; /* policy and measurement */
        io.req_data = (unsigned long)&kq;
        io.resp_data = (unsigned long)&kr;
        if (call(fd, SNP_GET_DERIVED_KEY, &io) == 0)
            hex("key", kr.data + 32, 32);
    } else if (!strcmp(action, "ext-query") || !strcmp(action, "ext")) {
        struct snp_ext_report_req eq;
        memset(&eq, 0, sizeof(eq));
        io.req_data = (unsigned long)&eq;
        io.resp_data = (unsigned long)&rs;
        call(fd, SNP_GET_EXT_REPORT, &io);
        printf("certs_len=%u\n", eq.certs_len);
        if (!strcmp(action, "ext") && eq.certs_len) {
            unsigned char *buf = calloc(1, eq.certs_len);
            eq.certs_address = (unsigned long)buf;
            memset(&io, 0, sizeof(io));
            io.msg_version = 1;
            io.req_data = (unsigned long)&eq;
            io.resp_data = (unsigned long)&rs;
            if (call(fd, SNP_GET_EXT_REPORT, &io) == 0 && arg) {
                char p[4096];
                snprintf(p, sizeof(p), "%s/certs.bin", arg);
                rc = save(p, buf, eq.certs_len);
                snprintf(p, sizeof(p), "%s/report.bin", arg);
                rc |= save(p, rs.data + 32, 0x4A0);
            }
            free(buf);
        }
    } else if (!strcmp(action, "version0")) {
        io.msg_version = 0;
        io.req_data = (unsigned long)&rq;
        io.resp_data = (unsigned long)&rs;
        call(fd, SNP_GET_REPORT, &io);
    } else if (!strcmp(action, "badioctl")) {
        io.req_data = (unsigned long)&rq;
        io.resp_data = (unsigned long)&rs;
        call(fd, _IOWR('S', 0x7, struct snp_guest_request_ioctl), &io);
    } else {
        fprintf(stderr, "unknown action %s\n", action);
        rc = 2;
    }
    close(fd);
    return rc;
}
