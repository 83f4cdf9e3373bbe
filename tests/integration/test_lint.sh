# test_lint.sh - `smtpsim lint`: broken lessons reported as file:line:col or file: path: what,
# exit status 1 on any error, no crash or hang on hostile input, cross-file checks, and every
# shipped lesson and scenario passes.
. tests/integration/lib.sh
B=tests/data/lessons/broken
T=$TMPDIR_TEST

# lint_says NAME PATTERN FILE...: exit status 1 and the pattern in the output
lint_says() {
    name=$1
    pat=$2
    shift 2
    "$SMTPSIM" lint "$@" >"$T/out" 2>&1
    rc=$?
    if [ $rc -eq 1 ] && grep -Eq -- "$pat" "$T/out"; then
        pass "$name"
    else
        fail "$name" "exit $rc: $(head -c 600 "$T/out")"
    fi
}

lint_says "syntax error at line:col" "^$B/syntax.json:4:3: JSON syntax error" $B/syntax.json
lint_says "wrong types" "^$B/wrong-types.json: version: expected an integer" $B/wrong-types.json
lint_says "wrong types in a question too" "questions\[0\]\.answer: expected true or false" $B/wrong-types.json
lint_says "bad answer index" "^$B/bad-answer.json: questions\[3\]\.answer: choice 5 does not exist \(4 choices\)$" \
    $B/bad-answer.json
lint_says "invalid UTF-8" "^$B/invalid-utf8.json:3:21: invalid UTF-8" $B/invalid-utf8.json
lint_says "deep nesting" "^$B/deep.json:1:[0-9]+: nested deeper than 64 levels" $B/deep.json
lint_says "duplicate ids across files" \
    "^$B/dup-b.json: questions\[1\]\.id: duplicate id \"dup-shared-001\" \(also $B/dup-a.json questions\[0\]\)" \
    $B/dup-a.json $B/dup-b.json
cp tests/data/lessons/sample-ports.json "$T/copy.json"
lint_says "duplicate lesson id" "copy.json: id: lesson id \"sample-ports\" is also used by" \
    tests/data/lessons/sample-ports.json "$T/copy.json"
lint_says "duplicate question ids of a copied lesson" "copy.json: questions\[2\]\.id: duplicate id \"sample-ports-003\"" \
    tests/data/lessons/sample-ports.json "$T/copy.json"
lint_says "missing scenario" "^$B/missing-scenario.json: scenario: no scenario 'no-such-scenario'" \
    $B/missing-scenario.json
lint_says "narration past the end of the run" "narration\[0\]\.step: step 100000 does not exist" $B/predict-bad.json
lint_says "predict answer disagrees with the world" \
    "questions\[0\]\.accept: says 550 but the scenario replies 250" $B/predict-bad.json
lint_says "predict at finds no reply" "questions\[1\]\.at: no 9th reply to EHLO in scenario 'basic'" $B/predict-bad.json
lint_says "predict step is not a reply" "questions\[2\]\.at: step 0 of scenario 'basic' is not a reply" $B/predict-bad.json
lint_says "predict names a missing scenario" "questions\[3\]\.at\.scenario: no scenario 'nowhere'" $B/predict-bad.json
lint_says "missing file" "no-such\.json: No such file" $B/no-such.json
# one bad file among good ones still fails the run, and the good ones are not blamed
lint_says "one bad file fails the run" "bad-answer" tests/data/lessons/sample-basics.json $B/bad-answer.json
if grep -q 'sample-basics.json' "$T/out"; then fail "good file not blamed" "$(cat "$T/out")"; else pass "good file not blamed"; fi

expect_exit "sample lessons pass" 0 "$SMTPSIM" lint tests/data/lessons/sample-basics.json \
    tests/data/lessons/sample-ports.json tests/data/lessons/sample-predict.json

# hostile input generated on the fly: huge, binary, deeply nested, empty; never a crash
head -c 5000000 /dev/zero | tr '\0' ' ' >"$T/huge.json"
lint_says "huge file" "huge.json: file larger than" "$T/huge.json"
head -c 4096 /dev/urandom >"$T/random.json"
lint_says "random bytes" "random.json:[0-9]+:[0-9]+: " "$T/random.json"
: >"$T/empty.json"
lint_says "empty file" "empty.json:1:1: empty file" "$T/empty.json"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "["; for (i = 0; i < 100000; i++) printf "]" }' >"$T/deeper.json"
lint_says "100000 levels" "deeper.json:1:65: nested deeper than 64 levels" "$T/deeper.json"
printf '{"questions": [{"id": "x", "kind": "single", "choices": [1, 2], "answer": "one"}]}' >"$T/types.json"
lint_says "wrong types everywhere" "types.json: id: missing \(required\)" "$T/types.json"
printf '{"questions": "none", "id": 7}' >"$T/types2.json"
lint_says "questions not an array" "types2.json: questions: expected an array" "$T/types2.json"

sed 's/"questions"/"question"/' tests/data/lessons/sample-ports.json >"$T/typo.json"
lint_says "misspelt questions still linted as a lesson" "typo.json: question: unknown field" "$T/typo.json"

# scenarios are linted too, chosen by content
printf '{"id": "x", "nodes": [' >"$T/scen.json"
"$SMTPSIM" lint "$T/scen.json" >"$T/out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "scen.json:1:" "$T/out"; then pass "broken scenario"; else fail "broken scenario" "exit $rc: $(cat "$T/out")"; fi

# the worked example in lessons/FORMAT.md is itself a valid lesson
mkdir -p "$T/doc"
awk '/^```json$/ { on = 1; next } /^```$/ { on = 0 } on' lessons/FORMAT.md >"$T/doc/example-ports.json"
expect_exit "FORMAT.md example lints clean" 0 "$SMTPSIM" lint "$T/doc/example-ports.json"

expect_output "lint --help" "usage: smtpsim lint" "$SMTPSIM" lint --help
expect_exit "lint unknown option" 2 "$SMTPSIM" lint --frob

# with no FILE: every shipped lesson and scenario, and they must all be clean
"$SMTPSIM" lint >"$T/out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then pass "shipped lessons and scenarios lint clean"; else fail "shipped lessons and scenarios lint clean" "$(head -c 1500 "$T/out")"; fi
grep -Eq "smtpsim lint: [0-9]+ files" "$T/out" && pass "lint summary" || fail "lint summary" "$(tail -2 "$T/out")"
