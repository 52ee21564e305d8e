# exomesa — two commands for a fresh machine with Python 3.10 or newer:
#   make run    install everything, then prepare data, train MESA, evaluate it and write the report (runs/demo/)
#   make test   install everything, then run the test suite
# and, once installed:
#   make shell  open a shell with .venv active (the `exomesa` command on PATH); `exit` leaves it
#   make docs   build the documentation site into site/ (warnings are errors)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
RUN_DIR ?= runs/demo
# pip: no progress bars, no "already satisfied" lines, no upgrade notice; errors still print in full
PIP     = $(BIN)/python -m pip --quiet --disable-pip-version-check --no-input

.PHONY: install run test lint docs shell bench clean

$(BIN)/.installed: pyproject.toml
	@echo "installing into $(VENV)/ (PyTorch CPU build, then exomesa with every extra; a few minutes)"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --upgrade pip
	@# torch first: the pinned CPU build; the range in pyproject.toml then installs nothing more
	@$(PIP) install torch==2.13.0
	@$(PIP) install -e ".[all]"
	@touch $@
	@echo "installed: run 'source $(VENV)/bin/activate' or 'make shell' to use the exomesa command"

install: $(BIN)/.installed

run: install
	$(BIN)/exomesa run --out $(RUN_DIR) --force

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check src tests benchmarks train.py test.py
	$(BIN)/ruff format --check src tests benchmarks train.py test.py

docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

shell: install
	@echo "exomesa environment ($(VENV)); type 'exit' to leave"
	@VIRTUAL_ENV="$(abspath $(VENV))" PATH="$(abspath $(BIN)):$$PATH" $${SHELL:-/bin/bash} -i

bench: install
	$(BIN)/exomesa benchmark

clean:
	rm -rf $(VENV) runs site .pytest_cache .ruff_cache
