/* SPDX-License-Identifier: MIT */
/*
 * Demo part 2: the SEV firmware. A whole host in-process (SoC, Secure
 * Processor behind its mailbox, hypervisor with the KVM-style layer), a
 * guest owner and a VMM, as in a real launch.
 */
#include <linux/kvm.h>
#include <string.h>

#include "crypto/amdcert.h"
#include "crypto/digest.h"
#include "crypto/sev_owner.h"
#include "crypto/sevchain.h"
#include "hv/vm.h"
#include "swsev/abi/sev_cmd.h"
#include "swsev/fw_status.h"
#include "swsev/machine.h"
#include "tools/swsev/cli.h"

#define IMAGE_LEN  (32u << 10)
#define SECRET_GPA 0x100000ull

static int op(struct hv_vm *vm, uint32_t cmd, void *data, uint32_t *err);

static int op(struct hv_vm *vm, uint32_t cmd, void *data, uint32_t *err)
{
    return hv_vm_sev_op(vm, cmd, (uint64_t)(uintptr_t)data, err, &hv_uaccess_self);
}

static void hex(const char *label, const uint8_t *p, size_t n)
{
    printf("      %-22s", label);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

/* The platform's certificates, as 'swsev platform export' would fetch them. */
static bool export_chain(struct swsev_machine *m, struct sev_chain *ch)
{
    struct hv_psp *psp = machine_psp_driver(m);
    struct hv_psp_buf pdh, chain;
    if (hv_psp_buf_alloc(psp, 0x824, &pdh) || hv_psp_buf_alloc(psp, 3 * 0x824, &chain))
        return false;
    struct sev_fw_pdh_cert_export e = {hv_psp_buf_pa(psp, &pdh), 0x824, 0,
                                       hv_psp_buf_pa(psp, &chain), 3 * 0x824};
    uint32_t err;
    uint8_t raw[4][0x824];
    bool ok = !hv_psp_do_cmd(psp, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e), &err) &&
              !hv_psp_buf_read(psp, &pdh, raw[0], 0x824) &&
              !hv_psp_buf_read(psp, &chain, raw[1], 3 * 0x824) &&
              !sevcert_parse(raw[0], 0x824, &ch->pdh) && !sevcert_parse(raw[1], 0x824, &ch->pek) &&
              !sevcert_parse(raw[2], 0x824, &ch->oca) && !sevcert_parse(raw[3], 0x824, &ch->cek);
    hv_psp_buf_free(psp, &pdh);
    hv_psp_buf_free(psp, &chain);
    return ok;
}

/* Launch one guest with the owner's session; returns the VM or NULL. */
static struct hv_vm *launch(struct demo_ctx *d, struct hv_kvm *kvm, const struct sev_cert *pdh,
                            struct crypto_drbg *rng, uint32_t policy, const uint8_t *image,
                            struct sev_owner_session *s)
{
    struct hv_vm *vm = NULL;
    uint32_t err = 0;
    bool ok = !hv_vm_create(kvm, 4ull << 20, 1, &vm) && !hv_vm_write(vm, 0, image, IMAGE_LEN) &&
              !sev_owner_session_new(rng, pdh, policy, s) && !op(vm, KVM_SEV_INIT, NULL, &err);
    struct kvm_sev_launch_start ls = {0,
                                      policy,
                                      (uintptr_t)&s->dh_cert,
                                      sizeof(s->dh_cert),
                                      (uintptr_t)&s->blob,
                                      sizeof(s->blob)};
    struct kvm_sev_launch_update_data up = {0, IMAGE_LEN};
    ok = ok && !op(vm, KVM_SEV_LAUNCH_START, &ls, &err) &&
         !op(vm, KVM_SEV_LAUNCH_UPDATE_DATA, &up, &err);
    if (!ok) {
        demo_step(d, false, "launch with policy 0x%x failed: %s", policy,
                  swsev_fw_status_name(err));
        if (vm)
            hv_vm_destroy(vm);
        return NULL;
    }
    return vm;
}

