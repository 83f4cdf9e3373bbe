# test_run.sh - `smtpsim run` and `smtpsim list` from the command line: the transcript, its
# options, the what-if fork and --save-fork, and errors on bad input.
. tests/integration/lib.sh
T=$TMPDIR_TEST

expect_output "run basic: hop header" "^MUA alice-laptop -> MSA smtp.example.com:587$" \
    "$SMTPSIM" run basic --color never
expect_output "run basic: client arrow" "^ +[0-9]+ [0-9:.]+ +-> EHLO alice-laptop.example.com$" \
    "$SMTPSIM" run basic --color never
expect_output "run basic: server arrow" "<-  220 smtp.example.com" "$SMTPSIM" run basic --color never
expect_output "run basic: TLS marked" "=== TLS 1.3 handshake \(simulated\)" \
    "$SMTPSIM" run basic --color never
expect_output "run basic: TLS arrows" "<~  235 2.7.0" "$SMTPSIM" run basic --color never
expect_output "run basic: DNS" "=== example.org. MX 10 mx.example.org." \
    "$SMTPSIM" run basic --color never
expect_output "run basic: delivered message" "^  \| Return-Path: <alice@example.com>" \
    "$SMTPSIM" run basic --color never
expect_output "run --explain" "^ +# .+" "$SMTPSIM" run basic --explain --color never
expect_output "run by path" "^basic - " "$SMTPSIM" run lessons/scenarios/basic.json --color never

"$SMTPSIM" run basic --color never >"$T/a" 2>&1
"$SMTPSIM" run basic --color never >"$T/b" 2>&1
if cmp -s "$T/a" "$T/b"; then pass "run is deterministic"; else fail "run is deterministic" "two runs differ"; fi

# colour: only when asked or on a terminal without NO_COLOR (a pipe here)
if "$SMTPSIM" run basic | grep -q "$(printf '\033')"; then
    fail "no colour when piped" "escape codes in piped output"
else
    pass "no colour when piped"
fi
if "$SMTPSIM" run basic --color always | grep -q "$(printf '\033')\["; then
    pass "--color always"
else
    fail "--color always" "no escape codes"
fi
if NO_COLOR=1 "$SMTPSIM" run basic --color auto | grep -q "$(printf '\033')"; then
    fail "NO_COLOR" "escape codes"
else
    pass "NO_COLOR"
fi

# JSON trace
"$SMTPSIM" run basic --format json >"$T/j.json" 2>&1
if command -v python3 >/dev/null 2>&1; then
    if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["scenario"]=="basic"; assert len(d["steps"])>20; assert d["steps"][0]["kind"]=="connect"; assert d["mailboxes"][0]["messages"]' "$T/j.json" 2>"$T/err"; then
        pass "--format json parses"
    else
        fail "--format json parses" "$(tail -2 "$T/err")"
    fi
else
    expect_output "--format json" '"kind": "connect"' cat "$T/j.json"
fi

# --step N: the state of the world after that step
expect_output "--step state" "^State after step 10" "$SMTPSIM" run basic --step 10 --color never
expect_output "--step nodes" "^  Mailbox +Bob's mailbox +empty, 0 messages" "$SMTPSIM" run basic --step 10 --color never
expect_output "--step last" "1 message$" "$SMTPSIM" run basic --step 45 --color never
expect_exit "--step beyond the end" 2 "$SMTPSIM" run basic --step 100000

# what if? the MX's answer to RCPT (find its step number in the JSON trace)
at=$(grep -n '"verb": "RCPT"' "$T/j.json" >/dev/null 2>&1; python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print([s["index"] for s in d["steps"] if s["kind"]=="reply" and s.get("verb")=="RCPT" and s["port"]==25][0])' "$T/j.json" 2>/dev/null)
if [ -n "$at" ]; then
    expect_output "fork: new reply shown" "<~  550 5.1.1 No such user" \
        "$SMTPSIM" run basic --at "$at" --reply "550 5.1.1 No such user" --color never
    expect_output "fork: the client reacts" "RSET|QUIT" \
        "$SMTPSIM" run basic --at "$at" --reply "550 5.1.1 No such user" --color never
    "$SMTPSIM" run basic --at "$at" --reply "550 5.1.1 No such user" --color never >"$T/fork.txt" 2>&1
    if grep -q "Mailbox Bob's mailbox: message 1" "$T/fork.txt"; then
        fail "fork: nothing delivered" "Bob still got the message"
    else pass "fork: nothing delivered"; fi
    expect_exit "fork: --save-fork" 0 "$SMTPSIM" run basic --at "$at" --reply "550 5.1.1 No such user" \
        --save-fork "$T/whatif.json"
    expect_output "saved fork has the fault" '"kind":[[:space:]]*"reply"' cat "$T/whatif.json"
    expect_output "saved fork reproduces" "<~  550 5.1.1 No such user" \
        "$SMTPSIM" run "$T/whatif.json" --color never
else
    fail "fork" "no RCPT reply found in the JSON trace"
fi
expect_exit "fork: not a reply step" 2 "$SMTPSIM" run basic --at 0 --reply "550 5.1.1 x"
expect_exit "fork: bad reply text" 2 "$SMTPSIM" run basic --at 1 --reply "hello"
expect_exit "fork: --at without --reply" 2 "$SMTPSIM" run basic --at 1

# errors
expect_exit "unknown scenario" 2 "$SMTPSIM" run no-such-scenario
expect_exit "no scenario" 2 "$SMTPSIM" run
expect_exit "bad option" 2 "$SMTPSIM" run basic --frobnicate
printf '{\n  "id": "x",\n  oops\n}\n' >"$T/bad.json"
expect_output "syntax error has line:col" "bad.json:3:[0-9]+" "$SMTPSIM" run "$T/bad.json"
expect_exit "syntax error exit" 2 "$SMTPSIM" run "$T/bad.json"
sed 's/"port": 587,$/"port": 70000,/' lessons/scenarios/basic.json >"$T/port.json"
expect_output "wrong field by path" "nodes\[1\].port: expected an integer 1-65535" "$SMTPSIM" run "$T/port.json"
head -c 300 /dev/urandom >"$T/junk.json"
expect_exit "junk is refused, not a crash" 2 "$SMTPSIM" run "$T/junk.json"
expect_output "run --help" "usage: smtpsim run" "$SMTPSIM" run --help

# list
expect_output "list: scenarios" "^  basic +Alice mails Bob" "$SMTPSIM" list
expect_output "list: lessons header" "^Lessons" "$SMTPSIM" list
