#!/bin/sh
# run_interop_bench.sh - throughput of 'smtpsim serve --role mx' against real servers, in one run,
# with the same load: Postfix's smtp-source sends MESSAGES messages of SIZE bytes over SESSIONS
# parallel sessions (several messages per session: smtp-source -d) to
#   1. smtpsim serve --role mx --sink          (accept and discard)
#   2. Postfix's smtp-sink                     (accept and discard)
#   3. smtpsim serve --role mx --maildir DIR   (durable Maildir delivery: fsync before 250)
#   4. aiosmtpd + Python's mailbox.Maildir     (bench/aiosmtpd_maildir.py, fsync per message)
# and prints messages per second, the ratios and, for smtpsim, the server's CPU time per message.
# Then it opens IDLE idle connections to smtpsim and reports the memory they hold (RSS difference
# / IDLE).
#
# Fairness: every server gets the same message count, size and concurrency (aiosmtpd used to get a
# tenth of the messages, so its figure was a 2-second run dominated by start-up). On ext4 without
# a journal (this machine's root file system) creating a file skips every inode freed in the last
# minute or so (fs/ext4/ialloc.c, recently_deleted), one buffer lookup each: right after tens of
# thousands of files were deleted (the previous run's clean-up) every create costs ~40% more and
# the Maildir figures drop by half. So the script waits until its previous run's clean-up is
# SETTLE seconds old, and prints the load average, since the machine may be shared.
#
# usage: sh bench/run_interop_bench.sh [SMTPSIM_BINARY]    (default build/smtpsim, the -O2 build;
#        or a release build of your own: make BUILD=build/rel build/rel/smtpsim)
# env:   MESSAGES (default 20000), AIO_MESSAGES (default MESSAGES), SESSIONS (default 50),
#        SIZE (default 2048), IDLE (default 500), SETTLE (default 65 seconds; 0: do not wait)
set -u
BIN=${1:-build/smtpsim}
MESSAGES=${MESSAGES:-20000}
AIO_MESSAGES=${AIO_MESSAGES:-$MESSAGES}
SETTLE=${SETTLE:-65}
STAMP=/tmp/smtpsim-bench.last-cleanup
SESSIONS=${SESSIONS:-50}
SIZE=${SIZE:-2048}
IDLE=${IDLE:-500}
REUSE=${REUSE:--d} # -d: several messages per session (smtp-source's default is one)
PY=/usr/bin/python3
SOURCE=/usr/sbin/smtp-source
SINK=/usr/sbin/smtp-sink
for need in "$BIN" "$SOURCE" "$SINK"; do
    [ -x "$need" ] || { echo "missing $need (make BUILD=build/h-net-rel; apt-get install postfix)"; exit 2; }
done
$PY -c 'import aiosmtpd' 2>/dev/null || { echo "missing python3-aiosmtpd"; exit 2; }
TMP=$(mktemp -d /tmp/smtpsim-bench.XXXXXX)
PIDS=""
trap 'for p in $PIDS; do kill -9 $p 2>/dev/null; done; rm -rf "$TMP"; touch "$STAMP"' EXIT INT TERM
export XDG_DATA_HOME="$TMP/xdg"

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
    for _ in $(seq 100); do
        $PY -c "import socket; socket.create_connection(('127.0.0.1',$1),timeout=1).close()" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "server on port $1 did not start"; exit 1
}
now_ms() { $PY -c 'import time; print(int(time.time()*1000))'; }
# drive PORT N: run smtp-source, print messages per second
drive() {
    t0=$(now_ms)
    timeout 300 $SOURCE $REUSE -s "$SESSIONS" -m "$2" -l "$SIZE" -f bench@example.net -t bob@example.org \
        127.0.0.1:"$1" >/dev/null 2>&1 || echo "smtp-source failed against port $1" >&2
    t1=$(now_ms)
    $PY -c "print('%.0f' % ($2 * 1000.0 / max(1, $t1 - $t0)))"
}
# serve NAME ARGS: start smtpsim on a free port, set PORT and SPID
serve() {
    PORT=$(free_port)
    "$BIN" serve --role mx --domain example.org --listen 127.0.0.1:"$PORT" --quiet \
        --max-sessions 2000 --max-per-ip 2000 "$@" 2>"$TMP/serve.log" &
    SPID=$!
    PIDS="$PIDS $SPID"
    wait_port "$PORT"
}
# cpu_us PID N: the process's user+system CPU time per message, in microseconds
cpu_us() {
    awk -v n="$2" -v hz="$(getconf CLK_TCK)" '{printf "%.0f", ($14 + $15) * 1e6 / hz / n}' /proc/"$1"/stat
}
files() { find "$1" -type f -path '*/new/*' 2>/dev/null | wc -l | tr -d ' '; }

