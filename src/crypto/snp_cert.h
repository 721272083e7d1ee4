/* SPDX-License-Identifier: MIT */
/*
 * crypto/snp_cert.h - the SEV-SNP X.509 chain (AMD pub. 57230): ARK
 * (self-signed) -> ASK or ASVK -> VCEK or VLEK, RSASSA-PSS with SHA-384,
 * and AMD's VCEK extensions (1.3.6.1.4.1.3704.1.*): structVersion,
 * productName1, the TCB SPLs, hwID (the chip ID), cspID (VLEKs).
 */
#ifndef SWSEV_CRYPTO_SNP_CERT_H
#define SWSEV_CRYPTO_SNP_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "swsev/abi/snp_report.h"
#include "swsev/status.h"

#define SNP_OID_BASE "1.3.6.1.4.1.3704.1."

struct snp_vcek_info {
    int struct_version; /* -1 when absent */
    char product[32];   /* productName1, e.g. "Milan-B0" */
    struct snp_tcb tcb; /* blSPL, teeSPL, snpSPL, ucodeSPL, fmcSPL */
    bool has_fmc;
    uint8_t hwid[64];
    size_t hwid_len; /* 64, 8 on Turin, 0 for a VLEK */
    char csp_id[64]; /* VLEK only */
    bool vlek;
};

/* Certificates from DER, or from PEM holding one or more (in order).
 * Returns the number loaded in *n (at most max); the caller frees them. */
swsev_rc snp_x509_load(const void *buf, size_t len, X509 **out, size_t max, size_t *n);
/* AMD's extensions of a VCEK or VLEK. */
swsev_rc snp_vcek_info(X509 *c, struct snp_vcek_info *info);
enum snp_product snp_product_from_name(const char *product);

enum snp_chain_result {
    SNP_CHAIN_OK = 0,
    SNP_CHAIN_ARK_BAD,  /* ARK not correctly self-signed, or not RSA */
    SNP_CHAIN_ASK_BAD,  /* ASK/ASVK not signed by the ARK */
    SNP_CHAIN_LEAF_BAD, /* VCEK/VLEK not signed by the ASK/ASVK */
    SNP_CHAIN_KEY_BAD,  /* the leaf's key is not EC P-384 */
};
enum snp_chain_result snp_chain_verify(X509 *ark, X509 *ask, X509 *leaf);
const char *snp_chain_result_str(enum snp_chain_result r);

#endif
