/* SPDX-License-Identifier: MIT */
/*
 * sevprobe - a stand-in for an unmodified /dev/sev client. It uses nothing
 * of swsev: plain open(2) and ioctl(2) from libc (or, with --raw, the raw
 * system calls, as Go programs do), the structs of <linux/psp-sev.h>.
 * Each action prints "ret=R errno=E error=F" and its results.
 *
 *   sevprobe [--raw] [--dev PATH] [--ro] ACTION [ARG]
 *   ACTION: status | pek-gen | pdh-gen | reset | get-id | get-id2 |
 *           pdh-export DIR | pek-csr FILE | badptr | badcmd | badioctl
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/psp-sev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int raw;

static int dev_open(const char *path, int flags)
{
    return raw ? (int)syscall(SYS_openat, AT_FDCWD, path, flags) : open(path, flags);
}

static int dev_ioctl(int fd, unsigned long req, void *arg)
{
    return raw ? (int)syscall(SYS_ioctl, fd, req, arg) : ioctl(fd, req, arg);
}

static int issue(int fd, unsigned cmd, void *data, struct sev_issue_cmd *out)
{
    struct sev_issue_cmd c = {.cmd = cmd, .data = (unsigned long)data, .error = 0};
    errno = 0;
    int r = dev_ioctl(fd, SEV_ISSUE_CMD, &c);
    int e = errno;
    printf("ret=%d errno=%d error=%u\n", r, r < 0 ? e : 0, c.error);
    if (out)
        *out = c;
    errno = e;
    return r;
}

static int write_file(const char *dir, const char *name, const void *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n)
        return -1;
    return fclose(f);
}

int main(int argc, char **argv)
{
    const char *dev = "/dev/sev";
    int flags = O_RDWR, i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--raw"))
            raw = 1;
        else if (!strcmp(argv[i], "--ro"))
            flags = O_RDONLY;
        else if (!strcmp(argv[i], "--dev") && i + 1 < argc)
            dev = argv[++i];
    }
    if (i >= argc) {
        fprintf(stderr, "usage: sevprobe [--raw] [--dev PATH] [--ro] ACTION [ARG]\n");
        return 2;
    }
    const char *act = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;
    int fd = dev_open(dev, flags);
    if (fd < 0) {
        printf("open failed errno=%d\n", errno);
        return 1;
    }
    int r = 0;
    if (!strcmp(act, "status")) {
        struct sev_user_data_status s;
        memset(&s, 0xee, sizeof(s));
        r = issue(fd, SEV_PLATFORM_STATUS, &s, NULL);
        if (!r)
            printf("api=%u.%u build=%u state=%u flags=0x%x guests=%u\n", s.api_major, s.api_minor,
                   s.build, s.state, s.flags, s.guest_count);
    } else if (!strcmp(act, "pek-gen")) {
        r = issue(fd, SEV_PEK_GEN, NULL, NULL);
    } else if (!strcmp(act, "pdh-gen")) {
        r = issue(fd, SEV_PDH_GEN, NULL, NULL);
    } else if (!strcmp(act, "reset")) {
        r = issue(fd, SEV_FACTORY_RESET, NULL, NULL);
    } else if (!strcmp(act, "get-id")) {
        struct sev_user_data_get_id id;
        r = issue(fd, SEV_GET_ID, &id, NULL);
        if (!r) {
            printf("id=");
            for (int k = 0; k < 64; k++)
                printf("%02x", id.socket1[k]);
            printf("\n");
        }
    } else if (!strcmp(act, "get-id2")) {
        struct sev_user_data_get_id2 q = {0, 0};
        issue(fd, SEV_GET_ID2, &q, NULL); /* length query */
        printf("needed=%u\n", q.length);
        unsigned char buf[256];
        q.address = (unsigned long)buf;
        r = issue(fd, SEV_GET_ID2, &q, NULL);
        if (!r) {
            printf("id2=");
            for (unsigned k = 0; k < q.length; k++)
                printf("%02x", buf[k]);
            printf("\n");
        }
    } else if (!strcmp(act, "pdh-export") && arg) {
        struct sev_user_data_pdh_cert_export e;
        memset(&e, 0, sizeof(e));
        issue(fd, SEV_PDH_CERT_EXPORT, &e, NULL); /* length query */
        printf("pdh_len=%u chain_len=%u\n", e.pdh_cert_len, e.cert_chain_len);
        void *pdh = calloc(1, e.pdh_cert_len), *chain = calloc(1, e.cert_chain_len);
        e.pdh_cert_address = (unsigned long)pdh;
        e.cert_chain_address = (unsigned long)chain;
        r = issue(fd, SEV_PDH_CERT_EXPORT, &e, NULL);
        if (!r && (write_file(arg, "pdh.cert", pdh, e.pdh_cert_len) ||
                   write_file(arg, "cert_chain.cert", chain, e.cert_chain_len)))
            r = -1;
        free(pdh);
        free(chain);
    } else if (!strcmp(act, "pek-csr") && arg) {
        struct sev_user_data_pek_csr q = {0, 0};
        issue(fd, SEV_PEK_CSR, &q, NULL);
        printf("needed=%u\n", q.length);
        void *buf = calloc(1, q.length);
        q.address = (unsigned long)buf;
        r = issue(fd, SEV_PEK_CSR, &q, NULL);
        if (!r) {
            FILE *f = fopen(arg, "wb");
            fwrite(buf, 1, q.length, f);
            fclose(f);
        }
        free(buf);
    } else if (!strcmp(act, "badptr")) {
        r = issue(fd, SEV_PLATFORM_STATUS, (void *)8, NULL);
        struct sev_user_data_pdh_cert_export e = {8, 0x824, 16, 0x186c};
        issue(fd, SEV_PDH_CERT_EXPORT, &e, NULL);
        errno = 0;
        int r2 = dev_ioctl(fd, SEV_ISSUE_CMD, (void *)8);
        printf("ret=%d errno=%d\n", r2, errno);
    } else if (!strcmp(act, "badcmd")) {
        r = issue(fd, 42, NULL, NULL);
    } else if (!strcmp(act, "badioctl")) {
        errno = 0;
        r = dev_ioctl(fd, 0x1234, NULL);
        printf("ret=%d errno=%d\n", r, errno);
    } else {
        fprintf(stderr, "sevprobe: unknown action %s\n", act);
        return 2;
    }
    close(fd);
    return r < 0 ? 1 : 0;
}
