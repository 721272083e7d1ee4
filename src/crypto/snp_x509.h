/* SPDX-License-Identifier: MIT */
/*
 * crypto/snp_x509.h - X.509 certificates for swsev's own SEV-SNP keys, in
 * AMD's profile (VCEK spec, pub. 57230), field by field as on the genuine
 * certificates in tests/data/amd/snp: subject and issuer RDNs OU, C, L, ST,
 * O, CN (UTF8String, C PrintableString); AMD's serial numbers; RSASSA-PSS
 * with SHA-384, MGF1-SHA-384, salt 48 in both AlgorithmIdentifiers, encoded
 * as AMD does (explicit NULL hash parameters; trailerField spelled out on
 * ARK/ASK/ASVK, omitted on VCEK/VLEK as the KDS has done since 2024); the
 * ARK/ASK extensions (key usage, subject and
 * authority key IDs, basic constraints, CRL distribution point at
 * kdsintf.amd.com) in AMD's order and encodings; the VCEK/VLEK extensions
 * 1.3.6.1.4.1.3704.1.* in AMD's order (it differs between Milan/Genoa and
 * Turin).
 *
 * The keys are swsev's (a test root and the derived VCEKs): the certificates
 * look like AMD's and verify only under the installation's own ARK, which a
 * verifier must trust explicitly.
 *
 * Validity is fixed so that the same keys give the same certificates (up to
 * the random PSS salt): from 2024-01-01T00:00:00Z, 25 years for ARK, ASK,
 * ASVK and the CRL, 7 years for VCEKs and VLEKs (AMD issues VLEKs for one
 * year; a fixed one-year window would long be over).
 */
#ifndef SWSEV_CRYPTO_SNP_X509_H
#define SWSEV_CRYPTO_SNP_X509_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "swsev/abi/snp_report.h"
#include "swsev/status.h"

#define SNP_X509_NOT_BEFORE    1704067200 /* 2024-01-01T00:00:00Z */
#define SNP_X509_CA_NOT_AFTER  2493072000 /* 2049-01-01T00:00:00Z */
#define SNP_X509_KEY_NOT_AFTER 1924992000 /* 2031-01-01T00:00:00Z */

/* The product as AMD's KDS names it in URLs ("Milan", "Genoa", "Turin"),
 * or NULL. */
const char *snp_x509_product_name(enum snp_product p);
/* The product of a KDS URL name (exact match), or SNP_PRODUCT_UNKNOWN. */
enum snp_product snp_x509_product_parse(const char *name);
/* Bytes of the chip ID a VCEK's hwID carries: 64, or 8 on Turin; 0 for an
 * unknown product. */
size_t snp_x509_hwid_len(enum snp_product p);

/* The self-signed ARK ("ARK-<Product>") of ark_key (RSA, private). */
swsev_rc snp_x509_ark(EVP_PKEY *ark_key, enum snp_product p, X509 **out);
/* The ASK ("SEV-<Product>"): ask_key's public part, signed by ark_key, which
 * must be the key of ark. */
swsev_rc snp_x509_ask(EVP_PKEY *ask_key, EVP_PKEY *ark_key, X509 *ark, enum snp_product p,
                      X509 **out);
/* The ASVK ("SEV-VLEK-<Product>"), the VLEK signing key: as the ASK, with
 * AMD's ASVK serial and a CRL distribution point under /vlek/. */
swsev_rc snp_x509_asvk(EVP_PKEY *asvk_key, EVP_PKEY *ark_key, X509 *ark, enum snp_product p,
                       X509 **out);
/* A VCEK ("SEV-VCEK"): vcek's public part (EC P-384), the SPLs of tcb (a
 * TCB_VERSION in p's layout), hwid (64 bytes; the first 8 on Turin), signed
 * by ask_key, the key of ask. */
swsev_rc snp_x509_vcek(EVP_PKEY *vcek, uint64_t tcb, enum snp_product p, const uint8_t hwid[64],
                       EVP_PKEY *ask_key, X509 *ask, X509 **out);
/* A VLEK ("SEV-VLEK"): as a VCEK but with the cloud provider's csp_id
 * (printable ASCII, 1-63 characters, e.g. "CN=cc-us-east-2.amazonaws.com")
 * instead of a hwID, signed by asvk_key, the key of asvk. */
swsev_rc snp_x509_vlek(EVP_PKEY *vlek, uint64_t tcb, enum snp_product p, const char *csp_id,
                       EVP_PKEY *asvk_key, X509 *asvk, X509 **out);
/* The product's CRL: v2, issued and signed by the ARK, nothing revoked,
 * with the ARK's key ID and CRL number 1. */
swsev_rc snp_x509_crl(EVP_PKEY *ark_key, X509 *ark, X509_CRL **out);

/* Encodings; *out is malloc'ed, the caller frees it. PEM is one
 * "CERTIFICATE" block. */
swsev_rc snp_x509_to_der(X509 *c, uint8_t **out, size_t *len);
swsev_rc snp_x509_to_pem(X509 *c, char **out, size_t *len);
swsev_rc snp_x509_crl_to_der(X509_CRL *c, uint8_t **out, size_t *len);

#endif
