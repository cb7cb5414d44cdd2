"""`kg export`: the built dataset in the formats of other tools, into OUT/export/.

RDF formats (jsonld, turtle, ntriples, trig) hold the chosen named graphs of
OUT/dataset.trig (default: all of them, i.e. the whole dataset); Turtle and
N-Triples hold their union. Network formats (graphml, gexf, csv) hold a view
built by kg.views (default layers: asserted, inferred, external). Every file
is deterministic and written atomically.

CSV: `<view>-nodes.csv` (Id, then one column per attribute) and
`<view>-edges.csv` (Source, Target, Key for multigraphs, Type, then
attributes), as Gephi's spreadsheet import expects. A column of strings is
plain text; a column of numbers carries a `:int` / `:float` suffix (an empty
cell is None); anything else (lists, mixed, sometimes missing) is JSON with a
`:json` suffix (an empty cell: attribute absent). A text cell that a spreadsheet
would run as a formula (it begins with = + - @, a tab or a carriage return;
OWASP's CSV injection rule) gets a leading apostrophe, and so does one that
begins with an apostrophe, so `read_csv_view` inverts it exactly.

TimelineJS (timelinejs): the timeline view as TimelineJS's JSON, one slide per
event the chosen layers date (a day, or a span between two bounds), each saying
the layer and the source of each of its dates.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from rdflib import Dataset, Graph, URIRef

from kg.buildfolder import GRAPHS, LAYER_NAMES, LAYERS, BuildFolder
from kg.namespaces import PREFIXES
from kg.problems import KgError

EXPORT_DIR = "export"
RDF_FORMATS = {"jsonld": "dataset.jsonld", "turtle": "dataset.ttl", "ntriples": "dataset.nt", "trig": "dataset.trig"}
VIEW_FORMATS = ("graphml", "gexf", "csv")
FORMATS = (*RDF_FORMATS, *VIEW_FORMATS, "timelinejs")
DEFAULT_VIEW_LAYERS = LAYER_NAMES


# --------------------------------------------------------------------------
# RDF


def load_graphs(out: Path, names: Sequence[str] | None = None) -> dict[URIRef, Graph]:
    """The named graphs of OUT/dataset.trig (all, or those named: asserted, inferred, external, vocabulary, sources)."""
    unknown = [n for n in names or () if n not in GRAPHS]
    if unknown:
        raise KgError(f"--layers: unknown layer(s) {', '.join(unknown)}; choose from {', '.join(GRAPHS)}")
    named = BuildFolder(out).load_layers().named()
    return {iri: named[iri] for iri in ([GRAPHS[n] for n in names] if names else GRAPHS.values())}


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


# What a spreadsheet reads as the start of a formula (OWASP, CSV injection), and the escape itself.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def _text_cell(text: str) -> str:
    """A text cell no spreadsheet runs: a leading apostrophe before a formula character."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _text_value(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def _encode(value, kind: str, has: bool) -> str:
    if not has:
        return ""
    if kind == "":
        return _text_cell(value)
    if kind in ("int", "float"):
        return "" if value is None else repr(value)
    return _text_cell(json.dumps(value, ensure_ascii=False, sort_keys=True))


def _decode(cell: str, kind: str):
    if kind == "":
        return _text_value(cell)
    if cell == "":
        return None
    if kind == "int":
        return int(cell)
    if kind == "float":
        return float(cell)
    return json.loads(_text_value(cell))


def _table(records: list[dict], fixed: list[str], fixed_rows: list[list[str]]) -> str:
    keys = sorted({k for attrs in records for k in attrs})
    columns = []
    for key in keys:
        kind = _column_type([a[key] for a in records if key in a], all(key in a for a in records))
        columns.append((key, kind))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; and a \r in a cell is then quoted
    writer.writerow(fixed + [f"{k}:{t}" if t else k for k, t in columns])
    for row, attrs in zip(fixed_rows, records):
        writer.writerow([_text_cell(c) for c in row] + [_encode(attrs.get(k), t, k in attrs) for k, t in columns])
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
        graph.add_node(_text_value(row[0]), **_attrs(node_columns, row[1:]))
    for row in rows:
        attrs = _attrs(columns, row[len(fixed):])
        ends = [_text_value(c) for c in row[:len(fixed) - 1]]
        if multi:
            graph.add_edge(ends[0], ends[1], key=ends[2], **attrs)
        else:
            graph.add_edge(ends[0], ends[1], **attrs)
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


