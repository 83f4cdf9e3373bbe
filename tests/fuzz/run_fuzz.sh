#!/bin/sh
# run_fuzz.sh - run the libFuzzer targets one after another and print one line per target.
#
# Usage: tests/fuzz/run_fuzz.sh SECONDS [TARGET] [--brief]
#   make fuzz runs it with FUZZ_SECONDS (and FUZZ_TARGET); new inputs are kept in
#   build/fuzz/corpus/TARGET, crashing ones in build/fuzz/artifacts/TARGET-crash-*.
#   --brief (tests/integration/test_fuzz_brief.sh): a throw-away corpus, the seeds only.
# Each target reads tests/fuzz/seeds/TARGET (never written to). Prints
# "PASS fuzz TARGET Ns: N runs, cov N" or "FAIL fuzz TARGET: ..." (the lines
# tests/run_tests.sh counts); exit status 1 when any target failed or was missing.
set -u
secs=${1:?usage: run_fuzz.sh SECONDS [TARGET] [--brief]}
only=${2:-}
brief=0
[ "$only" = "--brief" ] && only="" && brief=1
[ "${3:-}" = "--brief" ] && brief=1
only=${only#fuzz_} # FUZZ_TARGET=fuzz_lesson and FUZZ_TARGET=lesson mean the same
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export SMTPSIM_DATA="$root"
# UBSan findings must stop the run (and be saved), as ASan's do
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p build/fuzz/artifacts
status=0
if [ -n "$only" ] && [ ! -f "tests/fuzz/fuzz_$only.c" ]; then
    echo "run_fuzz: no fuzz target '$only'; the targets are:" \
        $(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||') >&2
    exit 2
fi
for src in tests/fuzz/fuzz_*.c; do
    t=$(basename "$src" .c)
    t=${t#fuzz_}
    [ -n "$only" ] && [ "$only" != "$t" ] && continue
    bin=build/fuzz/fuzz_$t
    if [ ! -x "$bin" ]; then
        echo "FAIL fuzz $t: $bin missing (make fuzz-build, or make tests, builds it)"
        status=1
        continue
    fi
    if [ $brief = 1 ]; then
        corpus=$tmp/corpus-$t
    else
        corpus=build/fuzz/corpus/$t
    fi
    mkdir -p "$corpus"
    log=$tmp/$t.log
    # -rss_limit_mb: the world target keeps a world per input; 2 GB is far above what one needs
    "$bin" -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 -timeout=30 \
        -artifact_prefix="build/fuzz/artifacts/$t-" "$corpus" "tests/fuzz/seeds/$t" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    if [ $rc -eq 0 ]; then
        echo "PASS fuzz $t ${secs}s: ${runs:-?} runs, ${cov:-cov: ?}"
    else
        why=$(grep -m1 -E 'ERROR|runtime error|invariant' "$log")
        echo "FAIL fuzz $t: exit $rc after ${runs:-?} runs: $why"
        grep -E 'Test unit written|^    #[0-9]+ .* in [a-z_]+ /' "$log" | head -12
        status=1
    fi
done
exit $status
