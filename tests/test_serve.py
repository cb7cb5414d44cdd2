"""`kg serve`: the front and its workers, started as a user would, attacked over loopback, then stopped.

Each attack of issue 12 (deep nesting, size, SERVICE, runaway queries, DNS rebinding, slowloris,
two serves on one folder) is reproduced here with bounded loops against a real `kg serve`.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, require

from support import servers
from support import stores
from support.expected import stand_in_endpoint
from kg.endpoint import Limits, check_query, negotiate, RESULT_TYPES, GRAPH_TYPES
from kg.library import load_library, run_query
from kg.serve import STORE_DIR, is_loopback, prepare_store

PTR = "https://w3id.org/peace-talks-kg/id/"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON = "application/sparql-results+json"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"  # screenshots for a person to look at (git-ignored)


def library() -> dict[str, str]:
    from kg.project import find_project

    return {q.name: q.text for q in load_library(find_project(ROOT)) if not q.check and not q.federated}


LIBRARY = library()


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def workers_of(pid: int) -> list[int]:
    """The query workers among a process's children (`python -m kg.serve_worker`), live ones only."""
    children = [c for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()]
    return sorted(int(c) for c in children
                  if alive(int(c)) and b"kg.serve_worker" in Path(f"/proc/{c}/cmdline").read_bytes())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime, stime in clock ticks (100 Hz on Linux)


