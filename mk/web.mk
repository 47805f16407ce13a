# Web app (web/, served by verbatimd at /) and its browser tests.
#   make web-test   install Chromium (Debian) and the pinned npm packages, build,
#                   then run tests/web in headless Chromium; screenshots go to
#                   $(BUILD)/web-screenshots/
WEB_NODE := $(BUILD)/web-node
WEB_SHOTS := $(BUILD)/web-screenshots
WEB_STAMP := $(WEB_NODE)/node_modules/.verbatim-installed

.PHONY: web-test web-deps

web-deps: $(WEB_STAMP)
	@sh tests/web/deps.sh

# npm ci installs exactly what tests/web/package-lock.json pins, into $(WEB_NODE).
$(WEB_STAMP): tests/web/package.json tests/web/package-lock.json
	@sh tests/web/deps.sh
	@mkdir -p $(WEB_NODE)
	cp tests/web/package.json tests/web/package-lock.json $(WEB_NODE)/
	cd $(WEB_NODE) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web-test: web-deps $(BUILD)/verbatimd
	@mkdir -p $(WEB_SHOTS)
	VERBATIM_BIN=$(CURDIR)/$(BUILD)/verbatimd WEB_NODE_DIR=$(CURDIR)/$(WEB_NODE) WEB_SCREENSHOTS=$(CURDIR)/$(WEB_SHOTS) \
		node --test --test-reporter=spec --test-timeout=120000 tests/web/web.test.mjs
EXTRA_TEST_STEPS += web-test
