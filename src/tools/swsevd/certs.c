/* SPDX-License-Identifier: MIT */
/* The host's SNP certificate table (see certs.h). */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/snp_vcek.h"
#include "crypto/snp_x509.h"
#include "tools/swsevd/certs.h"

/* GHCB spec, SNP extended guest request: the certificate GUIDs. */
static const uint8_t guid_vcek[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
                                      0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd};
static const uint8_t guid_ask[16] = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
                                     0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82};
static const uint8_t guid_ark[16] = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
                                     0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae};

swsev_rc swsevd_cert_table(const struct install *in, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    struct fw_params fp;
    fw_params_for_chip(&fp, in->chip);
    enum snp_product p = (enum snp_product)fp.snp_product;
    if (p == SNP_PRODUCT_UNKNOWN)
        return SWSEV_TOOL_ERR(SWSEV_E_UNSUPPORTED);
    X509 *ark = NULL, *ask = NULL, *vcek = NULL;
    EVP_PKEY *vk = NULL;
    uint8_t hwid[64], *der[3] = {NULL, NULL, NULL};
    size_t dlen[3] = {0, 0, 0};
    swsev_rc rc = snp_x509_ark(in->ark_key, p, &ark);
    if (!rc)
        rc = snp_x509_ask(in->ask_key, in->ark_key, ark, p, &ask);
    if (!rc)
        rc = snp_chip_id(in->id.chip_secret, hwid);
    if (!rc)
        rc = snp_vcek_derive(in->id.chip_secret, fp.snp_tcb, p, &vk);
    if (!rc)
        rc = snp_x509_vcek(vk, fp.snp_tcb, p, hwid, in->ask_key, ask, &vcek);
    X509 *certs[3] = {vcek, ask, ark};
    for (int i = 0; i < 3 && !rc; i++)
        rc = snp_x509_to_der(certs[i], &der[i], &dlen[i]);
    if (!rc) {
        const uint8_t *guids[3] = {guid_vcek, guid_ask, guid_ark};
        size_t hdr = 4 * 24, total = hdr + dlen[0] + dlen[1] + dlen[2];
        uint8_t *t = calloc(1, total);
        if (!t) {
            rc = SWSEV_SYS_ERR(12);
        } else {
            uint32_t off = (uint32_t)hdr;
            for (int i = 0; i < 3; i++) {
                uint32_t l = (uint32_t)dlen[i];
                memcpy(t + 24 * i, guids[i], 16);
                memcpy(t + 24 * i + 16, &off, 4);
                memcpy(t + 24 * i + 20, &l, 4);
                memcpy(t + off, der[i], dlen[i]);
                off += l;
            }
            *out = t;
            *len = total;
        }
    }
    for (int i = 0; i < 3; i++)
        free(der[i]);
    X509_free(ark);
    X509_free(ask);
    X509_free(vcek);
    EVP_PKEY_free(vk);
    return rc;
}
