/* SPDX-License-Identifier: MIT */
/*
 * swsev/abi/snp_cmd.h - the SEV-SNP firmware ABI (pub. 56860) as the
 * firmware reads it: command IDs, command buffers, the guest-message
 * header and payloads, the secrets page and the ID block / ID auth page
 * (sev-reference 3, docs/research/snp-fw-behaviour.md). Debian 12's
 * <linux/psp-sev.h> (Linux 6.1) predates SNP, so the platform status is
 * defined here with the layout of later kernels' sev_user_data_snp_status.
 */
#ifndef SWSEV_ABI_SNP_CMD_H
#define SWSEV_ABI_SNP_CMD_H

#include <stddef.h>
#include <stdint.h>

enum snp_cmd_id {
    SNP_CMD_INIT = 0x081,
    SNP_CMD_SHUTDOWN = 0x082,
    SNP_CMD_PLATFORM_STATUS = 0x083,
    SNP_CMD_DF_FLUSH = 0x084,
    SNP_CMD_INIT_EX = 0x085,
    SNP_CMD_SHUTDOWN_EX = 0x086,
    SNP_CMD_DECOMMISSION = 0x090,
    SNP_CMD_ACTIVATE = 0x091,
    SNP_CMD_GUEST_STATUS = 0x092,
    SNP_CMD_GCTX_CREATE = 0x093,
    SNP_CMD_GUEST_REQUEST = 0x094,
    SNP_CMD_ACTIVATE_EX = 0x095,
    SNP_CMD_LAUNCH_START = 0x0A0,
    SNP_CMD_LAUNCH_UPDATE = 0x0A1,
    SNP_CMD_LAUNCH_FINISH = 0x0A2,
    SNP_CMD_DBG_DECRYPT = 0x0B0,
    SNP_CMD_DBG_ENCRYPT = 0x0B1,
    SNP_CMD_PAGE_SWAP_OUT = 0x0C0,
    SNP_CMD_PAGE_SWAP_IN = 0x0C1,
    SNP_CMD_PAGE_MOVE = 0x0C2,
    SNP_CMD_PAGE_MD_INIT = 0x0C3,
    SNP_CMD_PAGE_SET_STATE = 0x0C6,
    SNP_CMD_PAGE_RECLAIM = 0x0C7,
    SNP_CMD_PAGE_UNSMASH = 0x0C8,
    SNP_CMD_CONFIG = 0x0C9,
    SNP_CMD_DOWNLOAD_FIRMWARE_EX = 0x0CA,
    SNP_CMD_COMMIT = 0x0CB,
    SNP_CMD_VLEK_LOAD = 0x0CD,
    SNP_CMD_FEATURE_INFO = 0x0CE,
};

enum snp_platform_state { SNP_STATE_UNINIT = 0, SNP_STATE_INIT = 1 };
enum snp_guest_state { SNP_GSTATE_INIT = 0, SNP_GSTATE_LAUNCH = 1, SNP_GSTATE_RUNNING = 2 };

/* Guest policy (sev-reference 3.3). This firmware (Genoa 1.55) reserves
 * bits 21-63. */
#define SNP_POLICY_ABI_MINOR(p)  ((uint8_t)(p))
#define SNP_POLICY_ABI_MAJOR(p)  ((uint8_t)((p) >> 8))
#define SNP_POLICY_SMT           (1ull << 16)
#define SNP_POLICY_RSVD_MBO      (1ull << 17)
#define SNP_POLICY_MIGRATE_MA    (1ull << 18)
#define SNP_POLICY_DEBUG         (1ull << 19)
#define SNP_POLICY_SINGLE_SOCKET (1ull << 20)
#define SNP_POLICY_RESERVED      (~0ull << 21)

struct snp_platform_status {
    uint8_t api_major;
    uint8_t api_minor;
    uint8_t state;
    uint8_t is_rmp_initialized; /* bit 0 */
    uint32_t build_id;
    uint32_t flags; /* bit 0 MASK_CHIP_ID, 1 MASK_CHIP_KEY, 2 VLEK_EN, 3 FEATURE_INFO */
    uint32_t guest_count;
    uint64_t current_tcb_version;
    uint64_t reported_tcb_version;
} __attribute__((packed));
_Static_assert(sizeof(struct snp_platform_status) == 0x20, "SNP_PLATFORM_STATUS output");

struct snp_fw_init_ex {
    uint32_t flags; /* bit 0 INIT_RMP, bit 1 LIST_PADDR_EN */
    uint32_t rsvd;
    uint64_t list_paddr;
    uint16_t max_snp_asid;
    uint8_t rsvd1[46];
} __attribute__((packed));
_Static_assert(sizeof(struct snp_fw_init_ex) == 0x40, "SNP_INIT_EX buffer");

struct snp_fw_shutdown_ex {
    uint32_t len;
    uint32_t flags; /* bit 0 IOMMU_SNP_SHUTDOWN, bit 1 X86_SNP_SHUTDOWN */
} __attribute__((packed));

