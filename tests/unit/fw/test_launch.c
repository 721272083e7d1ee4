/* SPDX-License-Identifier: MIT */
/* A guest launch end to end: guest owner session, KVM-style launch through
 * the hypervisor, measurement checked by the owner, secret injection, and
 * what host, debugger and guest see afterwards. Every bad input leaves the
 * platform and guest state as they were. */
#include <errno.h>
#include <linux/kvm.h>

#include "testsupport.h"
#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "crypto/sev_owner.h"
#include "hv/vm.h"
#include "swsev/abi/sev_cmd.h"
#include "swsev/fw_status.h"

#define IMG_LEN    (64u << 10)
#define SECRET_GPA 0x30000ull

struct fx {
    struct ts_host h;
    struct hv_kvm kvm;
    struct sev_cert pdh, pek;
    uint8_t api_major, api_minor, build;
    uint8_t image[IMG_LEN];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    ts_host_init(&f->h, "rome", "launch", true);
    assert_int_equal(hv_kvm_init(&f->kvm, machine_sev_dev(f->h.m)), SWSEV_OK);
    struct sev_fw_pdh_cert_export e = {ts_hbuf(&f->h, 0x824), 0x824, 0, ts_hbuf(&f->h, 3 * 0x824),
                                       3 * 0x824};
    assert_int_equal(ts_cmd(&f->h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), 0);
    uint8_t raw[0x824];
    ts_hread(&f->h, e.pdh_paddr, raw, sizeof(raw));
    assert_int_equal(sevcert_parse(raw, sizeof(raw), &f->pdh), SWSEV_OK);
    ts_hread(&f->h, e.chain_paddr, raw, sizeof(raw));
    assert_int_equal(sevcert_parse(raw, sizeof(raw), &f->pek), SWSEV_OK);
    uint8_t st[12];
    ts_platform_status(&f->h, st);
    f->api_major = st[0];
    f->api_minor = st[1];
    f->build = st[7];
    for (size_t i = 0; i < IMG_LEN; i++)
        f->image[i] = (uint8_t)(i * 7 + (i >> 9));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    hv_kvm_fini(&f->kvm);
    ts_host_fini(&f->h);
    free(f);
    return 0;
}

static int op(struct hv_vm *vm, uint32_t cmd, void *data, uint32_t *err)
{
    return hv_vm_sev_op(vm, cmd, (uint64_t)(uintptr_t)data, err, &ts_uaccess_self);
}

/* VM with the image at GPA 0, started with the owner's session. */
static struct hv_vm *start_guest(struct fx *f, uint32_t policy, struct sev_owner_session *s)
{
    struct hv_vm *vm;
    uint32_t err;
    assert_int_equal(hv_vm_create(&f->kvm, 2ull << 20, 1, &vm), SWSEV_OK);
    assert_int_equal(hv_vm_write(vm, 0, f->image, IMG_LEN), SWSEV_OK);
    assert_int_equal(op(vm, KVM_SEV_INIT, NULL, &err), 0);
    assert_int_equal(sev_owner_session_new(machine_rng(f->h.m), &f->pdh, policy, s), SWSEV_OK);
    struct kvm_sev_launch_start ls = {0,
                                      policy,
                                      (uintptr_t)&s->dh_cert,
                                      sizeof(s->dh_cert),
                                      (uintptr_t)&s->blob,
                                      sizeof(s->blob)};
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_START, &ls, &err), 0);
    assert_true(ls.handle != 0);
    return vm;
}

static uint32_t guest_state(struct hv_vm *vm)
{
    struct kvm_sev_guest_status gs;
    uint32_t err;
    assert_int_equal(op(vm, KVM_SEV_GUEST_STATUS, &gs, &err), 0);
    return gs.state;
}

