# test_run.sh - `smtpsim run` and `smtpsim list` from the command line: the transcript and its
# layout, the options (--explain, --color, --format json, --step), the what-if fork and
# --save-fork, and errors on bad input.
. tests/integration/lib.sh
T=$TMPDIR_TEST

"$SMTPSIM" run basic --color never >"$T/basic.txt" 2>&1

# --- the transcript -----------------------------------------------------------------------
expect_output "run basic: title" "^basic - " cat "$T/basic.txt"
expect_output "run basic: hop header" "^MUA alice-laptop -> MSA smtp.example.com:587$" \
    cat "$T/basic.txt"
expect_output "run basic: client arrow" "^ +[0-9]+ [0-9:.]+ +-> EHLO alice-laptop.example.com$" \
    cat "$T/basic.txt"
expect_output "run basic: server arrow" "<-  220 smtp.example.com" cat "$T/basic.txt"
expect_output "run basic: TLS marked" "=== TLS 1.3 handshake \(simulated\)" cat "$T/basic.txt"
expect_output "run basic: TLS arrows" "<~  235 2.7.0" cat "$T/basic.txt"
expect_output "run basic: DNS" "=== example.org. MX 10 mx.example.org." cat "$T/basic.txt"
expect_output "run basic: delivered message" "^  \| Return-Path: <alice@example.com>" \
    cat "$T/basic.txt"
expect_output "run by path" "^basic - " "$SMTPSIM" run lessons/scenarios/basic.json --color never

# Parallel hops stay in time order: a hop header is printed once per section, and a step of
# another hop in the middle of a section carries a marker such as [MTA->DNS].
headers=$(grep -c '^MUA alice-laptop -> MSA smtp.example.com:587$' "$T/basic.txt")
if [ "$headers" -eq 1 ]; then
    pass "run basic: MUA hop header printed once"
else
    fail "run basic: MUA hop header printed once" "printed $headers times"
fi
expect_output "run basic: interleaved DNS step marked" \
    '^ +[0-9]+ [0-9:.]+  \[MTA->DNS\] === example\.org\. MX \?$' cat "$T/basic.txt"
expect_output "run basic: interleaved hand-off marked" '\[MSA->MTA\] === queued as ' \
    cat "$T/basic.txt"
# the virtual time column never goes backwards (H:MM:SS.mmm read as one number)
if awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+:[0-9][0-9]:[0-9][0-9]\.[0-9][0-9][0-9]$/ {
        t = $2; gsub(/[:.]/, "", t); t = t + 0
        if (t < last) { print "step " $1 " at " $2; bad = 1 }
        last = t
    }
    END { exit bad }' "$T/basic.txt" >"$T/order" 2>&1; then
    pass "run basic: steps in time order"
else
    fail "run basic: steps in time order" "$(head -3 "$T/order")"
fi

"$SMTPSIM" run basic --color never >"$T/again.txt" 2>&1
if cmp -s "$T/basic.txt" "$T/again.txt"; then
    pass "run is deterministic"
else
    fail "run is deterministic" "two runs differ"
fi

# --- options --------------------------------------------------------------------------------
expect_output "run --explain" "^ +# .+" "$SMTPSIM" run basic --explain --color never
expect_output "run --explain under a marked step" '^ {29}# The sending MTA asks DNS' \
    "$SMTPSIM" run basic --explain --color never

# colour: only when asked, or on a terminal without NO_COLOR (stdout is a pipe here)
esc=$(printf '\033')
if "$SMTPSIM" run basic | grep -q "$esc"; then
    fail "no colour when piped" "escape codes in piped output"
else
    pass "no colour when piped"
fi
if "$SMTPSIM" run basic --color always | grep -q "$esc\["; then
    pass "--color always"
else
    fail "--color always" "no escape codes"
fi
if NO_COLOR=1 "$SMTPSIM" run basic --color auto | grep -q "$esc"; then
    fail "NO_COLOR" "escape codes"
else
    pass "NO_COLOR"
fi

# the JSON trace; python3 reads it when it is there (Debian has it), else a plain grep
"$SMTPSIM" run basic --format json >"$T/j.json" 2>&1
have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1
if [ "$have_python" = 1 ]; then
    if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["scenario"] == "basic"
assert len(d["steps"]) > 20
assert d["steps"][0]["kind"] == "connect"
assert d["mailboxes"][0]["messages"]
' "$T/j.json" 2>"$T/err"; then
        pass "--format json parses"
    else
        fail "--format json parses" "$(tail -2 "$T/err")"
    fi
else
    expect_output "--format json" '"kind": "connect"' cat "$T/j.json"
fi

