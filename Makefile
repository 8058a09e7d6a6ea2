# Two commands on a fresh Debian/Ubuntu x86-64 machine:  make run  and  make test
SHELL := /bin/bash
.DEFAULT_GOAL := help
ENV := . ./env.sh
PYTEST_ARGS ?=
TSC := build/node/node_modules/.bin/tsc

.PHONY: help setup run test lint bench dist clean

help:
	@echo "make run    set up (first call) and start the whole stack on the simulated car"
	@echo "make test   set up and run every test (lint included)"
	@echo "make bench  performance figures (also written to build/bench.json); PROFILE=1: flame graphs in build/profile/"
	@echo "make dist   the release bundle build/dist/deepracer-<version>.tar.gz (+ index.json) for \`deepracer update\`"

setup:
	@./scripts/bootstrap.sh

run: setup
	@$(ENV) && exec deepracer run --sim

lint: setup
	@$(ENV) && ruff check . && mypy
	@# the console's JavaScript: tsc over the JSDoc types (tsconfig.json), nothing emitted
	@if [ -x $(TSC) ]; then $(TSC) -p tsconfig.json && echo "tsc: the console's JavaScript type-checks"; \
	elif grep -qx 'runtime-only=1' .venv/.bootstrap-stamp 2>/dev/null; then \
	  echo "tsc: skipped, this is a runtime-only install (scripts/bootstrap.sh --runtime has no TypeScript)"; \
	else echo "tsc: $(TSC) is missing: run make setup"; exit 1; fi

test: setup lint
	@$(ENV) && python -m pytest $(PYTEST_ARGS)

PROFILE ?= 0
bench: setup
	@$(ENV) && mkdir -p build && PROFILE=$(PROFILE) python -m tests.bench.run_all --output build/bench.json

# the release bundle: our wheel, the pinned dependency wheels, the built interfaces, a manifest of sha256
# (DIST_ARGS=--no-deps leaves the dependency wheels out; --wheelhouse DIR takes them from a folder)
dist: setup
	@$(ENV) && python scripts/make_dist.py $(DIST_ARGS)

clean:
	rm -rf .venv ros2_ws/build ros2_ws/install ros2_ws/log build