static void full_launch(void **state)
{
    struct fx *f = *state;
    struct sev_owner_session s;
    uint32_t err;
    struct hv_vm *vm = start_guest(f, 0, &s);
    assert_int_equal(guest_state(vm), SEV_GSTATE_LUPDATE);
    struct kvm_sev_launch_update_data up = {0, IMG_LEN};
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_UPDATE_DATA, &up, &err), 0);

    /* The measurement: a zero length asks for the size first. */
    struct sev_launch_measure_blob m;
    struct kvm_sev_launch_measure lm = {(uintptr_t)&m, 0};
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_MEASURE, &lm, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_INVALID_LENGTH);
    assert_int_equal(lm.len, sizeof(m));
    assert_int_equal(guest_state(vm), SEV_GSTATE_LUPDATE); /* unchanged */
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_MEASURE, &lm, &err), 0);
    assert_int_equal(guest_state(vm), SEV_GSTATE_LSECRET);

    /* The owner checks it against the digest of what it meant to run. */
    uint8_t digest[32];
    assert_int_equal(crypto_hash(CRYPTO_SHA256, f->image, IMG_LEN, digest), SWSEV_OK);
    assert_true(sev_owner_measure_ok(&s, f->api_major, f->api_minor, f->build, digest, &m));
    f->image[100] ^= 1;
    assert_int_equal(crypto_hash(CRYPTO_SHA256, f->image, IMG_LEN, digest), SWSEV_OK);
    assert_false(sev_owner_measure_ok(&s, f->api_major, f->api_minor, f->build, digest, &m));
    f->image[100] ^= 1;

    /* ...and injects a secret. */
    uint8_t secret[64] = "the disk key: 0123456789abcdef0123456789abcdef", ct[64];
    struct sev_packet_hdr hdr;
    assert_int_equal(sev_owner_secret(machine_rng(f->h.m), &s, f->api_major, f->api_minor,
                                      m.measure, secret, sizeof(secret), &hdr, ct),
                     SWSEV_OK);
    struct kvm_sev_launch_secret ls = {(uintptr_t)&hdr, sizeof(hdr),   SECRET_GPA,
                                       sizeof(secret),  (uintptr_t)ct, sizeof(ct)};
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_SECRET, &ls, &err), 0);
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_FINISH, NULL, &err), 0);
    assert_int_equal(guest_state(vm), SEV_GSTATE_RUNNING);

    /* The host sees ciphertext; the debugger (policy allows it) and the
     * guest see the plaintext. */
    uint8_t host[256], dbg[256];
    memsys_wbinvd(f->h.ms, 0);
    assert_int_equal(hv_vm_read(vm, 0, host, sizeof(host)), SWSEV_OK);
    assert_memory_not_equal(host, f->image, sizeof(host));
    struct kvm_sev_dbg d = {0x10, (uintptr_t)dbg, 200}; /* unaligned start and length */
    assert_int_equal(op(vm, KVM_SEV_DBG_DECRYPT, &d, &err), 0);
    assert_memory_equal(dbg, f->image + 0x10, 200);
    d = (struct kvm_sev_dbg){SECRET_GPA, (uintptr_t)dbg, sizeof(secret)};
    assert_int_equal(op(vm, KVM_SEV_DBG_DECRYPT, &d, &err), 0);
    assert_memory_equal(dbg, secret, sizeof(secret));
    struct hw_guest_ctx g = {
        .asid = vm->asid, .sev = true, .np_enable = true, .ncr3 = hv_npt_ncr3(&vm->npt), .cr0 = 1};
    struct hw_fault fl;
    assert_int_equal(memsys_guest_read(f->h.ms, &g, 0x1000, dbg, 64, &fl), SWSEV_OK);
    assert_memory_equal(dbg, f->image + 0x1000, 64);

    /* DBG_ENCRYPT patches guest memory (read-modify-write for 3 bytes). */
    d = (struct kvm_sev_dbg){(uintptr_t) "XYZ", 0x2001, 3};
    assert_int_equal(op(vm, KVM_SEV_DBG_ENCRYPT, &d, &err), 0);
    assert_int_equal(memsys_guest_read(f->h.ms, &g, 0x2000, dbg, 8, &fl), SWSEV_OK);
    assert_int_equal(dbg[0], f->image[0x2000]);
    assert_memory_equal(dbg + 1, "XYZ", 3);
    assert_int_equal(dbg[4], f->image[0x2004]);

    /* The legacy attestation report, signed by the PEK. */
    struct sev_attestation_report r;
    struct kvm_sev_attestation_report ar = {{1, 2, 3}, (uintptr_t)&r, 0};
    assert_int_equal(op(vm, KVM_SEV_GET_ATTESTATION_REPORT, &ar, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_INVALID_LENGTH);
    assert_int_equal(ar.len, sizeof(r));
    assert_int_equal(op(vm, KVM_SEV_GET_ATTESTATION_REPORT, &ar, &err), 0);
    assert_int_equal(crypto_hash(CRYPTO_SHA256, f->image, IMG_LEN, digest), SWSEV_OK);
    assert_memory_equal(r.launch_digest, digest, 32);
    assert_int_equal(r.mnonce[2], 3);
    assert_int_equal(r.sig_usage, 0x1002);
    EVP_PKEY *pek;
    assert_int_equal(sevcert_pubkey(&f->pek, &pek), SWSEV_OK);
    assert_int_equal(crypto_ecdsa_verify(pek, CRYPTO_SHA256, &r, 0x34, r.sig_r, r.sig_s), SWSEV_OK);
    r.policy ^= 1;
    assert_int_not_equal(crypto_ecdsa_verify(pek, CRYPTO_SHA256, &r, 0x34, r.sig_r, r.sig_s),
                         SWSEV_OK);
    EVP_PKEY_free(pek);
    hv_vm_destroy(vm);
}

