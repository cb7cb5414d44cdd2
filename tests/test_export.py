"""`kg export` round trips, the VoID/DCAT description and the ontology docs the build writes."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from rdflib import RDF, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from kg.buildfolder import GRAPHS as BUILT_GRAPHS
from kg.cli import main
from kg.export import EXPORT_DIR, export, read_csv_view, view_csv
from kg.namespaces import GRAPH_ASSERTED, GRAPH_EXTERNAL, PREFIXES
from kg.render import HTML_DIR
from kg.views import VIEWS, build_view, read_graphml

GRAPHS = tuple(BUILT_GRAPHS.values())
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
        for fmt in ("jsonld", "csv", "gexf", "graphml"):
            subprocess.run([sys.executable, "-m", "kg.cli", "export", "--out", str(copy), "--format", fmt],
                           check=True, env=env, capture_output=True)
        texts.append({p.name: p.read_bytes() for p in sorted((copy / "export").iterdir())})
    assert texts[0] == texts[1]
    assert set(texts[0]) == {"dataset.jsonld", "interaction-nodes.csv", "interaction-edges.csv",
                             "interaction.gexf", "interaction.graphml"}


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


def _decoded(attrs: dict) -> dict:
    return {k: json.loads(v[5:]) if isinstance(v, str) and v.startswith("json:") else v for k, v in attrs.items()}


def _edge_rows(graph, directed: bool, keys: bool) -> list[tuple[str, str, str, dict]]:
    found = graph.edges(keys=True, data=True) if graph.is_multigraph() else \
        ((a, b, None, d) for a, b, d in graph.edges(data=True))
    return [(*((a, b) if directed else sorted((a, b))), str(key) if keys else "", attrs) for a, b, key, attrs in found]


def carried(back, view, extra: set[str], keys: bool = True) -> None:
    """`back` (an export read back) holds every attribute of the view that has a value, with that value
    (lists from their `json:` strings; an int may come back as the float of a number column), and no
    other attribute but those in `extra` and the formats' own edge ids and keys."""
    own = extra | {"id", "key", "networkx_key"}
    if keys:
        assert type(back) is type(view)
    assert set(back.nodes) == set(view.nodes)
    for node, attrs in view.nodes(data=True):
        expected = {k: v for k, v in attrs.items() if v is not None}
        got = _decoded(back.nodes[node])
        assert {k: got.get(k) for k in expected} == expected and set(got) - set(expected) <= own, node
    expected_rows = [(a, b, k, {n: v for n, v in d.items() if v is not None})
                     for a, b, k, d in _edge_rows(view, view.is_directed(), keys)]
    names = {n for *_, d in expected_rows for n in d}
    got_rows = [(a, b, k, _decoded(d)) for a, b, k, d in _edge_rows(back, view.is_directed(), keys)]
    assert all(set(d) - names <= own for *_, d in got_rows)

    def canonical(rows: list) -> list:
        """Rows sorted alike, with numbers as floats (GEXF's edge weight is a float)."""
        def number(v):
            return float(v) if isinstance(v, int) and not isinstance(v, bool) else v
        return sorted((a, b, k, json.dumps({n: number(v) for n, v in d.items() if n in names}, sort_keys=True))
                      for a, b, k, d in rows)

    assert canonical(got_rows) == canonical(expected_rows)


VIEWS_TO_EXPORT = ("interaction", "stance", "agreement", "timeline", "actor-issue", "whole")
GRAPHML_VIZ = {"r", "g", "b", "x", "y", "size"}
GEXF_EXTRA = {"spells", "spell_layer", "label"}


@pytest.mark.parametrize("view_name", ["interaction", "agreement", "timeline"])
def test_network_exports_read_back_equal_the_view(out, store, view_name):
    view = build_view(store, view_name, VIEW_LAYERS)
    assert view.number_of_edges() > 0
    [graphml] = export(out, "graphml", view_name)
    carried(read_graphml(graphml), view, GRAPHML_VIZ)
    [gexf] = export(out, "gexf", view_name)
    carried(nx.read_gexf(gexf), view, GEXF_EXTRA, keys=False)
    nodes_csv, edges_csv = export(out, "csv", view_name)
    assert (nodes_csv.name, edges_csv.name) == (f"{view_name}-nodes.csv", f"{view_name}-edges.csv")
    assert_same_network(read_csv_view(nodes_csv, edges_csv), view)


