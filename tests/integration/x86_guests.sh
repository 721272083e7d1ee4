#!/usr/bin/env bash
# x86-64 guest binaries (docs/x86-guests.md) on the simulated host, their vCPU
# on the Unicorn backend: `swsev vm run FILE.elf` under no SEV, SEV, SEV-ES and
# SEV-SNP; the conformance guest against its modelled twin, byte for byte;
# loader refusals; the benchmark guest's checks.
. "$(dirname "$0")/lib/common.sh"

GUESTS="$SWSEV_BIN/../../backend/guests/cvm"
[ -x "$SWSEV_BIN/swsev-x86" ] && [ -f "$GUESTS/hello.elf" ] || {
    echo "swsev-x86 or the x86-64 guests were not built (libunicorn-dev)"
    exit 77
}

expect_exit 0 "hello --none" -- "$SWSEV" vm run "$GUESTS/hello.elf" --none
echo "$out" | grep -q "^hello from an x86-64 guest (no SEV)$" || fail "hello --none: $out"
expect_exit 0 "hello --sev" -- "$SWSEV" vm run "$GUESTS/hello.elf" --sev
echo "$out" | grep -q "^SEV_STATUS 0x1, C-bit position 51$" || fail "hello --sev: $out"
expect_exit 0 "hello --sev-es" -- "$SWSEV" vm run "$GUESTS/hello.elf" --sev-es --stats
echo "$out" | grep -q "^hello from an x86-64 guest (SEV-ES)$" || fail "hello --sev-es: $out"
echo "$err" | grep -Eq "[1-9][0-9]* #VC, [0-9]+ VMEXITs \([1-9][0-9]* VMGEXIT\)" ||
    fail "an SEV-ES guest's CPUID and I/O go through #VC and VMGEXIT: $err"
expect_exit 0 "hello --sev-es on rome" -- "$SWSEV" vm run "$GUESTS/hello.elf" --sev-es --chip rome
echo "$out" | grep -q "C-bit position 47" || fail "rome's C-bit: $out"
expect_exit 0 "hello --snp --vcpus 3" -- "$SWSEV" vm run "$GUESTS/hello.elf" --snp --vcpus 3
expect_exit 0 "hello --snp" -- "$SWSEV" vm run "$GUESTS/hello.elf" --snp
echo "$out" | grep -q "^validated 256 pages (1 MiB) at 0x400000$" || fail "hello --snp: $out"
echo "$out" | grep -q "^second PVALIDATE of 0x400000 refused: no update (CF=1)" ||
    fail "double validation: $out"

# Attestation from machine code: the guest seals MSG_REPORT_REQ under VMPCK0
# with AES-256-GCM (Debian's libcrypto.a, linked into the guest), asks over the
# GHCB, checks the response's tag and sequence number; a replayed request is
# refused by the firmware. The measurement is the launch's: the same every
# run, another with more vCPUs (their VMSAs are measured too).
if [ -f "$GUESTS/attest.elf" ]; then
    expect_exit 0 "attest.elf --snp" -- "$SWSEV" vm run "$GUESTS/attest.elf" --snp
    echo "$out" | grep -q "^attest: report version 0x3, vmpl 0, policy 0x30000$" || fail "attest: $out"
    echo "$out" | grep -q "^report_data: 7377736576207838362061747465737400" || fail "report_data: $out"
    echo "$out" | grep -q "^second report: ok$" || fail "second report: $out"
    echo "$out" | grep -q "^replayed request refused$" || fail "replay: $out"
    ma=$(echo "$out" | sed -n 's/^measurement: //p')
    expect_exit 0 "attest.elf again" -- "$SWSEV" vm run "$GUESTS/attest.elf" --snp
    [ "$(echo "$out" | sed -n 's/^measurement: //p')" = "$ma" ] || fail "the same launch, another digest"
    expect_exit 0 "attest.elf --vcpus 2" -- "$SWSEV" vm run "$GUESTS/attest.elf" --snp --vcpus 2
    mb=$(echo "$out" | sed -n 's/^measurement: //p')
    [ -n "$mb" ] && [ "$mb" != "$ma" ] || fail "two vCPUs must measure differently: $ma $mb"
    expect_exit 2 "attest.elf --sev-es" -- "$SWSEV" vm run "$GUESTS/attest.elf" --sev-es
else
    echo "attest.elf was not built (no libcrypto.a): its checks are skipped"
fi

