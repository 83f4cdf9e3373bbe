# test_valgrind.sh - the release build (build/smtpsim, no sanitizers) under valgrind memcheck:
# no invalid accesses, no definite leaks, on the core paths and the SDL software path.
. tests/integration/lib.sh
bin=${VALGRIND_BIN:-build/smtpsim}
if [ ! -x "$bin" ] || ! command -v valgrind >/dev/null; then
    fail "valgrind available" "need $bin and valgrind"
    exit 0
fi
vg() {
    name=$1
    shift
    if valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
        --suppressions=tests/valgrind.supp "$@" >"$TMPDIR_TEST/vg.out" 2>"$TMPDIR_TEST/vg.err"; then
        pass "valgrind: $name"
    else
        fail "valgrind: $name" "$(grep -E '==[0-9]+==' "$TMPDIR_TEST/vg.err" | head -15)"
    fi
}
vg "run basic --explain" "$bin" run basic --explain --color never
vg "run unknown-user (bounce)" "$bin" run unknown-user --color never
vg "lint every shipped file" "$bin" lint
vg "export svg" "$bin" export --svg basic --out "$TMPDIR_TEST/b.svg"
vg "export pcap" "$bin" export --pcap basic --out "$TMPDIR_TEST/b.pcap"
SDL_VIDEODRIVER=dummy vg "shot (SDL software renderer)" "$bin" shot basic --step 12 --out "$TMPDIR_TEST/s.png" --size 1280x720
