# The two commands: `make run` (serve the site with the seed content) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app clearinghouse
STAMP := $(VENV)/.installed

.PHONY: install system-deps run serve test test-fast test-browser lint bench clean
# WeasyPrint (the PDF downloads) needs Debian's Pango and HarfBuzz and a font: installed when missing.
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fonts-dejavu-core

install: system-deps $(STAMP)

system-deps:
	@missing=$$(for p in $(PDF_DEBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; fi

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Migrate, seed an empty database, build the search index if there is none, create the demo accounts
# (development only: `users demo` refuses in production) and print their logins, then serve on :5000.
prepare: install
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) index ensure
	$(FLASK) users demo

run: prepare
	$(FLASK) run --host 127.0.0.1 --port 5000

# Production-style serving: gunicorn, APP_ENV=production. The settings it reads from the environment:
#   SECRET_KEY             required; the same on every node
#   DATABASE_URL           postgresql+psycopg://user:pass@host/db (one database shared by every node)
#   SEARCH_INDEX_DIR       this node's own index folder, on local disk (never shared, never on NFS)
#   SEARCH_FOLLOW_SECONDS  how often each worker applies the search change log (default 1)
#   SEARCH_REBUILD_AFTER   a node further behind the log than this many changes rebuilds (default 5000)
#   SEARCH_BEHIND_GRACE    seconds a change may wait unapplied before /healthz answers 503 (default 30)
#   RATELIMIT_STORAGE_URI  a store every worker and node shares; MAIL_* for outgoing mail
#   WORKERS, BIND          gunicorn's worker count (default 2) and address (default 127.0.0.1:8000)
# Several nodes: run `make serve` on each behind a load balancer checking /healthz (README "Running in production").
serve: install
	APP_ENV=production $(FLASK) db upgrade
	APP_ENV=production $(FLASK) index ensure
	APP_ENV=production $(BIN)/gunicorn --workers $${WORKERS:-2} --bind $${BIND:-127.0.0.1:8000} wsgi:app

# The whole suite, twice: on SQLite, then on a real PostgreSQL server the tests start themselves (TEST_DATABASE).
# Installs Debian's chromium and PostgreSQL server when missing; the architecture contracts run first.
test: install test-deps
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n 2
	TEST_DATABASE=postgresql $(BIN)/python -m pytest -q -n 2 -m "not postgres"

test-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }

test-fast: install
	$(BIN)/python -m pytest -q -n 2 -m "not browser and not postgres"

test-browser: install test-deps
	$(BIN)/python -m pytest -q -m browser

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache
