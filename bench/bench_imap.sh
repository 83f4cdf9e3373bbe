#!/bin/sh
# bench_imap.sh - `smtpsim serve --role imap` beside Dovecot (Debian's dovecot-imapd) over copies of
# the same Maildir of MESSAGES messages, on loopback:
#   - SELECT INBOX, then FETCH 1:* (FLAGS RFC822.SIZE ENVELOPE), timed by the client (Python's
#     imaplib): "cold" is the first session after the server started over a Maildir it has never
#     seen (everything in new/, no index, no UID list), "warm" the best of the next RUNS sessions;
#   - memory per idle connection: IDLE sessions logged in with INBOX selected, the server's
#     proportional set size (PSS, every process of the server: Dovecot runs one imap process
#     per session) before and after, divided by IDLE.
# Dovecot is started by this script with a throwaway configuration in a temporary directory
# (plaintext LOGIN allowed, no TLS, a static password), never as a system service, and stopped
# at the end. Without dovecot (scripts/install-deps.sh bench) only smtpsim is measured.
#
# usage: sh bench/bench_imap.sh [SMTPSIM_BINARY]   (default build/smtpsim, the -O2 build)
# env:   MESSAGES (default 10000), RUNS (default 3), IDLE (default 100)
set -u
BIN=${1:-build/smtpsim}
MESSAGES=${MESSAGES:-10000}
RUNS=${RUNS:-3}
IDLE=${IDLE:-100}
PY=/usr/bin/python3
T=$(mktemp -d)
SPID="" DPID=""
cleanup() {
    [ -n "$SPID" ] && kill "$SPID" 2>/dev/null
    [ -n "$DPID" ] && kill "$DPID" 2>/dev/null
    sleep 0.5
    [ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
}
trap cleanup EXIT INT TERM
port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    i=0
    until $PY -c "import socket; socket.create_connection(('127.0.0.1',$1),timeout=2).close()" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 300 ] && return 1
        sleep 0.1
    done
}

# the mailbox: MESSAGES messages of 1-4 KB as the MX writes them (LF line ends, unique names)
$PY - "$T/md/bench/new" "$MESSAGES" <<'PYEOF'
import os, random, sys
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d)
for sub in ("cur", "tmp"):
    os.makedirs(os.path.join(os.path.dirname(d), sub))
