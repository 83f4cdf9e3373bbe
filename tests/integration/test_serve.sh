# test_serve.sh - 'smtpsim serve' over real loopback sockets: Maildir delivery (atomic, exact
# file format), relay refusal, limits, a client cut off mid-DATA, a silent client, a hundred
# sessions at once, implicit TLS, relaying MSA -> MX, and a clean shutdown with 421.
# 127.0.0.1 only; ports are chosen by the kernel (port 0) and read from the server's log.
. tests/integration/lib.sh
trap kill_servers EXIT
export XDG_DATA_HOME="$TMPDIR_TEST/xdg" # the self-signed certificate goes here, not in ~

# smtp_script PORT SCRIPT: a bounded raw SMTP dialogue in Python (see the heredocs below)
MD="$TMPDIR_TEST/md"
start_srv mx --role mx --domain example.org --maildir "$MD" --max-per-ip 150 ||
    fail "mx starts" "$(cat "$LOG")"
MXPORT=$PORT MXPID=$PID MXLOG=$LOG
# a second MX with a 1 s command timeout, for the silent client
start_srv mxt --role mx --domain example.org --sink --limit timeout_command=1000 ||
    fail "mx (short timeout) starts" "$(cat "$LOG")"
MXTPORT=$PORT

# 1. one message, delivered whole, with Return-Path and Received, LF line ends, in new/
expect_exit "send to mx delivers" 0 "$SMTPSIM" send --server 127.0.0.1:$MXPORT --from a@example.net \
    --to Bob@example.org --subject "first" --body "Hello Bob."
f=$(find "$MD/bob/new" -type f | head -1)
if [ -n "$f" ] && head -1 "$f" | grep -qx 'Return-Path: <a@example.net>' &&
    sed -n 2p "$f" | grep -q '^Received: from localhost (\[127\.0\.0\.1\])$' &&
    grep -q '^	by localhost with ESMTPS id ' "$f" &&
    grep -qx 'Subject: first' "$f" && grep -qx 'Hello Bob.' "$f" && ! grep -q "$(printf '\r')" "$f" &&
    [ "$(count "$MD/bob/tmp")" = 0 ] && [ "$(stat -c %a "$f")" = 600 ]; then
    pass "maildir file format (Return-Path, Received, LF, 0600, nothing left in tmp)"
else
    fail "maildir file format" "$(ls -R "$MD"; cat "$f" 2>/dev/null | head -20)"
fi
case "$(basename "$f")" in
*.M*P*Q*.*) pass "maildir unique name" ;;
*) fail "maildir unique name" "$f" ;;
esac

# 1b. the Received: line comes from the core helper (mail_message.c), as in the simulated world:
# an SMTPUTF8 transaction under STARTTLS is "with UTF8SMTPS" (RFC 6531 3.7.3), and only one
# Received: line is written
expect_exit "send with a UTF-8 address delivers" 0 "$SMTPSIM" send --server 127.0.0.1:$MXPORT \
    --from a@example.net --to "jos$(printf '\303\251')@example.org" --subject "utf8 trace" --body "Ol$(printf '\303\241')."
f=$(grep -rl '^Subject: utf8 trace$' "$MD" 2>/dev/null | grep '/new/' | head -1)
if [ -n "$f" ] && grep -q '^	by localhost with UTF8SMTPS id ' "$f" &&
    [ "$(grep -c '^Received: ' "$f")" = 1 ] &&
    grep -q "^	for <jos$(printf '\303\251')@example.org>; " "$f"; then
    pass "SMTPUTF8 over STARTTLS: Received: says UTF8SMTPS, once"
else
    fail "SMTPUTF8 Received: keyword" "$(ls -R "$MD"; head -5 "$f" 2>/dev/null)"
fi

