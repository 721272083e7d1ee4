/* SPDX-License-Identifier: MIT */
/* Live migration between two platforms with SEND_* and RECEIVE_*: the
 * pages land decrypted correctly under the receiver's own key, and the
 * policy's NOSEND, DOMAIN and SEV bits are enforced. */
#include <errno.h>
#include <linux/kvm.h>

#include "testsupport.h"
#include "crypto/sevchain.h"
#include "crypto/sev_owner.h"
#include "hv/vm.h"
#include "swsev/abi/sev_cmd.h"
#include "swsev/fw_status.h"

#define PAGES 4

struct side {
    struct ts_host h;
    struct hv_kvm kvm;
    uint8_t pdh[0x824], chain[3 * 0x824];
};

static int op(struct hv_vm *vm, uint32_t cmd, void *data, uint32_t *err)
{
    return hv_vm_sev_op(vm, cmd, (uint64_t)(uintptr_t)data, err, &ts_uaccess_self);
}

static void side_init(struct side *s, const char *chip, const char *tag)
{
    ts_host_init(&s->h, chip, tag, true);
    ts_host_provision(&s->h, ts_test_root());
    assert_int_equal(hv_kvm_init(&s->kvm, machine_sev_dev(s->h.m)), SWSEV_OK);
    struct sev_fw_pdh_cert_export e = {ts_hbuf(&s->h, 0x824), 0x824, 0, ts_hbuf(&s->h, 3 * 0x824),
                                       3 * 0x824};
    assert_int_equal(ts_cmd(&s->h, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e)), 0);
    ts_hread(&s->h, e.pdh_paddr, s->pdh, sizeof(s->pdh));
    ts_hread(&s->h, e.chain_paddr, s->chain, sizeof(s->chain));
}

static void side_fini(struct side *s)
{
    hv_kvm_fini(&s->kvm);
    ts_host_fini(&s->h);
}

/* A running guest with distinct data in its first PAGES pages. */
static struct hv_vm *running_guest(struct side *s, uint32_t policy, uint8_t *data)
{
    struct hv_vm *vm;
    uint32_t err;
    for (int i = 0; i < PAGES * 4096; i++)
        data[i] = (uint8_t)(i * 13 + i / 4096);
    assert_int_equal(hv_vm_create(&s->kvm, 2ull << 20, 1, &vm), SWSEV_OK);
    assert_int_equal(hv_vm_write(vm, 0, data, PAGES * 4096), SWSEV_OK);
    assert_int_equal(op(vm, KVM_SEV_INIT, NULL, &err), 0);
    struct kvm_sev_launch_start ls = {0, policy, 0, 0, 0, 0};
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_START, &ls, &err), 0);
    struct kvm_sev_launch_update_data up = {0, PAGES * 4096};
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_UPDATE_DATA, &up, &err), 0);
    struct sev_launch_measure_blob m;
    struct kvm_sev_launch_measure lm = {(uintptr_t)&m, sizeof(m)};
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_MEASURE, &lm, &err), 0);
    assert_int_equal(op(vm, KVM_SEV_LAUNCH_FINISH, NULL, &err), 0);
    return vm;
}

static int send_start(struct side *src, struct hv_vm *vm, struct side *dst,
                      struct sev_session_blob *session, uint32_t *err, bool with_amd)
{
    uint8_t amd[2 * 0x640];
    const struct ts_root *root = ts_test_root();
    memcpy(amd, root->ask.raw, 0x640);
    memcpy(amd + 0x640, root->ark.raw, 0x640);
    (void)src;
    struct kvm_sev_send_start ss = {0,
                                    (uintptr_t)dst->pdh,
                                    sizeof(dst->pdh),
                                    (uintptr_t)dst->chain,
                                    sizeof(dst->chain),
                                    with_amd ? (uintptr_t)amd : 0,
                                    with_amd ? sizeof(amd) : 0,
                                    (uintptr_t)session,
                                    sizeof(*session)};
    return op(vm, KVM_SEV_SEND_START, &ss, err);
}

