/* SPDX-License-Identifier: MIT */
/*
 * fw/fw.h - the emulated AMD Secure Processor firmware: its state and the
 * pieces its command handlers share. Private to fw/.
 *
 * The firmware is reached only through the PSP mailbox (hw/psp.h): a
 * command ID and the physical address of a command buffer it reads from,
 * and writes results back to, simulated memory. It reaches memory through
 * the memory system's firmware port, like the real SP, and it is the only
 * holder of that port: it alone programs key slots.
 */
#ifndef SWSEV_FW_FW_H
#define SWSEV_FW_FW_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "crypto/digest.h"
#include "hw/memsys_fw.h"
#include "swsev/abi/sev_cmd.h"
#include "swsev/fw.h"
#include "swsev/fw_status.h"

#define SEV_CERT_LEN   0x824
#define FW_CHIP_ID_LEN 64
#define FW_MAX_GUESTS  1024

struct fw_guest {
    uint32_t handle; /* 0 = free slot */
    uint8_t state;   /* enum sev_guest_state */
    uint32_t policy;
    uint32_t asid; /* bound ASID, 0 = none */
    bool active;   /* key loaded in the memory controller */
    bool es;
    uint32_t key_owner; /* handle whose VEK this guest shares, 0 = its own */
    uint8_t vek[16];
    uint8_t tek[16], tik[16];
    struct crypto_digest digest; /* running launch digest (SHA-256) */
    uint8_t measure[32];         /* last LAUNCH_MEASURE, for LAUNCH_SECRET */
    uint8_t launch_digest[32];   /* final digest, fixed at LAUNCH_MEASURE */
    bool measured;
    uint32_t vmsa_count;
    uint8_t prev_state; /* state before SEND_START, for SEND_CANCEL */
};

struct fw_asid {
    uint32_t handle; /* guest bound to the ASID, 0 = free */
    bool dirty;      /* deactivated, not flushed yet */
};

struct sev_fw {
    struct fw_params params;
    struct memsys_fw_port *port;
    struct memsys *ms;
    struct crypto_drbg *rng;
    struct fw_nv_ops nv;

    /* Chip identity: fused secret and what derives from it. */
    uint8_t chip_secret[32];
    uint8_t chip_id[FW_CHIP_ID_LEN];
    EVP_PKEY *cek;
    uint8_t cek_cert[SEV_CERT_LEN];
    bool cek_cert_valid;
    uint8_t trusted_ark_sha256[32];
    bool has_trusted_ark;

    /* Platform state (the SEV API's state machine). */
    uint8_t state; /* enum sev_platform_state */
    bool es_init;
    uint64_t tmr_paddr;
    uint32_t tmr_len;
    uint64_t nv_paddr; /* INIT_EX non-volatile buffer, 0 with INIT */
    uint32_t nv_len;

    /* Non-volatile owner state. */
    bool owner_external;
    EVP_PKEY *oca, *pek, *pdh;
    uint8_t oca_cert[SEV_CERT_LEN], pek_cert[SEV_CERT_LEN], pdh_cert[SEV_CERT_LEN];
    bool keys_valid; /* OCA/PEK/PDH exist */

    /* Guests and ASIDs. */
    struct fw_guest *guests; /* FW_MAX_GUESTS slots */
    uint32_t guest_count;
    uint32_t next_handle;
    struct fw_asid *asids; /* nr_asids + 1 */
    uint32_t nr_asids, min_sev_asid;
    uint64_t *wbinvd_at_deactivate; /* per core: WBINVD count at the last DEACTIVATE */
    unsigned nr_cores;

    uint64_t commands;
};

/* A command handler gets the command buffer (already read from memory) and
 * says whether the buffer must be written back. */
struct fw_call {
    void *buf;
    uint32_t len;
    bool writeback;
};

typedef uint16_t (*fw_handler)(struct sev_fw *fw, struct fw_call *call);

/* ---- memory access by the firmware (fw/mem.c) ---- */
/* Addresses given by the host may carry the C-bit: the SP then accesses the
 * memory with the host's SME key, as Linux's __psp_pa() expects. Returns
 * SEV_STATUS_INVALID_ADDRESS for addresses outside DRAM. */
uint16_t fw_mem_read(struct sev_fw *fw, uint64_t paddr, void *buf, size_t len);
uint16_t fw_mem_write(struct sev_fw *fw, uint64_t paddr, const void *buf, size_t len);
/* Guest memory under the guest's key: paddr may carry the C-bit, which is
 * stripped (the guest key is used regardless). */
uint16_t fw_guest_mem_read(struct sev_fw *fw, uint32_t asid, uint64_t paddr, void *buf, size_t len);
uint16_t fw_guest_mem_write(struct sev_fw *fw, uint32_t asid, uint64_t paddr, const void *buf,
                            size_t len);
/* Whether [paddr, paddr+len) lies in DRAM (C-bit stripped). */
bool fw_mem_valid(struct sev_fw *fw, uint64_t paddr, uint64_t len);
uint64_t fw_strip_cbit(struct sev_fw *fw, uint64_t paddr);

/* ---- guests (fw/guest.c) ---- */
struct fw_guest *fw_guest_find(struct sev_fw *fw, uint32_t handle);
struct fw_guest *fw_guest_alloc(struct sev_fw *fw);
void fw_guest_free(struct sev_fw *fw, struct fw_guest *g);
/* Update the platform state after the guest count changed. */
void fw_platform_update_state(struct sev_fw *fw);

/* ---- ASIDs (fw/asid.c) ---- */
uint16_t fw_activate(struct sev_fw *fw, struct fw_guest *g, uint32_t asid);
void fw_deactivate(struct sev_fw *fw, struct fw_guest *g);
uint16_t fw_df_flush(struct sev_fw *fw);

/* ---- randomness ---- */
uint16_t fw_random(struct sev_fw *fw, void *buf, size_t len);

#endif
