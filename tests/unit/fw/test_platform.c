/* SPDX-License-Identifier: MIT */
/* The SEV platform state machine and the platform commands, through the
 * PSP mailbox the way the host driver reaches the firmware. */
#include "testsupport.h"
#include "crypto/ecc.h"
#include "crypto/sevchain.h"
#include "swsev/abi/sev_cmd.h"
#include "swsev/fw_status.h"

#define S(x) SEV_STATUS_##x

static uint8_t pstate(struct ts_host *h)
{
    uint8_t st[12];
    ts_platform_status(h, st);
    return st[2];
}

/* Bring the platform into a state: UNINIT, INIT, or WORKING (one guest). */
static void enter_state(struct ts_host *h, int state)
{
    if (pstate(h) != SEV_STATE_UNINIT) {
        /* SHUTDOWN drops every guest. */
        assert_int_equal(ts_cmd(h, SEV_CMD_SHUTDOWN, NULL, 0), 0);
    }
    if (state == SEV_STATE_UNINIT)
        return;
    struct sev_fw_init init = {0};
    assert_int_equal(ts_cmd(h, SEV_CMD_INIT, &init, sizeof(init)), 0);
    if (state == SEV_STATE_WORKING) {
        struct sev_fw_launch_start ls = {0};
        assert_int_equal(ts_cmd(h, SEV_CMD_LAUNCH_START, &ls, sizeof(ls)), 0);
    }
    assert_int_equal(pstate(h), state);
}

struct legal {
    uint32_t cmd;
    size_t len;
    uint8_t states; /* bit per state in which the command passes the platform-state gate */
};

#define U (1u << SEV_STATE_UNINIT)
#define I (1u << SEV_STATE_INIT)
#define W (1u << SEV_STATE_WORKING)

/* sev-reference 1.4 and 1.5 (AMD's firmware: SHUTDOWN and DF_FLUSH in
 * UNINIT, PEK_CSR in WORKING; DBG only in WORKING). */
