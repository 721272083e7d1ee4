/* SPDX-License-Identifier: MIT */
/*
 * The SNP part of the demo: an installation (chip secret, RSA-4096 test
 * root, X.509 ARK/ASK/VCEK in AMD's profile), an SNP guest launched from
 * Debian's OVMF whose MEASUREMENT was computed offline first, a report the
 * guest asks for over the guest-request path, verified by our verifier and
 * by the openssl command line, a replayed request refused, and the RMP
 * stopping the hypervisor from writing the guest's memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>

#include "crypto/amdcert.h"
#include "crypto/drbg.h"
#include "crypto/snp_cert.h"
#include "crypto/snp_report.h"
#include "crypto/snp_vcek.h"
#include "crypto/snp_x509.h"
#include "hv/vm.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/fw_status.h"
#include "tools/swsev/cli.h"
#include "tools/swsev/snp_run.h"

#define OVMF_PATH "/usr/share/ovmf/OVMF.fd"

struct snp_demo_root {
    EVP_PKEY *ark_key, *ask_key;
    X509 *ark, *ask, *vcek;
};

static bool make_certs(struct crypto_drbg *rng, const uint8_t chip_secret[32],
                       const struct fw_params *fp, struct snp_demo_root *r)
{
    struct amd_cert ark, ask;
    uint8_t hwid[64];
    EVP_PKEY *vcek = NULL;
    enum snp_product p = (enum snp_product)fp->snp_product;
    bool ok = !amdcert_create_root(rng, &r->ark_key, &ark, &r->ask_key, &ask) &&
              !snp_x509_ark(r->ark_key, p, &r->ark) &&
              !snp_x509_ask(r->ask_key, r->ark_key, r->ark, p, &r->ask) &&
              !snp_chip_id(chip_secret, hwid) &&
              !snp_vcek_derive(chip_secret, fp->snp_tcb, p, &vcek) &&
              !snp_x509_vcek(vcek, fp->snp_tcb, p, hwid, r->ask_key, r->ask, &r->vcek);
    EVP_PKEY_free(vcek);
    return ok;
}

static void free_certs(struct snp_demo_root *r)
{
    EVP_PKEY_free(r->ark_key);
    EVP_PKEY_free(r->ask_key);
    X509_free(r->ark);
    X509_free(r->ask);
    X509_free(r->vcek);
}

static bool write_pem(const char *dir, const char *name, X509 *c)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    bool ok = f && PEM_write_X509(f, c);
    if (f)
        fclose(f);
    return ok;
}

/* The report's signature in DER for `openssl dgst -verify`. */
static bool write_sig(const char *dir, const struct snp_report *r)
{
    uint8_t rb[48], sb[48];
    for (int i = 0; i < 48; i++) {
        rb[i] = r->sig_r[47 - i];
        sb[i] = r->sig_s[47 - i];
    }
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *br = BN_bin2bn(rb, 48, NULL), *bs = BN_bin2bn(sb, 48, NULL);
    bool ok = sig && br && bs && ECDSA_SIG_set0(sig, br, bs);
    if (!ok) {
        BN_free(br);
        BN_free(bs);
    }
    unsigned char *der = NULL;
    int n = ok ? i2d_ECDSA_SIG(sig, &der) : -1;
    ECDSA_SIG_free(sig);
    char path[512];
    snprintf(path, sizeof(path), "%s/report.sig", dir);
    FILE *f = n > 0 ? fopen(path, "wb") : NULL;
    ok = f && fwrite(der, 1, (size_t)n, f) == (size_t)n;
    if (f)
        fclose(f);
    OPENSSL_free(der);
    snprintf(path, sizeof(path), "%s/report.body", dir);
    f = ok ? fopen(path, "wb") : NULL;
    ok = f && fwrite(r, 1, SNP_REPORT_SIGNED_LEN, f) == SNP_REPORT_SIGNED_LEN;
    if (f)
        fclose(f);
    return ok;
}

static bool run_quiet(const char *cmdline)
{
    char full[1200];
    snprintf(full, sizeof(full), "%.1024s >/dev/null 2>&1", cmdline);
    return system(full) == 0;
}

static void openssl_checks(struct demo_ctx *d, struct snp_demo_root *root,
                           const struct snp_report *rep)
{
    char dir[] = "/tmp/swsev-demo-snp-XXXXXX";
    if (!mkdtemp(dir)) {
        demo_step(d, false, "openssl: no temporary directory");
        return;
    }
    char cmd[1024];
    bool files = write_pem(dir, "ark.pem", root->ark) && write_pem(dir, "ask.pem", root->ask) &&
                 write_pem(dir, "vcek.pem", root->vcek) && write_sig(dir, rep);
    snprintf(cmd, sizeof(cmd),
             "openssl verify -CAfile %s/ark.pem -untrusted %s/ask.pem %s/vcek.pem", dir, dir, dir);
    bool chain = files && run_quiet(cmd);
    snprintf(cmd, sizeof(cmd),
             "openssl x509 -in %s/vcek.pem -pubkey -noout > %s/vcek.pub && "
             "openssl dgst -sha384 -verify %s/vcek.pub -signature %s/report.sig %s/report.body",
             dir, dir, dir, dir, dir);
    bool sig = files && run_quiet(cmd);
    demo_step(d, chain && sig,
              "openssl verify accepts ARK -> ASK -> VCEK and openssl dgst the report's signature");
    const char *names[] = {"ark.pem",  "ask.pem",    "vcek.pem",
                           "vcek.pub", "report.sig", "report.body"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(cmd, sizeof(cmd), "%s/%s", dir, names[i]);
        unlink(cmd);
    }
    rmdir(dir);
}

