# SPDX-License-Identifier: ISC
# nudged: build, test, install.
#
#   make            optimised build (-O2 -g) of ./nudged
#   make check      ASan+UBSan build with -Werror, then every unit and integration test
#   make crash      kill -9 during answers, 14 rounds of 5,000 (the short form is in check)
#   make diskfull   a full disk, 10 times filled and freed (root; short form in check)
#   make hostile-long  the hostile HTTP suite's long flood: 4,300 connections, a minute
#   make run        the demo: nudged serve -c config/demo.json
#   make bench      the benchmarks under bench/
#   make install    PREFIX=/usr/local DESTDIR= (binary, unit, man pages, prompt
#                   bank, completion, docs; the config only if there is none yet)
#   make install-files  the same from an existing build (INSTALL_BIN=nudged)
#   make uninstall  removes what install put there, except /etc/nudged
#   make clean
#
# Every target first installs the missing Debian packages it needs (see
# `deps`), so a fresh Debian 12 machine needs nothing typed beforehand. Only
# `check` and `bench` pull in test tools (browser, web server, load generator).

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/nudged
DOCDIR     ?= $(PREFIX)/share/doc/nudged
MANDIR     ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system

# Debian packages to build and run nudged (make, make run, make install).
BUILD_DEBS := gcc make pkg-config libc6-dev libcurl4-openssl-dev libevent-dev \
        libcjson-dev libsqlite3-dev libssl-dev libsystemd-dev tzdata curl
# Added for the tests (make check): unit tests, the dashboard's screenshot,
# the unit's rating, manuals, schema, the proxy test, the sandbox test,
# promtool for GET /metrics.
CHECK_DEBS := libcmocka-dev chromium systemd man-db python3-jsonschema \
        nginx-light openssl libseccomp-dev bash-completion prometheus
# Added for the benchmarks (make bench).
BENCH_DEBS := libcmocka-dev wrk apprise
PKGS := libcurl libevent_core libevent_extra libcjson sqlite3 libcrypto libsystemd

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wvla -Wpointer-arith -Wwrite-strings -Wundef \
        -Wimplicit-fallthrough -Wnull-dereference -Wcast-align
BASE_CFLAGS = -std=c17 -D_GNU_SOURCE -DNUDGED_VERSION='"$(VERSION)"' \
        -DNUDGED_DATADIR='"$(DATADIR)"' -DNUDGED_SYSCONFDIR='"$(SYSCONFDIR)"' \
        -Idaemon $(WARN) -MMD -MP $(shell pkg-config --cflags $(PKGS))
LIBS = $(shell pkg-config --libs $(PKGS)) -lm

