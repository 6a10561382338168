# ExoArmur — every target is idempotent and does its own set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_BIN := node_modules/.bin
CLI := node dist/tools/cli.js
# The developer broker of `make broker-up` (the test broker of `make test` picks a free port).
BROKER_PORT ?= 9092
BROKER_DATA_DIR ?= .exoarmur/broker

.PHONY: reality help setup build test clean deps broker-fetch broker-up broker-down test-suites bench format hostile mutation images engine-up engine-down soak

help:
	@echo "make reality   run the default scenario end to end on a real broker and write an evidence bundle"
	@echo "make test      run every test (starts its own broker)"
	@echo "make bench     throughput, latency, recovery, replay vs the raw broker (BENCH_ARGS=--quick)"
	@echo "make images    build every image of docker-compose.airgap.yml with no image registry (cached by input hash)"
	@echo "make hostile   replay the seeded hostile-input corpus through a real processor (report in artifacts/hostile/)"
	@echo "make mutation StrykerJS over processor/core, incremental (MUTATE=file,file narrows it); scores in docs/mutation/"
	@echo "make soak      a 3-node cluster under load with seeded faults, then exactly-once, replay, verify (SOAK_MINUTES, SOAK_RATE, SOAK_SEED); report in artifacts/soak/"

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# dist/ is rebuilt from scratch: a compiled test whose source was moved or deleted must not run.
build: node_modules/.package-lock.json
	rm -rf dist
	$(NODE_BIN)/tsc -p tsconfig.json

setup: deps build broker-fetch

# Prerequisites, one line each; as root installs what Debian provides (Java, Maven, kcat, docker-compose).
deps:
	@tools/deps.sh

broker-fetch: build
	@$(CLI) broker fetch >/dev/null

broker-up: broker-fetch
	@$(CLI) broker start --data-dir $(BROKER_DATA_DIR) --port $(BROKER_PORT)
	@echo "export KAFKA_BROKERS=127.0.0.1:$(BROKER_PORT)"

broker-down: build
	@$(CLI) broker stop --data-dir $(BROKER_DATA_DIR)

# Uses KAFKA_BROKERS if set; otherwise starts a throwaway broker and always stops it.
# The images of the air-gapped compose path are built first (each kept when its input hash matches), so the compose
# test finds them ready: a cold build takes minutes, longer than the test runner waits for progress. Where no
# Docker engine can run this says why in one line, and the compose test asserts gate 4's UNPROVEN reason instead.
test: deps build broker-fetch
	@tools/compose/with-engine.sh tools/compose/images.sh >/dev/null || echo "make test: compose images not built (the compose test says why)"
	@tools/broker/with-test-broker.sh $(MAKE) --no-print-directory test-suites

# Static checks (viewer types, lint, format) and both suites always run; the target fails if any failed.
test-suites:
	@checks=0; unit=0; integration=0; \
	$(NODE_BIN)/tsc -p evidence-viewer/tsconfig.json || checks=$$?; \
	$(NODE_BIN)/eslint . || checks=$$?; \
	$(NODE_BIN)/prettier --check --log-level warn . || checks=$$?; \
	$(NODE_BIN)/ava --config ava.unit.config.js || unit=$$?; \
	$(NODE_BIN)/ava --config ava.integration.config.js || integration=$$?; \
	exit $$(( checks != 0 || unit != 0 || integration != 0 ))

# Formats every source in place (what `make test` checks).
format: node_modules/.package-lock.json
	$(NODE_BIN)/eslint --fix .
	$(NODE_BIN)/prettier --write --log-level warn .

# Starts its own broker under .exoarmur/bench; BENCH_ARGS="--quick" skips the 1M runs (~25 min in full).
bench: deps build broker-fetch
	@$(CLI) bench $(BENCH_ARGS)

