# fuzz.mk - libFuzzer targets for every function that reads outside input.
#   make fuzz-build                 build/fuzz/fuzz_NAME (clang, libFuzzer, ASan, UBSan)
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="article query"] [FUZZ_KEEP_GOING=1]
#             [VB_FUZZ_KNOWN=problem-detail-utf8,excerpt-length]  (see tests/fuzz/fuzz.h)
#                                   run each target, minimise its corpus back into
#                                   tests/fuzz/corpus/NAME, save crashes, leaks,
#                                   timeouts and slow inputs in tests/fuzz/regressions/NAME
#   make fuzz-replay                every corpus and regression input once, through
#                                   the same targets built with gcc + ASan/UBSan and
#                                   tests/fuzz/replay.c as main (no clang needed)
# Targets: tests/fuzz/fuzz_NAME.c. Needs clang and libclang-rt-dev for fuzz-build.

FUZZ_ALL := article dates mojibake quotes query router
FUZZ_TARGETS ?= $(FUZZ_ALL)
FUZZ_SECONDS ?= 60
FUZZ_SLOW_MS ?= 100
FUZZ_KEEP_GOING ?= 0
VB_FUZZ_KNOWN ?=
FUZZ_CC ?= clang
REPLAY_CC ?= gcc

FUZZ_DIR := $(BUILD)/fuzz
REPLAY_DIR := $(BUILD)/fuzz-replay
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# The project's flags at -O1 -g, without _FORTIFY_SOURCE (its checked
# functions hide overflows from ASan).
FUZZ_CFLAGS := $(filter-out $(OPT) -D_FORTIFY_SOURCE=2,$(ALL_CFLAGS)) -U_FORTIFY_SOURCE -O1 -g
FUZZ_LIB_SRC := $(filter-out server/main.c,$(SRC))
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:server/%.c=$(FUZZ_DIR)/obj/%.o) $(FUZZ_DIR)/obj/embed.o
REPLAY_LIB_OBJ := $(FUZZ_LIB_SRC:server/%.c=$(REPLAY_DIR)/obj/%.o) $(REPLAY_DIR)/obj/embed.o
FUZZ_HDR := tests/fuzz/fuzz.h $(wildcard include/verbatim/*.h)

.PHONY: fuzz fuzz-build fuzz-replay fuzz-replay-build fuzz-clean

# ---- libFuzzer build (clang) ------------------------------------------------
$(FUZZ_DIR)/obj/%.o: server/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c $< -o $@

$(FUZZ_DIR)/obj/embed.o: server/embed.S db/schema.sql docs/openapi.json
	@mkdir -p $(@D)
	$(FUZZ_CC) -c -I. $< -o $@

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_HDR) $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) $< $(FUZZ_LIB_OBJ) -o $@ $(ALL_LDFLAGS) $(LIBS)

fuzz-build:
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "fuzz-build: $(FUZZ_CC) not found (apt-get install clang libclang-rt-dev)" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(FUZZ_ALL:%=$(FUZZ_DIR)/fuzz_%)

fuzz: fuzz-build
	@FUZZ_DIR=$(FUZZ_DIR) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SLOW_MS=$(FUZZ_SLOW_MS) \
		FUZZ_KEEP_GOING=$(FUZZ_KEEP_GOING) VB_FUZZ_KNOWN=$(VB_FUZZ_KNOWN) \
		sh tests/fuzz/run.sh $(FUZZ_TARGETS)

# ---- replay build (gcc, no libFuzzer) -------------------------------------
$(REPLAY_DIR)/obj/%.o: server/%.c
	@mkdir -p $(@D)
	$(REPLAY_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -MMD -MP -c $< -o $@

$(REPLAY_DIR)/obj/embed.o: server/embed.S db/schema.sql docs/openapi.json
	@mkdir -p $(@D)
	$(REPLAY_CC) -c -I. $< -o $@

$(REPLAY_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_HDR) $(REPLAY_LIB_OBJ)
	$(REPLAY_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) $< tests/fuzz/replay.c $(REPLAY_LIB_OBJ) -o $@ $(ALL_LDFLAGS) $(LIBS)

fuzz-replay-build: $(FUZZ_ALL:%=$(REPLAY_DIR)/fuzz_%)

fuzz-replay: fuzz-replay-build
	@status=0; for t in $(FUZZ_ALL); do \
		ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
			$(REPLAY_DIR)/fuzz_$$t tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t || status=1; \
	done; \
	if [ $$status -ne 0 ]; then echo "fuzz-replay: FAILED (see above)"; fi; exit $$status

fuzz-clean:
	rm -rf $(FUZZ_DIR) $(REPLAY_DIR)

-include $(FUZZ_LIB_OBJ:.o=.d) $(REPLAY_LIB_OBJ:.o=.d)

# The library objects are prerequisites of pattern rules only: keep them.
.SECONDARY: $(FUZZ_LIB_OBJ) $(REPLAY_LIB_OBJ)
EXTRA_TEST_STEPS += fuzz-replay
