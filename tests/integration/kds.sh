#!/usr/bin/env bash
# swsev kds serve: AMD's KDS URL layout for an installation's chip. The
# chain it serves verifies with `openssl verify` and, independently, with
# python3-cryptography; `swsev snp certs export` hands out the same VCEK;
# bad requests get a 4xx and the server keeps serving; SIGTERM and SIGINT
# stop it with exit 0.
. "$(dirname "$0")/lib/common.sh"
command -v openssl >/dev/null || { echo "openssl missing: skipped"; exit 77; }
python3 -c "import cryptography" 2>/dev/null || { echo "python3-cryptography missing: skipped"; exit 77; }

PY="python3 $(dirname "$0")/py/kds_client.py"
W=$(mktemp -d /tmp/swsev-kds.XXXXXX)
KDS_PID=
cleanup() {
    [ -n "$KDS_PID" ] && kill "$KDS_PID" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
# Inside every validity window (our certificates are fixed: 2024-2031 for
# VCEKs), so that the checks do not depend on today's date.
AT=1735689600

# start_kds STATE [args...]: serve STATE on a free port; sets KDS_PID, PORT, BASE.
start_kds() {
    local state=$1
    shift
    rm -f "$W/port"
    "$SWSEV" kds serve --listen 127.0.0.1:0 --state "$state" --port-file "$W/port" "$@" \
        2>"$W/kds.log" &
    KDS_PID=$!
    for _ in $(seq 1 1200); do
        [ -s "$W/port" ] && break
        kill -0 "$KDS_PID" 2>/dev/null || { fail "kds exited: $(cat "$W/kds.log")"; return 1; }
        sleep 0.1
    done
    [ -s "$W/port" ] || { fail "kds wrote no port file"; return 1; }
    PORT=$(cat "$W/port")
    BASE="http://127.0.0.1:$PORT"
}

# stop_kds SIGNAL: the exit code must be 0.
stop_kds() {
    kill -"$1" "$KDS_PID"
    wait "$KDS_PID"
    local rc=$?
    KDS_PID=
    [ "$rc" = 0 ] || fail "kds exited $rc on SIG$1"
    tail -1 "$W/kds.log" | grep -q "stopped" || fail "kds did not log its stop on SIG$1"
}

# expect_get PATH STATUS [OUT]: fetch BASE/PATH.
expect_get() {
    local got
    got=$($PY get "$BASE$1" "${3:-$W/body}") || { fail "GET $1: client failed"; return; }
    [ "${got%% *}" = "$2" ] || fail "GET $1: $got, expected $2 ($(head -c 200 "${3:-$W/body}"))"
    CTYPE=${got#* }
}

# ---- command line ----
expect_exit 2 "kds without subcommand" -- "$SWSEV" kds
expect_exit 0 "kds serve --help" -- "$SWSEV" kds serve --help
echo "$out" | grep -q "^usage: swsev kds serve" || fail "kds serve --help has no usage line"
expect_exit 2 "kds serve without --listen" -- "$SWSEV" kds serve --state "$W/st"
expect_one_error_line "kds serve without --listen" "--listen"
expect_exit 2 "kds serve, a host name" -- "$SWSEV" kds serve --listen localhost:0 --state "$W/st"
expect_one_error_line "kds serve --listen localhost:0" "numeric"
expect_exit 2 "kds serve, bad port" -- "$SWSEV" kds serve --listen 127.0.0.1:65536 --state "$W/st"
expect_one_error_line "kds serve --listen :65536" "port"
expect_exit 2 "kds serve --chip rome" -- "$SWSEV" kds serve --listen 127.0.0.1:0 --state "$W/st" --chip rome
expect_one_error_line "kds serve --chip rome" "milan or genoa"
[ -e "$W/st" ] && fail "a refused start created the state directory"
expect_exit 1 "export without an installation" -- "$SWSEV" snp certs export "$W/x" --state "$W/none"
expect_one_error_line "export without an installation" "no installation"
expect_exit 2 "export without --state" -- "$SWSEV" snp certs export "$W/x"
expect_exit 2 "export without DIR" -- "$SWSEV" snp certs export --state "$W/st"
expect_exit 2 "export, bad --tcb" -- "$SWSEV" snp certs export "$W/x" --state "$W/st" --tcb pony

# ---- a Milan installation, created on first use ----
start_kds "$W/st" || { finish; exit 1; }
grep -q "creating a milan installation" "$W/kds.log" || fail "no creation notice"

expect_exit 0 "snp certs export" -- "$SWSEV" snp certs export "$W/exp" --state "$W/st"
for f in ark ask vcek; do
    [ -s "$W/exp/$f.pem" ] && [ -s "$W/exp/$f.der" ] || fail "export wrote no $f.pem/$f.der"
    cmp -s <(openssl x509 -in "$W/exp/$f.pem" -outform der) "$W/exp/$f.der" ||
        fail "export: $f.pem and $f.der differ"
done
read -r HWID QUERY PRODUCT CN <<<"$($PY info "$W/exp/vcek.der")"
[ "$PRODUCT" = "Milan-B0" ] && [ "$CN" = "SEV-VCEK" ] || fail "exported VCEK: $PRODUCT $CN"
[ "$QUERY" = "blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115" ] || fail "exported VCEK at $QUERY"
[ ${#HWID} = 128 ] || fail "hwID of ${#HWID} hex digits"
grep -q "hwID $HWID" "$W/kds.log" || fail "the server names another hwID"

# The chain: ASK then ARK, PEM.
expect_get /vcek/v1/Milan/cert_chain 200 "$W/chain.pem"
[ "$CTYPE" = "application/x-pem-file" ] || fail "cert_chain served as $CTYPE"
$PY split "$W/chain.pem" "$W/ask.pem" "$W/ark.pem" || fail "cert_chain is not two certificates"
openssl x509 -in "$W/ark.pem" -noout -subject | grep -q "CN *= *ARK-Milan" || fail "second is not the ARK"
openssl x509 -in "$W/ask.pem" -noout -subject | grep -q "CN *= *SEV-Milan" || fail "first is not the ASK"
$PY same-tbs "$W/ark.pem" "$W/exp/ark.pem" >/dev/null || fail "KDS and export disagree on the ARK"
$PY same-tbs "$W/ask.pem" "$W/exp/ask.pem" >/dev/null || fail "KDS and export disagree on the ASK"

# The VCEK at the installation's TCB, as snpguest asks (zero-padded SPLs).
expect_get "/vcek/v1/Milan/$HWID?blSPL=03&teeSPL=00&snpSPL=08&ucodeSPL=115" 200 "$W/vcek.der"
[ "$CTYPE" = "application/pkix-cert" ] || fail "VCEK served as $CTYPE"
openssl x509 -inform der -in "$W/vcek.der" -out "$W/vcek.pem" || fail "VCEK is not DER X.509"
$PY same-tbs "$W/vcek.der" "$W/exp/vcek.der" >/dev/null || fail "KDS and export disagree on the VCEK"
# Parameters in another order name the same certificate.
expect_get "/vcek/v1/Milan/$HWID?ucodeSPL=115&snpSPL=8&teeSPL=0&blSPL=3" 200 "$W/vcek2.der"
$PY same-tbs "$W/vcek.der" "$W/vcek2.der" >/dev/null || fail "parameter order changed the VCEK"

# A lower TCB: another key, still under the same ASK.
expect_get "/vcek/v1/Milan/$HWID?blSPL=3&teeSPL=0&snpSPL=7&ucodeSPL=115" 200 "$W/low.der"
openssl x509 -inform der -in "$W/low.der" -out "$W/low.pem"
read -r _ LQ _ _ <<<"$($PY info "$W/low.der")"
[ "$LQ" = "blSPL=3&teeSPL=0&snpSPL=7&ucodeSPL=115" ] || fail "lower VCEK says $LQ"
$PY differ-key "$W/vcek.der" "$W/low.der" >/dev/null || fail "the lower TCB has the same key"

# OpenSSL accepts the chain.
for leaf in vcek low exp/vcek; do
    openssl verify -attime $AT -CAfile "$W/ark.pem" -untrusted "$W/ask.pem" "$W/$leaf.pem" \
        >"$W/v.out" 2>&1 || fail "openssl verify $leaf: $(cat "$W/v.out")"
done
# ... and python3-cryptography, independently: RSASSA-PSS all the way down.
$PY verify "$W/ark.pem" "$W/ark.pem" >/dev/null || fail "ARK is not self-signed"
$PY verify "$W/ark.pem" "$W/ask.pem" >/dev/null || fail "ASK is not signed by the ARK"
$PY verify "$W/ask.pem" "$W/vcek.der" >/dev/null || fail "VCEK is not signed by the ASK"
$PY verify "$W/ask.pem" "$W/low.der" >/dev/null || fail "lower VCEK is not signed by the ASK"
$PY tamper "$W/ask.pem" "$W/vcek.der" >/dev/null || fail "a tampered VCEK verifies"
$PY tamper "$W/ark.pem" "$W/ask.pem" >/dev/null || fail "a tampered ASK verifies"
# Not under AMD's root.
openssl verify -attime $AT -CAfile "$SWSEV_TEST_DATA/amd/snp/chains/virtee_milan_ark.pem" \
    -untrusted "$W/ask.pem" "$W/vcek.pem" >/dev/null 2>&1 && fail "our chain verifies under AMD's ARK"

# The CRL: DER, the ARK's, empty; OpenSSL checks the ASK against it.
expect_get /vcek/v1/Milan/crl 200 "$W/crl.der"
[ "$CTYPE" = "application/pkix-crl" ] || fail "CRL served as $CTYPE"
$PY crl "$W/ark.pem" "$W/crl.der" >/dev/null || fail "CRL check failed"
openssl crl -inform der -in "$W/crl.der" -out "$W/crl.pem" || fail "CRL is not DER"
openssl verify -attime $AT -crl_check -CRLfile "$W/crl.pem" -CAfile "$W/ark.pem" "$W/ask.pem" \
    >"$W/v.out" 2>&1 || fail "openssl -crl_check: $(cat "$W/v.out")"

# The VLEK chain: ASVK then ARK.
expect_get /vlek/v1/Milan/cert_chain 200 "$W/vchain.pem"
$PY split "$W/vchain.pem" "$W/asvk.pem" "$W/ark2.pem" || fail "VLEK cert_chain is not two certificates"
openssl x509 -in "$W/asvk.pem" -noout -subject | grep -q "CN *= *SEV-VLEK-Milan" || fail "no ASVK"
$PY verify "$W/ark.pem" "$W/asvk.pem" >/dev/null || fail "ASVK is not signed by the ARK"
expect_get /vlek/v1/Milan/crl 200

# HEAD: the headers of a GET, no body.
read -r hs hl hb <<<"$($PY head "$BASE/vcek/v1/Milan/crl")"
[ "$hs $hl $hb" = "200 $(stat -c %s "$W/crl.der") 0" ] || fail "HEAD: $hs $hl $hb"

# ---- what is refused ----
# The same hwID but for its first digit.
if [ "${HWID:0:1}" = 0 ]; then OTHER=1${HWID:1}; else OTHER=0${HWID:1}; fi
Q="blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115"
expect_get "/vcek/v1/Milan/$OTHER?$Q" 404
expect_get "/vcek/v1/Genoa/$HWID?$Q" 404
expect_get /vcek/v1/Genoa/cert_chain 404
expect_get /vcek/v1/milan/cert_chain 404
expect_get /vcek/v1/Turin/crl 404
expect_get /vcek/v2/Milan/cert_chain 404
expect_get /vlek/v1/Milan/$HWID?$Q 404
expect_get / 404
expect_get /vcek/v1/Milan/cert_chain/extra 404
for q in "blSPL=3&teeSPL=0&snpSPL=8" "blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=256" \
    "blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=x" "blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=" \
    "blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115&fmcSPL=0" "blSPL=3&blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=1" \
    "blSPL=-1&teeSPL=0&snpSPL=8&ucodeSPL=115" "blSPL=0003&teeSPL=0&snpSPL=8&ucodeSPL=115" \
    "" "blSPL"; do
    expect_get "/vcek/v1/Milan/$HWID?$q" 400
done
expect_get "/vcek/v1/Milan/${HWID:0:126}?$Q" 400
expect_get "/vcek/v1/Milan/${HWID:0:126}zz?$Q" 400
expect_get "/vcek/v1/Milan/$HWID" 400

# Malformed, truncated (the client hangs up half-way) and oversized requests.
for c in garbage nul no-version relative bad-header oversized half; do
    got=$($PY raw "$PORT" $c)
    [ "$got" = "HTTP/1.1 400 Bad Request" ] || fail "raw $c: $got"
done
got=$($PY raw "$PORT" post)
[ "$got" = "HTTP/1.1 405 Method Not Allowed" ] || fail "POST: $got"
got=$($PY raw "$PORT" http2)
[ "$got" = "HTTP/1.1 505 HTTP Version Not Supported" ] || fail "HTTP/2.0: $got"
# A client that stops half-way is cut off at the deadline; one that sends
# nothing as well; then the next request is served.
got=$($PY raw "$PORT" slow)
[ "$got" = "HTTP/1.1 408 Request Timeout" ] || fail "slow client: $got"
got=$($PY raw "$PORT" silent)
[ "$got" = "HTTP/1.1 408 Request Timeout" ] || fail "silent client: $got"
got=$($PY raw "$PORT" ok)
[ "$got" = "HTTP/1.1 200 OK" ] || fail "raw request after the bad ones: $got"
kill -0 "$KDS_PID" 2>/dev/null || fail "the server died"
expect_get /vcek/v1/Milan/cert_chain 200

# One log line per answered request.
grep -q "^swsev kds: 127.0.0.1:[0-9]* \"GET /vcek/v1/Milan/cert_chain\" 200 [0-9]*$" "$W/kds.log" ||
    fail "no log line for cert_chain"
grep -q "\"- -\" 400" "$W/kds.log" || fail "no log line for a malformed request"
grep -q "\"- -\" 408" "$W/kds.log" || fail "no log line for the slow client"

# Another server cannot take the port; an unwritable port file is an error.
expect_exit 2 "kds serve on a taken port" -- \
    "$SWSEV" kds serve --listen "127.0.0.1:$PORT" --state "$W/st"
expect_one_error_line "kds serve on a taken port" "cannot listen"
expect_exit 1 "kds serve, unwritable --port-file" -- \
    "$SWSEV" kds serve --listen 127.0.0.1:0 --state "$W/st" --port-file "$W/no/such/dir/port"
expect_one_error_line "kds serve --port-file in a missing directory" "cannot write"
expect_exit 2 "kds with an unknown subcommand" -- "$SWSEV" kds frobnicate

# A stop while a client is half-way through its request.
$PY raw "$PORT" slow >/dev/null &
slow=$!
sleep 1
stop_kds TERM
wait "$slow"

# ---- the same installation again, and a Genoa one ----
expect_exit 1 "kds serve --chip genoa on a Milan installation" -- \
    "$SWSEV" kds serve --listen 127.0.0.1:0 --state "$W/st" --chip genoa
expect_one_error_line "--chip genoa on milan" "milan chip, not genoa"
start_kds "$W/st" || { finish; exit 1; }
grep -q "creating" "$W/kds.log" && fail "the installation was created again"
expect_get /vcek/v1/Milan/cert_chain 200 "$W/chain2.pem"
$PY split "$W/chain2.pem" "$W/ask2.pem" "$W/ark3.pem"
$PY same-tbs "$W/ark.pem" "$W/ark3.pem" >/dev/null || fail "the ARK changed across restarts"
expect_get "/vcek/v1/Milan/$HWID?$Q" 200 "$W/vcek3.der"
$PY same-tbs "$W/vcek.der" "$W/vcek3.der" >/dev/null || fail "the VCEK changed across restarts"
stop_kds INT

# Installations the certificates cannot come from: a corrupt one, a
# non-SNP one (rome, as swsevd creates by default).
mkdir -p "$W/bad" && echo garbage >"$W/bad/identity"
expect_exit 1 "export from a corrupt installation" -- "$SWSEV" snp certs export "$W/x" --state "$W/bad"
expect_one_error_line "export from a corrupt installation" "corrupt"
mkdir -p "$W/rome" && start_daemon "$W/rome" && stop_daemon
expect_exit 1 "export from a rome installation" -- "$SWSEV" snp certs export "$W/x" --state "$W/rome/state"
expect_one_error_line "export from a rome installation" "rome) has no SEV-SNP"
echo "not a directory" >"$W/file"
expect_exit 2 "export into a file" -- "$SWSEV" snp certs export "$W/file/sub" --state "$W/st"

start_kds "$W/genoa" --chip genoa || { finish; exit 1; }
expect_exit 0 "snp certs export (genoa, --tcb)" -- \
    "$SWSEV" snp certs export "$W/gexp" --state "$W/genoa" --tcb 0x5417000000000a09
read -r GHWID GQ GPRODUCT _ <<<"$($PY info "$W/gexp/vcek.der")"
[ "$GPRODUCT" = "Genoa" ] || fail "Genoa VCEK says $GPRODUCT"
[ "$GQ" = "blSPL=9&teeSPL=10&snpSPL=23&ucodeSPL=84" ] || fail "export --tcb gave $GQ"
[ "$GHWID" != "$HWID" ] || fail "two installations share a hwID"
expect_get /vcek/v1/Milan/cert_chain 404
expect_get /vcek/v1/Genoa/cert_chain 200 "$W/gchain.pem"
$PY split "$W/gchain.pem" "$W/gask.pem" "$W/gark.pem"
expect_get "/vcek/v1/Genoa/$GHWID?$GQ" 200 "$W/gvcek.der"
$PY same-tbs "$W/gvcek.der" "$W/gexp/vcek.der" >/dev/null || fail "Genoa: KDS and export disagree"
openssl x509 -inform der -in "$W/gvcek.der" -out "$W/gvcek.pem"
openssl verify -attime $AT -CAfile "$W/gark.pem" -untrusted "$W/gask.pem" "$W/gvcek.pem" \
    >"$W/v.out" 2>&1 || fail "openssl verify (genoa): $(cat "$W/v.out")"
$PY verify "$W/gask.pem" "$W/gvcek.der" >/dev/null || fail "Genoa VCEK is not signed by its ASK"
expect_get "/vcek/v1/Genoa/$HWID?$GQ" 404
stop_kds TERM

finish