# 1c. a message that cannot be made durable (its new/ is not a directory, so the rename fails
# after the fsync) is answered 451 4.3.0 and the session goes on (RFC 5321 4.5.4.1: the client
# keeps it and retries); nothing is left in tmp/
mkdir -p "$MD/nowrite/tmp" "$MD/nowrite/cur" && : >"$MD/nowrite/new"
out=$($PY - "$MXPORT" <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline().decode()
        if len(l) < 4 or l[3] != "-":
            return l.strip()
print(reply())
for rcpt in [b"nowrite", b"bob"]:
    for cmd in [b"EHLO durable\r\n", b"MAIL FROM:<a@example.net>\r\n",
                b"RCPT TO:<" + rcpt + b"@example.org>\r\n", b"DATA\r\n",
                b"Subject: durable " + rcpt + b"\r\n\r\nx\r\n.\r\n"]:
        s.sendall(cmd)
        print(reply())
s.sendall(b"QUIT\r\n")
print(reply())
PYEOF
)
if echo "$out" | sed -n 6p | grep -q '^451 4\.3\.0 ' && echo "$out" | sed -n 11p | grep -q '^250 2\.0\.0' &&
    echo "$out" | tail -1 | grep -q '^221' && [ "$(count "$MD/nowrite/tmp")" = 0 ] &&
    grep -rlq '^Subject: durable bob$' "$MD/bob/new"; then
    pass "a failed fsync/rename is answered 451 4.3.0 and the session goes on"
else
    fail "failed commit answered 451 4.3.0" "$out"
fi
rm -rf "$MD/nowrite"

# 2. relaying for other domains is refused at RCPT (554 5.7.1), and the session goes on
expect_output "mx refuses relaying" "<x@elsewhere\.net>: 554 5\.7\.1" "$SMTPSIM" send \
    --server 127.0.0.1:$MXPORT --from a@example.net --to x@elsewhere.net --to bob@example.org
expect_exit "partial acceptance exits 1" 1 "$SMTPSIM" send --server 127.0.0.1:$MXPORT \
    --from a@example.net --to x@elsewhere.net --to bob@example.org --quiet

# 3. cut off mid-DATA: nothing in new/ or tmp/; garbage answered with 5xx, session goes on
before=$(count "$MD")
out=$($PY - "$MXPORT" <<'PYEOF'
import socket, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=60)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        l = f.readline().decode()
        lines.append(l.strip())
        if len(l) < 4 or l[3] != "-":
            return lines[-1]
print(reply())
for cmd in [b"EHLO cut\r\n", b"\x00\xffGARBAGE\r\n", b"MAIL FROM:<a@example.net>\r\n",
            b"RCPT TO:<cut@example.org>\r\n", b"DATA\r\n"]:
    s.sendall(cmd)
    print(reply())
s.sendall(b"Subject: half\r\n\r\nonly part of the bo")
s.close()
PYEOF
)
# the server has seen the cut when every session it logged has closed
all_closed() { [ "$(grep -c ' connect from ' "$MXLOG")" = "$(grep -c ' close: ' "$MXLOG")" ]; }
wait_for all_closed || fail "server notices the cut" "$(tail -3 "$MXLOG")"
if echo "$out" | grep -q '^500\|^502' && echo "$out" | grep -q '^354' &&
    [ "$(count "$MD")" = "$before" ] && [ ! -d "$MD/cut/new" -o "$(count "$MD/cut")" = 0 ]; then
    pass "client cut off mid-DATA leaves no message (garbage got 5xx)"
else
    fail "client cut off mid-DATA" "$out / files $(count "$MD") vs $before"
fi

# 4. a silent client does not block others, and gets 421 when its timeout passes
$PY - "$MXTPORT" "$TMPDIR_TEST/silent.up" >"$TMPDIR_TEST/silent.out" 2>&1 <<'PYEOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
data = b""
t0 = time.time()
while time.time() - t0 < 60:  # until the server closes (after its 421), 60 s at most
    chunk = s.recv(4096)
    if not chunk:
        break
    if not data:
        open(sys.argv[2], "w").close()  # greeted: the silence starts now
    data += chunk
