/* SPDX-License-Identifier: MIT */
/*
 * tools/swsev/kds_certs.h - the certificates of one installation, as AMD's
 * KDS would hand them out for its chip: ARK, ASK, ASVK, the ARK's CRL, and
 * a VCEK for any TCB.
 *
 * The ASK key also signs as ASVK: an installation has one RSA test root
 * (ARK and ASK keys, state.h), and generating a further RSA-4096 key at
 * every start would cost seconds and store nothing; the ASVK certificate
 * (CN SEV-VLEK-<Product>, AMD's ASVK serial) certifies the ASK's key.
 */
#ifndef SWSEV_TOOLS_KDS_CERTS_H
#define SWSEV_TOOLS_KDS_CERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "swsev/abi/snp_report.h"
#include "swsev/status.h"

struct kds_certs {
    enum snp_product product;
    const char *product_name; /* as in KDS URLs: "Milan", "Genoa", "Turin" */
    uint64_t default_tcb;     /* the chip preset's TCB_VERSION */
    uint8_t hwid[64];         /* the chip ID; hwid_len bytes name the chip */
    size_t hwid_len;
    uint8_t chip_secret[32];
    EVP_PKEY *ask_key;
    X509 *ark, *ask, *asvk;
    X509_CRL *crl;
};

/* Load the installation in state_dir and make its certificates. The
 * installation is created (for chip, "milan" when NULL) only when create
 * is set; otherwise state_dir must hold one. One error line on stderr,
 * prefixed with cmd, and a non-zero return on failure. */
int kds_certs_open(struct kds_certs *k, const char *cmd, const char *state_dir, const char *chip,
                   bool create);
/* The chip's VCEK at tcb (a TCB_VERSION in the product's layout). */
swsev_rc kds_certs_vcek(const struct kds_certs *k, uint64_t tcb, X509 **out);
void kds_certs_close(struct kds_certs *k);

#endif
