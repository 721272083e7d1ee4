/* SPDX-License-Identifier: MIT */
/*
 * swsev/abi/sev_cert.h - the SEV platform certificate (PEK, PDH, OCA, CEK;
 * 0x824 bytes) and the AMD signing-key certificate (ARK, ASK), AMD pub.
 * 55766 appendix C (sev-reference 2.1-2.4).
 */
#ifndef SWSEV_ABI_SEV_CERT_H
#define SWSEV_ABI_SEV_CERT_H

#include <stddef.h>
#include <stdint.h>

#define SEV_CERT_SIZE 0x824

enum sev_cert_usage {
    SEV_USAGE_ARK = 0x0000,
    SEV_USAGE_ASK = 0x0013,
    SEV_USAGE_INVALID = 0x1000, /* an empty signature slot */
    SEV_USAGE_OCA = 0x1001,
    SEV_USAGE_PEK = 0x1002,
    SEV_USAGE_PDH = 0x1003,
    SEV_USAGE_CEK = 0x1004,
};

enum sev_cert_algo {
    SEV_ALGO_INVALID = 0x0000,
    SEV_ALGO_RSA_SHA256 = 0x0001,
    SEV_ALGO_ECDSA_SHA256 = 0x0002,
    SEV_ALGO_ECDH_SHA256 = 0x0003,
    SEV_ALGO_RSA_SHA384 = 0x0101,
    SEV_ALGO_ECDSA_SHA384 = 0x0102,
    SEV_ALGO_ECDH_SHA384 = 0x0103,
};

#define SEV_EC_CURVE_P256 1
#define SEV_EC_CURVE_P384 2

struct sev_ec_pubkey {
    uint32_t curve;
    uint8_t qx[72];
    uint8_t qy[72];
    uint8_t reserved[880];
} __attribute__((packed));
_Static_assert(sizeof(struct sev_ec_pubkey) == 0x404, "EC public key is 0x404 bytes");

struct sev_ecdsa_sig {
    uint8_t r[72];
    uint8_t s[72];
    uint8_t reserved[368];
} __attribute__((packed));
_Static_assert(sizeof(struct sev_ecdsa_sig) == 0x200, "signature is 0x200 bytes");

struct sev_cert_sig {
    uint32_t usage;
    uint32_t algo;
    uint8_t sig[0x200]; /* struct sev_ecdsa_sig, or an RSA signature (LE) */
} __attribute__((packed));

struct sev_cert {
    uint32_t version; /* 1 */
    uint8_t api_major, api_minor;
    uint8_t reserved[2];
    uint32_t pubkey_usage;
    uint32_t pubkey_algo;
    uint8_t pubkey[0x404]; /* struct sev_ec_pubkey */
    struct sev_cert_sig sig[2];
} __attribute__((packed));
_Static_assert(sizeof(struct sev_cert) == SEV_CERT_SIZE, "SEV certificate is 0x824 bytes");
_Static_assert(offsetof(struct sev_cert, sig) == 0x414, "signatures start at 0x414");
#define SEV_CERT_SIGNED_LEN 0x414

/* AMD signing-key certificate header (0x40 bytes), followed by PUBEXP,
 * MODULUS and SIGNATURE, each modulus_size / 8 bytes, little-endian. */
struct amd_cert_hdr {
    uint32_t version; /* 1 */
    uint8_t key_id[16];
    uint8_t certifying_id[16];
    uint32_t key_usage; /* SEV_USAGE_ARK or SEV_USAGE_ASK */
    uint8_t reserved[16];
    uint32_t pubexp_size;  /* bits */
    uint32_t modulus_size; /* bits */
} __attribute__((packed));
_Static_assert(sizeof(struct amd_cert_hdr) == 0x40, "AMD certificate header is 0x40 bytes");

#endif
