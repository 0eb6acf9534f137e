# Two commands: `make run` serves the chat on http://$(HOST):$(PORT) with SQLite under ./var,
# `make test` runs the whole suite. Both create .venv and install what they need first.
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000
BIN := $(VENV)/bin
# Tests run on every core (pytest-xdist), a module's tests on one worker so they share its
# servers; `make test PYTEST_ARGS=tests/files` runs a part in one process.
PYTEST_ARGS ?= -n auto --dist loadscope

.PHONY: run test lint format bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	CHINWAG_DATA_DIR=$${CHINWAG_DATA_DIR:-var} $(BIN)/chinwag serve --host $(HOST) --port $(PORT)

test: $(VENV)/.dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(VENV)/.dev
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(VENV)/.dev
	$(BIN)/python bench/send.py

clean:
	rm -rf $(VENV) .pytest_cache build src/*.egg-info
