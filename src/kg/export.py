"""`kg export`: the built dataset in the formats of other tools, into OUT/export/.

RDF formats (jsonld, turtle, ntriples, trig) hold the chosen named graphs of
OUT/dataset.trig (default: all four, i.e. the whole dataset); Turtle and
N-Triples hold their union. Network formats (graphml, gexf, csv) hold a view
built by kg.views (default layers: asserted, inferred, external). Every file
is deterministic and written atomically.

CSV: `<view>-nodes.csv` (Id, then one column per attribute) and
`<view>-edges.csv` (Source, Target, Key for multigraphs, Type, then
attributes), as Gephi's spreadsheet import expects. A column of strings is
plain text; a column of numbers carries a `:int` / `:float` suffix (an empty
cell is None); anything else (lists, mixed, sometimes missing) is JSON with a
`:json` suffix (an empty cell: attribute absent). `read_csv_view` inverts it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef

from kg.namespaces import GRAPH_VOCABULARY, LAYERS, PREFIXES
from kg.problems import EXIT_OK, KgError

EXPORT_DIR = "export"
RDF_FORMATS = {"jsonld": "dataset.jsonld", "turtle": "dataset.ttl", "ntriples": "dataset.nt", "trig": "dataset.trig"}
VIEW_FORMATS = ("graphml", "gexf", "csv")
GRAPHS = {**LAYERS, "vocabulary": GRAPH_VOCABULARY}
DEFAULT_VIEW_LAYERS = ("asserted", "inferred", "external")


# --------------------------------------------------------------------------
# RDF


def load_graphs(out: Path, names: Sequence[str] | None = None) -> dict[URIRef, Graph]:
    """The named graphs of OUT/dataset.trig (all, or those named: asserted, inferred, external, vocabulary)."""
    from kg.build import DATASET_TRIG

    path = out / DATASET_TRIG
    if not path.is_file():
        raise KgError(f"{path}: no built dataset: run `kg build --out {out}` first")
    unknown = [n for n in names or () if n not in GRAPHS]
    if unknown:
        raise KgError(f"--layers: unknown layer(s) {', '.join(unknown)}; choose from {', '.join(GRAPHS)}")
    wanted = [GRAPHS[n] for n in names] if names else list(GRAPHS.values())
    dataset = Dataset()
    dataset.parse(path, format="trig")
    graphs = {}
    for iri in wanted:
        graph = Graph()
        for triple in dataset.graph(iri):
            graph.add(triple)
        graphs[iri] = graph
    return graphs


def union(graphs: dict[URIRef, Graph]) -> Graph:
    merged = Graph()
    for graph in graphs.values():
        merged += graph
    return merged


def to_dataset(graphs: dict[URIRef, Graph]) -> Dataset:
    dataset = Dataset()
    for prefix, iri in PREFIXES.items():
        dataset.bind(prefix, iri, override=True, replace=True)
    for iri, graph in graphs.items():
        named = dataset.graph(iri)
        named += graph
    return dataset


def jsonld(graphs: dict[URIRef, Graph]) -> str:
    """JSON-LD with the project's prefixes as an inline context (remote contexts fail offline)."""
    from kg.docs import canonical_json

    text = to_dataset(graphs).serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    return canonical_json(json.loads(text), indent=1)


def ntriples(graph: Graph) -> str:
    from rdflib.compare import to_canonical_graph

    text = to_canonical_graph(graph).serialize(format="nt", encoding="utf-8").decode("utf-8")
    return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))


def rdf_text(fmt: str, graphs: dict[URIRef, Graph]) -> str:
    from kg.serialize import trig, turtle

    if fmt == "jsonld":
        return jsonld(graphs)
    if fmt == "turtle":
        return turtle(union(graphs))
    if fmt == "ntriples":
        return ntriples(union(graphs))
    return trig(graphs)


# --------------------------------------------------------------------------
# CSV of a network view


def _column_type(values: list, present: bool) -> str:
    """'' (strings), 'int', 'float', or 'json' (see the module doc)."""
    if not present:
        return "json"
    kinds = {type(v) for v in values}
    if kinds <= {str}:
        return ""
    if kinds <= {int, type(None)}:
        return "int"
    if kinds <= {int, float, type(None)} and float in kinds:
        return "float"
    return "json"


