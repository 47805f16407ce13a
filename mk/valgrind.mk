# valgrind.mk - the API tests (tests/api) on verbatimd under valgrind memcheck.
#   make valgrind [VALGRIND_ARGS="-k ingest"] [VALGRIND_EXTRA=--track-origins=yes]
#       fails on a failed test, or unless every verbatimd has 0 errors and 0 bytes definitely lost.

# How: VERBATIM_BIN is tests/valgrind/verbatimd-under-valgrind.sh, which execs
# valgrind on $(BUILD)/verbatimd with one log per process; the servers are
# stopped with SIGTERM (tests/api/conftest.py), so memcheck writes its leak
# report; tests/valgrind/check-logs.py then reads every log and gives the
# verdict. Under valgrind verbatimd runs 20-50x slower: the wait for
# readiness and for the exit after SIGTERM are longer (VALGRIND_START_TIMEOUT,
# VALGRIND_STOP_TIMEOUT seconds), and VERBATIM_UNDER_VALGRIND=1 is there for
# a test that cannot hold under valgrind (one that measures time) to skip
# itself with its reason (-rs lists skips); none does at present. Needs
# valgrind (apt-get install valgrind). No suppression file (see the wrapper).
VALGRIND_ARGS ?=
VALGRIND_EXTRA ?=
VALGRIND_START_TIMEOUT ?= 180
VALGRIND_STOP_TIMEOUT ?= 120
VALGRIND_LOGS := $(BUILD)/valgrind

.PHONY: valgrind
valgrind: $(BUILD)/verbatimd
	@command -v valgrind >/dev/null 2>&1 || { echo "valgrind: not found (apt-get install -y valgrind)" >&2; exit 1; }
	@rm -rf $(VALGRIND_LOGS) && mkdir -p $(VALGRIND_LOGS)
	@start=$$(date +%s); \
	VERBATIM_BIN=$(CURDIR)/tests/valgrind/verbatimd-under-valgrind.sh \
	VALGRIND_VERBATIMD=$(CURDIR)/$(BUILD)/verbatimd VALGRIND_LOG_DIR=$(CURDIR)/$(VALGRIND_LOGS) \
	VALGRIND_EXTRA="$(VALGRIND_EXTRA)" VERBATIM_UNDER_VALGRIND=1 \
	VERBATIM_START_TIMEOUT=$(VALGRIND_START_TIMEOUT) VERBATIM_STOP_TIMEOUT=$(VALGRIND_STOP_TIMEOUT) \
		/usr/bin/python3 -m pytest -q -rs tests/api $(VALGRIND_ARGS); tests=$$?; \
	/usr/bin/python3 tests/valgrind/check-logs.py $(VALGRIND_LOGS); logs=$$?; \
	echo "valgrind: $$(( $$(date +%s) - start )) s; tests exit $$tests, logs exit $$logs"; \
	test $$tests -eq 0 && test $$logs -eq 0
