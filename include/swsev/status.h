/* SPDX-License-Identifier: MIT */
/*
 * swsev/status.h - the single error space of swsev.
 *
 * Every fallible swsev function returns a swsev_rc. Zero is success. A
 * non-zero value carries the layer that produced it in bits [23:16] and a
 * layer-specific code in bits [15:0], so that a firmware status (the AMD
 * spec's code, e.g. INVALID_LENGTH) is never confused with a transport
 * failure or an internal error (the tpm2-tss convention).
 */
#ifndef SWSEV_STATUS_H
#define SWSEV_STATUS_H

#include <stdint.h>

typedef int32_t swsev_rc;

#define SWSEV_OK 0

enum swsev_layer {
    SWSEV_LAYER_HW = 1,        /* hardware model: memory system, vCPU */
    SWSEV_LAYER_FW = 2,        /* firmware status code from the AMD specs */
    SWSEV_LAYER_HV = 3,        /* hypervisor side */
    SWSEV_LAYER_TRANSPORT = 4, /* socket / device front ends */
    SWSEV_LAYER_TOOL = 5,      /* CLI and file handling */
    SWSEV_LAYER_SYS = 6,       /* operating system: low bits hold errno */
    SWSEV_LAYER_CRYPTO = 7,    /* OpenSSL reported a failure */
};

#define SWSEV_RC(layer, code) ((swsev_rc)((((uint32_t)(layer)&0xffu) << 16) | ((code)&0xffffu)))
#define SWSEV_RC_LAYER(rc)    ((unsigned)(((uint32_t)(rc) >> 16) & 0xffu))
#define SWSEV_RC_CODE(rc)     ((unsigned)((uint32_t)(rc)&0xffffu))

/* Hardware-model codes (SWSEV_LAYER_HW). */
enum swsev_hw_code {
    SWSEV_HW_RANGE = 1, /* physical address outside the simulated DRAM */
    SWSEV_HW_ALIGN = 2, /* access not aligned as the operation requires */
    SWSEV_HW_SIZE = 3,  /* zero-length or oversized access */
    SWSEV_HW_NOKEY = 4, /* key slot without a key */
    SWSEV_HW_FAULT = 5, /* architectural fault; the fault record says which */
    SWSEV_HW_INVAL = 6, /* invalid argument (bad ASID, bad configuration) */
    SWSEV_HW_NOMEM = 7, /* host allocation failed */
    SWSEV_HW_BUSY = 8,  /* privileged interface already claimed */
};

/* Generic codes shared by the tool and transport layers. */
enum swsev_generic_code {
    SWSEV_E_INVAL = 1,    /* invalid argument */
    SWSEV_E_IO = 2,       /* I/O or protocol failure */
    SWSEV_E_NOTFOUND = 3, /* named object does not exist */
    SWSEV_E_FORMAT = 4,   /* malformed input */
    SWSEV_E_NOMEM = 5,
    SWSEV_E_UNSUPPORTED = 6,
    SWSEV_E_VERIFY = 7, /* a signature, MAC or check did not verify */
};

#define SWSEV_HW_ERR(c)     SWSEV_RC(SWSEV_LAYER_HW, (c))
#define SWSEV_FW_ERR(c)     SWSEV_RC(SWSEV_LAYER_FW, (c))
#define SWSEV_HV_ERR(c)     SWSEV_RC(SWSEV_LAYER_HV, (c))
#define SWSEV_TOOL_ERR(c)   SWSEV_RC(SWSEV_LAYER_TOOL, (c))
#define SWSEV_SYS_ERR(e)    SWSEV_RC(SWSEV_LAYER_SYS, (e))
#define SWSEV_CRYPTO_ERR(c) SWSEV_RC(SWSEV_LAYER_CRYPTO, (c))

/* A short English description of rc, e.g. "hw: address out of range". */
const char *swsev_strerror(swsev_rc rc);

#endif
