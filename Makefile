# bankmind: `make run` installs and serves the workbench; `make test` installs what the tests need and runs them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc)

.PHONY: run install test lint typecheck unit services bench clean

run: install
	$(BIN)/bankmind models install
	$(BIN)/bankmind kb sample
	$(BIN)/bankmind serve

install: $(VENV)/.installed-run

test: $(VENV)/.installed-dev services lint typecheck
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m "not slow"

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/llm_bench.py
	$(BIN)/python bench/pii_bench.py

services:
	bash scripts/test-services.sh

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-bootstrap.lock

# Packages come only from the hash-locked files. llama-cpp-python compiles from its hash-checked
# source once (about 5 minutes on 2 cores, progress shown); the wheel is cached under
# ~/.cache/bankmind/wheels by the source's SHA-256, so later installs and fresh clones take seconds.
$(VENV)/.installed-run: requirements.lock pyproject.toml scripts/install-python.sh | $(UV)
	bash scripts/install-python.sh requirements.lock install
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml scripts/install-python.sh | $(UV)
	bash scripts/install-python.sh requirements-dev.lock sync
	touch $(VENV)/.installed-run $@

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
