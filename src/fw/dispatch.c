/* SPDX-License-Identifier: MIT */
/*
 * The command layer: one table says, for every command, its handler, the
 * size of its command buffer and the platform states it is legal in. The
 * dispatcher checks the state, reads the buffer from memory, runs the
 * handler and writes the buffer back when the handler produced output.
 */
#include <string.h>

#include "fw/fw.h"
#include "fw/handlers.h"
#include "swsev/abi/snp_cmd.h"

#define S_UNINIT  (1u << SEV_STATE_UNINIT)
#define S_INIT    (1u << SEV_STATE_INIT)
#define S_WORKING (1u << SEV_STATE_WORKING)
#define S_ANY     (S_UNINIT | S_INIT | S_WORKING)
#define S_UP      (S_INIT | S_WORKING)

struct fw_cmd_desc {
    uint32_t id;
    const char *name;
    uint16_t buf_len; /* 0: the command takes no buffer */
    uint8_t states;   /* legal platform states */
    fw_handler fn;
};

static const struct fw_cmd_desc commands[] = {
    {SEV_CMD_INIT, "INIT", sizeof(struct sev_fw_init), S_UNINIT, fw_cmd_init},
    {SEV_CMD_SHUTDOWN, "SHUTDOWN", 0, S_ANY, fw_cmd_shutdown},
    {SEV_CMD_PLATFORM_RESET, "PLATFORM_RESET", 0, S_UNINIT, fw_cmd_platform_reset},
    {SEV_CMD_PLATFORM_STATUS, "PLATFORM_STATUS", sizeof(struct sev_fw_platform_status), S_ANY,
     fw_cmd_platform_status},
    {SEV_CMD_PEK_GEN, "PEK_GEN", 0, S_INIT, fw_cmd_pek_gen},
    {SEV_CMD_PEK_CSR, "PEK_CSR", sizeof(struct sev_fw_addr_len), S_UP, fw_cmd_pek_csr},
    {SEV_CMD_PEK_CERT_IMPORT, "PEK_CERT_IMPORT", sizeof(struct sev_fw_pek_cert_import), S_INIT,
     fw_cmd_pek_cert_import},
    {SEV_CMD_PDH_CERT_EXPORT, "PDH_CERT_EXPORT", sizeof(struct sev_fw_pdh_cert_export), S_UP,
     fw_cmd_pdh_cert_export},
    {SEV_CMD_PDH_GEN, "PDH_GEN", 0, S_UP, fw_cmd_pdh_gen},
    {SEV_CMD_DF_FLUSH, "DF_FLUSH", 0, S_ANY, fw_cmd_df_flush},
    {SEV_CMD_GET_ID, "GET_ID", sizeof(struct sev_fw_addr_len), S_ANY, fw_cmd_get_id},
    {SEV_CMD_INIT_EX, "INIT_EX", sizeof(struct sev_fw_init_ex), S_UNINIT, fw_cmd_init_ex},
    {SEV_CMD_NOP, "NOP", 0, S_ANY, fw_cmd_nop},
    {SEV_CMD_DECOMMISSION, "DECOMMISSION", sizeof(struct sev_fw_handle), S_UP, fw_cmd_decommission},
    {SEV_CMD_ACTIVATE, "ACTIVATE", sizeof(struct sev_fw_activate), S_UP, fw_cmd_activate},
    {SEV_CMD_DEACTIVATE, "DEACTIVATE", sizeof(struct sev_fw_handle), S_UP, fw_cmd_deactivate},
    {SEV_CMD_GUEST_STATUS, "GUEST_STATUS", sizeof(struct sev_fw_guest_status), S_UP,
     fw_cmd_guest_status},
    {SEV_CMD_COPY, "COPY", sizeof(struct sev_fw_copy), S_UP, fw_cmd_copy},
    {SEV_CMD_ACTIVATE_EX, "ACTIVATE_EX", sizeof(struct sev_fw_activate_ex), S_UP,
     fw_cmd_activate_ex},
    {SEV_CMD_LAUNCH_START, "LAUNCH_START", sizeof(struct sev_fw_launch_start), S_UP,
     fw_cmd_launch_start},
    {SEV_CMD_LAUNCH_UPDATE_DATA, "LAUNCH_UPDATE_DATA", sizeof(struct sev_fw_launch_update), S_UP,
     fw_cmd_launch_update_data},
    {SEV_CMD_LAUNCH_UPDATE_VMSA, "LAUNCH_UPDATE_VMSA", sizeof(struct sev_fw_launch_update), S_UP,
     fw_cmd_launch_update_vmsa},
    {SEV_CMD_LAUNCH_MEASURE, "LAUNCH_MEASURE", sizeof(struct sev_fw_launch_update), S_UP,
     fw_cmd_launch_measure},
    {SEV_CMD_LAUNCH_UPDATE_SECRET, "LAUNCH_SECRET", sizeof(struct sev_fw_packet), S_UP,
     fw_cmd_launch_secret},
    {SEV_CMD_LAUNCH_FINISH, "LAUNCH_FINISH", sizeof(struct sev_fw_handle), S_UP,
     fw_cmd_launch_finish},
    {SEV_CMD_ATTESTATION_REPORT, "ATTESTATION", sizeof(struct sev_fw_attestation), S_UP,
     fw_cmd_attestation},
    {SEV_CMD_SEND_START, "SEND_START", sizeof(struct sev_fw_send_start), S_UP, fw_cmd_send_start},
    {SEV_CMD_SEND_UPDATE_DATA, "SEND_UPDATE_DATA", sizeof(struct sev_fw_packet), S_UP,
     fw_cmd_send_update_data},
    {SEV_CMD_SEND_UPDATE_VMSA, "SEND_UPDATE_VMSA", sizeof(struct sev_fw_packet), S_UP,
     fw_cmd_send_update_vmsa},
    {SEV_CMD_SEND_FINISH, "SEND_FINISH", sizeof(struct sev_fw_handle), S_UP, fw_cmd_send_finish},
    {SEV_CMD_SEND_CANCEL, "SEND_CANCEL", sizeof(struct sev_fw_handle), S_UP, fw_cmd_send_cancel},
    {SEV_CMD_RECEIVE_START, "RECEIVE_START", sizeof(struct sev_fw_receive_start), S_UP,
     fw_cmd_receive_start},
    {SEV_CMD_RECEIVE_UPDATE_DATA, "RECEIVE_UPDATE_DATA", sizeof(struct sev_fw_packet), S_UP,
     fw_cmd_receive_update_data},
    {SEV_CMD_RECEIVE_UPDATE_VMSA, "RECEIVE_UPDATE_VMSA", sizeof(struct sev_fw_packet), S_UP,
     fw_cmd_receive_update_vmsa},
    {SEV_CMD_RECEIVE_FINISH, "RECEIVE_FINISH", sizeof(struct sev_fw_handle), S_UP,
     fw_cmd_receive_finish},
    {SEV_CMD_DBG_DECRYPT, "DBG_DECRYPT", sizeof(struct sev_fw_dbg), S_WORKING, fw_cmd_dbg_decrypt},
    {SEV_CMD_DBG_ENCRYPT, "DBG_ENCRYPT", sizeof(struct sev_fw_dbg), S_WORKING, fw_cmd_dbg_encrypt},
    {SEV_CMD_SWAP_OUT, "SWAP_OUT", sizeof(struct sev_fw_swap_out), S_UP, fw_cmd_swap_out},
    {SEV_CMD_SWAP_IN, "SWAP_IN", sizeof(struct sev_fw_swap_in), S_UP, fw_cmd_swap_in},
    /* SNP: each handler checks the SNP platform state itself, after its
     * reserved fields, as AMD's firmware does; none writes its buffer. */
    {SNP_CMD_INIT, "SNP_INIT", 0, S_ANY, fw_cmd_snp_init},
    {SNP_CMD_SHUTDOWN, "SNP_SHUTDOWN", 0, S_ANY, fw_cmd_snp_shutdown},
    {SNP_CMD_PLATFORM_STATUS, "SNP_PLATFORM_STATUS", sizeof(struct snp_fw_addr), S_ANY,
     fw_cmd_snp_platform_status},
    {SNP_CMD_DF_FLUSH, "SNP_DF_FLUSH", 0, S_ANY, fw_cmd_snp_df_flush},
    {SNP_CMD_INIT_EX, "SNP_INIT_EX", sizeof(struct snp_fw_init_ex), S_ANY, fw_cmd_snp_init_ex},
    {SNP_CMD_SHUTDOWN_EX, "SNP_SHUTDOWN_EX", sizeof(struct snp_fw_shutdown_ex), S_ANY,
     fw_cmd_snp_shutdown_ex},
    {SNP_CMD_DECOMMISSION, "SNP_DECOMMISSION", sizeof(struct snp_fw_addr), S_ANY,
     fw_cmd_snp_decommission},
    {SNP_CMD_ACTIVATE, "SNP_ACTIVATE", sizeof(struct snp_fw_activate), S_ANY, fw_cmd_snp_activate},
    {SNP_CMD_GUEST_STATUS, "SNP_GUEST_STATUS", sizeof(struct snp_fw_guest_status), S_ANY,
     fw_cmd_snp_guest_status},
    {SNP_CMD_GCTX_CREATE, "SNP_GCTX_CREATE", sizeof(struct snp_fw_addr), S_ANY,
     fw_cmd_snp_gctx_create},
    {SNP_CMD_GUEST_REQUEST, "SNP_GUEST_REQUEST", sizeof(struct snp_fw_guest_request), S_ANY,
     fw_cmd_snp_guest_request},
    {SNP_CMD_ACTIVATE_EX, "SNP_ACTIVATE_EX", 0x20, S_ANY, fw_cmd_snp_activate_ex},
    {SNP_CMD_LAUNCH_START, "SNP_LAUNCH_START", sizeof(struct snp_fw_launch_start), S_ANY,
     fw_cmd_snp_launch_start},
    {SNP_CMD_LAUNCH_UPDATE, "SNP_LAUNCH_UPDATE", sizeof(struct snp_fw_launch_update), S_ANY,
     fw_cmd_snp_launch_update},
    {SNP_CMD_LAUNCH_FINISH, "SNP_LAUNCH_FINISH", sizeof(struct snp_fw_launch_finish), S_ANY,
     fw_cmd_snp_launch_finish},
    {SNP_CMD_DBG_DECRYPT, "SNP_DBG_DECRYPT", sizeof(struct snp_fw_dbg), S_ANY,
     fw_cmd_snp_dbg_decrypt},
    {SNP_CMD_DBG_ENCRYPT, "SNP_DBG_ENCRYPT", sizeof(struct snp_fw_dbg), S_ANY,
     fw_cmd_snp_dbg_encrypt},
    {SNP_CMD_PAGE_RECLAIM, "SNP_PAGE_RECLAIM", sizeof(struct snp_fw_addr), S_ANY,
     fw_cmd_snp_page_reclaim},
    {SNP_CMD_CONFIG, "SNP_CONFIG", sizeof(struct snp_fw_config), S_ANY, fw_cmd_snp_config},
    {SNP_CMD_COMMIT, "SNP_COMMIT", sizeof(struct snp_fw_len), S_ANY, fw_cmd_snp_commit},
    {SNP_CMD_VLEK_LOAD, "SNP_VLEK_LOAD", 0x10, S_ANY, fw_cmd_snp_vlek_load},
    {SNP_CMD_PAGE_SWAP_OUT, "SNP_PAGE_SWAP_OUT", 0x30, S_ANY, fw_cmd_snp_page_swap_out},
    {SNP_CMD_PAGE_SWAP_IN, "SNP_PAGE_SWAP_IN", 0x30, S_ANY, fw_cmd_snp_page_swap_in},
    {SNP_CMD_PAGE_MOVE, "SNP_PAGE_MOVE", 0x20, S_ANY, fw_cmd_snp_page_move},
    {SNP_CMD_PAGE_MD_INIT, "SNP_PAGE_MD_INIT", 0x10, S_ANY, fw_cmd_snp_page_md_init},
    {SNP_CMD_PAGE_SET_STATE, "SNP_PAGE_SET_STATE", 0x10, S_ANY, fw_cmd_snp_page_set_state},
    {SNP_CMD_PAGE_UNSMASH, "SNP_PAGE_UNSMASH", 0x08, S_ANY, fw_cmd_snp_page_unsmash},
};

