"""The external layer: links to Wikidata, DBpedia and GeoNames, and dates from outside reporting.

Inputs live in graph/external/ (Project.external_dir):
- external-ids.csv: identifiers checked against public sources, with a status and the evidence;
  copied byte for byte from the shared reference, never edited by hand.
- external-ids-nodes.csv: which graph node each row's key means (explicit, never guessed), and
  which target datasets name a different concept (skos:closeMatch instead of skos:exactMatch).
- resolved-dates.csv: calendar dates from public reporting for events the article dates loosely.
- resolved-dates-events.csv: which event(s) each dated row is about.

Only rows marked `confirmed` are linked. Each link is a plain triple (node skos:exactMatch IRI)
with a reified rdf:Statement beside it naming the mapping file, the row's evidence and the
void:Linkset it belongs to. Dates go on separate nodes (ptr:external-date/<key>) that point to
the event with schema:about, so the article's own dates stay untouched.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from kg.namespaces import BASE, PT, PTR, SCHEMA, SEM, VOID, WD
from kg.problems import KgError
from kg.project import Project

SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")

IDS_FILE = "external-ids.csv"
IDS_NODES_FILE = "external-ids-nodes.csv"
DATES_FILE = "resolved-dates.csv"
DATES_EVENTS_FILE = "resolved-dates-events.csv"

DATASET = URIRef(BASE + "dataset")
QID = re.compile(r"^Q[1-9][0-9]*$")
GEONAMES_ID = re.compile(r"^[0-9]+$")
KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DBPEDIA_PREFIX = "http://dbpedia.org/resource/"
GEONAMES_PREFIX = "https://sws.geonames.org/"
STATUSES = ("confirmed", "qid-unconfirmed", "unlinked")
IDS_COLUMNS = ["key", "label", "kind", "wikidata", "geonames", "dbpedia", "status", "evidence"]
IDS_NODES_COLUMNS = ["key", "node", "close", "note"]
DATES_COLUMNS = ["event", "article_wording", "date_start", "date_end", "note", "sources"]
DATES_EVENTS_COLUMNS = ["event", "nodes", "note"]


@dataclass(frozen=True)
class Target:
    """An outside dataset the graph links to."""

    name: str
    title: str
    homepage: URIRef
    uri_space: str


TARGETS: dict[str, Target] = {
    "wikidata": Target("wikidata", "Wikidata", URIRef("https://www.wikidata.org/"), str(WD)),
    "dbpedia": Target("dbpedia", "DBpedia", URIRef("https://www.dbpedia.org/"), DBPEDIA_PREFIX),
    "geonames": Target("geonames", "GeoNames", URIRef("https://www.geonames.org/"), GEONAMES_PREFIX),
}


def linkset_iri(target: str) -> URIRef:
    return PTR[f"linkset/{target}"]


@dataclass(frozen=True)
class Row:
    """One CSV row with the line it starts on."""

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class Link:
    node: URIRef
    predicate: URIRef
    iri: URIRef
    target: str
    key: str
    evidence: str


# --------------------------------------------------------------------------
# Reading the CSV files


def read_rows(path: Path, columns: list[str], project: Project) -> list[Row]:
    """Rows of a CSV file with exactly `columns`; a bad header or row names file and line (exit 2)."""
    where = project.relative(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KgError(f"{where}: missing file") from None
    except UnicodeDecodeError as err:
        raise KgError(f"{where}: not UTF-8: {err.reason}") from None
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    rows: list[Row] = []
    try:
        header = next(reader, None)
        if header != columns:
            raise KgError(f"{where}:1: header must be {','.join(columns)}, found {','.join(header or [])}")
        while True:
            line = reader.line_num + 1
            fields = next(reader, None)
            if fields is None:
                return rows
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(columns):
                raise KgError(f"{where}:{line}: {len(fields)} fields, expected {len(columns)} ({','.join(columns)})")
            rows.append(Row(line, dict(zip(columns, (f.strip() for f in fields)))))
    except csv.Error as err:
        raise KgError(f"{where}:{reader.line_num}: malformed CSV: {err}") from None


def _unique_keys(rows: list[Row], column: str, path: Path, project: Project) -> dict[str, Row]:
    seen: dict[str, Row] = {}
    for row in rows:
        key = row.values[column]
        if not KEY.match(key):
            raise KgError(f"{project.relative(path)}:{row.line}: {column} {key!r} is not a lower-case slug")
        if key in seen:
            raise KgError(f"{project.relative(path)}:{row.line}: duplicate {column} {key!r} (first on line {seen[key].line})")
        seen[key] = row
    return seen


def _node(slug: str, asserted: Graph, path: Path, row: Row, project: Project) -> URIRef:
    node = PTR[slug]
    if not KEY.match(slug) or (node, None, None) not in asserted:
        raise KgError(f"{project.relative(path)}:{row.line}: node ptr:{slug} is not defined in graph/*/*.ttl")
    return node


# --------------------------------------------------------------------------
# Links


def check_id_row(row: Row, where: str) -> None:
    """Refuse malformed identifiers, whatever the row's status."""
    v = row.values
    if v["status"] not in STATUSES:
        raise KgError(f"{where}:{row.line}: status {v['status']!r} is not one of {', '.join(STATUSES)}")
    if v["wikidata"] and not QID.match(v["wikidata"]):
        raise KgError(f"{where}:{row.line}: Wikidata id {v['wikidata']!r} does not match ^Q[1-9][0-9]*$")
    if v["geonames"] and not GEONAMES_ID.match(v["geonames"]):
        raise KgError(f"{where}:{row.line}: GeoNames id {v['geonames']!r} is not digits")
    dbpedia = v["dbpedia"]
    if dbpedia and (not dbpedia.startswith(DBPEDIA_PREFIX) or len(dbpedia) == len(DBPEDIA_PREFIX)
                    or re.search(r"[\s<>\"{}|\\^`]", dbpedia)):
        raise KgError(f"{where}:{row.line}: DBpedia IRI {dbpedia!r} is not a {DBPEDIA_PREFIX}<title> IRI")


