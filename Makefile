# Claimtrail: `make run` serves the demo, `make test` runs the suite. See README.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Marks the last install of requirements.txt, so re-runs skip pip.
DEPS_STAMP := $(VENV)/.requirements-installed
HOST ?= 127.0.0.1
PORT ?= 8000
ARGS ?=

.PHONY: run test test-postgresql test-sqlite lint fmt deps vendor

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(DEPS_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements.txt
	touch $@

deps: $(DEPS_STAMP)

run: export SITE_URL ?= http://$(HOST):$(PORT)
run: deps
	$(BIN)/python scripts/run.py --prepare
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py demo_accounts
	$(BIN)/python scripts/run.py --host $(HOST) --port $(PORT)

# The suite on PostgreSQL, then on SQLite (the `make run` default; tests marked postgres
# are skipped there). CI runs this one command.
test: deps
	$(BIN)/python scripts/test_services.py $(ARGS)

test-postgresql: deps
	TEST_DATABASES=postgresql $(BIN)/python scripts/test_services.py $(ARGS)

test-sqlite: deps
	TEST_DATABASES=sqlite $(BIN)/python scripts/test_services.py $(ARGS)

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-download the pinned front-end packages in static/vendor/vendor-lock.json from the npm
# registry, check their integrity and rewrite the vendored files (needs network, not Node.js).
vendor: deps
	$(BIN)/python scripts/vendor_static.py