# Mutation testing of processor/core with StrykerJS, pinned and installed apart under .exoarmur/stryker
# (with the project's TypeScript, which Stryker loads from its own tree); not part of make test.
# Incremental: docs/mutation/stryker-incremental.json (committed) holds every result so far, so a run tests
# only mutants in changed code (and, when the tests changed, every mutant not yet killed; FORCE=1: all).
# MUTATE=processor/core/gate.ts,processor/core/telemetry.ts narrows it; one Stryker runner at nice 10.
# Each mutant runs only the test files that reach it (tools/testing/mutation/run-tests.ts says why that is sound).
# Reports: artifacts/mutation/, the per-file table docs/mutation/scores.md.
STRYKER_DIR := .exoarmur/stryker
MUTATION_DIR := docs/mutation
$(STRYKER_DIR)/node_modules/.bin/stryker:
	npm install --no-audit --no-fund --no-save --prefix $(STRYKER_DIR) @stryker-mutator/core@9.5.1 typescript@5.9.3

mutation: build $(STRYKER_DIR)/node_modules/.bin/stryker
	node dist/tools/testing/mutation/incremental.js $(MUTATION_DIR)/stryker-incremental.json .exoarmur/stryker-incremental.json \
		$(MUTATION_DIR)/judge.json .exoarmur/judge.json "$(MUTATE)"
	nice -n 10 $(STRYKER_DIR)/node_modules/.bin/stryker run stryker.config.json --incrementalFile .exoarmur/stryker-incremental.json \
		$(if $(MUTATE),--mutate $(MUTATE),) $(if $(FORCE),--force,)
	mv .exoarmur/stryker-incremental.json $(MUTATION_DIR)/stryker-incremental.json
	mv .exoarmur/judge.json $(MUTATION_DIR)/judge.json
	node dist/tools/testing/mutation/score-table.js $(MUTATION_DIR)/stryker-incremental.json > $(MUTATION_DIR)/scores.md

clean:
	rm -rf dist .exoarmur/test-broker-*

# One command: the default scenario end to end on the embedded broker, then again on docker-compose wherever a
# Docker engine can run (gate 4; the harness starts and stops its own dockerd as root), bundle in artifacts/<run_id>/.
# SECURE=1: the broker with SASL/SCRAM over TLS and role ACLs, the processor as its role (exoarmur reality --secure).
SCENARIO ?= fixtures/scenarios/default
reality: deps build broker-fetch
	@$(CLI) reality --scenario $(SCENARIO) --out artifacts $(if $(SECURE),--secure) $(REALITY_ARGS)

# The hostile-input corpus (tools/hostile) on a throwaway broker (or KAFKA_BROKERS); HOSTILE_SEED picks the corpus.
HOSTILE_SEED ?= 18
hostile: deps build broker-fetch
	@tools/broker/with-test-broker.sh $(CLI) hostile --seed $(HOSTILE_SEED) --out artifacts/hostile

# The air-gapped images (Debian packages, Maven Central jars, npm packages; no image registry), each skipped when
# an image with the same input hash exists. Starts a loopback-only dockerd as root when none answers, and stops it.
images: deps build broker-fetch
	@tools/compose/with-engine.sh tools/compose/images.sh

# A loopback-only dockerd by hand (its data root: /var/cache/exoarmur/docker, or EXOARMUR_DOCKER_DIR).
engine-up:
	@tools/compose/engine.sh start
engine-down:
	@tools/compose/engine.sh stop

# A 3-node KRaft cluster of its own under steady load with seeded faults (tools/soak): leader and
# processor SIGKILLs, instances joining and leaving, a cluster restart; then exactly-once, replay and
# verify. SOAK_MINUTES of load at SOAK_RATE events/s, then end checks whose length grows with the inputs
# (actuation, double-inject, replay, bundle); the defaults end within 15 min on 2 shared cores.
# Report in artifacts/soak/<run_id>/. SECURE=1: every node SASL/SCRAM over TLS with role ACLs, the
# processor and the actuator as their roles.
SOAK_MINUTES ?= 6
SOAK_RATE ?= 8
SOAK_SEED ?= 18
soak: deps build broker-fetch
	@$(CLI) soak --minutes $(SOAK_MINUTES) --rate $(SOAK_RATE) --seed $(SOAK_SEED) --out artifacts/soak $(if $(SECURE),--secure)