static const struct legal table[] = {
    {SEV_CMD_INIT, sizeof(struct sev_fw_init), U},
    {SEV_CMD_INIT_EX, sizeof(struct sev_fw_init_ex), U},
    {SEV_CMD_SHUTDOWN, 0, U | I | W},
    {SEV_CMD_PLATFORM_RESET, 0, U},
    {SEV_CMD_PLATFORM_STATUS, sizeof(struct sev_fw_platform_status), U | I | W},
    {SEV_CMD_PEK_GEN, 0, I},
    {SEV_CMD_PEK_CSR, sizeof(struct sev_fw_addr_len), I | W},
    {SEV_CMD_PEK_CERT_IMPORT, sizeof(struct sev_fw_pek_cert_import), I},
    {SEV_CMD_PDH_GEN, 0, I | W},
    {SEV_CMD_PDH_CERT_EXPORT, sizeof(struct sev_fw_pdh_cert_export), I | W},
    {SEV_CMD_DF_FLUSH, 0, U | I | W},
    {SEV_CMD_GET_ID, sizeof(struct sev_fw_addr_len), U | I | W},
    {SEV_CMD_NOP, 0, U | I | W},
    {SEV_CMD_DECOMMISSION, sizeof(struct sev_fw_handle), I | W},
    {SEV_CMD_ACTIVATE, sizeof(struct sev_fw_activate), I | W},
    {SEV_CMD_ACTIVATE_EX, sizeof(struct sev_fw_activate_ex), I | W},
    {SEV_CMD_DEACTIVATE, sizeof(struct sev_fw_handle), I | W},
    {SEV_CMD_GUEST_STATUS, sizeof(struct sev_fw_guest_status), I | W},
    {SEV_CMD_COPY, sizeof(struct sev_fw_copy), I | W},
    {SEV_CMD_LAUNCH_START, sizeof(struct sev_fw_launch_start), I | W},
    {SEV_CMD_LAUNCH_UPDATE_DATA, sizeof(struct sev_fw_launch_update), I | W},
    {SEV_CMD_LAUNCH_UPDATE_VMSA, sizeof(struct sev_fw_launch_update), I | W},
    {SEV_CMD_LAUNCH_MEASURE, sizeof(struct sev_fw_launch_update), I | W},
    {SEV_CMD_LAUNCH_UPDATE_SECRET, sizeof(struct sev_fw_packet), I | W},
    {SEV_CMD_LAUNCH_FINISH, sizeof(struct sev_fw_handle), I | W},
    {SEV_CMD_ATTESTATION_REPORT, sizeof(struct sev_fw_attestation), I | W},
    {SEV_CMD_SEND_START, sizeof(struct sev_fw_send_start), I | W},
    {SEV_CMD_SEND_UPDATE_DATA, sizeof(struct sev_fw_packet), I | W},
    {SEV_CMD_SEND_UPDATE_VMSA, sizeof(struct sev_fw_packet), I | W},
    {SEV_CMD_SEND_FINISH, sizeof(struct sev_fw_handle), I | W},
    {SEV_CMD_SEND_CANCEL, sizeof(struct sev_fw_handle), I | W},
    {SEV_CMD_RECEIVE_START, sizeof(struct sev_fw_receive_start), I | W},
    {SEV_CMD_RECEIVE_UPDATE_DATA, sizeof(struct sev_fw_packet), I | W},
    {SEV_CMD_RECEIVE_UPDATE_VMSA, sizeof(struct sev_fw_packet), I | W},
    {SEV_CMD_RECEIVE_FINISH, sizeof(struct sev_fw_handle), I | W},
    {SEV_CMD_DBG_DECRYPT, sizeof(struct sev_fw_dbg), W},
    {SEV_CMD_DBG_ENCRYPT, sizeof(struct sev_fw_dbg), W},
    {SEV_CMD_SWAP_OUT, sizeof(struct sev_fw_swap_out), I | W},
    {SEV_CMD_SWAP_IN, sizeof(struct sev_fw_swap_in), I | W},
};

/* Every (command, state) pair: illegal ones get INVALID_PLATFORM_STATE and
 * change nothing; legal ones pass the gate (and, with an all-zero buffer,
 * fail on what comes next, never on the platform state). */
static void command_state_matrix(void **state)
{
    (void)state;
    struct ts_host h;
    ts_host_init(&h, "rome", "matrix", false);
    unsigned checked = 0;
    for (int s = SEV_STATE_UNINIT; s <= SEV_STATE_WORKING; s++) {
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
            enter_state(&h, s);
            uint8_t before[12], after[12], buf[0x100] = {0};
            ts_platform_status(&h, before);
            uint16_t st = ts_cmd(&h, table[i].cmd, table[i].len ? buf : NULL, table[i].len);
            bool legal = table[i].states & (1u << s);
            if (!legal) {
                if (st != S(INVALID_PLATFORM_STATE))
                    fail_msg("%s in state %d: 0x%x, expected INVALID_PLATFORM_STATE",
                             fw_command_name(table[i].cmd), s, st);
                ts_platform_status(&h, after);
                assert_memory_equal(before, after, 12);
            } else if (st == S(INVALID_PLATFORM_STATE)) {
                fail_msg("%s refused in legal state %d", fw_command_name(table[i].cmd), s);
            }
            checked++;
        }
    }
    print_message("%u (command, state) pairs checked\n", checked);
    /* Unknown command IDs, in every state. */
    for (int s = SEV_STATE_UNINIT; s <= SEV_STATE_WORKING; s++) {
        enter_state(&h, s);
        static const uint32_t unknown[] = {0x00, 0x10, 0x26, 0x37, 0x45, 0x54, 0x62, 0x72, 0xff};
        for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
            assert_int_equal(ts_cmd(&h, unknown[i], NULL, 0), S(INVALID_COMMAND));
    }
    ts_host_fini(&h);
}

