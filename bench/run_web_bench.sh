#!/bin/sh
# run_web_bench.sh - the web page's figures: transfer size of build/web compressed with gzip,
# navigation to first frame on loopback, median frame time at 1920x1080 in headless chromium.
# Goals (issue 12): < 3 MB, < 1.5 s, < 4 ms. Needs `make web WEB_DEPS=test` first.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
web=$root/build/web
[ -f "$web/index.html" ] || { echo "run_web_bench: no build/web (make web WEB_DEPS=test)" >&2; exit 1; }

total=0
for f in "$web"/*; do
    raw=$(wc -c < "$f")
    gz=$(gzip -9 -c "$f" | wc -c)
    printf '  %-16s %9d bytes, gzip -9: %9d\n' "$(basename "$f")" "$raw" "$gz"
    total=$((total + gz))
done
echo "transfer size, gzip -9: $total bytes ($(awk "BEGIN{printf \"%.2f\", $total/1048576}") MB)"

tmp=$(mktemp -d)
/usr/bin/python3 -u -m http.server -b 127.0.0.1 -d "$web" 0 > "$tmp/http.log" 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT
port=""
for _ in $(seq 200); do
    port=$(sed -n 's/.*127\.0\.0\.1 port \([0-9]*\).*/\1/p' "$tmp/http.log" | head -n 1)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "run_web_bench: http.server did not start" >&2; exit 1; }
WEB_NODE=$root/build/web-toolchain/node WEB_BASE=http://127.0.0.1:$port/ \
    node "$root/bench/web_bench.cjs"