if [ "$SETTLE" -gt 0 ] && [ -f "$STAMP" ]; then
    age=$(( $(date +%s) - $(stat -c %Y "$STAMP") ))
    if [ "$age" -ge 0 ] && [ "$age" -lt "$SETTLE" ]; then
        echo "waiting $((SETTLE - age)) s: the previous run's deleted files still slow down file creation"
        sleep $((SETTLE - age))
    fi
fi
echo "machine: $(nproc) cores,$(uptime | sed 's/.*load average/ load average/')"
echo "load: $MESSAGES messages (aiosmtpd: $AIO_MESSAGES) of $SIZE bytes, $SESSIONS sessions at once, smtp-source $REUSE"

serve --sink
r_sim_sink=$(drive "$PORT" "$MESSAGES")
c_sim_sink=$(cpu_us "$SPID" "$MESSAGES")
kill "$SPID"; wait "$SPID" 2>/dev/null

P=$(free_port)
$SINK -u nobody -c 127.0.0.1:"$P" 256 >/dev/null 2>&1 &
PIDS="$PIDS $!"
wait_port "$P"
r_sink=$(drive "$P" "$MESSAGES")

serve --maildir "$TMP/md-smtpsim"
r_sim_md=$(drive "$PORT" "$MESSAGES")
c_sim_md=$(cpu_us "$SPID" "$MESSAGES")
kill "$SPID"; wait "$SPID" 2>/dev/null
n_sim=$(files "$TMP/md-smtpsim")

P=$(free_port)
$PY bench/aiosmtpd_maildir.py "$P" "$TMP/md-aio" 2>/dev/null &
PIDS="$PIDS $!"
wait_port "$P"
r_aio=$(drive "$P" "$AIO_MESSAGES")
n_aio=$(files "$TMP/md-aio")

printf '%-44s %8s msg/s  (server CPU %s us/msg)\n' "smtpsim serve --sink" "$r_sim_sink" "$c_sim_sink"
printf '%-44s %8s msg/s\n' "postfix smtp-sink" "$r_sink"
printf '%-44s %8s msg/s  (%s files, server CPU %s us/msg)\n' "smtpsim serve --maildir (fsync before 250)" \
    "$r_sim_md" "$n_sim" "$c_sim_md"
printf '%-44s %8s msg/s  (%s files)\n' "aiosmtpd + mailbox.Maildir" "$r_aio" "$n_aio"
$PY -c "print('ratio smtpsim sink / smtp-sink:            %.2fx (goal >= 0.8)' % ($r_sim_sink / max(1, $r_sink)))"
$PY -c "print('ratio smtpsim Maildir / aiosmtpd Maildir:  %.1fx (goal >= 10)' % ($r_sim_md / max(1, $r_aio)))"
echo "machine after:$(uptime | sed 's/.*load average/ load average/')"
[ "$n_sim" = "$MESSAGES" ] || echo "WARNING: smtpsim delivered $n_sim files, expected $MESSAGES"

# memory per idle connection: RSS before and after IDLE connections that only got the greeting
serve --sink
rss() { awk '/^VmRSS/ {print $2}' /proc/"$SPID"/status; }
before=$(rss)
after=$($PY - "$PORT" "$IDLE" "$SPID" <<'PYEOF'
import socket, sys, time
port, n, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
socks = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(n)]
for s in socks:
    s.recv(512)  # the greeting: the session exists on the server
time.sleep(0.5)
print([l for l in open("/proc/%s/status" % pid) if l.startswith("VmRSS")][0].split()[1])
for s in socks:
    s.close()
PYEOF
)
kill "$SPID"; wait "$SPID" 2>/dev/null
$PY -c "print('memory per idle connection: %.1f KiB (RSS %d -> %d KiB with $IDLE idle connections)' % (($after - $before) / $IDLE, $before, $after))"
