# test_shot.sh - `smtpsim shot` writes real PNG frames with no display, and `smtpsim` with no
# display prints the transcript instead of failing.
. tests/integration/lib.sh

# png_size FILE: prints "W H" from the IHDR chunk (bytes 16-23, big-endian)
png_size() {
    od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%d %d\n", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'
}
is_png() {
    [ "$(od -An -tx1 -N8 "$1" | tr -d ' \n')" = "89504e470d0a1a0a" ]
}

out="$TMPDIR_TEST/frame.png"
if env -u DISPLAY -u WAYLAND_DISPLAY "$SMTPSIM" shot basic --step 12 --out "$out" --size 1280x720 \
        >"$TMPDIR_TEST/log" 2>&1 && is_png "$out" && [ "$(png_size "$out")" = "1280 720" ]; then
    pass "shot writes a 1280x720 PNG without a display"
else
    fail "shot writes a 1280x720 PNG without a display" "$(cat "$TMPDIR_TEST/log")"
fi

out2="$TMPDIR_TEST/big.png"
if "$SMTPSIM" shot basic --step 3 --out "$out2" --theme presenter >/dev/null 2>&1 &&
        is_png "$out2" && [ "$(png_size "$out2")" = "1920 1080" ]; then
    pass "shot defaults to 1920x1080, presenter theme"
else
    fail "shot defaults to 1920x1080, presenter theme" "size $(png_size "$out2" 2>/dev/null)"
fi

# the same step drawn twice gives the same file: frames are a pure function of the step
"$SMTPSIM" shot basic --step 7 --out "$TMPDIR_TEST/a.png" --size 800x450 >/dev/null 2>&1
"$SMTPSIM" shot basic --step 7 --out "$TMPDIR_TEST/b.png" --size 800x450 >/dev/null 2>&1
if cmp -s "$TMPDIR_TEST/a.png" "$TMPDIR_TEST/b.png"; then
    pass "same step, same pixels"
else
    fail "same step, same pixels" "a.png and b.png differ"
fi
"$SMTPSIM" shot basic --step 8 --out "$TMPDIR_TEST/c.png" --size 800x450 >/dev/null 2>&1
if ! cmp -s "$TMPDIR_TEST/a.png" "$TMPDIR_TEST/c.png"; then
    pass "another step, other pixels"
else
    fail "another step, other pixels" "step 7 and 8 are identical"
fi

expect_output "bench prints the frame median" "^frame median: [0-9.]+ ms" \
    "$SMTPSIM" shot basic --bench-frames 5 --size 640x360
expect_exit "unknown theme is a usage error" 2 "$SMTPSIM" shot basic --step 1 --out "$out" --theme neon
expect_exit "bad size is a usage error" 2 "$SMTPSIM" shot basic --step 1 --out "$out" --size big
expect_exit "unknown scenario is an error" 2 "$SMTPSIM" shot no-such-scenario --step 1 --out "$out"
expect_exit "no output and no bench is a usage error" 2 "$SMTPSIM" shot basic --step 1
# usage and input errors exit 2 (README), whatever is wrong
expect_exit "a size too small is a usage error" 2 "$SMTPSIM" shot basic --step 1 --out "$out" --size 10x10
expect_exit "a size too large is a usage error" 2 "$SMTPSIM" shot basic --step 1 --out "$out" \
    --size 9000x9000
expect_exit "--bench-frames 0 is a usage error" 2 "$SMTPSIM" shot basic --bench-frames 0
printf '{"id": "broken"' >"$TMPDIR_TEST/broken.json"
expect_exit "a scenario that does not load is an input error" 2 "$SMTPSIM" shot \
    "$TMPDIR_TEST/broken.json" --out "$out"
# an output that cannot be written: the path given and the reason, exit 2 as for export
"$SMTPSIM" shot basic --step 1 --out "$TMPDIR_TEST/no/such/dir/x.png" --size 640x360 \
    >"$TMPDIR_TEST/log" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "$TMPDIR_TEST/no/such/dir/x.png: No such file or directory" \
        "$TMPDIR_TEST/log"; then
    pass "unwritable --out: names the path and the reason"
else
    fail "unwritable --out: names the path and the reason" "exit $rc: $(cat "$TMPDIR_TEST/log")"
fi
expect_exit "window: option without its value is a usage error" 2 \
    env SDL_VIDEODRIVER=dummy "$SMTPSIM" window basic --frames 3 --theme
expect_output "window: option without its value says so" "--theme needs a value" \
    env SDL_VIDEODRIVER=dummy "$SMTPSIM" window basic --frames 3 --theme
expect_exit "window: a scenario that does not load is an input error" 2 \
    env SDL_VIDEODRIVER=dummy "$SMTPSIM" window "$TMPDIR_TEST/broken.json" --frames 3
expect_exit "window: bad --frames is a usage error" 2 \
    env SDL_VIDEODRIVER=dummy "$SMTPSIM" window basic --frames 0

# no display: say so, print the transcript, succeed
env -u DISPLAY -u WAYLAND_DISPLAY "$SMTPSIM" >"$TMPDIR_TEST/stdout" 2>"$TMPDIR_TEST/stderr"
rc=$?
if [ $rc -eq 0 ] && grep -q "no display" "$TMPDIR_TEST/stderr" && grep -q "EHLO" "$TMPDIR_TEST/stdout"; then
    pass "no display: transcript instead of a window"
else
    fail "no display: transcript instead of a window" "exit $rc: $(head -c 300 "$TMPDIR_TEST/stderr")"
fi
expect_output "window SCENARIO without a display" "MAIL FROM" \
    env -u DISPLAY -u WAYLAND_DISPLAY "$SMTPSIM" window basic

