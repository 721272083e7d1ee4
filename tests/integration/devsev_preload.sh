#!/usr/bin/env bash
# /dev/sev for an unmodified client through libswsev-preload.so and swsevd:
# the kernel driver's return conventions, written-back lengths, EFAULT,
# EPERM, EINVAL, and a real certificate chain out of PDH_CERT_EXPORT.
. "$(dirname "$0")/lib/common.sh"
T=$(mktemp -d)
trap 'kill $DAEMON_PID 2>/dev/null; rm -rf "$T"' EXIT
start_daemon "$T" --chip rome --seed preload || finish
export SWSEV_SOCKET="$T/sock"
probe() { env $(preload_env) "$SEVPROBE" "$@"; }

out=$(probe status)
echo "$out" | grep -q "^ret=0 errno=0 error=0$" || fail "status: $out"
echo "$out" | grep -q "api=0.24 build=15 state=1 flags=0x100 guests=0" || fail "status fields: $out"

out=$(probe get-id2)
echo "$out" | head -1 | grep -q "ret=-1 errno=5 error=4" || fail "GET_ID2 query: $out"
echo "$out" | grep -q "needed=64" || fail "GET_ID2 needed length: $out"
id2=$(echo "$out" | sed -n 's/^id2=//p')
[ ${#id2} = 128 ] || fail "GET_ID2 gave '$id2'"
id=$(probe get-id | sed -n 's/^id=//p')
[ "$id" = "$id2" ] || fail "GET_ID and GET_ID2 disagree"

mkdir "$T/certs"
out=$(probe pdh-export "$T/certs")
echo "$out" | grep -q "pdh_len=2084 chain_len=6252" || fail "PDH_CERT_EXPORT query: $out"
[ "$(stat -c %s "$T/certs/pdh.cert")" = 2084 ] || fail "pdh.cert size"
[ "$(stat -c %s "$T/certs/cert_chain.cert")" = 6252 ] || fail "cert_chain.cert size"

out=$(probe badptr)
[ "$(echo "$out" | grep -c 'errno=14')" = 3 ] || fail "bad pointers must give EFAULT: $out"
out=$(probe badcmd)
echo "$out" | grep -q "ret=-1 errno=22" || fail "unknown command must give EINVAL: $out"
out=$(probe badioctl)
echo "$out" | grep -q "ret=-1 errno=22" || fail "unknown ioctl must give EINVAL: $out"
out=$(probe --ro pek-gen)
echo "$out" | grep -q "ret=-1 errno=1 error=0" || fail "PEK_GEN read-only must give EPERM: $out"
out=$(probe --ro status)
echo "$out" | grep -q "^ret=0" || fail "PLATFORM_STATUS read-only: $out"

# PDH_GEN changes the PDH and keeps the chain; PEK_GEN changes both.
probe pdh-gen | grep -q "^ret=0" || fail "PDH_GEN"
mkdir "$T/c2" "$T/c3"
probe pdh-export "$T/c2" >/dev/null
cmp -s "$T/certs/pdh.cert" "$T/c2/pdh.cert" && fail "PDH_GEN kept the PDH"
cmp -s "$T/certs/cert_chain.cert" "$T/c2/cert_chain.cert" || fail "PDH_GEN changed the chain"
probe pek-gen | grep -q "^ret=0" || fail "PEK_GEN"
probe pdh-export "$T/c3" >/dev/null
cmp -s "$T/c2/cert_chain.cert" "$T/c3/cert_chain.cert" && fail "PEK_GEN kept the PEK"

# FACTORY_RESET with a guest-free platform: INIT -> shutdown -> reset.
out=$(probe reset)
echo "$out" | grep -q "^ret=0" || fail "FACTORY_RESET: $out"
out=$(probe status)
echo "$out" | grep -q "state=0" || fail "after FACTORY_RESET the platform is UNINIT: $out"
# A command that needs INIT initialises it (the driver's behaviour).
probe pdh-gen | grep -q "^ret=0" || fail "PDH_GEN from UNINIT"
probe status | grep -q "state=1" || fail "PDH_GEN left the platform uninitialised"

# Files that are not the device are untouched by the shim.
echo hello > "$T/plain"
[ "$(env $(preload_env) cat "$T/plain")" = hello ] || fail "the shim broke ordinary files"

# Without a daemon the device does not exist.
out=$(SWSEV_SOCKET="$T/none" env $(preload_env) "$SEVPROBE" status)
echo "$out" | grep -q "open failed errno=2" || fail "no daemon must look like no device: $out"

# Many clients at once.
pids=()
for i in $(seq 1 8); do
    probe status > "$T/par.$i" &
    pids+=($!)
done
wait "${pids[@]}"
for i in $(seq 1 8); do grep -q "^ret=0" "$T/par.$i" || fail "parallel client $i"; done

stop_daemon
[ "$DAEMON_RC" = 0 ] || fail "swsevd exit code $DAEMON_RC on SIGTERM"
[ -S "$T/sock" ] && fail "socket left behind"
finish
