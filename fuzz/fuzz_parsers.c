/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: every parser of untrusted files and blobs: SNP reports,
 * X.509 certificates with AMD's extensions, OVMF images, SEV and AMD
 * certificates, the chain verifier, swsevd's identity file, the sealed NV
 * blob of the firmware, a session blob unwrap, x86-64 guest images and the VMM's MMIO
 * instruction decoder. The first byte picks
 * the parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/ximage.h"
#include "common/ovmf.h"
#include "hv/mmio_insn.h"
#include "crypto/ecc.h"
#include "crypto/sev_launch.h"
#include "crypto/sevchain.h"
#include "crypto/snp_cert.h"
#include "crypto/snp_report.h"
#include "swsev/machine.h"
#include "tools/swsevd/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t which = data[0] % 10;
    data++;
    size--;
    switch (which) {
    case 0: {
        struct sev_cert c, d;
        if (!sevcert_parse(data, size, &c))
            sevcert_verify_by(&c, &c);
        if (size >= 2 * SEV_CERT_SIZE && !sevcert_parse(data, SEV_CERT_SIZE, &c) &&
            !sevcert_parse(data + SEV_CERT_SIZE, SEV_CERT_SIZE, &d))
            sevcert_verify_by(&c, &d);
        break;
    }
    case 1: {
        struct amd_cert a;
        if (!amdcert_parse(data, size, true, &a))
            amdcert_verify(&a, &a);
        break;
    }
    case 2: {
        struct install in;
        if (!install_parse(data, size, &in))
            install_free(&in);
        break;
    }
    case 3: {
        struct machine_config mc;
        struct fw_identity id;
        struct swsev_machine *m = NULL;
        memset(&id, 0, sizeof(id));
        machine_config_default(&mc, "rome");
        mc.chip.dram_size = 32ull << 20;
        mc.init_on_probe = false;
        if (!machine_create(&m, &mc, &id, data, size, NULL))
            machine_destroy(m);
        break;
    }
    case 4: {
        if (size < 48 + sizeof(struct sev_session_blob) + 4)
            break;
        struct sev_session_blob b;
        uint32_t policy;
        uint8_t tek[16], tik[16];
        memcpy(&b, data + 48, sizeof(b));
        memcpy(&policy, data + 48 + sizeof(b), 4);
        sev_session_unwrap(data, 48, &b, policy, tek, tik);
        break;
    }
    case 5: { /* SNP attestation reports */
        struct snp_report r;
        if (!snp_report_parse(data, size, &r)) {
            uint8_t seed[64] = {5};
            EVP_PKEY *k = NULL;
            if (!crypto_ecc_from_seed(seed, &k))
                snp_report_verify(&r, k);
            EVP_PKEY_free(k);
            snp_report_product(&r);
        }
        break;
    }
    case 6: { /* X.509 (DER or PEM, several) and AMD's VCEK extensions */
        X509 *c[3] = {NULL, NULL, NULL};
        size_t n = 0;
        if (!snp_x509_load(data, size, c, 3, &n)) {
            struct snp_vcek_info info;
            snp_vcek_info(c[0], &info);
            if (n == 3)
                snp_chain_verify(c[2], c[1], c[0]);
            for (size_t i = 0; i < n; i++)
                X509_free(c[i]);
        }
        break;
    }
    case 8: { /* x86-64 guest images (swsev vm run FILE.elf) */
        struct ximage img;
        char err[128];
        if (!ximage_parse(&img, data, size, err, sizeof(err))) {
            struct vcpu_regs r;
            struct vcpu_sregs sr;
            uint8_t vmsa[4096];
            ximage_initial_state(&img, &r, &sr);
            ximage_initial_vmsa(&img, vmsa, 1);
            ximage_free(&img);
        }
        break;
    }
    case 9: { /* the VMM's MMIO decoder: a guest's instruction bytes */
        struct hv_mmio_insn in;
        uint64_t gpr[16] = {0};
        if (!hv_mmio_decode(data, size > 15 ? 15 : size, &in)) {
            if (in.write)
                (void)hv_mmio_store_value(&in, gpr);
            else
                hv_mmio_load(&in, gpr, 0x0123456789ABCDEFull);
        }
        break;
    }
    case 7: { /* OVMF images: footer table, SEV metadata */
        struct ovmf o;
        char err[128];
        if (!ovmf_parse(&o, data, size, OVMF_END_4G, err, sizeof(err)))
            ovmf_has_section(&o, 1);
        break;
    }
    }
    return 0;
}