class Served:
    """A running `kg serve` process and what it printed."""

    def __init__(self, process: subprocess.Popen, lines: list[str]):
        self.process, self.lines = process, lines
        self.page = re.fullmatch(r"query page: (\S+)", lines[0])[1]
        self.endpoint = self.page + "query"
        self.port = int(self.page.rsplit(":", 1)[1].strip("/"))

    def get(self, path: str, headers: dict | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
        return http(urllib.request.Request(self.page + path, headers=headers or {}), timeout)

    def post(self, path: str, body: bytes, kind: str, accept: str = JSON, timeout: float = 30):
        request = urllib.request.Request(self.page + path, data=body,
                                         headers={"Content-Type": kind, "Accept": accept})
        return http(request, timeout)

    def ask(self, query: str, accept: str = JSON, timeout: float = 30):
        form = urllib.parse.urlencode({"query": query}).encode()
        return self.post("query", form, "application/x-www-form-urlencoded", accept, timeout)


def http(request: urllib.request.Request, timeout: float) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


STARTED: list[subprocess.Popen] = []  # every kg serve a test started, stopped at the end whatever happened


@pytest.fixture(scope="module", autouse=True)
def no_server_left_running():
    yield
    for process in STARTED:
        if process.poll() is None:
            process.kill()
            process.wait(30)


def launch(out: Path, *args: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--out", str(out),
                                "--port", str(servers.free_port()), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    STARTED.append(process)
    return process


def start(out: Path, *args: str) -> Served:
    """`kg serve --out OUT ARGS` on a free loopback port; returns once it printed its three lines."""
    process = launch(out, *args)
    lines: list[str] = []
    deadline = time.monotonic() + 120
    while len(lines) < 3 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            process.wait(30)
            pytest.fail(f"kg serve exited {process.returncode}: {process.stderr.read()}")
        lines.append(line.rstrip("\n"))
    return Served(process, lines)


def stop(served: Served) -> None:
    if served.process.poll() is None:
        served.process.send_signal(signal.SIGINT)
        try:
            served.process.wait(30)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait()
    for stream in (served.process.stdout, served.process.stderr):
        stream.close()


@pytest.fixture(scope="module")
def out(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the build folder (serve writes its store folder there)."""
    folder = tmp_path_factory.mktemp("serve")
    shutil.copy(built / "dataset.trig", folder / "dataset.trig")
    return folder


@pytest.fixture(scope="module")
def served(out: Path):
    server = start(out, "--timeout", "20")
    yield server
    stop(server)


pytestmark = pytest.mark.server


def test_serve_prints_its_page_and_listens_on_loopback_only(served: Served):
    assert re.fullmatch(r"query page: http://127\.0\.0\.1:\d+/", served.lines[0])
    assert served.lines[1] == (f"SPARQL endpoint: {served.endpoint} (read-only; default graph = union of the "
                               "layers; timeout 20 s; SERVICE refused)")
    assert re.fullmatch(r"\d+ query workers; answers cached up to 64 MB; press Ctrl-C to stop", served.lines[2])
    # 0100007F is 127.0.0.1 in /proc/net/tcp's little-endian hex; state 0A is LISTEN.
    listening = Path("/proc/net/tcp").read_text()
    assert re.search(rf"0100007F:{served.port:04X} 00000000:0000 0A", listening)
    assert not re.search(rf"00000000:{served.port:04X} 00000000:0000 0A", listening)


# --- the SPARQL 1.1 Protocol ------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_library_query_over_http_gives_the_in_process_answer(served: Served, store, name: str):
    text = LIBRARY[name]
    local = stores.comparable(run_query(store, text, timeout=None, where=name))
    remote = stores.comparable(stores.remote_query(served.endpoint, text))
    assert remote == local


def test_get_post_form_and_sparql_query_body_agree(served: Served):
    import pyoxigraph as ox

    query = f"SELECT ?label WHERE {{ <{PTR}trump> <{RDFS_LABEL}> ?label }}"
    answers = [
        served.get("query?" + urllib.parse.urlencode({"query": query}), {"Accept": JSON}),
        served.ask(query),
        served.post("query", query.encode(), "application/sparql-query"),
    ]
    for status, headers, body in answers:
        assert status == 200 and headers["content-type"] == JSON
        rows = list(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
        assert [row["label"].value for row in rows] == ["Donald Trump"]


@pytest.mark.parametrize("accept, media, fmt", [
    ("application/sparql-results+json", "application/sparql-results+json", "JSON"),
    ("application/sparql-results+xml", "application/sparql-results+xml", "XML"),
    ("text/csv", "text/csv; charset=utf-8", None),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", "TSV"),
    ("text/html, */*;q=0.1", "application/sparql-results+json", "JSON"),
])
def test_select_results_in_every_format_by_accept(served: Served, accept: str, media: str, fmt: str | None):
    import pyoxigraph as ox

    query = f"SELECT ?o WHERE {{ <{PTR}putin> <{RDFS_LABEL}> ?o }}"
    status, headers, body = served.ask(query, accept)
    assert (status, headers["content-type"]) == (200, media)
    if fmt is None:  # CSV is lossy (no language tags): pyoxigraph does not parse it back
        assert body == b"o\r\nVladimir Putin\r\n"
        return
    answer = ox.parse_query_results(body, format=getattr(ox.QueryResultsFormat, fmt))
    assert [row["o"].value for row in answer] == ["Vladimir Putin"]


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "TURTLE"), ("application/n-triples", "N_TRIPLES"),
                                         ("application/rdf+xml", "RDF_XML"), ("", "TURTLE")])
def test_construct_answers_rdf_by_accept(served: Served, accept: str, fmt: str):
    import pyoxigraph as ox

    query = f"CONSTRUCT {{ <{PTR}putin> <{RDFS_LABEL}> ?o }} WHERE {{ <{PTR}putin> <{RDFS_LABEL}> ?o }}"
    status, headers, body = served.ask(query, accept)
    assert status == 200
    triples = [q.triple for q in ox.parse(body, format=getattr(ox.RdfFormat, fmt))]
    assert triples == [ox.Triple(ox.NamedNode(PTR + "putin"), ox.NamedNode(RDFS_LABEL),
                                 ox.Literal("Vladimir Putin", language="en"))]


def test_a_format_nobody_offers_is_406(served: Served):
    status, _, body = served.ask("ASK {}", accept="image/png")
    assert status == 406
    assert body.decode().startswith("a SELECT or ASK query answers with SPARQL results: accept")


def test_project_prefixes_are_predeclared(served: Served):
    status, _, body = served.ask("ASK { ptr:putin rdfs:label ?l }")
    assert (status, body) == (200, b'{"head":{},"boolean":true}')


def test_union_default_graph_and_named_layers(served: Served):
    # "... Trump and Vance ... during a meeting at the White House on Feb. 28": pt:participant is
    # materialised in the inferred layer; the labels are asserted. The default graph must join both.
    rows = stores.remote_query(served.endpoint, f"""
        PREFIX pt: <https://w3id.org/peace-talks-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?actor WHERE {{ <{PTR}event-oval-office-meeting-feb-28> pt:participant ?actor .
                               ?actor rdfs:label ?label }}""").rows
    assert {PTR + "trump", PTR + "zelenskyy", PTR + "vance"} <= {row[0].value for row in rows}
    graphs = stores.remote_query(served.endpoint, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    assert {row[0].value for row in graphs} >= {"https://w3id.org/peace-talks-kg/graph/asserted",
                                                "https://w3id.org/peace-talks-kg/graph/inferred",
                                                "https://w3id.org/peace-talks-kg/graph/vocabulary"}


def test_default_graph_uri_narrows_the_dataset(served: Served):
    # pt:participant lives in the inferred layer only: with the asserted layer as default graph it is gone.
    query = f"ASK {{ <{PTR}event-oval-office-meeting-feb-28> <https://w3id.org/peace-talks-kg/ontology#participant> ?a }}"
    base = "query?" + urllib.parse.urlencode({"query": query})
    asserted = urllib.parse.urlencode({"default-graph-uri": "https://w3id.org/peace-talks-kg/graph/asserted"})
    inferred = urllib.parse.urlencode({"default-graph-uri": "https://w3id.org/peace-talks-kg/graph/inferred"})
    assert served.get(f"{base}&{asserted}", {"Accept": JSON})[2] == b'{"head":{},"boolean":false}'
    assert served.get(f"{base}&{inferred}", {"Accept": JSON})[2] == b'{"head":{},"boolean":true}'


def test_a_syntax_error_is_a_clear_400(served: Served):
    status, _, body = served.ask("SELECT ?s WHERE { ?s ?p }")
    assert status == 400
    assert body.decode().startswith("syntax error at line 1, column ")


READ_ONLY = b"this endpoint is read-only: SPARQL updates are refused (the dataset changes only through kg build)\n"


@pytest.mark.parametrize("path, body, kind", [
    ("update", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update"),
    ("query", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update"),
    ("query", b"update=INSERT+DATA+%7B+%3Curn%3Aa%3E+%3Curn%3Ab%3E+%3Curn%3Ac%3E+%7D",
     "application/x-www-form-urlencoded"),
    ("query", b"query=INSERT+DATA+%7B+%3Curn%3Aa%3E+%3Curn%3Ab%3E+%3Curn%3Ac%3E+%7D",
     "application/x-www-form-urlencoded"),
])
def test_updates_are_refused(served: Served, path: str, body: bytes, kind: str):
    assert served.post(path, body, kind)[::2] == (403, READ_ONLY)
    assert stores.remote_query(served.endpoint, "ASK { <urn:a> <urn:b> <urn:c> }").boolean is False


# --- limits checked before the engine parses ----------------------------------------------------

def test_ten_thousand_nested_braces_get_a_400_not_a_crash(served: Served):
    status, _, body = served.ask("ASK " + "{" * 10_000 + "}" * 10_000)
    assert status == 400
    assert body == b"the query nests brackets ( { [ more than 64 deep; kg serve accepts at most 64 (--max-depth)\n"
    assert served.ask("ASK {}")[0] == 200  # and it still answers


def test_five_thousand_nested_parentheses_the_crash_repro_get_a_400(served: Served):
    # the probe's ~10 KB request that overflowed the engine's stack and aborted the old server
    status, _, body = served.ask("SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }")
    assert status == 400 and b"more than 64 deep" in body
    assert served.ask("ASK {}")[0] == 200


def test_a_query_over_64_kb_is_refused(served: Served):
    query = "ASK {} #" + "x" * (64 * 1024)
    status, _, body = served.ask(query)
    assert status == 413
    assert body == f"the query is {len(query):,} bytes; kg serve accepts at most 65,536 (--max-query-size)\n".encode()


def test_a_huge_body_is_refused_before_it_is_read(served: Served):
    import http.client

    # Only the headers are sent: the answer must come without the front waiting for a gigabyte.
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        connection.putrequest("POST", "/query")
        connection.putheader("Content-Type", "application/x-www-form-urlencoded")
        connection.putheader("Content-Length", str(2**30))
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 413
        assert response.read() == b"the request body is 1,073,741,824 bytes; kg serve accepts at most 204,800\n"
    finally:
        connection.close()


class Recorder(threading.Thread):
    """A TCP listener on loopback that counts the connections made to it (an SSRF target)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        self.hits, self.running = 0, True
        self.start()

    def run(self) -> None:
        while self.running:
            try:
                connection, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.hits += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.join(5)
        self.sock.close()


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
])
def test_service_is_refused_and_nothing_is_fetched(served: Served, template: str):
    target = Recorder()
    try:
        status, _, body = served.ask(template.format(url=target.url))
        time.sleep(0.3)
        assert status == 400
        assert body == (b"SERVICE is refused: this endpoint does not call other endpoints (start kg serve with "
                        b"--allow-service to allow federated queries)\n")
        assert target.hits == 0
    finally:
        target.close()


