# Shared helpers for the integration scripts (sourced, not run).
set -u
SWSEV="${SWSEV_BIN:?SWSEV_BIN must point at the tools directory of a build}/swsev"
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect_exit CODE DESCRIPTION -- COMMAND...: run, check the exit code, keep output in $out/$err.
expect_exit() {
    local want=$1 what=$2
    shift 3
    out=$("$@" 2>/tmp/swsev-it-err.$$) && got=0 || got=$?
    err=$(cat /tmp/swsev-it-err.$$)
    rm -f /tmp/swsev-it-err.$$
    if [ "$got" != "$want" ]; then
        fail "$what: exit $got, expected $want (stderr: $err)"
    fi
}

# The error contract: exactly one line on stderr, naming the problem.
expect_one_error_line() {
    local what=$1 pattern=$2
    local n
    n=$(printf '%s' "$err" | grep -c '' || true)
    [ "$n" = 1 ] || fail "$what: expected one stderr line, got $n: $err"
    printf '%s' "$err" | grep -q -- "$pattern" || fail "$what: stderr '$err' lacks '$pattern'"
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
}

SWSEVD="${SWSEV_BIN}/swsevd"
PRELOAD="${SWSEV_BIN}/libswsev-preload.so"
SEVPROBE="${SWSEV_TEST_TOOLS:?}/sevprobe"

# start_daemon DIR [swsevd args...]: run swsevd on DIR/sock, wait until it answers.
start_daemon() {
    local dir=$1
    shift
    "$SWSEVD" --state "$dir/state" --socket "$dir/sock" "$@" 2>"$dir/swsevd.log" &
    DAEMON_PID=$!
    for _ in $(seq 1 600); do
        [ -S "$dir/sock" ] && return 0
        kill -0 "$DAEMON_PID" 2>/dev/null || { fail "swsevd exited: $(cat "$dir/swsevd.log")"; return 1; }
        sleep 0.1
    done
    fail "swsevd did not start"
    return 1
}

stop_daemon() {
    kill -TERM "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID"
    DAEMON_RC=$?
}

# With the sanitizer build, the shim needs the ASan runtime loaded first.
preload_env() {
    local asan
    asan=$(ldd "$PRELOAD" | awk '/libasan/ {print $3}')
    if [ -n "$asan" ]; then
        echo "LD_PRELOAD=$asan:$PRELOAD ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0"
    else
        echo "LD_PRELOAD=$PRELOAD"
    fi
}
