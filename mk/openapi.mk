# OpenAPI document (docs/openapi.json): lint it with Redocly CLI.
#   make openapi-lint   install Node.js/npm when missing (tests/openapi/deps.sh)
#                       and the pinned @redocly/cli into build/openapi-node
#                       (npm ci, again only when tests/openapi/package*.json
#                       change), then lint with tests/openapi/redocly.yaml:
#                       the recommended rules, every one an error.
# Part of `make test`. Every response of the API tests is also checked against
# the document (tests/api/openapi_check.py).
OPENAPI_NODE := $(BUILD)/openapi-node
OPENAPI_STAMP := $(OPENAPI_NODE)/node_modules/.verbatim-installed
OPENAPI_DOC := docs/openapi.json
# No telemetry, no update check: the lint reads the document and nothing else.
OPENAPI_ENV := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1

.PHONY: openapi-lint openapi-deps

openapi-deps: $(OPENAPI_STAMP)

# npm ci installs exactly what tests/openapi/package-lock.json pins.
$(OPENAPI_STAMP): tests/openapi/package.json tests/openapi/package-lock.json
	@sh tests/openapi/deps.sh
	@rm -rf $(OPENAPI_NODE) && mkdir -p $(OPENAPI_NODE)
	cp tests/openapi/package.json tests/openapi/package-lock.json $(OPENAPI_NODE)/
	cd $(OPENAPI_NODE) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

openapi-lint: $(OPENAPI_STAMP)
	@sh tests/openapi/deps.sh
	$(OPENAPI_ENV) $(OPENAPI_NODE)/node_modules/.bin/redocly lint --config tests/openapi/redocly.yaml \
		--format stylish $(OPENAPI_DOC)

EXTRA_TEST_STEPS += openapi-lint
