/* SPDX-License-Identifier: MIT */
/*
 * hv/devices.h - the hypervisor's small device set, reached by port I/O
 * and MMIO exits (GHCB IOIO/MMIO events now, plain intercepts later):
 *
 *  - a serial console at 0x3F8 (a 16550 as far as a polling driver sees
 *    it): THR writes append to an output buffer and call a callback, LSR
 *    always says the transmitter is empty, there is never input;
 *  - a debug-exit port at 0xF4 (QEMU's isa-debug-exit): the value written
 *    becomes the guest's exit code (QEMU's process exits with
 *    (value << 1) | 1; we keep the value itself);
 *  - an MMIO test region: a small RAM-like window at a GPA above guest RAM
 *    whose reads return what was written.
 *
 * Ports no device claims read as all ones and drop writes, MMIO nobody
 * claims likewise, as on a PC. Thread-safe: one lock per device set.
 */
#ifndef SWSEV_HV_DEVICES_H
#define SWSEV_HV_DEVICES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/status.h"

#define HV_DEV_SERIAL_PORT     0x3F8u /* COM1: 8 registers */
#define HV_DEV_DEBUG_EXIT_PORT 0xF4u
#define HV_DEV_SERIAL_BUF_MAX  (64u * 1024) /* output kept; later bytes go only to the callback */
#define HV_DEV_MMIO_MAX        (64u * 1024)

/* 16550 registers (offset from the base) and the LSR bits we report. */
#define HV_UART_RBR_THR  0 /* DLAB = 0 */
#define HV_UART_IER      1
#define HV_UART_IIR_FCR  2
#define HV_UART_LCR      3
#define HV_UART_MCR      4
#define HV_UART_LSR      5
#define HV_UART_MSR      6
#define HV_UART_SCR      7
#define HV_UART_LCR_DLAB 0x80u
#define HV_UART_LSR_THRE 0x20u
#define HV_UART_LSR_TEMT 0x40u

/* Called for every byte the guest transmits (may be NULL), with the device
 * lock held: it must not call back into the device set. */
typedef void (*hv_dev_serial_out)(void *ctx, uint8_t byte);

struct hv_devices {
    pthread_mutex_t lock;
    /* serial */
    uint8_t *out; /* bytes transmitted so far (at most HV_DEV_SERIAL_BUF_MAX) */
    size_t out_len;
    uint64_t out_total; /* all bytes, including those no longer buffered */
    hv_dev_serial_out out_cb;
    void *out_ctx;
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
    /* debug exit */
    bool exit_written;
    uint32_t exit_code;
    /* MMIO test region */
    uint64_t mmio_gpa, mmio_size;
    uint8_t *mmio;
};

/* mmio_size 0: no MMIO region; else at most HV_DEV_MMIO_MAX bytes at
 * mmio_gpa (8-byte aligned, no wrap-around). */
swsev_rc hv_dev_init(struct hv_devices *d, uint64_t mmio_gpa, uint64_t mmio_size);
void hv_dev_fini(struct hv_devices *d);
void hv_dev_set_serial_out(struct hv_devices *d, hv_dev_serial_out cb, void *ctx);

/* What an access did. */
enum hv_dev_claim {
    HV_DEV_NONE = 0, /* no device: reads all ones, writes dropped */
    HV_DEV_SERIAL = 1,
    HV_DEV_DEBUG_EXIT = 2,
    HV_DEV_MMIO_REGION = 3,
};

/* One port access of size 1, 2 or 4 bytes; *val in (OUT) or out (IN). */
enum hv_dev_claim hv_dev_pio(struct hv_devices *d, uint16_t port, uint8_t size, bool in,
                             uint32_t *val);
/* One MMIO access of 1..8 bytes; data in (write) or out (read). */
enum hv_dev_claim hv_dev_mmio(struct hv_devices *d, uint64_t gpa, uint32_t len, bool write,
                              uint8_t *data);

/* The console output so far (copied, NUL-terminated, truncated to cap - 1);
 * returns the number of bytes buffered. */
size_t hv_dev_serial_output(struct hv_devices *d, char *buf, size_t cap);
/* The debug-exit code, if the guest wrote one. */
bool hv_dev_exit_code(struct hv_devices *d, uint32_t *code);

#endif