static void init_and_shutdown(void **state)
{
    (void)state;
    struct ts_host h;
    ts_host_init(&h, "rome", "init", false);
    uint8_t st[12];
    ts_platform_status(&h, st);
    assert_int_equal(st[0], 0); /* API 0.24 on the rome preset */
    assert_int_equal(st[1], 24);
    assert_int_equal(st[2], SEV_STATE_UNINIT);
    assert_int_equal(st[7], 15); /* build */
    /* SEV-ES needs a 1 MiB, 1 MiB-aligned TMR inside DRAM. */
    struct sev_fw_init init = {
        .flags = SEV_INIT_FLAGS_SEV_ES, .tmr_paddr = 0x100000, .tmr_len = 4096};
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT, &init, sizeof(init)), S(INVALID_LENGTH));
    init.tmr_len = 1u << 20;
    init.tmr_paddr = 0x180000;
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT, &init, sizeof(init)), S(INVALID_LENGTH));
    init.tmr_paddr = 1ull << 40;
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT, &init, sizeof(init)), S(INVALID_ADDRESS));
    init.flags = 0x80;
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT, &init, sizeof(init)), S(INVALID_PARAM));
    assert_int_equal(pstate(&h), SEV_STATE_UNINIT);
    init.flags = SEV_INIT_FLAGS_SEV_ES;
    init.tmr_paddr = 0x100000;
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT, &init, sizeof(init)), 0);
    ts_platform_status(&h, st);
    assert_int_equal(st[2], SEV_STATE_INIT);
    assert_int_equal(st[4], 1); /* config: SEV-ES initialised */
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT, &init, sizeof(init)), S(INVALID_PLATFORM_STATE));
    assert_int_equal(ts_cmd(&h, SEV_CMD_SHUTDOWN, NULL, 0), 0);
    assert_int_equal(pstate(&h), SEV_STATE_UNINIT);
    assert_int_equal(ts_cmd(&h, SEV_CMD_SHUTDOWN, NULL, 0), 0); /* no-op in UNINIT */
    /* A command buffer outside DRAM. */
    uint32_t err;
    hv_psp_lock(h.psp);
    psp_mmio_write(h.psp->dev, PSP_REG_CMDBUFF_LO, 0);
    psp_mmio_write(h.psp->dev, PSP_REG_CMDBUFF_HI, 0x100);
    psp_mmio_write(h.psp->dev, PSP_REG_CMDRESP, SEV_CMD_PLATFORM_STATUS << 16);
    err = psp_mmio_read(h.psp->dev, PSP_REG_CMDRESP);
    hv_psp_unlock(h.psp);
    assert_true(err & PSP_CMDRESP_RESP);
    assert_int_equal(err & 0xffff, S(INVALID_ADDRESS));
    assert_int_equal((err >> 16) & 0xff, SEV_CMD_PLATFORM_STATUS);
    ts_host_fini(&h);
}

