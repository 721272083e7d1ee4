#!/usr/bin/env bash
# The SEV workflow through the swsev CLI: platform owner, guest owner and
# VMM roles, with swsevd. Every command's bad input gets one line and exit
# 2; failed checks exit 1; --json output parses.
. "$(dirname "$0")/lib/common.sh"
T=$(mktemp -d)
trap 'kill $DAEMON_PID 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
json_ok() { python3 -c 'import json,sys; json.load(sys.stdin)' <<<"$1" || fail "bad JSON: $1"; }

# Offline: the genuine AMD chains verify; a changed byte does not.
for gen in naples rome milan; do
    expect_exit 0 "verify-chain $gen" -- "$SWSEV" verify-chain "$SWSEV_TEST_DATA/amd/sev/$gen"
    echo "$out" | grep -q "test root" && fail "$gen flagged as a test root"
done
cp -r "$SWSEV_TEST_DATA/amd/sev/rome" bad && chmod -R u+w bad
printf '\x00' | dd of=bad/pek.cert bs=1 seek=$((0x430)) conv=notrunc 2>/dev/null
expect_exit 1 "verify-chain tampered PEK" -- "$SWSEV" verify-chain bad
echo "$out" | grep -q "PEK is not signed" || fail "tampered PEK not named: $out"
expect_exit 0 "verify-chain --json" -- "$SWSEV" verify-chain "$SWSEV_TEST_DATA/amd/sev/milan" --json
json_ok "$out"
expect_exit 2 "verify-chain missing dir" -- "$SWSEV" verify-chain /nonexistent
expect_exit 2 "verify-chain no args" -- "$SWSEV" verify-chain
expect_one_error_line "verify-chain no args" "directory"

