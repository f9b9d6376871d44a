# The two commands: `make run` (the whole product) and `make test` (the whole test suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
EMULATOR_PORT ?= 8900
export CS_EMULATOR_URL ?= http://127.0.0.1:$(EMULATOR_PORT)

.PHONY: run test install install-dev assets lint format bench clean messages

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Front-end code from npm (package-lock.json): Chart.js for the pages, axe-core for the tests.
## Without npm the pages still work: each chart shows its summary table instead.
NODE_MODULES := node_modules/.package-lock.json
VENDOR := static/vendor/chart.umd.min.js
$(NODE_MODULES): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error; \
	else \
	  echo "npm not found: charts are shown as tables (install Node.js and npm to draw them)."; \
	fi

$(VENDOR): $(NODE_MODULES)
	@if [ -f node_modules/chart.js/dist/chart.umd.min.js ]; then \
	  mkdir -p static/vendor && cp node_modules/chart.js/dist/chart.umd.min.js $@; \
	fi

assets: $(NODE_MODULES) $(VENDOR)

install-dev: $(VENV)/.installed-dev

## Run the whole product: web, Celery worker and beat, the CS emulator, with demo data.
run: install assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo $(if $(PASSWORD),--password '$(PASSWORD)')
	@echo "CS Dashboard: http://127.0.0.1:$(PORT)/  (CS emulator at $(CS_EMULATOR_URL)); Ctrl-C stops everything."
	PATH="$(abspath $(VENV))/bin:$$PATH" DEBUG=false WEB_PORT=$(PORT) EMULATOR_PORT=$(EMULATOR_PORT) $(VENV)/bin/honcho -f Procfile start

## Run the whole test suite (set DATABASE_URL / REDIS_URL to test against PostgreSQL / Redis).
test: install-dev
	bash scripts/ensure-test-tools.sh
	$(MAKE) assets
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## Benchmarks: each figure against a floor measured in the same run.
bench: install-dev
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) -m benchmarks

## The translation catalogues: collect the strings (xgettext, from Debian's gettext) and compile them.
## The compiled .mo files are committed, so `make run` needs no gettext.
messages: install-dev
	$(PY) manage.py makemessages --no-obsolete --no-location -l zh_Hans -l en -i '.venv/*' -i 'var/*' -i 'node_modules/*' -i 'tests/*' -i 'benchmarks/*'
	$(PY) manage.py compilemessages -l zh_Hans -l en -i '.venv' -i 'var' -i 'node_modules'

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache node_modules static/vendor