# --------------------------------------------------------------------------
# Gephi: valid GEXF, typed attributes, the pages' look, time


@pytest.fixture(scope="module")
def gexf_schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(Path(__file__).parent / "fixtures" / "gexf" / "1.2draft" / "gexf.xsd")))


@pytest.fixture(scope="module")
def gexf_files(out) -> dict[str, Path]:
    return {name: export(out, "gexf", name)[0] for name in VIEWS_TO_EXPORT}


GEXF = "{http://www.gexf.net/1.2draft}"


def parse(path: Path):
    from lxml import etree

    return etree.parse(str(path))


@pytest.mark.parametrize("name", VIEWS_TO_EXPORT)
def test_every_gexf_export_is_valid_against_the_official_schema(gexf_schema, gexf_files, name):
    document = parse(gexf_files[name])
    assert gexf_schema.validate(document), gexf_schema.error_log.last_error
    root = document.getroot()
    assert root.get("version") == "1.2"
    assert root.findtext(f"{GEXF}meta/{GEXF}creator").startswith("peace-talks-kg")


def test_kg_analyze_writes_the_same_valid_gexf(gexf_schema, gexf_files, built, tmp_path):
    copy = tmp_path / "out"
    shutil.copytree(built, copy, symlinks=True)
    assert main(["analyze", "--out", str(copy), "--views", "interaction,timeline"]) == 0
    for name in ("interaction", "timeline"):
        written = copy / "analysis" / "views" / f"{name}.gexf"
        assert gexf_schema.validate(parse(written)), gexf_schema.error_log.last_error
        assert written.read_bytes() == gexf_files[name].read_bytes()  # same view, same layers, same file


def test_the_schema_check_can_fail(gexf_schema, gexf_files, tmp_path):
    """networkx's own output (a name on <graph>, viz: elements) is what the schema refuses."""
    from lxml import etree

    document = parse(gexf_files["stance"])
    document.getroot().find(f"{GEXF}graph").set("name", "stance")
    assert not gexf_schema.validate(document)
    nx.write_gexf(nx.path_graph(2), tmp_path / "nx.gexf")
    assert not gexf_schema.validate(etree.parse(str(tmp_path / "nx.gexf")))


def declared_types(path: Path) -> dict[tuple[str, str], str]:
    return {(attributes.get("class"), a.get("title")): a.get("type")
            for attributes in parse(path).getroot().iter(f"{GEXF}attributes") for a in attributes}


@pytest.mark.parametrize("name", VIEWS_TO_EXPORT)
def test_numbers_are_typed_as_numbers(out, store, gexf_files, name):
    view = build_view(store, name, VIEW_LAYERS)
    types = declared_types(gexf_files[name])
    numeric = {key for *_, attrs in view.edges(data=True) for key, value in attrs.items()
               if isinstance(value, (int, float)) and not isinstance(value, bool)}
    assert numeric  # every view has numbers on its edges (sign, at least)
    for key in numeric - {"weight"}:  # GEXF's edge weight is the edge's own (float) attribute
        assert types[("edge", key)] in ("double", "long", "integer", "float"), key
    if "weight" in numeric:
        weights = [e.get("weight") for e in parse(gexf_files[name]).getroot().iter(f"{GEXF}edge")]
        assert all(w is not None and float(w) == float(w) for w in weights)
    # the issue: goldstein (a float or None) was a string in 5 of 6 views
    assert types.get(("edge", "goldstein"), "double") == "double"
    [graphml] = export(out, "graphml", name)
    keys = {k.get("attr.name"): k.get("attr.type") for k in parse(graphml).getroot().iter(
        "{http://graphml.graphdrawing.org/xmlns}key") if k.get("for") == "edge"}
    for key in numeric:
        assert keys[key] in ("double", "long", "int", "float"), key


