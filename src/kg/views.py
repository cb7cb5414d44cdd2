"""Networks ("views") of the built dataset, made with SPARQL, for analysis and drawing.

Each view is built from SELECT queries over the chosen named graphs, never from raw triples, so
literals, evidence selectors, sentences and type nodes never become graph nodes. `kg analyze`
(kg.analysis), `kg render` and `kg export` draw on these views: their attributes are a contract.

What every link means: the derivation rules
--------------------------------------------
Every edge carries `evidence`, the triples it is derived from, as `[subject, predicate, object,
layer]` lists, and its `layer` is the weakest layer among them (asserted < inferred < external).
An edge says no more than these triples (tests/test_views.py walks every edge of every view):

| view | edge (u → v) | relation | derived from | sign |
|---|---|---|---|---|
| interaction | actor → actor | agent→recipient | `E pt:agent u` + `E pt:recipient v` (+ `E pt:cameoCode C`) | of C's Goldstein score |
| interaction | actor → actor | host→guest | `E pt:host u` + `E ROLE v` | of C's Goldstein score |
| interaction | actor → actor | facilitator→party | `E pt:facilitator u` + `E ROLE v` | of C's Goldstein score |
| interaction | actor — actor | co-participant | `E ROLE u` + `E ROLE v`, E with no recipient | of C's Goldstein score |
| stance | holder → target | supports, opposes, conditionallySupports | `S pt:holder u` + `S pt:target v` + `S pt:polarity P` (+ `S pt:expressedIn E`), S superseded by no stance | P's pt:sign |
| stance | holder → target | supports, opposes, conditionallySupports | `u pt:supports v` (… `pt:opposes`, `pt:conditionallySupports`; rules) | ±1 |
| agreement | actor — actor | agrees, disagrees, mixed | the stance edges of both actors on each target in `targets` | of (same sides − opposite sides) |
| actor-issue | actor → issue | supports, opposes, conditionallySupports | a stance edge whose target is the issue itself | P's pt:sign |
| actor-issue | actor → issue | stanceConcerning | a stance edge on a target T with `S pt:concerns v` (the stance is tied to the issue) or `T pt:concerns v` (its target is): a stance on T, not a position on the issue | 0 |
| timeline | event → event | precedes | `u pt:precedes v` (inferred: only where no chain implies it) | 0 |
| timeline | event → event | partOf | `u pt:partOf v` | 0 |
| timeline | actor → event | participant (`role` = agent, recipient, host, attendee, facilitator) | `v pt:ROLE u` | of the event's Goldstein score |
| whole | node → node | the property's local name | `u P v` for every property P between curated nodes (inferred restatements with non-pt: super-properties left out) | 0 |
| whole | outside date → event | about | `u schema:about v` in the external layer | 0 |

In the whole view, an edge's caption is the property's rdfs:label ("proposes", "announces"), except
that `pt:answers` reads as the act's class rdfs:label with a preposition: "rejection of", "acceptance
of", "agreement to", "statement on": Moscow's agreement to the Black Sea ceasefire does not say who
proposed it.

A stance on a proposal is a stance on that proposal: it is never copied onto the proposal's
provisions or onto the issues they concern. Only a stance whose target is an issue gives a signed
position on that issue.

Attributes
----------
Node keys are IRIs. Every node has `label`, `kind` (most specific pt class, local name),
`kind_label` (that class's rdfs:label), `layer` (the strongest layer that types it), `quotes`,
`spans` (`[source IRI, start, end]`, code-point offsets into that source's text), `wikidata`, `dbpedia`, `geonames`, `duration`
(pt:duration in words, "30 hours"; "" when none), `modality` (the hedges of a stance, claim or event:
`[skos:prefLabel of its pt:modality, layer]` pairs, "seemingly", "suggested"), `degree` (how far a
claim or stance goes, the same pairs of its pt:degree: "nearly", "relatively", "not easily"), `stated_dates` (the day
each source states, as it states it: `[pt:statedDate or pt:statedMonth lexical form, source IRI, layer]`, one per source,
so two sources that disagree are both listed and never merged) and the dating attributes below.

Every edge has `relation` (a plain name, see the table), `caption` (human words for the link: the
ontology's rdfs:label of the property or role, "proposes", "expressed in", "took part in"; never
a raw property name), `label` (the event's or stance's label, else the caption), `event`, `kind`,
`kind_label`, `cameo`, `goldstein`, `sign`, `quotes`, `spans`, `layer`, `evidence`, and the dating
attributes, `modality` and `degree` of the event or stance it stands for (a stance's own and that of the act it
is expressed in). Agreement edges also have `agree`, `disagree`,
`weight` (agree − disagree), `targets` (IRIs) and `agreements` (per target: its label, each
actor's relation and the quotes of each actor's stance). Actor–issue edges also have `via` (the
stance's target) and `bipartite` on nodes (0 actor, 1 issue).

Dates (nodes and the edges of events and stances):

- `earliest`, `latest`: the bounds (ISO days) the chosen layers allow: every stated date, bound
  and outside date of the node, of the event it is part of, and those carried along pt:precedes
  (an event after one that began on day D began no earlier than D; an event before one that
  ended by day D ended by D), combined by intersection: the tightest bound wins.
  `date` is set when the two meet (one known day).
- `date_layer`, `earliest_layer`, `latest_layer`: the layer each winning bound rests on (the
  weakest layer along its derivation); `date_source`, `earliest_source`, `latest_source`: for
  an outside date, its source as the external layer names it; `earliest_via`, `latest_via`: the
  node whose date gave the bound when it is not the node's own ("" otherwise).
- `status`: the local name of pt:status ("planned", "ongoing", ...). An ongoing state, or one the
  article says holds "so far" (pt:upToTimeOfWriting), has no latest bound unless the article states
  one: the publication date is not its end.
- `order`: the node's rank in a topological order of pt:precedes and pt:partOf (whole before
  part) that never puts an event before one that precedes it; among events free to go next,
  the one with the earliest lower bound (or, when it has none, the earliest lower bound of what
  comes after it) goes first. -1 for nodes outside that order.
- `conflicts`: bounds that could not be combined (an outside date outside what the article's
  order allows), each in words; the stronger layer's bound is kept.
- `dates_by_layers`: the same dating attributes for every combination of the chosen layers
  ("asserted", "asserted,inferred", ...), so a page can switch a layer off and show only what
  the remaining layers say.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.buildfolder import LAYERS
from kg.namespaces import GRAPH_VOCABULARY, PREFIXES
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
        self.term_labels = _term_labels(store)
        self._types()
        self._labels()
        self._dates()
        self._quotes_and_spans()
        self._links()
        self._durations()
        self._modalities()
        self._stated_dates()

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
            self.attrs[node] = {"label": "", "kind": kind, "kind_label": self.term_label(PT + kind), "layer": layer,
                                **_no_dates(), "quotes": [], "spans": [], "wikidata": "", "dbpedia": "",
                                "geonames": "", "duration": "", "modality": [], "degree": [], "stated_dates": []}

    def term_label(self, iri: str) -> str:
        """The ontology's rdfs:label of a class or property, else its local name in words."""
        return self.term_labels.get(iri) or _words(_local(iri))

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
        labels = {node: attrs["label"] for node, attrs in self.attrs.items()}
        for node, dating in date_attributes(self.store, self.layers, labels).items():
            if node in self.attrs:
                self.attrs[node].update(dating)

    def _quotes_and_spans(self) -> None:
        for row in run_select(self.store, "SELECT ?s ?q WHERE { ?s pt:quote ?q }", self.layers):
            if row["s"] in self.attrs:
                self.attrs[row["s"]]["quotes"].append(row["q"])
        rows = run_select(self.store, """SELECT DISTINCT ?s ?src ?a ?b WHERE {
            ?s pt:evidence/oa:hasTarget ?t . ?t oa:hasSelector? ?x . ?x oa:start ?a ; oa:end ?b .
            OPTIONAL { ?t oa:hasSource ?src } }""", self.layers)
        spans: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
        for row in rows:  # with several sources an offset means nothing without its source
            spans[row["s"]].add((row.get("src", ""), int(row["a"]), int(row["b"])))
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

    def _durations(self) -> None:
        for row in sorted(run_select(self.store, "SELECT ?s ?d WHERE { ?s pt:duration ?d }", self.layers),
                          key=lambda r: (r["s"], r["d"])):
            if row["s"] in self.attrs and not self.attrs[row["s"]]["duration"]:
                self.attrs[row["s"]]["duration"] = duration_words(row["d"])

    def _modalities(self) -> None:
        self._concepts("modality", "modality")
        self._concepts("degree", "degree")

    def _concepts(self, prop: str, attr: str) -> None:
        """attrs[node][attr]: [skos:prefLabel, layer] of each concept the node has as its pt:`prop`."""
        rows = run_select(self.store, f"""SELECT ?s ?m ?l ?g WHERE {{ GRAPH ?g {{ ?s pt:{prop} ?m }}
            OPTIONAL {{ ?m skos:prefLabel ?l FILTER(LANG(?l) = "" || LANGMATCHES(LANG(?l), "en")) }} }}""", self.layers)
        found: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
        for row in sorted(rows, key=lambda r: (r["s"], r["m"], _LAYER_ORDER.index(_GRAPH_LAYER[r["g"]]), r.get("l", ""))):
            found[row["s"]].setdefault(row["m"], (row.get("l") or _words(_local(row["m"])), _GRAPH_LAYER[row["g"]]))
        for node, by_concept in found.items():
            if node in self.attrs:
                self.attrs[node][attr] = sorted([label, layer] for label, layer in by_concept.values())

    def _stated_dates(self) -> None:
        # Each source's own words for the day: the attributed statements of a node several sources
        # report (where they disagree the build keeps only these), else the one reporting source's triple.
        rows = run_select(self.store, """SELECT DISTINCT ?s ?v ?src ?g WHERE {
            { GRAPH ?g { ?st a rdf:Statement ; rdf:subject ?s ; rdf:predicate pt:statedDate ; rdf:object ?v ;
                         pt:fromSource ?src } }
            UNION
            { GRAPH ?g { ?s pt:statedDate ?v } ?s pt:evidence/pt:fromSource ?src
              FILTER NOT EXISTS { ?other a rdf:Statement ; rdf:subject ?s ; rdf:predicate pt:statedDate } }
            UNION
            { GRAPH ?g { ?s pt:statedMonth ?v } ?s pt:evidence/pt:fromSource ?src } }""",
                          self.layers)
        found: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        for row in rows:
            found[row["s"]].add((row["v"], row["src"], _GRAPH_LAYER[row["g"]]))
        for node, stated in found.items():
            if node in self.attrs:
                self.attrs[node]["stated_dates"] = [list(item) for item in sorted(stated)]

    def is_a(self, node: str, cls: str) -> bool:
        return cls in self.classes.get(node, ())

    def add_node(self, graph: Network, node: str, **extra: Any) -> None:
        graph.add_node(node, **_copy(self.attrs[node]), **extra)


