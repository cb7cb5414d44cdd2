"""`kg enrich`: against a local Oxigraph server holding a Wikidata-shaped fixture, and against
endpoints that are unreachable, slow or failing (clear error, nothing written)."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import json
import math
import shutil
import socket
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef

from conftest import LoopbackServer
from support import servers
from kg.cli import main
from kg.enrich import ENRICHMENT, USER_AGENT, Client, enrich
from kg.namespaces import GRAPH_ASSERTED, GRAPH_EXTERNAL, GRAPH_INFERRED, GRAPH_VOCABULARY, VOID, WD, WDT
from rdflib.namespace import DCTERMS, PROV
from kg.problems import KgError

FIXTURE = Path(__file__).parent / "fixtures" / "wikidata-fixture.ttl"
P = Namespace("http://www.wikidata.org/prop/")
PS = Namespace("http://www.wikidata.org/prop/statement/")
PQ = Namespace("http://www.wikidata.org/prop/qualifier/")
FIXED_TIME = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
OUTPUTS = ("dataset.trig", "dataset.ttl", "void.ttl", "enrichment.ttl")


class FakeEndpoint(LoopbackServer):
    """A tiny local HTTP server whose answers a test decides; it records each request."""

    def __init__(self, answer: Callable[[int], tuple[int, bytes, float]]):
        self.requests: list[dict] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
                outer.requests.append({"headers": dict(self.headers), "query": urllib.parse.parse_qs(body)["query"][0]})
                status, payload, delay = answer(len(outer.requests))
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/sparql-results+json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the client gave up (timeout)

            def log_message(self, *args):
                pass

        super().__init__(Handler, "/sparql")


EMPTY = json.dumps({"head": {"vars": ["item", "prop", "value"]}, "results": {"bindings": []}}).encode()


@pytest.fixture
def out(built, tmp_path) -> Path:
    """A private copy of the session build, so enrich can write into it."""
    copy = tmp_path / "out"
    shutil.copytree(built, copy)
    return copy


def digests(folder: Path) -> dict[str, str | None]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() if (folder / name).exists() else None
            for name in OUTPUTS}


def graphs_of(out: Path) -> dict[URIRef, Graph]:
    dataset = Dataset()
    dataset.parse(out / "dataset.trig", format="trig")
    result = {}
    for name in (GRAPH_VOCABULARY, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_EXTERNAL):
        graph = Graph()
        for triple in dataset.graph(name):
            graph.add(triple)
        result[name] = graph
    return result


def linked_qids(out: Path) -> list[str]:
    external = graphs_of(out)[GRAPH_EXTERNAL]
    skos = Namespace("http://www.w3.org/2004/02/skos/core#")
    return sorted({str(o) for p in (skos.exactMatch, skos.closeMatch) for o in external.objects(None, p)
                   if str(o).startswith(str(WD))})


# --------------------------------------------------------------------------
# Against the local Wikidata-shaped endpoint


@pytest.mark.server
def test_enrich_fetches_facts_of_linked_items_with_provenance(out, wikidata_endpoint):
    before = graphs_of(out)
    enrich(out, Client(wikidata_endpoint), batch_size=10, now=lambda: FIXED_TIME)
    saved = Graph().parse(out / "enrichment.ttl", format="turtle")

    assert set(saved.objects(WD.Q22686, RDFS.label)) == {Literal("Donald Trump", lang="en")}  # English only
    assert saved.value(WD.Q1899, WDT.P625) == Literal("Point(30.5233 50.45)",
                                                     datatype=URIRef("http://www.opengis.net/ont/geosparql#wktLiteral"))
    assert saved.value(WD.Q1899, WDT.P17) == WD.Q212
    assert saved.value(WD.Q212, RDFS.label) == Literal("Ukraine", lang="en")  # label of a referenced country
    terms = {}
    for statement in saved.objects(WD.Q22686, P.P39):
        start, end = saved.value(statement, PQ.P580), saved.value(statement, PQ.P582)
        terms[str(start.toPython().date())] = end and str(end.toPython().date())
        assert saved.value(statement, PS.P39) == WD.Q11696
    assert terms == {"2017-01-20": "2021-01-20", "2025-01-20": None}
    assert saved.value(WD.Q11696, RDFS.label) == Literal("President of the United States", lang="en")
    # Only linked items: the fixture's wrong/unrelated QIDs are never fetched.
    assert (WD.Q4328088, None, None) not in saved and (WD.Q191954, None, None) not in saved

    assert saved.value(ENRICHMENT, DCTERMS.source) == URIRef(wikidata_endpoint)
    assert saved.value(ENRICHMENT, PROV.generatedAtTime) == Literal("2026-01-02T03:04:05+00:00", datatype=XSD.dateTime)
    assert {str(i) for i in saved.objects(ENRICHMENT, URIRef("https://schema.org/about"))} == set(linked_qids(out))

    after = graphs_of(out)
    for name in (GRAPH_VOCABULARY, GRAPH_ASSERTED, GRAPH_INFERRED):
        assert set(after[name]) == set(before[name])
    assert set(after[GRAPH_EXTERNAL]) == set(before[GRAPH_EXTERNAL]) | set(saved)
    void = Graph().parse(out / "void.ttl", format="turtle")
    assert void.value(GRAPH_EXTERNAL, VOID.triples) == Literal(len(after[GRAPH_EXTERNAL]))


@pytest.mark.server
def test_enrich_again_replaces_the_previous_enrichment(out, wikidata_endpoint, capsys):
    enrich(out, Client(wikidata_endpoint), now=lambda: FIXED_TIME)
    first = graphs_of(out)[GRAPH_EXTERNAL]
    assert main(["enrich", "--out", str(out), "--endpoint", wikidata_endpoint]) == 0
    assert capsys.readouterr().out.startswith(f"enriched {len(linked_qids(out))} linked Wikidata items from {wikidata_endpoint}: ")
    second = graphs_of(out)[GRAPH_EXTERNAL]
    assert len(second) == len(first)
    assert len(list(second.objects(ENRICHMENT, PROV.generatedAtTime))) == 1


@pytest.mark.server
def test_queries_are_batched_and_name_the_project(out):
    endpoint = FakeEndpoint(lambda n: (200, EMPTY, 0))
    try:
        enrich(out, Client(endpoint.url), batch_size=7)
    finally:
        endpoint.close()
    qids = linked_qids(out)
    assert len(endpoint.requests) == math.ceil(len(qids) / 7)  # no facts came back: no label round
    asked = []
    for request in endpoint.requests:
        assert request["headers"]["User-Agent"] == USER_AGENT
        assert USER_AGENT.startswith("peace-talks-kg/")
        assert request["headers"]["Accept"] == "application/sparql-results+json"
        values = request["query"].split("VALUES ?item {")[1].split("}")[0].split()
        assert len(values) <= 7
        asked += values
    assert sorted(asked) == sorted("wd:" + q[len(str(WD)):] for q in qids)


# --------------------------------------------------------------------------
# Failures: a clear error, exit 2, nothing written


def test_unreachable_endpoint_fails_after_backoff_and_writes_nothing(out):
    before = digests(out)
    url = f"http://127.0.0.1:{servers.free_port()}/sparql"  # nothing listens there
    with pytest.raises(KgError) as error:
        enrich(out, Client(url, timeout=2, retries=2, backoff=0.01))
    assert str(error.value) == f"{url}: connection refused; gave up after 3 attempt(s); nothing written"
    assert digests(out) == before and before["enrichment.ttl"] is None


@pytest.mark.server
def test_slow_endpoint_times_out_and_writes_nothing(out):
    before = digests(out)
    endpoint = FakeEndpoint(lambda n: (200, EMPTY, 1.5))
    try:
        with pytest.raises(KgError) as error:
            enrich(out, Client(endpoint.url, timeout=0.3, retries=1, backoff=0.01))
    finally:
        endpoint.close()
    assert str(error.value) == (f"{endpoint.url}: no complete answer within 0.3 s; gave up after 2 attempt(s); "
                                "nothing written")
    assert len(endpoint.requests) == 2
    assert digests(out) == before


@pytest.mark.server
def test_previous_enrichment_survives_a_failed_run(out, wikidata_endpoint):
    enrich(out, Client(wikidata_endpoint), now=lambda: FIXED_TIME)
    before = digests(out)
    endpoint = FakeEndpoint(lambda n: (503, b"busy", 0))
    try:
        with pytest.raises(KgError) as error:
            enrich(out, Client(endpoint.url, retries=1, backoff=0.01))
    finally:
        endpoint.close()
    assert str(error.value) == (f"{endpoint.url}: HTTP 503 Service Unavailable: busy; "
                                "gave up after 2 attempt(s); nothing written")
    assert digests(out) == before


@pytest.mark.server
def test_a_transient_error_is_retried(out):
    endpoint = FakeEndpoint(lambda n: (503, b"busy", 0) if n == 1 else (200, EMPTY, 0))
    try:
        enrich(out, Client(endpoint.url, retries=3, backoff=0.01), batch_size=1000)
    finally:
        endpoint.close()
    assert len(endpoint.requests) == 2
    assert (out / "enrichment.ttl").is_file()


@pytest.mark.server
def test_a_bad_request_is_not_retried(out):
    endpoint = FakeEndpoint(lambda n: (400, b"Parse error", 0))
    try:
        with pytest.raises(KgError) as error:
            enrich(out, Client(endpoint.url, retries=3))
    finally:
        endpoint.close()
    assert str(error.value) == f"{endpoint.url}: HTTP 400 Bad Request: Parse error"
    assert len(endpoint.requests) == 1


@pytest.mark.server
def test_an_answer_that_is_not_sparql_json_is_refused(out):
    before = digests(out)
    endpoint = FakeEndpoint(lambda n: (200, b"<html>sorry</html>", 0))
    try:
        with pytest.raises(KgError) as error:
            enrich(out, Client(endpoint.url, retries=0))
    finally:
        endpoint.close()
    assert str(error.value).startswith(f"{endpoint.url}: the answer is not valid SPARQL JSON results")
    assert digests(out) == before


def test_cli_refuses_a_non_http_endpoint(out, capsys):
    assert main(["enrich", "--out", str(out), "--endpoint", "ftp://example.org/sparql"]) == 2
    assert capsys.readouterr().err == "error: --endpoint ftp://example.org/sparql: not an http(s) URL\n"


def test_cli_refuses_credentials_in_the_endpoint_and_writes_nothing(out, capsys):
    before = digests(out)
    assert main(["enrich", "--out", str(out), "--endpoint", "https://user:secret@example.org/sparql"]) == 2
    captured = capsys.readouterr()
    assert captured.err == ("error: --endpoint: credentials in the URL are not accepted: "
                            "kg enrich sends no credentials and records the endpoint in the dataset\n")
    assert captured.out == "" and digests(out) == before


@pytest.mark.server
def test_a_key_in_the_endpoint_query_is_sent_but_never_stored_or_printed(out, wikidata_endpoint, capsys):
    assert main(["enrich", "--out", str(out), "--endpoint", wikidata_endpoint + "?key=abc123#frag"]) == 0
    printed = capsys.readouterr()
    assert printed.out.startswith(f"enriched {len(linked_qids(out))} linked Wikidata items from {wikidata_endpoint}: ")
    saved = Graph().parse(out / "enrichment.ttl", format="turtle")
    assert saved.value(ENRICHMENT, DCTERMS.source) == URIRef(wikidata_endpoint)
    assert saved.value(WD.Q1899, WDT.P17) == WD.Q212  # the facts did come back
    for name in OUTPUTS:
        assert "abc123" not in (out / name).read_text(encoding="utf-8"), name
    assert "abc123" not in printed.out + printed.err


@pytest.mark.server
def test_errors_name_the_endpoint_without_its_query(out):
    endpoint = FakeEndpoint(lambda n: (400, b"Parse error", 0))
    try:
        with pytest.raises(KgError) as error:
            enrich(out, Client(endpoint.url + "?key=abc123", retries=0))
    finally:
        endpoint.close()
    assert str(error.value) == f"{endpoint.url}: HTTP 400 Bad Request: Parse error"


@pytest.mark.server
def test_the_dataset_is_read_once(out, monkeypatch):
    from kg.buildfolder import BuildFolder

    reads = []
    for module, name in ((BuildFolder, "load_layers"), (BuildFolder, "load_store")):
        def counted(*args, _real=getattr(module, name), _name=name, **kwargs):
            reads.append(_name)
            return _real(*args, **kwargs)
        monkeypatch.setattr(module, name, counted)
    endpoint = FakeEndpoint(lambda n: (200, EMPTY, 0))
    try:
        enrich(out, Client(endpoint.url), batch_size=1000)
    finally:
        endpoint.close()
    assert reads == ["load_layers"]


def test_cli_needs_a_build(tmp_path, capsys):
    assert main(["enrich", "--out", str(tmp_path), "--endpoint", "http://127.0.0.1:9/sparql"]) == 2
    assert "no built dataset" in capsys.readouterr().err


def test_nothing_goes_to_the_network_without_enrich(project, tmp_path, monkeypatch):
    """Build and export open no socket: only `kg enrich` talks to an endpoint."""
    from kg.build import build
    from kg.export import export

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    build(project, tmp_path)
    for fmt in ("jsonld", "turtle", "graphml", "csv"):
        export(tmp_path, fmt)


# --------------------------------------------------------------------------
# A hostile endpoint: it can add outside facts about linked items, nothing else

PTR_IRI = "https://w3id.org/peace-talks-kg/id/"
PT_IRI = "https://w3id.org/peace-talks-kg/ontology#"
FORGED_ASK = f"ASK {{ <{PTR_IRI}putin> <{PT_IRI}supports> <{PTR_IRI}proposal-us-peace-plan> }}"


class HostileEndpoint(LoopbackServer):
    """Answers every query with `body` (and `headers`), optionally one byte every `drip` seconds."""

    def __init__(self, status: int, body: bytes, headers: dict[str, str] | None = None, drip: float = 0.0):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    self.send_response(status)
                    for name, value in (headers or {"Content-Type": "application/sparql-results+json"}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    if not drip:
                        self.wfile.write(body)
                        return
                    for index in range(min(len(body), 200)):  # bounded: 200 bytes at most
                        self.wfile.write(body[index:index + 1])
                        self.wfile.flush()
                        time.sleep(drip)
                except OSError:
                    pass  # the client hung up, as it should

            def log_message(self, *args):
                pass

        super().__init__(Handler, "/sparql")


def rows(item: str, prop: str, value: dict) -> bytes:
    binding = {"item": {"type": "uri", "value": item}, "prop": {"type": "uri", "value": prop}, "value": value}
    return json.dumps({"head": {"vars": ["item", "prop", "value"]}, "results": {"bindings": [binding]}}).encode()


def story_layers(out: Path) -> dict[str, bytes]:
    """The asserted and inferred layers of OUT/dataset.trig as sorted N-Triples."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(out / "dataset.trig"), format=ox.RdfFormat.TRIG)
    return {str(name): b"\n".join(sorted((store.dump(format=ox.RdfFormat.N_TRIPLES,
                                                       from_graph=ox.NamedNode(str(name))) or b"").splitlines()))
            for name in (GRAPH_ASSERTED, GRAPH_INFERRED)}


