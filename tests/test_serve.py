"""`kg serve`: the real Oxigraph server, started as a user would, queried over HTTP, then stopped with Ctrl-C."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import require

from kg import servers
from kg.library import load_library, run_query
from kg.serve import STORE_DIR, is_loopback, prepare_store

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[1]
PTR = "https://w3id.org/peace-talks-kg/id/"


def library() -> dict[str, str]:
    from kg.project import find_project

    return {q.name: q.text for q in load_library(find_project(ROOT)) if not servers.federated(q.text)}


LIBRARY = library()


def kg(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


class Served:
    """A running `kg serve` process and what it printed."""

    def __init__(self, process: subprocess.Popen, lines: list[str]):
        self.process, self.lines = process, lines
        self.page = re.fullmatch(r"query page: (\S+)", lines[0])[1]
        self.endpoint = self.page + "query"
        self.server_pid = int(re.search(r"Oxigraph server pid (\d+)", lines[2])[1])


@pytest.fixture(scope="module")
def out(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the build folder (serve writes its store folder there)."""
    folder = tmp_path_factory.mktemp("serve")
    shutil.copy(built / "dataset.trig", folder / "dataset.trig")
    return folder


@pytest.fixture(scope="module")
def served(out: Path):
    require(servers.executable("oxigraph") is not None, "oxigraph (the server CLI) is not installed")
    port = servers.free_port()
    process = kg("serve", "--out", str(out), "--port", str(port), "--timeout", "20")
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while len(lines) < 3 and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                pytest.fail(f"kg serve exited: {process.wait()} {process.stderr.read()}")
            lines.append(line.rstrip("\n"))
        yield Served(process, lines)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdout, process.stderr):
            stream.close()


def test_serve_prints_the_query_page_on_loopback(served: Served):
    assert re.fullmatch(r"query page: http://127\.0\.0\.1:\d+/", served.lines[0])
    assert served.lines[1] == (f"SPARQL endpoint: {served.endpoint} (read-only; default graph = union of the "
                               "layers; timeout 20 s)")
    assert served.lines[2] == f"Oxigraph server pid {served.server_pid}; press Ctrl-C to stop"
    listening = Path("/proc/net/tcp").read_text()
    port = int(served.page.rsplit(":", 1)[1].strip("/"))
    # 0100007F is 127.0.0.1 in /proc/net/tcp's little-endian hex; state 0A is LISTEN.
    assert re.search(rf"0100007F:{port:04X} 00000000:0000 0A", listening)


def test_query_page_answers_with_its_ui(served: Served):
    with urllib.request.urlopen(served.page, timeout=10) as response:
        page = response.read().decode("utf-8")
    assert response.status == 200
    assert "yasgui" in page.lower()
    with urllib.request.urlopen(served.page + "yasgui.min.js", timeout=10) as response:
        assert response.status == 200 and len(response.read()) > 10_000  # the UI is served locally


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_library_query_over_http_gives_the_in_process_answer(served: Served, store, name: str):
    text = LIBRARY[name]
    local = servers.comparable(run_query(store, text, timeout=None, where=name))
    remote = servers.comparable(servers.remote_query(served.endpoint, text))
    assert remote == local


def test_union_default_graph_and_named_layers(served: Served):
    # "... Trump and Vance ... during a meeting at the White House on Feb. 28": pt:participant is
    # materialised in the inferred layer; the labels are asserted. The default graph must join both.
    rows = servers.remote_query(served.endpoint, f"""
        PREFIX pt: <https://w3id.org/peace-talks-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?actor WHERE {{ <{PTR}event-oval-office-meeting-feb-28> pt:participant ?actor .
                               ?actor rdfs:label ?label }}""").rows
    assert {PTR + "trump", PTR + "zelenskyy", PTR + "vance"} <= {row[0].value for row in rows}
    graphs = servers.remote_query(served.endpoint, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    assert {row[0].value for row in graphs} >= {"https://w3id.org/peace-talks-kg/graph/asserted",
                                                "https://w3id.org/peace-talks-kg/graph/inferred",
                                                "https://w3id.org/peace-talks-kg/graph/vocabulary"}


def test_updates_are_refused(served: Served):
    request = urllib.request.Request(served.page + "update", data=b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                                     headers={"Content-Type": "application/sparql-update"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    assert refused.value.read() == b"The server is read-only"
    ask = servers.remote_query(served.endpoint, "ASK { <urn:a> <urn:b> <urn:c> }")
    assert ask.boolean is False


def test_ctrl_c_stops_the_server_and_exits_0(served: Served):
    # Runs last in this module (pytest keeps file order): it stops the shared server.
    assert alive(served.server_pid)
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(30) == 0
    assert served.process.stdout.read() == "stopped\n"
    deadline = time.monotonic() + 10
    while alive(served.server_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(served.server_pid)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(served.endpoint + "?query=ASK%7B%7D", timeout=5)


# --- the store folder and bad input --------------------------------------------------------

def test_store_is_reused_and_rebuilt_when_the_dataset_changes(built: Path, tmp_path: Path):
    import pyoxigraph as ox

    require(servers.executable("oxigraph") is not None, "oxigraph (the server CLI) is not installed")
    shutil.copy(built / "dataset.trig", tmp_path / "dataset.trig")
    store = prepare_store(tmp_path)
    assert store == tmp_path / STORE_DIR
    marker = store / "reused-marker"
    marker.write_text("")
    prepare_store(tmp_path)
    assert marker.exists()  # same dataset: not reloaded
    with (tmp_path / "dataset.trig").open("a", encoding="utf-8") as trig:
        trig.write('\n<urn:g> { <urn:s> <urn:p> "added" . }\n')
    prepare_store(tmp_path)
    assert not marker.exists()
    assert not (tmp_path / (STORE_DIR + ".partial")).exists()
    reopened = ox.Store.read_only(str(store))
    assert ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("added"),
                   ox.NamedNode("urn:g")) in reopened


def test_serve_without_a_build_is_a_clear_error(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--out", str(tmp_path),
                             "--port", str(servers.free_port())], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == f"error: {tmp_path}/dataset.trig: no built dataset: run `kg build --out {tmp_path}` first\n"


def test_a_non_loopback_host_is_warned_about(tmp_path: Path):
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the warning comes, then binding fails.
    result = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--out", str(tmp_path), "--host", "192.0.2.1",
                             "--port", "7878"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == ("warning: binding 192.0.2.1: the endpoint is reachable from other machines "
                             "(read-only, but anyone who can reach it can run queries)\n"
                             "error: 192.0.2.1:7878: address in use or not available: choose another --port or "
                             "--host\n")


def test_a_port_in_use_is_a_clear_error(tmp_path: Path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--out", str(tmp_path), "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == (f"error: 127.0.0.1:{port}: address in use or not available: choose another --port "
                             "or --host\n")


def test_loopback_addresses():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.10", "::", "example.org"))


def test_serve_binds_loopback_by_default():
    from kg.cli import parser

    args = parser().parse_args(["serve"])
    assert (args.host, args.port, args.timeout) == ("127.0.0.1", 7878, 30.0)
