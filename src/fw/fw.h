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

/* An SNP guest: what the firmware keeps in the guest context page. The
 * page itself (an RMP Context page) is the guest's name; the model keeps
 * the contents here, indexed by the page's address. */
struct fw_snp_guest {
    uint64_t gctx_pa; /* 0 = free slot */
    uint8_t state;    /* enum snp_guest_state */
    uint64_t policy;
    uint32_t asid;
    bool active, imi_en;
    uint8_t vek[16];
    uint8_t vmpck[4][32];
    uint64_t msg_count[4]; /* even: messages both ways per VMPCK */
    uint8_t vmrk[32];
    uint8_t measurement[48];
    uint8_t host_data[32];
    uint8_t gosvw[16];
    uint32_t desired_tsc_khz; /* LAUNCH_START (Secure TSC) */
    uint64_t ma_gctx_pa;      /* the migration agent's context, 0 = none */
    uint8_t imd[48];          /* IMI launch digest (pages with IMI_PAGE) */
    uint8_t report_id[32], report_id_ma[32];
    uint64_t launch_tcb;
    bool id_block_en, author_key_en, vcek_dis;
    uint8_t family_id[16], image_id[16];
    uint32_t guest_svn;
    uint8_t id_key_digest[48], author_key_digest[48];
    /* Page swap (fw/snp_pages.c): the offline encryption key, drawn at the
     * guest's first swap; the counter that gives each swapped page its
     * AES-GCM IV; the root metadata entry (ROOT_MDATA_EN). */
    bool oek_valid;
    uint8_t oek[32];
    uint64_t oek_iv_count;
    uint8_t root_md_entry[64];
};

#define FW_SNP_MAX_GUESTS 256
#define FW_SNP_HANDLE     0x80000000u /* marks an ASID as bound to an SNP guest */

struct fw_snp {
    uint8_t state; /* enum snp_platform_state */
    bool rmp_initialized;
    uint64_t committed_tcb, config_tcb; /* config_tcb 0: report the committed TCB */
    bool mask_chip_id, mask_chip_key;
    uint8_t vcek_hash[48]; /* hash stick of the reported TCB */
    EVP_PKEY *vcek;
    bool vlek_loaded;
    uint8_t vlek_seed[48];
    EVP_PKEY *vlek;
    uint32_t guest_count;
    struct fw_snp_guest *guests; /* FW_SNP_MAX_GUESTS slots */
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

    struct fw_snp snp;

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

/* ---- SNP (fw/snp_*.c) ---- */
/* RMP page states as AMD's firmware classifies entries (first match). */
enum fw_page_state {
    FW_PS_INVALID = 0,
    FW_PS_DEFAULT, /* beyond the RMP: no entry */
    FW_PS_HYPERVISOR,
    FW_PS_HV_FIXED,
    FW_PS_FIRMWARE,
    FW_PS_RECLAIM,
    FW_PS_CONTEXT,
    FW_PS_PRE_GUEST,
    FW_PS_PRE_SWAP,
    FW_PS_GUEST_INVALID,
    FW_PS_GUEST_VALID,
    FW_PS_METADATA, /* a swap metadata page: firmware, tagged in RMP.GPA (fw/snp_pages.c) */
};
/* Classify the page at spa; INVALID_PARAM for a page of the RMP itself. */
uint16_t fw_snp_page_state(struct sev_fw *fw, uint64_t spa, enum fw_page_state *ps,
                           struct rmp_entry *e);
uint16_t fw_snp_rmp_write(struct sev_fw *fw, uint64_t spa, struct rmp_entry *e);
/* The guest whose context page is gctx_pa (must be an RMP Context page). */
uint16_t fw_snp_guest_get(struct sev_fw *fw, uint64_t gctx_pa, struct fw_snp_guest **g);
uint64_t fw_snp_reported_tcb(const struct sev_fw *fw);
/* Derive the VCEK for the reported TCB (SNP_INIT, SNP_CONFIG, SNP_COMMIT). */
uint16_t fw_snp_derive_vcek(struct sev_fw *fw);

/* ---- randomness ---- */
uint16_t fw_random(struct sev_fw *fw, void *buf, size_t len);

#endif
