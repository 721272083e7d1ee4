/* SPDX-License-Identifier: MIT */
/*
 * swsev/fw.h - the emulated AMD Secure Processor firmware as a library.
 *
 * Create it on a memory system (it claims the memory system's privileged
 * port: only the firmware programs key slots), attach fw_command to the PSP
 * mailbox, and from then on it is reached the way the real one is: a
 * command ID and the physical address of a command buffer.
 *
 * Identity (the "fuses") and non-volatile storage come from the host
 * program through fw_identity and fw_nv_ops, the way libtpms takes its
 * storage callbacks.
 */
#ifndef SWSEV_FW_H
#define SWSEV_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/memsys.h"
#include "swsev/status.h"

struct sev_fw;
struct crypto_drbg;

struct fw_params {
    uint8_t api_major, api_minor, build; /* reported by PLATFORM_STATUS */
    /* SNP (milan and later; 0 elsewhere): the TCB_VERSION the installed
     * components make (boot loader, TEE, SNP firmware, microcode SPLs) and
     * the product generation, for VCEK derivation and the KDS. */
    uint64_t snp_tcb;
    uint8_t snp_product; /* enum snp_product; 0: no SNP */
};

/* Default API version and build of a chip preset ("rome", "milan", ...). */
void fw_params_for_chip(struct fw_params *p, const char *chip);

struct fw_identity {
    uint8_t chip_secret[32]; /* everything chip-unique derives from it */
    uint8_t cek_cert[0x824]; /* the CEK certificate, signed by the ASK at "manufacturing" */
    bool has_cek_cert;
    /* SHA-256 of the ARK certificate this firmware trusts as AMD's root
     * (SEND_START with the SEV policy bit checks the target's chain). */
    uint8_t trusted_ark_sha256[32];
    bool has_trusted_ark;
};

/* Non-volatile storage. store is called with the sealed NV blob whenever
 * the firmware's persistent state changes; it must write it atomically. */
struct fw_nv_ops {
    void *ctx;
    swsev_rc (*store)(void *ctx, const void *blob, size_t len);
};

swsev_rc fw_create(struct sev_fw **out, struct memsys *ms, struct crypto_drbg *rng,
                   const struct fw_params *params, const struct fw_identity *id,
                   const struct fw_nv_ops *nv);
void fw_destroy(struct sev_fw *fw);

/* Load the sealed NV blob at power-on (before INIT). A blob that is corrupt
 * or sealed by another chip is refused and nothing of it is kept. */
swsev_rc fw_nv_load(struct sev_fw *fw, const void *blob, size_t len);

/* The mailbox entry point: run one command, return its 16-bit status. */
uint16_t fw_command(struct sev_fw *fw, uint32_t cmd, uint64_t cmdbuf_pa);

/* The spec's name of a command ID ("LAUNCH_START"), or NULL if unknown. */
const char *fw_command_name(uint32_t cmd);

/* The CEK public key of a chip secret, as the 0x824-byte unsigned SEV
 * certificate body the factory signs (usage CEK, ECDSA P-384). */
swsev_rc fw_cek_cert_template(const uint8_t chip_secret[32], const struct fw_params *params,
                              uint8_t cert[0x824]);

/* Diagnostics for tests and tools: the platform state and guest count. */
void fw_get_state(struct sev_fw *fw, uint8_t *state, uint32_t *guest_count);

#endif