struct snp_fw_addr {
    uint64_t
        paddr; /* PLATFORM_STATUS status page, GCTX for CREATE/DECOMMISSION, page for RECLAIM */
} __attribute__((packed));

struct snp_fw_activate {
    uint64_t gctx_paddr;
    uint32_t asid;
} __attribute__((packed));

struct snp_fw_guest_status {
    uint64_t gctx_paddr;
    uint64_t status_paddr;
} __attribute__((packed));

struct snp_guest_status_out {
    uint64_t policy;
    uint32_t asid;
    uint8_t state;
    uint8_t rsvd[3];
    uint32_t vcek_dis; /* bit 0 */
    uint32_t rsvd1;
    uint64_t rsvd2;
} __attribute__((packed));
_Static_assert(sizeof(struct snp_guest_status_out) == 0x20, "guest status page");

struct snp_fw_guest_request {
    uint64_t gctx_paddr;
    uint64_t req_paddr;
    uint64_t resp_paddr;
} __attribute__((packed));

struct snp_fw_launch_start {
    uint64_t gctx_paddr;
    uint64_t policy;
    uint64_t ma_gctx_paddr;
    uint32_t flags; /* bit 0 MA_EN, bit 1 IMI_EN */
    uint32_t desired_tsc_khz;
    uint8_t gosvw[16];
} __attribute__((packed));
_Static_assert(sizeof(struct snp_fw_launch_start) == 0x30, "SNP_LAUNCH_START buffer");

struct snp_fw_launch_update {
    uint64_t gctx_paddr;
    uint32_t flags; /* bit 0 PAGE_SIZE, [3:1] PAGE_TYPE, bit 4 IMI_PAGE */
    uint32_t rsvd;
    uint64_t page_paddr;
    uint32_t perms; /* [15:8] VMPL1, [23:16] VMPL2, [31:24] VMPL3 */
    uint32_t rsvd1;
} __attribute__((packed));
_Static_assert(sizeof(struct snp_fw_launch_update) == 0x20, "SNP_LAUNCH_UPDATE buffer");

struct snp_fw_launch_finish {
    uint64_t gctx_paddr;
    uint64_t id_block_paddr;
    uint64_t id_auth_paddr;
    uint64_t flags; /* bit 0 ID_BLOCK_EN, bit 1 AUTH_KEY_EN, bit 2 VCEK_DIS */
    uint8_t host_data[32];
} __attribute__((packed));
_Static_assert(sizeof(struct snp_fw_launch_finish) == 0x40, "SNP_LAUNCH_FINISH buffer");

struct snp_fw_dbg {
    uint64_t gctx_paddr;
    uint64_t src_paddr;
    uint64_t dst_paddr;
} __attribute__((packed));

struct snp_fw_config {
    uint64_t reported_tcb;
    uint32_t flags; /* bit 0 MASK_CHIP_ID, bit 1 MASK_CHIP_KEY */
    uint8_t rsvd[52];
} __attribute__((packed));
_Static_assert(sizeof(struct snp_fw_config) == 0x40, "SNP_CONFIG buffer");

struct snp_fw_len {
    uint32_t len;
} __attribute__((packed));

/* ---- guest messages (SNP_GUEST_REQUEST pages) ---- */

enum snp_msg_type {
    SNP_MSG_CPUID_REQ = 1,
    SNP_MSG_KEY_REQ = 3,
    SNP_MSG_KEY_RSP = 4,
    SNP_MSG_REPORT_REQ = 5,
    SNP_MSG_REPORT_RSP = 6,
    SNP_MSG_EXPORT_REQ = 7,
    SNP_MSG_IMPORT_REQ = 9,
    SNP_MSG_ABSORB_REQ = 11,
    SNP_MSG_VMRK_REQ = 13,
    SNP_MSG_ABSORB_NOMA_REQ = 15,
    SNP_MSG_TSC_INFO_REQ = 17,
    SNP_MSG_TSC_INFO_RSP = 18,
};

struct snp_msg_hdr {
    uint8_t authtag[32];
    uint64_t msg_seqno;
    uint8_t rsvd1[8];
    uint8_t algo; /* 1: AES-256-GCM */
    uint8_t hdr_version;
    uint16_t hdr_size;
    uint8_t msg_type;
    uint8_t msg_version;
    uint16_t msg_size;
    uint32_t rsvd2;
    uint8_t msg_vmpck;
    uint8_t rsvd3[35];
} __attribute__((packed));
_Static_assert(sizeof(struct snp_msg_hdr) == 0x60, "guest message header");
#define SNP_MSG_AAD_OFFSET 0x30
#define SNP_MSG_AAD_LEN    0x30

struct snp_msg_report_req {
    uint8_t report_data[64];
    uint32_t vmpl;
    uint32_t key_sel; /* [1:0] */
    uint8_t rsvd[24];
} __attribute__((packed));
_Static_assert(sizeof(struct snp_msg_report_req) == 0x60, "MSG_REPORT_REQ");

