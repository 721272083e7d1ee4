/* SPDX-License-Identifier: MIT */
/*
 * swsev/abi/sev_cmd.h - the legacy SEV firmware API (AMD pub. 55766):
 * command IDs and the command-buffer layouts the Secure Processor reads from
 * memory. The Linux uapi (<linux/psp-sev.h>) defines only the /dev/sev user
 * shapes, so the firmware view is defined here, once, checked by
 * _Static_assert. Offsets and sizes: sev-reference section 1.7.
 */
#ifndef SWSEV_ABI_SEV_CMD_H
#define SWSEV_ABI_SEV_CMD_H

#include <stddef.h>
#include <stdint.h>

enum sev_fw_cmd {
    SEV_CMD_INIT = 0x001,
    SEV_CMD_SHUTDOWN = 0x002,
    SEV_CMD_PLATFORM_RESET = 0x003,
    SEV_CMD_PLATFORM_STATUS = 0x004,
    SEV_CMD_PEK_GEN = 0x005,
    SEV_CMD_PEK_CSR = 0x006,
    SEV_CMD_PEK_CERT_IMPORT = 0x007,
    SEV_CMD_PDH_CERT_EXPORT = 0x008,
    SEV_CMD_PDH_GEN = 0x009,
    SEV_CMD_DF_FLUSH = 0x00A,
    SEV_CMD_DOWNLOAD_FIRMWARE = 0x00B,
    SEV_CMD_GET_ID = 0x00C,
    SEV_CMD_INIT_EX = 0x00D,
    SEV_CMD_NOP = 0x00E,
    SEV_CMD_RING_BUFFER = 0x00F,
    SEV_CMD_DECOMMISSION = 0x020,
    SEV_CMD_ACTIVATE = 0x021,
    SEV_CMD_DEACTIVATE = 0x022,
    SEV_CMD_GUEST_STATUS = 0x023,
    SEV_CMD_COPY = 0x024,
    SEV_CMD_ACTIVATE_EX = 0x025,
    SEV_CMD_LAUNCH_START = 0x030,
    SEV_CMD_LAUNCH_UPDATE_DATA = 0x031,
    SEV_CMD_LAUNCH_UPDATE_VMSA = 0x032,
    SEV_CMD_LAUNCH_MEASURE = 0x033,
    SEV_CMD_LAUNCH_UPDATE_SECRET = 0x034,
    SEV_CMD_LAUNCH_FINISH = 0x035,
    SEV_CMD_ATTESTATION_REPORT = 0x036,
    SEV_CMD_SEND_START = 0x040,
    SEV_CMD_SEND_UPDATE_DATA = 0x041,
    SEV_CMD_SEND_UPDATE_VMSA = 0x042,
    SEV_CMD_SEND_FINISH = 0x043,
    SEV_CMD_SEND_CANCEL = 0x044,
    SEV_CMD_RECEIVE_START = 0x050,
    SEV_CMD_RECEIVE_UPDATE_DATA = 0x051,
    SEV_CMD_RECEIVE_UPDATE_VMSA = 0x052,
    SEV_CMD_RECEIVE_FINISH = 0x053,
    SEV_CMD_DBG_DECRYPT = 0x060,
    SEV_CMD_DBG_ENCRYPT = 0x061,
    SEV_CMD_SWAP_OUT = 0x070,
    SEV_CMD_SWAP_IN = 0x071,
};

/* Platform states (PLATFORM_STATUS.state). */
enum sev_platform_state { SEV_STATE_UNINIT = 0, SEV_STATE_INIT = 1, SEV_STATE_WORKING = 2 };

/* Guest states (GUEST_STATUS.state). */
enum sev_guest_state {
    SEV_GSTATE_UNINIT = 0,
    SEV_GSTATE_LUPDATE = 1,
    SEV_GSTATE_LSECRET = 2,
    SEV_GSTATE_RUNNING = 3,
    SEV_GSTATE_SUPDATE = 4,
    SEV_GSTATE_RUPDATE = 5,
    SEV_GSTATE_SENT = 6,
};