# Two build flavours side by side: release (./nudged) and check (sanitizers).
MODE ?= release
ifeq ($(MODE),check)
MODE_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer -Werror
MODE_LDFLAGS := -fsanitize=address,undefined
else
MODE_CFLAGS := -O2 -g
MODE_LDFLAGS :=
endif
CFLAGS  ?=
LDFLAGS ?=
ALL_CFLAGS  = $(BASE_CFLAGS) $(MODE_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(MODE_LDFLAGS) $(LDFLAGS)

B        := build/$(MODE)
SRCS     := $(wildcard daemon/*.c daemon/chat/*.c)
LIB_SRCS := $(filter-out daemon/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
SUPPORT_SRCS := $(wildcard tests/support/*.c)
SUPPORT_OBJS := $(SUPPORT_SRCS:%.c=$(B)/%.o)
TEST_SRCS := $(wildcard tests/test_*.c tests/it_*.c)
TEST_BINS := $(TEST_SRCS:%.c=$(B)/%)
BENCH_SUPPORT_OBJS := $(B)/bench/bench_support.o
BENCH_SRCS := $(filter-out bench/bench_support.c,$(wildcard bench/*.c))
BENCH_BINS := $(BENCH_SRCS:%.c=$(B)/%)

.PHONY: all deps check-deps bench-deps check crash diskfull hostile-long run \
        bench install install-files uninstall clean build tests benches
.DEFAULT_GOAL := all

all: deps
	@$(MAKE) --no-print-directory build

build: nudged

# The optimised binary at the top of the tree.
nudged: $(B)/nudged
	cp $< $@

$(B)/nudged: $(B)/daemon/main.o $(B)/libnudged.a
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(B)/libnudged.a: $(LIB_OBJS)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

# Quiet by default; `make V=1` shows the full commands.
Q := $(if $(V),,@)

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/%.o $(B)/bench/%.o: ALL_CFLAGS += -Itests/support

# test_schema sees every list of keys the config parser checks against.
$(B)/tests/test_schema: ALL_LDFLAGS += -Wl,--wrap=jsonc_check_keys
# test_db runs on PostgreSQL too (NUDGED_TEST_PG) once the build has its engine.
$(B)/tests/test_db.o: ALL_CFLAGS += $(if $(wildcard daemon/db_pg.c),-DNUDGED_HAVE_DB_PG)
# it_hardened applies the unit's seccomp filter itself.
$(B)/tests/it_hardened: LIBS += -lseccomp

$(B)/tests/%: $(B)/tests/%.o $(SUPPORT_OBJS) $(B)/libnudged.a
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(shell pkg-config --libs cmocka)

$(B)/bench/%: $(B)/bench/%.o $(BENCH_SUPPORT_OBJS) $(SUPPORT_OBJS) $(B)/libnudged.a
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(shell pkg-config --libs cmocka)

# Keep objects between runs; they are not throwaway intermediates.
.SECONDARY:

tests: $(B)/nudged $(TEST_BINS)
benches: $(B)/nudged $(BENCH_BINS)

# Install any missing Debian package of $(1) (as root), or say exactly what to run.
define deps_install
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "$(2) needs these Debian packages; as root, run:"; \
	    echo "  apt-get update && apt-get install -y$$missing"; exit 1; \
	  fi; \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing; \
	fi
endef

deps:
	$(call deps_install,$(BUILD_DEBS),nudged)

check-deps: deps
	$(call deps_install,$(CHECK_DEBS),make check)

bench-deps: deps
	$(call deps_install,$(BENCH_DEBS),make bench)

# The sanitizer build uses every core unless make was given its own -j.
JOBS := $(if $(findstring j,$(filter-out --%,$(MAKEFLAGS))),,-j$(shell nproc))

check: check-deps
	@$(MAKE) --no-print-directory $(JOBS) MODE=check tests
	@NUDGED_BIN=$(CURDIR)/build/check/nudged sh tests/run.sh build/check/tests

# The long fault suites: kill -9 during a load of signed answers, over many
# rounds; a full disk on a small tmpfs (as root), filled and freed again.
crash: deps
	@$(MAKE) --no-print-directory MODE=check tests
	@NUDGED_BIN=$(CURDIR)/build/check/nudged NUDGED_CRASH_ROUNDS=14 \
	  NUDGED_CRASH_ACKS=5000 build/check/tests/it_crash

diskfull: deps
	@$(MAKE) --no-print-directory MODE=check tests
	@NUDGED_BIN=$(CURDIR)/build/check/nudged NUDGED_DISKFULL_ROUNDS=10 \
	  build/check/tests/it_diskfull

# The descriptor flood at the size that made nudged spin: the daemon at
# LimitNOFILE=1024 under 4,300 idle connections for a minute.
hostile-long: deps
	@$(MAKE) --no-print-directory MODE=check tests
	@HOSTILE_LONG=1 NUDGED_BIN=$(CURDIR)/build/check/nudged \
	    timeout -k 5 600 build/check/tests/it_hostile_http

run: all
	mkdir -p var
	./nudged serve -c config/demo.json

bench: bench-deps
	@$(MAKE) --no-print-directory MODE=release benches
	@sh bench/run.sh build/release

# The config is the admin's: an existing one is never replaced. Its mode is
# 0644 because the unit's DynamicUser= account must read it and secrets never
# live in it (they come from credentials). The example names the installed
# prompt bank, so "prompts" points at $(DATADIR)/prompts.
install: all
	@$(MAKE) --no-print-directory install-files

# The files alone, from INSTALL_BIN (tests install their sanitizer build).
INSTALL_BIN ?= nudged
install-files:
	install -D -m 0755 $(INSTALL_BIN) $(DESTDIR)$(BINDIR)/nudged
	install -d $(DESTDIR)$(SYSCONFDIR)/nudged $(B)
	sed -e 's|/usr/local/share/nudged|$(DATADIR)|g' config/nudged.json \
	    > $(B)/nudged.json.dist
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/nudged/nudged.json ]; then \
	  install -m 0644 $(B)/nudged.json.dist \
	    $(DESTDIR)$(SYSCONFDIR)/nudged/nudged.json.dist; \
	  echo "kept $(SYSCONFDIR)/nudged/nudged.json; the new example is" \
	    "$(SYSCONFDIR)/nudged/nudged.json.dist"; \
	else \
	  install -m 0644 $(B)/nudged.json.dist \
	    $(DESTDIR)$(SYSCONFDIR)/nudged/nudged.json; \
	fi
	cd prompts && find . -type d -exec install -d \
	    '$(DESTDIR)$(DATADIR)/prompts/{}' \;
	cd prompts && find . -type f \( -name '*.json' -o -name '*.md' \) \
	    -exec install -m 0644 '{}' '$(DESTDIR)$(DATADIR)/prompts/{}' \;
	install -d $(DESTDIR)$(DOCDIR)/examples
	install -m 0644 README.md LICENSE $(DESTDIR)$(DOCDIR)/
	install -m 0644 config/nudged.json config/demo.json \
	    config/slack-app-manifest.json config/nudged.schema.json \
	    config/nginx.conf config/Caddyfile $(DESTDIR)$(DOCDIR)/examples/
	for page in nudged.8 nudged.json.5; do \
	  sed -e 's|/usr/local/share/nudged|$(DATADIR)|g' \
	      -e 's|/usr/local/share/doc/nudged|$(DOCDIR)|g' man/$$page > $(B)/$$page && \
	  install -D -m 0644 $(B)/$$page \
	    $(DESTDIR)$(MANDIR)/man$${page##*.}/$$page || exit 1; \
	done
	install -D -m 0644 completions/nudged $(DESTDIR)$(COMPLETIONDIR)/nudged
	sed -e 's|/usr/local/bin/nudged|$(BINDIR)/nudged|g' \
	    -e 's|/etc/nudged/|$(SYSCONFDIR)/nudged/|g' systemd/nudged.service \
	    > $(B)/nudged.service
	install -D -m 0644 $(B)/nudged.service $(DESTDIR)$(UNITDIR)/nudged.service

# Everything install put there but the config folder, which holds the
# admin's edits.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nudged $(DESTDIR)$(UNITDIR)/nudged.service \
	    $(DESTDIR)$(MANDIR)/man8/nudged.8 $(DESTDIR)$(MANDIR)/man5/nudged.json.5 \
	    $(DESTDIR)$(COMPLETIONDIR)/nudged
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
	@echo "kept $(SYSCONFDIR)/nudged (your config) and /var/lib/nudged (the answers)"

clean:
	rm -rf build nudged

-include $(shell find build -name '*.d' 2>/dev/null)

# Fuzzing: one libFuzzer harness per parser (tests/fuzz/fuzz_NAME.c), built
# with clang, ASan and UBSan against every daemon source but main.c, in
# build/fuzz/. See tests/fuzz/README.md.
#
#   make fuzz                       each harness for FUZZ_SECONDS (60) over its corpus
#   make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS="cron tz"
#   make fuzz FUZZ_SECONDS=0        replay the corpora once, as a regression run
#
# Seeds are read from tests/fuzz/corpus/NAME; what the fuzzer finds new goes to
# build/fuzz/corpus/NAME, a crashing input to build/fuzz/artifacts/NAME-*.
FUZZ_DEBS    := clang libclang-rt-14-dev
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= config cron tz bank timefmt sig
FUZZ_FLAGS   ?= -timeout=10
FB           := build/fuzz
FUZZ_CFLAGS   = $(BASE_CFLAGS) -g -O1 -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJS    := $(LIB_SRCS:%.c=$(FB)/%.o)
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FB)/fuzz_%)

.PHONY: fuzz fuzz-deps fuzz-build

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FB)/corpus/$$t $(FB)/artifacts; \
	  dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
	  if [ "$(FUZZ_SECONDS)" = 0 ]; then \
	    echo "== fuzz_$$t: replaying its corpus"; \
	    $(FB)/fuzz_$$t -runs=0 $(FUZZ_FLAGS) $$dict tests/fuzz/corpus/$$t \
	      $(FB)/corpus/$$t || exit 1; \
	  else \
	    echo "== fuzz_$$t: $(FUZZ_SECONDS) s"; \
	    $(FB)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	      -artifact_prefix=$(FB)/artifacts/$$t- $(FUZZ_FLAGS) $$dict \
	      $(FB)/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	  fi; \
	done

fuzz-build: $(FUZZ_BINS)

# clang, the fuzzer and sanitizer runtimes (as root), or the exact apt-get line.
fuzz-deps:
	$(call deps_install,$(FUZZ_DEBS),make fuzz)

$(FB)/daemon/%.o: daemon/%.c
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $< (fuzz)")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -fsanitize=fuzzer -o $@ $< \
	  $(FUZZ_OBJS) $(LIBS)
