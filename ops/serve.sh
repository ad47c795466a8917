#!/usr/bin/env bash
# `make run`'s last step: the ASGI server on $HOST:$PORT (python -m core.server: uvicorn that
# drains its sockets on SIGTERM) with the outbox worker (search and graph follow PostgreSQL), the
# auction closer, the events sink and the alerts' email sender beside it; stopping the server (Ctrl-C, SIGTERM) stops them.
#
# More nodes: `SERVE_ONLY=1 PORT=8001 ops/serve.sh` runs just another server process (exec'd,
# so SIGTERM reaches it directly). The worker, the closer and the sink are safe to run in several
# places but one of each is enough.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
server=(.venv/bin/python -m core.server --host "$HOST" --port "$PORT" --timeout-graceful-shutdown 10)
if [[ "${SERVE_ONLY:-0}" == 1 ]]; then
  exec "${server[@]}"
fi
mkdir -p var/log
.venv/bin/python manage.py outbox_worker >> var/log/outbox-worker.log 2>&1 &
worker=$!
.venv/bin/python manage.py auction_closer >> var/log/auction-closer.log 2>&1 &
closer=$!
.venv/bin/python manage.py events_sink >> var/log/events-sink.log 2>&1 &
sink=$!
.venv/bin/python manage.py alerts_sender >> var/log/alerts-sender.log 2>&1 &
sender=$!
"${server[@]}" &
server_pid=$!
trap 'kill -TERM $server_pid 2>/dev/null || true' TERM INT
trap 'kill $worker $closer $sink $sender 2>/dev/null; wait $worker $closer $sink $sender 2>/dev/null || true' EXIT
status=0
while true; do  # a trapped signal interrupts `wait`; keep waiting while the server drains
  wait "$server_pid" && status=0 || status=$?
  kill -0 "$server_pid" 2>/dev/null || break
done
exit "$status"
