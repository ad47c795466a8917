# One command each: `make run` serves the site, `make test` runs the whole suite.
# Both install what is missing (Debian packages, .venv, OpenSearch and Neo4j from Maven
# Central) and start the real servers on 127.0.0.1 with their data under var/.

SHELL := /bin/bash
PY := .venv/bin/python
MANAGE := $(PY) manage.py
STACK := ops/stack.sh
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install services stop status clean lint typecheck serve worker

install:
	@$(STACK) install

run: install
	@$(STACK) start postgres redis opensearch neo4j
	@$(STACK) createdb marketplace
	@DJANGO_SETTINGS_MODULE=config.settings.local $(MANAGE) prepare --demo
	@$(MAKE) --no-print-directory serve

serve:
	@echo
	@echo "  Site      http://$(HOST):$(PORT)/"
	@echo "  Admin     http://$(HOST):$(PORT)/admin/   (demo login: admin / demo-admin-password)"
	@echo "  API docs  http://$(HOST):$(PORT)/api/docs/"
	@echo "  Health    http://$(HOST):$(PORT)/healthz"
	@echo
	@echo "  Demo      sellers seller-jp-001 …, buyers buyer-en-001 … (password demo-password-123)"
	@echo "  Worker    outbox worker log in var/log/outbox-worker.log"
	@echo
	@DJANGO_SETTINGS_MODULE=config.settings.local HOST=$(HOST) PORT=$(PORT) ops/serve.sh

test: install
	@$(STACK) start postgres redis opensearch neo4j-test
	@mkdir -p var/reports
	@DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) compilemessages -v 0 --ignore=.venv
	@DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/pytest $(PYTEST_ARGS)

stop:
	@$(STACK) stop

status:
	@$(STACK) status

clean: stop
	rm -rf var/

# The gates CI runs before the suite (.ci/run): style, format, the layers between the apps
# (import-linter, contracts in pyproject.toml), migrations that match the models, types.
lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	.venv/bin/python -m events.check
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

typecheck: install
	.venv/bin/mypy .