random.seed(7)
t0 = 1796000000
for i in range(n):
    body = "".join("Line %d of a message body with some words in it.\n" % k
                   for k in range(random.randint(20, 80)))
    msg = ("Return-Path: <sender%d@example.net>\nReceived: from localhost ([127.0.0.1])\n"
           "\tby localhost with ESMTPS id %d.1\n\tfor <bench@example.org>; Thu, 3 Dec 2026 10:00:00 +0000\n"
           "From: Sender %d <sender%d@example.net>\nTo: Bench <bench@example.org>\n"
           "Cc: other@example.org\nSubject: benchmark message number %d\n"
           "Date: Thu, 3 Dec 2026 10:%02d:%02d +0000\nMessage-ID: <%d.bench@example.net>\n"
           "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n%s"
           % (i % 50, i, i % 50, i % 50, i, (i // 60) % 60, i % 60, i, body))
    name = "%d.M%dP1Q%d.bench" % (t0 + i // 100, i % 100, i)
    with open(os.path.join(d, name), "w") as f:
        f.write(msg)
PYEOF
cp -a "$T/md" "$T/dmd"

# measure PORT LABEL PIDS_CMD: cold and warm SELECT + FETCH, then PSS per idle session
measure() {
    $PY - "$1" "$2" "$RUNS" "$IDLE" "$3" <<'PYEOF'
import imaplib, subprocess, sys, time
port, label, runs, idle, pids_cmd = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]

def session():
    m = imaplib.IMAP4("127.0.0.1", port, timeout=600)
    m.login("bench", "pw")
    t0 = time.perf_counter()
    typ, d = m.select("INBOX")
    typ2, rows = m.fetch("1:*", "(FLAGS RFC822.SIZE ENVELOPE)")
    t = time.perf_counter() - t0
    assert typ == "OK" and typ2 == "OK", (typ, typ2)
    n = sum(1 for r in rows if r and (isinstance(r, tuple) or b"ENVELOPE" in r))
    m.logout()
    return t, n

def pss():
    total = 0
    for pid in subprocess.run(["sh", "-c", pids_cmd], capture_output=True, text=True).stdout.split():
        try:
            for line in open("/proc/%s/smaps_rollup" % pid):
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total

cold, n = session()
warm = min(session()[0] for _ in range(runs))
before = pss()
conns = []
for _ in range(idle):
    m = imaplib.IMAP4("127.0.0.1", port, timeout=60)
    m.login("bench", "pw")
    m.select("INBOX")
    conns.append(m)
time.sleep(1)
after = pss()
for m in conns:
    m.logout()
print("%-8s %6d msgs  cold %7.3f s  warm %7.3f s  idle %6.1f KiB/session" %
      (label, n, cold, warm, (after - before) / idle))
print("RESULT %s %f %f %f" % (label, cold, warm, (after - before) / idle))
PYEOF
}

echo "== IMAP: SELECT + FETCH 1:* (FLAGS RFC822.SIZE ENVELOPE), $MESSAGES messages; load $(cut -d' ' -f1-3 /proc/loadavg)"
SP=$(port)
XDG_DATA_HOME="$T/xdg" "$BIN" serve --role imap --listen 127.0.0.1:$SP --no-tls --allow-plain-auth \
    --maildir "$T/md" --user bench:pw --quiet 2>"$T/smtpsim.log" &
SPID=$!
wait_port "$SP" || { echo "smtpsim did not start: $(cat "$T/smtpsim.log")"; exit 1; }
measure "$SP" smtpsim "echo $SPID" | tee "$T/res"

if command -v dovecot >/dev/null 2>&1; then
    DP=$(port)
    mkdir -p "$T/drun" "$T/dstate" "$T/dhome"
    MUID=$(id -u) MGID=$(id -g)
    if [ "$MUID" = 0 ]; then # Dovecot never reads mail as root: the copy belongs to its own user
        MUID=$(id -u dovecot) MGID=$(id -g dovecot)
        chmod 755 "$T"
        chown -R "$MUID:$MGID" "$T/dmd" "$T/dhome"
    fi
    cat >"$T/dovecot.conf" <<EOF
base_dir = $T/drun
state_dir = $T/dstate
instance_name = smtpsim-bench
log_path = $T/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = static
  args = password=pw
}
userdb {
  driver = static
  args = uid=$MUID gid=$MGID home=$T/dhome
}
mail_location = maildir:$T/dmd/bench
first_valid_uid = 1
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $DP
  }
  inet_listener imaps {
    port = 0
  }
}
service imap {
  process_limit = 1024
}
protocol imap {
  mail_max_userip_connections = 1000
}
EOF
    dovecot -F -c "$T/dovecot.conf" 2>"$T/dovecot.err" &
    DPID=$!
    if wait_port "$DP"; then
        measure "$DP" dovecot "echo $DPID; pgrep -P $DPID" | tee -a "$T/res"
    else
        echo "dovecot did not start: $(cat "$T/dovecot.err" "$T/dovecot.log" 2>/dev/null | tail -5)"
    fi
else
    echo "dovecot: not installed (scripts/install-deps.sh bench), smtpsim alone"
fi
awk '/^RESULT smtpsim/ {sc=$3; sw=$4; si=$5} /^RESULT dovecot/ {dc=$3; dw=$4; di=$5}
     END { if (dc > 0) printf "ratio smtpsim/dovecot: cold %.2fx  warm %.2fx  idle memory %.2fx (goal: time within 2x)\n", sc/dc, sw/dw, (di > 0 ? si/di : 0) }' "$T/res"