def write_gexf(view: Any, path: Path, name: str | None = None) -> None:
    """`gexf_bytes` into `path`, atomically (name: the view's, by default)."""
    from kg.serialize import write_atomically

    write_atomically(Path(path), gexf_bytes(view, name or str(view.graph.get("name", ""))))


def write_graphml(view: Any, path: Path, name: str | None = None) -> None:
    """`graphml_bytes` into `path`, atomically (name: the view's, by default)."""
    from kg.serialize import write_atomically

    write_atomically(Path(path), graphml_bytes(view, name or str(view.graph.get("name", ""))))


# --------------------------------------------------------------------------
# TimelineJS


TIMELINEJS_FILE = "timeline-timelinejs.json"

# Where each node's words come from: the sources of its evidence (for the layer of a date the
# article states or the rules derive from it).
_EVIDENCE_SOURCES = """
SELECT DISTINCT ?node ?title WHERE {
  ?node pt:evidence/oa:hasTarget/oa:hasSource ?source .
  OPTIONAL { ?source rdfs:label ?label }
  BIND(COALESCE(?label, STR(?source)) AS ?title)
}
ORDER BY ?node ?title
"""


def _day(iso: str) -> dict[str, int]:
    year, month, day = (int(part) for part in iso.split("-"))
    return {"year": year, "month": month, "day": day}


def _slide_id(iri: str) -> str:
    """A unique_id TimelineJS can use as an element id and URL fragment."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", iri.rsplit("/", 1)[-1]) or "event"


def _bound_text(day: str, layer: str, source: str, via: str, labels: dict[str, str], fallback: str) -> Markup:
    where = f"; from the date of {labels.get(via, via)}" if via else ""
    return Markup("{day} <span class=\"kg-layer\">({layer} layer; source: {source}{where})</span>").format(
        day=day, layer=layer or "unknown", source=source or fallback, where=where)


def _when_html(attrs: dict[str, Any], labels: dict[str, str], sources: str) -> Markup:
    """The node's dates in words, each with its layer and source (an outside date names its own)."""
    if attrs.get("date"):
        return Markup("<p class=\"kg-when\">On {}</p>").format(_bound_text(
            attrs["date"], attrs.get("date_layer", ""), attrs.get("date_source", ""), "", labels, sources))
    first = _bound_text(attrs["earliest"], attrs.get("earliest_layer", ""), attrs.get("earliest_source", ""),
                        attrs.get("earliest_via", ""), labels, sources)
    last = _bound_text(attrs["latest"], attrs.get("latest_layer", ""), attrs.get("latest_source", ""),
                       attrs.get("latest_via", ""), labels, sources)
    return Markup("<p class=\"kg-when\">Between {} and {}</p>").format(first, last)


def timelinejs(view: Any, sources: dict[str, list[str]], layers: Sequence[str]) -> dict[str, Any]:
    """TimelineJS's JSON (title, events) for a timeline view: every event the view dates, a day or
    a span from its earliest to its latest bound, its group the layer its days rest on, its text the
    kind of event, its dates with their layers and sources, and the quotes that ground it."""
    from kg import render

    labels = {str(n): str(a.get("label") or n) for n, a in view.nodes(data=True)}
    events, undated = [], 0
    for node, attrs in sorted(view.nodes(data=True), key=lambda item: (item[1].get("order", -1), str(item[0]))):
        if render.style_of(attrs.get("kind")).key not in render.EVENT_STYLES:
            continue
        first, last = render.interval(attrs)
        if not (first and last):
            undated += 1
            continue
        from_sources = "; ".join(sources.get(str(node), [])) or "the sources"
        quotes = Markup("").join(Markup("<blockquote>{}</blockquote>").format(q) for q in attrs.get("quotes") or [])
        text = (Markup("<p class=\"kg-kind\">{}</p>").format(attrs.get("kind_label") or attrs.get("kind") or "event")
                + _when_html(attrs, labels, from_sources) + quotes
                + (Markup("<p class=\"kg-source\">Quoted from {}</p>").format(from_sources) if quotes else Markup("")))
        event: dict[str, Any] = {"start_date": _day(first), "text": {"headline": str(escape(labels[str(node)])),
                                                                     "text": str(text)},
                                 "group": f"{_date_layer(attrs) or attrs.get('layer') or 'asserted'} layer",
                                 "unique_id": _slide_id(str(node))}
        if last != first:
            event["end_date"] = _day(last)
        events.append(event)
    intro = Markup("<p>Events of the 2025 US-brokered Russia–Ukraine peace efforts as the {layers} layer(s) date them, "
                   "each with the layer and source of its dates. {n} more events are not dated by these layers "
                   "and are left out (<code>kg query timeline</code> lists every event in order).</p>"
                   ).format(layers=", ".join(layers), n=undated)
    return {"title": {"text": {"headline": "Peace talks knowledge graph: timeline", "text": str(intro)}},
            "events": events}


