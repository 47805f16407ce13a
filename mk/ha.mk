# ha.mk - resilience checks; neither is part of `make test`.
#   make ha-test [HA_ARGS="--duration 15 --kill-at 5 --restart-at 8"]
#       two verbatimd replicas behind nginx (build/ha/nginx.conf), wrk through
#       nginx, kill -9 one replica mid-load, restart it on the same database:
#       0 failed requests, and the restarted replica takes traffic again
#       (tests/ha/test_replicas.py; report in build/ha/report.txt). Needs
#       nginx and wrk (apt-get install nginx wrk).
#   make soak [SOAK_SECONDS=600] [SOAK_ARGS="--threads 6"]
#       one verbatimd on a generated corpus of 2,000 articles under a mixed
#       load (lists, details, search, speakers, invalid requests; gzip or
#       not; keep-alive); RSS and open fds sampled every 10 s must stay within
#       5% of their value after the warm-up, and no 5xx (tests/soak/soak.py;
#       report in build/soak/report.txt).
SOAK_SECONDS ?= 600
SOAK_ARGS ?=
HA_ARGS ?=

.PHONY: ha-test soak
ha-test: $(BUILD)/verbatimd
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { echo "ha-test: nginx not found (apt-get install -y nginx)" >&2; exit 1; }
	@command -v wrk >/dev/null 2>&1 || { echo "ha-test: wrk not found (apt-get install -y wrk)" >&2; exit 1; }
	/usr/bin/python3 tests/ha/test_replicas.py --bin $(BUILD)/verbatimd --out $(BUILD)/ha $(HA_ARGS)

soak: $(BUILD)/verbatimd
	/usr/bin/python3 tests/soak/soak.py --bin $(BUILD)/verbatimd --out $(BUILD)/soak --seconds $(SOAK_SECONDS) $(SOAK_ARGS)