static void export_chain_and_id(void **state)
{
    (void)state;
    struct ts_host h;
    ts_host_init(&h, "milan", "export", true);
    struct sev_fw_pdh_cert_export e = {0};
    /* Length query: both lengths come back. */
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), S(INVALID_LENGTH));
    assert_int_equal(e.pdh_len, 0x824);
    assert_int_equal(e.chain_len, 3 * 0x824);
    e.pdh_paddr = ts_hbuf(&h, e.pdh_len);
    e.chain_paddr = ts_hbuf(&h, e.chain_len);
    e.chain_len = 100;
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), S(INVALID_LENGTH));
    e.chain_len = 3 * 0x824;
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), 0);
    uint8_t raw[4][0x824];
    ts_hread(&h, e.pdh_paddr, raw[0], 0x824);
    ts_hread(&h, e.chain_paddr, raw[1], 3 * 0x824);
    struct sev_chain ch;
    assert_int_equal(sevcert_parse(raw[0], 0x824, &ch.pdh), SWSEV_OK);
    assert_int_equal(sevcert_parse(raw[1], 0x824, &ch.pek), SWSEV_OK);
    assert_int_equal(sevcert_parse(raw[2], 0x824, &ch.oca), SWSEV_OK);
    assert_int_equal(sevcert_parse(raw[3], 0x824, &ch.cek), SWSEV_OK);
    assert_int_equal(sev_chain_verify(&ch, SEV_CHAIN_PLATFORM), SEV_CHAIN_OK);
    assert_int_equal(ch.pek.api_major, 1);
    assert_int_equal(ch.pek.api_minor, 55);
    assert_int_equal(ch.cek.api_minor, 14);

    /* GET_ID: 64 bytes; a short buffer gets the length back. */
    struct sev_fw_addr_len id = {0};
    assert_int_equal(ts_cmd(&h, SEV_CMD_GET_ID, &id, sizeof(id)), S(INVALID_LENGTH));
    assert_int_equal(id.len, 64);
    id.paddr = ts_hbuf(&h, 64);
    assert_int_equal(ts_cmd(&h, SEV_CMD_GET_ID, &id, sizeof(id)), 0);
    uint8_t chip_id[64], again[64];
    ts_hread(&h, id.paddr, chip_id, 64);

    /* PDH_GEN changes the PDH only; PEK_GEN the OCA, PEK and PDH. */
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_GEN, NULL, 0), 0);
    uint8_t pdh2[0x824], chain2[3 * 0x824];
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), 0);
    ts_hread(&h, e.pdh_paddr, pdh2, 0x824);
    ts_hread(&h, e.chain_paddr, chain2, 3 * 0x824);
    assert_memory_not_equal(pdh2, raw[0], 0x824);
    assert_memory_equal(chain2, raw[1], 3 * 0x824);
    assert_int_equal(ts_cmd(&h, SEV_CMD_PEK_GEN, NULL, 0), 0);
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), 0);
    ts_hread(&h, e.chain_paddr, chain2, 3 * 0x824);
    assert_memory_not_equal(chain2, raw[1], 0x824 * 2);
    assert_memory_equal(chain2 + 2 * 0x824, raw[3], 0x824); /* the CEK stays */

    /* Restart: the same chip, the same ID and the same owner keys. */
    ts_host_restart(&h, true);
    id.paddr = ts_hbuf(&h, 64);
    assert_int_equal(ts_cmd(&h, SEV_CMD_GET_ID, &id, sizeof(id)), 0);
    ts_hread(&h, id.paddr, again, 64);
    assert_memory_equal(chip_id, again, 64);
    e.pdh_paddr = ts_hbuf(&h, 0x824);
    e.chain_paddr = ts_hbuf(&h, 3 * 0x824);
    uint8_t chain3[3 * 0x824];
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), 0);
    ts_hread(&h, e.chain_paddr, chain3, 3 * 0x824);
    assert_memory_equal(chain2, chain3, 3 * 0x824);
    ts_host_fini(&h);
}

static void nv_state_is_sealed(void **state)
{
    (void)state;
    struct ts_host a, b;
    ts_host_init(&a, "rome", "chip-a", true);
    ts_host_init(&b, "rome", "chip-b", true);
    assert_true(a.nv_len > 0 && a.nv_stores >= 1);
    struct machine_config mc;
    machine_config_default(&mc, "rome");
    mc.chip.dram_size = 64ull << 20;
    struct swsev_machine *m = NULL;
    /* Chip B's firmware refuses chip A's NV state... */
    swsev_rc rc = machine_create(&m, &mc, &b.id, a.nv, a.nv_len, NULL);
    assert_int_equal(rc, SWSEV_TOOL_ERR(SWSEV_E_VERIFY));
    assert_null(m);
    /* ...and chip A refuses it after any one-byte change, or truncated. */
    for (size_t off = 0; off < a.nv_len; off += 97) {
        a.nv[off] ^= 0x40;
        rc = machine_create(&m, &mc, &a.id, a.nv, a.nv_len, NULL);
        assert_int_not_equal(rc, SWSEV_OK);
        a.nv[off] ^= 0x40;
    }
    assert_int_not_equal(machine_create(&m, &mc, &a.id, a.nv, a.nv_len - 1, NULL), SWSEV_OK);
    assert_int_equal(machine_create(&m, &mc, &a.id, a.nv, a.nv_len, NULL), SWSEV_OK);
    machine_destroy(m);
    ts_host_fini(&a);
    ts_host_fini(&b);
}