def read_links(project: Project, asserted: Graph) -> list[Link]:
    """The links of every confirmed row whose key names a graph node."""
    ids_path = project.external_dir / IDS_FILE
    nodes_path = project.external_dir / IDS_NODES_FILE
    id_rows = read_rows(ids_path, IDS_COLUMNS, project)
    for row in id_rows:
        check_id_row(row, project.relative(ids_path))
    ids = _unique_keys(id_rows, "key", ids_path, project)
    nodes = _unique_keys(read_rows(nodes_path, IDS_NODES_COLUMNS, project), "key", nodes_path, project)
    for key, row in ids.items():
        if key not in nodes:
            raise KgError(f"{project.relative(ids_path)}:{row.line}: key {key!r} has no row in "
                          f"{project.relative(nodes_path)} (say which node it means, or leave the node empty)")
    links: list[Link] = []
    for key, row in nodes.items():
        if key not in ids:
            raise KgError(f"{project.relative(nodes_path)}:{row.line}: key {key!r} is not in {project.relative(ids_path)}")
        close = set(row.values["close"].split())
        if close - set(TARGETS):
            raise KgError(f"{project.relative(nodes_path)}:{row.line}: close must list target datasets "
                          f"({', '.join(TARGETS)}), found {row.values['close']!r}")
        if not row.values["node"]:
            continue
        node = _node(row.values["node"], asserted, nodes_path, row, project)
        links += _row_links(node, ids[key], close)
    return links


def _row_links(node: URIRef, row: Row, close: set[str]) -> list[Link]:
    v = row.values
    if v["status"] != "confirmed":
        return []  # the file says: link only what is marked confirmed
    iris = {
        "wikidata": WD[v["wikidata"]] if v["wikidata"] else None,
        "dbpedia": URIRef(v["dbpedia"]) if v["dbpedia"] else None,
        "geonames": URIRef(f"{GEONAMES_PREFIX}{v['geonames']}/") if v["geonames"] else None,
    }
    return [Link(node, SKOS.closeMatch if target in close else SKOS.exactMatch, iri, target, v["key"], v["evidence"])
            for target, iri in iris.items() if iri is not None]