def test_allow_service_lets_a_federated_query_through(out: Path):
    fixture = ROOT / "tests" / "fixtures" / "wikidata-fixture.ttl"
    with stand_in_endpoint(fixture) as url:
        server = start(out, "--allow-service", "--workers", "1")
        try:
            assert server.lines[1].endswith("SERVICE allowed)")
            status, _, body = server.ask(f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
            assert (status, body) == (200, b'{"head":{},"boolean":true}')
        finally:
            stop(server)


@pytest.mark.parametrize("text, refused", [
    ('ASK { FILTER("((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((" = "") }', False),
    ("ASK { ?service ?p ?o }", False),
    ('ASK { ?s ?p "SERVICE <http://x/>" }', False),
    ("ASK { ?s <http://example.org/SERVICE> ?o } # SERVICE <http://x/>", False),
    ("ASK { ?s ?p ?o } " + "#" + "{" * 100, False),
    ("ASK { SERVICE <http://x/> { } }", True),
    ("ASK " + "[" * 65 + "]" * 65, True),
])
def test_strings_iris_and_comments_do_not_count_towards_the_limits(text: str, refused: bool):
    assert (check_query(text, Limits()) is not None) is refused


def test_accept_negotiation():
    assert negotiate("", RESULT_TYPES) == "JSON"
    assert negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_TYPES) == "XML"
    assert negotiate("text/*", RESULT_TYPES) == "XML"  # text/xml comes first among the text types
    assert negotiate("application/sparql-results+json,*/*;q=0.9", GRAPH_TYPES) == "TURTLE"
    assert negotiate("image/png", RESULT_TYPES) is None
    assert negotiate("text/csv;q=0", RESULT_TYPES) is None


