/* SPDX-License-Identifier: MIT */
/*
 * The installation identity file:
 *   "SWSEVID1" | u32 version (1) | u32 record count |
 *   records { u32 tag | u32 length | bytes } | SHA-256 of everything before.
 * Tags: 1 chip preset name, 2 chip secret (32 bytes), 3 ARK certificate,
 * 4 ASK certificate, 5 ARK private key (DER), 6 ASK private key (DER),
 * 7 CEK certificate (0x824 bytes, signed by the ASK). Each exactly once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "crypto/digest.h"
#include "crypto/rsapss.h"
#include "crypto/sevcert.h"
#include "tools/common/files.h"
#include "tools/swsevd/state.h"

#define ID_MAGIC   "SWSEVID1"
#define ID_VERSION 1
#define ID_MAX     (64u << 10)

enum { T_CHIP = 1, T_SECRET, T_ARK, T_ASK, T_ARK_KEY, T_ASK_KEY, T_CEK, T_MAX };

#define BAD SWSEV_TOOL_ERR(SWSEV_E_FORMAT)

void install_free(struct install *in)
{
    EVP_PKEY_free(in->ark_key);
    EVP_PKEY_free(in->ask_key);
    OPENSSL_cleanse(in, sizeof(*in));
}

static swsev_rc key_matches(EVP_PKEY *priv, const struct amd_cert *c)
{
    uint8_t a[2][512], b[2][512];
    if (crypto_rsa_size(priv) != c->key_bytes)
        return BAD;
    EVP_PKEY *pub = NULL;
    swsev_rc rc = amdcert_pubkey(c, &pub);
    if (!rc)
        rc = crypto_rsa_to_le(priv, a[0], a[1], c->key_bytes);
    if (!rc)
        rc = crypto_rsa_to_le(pub, b[0], b[1], c->key_bytes);
    EVP_PKEY_free(pub);
    if (!rc && (memcmp(a[0], b[0], c->key_bytes) || memcmp(a[1], b[1], c->key_bytes)))
        rc = BAD;
    return rc;
}

swsev_rc install_parse(const void *buf, size_t len, struct install *in)
{
    const uint8_t *p = buf;
    memset(in, 0, sizeof(*in));
    if (len < 16 + 32 || len > ID_MAX || memcmp(p, ID_MAGIC, 8))
        return BAD;
    uint8_t sum[32];
    if (crypto_hash(CRYPTO_SHA256, p, len - 32, sum) || !crypto_equal(sum, p + len - 32, 32))
        return SWSEV_TOOL_ERR(SWSEV_E_VERIFY);
    uint32_t version, count;
    memcpy(&version, p + 8, 4);
    memcpy(&count, p + 12, 4);
    if (version != ID_VERSION || count != T_MAX - 1)
        return BAD;
    bool seen[T_MAX] = {false};
    size_t off = 16, end = len - 32;
    swsev_rc rc = SWSEV_OK;
    for (uint32_t i = 0; i < count && !rc; i++) {
        uint32_t tag, n;
        if (end - off < 8)
            return BAD;
        memcpy(&tag, p + off, 4);
        memcpy(&n, p + off + 4, 4);
        off += 8;
        if (tag == 0 || tag >= T_MAX || seen[tag] || n > end - off)
            return BAD;
        seen[tag] = true;
        const uint8_t *d = p + off;
        const unsigned char *dp = d;
        switch (tag) {
        case T_CHIP:
            if (n == 0 || n >= sizeof(in->chip))
                rc = BAD;
            else
                memcpy(in->chip, d, n);
            break;
        case T_SECRET:
            if (n != 32)
                rc = BAD;
            else
                memcpy(in->id.chip_secret, d, 32);
            break;
        case T_ARK:
            rc = amdcert_parse(d, n, false, &in->ark);
            break;
        case T_ASK:
            rc = amdcert_parse(d, n, false, &in->ask);
            break;
        case T_ARK_KEY:
            in->ark_key = d2i_AutoPrivateKey(NULL, &dp, (long)n);
            rc = in->ark_key && dp == d + n ? SWSEV_OK : BAD;
            break;
        case T_ASK_KEY:
            in->ask_key = d2i_AutoPrivateKey(NULL, &dp, (long)n);
            rc = in->ask_key && dp == d + n ? SWSEV_OK : BAD;
            break;
        case T_CEK:
            if (n != SEV_CERT_SIZE)
                rc = BAD;
            else
                memcpy(in->id.cek_cert, d, n);
            break;
        }
        off += n;
    }
    if (!rc && off != end)
        rc = BAD;
    /* The pieces must fit together: ARK -> ASK -> CEK, keys of the certs. */
    if (!rc && (amdcert_verify(&in->ark, &in->ark) || amdcert_verify(&in->ask, &in->ark)))
        rc = BAD;
    if (!rc)
        rc = key_matches(in->ark_key, &in->ark);
    if (!rc)
        rc = key_matches(in->ask_key, &in->ask);
    struct sev_cert cek;
    if (!rc)
        rc = sevcert_parse(in->id.cek_cert, SEV_CERT_SIZE, &cek);
    if (!rc && sevcert_verify(&cek, SEV_USAGE_ASK, in->ask_key))
        rc = BAD;
    if (!rc) {
        in->id.has_cek_cert = true;
        rc = crypto_hash(CRYPTO_SHA256, in->ark.raw, in->ark.len, in->id.trusted_ark_sha256);
        in->id.has_trusted_ark = true;
    }
    if (rc)
        install_free(in);
    return rc;
}

