# serve-static.sh - sourced by the scripts and tests that load the web page: serve_static DIR LOG
# starts Python's http.server for DIR on 127.0.0.1 on a free port, its log in LOG, and sets
# SERVE_PID and SERVE_PORT. Returns 1 (SERVE_PORT empty) when it has not said its port within
# 20 s (a bound, not a pause: it returns as soon as the port is in the log).
SERVE_PID=""
SERVE_PORT=""
serve_static() {
    /usr/bin/python3 -u -m http.server -b 127.0.0.1 -d "$1" 0 > "$2" 2>&1 &
    SERVE_PID=$!
    SERVE_PORT=""
    for _ in $(seq 200); do
        SERVE_PORT=$(sed -n 's/.*127\.0\.0\.1 port \([0-9]*\).*/\1/p' "$2" | head -n 1)
        [ -n "$SERVE_PORT" ] && return 0
        sleep 0.1
    done
    return 1
}
