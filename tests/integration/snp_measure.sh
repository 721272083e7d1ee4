#!/usr/bin/env bash
# swsev snp measure / measure-diff: sev-snp-measure's expected digests for
# its fixtures (tests/test_guest.py, commit 8f2b337e), base64 output,
# --explain, measure-diff, and the error contract. When python3 has the
# sevsnpmeasure package, the same invocations are also compared against it.
. "$(dirname "$0")/lib/common.sh"

DATA="${SWSEV_TEST_DATA:?}/ovmf"
AMDSEV="$DATA/ovmf_AmdSev_suffix.bin"
X64="$DATA/ovmf_OvmfX64_suffix.bin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/empty" # sev-snp-measure's tests use /dev/null as kernel and initrd

# measure WANT ARGS...: the printed digest must be WANT.
measure() {
    local want=$1
    shift
    expect_exit 0 "measure $*" -- "$SWSEV" snp measure "$@"
    [ "$out" = "$want" ] || fail "measure $*: got '$out', expected '$want'"
}

V4="--vcpu-type EPYC-v4"
CMD="console=ttyS0 loglevel=7"
OVMF_HASH=086e2e9149ebf45abdc3445fba5b2da8270bdbb04094d7a2c37faaa4b24af3aa16aff8c374c2a55c467a50da6d466b74

# --- sev-snp-measure's expected values ---
measure $OVMF_HASH --mode snp:ovmf-hash --ovmf "$AMDSEV"
measure 329c8ce0972ae52343b64d34a434a86f245dfd74f5ed7aae15d22efc78fb9683632b9b50e4e1d7fa41179ef98a7ef198 \
    --mode snp --vcpus 1 $V4 --ovmf "$AMDSEV" --kernel /dev/null --initrd /dev/null --append "" \
    --guest-features 0x21 --snp-ovmf-hash $OVMF_HASH
measure ddc5224521617a536ee7ce9dd6224d1b58a8d4fda1c741f3ac99fc4bfa04ba6e9fc98646d4a07a9079397fa3852819b5 \
    --mode snp --vcpus 1 $V4 --ovmf "$AMDSEV" --kernel /dev/null --initrd /dev/null \
    --guest-features 0x1 --snp-ovmf-hash $OVMF_HASH
measure 803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977 \
    --mode snp --vcpus 1 $V4 --ovmf "$AMDSEV" --kernel /dev/null --initrd /dev/null --append "$CMD" \
    --guest-features 0x21
measure 803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977 \
    --mode snp --vcpus 1 $V4 --ovmf "$AMDSEV" --kernel /dev/null --initrd /dev/null --append "$CMD" \
    --guest-features 0x21 --snp-ovmf-hash $OVMF_HASH
measure 6d287813eb5222d770f75005c664e34c204f385ce832cc2ce7d0d6f354454362f390ef83a92046c042e706363b4b08fa \
    --mode snp --vcpus 1 $V4 --ovmf "$AMDSEV" --kernel "$tmp/empty" --initrd "$tmp/empty" \
    --append "$CMD"
measure 0ce9ccc06bab55eebe8abc234f3df6514883977a68a591b71052498ab52b2f1aa415db338033946ef93aa8278c0d67fb \
    --mode snp --vcpus 1 $V4 --vmm-type ec2 --ovmf "$AMDSEV" --kernel /dev/null --guest-features 0x21
measure 0883bd0eeb716e65b7b977a321c278d1e51b33b5c655fab985443bbcc65c086b9c15e8a0bd8811050dec7e24964e5056 \
    --mode snp --vcpus 1 $V4 --vmm-type ec2 --ovmf "$AMDSEV" --kernel /dev/null
measure 5da7106cf14cf46b1725ebab123eb9e53bd46a1e9f400cd0c08e7827b04b688ea8b4e403c8404efed4397ea5d5d0722e \
    --mode snp --vcpus 1 --vmm-type gce --ovmf "$AMDSEV" --kernel /dev/null
measure 5c5debf100fc339f90276e761ee1f1658d08922c3b20e2a2e6c7a6c3370b2452a15a00eae11886a93d6fd1e7ab81e29d \
    --mode snp --vcpus 4 --vmm-type gce --ovmf "$AMDSEV" --kernel /dev/null
measure e1e1ca029dd7973ab9513295be68198472dcd4fc834bd9af9b63f6e8a1674dbf281a9278a4a2ebe0eed9f22adbcd0e2b \
    --mode snp --vcpus 1 $V4 --ovmf "$AMDSEV" --guest-features 0x21
