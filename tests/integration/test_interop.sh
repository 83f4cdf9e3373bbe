# test_interop.sh - smtpsim against real mail programs from Debian packages, on 127.0.0.1:
# Python's smtplib (STARTTLS + login) and swaks (plain, STARTTLS, AUTH) and curl (smtp://
# with --ssl-reqd) as clients of 'smtpsim serve'; 'smtpsim send' as the client of Postfix's
# smtp-sink and of an aiosmtpd server. Every server is killed by the trap.
. tests/integration/lib.sh
trap kill_servers EXIT
export XDG_DATA_HOME="$TMPDIR_TEST/xdg"

MD="$TMPDIR_TEST/md"
start_srv msa --role msa --user alice:s3cret --maildir "$MD" || fail "msa starts" "$(cat "$LOG")"
MSAPORT=$PORT
start_srv mx --role mx --domain example.org --maildir "$MD" || fail "mx starts" "$(cat "$LOG")"
MXPORT=$PORT

# --- Python's smtplib: EHLO, STARTTLS, login, sendmail ---------------------------------------
out=$($PY - "$MSAPORT" 2>&1 <<'PYEOF'
import smtplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=60) as s:
    s.ehlo("pyclient")
    assert not s.has_extn("auth"), "AUTH offered before STARTTLS"
    s.starttls(context=ctx)
    s.ehlo("pyclient")
    assert s.has_extn("auth")
    try:
        s.login("alice", "wrong")
        print("bad password accepted")
    except smtplib.SMTPAuthenticationError as e:
        print("bad password refused", e.smtp_code)
    s.login("alice", "s3cret")
    refused = s.sendmail("alice@example.com", ["py@example.org"],
                         "Subject: from smtplib\r\n\r\nHello from Python.\r\n")
    print("refused", refused)
PYEOF
)
if echo "$out" | grep -q 'bad password refused 535' && echo "$out" | grep -q 'refused {}' &&
    grep -rqx 'Hello from Python.' "$MD/py/new"; then
    pass "smtplib: STARTTLS, login, sendmail"
else
    fail "smtplib" "$out"
fi

# --- swaks: plain, STARTTLS, STARTTLS + AUTH ------------------------------------------------
if command -v swaks >/dev/null; then
    expect_output "swaks plain to mx" "<-  250 2\.0\.0" swaks --server 127.0.0.1:$MXPORT \
        --from a@example.net --to swaks@example.org --timeout 60
    if perl -MNet::SSLeay -e1 2>/dev/null; then
        expect_output "swaks STARTTLS to mx" "<~  250 2\.0\.0" swaks --server 127.0.0.1:$MXPORT -tls \
            --from a@example.net --to swaks@example.org --timeout 60
        expect_output "swaks STARTTLS + AUTH to msa" "<~  235 2\.7\.0" swaks --server 127.0.0.1:$MSAPORT \
            -tls --auth-user alice --auth-password s3cret --from alice@example.com \
            --to swaks@example.org --timeout 60
        expect_output "swaks AUTH PLAIN to msa" "<~  250 2\.0\.0" swaks --server 127.0.0.1:$MSAPORT \
            -tls -a PLAIN --auth-user alice --auth-password s3cret --from alice@example.com \
            --to swaks@example.org --timeout 60
    else
        fail "swaks STARTTLS" "needs Net::SSLeay (apt-get install libnet-ssleay-perl)"
    fi
    [ "$(count "$MD/swaks/new")" -ge 2 ] && pass "swaks messages delivered" ||
        fail "swaks messages delivered" "$(count "$MD/swaks/new")"
else
    fail "swaks" "not installed"
fi

# --- curl: smtp:// with --ssl-reqd (STARTTLS), login ------------------------------------------
printf 'Subject: from curl\r\n\r\nHello from curl.\r\n' >"$TMPDIR_TEST/curl.msg"
expect_exit "curl smtp:// --ssl-reqd with login" 0 curl -sS --max-time 60 -k --ssl-reqd \
    "smtp://127.0.0.1:$MSAPORT" --user alice:s3cret --mail-from alice@example.com \
    --mail-rcpt curl@example.org --upload-file "$TMPDIR_TEST/curl.msg"
