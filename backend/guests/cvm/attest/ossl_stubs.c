/* SPDX-License-Identifier: MIT */
/*
 * ossl_stubs.c - the C library functions libcrypto.a still refers to once
 * the link has kept only what attest.elf calls (memcpy and memset come
 * from lib/string.c). None of them is reached at run time:
 *
 *  - malloc, realloc, free: CRYPTO_malloc and friends (mem.o) stay in
 *    because CRYPTO_gcm128_new and _release share gcm128.o's one .text
 *    section with the functions we call, and --gc-sections keeps or drops
 *    whole sections. AES_set_encrypt_key, AES_encrypt and CRYPTO_gcm128_*
 *    on a caller-provided context never allocate; should one ever try,
 *    it gets NULL, which OpenSSL treats as an error, not a crash.
 *  - getenv: OPENSSL_cpuid_setup (cpuid.o) reads OPENSSL_ia32cap from it.
 *    Its only caller is the .init section of x86_64cpuid.o, which nothing
 *    here runs (there is no C runtime); with --gc-sections and guest.ld,
 *    which does not KEEP .init, both are dropped and getenv is not even
 *    referenced, but a link without them needs it.
 *
 * So OPENSSL_ia32cap_P (a common symbol, in .bss) stays 0: no AES-NI, no
 * PCLMULQDQ, no AVX, and AES and GHASH take OpenSSL's generic x86-64
 * code, which needs nothing from the CPU model beyond baseline x86-64
 * (integer code and a few SSE2 moves, which CR4.OSFXSR at entry allows).
 */
#include <stddef.h>

char *getenv(const char *name);
void *malloc(size_t n);
void *realloc(void *p, size_t n);
void free(void *p);

char *getenv(const char *name)
{
    (void)name;
    return NULL; /* no environment */
}

void *malloc(size_t n)
{
    (void)n;
    return NULL; /* no heap */
}

void *realloc(void *p, size_t n)
{
    (void)p;
    (void)n;
    return NULL;
}

void free(void *p)
{
    (void)p; /* nothing was ever allocated */
}
