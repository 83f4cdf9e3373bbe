#!/bin/sh
# web-screenshot.sh - redraw the README's browser screenshot from build/web in headless
# chromium (needs `make web WEB_DEPS=test` first). Look at the PNG before committing.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
web=$root/build/web
out=$root/assets/screenshots/web-chromium.png
[ -f "$web/index.html" ] || { echo "web-screenshot: no build/web (make web WEB_DEPS=test)" >&2; exit 2; }
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
[ -n "$port" ] || { echo "web-screenshot: http.server did not start" >&2; exit 1; }
WEB_NODE=$root/build/web-toolchain/node WEB_BASE=http://127.0.0.1:$port/ OUT=$out \
    node "$root/scripts/web-screenshot.cjs"
echo "$out"