def test_gexf_has_the_colours_positions_and_sizes_of_the_pages(store, gexf_files):
    from kg import render

    view = build_view(store, "interaction", VIEW_LAYERS)
    positions = render.network_positions(view)
    degrees = {n: len(set(nx.all_neighbors(view, n)) - {n}) for n in view.nodes}
    nodes = {n.get("id"): n for n in parse(gexf_files["interaction"]).getroot().iter(f"{GEXF}node")}
    trump = nodes["https://w3id.org/peace-talks-kg/id/trump"]
    colour = render.style_of("Person").colour
    assert {k: int(v) for k, v in trump.find(f"{GEXF}color").attrib.items() if k in "rgb"} == \
        {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16)}
    x, y = positions["https://w3id.org/peace-talks-kg/id/trump"]
    position = trump.find(f"{GEXF}position")
    assert (float(position.get("x")), float(position.get("y"))) == (round(x, 1), round(-y, 1))  # Gephi's y is up
    size = render.node_size(degrees["https://w3id.org/peace-talks-kg/id/trump"], max(degrees.values()))
    assert float(trump.find(f"{GEXF}size").get("value")) == size
    assert trump.find(f"{GEXF}shape").get("value") == "disc"
    colours = {(e.find(f"{GEXF}color").get("r"), e.find(f"{GEXF}color").get("g"))
               for e in parse(gexf_files["interaction"]).getroot().iter(f"{GEXF}edge")}
    assert len(colours) >= 2  # cooperation and conflict are drawn apart


def spells(path: Path) -> dict[str, list[tuple[str | None, str | None]]]:
    root = parse(path).getroot()
    found = {}
    for element in [*root.iter(f"{GEXF}node"), *root.iter(f"{GEXF}edge")]:
        found[element.get("id")] = [(s.get("start"), s.get("end")) for s in element.iter(f"{GEXF}spell")]
    return found


@pytest.mark.parametrize("name", ["timeline", "interaction"])
def test_dynamic_gexf_gives_each_dated_thing_its_days_as_a_spell(store, gexf_files, name):
    from kg import render

    view = build_view(store, name, VIEW_LAYERS)
    graph = parse(gexf_files[name]).getroot().find(f"{GEXF}graph")
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "date")
    found = spells(gexf_files[name])
    dated_nodes = {str(n): render.interval(a) for n, a in view.nodes(data=True) if render.interval(a)[0]}
    for node, days in dated_nodes.items():
        assert found[node] == [days], node
    assert all(found[n] == [] for n in map(str, view.nodes) if n not in dated_nodes)
    edge_days = sorted(render.interval(a) for *_, a in view.edges(data=True) if render.interval(a)[0])
    gexf_days = sorted(days[0] for element, days in found.items() if element.startswith("e") and
                       element not in dated_nodes and days)
    assert gexf_days == edge_days and edge_days


@pytest.mark.parametrize("name", ["stance", "agreement", "actor-issue", "whole"])
def test_other_views_are_static(gexf_files, name):
    graph = parse(gexf_files[name]).getroot().find(f"{GEXF}graph")
    assert graph.get("mode") == "static" and graph.get("timeformat") is None
    assert not any(spells(gexf_files[name]).values())


def test_each_spell_carries_the_layer_of_its_days():
    """The layer of a date, as kg.views gives it (date_layer, or the weaker of the bounds' layers),
    is a dynamic attribute over the same days."""
    from kg.export import gexf_bytes

    view = nx.MultiDiGraph(name="timeline", layers="asserted,inferred,external")
    view.add_node("a", label="A", kind="Meeting", date="2025-02-28", date_layer="inferred")
    view.add_node("b", label="B", kind="Meeting", earliest="2025-03-01", latest="2025-03-18",
                  earliest_layer="asserted", latest_layer="external")
    view.add_node("c", label="C", kind="Person")
    view.add_edge("a", "b", key="k", relation="precedes", goldstein=None, sign=0)
    from lxml import etree

    root = etree.fromstring(gexf_bytes(view, "timeline"))
    titles = {a.get("id"): a.get("title") for a in root.iter(f"{GEXF}attribute")}
    layers = {}
    for node in root.iter(f"{GEXF}node"):
        layers[node.get("id")] = [(v.get("value"), v.get("start"), v.get("end")) for v in node.iter(f"{GEXF}attvalue")
                                  if titles[v.get("for")] == "spell_layer"]
    assert layers == {"a": [("inferred", "2025-02-28", "2025-02-28")],
                      "b": [("external", "2025-03-01", "2025-03-18")], "c": []}
    edge = next(root.iter(f"{GEXF}edge"))
    assert [titles[v.get("for")] for v in edge.iter(f"{GEXF}attvalue")].count("goldstein") == 0  # None: no value


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
     "error: --layers: unknown layer(s) bogus; choose from vocabulary, sources, asserted, inferred, external"),
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


