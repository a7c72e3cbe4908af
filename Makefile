# Two commands on a fresh machine: `make serve` and `make test` (see README.md).
VENV ?= .venv
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install serve test lint index eval clean

# Every dependency (test tools included) at the version and hash in requirements-test.lock.
$(BIN)/.installed: pyproject.toml requirements-test.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-test.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

serve: install  ## set up, build the index when missing, serve on http://$(HOST):$(PORT)
	$(BIN)/assistant serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check assistant tests bench corpus
	$(BIN)/mypy assistant
	$(BIN)/lint-imports

test: install lint  ## set up and run the whole test suite
	$(BIN)/pytest

index: install
	$(BIN)/assistant index build

clean:
	rm -rf $(VENV) index/current
