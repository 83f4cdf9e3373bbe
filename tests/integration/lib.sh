# lib.sh - helpers for integration tests (sourced). Each check prints "PASS name" or
# "FAIL name: why"; tests/run_tests.sh counts those lines. $SMTPSIM is the binary under test.
: "${SMTPSIM:=build/asan/smtpsim}"
TMPDIR_TEST=$(mktemp -d)
trap 'rm -rf "$TMPDIR_TEST"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# check NAME COMMAND...: passes when the command exits 0
check() {
    name=$1
    shift
    if "$@" >"$TMPDIR_TEST/out" 2>&1; then pass "$name"; else fail "$name" "$(tail -5 "$TMPDIR_TEST/out")"; fi
}

# expect_exit NAME STATUS COMMAND...: passes when the command exits with STATUS
expect_exit() {
    name=$1
    want=$2
    shift 2
    "$@" >"$TMPDIR_TEST/out" 2>&1
    got=$?
    if [ "$got" -eq "$want" ]; then pass "$name"; else fail "$name" "exit $got, wanted $want: $(tail -3 "$TMPDIR_TEST/out")"; fi
}

# expect_output NAME PATTERN COMMAND...: passes when the output (stdout+stderr) matches grep -E PATTERN
expect_output() {
    name=$1
    pat=$2
    shift 2
    "$@" >"$TMPDIR_TEST/out" 2>&1
    if grep -Eq -- "$pat" "$TMPDIR_TEST/out"; then pass "$name"; else fail "$name" "no /$pat/ in: $(head -c 600 "$TMPDIR_TEST/out")"; fi
}

# ---- waiting (the one helper every wait in the tests goes through) ----
# A busy machine (two cores shared with builds and fuzzers) can take seconds to start a program
# or show a screen, so no test sleeps a fixed time and hopes: it waits for a condition, and the
# limit is generous. A condition that holds ends the wait at once, so the limit costs nothing
# when things go well; it only bounds how long a broken test hangs.
WAIT_SECONDS=${WAIT_SECONDS:-60}

# wait_for COMMAND...: run COMMAND every 0.1 s until it succeeds (return 0) or WAIT_SECONDS
# have passed (return 1). The limit is wall-clock time, however slow each try is.
wait_for() {
    _wf_end=$(($(date +%s) + WAIT_SECONDS))
    while ! "$@"; do
        [ "$(date +%s)" -ge "$_wf_end" ] && return 1
        sleep 0.1
    done
    return 0
}

# at_least N DIR: DIR holds N or more regular files (a condition for wait_for)
at_least() { [ "$(count "$2")" -ge "$1" ]; }

# ---- servers on loopback (127.0.0.1 only; every wait bounded by wait_for) ----
PY=/usr/bin/python3 # Debian's Python: the one python3-aiosmtpd installs for
PIDS=""             # background servers; a script's EXIT trap kills them (kill_servers)

# kill_servers: the EXIT trap's job for scripts that start servers
kill_servers() {
    for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$TMPDIR_TEST"
}

# listening_or_dead: the server PID has logged its port to LOG, or has exited
listening_or_dead() {
    grep -q 'listening on 127\.0\.0\.1:[0-9]*$' "$LOG" || ! kill -0 "$PID" 2>/dev/null
}

# start_srv NAME ARGS...: `smtpsim serve` on a kernel-chosen port; sets PORT (empty on
# failure), PID and LOG (its stderr)
start_srv() {
    LOG="$TMPDIR_TEST/$1.log"
    shift
    "$SMTPSIM" serve --listen 127.0.0.1:0 "$@" 2>"$LOG" &
    PID=$!
    PIDS="$PIDS $PID"
    wait_for listening_or_dead
    PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$LOG" | head -1)
    [ -n "$PORT" ]
}

# count DIR: regular files in DIR
count() { find "$1" -type f 2>/dev/null | wc -l | tr -d ' '; }

# free_port: a port nothing listens on right now (for servers that cannot take port 0)
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# port_open PORT: something accepts connections there now
port_open() {
    $PY -c "import socket; socket.create_connection(('127.0.0.1',$1),timeout=5).close()" 2>/dev/null
}

# wait_port PORT: until something listens there (bounded by wait_for)
wait_port() { wait_for port_open "$1"; }