static void nodebug_guest(void **state)
{
    struct fx *f = *state;
    struct sev_owner_session s;
    uint32_t err;
    struct hv_vm *vm = start_guest(f, SEV_POLICY_NODBG, &s);
    struct kvm_sev_launch_update_data up = {0, 4096};
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_UPDATE_DATA, &up, &err), 0);
    uint8_t buf[64];
    struct kvm_sev_dbg d = {0, (uintptr_t)buf, 64};
    assert_int_equal(op(vm, KVM_SEV_DBG_DECRYPT, &d, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_POLICY_FAILURE);
    d = (struct kvm_sev_dbg){(uintptr_t)buf, 0, 64};
    assert_int_equal(op(vm, KVM_SEV_DBG_ENCRYPT, &d, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_POLICY_FAILURE);
    hv_vm_destroy(vm);
}

static void bad_sessions_leave_no_guest(void **state)
{
    struct fx *f = *state;
    uint8_t before[12], after[12];
    uint32_t err;
    struct hv_vm *vm;
    assert_int_equal(hv_vm_create(&f->kvm, 2ull << 20, 1, &vm), SWSEV_OK);
    assert_int_equal(op(vm, KVM_SEV_INIT, NULL, &err), 0);
    struct sev_owner_session s;
    assert_int_equal(sev_owner_session_new(machine_rng(f->h.m), &f->pdh, 0x1, &s), SWSEV_OK);
    ts_platform_status(&f->h, before);
    struct kvm_sev_launch_start ls = {
        0, 0x1, (uintptr_t)&s.dh_cert, sizeof(s.dh_cert), (uintptr_t)&s.blob, sizeof(s.blob)};
    /* Each field of the blob matters. */
    for (size_t off = 0; off < sizeof(s.blob); off += 5) {
        struct sev_session_blob bad = s.blob;
        ((uint8_t *)&bad)[off] ^= 0x20;
        ls.session_uaddr = (uintptr_t)&bad;
        assert_int_equal(op(vm, KVM_SEV_LAUNCH_START, &ls, &err), -EIO);
        assert_int_equal(err, SEV_STATUS_BAD_MEASUREMENT);
    }
    ls.session_uaddr = (uintptr_t)&s.blob;
    ls.policy = 0x0; /* the blob was made for policy 1 */
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_START, &ls, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_BAD_MEASUREMENT);
    ls.policy = 0x1;
    struct sev_cert bad_cert = s.dh_cert;
    bad_cert.pubkey_usage = SEV_USAGE_PEK;
    ls.dh_uaddr = (uintptr_t)&bad_cert;
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_START, &ls, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_INVALID_CERTIFICATE);
    ls.dh_uaddr = (uintptr_t)&s.dh_cert;
    ls.session_len = 0x70;
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_START, &ls, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_INVALID_LENGTH);
    ls.session_len = 0x80;
    ls.policy = 0x1 | (0xff << 16); /* API 255.0 required */
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_START, &ls, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_POLICY_FAILURE);
    ls.policy = 0x1 | 0x40; /* reserved bit */
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_START, &ls, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_INVALID_PARAM);
    ls.policy = 0x1 | SEV_POLICY_ES; /* ES on a platform without SEV-ES init */
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_START, &ls, &err), -EIO);
    /* Blobs the kernel refuses before the firmware sees them. */
    ls.policy = 0x1;
    ls.session_len = 0x5000;
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_START, &ls, &err), -EINVAL);
    ts_platform_status(&f->h, after);
    assert_memory_equal(before, after, 12); /* no guest was created */
    ls.session_len = 0x80;
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_START, &ls, &err), 0);
    hv_vm_destroy(vm);
}

