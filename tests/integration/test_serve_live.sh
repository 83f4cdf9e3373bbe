# test_serve_live.sh - 'smtpsim live': the MSA -> MTA -> MX chain on loopback. A message
# submitted with STARTTLS + AUTH crosses every hop (the live transcript names each one) and
# lands in the Maildir; mail for a domain nobody serves comes back to the sender as a DSN
# (never a 250 and then silence); the same Maildir is read back over IMAP (curl, imaplib, also on
# the implicit-TLS port with SASL PLAIN) and POP3 (poplib), and those sessions appear in the
# live transcript between the reading MUA and the MS, passwords hidden; SIGTERM stops it
# cleanly. Also runs once with a (dummy) window.
. tests/integration/lib.sh
trap kill_servers EXIT
export XDG_DATA_HOME="$TMPDIR_TEST/xdg"
export TMPDIR="$TMPDIR_TEST"

# live_run NAME ARGS...: start live on free ports; sets LPID, OUT, MSAP
live_run() {
    OUT="$TMPDIR_TEST/$1.out"
    shift
    "$SMTPSIM" live --msa-port 0 --mta-port 0 --mx-port 0 --imap-port 0 --imaps-port 0 \
        --pop3-port 0 --pop3s-port 0 "$@" >"$OUT" 2>&1 &
    LPID=$!
    PIDS="$PIDS $LPID"
    wait_for live_up
    MSAP=$(sed -n 's/^smtpsim live: MSA 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$OUT")
    [ -n "$MSAP" ]
}

# live_up: live has printed its MSA port, or has exited
live_up() { grep -q '^smtpsim live: MSA 127\.0\.0\.1:' "$OUT" || ! kill -0 "$LPID" 2>/dev/null; }

live_run text --no-window || fail "live starts" "$(cat "$OUT")"
expect_exit "submit to the live MSA" 0 "$SMTPSIM" send --server 127.0.0.1:$MSAP --starttls \
    --auth demo:demo --from demo@example.com --to alice@example.org --subject "live hop" --quiet
wait_for grep -q 'Mailbox *=== delivered' "$OUT"
md=$(sed -n 's/^smtpsim live: Maildir \([^ ]*\) .*/\1/p' "$OUT")
if grep -q '^ *[0-9.]* MUA *MSA *~> AUTH PLAIN <credentials hidden>' "$OUT" &&
    grep -q '^ *[0-9.]* MSA *MTA *~> RCPT TO:<alice@example.org>' "$OUT" &&
    grep -q '^ *[0-9.]* MTA *MX *~> DATA' "$OUT" &&
    grep -q '^ *[0-9.]* MX *Mailbox *=== delivered' "$OUT"; then
    pass "live transcript shows every hop (MUA>MSA>MTA>MX>Mailbox)"
else
    fail "live transcript hops" "$(cut -c1-100 "$OUT" | tail -30)"
fi
f=$(find "$md/alice/new" -type f 2>/dev/null | head -1)
if [ -n "$f" ] && [ "$(grep -c '^Received: ' "$f")" = 3 ] && grep -q '^Subject: live hop' "$f"; then
    pass "live: delivered with three Received: lines"
else
    fail "live: delivered message" "$(ls -R "$md" 2>&1 | head)"
fi
if grep -q 'demo:demo\|ZGVtbwBkZW1vAGRlbW8' "$OUT"; then fail "live hides credentials" "found"
else pass "live hides credentials"; fi

# a recipient in a domain nobody serves: the MSA and MTA said 250, so the sender gets a DSN
# (RFC 3464, from <>) in its own mailbox, which the live IMAP server shows
expect_exit "submit for a domain nobody serves (250 at the MSA)" 0 "$SMTPSIM" send \
    --server 127.0.0.1:$MSAP --starttls --auth demo:demo --from demo@example.com \
    --to nobody@nowhere.test --subject "lost" --quiet
wait_for at_least 1 "$md/demo/new"
f=$(find "$md/demo/new" -type f 2>/dev/null | head -1)
if [ -n "$f" ] && head -1 "$f" | grep -qx 'Return-Path: <>' &&
    grep -q '^Content-Type: multipart/report; report-type=delivery-status;' "$f" &&
    grep -q '^Final-Recipient: rfc822; nobody@nowhere.test' "$f" && grep -q '^Status: 5\.' "$f" &&
    grep -q 'DSN for relay .* queued' "$OUT"; then
    pass "live: a 250 for an unroutable domain ends in a DSN in the sender's mailbox"
else
    fail "live DSN" "$(tail -8 "$OUT" | cut -c1-160)"
fi
IMAPP=$(sed -n 's/^smtpsim live: IMAP 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$OUT")
out=$(curl -s --max-time 30 -k --ssl-reqd "imap://127.0.0.1:$IMAPP/INBOX" -u demo:demo \
    -X 'FETCH 1:* (ENVELOPE)' 2>&1)
printf '%s' "$out" | grep -q 'Undelivered Mail Returned to Sender' &&
    grep -q '^smtpsim live: Thunderbird: .*incoming IMAP server 127\.0\.0\.1 port' "$OUT" &&
    pass "live: the DSN is read back over IMAP (STARTTLS); Thunderbird settings printed" ||
    fail "live IMAP read-back" "$out"

# read it back as a learner's mail program does: imaplib with STARTTLS, poplib with STLS; both
# sessions are animated like the simulated retrieval hop (reader MUA <-> MS)
POPP=$(sed -n 's/^smtpsim live: IMAP .*POP3 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$OUT")
out=$($PY - "$IMAPP" "$POPP" <<'PYEOF' 2>&1
import imaplib, poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=30)
m.starttls(ssl_context=ctx)
m.login("demo", "demo")
print("select", m.select("INBOX")[0])
typ, d = m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
print("fetch", typ, d[0][1].decode().strip())
m.logout()
p = poplib.POP3("127.0.0.1", int(sys.argv[2]), timeout=30)
p.stls(context=ctx)
p.user("demo")
p.pass_("demo")
print("stat", p.stat()[0])
p.quit()
PYEOF
)
wait_for test "$(grep -c '^ *[0-9.]* MUA *MS *=== closed' "$OUT")" -ge 3
# shows TEXT PATTERN...: each pattern matches a transcript line "  T.TTT FROM TO ARROW TEXT"
# of TEXT (the prefix is added here); else prints the first that does not and fails
shows() {
    text=$1
    shift
    for re in "$@"; do
        printf '%s\n' "$text" | grep -q "^ *[0-9.]* $re" || { echo "missing: $re"; return 1; }
    done
}
# from imaplib's session on (curl's came first)
t=$(awk '/MUA +MS +=== connect from .* \(IMAP\)$/ { b = "" } { b = b $0 "\n" } END { printf "%s", b }' "$OUT")
if printf '%s' "$out" | grep -q '^fetch OK Subject: Undelivered Mail Returned to Sender' &&
    printf '%s' "$out" | grep -qx 'stat 1' &&
    miss=$(shows "$(cat "$OUT")" \
        'MX *MS *=== mx\.smtpsim\.test serves the Maildir to your mail reader (IMAP)$') &&
    miss=$(shows "$t" \
        'MUA *MS *=== connect from 127\.0\.0\.1:[0-9]* to port '"$IMAPP"' (IMAP)$' \
        'MUA *MS *-> [A-Z0-9]* STARTTLS' 'MS *MUA *<-  [A-Z0-9]* OK Begin TLS' \
        'MUA *MS *=== TLS started: TLS' 'MUA *MS *~> [A-Z0-9]* LOGIN <credentials hidden>$' \
        'MS *MUA *<~  \* 1 EXISTS$' 'MUA *MS *~> [A-Z0-9]* FETCH 1 ' 'MS *MUA *<~  \* 1 FETCH ' \
        'MS *MUA *<~  [A-Z0-9]* OK FETCH completed$'); then
    pass "live animates an IMAP session (imaplib: STARTTLS, LOGIN hidden, SELECT, FETCH)"
else
    fail "live IMAP session in the transcript" "$out $miss $(printf '%s\n' "$t" | cut -c1-100 | head -30)"
fi
t=$(sed -n '/MUA *MS *=== connect from .* (POP3)$/,$p' "$OUT")
if miss=$(shows "$t" 'MUA *MS *=== connect from 127\.0\.0\.1:[0-9]* to port '"$POPP"' (POP3)$' \
    'MS *MUA *<-  +OK .*POP3 server ready' 'MUA *MS *-> STLS$' 'MUA *MS *=== TLS started: TLS' \
    'MUA *MS *~> USER demo$' 'MUA *MS *~> PASS <credentials hidden>$' \
    'MS *MUA *<~  +OK Logged in' 'MUA *MS *~> QUIT$' 'MUA *MS *=== closed: '); then
    pass "live animates a POP3 session (poplib: STLS, USER, PASS hidden, STAT, QUIT)"
else
    fail "live POP3 session in the transcript" "$miss $(printf '%s\n' "$t" | cut -c1-100 | head -20)"
fi
# implicit TLS (993) and SASL PLAIN: the TLS step comes first, the SASL response is hidden
IMAPSP=$(sed -n 's/^smtpsim live: IMAP 127\.0\.0\.1:[0-9]* (STARTTLS), \([0-9]*\) (TLS).*/\1/p' "$OUT")
$PY - "$IMAPSP" <<'PYEOF' >/dev/null 2>&1 || fail "imaplib on the implicit-TLS port" "$IMAPSP"
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[1]), ssl_context=ctx, timeout=30)
m.authenticate("PLAIN", lambda _: b"\0demo\0demo")
m.logout()
PYEOF
wait_for test "$(grep -c '^ *[0-9.]* MUA *MS *=== closed' "$OUT")" -ge 4
t=$(sed -n '/MUA *MS *=== connect from .* to port '"$IMAPSP"' (IMAP)$/,$p' "$OUT")
if miss=$(shows "$t" 'MUA *MS *=== connect from .* (IMAP)$' 'MUA *MS *=== TLS started: TLS' \
    'MS *MUA *<~  \* OK ' 'MUA *MS *~> [A-Z0-9]* AUTHENTICATE PLAIN$' \
    'MUA *MS *~> [A-Z0-9]* AUTHENTICATE <credentials hidden>$' 'MS *MUA *<~  [A-Z0-9]* OK '); then
    pass "live animates IMAP on the implicit-TLS port (AUTHENTICATE PLAIN, response hidden)"