def _term_labels(store: ox.Store) -> dict[str, str]:
    """rdfs:label (English) of every term the vocabulary graph labels."""
    rows = store.query("""SELECT ?t ?l WHERE { ?t rdfs:label ?l FILTER(LANG(?l) = "" || LANGMATCHES(LANG(?l), "en")) }""",
                       prefixes=PREFIXES, default_graph=ox.NamedNode(str(GRAPH_VOCABULARY)))
    labels: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: (r["t"].value, r["l"].value)):
        labels.setdefault(row["t"].value, row["l"].value)
    return labels


def _words(name: str) -> str:
    """A camelCase local name in words: containedInPlace → contained in place."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower()


_DURATION = re.compile(r"-?P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$")


def duration_words(lexical: str) -> str:
    """An xsd:duration in the words an article uses: PT30H and P1DT6H → "30 hours", P30D → "30 days",
    P7D → "1 week". Years and months, or anything unparsed, stay as they are."""
    match = _DURATION.fullmatch(lexical)
    if not match or not lexical.strip("-P") or lexical.startswith("-"):
        return lexical
    seconds = (int(match["d"] or 0) * 86400 + int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60
               + float(match["s"] or 0))
    for unit, size in (("week", 7 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0 and (unit != "day" or seconds < 7 * 86400 or seconds % (7 * 86400)):
            count = int(seconds // size)
            return f"{count} {unit}{'s' * (count != 1)}"
    return f"{seconds:g} seconds"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")


def stated_day_words(lexical: str) -> str:
    """A pt:statedDate as its source gives it, in words: "--02-28" (no year stated) -> "28 Feb",
    "2025-03-25" -> "25 Mar 2025"; a pt:statedMonth: "--04" -> "April (no year stated)"; anything
    else stays as it is. No year is ever added."""
    month = re.fullmatch(r"--(\d{2})", lexical)
    if month and 1 <= int(month[1]) <= 12:
        return f"{_MONTH_NAMES[int(month[1]) - 1]} (no year stated)"
    match = re.fullmatch(r"(--|\d{4}-)(\d{2})-(\d{2})", lexical)
    if not match or not 1 <= int(match[2]) <= 12:
        return lexical
    year = "" if match[1] == "--" else " " + match[1][:-1]
    return f"{int(match[3])} {_MONTHS[int(match[2]) - 1]}{year}"


def _copy(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy_value(v) for k, v in attrs.items()}


# ---------------------------------------------------------------- edges

Triple = list[str]  # [subject, predicate, object, layer]


def _edge(relation: str, caption: str, evidence: Sequence[Triple], label: str = "", event: str = "",
          **values: Any) -> dict[str, Any]:
    """Edge attributes; the edge's layer is the weakest layer of its evidence."""
    proof = sorted({tuple(t) for t in evidence})
    edge = {"relation": relation, "caption": caption, "label": label or caption, "event": event, "kind": "",
            "kind_label": "", **_no_dates(), "cameo": "", "goldstein": None, "sign": 0, "quotes": [], "spans": [],
            "modality": [], "degree": [],
            "layer": _weaker(*(t[3] for t in proof)) if proof else "asserted",
            "evidence": [list(t) for t in proof]}
    edge.update(values)
    return edge


