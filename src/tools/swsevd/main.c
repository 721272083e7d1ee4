/* SPDX-License-Identifier: MIT */
/*
 * swsevd - one simulated AMD SEV host (SoC, Secure Processor firmware,
 * hypervisor) behind a Unix socket:
 *
 *   swsevd --state DIR --socket PATH [--chip NAME] [--seed TEXT]
 *          [--host-sme] [--no-init-on-probe]
 *
 * Clients: libswsev-preload.so and swsev-fuse (the /dev/sev and
 * /dev/sev-guest devices of unmodified programs) and the swsev CLI. Many
 * clients at once, one thread each; firmware commands are serialised by
 * the mailbox. SIGTERM or SIGINT: stop accepting, let running commands
 * finish, save state, exit 0.
 */
#include <errno.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/drbg.h"
#include "hv/sev_dev.h"
#include "hv/vm.h"
#include "swsev/machine.h"
#include "tools/common/files.h"
#include "tools/common/ops.h"
#include "tools/swsevd/certs.h"
#include "tools/swsevd/guests.h"
#include "tools/swsevd/server.h"
#include "tools/swsevd/state.h"

#define NV_MAX (64u << 10)

struct daemon {
    struct install in;
    struct swsev_machine *m;
    struct hv_kvm kvm;
    pthread_mutex_t vm_lock;
    struct hv_vm *vms[SWSEVD_MAX_VMS];
    struct swsevd_guests guests; /* SNP guests behind /dev/sev-guest */
    bool guests_up;
    char nv_path[4096];
    struct server *srv;
    sigset_t sigs;
};

static swsev_rc store_nv(void *ctx, const void *blob, size_t len)
{
    struct daemon *d = ctx;
    return file_write_atomic(d->nv_path, blob, len);
}

static int on_ioctl(void *ctx, const struct proto_ioctl *req, const struct hv_uaccess *ua)
{
    struct daemon *d = ctx;
    if (req->device == PROTO_DEV_SEV)
        return hv_sev_dev_ioctl(machine_sev_dev(d->m), req->request, req->arg,
                                req->flags & PROTO_F_WRITABLE, ua);
    /* /dev/sev-guest exists only inside an SNP guest. */
    if (req->device == PROTO_DEV_SEV_GUEST && d->guests_up)
        return swsevd_guests_ioctl(&d->guests, req->guest, req->request, req->arg, ua);
    return -ENODEV;
}

static struct hv_vm *vm_get(struct daemon *d, uint32_t id)
{
    for (int i = 0; i < SWSEVD_MAX_VMS; i++)
        if (d->vms[i] && d->vms[i]->id == id)
            return d->vms[i];
    return NULL;
}

static swsev_rc op_info(struct daemon *d, struct reply *out)
{
    struct op_info i;
    memset(&i, 0, sizeof(i));
    const struct chip_config *c = memsys_chip(machine_memsys(d->m));
    snprintf(i.chip, sizeof(i.chip), "%s", c->name);
    struct hv_sev_dev *dev = machine_sev_dev(d->m);
    i.api_major = dev->api_major;
    i.api_minor = dev->api_minor;
    i.build = dev->build;
    i.nr_asids = c->nr_asids;
    i.min_sev_asid = c->min_sev_asid;
    i.dram_size = c->dram_size;
    i.test_root = amdcert_is_test_root(&d->in.ark);
    return reply_put(out, &i, sizeof(i)) ? SWSEV_TOOL_ERR(SWSEV_E_NOMEM) : SWSEV_OK;
}