# Conformance: the x86-64 guest and the modelled guest print the same bytes.
for m in --sev-es --snp; do
    expect_exit 7 "conform.elf $m" -- "$SWSEV" vm run "$GUESTS/conform.elf" $m
    x86="$out"
    expect_exit 7 "conform $m" -- "$SWSEV" vm run conform $m
    [ "$x86" = "$out" ] || fail "conform $m: the backends differ:
--- x86-64
$x86
--- modelled
$out"
    echo "$x86" | grep -q "^mmio_10000004: 0xcafef00d$" || fail "conform $m: $x86"
done

# Without SEV-ES the VMM emulates MMIO from the VMCB's decode-assist bytes,
# and the CPUID memory-encryption leaf says what the VM is.
expect_exit 7 "conform.elf --sev" -- "$SWSEV" vm run "$GUESTS/conform.elf" --sev
echo "$out" | grep -q "^mmio_10000004: 0xcafef00d$" || fail "conform --sev MMIO: $out"
echo "$out" | grep -q "^cpuid_8000001f_eax: 0x402$" || fail "conform --sev CPUID: $out"
expect_exit 7 "conform.elf --none" -- "$SWSEV" vm run "$GUESTS/conform.elf" --none
echo "$out" | grep -q "^mmio_10000000: 0x12345678$" || fail "conform --none MMIO: $out"
echo "$out" | grep -q "^cpuid_8000001f_eax: 0x0$" || fail "conform --none CPUID: $out"

# Event injection (VMCB EVENTINJ): the VMM injects #GP(0x10) at the VMRUN
# after the first exit; the guest's handler sees vector, error code and a
# return address inside its code, and exits 126.
X86="$SWSEV_BIN/swsev-x86"
for m in --none --sev; do
    expect_exit 126 "inject #GP $m" -- "$X86" run "$GUESTS/hello.elf" $m --inject-exception 13:0x10
    echo "$out" | grep -Eq "exception 13 error 0x10 at 0x10[0-9a-f]{4}$" || fail "inject $m: $out"
done
expect_exit 2 "inject NMI as an exception" -- "$X86" run "$GUESTS/hello.elf" --inject-exception 2
expect_one_error_line "inject 2" "vector 0-31 but 2"

# The benchmark guest checks its own results (VMGEXIT answers, the compute
# result, the copy) after the timed phases.
expect_exit 0 "bench.elf --snp" -- "$SWSEV" vm run "$GUESTS/bench.elf" --snp
echo "$out" | grep -q "^bench done$" || fail "bench --snp: $out"

# Short quanta in both backend modes (block scan, per-instruction hooks):
# a quantum's end must never skip or repeat guest instructions (Unicorn
# 2.0.1's RIP after a stop in a block hook, docs/unicorn.md defect 10).
for mode in "" --hook-every-insn; do
    for m in --sev-es --snp; do
        expect_exit 0 "bench.elf $m $mode short quanta" -- \
            "$X86" run "$GUESTS/bench.elf" $m --quantum 65536 $mode
        echo "$out" | grep -q "^bench done$" || fail "bench $m $mode: $out"
    done
    expect_exit 7 "conform.elf $mode short quanta" -- \
        "$X86" run "$GUESTS/conform.elf" --snp --quantum 4096 $mode
done

# Refusals: one line, exit 2, nothing run.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'not an elf' >"$tmp/junk.elf"
expect_exit 2 "not ELF" -- "$SWSEV" vm run "$tmp/junk.elf" --snp
expect_one_error_line "not ELF" "not an ELF file"
head -c 64 "$GUESTS/hello.elf" >"$tmp/short.elf"
expect_exit 2 "truncated ELF" -- "$SWSEV" vm run "$tmp/short.elf" --sev
expect_one_error_line "truncated ELF" "program header"
expect_exit 2 "missing file" -- "$SWSEV" vm run "$tmp/none/x.elf" --sev
expect_one_error_line "missing file" "No such file"
expect_exit 2 "--seed is for modelled guests" -- "$SWSEV" vm run "$GUESTS/hello.elf" --seed x
expect_one_error_line "--seed" "modelled guests"
expect_exit 2 "--stats is for ELF guests" -- "$SWSEV" vm run hello --stats
expect_one_error_line "--stats" "ELF guests"
expect_exit 2 "two modes" -- "$SWSEV" vm run "$GUESTS/hello.elf" --none --snp
expect_one_error_line "two modes" "exclude each other"
expect_exit 2 "snp on rome" -- "$SWSEV" vm run "$GUESTS/hello.elf" --snp --chip rome
expect_one_error_line "snp on rome" "has no SEV-SNP"
finish
