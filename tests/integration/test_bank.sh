# test_bank.sh - `smtpsim lint` reports answer bias: the shipped bank's position spread,
# longest-answer share and true/false balance, a warning for a lesson whose right answers are
# the longest choice too often, and bank warnings past the thresholds of lessons/FORMAT.md.
# Warnings never change the exit status. (tests/core/teach/test_bank.c asserts the thresholds
# on the shipped bank with its own counting.)
. tests/integration/lib.sh
T=$TMPDIR_TEST

# the shipped bank: three report lines, within the thresholds, no warning
"$SMTPSIM" lint >"$T/out" 2>&1
rc=$?
[ $rc -eq 0 ] && pass "shipped bank lints clean" || fail "shipped bank lints clean" "exit $rc: $(head -c 600 "$T/out")"
if grep -Eq '^bank: [0-9]+ lessons, [0-9]+ choice questions; right answer at choice 1: [0-9]+ \([0-9]+%\), 2: ' "$T/out"; then
    pass "position spread printed"
else
    fail "position spread printed" "$(grep '^bank' "$T/out")"
fi
grep -Eq '^bank: the right answer is the longest choice in [0-9]+ of [0-9]+ \([0-9]+%\)$' "$T/out" \
    && pass "longest share printed" || fail "longest share printed" "$(grep '^bank' "$T/out")"
grep -Eq '^bank: true/false: [0-9]+ true, [0-9]+ false \([0-9]+% true\)$' "$T/out" \
    && pass "true/false balance printed" || fail "true/false balance printed" "$(grep '^bank' "$T/out")"
if grep -q 'warning' "$T/out"; then fail "shipped bank has no bias warning" "$(grep warning "$T/out")"; else pass "shipped bank has no bias warning"; fi
pos_max=$(sed -n 's/^bank: .*right answer at choice //p' "$T/out" | tr ',' '\n' | sed -n 's/.*(\([0-9]*\)%)/\1/p' | sort -n | tail -1)
[ -n "$pos_max" ] && [ "$pos_max" -le 35 ] && pass "no position over 35%" || fail "no position over 35%" "max '$pos_max'"

# a lesson written by habit: answer always choice 2, always the longest, every statement false
awk 'BEGIN {
    printf "{\"id\": \"biased\", \"title\": \"B\", \"version\": 1, \"topics\": [\"t\"], \"intro\": \"I\", \"questions\": ["
    for (i = 1; i <= 6; i++)
        printf "%s{\"id\": \"biased-%03d\", \"kind\": \"single\", \"prompt\": \"P\", \"choices\": [\"no\", \"the long right answer\", \"nope\", \"nah\"], \"answer\": 2, \"explanation\": \"E\", \"refs\": [\"RFC 5321\"]}", (i > 1 ? ", " : ""), i
    for (i = 7; i <= 9; i++)
        printf ", {\"id\": \"biased-%03d\", \"kind\": \"truefalse\", \"prompt\": \"P\", \"answer\": false, \"explanation\": \"E\", \"refs\": [\"RFC 5321\"]}", i
    printf "]}\n"
}' >"$T/biased.json"
"$SMTPSIM" lint "$T/biased.json" >"$T/out" 2>&1
rc=$?
[ $rc -eq 0 ] && pass "bias is a warning, not an error" || fail "bias is a warning, not an error" "exit $rc"
grep -q "biased.json: warning: the right answer is the longest choice in 6 of 6 choice questions (100%, at most 40%)" "$T/out" \
    && pass "lesson warned: longest answer" || fail "lesson warned: longest answer" "$(head -c 600 "$T/out")"
grep -q "^bank: warning: choice 2 holds 100% of the right answers (at most 35%)" "$T/out" \
    && pass "bank warned: position" || fail "bank warned: position" "$(grep '^bank' "$T/out")"
grep -q "^bank: warning: true/false answers should be 40-60% true" "$T/out" \
    && pass "bank warned: true/false" || fail "bank warned: true/false" "$(grep '^bank' "$T/out")"

# ties are no hint, and a lesson with few choice questions is not judged on its own
sed 's/"the long right answer"/"four"/g; s/"nope"/"fore"/g' "$T/biased.json" >"$T/tie.json"
"$SMTPSIM" lint "$T/tie.json" >"$T/out" 2>&1
if grep -q "longest choice in 0 of 6" "$T/out" && ! grep -q "tie.json: warning" "$T/out"; then
    pass "a tie for longest is not counted"
else
    fail "a tie for longest is not counted" "$(cat "$T/out")"
fi
