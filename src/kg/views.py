"""Networks ("views") of the built dataset, made with SPARQL, for analysis and drawing.

Each view is built from SELECT queries over the chosen named graphs, never
from raw triples, so literals, evidence selectors, sentences and type nodes
never become graph nodes. `kg analyze` (kg.analysis) measures these views and
`kg render` draws them: both import this module, so its API is a contract.

Node keys are IRIs. Every node has: label, kind (most specific pt class),
layer, date, earliest, latest, quotes, spans, wikidata, dbpedia, geonames.
Every edge has: relation, label, event, kind, date, earliest, latest, cameo,
goldstein, sign, quotes, spans, layer.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.namespaces import GRAPH_VOCABULARY, LAYERS, PREFIXES
from kg.problems import KgError

VIEWS = ("interaction", "stance", "agreement", "timeline", "actor-issue", "whole")
DEFAULT_LAYERS = ("asserted", "inferred")

PT = PREFIXES["pt"]
_LAYER_ORDER = ("asserted", "inferred", "external")
_GRAPH_LAYER = {str(iri): name for name, iri in LAYERS.items()}
# Classes whose instances are text anchors or code-list entries, not curated facts.
_NOT_CURATED = {"Evidence", "Sentence", "SourceArticle", "Mention", "MetonymicMention", "CameoCode",
                "Polarity", "Modality", "Bound", "EventStatus"}
_ROLES = ("agent", "recipient", "host", "attendee", "facilitator")
_STANCE_EDGES = {"supports": 1, "opposes": -1, "conditionallySupports": 1}
_LIST_ATTRS = ("quotes", "spans")
_LINK_HOSTS = {"wikidata": "wikidata.org/", "dbpedia": "dbpedia.org/", "geonames": "geonames.org/"}

Network = nx.MultiDiGraph | nx.Graph


# ---------------------------------------------------------------- queries

def _check_layers(layers: Sequence[str]) -> tuple[str, ...]:
    unknown = [name for name in layers if name not in LAYERS]
    if unknown or not layers:
        raise KgError(f"--layers: unknown layer(s) {', '.join(unknown) or '(none given)'}; "
                      f"choose from {', '.join(LAYERS)}")
    return tuple(name for name in _LAYER_ORDER if name in layers)


def run_select(store: ox.Store, query: str, layers: Sequence[str], vocabulary: bool = True) -> list[dict[str, str]]:
    """Rows of a SELECT over the chosen layers (plus the vocabulary), values as plain strings.

    `GRAPH ?g` patterns see the chosen layers only; plain patterns see their union.
    """
    graphs = [ox.NamedNode(str(LAYERS[name])) for name in layers]
    default = graphs + ([ox.NamedNode(str(GRAPH_VOCABULARY))] if vocabulary else [])
    solutions = store.query(query, prefixes=PREFIXES, default_graph=default, named_graphs=graphs)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _class_depths(store: ox.Store) -> dict[str, int]:
    """Depth of every pt class below its root, from rdfs:subClassOf in the vocabulary."""
    parents: dict[str, set[str]] = defaultdict(set)
    rows = store.query("SELECT ?c ?d WHERE { ?c rdfs:subClassOf ?d }", prefixes=PREFIXES,
                       default_graph=ox.NamedNode(str(GRAPH_VOCABULARY)))
    for row in rows:
        if row["c"].value.startswith(PT) and row["d"].value.startswith(PT):
            parents[row["c"].value].add(row["d"].value)
    depths: dict[str, int] = {}

    def depth(cls: str, seen: frozenset[str] = frozenset()) -> int:
        if cls not in depths:
            ups = [p for p in parents.get(cls, ()) if p not in seen]
            depths[cls] = 1 + max((depth(p, seen | {cls}) for p in ups), default=0)
        return depths[cls]

    for cls in list(parents):
        depth(cls)
    return depths


def _ancestors(store: ox.Store) -> dict[str, set[str]]:
    """Every pt class with all its pt superclasses (itself included)."""
    rows = store.query("SELECT ?c ?d WHERE { ?c rdfs:subClassOf* ?d }", prefixes=PREFIXES,
                       default_graph=ox.NamedNode(str(GRAPH_VOCABULARY)))
    ups: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        c, d = row["c"].value, row["d"].value
        if c.startswith(PT) and d.startswith(PT):
            ups[_local(c)].add(_local(d))
    return ups


class _Catalogue:
    """The curated nodes of the chosen layers with their attributes (one pass of queries)."""

    def __init__(self, store: ox.Store, layers: tuple[str, ...]):
        self.store, self.layers = store, layers
        self.attrs: dict[str, dict[str, Any]] = {}
        self.classes: dict[str, set[str]] = {}
        self._types()
        self._labels()
        self._dates()
        self._quotes_and_spans()
        self._links()

    def _types(self) -> None:
        depths = {_local(c): d for c, d in _class_depths(self.store).items()}
        self.ancestors = _ancestors(self.store)
        found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        rows = run_select(self.store, "SELECT ?s ?c ?g WHERE { GRAPH ?g { ?s a ?c } FILTER(isIRI(?s)) }", self.layers)
        for row in rows:
            if row["c"].startswith(PT):
                found[row["s"]][_GRAPH_LAYER[row["g"]]].add(_local(row["c"]))
        for node, by_layer in found.items():
            classes = set().union(*by_layer.values())
            closed = set().union(*(self.ancestors.get(c, {c}) for c in classes))
            if closed & _NOT_CURATED:
                continue
            kind = max(sorted(classes), key=lambda c: depths.get(c, 0))
            layer = next(name for name in _LAYER_ORDER if name in by_layer)
            self.classes[node] = closed
            self.attrs[node] = {"label": "", "kind": kind, "layer": layer, "date": "", "earliest": "",
                                "latest": "", "quotes": [], "spans": [], "wikidata": "", "dbpedia": "",
                                "geonames": ""}

    def _labels(self) -> None:
        rows = run_select(self.store, """SELECT ?s ?l ?g WHERE {
            GRAPH ?g { { ?s rdfs:label ?l } UNION { ?s skos:prefLabel ?l } }
            FILTER(LANG(?l) = "" || LANGMATCHES(LANG(?l), "en")) }""", self.layers)
        best: dict[str, tuple[int, str]] = {}
        for row in rows:
            if row["s"] in self.attrs:
                rank = (_LAYER_ORDER.index(_GRAPH_LAYER[row["g"]]), row["l"])
                best[row["s"]] = min(best.get(row["s"], rank), rank)
        for node, attrs in self.attrs.items():
            attrs["label"] = best[node][1] if node in best else _local(node)

    def _dates(self) -> None:
        rows = run_select(self.store, """SELECT ?s ?p ?d WHERE {
            VALUES ?p { sem:hasTimeStamp sem:hasEarliestBeginTimeStamp sem:hasLatestEndTimeStamp }
            ?s ?p ?d }""", self.layers)
        keys = {"hasTimeStamp": "date", "hasEarliestBeginTimeStamp": "earliest", "hasLatestEndTimeStamp": "latest"}
        if "external" in self.layers:
            # Outside dates sit on their own nodes (with their source) about the event; they only
            # fill what the article leaves open, after the article's own dates.
            rows += [{"s": r["s"], "p": r["p"], "d": r["d"], "outside": "1"} for r in run_select(self.store, """
                SELECT ?s ?p ?d WHERE { GRAPH ?g { ?x schema:about ?s ; ?p ?d
                VALUES ?p { sem:hasTimeStamp sem:hasEarliestBeginTimeStamp sem:hasLatestEndTimeStamp } } }""",
                ("external",), vocabulary=False)]
        own = {(row["s"], keys[_local(row["p"])]) for row in rows if "outside" not in row}
        for row in rows:
            attrs = self.attrs.get(row["s"])
            if attrs is None or ("outside" in row and (row["s"], keys[_local(row["p"])]) in own):
                continue
            if "outside" in row and attrs["date"] and keys[_local(row["p"])] != "date":
                continue
            key, value = keys[_local(row["p"])], row["d"][:10]
            old = attrs[key]
            # Several values: keep the widest reading (earliest start, latest end).
            attrs[key] = value if not old else (max(old, value) if key == "latest" else min(old, value))

    def _quotes_and_spans(self) -> None:
        for row in run_select(self.store, "SELECT ?s ?q WHERE { ?s pt:quote ?q }", self.layers):
            if row["s"] in self.attrs:
                self.attrs[row["s"]]["quotes"].append(row["q"])
        rows = run_select(self.store, """SELECT DISTINCT ?s ?a ?b WHERE {
            ?s pt:evidence/oa:hasTarget ?t . ?t oa:hasSelector? ?x . ?x oa:start ?a ; oa:end ?b }""", self.layers)
        spans: dict[str, set[tuple[int, int]]] = defaultdict(set)
        for row in rows:
            spans[row["s"]].add((int(row["a"]), int(row["b"])))
        for node, attrs in self.attrs.items():
            attrs["quotes"] = sorted(set(attrs["quotes"]))
            attrs["spans"] = [list(span) for span in sorted(spans.get(node, ()))]

    def _links(self) -> None:
        # Links are attributes, not structure: read them from the external layer whatever the layers.
        rows = run_select(self.store, """SELECT ?s ?o WHERE { GRAPH ?g {
            { ?s skos:exactMatch ?o } UNION { ?s skos:closeMatch ?o } } FILTER(isIRI(?o)) }""", ("external",),
                    vocabulary=False)
        for row in sorted(rows, key=lambda r: (r["s"], r["o"])):
            attrs = self.attrs.get(row["s"])
            if attrs is None:
                continue
            for key, host in _LINK_HOSTS.items():
                if host in row["o"] and not attrs[key]:
                    attrs[key] = row["o"]

    def is_a(self, node: str, cls: str) -> bool:
        return cls in self.classes.get(node, ())

    def add_node(self, graph: Network, node: str, **extra: Any) -> None:
        graph.add_node(node, **_copy(self.attrs[node]), **extra)


def _copy(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in attrs.items()}


# ---------------------------------------------------------------- edges

def _edge(relation: str, label: str = "", event: str = "", layer: str = "asserted", **values: Any) -> dict[str, Any]:
    edge = {"relation": relation, "label": label or relation, "event": event, "kind": "", "date": "",
            "earliest": "", "latest": "", "cameo": "", "goldstein": None, "sign": 0, "quotes": [],
            "spans": [], "layer": layer}
    edge.update(values)
    return edge


def _event_edge(cat: _Catalogue, event: str, relation: str, codes: dict[str, tuple[str, float | None]],
                layer: str) -> dict[str, Any]:
    """Edge attributes taken from an event node: its class, dates, CAMEO code, Goldstein score, evidence."""
    ev = cat.attrs[event]
    cameo, goldstein = codes.get(event, ("", None))
    sign = 0 if goldstein is None else (goldstein > 0) - (goldstein < 0)
    return _edge(relation, label=ev["label"], event=event, layer=layer, kind=ev["kind"], date=ev["date"],
                 earliest=ev["earliest"], latest=ev["latest"], cameo=cameo, goldstein=goldstein, sign=sign,
                 quotes=list(ev["quotes"]), spans=[list(s) for s in ev["spans"]])


def _cameo(store: ox.Store, layers: tuple[str, ...]) -> dict[str, tuple[str, float | None]]:
    rows = run_select(store, """SELECT ?e ?code ?n ?score WHERE { ?e pt:cameoCode ?code .
        OPTIONAL { ?code skos:notation ?n } OPTIONAL { ?code pt:goldsteinScore ?score } }""", layers)
    codes: dict[str, tuple[str, float | None]] = {}
    for row in sorted(rows, key=lambda r: (r["e"], r["code"])):
        if row["e"] not in codes:
            score = float(row["score"]) if "score" in row else None
            codes[row["e"]] = (row.get("n", _local(row["code"])), score)
    return codes


def _participants(store: ox.Store, layers: tuple[str, ...]) -> dict[str, dict[str, list[str]]]:
    """event -> role -> participants, from the role properties (not the materialised pt:participant)."""
    rows = run_select(store, """SELECT ?e ?role ?a ?g WHERE { GRAPH ?g { ?e ?role ?a }
        VALUES ?role { pt:agent pt:recipient pt:host pt:attendee pt:facilitator } }""", layers)
    roles: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        roles[row["e"]][_local(row["role"])].add(row["a"])
    return {e: {r: sorted(a) for r, a in by.items()} for e, by in roles.items()}


def _interaction_pairs(roles: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(source, target, relation) for one event.

    Directed: agent→recipient, host→guest (every other participant), facilitator→party.
    Undirected (one edge, endpoints in IRI order): co-participants of an event without
    recipients (attendees of talks, agents of a joint statement). Actors on the same side
    of a directed act (two agents of one criticism) get no edge: the act is not between them.
    """
    agents, recipients = roles.get("agent", []), roles.get("recipient", [])
    hosts, facilitators = roles.get("host", []), roles.get("facilitator", [])
    everyone = sorted(set().union(*roles.values())) if roles else []
    pairs: list[tuple[str, str, str]] = []
    linked: set[frozenset[str]] = set()

    def add(a: str, b: str, relation: str) -> None:
        if a != b and frozenset((a, b)) not in linked:
            linked.add(frozenset((a, b)))
            pairs.append((a, b, relation))

    for a in agents:
        for r in recipients:
            add(a, r, "agent→recipient")
    for h in hosts:
        for x in everyone:
            if x not in hosts:
                add(h, x, "host→guest")
    for f in facilitators:
        for x in everyone:
            if x not in facilitators:
                add(f, x, "facilitator→party")
    if not recipients:
        rest = sorted(set(everyone) - set(hosts) - set(facilitators))
        for i, a in enumerate(rest):
            for b in rest[i + 1:]:
                add(a, b, "co-participant")
    return pairs


