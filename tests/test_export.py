"""`kg export` round trips, the VoID/DCAT description and the ontology docs the build writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from rdflib import RDF, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from kg.cli import main
from kg.export import export, read_csv_view
from kg.namespaces import GRAPH_ASSERTED, GRAPH_EXTERNAL, GRAPH_INFERRED, GRAPH_VOCABULARY, PREFIXES
from kg.views import build_view, read_graphml

GRAPHS = (GRAPH_VOCABULARY, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_EXTERNAL)
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DATASET = URIRef("https://w3id.org/peace-talks-kg/dataset")
VIEW_LAYERS = ("asserted", "inferred", "external")


@pytest.fixture(scope="module")
def out(built, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("export") / "out"
    shutil.copytree(built, copy)
    return copy


@pytest.fixture(scope="module")
def graphs(built) -> dict[URIRef, Graph]:
    """The built dataset's named graphs, parsed here with rdflib."""
    dataset = Dataset()
    dataset.parse(built / "dataset.trig", format="trig")
    return {name: _copy(dataset.graph(name)) for name in GRAPHS}


def _copy(source) -> Graph:
    graph = Graph()
    for triple in source:
        graph.add(triple)
    return graph


def union(graphs) -> Graph:
    merged = Graph()
    for graph in graphs.values():
        merged += graph
    return merged


# --------------------------------------------------------------------------
# RDF formats


def test_trig_export_is_the_dataset(out, built):
    [path] = export(out, "trig")
    assert path == out / "export" / "dataset.trig"
    assert path.read_bytes() == (built / "dataset.trig").read_bytes()


def test_jsonld_round_trip_keeps_every_named_graph(out, graphs):
    [path] = export(out, "jsonld")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["@context"] == PREFIXES  # inline: no remote context to fetch offline
    back = Dataset()
    back.parse(path, format="json-ld")
    for name in GRAPHS:
        assert isomorphic(_copy(back.graph(name)), graphs[name]), name
    assert sum(len(_copy(back.graph(n))) for n in GRAPHS) == sum(len(g) for g in graphs.values())


@pytest.mark.parametrize("fmt, name, parser", [("turtle", "dataset.ttl", "turtle"), ("ntriples", "dataset.nt", "nt")])
def test_union_formats_round_trip(out, graphs, fmt, name, parser):
    [path] = export(out, fmt)
    assert path.name == name
    assert isomorphic(Graph().parse(path, format=parser), union(graphs))


def test_layers_option_selects_graphs(out, graphs):
    [path] = export(out, "trig", layers=["asserted", "external"])
    back = Dataset()
    back.parse(path, format="trig")
    assert {g.identifier for g in back.graphs() if len(g)} == {GRAPH_ASSERTED, GRAPH_EXTERNAL}
    assert isomorphic(_copy(back.graph(GRAPH_EXTERNAL)), graphs[GRAPH_EXTERNAL])


def test_exports_are_byte_identical_across_processes(out, tmp_path):
    """Python's string hashing changes per process; the files must not."""
    texts = []
    for seed in ("1", "2"):
        copy = tmp_path / f"run{seed}"
        shutil.copytree(out, copy, ignore=shutil.ignore_patterns("export"))
        env = {**os.environ, "PYTHONHASHSEED": seed}
        for fmt in ("jsonld", "csv"):
            subprocess.run([sys.executable, "-m", "kg.cli", "export", "--out", str(copy), "--format", fmt],
                           check=True, env=env, capture_output=True)
        texts.append({p.name: p.read_bytes() for p in sorted((copy / "export").iterdir())})
    assert texts[0] == texts[1]
    assert set(texts[0]) == {"dataset.jsonld", "interaction-nodes.csv", "interaction-edges.csv"}


# --------------------------------------------------------------------------
# Network formats: read back equal to the view


def edges(view) -> list:
    """Edges as sortable tuples; an undirected edge's ends in sorted order."""
    ends = (lambda a, b: (a, b)) if view.is_directed() else (lambda a, b: tuple(sorted((a, b))))
    if view.is_multigraph():
        return sorted(((*ends(a, b), k, d) for a, b, k, d in view.edges(keys=True, data=True)), key=lambda e: e[:3])
    return sorted(((*ends(a, b), d) for a, b, d in view.edges(data=True)), key=lambda e: e[:2])


def assert_same_network(back, view, keys: bool = True) -> None:
    assert type(back) is type(view)
    assert dict(back.nodes(data=True)) == dict(view.nodes(data=True))
    if keys:
        assert edges(back) == edges(view)
    else:
        strip = lambda found: sorted((e[:2] + e[-1:] for e in found), key=lambda e: (e[0], e[1], json.dumps(e[2], sort_keys=True)))  # noqa: E731
        assert strip(edges(back)) == strip(edges(view))


def read_gexf(path: Path, cls):
    """GEXF as written by kg.views, rebuilt as `cls`. GEXF has no multigraph flag: networkx reads a
    multigraph without parallel edges as a DiGraph and drops its edge keys (Gephi ignores them too),
    so edges are compared without keys. GEXF adds its own edge id; lists are `json:` strings."""
    graph = nx.read_gexf(path)

    def decode(attrs: dict) -> dict:
        return {k: json.loads(v[5:]) if isinstance(v, str) and v.startswith("json:") else v
                for k, v in attrs.items() if k not in ("id", "key")}

    back = cls()
    back.add_nodes_from((n, decode(a)) for n, a in graph.nodes(data=True))
    found = graph.edges(keys=True, data=True) if graph.is_multigraph() else ((a, b, None, d) for a, b, d in graph.edges(data=True))
    for a, b, key, attrs in found:
        if back.is_multigraph():
            back.add_edge(a, b, key=key, **decode(attrs))
        else:
            back.add_edge(a, b, **decode(attrs))
    return back


