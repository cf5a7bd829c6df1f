# nudged: build, test, install.
#
#   make            optimised build (-O2 -g) of ./nudged
#   make check      ASan+UBSan build with -Werror, then every unit and integration test
#   make hostile-long  the hostile HTTP suite's long flood: 4,300 connections, a minute
#   make run        the demo: nudged serve -c config/demo.json
#   make bench      the benchmarks under bench/
#   make install    PREFIX=/usr/local DESTDIR= (binary, config, prompt bank, systemd unit)
#   make clean
#
# Every target first installs missing Debian packages (see `deps`), so a fresh
# Debian 12 machine needs nothing typed beforehand.

VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share/nudged
DOCDIR     ?= $(PREFIX)/share/doc/nudged
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system

# Debian packages nudged needs to build and test.
DEBS := gcc make pkg-config libc6-dev libcurl4-openssl-dev libevent-dev \
        libcjson-dev libsqlite3-dev libssl-dev libsystemd-dev libcmocka-dev \
        tzdata curl chromium wrk
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

.PHONY: all deps check hostile-long run bench install clean build tests benches
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

# Install any missing Debian package (as root), or say exactly what to run.
deps:
	@missing=""; for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "nudged needs these Debian packages; as root, run:"; \
	    echo "  apt-get update && apt-get install -y$$missing"; exit 1; \
	  fi; \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing; \
	fi

check: deps
	@$(MAKE) --no-print-directory MODE=check tests
	@NUDGED_BIN=$(CURDIR)/build/check/nudged sh tests/run.sh build/check/tests

# The descriptor flood at the size that made nudged spin: the daemon at
# LimitNOFILE=1024 under 4,300 idle connections for a minute.
hostile-long: deps
	@$(MAKE) --no-print-directory MODE=check tests
	@HOSTILE_LONG=1 NUDGED_BIN=$(CURDIR)/build/check/nudged \
	    timeout -k 5 600 build/check/tests/it_hostile_http

run: all
	mkdir -p var
	./nudged serve -c config/demo.json

bench: deps
	@$(MAKE) --no-print-directory MODE=release benches
	@sh bench/run.sh build/release

install: all
	install -D -m 0755 nudged $(DESTDIR)$(BINDIR)/nudged
	install -D -m 0640 config/nudged.json $(DESTDIR)$(SYSCONFDIR)/nudged/nudged.json
	install -d $(DESTDIR)$(DATADIR)/prompts
	install -m 0644 prompts/*.json $(DESTDIR)$(DATADIR)/prompts/
	install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
	    systemd/nudged.service > nudged.service.tmp
	install -D -m 0644 nudged.service.tmp $(DESTDIR)$(UNITDIR)/nudged.service
	rm -f nudged.service.tmp

clean:
	rm -rf build nudged nudged.service.tmp

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
	@missing=""; for p in $(FUZZ_DEBS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "make fuzz needs these Debian packages; as root, run:"; \
	    echo "  apt-get update && apt-get install -y$$missing"; exit 1; \
	  fi; \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing; \
	fi

$(FB)/daemon/%.o: daemon/%.c
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $< (fuzz)")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FB)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@mkdir -p $(@D)
	@$(if $(V),,echo "  LD      $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -fsanitize=fuzzer -o $@ $< \
	  $(FUZZ_OBJS) $(LIBS)
