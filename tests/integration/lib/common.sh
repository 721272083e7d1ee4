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
