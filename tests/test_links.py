"""The external layer: only confirmed, well-formed identifiers are linked, each with its source;
outside dates sit on their own nodes; bad mapping rows fail with file, line and reason."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from kg.build import load_curated, union
from kg.cli import main
from kg.links import external_layer
from kg.namespaces import GRAPH_ASSERTED, GRAPH_EXTERNAL, PT, PTR, SCHEMA, SEM
from kg.problems import KgError
from kg.project import Project
from kg.sources import catalogue, load_sources
from kg.store import select

FIXTURES = Path(__file__).parent / "fixtures"
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
VOID = Namespace("http://rdfs.org/ns/void#")
WD = "http://www.wikidata.org/entity/"
MATCHES = (SKOS.exactMatch, SKOS.closeMatch)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def external(store) -> Graph:
    graph = Graph()
    for row in select(store, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{GRAPH_EXTERNAL}> {{ ?s ?p ?o }} }}"):
        o = row["o"]
        graph.add((row["s"], row["p"], Literal(str(o)) if isinstance(o, Literal) and o.datatype == XSD.string else o))
    return graph


@pytest.fixture(scope="module")
def links(external) -> set[tuple[URIRef, URIRef, URIRef]]:
    return {(s, p, o) for p in MATCHES for s, o in external.subject_objects(p)}


def expected_links(project: Project) -> set[tuple[URIRef, URIRef, URIRef]]:
    """Computed here from the two CSV files, independently of kg.links."""
    ids = {row["key"]: row for row in read_csv(project.external_dir / "external-ids.csv")}
    found = set()
    for row in read_csv(project.external_dir / "external-ids-nodes.csv"):
        source = ids[row["key"]]
        if not row["node"] or source["status"] != "confirmed":
            continue
        node, close = PTR[row["node"]], row["close"].split()
        for target, iri in (("wikidata", source["wikidata"] and WD + source["wikidata"]),
                            ("dbpedia", source["dbpedia"]),
                            ("geonames", source["geonames"] and f"https://sws.geonames.org/{source['geonames']}/")):
            if iri:
                found.add((node, SKOS.closeMatch if target in close else SKOS.exactMatch, URIRef(iri)))
    return found


def test_mapping_files_are_the_shared_reference_byte_for_byte(project):
    shared = project.root.parent / "shared" / "reference"
    if not shared.is_dir():
        pytest.skip("the shared reference folder is not beside this checkout")
    for name in ("external-ids.csv", "resolved-dates.csv"):
        assert (project.external_dir / name).read_bytes() == (shared / name).read_bytes()


def test_links_are_exactly_the_confirmed_rows(project, links):
    assert links == expected_links(project)


def test_no_unconfirmed_or_malformed_identifier_is_linked(project, links, external):
    linked = {str(o) for _, _, o in links}
    for row in read_csv(project.external_dir / "external-ids.csv"):
        if row["status"] != "confirmed":
            for value in (row["dbpedia"], row["wikidata"] and WD + row["wikidata"]):
                assert not value or value not in linked, row["key"]
    objects = {str(o) for o in external.objects()}
    for wrong in ("Q4328088", "Q349455", "Q27468", "Q133067", "Q191954"):  # called WRONG in the evidence column
        assert WD + wrong not in objects
    for iri in linked:
        if iri.startswith(WD):
            assert re.fullmatch(r"Q[1-9][0-9]*", iri[len(WD):]), iri
        elif iri.startswith("https://sws.geonames.org/"):
            assert re.fullmatch(r"https://sws\.geonames\.org/[0-9]+/", iri), iri
        else:
            assert iri.startswith("http://dbpedia.org/resource/"), iri


def test_links_checked_against_the_evidence_notes(links):
    # Crimea: the QID is the peninsula (as ptr:crimea), GeoNames 703883 the ADM1 region: a close match.
    assert (PTR.crimea, SKOS.exactMatch, URIRef(WD + "Q7835")) in links
    assert (PTR.crimea, SKOS.closeMatch, URIRef("https://sws.geonames.org/703883/")) in links
    assert (PTR.crimea, SKOS.exactMatch, URIRef("https://sws.geonames.org/703883/")) not in links
    # Jeddah's GeoNames id is unconfirmed: none. Moscow is the city id, not 524894.
    assert not [o for s, _, o in links if s == PTR.jeddah and "geonames" in str(o)]
    assert (PTR.moscow, SKOS.exactMatch, URIRef("https://sws.geonames.org/524901/")) in links
    # Unconfirmed or unlinked rows, and the Kremlin (a different concept), get nothing.
    for node in ("lavrov", "peskov", "seth-jones", "samuel-charap", "ryabkov", "csis", "rand", "kremlin",
                 "oval-office", "office-president-of-ukraine", "event-oval-office-meeting-feb-28"):
        assert not [o for s, _, o in links if s == PTR[node]], node
    # The White House building, not the government the article calls "the White House".
    assert (PTR["white-house"], SKOS.exactMatch, URIRef(WD + "Q35525")) in links
    assert not [o for s, _, o in links if s == PTR["trump-administration"]]


def test_every_link_carries_its_source_and_evidence(project, links, external):
    evidence = {row["key"]: row["evidence"] for row in read_csv(project.external_dir / "external-ids.csv")}
    statements = list(external.subjects(RDF.type, RDF.Statement))
    assert len(statements) == len(links)
    for statement in statements:
        triple = tuple(external.value(statement, p) for p in (RDF.subject, RDF.predicate, RDF.object))
        assert triple in links
        assert external.value(statement, DCTERMS.source) == Literal("graph/external/external-ids.csv")
        key = str(statement)[len(str(PTR)) + len("link/"):].split("/")[0]
        assert external.value(statement, SKOS.note) == Literal(evidence[key])
        assert external.value(statement, VOID.inDataset) in set(external.subjects(RDF.type, VOID.Linkset))


def test_linkset_counts_per_target(links, external):
    hosts = {"wikidata": WD, "dbpedia": "http://dbpedia.org/resource/", "geonames": "https://sws.geonames.org/"}
    for name, prefix in hosts.items():
        count = len([o for _, _, o in links if str(o).startswith(prefix)])
        assert count > 0
        assert external.value(PTR[f"linkset/{name}"], VOID.triples) == Literal(count)


def test_links_never_touch_what_the_article_asserts(store, external):
    asserted = {row["s"] for row in select(store, f"SELECT DISTINCT ?s WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{ ?s ?p ?o }} }}")}
    # ontology/rules/external/ date events from their source's publication date: dates on the event, marked
    # with that source; the source's publication interval itself is outside knowledge (issue 11)
    derived = {SEM.hasTimeStamp, SEM.hasLatestEndTimeStamp, PT.dateFromPublicationOf,
               PT.publishedEarliest, PT.publishedLatest, PT.publicationReason}
    for s, p, _ in external:
        if s in asserted:
            assert p in (*MATCHES, *derived), (s, p)  # an asserted node gets links and derived dates, never a label
    rows = select(store, f"SELECT ?s WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{ ?s ?p ?o }} "
                         "VALUES ?p { skos:exactMatch skos:closeMatch owl:sameAs } }")
    assert rows == []


# --------------------------------------------------------------------------
# Outside dates


def test_outside_dates_are_separate_statements_with_sources(external):
    node = PTR["external-date/ryabkov-remark"]
    assert external.value(node, SCHEMA.about) == PTR["event-ryabkov-current-form-remark"]
    assert external.value(node, SEM.hasTimeStamp) == Literal("2025-04-01", datatype=XSD.date)
    assert external.value(node, DCTERMS.source) == Literal("Reuters interview report of 2025-04-01")
    truce = PTR["external-date/easter-truce"]
    assert external.value(truce, SEM.hasEarliestBeginTimeStamp) == Literal("2025-04-19", datatype=XSD.date)
    assert external.value(truce, SEM.hasLatestEndTimeStamp) == Literal("2025-04-21", datatype=XSD.date)
    assert external.value(truce, SEM.hasTimeStamp) is None
    calls = PTR["external-date/trump-calls-putin-and-zelenskyy"]
    assert set(external.objects(calls, SCHEMA.about)) == {PTR["event-trump-putin-call"], PTR["event-trump-zelenskyy-call"]}
    assert str(external.value(calls, URIRef("https://w3id.org/peace-talks-kg/ontology#timeExpression"))) == \
        "Weeks after his inauguration, Trump made separate calls"


def test_article_dates_and_outside_dates_can_be_asked_apart(store):
    says = select(store, f"""SELECT ?d WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{
        ptr:event-ryabkov-current-form-remark sem:hasTimeStamp|pt:statedDate ?d }} }}""")
    known = select(store, f"""SELECT ?d WHERE {{ GRAPH <{GRAPH_EXTERNAL}> {{
        ?date schema:about ptr:event-ryabkov-current-form-remark ; sem:hasTimeStamp ?d }} }}""")
    assert says == []  # the article gives no date for the remark
    assert [str(r["d"]) for r in known] == ["2025-04-01"]


def test_disagreement_with_the_articles_order_is_noted(external):
    commented = {s for s, _ in external.subject_objects(RDFS.comment) if "external-date/" in str(s)}
    assert commented == {PTR["external-date/ryabkov-remark"]}
    comments = sorted(str(c) for c in external.objects(PTR["external-date/ryabkov-remark"], RDFS.comment))
    assert any("places this after 'The U.S. proposes a peace plan'" in c and "2025-04-01" in c
               and "2025-04-17 to 2025-04-25" in c for c in comments), comments


def test_rows_without_an_event_in_the_article_are_not_dated(external):
    assert (PTR["external-date/minerals-agreement-signed"], None, None) not in external
    assert external.value(PTR["external-date/article-publication"], SCHEMA.about) == PTR["article-npr-2025-trump-ukraine-peace"]


# --------------------------------------------------------------------------
# Bad input


@pytest.fixture(scope="module")
def asserted(project) -> Graph:
    """The curated facts and the sources catalogue: the nodes an external row may name."""
    sources = load_sources(project)
    return union(load_curated(project, sources)[0]) + catalogue(sources)


def project_with(tmp_path: Path, project: Project, **replacements: Path) -> Project:
    """A project root whose graph/external/ is the shipped one with some files replaced."""
    external = tmp_path / "graph" / "external"
    shutil.copytree(project.external_dir, external)
    for name, source in replacements.items():
        shutil.copy(source, external / (name.replace("_", "-") + ".csv"))
    return Project(tmp_path)


BAD_ROWS = [
    ("external_ids", "external-ids-bad-qid.csv",
     "graph/external/external-ids.csv:4: Wikidata id 'Q07747' does not match ^Q[1-9][0-9]*$"),
    ("external_ids", "external-ids-bad-geonames.csv",
     "graph/external/external-ids.csv:5: GeoNames id '12a4' is not digits"),
    ("external_ids", "external-ids-short-row.csv",
     "graph/external/external-ids.csv:3: 7 fields, expected 8 (key,label,kind,wikidata,geonames,dbpedia,status,evidence)"),
    ("external_ids", "external-ids-bad-status.csv",
     "graph/external/external-ids.csv:2: status 'confirmd' is not one of confirmed, qid-unconfirmed, unlinked"),
    ("external_ids", "external-ids-bad-dbpedia.csv",
     "graph/external/external-ids.csv:2: DBpedia IRI 'http://dbpedia.org/resource/Donald Trump' is not a "
     "http://dbpedia.org/resource/<title> IRI"),
    ("external_ids_nodes", "external-ids-nodes-unknown-node.csv",
     "graph/external/external-ids-nodes.csv:2: node ptr:donald-trump is not defined in graph/*/*.ttl"),
    ("resolved_dates", "resolved-dates-bad-date.csv",
     "graph/external/resolved-dates.csv:3: date_start '2025-02-30' is not a date (YYYY-MM-DD)"),
    ("resolved_dates", "resolved-dates-end-before-start.csv",
     "graph/external/resolved-dates.csv:2: date_end 2025-01-19 is before date_start 2025-01-20"),
]


@pytest.mark.parametrize("name, fixture, message", BAD_ROWS, ids=[b[1] for b in BAD_ROWS])
def test_malformed_row_names_file_line_and_reason(project, asserted, tmp_path, name, fixture, message):
    bad = project_with(tmp_path, project, **{name: FIXTURES / "invalid" / fixture})
    with pytest.raises(KgError) as error:
        external_layer(bad, asserted)
    assert str(error.value) == message


def test_a_key_missing_from_the_node_table_is_refused(project, asserted, tmp_path):
    bad = project_with(tmp_path, project)
    table = bad.external_dir / "external-ids-nodes.csv"
    table.write_text("".join(l for l in table.read_text(encoding="utf-8").splitlines(keepends=True)
                             if not l.startswith("crimea,")), encoding="utf-8")
    with pytest.raises(KgError) as error:
        external_layer(bad, asserted)
    assert str(error.value) == (
        "graph/external/external-ids.csv:34: key 'crimea' has no row in graph/external/external-ids-nodes.csv "
        "(say which node it means, or leave the node empty)")


def test_cli_build_exits_2_and_writes_nothing(project, tmp_path, monkeypatch, capsys):
    root = tmp_path / "project"
    for folder in ("ontology", "sources", "graph", "queries"):
        shutil.copytree(project.root / folder, root / folder)
    shutil.copy(FIXTURES / "invalid" / "external-ids-bad-qid.csv", root / "graph" / "external" / "external-ids.csv")
    monkeypatch.setenv("KG_ROOT", str(root))
    out = tmp_path / "out"
    assert main(["build", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: graph/external/external-ids.csv:4: Wikidata id 'Q07747' does not match ^Q[1-9][0-9]*$")
    assert not (out / "dataset.trig").exists()


# --------------------------------------------------------------------------
# Federated queries


FEDERATED = {"federated-positions-held": "Person", "federated-place-coordinates": "Place"}


@pytest.mark.parametrize("name, kind", FEDERATED.items())
def test_federated_values_list_matches_the_links(project, store, name, kind):
    from kg.library import read_query

    query = read_query(project.queries_dir / f"{name}.rq", project)
    assert "needs the network" in query.summary.lower() and "Needs the network" in query.description
    values = re.search(r"VALUES \?item \{([^}]*)\}", query.text)[1].split()
    rows = select(store, f"""SELECT DISTINCT ?item WHERE {{ ?node a pt:{kind} .
        GRAPH <{GRAPH_EXTERNAL}> {{ ?node skos:exactMatch ?item }} FILTER(STRSTARTS(STR(?item), "{WD}")) }}""")
    assert sorted(values) == sorted("wd:" + str(r["item"])[len(WD):] for r in rows)


def local(query_text: str, endpoint: str) -> str:
    """The query with its Wikidata SERVICE pointed at the local fixture endpoint (in the test only)."""
    assert "SERVICE <https://query.wikidata.org/sparql>" in query_text
    return query_text.replace("https://query.wikidata.org/sparql", endpoint)


@pytest.mark.server
def test_federated_positions_held_against_the_fixture(project, store, wikidata_endpoint):
    text = local((project.queries_dir / "federated-positions-held.rq").read_text(encoding="utf-8"), wikidata_endpoint)
    rows = [(str(r["name"]), str(r["positionLabel"]), str(r["start"])[:10], str(r.get("end", ""))[:10],
             r["inArticle"].toPython()) for r in select(store, text)]
    # Values from tests/fixtures/wikidata-fixture.ttl; ?inArticle from the article's holdings
    # ("President Joe Biden", "President Donald Trump", "Secretary of State Marco Rubio",
    # "Russian President Vladimir Putin"): Biden's vice-presidency is not in the article.
    assert rows == [
        ("Donald Trump", "President of the United States", "2017-01-20", "2021-01-20", True),
        ("Donald Trump", "President of the United States", "2025-01-20", "", True),
        ("Joe Biden", "Vice President of the United States", "2009-01-20", "2017-01-20", False),
        ("Joe Biden", "President of the United States", "2021-01-20", "2025-01-20", True),
        ("Marco Rubio", "United States Secretary of State", "2025-01-21", "", True),
        ("Vladimir Putin", "President of Russia", "2012-05-07", "", True),
    ]


@pytest.mark.server
def test_federated_place_coordinates_against_the_fixture(project, store, wikidata_endpoint):
    text = local((project.queries_dir / "federated-place-coordinates.rq").read_text(encoding="utf-8"), wikidata_endpoint)
    rows = select(store, text)
    assert [(str(r["name"]), str(r["coordinates"]), str(r.get("country", ""))) for r in rows] == [
        ("Crimea", "Point(34.1 45.3)", ""),
        ("Istanbul", "Point(28.955 41.0136)", WD + "Q43"),
        ("Kyiv", "Point(30.5233 50.45)", WD + "Q212"),
    ]
    for row in rows:
        events = select(store, "SELECT ?place (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e sem:hasPlace ?place } GROUP BY ?place",
                        substitutions={ox.Variable("place"): ox.NamedNode(str(row["place"]))})
        assert row["events"] == events[0]["n"]
