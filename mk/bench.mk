# bench.mk - the performance benchmark suite (bench/README.md).
#   make bench                       full run: seed corpus vs nginx and a bare
#                                    libmicrohttpd ceiling; N = 1,000, 10,000,
#                                    100,000 generated articles; extraction
#   make bench BENCH_N=1000,10000 BENCH_ROUNDS=3 BENCH_DURATION=3s   a quick run
# Prints one table and writes it to $(BUILD)/bench/results.md. Timings are
# never part of `make test`.
BENCH_N ?= 1000,10000,100000
BENCH_ROUNDS ?= 5
BENCH_DURATION ?= 5s
BENCH_SEED ?= 42
BENCH_CONNECTIONS ?= 64
BENCH_OUT ?= $(BUILD)/bench

.PHONY: bench bench-build
bench:
	@sh tools/deps.sh build
	@sh bench/deps.sh
	@$(MAKE) --no-print-directory bench-build
	/usr/bin/python3 bench/run.py --bin $(BUILD)/verbatimd --ceiling $(BUILD)/bench/mhd_ceiling \
		--out $(BENCH_OUT) --n $(BENCH_N) --rounds $(BENCH_ROUNDS) --duration $(BENCH_DURATION) \
		--seed $(BENCH_SEED) --connections $(BENCH_CONNECTIONS)

bench-build: $(BUILD)/verbatimd $(BUILD)/bench/mhd_ceiling

$(BUILD)/bench/mhd_ceiling: bench/mhd_ceiling.c
	@mkdir -p $(BUILD)/bench
	$(CC) $(ALL_CFLAGS) $< -o $@ $(ALL_LDFLAGS) $(PKG_LIBS) -lpthread
