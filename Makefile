# bankmind: `make run` installs and serves the workbench; `make test` installs what the tests need and runs them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
export CMAKE_BUILD_PARALLEL_LEVEL ?= $(shell nproc)

.PHONY: run install test lint typecheck unit services bench clean

run: install
	$(BIN)/bankmind models install
	$(BIN)/bankmind serve

install: $(VENV)/.installed-run

test: $(VENV)/.installed-dev services lint typecheck
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m "not slow"

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/llm_bench.py

services:
	bash scripts/test-services.sh

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-bootstrap.lock

# Packages come only from the hash-locked files. llama-cpp-python compiles from source the first time
# (about 5 minutes on 2 cores, progress below); uv caches the built wheel, so later installs take seconds.
$(VENV)/.installed-run: requirements.lock pyproject.toml | $(UV)
	@echo ">> installing Python packages from requirements.lock (first run compiles llama-cpp-python: ~5 min)"
	$(UV) pip install --python $(BIN)/python --require-hashes -r requirements.lock
	$(UV) pip install --python $(BIN)/python --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(UV)
	@echo ">> installing Python packages from requirements-dev.lock (first run compiles llama-cpp-python: ~5 min)"
	$(UV) pip sync --python $(BIN)/python --require-hashes requirements-dev.lock
	$(UV) pip install --python $(BIN)/python --no-deps -e .
	touch $(VENV)/.installed-run $@

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
