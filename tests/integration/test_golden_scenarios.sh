# test_golden_scenarios.sh - every scenario with a golden transcript still produces it, byte for
# byte: tests/golden/scenarios/NAME.txt is the expected `smtpsim run NAME --color never`.
# Regenerate with scripts/update-goldens.sh (and review each change by eye).
. tests/integration/lib.sh
found=0
for golden in tests/golden/scenarios/*.txt; do
    [ -f "$golden" ] || continue
    found=1
    name=$(basename "$golden" .txt)
    if [ ! -f "lessons/scenarios/$name.json" ]; then
        fail "golden $name" "no lessons/scenarios/$name.json for this golden file"
        continue
    fi
    if ! "$SMTPSIM" run "$name" --color never >"$TMPDIR_TEST/$name.out" 2>"$TMPDIR_TEST/$name.err"; then
        fail "golden $name" "smtpsim run failed: $(head -3 "$TMPDIR_TEST/$name.err")"
        continue
    fi
    if cmp -s "$golden" "$TMPDIR_TEST/$name.out"; then
        pass "golden $name"
    else
        fail "golden $name" "differs from $golden: $(diff "$golden" "$TMPDIR_TEST/$name.out" | head -8)"
    fi
done
[ "$found" = 1 ] || fail "golden files" "none in tests/golden/scenarios"
