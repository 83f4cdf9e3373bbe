#!/bin/sh
# screenshots.sh - regenerate the README's window screenshots in assets/screenshots/ with
# `smtpsim shot` (software renderer, no display needed). Look at every PNG before committing.
#
# Usage: scripts/screenshots.sh [BUILD_DIR]   (default build dir: build)
# sequence-basic.png comes from `smtpsim export --png` and is not redrawn here.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin="${1:-build}/smtpsim"
[ -x "$bin" ] || { echo "screenshots: no $bin (run make first)" >&2; exit 2; }
export SMTPSIM_DATA="$root" SDL_VIDEODRIVER=dummy
out=assets/screenshots
shot() { name=$1; shift; "$bin" shot "$@" --out "$out/$name.png" >/dev/null; echo "$out/$name.png"; }
shot window-1280x720 basic --step 12 --size 1280x720
shot predict-the-reply basic --step 2 --predict --size 1280x720
shot eavesdropper basic --step 12 --eaves --size 1280x720
shot what-if basic --fork-at 41 --reply "550 5.1.1 No such user" --step 44 --size 1280x720
shot dark-delivered basic --step 45 --phase 1 --theme dark --size 1280x720
shot presenter-1920x1080 basic --step 20 --theme presenter --size 1920x1080
shot presenter-1024x768 basic --step 12 --theme presenter --size 1024x768
shot three-domains three-domains --step 60 --size 1280x720
shot bounce-path unknown-user --step 64 --size 1280x720