/* Guest policy bits (32-bit). */
#define SEV_POLICY_NODBG        (1u << 0)
#define SEV_POLICY_NOKS         (1u << 1)
#define SEV_POLICY_ES           (1u << 2)
#define SEV_POLICY_NOSEND       (1u << 3)
#define SEV_POLICY_DOMAIN       (1u << 4)
#define SEV_POLICY_SEV          (1u << 5)
#define SEV_POLICY_RSVD_MASK    0x0000FFC0u
#define SEV_POLICY_API_MAJOR(p) (((p) >> 16) & 0xffu)
#define SEV_POLICY_API_MINOR(p) (((p) >> 24) & 0xffu)

/* INIT / INIT_EX flags. */
#define SEV_INIT_FLAGS_SEV_ES (1u << 0)

#define SEV_CHECK_SIZE(t, n)   _Static_assert(sizeof(t) == (n), #t " is " #n " bytes")
#define SEV_CHECK_OFF(t, f, n) _Static_assert(offsetof(t, f) == (n), #t "." #f " at " #n)

struct sev_fw_init {
    uint32_t flags;
    uint32_t reserved;
    uint64_t tmr_paddr;
    uint32_t tmr_len;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_init, 0x14);

struct sev_fw_init_ex {
    uint32_t length; /* 0x24 */
    uint32_t flags;
    uint64_t tmr_paddr;
    uint32_t tmr_len;
    uint32_t reserved;
    uint64_t nv_paddr;
    uint32_t nv_len;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_init_ex, 0x24);
SEV_CHECK_OFF(struct sev_fw_init_ex, nv_paddr, 0x18);

struct sev_fw_platform_status {
    uint8_t api_major;
    uint8_t api_minor;
    uint8_t state;
    uint8_t owner;   /* bit 0: externally owned */
    uint16_t config; /* bit 0: SEV-ES initialised */
    uint8_t reserved;
    uint8_t build;
    uint32_t guest_count;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_platform_status, 0x0C);

struct sev_fw_addr_len { /* PEK_CSR, GET_ID, DOWNLOAD_FIRMWARE */
    uint64_t paddr;
    uint32_t len;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_addr_len, 0x0C);

struct sev_fw_pek_cert_import {
    uint64_t pek_paddr;
    uint32_t pek_len;
    uint32_t reserved;
    uint64_t oca_paddr;
    uint32_t oca_len;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_pek_cert_import, 0x1C);

struct sev_fw_pdh_cert_export {
    uint64_t pdh_paddr;
    uint32_t pdh_len;
    uint32_t reserved;
    uint64_t chain_paddr;
    uint32_t chain_len;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_pdh_cert_export, 0x1C);

struct sev_fw_handle { /* DECOMMISSION, DEACTIVATE, LAUNCH_FINISH, SEND_FINISH/CANCEL,
                          RECEIVE_FINISH */
    uint32_t handle;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_handle, 0x04);

struct sev_fw_activate {
    uint32_t handle;
    uint32_t asid;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_activate, 0x08);

struct sev_fw_activate_ex {
    uint32_t ex_len; /* 0x18 */
    uint32_t handle;
    uint32_t asid;
    uint32_t num_ids;
    uint64_t ids_paddr;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_activate_ex, 0x18);

struct sev_fw_guest_status {
    uint32_t handle;
    uint32_t policy;
    uint32_t asid;
    uint8_t state;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_guest_status, 0x0D);

struct sev_fw_copy {
    uint32_t handle;
    uint32_t length;
    uint64_t src_paddr;
    uint64_t dst_paddr;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_copy, 0x18);

struct sev_fw_launch_start {
    uint32_t handle;
    uint32_t policy;
    uint64_t dh_cert_paddr;
    uint32_t dh_cert_len;
    uint32_t reserved;
    uint64_t session_paddr;
    uint32_t session_len;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_launch_start, 0x24);
