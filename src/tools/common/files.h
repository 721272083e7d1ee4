/* SPDX-License-Identifier: MIT */
/* tools/common/files.h - whole-file I/O with atomic replacement. */
#ifndef SWSEV_TOOLS_FILES_H
#define SWSEV_TOOLS_FILES_H

#include <stddef.h>

#include "swsev/status.h"

/* Replace path with data atomically: write a temporary file in the same
 * directory, fsync it, rename it over path, fsync the directory. A crash
 * leaves either the old or the new file, never a mix. */
swsev_rc file_write_atomic(const char *path, const void *data, size_t len);
/* Read a whole file of at most max bytes (malloc'ed into *data).
 * SWSEV_TOOL_ERR(SWSEV_E_NOTFOUND) when it does not exist. */
swsev_rc file_read_all(const char *path, size_t max, void **data, size_t *len);

#endif