static void platform_reset_forgets_owner(void **state)
{
    (void)state;
    struct ts_host h;
    ts_host_init(&h, "rome", "reset", true);
    struct sev_fw_pdh_cert_export e = {ts_hbuf(&h, 0x824), 0x824, 0, ts_hbuf(&h, 3 * 0x824),
                                       3 * 0x824};
    uint8_t pdh1[0x824], pdh2[0x824];
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), 0);
    ts_hread(&h, e.pdh_paddr, pdh1, sizeof(pdh1));
    assert_int_equal(ts_cmd(&h, SEV_CMD_PLATFORM_RESET, NULL, 0), S(INVALID_PLATFORM_STATE));
    assert_int_equal(ts_cmd(&h, SEV_CMD_SHUTDOWN, NULL, 0), 0);
    assert_int_equal(ts_cmd(&h, SEV_CMD_PLATFORM_RESET, NULL, 0), 0);
    assert_int_equal(h.nv_len, 0); /* the stored state is erased */
    struct sev_fw_init init = {0};
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT, &init, sizeof(init)), 0);
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), 0);
    ts_hread(&h, e.pdh_paddr, pdh2, sizeof(pdh2));
    assert_memory_not_equal(pdh1, pdh2, sizeof(pdh1));
    ts_host_fini(&h);
}

