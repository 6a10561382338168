# ExoArmur — every target is idempotent and does its own set-up.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_BIN := node_modules/.bin

.PHONY: help setup build test clean

help:
	@echo "make reality   run the default scenario end to end on a real broker and write an evidence bundle"
	@echo "make test      run every test (starts its own broker)"

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: node_modules/.package-lock.json
	$(NODE_BIN)/tsc -p tsconfig.json

setup: build

test: build
	$(NODE_BIN)/ava --config ava.unit.config.js

clean:
	rm -rf dist