start_daemon "$T" --chip rome --seed cliflow || finish
export SWSEV_SOCKET="$T/sock"
expect_exit 0 "platform status" -- "$SWSEV" platform status
echo "$out" | grep -q "API version: 0.24 (build 15)" || fail "status: $out"
expect_exit 0 "platform status --json" -- "$SWSEV" platform status --json
json_ok "$out"
expect_exit 0 "platform export" -- "$SWSEV" platform export certs
for f in ark ask cek oca pek pdh; do [ -s certs/$f.cert ] || fail "export lacks $f.cert"; done
expect_exit 0 "verify-chain of the export" -- "$SWSEV" verify-chain certs
echo "$out" | grep -q "test root, not AMD's" || fail "the test root is not marked: $out"
expect_exit 0 "platform get-id" -- "$SWSEV" platform get-id
[ ${#out} = 128 ] || fail "get-id: $out"
expect_exit 0 "platform pek-csr" -- "$SWSEV" platform pek-csr --out csr.cert
[ "$(stat -c %s csr.cert)" = 2084 ] || fail "CSR size"
expect_exit 1 "pek-import of unsigned certs" -- "$SWSEV" platform pek-import --pek csr.cert --oca certs/oca.cert
echo "$err" | grep -q "firmware status" || fail "pek-import failure line: $err"
expect_exit 2 "platform bad action" -- "$SWSEV" platform frob
expect_one_error_line "platform frob" "unknown action"
expect_exit 2 "platform export without dir" -- "$SWSEV" platform export
expect_exit 2 "pek-import missing files" -- "$SWSEV" platform pek-import --pek nofile --oca nofile
expect_one_error_line "pek-import missing files" "nofile"

# Guest owner, offline.
expect_exit 0 "session" -- "$SWSEV" session --pdh certs/pdh.cert --policy 0 --out owner
expect_exit 2 "session with a PEK" -- "$SWSEV" session --pdh certs/pek.cert --policy 0 --out x
expect_one_error_line "session with a PEK" "not a PDH"
expect_exit 2 "session bad policy" -- "$SWSEV" session --pdh certs/pdh.cert --policy zz --out x
expect_exit 2 "session missing args" -- "$SWSEV" session --pdh certs/pdh.cert

# VMM: launch, measure; owner checks; secret; finish; debug.
head -c 20000 /usr/share/ovmf/OVMF.fd > image.bin 2>/dev/null || head -c 20000 /dev/urandom > image.bin
expect_exit 0 "vm launch" -- "$SWSEV" vm launch --image image.bin --session owner --json
json_ok "$out"
vm=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["vm"])' <<<"$out")
expect_exit 0 "vm measure" -- "$SWSEV" vm measure "$vm" --out m.bin
expect_exit 0 "owner accepts the measurement" -- \
    "$SWSEV" measure --keys owner --policy 0 --api 0.24 --build 15 --image image.bin --measurement m.bin
printf 'x' >> image.bin
expect_exit 1 "owner rejects another image" -- \
    "$SWSEV" measure --keys owner --policy 0 --api 0.24 --build 15 --image image.bin --measurement m.bin
echo "$out" | grep -q MISMATCH || fail "no MISMATCH line"
expect_exit 1 "owner rejects another policy" -- \
    "$SWSEV" measure --keys owner --policy 1 --api 0.24 --build 15 --digest "$(printf '%064d' 0)" --measurement m.bin
expect_exit 2 "measure bad digest" -- "$SWSEV" measure --keys owner --policy 0 --api 0.24 --build 15 --digest 12
expect_exit 2 "measure bad api" -- "$SWSEV" measure --keys owner --policy 0 --api x --build 15 --digest 12
echo "top secret disk key" > secret.txt
expect_exit 0 "secret" -- "$SWSEV" secret --keys owner --measurement m.bin --api 0.24 --in secret.txt --out sec
expect_exit 0 "inject" -- "$SWSEV" vm inject-secret "$vm" --secret sec --gpa 0x200000
expect_exit 0 "finish" -- "$SWSEV" vm finish "$vm"
expect_exit 0 "status" -- "$SWSEV" vm status "$vm"
echo "$out" | grep -q "state RUNNING" || fail "status: $out"
expect_exit 0 "dbg-decrypt" -- "$SWSEV" vm dbg-decrypt "$vm" --gpa 0x200000 --len 32
echo "$out" | grep -q "top secret disk" || fail "dbg-decrypt did not show the secret: $out"
expect_exit 0 "host read" -- "$SWSEV" vm read "$vm" --gpa 0x200000 --len 32
echo "$out" | grep -q "top secret" && fail "the host sees the secret in the clear"
echo "$out" | grep -q "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" && fail "host view not ciphertext: $out"

# A no-debug guest: DBG_DECRYPT refused with the firmware's POLICY_FAILURE.
expect_exit 0 "vm launch nodebug" -- "$SWSEV" vm launch --image image.bin --policy 1 --json
vm2=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["vm"])' <<<"$out")
expect_exit 1 "dbg-decrypt nodebug" -- "$SWSEV" vm dbg-decrypt "$vm2" --gpa 0 --len 16
expect_one_error_line "dbg-decrypt nodebug" "POLICY_FAILURE"
# Wrong order: LAUNCH_FINISH before LAUNCH_MEASURE.
expect_exit 1 "finish before measure" -- "$SWSEV" vm finish "$vm2"
expect_one_error_line "finish before measure" "INVALID_GUEST_STATE"
expect_exit 0 "vm list" -- "$SWSEV" vm list --json
json_ok "$out"
expect_exit 0 "vm destroy" -- "$SWSEV" vm destroy "$vm2"
expect_exit 2 "vm unknown id" -- "$SWSEV" vm status 99
expect_one_error_line "vm unknown id" "no VM 99"
expect_exit 2 "vm bad id" -- "$SWSEV" vm status abc
expect_exit 2 "vm launch no image" -- "$SWSEV" vm launch
expect_exit 2 "vm launch too big" -- "$SWSEV" vm launch --image image.bin --ram 2M --gpa 2M
expect_exit 2 "vm launch bad session" -- "$SWSEV" vm launch --image image.bin --session nowhere
expect_one_error_line "vm launch bad session" "nowhere_godh.b64"
expect_exit 2 "vm without daemon" -- env -u SWSEV_SOCKET "$SWSEV" vm list
expect_one_error_line "vm without daemon" "SWSEV_SOCKET"
for c in platform session measure secret vm verify-chain; do
    expect_exit 0 "$c --help" -- "$SWSEV" $c --help
    echo "$out" | grep -q "^usage: swsev" || fail "$c --help"
done
stop_daemon
finish
