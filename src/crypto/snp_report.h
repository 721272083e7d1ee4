/* SPDX-License-Identifier: MIT */
/*
 * crypto/snp_report.h - SEV-SNP attestation reports: a strict parser and
 * the signature check (ECDSA P-384 with SHA-384 over bytes 0x000-0x29F,
 * r and s little-endian), the product generation a report belongs to.
 */
#ifndef SWSEV_CRYPTO_SNP_REPORT_H
#define SWSEV_CRYPTO_SNP_REPORT_H

#include <stddef.h>

#include <openssl/evp.h>

#include "swsev/abi/snp_report.h"
#include "swsev/status.h"

/* Versions 2 to 5; reserved fields must be zero; algorithm 1. */
swsev_rc snp_report_parse(const void *buf, size_t len, struct snp_report *out);
/* SWSEV_OK or SWSEV_TOOL_ERR(SWSEV_E_VERIFY). */
swsev_rc snp_report_verify(const struct snp_report *r, EVP_PKEY *key);
/* Sign a report (firmware side): fills sig_r / sig_s. */
swsev_rc snp_report_sign(struct snp_report *r, EVP_PKEY *key);
/* The generation from the report's CPUID fields (version 3 and later), or
 * SNP_PRODUCT_UNKNOWN. */
enum snp_product snp_report_product(const struct snp_report *r);
const char *snp_product_name(enum snp_product p);

#endif
