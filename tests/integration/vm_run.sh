#!/usr/bin/env bash
# swsev vm run: modelled guests on a whole simulated host, as SEV, SEV-ES
# and SEV-SNP guests: their serial output, exit codes, the GHCB paths
# (IOIO, CPUID, MSR, MMIO, page-state changes, guest requests), and bad
# arguments.
. "$(dirname "$0")/lib/common.sh"

expect_exit 0 "hello --snp" -- "$SWSEV" vm run hello --snp --seed t
echo "$out" | grep -q "hello from an SEV-SNP guest (SEV_STATUS 0x7, C-bit 51)" || fail "hello --snp: $out"
expect_exit 0 "hello --sev-es" -- "$SWSEV" vm run hello --sev-es --seed t
echo "$out" | grep -q "hello from an SEV-ES guest (SEV_STATUS 0x3" || fail "hello --sev-es: $out"
expect_exit 0 "hello --sev" -- "$SWSEV" vm run hello --sev --seed t
echo "$out" | grep -q "hello from an SEV guest (SEV_STATUS 0x0" || fail "hello --sev: $out"
expect_exit 0 "hello --sev-es on rome" -- "$SWSEV" vm run hello --sev-es --chip rome --seed t
echo "$out" | grep -q "C-bit 47" || fail "rome's C-bit: $out"

expect_exit 0 "attest" -- "$SWSEV" vm run attest --snp --seed t
echo "$out" | grep -Eq "^report: version 3, measurement [0-9a-f]{96}$" || fail "attest: $out"
m1=$(echo "$out" | sed -n 's/.*measurement //p')
expect_exit 0 "attest again" -- "$SWSEV" vm run attest --snp --seed u
m2=$(echo "$out" | sed -n 's/.*measurement //p')
[ "$m1" = "$m2" ] || fail "the same launch must measure the same: $m1 $m2"
expect_exit 2 "attest needs SNP" -- "$SWSEV" vm run attest --sev-es
echo "$out" | grep -q "needs an SEV-SNP guest" || fail "attest --sev-es: $out"

expect_exit 0 "psc" -- "$SWSEV" vm run psc --snp
echo "$out" | grep -q "psc: 64 page-state changes checked" || fail "psc: $out"
for m in --snp --sev-es; do
    expect_exit 0 "mmio $m" -- "$SWSEV" vm run mmio $m
    echo "$out" | grep -q "the test region answered" || fail "mmio $m: $out"
done
expect_exit 2 "mmio --sev" -- "$SWSEV" vm run mmio --sev

# --vcpus: every vCPU's VMSA is launched and measured, as QEMU does.
expect_exit 0 "attest --vcpus 4" -- "$SWSEV" vm run attest --snp --seed t --vcpus 4
m4=$(echo "$out" | sed -n 's/.*measurement //p')
[ -n "$m4" ] && [ "$m4" != "$m1" ] || fail "4 vCPUs must measure differently from 1: $m4 $m1"
expect_exit 0 "attest --vcpus 4 again" -- "$SWSEV" vm run attest --snp --seed u --vcpus 4
[ "$(echo "$out" | sed -n 's/.*measurement //p')" = "$m4" ] || fail "--vcpus 4 twice: $out"
for n in 0 65 x; do
    expect_exit 2 "--vcpus $n" -- "$SWSEV" vm run hello --vcpus $n
    expect_one_error_line "--vcpus $n" "vcpus wants 1 to 64"
done

# SNP AP creation: a second vCPU from a VMSA the guest wrote.
expect_exit 0 "smp" -- "$SWSEV" vm run smp --snp
echo "$out" | grep -q "^AP 1: up (SEV_STATUS 0x7)$" || fail "smp AP: $out"
echo "$out" | grep -q "^BSP: AP 1 created" || fail "smp BSP: $out"
expect_exit 2 "smp needs SNP" -- "$SWSEV" vm run smp --sev-es
expect_exit 2 "smp needs 2 vCPUs" -- "$SWSEV" vm run smp --snp --vcpus 1
echo "$out" | grep -q "needs a VM with 2 vCPUs" || fail "smp --vcpus 1: $out"

# SNP VMPLs on one vCPU: RUN_VMPL both ways; a page VMPL1 was not given is
# an RMP fault with the VMPL bit (error code bits 31 RMP, 36 VMPL) on that
# page, and the VMM stops the VM.
expect_exit 255 "vmpl" -- "$SWSEV" vm run vmpl --snp
echo "$out" | grep -q "which read \"VMPL0 wrote this\" and wrote \"VMPL1 was here\"; back at VMPL 0" ||
    fail "vmpl: $out"
echo "$err" | grep -q "VMEXIT 0x400 (info1 0x1580000001, info2 0x1a2000)" || fail "vmpl stop: $err"
expect_exit 2 "vmpl needs SNP" -- "$SWSEV" vm run vmpl --sev-es

# Bad arguments: one line, exit 2.
expect_exit 2 "unknown guest" -- "$SWSEV" vm run nope
expect_one_error_line "unknown guest" "no guest 'nope'"
expect_exit 2 "two modes" -- "$SWSEV" vm run hello --snp --sev
expect_one_error_line "two modes" "exclude"
expect_exit 2 "SNP on rome" -- "$SWSEV" vm run hello --snp --chip rome
expect_one_error_line "SNP on rome" "no SEV-SNP"
expect_exit 2 "no guest" -- "$SWSEV" vm run
expect_exit 0 "list" -- "$SWSEV" vm run --list
[ "$(echo "$out" | wc -l)" = 7 ] || fail "list: $out"
finish
