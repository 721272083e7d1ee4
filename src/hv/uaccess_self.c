/* SPDX-License-Identifier: MIT */
/* User-memory accessors for a VMM running in the same process as the
 * hypervisor layer (demo, benchmarks, tests): user addresses are plain
 * pointers of this process. */
#include <errno.h>
#include <string.h>

#include "hv/sev_dev.h"

static int self_from(void *ctx, void *dst, uint64_t uaddr, size_t len)
{
    (void)ctx;
    if (len && !uaddr)
        return EFAULT;
    memcpy(dst, (const void *)(uintptr_t)uaddr, len);
    return 0;
}

static int self_to(void *ctx, uint64_t uaddr, const void *src, size_t len)
{
    (void)ctx;
    if (len && !uaddr)
        return EFAULT;
    memcpy((void *)(uintptr_t)uaddr, src, len);
    return 0;
}

const struct hv_uaccess hv_uaccess_self = {NULL, self_from, self_to};