struct snp_msg_report_rsp_hdr {
    uint32_t status;
    uint32_t report_size;
    uint8_t rsvd[24];
} __attribute__((packed));
#define SNP_REPORT_RSP_SIZE 0x4C0

struct snp_msg_key_req {
    uint32_t flags; /* bit 0 ROOT_KEY_SELECT, [2:1] KEY_SEL */
    uint32_t rsvd;
    uint64_t guest_field_select;
    uint32_t vmpl;
    uint32_t guest_svn;
    uint64_t tcb_version;
} __attribute__((packed));
_Static_assert(sizeof(struct snp_msg_key_req) == 0x20, "MSG_KEY_REQ");

struct snp_msg_key_rsp {
    uint32_t status;
    uint8_t rsvd[28];
    uint8_t key[32];
} __attribute__((packed));
_Static_assert(sizeof(struct snp_msg_key_rsp) == 0x40, "MSG_KEY_RSP");

#define SNP_GFS_POLICY      (1ull << 0)
#define SNP_GFS_IMAGE_ID    (1ull << 1)
#define SNP_GFS_FAMILY_ID   (1ull << 2)
#define SNP_GFS_MEASUREMENT (1ull << 3)
#define SNP_GFS_GUEST_SVN   (1ull << 4)
#define SNP_GFS_TCB_VERSION (1ull << 5)

/* The key-derivation mix-in (AMD's firmware, 0xA8 bytes). */
struct snp_key_mix {
    uint32_t sel; /* bit 0 ROOT_KEY_SELECT, [2:1] 2 author key, 1 ID key, 0 none */
    uint32_t rsvd;
    uint64_t gfs;
    uint32_t vmpl;
    uint32_t guest_svn;
    uint64_t tcb_version;
    uint64_t policy;
    uint8_t image_id[16];
    uint8_t family_id[16];
    uint8_t measurement[32];
    uint8_t host_data[32];
    uint8_t key_digest[32];
} __attribute__((packed));
_Static_assert(sizeof(struct snp_key_mix) == 0xA8, "key mix-in");

/* ---- the secrets page the firmware writes (sev-reference 3.6) ---- */
struct snp_secrets_page {
    uint32_t version;
    uint32_t imi_en;
    uint32_t fms;
    uint32_t rsvd;
    uint8_t gosvw[16];
    uint8_t vmpck[4][32];
    uint8_t os_area[96];
    uint8_t vmsa_tweak_bitmap[64];
    uint8_t svsm_area[32];
    uint32_t tsc_factor;
    uint8_t rsvd2[3740];
} __attribute__((packed));
_Static_assert(sizeof(struct snp_secrets_page) == 4096, "secrets page");
_Static_assert(offsetof(struct snp_secrets_page, vmpck) == 0x20, "VMPCK0 at 0x20");
_Static_assert(offsetof(struct snp_secrets_page, vmsa_tweak_bitmap) == 0x100, "bitmap at 0x100");
_Static_assert(offsetof(struct snp_secrets_page, tsc_factor) == 0x160, "TSC_FACTOR at 0x160");

/* ---- ID block and ID auth page (sev-reference 3.8) ---- */
struct snp_id_block {
    uint8_t ld[48];
    uint8_t family_id[16];
    uint8_t image_id[16];
    uint32_t version;
    uint32_t guest_svn;
    uint64_t policy;
} __attribute__((packed));
_Static_assert(sizeof(struct snp_id_block) == 0x60, "ID block");

struct snp_ecdsa_sig {
    uint8_t r[72], s[72];
    uint8_t rsvd[368];
} __attribute__((packed));

struct snp_ecdsa_pubkey {
    uint32_t curve; /* 2: P-384 */
    uint8_t qx[72], qy[72];
    uint8_t rsvd[880];
} __attribute__((packed));
_Static_assert(sizeof(struct snp_ecdsa_pubkey) == 0x404, "ID key");

struct snp_id_auth {
    uint32_t id_key_algo; /* 1: ECDSA P-384 with SHA-384 */
    uint32_t auth_key_algo;
    uint8_t rsvd[56];
    struct snp_ecdsa_sig id_block_sig;
    struct snp_ecdsa_pubkey id_key;
    uint8_t rsvd1[60];
    struct snp_ecdsa_sig id_key_sig;
    struct snp_ecdsa_pubkey author_key;
    uint8_t rsvd2[892];
} __attribute__((packed));
_Static_assert(sizeof(struct snp_id_auth) == 0x1000, "ID auth page");
_Static_assert(offsetof(struct snp_id_auth, id_key) == 0x240, "ID_KEY at 0x240");
_Static_assert(offsetof(struct snp_id_auth, id_key_sig) == 0x680, "ID_KEY_SIG at 0x680");
_Static_assert(offsetof(struct snp_id_auth, author_key) == 0x880, "AUTHOR_KEY at 0x880");

#endif
