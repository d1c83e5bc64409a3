# Landform: `make run` serves the embedded default; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEPS_HASH := $(shell cat pyproject.toml | sha256sum | cut -c1-12)

.PHONY: run test lint bench translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed-$(DEPS_HASH): $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.installed-* && touch $@

$(VENV)/.dev-installed-$(DEPS_HASH): $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.dev-installed-* && touch $@

run: $(VENV)/.installed-$(DEPS_HASH)
	$(BIN)/landform db upgrade
	$(BIN)/landform demo
	$(BIN)/landform run

lint: $(VENV)/.dev-installed-$(DEPS_HASH)
	$(BIN)/ruff check landform tests bench
	$(BIN)/ruff format --check landform tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/deptry .

# The suite runs in TEST_WORKERS processes (pytest-xdist); each has its own databases. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 3
test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

bench: $(VENV)/.dev-installed-$(DEPS_HASH)
	$(BIN)/python bench/run.py

# Extract every marked string and merge it into the catalogues; then translate the new Dutch entries.
translations: $(VENV)/.dev-installed-$(DEPS_HASH)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k lazy_gettext \
		--no-location --sort-output -o landform/translations/messages.pot .
	$(BIN)/pybabel update -i landform/translations/messages.pot -d landform/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