def add_links(graph: Graph, links: list[Link], source: str) -> None:
    """The link triples, a reified statement per link with its source, and one linkset per target."""
    for link in links:
        graph.add((link.node, link.predicate, link.iri))
        statement = PTR[f"link/{link.key}/{link.target}"]
        graph.add((statement, RDF.type, RDF.Statement))
        graph.add((statement, RDF.subject, link.node))
        graph.add((statement, RDF.predicate, link.predicate))
        graph.add((statement, RDF.object, link.iri))
        graph.add((statement, VOID.inDataset, linkset_iri(link.target)))
        graph.add((statement, DCTERMS.source, Literal(source)))
        graph.add((statement, SKOS.note, Literal(link.evidence)))
    for name, target in TARGETS.items():
        members = [link for link in links if link.target == name]
        if members:
            add_linkset(graph, target, members, source)


def add_linkset(graph: Graph, target: Target, links: list[Link], source: str) -> None:
    linkset = linkset_iri(target.name)
    graph.add((linkset, RDF.type, VOID.Linkset))
    graph.add((linkset, RDFS.label, Literal(f"Links to {target.title}", lang="en")))
    graph.add((linkset, VOID.subjectsTarget, DATASET))
    graph.add((linkset, VOID.objectsTarget, target.homepage))
    for predicate in sorted({link.predicate for link in links}):
        graph.add((linkset, VOID.linkPredicate, predicate))
    graph.add((linkset, VOID.triples, Literal(len(links))))
    graph.add((linkset, DCTERMS.source, Literal(source)))
    graph.add((target.homepage, RDF.type, VOID.Dataset))
    graph.add((target.homepage, DCTERMS.title, Literal(target.title, lang="en")))
    graph.add((target.homepage, VOID.uriSpace, Literal(target.uri_space)))


# --------------------------------------------------------------------------
# Externally resolved dates


@dataclass(frozen=True)
class ResolvedDate:
    key: str
    nodes: tuple[URIRef, ...]
    start: dt.date
    end: dt.date
    wording: str
    note: str
    sources: str

    @property
    def iri(self) -> URIRef:
        return PTR[f"external-date/{self.key}"]


def _date(text: str, column: str, where: str, row: Row) -> dt.date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise KgError(f"{where}:{row.line}: {column} {text!r} is not a date (YYYY-MM-DD)") from None


def read_dates(project: Project, asserted: Graph) -> list[ResolvedDate]:
    dates_path = project.external_dir / DATES_FILE
    events_path = project.external_dir / DATES_EVENTS_FILE
    where = project.relative(dates_path)
    rows = _unique_keys(read_rows(dates_path, DATES_COLUMNS, project), "event", dates_path, project)
    events = _unique_keys(read_rows(events_path, DATES_EVENTS_COLUMNS, project), "event", events_path, project)
    dates = []
    for key, row in rows.items():
        v = row.values
        start, end = _date(v["date_start"], "date_start", where, row), _date(v["date_end"], "date_end", where, row)
        if end < start:
            raise KgError(f"{where}:{row.line}: date_end {end} is before date_start {start}")
        if not v["sources"]:
            raise KgError(f"{where}:{row.line}: no sources: every outside date needs its source")
        if key not in events:
            raise KgError(f"{where}:{row.line}: event {key!r} has no row in {project.relative(events_path)}")
        mapped = events[key]
        nodes = tuple(_node(slug, asserted, events_path, mapped, project) for slug in mapped.values["nodes"].split())
        if nodes:
            dates.append(ResolvedDate(key, nodes, start, end, v["article_wording"], v["note"], v["sources"]))
    for key, row in events.items():
        if key not in rows:
            raise KgError(f"{project.relative(events_path)}:{row.line}: event {key!r} is not in {where}")
    return dates