# ---------------------------------------------------------------- views

def _interaction(cat: _Catalogue) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="interaction")
    codes = _cameo(cat.store, cat.layers)
    # Talks that were only planned when the article was written (or never held) link no one yet.
    planned = {row["e"] for row in run_select(cat.store, "SELECT ?e WHERE { ?e pt:status pt:planned }", cat.layers)}
    for event, roles in sorted(_participants(cat.store, cat.layers).items()):
        if event not in cat.attrs or not cat.is_a(event, "Event") or event in planned:
            continue
        for a, b, relation in _interaction_pairs(roles):
            if not (cat.is_a(a, "Actor") and cat.is_a(b, "Actor")):
                continue
            for node in (a, b):
                if node not in graph:
                    cat.add_node(graph, node)
            graph.add_edge(a, b, key=f"{event}|{relation}",
                           **_event_edge(cat, event, relation, codes, cat.attrs[event]["layer"]))
    return graph


def _stance_rows(cat: _Catalogue) -> list[dict[str, Any]]:
    """Current stances: stance nodes no later stance supersedes, then direct edges the rules derived."""
    rows = run_select(cat.store, """SELECT ?st ?h ?t ?pol ?sign ?ev WHERE {
        ?st a pt:Stance ; pt:holder ?h ; pt:target ?t ; pt:polarity ?pol .
        OPTIONAL { ?pol pt:sign ?sign } OPTIONAL { ?st pt:expressedIn ?ev }
        FILTER NOT EXISTS { ?later pt:supersedes ?st } }""", cat.layers)
    relation = {"support": "supports", "oppose": "opposes", "conditionalSupport": "conditionallySupports"}
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["st"], r.get("ev", ""))):
        key = (row["h"], row["t"], row["st"])
        if key in out or row["st"] not in cat.attrs:
            continue
        st = cat.attrs[row["st"]]
        rel = relation[_local(row["pol"])]
        event = row.get("ev", "")
        out[key] = {"holder": row["h"], "target": row["t"], "key": row["st"], "attrs": _edge(
            rel, label=st["label"], event=event, layer=st["layer"],
            kind=cat.attrs[event]["kind"] if event in cat.attrs else "",
            date=st["date"] or (cat.attrs[event]["date"] if event in cat.attrs else ""),
            earliest=st["earliest"], latest=st["latest"], sign=int(row.get("sign", _STANCE_EDGES[rel])),
            quotes=list(st["quotes"]), spans=[list(s) for s in st["spans"]], stance=row["st"])}
    covered = {(v["holder"], v["target"], v["attrs"]["relation"]) for v in out.values()}
    direct = run_select(cat.store, """SELECT ?h ?p ?t ?g WHERE { GRAPH ?g { ?h ?p ?t }
        VALUES ?p { pt:supports pt:opposes pt:conditionallySupports } }""", cat.layers)
    for row in sorted(direct, key=lambda r: (r["h"], r["p"], r["t"], r["g"])):
        rel = _local(row["p"])
        if (row["h"], row["t"], rel) in covered:
            continue
        covered.add((row["h"], row["t"], rel))
        layer = _GRAPH_LAYER[row["g"]]
        out[(row["h"], row["t"], rel)] = {"holder": row["h"], "target": row["t"], "key": rel, "attrs": _edge(
            rel, label=rel, layer=layer, sign=_STANCE_EDGES[rel], stance="")}
    return [v for _, v in sorted(out.items())]