def _event_edge(cat: _Catalogue, event: str, relation: str, caption: str, evidence: Sequence[Triple],
                codes: dict[str, tuple[str, float | None, Triple | None]]) -> dict[str, Any]:
    """Edge attributes taken from an event node: its class, dates, CAMEO code, Goldstein score, evidence."""
    ev = cat.attrs[event]
    cameo, goldstein, code_triple = codes.get(event, ("", None, None))
    sign = 0 if goldstein is None else (goldstein > 0) - (goldstein < 0)
    proof = list(evidence) + ([code_triple] if code_triple else [])
    return _edge(relation, caption, proof, label=ev["label"], event=event, kind=ev["kind"],
                 kind_label=ev["kind_label"], **_dates_of(ev), cameo=cameo, goldstein=goldstein, sign=sign,
                 quotes=list(ev["quotes"]), spans=[list(s) for s in ev["spans"]], modality=_copy_value(ev["modality"]),
                 degree=_copy_value(ev["degree"]))


def _cameo(store: ox.Store, layers: tuple[str, ...]) -> dict[str, tuple[str, float | None, Triple | None]]:
    rows = run_select(store, """SELECT ?e ?code ?n ?score ?g WHERE { GRAPH ?g { ?e pt:cameoCode ?code }
        OPTIONAL { ?code skos:notation ?n } OPTIONAL { ?code pt:goldsteinScore ?score } }""", layers)
    codes: dict[str, tuple[str, float | None, Triple | None]] = {}
    for row in sorted(rows, key=lambda r: (r["e"], r["code"], _LAYER_ORDER.index(_GRAPH_LAYER[r["g"]]))):
        if row["e"] not in codes:
            score = float(row["score"]) if "score" in row else None
            codes[row["e"]] = (row.get("n", _local(row["code"])), score,
                               [row["e"], PT + "cameoCode", row["code"], _GRAPH_LAYER[row["g"]]])
    return codes


def _participants(store: ox.Store, layers: tuple[str, ...]) -> dict[str, dict[str, dict[str, str]]]:
    """event -> role -> participant -> layer of the role triple (the role properties, not the
    materialised pt:participant)."""
    rows = run_select(store, """SELECT ?e ?role ?a ?g WHERE { GRAPH ?g { ?e ?role ?a }
        VALUES ?role { pt:agent pt:recipient pt:host pt:attendee pt:facilitator } }""", layers)
    roles: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for row in sorted(rows, key=lambda r: (r["e"], r["role"], r["a"], _LAYER_ORDER.index(_GRAPH_LAYER[r["g"]]))):
        roles[row["e"]][_local(row["role"])].setdefault(row["a"], _GRAPH_LAYER[row["g"]])
    return {e: {r: dict(sorted(a.items())) for r, a in by.items()} for e, by in roles.items()}


