# test_quiz.sh - `smtpsim quiz` and `smtpsim export --gift` driven through pipes: feedback,
# score, progress kept across runs (virtual clock with --now), damaged and unwritable progress
# files, default locations, exam and review modes, colour rules.
. tests/integration/lib.sh
L=tests/data/lessons
T=$TMPDIR_TEST
NOW=1700000000
unset XDG_DATA_HOME

# answers for sample-basics in lesson order; the order/match answers depend on the shuffle, so
# the first session answers 1-4 ("quit" is an answer there, only q stops) and stops with q
quiz() { "$SMTPSIM" quiz "$@"; }

printf '3\n1,2\nf\nquit\nq\n' | quiz $L/sample-basics.json --progress "$T/p.json" --now $NOW --seed 1 >"$T/o1" 2>&1
rc=$?
[ $rc -eq 0 ] && pass "quiz exits 0" || fail "quiz exits 0" "exit $rc"
grep -q 'Correct\.' "$T/o1" && pass "right answer: Correct." || fail "right answer: Correct." "$(head -c 400 "$T/o1")"
grep -q 'Incorrect\. The answer is: true' "$T/o1" && pass "wrong answer shows the answer" \
    || fail "wrong answer shows the answer" "$(grep -n Incorrect "$T/o1")"
grep -q 'Not that one: It does' "$T/o1" && pass "wrong answer says why not" || fail "wrong answer says why not" "no why_not"
grep -q 'See: RFC 5321 4.1.1.3' "$T/o1" && pass "feedback cites references" || fail "feedback cites references" "no refs"
grep -q 'Score: 3/4 (75%), 4 of 6 answered' "$T/o1" && pass "score at the end" \
    || fail "score at the end" "$(grep Score "$T/o1")"
if grep -q "$(printf '\033')" "$T/o1"; then fail "no colour when piped" "escape codes found"; else pass "no colour when piped"; fi
awk 'length > 80 { bad = 1 } END { exit bad }' "$T/o1" && pass "short lines" || fail "short lines" "a line over 80 columns"

# progress kept: q does not lose answers; the missed truefalse is in box 1, the others in box 2
if grep -q '"sample-basics-003"' "$T/p.json" && grep -q '"sample-basics-004"' "$T/p.json"; then
    pass "q keeps progress"
else
    fail "q keeps progress" "$(cat "$T/p.json" 2>&1 | head -20)"
fi

# an hour later: the miss (box 1, due at once) comes first, then the never-seen questions
printf 'q\n' | quiz $L/sample-basics.json --progress "$T/p.json" --now $((NOW + 3600)) >"$T/o2" 2>&1
grep -q 'Question 1 of 3 (sample-basics-003' "$T/o2" && pass "missed question comes back first" \
    || fail "missed question comes back first" "$(grep Question "$T/o2")"
grep -q 'So far: 4 of 6 questions answered, 0 well learnt, 1 due now.' "$T/o2" && pass "progress summary" \
    || fail "progress summary" "$(grep 'So far' "$T/o2")"

# review: only what was missed last time
printf 't\n' | quiz $L/sample-basics.json --review --progress "$T/p.json" --now $((NOW + 7200)) >"$T/o3" 2>&1
if grep -q 'Review: 1 question' "$T/o3" && grep -q 'Score: 1/1' "$T/o3"; then pass "review mode"; else fail "review mode" "$(head -c 500 "$T/o3")"; fi
printf '' | quiz $L/sample-basics.json --review --progress "$T/p.json" --now $((NOW + 7300)) >"$T/o4" 2>&1
grep -q 'nothing to review' "$T/o4" && pass "review with nothing missed" || fail "review with nothing missed" "$(cat "$T/o4")"

# EOF (Ctrl-D, a dropped SSH session) also keeps progress
printf '3\n' | quiz $L/sample-ports.json --progress "$T/eof.json" --now $NOW >/dev/null 2>&1
grep -q '"sample-ports-001"' "$T/eof.json" 2>/dev/null && pass "end of input keeps progress" || fail "end of input keeps progress" "no file"

# bad input is explained and asked again
printf '9\nabc\n3\nq\n' | quiz $L/sample-ports.json --progress "$T/bad.json" --now $NOW >"$T/o5" 2>&1
if grep -q 'type a number 1-4' "$T/o5" && grep -q 'Score: 1/1' "$T/o5"; then pass "bad input asked again"; else fail "bad input asked again" "$(head -c 600 "$T/o5")"; fi

