/* SPDX-License-Identifier: MIT */
/*
 * tools/swsevd/state.h - the daemon's state directory.
 *
 *   DIR/identity   the installation: chip preset and secret, the generated
 *                  ARK/ASK test root (keys and certificates) and the CEK
 *                  certificate it signed. Versioned, with a SHA-256 over
 *                  the whole file; created once, never rewritten.
 *   DIR/sev-nv     the firmware's sealed non-volatile state (owner keys),
 *                  replaced atomically whenever the firmware changes it.
 *
 * A file that is corrupt, of another version, or (for sev-nv) sealed by
 * another chip is refused with one clear error and nothing of it is used.
 */
#ifndef SWSEV_SWSEVD_STATE_H
#define SWSEV_SWSEVD_STATE_H

#include <openssl/evp.h>

#include "crypto/amdcert.h"
#include "swsev/fw.h"

struct install {
    char chip[16];
    struct fw_identity id;
    EVP_PKEY *ark_key, *ask_key;
    struct amd_cert ark, ask;
};

/* Load DIR/identity, or create it (and DIR) for chip when absent.
 * errbuf gets a one-line reason on failure. */
swsev_rc install_load_or_create(const char *dir, const char *chip, struct crypto_drbg *rng,
                                struct install *in, char *errbuf, size_t errlen);
void install_free(struct install *in);
/* Parse an identity file's bytes (exposed for tests and fuzzing). */
swsev_rc install_parse(const void *buf, size_t len, struct install *in);

#endif
