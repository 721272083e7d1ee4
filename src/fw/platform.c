/* SPDX-License-Identifier: MIT */
/*
 * Platform commands of the SEV API: INIT, INIT_EX, SHUTDOWN,
 * PLATFORM_RESET, PLATFORM_STATUS, GET_ID, NOP.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "fw/handlers.h"
#include "fw/owner.h"

#define TMR_SIZE (1u << 20)
#define NV_LEN   (32u << 10)

/* INIT and INIT_EX share everything but where the NV data lives. */
static uint16_t init_common(struct sev_fw *fw, uint32_t flags, uint64_t tmr_paddr, uint32_t tmr_len)
{
    bool es = (flags & SEV_INIT_FLAGS_SEV_ES) != 0;
    if (flags & ~SEV_INIT_FLAGS_SEV_ES)
        return SEV_STATUS_INVALID_PARAM;
    if (es) {
        /* The SEV-ES Trusted Memory Region: 1 MiB, 1 MiB-aligned, in DRAM. */
        uint64_t spa = fw_strip_cbit(fw, tmr_paddr);
        if (tmr_len != TMR_SIZE || (spa & (TMR_SIZE - 1)))
            return SEV_STATUS_INVALID_LENGTH;
        if (!fw_mem_valid(fw, tmr_paddr, tmr_len))
            return SEV_STATUS_INVALID_ADDRESS;
        if (!(memsys_chip(fw->ms)->features & CPUID_SEV_ES))
            return SEV_STATUS_UNSUPPORTED;
    }
    /* First initialisation of this chip (or after PLATFORM_RESET): make
     * the owner keys. */
    if (!fw->keys_valid) {
        uint16_t st = fw_owner_generate_all(fw);
        if (st)
            return st;
    }
    fw->es_init = es;
    fw->tmr_paddr = es ? tmr_paddr : 0;
    fw->tmr_len = es ? tmr_len : 0;
    fw->state = SEV_STATE_INIT;
    fw_platform_update_state(fw);
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(init)
{
    struct sev_fw_init *b = c->buf;
    fw->nv_paddr = 0;
    fw->nv_len = 0;
    return init_common(fw, b->flags, b->tmr_paddr, b->tmr_len);
}

FW_HANDLER(init_ex)
{
    struct sev_fw_init_ex *b = c->buf;
    if (b->length != sizeof(*b))
        return SEV_STATUS_INVALID_LENGTH;
    if (b->nv_paddr) {
        /* The host keeps the NV data for us (Linux's init_ex_path). */
        if (b->nv_len != NV_LEN)
            return SEV_STATUS_INVALID_LENGTH;
        if (!fw_mem_valid(fw, b->nv_paddr, b->nv_len))
            return SEV_STATUS_INVALID_ADDRESS;
        uint16_t st = fw_nv_load_from_memory(fw, b->nv_paddr, b->nv_len);
        if (st)
            return st;
    }
    uint16_t st = init_common(fw, b->flags, b->tmr_paddr, b->tmr_len);
    if (st)
        return st;
    fw->nv_paddr = b->nv_paddr;
    fw->nv_len = b->nv_paddr ? b->nv_len : 0;
    return fw->nv_paddr ? fw_nv_commit(fw) : SEV_STATUS_SUCCESS;
}

/* Tear down every guest: SHUTDOWN leaves nothing of them. */
static void drop_guests(struct sev_fw *fw)
{
    for (uint32_t i = 0; i < FW_MAX_GUESTS; i++) {
        struct fw_guest *g = &fw->guests[i];
        if (!g->handle)
            continue;
        fw_deactivate(fw, g);
        fw_guest_free(fw, g);
    }
}

FW_HANDLER(shutdown)
{
    (void)c;
    /* In UNINIT this is a successful no-op (AMD's firmware). */
    if (fw->state == SEV_STATE_UNINIT)
        return SEV_STATUS_SUCCESS;
    drop_guests(fw);
    fw->state = SEV_STATE_UNINIT;
    fw->es_init = false;
    fw->tmr_paddr = 0;
    fw->tmr_len = 0;
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(platform_reset)
{
    (void)c;
    /* Factory reset: forget the owner (new OCA/PEK/PDH at the next INIT). */
    fw_owner_clear(fw);
    return fw_nv_commit(fw);
}

FW_HANDLER(platform_status)
{
    struct sev_fw_platform_status *b = c->buf;
    memset(b, 0, sizeof(*b));
    b->api_major = fw->params.api_major;
    b->api_minor = fw->params.api_minor;
    b->state = fw->state;
    b->owner = fw->owner_external ? 1 : 0;
    b->config = fw->es_init ? 1 : 0;
    b->build = fw->params.build;
    b->guest_count = fw->guest_count;
    c->writeback = true;
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(get_id)
{
    struct sev_fw_addr_len *b = c->buf;
    /* One 64-byte ID per socket; the model has one socket. */
    const uint32_t need = FW_CHIP_ID_LEN;
    if (b->paddr == 0 || b->len < need) {
        b->len = need;
        c->writeback = true;
        return SEV_STATUS_INVALID_LENGTH;
    }
    uint16_t st = fw_mem_write(fw, b->paddr, fw->chip_id, need);
    if (st)
        return st;
    b->len = need;
    c->writeback = true;
    return SEV_STATUS_SUCCESS;
}

FW_HANDLER(nop)
{
    (void)fw;
    (void)c;
    return SEV_STATUS_SUCCESS;
}