# a damaged progress file: clear message, kept aside, never silently reset
printf '{"version": 1, "questions": {' >"$T/dmg.json"
printf '3\nq\n' | quiz $L/sample-ports.json --progress "$T/dmg.json" --now $NOW >"$T/o6" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q 'damaged' "$T/o6" && grep -q 'dmg.json.broken-1' "$T/o6" \
    && [ "$(cat "$T/dmg.json.broken-1")" = '{"version": 1, "questions": {' ]; then
    pass "damaged progress moved aside"
else
    fail "damaged progress moved aside" "exit $rc: $(head -c 400 "$T/o6")"
fi
grep -q '"sample-ports-001"' "$T/dmg.json" && pass "fresh progress after damage" || fail "fresh progress after damage" "not saved"

# a missing directory is created, mode 0700
printf '3\nq\n' | quiz $L/sample-ports.json --progress "$T/new/dir/p.json" --now $NOW >/dev/null 2>&1
mode=$(stat -c %a "$T/new/dir" 2>/dev/null)
[ "$mode" = 700 ] && [ -f "$T/new/dir/p.json" ] && pass "missing directory created 0700" || fail "missing directory created 0700" "mode '$mode'"

# an unusable location: a clear error before any question is asked
echo x >"$T/plain"
printf '3\nq\n' | quiz $L/sample-ports.json --progress "$T/plain/p.json" --now $NOW >"$T/o7" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "cannot read progress file $T/plain/p.json: Not a directory" "$T/o7" \
    && ! grep -q 'Question 1' "$T/o7"; then
    pass "unusable progress location"
else
    fail "unusable progress location" "exit $rc: $(head -c 300 "$T/o7")"
fi

# default locations: $XDG_DATA_HOME/smtpsim, else ~/.local/share/smtpsim
printf '3\nq\n' | XDG_DATA_HOME="$T/xdg" "$SMTPSIM" quiz $L/sample-ports.json --now $NOW >/dev/null 2>&1
[ -f "$T/xdg/smtpsim/progress.json" ] && pass "progress in XDG_DATA_HOME" || fail "progress in XDG_DATA_HOME" "no file"
printf '3\nq\n' | env -u XDG_DATA_HOME HOME="$T/home" "$SMTPSIM" quiz $L/sample-ports.json --now $NOW >/dev/null 2>&1
[ -f "$T/home/.local/share/smtpsim/progress.json" ] && pass "progress in ~/.local/share" || fail "progress in ~/.local/share" "no file"

# exam: N questions across lessons, feedback only at the end, report by topic
printf '1\n1\n1 2 3 4 5\n' | quiz $L/sample-basics.json $L/sample-ports.json --exam 3 --seed 5 --progress "$T/ex.json" --now $NOW >"$T/o8" 2>&1
if grep -q 'Exam: 3 questions' "$T/o8" && [ "$(grep -c '^Recorded\.' "$T/o8")" -eq 3 ] \
    && grep -q '^By topic' "$T/o8" && grep -q '^Results' "$T/o8" && ! grep -q '^Correct\.' "$T/o8"; then
    pass "exam mode"
else
    fail "exam mode" "$(head -c 800 "$T/o8")"
fi
printf '1\n1\n1 2 3 4 5\n' | quiz $L/sample-basics.json $L/sample-ports.json --exam 3 --seed 5 --progress "$T/ex2.json" --now $NOW >"$T/o9" 2>&1
[ "$(grep '^Question' "$T/o8")" = "$(grep '^Question' "$T/o9")" ] && pass "exam draw follows the seed" || fail "exam draw follows the seed" "different questions"

# predict questions: the truth comes from the simulated world
printf '250\n2\n' | quiz $L/sample-predict.json --progress "$T/pr.json" --now $NOW >"$T/o10" 2>&1
grep -q 'Score: 2/2' "$T/o10" && pass "predict graded against the world" || fail "predict graded against the world" "$(head -c 900 "$T/o10")"

# colour on a terminal, not with NO_COLOR
if command -v script >/dev/null 2>&1; then
    printf 'q\n' | script -qc "$SMTPSIM quiz $L/sample-ports.json --progress $T/c.json --now $NOW" /dev/null >"$T/o11" 2>&1
    grep -q "$(printf '\033')\[" "$T/o11" && pass "colour on a terminal" || fail "colour on a terminal" "no escape codes"
    printf 'q\n' | NO_COLOR=1 script -qc "$SMTPSIM quiz $L/sample-ports.json --progress $T/c.json --now $NOW" /dev/null >"$T/o12" 2>&1
    if grep -q "$(printf '\033')\[" "$T/o12"; then fail "NO_COLOR respected" "escape codes"; else pass "NO_COLOR respected"; fi
fi

