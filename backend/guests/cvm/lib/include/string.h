/* SPDX-License-Identifier: MIT */
/*
 * string.h - the guests are built with -nostdinc (no libc headers: nothing
 * of the host's C library may leak in), but include/swsev/abi/ghcb.h
 * includes <string.h> for memcpy/memset. This is that header; string.c
 * implements it. The compiler may also call these on its own (struct
 * copies, zeroing).
 */
#ifndef GUEST_STRING_H
#define GUEST_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
