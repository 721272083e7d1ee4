/* SPDX-License-Identifier: MIT */
/*
 * libswsev-preload.so - makes /dev/sev and /dev/sev-guest of a running
 * swsevd appear to unmodified programs.
 *
 * LD_PRELOAD=libswsev-preload.so SWSEV_SOCKET=/run/swsev.sock sevctl ...
 *
 * open/open64/openat/openat64 (and glibc's fortified __open*_2 variants) of
 * the device paths connect to the daemon named by $SWSEV_SOCKET and return
 * the connection as the file descriptor; ioctl on such a descriptor is
 * forwarded, and the daemon reads and writes this process's memory through
 * the protocol exactly where the kernel driver would copy from and to user
 * space, so return values, errno and written-back fields are the kernel's.
 * close() forgets the descriptor. $SWSEV_DEV_SEV / $SWSEV_DEV_SEV_GUEST
 * override the device paths; $SWSEV_GUEST names the guest behind
 * /dev/sev-guest.
 *
 * An interposition library keeps one process-wide table of the descriptors
 * it owns: the one piece of global state in swsev, inherent to LD_PRELOAD.
 * Not covered: dup()/dup2() of a device descriptor, and programs that
 * bypass libc (use the FUSE device file for those).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tools/common/client.h"

#define MAX_FDS 65536

struct devfd {
    uint32_t device;
    uint32_t flags;
    pthread_mutex_t lock;
};

static struct devfd *table[MAX_FDS];
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static uint32_t device_of(const char *path)
{
    if (!path)
        return 0;
    const char *sev = getenv("SWSEV_DEV_SEV"), *guest = getenv("SWSEV_DEV_SEV_GUEST");
    if (!strcmp(path, sev && *sev ? sev : "/dev/sev"))
        return PROTO_DEV_SEV;
    if (!strcmp(path, guest && *guest ? guest : "/dev/sev-guest"))
        return PROTO_DEV_SEV_GUEST;
    return 0;
}

static int dev_open(uint32_t device, int flags)
{
    int fd = proto_connect(NULL);
    if (fd < 0) {
        /* No daemon: the device does not exist. */
        errno = ENOENT;
        return -1;
    }
    if (!(flags & O_CLOEXEC))
        fcntl(fd, F_SETFD, 0);
    if (fd >= MAX_FDS) {
        REAL(close)(fd);
        errno = EMFILE;
        return -1;
    }
    struct devfd *d = calloc(1, sizeof(*d));
    if (!d) {
        REAL(close)(fd);
        errno = ENOMEM;
        return -1;
    }
    d->device = device;
    d->flags = (flags & O_ACCMODE) != O_RDONLY ? PROTO_F_WRITABLE : 0;
    pthread_mutex_init(&d->lock, NULL);
    pthread_mutex_lock(&table_lock);
    table[fd] = d;
    pthread_mutex_unlock(&table_lock);
    return fd;
}

static struct devfd *lookup(int fd)
{
    if (fd < 0 || fd >= MAX_FDS)
        return NULL;
    pthread_mutex_lock(&table_lock);
    struct devfd *d = table[fd];
    pthread_mutex_unlock(&table_lock);
    return d;
}

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    uint32_t dev = device_of(path);
    return dev ? dev_open(dev, flags) : REAL(open)(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    uint32_t dev = device_of(path);
    return dev ? dev_open(dev, flags) : REAL(open64)(path, flags, mode);
}

/* Device paths are absolute, so dirfd never matters for them. */
int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    uint32_t dev = device_of(path);
    return dev ? dev_open(dev, flags) : REAL(openat)(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    uint32_t dev = device_of(path);
    return dev ? dev_open(dev, flags) : REAL(openat64)(dirfd, path, flags, mode);
}

/* glibc's _FORTIFY_SOURCE entry points. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

int __open_2(const char *path, int flags)
{
    uint32_t dev = device_of(path);
    return dev ? dev_open(dev, flags) : REAL(__open_2)(path, flags);
}

int __open64_2(const char *path, int flags)
{
    uint32_t dev = device_of(path);
    return dev ? dev_open(dev, flags) : REAL(__open64_2)(path, flags);
}

int __openat_2(int dirfd, const char *path, int flags)
{
    uint32_t dev = device_of(path);
    return dev ? dev_open(dev, flags) : REAL(__openat_2)(dirfd, path, flags);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
    uint32_t dev = device_of(path);
    return dev ? dev_open(dev, flags) : REAL(__openat64_2)(dirfd, path, flags);
}

int close(int fd)
{
    struct devfd *d = NULL;
    if (fd >= 0 && fd < MAX_FDS) {
        pthread_mutex_lock(&table_lock);
        d = table[fd];
        table[fd] = NULL;
        pthread_mutex_unlock(&table_lock);
    }
    if (d) {
        pthread_mutex_destroy(&d->lock);
        free(d);
    }
    return REAL(close)(fd);
}

int ioctl(int fd, unsigned long request, ...)
{
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    struct devfd *d = lookup(fd);
    if (!d)
        return REAL(ioctl)(fd, request, arg);
    struct proto_ioctl req = {.device = d->device,
                              .flags = d->flags,
                              .request = request,
                              .arg = (uint64_t)(uintptr_t)arg};
    const char *guest = getenv("SWSEV_GUEST");
    if (guest)
        strncpy(req.guest, guest, sizeof(req.guest) - 1);
    int err = 0;
    pthread_mutex_lock(&d->lock);
    int rc = client_ioctl(fd, &req, &umem_process_ops, &err);
    pthread_mutex_unlock(&d->lock);
    if (rc < 0)
        errno = err;
    return rc;
}