def _encode(value, kind: str, has: bool) -> str:
    if not has:
        return ""
    if kind == "":
        return value
    if kind in ("int", "float"):
        return "" if value is None else repr(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _decode(cell: str, kind: str):
    if kind == "":
        return cell
    if cell == "":
        return None
    if kind == "int":
        return int(cell)
    if kind == "float":
        return float(cell)
    return json.loads(cell)


def _table(records: list[dict], fixed: list[str], fixed_rows: list[list[str]]) -> str:
    keys = sorted({k for attrs in records for k in attrs})
    columns = []
    for key in keys:
        kind = _column_type([a[key] for a in records if key in a], all(key in a for a in records))
        columns.append((key, kind))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fixed + [f"{k}:{t}" if t else k for k, t in columns])
    for row, attrs in zip(fixed_rows, records):
        writer.writerow(row + [_encode(attrs.get(k), t, k in attrs) for k, t in columns])
    return buffer.getvalue()


def view_csv(view) -> tuple[str, str]:
    """(nodes.csv, edges.csv) texts of a view, rows sorted."""
    nodes = sorted(view.nodes(data=True), key=lambda item: item[0])
    nodes_text = _table([a for _, a in nodes], ["Id"], [[n] for n, _ in nodes])
    kind = "Directed" if view.is_directed() else "Undirected"
    if view.is_multigraph():
        edges = sorted(view.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
        fixed, rows = ["Source", "Target", "Key", "Type"], [[a, b, str(k), kind] for a, b, k, _ in edges]
    else:
        edges = sorted(view.edges(data=True), key=lambda e: (e[0], e[1]))
        fixed, rows = ["Source", "Target", "Type"], [[a, b, kind] for a, b, _ in edges]
    return nodes_text, _table([e[-1] for e in edges], fixed, rows)


def _rows(path: Path, fixed: list[str]) -> tuple[list[tuple[str, str]], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        columns = [_split_header(h) for h in header[len(fixed):]]
        return columns, list(reader)


def _split_header(header: str) -> tuple[str, str]:
    """'name:kind' -> (name, kind); a plain 'name' is a string column."""
    name, _, kind = header.rpartition(":") if ":" in header else (header, "", "")
    return name, kind


def read_csv_view(nodes_path: Path, edges_path: Path):
    """The view written by `view_csv`: same class, nodes, edges, keys and attributes."""
    import networkx as nx

    with edges_path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    multi = "Key" in header
    fixed = ["Source", "Target", "Key", "Type"] if multi else ["Source", "Target", "Type"]
    columns, rows = _rows(edges_path, fixed)
    directed = all(row[len(fixed) - 1] == "Directed" for row in rows)
    cls = {(True, True): nx.MultiDiGraph, (True, False): nx.MultiGraph,
           (False, True): nx.DiGraph, (False, False): nx.Graph}[(multi, directed)]
    graph = cls()
    node_columns, node_rows = _rows(nodes_path, ["Id"])
    for row in node_rows:
        graph.add_node(row[0], **_attrs(node_columns, row[1:]))
    for row in rows:
        attrs = _attrs(columns, row[len(fixed):])
        if multi:
            graph.add_edge(row[0], row[1], key=row[2], **attrs)
        else:
            graph.add_edge(row[0], row[1], **attrs)
    return graph


def _attrs(columns: list[tuple[str, str]], cells: list[str]) -> dict:
    return {key: _decode(cell, kind) for (key, kind), cell in zip(columns, cells)
            if not (kind == "json" and cell == "")}


# --------------------------------------------------------------------------
# Gephi: GEXF 1.2 (valid against its schema) and GraphML


GEXF_VERSION = "1.2draft"
GEXF_NS = "http://www.gexf.net/1.2draft"
# Gephi plays these views on its timeline: each dated node or edge has a spell, its days as the pages show them.
DYNAMIC_VIEWS = ("timeline", "interaction")
# vis-network shapes of the pages -> the node shapes GEXF knows
GEXF_SHAPES = {"dot": "disc", "square": "square", "diamond": "diamond", "triangle": "triangle",
               "triangleDown": "triangle", "hexagon": "disc", "star": "diamond"}
# Gephi's GraphML importer reads these node attributes as colour, position and size
GRAPHML_VIZ = ("r", "g", "b", "x", "y", "size")


def _rgb(colour: str) -> dict[str, int]:
    return {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16)}


def _plain_values(records: list[dict[str, Any]]) -> None:
    """One type per attribute, in place: None (and "" beside numbers) is left out, as GEXF and GraphML
    mean by a missing value; numbers mixing int and float become float; lists and dicts become
    `json:` strings (the convention of kg.views' GraphML, which read_graphml restores)."""
    keys = {k for attrs in records for k in attrs}
    for key in keys:
        values = [a[key] for a in records if key in a and a[key] is not None and a[key] != ""]
        numbers = bool(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        floats = numbers and any(isinstance(v, float) for v in values)
        for attrs in records:
            if key not in attrs:
                continue
            value = attrs[key]
            if value is None or (numbers and value == ""):
                del attrs[key]
            elif floats:
                attrs[key] = float(value)
            elif isinstance(value, (list, tuple, dict)):
                attrs[key] = "json:" + json.dumps(value, ensure_ascii=False, sort_keys=True)


def _date_layer(attrs: dict[str, Any]) -> str | None:
    """The layer a node's or edge's days rest on, as the view gives it (`date_layer`, else the weaker of
    `earliest_layer` and `latest_layer`); None when the view does not say."""
    named = [attrs.get("date_layer")] if attrs.get("date_layer") else \
        [attrs.get("earliest_layer"), attrs.get("latest_layer")]
    layers = {layer for value in named if isinstance(value, str) and value for layer in value.split(",")}
    order = list(LAYERS)
    return max(layers, key=lambda name: order.index(name) if name in order else len(order)) if layers else None


def gephi_view(view: Any, name: str, dynamic: bool | None = None) -> Any:
    """A copy of a view for Gephi: nodes and edges in sorted order, with the colours, shapes, sizes and
    network layout of the pages (`kg render`; y points up, as in Gephi), edge colours and thicknesses as
    drawn there, attributes with one type each, and, for DYNAMIC_VIEWS, a spell for each dated node
    and edge with a dynamic attribute `spell_layer` over it naming the layer its days come from."""
    import networkx as nx

    from kg import render

    positions = render.network_positions(view)
    degrees = {str(n): len(set(nx.all_neighbors(view, n)) - {n}) for n in view.nodes}  # as the pages size them
    largest = max(degrees.values(), default=0)
    dynamic = name in DYNAMIC_VIEWS if dynamic is None else dynamic
    copy = view.__class__()
    copy.graph.update({k: v for k, v in view.graph.items() if isinstance(v, (str, int, float))})
    copy.add_nodes_from((n, dict(a)) for n, a in sorted(view.nodes(data=True), key=lambda item: str(item[0])))
    if view.is_multigraph():
        copy.add_edges_from((u, v, k, dict(a)) for u, v, k, a in
                            sorted(view.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2]))))
    else:
        copy.add_edges_from((u, v, dict(a)) for u, v, a in
                            sorted(view.edges(data=True), key=lambda e: (str(e[0]), str(e[1]))))
    nodes = [a for _, a in copy.nodes(data=True)]
    edges = [e[-1] for e in copy.edges(data=True)]
    _plain_values(nodes)
    _plain_values(edges)
    for node, attrs in copy.nodes(data=True):
        style = render.style_of(attrs.get("kind"))
        x, y = positions[str(node)]
        attrs["viz"] = {"color": {**_rgb(style.colour), "a": 1.0},
                        "size": render.node_size(degrees[str(node)], largest),
                        "position": {"x": round(x, 1), "y": round(-y, 1), "z": 0.0},
                        "shape": GEXF_SHAPES.get(style.shape, "disc")}
    for index, attrs in enumerate(edges):
        look = render.EDGE_STYLES[render.edge_style(attrs)]
        attrs["id"] = f"e{index}"
        attrs["viz"] = {"color": {**_rgb(look["colour"]), "a": 0.85},
                        "thickness": 1.0 + min(abs(_number(attrs.get("goldstein"))), 10.0) / 4.0,
                        "shape": "dashed" if look["dashes"] else "solid"}
    if dynamic:
        for attrs in nodes + edges:
            first, last = render.interval(attrs)
            if first and last:
                attrs["spells"] = [(first, last)]
                if layer := _date_layer(attrs):
                    attrs["spell_layer"] = [(layer, first, last)]
    return copy