# usage errors
expect_exit "unknown option" 2 "$SMTPSIM" quiz --frob
expect_exit "--minutes needs --exam" 2 "$SMTPSIM" quiz $L/sample-ports.json --minutes 5
expect_exit "--exam needs a number" 2 "$SMTPSIM" quiz --exam many
expect_output "unknown lesson" "no lesson 'no-such-lesson'" "$SMTPSIM" quiz no-such-lesson --progress "$T/u.json"
expect_output "quiz --help" "--review" "$SMTPSIM" quiz --help

# a shipped lesson by id, from the data directory
printf 'q\n' | quiz ports --progress "$T/ship.json" >"$T/o13" 2>&1
grep -q 'Question 1 of' "$T/o13" && pass "shipped lesson by id" || fail "shipped lesson by id" "$(head -c 300 "$T/o13")"

# GIFT export
"$SMTPSIM" export --gift $L/sample-basics.json --out "$T/b.gift" >"$T/o14" 2>&1
if grep -q '^::sample-basics-001::\[plain\]' "$T/b.gift" 2>/dev/null && grep -q '^\$CATEGORY: ' "$T/b.gift"; then
    pass "export --gift --out"
else
    fail "export --gift --out" "$(cat "$T/o14")"
fi
"$SMTPSIM" export --gift sample-x-none >"$T/o15" 2>&1
[ $? -eq 2 ] && pass "export --gift missing lesson" || fail "export --gift missing lesson" "$(cat "$T/o15")"
expect_output "export --gift to stdout" 'MX servers listen on port 25\\: a \\= b' "$SMTPSIM" export --gift $L/sample-ports.json
"$SMTPSIM" export --transcript basic >"$T/o16" 2>&1
if grep -q "unexpected '--transcript'" "$T/o16"; then fail "other exports forwarded" "handled as gift"; else pass "other exports forwarded"; fi

# shuffled choices: the order follows --seed, a pinned choice stays last, the number typed is
# turned into the choice it showed (the right one is "2yz, positive completion")
orders=""
for seed in 1 2 3 4 5 6; do
    printf 'q\n' | quiz $L/sample-shuffle.json --seed $seed --progress "$T/sh.json" --now $NOW >"$T/sh$seed" 2>&1
    orders="$orders $(grep -E '^  [1-5]\. ' "$T/sh$seed" | cut -c6-8 | tr -d ' \n')"
done
[ "$(echo $orders | tr ' ' '\n' | sort -u | wc -l)" -ge 3 ] && pass "choices shuffled by seed" || fail "choices shuffled by seed" "$orders"
if grep -q '^  5\. None of the above' "$T/sh1" && grep -q '^  5\. None of the above' "$T/sh4"; then
    pass "pinned choice stays"
else
    fail "pinned choice stays" "$(grep -E '^  [1-5]\. ' "$T/sh1")"
fi
printf 'q\n' | quiz $L/sample-shuffle.json --seed 4 --progress "$T/sh.json" --now $NOW >"$T/sh4b" 2>&1
cmp -s "$T/sh4" "$T/sh4b" && pass "same seed, same order" || fail "same seed, same order" "differs"
n=$(grep -E '^  [1-5]\. 2yz' "$T/sh3" | cut -c3)
printf '%s\n' "$n" | quiz $L/sample-shuffle.json --seed 3 --progress "$T/sh2.json" --now $NOW >"$T/sh3b" 2>&1
grep -q '^Correct\.' "$T/sh3b" && pass "graded by the choice shown" || fail "graded by the choice shown" "typed $n: $(cat "$T/sh3b")"

# exam: one right answer then q scores 1/5 with the rest listed; --pass sets the exit status
# (seed 3 asks sample-basics-001 first, whose answer is 3)
L5="$L/sample-basics.json $L/sample-ports.json"
printf '3\nq\n' | quiz $L5 --exam 5 --seed 3 --pass 80 --progress "$T/ex5.json" --now $NOW >"$T/e1" 2>&1
rc=$?
first=$(grep -m1 '^Question 1 of' "$T/e1")
if grep -q '^Score: 1/5 (20%)$' "$T/e1" && grep -q '^Not answered (4, counted as wrong): ' "$T/e1" \
    && grep -q '^Pass mark 80%: not passed' "$T/e1" && [ $rc -eq 1 ]; then
    pass "exam: unanswered count as wrong, pass mark"
else
    fail "exam: unanswered count as wrong, pass mark" "exit $rc: $first $(grep -A3 '^Score' "$T/e1")"
