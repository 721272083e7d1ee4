/* SPDX-License-Identifier: MIT */
/*
 * swsev vm ... - the VMM's side of an SEV launch, through swsevd's
 * KVM-style SEV layer (KVM_MEMORY_ENCRYPT_OP with <linux/kvm.h> structs;
 * guest memory is addressed by GPA).
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "swsev/abi/sev_cert.h"
#include "swsev/abi/sev_cmd.h"
#include "swsev/abi/sev_launch.h"
#include "swsev/fw_status.h"
#include "tools/common/ops.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/util.h"

static const char *gstate_name(unsigned s)
{
    static const char *n[] = {"UNINIT",  "LUPDATE", "LSECRET", "RUNNING",
                              "SUPDATE", "RUPDATE", "SENT"};
    return s < 7 ? n[s] : "UNKNOWN";
}

static void usage(FILE *f)
{
    fprintf(f, "usage: swsev vm ACTION [ARGS] [--socket PATH] [--json]\n\n"
               "The VMM's side of an SEV guest on swsevd (KVM-style SEV commands).\n\n"
               "actions:\n"
               "  launch --image FILE [--gpa ADDR] [--ram SIZE] [--policy N]\n"
               "         [--session PREFIX] [--es] [--vcpus N]\n"
               "                      create a VM, load the image, LAUNCH_START (with the\n"
               "                      owner's PREFIX_godh.b64 / PREFIX_session.b64) and\n"
               "                      LAUNCH_UPDATE_DATA (and _VMSA for --es); prints the VM id\n"
               "  measure ID [--out FILE]   LAUNCH_MEASURE (48 bytes: MEASURE, MNONCE)\n"
               "  inject-secret ID --secret PREFIX --gpa ADDR\n"
               "                      LAUNCH_SECRET with PREFIX_header.bin / PREFIX_payload.bin\n"
               "  finish ID           LAUNCH_FINISH\n"
               "  status ID           GUEST_STATUS\n"
               "  dbg-decrypt ID --gpa ADDR --len N [--out FILE]\n"
               "                      DBG_DECRYPT (refused unless the policy allows debugging)\n"
               "  read ID --gpa ADDR --len N   the host's view of guest memory\n"
               "  destroy ID          DEACTIVATE, DECOMMISSION, free the memory\n"
               "  list                the VMs swsevd holds\n");
}

struct vmctx {
    int fd;
    uint32_t id;
    const char *cmd;
};

static int vm_sev(struct vmctx *v, uint32_t cmd, void *data, const char *what)
{
    struct op_vm_sev a = {v->id, cmd, (uint64_t)(uintptr_t)data};
    void *r = NULL;
    size_t n = 0;
    swsev_rc rc = daemon_call(v->fd, OP_VM_SEV, &a, sizeof(a), &r, &n);
    struct op_vm_sev_result res;
    if (rc || n != sizeof(res)) {
        free(r);
        if (rc == SWSEV_TOOL_ERR(SWSEV_E_NOTFOUND))
            return cli_error(v->cmd, "no VM %u in swsevd", v->id);
        return cli_error(v->cmd, "%s: %s", what, swsev_strerror(rc));
    }
    memcpy(&res, r, sizeof(res));
    free(r);
    if (res.ret) {
        errno = -res.ret;
        return report_ioctl_failure(v->cmd, what, res.fw_error);
    }
    return 0;
}

static int parse_id(const char *cmd, const char *s, uint32_t *id)
{
    if (!s || !parse_u32(s, id) || *id == 0)
        return cli_error(cmd, "expected a VM id, not '%s'", s ? s : "nothing");
    return 0;
}

static int launch(struct vmctx *v, const struct common_opts *co, const char *image,
                  const char *gpa_s, const char *ram_s, const char *pol_s, const char *session,
                  bool es, const char *vcpus_s)
{
    const char *cmd = v->cmd;
    uint64_t gpa = 0, ram = 64ull << 20;
    uint32_t policy = 0, vcpus = 1;
    if (!image)
        return cli_error(cmd, "--image FILE is required");
    if ((gpa_s && !cli_parse_u64(gpa_s, &gpa)) || (ram_s && !cli_parse_u64(ram_s, &ram)) ||
        (pol_s && !parse_u32(pol_s, &policy)) || (vcpus_s && !parse_u32(vcpus_s, &vcpus)))
        return cli_error(cmd, "bad number in --gpa, --ram, --policy or --vcpus");
    if (gpa % 16)
        return cli_error(cmd, "--gpa must be 16-byte aligned");
    uint8_t *img;
    size_t n;
    if (read_file(cmd, image, 256u << 20, &img, &n))
        return CLI_EXIT_USAGE;
    if (n == 0 || gpa + n > ram) {
        free(img);
        return cli_error(cmd, "the image (%zu bytes at 0x%llx) does not fit in %llu bytes of RAM",
                         n, (unsigned long long)gpa, (unsigned long long)ram);
    }
    struct sev_cert godh;
    struct sev_session_blob blob;
    char p[4200];
    if (session) {
        snprintf(p, sizeof(p), "%s_godh.b64", session);
        if (read_b64_file(cmd, p, (uint8_t *)&godh, sizeof(godh))) {
            free(img);
            return CLI_EXIT_USAGE;
        }
        snprintf(p, sizeof(p), "%s_session.b64", session);
        if (read_b64_file(cmd, p, (uint8_t *)&blob, sizeof(blob))) {
            free(img);
            return CLI_EXIT_USAGE;
        }
    }
    struct op_vm_create c = {ram, vcpus};
    void *r = NULL;
    size_t rn = 0;
    swsev_rc rc = daemon_call(v->fd, OP_VM_CREATE, &c, sizeof(c), &r, &rn);
    if (rc || rn != 4) {
        free(r);
        free(img);
        return cli_error(cmd, "cannot create the VM: %s", swsev_strerror(rc));
    }
    memcpy(&v->id, r, 4);
    free(r);
    /* Load the image in 1 MiB pieces (the host writes plaintext). */
    for (size_t off = 0; off < n && !rc; off += 1u << 20) {
        size_t k = n - off < (1u << 20) ? n - off : (1u << 20);
        uint8_t *msg = malloc(sizeof(struct op_vm_mem) + k);
        struct op_vm_mem m = {v->id, gpa + off, (uint32_t)k};
        memcpy(msg, &m, sizeof(m));
        memcpy(msg + sizeof(m), img + off, k);
        rc = daemon_call(v->fd, OP_VM_WRITE, msg, sizeof(m) + k, &r, &rn);
        free(r);
        free(msg);
    }
    free(img);
    int ret = rc ? cli_error(cmd, "cannot load the image: %s", swsev_strerror(rc)) : 0;
    if (!ret)
        ret = vm_sev(v, es ? KVM_SEV_ES_INIT : KVM_SEV_INIT, NULL, es ? "SEV-ES init" : "SEV init");
    struct kvm_sev_launch_start ls = {0, policy, 0, 0, 0, 0};
    if (session) {
        ls.dh_uaddr = (uint64_t)(uintptr_t)&godh;
        ls.dh_len = sizeof(godh);
        ls.session_uaddr = (uint64_t)(uintptr_t)&blob;
        ls.session_len = sizeof(blob);
    }
    if (!ret)
        ret = vm_sev(v, KVM_SEV_LAUNCH_START, &ls, "LAUNCH_START");
    struct kvm_sev_launch_update_data up = {gpa, (uint32_t)((n + 15) & ~(size_t)15)};
    if (!ret)
        ret = vm_sev(v, KVM_SEV_LAUNCH_UPDATE_DATA, &up, "LAUNCH_UPDATE_DATA");
    if (!ret && es)
        ret = vm_sev(v, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, "LAUNCH_UPDATE_VMSA");
    if (ret) {
        daemon_call(v->fd, OP_VM_DESTROY, &v->id, 4, &r, &rn);
        free(r);
        return ret;
    }
    if (co->json) {
        struct json j;
        json_open(&j, stdout);
        json_u64(&j, "vm", v->id);
        json_u64(&j, "handle", ls.handle);
        json_u64(&j, "policy", policy);
        json_u64(&j, "image_bytes", n);
        json_close(&j);
    } else {
        printf("vm %u: SEV%s guest handle %u, policy 0x%x, %zu image bytes encrypted at "
               "GPA 0x%llx\n",
               v->id, es ? "-ES" : "", ls.handle, policy, n, (unsigned long long)gpa);
    }
    return CLI_EXIT_OK;
}