measure 19358ba9a7615534a9a1e2f0dfc29384dcd4dcb7062ff9c6013b26869a5fc6ecabe033c48dd6f6db5d6d76e7c5df632d \
    --mode snp --vcpus 1 --vcpu-sig 0x800f12 --ovmf "$AMDSEV"
measure 4953b1fb416fa874980e8442b3706d345926d5f38879134e00813c5d7abcbe78eafe7b422907be0b4698e2414a631942 \
    --mode snp --vcpus 4 $V4 --ovmf "$AMDSEV" --kernel /dev/null --guest-features 0x21
measure 5061fffb019493a903613d56d54b94912a1a2f9e4502385f5c194616753720a92441310ba6c4933de877c36e23046ad5 \
    --mode snp --vcpus 4 --vcpu-family 23 --vcpu-model 1 --vcpu-stepping 2 --ovmf "$AMDSEV" \
    --kernel /dev/null
measure 28797ae0afaba4005a81e629acebfb59e6687949d6be44007cd5506823b0dd66f146aaae26ff291eed7b493d8a64c385 \
    --mode snp --vcpus 1 $V4 --ovmf "$X64" --guest-features 0x21
measure da0296de8193586a5512078dcd719eccecbd87e2b825ad4148c44f665dc87df21e5b49e21523a9ad993afdb6a30b4005 \
    --mode snp --vcpus 1 $V4 --ovmf "$X64"
measure 13810ae661ea11e2bb205621f582fee268f0367c8f97bc297b7fadef3e12002c \
    --mode seves --vcpus 1 $V4 --ovmf "$AMDSEV" --kernel /dev/null --initrd /dev/null
measure 0dccbcaba8e90b261bd0d2e1863a2f9da714768b7b2a19363cd6ae35aa90de91 \
    --mode seves --vcpus 4 $V4 --ovmf "$AMDSEV" --kernel /dev/null --guest-features 0x21
measure 82a3ee5d537c3620628270c292ae30cb40c3c878666a7890ee7ef2a08fb535ff \
    --mode sev --ovmf "$AMDSEV" --kernel /dev/null --initrd /dev/null --append "$CMD"
measure 77f613d7bbcdf12a73782ea9e88b0172aeda50d1a54201cb903594ff52846898 \
    --mode sev --ovmf "$AMDSEV" --kernel /dev/null
measure b4c021e085fb83ceffe6571a3d357b4a98773c83c474e47f76c876708fe316da --mode sev --ovmf "$X64"

# sev-snp-measure's refusals: a kernel without a place for its hashes.
for mode in snp seves sev; do
    expect_exit 2 "$mode: kernel with OvmfX64" -- "$SWSEV" snp measure --mode $mode --vcpus 1 $V4 \
        --ovmf "$X64" --kernel /dev/null
    expect_one_error_line "$mode: kernel with OvmfX64" "kernel"
done

# --- output formats ---
hex=803f691094946e42068aaa3a8f9e26a5c89f36f7b73ecfb28c653360fe4b3aba7e534442e7e1e17895dfe778d0228977
# shellcheck disable=SC2059 # the hex digits become \xHH escapes of printf's format
b64=$(printf "$(echo "$hex" | sed 's/../\\x&/g')" | base64 -w0)
SNP1=(--mode snp --vcpus 1 $V4 --ovmf "$AMDSEV" --kernel /dev/null --append "$CMD" --guest-features 0x21)
measure "$b64" "${SNP1[@]}" --output-format base64
measure "$b64" "${SNP1[@]}" --output-format=base64
measure "Calculated SEV_SNP guest measurement: $hex" "${SNP1[@]}" -v
expect_exit 0 "json" -- "$SWSEV" snp measure "${SNP1[@]}" --json
echo "$out" | grep -q "\"measurement\": \"$hex\"" || fail "--json lacks the measurement: $out"

# --- --explain: every page, the last digest is the measurement ---
expect_exit 0 "explain" -- "$SWSEV" snp measure "${SNP1[@]}" --explain
pages=$(echo "$out" | grep -cE '^ *[0-9]+  0x')
[ "$pages" = 33 ] || fail "--explain printed $pages pages, expected 33 (1 OVMF + 31 metadata + 1 VMSA)"
[ "$(echo "$out" | tail -1)" = "$hex" ] || fail "--explain does not end with the measurement"
last=$(echo "$out" | grep '^ *32 ' | awk '{print $NF}')
[ "$last" = "$hex" ] || fail "--explain: the last page's digest '$last' is not the measurement"
echo "$out" | grep -q '^ *16  0x000000810000  NORMAL .*kernel hashes' ||
    fail "--explain: page 16 is not the kernel hashes page"
