# lib.sh - helpers for integration tests (sourced). Each check prints "PASS name" or
# "FAIL name: why"; tests/run_tests.sh counts those lines. $SMTPSIM is the binary under test.
: "${SMTPSIM:=build/asan/smtpsim}"
TMPDIR_TEST=$(mktemp -d)
trap 'rm -rf "$TMPDIR_TEST"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# check NAME COMMAND...: passes when the command exits 0
check() {
    name=$1
    shift
    if "$@" >"$TMPDIR_TEST/out" 2>&1; then pass "$name"; else fail "$name" "$(tail -5 "$TMPDIR_TEST/out")"; fi
}

# expect_exit NAME STATUS COMMAND...: passes when the command exits with STATUS
expect_exit() {
    name=$1
    want=$2
    shift 2
    "$@" >"$TMPDIR_TEST/out" 2>&1
    got=$?
    if [ "$got" -eq "$want" ]; then pass "$name"; else fail "$name" "exit $got, wanted $want: $(tail -3 "$TMPDIR_TEST/out")"; fi
}

# expect_output NAME PATTERN COMMAND...: passes when the output (stdout+stderr) matches grep -E PATTERN
expect_output() {
    name=$1
    pat=$2
    shift 2
    "$@" >"$TMPDIR_TEST/out" 2>&1
    if grep -Eq -- "$pat" "$TMPDIR_TEST/out"; then pass "$name"; else fail "$name" "no /$pat/ in: $(head -c 600 "$TMPDIR_TEST/out")"; fi
}
