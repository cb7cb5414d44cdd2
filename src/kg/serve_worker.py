"""One worker of `kg serve`: a whole HTTP server (kg.endpoint on uvicorn) on the listening socket it
inherits from the supervisor (kg.serve), answering queries in-process.

Run as `python -m kg.serve_worker` by the supervisor only: it reads its settings as JSON on stdin,
prints "ready" once it serves, and writes a heartbeat (the monotonic clock, 8 bytes) into a shared
memory file every HEARTBEAT seconds, so that the supervisor can tell a worker that stopped answering
from one that is busy. It ends itself when a query runs past its time limit (see kg.endpoint_workers).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import struct
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass

HEARTBEAT = 0.5  # seconds between two beats
END_GRACE = 0.5  # seconds an ending worker gives its other requests before it exits


@dataclass(frozen=True)
class Settings:
    """What a worker is told by the supervisor (sent as JSON: see `to_json`)."""

    store: str
    listen_fd: int
    heartbeat_fd: int
    bound_host: str
    timeout: float
    cache_bytes: int
    max_bytes: int
    max_depth: int
    allow_service: bool
    page: dict

    def to_json(self) -> bytes:
        return json.dumps(asdict(self)).encode("utf-8")


def stamp(heartbeat_fd: int, now: float) -> None:
    os.pwrite(heartbeat_fd, struct.pack("d", now), 0)


def last_stamp(heartbeat_fd: int) -> float:
    """The worker's last beat on the monotonic clock (0.0 before its first)."""
    data = os.pread(heartbeat_fd, 8, 0)
    return struct.unpack("d", data)[0] if len(data) == 8 else 0.0


def main() -> None:
    import pyoxigraph as ox
    import uvicorn

    from kg.endpoint import Limits, create_app
    from kg.endpoint_workers import AnswerCache, Engine, die_with_parent

    class QuietServer(uvicorn.Server):
        """uvicorn without its signal handlers: SIGINT is ignored and SIGTERM ends the worker at once
        (the supervisor sends it when `kg serve` stops)."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    die_with_parent()
    # Ctrl-C in a terminal reaches the whole process group: the supervisor stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    settings = Settings(**json.loads(sys.stdin.buffer.read()))
    try:
        store = ox.Store.read_only(settings.store)
    except OSError as error:
        print(f"cannot open the store {settings.store}: {error}", flush=True)
        return

    def end() -> None:
        """Stop accepting, give the other requests END_GRACE seconds, then exit (the supervisor replaces us)."""
        server.should_exit = True
        asyncio.get_running_loop().call_later(END_GRACE, os._exit, 0)

    def ready() -> None:
        loop = asyncio.get_running_loop()

        def beat() -> None:
            stamp(settings.heartbeat_fd, time.monotonic())
            loop.call_later(HEARTBEAT, beat)

        beat()
        print("ready", flush=True)

    limits = Limits(settings.max_bytes, settings.max_depth, settings.allow_service)
    engine = Engine(store, settings.timeout, AnswerCache(settings.cache_bytes), end)
    app = create_app(engine, limits, settings.bound_host, settings.page, ready)
    server = QuietServer(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on",
                                        timeout_keep_alive=5, proxy_headers=False, server_header=False))
    server.run(sockets=[socket.socket(fileno=settings.listen_fd)])
    os._exit(0)  # a query thread may still run a query that cannot be stopped: do not wait for it


if __name__ == "__main__":
    main()
