#!/usr/bin/env bash
# Interoperability with independent implementations: a guest owner written
# with python3-cryptography (tests/integration/py/sev_owner.py) launches a
# guest on swsevd and injects a secret the firmware accepts; Python checks
# the exported chain's ECDSA and RSA-PSS signatures; openssl's command line
# verifies the ASK's RSA-PSS signature with the ARK's key.
. "$(dirname "$0")/lib/common.sh"
PY="$(dirname "$0")/py/sev_owner.py"
T=$(mktemp -d)
trap 'kill $DAEMON_PID 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
start_daemon "$T" --chip milan --seed interop || finish
export SWSEV_SOCKET="$T/sock"
expect_exit 0 "export" -- "$SWSEV" platform export certs
mkdir pieces
python3 "$PY" chain certs pieces || fail "python rejects the exported chain"
openssl dgst -sha384 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-2 \
    -verify pieces/ark_pub.pem -signature pieces/ask_sig.bin pieces/ask_body.bin >/dev/null ||
    fail "openssl rejects the ASK's signature by the ARK"
# Python's genuine AMD counterpart: the same checks pass on real Milan data.
mkdir real
python3 "$PY" chain "$SWSEV_TEST_DATA/amd/sev/milan" real || fail "python rejects AMD's Milan chain"
openssl dgst -sha384 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-2 \
    -verify real/ark_pub.pem -signature real/ask_sig.bin real/ask_body.bin >/dev/null ||
    fail "openssl rejects AMD's Milan ASK"

head -c 12288 /dev/urandom > image.bin
python3 "$PY" session certs/pdh.cert 0x0 py || fail "python session"
expect_exit 0 "launch with python's session" -- "$SWSEV" vm launch --image image.bin --session py --json
vm=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["vm"])' <<<"$out")
expect_exit 0 "measure" -- "$SWSEV" vm measure "$vm" --out m.bin
python3 "$PY" measure py 0x0 1 55 21 image.bin m.bin || fail "python disagrees with LAUNCH_MEASURE"
# swsev's own owner tool agrees with python's session files too.
expect_exit 0 "swsev measure on python's keys" -- \
    "$SWSEV" measure --keys py --policy 0 --api 1.55 --build 21 --image image.bin --measurement m.bin
echo "launch secret made by python" > s.txt
python3 "$PY" secret py m.bin s.txt pysec || fail "python secret"
expect_exit 0 "inject python's secret" -- "$SWSEV" vm inject-secret "$vm" --secret pysec --gpa 0x10000
expect_exit 0 "dbg-decrypt" -- "$SWSEV" vm dbg-decrypt "$vm" --gpa 0x10000 --len 32
echo "$out" | grep -q "launch secret ma" || fail "the secret did not land: $out"
# A python session for another policy than the launch's is refused.
python3 "$PY" session certs/pdh.cert 0x1 py2
expect_exit 1 "policy mismatch" -- "$SWSEV" vm launch --image image.bin --session py2
expect_one_error_line "policy mismatch" "BAD_MEASUREMENT"
stop_daemon
finish