/* Taking ownership: PEK_CSR, the owner's OCA signs the PEK, PEK_CERT_IMPORT. */
static void external_owner(void **state)
{
    (void)state;
    struct ts_host h;
    ts_host_init(&h, "rome", "owner", true);
    struct sev_fw_addr_len csr = {0};
    assert_int_equal(ts_cmd(&h, SEV_CMD_PEK_CSR, &csr, sizeof(csr)), S(INVALID_LENGTH));
    assert_int_equal(csr.len, 0x824);
    csr.paddr = ts_hbuf(&h, 0x824);
    assert_int_equal(ts_cmd(&h, SEV_CMD_PEK_CSR, &csr, sizeof(csr)), 0);
    struct sev_cert pek, oca;
    ts_hread(&h, csr.paddr, &pek, sizeof(pek));
    assert_int_equal(sevcert_parse(&pek, sizeof(pek), &pek), SWSEV_OK);
    assert_int_equal(pek.sig[0].usage, SEV_USAGE_INVALID); /* unsigned */
    /* The owner's CA. */
    EVP_PKEY *oca_key;
    struct crypto_drbg *rng = machine_rng(h.m);
    assert_int_equal(crypto_ecc_generate(rng, &oca_key), SWSEV_OK);
    assert_int_equal(sevcert_init(&oca, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, 0, 24, oca_key),
                     SWSEV_OK);
    assert_int_equal(sevcert_sign(&oca, 0, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, oca_key),
                     SWSEV_OK);
    struct sev_cert signed_pek = pek;
    assert_int_equal(sevcert_sign(&signed_pek, 0, SEV_USAGE_OCA, SEV_ALGO_ECDSA_SHA256, oca_key),
                     SWSEV_OK);
    uint64_t pp = ts_hbuf(&h, 0x824), op = ts_hbuf(&h, 0x824);
    struct sev_fw_pek_cert_import im = {pp, 0x824, 0, op, 0x824};
    uint8_t before[12], after[12];
    ts_platform_status(&h, before);
    /* Refusals first: each leaves the platform as it was. */
    ts_hwrite(&h, pp, &pek, sizeof(pek)); /* not signed by the OCA */
    ts_hwrite(&h, op, &oca, sizeof(oca));
    assert_int_equal(ts_cmd(&h, SEV_CMD_PEK_CERT_IMPORT, &im, sizeof(im)), S(BAD_SIGNATURE));
    struct sev_cert other = signed_pek;
    ((uint8_t *)&other.pubkey)[4] ^= 1; /* another key: not on the curve, or not ours */
    ts_hwrite(&h, pp, &other, sizeof(other));
    assert_int_equal(ts_cmd(&h, SEV_CMD_PEK_CERT_IMPORT, &im, sizeof(im)), S(INVALID_CERTIFICATE));
    ts_hwrite(&h, pp, &signed_pek, sizeof(signed_pek));
    struct sev_cert bad_oca = oca;
    bad_oca.sig[0].sig[3] ^= 1;
    ts_hwrite(&h, op, &bad_oca, sizeof(bad_oca));
    assert_int_equal(ts_cmd(&h, SEV_CMD_PEK_CERT_IMPORT, &im, sizeof(im)), S(BAD_SIGNATURE));
    ts_hwrite(&h, op, &oca, sizeof(oca));
    im.oca_len = 0x800;
    assert_int_equal(ts_cmd(&h, SEV_CMD_PEK_CERT_IMPORT, &im, sizeof(im)), S(INVALID_LENGTH));
    im.oca_len = 0x824;
    im.pek_paddr = 1ull << 42;
    assert_int_equal(ts_cmd(&h, SEV_CMD_PEK_CERT_IMPORT, &im, sizeof(im)), S(INVALID_ADDRESS));
    im.pek_paddr = pp;
    ts_platform_status(&h, after);
    assert_memory_equal(before, after, 12);
    assert_int_equal(after[3], 0); /* still self-owned */
    unsigned stores = h.nv_stores;
    assert_int_equal(ts_cmd(&h, SEV_CMD_PEK_CERT_IMPORT, &im, sizeof(im)), 0);
    ts_platform_status(&h, after);
    assert_int_equal(after[3], 1); /* externally owned */
    assert_true(h.nv_stores > stores);
    /* The exported chain: PEK signed by the owner's OCA and the CEK. */
    struct sev_fw_pdh_cert_export e = {ts_hbuf(&h, 0x824), 0x824, 0, ts_hbuf(&h, 3 * 0x824),
                                       3 * 0x824};
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), 0);
    uint8_t raw[4][0x824];
    ts_hread(&h, e.pdh_paddr, raw[0], 0x824);
    ts_hread(&h, e.chain_paddr, raw[1], 3 * 0x824);
    struct sev_chain ch;
    assert_int_equal(sevcert_parse(raw[0], 0x824, &ch.pdh), SWSEV_OK);
    assert_int_equal(sevcert_parse(raw[1], 0x824, &ch.pek), SWSEV_OK);
    assert_int_equal(sevcert_parse(raw[2], 0x824, &ch.oca), SWSEV_OK);
    assert_int_equal(sevcert_parse(raw[3], 0x824, &ch.cek), SWSEV_OK);
    assert_int_equal(sev_chain_verify(&ch, SEV_CHAIN_PLATFORM), SEV_CHAIN_OK);
    assert_true(sevcert_same_key(&ch.oca, &oca));
    /* Ownership survives a restart; PEK_GEN takes it back. */
    ts_host_restart(&h, true);
    ts_platform_status(&h, after);
    assert_int_equal(after[3], 1);
    assert_int_equal(ts_cmd(&h, SEV_CMD_PEK_GEN, NULL, 0), 0);
    ts_platform_status(&h, after);
    assert_int_equal(after[3], 0);
    /* PEK_CERT_IMPORT is an INIT-state command. */
    struct sev_fw_launch_start ls = {0};
    assert_int_equal(ts_cmd(&h, SEV_CMD_LAUNCH_START, &ls, sizeof(ls)), 0);
    assert_int_equal(ts_cmd(&h, SEV_CMD_PEK_CERT_IMPORT, &im, sizeof(im)),
                     S(INVALID_PLATFORM_STATE));
    EVP_PKEY_free(oca_key);
    ts_host_fini(&h);
}

