"""`kg serve`: the built dataset on a local, read-only SPARQL 1.1 endpoint with a query page.

The Oxigraph server (`oxigraph serve-read-only`, from the `oxigraph` PyPI
package) does the serving; it ships a YASGUI query page at its root. The
dataset is loaded once into OUT/oxigraph-store and reloaded only when
OUT/dataset.trig changes (its SHA-256 is kept in OUT/oxigraph-store.sha256).
The union of the layers is the default graph; each layer stays queryable as
its named graph.
"""

from __future__ import annotations

import hashlib
import ipaddress
import shutil
import signal
import sys
from pathlib import Path

from kg.problems import EXIT_OK, KgError

STORE_DIR = "oxigraph-store"


def dataset_path(out: Path) -> Path:
    from kg.build import DATASET_TRIG

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

    Loads into a temporary folder and renames it, so an interrupted load never
    leaves a half-filled store behind.
    """
    from kg.servers import load_oxigraph_store

    dataset = dataset_path(out)
    store = out / STORE_DIR
    stamp = out / (STORE_DIR + ".sha256")
    digest = _sha256(dataset)
    if store.is_dir() and stamp.is_file() and stamp.read_text(encoding="ascii").strip() == digest:
        return store
    partial = out / (STORE_DIR + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    load_oxigraph_store(partial, dataset)
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


def serve(out: Path, host: str = "127.0.0.1", port: int = 7878, timeout: float = 30.0) -> int:
    """Serve OUT's dataset until Ctrl-C (or SIGTERM); then stop the server and return 0."""
    from kg.servers import port_free, start_oxigraph, url_host

    if not 0 < port < 65536:
        raise KgError(f"--port {port}: not a TCP port (1-65535)")
    if timeout <= 0:
        raise KgError(f"--timeout {timeout}: must be positive")
    if not is_loopback(host):
        print(f"warning: binding {host}: the endpoint is reachable from other machines "
              "(read-only, but anyone who can reach it can run queries)", file=sys.stderr)
    if not port_free(host, port):
        raise KgError(f"{host}:{port}: address in use or not available: choose another --port or --host")
    store = prepare_store(out)
    # SIGTERM stops us like Ctrl-C does, so the server is always stopped with us.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    # The server runs in its own session: Ctrl-C reaches only us, and we stop it.
    server = start_oxigraph(store, host=host, port=port, read_only=True, union_default_graph=True,
                            timeout_s=timeout, new_session=True, log=out / "oxigraph-server.log")
    try:
        page = f"http://{url_host(host)}:{port}/"
        print(f"query page: {page}", flush=True)
        print(f"SPARQL endpoint: {page}query (read-only; default graph = union of the layers; "
              f"timeout {timeout:g} s)", flush=True)
        print(f"Oxigraph server pid {server.process.pid}; press Ctrl-C to stop", flush=True)
        status = server.process.wait()
        raise KgError(f"the Oxigraph server stopped by itself (status {status}); see {server.log}")
    except KeyboardInterrupt:
        server.stop()
        print("stopped", flush=True)
        return EXIT_OK
    finally:
        server.stop()


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