echo "$out" | grep -q '^ *32  0xfffffffff000  VMSA ' || fail "--explain: no VMSA page at 32"
expect_exit 0 "explain json" -- "$SWSEV" snp measure "${SNP1[@]}" --explain --json
[ "$(echo "$out" | grep -c '"index"')" = 33 ] || fail "--explain --json: not 33 pages"
if command -v python3 >/dev/null; then
    echo "$out" | python3 -c 'import json,sys; json.load(sys.stdin)' || fail "--explain --json is not JSON"
fi
expect_exit 0 "explain seves" -- "$SWSEV" snp measure --mode seves --vcpus 2 $V4 --ovmf "$AMDSEV" \
    --kernel /dev/null --explain
echo "$out" | grep -q 'kernel hashes' || fail "--explain seves lacks the hashes table update"

# --dump-vmsa writes one page per vCPU in the current directory.
(cd "$tmp" && "$SWSEV" snp measure --mode snp --vcpus 2 $V4 --ovmf "$AMDSEV" --dump-vmsa >/dev/null) ||
    fail "--dump-vmsa failed"
[ "$(stat -c %s "$tmp/vmsa1.bin" 2>/dev/null)" = 4096 ] && [ ! -e "$tmp/vmsa2.bin" ] ||
    fail "--dump-vmsa did not write vmsa0.bin and vmsa1.bin"

# --- measure-diff ---
DIFF=("$SWSEV" snp measure-diff --vcpus 2 $V4 --ovmf "$AMDSEV")
expect_exit 0 "diff identical" -- "${DIFF[@]}"
echo "$out" | grep -q "^identical: 34 pages" || fail "diff identical: $out"
expect_exit 1 "diff features" -- "${DIFF[@]}" --a-guest-features 0x1 --b-guest-features 0x21
echo "$out" | grep -q "diverge at page 32" || fail "diff features: $out"
echo "$out" | grep -q "SEV_FEATURES" || fail "diff features names no field: $out"
expect_exit 1 "diff cpu" -- "${DIFF[@]}" --b-vcpu-type EPYC-Milan
echo "$out" | grep -q "RDX (vCPU signature)" || fail "diff cpu: $out"
expect_exit 1 "diff append" -- "${DIFF[@]}" --kernel /dev/null --a-append x --b-append y
echo "$out" | grep -q "diverge at page 16" || fail "diff append: $out"
echo "$out" | grep -q "hashes that differ: command line" || fail "diff append: $out"
expect_exit 1 "diff ovmf" -- "${DIFF[@]}" --b-ovmf "$X64"
echo "$out" | grep -q "diverge at page 0" || fail "diff ovmf: $out"
echo "$out" | grep -q "why: different contents" || fail "diff ovmf: $out"
expect_exit 1 "diff vmm" -- "${DIFF[@]}" --b-vmm-type ec2
echo "$out" | grep -q "why: different GPA and page type" || fail "diff vmm: $out"
expect_exit 1 "diff vcpus" -- "${DIFF[@]}" --b-vcpus 3
echo "$out" | grep -q "one launch has no more pages" || fail "diff vcpus: $out"
expect_exit 0 "diff seeded" -- "${DIFF[@]}" --b-snp-ovmf-hash $OVMF_HASH
expect_exit 1 "diff bad seed" -- "${DIFF[@]}" --b-snp-ovmf-hash "${OVMF_HASH/086e/186e}"
echo "$out" | grep -q "diverge in the firmware image" || fail "diff bad seed: $out"

# --- bad arguments and inputs: exit 2, one line ---
bad() {
    local pattern=$1
    shift
    expect_exit 2 "bad: $*" -- "$SWSEV" snp "$@"
    expect_one_error_line "$*" "$pattern"
}
bad "missing --mode" measure --ovmf "$AMDSEV"
bad "unknown mode" measure --mode tdx --ovmf "$AMDSEV"
bad "not supported" measure --mode snp:svsm --ovmf "$AMDSEV"
bad "missing --ovmf" measure --mode snp --vcpus 1 $V4
bad "missing --vcpus" measure --mode snp $V4 --ovmf "$AMDSEV"
bad "missing --vcpu-type" measure --mode snp --vcpus 1 --ovmf "$AMDSEV"
bad "at least one vCPU" measure --mode snp --vcpus 0 $V4 --ovmf "$AMDSEV"
bad "not a number" measure --mode snp --vcpus two $V4 --ovmf "$AMDSEV"
bad "out of range" measure --mode snp --vcpus 5000 $V4 --ovmf "$AMDSEV"
bad "unknown CPU type 'EPYC-v9'" measure --mode snp --vcpus 1 --vcpu-type EPYC-v9 --ovmf "$AMDSEV"
bad "go together" measure --mode snp --vcpus 1 --vcpu-family 25 --ovmf "$AMDSEV"
bad "unknown VMM type 'xen'" measure --mode snp --vcpus 1 $V4 --vmm-type xen --ovmf "$AMDSEV"
bad "--guest-features" measure --mode snp --vcpus 1 $V4 --guest-features 0xzz --ovmf "$AMDSEV"
bad "--output-format" measure --mode snp --vcpus 1 $V4 --ovmf "$AMDSEV" --output-format raw
bad "--initrd needs --kernel" measure --mode snp --vcpus 1 $V4 --ovmf "$AMDSEV" --initrd /dev/null
bad "--append needs --kernel" measure --mode snp --vcpus 1 $V4 --ovmf "$AMDSEV" --append x
bad "--snp-ovmf-hash works with --mode snp" measure --mode seves --vcpus 1 $V4 --ovmf "$AMDSEV" \
    --snp-ovmf-hash $OVMF_HASH