static swsev_rc vm_call(struct daemon *d, uint32_t op, const uint8_t *args, size_t len,
                        const struct hv_uaccess *ua, struct reply *out)
{
    const swsev_rc inval = SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    if (op == OP_VM_CREATE) {
        struct op_vm_create c;
        if (len != sizeof(c))
            return inval;
        memcpy(&c, args, sizeof(c));
        int slot = -1;
        for (int i = 0; i < SWSEVD_MAX_VMS && slot < 0; i++)
            if (!d->vms[i])
                slot = i;
        if (slot < 0)
            return SWSEV_TOOL_ERR(SWSEV_E_NOMEM);
        swsev_rc rc = hv_vm_create(&d->kvm, c.ram_size, c.vcpus, &d->vms[slot]);
        if (rc)
            return rc;
        return reply_put(out, &d->vms[slot]->id, 4) ? SWSEV_TOOL_ERR(SWSEV_E_NOMEM) : SWSEV_OK;
    }
    if (op == OP_VM_LIST) {
        uint32_t n = 0;
        for (int i = 0; i < SWSEVD_MAX_VMS; i++)
            n += d->vms[i] != NULL;
        reply_put(out, &n, 4);
        for (int i = 0; i < SWSEVD_MAX_VMS; i++) {
            struct hv_vm *vm = d->vms[i];
            if (!vm)
                continue;
            struct op_vm_info vi = {vm->id, vm->asid, vm->handle, vm->sev_active,
                                    vm->es, 0,        0,          vm->ram_size};
            reply_put(out, &vi, sizeof(vi));
        }
        return SWSEV_OK;
    }
    if (len < 4)
        return inval;
    uint32_t id;
    memcpy(&id, args, 4);
    struct hv_vm *vm = vm_get(d, id);
    if (!vm)
        return SWSEV_TOOL_ERR(SWSEV_E_NOTFOUND);
    switch (op) {
    case OP_VM_DESTROY:
        for (int i = 0; i < SWSEVD_MAX_VMS; i++)
            if (d->vms[i] == vm)
                d->vms[i] = NULL;
        hv_vm_destroy(vm);
        return SWSEV_OK;
    case OP_VM_WRITE:
    case OP_VM_READ: {
        struct op_vm_mem m;
        if (len < sizeof(m))
            return inval;
        memcpy(&m, args, sizeof(m));
        if (op == OP_VM_WRITE)
            return len - sizeof(m) == m.len ? hv_vm_write(vm, m.gpa, args + sizeof(m), m.len)
                                            : inval;
        if (m.len > (16u << 20))
            return inval;
        void *buf = malloc(m.len ? m.len : 1);
        if (!buf)
            return SWSEV_TOOL_ERR(SWSEV_E_NOMEM);
        swsev_rc rc = hv_vm_read_flushed(vm, m.gpa, buf, m.len);
        if (!rc && reply_put(out, buf, m.len))
            rc = SWSEV_TOOL_ERR(SWSEV_E_NOMEM);
        free(buf);
        return rc;
    }
    case OP_VM_SEV: {
        struct op_vm_sev s;
        if (len != sizeof(s))
            return inval;
        memcpy(&s, args, sizeof(s));
        uint32_t fw_error = 0;
        struct op_vm_sev_result r = {0, 0};
        r.ret = hv_vm_sev_op(vm, s.cmd, s.data, &fw_error, ua);
        r.fw_error = fw_error;
        return reply_put(out, &r, sizeof(r)) ? SWSEV_TOOL_ERR(SWSEV_E_NOMEM) : SWSEV_OK;
    }
    }
    return SWSEV_TOOL_ERR(SWSEV_E_UNSUPPORTED);
}

static swsev_rc on_call(void *ctx, uint32_t op, const uint8_t *args, size_t len,
                        const struct hv_uaccess *ua, struct reply *out)
{
    struct daemon *d = ctx;
    if (op == OP_INFO)
        return op_info(d, out);
    if (op == OP_AMD_CHAIN) {
        if (reply_put(out, d->in.ask.raw, d->in.ask.len) ||
            reply_put(out, d->in.ark.raw, d->in.ark.len))
            return SWSEV_TOOL_ERR(SWSEV_E_NOMEM);
        return SWSEV_OK;
    }
    if (op >= OP_SNP_GUEST_START && op <= OP_SNP_GUEST_LIST)
        return d->guests_up ? swsevd_guests_call(&d->guests, op, args, len, ua, out)
                            : SWSEV_TOOL_ERR(SWSEV_E_UNSUPPORTED);
    if (op >= OP_VM_CREATE && op <= OP_VM_LIST) {
        pthread_mutex_lock(&d->vm_lock);
        swsev_rc rc = vm_call(d, op, args, len, ua, out);
        pthread_mutex_unlock(&d->vm_lock);
        return rc;
    }
    return SWSEV_TOOL_ERR(SWSEV_E_UNSUPPORTED);
}

/* Signals are blocked everywhere and taken here, so no handler state. */
static void *signal_thread(void *arg)
{
    struct daemon *d = arg;
    int sig;
    sigwait(&d->sigs, &sig);
    server_stop(d->srv);
    return NULL;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: swsevd --state DIR --socket PATH [--chip NAME] [--seed TEXT]\n"
            "              [--host-sme] [--no-init-on-probe]\n\n"
            "Runs one simulated AMD SEV host and serves /dev/sev, /dev/sev-guest and the\n"
            "swsev CLI on the socket. DIR keeps the chip identity and the firmware's\n"
            "non-volatile state across restarts. SIGTERM saves state and exits.\n\n"
            "  --chip NAME         part to simulate when DIR is new (naples, rome, milan, genoa)\n"
            "  --seed TEXT         reproducible randomness (tests)\n"
            "  --host-sme          host memory encrypted with the SME key (mem_encrypt=on)\n"
            "  --no-init-on-probe  leave the platform UNINIT at start (psp_init_on_probe=0)\n");
}

