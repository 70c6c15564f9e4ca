# secondstory — the two Quickstart commands are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The suite runs across every core (pytest-xdist); `make test PYTEST_JOBS=0` runs it in one process.
PYTEST_JOBS ?= auto
PYTEST := $(BIN)/pytest -q -n $(PYTEST_JOBS)

.PHONY: demo serve test test-sqlite test-postgres test-e2e ci lint format typecheck bench \
        install dev postgres chromium pdf-libs clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "secondstory needs Python >= 3.11; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

## make demo: install, load the demo organisation into SQLite and serve it
demo: install
	$(BIN)/secondstory demo
	$(BIN)/secondstory serve --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/secondstory serve --host $(HOST) --port $(PORT)

## make test: the whole test suite on SQLite (browser tests skip without Chromium)
test: dev
	SECONDSTORY_HOME=$$(mktemp -d) $(PYTEST)

test-sqlite: dev
	SECONDSTORY_HOME=$$(mktemp -d) $(PYTEST)

test-postgres: dev postgres
	SECONDSTORY_HOME=$$(mktemp -d) SECONDSTORY_DATABASE_URL=$(PG_URL) $(PYTEST)

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: dev
	$(BIN)/mypy

## make ci: lint, types, the suite on SQLite and on PostgreSQL, browser tests included
ci: dev postgres chromium pdf-libs
	$(MAKE) lint typecheck
	SECONDSTORY_REQUIRE_BROWSER=1 SECONDSTORY_REQUIRE_PDF=1 $(MAKE) test-sqlite
	SECONDSTORY_REQUIRE_BROWSER=1 SECONDSTORY_REQUIRE_PDF=1 $(MAKE) test-postgres

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; \
	  echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1

# PDF export (WeasyPrint) needs Pango; Debian installs it with these packages. `make ci`
# installs them; elsewhere the PDF tests skip without them (and the app answers 503 for a PDF).
pdf-libs:
	@ldconfig -p | grep -q libpangoft2-1.0.so.0 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null)

chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

bench: dev
	@for script in benchmarks/*.py; do \
		case $$script in */slack_export.py) continue ;; esac; \
		echo "== $$script"; $(BIN)/python $$script || exit 1; \
	done

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
