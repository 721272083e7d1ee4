/* SPDX-License-Identifier: MIT */
/*
 * swsev snp guest start|stop|list - SNP guests in swsevd, each with its
 * own /dev/sev-guest; swsev snp report - a report from inside one of them
 * through /dev/sev-guest (SNP_GET_REPORT, or SNP_GET_EXT_REPORT with the
 * host's certificates), the way snpguest or go-sev-guest ask for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ioctl.h>
#include <linux/sev-guest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/snp_plan.h"
#include "tools/common/client.h"
#include "tools/common/ops.h"
#include "tools/common/proto.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/snp_cli.h"
#include "tools/swsev/util.h"

static void usage_guest(FILE *f)
{
    fprintf(f, "usage: swsev snp guest start NAME --ovmf FILE [--vcpus N] [--vcpu-type NAME]\n"
               "                 [--policy N] [--host-data HEX] [--guest-features N]\n"
               "       swsev snp guest stop NAME\n"
               "       swsev snp guest list\n\n"
               "SNP guests in swsevd (--socket PATH or $SWSEV_SOCKET). Programs reach a\n"
               "guest's /dev/sev-guest through libswsev-preload.so or swsev-fuse with\n"
               "SWSEV_GUEST=NAME (not needed while one guest runs).\n");
}

static int guest_start(const char *cmd, int fd, const char *name, int argc, char **argv)
{
    const char *ovmf = NULL, *vcpus = NULL, *type = NULL, *policy = NULL, *hd = NULL, *feat = NULL;
    struct common_opts co;
    const struct opt opts[] = {
        {"ovmf", &ovmf, NULL},     {"vcpus", &vcpus, NULL},  {"vcpu-type", &type, NULL},
        {"policy", &policy, NULL}, {"host-data", &hd, NULL}, {"guest-features", &feat, NULL},
        {NULL, NULL, NULL},
    };
    int npos = 0, r = parse_opts(cmd, argc, argv, &co, opts, NULL, 0, &npos, usage_guest);
    if (r)
        return PARSE_EXIT(r);
    struct op_snp_guest_start s;
    memset(&s, 0, sizeof(s));
    if (strlen(name) >= sizeof(s.name))
        return cli_error(cmd, "the name is too long (at most %zu characters)", sizeof(s.name) - 1);
    memcpy(s.name, name, strlen(name));
    s.vcpus = 1;
    s.policy = 0x30000;
    s.guest_features = 1;
    s.vmm = VMSA_VMM_QEMU;
    uint64_t v;
    uint32_t sig;
    if (!snp_plan_cpu_sig_by_name(type ? type : "EPYC-Milan", &sig))
        return cli_error(cmd, "unknown --vcpu-type '%s'", type);
    s.vcpu_sig = sig;
    if (vcpus && (!cli_parse_u64(vcpus, &v) || v == 0 || v > 64))
        return cli_error(cmd, "--vcpus wants 1 to 64");
    if (vcpus)
        s.vcpus = (uint32_t)v;
    if (policy && !cli_parse_u64(policy, &v))
        return cli_error(cmd, "--policy wants a number");
    if (policy)
        s.policy = v;
    if (feat && !cli_parse_u64(feat, &v))
        return cli_error(cmd, "--guest-features wants a number");
    if (feat)
        s.guest_features = v;
    if (hd && parse_hex(hd, s.host_data, 32))
        return cli_error(cmd, "--host-data wants 32 bytes of hex");
    if (!ovmf)
        return cli_error(cmd, "--ovmf is required");
    uint8_t *img;
    size_t len;
    if (read_file(cmd, ovmf, 64u << 20, &img, &len))
        return CLI_EXIT_USAGE;
    s.ovmf_addr = (uint64_t)(uintptr_t)img;
    s.ovmf_len = (uint32_t)len;
    void *reply = NULL;
    size_t rlen = 0;
    swsev_rc rc = daemon_call(fd, OP_SNP_GUEST_START, &s, sizeof(s), &reply, &rlen);
    free(img);
    if (rc || rlen != sizeof(struct op_snp_guest_started)) {
        free(reply);
        fprintf(stderr, "swsev: %s: swsevd could not start the guest: %s\n", cmd,
                swsev_strerror(rc));
        return CLI_EXIT_FAILURE;
    }
    struct op_snp_guest_started st;
    memcpy(&st, reply, sizeof(st));
    free(reply);
    printf("guest %s running (%llu pages launched); MEASUREMENT ", name,
           (unsigned long long)st.pages);
    print_hex(stdout, st.measurement, 48);
    printf("\n");
    return CLI_EXIT_OK;
}

int snp_cmd_guest(int argc, char **argv)
{
    const char *cmd = "snp guest";
    if (argc < 2 || cli_wants_help(argc, argv)) {
        usage_guest(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const char *sub = argv[1];
    struct common_opts co = {NULL, false};
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--socket"))
            co.socket = argv[i + 1];
    if (strcmp(sub, "start") && strcmp(sub, "stop") && strcmp(sub, "list"))
        return cli_error(cmd, "unknown action '%s' (start, stop, list)", sub);
    if (strcmp(sub, "list") && (argc < 3 || argv[2][0] == '-'))
        return cli_error(cmd, "%s needs a guest NAME", sub);
    int fd = daemon_connect(&co, cmd);
    if (fd < 0)
        return CLI_EXIT_USAGE;
    int r = CLI_EXIT_OK;
    if (!strcmp(sub, "start")) {
        r = guest_start(cmd, fd, argv[2], argc - 2, argv + 2);
    } else if (!strcmp(sub, "stop")) {
        char name[SWSEVD_GUEST_NAME] = {0};
        snprintf(name, sizeof(name), "%s", argv[2]);
        void *reply = NULL;
        size_t rlen = 0;
        swsev_rc rc = daemon_call(fd, OP_SNP_GUEST_STOP, name, sizeof(name), &reply, &rlen);
        free(reply);
        if (rc) {
            fprintf(stderr, "swsev: %s: no guest %s: %s\n", cmd, argv[2], swsev_strerror(rc));
            r = CLI_EXIT_FAILURE;
        }
    } else {
        void *reply = NULL;
        size_t rlen = 0;
        swsev_rc rc = daemon_call(fd, OP_SNP_GUEST_LIST, NULL, 0, &reply, &rlen);
        uint32_t n = 0;
        if (rc || rlen < 4) {
            fprintf(stderr, "swsev: %s: %s\n", cmd, swsev_strerror(rc));
            r = CLI_EXIT_FAILURE;
        } else {
            memcpy(&n, reply, 4);
            for (uint32_t i = 0; i < n && 4 + (i + 1) * sizeof(struct op_snp_guest_info) <= rlen;
                 i++) {
                struct op_snp_guest_info gi;
                memcpy(&gi, (uint8_t *)reply + 4 + i * sizeof(gi), sizeof(gi));
                printf("%-20.*s ASID %3u policy 0x%llx measurement ", (int)sizeof(gi.name), gi.name,
                       gi.asid, (unsigned long long)gi.policy);
                print_hex(stdout, gi.measurement, 48);
                printf("\n");
            }
        }
        free(reply);
    }
    close(fd);
    return r;
}

/* ---- snp report ---- */

