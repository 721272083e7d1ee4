/* SPDX-License-Identifier: MIT */
/*
 * x86tool.h - finding and running swsev-x86, the GPL-2.0 program that runs
 * x86-64 guest binaries on the Unicorn backend (backend/x86run), and its
 * guests. The MIT tools run it as a separate program so that they never
 * link Unicorn.
 */
#ifndef SWSEV_TOOLS_X86TOOL_H
#define SWSEV_TOOLS_X86TOOL_H

#include <stddef.h>

/* swsev-x86: $SWSEV_X86, else next to the running program (the build tree
 * and an installation both put it there). 0, or -1 if there is none. */
int x86tool_find(char *path, size_t len);
/* A guest of backend/guests/cvm by file name ("hello.elf"): in
 * $SWSEV_X86_GUESTS, else where the build tree puts them. 0 or -1. */
int x86tool_guest(const char *name, char *path, size_t len);
/* Run swsev-x86 with args (NULL-terminated, args[0] is the program name),
 * its output going where ours goes. Returns its exit status, or -1. */
int x86tool_run(char *const args[]);
/* The same with its stdout in out (NUL-terminated, truncated to len). */
int x86tool_capture(char *const args[], char *out, size_t len);

#endif