grep -rqx 'Hello from curl.' "$MD/curl/new" 2>/dev/null && pass "curl message delivered" ||
    fail "curl message delivered" "$(ls -R "$MD")"

# --- smtpsim send against Postfix's smtp-sink ------------------------------------------------
if [ -x /usr/sbin/smtp-sink ]; then
    SP=$(free_port)
    /usr/sbin/smtp-sink -u nobody -c 127.0.0.1:$SP 16 >/dev/null 2>&1 &
    PIDS="$PIDS $!"
    if wait_port $SP; then
        expect_output "send to smtp-sink" "=== result: accepted, 2 of 2" "$SMTPSIM" send \
            --server 127.0.0.1:$SP --from a@example.net --to b@example.org --to c@example.org \
            --body "to the sink"
    else
        fail "send to smtp-sink" "smtp-sink did not start"
    fi
else
    fail "send to smtp-sink" "not installed (apt-get install postfix)"
fi

# --- smtpsim send against aiosmtpd ------------------------------------------------------------
if $PY -c 'import aiosmtpd' 2>/dev/null; then
    AP=$(free_port)
    $PY - "$AP" "$TMPDIR_TEST/aio.out" <<'PYEOF' >/dev/null 2>&1 &
import sys, time
from aiosmtpd.controller import Controller
class H:
    async def handle_DATA(self, server, session, envelope):
        with open(sys.argv[2], "ab") as f:
            f.write(b"FROM " + envelope.mail_from.encode() + b"\n" + envelope.content + b"\n")
        return "250 OK stored"
c = Controller(H(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
time.sleep(600)  # the EXIT trap kills it first; the limit is the runner's per script
PYEOF
    PIDS="$PIDS $!"
    if wait_port $AP; then
        expect_exit "send to aiosmtpd" 0 "$SMTPSIM" send --server 127.0.0.1:$AP --from a@example.net \
            --to b@example.org --body "to aiosmtpd"
        grep -q 'to aiosmtpd' "$TMPDIR_TEST/aio.out" 2>/dev/null && pass "aiosmtpd got the message" ||
            fail "aiosmtpd got the message" "$(cat "$TMPDIR_TEST/aio.out" 2>/dev/null)"
    else
        fail "send to aiosmtpd" "aiosmtpd did not start"
    fi
else
    fail "send to aiosmtpd" "python3-aiosmtpd missing"
fi

# --- send's failure paths --------------------------------------------------------------------
CP=$(free_port)
expect_exit "send to a closed port exits 1" 1 "$SMTPSIM" send --server 127.0.0.1:$CP --from a@b.c --to d@e.f
# ... and says so in one line on stderr, nothing on stdout (no per-recipient "0" lines)
"$SMTPSIM" send --server 127.0.0.1:$CP --from a@b.c --to d@e.f >"$TMPDIR_TEST/so" 2>"$TMPDIR_TEST/se"
if [ ! -s "$TMPDIR_TEST/so" ] && [ "$(wc -l <"$TMPDIR_TEST/se")" = 1 ] &&
    grep -qx "smtpsim send: cannot connect to 127\.0\.0\.1:$CP: Connection refused" "$TMPDIR_TEST/se"; then
    pass "send to a closed port: one clear line"
else
    fail "send to a closed port: one clear line" "stdout: $(cat "$TMPDIR_TEST/so") stderr: $(cat "$TMPDIR_TEST/se")"
fi
expect_exit "send to a name that does not resolve exits 1" 1 "$SMTPSIM" send \
    --server no-such-host.invalid:25 --from a@b.c --to d@e.f
expect_exit "send with a bad --server is a usage error" 2 "$SMTPSIM" send --server nocolon \
    --from a@b.c --to d@e.f
expect_exit "send without --to is a usage error" 2 "$SMTPSIM" send --server 127.0.0.1:$CP --from a@b.c
