"""The ASGI server process: uvicorn serving config.asgi, with a graceful drain on SIGTERM.

    python -m core.server --host 127.0.0.1 --port 8001

On SIGTERM (or Ctrl-C) the process stops accepting connections, lets every open socket finish
its in-flight bid, sends it `{"event": "reconnect"}` and closes it with code 1012, then lets
uvicorn finish in-flight HTTP requests (`--timeout-graceful-shutdown`) and exits. Run one such
process per port; they share state only through PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import gc
import os
import socket

import uvicorn


class DrainingServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        from django.conf import settings

        from core.draining import sockets_drain

        for server in self.servers:  # stop accepting first: clients reconnect to another node
            server.close()
        await sockets_drain(timeout=settings.SHUTDOWN_DRAIN_SECONDS)
        await super().shutdown(sockets)


def tune_garbage_collection() -> None:
    """Garbage collection on a server holding thousands of sockets: a full collection walks
    every object of every socket and stalls them all (≈ 400 ms with 2,500 sockets on this
    machine). Django and the project's modules live as long as the process: frozen, they are
    never walked. A larger young generation lets the short-lived objects of each fan-out (a
    task per socket) die before a collection promotes them, and full collections wait for ten
    times more middle-generation ones than CPython's default (see docs/benchmarks.md). Call
    once everything the process keeps is loaded."""
    from django.conf import settings

    gc.collect()
    gc.freeze()
    gc.set_threshold(*settings.GC_THRESHOLDS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--no-access-log", action="store_true")
    parser.add_argument("--timeout-graceful-shutdown", type=int, default=10)
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.conf import settings
    from django.utils.module_loading import import_string

    application = import_string(settings.ASGI_APPLICATION)  # the project's, from its settings

    tune_garbage_collection()
    config = uvicorn.Config(
        application,
        host=options.host,
        port=options.port,
        lifespan="off",
        log_level=options.log_level,
        access_log=not options.no_access_log,
        timeout_graceful_shutdown=options.timeout_graceful_shutdown,
        # Auction events are small JSON fanned out to thousands of sockets: compressing each
        # copy once per socket (permessage-deflate) would cost more CPU than the bytes it saves.
        ws_per_message_deflate=False,
        # A client's message is a bid of a few hundred bytes: larger frames are refused by the
        # server before they are buffered (uvicorn's default would take 16 MB).
        ws_max_size=64 * 1024,
    )
    DrainingServer(config).run()


if __name__ == "__main__":
    main()