def test_void_gives_licence_and_source(void):
    assert void.value(DATASET, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert void.value(DATASET, DCTERMS.source) == URIRef("https://w3id.org/peace-talks-kg/id/article-npr-2025-trump-ukraine-peace")
    assert (DATASET, RDF.type, DCAT.Dataset) in void


@pytest.fixture(scope="module")
def layers_of_build(graphs):
    from kg.buildfolder import Layers

    return Layers(**{name: graphs[iri] for name, iri in BUILT_GRAPHS.items()})


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
    from kg.buildfolder import Layers
    from kg.serialize import turtle
    from kg.void import describe

    layers = Layers(**{name: graphs[iri] for name, iri in BUILT_GRAPHS.items()})
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


# --------------------------------------------------------------------------
# What `kg export` names and refuses


def test_an_export_of_some_layers_is_named_by_them(out, graphs):
    [whole] = export(out, "trig")
    [some] = export(out, "trig", layers=["external", "asserted"])
    assert (whole.name, some.name) == ("dataset.trig", "dataset-asserted-external.trig")
    assert whole.read_bytes() != some.read_bytes()
    [every] = export(out, "turtle", layers=["vocabulary", "sources", "asserted", "inferred", "external"])
    assert every.name == "dataset.ttl"
    [view] = export(out, "gexf", "stance", layers=["asserted"])
    assert view.name == "stance-asserted.gexf"
    assert [p.name for p in export(out, "csv", "stance", layers=["asserted", "inferred"])] == \
        ["stance-nodes-asserted-inferred.csv", "stance-edges-asserted-inferred.csv"]


@pytest.mark.parametrize("args, message", [
    (["--format", "trig", "--view", "stance"],
     "error: --view is for graphml, gexf, csv: --format trig exports the dataset's graphs (choose them with --layers)"),
    (["--format", "timelinejs", "--view", "stance"],
     "error: --view stance: --format timelinejs is the timeline view"),
])
def test_a_view_that_the_format_does_not_use_is_refused(out, capsys, args, message):
    before = sorted((out / "export").iterdir()) if (out / "export").is_dir() else []
    assert main(["export", "--out", str(out), *args]) == 2
    assert capsys.readouterr().err.strip() == message
    assert (sorted((out / "export").iterdir()) if (out / "export").is_dir() else []) == before


# --------------------------------------------------------------------------
# CSV: no formula reaches a spreadsheet (OWASP CSV injection)


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx",
                                  "'quoted", "plain"])
def test_csv_cells_never_start_a_formula_and_read_back_exactly(tmp_path, text):
    view = nx.MultiDiGraph()
    view.add_node(text, label=text, quotes=[text], count=-5)
    view.add_node("b", label="b", quotes=[], count=2)
    view.add_edge(text, "b", key=text, relation=text, goldstein=-5.6)
    nodes_text, edges_text = view_csv(view)
    for table in (nodes_text, edges_text):
        for row in csv.reader(io.StringIO(table)):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")) and \
                    (not cell.startswith("-") or cell.lstrip("-").replace(".", "", 1).isdigit()), cell
    (tmp_path / "n.csv").write_text(nodes_text, encoding="utf-8")
    (tmp_path / "e.csv").write_text(edges_text, encoding="utf-8")
    assert_same_network(read_csv_view(tmp_path / "n.csv", tmp_path / "e.csv"), view)


# --------------------------------------------------------------------------
# TimelineJS


