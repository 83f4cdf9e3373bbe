# smtpsim - build, run and test.
#
#   make          build build/smtpsim (installs missing Debian packages first)
#   make run      build and start the main job
#   make test     build everything with ASan+UBSan, run every test, print "N passed, N failed"
#   make bench    build and run the benchmarks under bench/
#   make fuzz     build every libFuzzer target and run each for FUZZ_SECONDS (default 600)
#   make web      build build/web/: the window as a static web page (Emscripten; the first run
#                 builds its libraries for wasm once, see scripts/web-deps.sh)
#
# Layout: sim/core/{smtp,world,teach,export,util} (libc + cJSON only), sim/net (sockets, TLS),
# sim/ui (SDL), sim/app (command line). Every directory is globbed, so adding a module
# needs no edit here. Package flags come from build/config.mk, which is generated after
# scripts/install-deps.sh has made sure the packages exist.

BUILD ?= build
CC ?= cc
SAN ?= 0

# -Wno-format-truncation: snprintf truncation is deliberate and checked where it matters, and
# gcc only diagnoses it at -O2, so the sanitized -O1 build and the release build would disagree.
# (Only passed to compilers that know the option: clang does not.)
WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla -D_POSIX_C_SOURCE=200809L
WARN += $(shell $(CC) -Werror -Wno-format-truncation -E -x c /dev/null >/dev/null 2>&1 && echo -Wno-format-truncation)
OPT := -O2 -g
ifeq ($(SAN),1)
OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

CONFIG := build/config.mk
-include $(CONFIG)

CFLAGS_ALL = $(WARN) $(OPT) -Isim $(CFLAGS) $(PKG_CFLAGS)
# Per-layer flags: core sees only cJSON and net only cJSON and OpenSSL, so an SDL include in
# core or net (or an OpenSSL include in core) fails the build instead of leaking a layer.
CFLAGS_CORE = $(WARN) $(OPT) -Isim $(CFLAGS) $(CORE_CFLAGS)
CFLAGS_NET = $(WARN) $(OPT) -Isim $(CFLAGS) $(NET_CFLAGS)
LDFLAGS_ALL = $(OPT) $(LDFLAGS)

CORE_SRC := $(wildcard sim/core/*/*.c)
NET_SRC := $(wildcard sim/net/*.c)
UI_SRC := $(wildcard sim/ui/*.c)
APP_SRC := $(wildcard sim/app/*.c)

CORE_OBJ := $(CORE_SRC:sim/%.c=$(BUILD)/obj/%.o)
NET_OBJ := $(NET_SRC:sim/%.c=$(BUILD)/obj/%.o)
UI_OBJ := $(UI_SRC:sim/%.c=$(BUILD)/obj/%.o)
APP_OBJ := $(APP_SRC:sim/%.c=$(BUILD)/obj/%.o)

CORE_LIB := $(BUILD)/libcore.a
NET_LIB := $(BUILD)/libnet.a
UI_LIB := $(BUILD)/libui.a

TEST_CORE_SRC := $(wildcard tests/core/*/test_*.c)
TEST_NET_SRC := $(wildcard tests/net/test_*.c)
TEST_UI_SRC := $(wildcard tests/ui/test_*.c)
TEST_BINS := $(TEST_CORE_SRC:tests/%.c=$(BUILD)/tests/%) $(TEST_NET_SRC:tests/%.c=$(BUILD)/tests/%) \
             $(TEST_UI_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all run test tests bench fuzz fuzz-build fuzz-build-check clean deps test-deps format \
        web web-page web-deps
.DELETE_ON_ERROR:

all: $(BUILD)/smtpsim

# --- packages and flags ---------------------------------------------------------------
$(CONFIG): scripts/install-deps.sh Makefile
	@mkdir -p build
	@sh scripts/install-deps.sh build
	@{ echo "PKG_CFLAGS := $$(pkg-config --cflags sdl2 SDL2_ttf SDL2_image libcjson openssl)"; \
	   echo "CORE_CFLAGS := $$(pkg-config --cflags libcjson)"; \
	   echo "NET_CFLAGS := $$(pkg-config --cflags libcjson openssl)"; \
	   echo "CORE_LIBS := $$(pkg-config --libs libcjson) -lm"; \
	   echo "NET_LIBS := $$(pkg-config --libs openssl)"; \
	   echo "UI_LIBS := $$(pkg-config --libs sdl2 SDL2_ttf SDL2_image)"; } > $@.tmp
	@mv $@.tmp $@

deps: $(CONFIG)

test-deps: $(CONFIG)
	@sh scripts/install-deps.sh test

# --- objects and libraries ------------------------------------------------------------
$(BUILD)/obj/core/%.o: sim/core/%.c | $(CONFIG)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_CORE) -MMD -MP -c $< -o $@