def _stance(cat: _Catalogue) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="stance")
    for row in _stance_rows(cat):
        if row["holder"] not in cat.attrs or row["target"] not in cat.attrs:
            continue
        for node in (row["holder"], row["target"]):
            if node not in graph:
                cat.add_node(graph, node)
        graph.add_edge(row["holder"], row["target"], key=row["key"], **row["attrs"])
    return graph


def agreement_from_stances(stances: nx.MultiDiGraph) -> nx.Graph:
    """Actor-to-actor agreement: +1 per target both take the same side on, -1 per opposite sides.

    Edge `sign` is the sign of the net count (`weight`); `agree`/`disagree` count targets;
    `targets` lists them. Conditional support counts as support (pt:sign +1).
    """
    sides: dict[str, dict[str, int]] = defaultdict(dict)
    for holder, target, data in stances.edges(data=True):
        if data["sign"]:
            # Two stances of one holder on one target (e.g. inferred proposer support): keep the sum's sign.
            sides[target][holder] = sides[target].get(holder, 0) + data["sign"]
    graph = nx.Graph(name="agreement")
    tally: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: {"agree": [], "disagree": []})
    for target in sorted(sides):
        holders = sorted((h, (s > 0) - (s < 0)) for h, s in sides[target].items() if s)
        for i, (a, sa) in enumerate(holders):
            for b, sb in holders[i + 1:]:
                tally[(a, b)]["agree" if sa == sb else "disagree"].append(target)
    for (a, b), counts in sorted(tally.items()):
        for node in (a, b):
            if node not in graph:
                graph.add_node(node, **_copy(stances.nodes[node]))
        net = len(counts["agree"]) - len(counts["disagree"])
        sign = (net > 0) - (net < 0)
        relation = {1: "agrees", -1: "disagrees", 0: "mixed"}[sign]
        graph.add_edge(a, b, **_edge(relation, label=f"{relation} on {len(counts['agree']) + len(counts['disagree'])} target(s)",
                                     layer=_edge_layer(stances, (a, b), counts["agree"] + counts["disagree"]),
                                     sign=sign, weight=net,
                                     agree=len(counts["agree"]), disagree=len(counts["disagree"]),
                                     targets=sorted(counts["agree"] + counts["disagree"])))
    return graph


