/* SPDX-License-Identifier: MIT */
/* How the firmware reaches memory: by physical address, honouring a C-bit
 * in host-supplied addresses, under any key slot. */
#include "fw/fw.h"

uint64_t fw_strip_cbit(struct sev_fw *fw, uint64_t paddr)
{
    return paddr & ~memsys_cbit_mask(fw->ms);
}

bool fw_mem_valid(struct sev_fw *fw, uint64_t paddr, uint64_t len)
{
    uint64_t spa = fw_strip_cbit(fw, paddr);
    uint64_t size = memsys_chip(fw->ms)->dram_size;
    return spa <= size && len <= size - spa;
}

static uint16_t to_status(swsev_rc rc)
{
    if (rc == SWSEV_OK)
        return SEV_STATUS_SUCCESS;
    if (rc == SWSEV_HW_ERR(SWSEV_HW_RANGE))
        return SEV_STATUS_INVALID_ADDRESS;
    if (rc == SWSEV_HW_ERR(SWSEV_HW_NOKEY))
        return SEV_STATUS_INACTIVE;
    return SEV_STATUS_HWERROR_PLATFORM;
}

static uint16_t host_access(struct sev_fw *fw, uint64_t paddr, void *buf, size_t len, bool write)
{
    if (!fw_mem_valid(fw, paddr, len))
        return SEV_STATUS_INVALID_ADDRESS;
    uint32_t key = (paddr & memsys_cbit_mask(fw->ms)) ? 0 : MEMSYS_KEYSEL_PLAIN;
    uint64_t spa = fw_strip_cbit(fw, paddr);
    return to_status(write ? memsys_fw_write(fw->port, key, spa, buf, len)
                           : memsys_fw_read(fw->port, key, spa, buf, len));
}

uint16_t fw_mem_read(struct sev_fw *fw, uint64_t paddr, void *buf, size_t len)
{
    return host_access(fw, paddr, buf, len, false);
}

uint16_t fw_mem_write(struct sev_fw *fw, uint64_t paddr, const void *buf, size_t len)
{
    return host_access(fw, paddr, (void *)buf, len, true);
}

static uint16_t guest_access(struct sev_fw *fw, uint32_t asid, uint64_t paddr, void *buf,
                             size_t len, bool write)
{
    if (!fw_mem_valid(fw, paddr, len))
        return SEV_STATUS_INVALID_ADDRESS;
    uint64_t spa = fw_strip_cbit(fw, paddr);
    return to_status(write ? memsys_fw_write(fw->port, asid, spa, buf, len)
                           : memsys_fw_read(fw->port, asid, spa, buf, len));
}

uint16_t fw_guest_mem_read(struct sev_fw *fw, uint32_t asid, uint64_t paddr, void *buf, size_t len)
{
    return guest_access(fw, asid, paddr, buf, len, false);
}

uint16_t fw_guest_mem_write(struct sev_fw *fw, uint32_t asid, uint64_t paddr, const void *buf,
                            size_t len)
{
    return guest_access(fw, asid, paddr, (void *)buf, len, true);
}
