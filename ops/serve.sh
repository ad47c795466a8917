#!/usr/bin/env bash
# `make run`'s last step: the outbox worker (search and graph follow PostgreSQL) and the
# auction closer beside the ASGI server; stopping the server (Ctrl-C, SIGTERM) stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var/log
.venv/bin/python manage.py outbox_worker >> var/log/outbox-worker.log 2>&1 &
worker=$!
.venv/bin/python manage.py auction_closer >> var/log/auction-closer.log 2>&1 &
closer=$!
trap 'kill $worker $closer 2>/dev/null; wait $worker $closer 2>/dev/null' EXIT
.venv/bin/uvicorn config.asgi:application --host "$HOST" --port "$PORT" --lifespan off --timeout-graceful-shutdown 10
