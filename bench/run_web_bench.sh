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
. "$root/scripts/serve-static.sh"
trap 'kill $SERVE_PID 2>/dev/null; rm -rf "$tmp"' EXIT
serve_static "$web" "$tmp/http.log" || { echo "run_web_bench: http.server did not start" >&2; exit 1; }
port=$SERVE_PORT
WEB_NODE=$root/build/web-toolchain/node WEB_BASE=http://127.0.0.1:$port/ \
    node "$root/bench/web_bench.cjs"
