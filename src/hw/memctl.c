/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "hw/memctl.h"

swsev_rc memctl_init(struct memctl *mc, struct dram *dram, uint32_t nr_asids,
                     const uint8_t *tweak_rnd)
{
    memset(mc, 0, sizeof(*mc));
    mc->dram = dram;
    mc->nr_slots = nr_asids + 1;
    mc->slots = calloc(mc->nr_slots, sizeof(*mc->slots));
    if (!mc->slots)
        return SWSEV_HW_ERR(SWSEV_HW_NOMEM);
    xex_tweak_init(&mc->tweak, tweak_rnd);
    return SWSEV_OK;
}

void memctl_fini(struct memctl *mc)
{
    for (uint32_t i = 0; mc->slots && i < mc->nr_slots; i++)
        crypto_aes_ecb_clear(&mc->slots[i].aes);
    free(mc->slots);
    mc->slots = NULL;
    /* The tweak vectors are secret to this boot. */
    memset(&mc->tweak, 0, sizeof(mc->tweak));
}

swsev_rc memctl_set_key(struct memctl *mc, uint32_t asid, const uint8_t *key, size_t keylen)
{
    if (asid >= mc->nr_slots || (keylen != 16 && keylen != 32))
        return SWSEV_HW_ERR(SWSEV_HW_INVAL);
    struct crypto_aes_ecb aes;
    swsev_rc rc = crypto_aes_ecb_init(&aes, key, keylen);
    if (rc)
        return rc;
    struct memctl_slot *s = &mc->slots[asid];
    crypto_aes_ecb_clear(&s->aes);
    s->aes = aes;
    s->keylen = (uint8_t)keylen;
    s->present = true;
    return SWSEV_OK;
}

swsev_rc memctl_clear_key(struct memctl *mc, uint32_t asid)
{
    if (asid >= mc->nr_slots)
        return SWSEV_HW_ERR(SWSEV_HW_INVAL);
    struct memctl_slot *s = &mc->slots[asid];
    crypto_aes_ecb_clear(&s->aes);
    s->present = false;
    s->keylen = 0;
    return SWSEV_OK;
}

bool memctl_has_key(const struct memctl *mc, uint32_t keysel)
{
    if (keysel == MEMCTL_KEYSEL_PLAIN)
        return true;
    return keysel < mc->nr_slots && mc->slots[keysel].present;
}

static swsev_rc check(struct memctl *mc, uint32_t keysel, uint64_t pa, size_t len)
{
    swsev_rc rc = dram_check(mc->dram, pa, len);
    if (rc)
        return rc;
    if (keysel == MEMCTL_KEYSEL_PLAIN)
        return SWSEV_OK;
    if (!memctl_has_key(mc, keysel))
        return SWSEV_HW_ERR(SWSEV_HW_NOKEY);
    if ((pa | len) & 15)
        return SWSEV_HW_ERR(SWSEV_HW_ALIGN);
    return SWSEV_OK;
}

swsev_rc memctl_read(struct memctl *mc, uint32_t keysel, uint64_t pa, uint8_t *buf, size_t len)
{
    swsev_rc rc = check(mc, keysel, pa, len);
    if (rc)
        return rc;
    const uint8_t *src = dram_ptr(mc->dram, pa);
    if (keysel == MEMCTL_KEYSEL_PLAIN) {
        memcpy(buf, src, len);
        return SWSEV_OK;
    }
    mc->stats.bytes_decrypted += len;
    return xex_decrypt(&mc->tweak, &mc->slots[keysel].aes, pa, src, buf, len);
}

swsev_rc memctl_write(struct memctl *mc, uint32_t keysel, uint64_t pa, const uint8_t *buf,
                      size_t len)
{
    swsev_rc rc = check(mc, keysel, pa, len);
    if (rc) {
        mc->stats.dropped_writes++;
        return rc;
    }
    uint8_t *dst = dram_ptr(mc->dram, pa);
    if (keysel == MEMCTL_KEYSEL_PLAIN) {
        memcpy(dst, buf, len);
        return SWSEV_OK;
    }
    mc->stats.bytes_encrypted += len;
    return xex_encrypt(&mc->tweak, &mc->slots[keysel].aes, pa, buf, dst, len);
}