fi
printf '3\n2\n3\n25\nt\n' | quiz $L/sample-ports.json --exam 5 --seed 2 --pass 0 --progress "$T/ex6.json" --now $NOW >"$T/e2" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q '^Pass mark 0%: passed' "$T/e2" && pass "exam: pass exits 0" || fail "exam: pass exits 0" "exit $rc"
grep -q '^   Your answer:   ' "$T/e2" && pass "exam review shows the student's answer" || fail "exam review shows the student's answer" "$(grep -A4 '^1\. ' "$T/e2")"
expect_exit "--pass needs --exam" 2 "$SMTPSIM" quiz $L/sample-ports.json --pass 80
expect_exit "--pass at most 100" 2 "$SMTPSIM" quiz $L/sample-ports.json --exam 2 --pass 101

# time runs out while the student thinks: warned, ended, the rest wrong (a 2-second exam)
(printf '3\n'; sleep 4) | quiz $L/sample-ports.json --exam 3 --seconds 2 --seed 2 --progress "$T/ex7.json" --now $NOW >"$T/e3" 2>&1
if grep -q 'Warning: 0:0[0-2] left\.' "$T/e3" && grep -q 'Time is up\.' "$T/e3" \
    && grep -q '^Not answered (2, counted as wrong, time ran out)' "$T/e3"; then
    pass "exam: warning and time up"
else
    fail "exam: warning and time up" "$(tail -c 600 "$T/e3")"
fi

# progress that cannot be written: refused before the first question, exit 2
printf '3\nq\n' | quiz $L/sample-ports.json --progress /proc/smtpsim-progress.json --now $NOW >"$T/o17" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q 'cannot keep progress in /proc/smtpsim-progress.json: cannot create a temporary file' "$T/o17" \
    && ! grep -q 'Question 1' "$T/o17"; then
    pass "unwritable progress refused before asking"
else
    fail "unwritable progress refused before asking" "exit $rc: $(head -c 300 "$T/o17")"
fi

# matching: the wrong pairs are named; long answers wrap within 80 columns
printf '3\n1,2\nt\nquit\n1 2 3 4 5\nabc\nq\n' | quiz $L/sample-basics.json --seed 1 --progress "$T/m.json" --now $NOW >"$T/o18" 2>&1
grep -q 'pairs right; wrong: ' "$T/o18" && pass "match names the wrong pairs" || fail "match names the wrong pairs" "$(grep -A2 'Incorrect' "$T/o18" | tail -4)"
awk 'length > 80 { bad = 1 } END { exit bad }' "$T/o18" && pass "answers wrapped" || fail "answers wrapped" "a line over 80 columns"

# statistics and the Anki export
"$SMTPSIM" stats $L/sample-basics.json --progress "$T/p.json" --now $((NOW + 60)) >"$T/o19" 2>&1
if grep -q '^Questions: 6 (' "$T/o19" && grep -q '^Boxes 1-5: ' "$T/o19" && grep -q '^Due now: ' "$T/o19" \
    && grep -q '^commands ' "$T/o19"; then
    pass "stats"
else
    fail "stats" "$(cat "$T/o19")"
fi
expect_exit "stats: unknown option" 2 "$SMTPSIM" stats --frob
"$SMTPSIM" export --csv $L/sample-basics.json --out "$T/b.csv" >"$T/o20" 2>&1
if [ "$(head -1 "$T/b.csv")" = '#separator:Comma' ] && grep -q '^"Which protocol sends mail between servers?$' "$T/b.csv" \
    && grep -q '"sample-basics roles"$' "$T/b.csv"; then
    pass "export --csv"
else
    fail "export --csv" "$(head -c 400 "$T/b.csv" 2>&1) $(cat "$T/o20")"
fi
grep -q "Moodle shuffles them itself" "$T/b.gift" && pass "GIFT says Moodle shuffles" || fail "GIFT says Moodle shuffles" "no note"

# did you mean: a typo names the folder searched and the close name
expect_output "run: did you mean" "did you mean 'basic'?" "$SMTPSIM" run basci
expect_exit "run: typo exits 2" 2 "$SMTPSIM" run basci
expect_output "quiz: did you mean" "did you mean 'ports'?" "$SMTPSIM" quiz prots --progress "$T/dym.json"
expect_output "export: did you mean" "did you mean 'tls'?" "$SMTPSIM" export --csv tsl

# narration: after an answer, the lesson's narration of the step the question is about
printf '1\nq\n' | "$SMTPSIM" quiz roles --progress "$T/narr.json" --seed 3 >"$T/narr" 2>&1
grep -q 'In the animation (basic, step 0)' "$T/narr" && pass "quiz shows the step's narration after the answer" \
    || fail "quiz shows the step's narration after the answer" "$(tail -5 "$T/narr")"
