#!/bin/sh
# test_web.sh - the web page (build/web, `make web`) in Debian's headless chromium.
#
# Serves a copy of build/web at the root of a loopback site and again under a sub-path, draws
# the reference frames with the native `smtpsim shot`, and runs tests/web/web_test.cjs
# (puppeteer-core, installed by scripts/web-deps.sh test), which prints the PASS/FAIL lines.
# Then the what-if scenario the page downloaded must replay with `smtpsim run`.
. "$(dirname "$0")/lib.sh"
trap kill_servers EXIT
root=$(cd "$(dirname "$0")/../.." && pwd)
web=$root/build/web
node_dir=$root/build/web-toolchain/node
if [ ! -f "$web/index.html" ] || [ ! -d "$node_dir/node_modules/puppeteer-core" ] ||
    ! command -v chromium >/dev/null || ! command -v node >/dev/null; then
    fail web_build "no build/web or no browser tool chain: run 'make web WEB_DEPS=test' (make test does)"
    exit 0
fi

site=$TMPDIR_TEST/site
mkdir -p "$site/ref" "$site/course/smtp" "$TMPDIR_TEST/dl" "$TMPDIR_TEST/profile"
cp -R "$web/." "$site/"
cp -R "$web/." "$site/course/smtp/"

# the native reference frames, with the token arrived (--phase 1) as the page shows a step
check web_ref_basic "$SMTPSIM" shot basic --step 12 --phase 1 --size 1280x720 \
    --out "$site/ref/basic-12.png"
check web_ref_greylisting "$SMTPSIM" shot greylisting --step 30 --phase 1 --size 1280x720 \
    --theme presenter --out "$site/ref/greylisting-30-presenter.png"

# a server reply step of basic for the what-if: the first recipient accepted (250 2.1.5)
reply_step=$("$SMTPSIM" run basic --color never 2>/dev/null |
    sed -n 's/^ *\([0-9][0-9]*\) [0-9:.]* *<[-~]  250 2\.1\.5.*/\1/p' | head -n 1)
[ -n "$reply_step" ] || reply_step=15

. "$root/scripts/serve-static.sh"
serve_static "$site" "$TMPDIR_TEST/http.log" || true
PIDS="$PIDS $SERVE_PID"
port=$SERVE_PORT
if [ -z "$port" ]; then
    fail web_server "python3 -m http.server did not start: $(cat "$TMPDIR_TEST/http.log")"
    exit 0
fi

WEB_NODE=$node_dir WEB_BASE=http://127.0.0.1:$port/ WEB_SUB=http://127.0.0.1:$port/course/smtp/ \
    WEB_REF=http://127.0.0.1:$port/ref/ WEB_DL=$TMPDIR_TEST/dl WEB_PROFILE=$TMPDIR_TEST/profile \
    WEB_REPLY_STEP=$reply_step timeout 300 node "$root/tests/web/web_test.cjs"

if [ -f "$TMPDIR_TEST/dl/WHATIF" ]; then
    f="$TMPDIR_TEST/dl/$(cat "$TMPDIR_TEST/dl/WHATIF")"
    expect_output web_whatif_replays '550 5\.1\.1 No such user here' "$SMTPSIM" run "$f" --color never
fi
exit 0