/* INIT_EX with the NV data in a host buffer (Linux's init_ex_path). */
static void init_ex_host_nv(void **state)
{
    (void)state;
    struct ts_host h;
    ts_host_init(&h, "rome", "initex", false);
    uint64_t nv = ts_hbuf(&h, 32 << 10);
    struct sev_fw_init_ex ie = {sizeof(ie), 0, 0, 0, 0, nv, 32 << 10};
    ie.length = 0x20;
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT_EX, &ie, sizeof(ie)), S(INVALID_LENGTH));
    ie.length = sizeof(ie);
    ie.nv_len = 4096;
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT_EX, &ie, sizeof(ie)), S(INVALID_LENGTH));
    ie.nv_len = 32 << 10;
    ie.nv_paddr = 1ull << 40;
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT_EX, &ie, sizeof(ie)), S(INVALID_ADDRESS));
    assert_int_equal(pstate(&h), SEV_STATE_UNINIT);
    ie.nv_paddr = nv;
    /* An erased buffer: fresh owner keys, sealed into the buffer. */
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT_EX, &ie, sizeof(ie)), 0);
    uint8_t head[8];
    ts_hread(&h, nv, head, 8);
    assert_memory_equal(head, "SWSEVNV1", 8);
    struct sev_fw_pdh_cert_export e = {ts_hbuf(&h, 0x824), 0x824, 0, ts_hbuf(&h, 3 * 0x824),
                                       3 * 0x824};
    uint8_t pdh1[0x824], pdh2[0x824];
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), 0);
    ts_hread(&h, e.pdh_paddr, pdh1, sizeof(pdh1));
    /* PDH_GEN writes the new state back into the host's buffer... */
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_GEN, NULL, 0), 0);
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), 0);
    ts_hread(&h, e.pdh_paddr, pdh1, sizeof(pdh1));
    /* ...which a later INIT_EX (another power cycle) loads again. */
    uint8_t saved[32 << 10];
    ts_hread(&h, nv, saved, sizeof(saved));
    ts_host_restart(&h, false);
    nv = ts_hbuf(&h, 32 << 10);
    ts_hwrite(&h, nv, saved, sizeof(saved));
    ie.nv_paddr = nv;
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT_EX, &ie, sizeof(ie)), 0);
    e.pdh_paddr = ts_hbuf(&h, 0x824);
    e.chain_paddr = ts_hbuf(&h, 3 * 0x824);
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), 0);
    ts_hread(&h, e.pdh_paddr, pdh2, sizeof(pdh2));
    assert_memory_equal(pdh1, pdh2, sizeof(pdh1));
    /* Damaged NV data: SECURE_DATA_INVALID, the buffer is reset, and the
     * retry (as Linux does it) starts afresh. */
    assert_int_equal(ts_cmd(&h, SEV_CMD_SHUTDOWN, NULL, 0), 0);
    saved[100] ^= 1;
    ts_hwrite(&h, nv, saved, sizeof(saved));
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT_EX, &ie, sizeof(ie)), S(SECURE_DATA_INVALID));
    assert_int_equal(pstate(&h), SEV_STATE_UNINIT);
    assert_int_equal(ts_cmd(&h, SEV_CMD_INIT_EX, &ie, sizeof(ie)), 0);
    assert_int_equal(ts_cmd(&h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), 0);
    ts_hread(&h, e.pdh_paddr, pdh2, sizeof(pdh2));
    assert_memory_not_equal(pdh1, pdh2, sizeof(pdh1));
    ts_host_fini(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(command_state_matrix),
        cmocka_unit_test(init_and_shutdown),
        cmocka_unit_test(export_chain_and_id),
        cmocka_unit_test(nv_state_is_sealed),
        cmocka_unit_test(platform_reset_forgets_owner),
        cmocka_unit_test(external_owner),
        cmocka_unit_test(init_ex_host_nv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