def _edge_layer(stances: nx.MultiDiGraph, pair: tuple[str, str], targets: Iterable[str]) -> str:
    """'asserted' when every stance of the pair on the targets they share is asserted, else the
    weakest layer involved (their stances on other targets are not behind this edge)."""
    shared = set(targets)
    layers = {d["layer"] for _, t, d in stances.out_edges(pair, data=True) if t in shared and d["sign"]}
    return max(layers, key=_LAYER_ORDER.index) if layers else "asserted"


def _timeline(cat: _Catalogue) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="timeline")
    events = sorted(n for n in cat.attrs if cat.is_a(n, "Event"))
    for event in events:
        cat.add_node(graph, event)
    rows = run_select(cat.store, "SELECT ?a ?b ?g WHERE { GRAPH ?g { ?a pt:precedes ?b } }", cat.layers)
    order: dict[tuple[str, str], str] = {}
    for row in rows:
        if row["a"] in graph and row["b"] in graph:
            pair = (row["a"], row["b"])
            layer = _GRAPH_LAYER[row["g"]]
            order[pair] = min(order.get(pair, layer), layer, key=_LAYER_ORDER.index)
    # The inferred layer holds the transitive closure; draw only the links no chain already implies.
    reduced = set(order)
    if any(layer != "asserted" for layer in order.values()):
        chain = nx.DiGraph(list(order))
        if nx.is_directed_acyclic_graph(chain):
            reduced = set(nx.transitive_reduction(chain).edges())
    for (a, b), layer in sorted(order.items()):
        if layer == "asserted" or (a, b) in reduced:
            graph.add_edge(a, b, key="precedes", **_edge("precedes", label="precedes", layer=layer))
    rows = run_select(cat.store, "SELECT ?a ?b ?g WHERE { GRAPH ?g { ?a pt:partOf ?b } }", cat.layers)
    for row in sorted(rows, key=lambda r: (r["a"], r["b"], _LAYER_ORDER.index(_GRAPH_LAYER[r["g"]]))):
        if row["a"] in graph and row["b"] in graph and not graph.has_edge(row["a"], row["b"], key="partOf"):
            graph.add_edge(row["a"], row["b"], key="partOf",
                           **_edge("partOf", label="part of", layer=_GRAPH_LAYER[row["g"]]))
    codes = _cameo(cat.store, cat.layers)
    for event, roles in sorted(_participants(cat.store, cat.layers).items()):
        if event not in graph:
            continue
        for role in _ROLES:
            for actor in roles.get(role, []):
                if actor not in cat.attrs:
                    continue
                if actor not in graph:
                    cat.add_node(graph, actor)
                edge = _event_edge(cat, event, "participant", codes, cat.attrs[event]["layer"])
                edge["label"] = role
                graph.add_edge(actor, event, key=f"participant|{role}", role=role, **edge)
    return graph


