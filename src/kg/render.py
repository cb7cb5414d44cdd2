"""Interactive offline HTML pages (`kg render`): the story pages and the network views.

Story pages (the timeline on vis-timeline, the proposal tracker) take their data from
kg.story (SPARQL over the built dataset); vis-timeline is vendored from its npm package
in src/kg/vendor/. Network pages: vis-network's node and edge items are made here (pyvis's
Network checked every edge's ends against a list, O(nodes × edges), and importing it cost a
quarter second); the page comes from the project's own template (src/kg/templates/graph.html):
vis-network is inlined from the copy the installed pyvis package ships, nothing is loaded from a CDN,
positions are computed here (NetworkX layouts) and physics is off, so a page draws at
once and opens from disk with no network at all.

Every string from the data travels as JSON inside a
`<script type="application/json">` (with `<`, `>` and `&` escaped) and the
page's script puts it into the DOM with textContent only. A Content
Security Policy allows exactly the two inline scripts (by hash), so even a
label that slipped through as HTML could run nothing and fetch nothing.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.buildfolder import LAYER_NAMES
from kg.views import stated_day_words

TEMPLATES = Path(__file__).parent / "templates"
HTML_DIR = "html"

# Beyond this many nodes the O(n²) spring layout gets slow: use a spiral instead.
BUNDLE_CAPTION_LIMIT = 3  # parallel links between two nodes drawn with captions
SPRING_LIMIT = 1500
BIG_PAGE = 3000  # nodes + links beyond which a page draws lean (no link captions, no hover, lazy labels)
LABEL_MAX = 36  # characters of a label drawn on the canvas (the panel shows it whole)


@dataclass(frozen=True)
class Style:
    key: str
    label: str
    colour: str
    shape: str
    classes: tuple[str, ...]


# Legend order; a node's kind (class local name) picks its style.
STYLES: tuple[Style, ...] = (
    Style("person", "Person", "#3b75af", "dot", ("Person",)),
    Style("state", "State", "#1b3f6b", "hexagon", ("State",)),
    Style("organisation", "Organisation / group", "#4fa3a5", "square",
          ("Organization", "GovernmentBody", "InternationalOrganization", "ThinkTank", "MediaOrganization",
           "ArmedForces", "Group", "Actor", "Platform")),
    Style("interaction", "Meeting / call / talks", "#ef8a17", "diamond",
          ("Interaction", "PhoneCall", "Meeting", "NegotiationRound")),
    Style("communication", "Statement / proposal act", "#e2b21c", "triangle",
          ("CommunicativeAct", "Statement", "SocialMediaPost", "ProposalAct", "Acceptance", "Rejection",
           "Accusation", "Criticism", "Pledge", "Announcement", "JointStatement")),
    Style("material", "Material act (strike, aid, truce)", "#c8423b", "triangleDown",
          ("MaterialAct", "AidSuspension", "AidResumption", "Ceasefire", "PrisonerExchange", "MilitaryStrike",
           "Invasion", "Annexation", "Agreement")),
    Style("event", "Other event", "#b07aa1", "diamond", ("Event", "Inauguration")),
    Style("proposal", "Proposal / provision / concession", "#4e9a3a", "star", ("Proposal", "Provision", "Concession")),
    Style("goal", "Goal / outcome", "#17a3b8", "star", ("Goal", "Outcome")),
    Style("stance", "Stance", "#8c6bb1", "dot", ("Stance",)),
    Style("claim", "Claim / assessment", "#9c755f", "square", ("Claim", "Assessment")),
    Style("quotation", "Quotation", "#d37295", "triangle", ("Quotation",)),
    Style("issue", "Issue", "#e377c2", "hexagon", ("Issue",)),
    Style("place", "Place", "#7f9c2d", "triangleDown", ("Place", "City", "Region", "Building", "WaterBody")),
    Style("other", "Other", "#8a8a8a", "dot", ()),
)
_STYLE_OF_CLASS = {c: s for s in STYLES for c in s.classes}
ACTOR_STYLES = {"person", "state", "organisation"}
EVENT_STYLES = {"interaction", "communication", "material", "event"}

# Edge styles: stance polarity first, then cooperation/conflict by Goldstein score.
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "support": {"label": "supports", "colour": "#2e8b3a", "dashes": False},
    "oppose": {"label": "opposes", "colour": "#c8282d", "dashes": [10, 6]},
    "conditional": {"label": "supports on a condition", "colour": "#e08a00", "dashes": [2, 5]},
    "agree": {"label": "agree (same side on more targets)", "colour": "#2f6db5", "dashes": False},
    "disagree": {"label": "disagree (opposite sides on more targets)", "colour": "#c8282d", "dashes": [4, 4]},
    "cooperation": {"label": "cooperative event (Goldstein > 0)", "colour": "#3f8f5f", "dashes": False},
    "conflict": {"label": "conflictual event (Goldstein < 0)", "colour": "#b5473a", "dashes": False},
    "neutral": {"label": "other link", "colour": "#9a9a9a", "dashes": False},
}

LINK_NAMES = (("wikidata", "Wikidata"), ("dbpedia", "DBpedia"), ("geonames", "GeoNames"))


@dataclass
class PageSpec:
    """One page: a view graph and how to show it."""

    filename: str
    title: str
    description: str
    graph: Any  # networkx graph with the attributes of kg.views
    layers_on: tuple[str, ...] = ("asserted", "inferred", "external")
    focus: str | None = None  # node selected when the page opens (actor pages)
    groups_on: tuple[str, ...] | None = None  # node classes (Style keys) shown when the page opens; None: all
    extra: dict[str, Any] = field(default_factory=dict)
    positions: dict[str, tuple[float, float]] | None = None  # given (a part of a bigger layout), else laid out


# --------------------------------------------------------------------------- attributes


def local_name(iri: object) -> str:
    text = str(iri or "")
    return re.split(r"[#/]", text)[-1] if text else ""


def style_of(kind: object) -> Style:
    kinds = kind if isinstance(kind, (list, tuple)) else [kind]
    for k in kinds:
        if (style := _STYLE_OF_CLASS.get(local_name(k))) is not None:
            return style
    return STYLES[-1]


def _iso(value: object) -> str | None:
    """An ISO date string (YYYY-MM-DD) from a date, datetime or string; None when absent."""
    if value is None or value == "":
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    match = re.match(r"-?\d{4}-\d{2}-\d{2}", text)
    return match.group(0) if match else None


def interval(attrs: dict[str, Any]) -> tuple[str | None, str | None]:
    """(first, last) ISO day of a node or edge: its date, else both its bounds; (None, None) when
    the data gives neither (a single open bound such as "before June 2" does not date a thing)."""
    when = _iso(attrs.get("date"))
    if when:
        return when, when
    lo, hi = _iso(attrs.get("earliest")), _iso(attrs.get("latest"))
    return (lo, hi) if lo and hi else (None, None)


# The dating of a thing, per combination of layers ("asserted,inferred"): kg.views' dates_by_layers.
# A page shows the one of the layers switched on, so a switched-off layer's date shows nowhere.
ANY_LAYERS = "*"  # the key of a hand-made graph's one dating (it has no dates_by_layers)


def _dating(attrs: dict[str, Any], labels: dict[str, str]) -> dict[str, str]:
    """The bounds of one dating that are set, each with its layer, outside source and the node it
    comes through (by label)."""
    out: dict[str, str] = {}
    for key in ("date", "earliest", "latest"):
        day = _iso(attrs.get(key))
        if not day:
            continue
        out[key] = day
        for part in ("layer", "source"):
            if attrs.get(f"{key}_{part}"):
                out[f"{key}_{part}"] = _text(attrs[f"{key}_{part}"])
        if attrs.get(f"{key}_via"):
            out[f"{key}_via"] = labels.get(str(attrs[f"{key}_via"])) or local_name(attrs[f"{key}_via"])
    return out


def datings(attrs: dict[str, Any], labels: dict[str, str]) -> dict[str, dict[str, str]]:
    """Combination of layers → the dating those layers give (combinations that date nothing left out)."""
    by_layers = attrs.get("dates_by_layers")
    if not by_layers:
        one = _dating(attrs, labels)
        if one:  # a hand-made graph: its dates rest on the thing's own layer unless it says otherwise
            for key in ("date", "earliest", "latest"):
                if key in one and f"{key}_layer" not in one:
                    one[f"{key}_layer"] = _layers(attrs.get("layer"))[0]
        return {ANY_LAYERS: one} if one else {}
    return {combo: found for combo, dating in sorted(by_layers.items()) if (found := _dating(dating, labels))}


def spans_in_time(dated: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    """Combination of layers → [first, last] day, for those that date the thing (see interval)."""
    out = {}
    for combo, dating in dated.items():
        first, last = interval(dating)
        if first and last:
            out[combo] = [first, last]
    return out


def _layers(value: object) -> list[str]:
    if not value:
        return ["asserted"]
    if isinstance(value, str):
        return [local_name(v) for v in value.replace(",", " ").split()]
    return sorted(local_name(v) for v in value)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"


def _links(attrs: dict[str, Any]) -> list[list[str]]:
    """[name, url] of each external dataset the node links to (http/https only)."""
    links = []
    for key, name in LINK_NAMES:
        values = attrs.get(key)
        for url in values if isinstance(values, (list, tuple)) else [values]:
            if url is not None:
                url = _text(url)
                if re.match(r"https?://", url):
                    links.append([name, url])
    return links


def _utf16_offsets(text: str) -> list[int]:
    """UTF-16 index of each code-point offset (JavaScript strings count UTF-16 units)."""
    table, unit = [0], 0
    for char in text:
        unit += 2 if ord(char) > 0xFFFF else 1
        table.append(unit)
    return table


def edge_style(attrs: dict[str, Any]) -> str:
    relation = local_name(attrs.get("relation"))
    by_relation = {"supports": "support", "opposes": "oppose", "conditionallySupports": "conditional",
                   "agrees": "agree", "disagrees": "disagree"}
    if relation in by_relation:
        return by_relation[relation]
    goldstein = attrs.get("goldstein")
    if goldstein is not None and _num(goldstein) != 0:
        return "cooperation" if _num(goldstein) > 0 else "conflict"
    return "neutral"


def edge_caption(attrs: dict[str, Any]) -> str:
    """The words drawn on an edge: the relation, or for an event edge the participant's role or
    the event's class (the event's own label is in the tooltip and the side panel)."""
    if attrs.get("caption"):  # kg.views gives every link its words (the ontology's labels)
        return _text(attrs["caption"])
    relation = local_name(attrs.get("relation"))
    if edge_style(attrs) in ("support", "oppose", "conditional", "agree", "disagree"):
        return relation
    if attrs.get("role"):
        return _text(attrs["role"])
    if attrs.get("event") and attrs.get("kind"):
        return _kind_text(attrs["kind"])
    return _text(attrs.get("relation")) or _text(attrs.get("label"))


def _num(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


# --------------------------------------------------------------------------- layouts


def _simple(graph: Any) -> Any:
    """An undirected simple graph with sorted nodes and edges, so layouts are reproducible."""
    import networkx as nx

    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes, key=str))
    simple.add_edges_from(sorted({tuple(sorted((str(u), str(v)))) for u, v in graph.edges() if u != v}))
    return simple


def network_positions(graph: Any) -> dict[str, tuple[float, float]]:
    """Pixel positions: each connected component laid out on its own (seeded spring layout, or a
    spiral for very big ones), the components then packed in rows, biggest first."""
    import networkx as nx

    simple = _simple(graph)
    components = sorted((sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0]))
    placed: list[tuple[dict[str, tuple[float, float]], float]] = []
    for nodes in components:
        # a fresh graph in sorted order: a subgraph view iterates its node set in hash order, which
        # moved nodes between runs (PYTHONHASHSEED)
        component = nx.Graph()
        component.add_nodes_from(nodes)
        component.add_edges_from(sorted(tuple(sorted(e)) for e in simple.subgraph(nodes).edges))
        layout = _component_layout(component, 60.0 * math.sqrt(len(nodes)) if len(nodes) > 1 else 0.0)
        cx = sum(x for x, _ in layout.values()) / len(layout)
        cy = sum(y for _, y in layout.values()) / len(layout)
        layout = {k: (x - cx, y - cy) for k, (x, y) in layout.items()}
        placed.append((layout, max(math.hypot(x, y) for x, y in layout.values())))
    area = sum((2 * r + 120) ** 2 for _, r in placed)
    row_width = max(math.sqrt(area) * 1.3, 2 * placed[0][1] + 120 if placed else 0)
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for layout, radius in placed:
        size = 2 * radius + 120
        if x > 0 and x + size > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for node, (px, py) in layout.items():
            positions[node] = (x + size / 2 + px, y + size / 2 + py)
        x += size
        row_height = max(row_height, size)
    return positions


def _shown_first_positions(graph: Any, groups: Sequence[str]) -> dict[str, tuple[float, float]]:
    """The nodes of `groups` (those a page opens with) laid out on their own, so they fill the
    view; every other node placed beside the laid-out nodes it links to (breadth first, so a
    quotation lands by its speaker), for when its class is switched on; what links to none of them
    laid out apart, to the right. One spring layout, of the shown nodes only."""
    shown = [n for n in sorted(graph.nodes, key=str) if style_of(graph.nodes[n].get("kind")).key in groups]
    positions = network_positions(graph.subgraph(shown)) if shown else {}
    placed = set(positions)
    frontier = sorted(placed)
    moved: list[str] = []
    while frontier:
        nxt: list[str] = []
        children: dict[str, list[str]] = {}
        for node in frontier:
            for other in _neighbours(graph, node):
                key = str(other)
                if key not in placed:
                    placed.add(key)
                    children.setdefault(str(node), []).append(key)
                    nxt.append(key)
        for parent, kids in children.items():
            px, py = positions[parent]
            for i, kid in enumerate(kids):  # a sunflower around the parent, one ring per ~8 children
                angle, radius = i * math.pi * (3 - math.sqrt(5)), 90.0 * math.sqrt(i + 1)
                positions[kid] = (px + radius * math.cos(angle), py + radius * math.sin(angle))
        moved += nxt
        frontier = nxt
    rest = [n for n in sorted(graph.nodes, key=str) if str(n) not in placed]
    if moved:  # spread the placed ones so their labels do not pile up on the laid-out nodes
        keys, free = sorted(positions), set(moved)
        fixed = [k not in free for k in keys]
        spread = _push_apart([positions[k] for k in keys], rounds=20, fixed=fixed)
        positions = dict(zip(keys, spread))
    if rest:
        right = max((x for x, _ in positions.values()), default=0.0) + 400.0
        top = min((y for _, y in positions.values()), default=0.0)
        for node, (x, y) in network_positions(graph.subgraph(rest)).items():
            positions[node] = (x + right, y + top)
    return positions


def _component_layout(component: Any, radius: float) -> dict[str, tuple[float, float]]:
    import networkx as nx

    n = len(component)
    if n == 1:
        return {next(iter(component)): (0.0, 0.0)}
    if n > SPRING_LIMIT:
        return _spiral(component, radius)
    # A longer ideal edge length than the default spreads hubs and their leaves evenly.
    # method="force": the same result with or without scipy (its "energy" method needs scipy).
    raw = nx.spring_layout(component, k=2.5 / math.sqrt(n), seed=7, iterations=150 if n <= 300 else 40,
                           method="force")
    keys = sorted(raw)
    spread = _push_apart([(float(raw[k][0]) * radius, float(raw[k][1]) * radius) for k in keys],
                         rounds=60 if n <= 300 else 12)
    return {str(k): xy for k, xy in zip(keys, spread)}


def _push_apart(points: list[tuple[float, float]], gap: float = 100.0, rounds: int = 60,
                fixed: Sequence[bool] | None = None) -> list[tuple[float, float]]:
    """Move nodes closer than `gap` pixels apart: a spring layout packs hubs' neighbourhoods so
    tightly that their labels overlap, while the outskirts stay sparse. `fixed` points do not move."""
    import numpy as np

    xy = np.array(points, dtype=float)
    free = np.ones((len(points), 1)) if fixed is None else (~np.array(fixed, dtype=bool)).astype(float)[:, None]
    for _ in range(rounds):
        delta = xy[:, None, :] - xy[None, :, :]
        dist = np.sqrt((delta ** 2).sum(axis=2))
        np.fill_diagonal(dist, 1e9)
        close = dist < gap
        if not close.any():
            break
        push = np.where(close, (gap - dist) / np.maximum(dist, 1e-6) / 2, 0.0)
        xy += (delta * push[:, :, None]).sum(axis=1) * 0.5 * free
    return [(round(float(x), 1), round(float(y), 1)) for x, y in xy]


def _spiral(component: Any, radius: float) -> dict[str, tuple[float, float]]:
    """Sunflower spiral of the nodes in breadth-first order from the best-connected node, so
    that neighbours land near each other without an O(n²) layout."""
    import networkx as nx

    root = max(sorted(component), key=component.degree)
    order = list(nx.bfs_tree(component, root, sort_neighbors=sorted))
    golden = math.pi * (3 - math.sqrt(5))
    n = len(order)
    return {node: (radius * math.sqrt(i / n) * math.cos(i * golden), radius * math.sqrt(i / n) * math.sin(i * golden))
            for i, node in enumerate(order)}


def _neighbours(graph: Any, node: Any) -> list[Any]:
    if graph.is_directed():
        return sorted(set(graph.predecessors(node)) | set(graph.successors(node)), key=str)
    return sorted(graph.neighbors(node), key=str)


# --------------------------------------------------------------------------- page data


def _degrees(graph: Any) -> dict[str, int]:
    return {str(n): sum(1 for m in _neighbours(graph, n) if m != n) for n in graph.nodes}


def node_size(degree: int, largest: int) -> float:
    return round(8.0 + 16.0 * math.sqrt(degree / largest), 1) if largest else 12.0


def _edges_sorted(graph: Any) -> list[tuple[str, str, dict[str, Any]]]:
    rows = [(str(u), str(v), attrs) for u, v, attrs in graph.edges(data=True)]
    return sorted(rows, key=lambda r: (r[0], r[1], json.dumps(_plain(r[2]), sort_keys=True, default=str)))


def _plain(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: (v if isinstance(v, (int, float, str, list, tuple, type(None))) else str(v)) for k, v in attrs.items()}


def page_payload(spec: PageSpec, article: str | _Texts, offsets: list[int] | None = None) -> dict[str, Any]:
    """Everything the page's script needs, as plain JSON-able data (vis-network's node and edge items).

    `offsets` is _utf16_offsets(article) when the caller has it already (one table for all pages)."""
    graph = spec.graph
    if spec.positions is not None:
        positions = spec.positions
    else:
        positions = network_positions(graph) if not spec.groups_on else _shown_first_positions(graph, spec.groups_on)
    texts = article if isinstance(article, _Texts) else _Texts([SourceText("", "The article", "", article)], offsets)

    def spans_of(value: object) -> list[list[int]]:
        # kg.views gives [start, end] in its one source (or [source, start, end] once it has several).
        return texts.spans([span if len(span) == 3 else ["", *span] for span in value or []])  # type: ignore[union-attr]
    degrees = _degrees(graph)
    largest = max(degrees.values(), default=0)
    # names of the nodes a date comes through, also those not on this page (extra["labels"]: the whole graph's)
    labels = {**spec.extra.get("labels", {}), **{str(n): _text(graph.nodes[n].get("label")) for n in graph.nodes}}
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    details: dict[str, Any] = {}
    group_counts: dict[str, int] = {}
    for node in sorted(graph.nodes, key=str):
        key, attrs = str(node), graph.nodes[node]
        style = style_of(attrs.get("kind"))
        group_counts[style.key] = group_counts.get(style.key, 0) + 1
        label = _text(attrs.get("label")) or local_name(key)
        dated = datings(attrs, labels)
        x, y = positions[key]
        kind = _kind_text(attrs.get("kind"))
        # the tooltip (title) is written by the page: its date depends on the layers switched on
        # shape and colour come from the class's legend entry (`g`), set by the page
        nodes.append(dict(id=key, label=_short(label), size=node_size(degrees[key], largest),
                     x=round(x, 1), y=round(y, 1), g=style.key, layers=_layers(attrs.get("layer")),
                     t=spans_in_time(dated)))
        details[key] = _lean({
            "label": label, "kind": kind, "layers": _layers(attrs.get("layer")), "dating": dated,
            "quotes": [_text(q) for q in attrs.get("quotes") or []], "spans": spans_of(attrs.get("spans")),
            "links": _links(attrs), "modality": _modality(attrs), "degree": _modality(attrs, "degree"), "stated": texts.stated(attrs.get("stated_dates")),
        })
    edge_details, edge_style_counts = [], {}
    # A big page draws its link captions only in tooltips and the panel: thousands of them are
    # unreadable anyway and measuring them doubles the first draw.
    big = graph.number_of_nodes() + graph.number_of_edges() > BIG_PAGE
    pair_count: dict[tuple[str, str], int] = {}
    edges_sorted = _edges_sorted(graph)
    bundle: dict[tuple[str, str], int] = {}
    for u, v, _ in edges_sorted:
        bundle[tuple(sorted((u, v)))] = bundle.get(tuple(sorted((u, v))), 0) + 1
    for index, (u, v, attrs) in enumerate(edges_sorted):
        kind = edge_style(attrs)
        edge_style_counts[kind] = edge_style_counts.get(kind, 0) + 1
        look = EDGE_STYLES[kind]
        pair = tuple(sorted((u, v)))
        nth = pair_count[pair] = pair_count.get(pair, 0) + 1  # parallel edges bend apart
        relation = edge_caption(attrs)
        dated = datings(attrs, labels)
        directed = graph.is_directed() and attrs.get("relation") != "co-participant"
        # A thick bundle of parallel links (US–Russia–Ukraine) is unreadable with a caption on each:
        # there the caption moves to the tooltip and the side panel.
        caption = _short(relation) if bundle[pair] <= BUNDLE_CAPTION_LIMIT and not big else ""
        # A big page draws no arrowheads either (10,000 of them were a third of its first draw):
        # the direction stays in the panel (From, To) and the tooltip.
        edges.append(dict(to=v, id=f"e{index}", label=caption, arrows="to" if directed and not big else "",
                     dashes=look["dashes"], width=1.0 + min(abs(_num(attrs.get("goldstein"))), 10.0) / 4.0,
                     smooth=_bend(nth, (u, v) == pair),
                     s=kind, layers=_layers(attrs.get("layer")), t=spans_in_time(dated), **{"from": u}))
        # vis-network parses every option an item carries: leave out those that are its defaults
        for key, default in (("label", ""), ("arrows", ""), ("smooth", False), ("dashes", False)):
            if edges[-1][key] == default:
                del edges[-1][key]
        edge_details.append(_lean({
            "relation": relation, "label": _text(attrs.get("label")), "role": _text(attrs.get("role")) or None, "iri": _text(attrs.get("relation")), "event": _text(attrs.get("event")) or None,
            "kind": _kind_text(attrs.get("kind")), "layers": _layers(attrs.get("layer")), "dating": dated,
            "cameo": _text(attrs.get("cameo")) or None,
            "goldstein": attrs.get("goldstein") if attrs.get("goldstein") is None else _num(attrs.get("goldstein")),
            "sign": attrs.get("sign") if attrs.get("sign") is None else _num(attrs.get("sign")),
            "quotes": [_text(q) for q in attrs.get("quotes") or []], "spans": spans_of(attrs.get("spans")),
            "modality": _modality(attrs), "degree": _modality(attrs, "degree"),
        }))
    # a layer that only dates things (outside dates on the article's events) gets its switch too
    dating_layers = {value for item in [*details.values(), *edge_details] for dating in item.get("dating", {}).values()
                     for key, value in dating.items() if key.endswith("_layer")}
    layers = sorted({layer for item in [*nodes, *edges] for layer in item["layers"]} | dating_layers,
                    key=lambda name: (LAYER_NAMES.index(name) if name in LAYER_NAMES else len(LAYER_NAMES), name))
    return {
        "page": {"title": spec.title, "focus": spec.focus, "groupsOn": list(spec.groups_on) if spec.groups_on else None,
                 "layers": layers, "layersOn": [layer for layer in layers if layer in spec.layers_on],
                 "lean": big},  # labels only for the nodes in view, once readable (graph.js)
        "nodes": nodes,
        "edges": edges,
        "details": details,
        "edgeDetails": edge_details,
        "legend": [{"key": s.key, "label": s.label, "colour": s.colour, "border": _darker(s.colour), "shape": s.shape,
                    "count": group_counts[s.key]}
                   for s in STYLES if s.key in group_counts],
        "edgeLegend": [{"key": k, "label": v["label"], "colour": v["colour"], "dashes": v["dashes"],
                        "count": edge_style_counts[k]} for k, v in EDGE_STYLES.items() if k in edge_style_counts],
        "options": vis_options(len(nodes), len(edges)),
        "sources": texts.payload(),
    }


def _lean(details: dict[str, Any]) -> dict[str, Any]:
    """Details without their empty fields (None, "", [], {}): the page fills them back in. At 10,000
    links the empty fields were a sixth of the page, read and parsed before the first draw."""
    return {key: value for key, value in details.items() if value is not None and value != "" and value != [] and value != {}}


def _bend(nth: int, forward: bool) -> Any:
    """vis-network's curve of the nth link between two nodes: the first straight, then one to each
    side, each pair bent further. vis-network bends "clockwise" along the link's own direction, so
    a link drawn the other way (v → u) takes the opposite side, or it would lie on its twin."""
    if nth == 1:
        return False
    clockwise = (nth % 2 == 1) == forward
    return {"enabled": True, "type": "curvedCW" if clockwise else "curvedCCW", "roundness": round(0.12 * (nth // 2 + 1), 2)}


def _modality(attrs: dict[str, Any], key: str = "modality") -> list[list[str]]:
    """[word, layer] of each pt:modality (hedge) or pt:degree of the thing (kg.views: the scheme's skos:prefLabel)."""
    return sorted([_text(label), _text(layer)] for label, layer in attrs.get(key) or [])


def _kind_text(kind: object) -> str:
    kinds = kind if isinstance(kind, (list, tuple)) else [kind]
    return ", ".join(sorted({local_name(k) for k in kinds if k}))


def _darker(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * 0.7) for c in (r, g, b)))


