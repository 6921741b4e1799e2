# The two commands: `make dev` runs the platform locally; `make test` runs
# every test. See README.md.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV      := $(CURDIR)/.venv
WEB       := web
GO_FILES  := $(shell find functions infra shared -name '*.go' -not -name '*_test.go') go.mod go.sum
EMBEDDED  := shared/api/openapi/openapi.yaml
WEB_FILES := $(shell find $(WEB)/src $(WEB)/apps -type f) $(WEB)/vite.config.ts $(WEB)/package-lock.json
FUNCTIONS := catalog accounts passkeys admin notifier webhooks outbox provision-task panel-worker dunning-task mail-poll bandwidth-sync
# Stripe's API emulator, pinned; Go tests of the Stripe gateway run against it.
STRIPE_MOCK := bin/tools/stripe-mock
STRIPE_MOCK_VERSION := v0.203.0

.PHONY: help dev dev-reset invoke test test-go test-web test-e2e test-template test-workflows restore-drill cost soak bench web functions venv web-deps clean

# make soak runs this long (seconds); make test runs a short one.
SOAK_SECONDS ?= 600

help:
	@echo "make dev        run the whole platform on http://127.0.0.1:$${PORT:-8080} (seeded demo data)"
	@echo "make dev-reset  wipe the local data directory (.data)"
	@echo "make test       every test: Go (-race), web unit, browser e2e, template checks"
	@echo "make soak       drive the local stack as many customers while killing it (SOAK_SECONDS=600)"
	@echo "make bench      benchmarks: GET /v1/plans latency, binary sizes, cold starts"
	@echo "make invoke FN=<function> EVENT=events/<function>/<case>.json"
	@echo "                run one function's real handler with one event against DATA_DIR (.data)"

## ---- the two commands -------------------------------------------------------

dev: web bin/local
	./bin/local

dev-reset:
	rm -rf .data
	@echo "local data wiped; the next 'make dev' seeds fresh demo data"

test: test-go test-web test-e2e test-template test-workflows
	$(MAKE) --no-print-directory soak SOAK_SECONDS=90
	@echo "make test: all suites passed"

# One function, one event, in process, against the local data directory
# (stop make dev first: it holds the directory). RESOLVE=1 prints the event
# with its placeholders filled instead, for sam local invoke -e -.
invoke: bin/invoke
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=<function> EVENT=events/<function>/<case>.json [RESOLVE=1]"; exit 2; }
	@./bin/invoke $(if $(RESOLVE),-resolve) $(FN) $(EVENT)

bin/invoke: $(GO_FILES) $(EMBEDDED)
	go build -o $@ ./infra/invoke/cmd/invoke

## ---- pieces ------------------------------------------------------------------

bin/local: $(GO_FILES) $(EMBEDDED)
	go build -o $@ ./infra/local

web-deps: $(WEB)/node_modules/.installed
$(WEB)/node_modules/.installed: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

web: $(WEB)/dist/.built
$(WEB)/dist/.built: $(WEB)/node_modules/.installed $(WEB_FILES) $(EMBEDDED)
	@echo "building the web apps (site, account, admin)…"
	cd $(WEB) && npm run --silent build
	touch $@

venv: $(VENV)/.installed
$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(STRIPE_MOCK):
	GOBIN=$(CURDIR)/bin/tools go install github.com/stripe/stripe-mock@$(STRIPE_MOCK_VERSION)

# web-deps: the ASL runner's differential test runs aws-local-stepfunctions.
test-go: venv $(STRIPE_MOCK) web-deps
	MOTO_PYTHON=$(VENV)/bin/python STRIPE_MOCK_BIN=$(CURDIR)/$(STRIPE_MOCK) go test -race -count=1 ./...

# The committed API types must be what openapi-typescript makes of the spec.
test-web: web-deps
	cd $(WEB) && npx openapi-typescript ../$(EMBEDDED) -o /tmp/ezscale-schema.d.ts >/dev/null \
	  && diff -u src/shared/api/schema.d.ts /tmp/ezscale-schema.d.ts \
	  || { echo "web/src/shared/api/schema.d.ts is stale: run 'cd web && npm run gen:api'"; exit 1; }
	cd $(WEB) && npm run typecheck && npx vitest run

# The browser suites run the local stack built with -tags contract: every
# API exchange they cause is checked against openapi.yaml, and a mismatch
# fails the suite that caused it.
test-e2e: web bin/local-contract
	rm -rf test-output/e2e
	cd $(WEB) && EZSCALE_LOCAL_BIN=$(CURDIR)/bin/local-contract node --test e2e/

bin/local-contract: $(GO_FILES) $(EMBEDDED)
	go build -tags contract -o $@ ./infra/local

test-template: venv
	$(VENV)/bin/cfn-lint template.yaml
	SAM_CLI_TELEMETRY=0 $(VENV)/bin/sam validate --lint
	$(VENV)/bin/python infra/deploy/check_samconfig.py
	SAM_CLI_TELEMETRY=0 $(VENV)/bin/sam build --build-in-source --cached --parallel
	@for f in $(FUNCTIONS); do \
	  n=$$(sed -E 's/(^|-)([a-z])/\U\2/g' <<< $$f)Function; \
	  test -s .aws-sam/build/$$n/bootstrap || { echo "sam build produced no bootstrap for $$n"; exit 1; }; \
	done

# Rehearse a restore of the local table: export .data's table in
# DynamoDB's export format, import it into a fresh data directory, compare.
restore-drill:
	go run ./infra/restore -data $(or $(DATA_DIR),.data)

# The GitHub Actions workflows, checked by actionlint (pinned in go.mod).
test-workflows:
	go tool actionlint

# Customers at once, SIGKILL at random moments, invariants after each
# restart and at the end; exits non-zero on a violation.
soak: bin/local
	go run ./infra/soak -bin ./bin/local -seconds $(SOAK_SECONDS)

bench:
	go run ./infra/bench

# The monthly AWS bill for 1,000, 10,000 and 100,000 customers, from what
# one of each event costs here (measured in process) and stated assumptions.
cost:
	BENCH=cost go run ./infra/bench

# ---- Lambda builds (sam build calls build-<LogicalId> with ARTIFACTS_DIR) ----
# provided.al2023 on arm64, no RPC shim, reproducible and stripped.
define lambda
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(1)
endef

build-CatalogFunction: ; $(call lambda,catalog)
build-AccountsFunction: ; $(call lambda,accounts)
build-PasskeysFunction: ; $(call lambda,passkeys)
build-AdminFunction: ; $(call lambda,admin)
build-NotifierFunction: ; $(call lambda,notifier)
build-WebhooksFunction: ; $(call lambda,webhooks)
build-OutboxFunction: ; $(call lambda,outbox)
build-ProvisionTaskFunction: ; $(call lambda,provision-task)
build-DunningTaskFunction: ; $(call lambda,dunning-task)
build-PanelWorkerFunction: ; $(call lambda,panel-worker)
build-MailPollFunction: ; $(call lambda,mail-poll)
build-BandwidthSyncFunction: ; $(call lambda,bandwidth-sync)

functions:
	@for f in $(FUNCTIONS); do $(MAKE) --no-print-directory ARTIFACTS_DIR=bin/lambda/$$f build-$$(sed -E 's/(^|-)([a-z])/\U\2/g' <<< $$f)Function; done

clean:
	rm -rf bin .aws-sam test-output $(WEB)/dist