def _actor_issue(cat: _Catalogue) -> nx.MultiDiGraph:
    """Actor → issue, one edge per stance on the issue or on a target that concerns it."""
    concerns: dict[str, set[str]] = defaultdict(set)
    rows = run_select(cat.store, """SELECT ?t ?i WHERE { ?t (pt:concerns|pt:hasProvision/pt:concerns|pt:provisionOf/pt:concerns) ?i }""",
                cat.layers)
    for row in rows:
        if cat.is_a(row["i"], "Issue"):
            concerns[row["t"]].add(row["i"])
    graph = nx.MultiDiGraph(name="actor-issue")
    for row in _stance_rows(cat):
        holder, target = row["holder"], row["target"]
        if holder not in cat.attrs or not cat.is_a(holder, "Actor"):
            continue
        issues = {target} if cat.is_a(target, "Issue") else concerns.get(target, set())
        for issue in sorted(issues):
            if issue not in cat.attrs:
                continue
            for node, side in ((holder, 0), (issue, 1)):
                if node not in graph:
                    cat.add_node(graph, node, bipartite=side)
            attrs = dict(row["attrs"], via=target)
            attrs["label"] = f"{attrs['relation']} via {cat.attrs[target]['label']}" if target != issue else attrs["relation"]
            graph.add_edge(holder, issue, key=f"{row['key']}|{target}", **attrs)
    return graph