static int measure(struct vmctx *v, const struct common_opts *co, const char *out)
{
    struct sev_launch_measure_blob m;
    struct kvm_sev_launch_measure lm = {(uint64_t)(uintptr_t)&m, sizeof(m)};
    int r = vm_sev(v, KVM_SEV_LAUNCH_MEASURE, &lm, "LAUNCH_MEASURE");
    if (r)
        return r;
    if (out) {
        FILE *f = fopen(out, "wb");
        if (!f || fwrite(&m, 1, sizeof(m), f) != sizeof(m) || fclose(f))
            return cli_error(v->cmd, "cannot write %s", out);
    }
    if (co->json) {
        struct json j;
        json_open(&j, stdout);
        json_hex(&j, "measure", m.measure, 32);
        json_hex(&j, "mnonce", m.mnonce, 16);
        json_close(&j);
    } else {
        printf("MEASURE: ");
        print_hex(stdout, m.measure, 32);
        printf("\nMNONCE:  ");
        print_hex(stdout, m.mnonce, 16);
        putchar('\n');
    }
    return CLI_EXIT_OK;
}

static int inject(struct vmctx *v, const char *prefix, const char *gpa_s)
{
    uint64_t gpa;
    if (!prefix || !gpa_s || !cli_parse_u64(gpa_s, &gpa))
        return cli_error(v->cmd, "--secret PREFIX and --gpa ADDR are required");
    char p[4200];
    struct sev_packet_hdr hdr;
    uint8_t *payload;
    size_t n;
    snprintf(p, sizeof(p), "%s_header.bin", prefix);
    if (read_exact(v->cmd, p, &hdr, sizeof(hdr)))
        return CLI_EXIT_USAGE;
    snprintf(p, sizeof(p), "%s_payload.bin", prefix);
    if (read_file(v->cmd, p, 4096, &payload, &n))
        return CLI_EXIT_USAGE;
    struct kvm_sev_launch_secret ls = {(uint64_t)(uintptr_t)&hdr,    sizeof(hdr), gpa, (uint32_t)n,
                                       (uint64_t)(uintptr_t)payload, (uint32_t)n};
    int r = vm_sev(v, KVM_SEV_LAUNCH_SECRET, &ls, "LAUNCH_SECRET");
    free(payload);
    if (!r)
        printf("secret injected at GPA 0x%llx (%zu bytes)\n", (unsigned long long)gpa, n);
    return r;
}