# the real window loop runs invisibly on the dummy driver for a bounded number of frames
expect_exit "window loop on the dummy driver" 0 \
    env -u DISPLAY -u WAYLAND_DISPLAY SDL_VIDEODRIVER=dummy "$SMTPSIM" window basic --frames 30

# DISPLAY set but nothing listening there: SDL would draw offscreen; say so, print the transcript
expect_output "unreachable display: transcript instead" "no usable display|cannot open a window" \
    env -u SDL_VIDEODRIVER -u WAYLAND_DISPLAY DISPLAY=:97 timeout 60 "$SMTPSIM" window basic

# what if? --fork-at N --reply TEXT draws the fork (issue 7): the MX's reply to RCPT (the last
# "250 2.1.5" of basic) answered 550; the fork is longer and its later frames differ.
at=$("$SMTPSIM" run basic --color never | awk '/<.  250 2\.1\.5/ { n = $1 } END { print n }')
"$SMTPSIM" shot basic --step 50 --phase 1 --out "$TMPDIR_TEST/orig50.png" --size 800x450 \
    >/dev/null 2>&1
if "$SMTPSIM" shot basic --fork-at "$at" --reply "550 5.1.1 No such user" --step 50 --phase 1 \
        --out "$TMPDIR_TEST/fork50.png" --size 800x450 >"$TMPDIR_TEST/log" 2>&1 &&
        is_png "$TMPDIR_TEST/fork50.png" && grep -q "Step 50 of" "$TMPDIR_TEST/log" &&
        ! cmp -s "$TMPDIR_TEST/orig50.png" "$TMPDIR_TEST/fork50.png"; then
    pass "shot --fork-at/--reply draws the fork"
else
    fail "shot --fork-at/--reply draws the fork" "at=$at: $(cat "$TMPDIR_TEST/log")"
fi
# the same fork twice: the same pixels
"$SMTPSIM" shot basic --fork-at "$at" --reply "550 5.1.1 No such user" --step 50 --phase 1 \
    --out "$TMPDIR_TEST/fork50b.png" --size 800x450 >/dev/null 2>&1
if cmp -s "$TMPDIR_TEST/fork50.png" "$TMPDIR_TEST/fork50b.png"; then
    pass "a fork is drawn the same every time"
else
    fail "a fork is drawn the same every time" "fork50.png and fork50b.png differ"
fi
expect_exit "--fork-at without --reply is a usage error" 2 "$SMTPSIM" shot basic --fork-at "$at" \
    --out "$out"
expect_exit "--fork-at on a step that is no reply is an input error" 2 "$SMTPSIM" shot basic --fork-at 0 \
    --reply "550 5.1.1 No such user" --out "$out"
expect_exit "a malformed what-if reply is an input error" 2 "$SMTPSIM" shot basic --fork-at "$at" \
    --reply "hello" --out "$out"

# the window takes --progress (and runs its bounded test loop with it)
expect_exit "window --progress FILE runs" 0 env SDL_VIDEODRIVER=dummy "$SMTPSIM" window basic \
    --frames 3 --progress "$TMPDIR_TEST/p.json"

# export --png shares the PNG writer: an output that cannot be written names the path the user
# gave (not the temporary file beside it) and the reason, and leaves nothing behind
mkdir -p "$TMPDIR_TEST/pngdir"
"$SMTPSIM" export --png basic --out "$TMPDIR_TEST/missing/dir/x.png" >"$TMPDIR_TEST/log" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "^smtpsim export: $TMPDIR_TEST/missing/dir/x.png: No such file or directory$" \
        "$TMPDIR_TEST/log" && ! grep -q '\.tmp\.' "$TMPDIR_TEST/log"; then
    pass "export --png to a missing directory: the path given and the reason"
else
    fail "export --png to a missing directory: the path given and the reason" \
        "exit $rc: $(cat "$TMPDIR_TEST/log")"
fi
"$SMTPSIM" export --png basic --out "$TMPDIR_TEST/pngdir/ok.png" --scale 1 >/dev/null 2>&1
if [ -s "$TMPDIR_TEST/pngdir/ok.png" ] && [ "$(ls "$TMPDIR_TEST/pngdir")" = "ok.png" ]; then
    pass "export --png writes the file and no temporary one"
else
    fail "export --png writes the file and no temporary one" "$(ls "$TMPDIR_TEST/pngdir")"
fi
# presenter options: X's state is on the screen (the header says predict stops are off), and the
# statistics panel draws
"$SMTPSIM" shot basic --step 3 --size 1024x768 --out "$TMPDIR_TEST/p-on.png" >/dev/null 2>&1
"$SMTPSIM" shot basic --step 3 --size 1024x768 --no-predict --out "$TMPDIR_TEST/p-off.png" \
    >/dev/null 2>&1
"$SMTPSIM" shot basic --step 3 --size 1024x768 --stats --out "$TMPDIR_TEST/p-stats.png" \
    >/dev/null 2>&1
if [ -s "$TMPDIR_TEST/p-on.png" ] && [ -s "$TMPDIR_TEST/p-off.png" ] &&
        [ -s "$TMPDIR_TEST/p-stats.png" ] &&
        ! cmp -s "$TMPDIR_TEST/p-on.png" "$TMPDIR_TEST/p-off.png" &&
        ! cmp -s "$TMPDIR_TEST/p-on.png" "$TMPDIR_TEST/p-stats.png"; then
    pass "shot --no-predict shows the state in the header, --stats the panel"
else
    fail "shot --no-predict shows the state in the header, --stats the panel" \
        "$(ls -l "$TMPDIR_TEST"/p-*.png 2>&1)"
fi