def forged(out: Path) -> bool:
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(out / "dataset.trig"), format=ox.RdfFormat.TRIG)
    return bool(store.query(FORGED_ASK, use_default_graph_as_union=True))


COUNTRY = "http://www.wikidata.org/prop/direct/P17"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
# The issue's P17 injection: an IRI that ends the object and states a triple of its own.
P17_INJECTION = f"http://x> . <{PTR_IRI}putin> <{PT_IRI}supports> <{PTR_IRI}proposal-us-peace-plan"
# An IRI, and a literal, that close the external graph block and open the asserted one.
GRAPH_ESCAPE = (f"http://x> }} GRAPH <{GRAPH_ASSERTED}> {{ <{PTR_IRI}putin> <{PT_IRI}supports> "
                f"<{PTR_IRI}proposal-us-peace-plan> . }} GRAPH <{GRAPH_EXTERNAL}> {{ <http://y")
LITERAL_ESCAPE = (f'x" . }} GRAPH <{GRAPH_ASSERTED}> {{ <{PTR_IRI}putin> <{PT_IRI}supports> '
                  f'<{PTR_IRI}proposal-us-peace-plan> . }} GRAPH <{GRAPH_EXTERNAL}> {{ <http://y> <http://z> "')
HUGE = 20_000_000

