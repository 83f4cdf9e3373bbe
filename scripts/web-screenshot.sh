#!/bin/sh
# web-screenshot.sh - redraw the README's browser screenshot from build/web in headless
# chromium (needs `make web WEB_DEPS=test` first). Look at the PNG before committing.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
web=$root/build/web
out=$root/assets/screenshots/web-chromium.png
[ -f "$web/index.html" ] || { echo "web-screenshot: no build/web (make web WEB_DEPS=test)" >&2; exit 2; }
tmp=$(mktemp -d)
. "$root/scripts/serve-static.sh"
trap 'kill $SERVE_PID 2>/dev/null; rm -rf "$tmp"' EXIT
serve_static "$web" "$tmp/http.log" || { echo "web-screenshot: http.server did not start" >&2; exit 1; }
port=$SERVE_PORT
WEB_NODE=$root/build/web-toolchain/node WEB_BASE=http://127.0.0.1:$port/ OUT=$out \
    node "$root/scripts/web-screenshot.cjs"
echo "$out"
