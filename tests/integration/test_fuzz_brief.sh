# test_fuzz_brief.sh - every libFuzzer target runs briefly on its seed corpus (make fuzz runs
# them for longer). One PASS/FAIL line per target, from tests/fuzz/run_fuzz.sh.
. tests/integration/lib.sh
sh tests/fuzz/run_fuzz.sh "${FUZZ_BRIEF_SECONDS:-4}" --brief