static int status(struct vmctx *v, const struct common_opts *co)
{
    struct kvm_sev_guest_status gs;
    int r = vm_sev(v, KVM_SEV_GUEST_STATUS, &gs, "GUEST_STATUS");
    if (r)
        return r;
    if (co->json) {
        struct json j;
        json_open(&j, stdout);
        json_u64(&j, "handle", gs.handle);
        json_u64(&j, "policy", gs.policy);
        json_str(&j, "state", gstate_name(gs.state));
        json_close(&j);
    } else {
        printf("handle %u, policy 0x%x, state %s\n", gs.handle, gs.policy, gstate_name(gs.state));
    }
    return CLI_EXIT_OK;
}

static int memory(struct vmctx *v, const struct common_opts *co, bool dbg, const char *gpa_s,
                  const char *len_s, const char *out)
{
    uint64_t gpa, len;
    if (!gpa_s || !len_s || !cli_parse_u64(gpa_s, &gpa) || !cli_parse_u64(len_s, &len) ||
        len == 0 || len > (1u << 20))
        return cli_error(v->cmd, "--gpa ADDR and --len N (1..1M) are required");
    uint8_t *buf = malloc(len);
    if (!buf)
        return cli_error(v->cmd, "out of memory");
    int r = 0;
    if (dbg) {
        struct kvm_sev_dbg d = {gpa, (uint64_t)(uintptr_t)buf, (uint32_t)len};
        r = vm_sev(v, KVM_SEV_DBG_DECRYPT, &d, "DBG_DECRYPT");
    } else {
        struct op_vm_mem m = {v->id, gpa, (uint32_t)len};
        void *rep = NULL;
        size_t n = 0;
        swsev_rc rc = daemon_call(v->fd, OP_VM_READ, &m, sizeof(m), &rep, &n);
        if (rc || n != len)
            r = cli_error(v->cmd, "cannot read guest memory: %s", swsev_strerror(rc));
        else
            memcpy(buf, rep, len);
        free(rep);
    }
    if (!r && out) {
        FILE *f = fopen(out, "wb");
        if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
            r = cli_error(v->cmd, "cannot write %s", out);
    } else if (!r && co->json) {
        struct json j;
        json_open(&j, stdout);
        json_u64(&j, "gpa", gpa);
        json_hex(&j, "bytes", buf, len);
        json_close(&j);
    } else if (!r) {
        for (uint64_t i = 0; i < len; i += 16) {
            printf("%08llx  ", (unsigned long long)(gpa + i));
            for (uint64_t k = i; k < i + 16 && k < len; k++)
                printf("%02x ", buf[k]);
            printf(" ");
            for (uint64_t k = i; k < i + 16 && k < len; k++)
                putchar(buf[k] >= 32 && buf[k] < 127 ? buf[k] : '.');
            putchar('\n');
        }
    }
    free(buf);
    return r;
}

