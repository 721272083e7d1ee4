/* SPDX-License-Identifier: MIT */
/*
 * tests/support/testsupport.h - shared helpers for the cmocka tests:
 * test data files, and a small simulated machine (SoC + hypervisor memory)
 * with guests whose page tables are built the way a guest kernel would.
 */
#ifndef SWSEV_TESTSUPPORT_H
#define SWSEV_TESTSUPPORT_H

/* cmocka needs these before its header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/drbg.h"
#include "guest/pgtable.h"
#include "hv/hostmem.h"
#include "hv/npt.h"
#include "hw/memsys_fw.h"
#include "swsev/memsys.h"

/* Path of a file under tests/data (from $SWSEV_TEST_DATA); static buffer. */
const char *ts_data_path(const char *rel);
/* Read a whole file (fails the test if it cannot). Caller frees *buf. */
void ts_read_file(const char *path, uint8_t **buf, size_t *len);
/* Decode hex (no separators) into out; returns bytes written. */
size_t ts_unhex(const char *hex, uint8_t *out, size_t cap);

struct ts_machine {
    struct chip_config cfg;
    struct crypto_drbg *rng;
    struct memsys *ms;
    struct memsys_fw_port *fw;
    struct hv_hostmem hm; /* host pages above 16 MiB */
};

/* Power on a machine with the chip preset (4 GiB unless dram is non-zero),
 * a seeded DRBG and the firmware port claimed. */
void ts_machine_init(struct ts_machine *m, const char *chip, uint64_t dram);
void ts_machine_fini(struct ts_machine *m);
/* Install a key derived from the test seed in slot asid. */
void ts_set_key(struct ts_machine *m, uint32_t asid, uint8_t fill);

struct ts_guest {
    struct hw_guest_ctx ctx;
    struct hv_npt npt;
    struct guest_pgtable pt;
    uint64_t ram_spa, ram_size;
};

#define TS_GUEST_PT_POOL 0x100000ull /* GPA of the guest's page-table pool (256 KiB) */

/* A guest with ram_size bytes at GPA 0 (nested-mapped 4 KiB, writable),
 * long-mode paging with its tables in its own memory. sev selects SEV. */
void ts_guest_init(struct ts_machine *m, struct ts_guest *g, uint32_t asid, uint64_t ram_size,
                   bool sev);
void ts_guest_map(struct ts_guest *g, uint64_t gva, uint64_t gpa, uint64_t size, uint64_t flags);
void ts_guest_fini(struct ts_guest *g);

#endif