def add_dates(graph: Graph, dates: list[ResolvedDate], asserted: Graph, source: str) -> None:
    for date in dates:
        node = date.iri
        labels = "; ".join(_label(asserted, n) for n in date.nodes)
        graph.add((node, RDF.type, PROV.Entity))
        graph.add((node, RDFS.label, Literal(f"Date from outside reporting: {labels}", lang="en")))
        for event in date.nodes:
            graph.add((node, SCHEMA.about, event))
        if date.start == date.end:
            graph.add((node, SEM.hasTimeStamp, Literal(date.start.isoformat(), datatype=XSD.date)))
        else:
            graph.add((node, SEM.hasEarliestBeginTimeStamp, Literal(date.start.isoformat(), datatype=XSD.date)))
            graph.add((node, SEM.hasLatestEndTimeStamp, Literal(date.end.isoformat(), datatype=XSD.date)))
        if date.wording and not date.wording.startswith("("):
            graph.add((node, PT.timeExpression, Literal(date.wording)))
        if date.note:
            graph.add((node, SKOS.note, Literal(date.note)))
        graph.add((node, DCTERMS.source, Literal(date.sources)))
        graph.add((node, RDFS.seeAlso, Literal(source)))  # the mapping file the row is in
    for later, earlier in order_disagreements(dates, asserted):
        graph.add((later.iri, RDFS.comment, Literal(_disagreement(later, earlier, asserted), lang="en")))


def _label(graph: Graph, node: URIRef) -> str:
    """The node's first label in sorted order (deterministic if a node has several)."""
    return min((str(label) for label in graph.objects(node, RDFS.label)), default=str(node))


def _span(date: ResolvedDate) -> str:
    return str(date.start) if date.start == date.end else f"{date.start} to {date.end}"


def _disagreement(later: ResolvedDate, earlier: ResolvedDate, asserted: Graph) -> str:
    name = _label(asserted, earlier.nodes[0])
    return (f"Outside reporting disagrees with the article's order: the article places this after "
            f"'{name}', but outside reporting dates this {_span(later)}, before that "
            f"({_span(earlier)}, external-date/{earlier.key}).")


def order_disagreements(dates: list[ResolvedDate], asserted: Graph) -> list[tuple[ResolvedDate, ResolvedDate]]:
    """Pairs (later, earlier): the article orders `earlier` first (pt:precedes, through pt:partOf),
    but outside reporting ends `later` before `earlier` begins."""
    by_node = {node: date for date in dates for node in date.nodes}
    order = _article_order(asserted)
    found = []
    for first, second in sorted(order):
        a, b = by_node.get(first), by_node.get(second)
        if a and b and a is not b and b.end < a.start and (b, a) not in found:
            found.append((b, a))
    return found


def _article_order(asserted: Graph) -> set[tuple[URIRef, URIRef]]:
    """(earlier, later) pairs: pt:precedes, closed transitively and passed down to parts (pt:partOf)."""
    parts: dict[URIRef, set[URIRef]] = {}
    for part, whole in asserted.subject_objects(PT.partOf):
        parts.setdefault(whole, set()).add(part)

    def with_parts(node: URIRef) -> set[URIRef]:
        found, todo = {node}, [node]
        while todo:
            for part in parts.get(todo.pop(), ()):
                if part not in found:
                    found.add(part)
                    todo.append(part)
        return found

    later: dict[URIRef, set[URIRef]] = {}
    for a, b in asserted.subject_objects(PT.precedes):
        later.setdefault(a, set()).add(b)
    pairs = set()
    for start in later:
        seen, todo = set(), list(later[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo += later.get(node, ())
        pairs |= {(x, y) for after in seen for x in with_parts(start) for y in with_parts(after)}
    return pairs


# --------------------------------------------------------------------------
# The layer


def external_layer(project: Project, asserted: Graph) -> Graph:
    """Links of confirmed identifiers and outside dates, each with its source (exit 2 on bad input).

    A project without graph/external/ has no outside knowledge: the layer is empty."""
    graph = Graph()
    if not project.external_dir.is_dir():
        return graph
    add_links(graph, read_links(project, asserted), project.relative(project.external_dir / IDS_FILE))
    add_dates(graph, read_dates(project, asserted), asserted, project.relative(project.external_dir / DATES_FILE))
    return graph