def _evidence_sources(store: Any) -> dict[str, list[str]]:
    import pyoxigraph as ox

    from kg.library import run_query
    from kg.namespaces import PREFIXES

    result = run_query(store, _EVIDENCE_SOURCES, timeout=None, where="evidence sources", prefixes=PREFIXES)
    found: dict[str, list[str]] = {}
    for node, title in result.rows:
        if isinstance(node, ox.NamedNode) and isinstance(title, ox.Literal):
            found.setdefault(node.value, []).append(title.value)
    return found


# --------------------------------------------------------------------------
# The command


def output_name(stem: str, layers: Sequence[str] | None, default: Sequence[str], suffix: str) -> str:
    """`stem.suffix` for the default layers, else `stem-<layers>.suffix`, so that an export of some
    layers never overwrites (nor is taken for) the full one."""
    order = list(GRAPHS)
    chosen = sorted(set(layers or default), key=order.index)
    tag = "" if set(chosen) == set(default) else "-" + "-".join(chosen)
    return f"{stem}{tag}{suffix}"


def export(out: Path, fmt: str, view: str | None = None, layers: Sequence[str] | None = None) -> list[Path]:
    """Write the export files; return their paths. `view` is for the network formats (default
    interaction); RDF formats refuse it, timelinejs is the timeline view."""
    from kg.serialize import write_atomically

    folder = out / EXPORT_DIR
    if fmt in RDF_FORMATS:
        if view is not None:
            raise KgError(f"--view is for {', '.join(VIEW_FORMATS)}: --format {fmt} exports the dataset's graphs "
                          "(choose them with --layers)")
        graphs = load_graphs(out, layers)  # checks the layer names first
        stem, suffix = RDF_FORMATS[fmt].split(".", 1)
        path = folder / output_name(stem, layers, list(GRAPHS), "." + suffix)
        write_atomically(path, rdf_text(fmt, graphs))
        return [path]
    if fmt not in (*VIEW_FORMATS, "timelinejs"):
        raise KgError(f"--format: unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    from kg.store import load_dataset
    from kg.views import VIEWS, build_view

    if fmt == "timelinejs" and view not in (None, "timeline"):
        raise KgError(f"--view {view}: --format timelinejs is the timeline view")
    view = view or ("timeline" if fmt == "timelinejs" else "interaction")
    if view not in VIEWS:
        raise KgError(f"--view: unknown view {view!r}; choose from {', '.join(VIEWS)}")
    store = load_dataset(out)
    network = build_view(store, view, list(layers or DEFAULT_VIEW_LAYERS))  # checks the layer names first
    if fmt == "timelinejs":
        path = folder / output_name("timeline-timelinejs", layers, DEFAULT_VIEW_LAYERS, ".json")
        document = timelinejs(network, _evidence_sources(store), network.graph["layers"].split(","))
        write_atomically(path, json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        return [path]
    if fmt == "csv":
        nodes_text, edges_text = view_csv(network)
        paths = [folder / output_name(f"{view}-nodes", layers, DEFAULT_VIEW_LAYERS, ".csv"),
                 folder / output_name(f"{view}-edges", layers, DEFAULT_VIEW_LAYERS, ".csv")]
        write_atomically(paths[0], nodes_text)
        write_atomically(paths[1], edges_text)
        return paths
    path = folder / output_name(view, layers, DEFAULT_VIEW_LAYERS, f".{fmt}")
    write_atomically(path, graphml_bytes(network, view) if fmt == "graphml" else gexf_bytes(network, view))
    return [path]