# --- the timeout ends the work ------------------------------------------------------------------

def test_a_runaway_query_is_stopped_within_timeout_plus_one_second_and_frees_the_cpu(out: Path):
    server = start(out, "--timeout", "2", "--workers", "1")
    try:
        (worker,) = workers_of(server.process.pid)
        answer: list = []
        started = time.monotonic()
        thread = threading.Thread(target=lambda: answer.append(server.ask(PRODUCT, timeout=30)))
        thread.start()
        time.sleep(1.0)
        busy = cpu_seconds(worker)
        time.sleep(0.5)
        assert cpu_seconds(worker) - busy > 0.05  # the cartesian product is burning CPU (on a shared machine)
        thread.join(10)
        elapsed = time.monotonic() - started
        status, _, body = answer[0]
        assert status == 503
        assert re.fullmatch(rb"the query was stopped after 2\.\d s: it ran past the time limit of 2 s "
                            rb"\(kg serve --timeout\)\n", body)
        assert elapsed < 2 + 1
        while alive(worker) and time.monotonic() < started + 2 + 1:  # it lets other requests finish, then ends
            time.sleep(0.05)
        assert not alive(worker)  # ended within the limit + 1 s, not left running
        deadline = time.monotonic() + 30
        while not workers_of(server.process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        (successor,) = workers_of(server.process.pid)
        assert successor != worker
        assert server.ask("ASK {}")[0] == 200  # the successor answers
        idle = cpu_seconds(successor)
        time.sleep(1.0)
        assert cpu_seconds(successor) - idle < 0.1  # nothing is left running
    finally:
        stop(server)


def test_a_query_that_waits_for_a_thread_past_the_limit_gets_a_503(out: Path):
    server = start(out, "--timeout", "2", "--workers", "1")
    try:
        answers: dict[str, tuple] = {}
        asks = [threading.Thread(target=lambda n=n: answers.__setitem__(f"product {n}", server.ask(f"{PRODUCT} # {n}")))
                for n in range(2)]  # they take both query threads of the only worker
        for thread in asks:
            thread.start()
        time.sleep(0.1)
        waiting = server.ask("ASK {} # waits")
        for thread in asks:
            thread.join(10)
        assert waiting[::2] == (503, b"all 2 query threads of this worker stayed busy for 2 s; try again later\n")
        assert [answers[f"product {n}"][0] for n in range(2)] == [503, 503]
    finally:
        stop(server)


def test_query_answers_carry_the_security_headers_and_other_methods_get_405(served: Served):
    status, headers, _ = served.ask("ASK {}")
    assert status == 200
    assert {k.lower(): v for k, v in headers.items()}["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in {k.lower(): v for k, v in headers.items()}["content-security-policy"]
    request = urllib.request.Request(served.endpoint + "?query=ASK%7B%7D", method="PUT")
    assert http(request, 30)[0] == 405


def test_a_worker_killed_from_outside_is_replaced_and_no_request_fails(out: Path):
    server = start(out, "--workers", "2")
    try:
        first, second = workers_of(server.process.pid)
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while alive(first) and time.monotonic() < deadline:
            time.sleep(0.05)
        # ten different queries (a comment tells them apart), so that none is answered from the cache
        assert [server.ask(f"ASK {{}} # {n}")[0] for n in range(10)] == [200] * 10
        deadline = time.monotonic() + 30
        while len(workers_of(server.process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert second in workers_of(server.process.pid) and len(workers_of(server.process.pid)) == 2
    finally:
        stop(server)


def test_a_query_asked_again_is_answered_from_the_cache(out: Path):
    server = start(out, "--workers", "1", "--timeout", "5")
    query = f"SELECT ?label WHERE {{ <{PTR}putin> <{RDFS_LABEL}> ?label }}"
    try:
        first = server.ask(query)
        again = server.ask(query)
        assert first[0] == 200 and again[::2] == first[::2]  # status and body
        assert (first[1].get("x-cache"), again[1].get("x-cache")) == (None, "hit")
        assert server.ask(query + " # not asked before")[1].get("x-cache") is None
    finally:
        stop(server)


def test_a_worker_that_stops_answering_is_killed_and_replaced(out: Path):
    server = start(out, "--workers", "1", "--timeout", "1")
    try:
        (worker,) = workers_of(server.process.pid)
        os.kill(worker, signal.SIGSTOP)  # its event loop no longer runs: no heartbeat
        stopped = time.monotonic()
        deadline = stopped + 30
        while (workers_of(server.process.pid) in ([], [worker])) and time.monotonic() < deadline:
            time.sleep(0.1)
        (successor,) = workers_of(server.process.pid)
        assert successor != worker and not alive(worker)
        assert time.monotonic() - stopped < 1 + 2 + 1 + 10  # the limit, the grace of 2 s, a look, a start
        assert server.ask("ASK {}")[0] == 200
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGCONT)
        stop(server)


def test_the_answer_cache_keeps_complete_repeatable_answers_within_its_size():
    from kg.endpoint_workers import Answer, AnswerCache, QueryRequest

    def request(text: str) -> QueryRequest:
        return QueryRequest(text, "JSON", "TURTLE")

    cache = AnswerCache(max_bytes=10, max_answer=6)
    ok = Answer(200, JSON, b"12345")
    for text in ("ASK {}", "SELECT (RAND() AS ?r) {}", "SELECT (now() AS ?t) {}", "SELECT (STRUUID() AS ?u) {}",
                 "SELECT * { SERVICE <http://x/> {} }"):
        cache.put(request(text), ok)
    assert [cache.get(request(t)) for t in ("ASK {}", "SELECT (RAND() AS ?r) {}")] == [ok, None]
    cache.put(request("ASK { ?s ?p ?o }"), Answer(503, JSON, b"x"))  # not an answer: never kept
    cache.put(request("SELECT * {}"), Answer(200, JSON, b"1234567"))  # over max_answer
    assert (cache.get(request("ASK { ?s ?p ?o }")), cache.get(request("SELECT * {}"))) == (None, None)
    cache.put(request("ASK { ?a ?b ?c }"), ok)  # 10 bytes in all: both fit
    cache.get(request("ASK {}"))  # used: the other one is now the least recently used
    cache.put(request("ASK { ?d ?e ?f }"), ok)
    assert [cache.get(request(t)) is not None for t in ("ASK {}", "ASK { ?a ?b ?c }", "ASK { ?d ?e ?f }")] == \
        [True, False, True]
    assert cache.size == 10
    nothing = AnswerCache(0)  # --cache-mb 0
    nothing.put(request("ASK {}"), ok)
    assert nothing.get(request("ASK {}")) is None


def test_a_client_that_goes_away_has_its_query_ended(out: Path):
    server = start(out, "--timeout", "60", "--workers", "1")
    try:
        (worker,) = workers_of(server.process.pid)
        body = urllib.parse.urlencode({"query": PRODUCT}).encode()
        with socket.create_connection(("127.0.0.1", server.port)) as client:
            client.sendall(b"POST /query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-"
                           b"urlencoded\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            time.sleep(1.0)
        deadline = time.monotonic() + 5
        while alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(worker)
    finally:
        stop(server)


# --- Host header, slowloris ---------------------------------------------------------------------

@pytest.mark.parametrize("host, status", [
    ("127.0.0.1:{port}", 200), ("localhost:{port}", 200), ("LOCALHOST", 200), ("[::1]:{port}", 200),
    ("127.0.0.2", 200), ("rebind.attacker.example:{port}", 400), ("127.0.0.1.nip.io", 400), ("", 400),
])
def test_host_header_must_name_this_machine(served: Served, host: str, status: int):
    code, _, body = served.get("query?query=ASK%7B%7D", {"Host": host.format(port=served.port), "Accept": JSON})
    assert code == status
    if status == 400:
        assert body.decode().startswith("Host ") and body.decode().endswith(
            "is not this endpoint's name: use 127.0.0.1 or localhost (names of other hosts are refused "
            "against DNS rebinding)\n")


def test_keeps_answering_while_1000_half_open_connections_are_held(served: Served):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 4096:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    held: list[socket.socket] = []
    try:
        for _ in range(1000):
            sock = socket.create_connection(("127.0.0.1", served.port), timeout=10)
            sock.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # never ends
            held.append(sock)
        for _ in range(20):
            started = time.monotonic()
            status, _, body = served.ask("ASK { ptr:putin rdfs:label ?l }", timeout=10)
            assert (status, body) == (200, b'{"head":{},"boolean":true}')
            assert time.monotonic() - started < 5
    finally:
        for sock in held:
            sock.close()


# --- the page --------------------------------------------------------------------------------------

def test_query_page_is_the_projects_with_a_strict_csp(served: Served):
    status, headers, page = served.get("")
    assert status == 200
    assert "<title>Peace talks knowledge graph: SPARQL query</title>" in page.decode()
    assert "Oxigraph" not in page.decode()
    assert headers["content-security-policy"].startswith("default-src 'none'; script-src 'self'; style-src 'self'")
    status, _, script = served.get("vendor/yasgui/yasgui.min.js")
    assert status == 200 and len(script) > 500_000  # YASGUI is served from here, not from a CDN
    status, _, config = served.get("page/config.json")
    import json

    examples = {e["name"]: e for e in json.loads(config)["examples"]}
    assert set(examples) == set(LIBRARY)  # every library query but the federated ones (SERVICE is refused)
    assert examples["who-met-or-called-whom"]["summary"] == "Who met or called whom, where and when"


def test_labels_are_looked_up_by_value_never_pasted(served: Served):
    import json

    iris = [PTR + "trump", PTR + "no-such-node", "> } DROP ALL #", PTR + "putin"]
    status, _, body = served.post("labels", json.dumps(iris).encode(), "application/json")
    assert status == 200
    assert json.loads(body) == {PTR + "putin": "Vladimir Putin", PTR + "trump": "Donald Trump"}


@pytest.mark.browser
def test_the_query_page_runs_a_library_example_offline_and_shows_labels(served: Served, store):
    """In headless Chromium with every request off 127.0.0.1 blocked: pick an example, run it, read labels."""
    import pyoxigraph as ox

    chromium = Path("/usr/bin/chromium")
    require(chromium.exists(), f"{chromium} not installed (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    errors: list[str] = []

    def route(r) -> None:
        if urllib.parse.urlsplit(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    expected = {q.object.value for q in store.quads_for_pattern(ox.NamedNode(PTR + "putin"),
                                                                ox.NamedNode(RDFS_LABEL), None, None)}
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            for width, height in ((1366, 768), (390, 844)):
                context = browser.new_context(viewport={"width": width, "height": height})
                context.route("**/*", route)
                page = context.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(served.page)
                page.wait_for_selector("body[data-ready='1']", state="attached", timeout=20000)
                assert page.title() == "Peace talks knowledge graph: SPARQL query"
                if width < 800:
                    page.click("#toggle-examples")
                page.click("button[data-name='who-met-or-called-whom']")
                # the example's own columns, not those of the query the page opens with
                page.wait_for_selector(".yasr th:has-text('participantLabel')", timeout=20000)
                putin = f"td .kg-label:has(+ a.iri[href='{PTR}putin'])"  # a label, then its IRI
                page.wait_for_selector(putin, timeout=20000)
                assert page.text_content("#example-description").startswith("Who met or called whom")
                label = page.text_content(putin)
                assert label in expected
                page.screenshot(path=str(ARTIFACTS / f"query-page-{width}x{height}.png"), full_page=False)
                if width > 800:  # an entity opens on what the graph says about it, here, not on the web
                    page.click(f"td a.iri[href='{PTR}putin']")
                    page.wait_for_selector(".yasr th:has-text('direction')", timeout=20000)
                    page.wait_for_selector(".yasr td span.nonIri:text-is('asserted')", timeout=20000)
                    assert page.text_content(".yasgui .tab.active") .strip().startswith("Vladimir Putin")
                context.close()
        finally:
            browser.close()
    assert outside == []
    assert errors == []


@pytest.mark.parametrize("body", [b"not json", b'{"iris": []}', b'[1, 2]'])
def test_labels_refuses_anything_but_a_list_of_iris(served: Served, body: bytes):
    assert served.post("labels", body, "application/json")[::2] == (
        400, b"send a JSON list of at most 5000 IRIs (strings)\n")


# --- stopping ------------------------------------------------------------------------------------

def test_ctrl_c_stops_the_front_and_its_workers_and_exits_0(served: Served):
    # Runs last of the tests on the shared server (pytest keeps file order): it stops it.
    workers = workers_of(served.process.pid)
    assert workers and all(alive(w) for w in workers)
    served.process.send_signal(signal.SIGINT)
    assert served.process.wait(30) == 0
    assert served.process.stdout.read() == "stopped\n"
    assert served.process.stderr.read() == ""  # no traceback, from the front or a worker
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(w) for w in workers)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(served.endpoint + "?query=ASK%7B%7D", timeout=5)


def test_sigterm_stops_it_too(out: Path):
    server = start(out, "--workers", "1")
    workers = workers_of(server.process.pid)
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(30) == 0
    assert server.process.stderr.read() == ""
    stop(server)
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(w) for w in workers)


def test_workers_die_with_a_killed_front(out: Path):
    server = start(out, "--workers", "1")
    workers = workers_of(server.process.pid)
    server.process.kill()
    server.process.wait(30)
    stop(server)
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(w) for w in workers)


# --- the store folder, two serves, bad input ------------------------------------------------------

def test_two_serves_on_one_out_start_without_racing(built: Path, store, tmp_path: Path):
    import json

    shutil.copy(built / "dataset.trig", tmp_path / "dataset.trig")
    first = second = None
    try:
        both = [launch(tmp_path, "--workers", "1") for _ in range(2)]
        servers_started = []
        for process in both:
            lines = [process.stdout.readline().rstrip("\n") for _ in range(3)]
            if not lines[0]:
                process.wait(30)
                pytest.fail(f"kg serve exited {process.returncode}: {process.stderr.read()}")
            servers_started.append(Served(process, lines))
        first, second = servers_started
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        for server in (first, second):
            answer = json.loads(server.ask(count)[2])
            assert int(answer["results"]["bindings"][0]["n"]["value"]) == len(store)
        assert not (tmp_path / (STORE_DIR + ".partial")).exists()
    finally:
        for server in (first, second):
            if server:
                stop(server)


def test_store_is_reused_and_rebuilt_when_the_dataset_changes(built: Path, tmp_path: Path):
    import pyoxigraph as ox

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


def kg_serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", "serve", *args], capture_output=True, text=True,
                          timeout=60)


def test_serve_without_a_build_is_a_clear_error(tmp_path: Path):
    result = kg_serve("--out", str(tmp_path), "--port", str(servers.free_port()))
    assert result.returncode == 2
    assert result.stderr == f"error: {tmp_path}/dataset.trig: no built dataset: run `kg build --out {tmp_path}` first\n"


def test_a_non_loopback_host_is_warned_about(tmp_path: Path):
    # 192.0.2.1 (TEST-NET-1) is no address of this machine: the warning comes, then binding fails.
    result = kg_serve("--out", str(tmp_path), "--host", "192.0.2.1", "--port", "7878")
    assert result.returncode == 2
    assert result.stderr == ("warning: binding 192.0.2.1: the endpoint is reachable from other machines "
                             "(read-only, but anyone who can reach it can run queries)\n"
                             "error: 192.0.2.1:7878: address in use or not available: choose another --port or "
                             "--host\n")


def test_a_port_in_use_is_a_clear_error(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = kg_serve("--out", str(tmp_path), "--port", str(port))
    assert result.returncode == 2
    assert result.stderr == (f"error: 127.0.0.1:{port}: address in use or not available: choose another --port "
                             "or --host\n")


@pytest.mark.parametrize("args, message", [
    # --timeout is refused by the CLI's shared type of every --timeout (argparse's own error line)
    (["--timeout", "0"], "error: kg serve: argument --timeout: must be a positive number of seconds, got '0' (see `kg serve --help`)"),
    (["--timeout", "nan"], "error: kg serve: argument --timeout: must be a positive number of seconds, got 'nan' (see `kg serve --help`)"),
    (["--timeout", "-1"], "error: kg serve: argument --timeout: must be a positive number of seconds, got '-1' (see `kg serve --help`)"),
    (["--port", "70000"], "error: --port 70000: not a TCP port (1-65535)"),
    (["--workers", "0"], "error: --workers 0: must be at least 1"),
    (["--cache-mb", "-1"],
     "error: kg serve: argument --cache-mb: must be zero or a positive number of megabytes, got '-1' "
     "(see `kg serve --help`)"),
])
def test_bad_values_are_clear_errors(tmp_path: Path, args: list[str], message: str):
    result = kg_serve("--out", str(tmp_path), *args)
    assert (result.returncode, result.stderr.splitlines()[-1]) == (2, message)


def test_loopback_addresses():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.10", "::", "example.org"))


def test_serve_binds_loopback_by_default():
    from kg.cli import parser

    args = parser().parse_args(["serve"])
    assert (args.host, args.port, args.timeout, args.allow_service) == ("127.0.0.1", 7878, 30.0, False)