# --step N: step N and the state of the world after it
steps=$(grep -c '"kind":' "$T/j.json")
last=$((steps - 1))
expect_output "--explain shows lesson narration at its step" "^ *> A full session, reply by reply: The server speaks first" "$SMTPSIM" run basic --explain --color never
expect_output "--step state" "^Step 10 of [0-9]* .0-[0-9]*., state of every node" "$SMTPSIM" run basic --step 10 --color never
expect_output "--step nodes" "^  Mailbox +Bob's mailbox +empty, 0 messages" \
    "$SMTPSIM" run basic --step 10 --color never
expect_output "--step last" "^  Mailbox +Bob's mailbox +1 message$" \
    "$SMTPSIM" run basic --step "$last" --color never
expect_exit "--step beyond the end" 2 "$SMTPSIM" run basic --step "$steps"
expect_exit "--step not a number" 2 "$SMTPSIM" run basic --step ten

# --- what if? -------------------------------------------------------------------------------
# Replace the MX's answer to RCPT: its step number comes from the JSON trace.
at=
if [ "$have_python" = 1 ]; then
    at=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print([s["index"] for s in d["steps"]
       if s["kind"] == "reply" and s.get("verb") == "RCPT" and s["port"] == 25][0])
' "$T/j.json" 2>/dev/null)
fi
if [ -n "$at" ]; then
    "$SMTPSIM" run basic --at "$at" --reply "550 5.1.1 No such user" --color never \
        >"$T/fork.txt" 2>&1
    expect_output "fork: new reply shown" "<~  550 5.1.1 No such user" cat "$T/fork.txt"
    expect_output "fork: the client reacts" "RSET|QUIT" cat "$T/fork.txt"
    if grep -q "Mailbox Bob's mailbox: message 1" "$T/fork.txt"; then
        fail "fork: nothing delivered" "Bob still got the message"
    else
        pass "fork: nothing delivered"
    fi
    expect_exit "fork: --save-fork" 0 "$SMTPSIM" run basic --at "$at" \
        --reply "550 5.1.1 No such user" --save-fork "$T/whatif.json"
    expect_output "saved fork has the fault" '"kind":[[:space:]]*"reply"' cat "$T/whatif.json"
    expect_output "saved fork reproduces" "<~  550 5.1.1 No such user" \
        "$SMTPSIM" run "$T/whatif.json" --color never
else
    fail "fork" "no RCPT reply on port 25 found in the JSON trace (python3 needed)"
fi
expect_exit "fork: not a reply step" 2 "$SMTPSIM" run basic --at 0 --reply "550 5.1.1 x"
expect_exit "fork: bad reply text" 2 "$SMTPSIM" run basic --at 1 --reply "hello"
expect_exit "fork: --at without --reply" 2 "$SMTPSIM" run basic --at 1

# --- errors -----------------------------------------------------------------------------------
expect_exit "unknown scenario" 2 "$SMTPSIM" run no-such-scenario
expect_exit "no scenario" 2 "$SMTPSIM" run
expect_exit "bad option" 2 "$SMTPSIM" run basic --frobnicate
printf '{\n  "id": "x",\n  oops\n}\n' >"$T/bad.json"
expect_output "syntax error has line:col" "bad.json:3:[0-9]+" "$SMTPSIM" run "$T/bad.json"
expect_exit "syntax error exit" 2 "$SMTPSIM" run "$T/bad.json"
# nodes[1] is the MSA, the only node whose "port": 587 ends its line in basic.json
sed 's/"port": 587,$/"port": 70000,/' lessons/scenarios/basic.json >"$T/port.json"
expect_output "wrong field by path" "nodes\[1\].port: expected an integer 1-65535" \
    "$SMTPSIM" run "$T/port.json"
sed 's/"tls": "required", "user"/"tls": "required", "ignore_size": 1, "user"/' \
    lessons/scenarios/basic.json >"$T/bool.json"
expect_output "ignore_size must be a boolean" "nodes\[0\].ignore_size: expected" \
    "$SMTPSIM" run "$T/bool.json"
head -c 300 /dev/urandom >"$T/junk.json"
expect_exit "junk is refused, not a crash" 2 "$SMTPSIM" run "$T/junk.json"
expect_output "run --help" "usage: smtpsim run" "$SMTPSIM" run --help

# --- list -------------------------------------------------------------------------------------
"$SMTPSIM" list >"$T/list.txt" 2>&1
expect_output "list: scenarios" "^  basic +Alice mails Bob" cat "$T/list.txt"
expect_output "list: lessons header" "^Lessons" cat "$T/list.txt"
# sorted by name: too-large before too-large-local
order=$(grep -E '^  too-large(-local)? ' "$T/list.txt" | awk '{ printf "%s ", $1 }')
if [ "$order" = "too-large too-large-local " ]; then
    pass "list: sorted by name"
else
    fail "list: sorted by name" "got: $order"
fi
