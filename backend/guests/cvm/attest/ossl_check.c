/* SPDX-License-Identifier: MIT */
/*
 * ossl_check.c - never linked: compiled (-fsyntax-only, with the host's
 * headers) before attest.elf is built, so that the prototypes ossl.h
 * restates are checked against OpenSSL's own. A parameter or return type
 * that differs is a "conflicting types" error; the key schedule's layout
 * is checked by size and the offset of its last field.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* AES_* are deprecated in 3.0, not gone */
#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/modes.h>

#include "ossl.h"

_Static_assert(sizeof(AES_KEY) == OSSL_AES_KEY_SIZE, "AES_KEY size differs from ossl.h");
_Static_assert(offsetof(AES_KEY, rounds) == 4 * 4 * (14 + 1), "AES_KEY.rounds moved");
_Static_assert(AES_MAXNR == 14, "AES_MAXNR differs from ossl.h");
