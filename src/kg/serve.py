"""`kg serve`: the built dataset on a local, read-only SPARQL 1.1 endpoint with a query page.

A supervisor (this module) binds the listening socket and starts worker
processes (kg.serve_worker) that share it, pre-fork style: each is a whole HTTP
server (kg.endpoint, Starlette on uvicorn) that checks every request before the
engine sees it and answers queries in-process from the store, opened read-only.
A worker ends itself when a query runs past the time limit; the supervisor
replaces every worker that exits, and kills and replaces one whose heartbeat
stops (its event loop no longer runs). The dataset is loaded once into
OUT/oxigraph-store and reloaded only when OUT/dataset.trig changes (its
SHA-256 is kept in OUT/oxigraph-store.sha256); a lock file keeps two serves
on one --out from loading it at the same time. The union of the layers is the
default graph; each layer stays queryable as its named graph.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import ipaddress
import os
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from kg.problems import EXIT_OK, KgError
from kg.project import Project
from kg.serve_worker import Settings, last_stamp

STORE_DIR = "oxigraph-store"
TITLE = "Peace talks knowledge graph: SPARQL query"
# 1,000 idle or half-open connections must not use up the descriptors the front needs.
WANTED_DESCRIPTORS = 8192
START_TIMEOUT = 60.0  # seconds a new worker has to open the store and serve
WATCH_EVERY = 0.25  # seconds between two looks at the workers
STALL_GRACE = 2.0  # seconds past the time limit after which a silent worker is taken for stuck
STOP_GRACE = 5.0  # seconds a stopping worker has before it is killed


def dataset_path(out: Path) -> Path:
    from kg.buildfolder import DATASET_TRIG

    path = out / DATASET_TRIG
    if not path.is_file():
        raise KgError(f"{path}: no built dataset: run `kg build --out {out}` first")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def prepare_store(out: Path) -> Path:
    """OUT/oxigraph-store holding OUT/dataset.trig, (re)loaded when the dataset changed.

    Under OUT/oxigraph-store.lock, so that a second serve waits and then reuses
    the store instead of loading over the first. Loads into a temporary folder
    and renames it, so an interrupted load never leaves a half-filled store.
    """
    import pyoxigraph as ox

    from kg.buildfolder import exclusive

    dataset = dataset_path(out)
    store = out / STORE_DIR
    stamp = out / (STORE_DIR + ".sha256")
    # a second serve waits quietly (its first lines on stdout are the page and endpoint)
    with exclusive(out / (STORE_DIR + ".lock"), None, f"{store}: another kg serve has been loading it"):
        digest = _sha256(dataset)
        if store.is_dir() and stamp.is_file() and stamp.read_text(encoding="ascii").strip() == digest:
            return store
        partial = out / (STORE_DIR + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        try:
            loading = ox.Store(str(partial))
            loading.bulk_load(path=str(dataset), format=ox.RdfFormat.TRIG)
            loading.flush()
            del loading
        except (OSError, SyntaxError, ValueError) as error:
            shutil.rmtree(partial, ignore_errors=True)
            raise KgError(f"{dataset}: cannot load it into the store: {error}") from None
        stamp.unlink(missing_ok=True)
        shutil.rmtree(store, ignore_errors=True)
        partial.rename(store)
        stamp.write_text(digest + "\n", encoding="ascii")
    return store


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """A host as written in a URL: IPv6 addresses in brackets."""
    return f"[{host}]" if ":" in host else host


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, made here so that a taken port is a clear error before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise KgError(f"{host}:{port}: address in use or not available: choose another --port or --host") from None
    return sock


def raise_descriptor_limit() -> None:
    """Lift the soft limit on open files towards the hard one (a default 1,024 is too few)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = WANTED_DESCRIPTORS if hard == resource.RLIM_INFINITY else min(WANTED_DESCRIPTORS, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def serve(project: Project, out: Path, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0, *,
          workers: int | None = None, allow_service: bool = False, max_query_size: int = 64 * 1024,
          max_depth: int = 64, cache_mb: float = 64.0) -> int:
    """Serve OUT's dataset until Ctrl-C (or SIGTERM); then stop the workers and return 0."""
    from kg.endpoint import Limits, page_config
    from kg.library import load_library

    if not 0 < port < 65536:
        raise KgError(f"--port {port}: not a TCP port (1-65535)")
    if not timeout > 0 or timeout == float("inf"):
        raise KgError(f"--timeout {timeout:g}: must be a positive number of seconds")
    workers = max(2, os.cpu_count() or 2) if workers is None else workers
    if workers < 1:
        raise KgError(f"--workers {workers}: must be at least 1")
    if cache_mb < 0:
        raise KgError(f"--cache-mb {cache_mb:g}: must be 0 (no cache) or more")
    if max_query_size < 1 or max_depth < 1:
        raise KgError("--max-query-size and --max-depth must be positive")
    if not is_loopback(host):
        print(f"warning: binding {host}: the endpoint is reachable from other machines "
              "(read-only, but anyone who can reach it can run queries)", file=sys.stderr)
    sock = bind(host, port)
    limits = Limits(max_query_size, max_depth, allow_service)
    settings = Settings(store=str(prepare_store(out)), listen_fd=sock.fileno(), heartbeat_fd=-1, bound_host=host,
                        timeout=timeout, cache_bytes=round(cache_mb * 1_000_000 / workers),
                        max_bytes=max_query_size, max_depth=max_depth, allow_service=allow_service,
                        page=page_config(load_library(project), limits, timeout, TITLE))
    supervisor = Supervisor(settings, workers)
    # SIGTERM stops us as Ctrl-C does.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    raise_descriptor_limit()
    try:
        supervisor.start()
        page = f"http://{url_host(host)}:{port}/"
        print(f"query page: {page}", flush=True)
        print(f"SPARQL endpoint: {page}query (read-only; default graph = union of the layers; "
              f"timeout {timeout:g} s; SERVICE {'allowed' if allow_service else 'refused'})", flush=True)
        cache = f"answers cached up to {cache_mb:g} MB" if cache_mb else "no answer cache"
        print(f"{workers} query workers; {cache}; press Ctrl-C to stop", flush=True)
        supervisor.watch()
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.stop()
        sock.close()
    print("stopped", flush=True)
    return EXIT_OK


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@dataclass
class Worker:
    """One worker process, its heartbeat file, and since when it has been starting (None once ready)."""

    process: subprocess.Popen
    heartbeat_fd: int
    starting_since: float | None = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int:
        return self.process.pid

    def ready(self, wait: float) -> bool | str:
        """True once it said "ready"; False while it is still starting; its message when it cannot start."""
        stdout = self.process.stdout
        assert stdout is not None
        if not select.select([stdout], [], [], wait)[0]:
            return False
        line = stdout.readline().decode("utf-8", "replace").strip()
        if line == "ready":
            self.starting_since = None
            stdout.close()
            return True
        self.process.wait(5)
        return line or f"it exited with status {self.process.returncode}"

    def kill(self, grace: float = 0.0) -> None:
        if self.process.poll() is None:
            if grace:
                self.process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(grace)
            self.process.kill()
        self.process.wait()
        if self.process.stdout and not self.process.stdout.closed:
            self.process.stdout.close()
        os.close(self.heartbeat_fd)


class Supervisor:
    """`size` workers on one listening socket, each replaced when it exits or stops beating."""

    def __init__(self, settings: Settings, size: int):
        self.settings, self.size = settings, size
        self.workers: list[Worker] = []

    def launch(self) -> Worker:
        heartbeat = os.memfd_create("kg-serve-heartbeat")
        os.ftruncate(heartbeat, 8)
        settings = dataclasses.replace(self.settings, heartbeat_fd=heartbeat)
        process = subprocess.Popen([sys.executable, "-m", "kg.serve_worker"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, pass_fds=(settings.listen_fd, heartbeat))
        assert process.stdin is not None
        with process.stdin:
            process.stdin.write(settings.to_json())
        worker = Worker(process, heartbeat)
        self.workers.append(worker)
        return worker

    def start(self) -> None:
        """Start every worker and wait until each serves; KgError when one cannot."""
        starting = [self.launch() for _ in range(self.size)]
        deadline = time.monotonic() + START_TIMEOUT
        for worker in starting:
            while (state := worker.ready(max(deadline - time.monotonic(), 0))) is False:
                if time.monotonic() >= deadline:
                    state = f"it did not start within {START_TIMEOUT:.0f} s"
                    break
            if state is not True:
                raise KgError(f"a query worker could not start: {state}")

    def watch(self) -> None:
        """Until interrupted: replace every worker that has exited or stopped beating."""
        stall = self.settings.timeout + STALL_GRACE
        while True:
            time.sleep(WATCH_EVERY)
            now = time.monotonic()
            for worker in list(self.workers):
                if worker.starting_since is not None:
                    state = worker.ready(0)
                    if state is True or (state is False and now - worker.starting_since < START_TIMEOUT):
                        continue
                    print(f"error: a query worker could not start: {state or 'it did not start in time'}",
                          file=sys.stderr, flush=True)
                elif worker.process.poll() is None and now - last_stamp(worker.heartbeat_fd) < stall:
                    continue
                self.workers.remove(worker)
                worker.kill()
                self.launch()

    def stop(self) -> None:
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.terminate()
        for worker in self.workers:
            worker.kill(STOP_GRACE)
        self.workers.clear()
