#!/usr/bin/env bash
# swsevd's state directory: the chip and the owner keys survive restarts;
# a corrupt, truncated or foreign file is refused with one clear line and
# the daemon does not start; bad arguments get one line and exit 2.
. "$(dirname "$0")/lib/common.sh"
T=$(mktemp -d)
trap 'kill $DAEMON_PID 2>/dev/null; rm -rf "$T"' EXIT
probe() { env $(preload_env) "$SEVPROBE" "$@"; }

expect_exit 2 "no arguments" -- "$SWSEVD"
expect_one_error_line "no arguments" "required"
expect_exit 2 "unknown chip" -- "$SWSEVD" --state "$T/x" --socket "$T/x.sock" --chip z80
expect_one_error_line "unknown chip" "unknown chip"
expect_exit 2 "stray argument" -- "$SWSEVD" --state "$T/x" --socket "$T/x.sock" extra
expect_exit 0 "swsevd --help" -- "$SWSEVD" --help

start_daemon "$T" --chip milan || finish
export SWSEV_SOCKET="$T/sock"
mkdir "$T/a" "$T/b"
probe pdh-export "$T/a" >/dev/null || fail "export before restart"
id1=$(probe get-id | sed -n 's/^id=//p')
stop_daemon
[ "$DAEMON_RC" = 0 ] || fail "SIGTERM exit code $DAEMON_RC"
grep -q "stopped" "$T/swsevd.log" || fail "no clean stop in the log"

start_daemon "$T" || finish
probe pdh-export "$T/b" >/dev/null || fail "export after restart"
id2=$(probe get-id | sed -n 's/^id=//p')
cmp -s "$T/a/pdh.cert" "$T/b/pdh.cert" || fail "the PDH did not survive a restart"
cmp -s "$T/a/cert_chain.cert" "$T/b/cert_chain.cert" || fail "the chain did not survive"
[ -n "$id1" ] && [ "$id1" = "$id2" ] || fail "the chip ID changed across restarts"
stop_daemon

# The state files, damaged or foreign.
cp -r "$T/state" "$T/good"
refuse() { # refuse WHAT PATTERN
    "$SWSEVD" --state "$T/state" --socket "$T/sock2" 2>"$T/err" &
    local pid=$!
    for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
    if kill -0 $pid 2>/dev/null; then
        kill $pid
        fail "$1: swsevd started"
    fi
    wait $pid
    local rc=$?
    [ "$rc" = 2 ] || fail "$1: exit $rc, expected 2"
    [ "$(grep -c '' "$T/err")" = 1 ] || fail "$1: expected one error line: $(cat "$T/err")"
    grep -q "$2" "$T/err" || fail "$1: '$(cat "$T/err")' lacks '$2'"
    [ -S "$T/sock2" ] && fail "$1: socket created"
    rm -rf "$T/state"
    cp -r "$T/good" "$T/state"
}
size=$(stat -c %s "$T/state/identity")
printf '\x01' | dd of="$T/state/identity" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
refuse "flipped identity byte" "corrupt"
truncate -s 100 "$T/state/identity"
refuse "truncated identity" "corrupt"
printf '\xff' | dd of="$T/state/sev-nv" bs=1 seek=100 conv=notrunc 2>/dev/null
refuse "flipped NV byte" "another chip or is corrupt"
truncate -s 10 "$T/state/sev-nv"
refuse "truncated NV" "not a swsev firmware state"
mkdir "$T/other"
"$SWSEVD" --state "$T/other/state" --socket "$T/other.sock" --chip milan 2>/dev/null &
opid=$!
for _ in $(seq 1 600); do [ -s "$T/other/state/sev-nv" ] && break; sleep 0.1; done
kill -TERM $opid
wait $opid
cp "$T/other/state/sev-nv" "$T/state/sev-nv"
refuse "another chip's NV" "another chip"
"$SWSEVD" --state "$T/state" --socket "$T/sock3" --chip rome 2>"$T/err" &
wait $!
grep -q "milan chip, not rome" "$T/err" || fail "chip mismatch not refused: $(cat "$T/err")"

# The good state still works.
start_daemon "$T" || finish
probe status | grep -q "^ret=0" || fail "good state after the refusals"
stop_daemon
finish