static int put(uint8_t **buf, size_t *len, uint32_t tag, const void *d, size_t n)
{
    uint8_t *nb = realloc(*buf, *len + 8 + n);
    if (!nb)
        return -1;
    uint32_t t = tag, l = (uint32_t)n;
    memcpy(nb + *len, &t, 4);
    memcpy(nb + *len + 4, &l, 4);
    memcpy(nb + *len + 8, d, n);
    *buf = nb;
    *len += 8 + n;
    return 0;
}

static swsev_rc create(const char *path, const char *chip, struct crypto_drbg *rng,
                       struct install *in)
{
    memset(in, 0, sizeof(*in));
    snprintf(in->chip, sizeof(in->chip), "%s", chip);
    swsev_rc rc = crypto_drbg_bytes(rng, in->id.chip_secret, 32);
    if (!rc)
        rc = amdcert_create_root(rng, &in->ark_key, &in->ark, &in->ask_key, &in->ask);
    struct fw_params params;
    fw_params_for_chip(&params, chip);
    struct sev_cert cek;
    if (!rc)
        rc = fw_cek_cert_template(in->id.chip_secret, &params, (uint8_t *)&cek);
    /* "Manufacturing": the ASK signs the chip's CEK. */
    if (!rc)
        rc = sevcert_sign(&cek, 0, SEV_USAGE_ASK, SEV_ALGO_RSA_SHA384, in->ask_key);
    if (rc) {
        install_free(in);
        return rc;
    }
    uint8_t *ark_der = NULL, *ask_der = NULL, *buf = NULL;
    int ark_n = i2d_PrivateKey(in->ark_key, &ark_der),
        ask_n = i2d_PrivateKey(in->ask_key, &ask_der);
    size_t len = 16;
    buf = calloc(1, len);
    uint32_t hdr[2] = {ID_VERSION, T_MAX - 1};
    if (buf) {
        memcpy(buf, ID_MAGIC, 8);
        memcpy(buf + 8, hdr, 8);
    }
    int bad = !buf || ark_n <= 0 || ask_n <= 0 || put(&buf, &len, T_CHIP, chip, strlen(chip)) ||
              put(&buf, &len, T_SECRET, in->id.chip_secret, 32) ||
              put(&buf, &len, T_ARK, in->ark.raw, in->ark.len) ||
              put(&buf, &len, T_ASK, in->ask.raw, in->ask.len) ||
              put(&buf, &len, T_ARK_KEY, ark_der, (size_t)ark_n) ||
              put(&buf, &len, T_ASK_KEY, ask_der, (size_t)ask_n) ||
              put(&buf, &len, T_CEK, &cek, sizeof(cek));
    uint8_t sum[32];
    if (!bad) {
        uint8_t *nb = realloc(buf, len + 32);
        bad = !nb || crypto_hash(CRYPTO_SHA256, nb, len, sum);
        if (nb) {
            buf = nb;
            memcpy(buf + len, sum, 32);
            len += 32;
        }
    }
    rc = bad ? SWSEV_TOOL_ERR(SWSEV_E_NOMEM) : file_write_atomic(path, buf, len);
    OPENSSL_clear_free(ark_der, ark_n > 0 ? (size_t)ark_n : 0);
    OPENSSL_clear_free(ask_der, ask_n > 0 ? (size_t)ask_n : 0);
    if (buf)
        OPENSSL_cleanse(buf, len);
    free(buf);
    if (!rc) {
        memcpy(in->id.cek_cert, &cek, sizeof(cek));
        in->id.has_cek_cert = true;
        rc = crypto_hash(CRYPTO_SHA256, in->ark.raw, in->ark.len, in->id.trusted_ark_sha256);
        in->id.has_trusted_ark = true;
    }
    if (rc)
        install_free(in);
    return rc;
}

swsev_rc install_load_or_create(const char *dir, const char *chip, struct crypto_drbg *rng,
                                struct install *in, char *errbuf, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/identity", dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(errbuf, errlen, "cannot create state directory %s: %s", dir, strerror(errno));
        return SWSEV_SYS_ERR(errno);
    }
    void *data;
    size_t len;
    swsev_rc rc = file_read_all(path, ID_MAX, &data, &len);
    if (rc == SWSEV_TOOL_ERR(SWSEV_E_NOTFOUND)) {
        rc = create(path, chip ? chip : "rome", rng, in);
        if (rc)
            snprintf(errbuf, errlen, "cannot create %s: %s", path, swsev_strerror(rc));
        return rc;
    }
    if (rc) {
        snprintf(errbuf, errlen, "cannot read %s: %s", path, swsev_strerror(rc));
        return rc;
    }
    rc = install_parse(data, len, in);
    OPENSSL_cleanse(data, len);
    free(data);
    if (rc) {
        snprintf(errbuf, errlen, "%s is corrupt or not a swsev identity file; refusing it", path);
        return rc;
    }
    if (chip && strcmp(chip, in->chip)) {
        snprintf(errbuf, errlen, "%s holds a %s chip, not %s", path, in->chip, chip);
        install_free(in);
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    }
    return SWSEV_OK;
}
