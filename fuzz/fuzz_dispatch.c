/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the SEV firmware's command dispatcher behind the PSP
 * mailbox. An input is a program of commands:
 *   repeat { u8 command ID, u8 buffer length, buffer bytes }
 * Each buffer goes into a host page and its physical address into the
 * mailbox, like the host driver does; addresses inside the buffers point
 * anywhere the fuzzer likes. After every command the platform must still
 * answer PLATFORM_STATUS with a valid state, and nothing may crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_records.h"

#include "hv/psp_drv.h"
#include "swsev/abi/sev_cmd.h"
#include "swsev/machine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct machine_config mc;
    struct fw_identity id;
    struct swsev_machine *m = NULL;
    memset(&id, 0, sizeof(id));
    machine_config_default(&mc, "rome");
    mc.chip.dram_size = 64ull << 20;
    mc.seed = "fuzz";
    mc.seed_len = 4;
    if (machine_create(&m, &mc, &id, NULL, 0, NULL))
        abort();
    struct hv_psp *psp = machine_psp_driver(m);
    size_t off = 0;
    uint8_t cmd, len, buf[256];
    while (fuzz_next_record(data, size, &off, &cmd, &len, buf)) {
        uint32_t err = 0;
        /* Bias addresses into DRAM so that commands get past their checks. */
        for (size_t i = 0; i + 8 <= sizeof(buf); i += 8) {
            uint64_t v;
            memcpy(&v, buf + i, 8);
            if ((v >> 56) == 0xAA) {
                v = (v & ((64ull << 20) - 1)) | (16ull << 20);
                memcpy(buf + i, &v, 8);
            }
        }
        hv_psp_do_cmd(psp, cmd, buf, len, &err);
        struct sev_fw_platform_status st;
        memset(&st, 0, sizeof(st));
        if (hv_psp_do_cmd(psp, SEV_CMD_PLATFORM_STATUS, &st, sizeof(st), &err) || st.state > 2)
            abort();
    }
    machine_destroy(m);
    return 0;
}
