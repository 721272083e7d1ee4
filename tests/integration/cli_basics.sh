#!/usr/bin/env bash
# The swsev command line: help everywhere, one clear error line for bad
# arguments, the demo passes, the benchmark prints its ratio lines.
. "$(dirname "$0")/lib/common.sh"

expect_exit 0 "swsev --help" -- "$SWSEV" --help
echo "$out" | grep -q "demo" || fail "top-level help lists no commands"
expect_exit 2 "swsev without command" -- "$SWSEV"
expect_exit 2 "unknown command" -- "$SWSEV" frobnicate
expect_one_error_line "unknown command" "unknown command 'frobnicate'"

for cmd in demo bench; do
    expect_exit 0 "$cmd --help" -- "$SWSEV" "$cmd" --help
    echo "$out" | grep -q "^usage: swsev $cmd" || fail "$cmd --help has no usage line"
    expect_exit 2 "$cmd with an unknown option" -- "$SWSEV" "$cmd" --no-such-option
    expect_one_error_line "$cmd --no-such-option" "no-such-option"
done

expect_exit 2 "demo with an unknown chip" -- "$SWSEV" demo --chip z80
expect_one_error_line "demo --chip z80" "unknown chip 'z80'"
expect_exit 2 "demo with a stray argument" -- "$SWSEV" demo extra
expect_one_error_line "demo extra" "unexpected argument"
expect_exit 2 "demo --seed without value" -- "$SWSEV" demo --seed
expect_exit 2 "bench without area" -- "$SWSEV" bench
expect_one_error_line "bench" "AREA"
expect_exit 2 "bench unknown area" -- "$SWSEV" bench nosuch
expect_one_error_line "bench nosuch" "unknown area 'nosuch'"
expect_exit 2 "bench bad seconds" -- "$SWSEV" bench memctl --seconds abc
expect_one_error_line "bench --seconds abc" "seconds"
expect_exit 2 "bench bad rounds" -- "$SWSEV" bench memctl --rounds 0
expect_one_error_line "bench --rounds 0" "rounds"

for chip in rome milan; do
    expect_exit 0 "demo on $chip" -- "$SWSEV" demo --chip "$chip" --seed it
    echo "$out" | grep -q "^FAIL" && fail "demo on $chip printed a FAIL step"
    echo "$out" | grep -q ", 0 failed" || fail "demo on $chip has no summary"
done
# The same seed gives the same run.
a=$("$SWSEV" demo --seed same | grep "host view")
b=$("$SWSEV" demo --seed same | grep "host view")
[ "$a" = "$b" ] || fail "demo --seed is not reproducible"
c=$("$SWSEV" demo --seed other | grep "host view")
[ "$a" != "$c" ] || fail "different seeds gave the same ciphertext"

# Benchmarks are not timed here: only their output contract is checked.
expect_exit 0 "bench memctl smoke run" -- "$SWSEV" bench memctl --seconds 0.01 --rounds 1
for r in engine_page guest_seq_read; do
    echo "$out" | grep -Eq "^ratio $r [0-9]+\.[0-9]+$" || fail "bench memctl lacks 'ratio $r'"
done
expect_exit 0 "bench sev smoke run" -- "$SWSEV" bench sev --seconds 0.01 --rounds 1
for r in launch_update_data send_receive pdh_gen; do
    echo "$out" | grep -Eq "^ratio $r [0-9]+\.[0-9]+$" || fail "bench sev lacks 'ratio $r'"
done
finish
