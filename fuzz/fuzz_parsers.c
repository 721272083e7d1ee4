/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: every parser of untrusted files and blobs: SEV and AMD
 * certificates, the chain verifier, swsevd's identity file, the sealed NV
 * blob of the firmware, and a session blob unwrap. The first byte picks
 * the parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sev_launch.h"
#include "crypto/sevchain.h"
#include "swsev/machine.h"
#include "tools/swsevd/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t which = data[0] % 5;
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
    }
    return 0;
}
