/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "crypto/drbg.h"
#include "crypto/snp_vcek.h"
#include "crypto/snp_x509.h"
#include "swsev/fw.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/kds_certs.h"
#include "tools/swsevd/state.h"

static int make_certs(struct kds_certs *k, const struct install *in, const char *cmd)
{
    struct fw_params p;
    fw_params_for_chip(&p, in->chip);
    k->product = (enum snp_product)p.snp_product;
    k->product_name = snp_x509_product_name(k->product);
    if (!k->product_name)
        return cli_error(cmd, "the installation's chip (%s) has no SEV-SNP", in->chip);
    k->default_tcb = p.snp_tcb;
    k->hwid_len = snp_x509_hwid_len(k->product);
    memcpy(k->chip_secret, in->id.chip_secret, sizeof(k->chip_secret));
    k->ask_key = in->ask_key;
    if (!EVP_PKEY_up_ref(k->ask_key)) {
        k->ask_key = NULL;
        return cli_error(cmd, "out of memory");
    }
    swsev_rc rc = snp_chip_id(k->chip_secret, k->hwid);
    if (!rc)
        rc = snp_x509_ark(in->ark_key, k->product, &k->ark);
    if (!rc)
        rc = snp_x509_ask(in->ask_key, in->ark_key, k->ark, k->product, &k->ask);
    if (!rc)
        rc = snp_x509_asvk(in->ask_key, in->ark_key, k->ark, k->product, &k->asvk);
    if (!rc)
        rc = snp_x509_crl(in->ark_key, k->ark, &k->crl);
    if (rc)
        return cli_error(cmd, "cannot make the %s certificates: %s", k->product_name,
                         swsev_strerror(rc));
    return 0;
}

int kds_certs_open(struct kds_certs *k, const char *cmd, const char *state_dir, const char *chip,
                   bool create)
{
    memset(k, 0, sizeof(*k));
    char path[4096];
    struct stat st;
    snprintf(path, sizeof(path), "%s/identity", state_dir);
    bool exists = stat(path, &st) == 0;
    if (!exists && !create)
        return cli_error(cmd, "%s holds no installation (no identity file)", state_dir);
    /* A new installation must be an SNP part; an existing one is what it is
     * unless --chip names another. */
    if (!exists && !chip)
        chip = "milan";
    struct crypto_drbg *rng = NULL;
    if (crypto_drbg_new(&rng, NULL, 0))
        return cli_error(cmd, "cannot seed a random generator");
    if (!exists)
        fprintf(stderr,
                "swsev: %s: creating a %s installation in %s (an RSA-4096 root takes a "
                "few seconds)\n",
                cmd, chip, state_dir);
    struct install in;
    char err[256];
    swsev_rc rc = install_load_or_create(state_dir, chip, rng, &in, err, sizeof(err));
    crypto_drbg_free(rng);
    if (rc)
        return cli_error(cmd, "%s", err);
    int r = make_certs(k, &in, cmd);
    install_free(&in);
    if (r)
        kds_certs_close(k);
    return r;
}

swsev_rc kds_certs_vcek(const struct kds_certs *k, uint64_t tcb, X509 **out)
{
    EVP_PKEY *key = NULL;
    swsev_rc rc = snp_vcek_derive(k->chip_secret, tcb, k->product, &key);
    if (!rc)
        rc = snp_x509_vcek(key, tcb, k->product, k->hwid, k->ask_key, k->ask, out);
    EVP_PKEY_free(key);
    return rc;
}

void kds_certs_close(struct kds_certs *k)
{
    EVP_PKEY_free(k->ask_key);
    X509_free(k->ark);
    X509_free(k->ask);
    X509_free(k->asvk);
    X509_CRL_free(k->crl);
    OPENSSL_cleanse(k, sizeof(*k));
}
