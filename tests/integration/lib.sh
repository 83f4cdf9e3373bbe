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

# ---- servers on loopback (127.0.0.1 only; every loop bounded) ----
PY=/usr/bin/python3 # Debian's Python: the one python3-aiosmtpd installs for
PIDS=""             # background servers; a script's EXIT trap kills them (kill_servers)

# kill_servers: the EXIT trap's job for scripts that start servers
kill_servers() {
    for p in $PIDS; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$TMPDIR_TEST"
}

# start_srv NAME ARGS...: `smtpsim serve` on a kernel-chosen port; sets PORT (empty on
# failure), PID and LOG (its stderr)
start_srv() {
    LOG="$TMPDIR_TEST/$1.log"
    shift
    "$SMTPSIM" serve --listen 127.0.0.1:0 "$@" 2>"$LOG" &
    PID=$!
    PIDS="$PIDS $PID"
    PORT=""
    for _ in $(seq 100); do
        PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$LOG" | head -1)
        [ -n "$PORT" ] && return 0
        kill -0 $PID 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# count DIR: regular files in DIR
count() { find "$1" -type f 2>/dev/null | wc -l | tr -d ' '; }

# free_port: a port nothing listens on right now (for servers that cannot take port 0)
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_port PORT: until something listens there (bounded)
wait_port() {
    for _ in $(seq 100); do
        $PY -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),timeout=1).close()" \
            2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
