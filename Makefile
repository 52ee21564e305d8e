# exomesa — two commands for a fresh machine with Python 3.11:
#   make run    install everything, then prepare data, train MESA, evaluate it and write the report (runs/demo/)
#   make test   install everything, then run the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
RUN_DIR ?= runs/demo

.PHONY: install run test lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first: the pinned CPU build; the range in pyproject.toml then installs nothing more
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[all]"
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/exomesa run --out $(RUN_DIR) --force

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests benchmarks train.py test.py
	$(BIN)/ruff format --check src tests benchmarks train.py test.py
	$(BIN)/lint-imports

bench: install
	$(BIN)/exomesa benchmark

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