def _whole(cat: _Catalogue) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="whole")
    for node in sorted(cat.attrs):
        cat.add_node(graph, node)
    rows = run_select(cat.store, "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?o) && ?p != rdf:type) }",
                cat.layers)
    prefixes = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
    seen: dict[tuple[str, str, str], str] = {}
    for row in rows:
        s, p, o, layer = row["s"], row["p"], row["o"], _GRAPH_LAYER[row["g"]]
        if s not in cat.attrs or o not in cat.attrs or p == PT + "evidence":
            continue
        # Rules restate pt: facts with standard super-properties (sem:hasActor, prov:...): keep one edge.
        if layer == "inferred" and not p.startswith(PT):
            continue
        key = (s, p, o)
        seen[key] = min(seen.get(key, layer), layer, key=_LAYER_ORDER.index)
    for (s, p, o), layer in sorted(seen.items()):
        name = next((f"{pre}:{p[len(iri):]}" for pre, iri in prefixes if p.startswith(iri)), p)
        relation = _local(p) if p.startswith(PT) else name
        graph.add_edge(s, o, key=relation, **_edge(relation, label=relation, layer=layer))
    if "external" in cat.layers:
        _add_outside_dates(cat, graph)
    return graph


def _add_outside_dates(cat: _Catalogue, graph: nx.MultiDiGraph) -> None:
    """The external layer's dates from outside reporting, each a node about its event, so that the
    whole-graph page can switch the external layer on and off like the inferred one."""
    rows = run_select(cat.store, """SELECT ?d ?e ?label ?early ?late ?source WHERE { GRAPH ?g {
        ?d schema:about ?e ; rdfs:label ?label .
        OPTIONAL { ?d sem:hasEarliestBeginTimeStamp ?early } OPTIONAL { ?d sem:hasLatestEndTimeStamp ?late }
        OPTIONAL { ?d dcterms:source ?source } } }""", ("external",), vocabulary=False)
    for row in sorted(rows, key=lambda r: (r["d"], r["e"])):
        if row["e"] not in graph or row["d"] in graph:
            continue
        early, late = row.get("early", "")[:10], row.get("late", "")[:10]
        # the source goes into the label: quotes are the article's words only
        label = f"{row['label']} (source: {row['source']})" if row.get("source") else row["label"]
        graph.add_node(row["d"], label=label, kind="OutsideDate", layer="external",
                       date=early if early and early == late else "", earliest=early, latest=late,
                       quotes=[], spans=[], wikidata="", dbpedia="", geonames="")
        graph.add_edge(row["d"], row["e"], key="about", **_edge("about", label="dates", layer="external"))


