# Rituals. `make run` starts the whole stack locally; `make test` runs every test.
# `sam build` calls the build-<LogicalId> targets below (BuildMethod: makefile).

SHELL := /bin/bash
GO ?= go
# SAM deploys arm64 (template.yaml); local builds use this machine's architecture.
LAMBDA_GOARCH ?= arm64
HOST_GOARCH := $(shell $(GO) env GOARCH)
BUILD_DIR ?= build
GOFLAGS_LAMBDA := -tags lambda.norpc -trimpath -ldflags='-s -w' -buildvcs=false

# LogicalId:directory, one per function in template.yaml (a test checks they agree).
FUNCTIONS := \
	GitHubWebhookFunction:github-webhook \
	PhabricatorWebhookFunction:phabricator-webhook \
	SlackCommandsFunction:slack-commands \
	SlackInteractionsFunction:slack-interactions \
	ActivityRecorderFunction:activity-recorder \
	StandupSchedulerFunction:standup-scheduler \
	StandupProcessorFunction:standup-processor \
	SupportTriageFunction:support-triage \
	WebFunction:web \
	RetroDecisionFunction:retro-decision \
	LabelRulesFunction:label-rules \
	SlackOAuthFunction:slack-oauth \
	PhabricatorProcessorFunction:phabricator-processor \
	GitHubReconcileFunction:github-reconcile \
	SprintsFunction:sprints \
	ClinicDutyFunction:clinic-duty

fn_id = $(word 1,$(subst :, ,$(1)))
fn_dir = $(word 2,$(subst :, ,$(1)))

.PHONY: all deps build run test test-short bench fuzz lint clean $(foreach f,$(FUNCTIONS),build-$(call fn_id,$(f)))
all: build

# --- sam build targets: $(ARTIFACTS_DIR)/bootstrap for provided.al2023 on arm64
define lambda_target
build-$(call fn_id,$(1)):
	GOOS=linux GOARCH=$$(or $$(GOARCH_OVERRIDE),$$(LAMBDA_GOARCH)) CGO_ENABLED=0 $$(GO) build $$(GOFLAGS_LAMBDA) -o $$(ARTIFACTS_DIR)/bootstrap ./functions/$(call fn_dir,$(1))
endef
$(foreach f,$(FUNCTIONS),$(eval $(call lambda_target,$(f))))

# --- local
infra/node_modules/.package-lock.json: infra/package.json infra/package-lock.json
	npm ci --prefix infra --no-audit --no-fund --loglevel=error

deps: infra/node_modules/.package-lock.json
	$(GO) mod download

# The same bootstrap binaries SAM deploys, for this machine's architecture.
build:
	@for f in $(FUNCTIONS); do id=$${f%%:*}; \
		$(MAKE) --no-print-directory build-$$id ARTIFACTS_DIR=$(CURDIR)/$(BUILD_DIR)/$$id GOARCH_OVERRIDE=$(HOST_GOARCH) || exit 1; \
	done

# FAULTS='<JSON spec>' arms fault injection from the start (README, "Fault injection").
run: deps build
	$(GO) run ./infra/cmd/rituals run -build-dir $(BUILD_DIR) -faults "$$FAULTS"

test: deps build
	$(GO) run ./infra/cmd/withdynamo -- $(GO) test -count=1 -timeout 8m ./...

# Bootstrap sizes and cold starts (against a minimal aws-lambda-go bootstrap), request latencies
# through the local stack at 4 and 32 senders (the webhook against the same PutItem straight to
# DynamoDB), label rule → first action, and Herald delivery → Unbreak Now! post and its Conduit
# calls; then the in-process Go benchmarks: the activity mirror, support label → post, the
# standup scheduler at 10,000 developers with its AWS cost per developer-month, the
# label-rule timer sweep with 100,000 timers pending, and a 300-task sprint's report (reads,
# figures, chart).
# BENCH_FLAGS go to `rituals bench`, e.g. BENCH_FLAGS='-c 8' for 8 concurrent senders only.
BENCH_FLAGS ?=
bench: deps build
	$(GO) run ./infra/cmd/withdynamo -- $(GO) run ./infra/cmd/rituals bench -build-dir $(BUILD_DIR) $(BENCH_FLAGS)
	$(GO) run ./infra/cmd/withdynamo -- $(GO) test -run '^$$' -bench . -benchmem -benchtime 2000x ./shared/ingest
	$(GO) run ./infra/cmd/withdynamo -- $(GO) test -run '^$$' -bench . -benchtime 20x ./shared/activity ./shared/support
	$(GO) run ./infra/cmd/withdynamo -- $(GO) test -run '^$$' -bench 'BenchmarkStandup(Tick|Cost)10k' -benchtime 1x -timeout 40m ./shared/standup
	$(GO) run ./infra/cmd/withdynamo -- $(GO) test -run '^$$' -bench 'BenchmarkSweep100k' -benchtime 1x -timeout 30m ./shared/labels
	$(GO) run ./infra/cmd/withdynamo -- $(GO) test -run '^$$' -bench 'BenchmarkSprintReport300' -benchtime 5x ./shared/sprints/burnup

# Each fuzz target for a short while beyond its seed corpus (which `make test` already runs), in
# its own package: `go test -list` names every package's targets, so same-named targets in
# different packages (FuzzVerify of ghub, phab and slackapp) each get fuzzed.
FUZZTIME ?= 10s
fuzz:
	@$(GO) test -list '^Fuzz' ./... | awk '/^Fuzz/ { t[n++] = $$1 } /^ok / { for (i = 0; i < n; i++) print $$2, t[i]; n = 0 }' | \
	while read -r pkg target; do \
		echo "fuzz $$target in $$pkg"; $(GO) test -run='^$$' -fuzz="^$$target$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	done

# gofmt, go vet, staticcheck; cfn-lint and the IAM that the SAM translator generates, where the
# machine has them (they come with the image, not from a registry this machine reaches).
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
	@if command -v cfn-lint >/dev/null 2>&1; then cfn-lint template.yaml && echo "cfn-lint: template.yaml clean"; \
		else echo "lint: cfn-lint not installed; skipped"; fi
	@if python3 -c 'import samtranslator' 2>/dev/null; then python3 infra/scripts/check-iam.py template.yaml; \
		else echo "lint: the SAM translator is not installed; IAM check skipped"; fi

clean:
	rm -rf $(BUILD_DIR) .aws-sam
