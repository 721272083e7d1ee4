/* SPDX-License-Identifier: MIT */
/*
 * swsev platform ... - the platform owner's commands, issued exactly as an
 * unmodified tool would: SEV_ISSUE_CMD on /dev/sev (swsevd's, or a real one).
 */
#include <errno.h>
#include <linux/psp-sev.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/amdcert.h"
#include "crypto/sevcert.h"
#include "swsev/abi/sev_cert.h"
#include "tools/common/ops.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/util.h"

static const char *state_name(unsigned s)
{
    return s == 0 ? "UNINIT" : s == 1 ? "INIT" : s == 2 ? "WORKING" : "UNKNOWN";
}

static void usage(FILE *f)
{
    fprintf(f, "usage: swsev platform ACTION [--socket PATH] [--json]\n\n"
               "The platform owner's SEV commands, through /dev/sev (the swsevd named by\n"
               "--socket or $SWSEV_SOCKET, or else the real device).\n\n"
               "actions:\n"
               "  status                  API version, build, state, owner, SEV-ES, guests\n"
               "  reset                   FACTORY_RESET: new owner keys at the next INIT\n"
               "  pek-gen                 new OCA, PEK and PDH (self-owned)\n"
               "  pdh-gen                 new PDH\n"
               "  pek-csr --out FILE      the PEK signing request (0x824-byte certificate)\n"
               "  pek-import --pek FILE --oca FILE\n"
               "                          take ownership: PEK signed by your OCA\n"
               "  export DIR              pdh, pek, oca, cek (and ask, ark from swsevd) .cert\n"
               "  get-id                  the chip ID (GET_ID2)\n");
}

static int status(struct devsev *d, const struct common_opts *co)
{
    struct sev_user_data_status s;
    uint32_t err;
    memset(&s, 0, sizeof(s));
    if (devsev_issue(d, SEV_PLATFORM_STATUS, &s, &err))
        return report_ioctl_failure("platform status", "PLATFORM_STATUS", err);
    bool owner = s.flags & 1, es = s.flags & SEV_STATUS_FLAGS_CONFIG_ES;
    if (co->json) {
        struct json j;
        json_open(&j, stdout);
        json_u64(&j, "api_major", s.api_major);
        json_u64(&j, "api_minor", s.api_minor);
        json_u64(&j, "build", s.build);
        json_str(&j, "state", state_name(s.state));
        json_str(&j, "owner", owner ? "external" : "self");
        json_bool(&j, "sev_es", es);
        json_u64(&j, "guests", s.guest_count);
        json_close(&j);
    } else {
        printf("API version: %u.%u (build %u)\nstate:       %s\nowner:       %s\n"
               "SEV-ES:      %s\nguests:      %u\n",
               s.api_major, s.api_minor, s.build, state_name(s.state),
               owner ? "externally owned" : "self-owned", es ? "initialised" : "no", s.guest_count);
    }
    return CLI_EXIT_OK;
}

static int simple(struct devsev *d, uint32_t cmd, const char *name)
{
    uint32_t err;
    if (devsev_issue(d, cmd, NULL, &err))
        return report_ioctl_failure("platform", name, err);
    printf("%s: done\n", name);
    return CLI_EXIT_OK;
}

static int pek_csr(struct devsev *d, const char *out)
{
    struct sev_user_data_pek_csr q = {0, 0};
    uint32_t err;
    uint8_t csr[SEV_CERT_SIZE];
    if (!out)
        return cli_error("platform pek-csr", "--out FILE is required");
    q.address = (uint64_t)(uintptr_t)csr;
    q.length = sizeof(csr);
    if (devsev_issue(d, SEV_PEK_CSR, &q, &err))
        return report_ioctl_failure("platform pek-csr", "PEK_CSR", err);
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", out);
    char *slash = strrchr(dir, '/');
    const char *name = out;
    if (slash) {
        *slash = 0;
        name = slash + 1;
    } else {
        strcpy(dir, ".");
    }
    if (write_file("platform pek-csr", dir, name, csr, q.length, 0644))
        return CLI_EXIT_USAGE;
    printf("PEK signing request written to %s (%u bytes)\n", out, q.length);
    return CLI_EXIT_OK;
}

static int pek_import(struct devsev *d, const char *pek_path, const char *oca_path)
{
    const char *cmd = "platform pek-import";
    if (!pek_path || !oca_path)
        return cli_error(cmd, "--pek FILE and --oca FILE are required");
    uint8_t pek[SEV_CERT_SIZE], oca[SEV_CERT_SIZE];
    if (read_exact(cmd, pek_path, pek, sizeof(pek)) || read_exact(cmd, oca_path, oca, sizeof(oca)))
        return CLI_EXIT_USAGE;
    struct sev_user_data_pek_cert_import im = {(uint64_t)(uintptr_t)pek, sizeof(pek),
                                               (uint64_t)(uintptr_t)oca, sizeof(oca)};
    uint32_t err;
    if (devsev_issue(d, SEV_PEK_CERT_IMPORT, &im, &err))
        return report_ioctl_failure(cmd, "PEK_CERT_IMPORT", err);
    printf("PEK certificate imported: the platform is now externally owned\n");
    return CLI_EXIT_OK;
}

