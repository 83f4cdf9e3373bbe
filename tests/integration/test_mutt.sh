# test_mutt.sh - a message delivered by `smtpsim serve --role mx` opens as it is in mutt
# (run in a tmux pane, read back with capture-pane). 127.0.0.1 only; bounded waits.
. tests/integration/lib.sh
if ! command -v mutt >/dev/null || ! command -v tmux >/dev/null; then
    fail "mutt and tmux installed" "make test installs them (scripts/install-deps.sh test)"
    exit 0
fi
T=$TMPDIR_TEST
port=$(free_port)
"$SMTPSIM" serve --role mx --domain example.org --maildir "$T/md" --listen "127.0.0.1:$port" --quiet \
    2>"$T/serve.log" &
srv=$!
sock="$T/tmux.sock"
trap 'kill $srv 2>/dev/null; tmux -S "$sock" kill-server 2>/dev/null; rm -rf "$T"' EXIT
wait_port "$port"
"$SMTPSIM" send --server "127.0.0.1:$port" --from alice@example.com --to bob@example.org \
    --subject "Lunch on Friday" --body "Hi Bob, are you free for lunch?" >"$T/send.log" 2>&1
check "send to the MX" grep -q "250" "$T/send.log"

# mutt reads the Maildir read-only, with no user configuration.
tmux -S "$sock" new-session -d -x 120 -y 30 "mutt -n -F /dev/null -R -f '$T/md/bob'"
screen() { tmux -S "$sock" capture-pane -p; }
# shows TEXT: the pane shows TEXT now (mutt can take seconds to draw on a busy machine)
shows() { screen | grep -q -- "$1"; }
if wait_for shows "Lunch on Friday"; then pass "mutt lists the message in its index"; else fail "mutt index" "$(screen | head -5)"; fi
tmux -S "$sock" send-keys Enter
if wait_for shows "are you free for lunch"; then pass "mutt opens the message body"; else fail "mutt pager" "$(screen | head -12)"; fi
if screen | grep -q "From: .*alice@example.com"; then pass "mutt shows the From: header"; else fail "mutt headers" "$(screen | head -12)"; fi
