/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "crypto/drbg.h"
#include "hv/hostmem.h"
#include "hv/psp_drv.h"
#include "hv/snp_host.h"
#include "hv/sev_dev.h"
#include "hw/psp.h"
#include "swsev/machine.h"

/* Host physical memory below this is left to firmware-reserved ranges. */
#define HOSTMEM_BASE (16ull << 20)

struct swsev_machine {
    struct machine_config cfg;
    struct crypto_drbg *rng;
    struct memsys *ms;
    struct psp psp;
    struct sev_fw *fw;
    struct hv_hostmem hm;
    struct hv_psp drv;
    struct hv_sev_dev sevdev;
    bool psp_up, drv_up, dev_up;
};

swsev_rc machine_config_default(struct machine_config *mc, const char *chip)
{
    memset(mc, 0, sizeof(*mc));
    swsev_rc rc = chip_config_preset(&mc->chip, chip);
    if (rc)
        return rc;
    fw_params_for_chip(&mc->fw, chip);
    mc->init_on_probe = true;
    mc->snp = (mc->chip.features & CPUID_SEV_SNP) != 0;
    return SWSEV_OK;
}

static uint16_t mailbox_to_fw(void *ctx, uint32_t cmd, uint64_t pa)
{
    return fw_command(ctx, cmd, pa);
}

swsev_rc machine_create(struct swsev_machine **out, const struct machine_config *mc,
                        const struct fw_identity *id, const void *nv_blob, size_t nv_len,
                        const struct fw_nv_ops *nv)
{
    struct swsev_machine *m = calloc(1, sizeof(*m));
    if (!m)
        return SWSEV_SYS_ERR(12);
    m->cfg = *mc;
    swsev_rc rc = crypto_drbg_new(&m->rng, mc->seed, mc->seed ? mc->seed_len : 0);
    if (!rc)
        rc = memsys_create(&m->ms, &mc->chip, m->rng);
    if (!rc)
        rc = fw_create(&m->fw, m->ms, m->rng, &mc->fw, id, nv);
    if (!rc && nv_blob)
        rc = fw_nv_load(m->fw, nv_blob, nv_len);
    if (!rc) {
        psp_init(&m->psp);
        m->psp_up = true;
        struct psp_firmware pf = {m->fw, mailbox_to_fw};
        psp_attach_firmware(&m->psp, &pf);
        rc = hv_hostmem_init(&m->hm, HOSTMEM_BASE, mc->chip.dram_size - HOSTMEM_BASE);
    }
    if (!rc) {
        rc = hv_psp_init(&m->drv, &m->psp, m->ms, &m->hm, mc->host_sme);
        m->drv_up = rc == SWSEV_OK;
    }
    if (!rc && mc->snp) {
        uint32_t err;
        rc = hv_snp_host_init(&m->drv, &err);
    }
    if (!rc) {
        rc = hv_sev_dev_probe(&m->sevdev, &m->drv, mc->init_on_probe);
        m->dev_up = rc == SWSEV_OK;
    }
    if (rc) {
        machine_destroy(m);
        return rc;
    }
    *out = m;
    return SWSEV_OK;
}

void machine_destroy(struct swsev_machine *m)
{
    if (!m)
        return;
    if (m->dev_up)
        hv_sev_dev_remove(&m->sevdev);
    if (m->drv_up)
        hv_psp_fini(&m->drv);
    hv_hostmem_fini(&m->hm);
    if (m->psp_up)
        psp_fini(&m->psp);
    fw_destroy(m->fw);
    memsys_destroy(m->ms);
    crypto_drbg_free(m->rng);
    free(m);
}

struct memsys *machine_memsys(struct swsev_machine *m)
{
    return m->ms;
}

struct hv_psp *machine_psp_driver(struct swsev_machine *m)
{
    return &m->drv;
}

struct hv_sev_dev *machine_sev_dev(struct swsev_machine *m)
{
    return &m->sevdev;
}

struct hv_hostmem *machine_hostmem(struct swsev_machine *m)
{
    return &m->hm;
}

struct crypto_drbg *machine_rng(struct swsev_machine *m)
{
    return m->rng;
}