int demo_snp(struct demo_ctx *d, const char *chip, const uint8_t *seed, size_t seed_len)
{
    struct fw_params fp;
    fw_params_for_chip(&fp, chip);
    if (!fp.snp_product) {
        chip = "milan";
        fw_params_for_chip(&fp, chip);
        demo_note(d, "SNP needs milan or genoa: this part runs on a simulated milan");
    }
    uint8_t *img = NULL;
    size_t img_len = 0;
    FILE *f = fopen(OVMF_PATH, "rb");
    if (f) {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        img = n > 0 ? malloc((size_t)n) : NULL;
        if (img && fread(img, 1, (size_t)n, f) == (size_t)n)
            img_len = (size_t)n;
        fclose(f);
    }
    if (!img_len) {
        demo_step(d, false, "Debian's OVMF (%s) is not installed (apt install ovmf)", OVMF_PATH);
        free(img);
        return 1;
    }

    struct crypto_drbg *rng = NULL;
    struct fw_identity id;
    struct snp_demo_root root;
    memset(&id, 0, sizeof(id));
    memset(&root, 0, sizeof(root));
    bool ok = !crypto_drbg_new(&rng, seed_len ? seed : NULL, seed_len) &&
              !crypto_drbg_bytes(rng, id.chip_secret, 32) &&
              make_certs(rng, id.chip_secret, &fp, &root);
    demo_step(d, ok,
              "installation: chip secret, RSA-4096 test ARK/ASK, VCEK for TCB 0x%016llx "
              "as X.509 in AMD's KDS profile",
              (unsigned long long)fp.snp_tcb);

    struct snp_run_opts o;
    memset(&o, 0, sizeof(o));
    o.chip = chip;
    o.id = &id;
    o.seed = seed_len ? seed : NULL;
    o.seed_len = seed_len;
    o.plan.mode = SNP_PLAN_SNP;
    o.plan.ovmf = img;
    o.plan.ovmf_len = img_len;
    o.plan.vcpus = 2;
    o.plan.vmm = VMSA_VMM_QEMU;
    o.plan.guest_features = 1;
    o.policy = 0x30000;
    memset(o.host_data, 0xD0, 32);
    ok = ok && snp_plan_cpu_sig_by_name("EPYC-Milan", &o.plan.vcpu_sig);
    struct snp_run run;
    memset(&run, 0, sizeof(run));
    char err[256] = "";
    if (ok)
        ok = !snp_run_launch(&run, &o, err, sizeof(err));
    if (ok) {
        char hex[97];
        for (int i = 0; i < 48; i++)
            snprintf(hex + 2 * i, 3, "%02x", run.offline[i]);
        demo_note(d, "expected MEASUREMENT (offline, as sev-snp-measure): %.32s...", hex);
    }
    demo_step(d, ok,
              "SNP guest launched from %s: %llu pages, 2 vCPUs, through SNP_LAUNCH_UPDATE%s%s",
              OVMF_PATH, ok ? (unsigned long long)run.pages : 0ull, err[0] ? ": " : "", err);

    uint8_t rd[64];
    memset(rd, 0x5E, sizeof(rd));
    bool reported = ok && !snp_run_report(&run, rd, 0, err, sizeof(err));
    struct snp_report rep;
    memset(&rep, 0, sizeof(rep));
    if (reported)
        reported = !snp_report_parse(run.report, sizeof(run.report), &rep);
    bool same = reported && !memcmp(rep.measurement, run.offline, 48);
    demo_step(d, same,
              "the guest read VMPCK0 from its secrets page and got its report through the "
              "guest-request path; MEASUREMENT equals the offline digest");

    EVP_PKEY *vk = root.vcek ? X509_get_pubkey(root.vcek) : NULL;
    bool chain = reported && snp_chain_verify(root.ark, root.ask, root.vcek) == SNP_CHAIN_OK;
    bool sig = chain && vk && !snp_report_verify(&rep, vk);
    struct snp_vcek_info info;
    bool ext = sig && !snp_vcek_info(root.vcek, &info) &&
               snp_tcb_encode(info.tcb, (enum snp_product)fp.snp_product) == rep.reported_tcb &&
               !memcmp(info.hwid, rep.chip_id, 64);
    demo_step(d, ext,
              "our verifier: chain ARK -> ASK -> VCEK, report signature, REPORTED_TCB and CHIP_ID "
              "against the VCEK's extensions");
    EVP_PKEY_free(vk);
    if (ext)
        openssl_checks(d, &root, &rep);

    /* A replayed request: the guest reuses its last sequence number. */
    if (reported) {
        bool refused = snp_run_replay(&run, rd, err, sizeof(err));
        demo_step(d, refused, "a replayed guest request is refused (%s) and yields no report", err);
    }
    /* The hypervisor writes into the guest's launched memory. */
    if (ok) {
        uint8_t junk[16] = {0};
        swsev_rc wrc = hv_vm_write(run.vm, run.vm->rom_gpa, junk, sizeof(junk));
        demo_step(d, wrc == SWSEV_HW_ERR(SWSEV_HW_FAULT),
                  "the hypervisor's write to the guest's firmware pages faults (RMP #PF)");
    }
    snp_run_free(&run);
    free_certs(&root);
    crypto_drbg_free(rng);
    OPENSSL_cleanse(&id, sizeof(id));
    free(img);
    return 0;
}
