# Contentfabriek. `make run` and `make test` are all a new machine needs.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
CATALOG := planner/translations
MO      := $(CATALOG)/nl/LC_MESSAGES/messages.mo $(CATALOG)/en/LC_MESSAGES/messages.mo
# two processes (pytest-xdist), each with its own databases; PYTEST_ARGS=-n0 runs in one
PYTEST_ARGS ?= -n 2

.PHONY: run test bench lint typecheck translations extract-messages clean

INSTALL_LOG := $(VENV)/install.log
# pip's own chatter goes to $(INSTALL_LOG); it is shown only when the install fails.
QUIET_PIP = >$(INSTALL_LOG) 2>&1 || { cat $(INSTALL_LOG); echo "pip failed; its log: $(INSTALL_LOG)"; exit 1; }

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	@echo "Upgrading pip in $(VENV) (log: $(INSTALL_LOG))"
	@$(BIN)/pip install --upgrade pip setuptools wheel $(QUIET_PIP)

# Reinstall only when the package definition changes.
$(STAMP): setup.cfg setup.py pyproject.toml | $(BIN)/python
	@echo "Installing Contentfabriek and its dependencies into $(VENV) (a minute or two the first time; log: $(INSTALL_LOG))"
	@$(BIN)/pip install -e '.[postgres,test,dev]' $(QUIET_PIP)
	@touch $(STAMP)

$(CATALOG)/%/LC_MESSAGES/messages.mo: $(CATALOG)/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d $(CATALOG) -l $* -i $< -o $@ -f

translations: $(MO)

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k Phrase -k ngettext:1,2 -k ValidationError -k NotFoundError -k PermissionDeniedError -k ConflictError -k ImageRejectedError -o $(CATALOG)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOG)/messages.pot -d $(CATALOG) --no-fuzzy-matching

instance:
	mkdir -p instance

run: $(STAMP) $(MO) | instance
	$(BIN)/planner db upgrade
	$(BIN)/planner demo seed --if-empty
	$(BIN)/planner serve --scheduler

test: $(STAMP) $(MO)
	$(BIN)/ruff check setup.py planner tests migrations $(wildcard bench)
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest --durations=20 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check setup.py planner tests migrations $(wildcard bench)
	$(BIN)/ruff format --check setup.py planner tests migrations $(wildcard bench)
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP) $(MO)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
