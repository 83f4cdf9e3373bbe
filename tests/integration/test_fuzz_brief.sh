# test_fuzz_brief.sh - CI's short fuzzing run of the server engine (make fuzz runs it for longer).
. tests/integration/lib.sh
fuzzer=build/fuzz/fuzz_smtp_server
if [ ! -x "$fuzzer" ]; then
    fail "fuzz target built" "$fuzzer missing (make test builds it)"
    exit 0
fi
mkdir -p "$TMPDIR_TEST/corpus"
if "$fuzzer" -max_total_time=20 -print_final_stats=1 -max_len=4096 -rss_limit_mb=1024 "$TMPDIR_TEST/corpus" tests/fuzz/seeds \
    >"$TMPDIR_TEST/fuzz.log" 2>&1; then
    pass "fuzz server engine 20 s: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$TMPDIR_TEST/fuzz.log" | tail -1)"
else
    fail "fuzz server engine 20 s" "$(grep -A5 ERROR "$TMPDIR_TEST/fuzz.log" | head -20)"
fi
