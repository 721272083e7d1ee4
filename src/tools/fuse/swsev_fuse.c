/* SPDX-License-Identifier: MIT */
/*
 * swsev-fuse - /dev/sev and /dev/sev-guest as files of a FUSE file system,
 * for programs that bypass libc (Go) and so escape the LD_PRELOAD shim.
 *
 *   swsev-fuse --socket /run/swsev.sock /run/swsev-dev
 *   touch /dev/sev && mount --bind /run/swsev-dev/sev /dev/sev
 *
 * CUSE is not available on these machines, so the devices are regular
 * FUSE files. FUSE only passes "restricted" ioctls to a regular file: the
 * argument struct the ioctl number declares (16 bytes for SEV_ISSUE_CMD)
 * is copied in and out by the kernel, but the pointers inside it cannot be
 * followed through FUSE. The daemon's reads and writes of user memory are
 * therefore served from the calling process with process_vm_readv/writev
 * (the caller's pid comes with the request; this needs root or
 * CAP_SYS_PTRACE), and the argument struct is re-read after the call so the
 * kernel's copy-out returns what the daemon wrote.
 */
#define FUSE_USE_VERSION 35
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tools/common/client.h"

struct fuse_opts {
    const char *socket;
    const char *guest;
};

static struct fuse_opts opts;

static uint32_t device_of(const char *path)
{
    if (!strcmp(path, "/sev"))
        return PROTO_DEV_SEV;
    if (!strcmp(path, "/sev-guest"))
        return PROTO_DEV_SEV_GUEST;
    return 0;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof(*st));
    if (!strcmp(path, "/")) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    }
    if (!device_of(path))
        return -ENOENT;
    st->st_mode = S_IFREG | 0600;
    st->st_nlink = 1;
    return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)off;
    (void)fi;
    (void)flags;
    if (strcmp(path, "/"))
        return -ENOENT;
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    fill(buf, "sev", NULL, 0, 0);
    fill(buf, "sev-guest", NULL, 0, 0);
    return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi)
{
    uint32_t dev = device_of(path);
    if (!dev)
        return -ENOENT;
    int fd = proto_connect(opts.socket);
    if (fd < 0)
        return -ENODEV; /* no daemon: no device behind the file */
    fi->fh = ((uint64_t)dev << 32) | (uint32_t)fd;
    fi->direct_io = 1;
    fi->nonseekable = 1;
    /* Remember the access mode in the handle's flags. */
    if ((fi->flags & O_ACCMODE) != O_RDONLY)
        fi->fh |= 1ull << 63;
    return 0;
}

static int fs_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    close((int)(uint32_t)fi->fh);
    return 0;
}

static int fs_ioctl(const char *path, unsigned int cmd, void *arg, struct fuse_file_info *fi,
                    unsigned int flags, void *data)
{
    (void)path;
    if (flags & FUSE_IOCTL_COMPAT)
        return -ENOSYS;
    pid_t pid = fuse_get_context()->pid;
    struct umem_ops um = umem_process_ops;
    um.ctx = &pid;
    int fd = (int)(uint32_t)fi->fh;
    struct proto_ioctl req = {.device = (uint32_t)((fi->fh >> 32) & 0x7fffffff),
                              .flags = (fi->fh >> 63) ? PROTO_F_WRITABLE : 0,
                              .request = cmd,
                              .arg = (uint64_t)(uintptr_t)arg};
    if (opts.guest)
        strncpy(req.guest, opts.guest, sizeof(req.guest) - 1);
    int err = 0;
    int rc = client_ioctl(fd, &req, &um, &err);
    /* The kernel copies data back over the caller's argument: make it what
     * the daemon left there. */
    size_t size = _IOC_SIZE(cmd);
    if ((_IOC_DIR(cmd) & _IOC_READ) && size && data)
        um.read(um.ctx, (uint64_t)(uintptr_t)arg, data, size);
    return rc < 0 ? -err : rc;
}

static const struct fuse_operations ops = {
    .getattr = fs_getattr,
    .readdir = fs_readdir,
    .open = fs_open,
    .release = fs_release,
    .ioctl = fs_ioctl,
};

#define OPT(t, p)                                                                                  \
    {                                                                                              \
        t, offsetof(struct fuse_opts, p), 1                                                        \
    }
static const struct fuse_opt option_spec[] = {
    OPT("--socket=%s", socket),
    OPT("--guest=%s", guest),
    FUSE_OPT_END,
};

static void usage(void)
{
    printf("usage: swsev-fuse --socket=PATH [--guest=NAME] MOUNTPOINT [FUSE options]\n\n"
           "Serves the files sev and sev-guest of a running swsevd under MOUNTPOINT.\n"
           "Bind-mount them over /dev/sev and /dev/sev-guest for programs that bypass libc.\n"
           "-f keeps it in the foreground.\n");
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage();
            return 0;
        }
    }
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    if (fuse_opt_parse(&args, &opts, option_spec, NULL) == -1)
        return 2;
    if (!opts.socket)
        opts.socket = getenv("SWSEV_SOCKET");
    if (!opts.socket) {
        fprintf(stderr, "swsev-fuse: no daemon socket (--socket=PATH or SWSEV_SOCKET)\n");
        fuse_opt_free_args(&args);
        return 2;
    }
    int rc = fuse_main(args.argc, args.argv, &ops, NULL);
    fuse_opt_free_args(&args);
    return rc;
}
