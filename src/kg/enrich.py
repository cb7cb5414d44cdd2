"""`kg enrich --endpoint URL`: facts about the linked Wikidata items, fetched from a SPARQL endpoint.

The only command that goes to the network. For every Wikidata item the
external layer links to, it fetches in batched VALUES queries: English label
and description, coordinates (P625), country (P17) and positions held (P39
statements with their P580 start and P582 end qualifiers), then the labels of
the positions and countries. The result, with the endpoint and retrieval time
as provenance (node ptr:enrichment), is written to OUT/enrichment.ttl and
merged into the external graph of OUT/dataset.trig (and dataset.ttl,
void.ttl), replacing the previous enrichment. Nothing else changes: the
asserted and inferred layers stay byte for byte what `kg build` wrote.

The endpoint is not trusted. Requests go through kg.http (a total time limit
per request, a size cap on the answer, no redirects, retries with backoff on
network errors, HTTP 429 and 5xx). Its answer is parsed by pyoxigraph's SPARQL
JSON results parser, which refuses an IRI that is not absolute and well formed,
a bad language tag or datatype; IRIs must also be http(s), literals at most
MAX_LITERAL characters, and only the expected shapes of fact are kept (a
Wikidata item, one of five properties, a value of the right kind). Anything
else fails the run (exit 2), and nothing is written. enrichment.ttl is written
by pyoxigraph's Turtle serializer, which escapes.

The endpoint URL must not carry credentials (user:password@ is refused). A
query string (e.g. an API key) is sent but neither printed nor stored: the
provenance names the endpoint without it (kg.urls.display_url).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from kg import __version__
from kg.http import DEFAULT_MAX_BYTES, HttpError
from kg.http import Client as HttpClient
from kg.links import DCTERMS, PROV, QID, SKOS
from kg.namespaces import PREFIXES, PTR, SCHEMA, WD, WDT
from kg.problems import KgError
from kg.urls import check_url, display_url

ENRICHMENT = PTR["enrichment"]
USER_AGENT = f"peace-talks-kg/{__version__} (https://w3id.org/peace-talks-kg; kg enrich)"
P = Namespace("http://www.wikidata.org/prop/")
PS = Namespace("http://www.wikidata.org/prop/statement/")
PQ = Namespace("http://www.wikidata.org/prop/qualifier/")
WD_SCHEMA = Namespace("http://schema.org/")  # Wikidata's descriptions use http://schema.org/, not https
RESULTS_JSON = "application/sparql-results+json"
MAX_LITERAL = 10_000  # characters; Wikidata caps labels and descriptions at 250
IRI_SCHEMES = ("http://", "https://")

_PROLOGUE = (
    "PREFIX wd: <http://www.wikidata.org/entity/>\n"
    "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
    "PREFIX p: <http://www.wikidata.org/prop/>\n"
    "PREFIX ps: <http://www.wikidata.org/prop/statement/>\n"
    "PREFIX pq: <http://www.wikidata.org/prop/qualifier/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX schema: <http://schema.org/>\n"
)

# One row per fact: ?prop says which; ?stmt/?start/?end only for positions held.
FACTS_QUERY = _PROLOGUE + """SELECT ?item ?prop ?value ?stmt ?start ?end WHERE {
  VALUES ?item { %s }
  { ?item rdfs:label ?value . FILTER(LANGMATCHES(LANG(?value), "en")) BIND(rdfs:label AS ?prop) }
  UNION { ?item schema:description ?value . FILTER(LANGMATCHES(LANG(?value), "en")) BIND(schema:description AS ?prop) }
  UNION { ?item wdt:P625 ?value . BIND(wdt:P625 AS ?prop) }
  UNION { ?item wdt:P17 ?value . BIND(wdt:P17 AS ?prop) }
  UNION { ?item p:P39 ?stmt . ?stmt ps:P39 ?value . BIND(p:P39 AS ?prop)
          OPTIONAL { ?stmt pq:P580 ?start } OPTIONAL { ?stmt pq:P582 ?end } }
}"""

LABELS_QUERY = _PROLOGUE + """SELECT ?item ?prop ?value WHERE {
  VALUES ?item { %s }
  ?item rdfs:label ?value . FILTER(LANGMATCHES(LANG(?value), "en")) BIND(rdfs:label AS ?prop)
}"""


@dataclass(frozen=True)
class Client:
    """How to talk to the endpoint."""

    endpoint: str
    timeout: float = 30.0  # seconds per request, answer included
    retries: int = 3
    backoff: float = 1.0  # urllib3's backoff factor: seconds before the second retry; doubles each time
    max_bytes: int = DEFAULT_MAX_BYTES


# --------------------------------------------------------------------------
# HTTP


def check_endpoint(endpoint: str) -> str:
    return check_url(endpoint, "--endpoint", "kg enrich sends no credentials and records the endpoint in the dataset")


def run_select(client: Client, query: str, http: HttpClient | None = None) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    """Bindings of a SELECT (blank nodes left out), each term checked; KgError when the endpoint
    fails after its retries or answers anything but well-formed SPARQL JSON results."""
    where = display_url(client.endpoint)
    own = http is None
    http = http or _http(client)
    try:
        answer = http.request("POST", client.endpoint, data={"query": query}, headers={"Accept": RESULTS_JSON})
    except HttpError as error:
        tried = f"; gave up after {error.attempts} attempt(s)" if error.transient else ""
        raise KgError(f"{where}: {error.reason}{tried}; nothing written") from None
    finally:
        if own:
            http.close()
    if not answer.ok:
        detail = _server_message(answer.body)
        reason = answer.status_line + (f": {detail}" if detail else "")
        if answer.attempts > 1 or answer.status in (429, 500, 502, 503, 504):
            raise KgError(f"{where}: {reason}; gave up after {answer.attempts} attempt(s); nothing written")
        raise KgError(f"{where}: {reason}")
    return parse_results(answer.body, where)


def _http(client: Client) -> HttpClient:
    return HttpClient(timeout=client.timeout, max_bytes=client.max_bytes, retries=client.retries,
                      backoff=client.backoff, retry_methods=("POST",),  # a query changes nothing: safe to repeat
                      user_agent=USER_AGENT)


def _server_message(body: bytes, limit: int = 300) -> str:
    text = " ".join(body[:limit * 4].decode("utf-8", "replace").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_results(body: bytes, where: str) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    """The rows of a SPARQL JSON results document, by pyoxigraph's parser (it checks every IRI,
    language tag and datatype), then our own limits on schemes and literal lengths."""
    try:
        results = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        if not isinstance(results, ox.QuerySolutions):
            raise SyntaxError("a yes/no answer, not rows")
        names = [v.value for v in results.variables]
        rows = [{n: s[n] for n in names if s[n] is not None} for s in results]
    except (SyntaxError, ValueError, OSError) as error:
        raise KgError(f"{where}: the answer is not valid SPARQL JSON results: {_short(str(error))}; nothing written") from None
    checked: list[dict[str, ox.NamedNode | ox.Literal]] = []
    for row in rows:
        kept: dict[str, ox.NamedNode | ox.Literal] = {}
        for name, term in row.items():
            if isinstance(term, ox.BlankNode):
                continue  # blank nodes carry nothing we can link to
            if not isinstance(term, (ox.NamedNode, ox.Literal)) or not _allowed(term):
                raise KgError(f"{where}: the answer holds a value refused for ?{name}: {_describe(term)}; "
                              "nothing written")
            kept[name] = term
        checked.append(kept)
    return checked


def _allowed(term: ox.NamedNode | ox.Literal) -> bool:
    if isinstance(term, ox.NamedNode):
        return term.value.startswith(IRI_SCHEMES)
    return len(term.value) <= MAX_LITERAL and term.datatype.value.startswith(IRI_SCHEMES)


def _describe(term: object) -> str:
    if isinstance(term, ox.Literal) and len(term.value) > MAX_LITERAL:
        return f"a literal of {len(term.value):,} characters (the limit is {MAX_LITERAL:,})"
    if isinstance(term, ox.NamedNode):
        return f"<{_short(term.value)}> (only http and https IRIs are taken)"
    return _short(str(term))


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------
# Results to triples


def _is_item(term: object) -> bool:
    """A Wikidata item IRI, wd:Q<digits> (as an rdflib or pyoxigraph term)."""
    if not isinstance(term, (URIRef, ox.NamedNode)):
        return False
    iri = term.value if isinstance(term, ox.NamedNode) else str(term)
    return iri.startswith(str(WD)) and bool(QID.match(iri[len(str(WD)):]))


def _ox(iri: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


_KINDS = {_ox(RDFS.label): ox.Literal, _ox(WD_SCHEMA.description): ox.Literal, _ox(WDT.P625): ox.Literal,
          _ox(WDT.P17): ox.NamedNode, _ox(P.P39): ox.NamedNode}


def add_rows(triples: set[ox.Triple], rows: Iterable[dict[str, ox.NamedNode | ox.Literal]]) -> set[ox.NamedNode]:
    """Add the facts of result rows; return the items they point to (positions, countries).

    Only expected shapes are kept: a Wikidata item, one of the five properties, a value of the
    right kind (a P39 value and a P17 country must be items too); anything else is left out."""
    referenced: set[ox.NamedNode] = set()
    for row in rows:
        item, prop, value = (row.get(k) for k in ("item", "prop", "value"))
        if not isinstance(item, ox.NamedNode) or not _is_item(item) or not isinstance(prop, ox.NamedNode) \
                or prop not in _KINDS or not isinstance(value, _KINDS[prop]):
            continue
        assert value is not None
        if prop == _ox(P.P39):
            stmt = row.get("stmt")
            if not isinstance(stmt, ox.NamedNode) or not isinstance(value, ox.NamedNode) or not _is_item(value):
                continue
            triples.add(ox.Triple(item, prop, stmt))
            triples.add(ox.Triple(stmt, _ox(PS.P39), value))
            for key, qualifier in (("start", PQ.P580), ("end", PQ.P582)):
                if isinstance(when := row.get(key), ox.Literal):
                    triples.add(ox.Triple(stmt, _ox(qualifier), when))
            referenced.add(value)
        else:
            triples.add(ox.Triple(item, prop, value))
            if prop == _ox(WDT.P17) and isinstance(value, ox.NamedNode) and _is_item(value):
                referenced.add(value)
    return referenced


def _values(items: Iterable[URIRef | ox.NamedNode]) -> str:
    # Only IRIs that match wd:Q<digits> reach here (see _is_item), so the text cannot carry anything else.
    return " ".join("wd:" + (i.value if isinstance(i, ox.NamedNode) else str(i))[len(str(WD)):] for i in items)


def fetch(client: Client, items: list[URIRef], batch_size: int) -> set[ox.Triple]:
    """The enrichment triples of `items` (and labels of what they point to)."""
    if batch_size < 1:
        raise KgError(f"--batch-size: must be at least 1, got {batch_size}")
    triples: set[ox.Triple] = set()
    referenced: set[ox.NamedNode] = set()
    with _http(client) as http:
        for batch in _batches(items, batch_size):
            referenced |= add_rows(triples, run_select(client, FACTS_QUERY % _values(batch), http))
        extra = sorted(referenced - {_ox(i) for i in items}, key=lambda n: n.value)
        for batch in _batches(extra, batch_size):
            add_rows(triples, run_select(client, LABELS_QUERY % _values(batch), http))
    return triples


def _batches(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --------------------------------------------------------------------------
# Reading and writing the build folder


def linked_items(external: Graph) -> list[URIRef]:
    """Wikidata items the external layer links to (skos:exactMatch or skos:closeMatch), sorted."""
    found = {o for p in (SKOS.exactMatch, SKOS.closeMatch) for o in external.objects(None, p)}
    return sorted(o for o in found if _is_item(o))


def provenance(graph: Graph, endpoint: str, items: list[URIRef], retrieved: dt.datetime) -> None:
    endpoint = display_url(endpoint)  # a key in the query string must not end up in the dataset
    try:
        ox.NamedNode(endpoint)
    except ValueError as error:
        raise KgError(f"--endpoint {endpoint}: not a valid IRI to record as the source ({error})") from None
    graph.add((ENRICHMENT, RDF.type, PROV.Entity))
    graph.add((ENRICHMENT, RDFS.label, Literal(f"Facts about linked Wikidata items from {endpoint}", lang="en")))
    graph.add((ENRICHMENT, DCTERMS.source, URIRef(endpoint)))
    graph.add((ENRICHMENT, PROV.generatedAtTime, Literal(retrieved.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    graph.add((ENRICHMENT, RDFS.comment, Literal(f"Retrieved by `kg enrich` with User-Agent {USER_AGENT}", lang="en")))
    for item in items:
        graph.add((ENRICHMENT, SCHEMA.about, item))


def enrichment_turtle(graph: Graph) -> bytes:
    """enrichment.ttl: pyoxigraph's Turtle writer (it escapes every term), fed sorted triples so that
    the same facts give the same bytes."""
    from kg.store import to_oxigraph

    triples = sorted((ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
                      for s, p, o in graph), key=str)
    prefixes = {name: iri for name, iri in PREFIXES.items() if name in ("rdfs", "xsd", "schema", "prov", "dcterms",
                                                                        "wd", "wdt", "ptr")}
    prefixes |= {"p": str(P), "ps": str(PS), "pq": str(PQ), "wdschema": str(WD_SCHEMA)}
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""


def enrich(out: Path, client: Client, batch_size: int = 50, now: Callable[[], dt.datetime] | None = None) -> Graph:
    """Fetch, then publish the dataset again with OUT/enrichment.ttl merged into its external graph."""
    from kg.build import dataset_files
    from kg.buildfolder import BuildFolder
    from kg.project import find_project
    from kg.store import to_rdflib

    check_endpoint(client.endpoint)
    folder = BuildFolder(out)
    with folder.lock():  # no build may publish between the read and the write
        previous = folder.enrichment()
        layers = folder.load_layers()  # read once: the links to fetch, then the graphs to rewrite
        items = linked_items(layers.external)
        if not items:
            raise KgError(f"{folder.dataset}: the external layer links no Wikidata item: nothing to enrich")
        fetched = fetch(client, items, batch_size)
        retrieved = (now or (lambda: dt.datetime.now(dt.timezone.utc)))().replace(microsecond=0)
        enrichment = Graph()
        for triple in fetched:
            enrichment.add((to_rdflib(triple.subject), to_rdflib(triple.predicate),  # type: ignore[arg-type]
                            to_rdflib(triple.object)))  # type: ignore[arg-type]
        provenance(enrichment, client.endpoint, items, retrieved)
        layers.external = (layers.external - previous) + enrichment
        folder.publish(dataset_files(layers, find_project(), folder, enrichment_turtle(enrichment)))
    return enrichment


def linked_count(enrichment: Graph) -> int:
    """How many linked Wikidata items an enrichment describes (its provenance names each one)."""
    return len(set(enrichment.objects(ENRICHMENT, SCHEMA.about)))
