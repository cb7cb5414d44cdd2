"""kg.http, the client of push and enrich: its time limit counts the whole request, not each read."""

from __future__ import annotations

import time

import pytest
from conftest import LoopbackServer

from kg.http import Client, HttpError


class DripServer(LoopbackServer):
    """Sends its answer one line (headers) or one byte (body) at a time, 0.1 s apart, 100 steps at most."""

    def __init__(self, where: str):
        import http.server

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                try:
                    if where == "headers":
                        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                        for index in range(100):
                            self.wfile.write(f"X-Drip-{index}: a\r\n".encode())
                            self.wfile.flush()
                            time.sleep(0.1)
                    else:
                        self.send_response(200)
                        self.send_header("Content-Length", "100")
                        self.end_headers()
                        for _ in range(100):
                            self.wfile.write(b"x")
                            self.wfile.flush()
                            time.sleep(0.1)
                except OSError:
                    pass  # the client hung up: what it should do

            def log_message(self, *args) -> None:
                pass

        super().__init__(Handler, "/")


@pytest.mark.server
@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_drip_feed_is_cut_at_the_time_limit(where: str) -> None:
    server = DripServer(where)
    started = time.monotonic()
    try:
        with pytest.raises(HttpError) as error, Client(timeout=1.0) as client:
            client.request("GET", server.url)
    finally:
        server.close()
    elapsed = time.monotonic() - started
    assert str(error.value) == f"{server.url}: no complete answer within 1 s"
    assert 0.9 < elapsed < 3  # each byte came well within a per-read timeout; the total did not
