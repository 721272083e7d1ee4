/* SPDX-License-Identifier: MIT */
/*
 * swsev snp id-block - the guest owner's ID block (expected measurement,
 * family and image IDs, SVN, policy) and its ID auth page: the block signed
 * with the ID key, and optionally the ID key signed with an author key
 * (ECDSA P-384, SHA-384, r and s little-endian; sev-reference 3.8). The
 * firmware checks both at SNP_LAUNCH_FINISH and the report then carries
 * the keys' digests, which this command prints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "swsev/abi/snp_cmd.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/snp_cli.h"
#include "tools/swsev/util.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: swsev snp id-block --measurement HEX --id-key PEM --out-block FILE\n"
               "                          --out-auth FILE [options]\n\n"
               "  --measurement HEX   the expected launch digest (48 bytes; 'snp measure')\n"
               "  --policy N          the guest policy the launch must use (default 0x30000)\n"
               "  --id-key PEM        EC P-384 private key that signs the ID block\n"
               "  --author-key PEM    EC P-384 private key that signs the ID key (optional)\n"
               "  --family-id HEX     16 bytes (default zero)\n"
               "  --image-id HEX      16 bytes (default zero)\n"
               "  --guest-svn N       the guest SVN (default 0)\n"
               "  --out-block FILE    the 0x60-byte ID block\n"
               "  --out-auth FILE     the 0x1000-byte ID auth page\n\n"
               "Keys: openssl ecparam -name secp384r1 -genkey -noout -out id.pem\n");
}

static int load_key(const char *cmd, const char *path, EVP_PKEY **k)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return cli_error(cmd, "cannot open %s", path);
    *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    char name[32] = "";
    size_t n = 0;
    if (!*k || !EVP_PKEY_is_a(*k, "EC") ||
        !EVP_PKEY_get_utf8_string_param(*k, "group", name, sizeof(name), &n) ||
        strcmp(name, "secp384r1")) {
        EVP_PKEY_free(*k);
        *k = NULL;
        return cli_error(cmd, "%s is not an EC P-384 private key in PEM", path);
    }
    return 0;
}

static int pubkey(const char *cmd, EVP_PKEY *k, struct snp_ecdsa_pubkey *out)
{
    memset(out, 0, sizeof(*out));
    out->curve = 2;
    if (crypto_ecc_to_le(k, out->qx, out->qy))
        return cli_error(cmd, "cannot export the public key");
    return 0;
}

static int sign(const char *cmd, EVP_PKEY *k, const void *msg, size_t len,
                struct snp_ecdsa_sig *sig)
{
    memset(sig, 0, sizeof(*sig));
    if (crypto_ecdsa_sign(k, CRYPTO_SHA384, msg, len, sig->r, sig->s))
        return cli_error(cmd, "signing failed");
    return 0;
}

int snp_cmd_id_block(int argc, char **argv)
{
    const char *cmd = "snp id-block";
    const char *meas = NULL, *policy = NULL, *idk = NULL, *authk = NULL, *fam = NULL, *img = NULL,
               *svn = NULL, *out_b = NULL, *out_a = NULL;
    struct common_opts co;
    const struct opt opts[] = {
        {"measurement", &meas, NULL}, {"policy", &policy, NULL},   {"id-key", &idk, NULL},
        {"author-key", &authk, NULL}, {"family-id", &fam, NULL},   {"image-id", &img, NULL},
        {"guest-svn", &svn, NULL},    {"out-block", &out_b, NULL}, {"out-auth", &out_a, NULL},
        {NULL, NULL, NULL},
    };
    int npos = 0, r = parse_opts(cmd, argc, argv, &co, opts, NULL, 0, &npos, usage);
    if (r)
        return PARSE_EXIT(r);
    if (!meas || !idk || !out_b || !out_a)
        return cli_error(cmd, "--measurement, --id-key, --out-block and --out-auth are required");
    struct snp_id_block blk;
    memset(&blk, 0, sizeof(blk));
    blk.version = 1;
    blk.policy = 0x30000;
    if (parse_hex(meas, blk.ld, 48))
        return cli_error(cmd, "--measurement wants 48 bytes of hex");
    uint64_t pol = blk.policy;
    uint32_t svn_v = 0;
    if (policy && !cli_parse_u64(policy, &pol))
        return cli_error(cmd, "--policy wants a number");
    blk.policy = pol;
    if (fam && parse_hex(fam, blk.family_id, 16))
        return cli_error(cmd, "--family-id wants 16 bytes of hex");
    if (img && parse_hex(img, blk.image_id, 16))
        return cli_error(cmd, "--image-id wants 16 bytes of hex");
    if (svn && !parse_u32(svn, &svn_v))
        return cli_error(cmd, "--guest-svn wants a number");
    blk.guest_svn = svn_v;

    EVP_PKEY *id_key = NULL, *author = NULL;
    struct snp_id_auth *auth = calloc(1, sizeof(*auth));
    if (!auth)
        return cli_error(cmd, "out of memory");
    r = load_key(cmd, idk, &id_key);
    if (!r && authk)
        r = load_key(cmd, authk, &author);
    if (!r) {
        auth->id_key_algo = 1;
        r = pubkey(cmd, id_key, &auth->id_key);
    }
    if (!r)
        r = sign(cmd, id_key, &blk, sizeof(blk), &auth->id_block_sig);
    if (!r && author) {
        auth->auth_key_algo = 1;
        r = pubkey(cmd, author, &auth->author_key);
        if (!r)
            r = sign(cmd, author, &auth->id_key, sizeof(auth->id_key), &auth->id_key_sig);
    }
    uint8_t d[48];
    if (!r && (write_file(cmd, NULL, out_b, &blk, sizeof(blk), 0644) ||
               write_file(cmd, NULL, out_a, auth, sizeof(*auth), 0644)))
        r = CLI_EXIT_USAGE;
    if (!r) {
        crypto_hash(CRYPTO_SHA384, &auth->id_key, sizeof(auth->id_key), d);
        printf("ID_KEY_DIGEST:     ");
        print_hex(stdout, d, 48);
        printf("\n");
        if (author) {
            crypto_hash(CRYPTO_SHA384, &auth->author_key, sizeof(auth->author_key), d);
            printf("AUTHOR_KEY_DIGEST: ");
            print_hex(stdout, d, 48);
            printf("\n");
        }
    }
    EVP_PKEY_free(id_key);
    EVP_PKEY_free(author);
    free(auth);
    return r;
}
