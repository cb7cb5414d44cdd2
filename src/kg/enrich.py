"""`kg enrich --endpoint URL`: facts about the linked Wikidata items, fetched from a SPARQL endpoint.

The only command that goes to the network. For every Wikidata item the
external layer links to, it fetches in batched VALUES queries: English label
and description, coordinates (P625), country (P17) and positions held (P39
statements with their P580 start and P582 end qualifiers), then the labels of
the positions and countries. The result, with the endpoint and retrieval time
as provenance (node ptr:enrichment), is written to OUT/enrichment.ttl and
merged into the external graph of OUT/dataset.trig (and dataset.ttl,
void.ttl), replacing the previous enrichment.

Requests carry a User-Agent naming the project, time out, and are retried
with exponential backoff on network errors, timeouts, HTTP 429 and 5xx. If
the endpoint still fails, the command exits 2 and writes nothing.

The endpoint URL must not carry credentials (user:password@ is refused). A
query string (e.g. an API key) is sent but neither printed nor stored: the
provenance names the endpoint without it (kg.urls.display_url).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from kg import __version__
from kg.links import DCTERMS, PROV, QID, SKOS
from kg.namespaces import GRAPH_EXTERNAL, PTR, SCHEMA, WD, WDT
from kg.problems import EXIT_OK, KgError
from kg.urls import check_url, display_url

ENRICHMENT_TTL = "enrichment.ttl"
ENRICHMENT = PTR["enrichment"]
USER_AGENT = f"peace-talks-kg/{__version__} (https://w3id.org/peace-talks-kg; kg enrich)"
P = Namespace("http://www.wikidata.org/prop/")
PS = Namespace("http://www.wikidata.org/prop/statement/")
PQ = Namespace("http://www.wikidata.org/prop/qualifier/")
WD_SCHEMA = Namespace("http://schema.org/")  # Wikidata's descriptions use http://schema.org/, not https
RESULTS_JSON = "application/sparql-results+json"
RETRY_STATUS = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 60.0

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
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    sleep: Callable[[float], None] = time.sleep


# --------------------------------------------------------------------------
# HTTP


def check_endpoint(endpoint: str) -> str:
    return check_url(endpoint, "--endpoint", "kg enrich sends no credentials and records the endpoint in the dataset")


def _post(client: Client, query: str) -> dict:
    body = urllib.parse.urlencode({"query": query}).encode("utf-8")
    request = urllib.request.Request(client.endpoint, data=body, method="POST", headers={
        "Accept": RESULTS_JSON,
        "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": USER_AGENT,
    })
    with urllib.request.urlopen(request, timeout=client.timeout) as response:
        payload = response.read()
    try:
        return json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise KgError(f"{display_url(client.endpoint)}: the answer is not SPARQL JSON results: {err}") from None


def run_select(client: Client, query: str) -> list[dict]:
    """Bindings of a SELECT; retries transient failures, then raises KgError."""
    attempts = client.retries + 1
    where = display_url(client.endpoint)
    reason = ""
    for attempt in range(attempts):
        wait = client.backoff * 2 ** attempt
        try:
            results = _post(client, query)
            return results["results"]["bindings"]
        except urllib.error.HTTPError as err:
            detail = err.read(300).decode("utf-8", "replace").strip() if err.fp else ""
            reason = f"HTTP {err.code} {err.reason}" + (f": {detail}" if detail else "")
            if err.code not in RETRY_STATUS:
                raise KgError(f"{where}: {reason}") from None
            wait = max(wait, _retry_after(err))
        except urllib.error.URLError as err:
            timed_out = isinstance(err.reason, TimeoutError)
            reason = f"no answer within {client.timeout:g} s" if timed_out else f"unreachable: {err.reason}"
        except TimeoutError:
            reason = f"no answer within {client.timeout:g} s"
        except (OSError, http.client.HTTPException) as err:
            reason = f"connection failed: {err!r}"
        except (KeyError, TypeError):
            raise KgError(f"{where}: the answer is not SPARQL JSON results (no results.bindings)") from None
        if attempt + 1 < attempts:
            client.sleep(wait)
    raise KgError(f"{where}: {reason}; gave up after {attempts} attempt(s); nothing written")


def _retry_after(err: urllib.error.HTTPError) -> float:
    value = err.headers.get("Retry-After", "") if err.headers else ""
    return min(float(value), MAX_RETRY_AFTER) if value.strip().isdigit() else 0.0


# --------------------------------------------------------------------------
# Results to triples


def _term(binding: dict | None) -> URIRef | Literal | None:
    if not binding:
        return None
    kind, value = binding.get("type"), binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in binding:
            return Literal(value, lang=binding["xml:lang"])
        return Literal(value, datatype=URIRef(binding["datatype"])) if "datatype" in binding else Literal(value)
    return None  # blank nodes carry nothing we can link to


def _is_item(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(WD)) and bool(QID.match(str(term)[len(str(WD)):]))


def add_rows(graph: Graph, rows: Iterable[dict]) -> set[URIRef]:
    """Add the facts of result rows; return the items they point to (positions, countries)."""
    allowed = {RDFS.label: Literal, WD_SCHEMA.description: Literal, WDT.P625: Literal, WDT.P17: URIRef, P.P39: URIRef}
    referenced = set()
    for row in rows:
        item, prop, value = (_term(row.get(k)) for k in ("item", "prop", "value"))
        if not _is_item(item) or prop not in allowed or not isinstance(value, allowed[prop]):
            continue
        if prop == P.P39:
            stmt = _term(row.get("stmt"))
            if not isinstance(stmt, URIRef) or not _is_item(value):
                continue
            graph.add((item, P.P39, stmt))
            graph.add((stmt, PS.P39, value))
            for key, qualifier in (("start", PQ.P580), ("end", PQ.P582)):
                if isinstance(when := _term(row.get(key)), Literal):
                    graph.add((stmt, qualifier, when))
            referenced.add(value)
        else:
            graph.add((item, prop, value))
            if prop == WDT.P17 and _is_item(value):
                referenced.add(value)
    return referenced


def _values(items: list[URIRef]) -> str:
    # Only IRIs that match wd:Q<digits> reach here (see _is_item), so the text cannot carry anything else.
    return " ".join(f"wd:{str(i)[len(str(WD)):]}" for i in items)


def fetch(client: Client, items: list[URIRef], batch_size: int) -> Graph:
    """The enrichment triples of `items` (and labels of what they point to)."""
    if batch_size < 1:
        raise KgError(f"--batch-size: must be at least 1, got {batch_size}")
    graph = Graph()
    referenced: set[URIRef] = set()
    for batch in _batches(items, batch_size):
        referenced |= add_rows(graph, run_select(client, FACTS_QUERY % _values(batch)))
    extra = sorted(referenced - set(items))
    for batch in _batches(extra, batch_size):
        add_rows(graph, run_select(client, LABELS_QUERY % _values(batch)))
    return graph


def _batches(items: list[URIRef], size: int) -> Iterable[list[URIRef]]:
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
    graph.add((ENRICHMENT, RDF.type, PROV.Entity))
    graph.add((ENRICHMENT, RDFS.label, Literal(f"Facts about linked Wikidata items from {endpoint}", lang="en")))
    graph.add((ENRICHMENT, DCTERMS.source, URIRef(endpoint)))
    graph.add((ENRICHMENT, PROV.generatedAtTime, Literal(retrieved.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    graph.add((ENRICHMENT, RDFS.comment, Literal(f"Retrieved by `kg enrich` with User-Agent {USER_AGENT}", lang="en")))
    for item in items:
        graph.add((ENRICHMENT, SCHEMA.about, item))


def saved_enrichment(out: Path) -> Graph:
    """OUT/enrichment.ttl, or an empty graph when `kg enrich` has not been run (for the build to merge)."""
    path = out / ENRICHMENT_TTL
    graph = Graph()
    if path.is_file():
        try:
            graph.parse(path, format="turtle")
        except Exception as err:  # rdflib raises several types for bad input
            raise KgError(f"{path}: malformed Turtle: {err}; run `kg enrich` again or delete it") from None
    return graph


def enrich(out: Path, client: Client, batch_size: int = 50, now: Callable[[], dt.datetime] | None = None) -> Graph:
    """Fetch, then write OUT/enrichment.ttl and merge it into the dataset's external graph."""
    from kg.build import DATASET_TRIG, DATASET_TTL, Layers
    from kg.export import load_graphs, union
    from kg.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_VOCABULARY
    from kg.serialize import trig, turtle, write_atomically
    from kg.void import VOID_TTL, describe

    check_endpoint(client.endpoint)
    previous = saved_enrichment(out)
    graphs = load_graphs(out)  # read once: the links to fetch, then the graphs to rewrite
    items = linked_items(graphs[GRAPH_EXTERNAL])
    if not items:
        raise KgError(f"{out / DATASET_TRIG}: the external layer links no Wikidata item: nothing to enrich")
    enrichment = fetch(client, items, batch_size)
    retrieved = (now or (lambda: dt.datetime.now(dt.timezone.utc)))().replace(microsecond=0)
    provenance(enrichment, client.endpoint, items, retrieved)
    graphs[GRAPH_EXTERNAL] = (graphs[GRAPH_EXTERNAL] - previous) + enrichment
    layers = Layers(graphs[GRAPH_VOCABULARY], graphs[GRAPH_ASSERTED], graphs[GRAPH_INFERRED], graphs[GRAPH_EXTERNAL])
    texts = {  # everything is computed before the first write
        ENRICHMENT_TTL: turtle(enrichment),
        DATASET_TRIG: trig(layers.named()),
        DATASET_TTL: turtle(union(layers.named())),
        VOID_TTL: turtle(describe(layers)),
    }
    for name, text in texts.items():
        write_atomically(out / name, text)
    return enrichment


def enrich_cli(args: argparse.Namespace) -> int:
    if args.timeout <= 0 or args.retries < 0:
        raise KgError("--timeout must be positive and --retries zero or more")
    client = Client(args.endpoint, timeout=args.timeout, retries=args.retries)
    enrichment = enrich(args.out, client, args.batch_size)
    items = len(set(enrichment.objects(ENRICHMENT, SCHEMA.about)))
    print(f"enriched {items} linked Wikidata items from {display_url(args.endpoint)}: {len(enrichment)} triples "
          f"in {args.out / ENRICHMENT_TTL}, merged into the external graph of {args.out / 'dataset.trig'}")
    return EXIT_OK