static int fail(const char *msg)
{
    fprintf(stderr, "swsevd: %s\n", msg);
    return 2;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"state", required_argument, NULL, 'd'}, {"socket", required_argument, NULL, 's'},
        {"chip", required_argument, NULL, 'c'},  {"seed", required_argument, NULL, 'r'},
        {"host-sme", no_argument, NULL, 'm'},    {"no-init-on-probe", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *sock = NULL, *chip = NULL, *seed = NULL;
    bool sme = false, init = true;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            dir = optarg;
            break;
        case 's':
            sock = optarg;
            break;
        case 'c':
            chip = optarg;
            break;
        case 'r':
            seed = optarg;
            break;
        case 'm':
            sme = true;
            break;
        case 'n':
            init = false;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default: {
            char m[256];
            snprintf(m, sizeof(m), "unknown or incomplete option '%s' (try --help)",
                     argv[optind - 1]);
            return fail(m);
        }
        }
    }
    if (optind < argc)
        return fail("unexpected argument (try --help)");
    if (!dir || !sock)
        return fail("--state DIR and --socket PATH are required");
    struct chip_config probe;
    if (chip && chip_config_preset(&probe, chip))
        return fail("unknown chip (naples, rome, milan, genoa)");

    static struct daemon d;
    char err[4096 + 256];
    struct crypto_drbg *rng = NULL;
    if (crypto_drbg_new(&rng, seed, seed ? strlen(seed) : 0))
        return fail("cannot start the random generator");
    if (install_load_or_create(dir, chip, rng, &d.in, err, sizeof(err))) {
        crypto_drbg_free(rng);
        return fail(err);
    }
    crypto_drbg_free(rng);
    snprintf(d.nv_path, sizeof(d.nv_path), "%s/sev-nv", dir);
    void *nv = NULL;
    size_t nv_len = 0;
    swsev_rc rc = file_read_all(d.nv_path, NV_MAX, &nv, &nv_len);
    if (rc && rc != SWSEV_TOOL_ERR(SWSEV_E_NOTFOUND)) {
        snprintf(err, sizeof(err), "cannot read %s: %s", d.nv_path, swsev_strerror(rc));
        return fail(err);
    }
    struct machine_config mc;
    machine_config_default(&mc, d.in.chip);
    mc.seed = seed;
    mc.seed_len = seed ? strlen(seed) : 0;
    mc.host_sme = sme;
    mc.init_on_probe = init;
    struct fw_nv_ops ops = {&d, store_nv};
    rc = machine_create(&d.m, &mc, &d.in.id, nv_len ? nv : NULL, nv_len, &ops);
    free(nv);
    if (rc) {
        if (nv_len && rc == SWSEV_TOOL_ERR(SWSEV_E_VERIFY))
            snprintf(err, sizeof(err), "%s was sealed by another chip or is corrupt; refusing it",
                     d.nv_path);
        else if (nv_len && rc == SWSEV_TOOL_ERR(SWSEV_E_FORMAT))
            snprintf(err, sizeof(err), "%s is not a swsev firmware state file", d.nv_path);
        else
            snprintf(err, sizeof(err), "cannot power on the machine: %s", swsev_strerror(rc));
        install_free(&d.in);
        return fail(err);
    }
    if (hv_kvm_init(&d.kvm, machine_sev_dev(d.m))) {
        machine_destroy(d.m);
        return fail("cannot start the hypervisor");
    }
    pthread_mutex_init(&d.vm_lock, NULL);
    if (memsys_snp_enabled(machine_memsys(d.m))) {
        /* The host's certificates for extended guest requests. */
        uint8_t *certs = NULL;
        size_t certs_len = 0;
        if (swsevd_cert_table(&d.in, &certs, &certs_len))
            fprintf(stderr, "swsevd: no certificate table: extended reports carry none\n");
        swsevd_guests_init(&d.guests, &d.kvm, certs, certs_len);
        d.guests_up = true;
    }
    sigemptyset(&d.sigs);
    sigaddset(&d.sigs, SIGTERM);
    sigaddset(&d.sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &d.sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct server_handlers h = {&d, on_ioctl, on_call};
    int e = server_start(&d.srv, sock, &h);
    if (e) {
        snprintf(err, sizeof(err), "cannot listen on %s: %s", sock, strerror(-e));
        hv_kvm_fini(&d.kvm);
        machine_destroy(d.m);
        install_free(&d.in);
        return fail(err);
    }
    pthread_t st;
    pthread_create(&st, NULL, signal_thread, &d);
    fprintf(stderr, "swsevd: %s chip ready on %s (state in %s)\n", d.in.chip, sock, dir);
    server_run(d.srv);
    pthread_kill(st, SIGTERM); /* in case the server stopped on its own */
    pthread_join(st, NULL);
    server_destroy(d.srv);
    for (int i = 0; i < SWSEVD_MAX_VMS; i++)
        if (d.vms[i])
            hv_vm_destroy(d.vms[i]);
    if (d.guests_up)
        swsevd_guests_fini(&d.guests);
    hv_kvm_fini(&d.kvm);
    machine_destroy(d.m); /* the firmware's NV state is already on disk */
    install_free(&d.in);
    fprintf(stderr, "swsevd: stopped\n");
    return 0;
}
