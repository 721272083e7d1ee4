/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the SNP firmware behind the PSP mailbox on a host with
 * an RMP, driven by a hostile hypervisor. An input is a program:
 *   repeat { u8 op, u8 length, bytes }
 * op < 0x80: an SNP command (ID 0x80 + op) with that buffer;
 * op >= 0x80: an RMPUPDATE of host page (bytes[0] mod 64) of the fuzzer's
 * pool to a state chosen by op (hypervisor, firmware, Pre-Guest of ASID
 * 1..3 at a GPA from bytes[1]), so that commands reach their deeper checks.
 * Quadwords whose top byte is 0xAA are folded into the pool. After every
 * step the firmware must still answer SNP_PLATFORM_STATUS in INIT.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_records.h"

#include "hv/psp_drv.h"
#include "hv/snp_host.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/machine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define POOL_PAGES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct machine_config mc;
    struct fw_identity id;
    struct swsev_machine *m = NULL;
    memset(&id, 0, sizeof(id));
    machine_config_default(&mc, "milan");
    mc.chip.dram_size = 64ull << 20;
    mc.init_on_probe = false;
    mc.seed = "fuzz-snp";
    mc.seed_len = 8;
    if (machine_create(&m, &mc, &id, NULL, 0, NULL))
        abort();
    struct hv_psp *psp = machine_psp_driver(m);
    struct memsys *ms = machine_memsys(m);
    uint64_t pool, status_page;
    if (hv_hostmem_alloc(machine_hostmem(m), POOL_PAGES, 1, &pool) ||
        hv_snp_fw_page_alloc(psp, &status_page))
        abort();
    size_t off = 0;
    uint8_t op, len, buf[256];
    while (fuzz_next_record(data, size, &off, &op, &len, buf)) {
        uint32_t err = 0;
        if (op >= 0x80) {
            uint64_t spa = pool + (buf[0] % POOL_PAGES) * 4096ull;
            struct rmp_state st = {0, 0, 0, 0, 0, 0};
            switch (op % 4) {
            case 1: /* firmware */
                st.assigned = st.immutable = 1;
                break;
            case 2: /* Pre-Guest */
                st.assigned = st.immutable = 1;
                st.asid = 1 + buf[2] % 3;
                st.gpa = (uint64_t)buf[1] << 12;
                break;
            case 3: /* Guest-Invalid */
                st.assigned = 1;
                st.asid = 1 + buf[2] % 3;
                st.gpa = (uint64_t)buf[1] << 12;
                break;
            default:
                break;
            }
            (void)memsys_rmpupdate(ms, spa, &st);
            continue;
        }
        for (size_t i = 0; i + 8 <= sizeof(buf); i += 8) {
            uint64_t v;
            memcpy(&v, buf + i, 8);
            if ((v >> 56) == 0xAA) {
                v = pool + (v & (POOL_PAGES * 4096ull - 1));
                memcpy(buf + i, &v, 8);
            }
        }
        hv_psp_do_cmd(psp, 0x80u + op, buf, len, &err);
        /* The platform stays SNP INIT unless the program shut it down. */
        struct snp_fw_addr a = {status_page};
        if (hv_psp_do_cmd(psp, SNP_CMD_PLATFORM_STATUS, &a, sizeof(a), &err) &&
            err != 0x1A /* the page state check only applies in INIT */)
            abort();
    }
    machine_destroy(m);
    return 0;
}