@pytest.fixture(scope="module")
def timeline_json(out) -> dict:
    [path] = export(out, "timelinejs")
    assert path.name == "timeline-timelinejs.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_timelinejs_has_one_slide_per_event_the_layers_date(store, timeline_json):
    from kg import render

    view = build_view(store, "timeline", VIEW_LAYERS)
    dated = {n: render.interval(a) for n, a in view.nodes(data=True)
             if render.style_of(a.get("kind")).key in render.EVENT_STYLES and render.interval(a)[0]}
    events = timeline_json["events"]
    assert len(events) == len(dated) > 10
    assert len({e["unique_id"] for e in events}) == len(events)
    by_id = {e["unique_id"]: e for e in events}
    for node, (first, last) in dated.items():
        event = by_id[node.rsplit("/", 1)[-1]]
        assert event["start_date"] == dict(zip(("year", "month", "day"), map(int, first.split("-"))))
        assert event.get("end_date", event["start_date"]) == dict(zip(("year", "month", "day"), map(int, last.split("-"))))
        assert event["group"] in ("asserted layer", "inferred layer", "external layer")
    # TimelineJS's documented structure: a title slide and events with start_date and text
    assert set(timeline_json) == {"title", "events"}
    assert all({"start_date", "text"} <= set(e) and set(e["text"]) == {"headline", "text"} for e in events)


def test_each_date_in_timelinejs_says_its_layer_and_source(store, timeline_json):
    view = build_view(store, "timeline", VIEW_LAYERS)
    by_id = {e["unique_id"]: e for e in timeline_json["events"]}
    outside = [(n, a) for n, a in view.nodes(data=True)
               if n.rsplit("/", 1)[-1] in by_id and a.get("earliest_layer") == "external" and a.get("earliest_source")]
    assert outside
    for node, attrs in outside:
        text = by_id[node.rsplit("/", 1)[-1]]["text"]["text"]
        assert f"{attrs['earliest']} <span class=\"kg-layer\">(external layer; source: " in text
    article = by_id["event-invasion-2022"]["text"]["text"]
    assert "On 2022-02-24 <span class=\"kg-layer\">(asserted layer; source: NPR: Trump promised peace in Ukraine" in article
    assert "<blockquote>since the Feb. 24, 2022, invasion of Ukraine</blockquote>" in article