_BUILDERS = {"interaction": _interaction, "stance": _stance, "timeline": _timeline,
             "actor-issue": _actor_issue, "whole": _whole}


def build_view(store: ox.Store, name: str, layers: Sequence[str] = DEFAULT_LAYERS) -> Network:
    """The network `name` (one of VIEWS) of the chosen layers of a built dataset."""
    return build_views(store, [name], layers)[name]


def build_views(store: ox.Store, names: Iterable[str], layers: Sequence[str] = DEFAULT_LAYERS) -> dict[str, Network]:
    """Several views sharing one pass of node queries."""
    names = list(names)
    unknown = [n for n in names if n not in VIEWS]
    if unknown:
        raise KgError(f"--views: unknown view(s) {', '.join(unknown)}; choose from {', '.join(VIEWS)}")
    cat = _Catalogue(store, _check_layers(layers))
    views: dict[str, Network] = {}
    for name in names:
        if name == "agreement":
            stances = views.get("stance") or _stance(cat)
            views[name] = agreement_from_stances(stances)
        else:
            views[name] = _BUILDERS[name](cat)
        views[name].graph["layers"] = ",".join(cat.layers)
    return views


# ---------------------------------------------------------------- Gephi files

def _flatten(view: Network) -> Network:
    """A copy GraphML and GEXF can hold: an attribute that is ever a list or None is written as
    `json:...` strings on every node (or edge) that has it, so each attribute keeps one type."""
    flat = view.copy()
    flat.graph = {k: v for k, v in view.graph.items() if isinstance(v, (str, int, float, bool))}
    flat.graph["view_class"] = type(view).__name__
    for items in (list(flat.nodes(data=True)), [e[-1] for e in flat.edges(data=True)]):
        records = [item[-1] if isinstance(item, tuple) else item for item in items]
        encoded = {key for attrs in records for key, value in attrs.items()
                   if value is None or isinstance(value, (list, tuple, dict))}
        for attrs in records:
            for key in encoded & attrs.keys():
                attrs[key] = "json:" + json.dumps(attrs[key], ensure_ascii=False, sort_keys=True)
    return flat


