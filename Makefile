# The interchange: `make run` starts it, `make test` proves it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DATABASE ?= sqlite
PACKAGES := -e shared -e services/gateway -e services/insurer -e services/insurer/plugins/volga \
            -e services/insurer/plugins/taiga -e services/registry -e services/payments
STAMP := $(VENV)/.installed
PYPROJECTS := $(wildcard shared/pyproject.toml services/*/pyproject.toml services/insurer/plugins/*/pyproject.toml)

.PHONY: install run demo test lint migrate seed-registry bench compose-check services clean help

help:
	@echo "make run [DATABASE=postgres]   start every service as a local process (Ctrl-C stops them)"
	@echo "make demo [DEMO_ARGS=--oms]      the ДМС-мигрант (or ОМС) story against the running system (make run first)"
	@echo "make test                      install, start PostgreSQL and RabbitMQ if needed, run every test"
	@echo "make lint                      ruff and mypy"
	@echo "make migrate [DATABASE=...]    bring every service's database schema up to date"
	@echo "make seed-registry N=1000000   load N synthetic persons into the local registry (PostgreSQL, COPY)"
	@echo "make bench                     benchmarks (figures in docs/BENCHMARKS.md)"
	@echo "make compose-check             validate compose.yaml with docker compose config"

install: $(STAMP)

$(STAMP): constraints.txt requirements-dev.txt $(PYPROJECTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt $(PACKAGES) -r requirements-dev.txt
	@touch $(STAMP)

services:
	@bash scripts/ensure-services.sh rabbitmq $(if $(filter postgres,$(DATABASE)),postgres)

run: install services
	$(PY) -m devtools.run_local --database $(DATABASE)

demo: install
	$(PY) -m devtools.demo $(DEMO_ARGS)

test: install
	@bash scripts/ensure-services.sh postgres rabbitmq
	@bash scripts/ensure-browser.sh
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared/src services devtools tests bench

migrate: install
	@bash scripts/ensure-services.sh $(if $(filter postgres,$(DATABASE)),postgres)
	$(PY) -m devtools.migrate --database $(DATABASE)

N ?= 1000000
seed-registry: install
	@bash scripts/ensure-services.sh postgres
	$(PY) -m devtools.migrate --database postgres
	$(PY) -m registry.seed --count $(N) --database-url $$($(PY) -c 'from devtools.processes import SYSTEM, local_database_url; print(local_database_url(next(s for s in SYSTEM if s.name == "registry"), "postgres"))')

bench: install
	@bash scripts/ensure-services.sh postgres rabbitmq
	$(PY) -m bench.messaging
	$(PY) -m bench.payments
	$(PY) -m bench.flow
	$(PY) -m bench.oms
	$(PY) -m bench.registry

compose-check:
	bash scripts/check-compose.sh

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
