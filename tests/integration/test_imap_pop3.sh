# test_imap_pop3.sh - `smtpsim serve --role imap|pop3` over real loopback sockets, with real
# clients: curl (imap://, imaps://, pop3://), Python imaplib and poplib (STARTTLS/STLS), fetchmail
# when installed; the Maildir the MX writes (new/ -> cur/ with :2,S and :2,T), UIDs kept across
# restarts, concurrent delivery by the MX during an IMAP IDLE, a client cut off mid-command,
# POP3 [IN-USE], and a large FETCH 1:* drained with backpressure.
# 127.0.0.1 only; ports chosen by the kernel (port 0) and read from the servers' logs.
. tests/integration/lib.sh
trap kill_servers EXIT
export XDG_DATA_HOME="$TMPDIR_TEST/xdg" # the self-signed certificate goes here, not in ~
MD="$TMPDIR_TEST/md"

# tls_port LOG: the implicit TLS port a server logged
tls_port() { sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) (implicit TLS)$/\1/p' "$1" | head -1; }
tls_logged() { [ -n "$(tls_port "$LOG")" ] || ! kill -0 "$PID" 2>/dev/null; }

start_srv mx --role mx --domain example.org --maildir "$MD" || fail "mx starts" "$(cat "$LOG")"
MXPORT=$PORT
start_srv imap --role imap --maildir "$MD" --user bob:secret --user carol:pw \
    --tls-listen 127.0.0.1:0 || fail "imap starts" "$(cat "$LOG")"
wait_for tls_logged
IMAPPORT=$PORT IMAPSPORT=$(tls_port "$LOG") IMAPLOG=$LOG IMAPPID=$PID
start_srv pop3 --role pop3 --maildir "$MD" --user carol:pw --tls-listen 127.0.0.1:0 ||
    fail "pop3 starts" "$(cat "$LOG")"
wait_for tls_logged
POPPORT=$PORT POPSPORT=$(tls_port "$LOG") POPLOG=$LOG

for i in 1 2 3; do
    "$SMTPSIM" send --server 127.0.0.1:$MXPORT --from alice@example.net --to bob@example.org \
        --subject "hello $i" --body "Body $i." >/dev/null 2>&1
done
wait_for at_least 3 "$MD/bob/new"

# 1. curl over STARTTLS (required) and over implicit TLS
out=$(curl -s --max-time 30 -k --ssl-reqd "imap://127.0.0.1:$IMAPPORT/INBOX" -u bob:secret \
    -X 'FETCH 1:* (FLAGS RFC822.SIZE ENVELOPE)' 2>&1)
if [ "$(printf '%s\n' "$out" | grep -c '^\* [0-9] FETCH (FLAGS () RFC822.SIZE [0-9]* ENVELOPE')" = 3 ] &&
    printf '%s' "$out" | grep -q '"hello 2"'; then
    pass "curl imap:// STARTTLS: FETCH 1:* (FLAGS RFC822.SIZE ENVELOPE)"
else
    fail "curl imap:// STARTTLS" "$out"
fi
if [ "$(count "$MD/bob/new")" = 0 ] && [ "$(count "$MD/bob/cur")" = 3 ] &&
    ls "$MD/bob/cur" | grep -q ':2,$' && head -1 "$MD/bob/smtpsim-uidlist" | grep -q '^smtpsim-uidlist 1 V[0-9]* N4$'; then
    pass "Maildir: new/ moved to cur/ with :2, and UIDs in the state file"
else
    fail "Maildir new/ -> cur/" "$(ls -R "$MD/bob"; cat "$MD/bob/smtpsim-uidlist")"
fi
out=$(curl -s --max-time 30 -k "imaps://127.0.0.1:$IMAPSPORT/INBOX;UID=2" -u bob:secret 2>&1)
if printf '%s' "$out" | grep -q '^Subject: hello 2' && ls "$MD/bob/cur" | grep -q ':2,S$'; then
    pass "curl imaps:// fetches UID 2 and the file gets :2,S"
else
    fail "curl imaps://" "$out $(ls "$MD/bob/cur")"
fi
out=$(curl -s --max-time 30 "imap://127.0.0.1:$IMAPPORT/INBOX" -u bob:secret 2>&1)
[ -z "$out" ] && pass "plaintext LOGIN refused before STARTTLS (LOGINDISABLED)" ||
    fail "LOGINDISABLED" "$out"

