# SEMH Provision — the README names `make run`, `make test` and `make lint`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_ENV := DEBUG=1 SEMH_REQUIRE_MFA=0

.PHONY: install system-deps run test lint format bench bench-trust load worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Debian packages the tests need: Chromium for browser tests, fonts and poppler for PDFs.
system-deps:
	@if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null \
	    || ! fc-list 2>/dev/null | grep -qi dejavu; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium poppler-utils fonts-dejavu-core fontconfig >/dev/null; \
	  else \
	    echo "Install Debian packages: chromium poppler-utils fonts-dejavu-core (needs root)"; \
	  fi; \
	fi

run: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

test: install system-deps lint
	$(BIN)/pytest $(PYTEST_ARGS)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=2

bench: install
	@ls benchmarks/*.py >/dev/null 2>&1 && for f in benchmarks/bench_*.py; do $(BIN)/python $$f; done || echo "No benchmarks yet."

# The page benchmark at demo and at trust scale side by side. TRUST_DATABASE_URL names a
# PostgreSQL database seed_trust has filled (createdb, migrate, seed_trust: see the README).
bench-trust: install
	@test -n "$(TRUST_DATABASE_URL)" || { echo "Set TRUST_DATABASE_URL=postgres://…/<seeded db>"; exit 2; }
	DATABASE_URL=$(TRUST_DATABASE_URL) $(BIN)/python benchmarks/bench_pages.py --trust

# Fifty staff for two minutes against gunicorn (locust), then every saved record checked.
# PostgreSQL only (DATABASE_URL: a throwaway test_<name> is made next to it); not part of CI.
load: install
	$(BIN)/python benchmarks/load_run.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