static void migrate_pages(void **state)
{
    (void)state;
    struct side a, b;
    side_init(&a, "rome", "mig-a");
    side_init(&b, "milan", "mig-b");
    static uint8_t data[PAGES * 4096];
    uint32_t err, policy = SEV_POLICY_SEV; /* may only go to a genuine (here: trusted) chip */
    struct hv_vm *src = running_guest(&a, policy, data);

    /* The session length can be queried first. */
    struct kvm_sev_send_start q = {0};
    assert_int_equal(op(src, KVM_SEV_SEND_START, &q, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_INVALID_LENGTH);
    assert_int_equal(q.session_len, sizeof(struct sev_session_blob));
    struct sev_session_blob session;
    assert_int_equal(send_start(&a, src, &b, &session, &err, true), 0);

    struct hv_vm *dst;
    assert_int_equal(hv_vm_create(&b.kvm, 2ull << 20, 1, &dst), SWSEV_OK);
    assert_int_equal(op(dst, KVM_SEV_INIT, NULL, &err), 0);
    struct kvm_sev_receive_start rs = {
        0, policy, (uintptr_t)a.pdh, sizeof(a.pdh), (uintptr_t)&session, sizeof(session)};
    assert_int_equal(op(dst, KVM_SEV_RECEIVE_START, &rs, &err), 0);

    for (int p = 0; p < PAGES; p++) {
        struct sev_packet_hdr hdr;
        uint8_t trans[4096];
        struct kvm_sev_send_update_data su = {0, 0, (uint64_t)p * 4096, 4096, 0, 0};
        if (p == 0) { /* header length query */
            assert_int_equal(op(src, KVM_SEV_SEND_UPDATE_DATA, &su, &err), -EIO);
            assert_int_equal(err, SEV_STATUS_INVALID_LENGTH);
            assert_int_equal(su.hdr_len, sizeof(hdr));
        }
        su = (struct kvm_sev_send_update_data){(uintptr_t)&hdr,    sizeof(hdr),
                                               (uint64_t)p * 4096, 4096,
                                               (uintptr_t)trans,   sizeof(trans)};
        assert_int_equal(op(src, KVM_SEV_SEND_UPDATE_DATA, &su, &err), 0);
        assert_memory_not_equal(trans, data + p * 4096, 64); /* encrypted in transit */
        struct kvm_sev_receive_update_data ru = {(uintptr_t)&hdr,    sizeof(hdr),
                                                 (uint64_t)p * 4096, 4096,
                                                 (uintptr_t)trans,   sizeof(trans)};
        if (p == 1) { /* a packet changed in transit is refused, then the good one lands */
            trans[7] ^= 1;
            assert_int_equal(op(dst, KVM_SEV_RECEIVE_UPDATE_DATA, &ru, &err), -EIO);
            assert_int_equal(err, SEV_STATUS_BAD_MEASUREMENT);
            trans[7] ^= 1;
        }
        assert_int_equal(op(dst, KVM_SEV_RECEIVE_UPDATE_DATA, &ru, &err), 0);
    }
    assert_int_equal(op(src, KVM_SEV_SEND_FINISH, NULL, &err), 0);
    assert_int_equal(op(dst, KVM_SEV_RECEIVE_FINISH, NULL, &err), 0);
    struct kvm_sev_guest_status gs;
    assert_int_equal(op(src, KVM_SEV_GUEST_STATUS, &gs, &err), 0);
    assert_int_equal(gs.state, SEV_GSTATE_SENT);
    assert_int_equal(op(dst, KVM_SEV_GUEST_STATUS, &gs, &err), 0);
    assert_int_equal(gs.state, SEV_GSTATE_RUNNING);

    /* The receiver's guest reads the data with its own key; its host sees
     * ciphertext that differs from the source's. */
    struct hw_guest_ctx g = {.asid = dst->asid,
                             .sev = true,
                             .np_enable = true,
                             .ncr3 = hv_npt_ncr3(&dst->npt),
                             .cr0 = 1};
    struct hw_fault fl;
    uint8_t buf[4096], ha[64], hb[64];
    for (int p = 0; p < PAGES; p++) {
        assert_int_equal(memsys_guest_read(b.h.ms, &g, (uint64_t)p * 4096, buf, 4096, &fl),
                         SWSEV_OK);
        assert_memory_equal(buf, data + p * 4096, 4096);
    }
    memsys_wbinvd(a.h.ms, 0);
    memsys_wbinvd(b.h.ms, 0);
    assert_int_equal(hv_vm_read(src, 0, ha, 64), SWSEV_OK);
    assert_int_equal(hv_vm_read(dst, 0, hb, 64), SWSEV_OK);
    assert_memory_not_equal(ha, hb, 64);
    assert_memory_not_equal(hb, data, 64);
    hv_vm_destroy(src);
    hv_vm_destroy(dst);
    side_fini(&a);
    side_fini(&b);
}

static void policy_enforced(void **state)
{
    (void)state;
    struct side a, b;
    side_init(&a, "rome", "pol-a");
    side_init(&b, "rome", "pol-b");
    static uint8_t data[PAGES * 4096];
    uint32_t err;
    struct sev_session_blob session;
    uint8_t before[12], after[12];

    struct hv_vm *vm = running_guest(&a, SEV_POLICY_NOSEND, data);
    assert_int_equal(send_start(&a, vm, &b, &session, &err, true), -EIO);
    assert_int_equal(err, SEV_STATUS_POLICY_FAILURE);
    hv_vm_destroy(vm);

    /* DOMAIN: the target must share this platform's OCA. */
    vm = running_guest(&a, SEV_POLICY_DOMAIN, data);
    assert_int_equal(send_start(&a, vm, &b, &session, &err, true), -EIO);
    assert_int_equal(err, SEV_STATUS_POLICY_FAILURE);
    /* KVM copies the AMD chain unconditionally: without one, -EINVAL. */
    assert_int_equal(send_start(&a, vm, &b, &session, &err, false), -EINVAL);
    hv_vm_destroy(vm);

    /* SEV: the target's CEK must chain to the trusted ARK; AMD's genuine
     * Milan ARK and ASK did not sign this CEK. */
    vm = running_guest(&a, SEV_POLICY_SEV, data);
    {
        uint8_t *ask, *ark, amd[2 * 0x640];
        size_t n1, n2;
        ts_read_file(ts_data_path("amd/sev/milan/ask.cert"), &ask, &n1);
        ts_read_file(ts_data_path("amd/sev/milan/ark.cert"), &ark, &n2);
        memcpy(amd, ask, 0x640);
        memcpy(amd + 0x640, ark, 0x640);
        struct kvm_sev_send_start ss = {0,
                                        (uintptr_t)b.pdh,
                                        sizeof(b.pdh),
                                        (uintptr_t)b.chain,
                                        sizeof(b.chain),
                                        (uintptr_t)amd,
                                        sizeof(amd),
                                        (uintptr_t)&session,
                                        sizeof(session)};
        assert_int_equal(op(vm, KVM_SEV_SEND_START, &ss, &err), -EIO);
        assert_int_equal(err, SEV_STATUS_BAD_SIGNATURE);
        free(ask);
        free(ark);
    }
    /* A target chain with a PDH the PEK did not sign. */
    ts_platform_status(&a.h, before);
    uint8_t pdh_copy[0x824];
    memcpy(pdh_copy, b.pdh, sizeof(pdh_copy));
    b.pdh[0x420] ^= 1; /* inside r of the PDH's signature */
    assert_int_equal(send_start(&a, vm, &b, &session, &err, true), -EIO);
    assert_int_equal(err, SEV_STATUS_BAD_SIGNATURE);
    b.pdh[0x420] ^= 1;
    b.pdh[0x800] ^= 1; /* in a reserved field: not a valid certificate */
    assert_int_equal(send_start(&a, vm, &b, &session, &err, true), -EIO);
    assert_int_equal(err, SEV_STATUS_INVALID_CERTIFICATE);
    memcpy(b.pdh, pdh_copy, sizeof(pdh_copy));
    ts_platform_status(&a.h, after);
    assert_memory_equal(before, after, 12);
    struct kvm_sev_guest_status gs;
    assert_int_equal(op(vm, KVM_SEV_GUEST_STATUS, &gs, &err), 0);
    assert_int_equal(gs.state, SEV_GSTATE_RUNNING);
    /* SEND_CANCEL brings it back to RUNNING. */
    assert_int_equal(send_start(&a, vm, &b, &session, &err, true), 0);
    assert_int_equal(op(vm, KVM_SEV_GUEST_STATUS, &gs, &err), 0);
    assert_int_equal(gs.state, SEV_GSTATE_SUPDATE);
    assert_int_equal(op(vm, KVM_SEV_SEND_CANCEL, NULL, &err), 0);
    assert_int_equal(op(vm, KVM_SEV_GUEST_STATUS, &gs, &err), 0);
    assert_int_equal(gs.state, SEV_GSTATE_RUNNING);
    /* A receiver given the wrong sender PDH cannot open the session. */
    assert_int_equal(send_start(&a, vm, &b, &session, &err, true), 0);
    struct hv_vm *dst;
    assert_int_equal(hv_vm_create(&b.kvm, 2ull << 20, 1, &dst), SWSEV_OK);
    assert_int_equal(op(dst, KVM_SEV_INIT, NULL, &err), 0);
    struct kvm_sev_receive_start rs = {
        0, SEV_POLICY_SEV, (uintptr_t)b.pdh, sizeof(b.pdh), (uintptr_t)&session, sizeof(session)};
    assert_int_equal(op(dst, KVM_SEV_RECEIVE_START, &rs, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_BAD_MEASUREMENT);
    rs.pdh_uaddr = 0;
    assert_int_equal(op(dst, KVM_SEV_RECEIVE_START, &rs, &err), -EINVAL);
    hv_vm_destroy(dst);
    hv_vm_destroy(vm);
    side_fini(&a);
    side_fini(&b);
}

/* An SEV-ES guest's VMSA migrates with SEND/RECEIVE_UPDATE_VMSA (raw
 * firmware commands: KVM implements neither). */
static void es_vmsa_migration(void **state)
{
    (void)state;
    struct side a, b;
    side_init(&a, "rome", "vmsa-a");
    side_init(&b, "rome", "vmsa-b");
    struct ts_host *ha = &a.h, *hb = &b.h;
    uint8_t vmsa[4096];
    for (int i = 0; i < 4096; i++)
        vmsa[i] = (uint8_t)(i * 7 + 1);
    uint64_t pa = ts_hbuf(ha, 4096), pb = ts_hbuf(hb, 4096);
    ts_hwrite(ha, pa, vmsa, sizeof(vmsa));
    memsys_wbinvd(ha->ms, 0);
    struct sev_fw_launch_start ls = {.policy = SEV_POLICY_ES};
    assert_int_equal(ts_cmd(ha, SEV_CMD_LAUNCH_START, &ls, sizeof(ls)), 0);
    struct sev_fw_activate act = {ls.handle, 5};
    assert_int_equal(ts_cmd(ha, SEV_CMD_ACTIVATE, &act, sizeof(act)), 0);
    struct sev_fw_launch_update u = {ls.handle, 0, pa, 4096};
    assert_int_equal(ts_cmd(ha, SEV_CMD_LAUNCH_UPDATE_VMSA, &u, sizeof(u)), 0);
    u.paddr = ts_hbuf(ha, 48);
    u.len = 48;
    assert_int_equal(ts_cmd(ha, SEV_CMD_LAUNCH_MEASURE, &u, sizeof(u)), 0);
    struct sev_fw_handle hh = {ls.handle};
    assert_int_equal(ts_cmd(ha, SEV_CMD_LAUNCH_FINISH, &hh, sizeof(hh)), 0);
    uint64_t pdh = ts_hbuf(ha, 0x824), chain = ts_hbuf(ha, 3 * 0x824), amd = ts_hbuf(ha, 2);
    uint64_t sess = ts_hbuf(ha, 0x80);
    ts_hwrite(ha, pdh, b.pdh, sizeof(b.pdh));
    ts_hwrite(ha, chain, b.chain, sizeof(b.chain));
    struct sev_fw_send_start ss = {ls.handle, 0,   pdh, 0x824, 0,    chain, 3 * 0x824,
                                   0,         amd, 2,   0,     sess, 0x80};
    assert_int_equal(ts_cmd(ha, SEV_CMD_SEND_START, &ss, sizeof(ss)), 0);
    assert_int_equal(ss.policy, SEV_POLICY_ES);
    uint64_t hdr = ts_hbuf(ha, 52), trans = ts_hbuf(ha, 4096);
    struct sev_fw_packet pk = {ls.handle, 0, hdr, 52, 0, pa, 4096, 0, trans, 4096};
    pk.guest_len = 2048; /* a VMSA is one whole page */
    pk.trans_len = 2048;
    assert_int_equal(ts_cmd(ha, SEV_CMD_SEND_UPDATE_VMSA, &pk, sizeof(pk)),
                     SEV_STATUS_INVALID_PARAM);
    pk.guest_len = pk.trans_len = 4096;
    assert_int_equal(ts_cmd(ha, SEV_CMD_SEND_UPDATE_VMSA, &pk, sizeof(pk)), 0);
    uint8_t h[52], t[4096], session[0x80];
    ts_hread(ha, hdr, h, 52);
    ts_hread(ha, trans, t, 4096);
    ts_hread(ha, sess, session, 0x80);
    assert_memory_not_equal(t, vmsa, 64);
    assert_int_equal(ts_cmd(ha, SEV_CMD_SEND_FINISH, &hh, sizeof(hh)), 0);

    uint64_t bpdh = ts_hbuf(hb, 0x824), bsess = ts_hbuf(hb, 0x80);
    ts_hwrite(hb, bpdh, a.pdh, sizeof(a.pdh));
    ts_hwrite(hb, bsess, session, sizeof(session));
    struct sev_fw_receive_start rs = {0, SEV_POLICY_ES, bpdh, 0x824, 0, bsess, 0x80};
    assert_int_equal(ts_cmd(hb, SEV_CMD_RECEIVE_START, &rs, sizeof(rs)), 0);
    struct sev_fw_activate act2 = {rs.handle, 6};
    assert_int_equal(ts_cmd(hb, SEV_CMD_ACTIVATE, &act2, sizeof(act2)), 0);
    uint64_t bh = ts_hbuf(hb, 52), bt = ts_hbuf(hb, 4096);
    ts_hwrite(hb, bh, h, 52);
    ts_hwrite(hb, bt, t, 4096);
    struct sev_fw_packet rk = {rs.handle, 0, bh, 52, 0, pb, 4096, 0, bt, 4096};
    assert_int_equal(ts_cmd(hb, SEV_CMD_RECEIVE_UPDATE_VMSA, &rk, sizeof(rk)), 0);
    struct sev_fw_handle rh = {rs.handle};
    assert_int_equal(ts_cmd(hb, SEV_CMD_RECEIVE_FINISH, &rh, sizeof(rh)), 0);
    uint64_t out = ts_hbuf(hb, 4096);
    struct sev_fw_dbg d = {rs.handle, 0, pb, out, 4096};
    assert_int_equal(ts_cmd(hb, SEV_CMD_DBG_DECRYPT, &d, sizeof(d)), 0);
    uint8_t got[4096];
    ts_hread(hb, out, got, sizeof(got));
    assert_memory_equal(got, vmsa, sizeof(vmsa));
    side_fini(&a);
    side_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrate_pages),
        cmocka_unit_test(policy_enforced),
        cmocka_unit_test(es_vmsa_migration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
