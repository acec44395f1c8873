# Claimtrail: `make run` serves the demo, `make test` runs the suite. See README.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Marks the last install of requirements.txt, so re-runs skip pip.
DEPS_STAMP := $(VENV)/.requirements-installed
# pywb and py-wacz, for the replay and WACZ tests, in a venv of their own (pywb pins older
# Werkzeug, cryptography and redis than the project uses); see requirements-replay.txt.
REPLAY_VENV := .venv-replay
REPLAY_STAMP := $(REPLAY_VENV)/.requirements-installed
HOST ?= 127.0.0.1
PORT ?= 8000
ARGS ?=

.PHONY: run test test-postgresql test-sqlite lint fmt deps vendor replay-venv

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
# CLAIMTRAIL_REQUIRE_REPLAY: the replay tests fail, not skip, without pywb's venv.
test: deps replay-venv
	CLAIMTRAIL_REQUIRE_REPLAY=1 $(BIN)/python scripts/test_services.py $(ARGS)

test-postgresql: deps replay-venv
	CLAIMTRAIL_REQUIRE_REPLAY=1 TEST_DATABASES=postgresql $(BIN)/python scripts/test_services.py $(ARGS)

test-sqlite: deps replay-venv
	CLAIMTRAIL_REQUIRE_REPLAY=1 TEST_DATABASES=sqlite $(BIN)/python scripts/test_services.py $(ARGS)

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

$(REPLAY_STAMP): requirements-replay.txt
	$(PYTHON) -m venv $(REPLAY_VENV)
	$(REPLAY_VENV)/bin/python -m pip install --disable-pip-version-check -r requirements-replay.txt
	touch $@

replay-venv: $(REPLAY_STAMP)