def test_timelinejs_text_is_escaped_html():
    from kg.export import timelinejs

    view = nx.MultiDiGraph(layers="asserted")
    view.add_node("https://example.org/e", label="<img src=x onerror=alert(1)>", kind="Meeting", kind_label="meeting",
                  date="2025-02-28", date_layer="asserted", date_source="", quotes=["a <b>bold</b> & quote"], order=0)
    document = timelinejs(view, {"https://example.org/e": ["<script>x</script>"]}, ["asserted"])
    event = document["events"][0]
    assert event["text"]["headline"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert "<blockquote>a &lt;b&gt;bold&lt;/b&gt; &amp; quote</blockquote>" in event["text"]["text"]
    assert "<script>" not in event["text"]["text"] and "&lt;script&gt;x&lt;/script&gt;" in event["text"]["text"]


TIMELINEJS = Path(__file__).parent / "fixtures" / "timelinejs"


@pytest.mark.browser
def test_timelinejs_loads_the_export_offline(timeline_json, tmp_path):
    from conftest import ROOT, require

    chromium = Path("/usr/bin/chromium")
    require(chromium.exists(), f"{chromium} not installed (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    payload = json.dumps(timeline_json).replace("<", "\\u003c")
    page_path = tmp_path / "timeline.html"
    page_path.write_text(f"""<!doctype html><html><head><meta charset="utf-8"><title>TimelineJS</title>
<link rel="stylesheet" href="{(TIMELINEJS / 'css' / 'timeline.css').as_uri()}">
<script src="{(TIMELINEJS / 'js' / 'timeline.js').as_uri()}"></script></head>
<body style="margin:0"><div id="timeline" style="width:100%;height:700px"></div>
<script id="data" type="application/json">{payload}</script>
<script>
  // font: null: TimelineJS's default font sheet loads Google Fonts
  const timeline = new TL.Timeline('timeline', JSON.parse(document.getElementById('data').textContent),
                                   {{language: 'en', font: null, script_path: '{(TIMELINEJS / 'js').as_uri()}/'}});
  timeline.on('loaded', () => {{ document.body.dataset.loaded = '1'; }});
  window.kgTimeline = timeline;
</script></body></html>""", encoding="utf-8")
    requests, errors = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            for pattern in ("http://*/**", "https://*/**"):
                context.route(pattern, lambda route: (requests.append(route.request.url), route.abort()))
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
            page.goto(page_path.as_uri())
            page.wait_for_selector("body[data-loaded='1']", timeout=20000)
            slides = page.evaluate("Array.from(document.querySelectorAll('.tl-slide .tl-headline'))"
                                   ".map(h => h.textContent)")
            groups = page.evaluate("Array.from(document.querySelectorAll('.tl-timegroup-message'))"
                                   ".map(g => g.textContent)")
            page.evaluate("window.kgTimeline.goToId('event-invasion-2022')")
            page.wait_for_timeout(1200)
            shown = page.evaluate("document.querySelector('#event-invasion-2022 .tl-text-content').textContent")
            (ROOT / "test-artifacts").mkdir(exist_ok=True)
            page.screenshot(path=str(ROOT / "test-artifacts" / "timelinejs.png"))
        finally:
            browser.close()
    assert requests == [] and errors == []
    headlines = [html.unescape(e["text"]["headline"]) for e in timeline_json["events"]]
    assert slides[0] == "Peace talks knowledge graph: timeline"
    assert sorted(slides[1:]) == sorted(headlines)
    assert sorted(groups) == sorted({e["group"] for e in timeline_json["events"]})
    assert "On 2022-02-24 (asserted layer; source: NPR: Trump promised peace in Ukraine within a day." in shown


# --------------------------------------------------------------------------
# VoID/DCAT: values of the kinds their properties' ranges ask for

RANGES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix ex: <https://example.org/shapes#> .

ex:Distribution a sh:NodeShape ; sh:targetClass dcat:Distribution ;
  sh:property [ sh:path dcat:mediaType ; sh:class dcterms:MediaType ; sh:nodeKind sh:IRI ] ,
              [ sh:path dcat:downloadURL ; sh:nodeKind sh:IRI ] ,
              [ sh:path dcat:accessURL ; sh:nodeKind sh:IRI ; sh:minCount 1 ] .
ex:Dataset a sh:NodeShape ; sh:targetNode <https://w3id.org/peace-talks-kg/dataset> ;
  sh:property [ sh:path dcterms:creator ; sh:class foaf:Agent ; sh:minCount 1 ] ,
              [ sh:path void:vocabulary ; sh:nodeKind sh:IRI ; sh:minCount 1 ] ,
              [ sh:path void:sparqlEndpoint ; sh:nodeKind sh:IRI ] ,
              [ sh:path dcterms:license ; sh:nodeKind sh:IRI ] ,
              [ sh:path dcterms:source ; sh:class dcat:Resource ] .
ex:Source a sh:NodeShape ; sh:targetObjectsOf dcterms:source ;
  sh:property [ sh:path dcterms:publisher ; sh:class foaf:Agent ; sh:minCount 1 ] ,
              [ sh:path dcterms:title ; sh:minCount 1 ] .
"""


def test_void_values_have_the_kinds_their_ranges_ask_for(void):
    from pyshacl import validate

    shapes = Graph().parse(data=RANGES.replace("sh:targetObjectsOf dcterms:source", "sh:targetClass pt:Source")
                           .replace("@prefix ex:", "@prefix pt: <https://w3id.org/peace-talks-kg/ontology#> .\n@prefix ex:"),
                           format="turtle")
    conforms, _, report = validate(void, shacl_graph=shapes)
    assert conforms, report
    # and the check can fail: a plain literal media type, as before
    broken = Graph() + void
    broken.add((URIRef(f"{DATASET}/dataset.ttl"), DCAT.mediaType, Literal("text/turtle")))
    assert not validate(broken, shacl_graph=shapes)[0]


def test_void_media_types_are_iana_iris(void):
    types = {str(o) for o in void.objects(None, DCAT.mediaType)}
    assert types == {"https://www.iana.org/assignments/media-types/application/trig",
                     "https://www.iana.org/assignments/media-types/text/turtle"}


def test_void_download_urls_are_relative_to_void_ttl_by_default(built):
    text = (built / "void.ttl").read_text(encoding="utf-8")
    assert "dcat:downloadURL <dataset.trig>" in text and "dcat:downloadURL <dataset.ttl>" in text
    read = Graph().parse(built / "void.ttl", format="turtle")  # relative to where void.ttl is
    urls = {str(o) for o in read.objects(None, DCAT.downloadURL)}
    assert urls == {(built / "dataset.trig").resolve().as_uri(), (built / "dataset.ttl").resolve().as_uri()} or \
        urls == {f"{(built / 'void.ttl').as_uri().rsplit('/', 1)[0]}/{n}" for n in ("dataset.trig", "dataset.ttl")}


def test_void_names_no_endpoint_unless_configured(void, layers_of_build):
    from kg.void import Publication, describe

    assert void.value(DATASET, VOID.sparqlEndpoint) is None
    assert not list(void.subjects(RDF.type, DCAT.DataService))
    configured = describe(layers_of_build, Publication(base_url="https://example.org/kg/",
                                                       sparql_endpoint="https://example.org/sparql"))
    assert configured.value(DATASET, VOID.sparqlEndpoint) == URIRef("https://example.org/sparql")
    assert {str(o) for o in configured.objects(None, DCAT.downloadURL)} == {
        "https://example.org/kg/dataset.trig", "https://example.org/kg/dataset.ttl"}


@pytest.mark.parametrize("text, message", [
    ('base_url = "ftp://example.org/"', "publish.toml: base_url = 'ftp://example.org/': expected an http(s) URL without credentials"),
    ('base_url = "https://example.org/kg"', "publish.toml: base_url = 'https://example.org/kg': a folder URL ends with '/'"),
    ('sparql_endpoint = "https://u:p@example.org/sparql"', "publish.toml: sparql_endpoint = 'https://u:p@example.org/sparql': expected an http(s) URL without credentials"),
    ('endpoint = "https://example.org/"', "publish.toml: unknown key(s) endpoint; expected base_url, sparql_endpoint"),
    ('base_url = ', "publish.toml: not valid TOML: "),
])
def test_a_bad_publish_toml_is_refused(tmp_path, text, message):
    from kg.project import Project
    from kg.problems import KgError
    from kg.void import read_publication

    (tmp_path / "publish.toml").write_text(text, encoding="utf-8")
    with pytest.raises(KgError) as error:
        read_publication(Project(tmp_path))
    assert str(error.value).startswith(message)


def test_void_vocabulary_covers_every_property_and_class(void, graphs):
    vocabularies = {str(o) for o in void.objects(DATASET, VOID.vocabulary)}
    assert {"http://rdfs.org/ns/void#", "http://purl.org/vocab/vann/"} <= vocabularies
    for graph in graphs.values():
        for term in set(graph.predicates()) | set(graph.objects(None, RDF.type)):
            assert any(str(term).startswith(v) for v in vocabularies), term


def test_void_describes_each_source_with_its_evidence(void, graphs, project):
    import hashlib

    from kg.namespaces import OA, PT

    SPDX = Namespace("http://spdx.org/rdf/terms#")
    sources = set(void.objects(DATASET, DCTERMS.source))
    assert sources
    asserted = graphs[GRAPH_ASSERTED]
    for source in sources:
        assert void.value(source, DCTERMS.title) is not None
        publisher = void.value(source, DCTERMS.publisher)
        assert (publisher, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Agent")) in void
        checksum = void.value(source, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        subset = next(s for s in void.subjects(DCTERMS.source, source) if (DATASET, VOID.subset, s) in void)
        partition = void.value(subset, VOID.classPartition)
        assert void.value(partition, VOID["class"]) == PT.Evidence
        cited = {e for t in asserted.subjects(OA.hasSource, source) for e in asserted.subjects(OA.hasTarget, t)}
        assert void.value(partition, VOID.entities) == Literal(len(cited)) and len(cited) > 0
    npr = URIRef("https://w3id.org/peace-talks-kg/id/article-npr-2025-trump-ukraine-peace")
    text = project.root / "sources" / "npr-2025-trump-ukraine-peace" / "npr-2025-trump-ukraine-peace.txt"
    assert str(void.value(void.value(npr, SPDX.checksum), SPDX.checksumValue)) == \
        hashlib.sha256(text.read_bytes()).hexdigest()


# --------------------------------------------------------------------------
# Issue 10, done when: with --layers asserted,inferred no output carries a date only the external layer has

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _days(graph: Graph) -> set[str]:
    """Every ISO day in the graph's literals: dates, bounds, and days written inside labels or notes."""
    return {day for o in graph.objects() if isinstance(o, Literal) for day in ISO_DAY.findall(str(o))}


def _outputs(folder: Path, before: set[Path]) -> dict[Path, str]:
    """The text of every file written into `folder` since `before` was listed (PNG plots left out)."""
    return {p: p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*"))
            if p.is_file() and p not in before and p.suffix != ".png"}


def test_without_the_external_layer_no_output_has_a_date_only_it_has(built, graphs, tmp_path):
    outside = _days(graphs[GRAPH_EXTERNAL]) - set().union(*(_days(g) for name, g in graphs.items() if name != GRAPH_EXTERNAL))
    # the Trump–Putin call (enwiki) and the inauguration: dates the article never gives
    assert {"2025-02-12", "2025-01-20"} <= outside
    folder = tmp_path / "out"
    shutil.copytree(built, folder)
    for made in (HTML_DIR, "analysis", EXPORT_DIR):  # outputs other tests may have written into the shared build
        shutil.rmtree(folder / made, ignore_errors=True)
    before = set(folder.rglob("*"))
    layers = "asserted,inferred"
    assert main(["render", "--out", str(folder), "--layers", layers]) == 0
    assert main(["analyze", "--out", str(folder), "--layers", layers]) == 0
    for view in VIEWS:
        for fmt in ("graphml", "gexf", "csv"):
            assert main(["export", "--out", str(folder), "--format", fmt, "--view", view, "--layers", layers]) == 0
    assert main(["export", "--out", str(folder), "--format", "timelinejs", "--layers", layers]) == 0
    written = _outputs(folder, before)
    kinds = {p.suffix for p in written}
    assert {".html", ".md", ".json", ".graphml", ".gexf", ".csv"} <= kinds, kinds
    leaks = sorted((str(p.relative_to(folder)), day) for p, text in written.items() for day in outside if day in text)
    assert leaks == []
    # the check can fail: the same export with the external layer carries the call's outside date
    before = set(folder.rglob("*"))
    assert main(["export", "--out", str(folder), "--format", "csv", "--view", "timeline"]) == 0
    assert any("2025-02-12" in text for text in _outputs(folder, before).values())


# --------------------------------------------------------------------------
# Dates per source: each source's stated day reaches every export with its source, never merged

@pytest.fixture(scope="module")
def two_source_store(project, tmp_path_factory):
    """The article and the test text of tests/fixtures/second-source, built together."""
    from test_sources import build_with_fixture_source

    from kg.store import load_dataset

    _, out = build_with_fixture_source(project, tmp_path_factory.mktemp("two-sources-export"))
    return load_dataset(out)


@pytest.mark.parametrize("view_name", ["timeline", "whole"])
def test_exports_carry_each_sources_stated_day_with_its_source(two_source_store, tmp_path, view_name):
    from test_sources import MEETING, NPR, TEST

    from kg.views import write_gexf, write_graphml

    both = [["--02-28", NPR, "asserted"], ["--03-01", TEST, "asserted"]]
    view = build_view(two_source_store, view_name, VIEW_LAYERS)
    assert view.nodes[MEETING]["stated_dates"] == both
    write_graphml(view, tmp_path / "v.graphml")
    assert read_graphml(tmp_path / "v.graphml").nodes[MEETING]["stated_dates"] == both
    nodes_text, edges_text = view_csv(view)
    (tmp_path / "n.csv").write_text(nodes_text, encoding="utf-8")
    (tmp_path / "e.csv").write_text(edges_text, encoding="utf-8")
    assert read_csv_view(tmp_path / "n.csv", tmp_path / "e.csv").nodes[MEETING]["stated_dates"] == both
    write_gexf(view, tmp_path / "v.gexf")
    gexf = (tmp_path / "v.gexf").read_text(encoding="utf-8")
    assert all(day in gexf and source in gexf for day, source, _ in both)
    # with the asserted layer off neither source's day is shown
    assert build_view(two_source_store, view_name, ("inferred", "external")).nodes[MEETING]["stated_dates"] == []
