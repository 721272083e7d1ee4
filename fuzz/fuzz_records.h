/* SPDX-License-Identifier: MIT */
/*
 * fuzz_records.h - the input format of the command-stream fuzz targets: a
 * sequence of records, each an opcode byte, a length byte and that many
 * bytes (the last record may be cut short: the rest of its buffer is 0).
 */
#ifndef SWSEV_FUZZ_RECORDS_H
#define SWSEV_FUZZ_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The next record at *off: true with *op, *len (as the record says) and
 * buf[256] filled, false at the end. */
static inline bool fuzz_next_record(const uint8_t *data, size_t size, size_t *off, uint8_t *op,
                                    uint8_t *len_out, uint8_t buf[256])
{
    if (*off + 2 > size)
        return false;
    uint8_t len = data[*off + 1];
    *op = data[*off];
    *len_out = len;
    *off += 2;
    size_t n = len <= size - *off ? len : size - *off;
    memset(buf, 0, 256);
    memcpy(buf, data + *off, n);
    *off += n;
    return true;
}

#endif