print(data.decode(errors="replace"))
PYEOF
SILENT=$!
PIDS="$PIDS $SILENT"
wait_for test -e "$TMPDIR_TEST/silent.up"
expect_exit "others served while a client is silent" 0 timeout 60 "$SMTPSIM" send \
    --server 127.0.0.1:$MXTPORT --from a@example.net --to carol@example.org --quiet
wait $SILENT
if grep -q '^421 4\.4\.2' "$TMPDIR_TEST/silent.out"; then pass "silent client gets 421 4.4.2 after timeout_command"
else fail "silent client timeout" "$(cat "$TMPDIR_TEST/silent.out")"; fi

# 5. a hundred sessions at once, all delivered (Postfix's smtp-source, 100 parallel sessions)
if [ -x /usr/sbin/smtp-source ]; then
    before=$(count "$MD/hundred/new")
    timeout 300 /usr/sbin/smtp-source -s 100 -m 100 -l 2048 -f a@example.net -t hundred@example.org \
        127.0.0.1:$MXPORT >/dev/null 2>&1
    got=$(count "$MD/hundred/new")
    if [ "$got" = $((before + 100)) ]; then pass "100 sessions at once, 100 files in new/"
    else fail "100 sessions at once" "$got files"; fi
else
    fail "100 sessions at once" "smtp-source missing (apt-get install postfix)"
fi

# 6. a hundred connections held open at once, then each sends one message (Python)
out=$($PY - "$MXPORT" <<'PYEOF'
import socket, sys
port = int(sys.argv[1])
socks = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(100)]
files = [s.makefile("rb") for s in socks]
def reply(f):
    while True:
        l = f.readline()
        if len(l) < 4 or l[3:4] != b"-":
            return l
for f in files:
    assert reply(f).startswith(b"220")
ok = 0
for i, (s, f) in enumerate(zip(socks, files)):
    s.sendall(b"HELO many\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<many@example.org>\r\nDATA\r\n")
    codes = [reply(f)[:3] for _ in range(4)]
    s.sendall(b"Subject: %d\r\n\r\nbody\r\n.\r\n" % i)
    if reply(f)[:3] == b"250" and codes == [b"250", b"250", b"250", b"354"]:
        ok += 1
for s in socks:
    s.sendall(b"QUIT\r\n")
    s.close()
print(ok)
PYEOF
)
if [ "$out" = 100 ] && [ "$(count "$MD/many/new")" = 100 ]; then pass "100 open connections, each delivered"
else fail "100 open connections" "ok=$out files=$(count "$MD/many/new")"; fi

# 7. limits: --limit out of range is a usage error; recipients limit enforced
expect_exit "limit out of range is refused" 2 "$SMTPSIM" serve --role mx --domain x.org --sink \
    --limit command_line=5
expect_exit "unknown limit is refused" 2 "$SMTPSIM" serve --role mx --domain x.org --sink --limit nope=1
expect_exit "mx without --domain is refused" 2 "$SMTPSIM" serve --role mx --sink

# 7b. limits at work: recipients, message size, command line, sessions per address
start_srv lim --role mx --domain example.org --sink --limit recipients=2 --limit message_size=2048 \
    --max-per-ip 3 || fail "mx (limits) starts" "$(cat "$LOG")"
