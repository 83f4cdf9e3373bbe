#!/bin/sh
# update-goldens.sh - regenerate tests/golden/scenarios/NAME.txt for every scenario.
#
# Usage: scripts/update-goldens.sh [BUILD_DIR] [NAME...]   (default build dir: build)
# Writes `smtpsim run NAME --color never` for each scenario (all of lessons/scenarios/*.json,
# or the names given) and shows what changed. Review every diff by eye before accepting it:
# a golden file is only as good as the transcript someone actually read.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${1:-build}
[ $# -gt 0 ] && shift
bin="$build/smtpsim"
[ -x "$bin" ] || { echo "update-goldens: no $bin (run make first)" >&2; exit 2; }
export SMTPSIM_DATA="$root"
mkdir -p tests/golden/scenarios
if [ $# -gt 0 ]; then names="$*"; else
    names=$(for f in lessons/scenarios/*.json; do basename "$f" .json; done)
fi
changed=0
for name in $names; do
    out="tests/golden/scenarios/$name.txt"
    tmp=$(mktemp)
    if ! "$bin" run "$name" --color never >"$tmp" 2>&1; then
        echo "update-goldens: $name failed:" >&2
        head -5 "$tmp" >&2
        rm -f "$tmp"
        continue
    fi
    if [ -f "$out" ] && cmp -s "$tmp" "$out"; then
        rm -f "$tmp"
        continue
    fi
    if [ -f "$out" ]; then
        echo "=== $name changed:"
        diff "$out" "$tmp" | head -40 || true
    else
        echo "=== $name: new golden file ($(wc -l <"$tmp") lines)"
    fi
    mv "$tmp" "$out"
    changed=$((changed + 1))
done
echo "update-goldens: $changed file(s) written; review them (git diff tests/golden) before committing."
