/* SPDX-License-Identifier: MIT */
/* fw/handlers.h - one handler per SEV firmware command (see dispatch.c). */
#ifndef SWSEV_FW_HANDLERS_H
#define SWSEV_FW_HANDLERS_H

#include "fw/fw.h"

#define FW_HANDLER(name) uint16_t fw_cmd_##name(struct sev_fw *fw, struct fw_call *c)

/* platform.c */
FW_HANDLER(init);
FW_HANDLER(init_ex);
FW_HANDLER(shutdown);
FW_HANDLER(platform_reset);
FW_HANDLER(platform_status);
FW_HANDLER(get_id);
FW_HANDLER(nop);
/* owner.c */
FW_HANDLER(pek_gen);
FW_HANDLER(pek_csr);
FW_HANDLER(pek_cert_import);
FW_HANDLER(pdh_gen);
FW_HANDLER(pdh_cert_export);
/* asid.c, guest.c */
FW_HANDLER(df_flush);
FW_HANDLER(decommission);
FW_HANDLER(activate);
FW_HANDLER(activate_ex);
FW_HANDLER(deactivate);
FW_HANDLER(guest_status);
/* launch.c */
FW_HANDLER(launch_start);
FW_HANDLER(launch_update_data);
FW_HANDLER(launch_update_vmsa);
FW_HANDLER(launch_measure);
FW_HANDLER(launch_secret);
FW_HANDLER(launch_finish);
/* attest.c */
FW_HANDLER(attestation);
/* send.c, receive.c */
FW_HANDLER(send_start);
FW_HANDLER(send_update_data);
FW_HANDLER(send_update_vmsa);
FW_HANDLER(send_finish);
FW_HANDLER(send_cancel);
FW_HANDLER(receive_start);
FW_HANDLER(receive_update_data);
FW_HANDLER(receive_update_vmsa);
FW_HANDLER(receive_finish);
/* debug.c, copy.c, swap.c */
FW_HANDLER(dbg_decrypt);
FW_HANDLER(dbg_encrypt);
FW_HANDLER(copy);
FW_HANDLER(swap_out);
FW_HANDLER(swap_in);
/* snp_platform.c, snp_guest.c, snp_launch.c, snp_request.c */
FW_HANDLER(snp_init);
FW_HANDLER(snp_init_ex);
FW_HANDLER(snp_shutdown);
FW_HANDLER(snp_shutdown_ex);
FW_HANDLER(snp_platform_status);
FW_HANDLER(snp_df_flush);
FW_HANDLER(snp_config);
FW_HANDLER(snp_commit);
FW_HANDLER(snp_vlek_load);
FW_HANDLER(snp_gctx_create);
FW_HANDLER(snp_decommission);
FW_HANDLER(snp_activate);
FW_HANDLER(snp_activate_ex);
FW_HANDLER(snp_guest_status);
FW_HANDLER(snp_page_reclaim);
FW_HANDLER(snp_dbg_decrypt);
FW_HANDLER(snp_dbg_encrypt);
FW_HANDLER(snp_launch_start);
FW_HANDLER(snp_launch_update);
FW_HANDLER(snp_launch_finish);
FW_HANDLER(snp_guest_request);
/* snp_pages.c */
FW_HANDLER(snp_page_unsmash);
FW_HANDLER(snp_page_set_state);
FW_HANDLER(snp_page_md_init);
FW_HANDLER(snp_page_move);
FW_HANDLER(snp_page_swap_out);
FW_HANDLER(snp_page_swap_in);
/* An output page of an SNP command (must be Firmware or beyond the RMP). */
uint16_t fw_snp_check_out_page(struct sev_fw *fw, uint64_t pa, size_t len);

#endif