int demo_sev(struct demo_ctx *d, const char *chip, const uint8_t *seed, size_t seed_len)
{
    struct machine_config mc;
    struct fw_identity id;
    struct swsev_machine *m = NULL;
    struct crypto_drbg *rng = NULL;
    EVP_PKEY *ark_key = NULL, *ask_key = NULL;
    struct amd_cert ark, ask;
    memset(&ark, 0, sizeof(ark));
    memset(&ask, 0, sizeof(ask));
    struct hv_kvm kvm = {0};
    struct hv_vm *vm = NULL, *vm2 = NULL;
    uint32_t err;

    /* The installation: chip secret, a generated ARK/ASK test root, and the
     * CEK certificate the "factory" signs with the ASK. */
    memset(&id, 0, sizeof(id));
    machine_config_default(&mc, chip);
    mc.seed = seed_len ? seed : NULL;
    mc.seed_len = seed_len;
    bool ok = !crypto_drbg_new(&rng, seed_len ? seed : NULL, seed_len) &&
              !crypto_drbg_bytes(rng, id.chip_secret, 32) &&
              !amdcert_create_root(rng, &ark_key, &ark, &ask_key, &ask);
    struct sev_cert cek;
    ok = ok && !fw_cek_cert_template(id.chip_secret, &mc.fw, (uint8_t *)&cek) &&
         !sevcert_sign(&cek, 0, SEV_USAGE_ASK, SEV_ALGO_RSA_SHA384, ask_key);
    if (ok) {
        memcpy(id.cek_cert, &cek, sizeof(cek));
        id.has_cek_cert = true;
        ok = !machine_create(&m, &mc, &id, NULL, 0, NULL) && !hv_kvm_init(&kvm, machine_sev_dev(m));
    }
    struct sev_chain ch;
    memset(&ch, 0, sizeof(ch));
    ch.ark = ark;
    ch.ask = ask;
    ok = ok && export_chain(m, &ch);
    enum sev_chain_result res =
        ok ? sev_chain_verify(&ch, SEV_CHAIN_AMD | SEV_CHAIN_PLATFORM) : SEV_CHAIN_ARK_BAD;
    struct hv_sev_dev *dev = ok ? machine_sev_dev(m) : NULL;
    demo_step(d, ok && res == SEV_CHAIN_OK,
              "platform initialised (SEV API %u.%u build %u); exported chain ARK -> ASK -> CEK "
              "-> PEK <- OCA, PEK -> PDH: %s",
              dev ? dev->api_major : 0, dev ? dev->api_minor : 0, dev ? dev->build : 0,
              sev_chain_result_str(res));
    if (!ok || res != SEV_CHAIN_OK)
        goto out;
    demo_note(d, "the ARK is swsev's generated test root (KEY_ID \"%.14s...\"), not AMD's",
              (const char *)ark.hdr.key_id);

    /* The image the owner wants to run, and its launch digest. */
    static uint8_t image[IMAGE_LEN];
    for (size_t i = 0; i < IMAGE_LEN; i++)
        image[i] = (uint8_t)(i * 31 + (i >> 8));
    memcpy(image, "swsev demo guest image", 22);
    uint8_t digest[32];
    crypto_hash(CRYPTO_SHA256, image, IMAGE_LEN, digest);
    struct sev_owner_session s;
    vm = launch(d, &kvm, &ch.pdh, rng, 0, image, &s);
    if (!vm)
        goto out;
    demo_step(d, true,
              "guest owner builds a launch session for the platform's PDH (ECDH P-384, "
              "wrapped TEK/TIK); the VMM launches a %u KiB image with it",
              IMAGE_LEN >> 10);

    struct sev_launch_measure_blob mb;
    struct kvm_sev_launch_measure lm = {(uintptr_t)&mb, sizeof(mb)};
    ok = !op(vm, KVM_SEV_LAUNCH_MEASURE, &lm, &err) &&
         sev_owner_measure_ok(&s, dev->api_major, dev->api_minor, dev->build, digest, &mb);
    demo_step(d, ok, "LAUNCH_MEASURE: the owner recomputes HMAC(TIK, ...digest...) and it matches");
    hex("MEASURE:", mb.measure, 32);

    uint8_t secret[32] = "owner's disk key: 7f3a91c2e8", ct[32];
    struct sev_packet_hdr hdr;
    struct kvm_sev_launch_secret ls = {(uintptr_t)&hdr, sizeof(hdr),   SECRET_GPA,
                                       sizeof(secret),  (uintptr_t)ct, sizeof(ct)};
    ok = !sev_owner_secret(rng, &s, dev->api_major, dev->api_minor, mb.measure, secret,
                           sizeof(secret), &hdr, ct) &&
         !op(vm, KVM_SEV_LAUNCH_SECRET, &ls, &err) && !op(vm, KVM_SEV_LAUNCH_FINISH, NULL, &err);
    demo_step(d, ok, "the owner injects a secret (LAUNCH_SECRET, bound to MEASURE); LAUNCH_FINISH");

    uint8_t host[32], dbg[32];
    ok = !hv_vm_read_flushed(vm, SECRET_GPA, host, sizeof(host)) &&
         memcmp(host, secret, sizeof(secret)) != 0;
    demo_step(d, ok, "the host's view of the secret page is ciphertext");
    hex("host view:", host, 32);
    struct kvm_sev_dbg dd = {SECRET_GPA, (uintptr_t)dbg, sizeof(dbg)};
    ok = !op(vm, KVM_SEV_DBG_DECRYPT, &dd, &err) && !memcmp(dbg, secret, sizeof(secret));
    demo_step(d, ok, "DBG_DECRYPT of this debug-policy guest shows the plaintext: \"%.28s\"", dbg);

    vm2 = launch(d, &kvm, &ch.pdh, rng, SEV_POLICY_NODBG, image, &s);
    if (!vm2)
        goto out;
    int r = op(vm2, KVM_SEV_DBG_DECRYPT, &dd, &err);
    demo_step(d, r != 0 && err == SEV_STATUS_POLICY_FAILURE,
              "DBG_DECRYPT of a guest whose policy says NODBG is refused: %s",
              swsev_fw_status_name(err));
out:
    if (vm)
        hv_vm_destroy(vm);
    if (vm2)
        hv_vm_destroy(vm2);
    if (kvm.asid_used)
        hv_kvm_fini(&kvm);
    machine_destroy(m);
    EVP_PKEY_free(ark_key);
    EVP_PKEY_free(ask_key);
    crypto_drbg_free(rng);
    return d->failed;
}
