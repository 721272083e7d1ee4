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

/* ---- a whole simulated host: SoC + firmware + hypervisor drivers ---- */
#include "hv/psp_drv.h"
#include "hv/sev_dev.h"
#include "swsev/fw.h"
#include "swsev/machine.h"

struct ts_host {
    struct swsev_machine *m;
    struct hv_psp *psp;
    struct memsys *ms;
    struct fw_identity id;
    uint8_t nv[40960]; /* last sealed NV blob the firmware stored */
    size_t nv_len;
    unsigned nv_stores;
    char tag[32]; /* seeds the chip secret and the DRBG */
    bool snp_off; /* power on without the host's SNP set-up */
};

/* chip preset; secret_tag selects the chip secret (same tag, same chip). */
void ts_host_init(struct ts_host *h, const char *chip, const char *secret_tag, bool init_on_probe);
/* The same without the host's boot-time RMP set-up and SNP_INIT. */
void ts_host_init_nosnp(struct ts_host *h, const char *chip, const char *secret_tag,
                        bool init_on_probe);
/* Power on again with the NV state of the previous run. */
void ts_host_restart(struct ts_host *h, bool init_on_probe);
void ts_host_fini(struct ts_host *h);
/* Issue a firmware command through the PSP driver; returns the status. */
uint16_t ts_cmd(struct ts_host *h, uint32_t cmd, void *buf, size_t len);
/* A host buffer for the firmware (zeroed) and copies in and out of it. */
uint64_t ts_hbuf(struct ts_host *h, size_t len);
void ts_hwrite(struct ts_host *h, uint64_t pa, const void *p, size_t len);
void ts_hread(struct ts_host *h, uint64_t pa, void *p, size_t len);
/* PLATFORM_STATUS as raw bytes (for "nothing changed" checks). */
void ts_platform_status(struct ts_host *h, uint8_t out[12]);

/* copy_from_user / copy_to_user on this process's own memory. */
#define ts_uaccess_self hv_uaccess_self

/* A test ARK/ASK (RSA-4096), generated once per test program. */
#include "crypto/amdcert.h"
struct ts_root {
    EVP_PKEY *ark_key, *ask_key;
    struct amd_cert ark, ask;
};
const struct ts_root *ts_test_root(void);
/* Sign the host's CEK with the root's ASK, trust the root's ARK, restart. */
void ts_host_provision(struct ts_host *h, const struct ts_root *root);