# 2. imaplib with STARTTLS; a message delivered by the MX during IDLE shows at once as EXISTS;
# \Deleted is the info letter T (:2,T) and EXPUNGE removes the file
out=$($PY - "$IMAPPORT" "$MXPORT" "$SMTPSIM" "$MD/bob/cur" <<'PYEOF' 2>&1
import imaplib, os, ssl, subprocess, sys, time
port, mx, smtpsim = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4("127.0.0.1", port, timeout=30)
m.starttls(ssl_context=ctx)
m.login("bob", "secret")
typ, d = m.select("INBOX")
print("select", typ, d[0].decode())
typ, d = m.uid("SEARCH", None, "UNSEEN")
print("unseen", d[0].decode())
tag = m._new_tag().decode()
m.send(f"{tag} IDLE\r\n".encode())
print("idle", m.readline().decode().strip())
subprocess.run([smtpsim, "send", "--server", "127.0.0.1:" + mx, "--from", "alice@example.net",
                "--to", "bob@example.org", "--subject", "during idle", "--body", "pushed"],
               capture_output=True, timeout=60)
t0 = time.time()
line = m.readline().decode().strip()
print("pushed", line, "%.1f" % (time.time() - t0))
m.send(b"DONE\r\n")
while not m.readline().decode().startswith(tag):
    pass
typ, d = m.fetch("4", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
print("fetch4", d[0][1].decode().strip())
m.store("1", "+FLAGS", "\\Deleted")
print("trashed", sum(1 for f in os.listdir(sys.argv[4]) if f.endswith(":2,T")))
typ, d = m.expunge()
print("expunge", typ, d)
m.logout()
PYEOF
)
if printf '%s\n' "$out" | grep -q '^select OK 3$' && printf '%s\n' "$out" | grep -q '^unseen 1 3$' &&
    printf '%s\n' "$out" | grep -q '^idle + ' && printf '%s\n' "$out" | grep -q '^pushed \* 4 EXISTS' &&
    printf '%s\n' "$out" | grep -q '^fetch4 Subject: during idle$' && printf '%s\n' "$out" | grep -q '^trashed 1$' &&
    printf '%s\n' "$out" | grep -q "^expunge OK \[b'1'\]$" && [ "$(count "$MD/bob/cur")" = 3 ]; then
    pass "imaplib: STARTTLS, SELECT, UID SEARCH UNSEEN, IDLE sees the MX's delivery, EXPUNGE"
else
    fail "imaplib session" "$out $(ls "$MD/bob/cur")"
fi

# 3. UIDs survive a restart of the IMAP server: same UIDVALIDITY, UIDs 2 3 4, UIDNEXT 5
kill "$IMAPPID" 2>/dev/null
wait "$IMAPPID" 2>/dev/null
start_srv imap2 --role imap --maildir "$MD" --user bob:secret --user carol:pw --allow-plain-auth \
    --tls-listen 127.0.0.1:0 || fail "imap restarts" "$(cat "$LOG")"
wait_for tls_logged
IMAPSPORT=$(tls_port "$LOG")
out=$($PY - "$PORT" <<'PYEOF' 2>&1
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=30)
m.login("bob", "secret")
m.select("INBOX")
print("uids", m.uid("SEARCH", None, "ALL")[1][0].decode())
print("status", m.status("INBOX", "(UIDNEXT MESSAGES)")[1][0].decode())
m.logout()
PYEOF
)
printf '%s\n' "$out" | grep -q '^uids 2 3 4$' && printf '%s\n' "$out" | grep -q 'UIDNEXT 5' &&
    pass "UIDs and UIDNEXT kept across a restart" || fail "UIDs across a restart" "$out"

# 4. a client cut off mid-command (inside a literal) leaves the server serving others
$PY - "$PORT" <<'PYEOF' >/dev/null 2>&1
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.recv(1000)
s.sendall(b"a LOGIN {6}\r\n")
s.recv(1000)
s.sendall(b"bo")
s.close()
PYEOF
out=$(curl -s --max-time 30 "imap://127.0.0.1:$PORT/INBOX" -u bob:secret -X 'STATUS INBOX (MESSAGES)' 2>&1)
printf '%s' "$out" | grep -q 'MESSAGES 3' && pass "a client cut off inside a literal; the next one is served" ||
    fail "client cut off mid-command" "$out"

# 5. a large mailbox: FETCH 1:* BODY[] (megabytes of output) drains with backpressure
mkdir -p "$MD/carol/new" "$MD/carol/cur" "$MD/carol/tmp"
for i in $(seq 10 49); do
    $PY -c "import sys; sys.stdout.write('Subject: big $i\n\n' + ('x' * 999 + '\n') * 200)" \
        >"$MD/carol/new/17600000$i.M1P1Q$i.host"
done
out=$($PY - "$PORT" <<'PYEOF' 2>&1
import imaplib, sys
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]), timeout=60)
m.login("carol", "pw")
m.select("INBOX", readonly=True)
typ, d = m.fetch("1:*", "(BODY.PEEK[])")
n = sum(1 for x in d if isinstance(x, tuple))
total = sum(len(x[1]) for x in d if isinstance(x, tuple))
print("fetched", typ, n, total)
m.logout()
PYEOF
)
n=$(count "$MD/carol/cur")
printf '%s\n' "$out" | grep -q "^fetched OK 40 [0-9]*$" && [ "$n" = 40 ] &&
    pass "FETCH 1:* BODY.PEEK[] of $n messages (several MB) with backpressure" ||
    fail "large FETCH" "$out ($n files)"