def vis_options(n_nodes: int, n_edges: int) -> dict[str, Any]:
    """vis-network options: physics off (positions are precomputed), quick drawing for big pages."""
    big = n_nodes + n_edges > BIG_PAGE
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "interaction": {"hover": not big, "tooltipDelay": 200, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "multiselect": False, "keyboard": False},
        "nodes": {"borderWidth": 1, "borderWidthSelected": 3,
                  "font": {"size": 13, "face": "system-ui, sans-serif", "color": "#222222",
                           "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"smooth": False, "selectionWidth": 2,
                  "font": {"size": 10, "face": "system-ui, sans-serif", "color": "#555555", "align": "middle",
                           "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "arrows": {"to": {"scaleFactor": 0.55}}},
    }


# --------------------------------------------------------------------------- HTML


def _resource(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def vis_network_js() -> str:
    """vis-network as shipped inside the installed pyvis package (the standalone build)."""
    import importlib.util

    spec = importlib.util.find_spec("pyvis")  # its files, without importing it (and IPython with it)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pyvis is not installed: it ships the vis-network the pages inline")
    path = Path(list(spec.submodule_search_locations)[0]) / "lib" / "vis-9.1.2" / "vis-network.min.js"
    code = path.read_text(encoding="utf-8")
    code = re.sub(r"//# sourceMappingURL=\S+\s*$", "", code)  # no source map to fetch
    if "</script" in code.lower():
        raise RuntimeError(f"{path}: contains '</script', cannot be inlined")
    return code


def json_for_script(data: Any) -> str:
    """JSON safe inside <script type="application/json">: no `</`, no `<!--`, no `&`."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


@functools.cache
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                       undefined=StrictUndefined, keep_trailing_newline=True)


@dataclass(frozen=True)
class _Shell:
    """What every page shares: its template, the inlined scripts and style, the CSP allowing the scripts."""

    template: Any
    vis: str
    app: str
    css: str
    csp: str


@functools.cache
def _shell() -> _Shell:
    """Read, hash and compile once per process: the same for every page of a run."""
    vis, app = vis_network_js(), _resource("graph.js")
    csp = ("default-src 'none'; script-src " + _hash(vis) + " " + _hash(app) +
           "; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
    return _Shell(_environment().get_template("graph.html"), vis, app, _resource("graph.css"), csp)


def page_html(spec: PageSpec, article: str | _Texts, offsets: list[int] | None = None) -> str:
    """The self-contained HTML of one page (`offsets`: _utf16_offsets(article), if already computed)."""
    from markupsafe import Markup

    shell = _shell()
    payload = page_payload(spec, article, offsets)
    return shell.template.render(title=spec.title, description=spec.description, csp=shell.csp,
                                 css=Markup(shell.css), vis=Markup(shell.vis), app=Markup(shell.app),
                                 data=Markup(json_for_script(payload)),
                                 n_nodes=len(payload["nodes"]), n_edges=len(payload["edges"]))


def index_html(pages: Sequence[PageSpec], actor_pages: Sequence[PageSpec],
               stories: Sequence[StoryPage] = ()) -> str:
    story_rows = [{"href": p.filename, "title": p.title, "description": p.description} for p in stories]
    rows = [{"href": p.filename, "title": p.title, "description": p.description,
             "nodes": p.graph.number_of_nodes(), "edges": p.graph.number_of_edges()} for p in pages]
    actors = [{"href": p.filename, "title": p.extra.get("name", p.title), "nodes": p.graph.number_of_nodes(),
               "edges": p.graph.number_of_edges()} for p in actor_pages]
    return _environment().get_template("index.html").render(stories=story_rows, pages=rows, actors=actors, css=None)


def write_pages(folder: Path, pages: Sequence[PageSpec], actor_pages: Sequence[PageSpec], article: str,
                stories: Sequence[StoryPage] = (), texts: _Texts | None = None) -> list[Path]:
    """Write each page and index.html into `folder` (each atomically); the paths written."""
    from kg.serialize import write_atomically

    folder.mkdir(parents=True, exist_ok=True)
    texts = texts or _Texts([SourceText("", "The article", "", article)])
    written = []
    for story_page in stories:
        path = folder / story_page.filename
        write_atomically(path, story_html(story_page, texts))
        written.append(path)
    for spec in [*pages, *actor_pages]:
        path = folder / spec.filename
        write_atomically(path, page_html(spec, texts))
        written.append(path)
    index = folder / "index.html"
    write_atomically(index, index_html(pages, actor_pages, stories))
    written.append(index)
    for path in written:
        path.chmod(0o644)  # pages are for sharing; the temporary file was private
    _remove_stale(folder, written)
    return written


def _remove_stale(folder: Path, written: Sequence[Path]) -> None:
    """Delete pages of earlier renders (an actor the graph no longer has): every *.html directly in
    `folder` not written now. Other files and subfolders are not this tool's and stay."""
    keep = {path.name for path in written}
    for path in sorted(folder.glob("*.html")):
        if path.name not in keep and not path.name.startswith(".") and path.is_file():
            path.unlink()


# --------------------------------------------------------------------------- story pages (timeline, tracker)

VENDOR = Path(__file__).parent / "vendor"


@dataclass(frozen=True)
class SourceText:
    """A source a page quotes: its IRI, title, publisher and text (passages are offsets into it)."""

    iri: str
    title: str
    publisher: str
    text: str


def load_sources(store: Any) -> list[SourceText]:
    """Every registered source (kg.sources) the pages can quote, with its text, in slug order."""
    from kg.project import find_project
    from kg.sources import load_sources as registered

    del store  # the texts and their descriptions come from sources/, the one place that holds them
    return [SourceText(str(s.iri), s.title, s.publisher, s.article.text) for s in registered(find_project())]


class _Texts:
    """The sources of a run with their UTF-16 offset tables (made once, shared by every page)."""

    def __init__(self, sources: Sequence[SourceText], first_table: list[int] | None = None):
        self.sources = list(sources)
        self.index = {s.iri: i for i, s in enumerate(self.sources)}
        self.tables = [first_table if i == 0 and first_table is not None else _utf16_offsets(s.text)
                       for i, s in enumerate(self.sources)]

    def spans(self, spans: Iterable[Sequence[Any]]) -> list[list[int]]:
        """[source index, start, end] in UTF-16 units, from [source IRI, start, end] in code points."""
        out = []
        for iri, start, end in spans:
            i = self.index.get(str(iri), 0 if not iri and self.sources else -1)
            if i < 0:
                continue
            table = self.tables[i]
            if 0 <= int(start) < int(end) < len(table):
                out.append([i, table[int(start)], table[int(end)]])
        return sorted(out)

    def stated(self, stated: Iterable[Sequence[str]] | None) -> list[list[Any]]:
        """[day in words, source index, layer] from kg.views' stated_dates ([lexical, source IRI, layer]):
        each source's own day, shown with that source (a source not in this run is left out)."""
        return [[stated_day_words(value), self.index[iri], layer] for value, iri, layer in stated or ()
                if iri in self.index]

    def payload(self) -> list[dict[str, str]]:
        return [{"iri": s.iri, "title": s.title, "publisher": s.publisher, "text": s.text} for s in self.sources]


def _vendor(path: str) -> str:
    code = (VENDOR / path).read_text(encoding="utf-8")
    if "</script" in code.lower() or "</style" in code.lower():
        raise RuntimeError(f"{VENDOR / path}: cannot be inlined")
    return code


@functools.cache
def _story_shell(kind: str) -> tuple[Any, tuple[str, ...], tuple[str, ...], str]:
    """Template, scripts, styles and CSP of a story page (`kind`: timeline or proposals)."""
    scripts: list[str] = []
    styles: list[str] = []
    if kind == "timeline":
        scripts.append(_vendor("vis-timeline/vis-timeline-graph2d.min.js"))
        styles.append(_vendor("vis-timeline/vis-timeline-graph2d.min.css"))
    scripts += [_resource("common.js"), _resource(f"{kind}.js")]
    styles.append(_resource("story.css"))
    csp = ("default-src 'none'; script-src " + " ".join(_hash(s) for s in scripts) +
           "; style-src 'unsafe-inline'; img-src data: blob:; base-uri 'none'; form-action 'none'")
    return _environment().get_template("story.html"), tuple(scripts), tuple(styles), csp


@dataclass
class StoryPage:
    filename: str
    kind: str  # timeline | proposals
    title: str
    description: str
    data: dict[str, Any]
    layers: tuple[str, ...]
    layers_on: tuple[str, ...]


def story_html(page: StoryPage, texts: _Texts) -> str:
    from markupsafe import Markup

    template, scripts, styles, csp = _story_shell(page.kind)
    payload = {"page": {"title": page.title, "kind": page.kind, "layers": list(page.layers),
                        "layersOn": [layer for layer in page.layers if layer in page.layers_on]},
               "sources": texts.payload(), page.kind: page.data}
    return template.render(title=page.title, description=page.description, kind=page.kind, csp=csp,
                           styles=[Markup(css) for css in styles], scripts=[Markup(js) for js in scripts],
                           data=Markup(json_for_script(payload)))


def timeline_page(store: Any, layers: Sequence[str], texts: _Texts, view: Any) -> StoryPage:
    """The story timeline: events from kg.story, their dating per combination of layers from kg.views."""
    from kg import story

    data = story.timeline(store, layers, view)
    spans, quotes = story.evidence(store, layers)
    for event in data["events"]:
        event["spans"] = texts.spans(spans.get(event["id"], []))
        event["quotes"] = quotes.get(event["id"], [])
        event["stated"] = texts.stated(view.nodes[event["id"]].get("stated_dates") if event["id"] in view else None)
    return StoryPage("timeline.html", "timeline", "Story timeline",
                     "Every event on one time axis, by thread or by actor. Undated events sit between the events "
                     "they come after and before (order only). Click an event for its dates, their layers and "
                     "its evidence.", data, tuple(layers), tuple(layers))


def proposals_page(store: Any, layers: Sequence[str], texts: _Texts, view: Any) -> StoryPage:
    """The proposal tracker: stance cells are the answer of the library's stance query."""
    from kg import story
    from kg.library import find_query
    from kg.project import find_project

    query = find_query(find_project(), story.STANCE_QUERY)
    data = story.tracker(store, layers, query.text, view)
    for thing in [*data["rows"], *data["cells"]]:
        thing["spans"] = texts.spans(thing["spans"])
    return StoryPage("proposals.html", "proposals", "Proposal tracker",
                     "Who proposed what, and how each actor answered it: one row per proposal or concession, one "
                     "column per actor. Click a cell for its quote; the cards below list provisions and stances "
                     "over time.", data, tuple(layers), tuple(layers))


# --------------------------------------------------------------------------- the pages of a dataset

VIEW_PAGES: tuple[tuple[str, str, str], ...] = (
    ("whole", "Whole graph",
     "Every curated node and link. It opens on the story: actors, events and proposals with who supports or "
     "opposes what; switch on claims, quotations, stances, issues, places and the rest under Classes, and "
     "each layer under Layers. Click a node to focus on its neighbourhood."),
    ("interaction", "Actor interaction network",
     "Actors linked by the events between them (calls, meetings, talks, criticism, accusations, strikes, "
     "aid suspension), pointing from the actor who acts to the one acted on; colour by Goldstein score."),
    ("stance", "Stance network",
     "Actors and the proposals, provisions, concessions and issues they support, oppose or support on a "
     "condition (green, red dashed, orange dotted)."),
    ("agreement", "Agreement network",
     "Two actors are linked when they take the same side (or opposite sides) on the same targets."),
    ("actor-issue", "Actors and issues",
     "Which actor takes a side on which issue, directly or through a proposal that concerns it."),
)
# The whole graph opens on the story: actors, events and proposals (the rest is a click away).
STORY_GROUPS = ("person", "state", "organisation", "interaction", "communication", "material", "event", "proposal")
# Around an actor, these nodes bring their own neighbours along (a stance's target, a quotation's occasion).
_EGO_SECOND_HOP = {"stance", "claim", "quotation", "other", "proposal"}
_EGO_KINDS = {"stance", "claim", "quotation"} | EVENT_STYLES


def slug(iri: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", local_name(iri).lower()).strip("-") or "node"


def ego_graph(whole: Any, actor: str) -> Any:
    """The actor, its neighbours, and the neighbours of its stances, claims, quotations and the like."""
    keep = {actor}
    for neighbour in _neighbours(whole, actor):
        keep.add(neighbour)
        if style_of(whole.nodes[neighbour].get("kind")).key in _EGO_SECOND_HOP:
            keep.update(_neighbours(whole, neighbour))
    return whole.subgraph(sorted(keep, key=str)).copy()


def actor_pages(whole: Any, layout: dict[str, tuple[float, float]] | None = None) -> list[PageSpec]:
    """One page per actor that has events, stances, claims or quotations around it.

    Every actor page takes its positions from one layout of the whole graph (a page is a part of
    it, `layout`: the whole page's, if made already): one spring layout instead of forty, and the same
    node sits in the same place on every page."""
    pages, used = [], set()
    names = {str(n): _text(a.get("label")) for n, a in whole.nodes(data=True)}
    for node in sorted(whole.nodes, key=str):
        attrs = whole.nodes[node]
        if style_of(attrs.get("kind")).key not in ACTOR_STYLES:
            continue
        around = {style_of(whole.nodes[m].get("kind")).key for m in _neighbours(whole, node)}
        if not around & _EGO_KINDS:
            continue
        name = _text(attrs.get("label")) or local_name(node)
        filename = f"actor-{slug(node)}.html"
        while filename in used:
            filename = filename.replace(".html", "-.html")
        used.add(filename)
        layout = layout if layout is not None else _shown_first_positions(whole, STORY_GROUPS)
        ego = ego_graph(whole, node)
        pages.append(PageSpec(filename, f"{name}: ego network",
                              f"{name} with its events, stances, claims and quotations, and what they concern. "
                              "Its own evidence is open on the right; click any node for its own.",
                              ego, layers_on=("asserted", "inferred"), focus=str(node),
                              extra={"name": name, "labels": names}, positions={str(n): layout[str(n)] for n in ego.nodes}))
    return pages


def dataset_pages(store: Any, layers: Sequence[str], views: dict[str, Any] | None = None
                  ) -> tuple[list[PageSpec], list[PageSpec]]:
    """The view pages and the actor pages of a built dataset (`views`: kg.views' networks, if built already)."""
    from kg.views import build_views

    if views is None:
        views = build_views(store, [name for name, _, _ in VIEW_PAGES], layers)
    whole = _shown_first_positions(views["whole"], STORY_GROUPS)  # the whole page's and every actor page's
    names = {str(n): _text(a.get("label")) for n, a in views["whole"].nodes(data=True)}
    pages = [PageSpec(f"{name}.html", title, description, views[name], layers_on=tuple(layers),
                      groups_on=STORY_GROUPS if name == "whole" else None, positions=whole if name == "whole" else None,
                      extra={"labels": names})
             for name, title, description in VIEW_PAGES]
    return pages, actor_pages(views["whole"], whole)


def render(out: Path, layers: Sequence[str] = ("asserted", "inferred", "external")) -> list[Path]:
    """Write OUT/html/*.html from the dataset built in `out`."""
    from kg.story import LAYER_ORDER
    from kg.store import load_dataset
    from kg.views import build_views

    store = load_dataset(out)
    views = build_views(store, [*(name for name, _, _ in VIEW_PAGES), "timeline"], layers)  # checks the layers
    pages, actors = dataset_pages(store, layers, views)
    layers = tuple(name for name in LAYER_ORDER if name in layers)
    texts = _Texts(load_sources(store))
    stories = [timeline_page(store, layers, texts, views["timeline"]),
               proposals_page(store, layers, texts, views["timeline"])]
    return write_pages(out / HTML_DIR, pages, actors, texts.sources[0].text, stories, texts)
