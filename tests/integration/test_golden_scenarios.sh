# test_golden_scenarios.sh - every scenario still produces its golden transcript, byte for byte:
# tests/golden/scenarios/NAME.txt is the expected `smtpsim run NAME --color never`, and every
# lessons/scenarios/NAME.json has one. Regenerate with scripts/update-goldens.sh (and review
# each change by eye).
. tests/integration/lib.sh
T=$TMPDIR_TEST

# every scenario has a golden file
for scenario in lessons/scenarios/*.json; do
    [ -f "$scenario" ] || continue
    name=$(basename "$scenario" .json)
    if [ -f "tests/golden/scenarios/$name.txt" ]; then
        pass "golden file for $name"
    else
        fail "golden file for $name" "no tests/golden/scenarios/$name.txt (scripts/update-goldens.sh)"
    fi
done

# every golden file matches its scenario's transcript
found=0
for golden in tests/golden/scenarios/*.txt; do
    [ -f "$golden" ] || continue
    found=1
    name=$(basename "$golden" .txt)
    if [ ! -f "lessons/scenarios/$name.json" ]; then
        fail "golden $name" "no lessons/scenarios/$name.json for this golden file"
        continue
    fi
    if ! "$SMTPSIM" run "$name" --color never >"$T/$name.out" 2>"$T/$name.err"; then
        fail "golden $name" "smtpsim run failed: $(head -3 "$T/$name.err")"
        continue
    fi
    if cmp -s "$golden" "$T/$name.out"; then
        pass "golden $name"
    else
        fail "golden $name" "differs from $golden: $(diff "$golden" "$T/$name.out" | head -8)"
    fi
done
[ "$found" = 1 ] || fail "golden files" "none in tests/golden/scenarios"
