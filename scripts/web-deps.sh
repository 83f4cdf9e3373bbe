#!/bin/sh
# web-deps.sh - the WebAssembly tool chain for `make web` and the browser tests, built once.
#
# Usage: scripts/web-deps.sh [build|test]
#   build: Debian's emscripten with a writable config and cache, and SDL2, freetype, harfbuzz,
#          SDL2_ttf, SDL2_image and cJSON compiled for wasm from Debian's own source packages
#          into the tool-chain cache (~/.cache/smtpsim/web-toolchain-1; build/web-toolchain
#          links to it), under prefix/
#   test:  also Debian's chromium and puppeteer-core (npm) in build/web-toolchain/node
#
# Debian's emscripten (3.1.6) would download its SDL2/freetype/SDL2_ttf "ports" at build time,
# which machines without internet cannot do, and its cache is read-only (FROZEN_CACHE). So the
# libraries come from `apt-get source` (a deb-src entry is added when missing) and are built
# with their own CMake under emcmake. Every stage leaves a stamp file and is skipped when its
# stamp exists: SDL2's configure alone takes minutes under emcc, so it is never redone.
# As root it runs apt-get itself; otherwise it prints the sudo command and fails.
set -eu

what=${1:-build}
top=$(pwd)
# The tool chain is kept once per machine, outside the work tree, so that a fresh clone (CI),
# a second checkout or `make clean` does not rebuild it (about 20 minutes on 2 cores);
# build/web-toolchain is a link to it. SMTPSIM_WEB_CACHE chooses another place.
tc=${SMTPSIM_WEB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smtpsim/web-toolchain-1}
mkdir -p "$tc" "$top/build"
if [ ! -L "$top/build/web-toolchain" ]; then
    rm -rf "$top/build/web-toolchain"
    ln -s "$tc" "$top/build/web-toolchain"
fi
src=$tc/src
prefix=$tc/prefix
jobs=$(nproc 2>/dev/null || echo 2)

pkgs="emscripten cmake dpkg-dev python3"
[ "$what" = test ] && pkgs="$pkgs chromium"
need_node=0
[ "$what" = test ] && { command -v node >/dev/null && command -v npm >/dev/null || need_node=1; }

# --- Debian packages ---------------------------------------------------------------------------
missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ $need_node = 1 ] && missing="$missing nodejs npm"
if [ -n "$missing" ]; then
    echo "smtpsim web: installing missing Debian packages:$missing" >&2
    if [ "$(id -u)" -ne 0 ]; then
        echo "smtpsim web: not root; please run:" >&2
        echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# --- emscripten with a writable config and cache ---------------------------------------------
mkdir -p "$tc"
if [ ! -f "$tc/emscripten.config" ]; then
    rm -rf "$tc/cache"
    cp -r /usr/share/emscripten/cache "$tc/cache"
    sed 's/^FROZEN_CACHE *=.*/FROZEN_CACHE = False/' /usr/share/emscripten/.emscripten \
        > "$tc/emscripten.config.tmp"
    printf "\nCACHE = '%s'\n" "$tc/cache" >> "$tc/emscripten.config.tmp"
    mv "$tc/emscripten.config.tmp" "$tc/emscripten.config"
fi
# the cache line names this tool chain's own place, wherever it was first made
if ! grep -qxF "CACHE = '$tc/cache'" "$tc/emscripten.config"; then
    sed -i "s|^CACHE = .*|CACHE = '$tc/cache'|" "$tc/emscripten.config"
fi
EM_CONFIG=$tc/emscripten.config
export EM_CONFIG