static const struct fw_cmd_desc *find(uint32_t id)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (commands[i].id == id)
            return &commands[i];
    return NULL;
}

const char *fw_command_name(uint32_t id)
{
    const struct fw_cmd_desc *d = find(id);
    return d ? d->name : NULL;
}

uint16_t fw_command(struct sev_fw *fw, uint32_t cmd, uint64_t cmdbuf_pa)
{
    const struct fw_cmd_desc *d = find(cmd);
    fw->commands++;
    if (!d)
        return SEV_STATUS_INVALID_COMMAND;
    if (!(d->states & (1u << fw->state)))
        return SEV_STATUS_INVALID_PLATFORM_STATE;
    uint8_t buf[0x100];
    struct fw_call call = {.buf = buf, .len = d->buf_len, .writeback = false};
    memset(buf, 0, sizeof(buf));
    if (d->buf_len) {
        uint16_t st = fw_mem_read(fw, cmdbuf_pa, buf, d->buf_len);
        if (st)
            return st;
    }
    uint16_t status = d->fn(fw, &call);
    if (call.writeback && d->buf_len) {
        uint16_t st = fw_mem_write(fw, cmdbuf_pa, buf, d->buf_len);
        if (st && status == SEV_STATUS_SUCCESS)
            status = st;
    }
    return status;
}
