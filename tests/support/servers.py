"""Test and benchmark support: start and stop the Oxigraph server on loopback.

Not part of the installed package: `kg serve` has its own front and workers,
so only the tests and benchmarks start `oxigraph serve` (a benchmark puts
tests/ on sys.path to import this). Every server binds 127.0.0.1 unless told
otherwise and is stopped by `Server.stop()` (also on leaving a `with` block),
which terminates the process and waits for it. Virtuoso and the
query-comparison helpers live in tests/support/stores.py.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from kg.problems import KgError

LOOPBACK = "127.0.0.1"


@dataclass
class Server:
    """A running server process and its endpoints."""

    name: str
    process: subprocess.Popen
    base_url: str
    query_endpoint: str
    update_endpoint: str
    graph_store_endpoint: str
    log: Path | None = None
    credentials: tuple[str, str] | None = field(default=None)

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20.0) -> int:
        """Terminate the server, wait for it (kill after `timeout` s); return its exit status."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()
        return self.process.returncode

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_free(host: str, port: int) -> bool:
    """Whether nothing listens on host:port yet."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host.strip("[]"), port))
        except OSError:
            return False
        return True


def executable(name: str) -> str | None:
    """`name` next to this Python (a venv's bin/, where pip puts `oxigraph`), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    return shutil.which(name)


def url_host(host: str) -> str:
    """A host as written in a URL: IPv6 addresses in brackets."""
    return f"[{host}]" if ":" in host else host


def wait_until_answers(server: Server, timeout: float = 60.0) -> None:
    """Block until the query endpoint answers ASK {}; raise KgError if the process dies or time runs out."""
    url = server.query_endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.running():
            raise KgError(f"{server.name} server exited with status {server.process.returncode}"
                          + _log_tail(server))
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    server.stop()
    raise KgError(f"{server.name} server did not answer at {server.query_endpoint} within {timeout:.0f} s"
                  + _log_tail(server))


def _wait_or_stop(server: Server, timeout: float) -> None:
    """Wait until the server answers; stop it if that fails or is interrupted."""
    try:
        wait_until_answers(server, timeout)
    except BaseException:
        server.stop()
        raise


def _log_tail(server: Server, lines: int = 15) -> str:
    if server.log and server.log.is_file():
        text = server.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        return ":\n" + "\n".join(text) if text else ""
    return ""


def oxigraph_command(subcommand: str, *args: str) -> list[str]:
    program = executable("oxigraph")
    if program is None:
        raise KgError("oxigraph: the Oxigraph server is not installed (pip install oxigraph)")
    return [program, subcommand, *args]


def load_oxigraph_store(location: Path, dataset: Path) -> None:
    """`oxigraph load` the dataset file (TriG keeps its named graphs) into the store folder."""
    result = subprocess.run(oxigraph_command("load", "--location", str(location), "--file", str(dataset)),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise KgError(f"{dataset}: oxigraph load failed: {result.stderr.strip()}")


def start_oxigraph(location: Path | None, *, host: str = LOOPBACK, port: int | None = None,
                   read_only: bool = False, union_default_graph: bool = True,
                   timeout_s: float | None = None, log: Path | None = None,
                   new_session: bool = False) -> Server:
    """Start `oxigraph serve` (writable; in memory when `location` is None) or
    `oxigraph serve-read-only` on a store folder; return once it answers."""
    port = port or free_port(host)
    args = ["--bind", f"{url_host(host)}:{port}"]
    if location is not None:
        args += ["--location", str(location)]
    elif read_only:
        raise KgError("a read-only Oxigraph server needs a store folder")
    if union_default_graph:
        args.append("--union-default-graph")
    if timeout_s is not None:
        args += ["--timeout-s", str(max(1, round(timeout_s)))]
    command = oxigraph_command("serve-read-only" if read_only else "serve", *args)
    stream = open(log, "ab") if log else subprocess.DEVNULL
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stream, stderr=stream,
                                   start_new_session=new_session)
    finally:
        if log:
            stream.close()
    base = f"http://{url_host(host)}:{port}"
    server = Server("oxigraph", process, base + "/", base + "/query", base + "/update", base + "/store", log)
    _wait_or_stop(server, 60.0)
    return server


def federated(text: str) -> bool:
    """Whether a query calls out to another endpoint (SERVICE): it needs that endpoint, not just ours."""
    body = re.sub(r"(?m)^\s*#.*$", "", text)
    return re.search(r"\bSERVICE\s+(SILENT\s+)?[<?$\w]", body, re.IGNORECASE) is not None