static void usage_report(FILE *f)
{
    fprintf(f, "usage: swsev snp report [--guest NAME] [--report-data HEX] [--vmpl N]\n"
               "                        [--out FILE] [--certs-dir DIR]\n\n"
               "Asks /dev/sev-guest for an attestation report, as a program inside the guest.\n"
               "With swsevd (--socket or $SWSEV_SOCKET) the guest is NAME (or $SWSEV_GUEST);\n"
               "without it the real /dev/sev-guest is used. --certs-dir uses the extended\n"
               "request and writes the host's certificates there (vcek.der, ask.der, ark.der).\n");
}

struct guest_dev {
    int fd;
    bool daemon;
    char guest[64];
};

static int guest_ioctl(struct guest_dev *g, unsigned long req, struct snp_guest_request_ioctl *io)
{
    if (!g->daemon)
        return ioctl(g->fd, req, io) < 0 ? -errno : 0;
    struct proto_ioctl p = {
        .device = PROTO_DEV_SEV_GUEST, .flags = 0, .request = req, .arg = (uint64_t)(uintptr_t)io};
    memcpy(p.guest, g->guest, sizeof(p.guest));
    int err = 0;
    return client_ioctl(g->fd, &p, &umem_process_ops, &err) < 0 ? -err : 0;
}

/* Write the certificates of a GHCB certificate table as files. */
static int write_certs(const char *cmd, const char *dir, const uint8_t *t, size_t len)
{
    static const struct {
        uint8_t guid[16];
        const char *name;
    } known[] = {
        {{0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac,
          0xcd},
         "vcek.der"},
        {{0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7,
          0x82},
         "ask.der"},
        {{0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0,
          0xae},
         "ark.der"},
    };
    static const uint8_t zero[24];
    int written = 0;
    for (size_t off = 0; off + 24 <= len && memcmp(t + off, zero, 24); off += 24) {
        uint32_t o, l;
        memcpy(&o, t + off + 16, 4);
        memcpy(&l, t + off + 20, 4);
        if (o > len || l > len - o)
            return cli_error(cmd, "the host's certificate table is malformed");
        for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
            if (!memcmp(t + off, known[k].guid, 16)) {
                if (write_file(cmd, dir, known[k].name, t + o, l, 0644))
                    return CLI_EXIT_USAGE;
                written++;
            }
    }
    if (!written)
        return cli_error(cmd, "the host returned no certificates");
    return 0;
}

