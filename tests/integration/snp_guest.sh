#!/usr/bin/env bash
# SNP guests in swsevd and their /dev/sev-guest for unmodified programs:
# a guest launched from Debian's OVMF, SNP_GET_REPORT / DERIVED_KEY /
# EXT_REPORT through libswsev-preload.so (libc and raw system calls), the
# report verified with the host's certificates by swsev snp verify and by
# openssl, the kernel driver's conventions (exitinfo2, EINVAL, ENOTTY,
# the certificate-length protocol), several guests, and bad input.
. "$(dirname "$0")/lib/common.sh"
OVMF=/usr/share/ovmf/OVMF.fd
[ -r "$OVMF" ] || { echo "SKIP: $OVMF not installed"; exit 77; }
PROBE="${SWSEV_TEST_TOOLS:?}/sevguestprobe"
T=$(mktemp -d)
trap 'kill $DAEMON_PID 2>/dev/null; rm -rf "$T"' EXIT
start_daemon "$T" --chip milan --seed snp-guest || finish
export SWSEV_SOCKET="$T/sock"
probe() { env $(preload_env) "$PROBE" "$@"; }

expect_exit 0 "start g1" -- "$SWSEV" snp guest start g1 --ovmf "$OVMF" --vcpus 2
m1=$(echo "$out" | sed -n 's/.*MEASUREMENT //p')
want=$("$SWSEV" snp measure --mode snp --vcpus 2 --vcpu-type EPYC-Milan --ovmf "$OVMF")
[ "$m1" = "$want" ] || fail "g1's launch digest $m1 is not the offline one $want"

# One guest running: /dev/sev-guest needs no SWSEV_GUEST.
rd=$(printf 'a5%.0s' $(seq 64))
out=$(probe report "$T/r1.bin" "$rd")
echo "$out" | grep -q "^ret=0 errno=0 exitinfo2=0x1234$" || fail "GET_REPORT: $out"
echo "$out" | grep -q "status=0 size=1184" || fail "GET_REPORT response: $out"
# (Raw system calls bypass the shim: swsev-fuse serves those programs.)

# Extended report: a size query costs EIO with vmm_error 1, then the certificates.
out=$(probe ext-query)
echo "$out" | grep -q "ret=-1 errno=5 exitinfo2=0x100000000" || fail "EXT query: $out"
echo "$out" | grep -q "certs_len=[1-9]" || fail "EXT query certs_len: $out"
mkdir "$T/ext"
out=$(probe ext "$T/ext")
echo "$out" | tail -2 | grep -q "^ret=0" || fail "EXT_REPORT: $out"

# The CLI's report and certificates; both verifiers accept them.
mkdir "$T/c"
expect_exit 0 "snp report" -- "$SWSEV" snp report --out "$T/r3.bin" --report-data "$rd" --certs-dir "$T/c"
(openssl x509 -inform der -in "$T/c/ask.der"; openssl x509 -inform der -in "$T/c/ark.der") > "$T/chain.pem"
for r in r1 r3; do
    expect_exit 0 "verify $r" -- "$SWSEV" snp verify --report "$T/$r.bin" --vcek "$T/c/vcek.der" \
        --chain "$T/chain.pem" --measurement "$want" --report-data "$rd"
done
expect_exit 17 "verify with another measurement" -- "$SWSEV" snp verify --report "$T/r1.bin" \
    --vcek "$T/c/vcek.der" --chain "$T/chain.pem" --measurement "$(printf '00%.0s' $(seq 48))"
openssl x509 -inform der -in "$T/c/vcek.der" -out "$T/vcek.pem"
openssl x509 -inform der -in "$T/c/ark.der" -out "$T/ark.pem"
openssl x509 -inform der -in "$T/c/ask.der" -out "$T/ask.pem"
openssl verify -attime 1800000000 -CAfile "$T/ark.pem" -untrusted "$T/ask.pem" "$T/vcek.pem" \
    >/dev/null || fail "openssl verify of the host's chain"