# --- Debian source packages ------------------------------------------------------------------
# fetch NAME DIRGLOB - unpack `apt-get source NAME` under build/web-toolchain/src once.
fetch() {
    if ls -d "$src"/$2 >/dev/null 2>&1; then
        return 0
    fi
    if ! apt-get source --print-uris "$1" >/dev/null 2>&1 ||
        [ -z "$(apt-get source --print-uris "$1" 2>/dev/null | grep "^'")" ]; then
        add_deb_src
    fi
    mkdir -p "$src"
    (cd "$src" && apt-get source -qq "$1" >/dev/null 2>&1) || {
        echo "smtpsim web: apt-get source $1 failed" >&2
        exit 1
    }
}

# add_deb_src - a deb-src twin of the Debian entry this machine already uses.
add_deb_src() {
    f=/etc/apt/sources.list.d/smtpsim-deb-src.sources
    [ -f "$f" ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "smtpsim web: source packages need a deb-src entry; as root, run this script" >&2
        exit 1
    fi
    uri=$(sed -n 's/^URIs: *\(.*debian\/*\)$/\1/p' /etc/apt/sources.list.d/debian.sources \
        2>/dev/null | head -n 1)
    [ -n "$uri" ] || uri=http://deb.debian.org/debian
    printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\n' "$uri" > "$f.tmp"
    printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >> "$f.tmp"
    mv "$f.tmp" "$f"
    apt-get update -qq >/dev/null
}

fetch libsdl2 'libsdl2-2.*'
fetch freetype 'freetype-2.*'
fetch harfbuzz 'harfbuzz-*'
fetch libsdl2-ttf 'libsdl2-ttf-2.*'
fetch libsdl2-image 'libsdl2-image-2.*'
fetch cjson 'cjson-1.*'
sdl_src=$(ls -d "$src"/libsdl2-2.* | head -n 1)
ft_src=$(ls -d "$src"/freetype-2.* | head -n 1)
hb_src=$(ls -d "$src"/harfbuzz-* | head -n 1)
ttf_src=$(ls -d "$src"/libsdl2-ttf-2.* | head -n 1)
img_src=$(ls -d "$src"/libsdl2-image-2.* | head -n 1)
cjson_src=$(ls -d "$src"/cjson-1.* | head -n 1)

# --- the libraries, each with its own CMake under emcmake ------------------------------------
# cmake_lib NAME SRC ARGS... - configure, build and install into the prefix unless stamped.
cmake_lib() {
    name=$1
    dir=$2
    shift 2
    [ -f "$tc/stamp-$name" ] && return 0
    echo "smtpsim web: building $name for wasm (once; cached in build/web-toolchain)" >&2
    b=$tc/obj-$name
    mkdir -p "$b"
    t0=$(date +%s)
    (cd "$b" && emcmake cmake "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
        -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_ROOT_PATH="$prefix" "$@" > "$b/configure.log" 2>&1 &&
        emmake make -j"$jobs" install > "$b/make.log" 2>&1) || {
        echo "smtpsim web: $name failed; see $b/configure.log and $b/make.log" >&2
        exit 1
    }
    echo "smtpsim web: $name built in $(($(date +%s) - t0)) s" >&2
    touch "$tc/stamp-$name"
}

cmake_lib sdl2 "$sdl_src" -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF
cmake_lib freetype "$ft_src" -DBUILD_SHARED_LIBS=OFF -DFT_DISABLE_ZLIB=ON -DFT_DISABLE_BZIP2=ON \
    -DFT_DISABLE_PNG=ON -DFT_DISABLE_HARFBUZZ=ON -DFT_DISABLE_BROTLI=ON
# harfbuzz: Debian's SDL2_ttf shapes text with it, and glyph positions differ without it, so
# the page would not draw the same pixels as the native program
cmake_lib harfbuzz "$hb_src" -DBUILD_SHARED_LIBS=OFF -DHB_HAVE_FREETYPE=ON -DHB_BUILD_SUBSET=OFF \
    -DHB_BUILD_TESTS=OFF -DHB_HAVE_GLIB=OFF -DHB_HAVE_ICU=OFF -DHB_HAVE_GOBJECT=OFF
cmake_lib sdl2_ttf_hb "$ttf_src" -DBUILD_SHARED_LIBS=OFF -DSDL2TTF_SAMPLES=OFF \
    -DSDL2TTF_VENDORED=OFF -DSDL2TTF_HARFBUZZ=ON -DSDL2_DIR="$prefix/lib/cmake/SDL2" \
    -Dfreetype_DIR="$prefix/lib/cmake/freetype" -Dharfbuzz_DIR="$prefix/lib/cmake/harfbuzz"
# SDL2_image only writes the PNGs (screenshots): its bundled stb and miniz, no other format
cmake_lib sdl2_image "$img_src" -DBUILD_SHARED_LIBS=OFF -DSDL2IMAGE_SAMPLES=OFF \
    -DSDL2IMAGE_VENDORED=OFF -DSDL2IMAGE_BACKEND_STB=ON -DSDL2IMAGE_DEPS_SHARED=OFF \
    -DSDL2IMAGE_AVIF=OFF -DSDL2IMAGE_BMP=OFF -DSDL2IMAGE_GIF=OFF -DSDL2IMAGE_JPG=OFF \
    -DSDL2IMAGE_JXL=OFF -DSDL2IMAGE_LBM=OFF -DSDL2IMAGE_PCX=OFF -DSDL2IMAGE_PNM=OFF \
    -DSDL2IMAGE_QOI=OFF -DSDL2IMAGE_SVG=OFF -DSDL2IMAGE_TGA=OFF -DSDL2IMAGE_TIF=OFF \
    -DSDL2IMAGE_WEBP=OFF -DSDL2IMAGE_XCF=OFF -DSDL2IMAGE_XPM=OFF -DSDL2IMAGE_XV=OFF \
    -DSDL2IMAGE_PNG=ON -DSDL2IMAGE_PNG_SAVE=ON -DSDL2_DIR="$prefix/lib/cmake/SDL2"
cmake_lib cjson "$cjson_src" -DBUILD_SHARED_LIBS=OFF -DENABLE_CJSON_TEST=OFF -DENABLE_CJSON_UTILS=OFF \
    -DENABLE_CUSTOM_COMPILER_FLAGS=OFF -DENABLE_TARGET_EXPORT=OFF

# --- the browser tests: puppeteer-core drives Debian's chromium ------------------------------
if [ "$what" = test ] && [ ! -d "$tc/node/node_modules/puppeteer-core" ]; then
    mkdir -p "$tc/node"
    (cd "$tc/node" && [ -f package.json ] || echo '{"private":true}' > package.json
     cd "$tc/node" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --silent \
        puppeteer-core@22 >/dev/null 2>&1) || {
        echo "smtpsim web: npm install puppeteer-core failed" >&2
        exit 1
    }
fi
exit 0