# (id, answer of the endpoint: status, body, headers, drip; the one `error:` line, {url} for the endpoint)
HOSTILE = [
    ("p17-injection", (200, lambda item: rows(item, COUNTRY, {"type": "uri", "value": P17_INJECTION}), None, 0),
     "error: {url}: the answer is not valid SPARQL JSON results: Invalid uri value: Invalid IRI code point '>'; "
     "nothing written"),
    ("iri-closes-the-graph-block", (200, lambda item: rows(item, COUNTRY, {"type": "uri", "value": GRAPH_ESCAPE}),
                                    None, 0),
     "error: {url}: the answer is not valid SPARQL JSON results: Invalid uri value: Invalid IRI code point '>'; "
     "nothing written"),
    ("javascript-iri", (200, lambda item: rows(item, COUNTRY, {"type": "uri", "value": "javascript:alert(1)"}),
                        None, 0),
     "error: {url}: the answer holds a value refused for ?value: <javascript:alert(1)> (only http and https IRIs "
     "are taken); nothing written"),
    ("bad-language-tag", (200, lambda item: rows(item, LABEL, {"type": "literal", "value": "x", "xml:lang": "en>"}),
                          None, 0),
     "error: {url}: the answer is not valid SPARQL JSON results: Invalid xml:lang value 'en>': "
     "The given language subtag is invalid; nothing written"),
    ("20-mb-label-announced", (200, lambda item: rows(item, LABEL, {"type": "literal", "value": "A" * HUGE}),
                               {"Content-Type": "application/sparql-results+json",
                                "Content-Length": str(len(rows("x", LABEL, {"type": "literal", "value": "A" * HUGE})))},
                               0),
     "error: {url}: the answer is too large (20,000,XXX bytes announced; the limit is 5 MB): refused; nothing written"),
    ("20-mb-label-unannounced", (200, lambda item: rows(item, LABEL, {"type": "literal", "value": "A" * HUGE}),
                                 None, 0),
     "error: {url}: the answer is too large (more than 5,000,000 bytes; the limit is 5 MB): refused; nothing written"),
    ("long-literal", (200, lambda item: rows(item, LABEL, {"type": "literal", "value": "A" * 10_001, "xml:lang": "en"}),
                      None, 0),
     "error: {url}: the answer holds a value refused for ?value: a literal of 10,001 characters (the limit is 10,000); "
     "nothing written"),
    ("drip-feed", (200, lambda item: EMPTY, None, 0.2),
     "error: {url}: no complete answer within 1 s; gave up after 1 attempt(s); nothing written"),
    ("redirect-to-another-host", (302, lambda item: b"", {"Location": "http://attacker.example/sparql?key=1"}, 0),
     "error: {url}: HTTP 302: the server redirects to http://attacker.example/sparql; redirects are not followed: "
     "give that URL if you trust it; nothing written"),
    ("garbage-json", (200, lambda item: b'{"head": {"vars": ["item"]}, "results": {"bindings": [{"item": 7}]}}', None, 0),
     None),  # pyoxigraph's own words: checked below to be one error: line
    ("not-json", (200, lambda item: b"<html>\x1b]0;pwned\x07</html>", None, 0), None),
    ("terminal-escapes-in-an-error-page", (400, lambda item: b"\x1b[2J\x1b]0;pwned\x07bad query", None, 0),
     "error: {url}: HTTP 400 Bad Request: \\x1b[2J\\x1b]0;pwned\\x07bad query"),
]


