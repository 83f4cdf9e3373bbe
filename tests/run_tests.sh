#!/bin/sh
# run_tests.sh - run every test of smtpsim against one build directory and print the summary.
#
# Usage: tests/run_tests.sh BUILD_DIR     (make test passes build/asan)
#
# Runs: every cmocka binary under BUILD_DIR/tests (counting its test cases), then every
# tests/integration/test_*.sh script (each prints "PASS name" / "FAIL name" lines, see lib.sh).
# Ends with one line of its own: "N passed, N failed". Exit status 0 only when nothing failed.
set -u
build=${1:-build/asan}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export SMTPSIM="$root/$build/smtpsim"
export SMTPSIM_DATA="$root"
export SDL_VIDEODRIVER=dummy
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export CMOCKA_MESSAGE_OUTPUT=stdout
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
failed_names=""

for bin in $(find "$build/tests" -type f -perm -u+x -name 'test_*' 2>/dev/null | sort); do
    name=${bin#"$build/tests/"}
    log="$tmp/log"
    timeout 300 "$bin" >"$log" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # crashed, sanitizer report, or timeout: count the binary as one failure
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        echo "---- $name (exit $rc)"
        tail -40 "$log"
        failed_names="$failed_names $name"
    else
        echo "ok   $name ($p)"
    fi
done

for script in tests/integration/test_*.sh; do
    [ -f "$script" ] || continue
    name=$(basename "$script" .sh)
    log="$tmp/log"
    timeout 600 sh "$script" >"$log" 2>&1
    rc=$?
    p=$(grep -c '^PASS ' "$log")
    f=$(grep -c '^FAIL ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "FAIL $name: exit $rc" >>"$log"
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        echo "---- $name"
        grep -v '^PASS ' "$log" | tail -40
        failed_names="$failed_names $name"
    else
        echo "ok   $name ($p)"
    fi
done

[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