static void bad_secret_changes_nothing(void **state)
{
    struct fx *f = *state;
    struct sev_owner_session s;
    uint32_t err;
    struct hv_vm *vm = start_guest(f, 0, &s);
    struct kvm_sev_launch_update_data up = {0, 4096};
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_UPDATE_DATA, &up, &err), 0);
    /* Secrets before the measurement: wrong state. */
    uint8_t secret[32] = "premature", ct[32], zero32[32] = {0};
    struct sev_packet_hdr hdr;
    assert_int_equal(sev_owner_secret(machine_rng(f->h.m), &s, f->api_major, f->api_minor, zero32,
                                      secret, 32, &hdr, ct),
                     SWSEV_OK);
    struct kvm_sev_launch_secret ls = {(uintptr_t)&hdr, sizeof(hdr), SECRET_GPA, 32,
                                       (uintptr_t)ct,   32};
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_SECRET, &ls, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_INVALID_GUEST_STATE);
    struct sev_launch_measure_blob m;
    struct kvm_sev_launch_measure lm = {(uintptr_t)&m, sizeof(m)};
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_MEASURE, &lm, &err), 0);
    /* After it: updates are over. */
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_UPDATE_DATA, &up, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_INVALID_GUEST_STATE);
    uint8_t before[32], after[32];
    struct kvm_sev_dbg d = {SECRET_GPA, (uintptr_t)before, 32};
    assert_int_equal(op(vm, KVM_SEV_DBG_DECRYPT, &d, &err), 0);
    /* A secret bound to another measurement, a flipped MAC, a flipped
     * ciphertext byte, mismatched lengths, a compressed packet. */
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_SECRET, &ls, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_BAD_MEASUREMENT);
    assert_int_equal(sev_owner_secret(machine_rng(f->h.m), &s, f->api_major, f->api_minor,
                                      m.measure, secret, 32, &hdr, ct),
                     SWSEV_OK);
    hdr.mac[0] ^= 1;
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_SECRET, &ls, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_BAD_MEASUREMENT);
    hdr.mac[0] ^= 1;
    ct[31] ^= 1;
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_SECRET, &ls, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_BAD_MEASUREMENT);
    ct[31] ^= 1;
    ls.guest_len = 16;
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_SECRET, &ls, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_INVALID_LENGTH);
    ls.guest_len = 32;
    hdr.flags = SEV_PACKET_FLAG_COMPRESSED;
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_SECRET, &ls, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_UNSUPPORTED);
    hdr.flags = 0;
    d.dst_uaddr = (uintptr_t)after;
    assert_int_equal(op(vm, KVM_SEV_DBG_DECRYPT, &d, &err), 0);
    assert_memory_equal(before, after, 32);
    assert_int_equal(guest_state(vm), SEV_GSTATE_LSECRET);
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_SECRET, &ls, &err), 0);
    d.dst_uaddr = (uintptr_t)after;
    assert_int_equal(op(vm, KVM_SEV_DBG_DECRYPT, &d, &err), 0);
    assert_memory_equal(after, secret, 32);
    hv_vm_destroy(vm);
}

static void kvm_argument_checks(void **state)
{
    struct fx *f = *state;
    uint32_t err;
    struct hv_vm *vm;
    assert_int_equal(hv_vm_create(&f->kvm, 2ull << 20, 1, &vm), SWSEV_OK);
    struct kvm_sev_launch_update_data up = {0, 4096};
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_UPDATE_DATA, &up, &err), -ENOTTY); /* not SEV yet */
    assert_int_equal(op(vm, KVM_SEV_INIT, NULL, &err), 0);
    assert_int_equal(op(vm, KVM_SEV_INIT, NULL, &err), -EINVAL);
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_START, NULL, &err), -EFAULT);
    assert_int_equal(op(vm, KVM_SEV_CERT_EXPORT, NULL, &err), -EINVAL);
    assert_int_equal(op(vm, 999, NULL, &err), -EINVAL);
    struct kvm_sev_launch_start ls = {0};
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_START, &ls, &err), 0); /* no owner session */
    up.uaddr = (2ull << 20) - 16;
    up.len = 32; /* past the end of guest RAM */
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_UPDATE_DATA, &up, &err), -EFAULT);
    up.uaddr = 0x1008;
    up.len = 16; /* not 16-byte aligned */
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_UPDATE_DATA, &up, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_INVALID_LENGTH);
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL, &err), -ENOTTY); /* not ES */
    hv_vm_destroy(vm);
    assert_int_equal(hv_vm_create(&f->kvm, 12345, 1, &vm), SWSEV_HV_ERR(SWSEV_E_INVAL));
    assert_int_equal(hv_vm_create(&f->kvm, 2ull << 20, 0, &vm), SWSEV_HV_ERR(SWSEV_E_INVAL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(full_launch, setup, teardown),
        cmocka_unit_test_setup_teardown(nodebug_guest, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_sessions_leave_no_guest, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_secret_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(kvm_argument_checks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