LIMPORT=$PORT
out=$($PY - "$LIMPORT" 2>&1 <<'PYEOF'
import socket, sys
port = int(sys.argv[1])
def session():
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    f = s.makefile("rb")
    return s, f
def reply(f):
    while True:
        l = f.readline().decode()
        if len(l) < 4 or l[3] != "-":
            return l.strip()
s, f = session()
print("greet", reply(f))
def cmd(c):
    s.sendall(c)
    return reply(f)
print("ehlo", cmd(b"EHLO lim\r\n")[:3])
print("long", cmd(b"NOOP " + b"x" * 3000 + b"\r\n")[:9])
print("after-long", cmd(b"NOOP\r\n")[:3])
print("mail", cmd(b"MAIL FROM:<a@example.net>\r\n")[:3])
for i in range(3):
    print("rcpt%d" % i, cmd(b"RCPT TO:<r%d@example.org>\r\n" % i)[:9])
print("big-mail", cmd(b"RSET\r\n")[:3], cmd(b"MAIL FROM:<a@example.net> SIZE=999999\r\n")[:9])
# per-address cap: this one and two more are allowed, the fourth gets 421
others = [session() for _ in range(3)]
print("fourth", reply(others[2][1])[:9], "third", reply(others[1][1])[:3])
PYEOF
)
echo "$out" | grep -q '^long 500 5\.5\.' && echo "$out" | grep -q '^after-long 250' &&
    pass "over-long command line: 500 and the session goes on" ||
    fail "over-long command line" "$out"
echo "$out" | grep -q '^rcpt2 452 4\.5\.3' && pass "recipients limit: 452 4.5.3" ||
    fail "recipients limit" "$out"
echo "$out" | grep -q '^big-mail 250 552 5\.3\.4' && pass "message_size limit: SIZE= too big gets 552 5.3.4" ||
    fail "message_size limit" "$out"
echo "$out" | grep -q '^fourth 421 4\.' && echo "$out" | grep -q 'third 220' &&
    pass "max-per-ip: the session over the cap gets 421" || fail "max-per-ip" "$out"
expect_output "--data FILE is sent as is" "=== result: accepted" sh -c \
    "printf 'Subject: file\r\n\r\nfrom a file\r\n' >'$TMPDIR_TEST/m.eml' &&
     '$SMTPSIM' send --server 127.0.0.1:$MXPORT --from a@example.net --to file@example.org \
     --data '$TMPDIR_TEST/m.eml'"

# 7c. hostile input: random bytes on 30 connections, one client typing a byte at a time; the
# server answers, stays up, and still delivers for a well-behaved client
out=$($PY - "$MXPORT" 2>&1 <<'PYEOF'
import random, socket, sys, time
port = int(sys.argv[1])
rnd = random.Random(5321)
socks = []
for i in range(30):
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    blob = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 4000)))
    if i % 3 == 0:
        blob = b"EHLO x\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<g@example.org>\r\nDATA\r\n" + blob
    try:
        s.sendall(blob)
    except OSError:
        pass
    socks.append(s)
slow = socket.create_connection(("127.0.0.1", port), timeout=60)
slow.recv(512)
for b in b"NOOP\r\n":
    slow.sendall(bytes([b]))
    time.sleep(0.01)
print("slow", slow.recv(512).decode().strip())
answered = 0
for s in socks:
    s.settimeout(30)
    try:
        if s.recv(4096)[:1] in (b"2", b"4", b"5"):
            answered += 1
    except OSError:
        pass
    s.close()
print("answered", answered)
PYEOF
)
if echo "$out" | grep -q '^slow 250' && echo "$out" | grep -q '^answered 30' && kill -0 $MXPID &&
    "$SMTPSIM" send --server 127.0.0.1:$MXPORT --from a@example.net --to after@example.org --quiet \
        >/dev/null; then
    pass "random bytes and a slow typist: answered, server up, still delivering"
else
    fail "hostile input" "$out"
fi

# 8. clean shutdown: an open session gets 421 4.3.2, the server exits 0
$PY - "$MXPORT" >"$TMPDIR_TEST/shut.out" 2>&1 <<'PYEOF' &
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
f = s.makefile("rb")
print(f.readline().decode().strip(), flush=True)
s.sendall(b"EHLO x\r\n")
while True:
    l = f.readline().decode()
    if not l:
        break
    print(l.strip(), flush=True)