$(BUILD)/obj/net/%.o: sim/net/%.c | $(CONFIG)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_NET) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: sim/%.c | $(CONFIG)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(CORE_LIB): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(NET_LIB): $(NET_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(UI_LIB): $(UI_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/smtpsim: $(APP_OBJ) $(UI_LIB) $(NET_LIB) $(CORE_LIB)
	$(CC) $(LDFLAGS_ALL) -o $@ $(APP_OBJ) $(UI_LIB) $(NET_LIB) $(CORE_LIB) \
	    $(UI_LIBS) $(NET_LIBS) $(CORE_LIBS)

run: $(BUILD)/smtpsim
	./$(BUILD)/smtpsim

# --- tests ------------------------------------------------------------------------------
TEST_CFLAGS = $(CFLAGS_ALL) -Itests

$(BUILD)/tests/core/%: tests/core/%.c $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -MMD -MP -o $@ $< $(CORE_LIB) -lcmocka $(CORE_LIBS)

$(BUILD)/tests/net/%: tests/net/%.c $(NET_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -MMD -MP -o $@ $< $(NET_LIB) $(CORE_LIB) -lcmocka $(NET_LIBS) $(CORE_LIBS)

$(BUILD)/tests/ui/%: tests/ui/%.c $(UI_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -MMD -MP -o $@ $< $(UI_LIB) $(CORE_LIB) -lcmocka $(UI_LIBS) $(CORE_LIBS)

# the fuzz targets too: tests/integration/test_fuzz_brief.sh runs each on its seeds
tests: $(BUILD)/smtpsim $(TEST_BINS) fuzz-build

# The whole suite runs on the sanitized build; the runner prints the summary line.
NPROC := $(shell nproc 2>/dev/null || echo 2)

test: test-deps
	@$(MAKE) --no-print-directory -j$(NPROC) BUILD=build/asan SAN=1 tests
	@$(MAKE) --no-print-directory -j$(NPROC) BUILD=build all
	@$(MAKE) --no-print-directory fuzz-build-check
	@$(MAKE) --no-print-directory web WEB_DEPS=test
	@sh tests/run_tests.sh build/asan

# --- benchmarks ---------------------------------------------------------------------------
$(BUILD)/bench/%: bench/%.c $(NET_LIB) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -o $@ $< $(NET_LIB) $(CORE_LIB) $(NET_LIBS) $(CORE_LIBS)

bench: $(BENCH_BINS) $(BUILD)/smtpsim
	@for b in $(BENCH_BINS); do echo "== $$b"; ./$$b || exit 1; done
	sh bench/bench_imap.sh $(BUILD)/smtpsim

# --- fuzzing (clang libFuzzer) --------------------------------------------------------------
# Every tests/fuzz/fuzz_NAME.c is a target build/fuzz/fuzz_NAME with seeds in tests/fuzz/seeds/NAME.
# The core is compiled once more with clang's coverage instrumentation (build/fuzz/libcore.a).
# `make fuzz` runs each target for FUZZ_SECONDS, one after another (FUZZ_TARGET=NAME: only that
# one); new inputs go to build/fuzz/corpus/NAME, crashes to build/fuzz/artifacts/.
FUZZ_SECONDS ?= 600
FUZZ_TARGET ?=
FUZZ_DIR := build/fuzz
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_DIR)/%)
FUZZ_CORE_OBJ := $(CORE_SRC:sim/%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla \
              -D_POSIX_C_SOURCE=200809L -g -O1 -fno-omit-frame-pointer -Isim $(CORE_CFLAGS)
HAVE_CLANG := $(shell command -v clang 2>/dev/null)

$(FUZZ_DIR)/obj/%.o: sim/%.c | $(CONFIG)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c $< -o $@

$(FUZZ_DIR)/libcore.a: $(FUZZ_CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DIR)/libcore.a
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -Itests/fuzz -MMD -MP -o $@ $< \
	    $(FUZZ_DIR)/libcore.a $(CORE_LIBS)

fuzz-build: $(if $(HAVE_CLANG),$(FUZZ_BINS))

fuzz-build-check: test-deps
	@$(MAKE) --no-print-directory fuzz-build

fuzz: test-deps fuzz-build
	@sh tests/fuzz/run_fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGET)

# --- the web page (Emscripten) ---------------------------------------------------------------
# The same core and ui sources, with sim/web instead of sim/app and sim/net (no sockets in a
# browser). The tool chain lives in build/web-toolchain (scripts/web-deps.sh): Debian's emcc with
# a writable config, and the libraries built for wasm from Debian's source packages.
WEB_DEPS ?= build
WEB_OUT := build/web
WEB_TC := build/web-toolchain
WEB_PREFIX := $(WEB_TC)/prefix
# NODE_PATH: Debian packages emcc's node modules (acorn) there, where a node from elsewhere
# (nodesource) does not look.
WEB_CC = NODE_PATH=/usr/share/nodejs EM_CONFIG=$(abspath $(WEB_TC)/emscripten.config) emcc
WEB_CFLAGS = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla \
             -D_POSIX_C_SOURCE=200809L -O2 -Isim -I$(WEB_PREFIX)/include \
             -I$(WEB_PREFIX)/include/SDL2 -I$(WEB_PREFIX)/include/cjson
WEB_SRC := $(CORE_SRC) $(UI_SRC) $(wildcard sim/web/*.c)
WEB_OBJ := $(WEB_SRC:sim/%.c=build/web-obj/%.o)
WEB_LIBS := $(WEB_PREFIX)/lib/libSDL2_ttf.a $(WEB_PREFIX)/lib/libSDL2_image.a $(WEB_PREFIX)/lib/libharfbuzz.a \
            $(WEB_PREFIX)/lib/libfreetype.a $(WEB_PREFIX)/lib/libSDL2.a $(WEB_PREFIX)/lib/libcjson.a
WEB_DATA := $(wildcard lessons/*.json lessons/scenarios/*.json assets/fonts/*)
# MINIFY_HTML=0: Debian's emcc 3.1.6 calls htmlmin wrongly. ALLOW_MEMORY_GROWTH: a 4K canvas needs more than the default 16 MB. FS and IDBFS: the
# packaged data, the progress file in IndexedDB, and the page writing an uploaded file.
WEB_LDFLAGS = -O2 -sMINIFY_HTML=0 -sALLOW_MEMORY_GROWTH=1 -sFORCE_FILESYSTEM=1 -lidbfs.js \
              -sEXPORTED_RUNTIME_METHODS=ccall,FS --shell-file sim/web/shell.html \
              --preload-file lessons@/data/lessons --preload-file assets/fonts@/data/assets/fonts \
              --exclude-file '*.md'

web-deps:
	@sh scripts/web-deps.sh $(WEB_DEPS)

web: web-deps
	@$(MAKE) --no-print-directory web-page

web-page: $(WEB_OUT)/index.html

build/web-obj/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(WEB_CC) $(WEB_CFLAGS) -MMD -MP -c $< -o $@

$(WEB_OUT)/index.html: $(WEB_OBJ) $(WEB_DATA) sim/web/shell.html README.md
	@mkdir -p $(WEB_OUT)
	$(WEB_CC) $(WEB_OBJ) $(WEB_LIBS) $(WEB_LDFLAGS) -o $@
	cp README.md $(WEB_OUT)/README.md

format:
	clang-format -i $(CORE_SRC) $(NET_SRC) $(UI_SRC) $(APP_SRC) $(wildcard sim/*/*.h sim/core/*/*.h)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
-include $(shell find $(FUZZ_DIR) -name '*.d' 2>/dev/null)
-include $(shell find build/web-obj -name '*.d' 2>/dev/null)
