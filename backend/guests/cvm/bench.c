/* SPDX-License-Identifier: MIT */
/*
 * bench.elf - phases for the runner to time. Each phase starts with an
 * OUT 0x80,AL (E6 80) carrying its number, which the hypervisor drops and
 * the runner timestamps; 4 marks the end:
 *   1  20000 VMGEXIT round trips (GHCB MSR protocol, SEV information)
 *      under SEV-ES/SNP; nothing under SEV;
 *   2  about 50 million register-only integer instructions;
 *   3  a 512 KiB buffer copied to another 64 times, 8 bytes at a time.
 * Results are checked after marker 4, outside the timed phases.
 */
#include "ghcb_client.h"
#include "guest.h"
#include "x86.h"

#define VMGEXIT_ROUNDS 20000
#define COMPUTE_ITERS  10000000 /* x 5 instructions */
#define COPY_BYTES     (512u << 10)
#define COPY_ROUNDS    64

/* The compute loop's result, from the same arithmetic in C on the host
 * (mod 2^64): a wrong one means the instructions were emulated wrongly. */
#define COMPUTE_EXPECTED 0xa9efa214bc200c68ull

static uint64_t src[COPY_BYTES / 8] __attribute__((aligned(4096)));
static uint64_t dst[COPY_BYTES / 8] __attribute__((aligned(4096)));

static int vmgexit_rounds(void)
{
    for (int i = 0; i < VMGEXIT_ROUNDS; i++)
        if (GHCB_MSR_INFO(ghcb_msr_request(GHCB_MSR_SEV_INFO_REQ)) != GHCB_MSR_SEV_INFO_RESP)
            return -1;
    return 0;
}

/* a = a * d + 7; d ^= a, COMPUTE_ITERS times: IMUL, ADD, XOR, DEC, JNZ. */
static uint64_t compute(void)
{
    uint64_t a = 1, d = 3, n = COMPUTE_ITERS;
    __asm__ __volatile__("1:\n\t"
                         "imul %1, %0\n\t"
                         "add $7, %0\n\t"
                         "xor %0, %1\n\t"
                         "dec %2\n\t"
                         "jnz 1b"
                         : "+r"(a), "+r"(d), "+r"(n)
                         :
                         : "cc");
    return a;
}

/* MOV load, MOV store, two ADDs, DEC, JNZ per 8 bytes. */
static void copy(uint64_t *to, const uint64_t *from, uint64_t qwords)
{
    uint64_t tmp;
    __asm__ __volatile__("1:\n\t"
                         "mov (%1), %3\n\t"
                         "mov %3, (%0)\n\t"
                         "add $8, %1\n\t"
                         "add $8, %0\n\t"
                         "dec %2\n\t"
                         "jnz 1b"
                         : "+r"(to), "+r"(from), "+r"(qwords), "=&r"(tmp)
                         :
                         : "cc", "memory");
}

int main(void)
{
    for (uint64_t i = 0; i < COPY_BYTES / 8; i++)
        src[i] = i * 0x9E3779B97F4A7C15ull;

    out80(1);
    int es = sev_mode == MODE_SEV_ES || sev_mode == MODE_SNP;
    int vmgexit_ok = es ? vmgexit_rounds() == 0 : 1;
    out80(2);
    uint64_t result = compute();
    out80(3);
    for (int r = 0; r < COPY_ROUNDS; r++)
        copy(dst, src, COPY_BYTES / 8);
    out80(4);

    if (!vmgexit_ok) {
        printf("bench: a VMGEXIT round trip got a wrong answer\n");
        return 1;
    }
    if (result != COMPUTE_EXPECTED) {
        printf("bench: compute result 0x%lx, expected 0x%lx\n", (unsigned long)result,
               (unsigned long)COMPUTE_EXPECTED);
        return 1;
    }
    if (memcmp(dst, src, sizeof(src))) {
        printf("bench: the copy differs from its source\n");
        return 1;
    }
    printf("bench done\n");
    return 0;
}