PYEOF
HOLD=$!
wait_for grep -q '^250 ' "$TMPDIR_TEST/shut.out"
kill -TERM $MXPID
wait $MXPID
rc=$?
wait $HOLD
if [ $rc = 0 ] && grep -q '^421 4\.3\.2' "$TMPDIR_TEST/shut.out" && grep -q 'stopped:' "$MXLOG"; then
    pass "SIGTERM: 421 to open sessions, exit 0"
else
    fail "SIGTERM shutdown" "rc=$rc $(cat "$TMPDIR_TEST/shut.out") $(tail -3 "$MXLOG")"
fi
if grep -qi 'secret' "$MXLOG"; then fail "log has no passwords" "found"; else pass "log has no passwords"; fi

# 9. MSA relaying to the MX with the client engine; implicit TLS listener; AUTH required
MD2="$TMPDIR_TEST/md2"
start_srv mx2 --role mx --domain example.org --maildir "$MD2" || fail "mx2 starts" "$(cat "$LOG")"
MX2PORT=$PORT
"$SMTPSIM" serve --role msa --listen 127.0.0.1:0 --tls-listen 127.0.0.1:0 --user alice:s3cret \
    --relay 127.0.0.1:$MX2PORT 2>"$TMPDIR_TEST/msa.log" &
MSAPID=$!
PIDS="$PIDS $MSAPID"
two_listeners() { [ "$(grep -c 'listening on' "$TMPDIR_TEST/msa.log")" = 2 ]; }
wait_for two_listeners
MSAPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMPDIR_TEST/msa.log")
TLSPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\) (implicit TLS)$/\1/p' "$TMPDIR_TEST/msa.log")
expect_output "msa: MAIL before AUTH gets 530" "530 5\.7\.0" "$SMTPSIM" send --server 127.0.0.1:$MSAPORT \
    --from alice@example.com --to dave@example.org
expect_output "msa: wrong password gets 535" "535 5\.7\.8" "$SMTPSIM" send --server 127.0.0.1:$MSAPORT \
    --from alice@example.com --to dave@example.org --auth alice:wrong
expect_output "msa: no AUTH offered before STARTTLS" "AUTH|530|538" "$SMTPSIM" send \
    --server 127.0.0.1:$MSAPORT --no-starttls --from alice@example.com --to dave@example.org \
    --auth alice:s3cret
expect_exit "msa: STARTTLS + AUTH relays" 0 "$SMTPSIM" send --server 127.0.0.1:$MSAPORT --starttls \
    --auth alice:s3cret --from alice@example.com --to dave@example.org --subject relayed
expect_output "msa: implicit TLS (465 style)" "=== TLS started: TLSv1\.[23]" "$SMTPSIM" send \
    --server 127.0.0.1:$TLSPORT --tls --auth alice:s3cret --from alice@example.com --to erin@example.org
out=$($PY - "$TLSPORT" 2>&1 <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=60)
s.sendall(b"EHLO this is not TLS\r\n" * 10)
try:
    data = s.recv(4096)
except OSError:
    data = b""
print("closed" if not data or data[:1] == b"\x15" else repr(data[:40]))
PYEOF
)
if [ "$out" = closed ] && kill -0 $MSAPID; then pass "plain text on the TLS port: alert and close, server up"
else fail "plain text on the TLS port" "$out"; fi
wait_for at_least 2 "$MD2"
f=$(find "$MD2/dave/new" -type f | head -1)
if [ -n "$f" ] && [ "$(grep -c '^Received: ' "$f")" = 2 ] && grep -q 'with ESMTPSA' "$f" &&
    [ "$(count "$MD2/erin/new")" = 1 ]; then
    pass "relayed hop by hop: two Received: lines, ESMTPSA at the MSA"
else
    fail "relayed message" "$(ls -R "$MD2") $(tail -5 "$TMPDIR_TEST/msa.log")"
