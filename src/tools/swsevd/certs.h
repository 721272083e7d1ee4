/* SPDX-License-Identifier: MIT */
/*
 * tools/swsevd/certs.h - the host's SNP certificates: ARK and ASK (X.509,
 * from the installation's test root) and the VCEK of the chip at a TCB,
 * laid out as the GHCB certificate table an extended guest request returns
 * (entries {GUID, offset, length} closed by a zero entry, then the DER
 * certificates; GUIDs in RFC 4122 byte order, as the virtee crate and
 * go-sev-guest read them).
 */
#ifndef SWSEV_SWSEVD_CERTS_H
#define SWSEV_SWSEVD_CERTS_H

#include <stddef.h>
#include <stdint.h>

#include "tools/swsevd/state.h"

/* *out is malloc'ed. */
swsev_rc swsevd_cert_table(const struct install *in, uint8_t **out, size_t *len);

#endif
