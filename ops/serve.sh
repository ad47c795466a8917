#!/usr/bin/env bash
# `make run`'s last step: the outbox worker (search and graph follow PostgreSQL) beside the
# ASGI server; stopping one (Ctrl-C, SIGTERM) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var/log
.venv/bin/python manage.py outbox_worker >> var/log/outbox-worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT
.venv/bin/uvicorn config.asgi:application --host "$HOST" --port "$PORT" --lifespan off --timeout-graceful-shutdown 10