bad "96 hex digits" measure --mode snp --vcpus 1 $V4 --ovmf "$AMDSEV" --snp-ovmf-hash abcd
bad "cannot read" measure --mode snp --vcpus 1 $V4 --ovmf "$tmp/nonexistent"
bad "cannot read $tmp/nokernel" measure --mode snp --vcpus 1 $V4 --ovmf "$AMDSEV" --kernel "$tmp/nokernel"
bad "unknown option '--frob'" measure --mode snp --frob
bad "needs a value" measure --mode snp --ovmf
bad "unknown option '--a-ovmf'" measure --a-ovmf x
bad "unexpected argument" measure --mode snp stray
bad "--dump-vmsa needs" measure --mode sev --ovmf "$AMDSEV" --dump-vmsa
head -c 100 "$AMDSEV" >"$tmp/short.bin"
bad "not a whole number of 4 KiB pages" measure --mode snp --vcpus 1 $V4 --ovmf "$tmp/short.bin"
# A footer table whose length field is below its own header.
cp "$AMDSEV" "$tmp/broken.bin"
printf '\x03\x00' | dd of="$tmp/broken.bin" bs=1 seek=4046 conv=notrunc status=none
bad "footer table length 3" measure --mode snp --vcpus 1 $V4 --ovmf "$tmp/broken.bin"
bad "SNP launches" measure-diff --mode seves --ovmf "$AMDSEV"
bad "unknown option '--c-ovmf'" measure-diff --c-ovmf x
bad "launch b: .*missing --vcpus" measure-diff --a-vcpus 1 $V4 --ovmf "$AMDSEV"
expect_exit 0 "measure --help" -- "$SWSEV" snp measure --help
echo "$out" | grep -q "^usage: swsev snp measure" || fail "measure --help"
expect_exit 0 "measure-diff --help" -- "$SWSEV" snp measure-diff --help
echo "$out" | grep -q "a- or b-" || fail "measure-diff --help does not explain the a-/b- options"
expect_exit 0 "snp --help" -- "$SWSEV" snp --help
echo "$out" | grep -q "measure-diff" || fail "swsev snp --help does not list measure-diff"

# --- the reference itself, when installed ---
if python3 -c 'import sevsnpmeasure.cli' 2>/dev/null; then
    ssm() { python3 -c 'import sys; from sevsnpmeasure.cli import main; sys.exit(main())' "$@"; }
    head -c 10000 /dev/urandom >"$tmp/k"
    head -c 3000 /dev/urandom >"$tmp/i"
    for args in "--mode snp --vcpus 3 --vcpu-type EPYC-Genoa --ovmf $AMDSEV --kernel $tmp/k --initrd $tmp/i --append a=b" \
        "--mode snp --vcpus 2 --vcpu-type EPYC-Milan --vmm-type ec2 --ovmf $AMDSEV --guest-features 0x21" \
        "--mode seves --vcpus 2 --vcpu-sig 0xa10f11 --ovmf $AMDSEV --kernel $tmp/k" \
        "--mode sev --ovmf $AMDSEV --kernel $tmp/k --append x" \
        "--mode snp --vcpus 2 --vcpu-type EPYC-v4 --ovmf /usr/share/ovmf/OVMF.fd"; do
        [[ $args == */usr/share/* ]] && [ ! -e /usr/share/ovmf/OVMF.fd ] && continue
        # shellcheck disable=SC2086
        want=$(ssm $args) || { fail "sev-snp-measure $args failed"; continue; }
        # shellcheck disable=SC2086
        measure "$want" $args
    done
    echo "compared against sev-snp-measure"
else
    echo "sev-snp-measure not installed: its tests' constants are the reference"
fi

finish