SEV_CHECK_OFF(struct sev_fw_launch_start, session_paddr, 0x18);

struct sev_fw_launch_update { /* LAUNCH_UPDATE_DATA, LAUNCH_UPDATE_VMSA, LAUNCH_MEASURE */
    uint32_t handle;
    uint32_t reserved;
    uint64_t paddr;
    uint32_t len;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_launch_update, 0x14);

struct sev_fw_packet { /* LAUNCH_SECRET, SEND/RECEIVE_UPDATE_DATA/_VMSA */
    uint32_t handle;
    uint32_t reserved;
    uint64_t hdr_paddr;
    uint32_t hdr_len;
    uint32_t reserved2;
    uint64_t guest_paddr;
    uint32_t guest_len;
    uint32_t reserved3;
    uint64_t trans_paddr;
    uint32_t trans_len;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_packet, 0x34);
SEV_CHECK_OFF(struct sev_fw_packet, guest_paddr, 0x18);
SEV_CHECK_OFF(struct sev_fw_packet, trans_paddr, 0x28);

struct sev_fw_attestation {
    uint32_t handle;
    uint32_t reserved;
    uint64_t paddr;
    uint8_t mnonce[16];
    uint32_t len;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_attestation, 0x24);

struct sev_fw_send_start {
    uint32_t handle;
    uint32_t policy;
    uint64_t pdh_cert_paddr;
    uint32_t pdh_cert_len;
    uint32_t reserved;
    uint64_t plat_certs_paddr;
    uint32_t plat_certs_len;
    uint32_t reserved2;
    uint64_t amd_certs_paddr;
    uint32_t amd_certs_len;
    uint32_t reserved3;
    uint64_t session_paddr;
    uint32_t session_len;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_send_start, 0x44);
SEV_CHECK_OFF(struct sev_fw_send_start, amd_certs_paddr, 0x28);
SEV_CHECK_OFF(struct sev_fw_send_start, session_paddr, 0x38);

struct sev_fw_receive_start {
    uint32_t handle;
    uint32_t policy;
    uint64_t pdh_cert_paddr;
    uint32_t pdh_cert_len;
    uint32_t reserved;
    uint64_t session_paddr;
    uint32_t session_len;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_receive_start, 0x24);

struct sev_fw_dbg {
    uint32_t handle;
    uint32_t reserved;
    uint64_t src_paddr;
    uint64_t dst_paddr;
    uint32_t len;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_dbg, 0x1C);

struct sev_fw_swap_out {
    uint32_t handle;
    uint32_t flags; /* bit 0 page size, bits 2:1 page type */
    uint64_t src_paddr;
    uint64_t dst_paddr;
    uint64_t mdata_paddr;
    uint64_t software_data;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_swap_out, 0x28);

struct sev_fw_swap_in {
    uint32_t handle;
    uint32_t flags; /* bit 0 page size, bits 2:1 page type, bit 3 swap in place */
    uint64_t src_paddr;
    uint64_t dst_paddr;
    uint64_t mdata_paddr;
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_fw_swap_in, 0x20);

/* Legacy ATTESTATION report (0xD0 bytes, sev-reference 2.9). */
struct sev_attestation_report {
    uint8_t mnonce[16];
    uint8_t launch_digest[32];
    uint32_t policy;
    uint32_t sig_usage;
    uint32_t sig_algo;
    uint32_t reserved;
    uint8_t sig_r[72];
    uint8_t sig_s[72];
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_attestation_report, 0xD0);
SEV_CHECK_OFF(struct sev_attestation_report, sig_r, 0x40);

/* LAUNCH_MEASURE output. */
struct sev_launch_measure_blob {
    uint8_t measure[32];
    uint8_t mnonce[16];
} __attribute__((packed));
SEV_CHECK_SIZE(struct sev_launch_measure_blob, 0x30);

#endif