else
    fail "live IMAPS session in the transcript" "$miss $(printf '%s\n' "$t" | cut -c1-100 | head -12)"
fi
if grep -q 'LOGIN demo\|PASS demo\|demo demo\|AGRlbW8AZGVtbw' "$OUT"; then
    fail "live hides retrieval passwords" "found"
else pass "live hides retrieval passwords"; fi

kill -TERM $LPID
wait $LPID
rc=$?
if [ $rc = 0 ] && grep -q 'smtpsim live: stopping' "$OUT"; then pass "live stops on SIGTERM"
else fail "live stops on SIGTERM" "rc=$rc"; fi

# With a window (SDL's dummy video driver): the same, drawing frames as sessions arrive.
# libdbus (loaded by SDL) keeps a buffer for the process lifetime: not ours (see NOTES.md)
printf 'leak:libdbus-1.so\n' >"$TMPDIR_TEST/lsan.supp"
export LSAN_OPTIONS="suppressions=$TMPDIR_TEST/lsan.supp"
export DISPLAY=:smtpsim-test SDL_VIDEODRIVER=dummy
live_run window || fail "live with a window starts" "$(cat "$OUT")"
expect_exit "submit while the window runs" 0 "$SMTPSIM" send --server 127.0.0.1:$MSAP --starttls \
    --auth demo:demo --from demo@example.com --to bob@example.org --quiet
# the window has taken the session through to the mailbox before it is stopped
md=$(sed -n 's/^smtpsim live: Maildir \([^ ]*\) .*/\1/p' "$OUT")
wait_for at_least 1 "$md/bob/new" || fail "live with a window delivers" "$(tail -5 "$OUT")"
# a POP3 session adds the MS and the reader to the drawn world
POPP=$(sed -n 's/^smtpsim live: IMAP .*POP3 127\.0\.0\.1:\([0-9]*\) .*/\1/p' "$OUT")
$PY - "$POPP" <<'PYEOF' >/dev/null 2>&1 || fail "poplib while the window runs" "$POPP"
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=30)
p.stls(context=ctx)
p.user("demo")
p.pass_("demo")
p.stat()
p.quit()
PYEOF
sleep 1 # a few frames with the retrieval nodes drawn
kill -TERM $LPID
wait $LPID
rc=$?
if [ $rc = 0 ] && ! grep -q 'printing the live transcript' "$OUT"; then pass "live with a window runs and stops"
else fail "live with a window" "rc=$rc $(tail -5 "$OUT")"; fi