def _interaction_pairs(roles: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(source, target, relation) for one event.

    Directed: agent→recipient, host→guest (every other participant), facilitator→party.
    Undirected (one edge, endpoints in IRI order): co-participants of an event without
    recipients (attendees of talks, agents of a joint statement). Actors on the same side
    of a directed act (two agents of one criticism) get no edge: the act is not between them.
    """
    agents, recipients = sorted(roles.get("agent", [])), sorted(roles.get("recipient", []))
    hosts, facilitators = sorted(roles.get("host", [])), sorted(roles.get("facilitator", []))
    everyone = sorted(set().union(*(set(v) for v in roles.values()))) if roles else []
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


def _role_triples(event: str, roles: dict[str, dict[str, str]], actor: str) -> list[Triple]:
    """The role triples that put `actor` in `event` (one per role it has there)."""
    return [[event, PT + role, actor, by[actor]] for role, by in sorted(roles.items()) if actor in by]


# ---------------------------------------------------------------- views

def _interaction(cat: _Catalogue) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="interaction")
    codes = _cameo(cat.store, cat.layers)
    # Talks that were only planned when the article was written (or never held) link no one yet.
    planned = {row["e"] for row in run_select(cat.store, "SELECT ?e WHERE { ?e pt:status ?s VALUES ?s { pt:planned pt:announcedNotHeld } }", cat.layers)}
    for event, roles in sorted(_participants(cat.store, cat.layers).items()):
        if event not in cat.attrs or not cat.is_a(event, "Event") or event in planned:
            continue
        for a, b, relation in _interaction_pairs(roles):
            if not (cat.is_a(a, "Actor") and cat.is_a(b, "Actor")):
                continue
            for node in (a, b):
                if node not in graph:
                    cat.add_node(graph, node)
            proof = _role_triples(event, roles, a) + _role_triples(event, roles, b)
            graph.add_edge(a, b, key=f"{event}|{relation}", **_event_edge(
                cat, event, relation, cat.attrs[event]["kind_label"], proof, codes))
    return graph


def _hedges(*groups: list[list[str]]) -> list[list[str]]:
    """The hedges of a stance and of its act, each (label, layer) once: both often carry the same word."""
    seen: dict[tuple[str, str], list[str]] = {}
    for group in groups:
        for label, layer in group:
            seen.setdefault((label, layer), [label, layer])
    return list(seen.values())


_POLARITY_RELATION = {"support": "supports", "oppose": "opposes", "conditionalSupport": "conditionallySupports"}


def _stance_rows(cat: _Catalogue) -> list[dict[str, Any]]:
    """Current stances: stance nodes no later stance supersedes, then direct edges the rules derived."""
    rows = run_select(cat.store, """SELECT ?st ?h ?t ?pol ?sign ?ev ?gh ?gt ?gp ?ge WHERE {
        GRAPH ?gh { ?st pt:holder ?h } GRAPH ?gt { ?st pt:target ?t } GRAPH ?gp { ?st pt:polarity ?pol }
        OPTIONAL { ?pol pt:sign ?sign } OPTIONAL { GRAPH ?ge { ?st pt:expressedIn ?ev } }
        FILTER NOT EXISTS { ?later pt:supersedes ?st } }""", cat.layers)
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["st"], r.get("ev", ""), *(_LAYER_ORDER.index(_GRAPH_LAYER[r[g]])
                                                                       for g in ("gh", "gt", "gp")))):
        key = (row["h"], row["t"], row["st"])
        if key in out or row["st"] not in cat.attrs:
            continue
        st = cat.attrs[row["st"]]
        rel = _POLARITY_RELATION[_local(row["pol"])]
        event = row.get("ev", "")
        proof = [[row["st"], PT + "holder", row["h"], _GRAPH_LAYER[row["gh"]]],
                 [row["st"], PT + "target", row["t"], _GRAPH_LAYER[row["gt"]]],
                 [row["st"], PT + "polarity", row["pol"], _GRAPH_LAYER[row["gp"]]]]
        if event:
            proof.append([row["st"], PT + "expressedIn", event, _GRAPH_LAYER[row["ge"]]])
        dates = _dates_of(st) if (st["earliest"] or st["latest"] or event not in cat.attrs) else _dates_of(cat.attrs[event])
        out[key] = {"holder": row["h"], "target": row["t"], "key": row["st"], "attrs": _edge(
            rel, cat.term_label(PT + rel), proof, label=st["label"], event=event,
            kind=cat.attrs[event]["kind"] if event in cat.attrs else "",
            kind_label=cat.attrs[event]["kind_label"] if event in cat.attrs else "",
            **dates, sign=int(row.get("sign", _STANCE_EDGES[rel])),
            quotes=list(st["quotes"]), spans=[list(s) for s in st["spans"]], stance=row["st"],
            modality=_hedges(st["modality"], cat.attrs[event]["modality"] if event in cat.attrs else []),
            degree=_copy_value(st["degree"]))}
    covered = {(v["holder"], v["target"], v["attrs"]["relation"]) for v in out.values()}
    direct = run_select(cat.store, """SELECT ?h ?p ?t ?g WHERE { GRAPH ?g { ?h ?p ?t }
        VALUES ?p { pt:supports pt:opposes pt:conditionallySupports } }""", cat.layers)
    for row in sorted(direct, key=lambda r: (r["h"], r["p"], r["t"], _LAYER_ORDER.index(_GRAPH_LAYER[r["g"]]))):
        rel = _local(row["p"])
        if (row["h"], row["t"], rel) in covered:
            continue
        covered.add((row["h"], row["t"], rel))
        out[(row["h"], row["t"], rel)] = {"holder": row["h"], "target": row["t"], "key": rel, "attrs": _edge(
            rel, cat.term_label(row["p"]), [[row["h"], row["p"], row["t"], _GRAPH_LAYER[row["g"]]]],
            sign=_STANCE_EDGES[rel], stance="")}
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


_RELATION_WORDS = {"supports": "for", "conditionallySupports": "for, on a condition", "opposes": "against"}


def agreement_from_stances(stances: nx.MultiDiGraph) -> nx.Graph:
    """Actor-to-actor agreement: +1 per target both take the same side on, -1 per opposite sides.

    Edge `sign` is the sign of the net count (`weight`); `agree`/`disagree` count targets;
    `targets` lists them and `agreements` says, per target, where each stands and in which words.
    Conditional support counts as support (pt:sign +1).
    """
    sides: dict[str, dict[str, int]] = defaultdict(dict)
    behind: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for holder, target, data in sorted(stances.edges(data=True), key=lambda e: (e[0], e[1], e[2]["relation"],
                                                                                   e[2].get("stance", ""))):
        if data["sign"]:
            # Two stances of one holder on one target (e.g. inferred proposer support): keep the sum's sign.
            sides[target][holder] = sides[target].get(holder, 0) + data["sign"]
            behind[(holder, target)].append(data)
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
        targets = sorted(counts["agree"] + counts["disagree"])
        agreements = [_agreement_row(stances, a, b, t, behind) for t in targets]
        proof = [t for row in targets for x in (a, b) for d in behind[(x, row)] for t in d["evidence"]]
        names = "; ".join(f"{row['label']} ({'same side' if row['same'] else 'opposite sides'})" for row in agreements)
        caption = {1: "agree", -1: "disagree", 0: "agree and disagree"}[sign]
        graph.add_edge(a, b, **_edge(relation, caption, proof, label=f"{caption} on {names}", sign=sign, weight=net,
                                     agree=len(counts["agree"]), disagree=len(counts["disagree"]),
                                     targets=targets, agreements=agreements,
                                     quotes=sorted({q for row in agreements for q in row["a_quotes"] + row["b_quotes"]})))
    return graph


def _agreement_row(stances: nx.MultiDiGraph, a: str, b: str, target: str,
                   behind: dict[tuple[str, str], list[dict[str, Any]]]) -> dict[str, Any]:
    def where(x: str) -> tuple[str, list[str]]:
        edges = behind[(x, target)]
        relation = max((d["relation"] for d in edges), key=lambda r: (r != "supports", r))
        return _RELATION_WORDS.get(relation, relation), sorted({q for d in edges for q in d["quotes"]})

    (a_side, a_quotes), (b_side, b_quotes) = where(a), where(b)
    same = sum(d["sign"] for d in behind[(a, target)]) * sum(d["sign"] for d in behind[(b, target)]) > 0
    return {"target": target, "label": stances.nodes[target].get("label", _local(target)), "same": same,
            "a": a, "a_side": a_side, "a_quotes": a_quotes, "b": b, "b_side": b_side, "b_quotes": b_quotes}


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
    precedes = cat.term_label(PT + "precedes")
    for (a, b), layer in sorted(order.items()):
        if layer == "asserted" or (a, b) in reduced:
            graph.add_edge(a, b, key="precedes", **_edge("precedes", precedes, [[a, PT + "precedes", b, layer]]))
    rows = run_select(cat.store, "SELECT ?a ?b ?g WHERE { GRAPH ?g { ?a pt:partOf ?b } }", cat.layers)
    part_of = cat.term_label(PT + "partOf")
    for row in sorted(rows, key=lambda r: (r["a"], r["b"], _LAYER_ORDER.index(_GRAPH_LAYER[r["g"]]))):
        if row["a"] in graph and row["b"] in graph and not graph.has_edge(row["a"], row["b"], key="partOf"):
            graph.add_edge(row["a"], row["b"], key="partOf", **_edge(
                "partOf", part_of, [[row["a"], PT + "partOf", row["b"], _GRAPH_LAYER[row["g"]]]]))
    codes = _cameo(cat.store, cat.layers)
    for event, roles in sorted(_participants(cat.store, cat.layers).items()):
        if event not in graph:
            continue
        for role in _ROLES:
            for actor, layer in roles.get(role, {}).items():
                if actor not in cat.attrs:
                    continue
                if actor not in graph:
                    cat.add_node(graph, actor)
                caption = f"took part as {cat.term_label(PT + role)}"
                edge = _event_edge(cat, event, "participant", caption, [[event, PT + role, actor, layer]], codes)
                graph.add_edge(actor, event, key=f"participant|{role}", role=role, **edge)
    return graph


def _actor_issue(cat: _Catalogue) -> nx.MultiDiGraph:
    """Actor → issue: a signed position when a stance targets the issue itself; an unsigned
    `stanceConcerning` link when the stance, or its target, pt:concerns the issue (see the table)."""
    concerns: dict[str, dict[str, str]] = defaultdict(dict)
    rows = run_select(cat.store, "SELECT ?t ?i ?g WHERE { GRAPH ?g { ?t pt:concerns ?i } }", cat.layers)
    for row in sorted(rows, key=lambda r: (r["t"], r["i"], _LAYER_ORDER.index(_GRAPH_LAYER[r["g"]]))):
        if cat.is_a(row["i"], "Issue"):
            concerns[row["t"]].setdefault(row["i"], _GRAPH_LAYER[row["g"]])
    graph = nx.MultiDiGraph(name="actor-issue")
    concerning = cat.term_label(PT + "concerns")

    def add(holder: str, issue: str, key: str, attrs: dict[str, Any]) -> None:
        for node, side in ((holder, 0), (issue, 1)):
            if node not in graph:
                cat.add_node(graph, node, bipartite=side)
        graph.add_edge(holder, issue, key=key, **attrs)

    for srow in _stance_rows(cat):
        holder, target, stance = srow["holder"], srow["target"], srow["attrs"]["stance"]
        if holder not in cat.attrs or not cat.is_a(holder, "Actor") or target not in cat.attrs:
            continue
        if cat.is_a(target, "Issue"):
            add(holder, target, srow["key"], dict(srow["attrs"], via=target))
            continue
        ties = {issue: [stance, layer] for issue, layer in concerns.get(stance, {}).items()} if stance else {}
        for issue, layer in concerns.get(target, {}).items():
            ties.setdefault(issue, [target, layer])
        for issue, (tied, layer) in sorted(ties.items()):
            if issue not in cat.attrs:
                continue
            attrs = dict(srow["attrs"], via=target, sign=0, relation="stanceConcerning",
                         stance_relation=srow["attrs"]["relation"])
            attrs["evidence"] = sorted(srow["attrs"]["evidence"] + [[tied, PT + "concerns", issue, layer]])
            attrs["layer"] = _weaker(*(t[3] for t in attrs["evidence"]))
            # short words on the link; the whole sentence in its label
            attrs["caption"] = f"{srow['attrs']['caption']} a {cat.attrs[target]['kind_label']} on it"
            attrs["label"] = (f"{srow['attrs']['caption']} {cat.attrs[target]['label']}, which {concerning} it"
                              if tied == target else f"{srow['attrs']['caption']} {cat.attrs[target]['label']}; "
                              f"the stance {concerning} it")
            add(holder, issue, f"{srow['key']}|{target}", attrs)
    return graph


# pt:answers links any act that responds to a proposal (a rejection, an acceptance, an agreement, a
# statement): its link reads as the act's class label with the word the article's sentences take,
# "Moscow agreed to a Black Sea ceasefire" ("agreement to"), rather than the bare "answers".
_ACT_WORD = {"Rejection": "of", "Acceptance": "of", "Agreement": "to", "Statement": "on"}


def _whole(cat: _Catalogue) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="whole")
    for node in sorted(cat.attrs):
        cat.add_node(graph, node)
    rows = run_select(cat.store, "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?o) && ?p != rdf:type) }",
                cat.layers)
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
        relation = _local(p) if p.startswith(PT) else _prefixed(p)
        caption = cat.term_label(p)
        if p == PT + "answers":
            caption = f"{cat.attrs[s]['kind_label']} {_ACT_WORD.get(cat.attrs[s]['kind'], 'on')}"
        graph.add_edge(s, o, key=relation, **_edge(relation, caption, [[s, p, o, layer]]))
    if "external" in cat.layers:
        _add_outside_dates(cat, graph)
    return graph


def _prefixed(iri: str) -> str:
    prefixes = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
    return next((f"{pre}:{iri[len(ns):]}" for pre, ns in prefixes if iri.startswith(ns)), iri)


def _add_outside_dates(cat: _Catalogue, graph: nx.MultiDiGraph) -> None:
    """The external layer's dates from outside reporting, each a node about its event, so that the
    whole-graph page can switch the external layer on and off like the inferred one."""
    rows = run_select(cat.store, """SELECT ?d ?e ?label ?early ?late ?stamp ?source WHERE { GRAPH ?g {
        ?d schema:about ?e ; rdfs:label ?label .
        OPTIONAL { ?d sem:hasEarliestBeginTimeStamp ?early } OPTIONAL { ?d sem:hasLatestEndTimeStamp ?late }
        OPTIONAL { ?d sem:hasTimeStamp ?stamp } OPTIONAL { ?d dcterms:source ?source } } }""", ("external",),
                      vocabulary=False)
    for row in sorted(rows, key=lambda r: (r["d"], r["e"])):
        if row["e"] not in graph or row["d"] in graph:
            continue
        stamp = row.get("stamp", "")[:10]
        early, late = row.get("early", "")[:10] or stamp, row.get("late", "")[:10] or stamp
        source = row.get("source", "")
        # the source goes into the label: quotes are the article's words only
        label = f"{row['label']} (source: {source})" if source else row["label"]
        dating = _no_dates()
        dating.update(date=early if early and early == late else "", earliest=early, latest=late)
        for key in ("date", "earliest", "latest"):
            if dating[key]:
                dating[f"{key}_layer"], dating[f"{key}_source"] = "external", source
        own = {k: v for k, v in dating.items() if k != "dates_by_layers"}
        dating["dates_by_layers"] = {",".join(combo): _copy_value(own) for combo in _layer_combinations(cat.layers)
                                     if "external" in combo}
        graph.add_node(row["d"], label=label, kind="OutsideDate", kind_label="date from outside reporting",
                       layer="external", **dating, quotes=[], spans=[], wikidata="", dbpedia="", geonames="",
                       duration="", modality=[], degree=[], stated_dates=[])
        graph.add_edge(row["d"], row["e"], key="about", **_edge(
            "about", "dates", [[row["d"], PREFIXES["schema"] + "about", row["e"], "external"]]))


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


# ---------------------------------------------------------------- dates

_BOUND_KEYS = {"hasTimeStamp": "date", "hasEarliestBeginTimeStamp": "earliest", "hasLatestEndTimeStamp": "latest"}
# states the article reports as still holding: no bound but the article's own may end them
OPEN_STATUSES = frozenset({PT + "ongoing", PT + "upToTimeOfWriting"})
_DATE_ATTRS = ("date", "date_layer", "date_source", "earliest", "earliest_layer", "earliest_source", "earliest_via",
               "latest", "latest_layer", "latest_source", "latest_via", "status", "order", "conflicts")


def _weaker(*layers: str) -> str:
    return max(layers, key=_LAYER_ORDER.index)


@dataclass(frozen=True)
class Bound:
    """One end of a dating: a day, the layer it rests on, who says so (outside dates) and the node
    whose date it is when it was carried over from another node."""

    day: str
    layer: str
    source: str = ""
    via: str = ""

    def rank(self) -> int:
        return _LAYER_ORDER.index(self.layer)


@dataclass
class DateFacts:
    """Everything the chosen layers say about time, read once: bounds, order links, parts, statuses."""

    bounds: list[tuple[str, str, Bound]] = field(default_factory=list)  # (node, date|earliest|latest, bound)
    precedes: list[tuple[str, str, str]] = field(default_factory=list)  # (before, after, layer)
    part_of: list[tuple[str, str, str]] = field(default_factory=list)  # (part, whole, layer)
    status: list[tuple[str, str, str]] = field(default_factory=list)  # (node, status IRI, layer)


PUBLICATION_DERIVED = "derived from the publication date of the source that reports it (ontology/rules/external/)"


def read_date_facts(store: ox.Store, layers: Sequence[str]) -> DateFacts:
    facts = DateFacts()
    rows = run_select(store, """SELECT ?s ?p ?d ?g ?src WHERE { GRAPH ?g { ?s ?p ?d
        VALUES ?p { sem:hasTimeStamp sem:hasEarliestBeginTimeStamp sem:hasLatestEndTimeStamp } }
        OPTIONAL { GRAPH ?g { ?s dcterms:source ?src } } }""", layers, vocabulary=False)
    for row in rows:
        layer = _GRAPH_LAYER[row["g"]]
        # on the event itself, an external date is one ontology/rules/external/ derive from the publication
        # date of the source that reports the event (outside reporting's dates sit on their own nodes)
        source = (row.get("src", "") or PUBLICATION_DERIVED) if layer == "external" else ""
        facts.bounds.append((row["s"], _BOUND_KEYS[_local(row["p"])], Bound(row["d"][:10], layer, source)))
    if "external" in layers:
        # Dates from outside reporting sit on their own nodes (with their source) about the event.
        rows = run_select(store, """SELECT ?x ?s ?p ?d ?src WHERE { GRAPH ?g { ?x schema:about ?s ; ?p ?d
            VALUES ?p { sem:hasTimeStamp sem:hasEarliestBeginTimeStamp sem:hasLatestEndTimeStamp }
            OPTIONAL { ?x dcterms:source ?src } } }""", ("external",), vocabulary=False)
        for row in rows:
            facts.bounds.append((row["s"], _BOUND_KEYS[_local(row["p"])],
                                 Bound(row["d"][:10], "external", row.get("src", "") or row["x"])))
    for prop, target in (("precedes", facts.precedes), ("partOf", facts.part_of), ("status", facts.status)):
        rows = run_select(store, f"SELECT ?a ?b ?g WHERE {{ GRAPH ?g {{ ?a pt:{prop} ?b }} }}", layers, vocabulary=False)
        target.extend((row["a"], row["b"], _GRAPH_LAYER[row["g"]]) for row in rows)
    facts.bounds.sort(key=lambda b: (b[0], b[1], b[2].day, b[2].rank(), b[2].source))
    for items in (facts.precedes, facts.part_of, facts.status):
        items.sort()
    return facts


def _tighter(new: Bound, old: Bound | None, end: str) -> bool:
    """True when `new` is a tighter bound than `old` (equal days: the stronger layer wins)."""
    if old is None:
        return True
    if new.day != old.day:
        return new.day > old.day if end == "earliest" else new.day < old.day
    return new.rank() < old.rank()


def _describe(bound: Bound) -> str:
    if bound.source:
        return f"{bound.day} ({bound.layer}: {bound.source})"
    return f"{bound.day} ({bound.layer}{', from ' + bound.via if bound.via else ''})"


def solve_dates(facts: DateFacts, layers: Iterable[str], labels: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """The dating attributes (see the module docstring) of every node the facts of `layers` date or order."""
    chosen = set(layers)
    ongoing = {n for n, st, layer in facts.status if layer in chosen and st in OPEN_STATUSES}
    statuses = {n: _local(st) for n, st, layer in sorted(facts.status, key=lambda f: _LAYER_ORDER.index(f[2]),
                                                         reverse=True) if layer in chosen}
    low: dict[str, Bound] = {}
    high: dict[str, Bound] = {}
    conflicts: dict[str, list[str]] = defaultdict(list)
    for node, key, bound in facts.bounds:
        if bound.layer not in chosen:
            continue
        if key in ("date", "earliest") and _tighter(bound, low.get(node), "earliest"):
            low[node] = bound
        if key in ("date", "latest") and not (node in ongoing and bound.layer != "asserted") \
                and _tighter(bound, high.get(node), "latest"):
            high[node] = bound
    for node in sorted(set(low) & set(high)):
        if low[node].day > high[node].day:  # the node's own bounds disagree: keep the stronger layer's
            first, last = low[node], high[node]
            drop = "earliest" if first.rank() > last.rank() else "latest"
            conflicts[node].append(f"{'no earlier than' if drop == 'earliest' else 'no later than'} "
                                   f"{_describe(first if drop == 'earliest' else last)} contradicts "
                                   f"{_describe(last if drop == 'earliest' else first)}; the latter is kept")
            (low if drop == "earliest" else high).pop(node)
    # Bounds carried along the order: after (and within) an event, no earlier than its start;
    # before an event (and within it), no later than its end.
    forward_low: dict[str, list[tuple[str, str]]] = defaultdict(list)
    carry_high: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for a, b, layer in facts.precedes:
        if layer in chosen and a != b:
            forward_low[a].append((b, layer))
            carry_high[b].append((a, layer))
    for part, whole, layer in facts.part_of:
        if layer in chosen and part != whole:
            forward_low[whole].append((part, layer))
            carry_high[whole].append((part, layer))
    _propagate(low, high, forward_low, "earliest", conflicts, labels or {}, set())
    _propagate(high, low, carry_high, "latest", conflicts, labels or {}, ongoing)
    order = _order(facts, chosen, low, set(high), labels or {})
    out: dict[str, dict[str, Any]] = {}
    for node in sorted(set(low) | set(high) | set(order) | set(statuses) | set(conflicts)):
        lo, hi = low.get(node), high.get(node)
        same = lo is not None and hi is not None and lo.day == hi.day
        out[node] = {
            "date": lo.day if same else "",
            "date_layer": _weaker(lo.layer, hi.layer) if same else "",
            "date_source": "; ".join(dict.fromkeys(s for s in (lo.source, hi.source) if s)) if same else "",
            "earliest": lo.day if lo else "", "earliest_layer": lo.layer if lo else "",
            "earliest_source": lo.source if lo else "", "earliest_via": lo.via if lo else "",
            "latest": hi.day if hi else "", "latest_layer": hi.layer if hi else "",
            "latest_source": hi.source if hi else "", "latest_via": hi.via if hi else "",
            "status": statuses.get(node, ""), "order": order.get(node, -1), "conflicts": conflicts.get(node, []),
        }
    return out


def _propagate(bounds: dict[str, Bound], other: dict[str, Bound], links: dict[str, list[tuple[str, str]]],
               end: str, conflicts: dict[str, list[str]], labels: dict[str, str], open_ended: set[str]) -> None:
    """Carry `bounds` along `links` (node → [(next node, link layer)]) until nothing tightens.
    A carried bound that would leave a node no possible day is not applied but recorded; nodes in
    `open_ended` (ongoing states) take none."""
    pending = deque(sorted(n for n in bounds if n in links))
    queued = set(pending)
    while pending:
        node = pending.popleft()
        queued.discard(node)
        bound = bounds[node]
        for nxt, layer in links[node]:
            if nxt in open_ended:
                continue
            carried = Bound(bound.day, _weaker(bound.layer, layer), bound.source, bound.via or node)
            if not _tighter(carried, bounds.get(nxt), end) or carried == bounds.get(nxt):
                continue
            against = other.get(nxt)
            if against is not None and (carried.day > against.day if end == "earliest" else carried.day < against.day):
                # The stronger layer wins: the article's order over an outside date, never the reverse.
                keep_carried = carried.rank() < against.rank()
                where = labels.get(carried.via, carried.via)
                words = "after" if end == "earliest" else "before"
                message = (f"{'no earlier than' if end == 'earliest' else 'no later than'} {carried.day} "
                           f"({carried.layer}: {words} {where}) contradicts "
                           f"{'no later than' if end == 'earliest' else 'no earlier than'} {_describe(against)}; "
                           f"the {'former' if keep_carried else 'latter'} is kept")
                if message not in conflicts[nxt]:
                    conflicts[nxt].append(message)
                if not keep_carried:
                    continue
                other.pop(nxt)
            bounds[nxt] = carried
            if nxt in links and nxt not in queued:
                pending.append(nxt)
                queued.add(nxt)


def _order(facts: DateFacts, chosen: set[str], low: dict[str, Bound], bounded: set[str],
           labels: dict[str, str]) -> dict[str, int]:
    """Ranks in a topological order of pt:precedes and pt:partOf (whole before part) of every node
    that is ordered or bounded."""
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(set(low) | bounded))
    graph.add_edges_from(sorted((a, b) for a, b, layer in facts.precedes if layer in chosen and a != b))
    graph.add_edges_from(sorted((w, p) for p, w, layer in facts.part_of if layer in chosen and p != w))
    if not nx.is_directed_acyclic_graph(graph):
        # Contradictory order links: rank the strongly connected groups, members side by side.
        groups = nx.condensation(graph)
        members = groups.graph["mapping"]
        rank = {}
        for i, group in enumerate(nx.lexicographical_topological_sort(groups, key=lambda g: min(groups.nodes[g]["members"]))):
            for node in groups.nodes[group]["members"]:
                rank[node] = i
        ordered = sorted(members, key=lambda n: (rank[n], n))
        return {node: i for i, node in enumerate(ordered)}
    key: dict[str, str] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        # an event the data does not date goes just before the earliest of what follows it
        after = [key[s] for s in graph.successors(node)]
        key[node] = low[node].day if node in low else min(after, default="9999-12-31")
    ranked = nx.lexicographical_topological_sort(
        graph, key=lambda n: (key[n], 1 if n in low else 0, labels.get(n, ""), n))
    return {node: i for i, node in enumerate(ranked)}


def _layer_combinations(layers: Sequence[str]) -> list[tuple[str, ...]]:
    chosen = [name for name in _LAYER_ORDER if name in layers]
    return [combo for size in range(1, len(chosen) + 1) for combo in combinations(chosen, size)]


def date_attributes(store: ox.Store, layers: Sequence[str], labels: dict[str, str]) -> dict[str, dict[str, Any]]:
    """node → its dating attributes for `layers`, with `dates_by_layers` for every combination of them."""
    facts = read_date_facts(store, layers)
    full = solve_dates(facts, layers, labels)
    by_combo = {",".join(combo): full if set(combo) == set(layers) else solve_dates(facts, combo, labels)
                for combo in _layer_combinations(layers)}
    blank = {k: v for k, v in _no_dates().items() if k != "dates_by_layers"}
    for node, attrs in full.items():
        attrs["dates_by_layers"] = {name: {k: _copy_value(v) for k, v in dating.get(node, blank).items()
                                           if k != "dates_by_layers"} for name, dating in by_combo.items()}
    return full


def _no_dates() -> dict[str, Any]:
    empty: dict[str, Any] = dict.fromkeys(_DATE_ATTRS, "")
    empty.update(order=-1, conflicts=[], dates_by_layers={})
    return empty


def _dates_of(attrs: dict[str, Any]) -> dict[str, Any]:
    """The dating attributes of a node, copied, for an edge that stands for it."""
    return {key: _copy_value(attrs[key]) for key in (*_DATE_ATTRS, "dates_by_layers")}


def _copy_value(value: Any) -> Any:
    """A copy of a list or dict attribute (nested lists and dicts too), so views never share one."""
    if isinstance(value, list):
        return [_copy_value(v) if isinstance(v, (list, dict)) else v for v in value]
    if isinstance(value, dict):
        return {k: _copy_value(v) if isinstance(v, (list, dict)) else v for k, v in value.items()}
    return value


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