fi
if grep -q 's3cret' "$TMPDIR_TEST/msa.log"; then fail "msa log has no passwords" "found"
else pass "msa log has no passwords"; fi
kill -TERM $MSAPID
wait $MSAPID
# 10. MTA with a static MX map: routed domains relayed, others refused (never a DNS lookup)
start_srv mta --role mta --mx example.org=127.0.0.1:$MX2PORT || fail "mta starts" "$(cat "$LOG")"
MTAPORT=$PORT
expect_output "mta: unrouted domain refused 550 5.1.2" "<y@other\.net>: 550 5\.1\.2" "$SMTPSIM" send \
    --server 127.0.0.1:$MTAPORT --from a@example.net --to y@other.net --to fred@example.org
wait_for at_least 1 "$MD2/fred/new"
[ "$(count "$MD2/fred/new")" = 1 ] && pass "mta: routed by --mx to the MX" ||
    fail "mta: routed by --mx" "$(cat "$LOG" | tail -5)"

# 10b. a permanent failure after the MTA's 250 (the MX refuses example.com) is never silent:
# the sender, whose domain is routed to that MX, gets an RFC 3464 DSN from <>
start_srv mtadsn --role mta --mx example.org=127.0.0.1:$MX2PORT \
    --mx example.com=127.0.0.1:$MX2PORT || fail "mta (dsn) starts" "$(cat "$LOG")"
expect_exit "mta accepts for a routed domain its next hop refuses" 0 "$SMTPSIM" send \
    --server 127.0.0.1:$PORT --from dora@example.org --to zed@example.com --subject "bounce me"
wait_for at_least 1 "$MD2/dora/new"
f=$(find "$MD2/dora/new" -type f 2>/dev/null | head -1)
if [ -n "$f" ] && head -1 "$f" | grep -qx 'Return-Path: <>' &&
    grep -q '^Final-Recipient: rfc822; zed@example.com' "$f" && grep -q '^Action: failed' "$f" &&
    grep -q '^Diagnostic-Code: smtp; 5' "$f" && grep -q '^Subject: bounce me' "$f"; then
    pass "mta: a permanent failure after 250 sends the sender a DSN (RFC 3464)"
else
    fail "mta DSN" "$(tail -5 "$LOG")"
fi

expect_output "self-signed certificate kept in the data dir" "key.pem" ls "$XDG_DATA_HOME/smtpsim/tls"

# 11. the relay queue is on disk: a message accepted while the next hop is down survives a
# restart of the MSA and is relayed once the next hop is up; then the spool is empty
DOWN=$(free_port)
SP="$TMPDIR_TEST/spool"
MD3="$TMPDIR_TEST/md3"
start_srv msa3 --role msa --user u:p --relay 127.0.0.1:$DOWN --spool "$SP" || fail "msa3 starts" "$(cat "$LOG")"
expect_exit "msa accepts while the next hop is down" 0 "$SMTPSIM" send --server 127.0.0.1:$PORT \
    --starttls --auth u:p --from u@example.com --to zed@example.org --body spooled --quiet
kill -TERM $PID
wait $PID
[ "$(count "$SP/queue/new")" = 1 ] && pass "spool: the accepted message is on disk after shutdown" ||
    fail "spool: message on disk" "$(ls -R "$SP")"
"$SMTPSIM" serve --role mx --domain example.org --maildir "$MD3" --listen 127.0.0.1:$DOWN \
    2>"$TMPDIR_TEST/mx3.log" &
PIDS="$PIDS $!"
start_srv msa4 --role msa --user u:p --relay 127.0.0.1:$DOWN --spool "$SP" || fail "msa4 starts" "$(cat "$LOG")"
wait_for at_least 1 "$MD3/zed/new"
if [ "$(count "$MD3/zed/new")" = 1 ] && grep -qx 'spooled' "$(find "$MD3/zed/new" -type f)" &&
    [ "$(count "$SP/queue/new")" = 0 ]; then
    pass "spool: relayed after a restart, then removed from the spool"
else
    fail "spool: relayed after restart" "$(tail -5 "$LOG")"
fi
