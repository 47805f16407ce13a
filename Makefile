# verbatim - who said what, served fast.
#   make            build build/verbatimd
#   make run        install what is missing, build, serve db/articles on 127.0.0.1:8080
#   make test       install what is missing, build, run every test
#   make sanitize   the test suite on an ASan+UBSan build
#   make accuracy GOLD=DIR [V=1]   score extraction against gold files
CC ?= cc
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=
BUILD ?= build
PKGS := libmicrohttpd jansson sqlite3 zlib

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
# The extractor compares words with short literals (strcmp(fold, "selon")) on
# every token: gcc inlines such comparisons up to 3 bytes unless told more.
OPT ?= -O3 -g --param=builtin-string-cmp-inline-length=8
ALL_CFLAGS := -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(OPT) $(WARN) $(HARDEN) -Iinclude \
	-DVB_SOURCE_DIR='"$(CURDIR)"' $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := -pie -Wl,-z,relro,-z,now $(LDFLAGS)
LIBS := $(PKG_LIBS) -lpthread -lm

# The articles the PGO build trains on: the bundled corpus and the
# extractor's cases (French and English, every attribution construction).
PGO ?= 1
PGO_TRAIN := $(wildcard db/articles/*.txt tests/extract/cases/*/input.txt)
ifeq ($(PGO_TRAIN),)
PGO := 0
endif
ifeq ($(PGO),1)
PGO_PROFILE := $(BUILD)/pgo/trained
PGO_CFLAGS := -fprofile-use -fprofile-partial-training -Wno-missing-profile
else ifeq ($(PGO),generate)
PGO_CFLAGS := -fprofile-generate -fprofile-update=single
endif

SRC := $(wildcard server/*.c)
OBJ := $(SRC:server/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/embed.o
PGO_OBJ := $(SRC:server/%.c=$(BUILD)/obj/%.o)
LIB_OBJ := $(filter-out $(BUILD)/obj/main.o,$(OBJ))

.PHONY: all run test unit api extract-cases accuracy accuracy-check sanitize deps clean install uninstall format
all: $(BUILD)/verbatimd

deps:
	@sh tools/deps.sh build

$(BUILD)/obj/%.o: server/%.c $(PGO_PROFILE) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) $(PGO_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/embed.o: server/embed.S db/schema.sql docs/openapi.json | $(BUILD)/obj
	$(CC) -c -I. $< -o $@

$(BUILD)/verbatimd: $(OBJ)
	$(CC) $(ALL_LDFLAGS) $^ -o $@ $(LIBS)

# Profile-guided optimisation (PGO=1, the default): the objects are first
# built instrumented, in their own paths (gcc finds a static function's
# profile by the object's path), that binary extracts the training articles,
# and the objects are built again from the counts it wrote beside them.
# Code the training does not run (the server) is optimised as without PGO.
# PGO=0 builds once, as the sanitizer and fuzz builds do.
$(BUILD)/pgo/trained: $(SRC) $(wildcard include/verbatim/*.h) server/embed.S db/schema.sql docs/openapi.json \
		$(PGO_TRAIN) Makefile
	@mkdir -p $(BUILD)/pgo
	rm -f $(PGO_OBJ) $(BUILD)/obj/*.gcda
	@$(MAKE) --no-print-directory PGO=generate $(BUILD)/pgo/verbatimd
	$(BUILD)/pgo/verbatimd extract $(PGO_TRAIN) > /dev/null
	rm -f $(PGO_OBJ)
	@touch $@

$(BUILD)/pgo/verbatimd: $(OBJ)
	$(CC) $(ALL_LDFLAGS) -fprofile-generate $^ -o $@ $(LIBS)

$(BUILD)/obj:
	@mkdir -p $@

# ---- tests -------------------------------------------------------------
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(BUILD)/tests
	$(CC) $(ALL_CFLAGS) $< $(LIB_OBJ) -o $@ $(ALL_LDFLAGS) $(LIBS) -lcmocka

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; $$t; done

api: $(BUILD)/verbatimd
	VERBATIM_BIN=$(CURDIR)/$(BUILD)/verbatimd /usr/bin/python3 -m pytest -q tests/api

# The extractor's data-driven cases and the scorer's own tests.
extract-cases: $(BUILD)/verbatimd
	VERBATIM_BIN=$(CURDIR)/$(BUILD)/verbatimd /usr/bin/python3 -m pytest -q tests/extract tests/accuracy

GOLD ?= tests/gold/seeds
accuracy: $(BUILD)/verbatimd
	@/usr/bin/python3 tests/accuracy/accuracy.py --bin $(BUILD)/verbatimd $(if $(V),--verbose) $(GOLD)

TEST_STEPS ?= unit api extract-cases accuracy-check $(EXTRA_TEST_STEPS)
test:
	@sh tools/deps.sh test
	@$(MAKE) --no-print-directory all
	@set -e; for step in $(TEST_STEPS); do echo "== make $$step"; $(MAKE) --no-print-directory $$step; done

accuracy-check: $(BUILD)/verbatimd
	@/usr/bin/python3 tests/accuracy/accuracy.py --bin $(BUILD)/verbatimd --check tests/gold/seeds
	@if [ -d ../shared/corpus/dev ]; then \
		/usr/bin/python3 tests/accuracy/accuracy.py --bin $(BUILD)/verbatimd --check ../shared/corpus/dev; \
	else echo "accuracy on ../shared/corpus/dev: skipped (no such folder here)"; fi

sanitize:
	@sh tools/deps.sh test
	@$(MAKE) --no-print-directory BUILD=build/sanitize PGO=0 OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" all unit api

run:
	@sh tools/deps.sh build
	@$(MAKE) --no-print-directory all
	@echo "verbatimd: serving db/articles; try: curl -s http://127.0.0.1:8080/v1/articles"
	$(BUILD)/verbatimd serve --articles db/articles --db $(BUILD)/verbatim.db --listen 127.0.0.1:8080

# make install [PREFIX=/usr/local] [DESTDIR=/staging]: the binary and its manual page.
install: $(BUILD)/verbatimd
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BUILD)/verbatimd $(DESTDIR)$(PREFIX)/bin/verbatimd
	install -m 0644 docs/verbatimd.1 $(DESTDIR)$(MANDIR)/man1/verbatimd.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/verbatimd $(DESTDIR)$(MANDIR)/man1/verbatimd.1

format:
	clang-format -i server/*.c include/verbatim/*.h

clean:
	rm -rf $(BUILD)

# Feature makefiles (bench, fuzz, web, container): each adds its own targets.
include $(sort $(wildcard mk/*.mk))

-include $(OBJ:.o=.d)
