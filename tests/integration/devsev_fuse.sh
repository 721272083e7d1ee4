#!/usr/bin/env bash
# The FUSE device files for programs that bypass libc: sevprobe --raw makes
# openat/ioctl system calls directly (as Go does) on the FUSE file.
. "$(dirname "$0")/lib/common.sh"
FUSE="${SWSEV_BIN}/swsev-fuse"
if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
    echo "SKIP: no /dev/fuse or fusermount3 on this machine"
    exit 77
fi
T=$(mktemp -d)
cleanup() {
    fusermount3 -u "$T/mnt" 2>/dev/null
    kill $DAEMON_PID $FUSE_PID 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
start_daemon "$T" --chip milan --seed fuse || finish
mkdir "$T/mnt"
"$FUSE" --socket="$T/sock" "$T/mnt" -f 2>"$T/fuse.log" &
FUSE_PID=$!
for _ in $(seq 1 100); do [ -e "$T/mnt/sev" ] && break; sleep 0.1; done
if [ ! -e "$T/mnt/sev" ]; then
    if grep -qi "permission\|operation not permitted\|fuse: device not found" "$T/fuse.log"; then
        echo "SKIP: FUSE cannot be mounted here: $(head -1 "$T/fuse.log")"
        exit 77
    fi
    fail "swsev-fuse did not mount: $(cat "$T/fuse.log")"
    finish
fi
out=$("$SEVPROBE" --raw --dev "$T/mnt/sev" status)
echo "$out" | grep -q "^ret=0 errno=0 error=0$" || fail "raw status: $out"
echo "$out" | grep -q "api=1.55 build=21 state=1" || fail "raw status fields: $out"
mkdir "$T/certs"
out=$("$SEVPROBE" --raw --dev "$T/mnt/sev" pdh-export "$T/certs")
echo "$out" | grep -q "pdh_len=2084 chain_len=6252" || fail "raw PDH export query: $out"
[ "$(stat -c %s "$T/certs/cert_chain.cert" 2>/dev/null)" = 6252 ] || fail "raw chain export"
out=$("$SEVPROBE" --raw --dev "$T/mnt/sev" get-id2)
echo "$out" | grep -q "needed=64" || fail "raw GET_ID2: $out"
out=$("$SEVPROBE" --raw --dev "$T/mnt/sev" badptr)
[ "$(echo "$out" | grep -c 'errno=14')" -ge 2 ] || fail "raw bad pointers: $out"
out=$("$SEVPROBE" --raw --ro --dev "$T/mnt/sev" pek-gen)
echo "$out" | grep -q "errno=1" || fail "raw read-only PEK_GEN: $out"
# The same results as through the libc shim.
id_fuse=$("$SEVPROBE" --raw --dev "$T/mnt/sev" get-id | sed -n 's/^id=//p')
id_shim=$(SWSEV_SOCKET="$T/sock" env $(preload_env) "$SEVPROBE" get-id | sed -n 's/^id=//p')
[ -n "$id_fuse" ] && [ "$id_fuse" = "$id_shim" ] || fail "FUSE and shim disagree"
# /dev/sev-guest of an SNP guest in the daemon, with raw system calls.
if [ -r /usr/share/ovmf/OVMF.fd ]; then
    SWSEV_SOCKET="$T/sock" "$SWSEV" snp guest start fg --ovmf /usr/share/ovmf/OVMF.fd >/dev/null ||
        fail "snp guest start"
    out=$("${SWSEV_TEST_TOOLS}/sevguestprobe" --raw --dev "$T/mnt/sev-guest" report)
    echo "$out" | grep -q "^ret=0 errno=0" || fail "raw SNP_GET_REPORT through FUSE: $out"
    echo "$out" | grep -q "status=0 size=1184" || fail "raw SNP_GET_REPORT response: $out"
    out=$("${SWSEV_TEST_TOOLS}/sevguestprobe" --raw --dev "$T/mnt/sev-guest" badioctl)
    echo "$out" | grep -q "errno=25" || fail "raw unknown sev-guest ioctl: $out"
fi
"$FUSE" --help | grep -q "usage" || fail "swsev-fuse --help"
stop_daemon
finish