def _restore(attrs: dict[str, Any]) -> None:
    for key, value in list(attrs.items()):
        if isinstance(value, str) and value.startswith("json:"):
            attrs[key] = json.loads(value[5:])


def _sorted_copy(view: Network) -> Network:
    """Same graph with nodes and edges inserted in sorted order, so files are byte-identical across runs."""
    ordered = view.__class__()
    ordered.graph.update(view.graph)
    ordered.add_nodes_from(sorted(view.nodes(data=True), key=lambda item: item[0]))
    if view.is_multigraph():
        ordered.add_edges_from(sorted(view.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))))
    else:
        ordered.add_edges_from(sorted(view.edges(data=True), key=lambda e: (e[0], e[1])))
    return ordered


def _write(view: Network, path: Path, writer) -> None:
    from kg.serialize import write_atomically

    import io

    buffer = io.BytesIO()
    writer(_flatten(_sorted_copy(view)), buffer)
    # networkx stamps GEXF with today's date: drop it, so the same view gives the same bytes any day.
    data = re.sub(rb' lastmodifieddate="[^"]*"', b"", buffer.getvalue())
    write_atomically(Path(path), data)


def write_graphml(view: Network, path: Path) -> None:
    """GraphML for Gephi/yEd; lists become `json:[...]` strings, None becomes `json:null`."""
    _write(view, path, lambda g, f: nx.write_graphml(g, f, encoding="utf-8", prettyprint=True))


def write_gexf(view: Network, path: Path) -> None:
    """GEXF for Gephi, same attribute conventions as write_graphml."""
    _write(view, path, lambda g, f: nx.write_gexf(g, f, encoding="utf-8", prettyprint=True))


def read_graphml(path: Path) -> Network:
    """A view written by write_graphml, with its class, edge keys, lists and None restored."""
    flat = nx.read_graphml(path, force_multigraph=True)
    cls = {"MultiDiGraph": nx.MultiDiGraph, "MultiGraph": nx.MultiGraph, "DiGraph": nx.DiGraph,
           "Graph": nx.Graph}[flat.graph.pop("view_class", "MultiDiGraph")]
    graph = cls()
    graph.graph.update(flat.graph)
    for node, attrs in flat.nodes(data=True):
        _restore(attrs)
        graph.add_node(node, **attrs)
    for a, b, key, attrs in flat.edges(keys=True, data=True):
        _restore(attrs)
        if graph.is_multigraph():
            graph.add_edge(a, b, key=key, **attrs)
        else:
            graph.add_edge(a, b, **attrs)
    return graph
