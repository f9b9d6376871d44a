# The two commands: `make run` (the whole product) and `make test` (the whole test suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
EMULATOR_PORT ?= 8900
export CS_EMULATOR_URL ?= http://127.0.0.1:$(EMULATOR_PORT)

.PHONY: run test install install-dev lint format bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## Run the whole product: web, Celery worker and beat, the CS emulator, with demo data.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo $(if $(PASSWORD),--password '$(PASSWORD)')
	@echo "CS Dashboard: http://127.0.0.1:$(PORT)/  (CS emulator at $(CS_EMULATOR_URL)); Ctrl-C stops everything."
	PATH="$(abspath $(VENV))/bin:$$PATH" DEBUG=false WEB_PORT=$(PORT) EMULATOR_PORT=$(EMULATOR_PORT) $(VENV)/bin/honcho -f Procfile start

## Run the whole test suite (set DATABASE_URL / REDIS_URL to test against PostgreSQL / Redis).
test: install-dev
	bash scripts/ensure-test-tools.sh
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

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