static int export(struct devsev *d, const struct common_opts *co, const char *dir)
{
    const char *cmd = "platform export";
    uint8_t pdh[SEV_CERT_SIZE], chain[3 * SEV_CERT_SIZE];
    struct sev_user_data_pdh_cert_export e = {(uint64_t)(uintptr_t)pdh, sizeof(pdh),
                                              (uint64_t)(uintptr_t)chain, sizeof(chain)};
    uint32_t err;
    if (devsev_issue(d, SEV_PDH_CERT_EXPORT, &e, &err))
        return report_ioctl_failure(cmd, "PDH_CERT_EXPORT", err);
    if (mkdir(dir, 0755) && errno != EEXIST)
        return cli_error(cmd, "cannot create %s: %s", dir, strerror(errno));
    if (write_file(cmd, dir, "pdh.cert", pdh, sizeof(pdh), 0644) ||
        write_file(cmd, dir, "pek.cert", chain, SEV_CERT_SIZE, 0644) ||
        write_file(cmd, dir, "oca.cert", chain + SEV_CERT_SIZE, SEV_CERT_SIZE, 0644) ||
        write_file(cmd, dir, "cek.cert", chain + 2 * SEV_CERT_SIZE, SEV_CERT_SIZE, 0644))
        return CLI_EXIT_USAGE;
    int n = 4;
    if (d->daemon) {
        /* The AMD part comes from the installation's root (AMD's KDS on hardware). */
        int fd = daemon_connect(co, cmd);
        void *r = NULL;
        size_t len = 0;
        if (fd < 0)
            return CLI_EXIT_USAGE;
        swsev_rc rc = daemon_call(fd, OP_AMD_CHAIN, NULL, 0, &r, &len);
        close(fd);
        struct amd_cert ask, ark;
        size_t half = len / 2;
        if (rc || len % 2 || amdcert_parse(r, half, false, &ask) ||
            amdcert_parse((uint8_t *)r + half, half, false, &ark)) {
            free(r);
            return cli_error(cmd, "swsevd did not return an AMD chain");
        }
        if (write_file(cmd, dir, "ask.cert", ask.raw, ask.len, 0644) ||
            write_file(cmd, dir, "ark.cert", ark.raw, ark.len, 0644)) {
            free(r);
            return CLI_EXIT_USAGE;
        }
        free(r);
        n = 6;
    }
    printf("%d certificates written to %s\n", n, dir);
    return CLI_EXIT_OK;
}

static int get_id(struct devsev *d, const struct common_opts *co)
{
    uint8_t id[256];
    struct sev_user_data_get_id2 q = {(uint64_t)(uintptr_t)id, sizeof(id)};
    uint32_t err;
    if (devsev_issue(d, SEV_GET_ID2, &q, &err))
        return report_ioctl_failure("platform get-id", "GET_ID", err);
    if (co->json) {
        struct json j;
        json_open(&j, stdout);
        json_hex(&j, "chip_id", id, q.length);
        json_close(&j);
    } else {
        print_hex(stdout, id, q.length);
        putchar('\n');
    }
    return CLI_EXIT_OK;
}

int cmd_platform(int argc, char **argv)
{
    struct common_opts co;
    const char *out = NULL, *pek = NULL, *oca = NULL;
    const struct opt extra[] = {
        {"out", &out, NULL}, {"pek", &pek, NULL}, {"oca", &oca, NULL}, {NULL, NULL, NULL}};
    char *pos[2];
    int npos;
    int r = parse_opts("platform", argc, argv, &co, extra, pos, 2, &npos, usage);
    if (r)
        return PARSE_EXIT(r);
    if (npos == 0)
        return cli_error("platform", "which action? (try --help)");
    const char *act = pos[0];
    static const char *const acts[] = {"status",  "reset",      "pek-gen", "pdh-gen",
                                       "pek-csr", "pek-import", "export",  "get-id"};
    bool known = false;
    for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
        known = known || !strcmp(act, acts[i]);
    if (!known)
        return cli_error("platform", "unknown action '%s' (try --help)", act);
    if (!strcmp(act, "export") ? npos != 2 : npos != 1)
        return cli_error("platform", "%s: wrong number of arguments (try --help)", act);
    struct devsev d;
    bool ro = !strcmp(act, "status") || !strcmp(act, "get-id");
    if (devsev_open(&d, &co, !ro, "platform"))
        return CLI_EXIT_USAGE;
    if (!strcmp(act, "status"))
        r = status(&d, &co);
    else if (!strcmp(act, "reset"))
        r = simple(&d, SEV_FACTORY_RESET, "FACTORY_RESET");
    else if (!strcmp(act, "pek-gen"))
        r = simple(&d, SEV_PEK_GEN, "PEK_GEN");
    else if (!strcmp(act, "pdh-gen"))
        r = simple(&d, SEV_PDH_GEN, "PDH_GEN");
    else if (!strcmp(act, "pek-csr"))
        r = pek_csr(&d, out);
    else if (!strcmp(act, "pek-import"))
        r = pek_import(&d, pek, oca);
    else if (!strcmp(act, "export"))
        r = export(&d, &co, pos[1]);
    else
        r = get_id(&d, &co);
    devsev_close(&d);
    return r;
}
