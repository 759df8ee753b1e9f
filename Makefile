# Contentfabriek. `make run` and `make test` are all a new machine needs.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
CATALOG := planner/translations
MO      := $(CATALOG)/nl/LC_MESSAGES/messages.mo $(CATALOG)/en/LC_MESSAGES/messages.mo
PYTEST_ARGS ?=

.PHONY: run test bench lint typecheck translations extract-messages clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel

# Reinstall only when the package definition changes.
$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres,test,dev]'
	touch $(STAMP)

$(CATALOG)/%/LC_MESSAGES/messages.mo: $(CATALOG)/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d $(CATALOG) -l $* -i $< -o $@ -f

translations: $(MO)

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k ngettext:1,2 -k ValidationError -k NotFoundError -k PermissionDeniedError -k ConflictError -k ImageRejectedError -o $(CATALOG)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOG)/messages.pot -d $(CATALOG) --no-fuzzy-matching

instance:
	mkdir -p instance

run: $(STAMP) $(MO) | instance
	$(BIN)/planner db upgrade
	$(BIN)/planner demo seed --if-empty
	$(BIN)/planner serve --scheduler

test: $(STAMP) $(MO)
	$(BIN)/ruff check planner tests migrations $(wildcard bench)
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check planner tests migrations $(wildcard bench)
	$(BIN)/ruff format --check planner tests migrations $(wildcard bench)
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP) $(MO)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