def _number(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) else 0.0


def gexf_bytes(view: Any, name: str, description: str = "") -> bytes:
    """The view as GEXF 1.2draft, valid against the official schema, byte-identical for the same view."""
    import networkx as nx
    from networkx.readwrite.gexf import GEXFWriter

    graph = gephi_view(view, name)
    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version=GEXF_VERSION)
    writer.add_graph(graph)
    writer.graph_element.attrib.pop("name", None)  # not in the schema: the view's name goes into meta
    # The 1.2draft schema declares color, position, size, shape and thickness in the GEXF namespace
    # itself (data.xsd), and refuses networkx's viz: elements; Gephi's importer matches them by local name.
    for element in writer.xml.iter():
        if isinstance(element.tag, str) and element.tag.startswith(f"{{{writer.NS_VIZ}}}"):
            element.tag = element.tag.split("}", 1)[1]
    meta = writer.xml.find("meta")
    assert meta is not None
    meta.attrib.pop("lastmodifieddate", None)  # today's date would make every run differ
    creator = meta.find("creator")
    assert creator is not None
    creator.text = f"peace-talks-kg (networkx {nx.__version__})"
    _sub_element(meta, "keywords", f"{name}, peace-talks-kg")
    _sub_element(meta, "description", description or f"The {name} view of the peace-talks knowledge graph "
                 f"(layers: {view.graph.get('layers', '')})")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _sub_element(parent: Any, tag: str, text: str) -> None:
    from xml.etree.ElementTree import SubElement

    SubElement(parent, tag).text = text