@pytest.mark.server
@pytest.mark.parametrize(("answer", "expected"), [pytest.param(a, e, id=i) for i, a, e in HOSTILE])
def test_a_hostile_endpoint_changes_nothing_and_fails_with_one_error_line(out, capsys, answer, expected):
    status, body, headers, drip = answer
    item = linked_qids(out)[0]
    before, layers = digests(out), story_layers(out)
    endpoint = HostileEndpoint(status, body(item), headers, drip)
    started = time.monotonic()
    try:
        code = main(["enrich", "--out", str(out), "--endpoint", endpoint.url, "--timeout", "1", "--retries", "0"])
    finally:
        endpoint.close()
    err = capsys.readouterr().err
    assert code == 2
    if drip:  # 200 bytes at 0.2 s would take 40 s: the drip feed is cut at the 1 s limit (load, parse aside)
        assert time.monotonic() - started < 30
    assert err.count("\n") == 1 and err.startswith(f"error: {endpoint.url}: ") and "\x1b" not in err
    if expected is not None:
        import re

        assert re.fullmatch(re.escape(expected.format(url=endpoint.url)).replace("XXX", r"\d\d\d") + "\n", err), err
    assert digests(out) == before  # nothing written
    assert story_layers(out) == layers and not forged(out)


@pytest.mark.server
def test_a_literal_that_closes_the_graph_block_stays_a_literal_through_enrich_and_build(project, out, capsys):
    """A label whose text closes the external block and opens the asserted one is just text, escaped."""
    from kg.build import build

    item = linked_qids(out)[0]
    layers = story_layers(out)
    endpoint = HostileEndpoint(200, rows(item, LABEL, {"type": "literal", "value": LITERAL_ESCAPE, "xml:lang": "en"}))
    try:
        assert main(["enrich", "--out", str(out), "--endpoint", endpoint.url, "--retries", "0"]) == 0
    finally:
        endpoint.close()
    assert story_layers(out) == layers and not forged(out)
    saved = Graph().parse(out / "enrichment.ttl", format="turtle")
    assert saved.value(URIRef(item), RDFS.label) == Literal(LITERAL_ESCAPE, lang="en")  # exactly what was sent
    assert graphs_of(out)[GRAPH_EXTERNAL].value(URIRef(item), RDFS.label) == Literal(LITERAL_ESCAPE, lang="en")
    build(project, out)  # the enrichment is read back as triples by the next build: still only a label
    assert story_layers(out) == layers and not forged(out)


@pytest.mark.server
def test_enrichment_ttl_is_deterministic(out, wikidata_endpoint):
    enrich(out, Client(wikidata_endpoint), now=lambda: FIXED_TIME)
    first = (out / "enrichment.ttl").read_bytes()
    enrich(out, Client(wikidata_endpoint), now=lambda: FIXED_TIME)
    assert (out / "enrichment.ttl").read_bytes() == first
    assert first.startswith(b"@prefix ")
