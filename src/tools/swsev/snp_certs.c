/* SPDX-License-Identifier: MIT */
/*
 * swsev snp certs export DIR --state SDIR [--tcb N] - the installation's
 * ARK, ASK and VCEK as files, PEM and DER, with the names snpguest and
 * snphost use (ark.pem, ask.pem, vcek.pem), so that a verifier can be
 * pointed at a directory instead of at AMD's KDS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/snp_x509.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/kds_certs.h"
#include "tools/swsev/snp_cli.h"
#include "tools/swsev/util.h"

#define CMD "snp certs"

static void usage(FILE *f)
{
    fprintf(f, "usage: swsev snp certs export DIR --state SDIR [--tcb N]\n\n"
               "Writes the installation's certificates into DIR (created if missing):\n"
               "ark.pem, ask.pem, vcek.pem and the same as .der. The VCEK is the chip's\n"
               "at its preset TCB, or at --tcb N (a TCB_VERSION, e.g. 0x7308000000000003).\n"
               "SDIR is swsevd's state directory; it must hold an installation.\n");
}

/* name.pem and name.der of one certificate. */
static int write_cert(const char *dir, const char *name, X509 *c)
{
    char *pem = NULL;
    uint8_t *der = NULL;
    size_t pl = 0, dl = 0;
    char file[64];
    int r = -1;
    if (snp_x509_to_pem(c, &pem, &pl) || snp_x509_to_der(c, &der, &dl)) {
        cli_error(CMD, "cannot encode the %s certificate", name);
    } else {
        snprintf(file, sizeof(file), "%s.pem", name);
        r = write_file(CMD, dir, file, pem, pl, 0644);
        snprintf(file, sizeof(file), "%s.der", name);
        if (!r)
            r = write_file(CMD, dir, file, der, dl, 0644);
    }
    free(pem);
    free(der);
    return r;
}

int snp_cmd_certs(int argc, char **argv)
{
    const char *state = NULL, *tcb_s = NULL;
    const struct opt opts[] = {{"state", &state, NULL}, {"tcb", &tcb_s, NULL}, {NULL, NULL, NULL}};
    struct common_opts co;
    char *pos[2];
    int npos;
    int r = parse_opts(CMD, argc, argv, &co, opts, pos, 2, &npos, usage);
    if (r)
        return PARSE_EXIT(r);
    if (npos != 2 || strcmp(pos[0], "export"))
        return cli_error(CMD, "usage: swsev snp certs export DIR --state SDIR [--tcb N]");
    if (!state)
        return cli_error(CMD, "--state SDIR is required");
    uint64_t tcb = 0;
    if (tcb_s && !cli_parse_u64(tcb_s, &tcb))
        return cli_error(CMD, "--tcb: '%s' is not a number", tcb_s);
    const char *dir = pos[1];
    if (mkdir(dir, 0755) && errno != EEXIST)
        return cli_error(CMD, "cannot create %s: %s", dir, strerror(errno));
    struct kds_certs k;
    if (kds_certs_open(&k, CMD, state, NULL, false))
        return CLI_EXIT_FAILURE;
    X509 *vcek = NULL;
    swsev_rc rc = kds_certs_vcek(&k, tcb_s ? tcb : k.default_tcb, &vcek);
    if (rc)
        r = cli_error(CMD, "cannot make the VCEK: %s", swsev_strerror(rc));
    else if (write_cert(dir, "ark", k.ark) || write_cert(dir, "ask", k.ask) ||
             write_cert(dir, "vcek", vcek))
        r = CLI_EXIT_FAILURE;
    X509_free(vcek);
    kds_certs_close(&k);
    return r;
}