# 6. POP3: poplib with STLS, UIDL, TOP, RETR, DELE + QUIT removes the file; [IN-USE] for a
# second session
out=$($PY - "$POPPORT" "$POPSPORT" <<'PYEOF' 2>&1
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=30)
p.stls(context=ctx)
p.user("carol"); p.pass_("pw")
count, size = p.stat()
print("stat", count, size > 0)
print("uidl", p.uidl()[1][0].decode())
print("top", [l.decode() for l in p.top(1, 0)[1] if l.startswith(b"Subject")])
q = poplib.POP3_SSL("127.0.0.1", int(sys.argv[2]), timeout=30, context=ctx)
try:
    q.user("carol"); q.pass_("pw"); print("second", "ok")
except poplib.error_proto as e:
    print("second", e.args[0].decode())
q.quit()
p.retr(1)
p.dele(1)
print("quit", p.quit().decode())
PYEOF
)
if printf '%s\n' "$out" | grep -q '^stat [0-9]* True$' && printf '%s\n' "$out" | grep -q '^uidl 1 ' &&
    printf '%s\n' "$out" | grep -q "^top \['Subject: big 10'\]" &&
    printf '%s\n' "$out" | grep -q '^second -ERR \[IN-USE\]' && printf '%s\n' "$out" | grep -q '^quit +OK' &&
    [ "$(count "$MD/carol/cur")" = "$((n - 1))" ]; then
    pass "poplib: STLS, STAT, UIDL, TOP, [IN-USE] over pop3s, RETR, DELE, QUIT removes the file"
else
    fail "poplib session" "$out ($(count "$MD/carol/cur") files)"
fi

# 7. curl pop3:// (STLS required) lists the messages
out=$(curl -s --max-time 30 -k --ssl-reqd "pop3://127.0.0.1:$POPPORT/" -u carol:pw 2>&1)
[ "$(printf '%s\n' "$out" | grep -c '^[0-9]* [0-9]*')" = "$((n - 1))" ] &&
    pass "curl pop3:// with STLS lists $((n - 1)) messages" || fail "curl pop3://" "$out"

# 8. fetchmail over IMAP with STARTTLS, keeping the mail (when installed: scripts/install-deps.sh)
if command -v fetchmail >/dev/null 2>&1; then
    printf 'poll 127.0.0.1 service %s protocol IMAP user "bob" password "secret" ssl no sslcertck keep mda "cat >>%s"\n' \
        "$IMAPSPORT" "$TMPDIR_TEST/fetched" >"$TMPDIR_TEST/fetchmailrc"
    chmod 600 "$TMPDIR_TEST/fetchmailrc"
    HOME=$TMPDIR_TEST timeout 60 fetchmail -f "$TMPDIR_TEST/fetchmailrc" -a --nosyslog \
        -i "$TMPDIR_TEST/fetchids" >"$TMPDIR_TEST/fm.out" 2>&1
    [ "$(grep -c '^Subject: ' "$TMPDIR_TEST/fetched" 2>/dev/null)" = 3 ] &&
        pass "fetchmail over imaps fetches the 3 messages" ||
        fail "fetchmail" "$(tail -5 "$TMPDIR_TEST/fm.out")"
else
    echo "SKIP fetchmail not installed (scripts/install-deps.sh test)"
fi

# 9. mutt over IMAP with STARTTLS (in a tmux pane, read back with capture-pane; generous waits):
# the index lists bob's mail, and a message the MX delivers meanwhile appears in it
if command -v mutt >/dev/null 2>&1 && command -v tmux >/dev/null 2>&1; then
    sock="$TMPDIR_TEST/tmux.sock"
    cat >"$TMPDIR_TEST/muttrc" <<MUTTEOF
set folder="imap://bob:secret@127.0.0.1:$PORT/"
set spoolfile="+INBOX"
set ssl_starttls=yes
set ssl_force_tls=yes
set certificate_file="$TMPDIR_TEST/mutt_certs"
set mail_check=1
set timeout=1
set hostname=localhost
set header_cache=""
MUTTEOF
    tmux -S "$sock" new-session -d -x 120 -y 30 "mutt -n -F '$TMPDIR_TEST/muttrc'"
    screen() { tmux -S "$sock" capture-pane -p; }
    shows() { screen | grep -q -- "$1"; }
    prompt_or_index() { shows "(o)nce" || shows "during idle"; }
    wait_for prompt_or_index
    if shows "(o)nce"; then # the self-signed certificate: accept it once
        tmux -S "$sock" send-keys o
    fi
    if wait_for shows "during idle"; then
        "$SMTPSIM" send --server 127.0.0.1:$MXPORT --from alice@example.net --to bob@example.org \
            --subject "seen by mutt" --body "Hi." >/dev/null 2>&1
        if wait_for shows "seen by mutt"; then
            pass "mutt over IMAP+STARTTLS lists the mail and shows a new delivery"
        else
            fail "mutt new mail" "$(screen | head -12)"
        fi
    else
        fail "mutt over IMAP" "$(screen | head -12)"
    fi
    tmux -S "$sock" kill-server 2>/dev/null
else
    echo "SKIP mutt or tmux not installed (scripts/install-deps.sh test)"
fi
