/* SPDX-License-Identifier: MIT */
/* Finding and running swsev-x86 (see x86tool.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/common/x86tool.h"

/* The directory of the running program, with a trailing slash. */
static int self_dir(char *dir, size_t len)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return -1;
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (!slash)
        return -1;
    slash[1] = 0;
    return snprintf(dir, len, "%s", self) < (int)len ? 0 : -1;
}

static int usable(const char *path, int mode)
{
    return access(path, mode) == 0 ? 0 : -1;
}

int x86tool_find(char *path, size_t len)
{
    const char *env = getenv("SWSEV_X86");
    if (env && *env)
        return snprintf(path, len, "%s", env) < (int)len ? usable(path, X_OK) : -1;
    char dir[PATH_MAX];
    if (self_dir(dir, sizeof(dir)) || snprintf(path, len, "%sswsev-x86", dir) >= (int)len)
        return -1;
    return usable(path, X_OK);
}

int x86tool_guest(const char *name, char *path, size_t len)
{
    const char *env = getenv("SWSEV_X86_GUESTS");
    if (env && *env)
        return snprintf(path, len, "%s/%s", env, name) < (int)len ? usable(path, R_OK) : -1;
    char dir[PATH_MAX];
    if (self_dir(dir, sizeof(dir)))
        return -1;
    /* The build tree: the tools in src/tools, the guests in
     * backend/guests/cvm, both under the build directory. */
    if (snprintf(path, len, "%s../../backend/guests/cvm/%s", dir, name) >= (int)len)
        return -1;
    return usable(path, R_OK);
}

int x86tool_run(char *const args[])
{
    char prog[PATH_MAX];
    if (x86tool_find(prog, sizeof(prog)))
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execv(prog, args);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int x86tool_capture(char *const args[], char *out, size_t len)
{
    char prog[PATH_MAX];
    int fds[2];
    if (len == 0 || x86tool_find(prog, sizeof(prog)) || pipe(fds))
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(prog, args);
        _exit(127);
    }
    close(fds[1]);
    size_t got = 0;
    for (;;) {
        char tmp[512];
        ssize_t n = read(fds[0], tmp, sizeof(tmp));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        /* Keep what fits; read the rest so that the child never blocks. */
        size_t keep = got + 1 < len ? len - 1 - got : 0;
        if (keep > (size_t)n)
            keep = (size_t)n;
        memcpy(out + got, tmp, keep);
        got += keep;
    }
    out[got] = 0;
    close(fds[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
