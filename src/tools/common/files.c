/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/common/files.h"

static swsev_rc write_fd(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return SWSEV_SYS_ERR(errno);
        }
        p += n;
        len -= (size_t)n;
    }
    return SWSEV_OK;
}

swsev_rc file_write_atomic(const char *path, const void *data, size_t len)
{
    char tmp[PATH_MAX], dir[PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp) ||
        snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
        return SWSEV_SYS_ERR(ENAMETOOLONG);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return SWSEV_SYS_ERR(errno);
    swsev_rc rc = write_fd(fd, data, len);
    if (!rc && fsync(fd) != 0)
        rc = SWSEV_SYS_ERR(errno);
    if (close(fd) != 0 && !rc)
        rc = SWSEV_SYS_ERR(errno);
    if (!rc && rename(tmp, path) != 0)
        rc = SWSEV_SYS_ERR(errno);
    if (rc) {
        unlink(tmp);
        return rc;
    }
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return SWSEV_OK;
}

swsev_rc file_read_all(const char *path, size_t max, void **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? SWSEV_TOOL_ERR(SWSEV_E_NOTFOUND) : SWSEV_SYS_ERR(errno);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n ? n : 1);
    if (!buf) {
        close(fd);
        return SWSEV_SYS_ERR(ENOMEM);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) {
        free(buf);
        return SWSEV_TOOL_ERR(SWSEV_E_IO);
    }
    *data = buf;
    *len = n;
    return SWSEV_OK;
}