def graphml_bytes(view: Any, name: str) -> bytes:
    """The view as GraphML: attributes typed (numbers as numbers), nodes with the pages' colour (r, g, b),
    position (x, y) and size, which Gephi's GraphML import reads; lists as `json:` strings."""
    import networkx as nx

    graph = gephi_view(view, name, dynamic=False)
    graph.graph["view_class"] = type(view).__name__
    for _, attrs in graph.nodes(data=True):
        viz = attrs.pop("viz")
        attrs.update({c: viz["color"][c] for c in "rgb"}, x=viz["position"]["x"], y=viz["position"]["y"],
                     size=viz["size"])
    for *_, attrs in graph.edges(data=True):
        del attrs["viz"], attrs["id"]
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


# --------------------------------------------------------------------------
# The command


def export(out: Path, fmt: str, view: str = "interaction", layers: Sequence[str] | None = None) -> list[Path]:
    """Write the export files; return their paths."""
    from kg.serialize import write_atomically

    folder = out / EXPORT_DIR
    if fmt in RDF_FORMATS:
        path = folder / RDF_FORMATS[fmt]
        write_atomically(path, rdf_text(fmt, load_graphs(out, layers)))
        return [path]
    if fmt not in VIEW_FORMATS:
        raise KgError(f"--format: unknown format {fmt!r}; choose from {', '.join([*RDF_FORMATS, *VIEW_FORMATS])}")
    from kg.store import load_dataset
    from kg.views import VIEWS, build_view

    if view not in VIEWS:
        raise KgError(f"--view: unknown view {view!r}; choose from {', '.join(VIEWS)}")
    network = build_view(load_dataset(out), view, layers or DEFAULT_VIEW_LAYERS)
    if fmt == "csv":
        nodes_text, edges_text = view_csv(network)
        paths = [folder / f"{view}-nodes.csv", folder / f"{view}-edges.csv"]
        write_atomically(paths[0], nodes_text)
        write_atomically(paths[1], edges_text)
        return paths
    path = folder / f"{view}.{fmt}"
    write_atomically(path, graphml_bytes(network, view) if fmt == "graphml" else gexf_bytes(network, view))
    return [path]


def export_cli(args: argparse.Namespace) -> int:
    layers = [part.strip() for part in args.layers.split(",") if part.strip()] if args.layers else None
    for path in export(args.out, args.format, args.view, layers):
        print(f"wrote {path}")
    return EXIT_OK