python3 - "$T/r1.bin" "$T/vcek.pem" <<'PY' || fail "python3-cryptography: report signature"
import sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils
rep = open(sys.argv[1], 'rb').read()
key = x509.load_pem_x509_certificate(open(sys.argv[2], 'rb').read()).public_key()
r = int.from_bytes(rep[0x2A0:0x2A0 + 72], 'little')
s = int.from_bytes(rep[0x2E8:0x2E8 + 72], 'little')
key.verify(utils.encode_dss_signature(r, s), rep[:0x2A0], ec.ECDSA(hashes.SHA384()))
PY

# Derived keys (policy and measurement mixed in) are stable per guest.
k1=$(probe key | sed -n 's/^key=//p')
k2=$(probe key | sed -n 's/^key=//p')
[ -n "$k1" ] && [ "$k1" = "$k2" ] || fail "derived key not stable: '$k1' '$k2'"

# The driver's conventions.
out=$(probe version0)
echo "$out" | grep -q "ret=-1 errno=22 exitinfo2=0x1234" || fail "msg_version 0: $out"
out=$(probe badioctl)
echo "$out" | grep -q "ret=-1 errno=25 exitinfo2=0xff" || fail "unknown ioctl: $out"

# A second guest with another launch: now the name is needed; another
# measurement, another key.
expect_exit 0 "start g2" -- "$SWSEV" snp guest start g2 --ovmf "$OVMF" --vcpus 1
out=$(probe report "$T/x.bin")
echo "$out" | grep -q "^open errno=19\|errno=19" || fail "two guests without SWSEV_GUEST: $out"
k3=$(SWSEV_GUEST=g2 probe key | sed -n 's/^key=//p')
[ -n "$k3" ] && [ "$k3" != "$k1" ] || fail "g2's key must differ from g1's"
expect_exit 0 "list" -- "$SWSEV" snp guest list
[ "$(echo "$out" | grep -c '^g[12] ')" = 2 ] || fail "list: $out"

# Bad input: one line, exit 2 or 1, nothing started.
expect_exit 1 "duplicate name" -- "$SWSEV" snp guest start g1 --ovmf "$OVMF"
expect_one_error_line "duplicate name" "could not start"
expect_exit 1 "bad name" -- "$SWSEV" snp guest start 'a/b' --ovmf "$OVMF"
head -c 100000 /dev/urandom > "$T/junk.fd"
expect_exit 1 "junk image" -- "$SWSEV" snp guest start g3 --ovmf "$T/junk.fd"
expect_one_error_line "junk image" "could not start"
expect_exit 2 "no image" -- "$SWSEV" snp guest start g3
expect_one_error_line "no image" "--ovmf"
expect_exit 2 "bad report data" -- "$SWSEV" snp report --guest g1 --report-data zz
expect_one_error_line "bad report data" "report-data"
expect_exit 0 "stop g1" -- "$SWSEV" snp guest stop g1
expect_exit 1 "stop g1 again" -- "$SWSEV" snp guest stop g1
out=$(SWSEV_GUEST=g1 probe report "$T/x.bin")
echo "$out" | grep -q "errno=19" || fail "a stopped guest has no /dev/sev-guest: $out"
out=$(probe report "$T/x.bin")
echo "$out" | grep -q "^ret=0" || fail "one guest left, no name needed: $out"

# The host side through /dev/sev: status, config, commit.
expect_exit 0 "snp platform status" -- "$SWSEV" snp platform status --json
echo "$out" | grep -q '"guests": 1' || fail "platform status (g2 runs, g1 was stopped): $out"
expect_exit 0 "snp platform config" -- "$SWSEV" snp platform config --reported-tcb 0x7308000000000002 --mask-chip-id
out=$(SWSEV_GUEST=g2 probe report "$T/m.bin")
python3 -c "import sys; d=open('$T/m.bin','rb').read(); sys.exit(0 if d[0x1A0:0x1E0]==bytes(64) and d[0x180:0x188]==bytes.fromhex('0200000000000873') else 1)" ||
    fail "MASK_CHIP_ID and the reported TCB must show in the report"
expect_exit 1 "config above the committed TCB" -- "$SWSEV" snp platform config --reported-tcb 0x7408000000000003
expect_one_error_line "config above the committed TCB" "INVALID_PARAM"
expect_exit 0 "snp platform commit" -- "$SWSEV" snp platform commit
expect_exit 2 "unknown action" -- "$SWSEV" snp platform bogus
expect_one_error_line "unknown action" "unknown action"

stop_daemon
finish