int snp_cmd_report(int argc, char **argv)
{
    const char *cmd = "snp report";
    const char *guest = NULL, *rd = NULL, *vmpl = NULL, *out = NULL, *certs_dir = NULL;
    struct common_opts co;
    const struct opt opts[] = {
        {"guest", &guest, NULL}, {"report-data", &rd, NULL},      {"vmpl", &vmpl, NULL},
        {"out", &out, NULL},     {"certs-dir", &certs_dir, NULL}, {NULL, NULL, NULL},
    };
    int npos = 0, r = parse_opts(cmd, argc, argv, &co, opts, NULL, 0, &npos, usage_report);
    if (r)
        return PARSE_EXIT(r);
    struct snp_ext_report_req q;
    memset(&q, 0, sizeof(q));
    if (rd && parse_hex(rd, q.data.user_data, 64))
        return cli_error(cmd, "--report-data wants 64 bytes of hex");
    if (vmpl && (!parse_u32(vmpl, &q.data.vmpl) || q.data.vmpl > 3))
        return cli_error(cmd, "--vmpl wants 0 to 3");
    struct guest_dev g;
    memset(&g, 0, sizeof(g));
    const char *sock = co.socket ? co.socket : getenv("SWSEV_SOCKET");
    const char *name = guest ? guest : getenv("SWSEV_GUEST");
    if (name)
        snprintf(g.guest, sizeof(g.guest), "%s", name);
    g.daemon = sock && *sock;
    g.fd = g.daemon ? proto_connect(sock) : open("/dev/sev-guest", O_RDWR);
    if (g.fd < 0)
        return cli_error(cmd, "cannot reach %s: %s", g.daemon ? sock : "/dev/sev-guest",
                         strerror(g.daemon ? -g.fd : errno));
    struct snp_report_resp resp;
    struct snp_guest_request_ioctl io;
    memset(&resp, 0, sizeof(resp));
    memset(&io, 0, sizeof(io));
    io.msg_version = 1;
    io.resp_data = (uint64_t)(uintptr_t)&resp;
    uint8_t *certs = NULL;
    int e;
    if (certs_dir) {
        /* As go-sev-guest: ask for the size first, then with a buffer. */
        io.req_data = (uint64_t)(uintptr_t)&q;
        e = guest_ioctl(&g, SNP_GET_EXT_REPORT, &io);
        if (e == -EIO && (io.exitinfo2 >> 32) == 1 && q.certs_len) {
            certs = calloc(1, q.certs_len);
            q.certs_address = (uint64_t)(uintptr_t)certs;
            memset(&io, 0, sizeof(io));
            io.msg_version = 1;
            io.req_data = (uint64_t)(uintptr_t)&q;
            io.resp_data = (uint64_t)(uintptr_t)&resp;
            e = certs ? guest_ioctl(&g, SNP_GET_EXT_REPORT, &io) : -ENOMEM;
        }
    } else {
        io.req_data = (uint64_t)(uintptr_t)&q.data;
        e = guest_ioctl(&g, SNP_GET_REPORT, &io);
    }
    close(g.fd);
    uint32_t status = 0, size = 0;
    memcpy(&status, resp.data, 4);
    memcpy(&size, resp.data + 4, 4);
    if (e) {
        fprintf(stderr, "swsev: %s: /dev/sev-guest: %s (exitinfo2 0x%llx)\n", cmd, strerror(-e),
                (unsigned long long)io.exitinfo2);
        free(certs);
        return CLI_EXIT_FAILURE;
    }
    if (status || size != 0x4A0) {
        fprintf(stderr, "swsev: %s: the firmware refused the request: status 0x%x\n", cmd, status);
        free(certs);
        return CLI_EXIT_FAILURE;
    }
    r = CLI_EXIT_OK;
    if (out && write_file(cmd, NULL, out, resp.data + 32, 0x4A0, 0644))
        r = CLI_EXIT_USAGE;
    if (!r && certs_dir && write_certs(cmd, certs_dir, certs, q.certs_len))
        r = CLI_EXIT_FAILURE;
    free(certs);
    if (!r) {
        printf("report: %u bytes%s%s; MEASUREMENT ", size, out ? " written to " : "",
               out ? out : "");
        print_hex(stdout, resp.data + 32 + 0x90, 48);
        printf("\n");
    }
    return r;
}