static int list(struct vmctx *v, const struct common_opts *co)
{
    void *r = NULL;
    size_t n = 0;
    swsev_rc rc = daemon_call(v->fd, OP_VM_LIST, NULL, 0, &r, &n);
    uint32_t count = 0;
    if (rc || n < 4 || (memcpy(&count, r, 4), n != 4 + count * sizeof(struct op_vm_info))) {
        free(r);
        return cli_error(v->cmd, "cannot list VMs: %s", swsev_strerror(rc));
    }
    struct json j;
    if (co->json) {
        json_open(&j, stdout);
        json_u64(&j, "count", count);
    }
    for (uint32_t i = 0; i < count; i++) {
        struct op_vm_info vi;
        memcpy(&vi, (uint8_t *)r + 4 + i * sizeof(vi), sizeof(vi));
        if (co->json) {
            char key[16];
            snprintf(key, sizeof(key), "%u", vi.vm);
            json_obj(&j, key);
            json_u64(&j, "handle", vi.handle);
            json_u64(&j, "asid", vi.asid);
            json_bool(&j, "sev_es", vi.es);
            json_u64(&j, "ram", vi.ram_size);
            json_end_obj(&j);
        } else {
            printf("vm %u: %s, handle %u, ASID %u, %llu MiB\n", vi.vm,
                   vi.sev ? (vi.es ? "SEV-ES" : "SEV") : "not SEV", vi.handle, vi.asid,
                   (unsigned long long)(vi.ram_size >> 20));
        }
    }
    if (co->json)
        json_close(&j);
    free(r);
    return CLI_EXIT_OK;
}

int cmd_vm(int argc, char **argv)
{
    /* `vm run` runs a guest in this process; the other actions talk to swsevd. */
    if (argc >= 2 && !strcmp(argv[1], "run"))
        return vm_cmd_run(argc - 1, argv + 1);
    const char *cmd = "vm";
    struct common_opts co;
    const char *image = NULL, *gpa = NULL, *ram = NULL, *pol = NULL, *session = NULL, *vcpus = NULL,
               *out = NULL, *secret = NULL, *len = NULL;
    bool es = false;
    const struct opt extra[] = {
        {"image", &image, NULL}, {"gpa", &gpa, NULL},         {"ram", &ram, NULL},
        {"policy", &pol, NULL},  {"session", &session, NULL}, {"vcpus", &vcpus, NULL},
        {"out", &out, NULL},     {"secret", &secret, NULL},   {"len", &len, NULL},
        {"es", NULL, &es},       {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    int r = parse_opts(cmd, argc, argv, &co, extra, pos, 2, &npos, usage);
    if (r)
        return PARSE_EXIT(r);
    if (npos == 0)
        return cli_error(cmd, "which action? (try --help)");
    const char *act = pos[0];
    static const char *const with_id[] = {"measure",     "inject-secret", "finish", "status",
                                          "dbg-decrypt", "read",          "destroy"};
    bool needs_id = false;
    for (size_t i = 0; i < sizeof(with_id) / sizeof(with_id[0]); i++)
        needs_id = needs_id || !strcmp(act, with_id[i]);
    if (!needs_id && strcmp(act, "launch") && strcmp(act, "list"))
        return cli_error(cmd, "unknown action '%s' (try --help)", act);
    struct vmctx v = {-1, 0, cmd};
    if (needs_id ? (npos != 2 || parse_id(cmd, pos[1], &v.id)) : npos != 1)
        return npos != 1 && !needs_id
                   ? cli_error(cmd, "%s takes no argument", act)
                   : (npos != 2 ? cli_error(cmd, "%s needs a VM id", act) : CLI_EXIT_USAGE);
    v.fd = daemon_connect(&co, cmd);
    if (v.fd < 0)
        return CLI_EXIT_USAGE;
    if (!strcmp(act, "launch"))
        r = launch(&v, &co, image, gpa, ram, pol, session, es, vcpus);
    else if (!strcmp(act, "list"))
        r = list(&v, &co);
    else if (!strcmp(act, "measure"))
        r = measure(&v, &co, out);
    else if (!strcmp(act, "inject-secret"))
        r = inject(&v, secret, gpa);
    else if (!strcmp(act, "finish"))
        r = vm_sev(&v, KVM_SEV_LAUNCH_FINISH, NULL, "LAUNCH_FINISH") ?: (printf("launched\n"), 0);
    else if (!strcmp(act, "status"))
        r = status(&v, &co);
    else if (!strcmp(act, "dbg-decrypt"))
        r = memory(&v, &co, true, gpa, len, out);
    else if (!strcmp(act, "read"))
        r = memory(&v, &co, false, gpa, len, out);
    else {
        void *rep = NULL;
        size_t n = 0;
        swsev_rc rc = daemon_call(v.fd, OP_VM_DESTROY, &v.id, 4, &rep, &n);
        free(rep);
        r = rc ? cli_error(cmd, "cannot destroy VM %u: %s", v.id, swsev_strerror(rc))
               : (printf("vm %u destroyed\n", v.id), 0);
    }
    close(v.fd);
    return r;
}