@pytest.mark.parametrize("view_name", ["interaction", "agreement", "timeline"])
def test_network_exports_read_back_equal_the_view(out, store, view_name):
    view = build_view(store, view_name, VIEW_LAYERS)
    assert view.number_of_edges() > 0
    [graphml] = export(out, "graphml", view_name)
    assert_same_network(read_graphml(graphml), view)
    [gexf] = export(out, "gexf", view_name)
    assert_same_network(read_gexf(gexf, type(view)), view, keys=False)
    nodes_csv, edges_csv = export(out, "csv", view_name)
    assert (nodes_csv.name, edges_csv.name) == (f"{view_name}-nodes.csv", f"{view_name}-edges.csv")
    assert_same_network(read_csv_view(nodes_csv, edges_csv), view)


def test_csv_is_readable_by_spreadsheets_and_gephi(out):
    nodes_csv, edges_csv = export(out, "csv", "interaction")
    node_header = nodes_csv.read_text(encoding="utf-8").splitlines()[0].split(",")
    edge_header = edges_csv.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert node_header[0] == "Id" and "label" in node_header and "wikidata" in node_header
    assert edge_header[:4] == ["Source", "Target", "Key", "Type"]
    assert "goldstein:float" in edge_header and "sign:int" in edge_header
    trump = next(line for line in nodes_csv.read_text(encoding="utf-8").splitlines()
                 if line.startswith("https://w3id.org/peace-talks-kg/id/trump,"))
    assert "Donald Trump" in trump and "http://www.wikidata.org/entity/Q22686" in trump


@pytest.mark.parametrize("args, message", [
    (["--format", "csv", "--view", "nope"],
     "error: --view: unknown view 'nope'; choose from interaction, stance, agreement, timeline, actor-issue, whole"),
    (["--format", "trig", "--layers", "asserted,bogus"],
     "error: --layers: unknown layer(s) bogus; choose from asserted, inferred, external, vocabulary"),
])
def test_bad_options_exit_2(out, capsys, args, message):
    assert main(["export", "--out", str(out), *args]) == 2
    assert capsys.readouterr().err.strip() == message


def test_export_needs_a_build(tmp_path, capsys):
    assert main(["export", "--out", str(tmp_path), "--format", "turtle"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {tmp_path}/dataset.trig: no built dataset: run `kg build --out {tmp_path}` first"


# --------------------------------------------------------------------------
# VoID/DCAT and ontology docs written by the build


@pytest.fixture(scope="module")
def void(built) -> Graph:
    return Graph().parse(built / "void.ttl", format="turtle")


def test_void_counts_triples_per_layer(void, graphs):
    assert set(void.objects(DATASET, VOID.subset)) >= set(GRAPHS)
    for name in GRAPHS:
        assert void.value(name, VOID.triples) == Literal(len(graphs[name])), name
    assert void.value(DATASET, VOID.triples) == Literal(sum(len(g) for g in graphs.values()))


def test_void_gives_licence_source_and_endpoint(void):
    assert void.value(DATASET, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert void.value(DATASET, DCTERMS.source) == URIRef("https://w3id.org/peace-talks-kg/id/article-npr-2025-trump-ukraine-peace")
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:7878/query")
    assert (URIRef("http://127.0.0.1:7878/query"), DCAT.servesDataset, DATASET) in void
    assert (DATASET, RDF.type, DCAT.Dataset) in void


def test_void_linksets_count_links_per_target(void, graphs):
    external = graphs[GRAPH_EXTERNAL]
    links = [o for p in (SKOS.exactMatch, SKOS.closeMatch) for o in external.objects(None, p)]
    targets = {"wikidata": "http://www.wikidata.org/entity/", "dbpedia": "http://dbpedia.org/resource/",
               "geonames": "https://sws.geonames.org/"}
    for name, prefix in targets.items():
        linkset = URIRef(f"https://w3id.org/peace-talks-kg/id/linkset/{name}")
        assert (DATASET, VOID.subset, linkset) in void
        assert void.value(linkset, VOID.triples) == Literal(len([o for o in links if str(o).startswith(prefix)]))
        assert str(void.value(void.value(linkset, VOID.objectsTarget), VOID.uriSpace)) == prefix


def test_void_is_deterministic(built, graphs):
    from kg.build import Layers
    from kg.serialize import turtle
    from kg.void import describe

    layers = Layers(*(graphs[name] for name in GRAPHS))
    assert turtle(describe(layers)) == (built / "void.ttl").read_text(encoding="utf-8")


def test_ontology_docs_are_built_and_deterministic(project, built, tmp_path):
    html = (built / "docs" / "ontology.html").read_text(encoding="utf-8")
    assert "Peace Talks Knowledge Graph ontology" in html
    ontology = Graph().parse(project.ontology, format="turtle")
    stance = str(ontology.value(URIRef(PREFIXES["pt"] + "Stance"), URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    assert stance in html
    code = "from kg.docs import ontology_html; from kg.project import find_project; print(ontology_html(find_project()), end='')"
    runs = [subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert runs[0] == runs[1] == html
