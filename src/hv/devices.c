/* SPDX-License-Identifier: MIT */
/* The hypervisor's small device set (see devices.h). */
#include <stdlib.h>
#include <string.h>

#include "hv/devices.h"

swsev_rc hv_dev_init(struct hv_devices *d, uint64_t mmio_gpa, uint64_t mmio_size)
{
    memset(d, 0, sizeof(*d));
    if (mmio_size > HV_DEV_MMIO_MAX || (mmio_size && (mmio_gpa & 7)) ||
        mmio_gpa + mmio_size < mmio_gpa)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    d->out = malloc(HV_DEV_SERIAL_BUF_MAX);
    d->mmio = mmio_size ? calloc(1, mmio_size) : NULL;
    if (!d->out || (mmio_size && !d->mmio)) {
        free(d->out);
        free(d->mmio);
        return SWSEV_HV_ERR(SWSEV_E_NOMEM);
    }
    d->mmio_gpa = mmio_gpa;
    d->mmio_size = mmio_size;
    d->lcr = 0x03; /* 8N1, what firmware leaves behind */
    pthread_mutex_init(&d->lock, NULL);
    return SWSEV_OK;
}

void hv_dev_fini(struct hv_devices *d)
{
    if (!d->out)
        return;
    pthread_mutex_destroy(&d->lock);
    free(d->out);
    free(d->mmio);
    memset(d, 0, sizeof(*d));
}

void hv_dev_set_serial_out(struct hv_devices *d, hv_dev_serial_out cb, void *ctx)
{
    pthread_mutex_lock(&d->lock);
    d->out_cb = cb;
    d->out_ctx = ctx;
    pthread_mutex_unlock(&d->lock);
}

/* One byte register of the UART. Returns the read value. */
static uint8_t uart_access(struct hv_devices *d, unsigned reg, bool in, uint8_t val)
{
    bool dlab = d->lcr & HV_UART_LCR_DLAB;
    if (!in) {
        switch (reg) {
        case HV_UART_RBR_THR:
            if (dlab) {
                d->dll = val;
            } else {
                if (d->out_len < HV_DEV_SERIAL_BUF_MAX)
                    d->out[d->out_len++] = val;
                d->out_total++;
                if (d->out_cb)
                    d->out_cb(d->out_ctx, val);
            }
            break;
        case HV_UART_IER:
            if (dlab)
                d->dlm = val;
            else
                d->ier = val & 0x0F;
            break;
        case HV_UART_IIR_FCR:
            d->fcr = val;
            break;
        case HV_UART_LCR:
            d->lcr = val;
            break;
        case HV_UART_MCR:
            d->mcr = val & 0x1F;
            break;
        case HV_UART_SCR:
            d->scr = val;
            break;
        default: /* LSR and MSR are read-only */
            break;
        }
        return 0;
    }
    switch (reg) {
    case HV_UART_RBR_THR:
        return dlab ? d->dll : 0; /* never any input */
    case HV_UART_IER:
        return dlab ? d->dlm : d->ier;
    case HV_UART_IIR_FCR:
        /* No interrupt pending; FIFO bits mirror FCR's enable. */
        return (uint8_t)(0x01 | ((d->fcr & 1) ? 0xC0 : 0));
    case HV_UART_LCR:
        return d->lcr;
    case HV_UART_MCR:
        return d->mcr;
    case HV_UART_LSR:
        /* Transmits complete at once: the holding register and the shift
         * register are always empty, so polling drivers never wait. */
        return HV_UART_LSR_THRE | HV_UART_LSR_TEMT;
    case HV_UART_MSR:
        /* Loopback mirrors MCR; otherwise a cable with CTS, DSR, DCD. */
        if (d->mcr & 0x10)
            return (uint8_t)(((d->mcr & 0x02) << 3) | ((d->mcr & 0x01) << 5) |
                             ((d->mcr & 0x04) << 4) | ((d->mcr & 0x08) << 4));
        return 0xB0;
    default:
        return d->scr;
    }
}

enum hv_dev_claim hv_dev_pio(struct hv_devices *d, uint16_t port, uint8_t size, bool in,
                             uint32_t *val)
{
    if (size != 1 && size != 2 && size != 4) {
        if (in)
            *val = 0xFFFFFFFFu;
        return HV_DEV_NONE;
    }
    enum hv_dev_claim claim = HV_DEV_NONE;
    uint32_t out = 0;
    pthread_mutex_lock(&d->lock);
    if (port == HV_DEV_DEBUG_EXIT_PORT) {
        claim = HV_DEV_DEBUG_EXIT;
        uint32_t mask = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
        if (in) {
            out = mask; /* isa-debug-exit has nothing to read */
        } else {
            d->exit_written = true;
            d->exit_code = *val & mask;
        }
    } else {
        /* A wider access touches consecutive ports, one byte each. */
        for (unsigned i = 0; i < size; i++) {
            uint32_t p = (uint32_t)port + i;
            uint8_t b = 0xFF;
            if (p >= HV_DEV_SERIAL_PORT && p < HV_DEV_SERIAL_PORT + 8) {
                claim = HV_DEV_SERIAL;
                b = uart_access(d, p - HV_DEV_SERIAL_PORT, in, (uint8_t)(*val >> (8 * i)));
            }
            out |= (uint32_t)b << (8 * i);
        }
    }
    pthread_mutex_unlock(&d->lock);
    if (in)
        *val = out;
    return claim;
}

enum hv_dev_claim hv_dev_mmio(struct hv_devices *d, uint64_t gpa, uint32_t len, bool write,
                              uint8_t *data)
{
    if (len == 0 || len > 8)
        return HV_DEV_NONE;
    pthread_mutex_lock(&d->lock);
    bool hit = d->mmio_size && gpa >= d->mmio_gpa && gpa - d->mmio_gpa <= d->mmio_size &&
               len <= d->mmio_size - (gpa - d->mmio_gpa);
    if (hit) {
        uint8_t *p = d->mmio + (gpa - d->mmio_gpa);
        if (write)
            memcpy(p, data, len);
        else
            memcpy(data, p, len);
    } else if (!write) {
        memset(data, 0xFF, len);
    }
    pthread_mutex_unlock(&d->lock);
    return hit ? HV_DEV_MMIO_REGION : HV_DEV_NONE;
}

size_t hv_dev_serial_output(struct hv_devices *d, char *buf, size_t cap)
{
    pthread_mutex_lock(&d->lock);
    size_t n = d->out_len;
    if (cap) {
        size_t c = n < cap - 1 ? n : cap - 1;
        memcpy(buf, d->out, c);
        buf[c] = '\0';
    }
    pthread_mutex_unlock(&d->lock);
    return n;
}

bool hv_dev_exit_code(struct hv_devices *d, uint32_t *code)
{
    pthread_mutex_lock(&d->lock);
    bool w = d->exit_written;
    if (w)
        *code = d->exit_code;
    pthread_mutex_unlock(&d->lock);
    return w;
}
