"""Network analysis of the views: brokers, coalitions, balance, contested targets, trajectories, paths.

Each measure takes a view (kg.views) and returns plain data; `analyze` runs them all and
`analyze_to` writes OUT/analysis/ (report.md with PNG plots, report.json, every view as GraphML
and GEXF).

Every measure reports its `n` (what it was computed on) and a `caveat`: one sentence on what it
can and cannot say at that size. Below the sizes set here (MIN_*) a measure is reported as
"too small to say", with its numbers kept for the record but not as a finding.

State level (the default, `merge_states=True`, `kg analyze --actors states`): the actors that
act for one state (pt:actsOnBehalfOf, pt:partOfGovernment: Putin, the Kremlin and Russia;
Zelenskyy, Kyiv and Ukraine) are merged into one node per state before centrality, coalitions
and balance; actors the article ties to no state stay themselves. `--actors named` keeps every
actor as the article names it. Trajectories are always between sides (states).

Pairs followed month by month and chains of events are chosen from the data: the most active
pairs of sides (most scored events between them), and chains between the most active actors
that no single event links.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from kg.namespaces import PTR
from kg.problems import KgError

SEED = 42
# Exact betweenness costs O(n·m); above this many nodes it is estimated from
# SAMPLE_K pivot nodes chosen with SEED (networkx's Brandes sampling).
EXACT_BETWEENNESS_MAX = 2000
SAMPLE_K = 256
# Sizes below which a measure is "too small to say" (see each measure's caveat).
MIN_CENTRALITY_NODES = 10  # actors in the largest connected group
MIN_COMMUNITY_NODES = 10  # actors with at least one agreeing tie
MIN_BALANCE_TRIADS = 10  # closed triangles of signed ties
MIN_TRAJECTORY_EVENTS = 3  # dated, scored events between a pair
TOO_SMALL = "too small to say"
# How many pairs of sides the report follows, and how many chains it shows.
TOP_PAIRS = 3
TOP_CHAINS = 3


def too_small(graph: nx.Graph, what: str, minimum: int = 2) -> str | None:
    """A message when `graph` has too few nodes for `what`, else None."""
    n = graph.number_of_nodes()
    if n < minimum:
        return f"{graph.graph.get('name', 'the')} network has {n} node{'s' * (n != 1)}: {what} needs at least {minimum}"
    return None


def _label(graph: nx.Graph, node: str) -> str:
    return graph.nodes[node].get("label", node) if node in graph else node.rsplit("/", 1)[-1]


# ---------------------------------------------------------------- centrality

def simple_undirected(view: nx.Graph) -> nx.Graph:
    """One undirected edge per linked pair, `weight` = number of distinct events (or edges) behind it."""
    events: dict[tuple[str, str], set[str]] = defaultdict(set)
    for i, (a, b, data) in enumerate(view.edges(data=True)):
        if a != b:
            events[tuple(sorted((a, b)))].add(data.get("event") or f"edge{i}")
    graph = nx.Graph(name=view.graph.get("name", ""))
    graph.add_nodes_from(sorted(view.nodes(data=True)))
    graph.add_weighted_edges_from((a, b, len(evs)) for (a, b), evs in sorted(events.items()))
    return graph


def centrality(view: nx.Graph, exact_max: int = EXACT_BETWEENNESS_MAX, k: int = SAMPLE_K,
               seed: int = SEED, min_nodes: int = MIN_CENTRALITY_NODES) -> dict[str, Any]:
    """Degree, betweenness and PageRank per actor, ranked by betweenness (the brokers first).

    Degree and betweenness are on the undirected simple graph (a broker links parties
    whatever the direction of their acts); PageRank follows the directed edges, weighted
    by how many there are.
    """
    if note := too_small(view, "centrality", 2):
        return {"note": note, "ranking": [], "broker": None, "sampled": False, "too_small": True,
                "n": {"actors": view.number_of_nodes()}, "caveat": f"{note}: {TOO_SMALL}."}
    simple = simple_undirected(view)
    n = simple.number_of_nodes()
    sampled = n > exact_max
    between = nx.betweenness_centrality(simple, k=min(k, n) if sampled else None, seed=seed, normalized=True)
    degree = nx.degree_centrality(simple)
    directed = nx.DiGraph()
    directed.add_nodes_from(view.nodes())
    for a, b in view.edges():
        if a != b:
            w = directed.get_edge_data(a, b, {"weight": 0})["weight"]
            directed.add_edge(a, b, weight=w + 1)
    rank = nx.pagerank(directed, weight="weight")
    rows = [{"node": node, "label": _label(view, node), "degree": simple.degree(node),
             "degree_centrality": round(degree[node], 6), "betweenness": round(between[node], 6),
             "pagerank": round(rank[node], 6)} for node in simple]
    rows.sort(key=lambda r: (-r["betweenness"], -r["degree"], r["node"]))
    groups = [len(g) for g in nx.connected_components(simple)]
    largest = max(groups, default=0)
    small = largest < min_nodes
    broker = rows[0] if rows[0]["betweenness"] > 0 and not small else None
    caveat = (f"{n} actors in {len(groups)} connected group(s), the largest of {largest}, linked by "
              f"{simple.number_of_edges()} pairs: betweenness ranks who lies on the shortest paths between actors "
              "the sources link by reported events; it cannot see contacts they do not report, and it says "
              "nothing about actors in different groups.")
    if small:
        caveat += f" With fewer than {min_nodes} actors in the largest group it is {TOO_SMALL}."
    return {"ranking": rows, "broker": broker and broker["node"], "sampled": sampled, "too_small": small,
            "n": {"actors": n, "pairs": simple.number_of_edges(), "groups": len(groups), "largest_group": largest},
            "caveat": caveat,
            "method": f"betweenness {'sampled, k=' + str(min(k, n)) + ', seed=' + str(seed) if sampled else 'exact'}"}


# ---------------------------------------------------------------- communities

def communities(agreement: nx.Graph, seed: int = SEED, method: str = "louvain",
                min_nodes: int = MIN_COMMUNITY_NODES) -> dict[str, Any]:
    """Coalitions: communities of the positive (agreeing) part of the agreement network.

    Negative ties separate rather than join, so they are left out; actors with no
    agreeing partner form groups of one. Louvain runs with a fixed seed.
    """
    if note := too_small(agreement, "community detection", 2):
        return {"note": note, "coalitions": [], "too_small": True, "n": {"actors": agreement.number_of_nodes()},
                "caveat": f"{note}: {TOO_SMALL}."}
    positive = nx.Graph()
    positive.add_nodes_from(sorted(agreement))
    positive.add_weighted_edges_from((a, b, d.get("weight", 1)) for a, b, d in agreement.edges(data=True)
                                     if d.get("sign", 0) > 0)
    if positive.number_of_edges() == 0:
        groups = [{n} for n in positive]
    elif method == "greedy":
        groups = nx.community.greedy_modularity_communities(positive, weight="weight")
    else:
        groups = nx.community.louvain_communities(positive, weight="weight", seed=seed)
    ordered = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g))
    modularity = nx.community.modularity(positive, ordered, weight="weight") if positive.number_of_edges() else 0.0
    tied = sorted({x for a, b in positive.edges() for x in (a, b)})
    small = len(tied) < min_nodes
    caveat = (f"{len(tied)} actors with at least one agreeing tie ({positive.number_of_edges()} ties, modularity "
              f"{modularity:.2f}): groups actors who take the same side on the same targets the sources report; "
              "it cannot tell a coalition from a shared reaction, and on few actors many groupings fit about as well.")
    if small:
        caveat += f" With fewer than {min_nodes} such actors it is {TOO_SMALL}."
    return {"method": f"{method} (seed {seed})" if method == "louvain" else method,
            "modularity": round(modularity, 6), "too_small": small,
            "n": {"actors": len(tied), "ties": positive.number_of_edges()}, "caveat": caveat,
            "coalitions": [[{"node": n, "label": _label(agreement, n)} for n in g] for g in ordered]}


# ---------------------------------------------------------------- balance

def signed_pairs(view: nx.Graph) -> dict[tuple[str, str], int]:
    """Net sign per unordered pair: +1, -1, or absent when the signs cancel or are 0."""
    total: dict[tuple[str, str], float] = defaultdict(float)
    for a, b, d in view.edges(data=True):
        if a != b and d.get("sign"):
            total[tuple(sorted((a, b)))] += d["sign"]
    return {pair: (1 if s > 0 else -1) for pair, s in total.items() if s}


def balance(view: nx.Graph, min_triads: int = MIN_BALANCE_TRIADS) -> dict[str, Any]:
    """Structural balance: every triangle of signed ties is balanced when the product of its signs is +.

    (+,+,+) friends; (+,-,-) two friends share an enemy: balanced. (+,+,-) and (-,-,-): unbalanced.
    """
    if note := too_small(view, "structural balance", 3):
        return {"note": note, "triads": 0, "balanced": 0, "unbalanced": 0, "unbalanced_triads": [], "too_small": True,
                "n": {"triads": 0}, "caveat": f"{note}: {TOO_SMALL}."}
    signs = signed_pairs(view)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b in signs:
        neighbours[a].add(b)
        neighbours[b].add(a)
    balanced, unbalanced = 0, []
    for a, b in sorted(signs):
        for c in sorted(neighbours[a] & neighbours[b]):
            if c <= b:
                continue
            triad = (signs[(a, b)], signs[tuple(sorted((a, c)))], signs[tuple(sorted((b, c)))])
            if triad[0] * triad[1] * triad[2] > 0:
                balanced += 1
            else:
                unbalanced.append({"nodes": [a, b, c], "labels": [_label(view, x) for x in (a, b, c)],
                                   "signs": list(triad)})
    total = balanced + len(unbalanced)
    small = total < min_triads
    caveat = (f"{total} closed triangle(s) of signed ties among {len(neighbours)} actors: the share of balanced "
              "triangles says how far the sides the sources report fit a friend-of-my-friend pattern; it says "
              "nothing about ties they do not report.")
    if small:
        caveat += f" With fewer than {min_triads} triangles it is {TOO_SMALL}."
    return {"triads": total, "balanced": balanced, "unbalanced": len(unbalanced), "too_small": small,
            "n": {"triads": total, "signed_pairs": len(signs)}, "caveat": caveat,
            "ratio": round(balanced / total, 6) if total else None, "unbalanced_triads": unbalanced}


# ---------------------------------------------------------------- contested targets

def contested(stance: nx.Graph, changes: Sequence[dict[str, str]] = ()) -> list[dict[str, Any]]:
    """Per target: who supports, conditionally supports, opposes; contested = both sides present."""
    sides: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for holder, target, d in stance.edges(data=True):
        sides[target][d["relation"]].add(holder)
    changed = defaultdict(list)
    for change in changes:
        changed[change["target"]].append(change)
    rows = []
    for target in sorted(sides, key=lambda t: (_label(stance, t), t)):
        by = sides[target]
        names = {rel: sorted(_label(stance, h) for h in by.get(rel, ())) for rel in
                 ("supports", "conditionallySupports", "opposes")}
        pro = len(by.get("supports", ())) + len(by.get("conditionallySupports", ()))
        con = len(by.get("opposes", ()))
        rows.append({"target": target, "label": _label(stance, target), "kind": stance.nodes[target].get("kind", ""),
                     "support": pro, "oppose": con, "contested": pro > 0 and con > 0, **names,
                     "changes": changed.get(target, [])})
    rows.sort(key=lambda r: (not r["contested"], -(r["support"] + r["oppose"]), r["label"]))
    return rows


def contested_caveat(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """n and caveat for the contested-targets table."""
    stances = sum(r["support"] + r["oppose"] for r in rows)
    hot = sum(1 for r in rows if r["contested"])
    return {"n": {"targets": len(rows), "stances": stances, "contested": hot},
            "caveat": f"{stances} current stances on {len(rows)} targets, {hot} with both sides present: counts of "
                      "stances the sources report, not of positions held; an actor the sources do not quote on a "
                      "target is not neutral on it, only unreported."}


def merge_sides(view: nx.Graph, sides: dict[str, str], labels: dict[str, str], ends: str = "both") -> nx.Graph:
    """The view with every actor replaced by the state it acts for (one node per state).

    `ends` = "both" merges both ends of each edge (interaction), "source" only the first
    (stance: holders merge, targets stay). Links within one side (Trump and the United States)
    disappear; merged nodes list their `members`."""
    merged = view.__class__(name=view.graph.get("name", ""))
    merged.graph.update(view.graph, merged_states=True)

    def side_of(node: str) -> str:
        side = sides.get(node, node)
        if side not in merged:
            base = dict(view.nodes[side]) if side in view else {**view.nodes[node], "label": labels.get(side, side)}
            merged.add_node(side, **{**base, "members": []})
        if node not in merged.nodes[side]["members"]:
            merged.nodes[side]["members"].append(node)
        return side

    holders = {a for a, _ in view.edges()} if ends == "source" else set(view)
    for node in sorted(view):
        if node in holders:
            side_of(node)
        elif node not in merged:
            merged.add_node(node, **{**view.nodes[node], "members": [node]})
    edges: list[tuple[Any, Any, Any, dict[str, Any]]] = (
        list(view.edges(keys=True, data=True)) if isinstance(view, nx.MultiGraph)
        else [(a, b, None, d) for a, b, d in view.edges(data=True)])
    for a, b, key, data in sorted(edges, key=lambda e: (e[0], e[1], str(e[2]))):
        x = side_of(a)
        y = side_of(b) if ends == "both" else b
        if x == y:
            continue
        if view.is_multigraph():
            merged.add_edge(x, y, key=key, **data)
        else:
            merged.add_edge(x, y, **data)
    for _, attrs in merged.nodes(data=True):
        attrs["members"] = sorted(attrs.get("members", []))
    return merged


def state_labels(store, layers: Sequence[str]) -> dict[str, str]:
    from kg.views import run_select

    rows = run_select(store, """SELECT ?s ?l WHERE { ?s a pt:State ; rdfs:label ?l
        FILTER(LANG(?l) = "" || LANGMATCHES(LANG(?l), "en")) }""", tuple(layers))
    labels: dict[str, str] = {}
    for r in sorted(rows, key=lambda r: (r["s"], r["l"])):
        labels.setdefault(r["s"], r["l"])
    return labels


def stance_changes(store, layers: Sequence[str]) -> list[dict[str, str]]:
    """Every pt:supersedes link: who moved from which polarity to which, on what."""
    from kg.views import run_select

    rows = run_select(store, """SELECT ?new ?old ?h ?t ?p1 ?p2 ?hl ?tl WHERE {
        ?new pt:supersedes ?old . ?new pt:holder ?h ; pt:target ?t ; pt:polarity ?p2 . ?old pt:polarity ?p1 .
        OPTIONAL { ?h rdfs:label ?hl } OPTIONAL { ?t rdfs:label ?tl } }""", tuple(layers))
    seen = {}
    for r in sorted(rows, key=lambda r: (r["new"], r["old"], r.get("hl", ""), r.get("tl", ""))):
        seen.setdefault((r["new"], r["old"]), {
            "holder": r["h"], "holder_label": r.get("hl", r["h"]), "target": r["t"], "target_label": r.get("tl", r["t"]),
            "from": r["p1"].rsplit("#", 1)[-1], "to": r["p2"].rsplit("#", 1)[-1], "stance": r["new"], "earlier": r["old"]})
    return list(seen.values())


# ---------------------------------------------------------------- time

def actor_sides(store, layers: Sequence[str]) -> dict[str, str]:
    """Actor → the state it acts for, following pt:actsOnBehalfOf and pt:partOfGovernment to a pt:State.

    (Trump → United States; Ryabkov → Putin → Russia; the Kremlin → Russia.) Actors the
    article ties to no state (e.g. Vance, for whom it gives no office holding) stay themselves.
    """
    from kg.views import run_select

    rows = run_select(store, """SELECT ?a ?s WHERE { ?a (pt:actsOnBehalfOf|pt:partOfGovernment)+ ?s . ?s a pt:State }""",
                tuple(layers))
    sides: dict[str, str] = {}
    for r in sorted(rows, key=lambda r: (r["a"], r["s"])):
        sides.setdefault(r["a"], r["s"])
    return sides


@dataclass
class Dating:
    """When an event happened, as far as the graph says: a month, or the bounds it lies within."""

    month: str = ""
    earliest: str = ""
    latest: str = ""
    how: str = ""
    layer: str = ""  # the layer the month rests on (the weakest of its bounds)
    source: str = ""  # outside source(s) of that month, if any


def date_events(timeline: nx.Graph) -> dict[str, Dating]:
    """A month per event: its date; else its bounds tightened along pt:precedes (an event before
    a dated one ends by that date, one after it starts after it) when they fall in one month.
    Events whose bounds span several months stay undated (month "")."""
    order = nx.DiGraph([(a, b) for a, b, d in timeline.edges(data=True) if d.get("relation") == "precedes"])
    low = {n: timeline.nodes[n].get("date") or timeline.nodes[n].get("earliest", "") for n in timeline}
    high = {n: timeline.nodes[n].get("date") or timeline.nodes[n].get("latest", "") for n in timeline}
    # A part of an event (remarks during a meeting) happens within it: it takes the whole's bounds.
    for part, whole, d in timeline.edges(data=True):
        if d.get("relation") == "partOf" and not timeline.nodes[part].get("date"):
            low[part] = max(low[part], low[whole])
            high[part] = min(high[part], high[whole]) if high[part] and high[whole] else high[part] or high[whole]
    if nx.is_directed_acyclic_graph(order):
        for n in nx.topological_sort(order):
            for m in order.successors(n):
                low[m] = max(low[m], low[n])
        for n in reversed(list(nx.topological_sort(order))):
            for m in order.predecessors(n):
                if high[n]:
                    high[m] = min(high[m], high[n]) if high[m] else high[n]
    out = {}
    for n in sorted(timeline):
        attrs = timeline.nodes[n]
        date = attrs.get("date", "") or (low[n] if low[n] and low[n] == high[n] else "")
        rank = ("asserted", "inferred", "external")
        layers = [x for x in (attrs.get("earliest_layer", ""), attrs.get("latest_layer", ""), attrs.get("date_layer", ""))
                  if x in rank]
        layer = max(layers, key=rank.index) if layers else ""
        source = "; ".join(dict.fromkeys(x for x in (attrs.get("date_source", ""), attrs.get("earliest_source", ""),
                                                     attrs.get("latest_source", "")) if x))
        if date:
            out[n] = Dating(date[:7], date, date, "date", layer, source)
        elif low[n] and high[n] and low[n][:7] == high[n][:7]:
            out[n] = Dating(low[n][:7], low[n], high[n], "bounds", layer, source)
        else:
            out[n] = Dating("", low[n], high[n], "undated")
    return out


def trajectories(interaction: nx.Graph, dating: dict[str, Dating], sides: dict[str, str],
                 pairs: Iterable[tuple[str, str]] | None = None, top: int = TOP_PAIRS,
                 min_events: int = MIN_TRAJECTORY_EVENTS) -> dict[str, Any]:
    """Goldstein scores summed per month for each pair of sides, with the events behind each point.

    Each event counts once per pair (Trump and Vance scolding Zelenskyy is one US–Ukraine event).
    Events with no score are left out; undated events are listed apart, not plotted. With no
    `pairs`, the `top` pairs with the most scored events between them are followed.
    """
    per_pair: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for a, b, d in interaction.edges(data=True):
        sa, sb = sides.get(a, a), sides.get(b, b)
        if sa == sb or d.get("goldstein") is None or not d.get("event"):
            continue
        pair = tuple(sorted((sa, sb)))
        per_pair[pair].setdefault(d["event"], {"event": d["event"], "label": d["label"], "goldstein": d["goldstein"],
                                               "cameo": d["cameo"]})
    if pairs is None:
        pairs = [pair for pair, _ in sorted(per_pair.items(), key=lambda item: (-len(item[1]), item[0]))[:top]]
    result = {}
    for x, y in pairs:
        x, y = PTR + x if "://" not in x else x, PTR + y if "://" not in y else y
        months: dict[str, dict[str, Any]] = {}
        undated = []
        for event, info in sorted(per_pair.get(tuple(sorted((x, y))), {}).items()):
            when = dating.get(event, Dating(how="undated"))
            if not when.month:
                undated.append({**info, "earliest": when.earliest, "latest": when.latest})
                continue
            point = months.setdefault(when.month, {"month": when.month, "goldstein": 0.0, "events": []})
            point["goldstein"] = round(point["goldstein"] + info["goldstein"], 6)
            point["events"].append({**info, "dated_by": when.how, "date_layer": when.layer, "date_source": when.source})
        points = [months[m] for m in sorted(months)]
        for p in points:
            p["sign"] = (p["goldstein"] > 0) - (p["goldstein"] < 0)
            p["n"] = len(p["events"])
        name = f"{_label(interaction, x)}–{_label(interaction, y)}"
        dated = sum(p["n"] for p in points)
        small = dated < min_events
        caveat = (f"{dated} dated and {len(undated)} undated scored event(s) between them, over {len(points)} "
                  "month(s): a month's sum says whether the events the sources report that month were more "
                  "cooperative or more conflictual, weighted by CAMEO's Goldstein scale; it is not a measure of "
                  "relations, and months with no reported event are gaps, not zero.")
        if small:
            caveat += f" With fewer than {min_events} dated events it is {TOO_SMALL}."
        result[name] = {"pair": [x, y], "points": points, "undated": undated, "too_small": small,
                        "n": {"dated": dated, "undated": len(undated), "months": len(points)}, "caveat": caveat}
    return result


# ---------------------------------------------------------------- paths

def event_chain(interaction: nx.Graph, source: str, target: str) -> dict[str, Any]:
    """The shortest chain actor – event – actor – ... linking two actors, events named."""
    source, target = (PTR + s if "://" not in s else s for s in (source, target))
    for node in (source, target):
        if node not in interaction:
            return {"note": f"{node} is not in the {interaction.graph.get('name', '')} network", "steps": []}
    bipartite = nx.Graph()
    for a, b, d in interaction.edges(data=True):
        if d.get("event"):
            for actor in (a, b):
                bipartite.add_edge(actor, "event:" + d["event"])
    try:
        path = nx.shortest_path(bipartite, source, target)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return {"note": f"no chain of events links {_label(interaction, source)} and {_label(interaction, target)}",
                "steps": []}
    steps = []
    for i in range(0, len(path) - 2, 2):
        a, event, b = path[i], path[i + 1][len("event:"):], path[i + 2]
        label = next(d["label"] for x, y, d in interaction.edges(data=True) if d.get("event") == event)
        steps.append({"from": a, "from_label": _label(interaction, a), "event": event, "event_label": label,
                      "to": b, "to_label": _label(interaction, b)})
    return {"source": source, "target": target, "length": len(steps), "steps": steps}


def chain_pairs(interaction: nx.Graph, top: int = TOP_CHAINS, pool: int = 8) -> list[tuple[str, str]]:
    """Pairs of the `pool` most active actors (most distinct events) that no single event links
    but a chain of events does, most active first."""
    events: dict[str, set[str]] = defaultdict(set)
    direct: set[frozenset[str]] = set()
    simple = nx.Graph()
    for a, b, d in interaction.edges(data=True):
        if d.get("event") and a != b:
            events[a].add(d["event"])
            events[b].add(d["event"])
            direct.add(frozenset((a, b)))
            simple.add_edge(a, b)
    active = sorted(events, key=lambda n: (-len(events[n]), _label(interaction, n), n))[:pool]
    candidates = [(a, b) for i, a in enumerate(active) for b in active[i + 1:]
                  if frozenset((a, b)) not in direct and nx.has_path(simple, a, b)]
    candidates.sort(key=lambda ab: (-(len(events[ab[0]]) + len(events[ab[1]])), active.index(ab[0]), active.index(ab[1])))
    return candidates[:top]


# ---------------------------------------------------------------- stance matrix

def stance_matrix(actor_issue: nx.Graph) -> dict[str, Any]:
    """Actor × issue: net sign of each actor's stances touching the issue (+ for, - against)."""
    cells: dict[tuple[str, str], int] = defaultdict(int)
    touching: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for a, i, d in sorted(actor_issue.edges(data=True), key=lambda e: (e[0], e[1], e[2].get("stance", ""))):
        if d.get("relation") == "stanceConcerning":
            touching[(a, i)].append({"relation": d.get("stance_relation", ""), "target": d.get("via", ""),
                                     "target_label": _label(actor_issue, d.get("via", "")), "caption": d.get("label", "")})
        else:
            cells[(a, i)] += d.get("sign", 0)
    keys = set(cells) | set(touching)
    actors = sorted({a for a, _ in keys}, key=lambda n: (_label(actor_issue, n), n))
    issues = sorted({i for _, i in keys}, key=lambda n: (_label(actor_issue, n), n))
    signed = sum(1 for _ in cells)
    return {"actors": actors, "issues": issues,
            "actor_labels": [_label(actor_issue, a) for a in actors],
            "issue_labels": [_label(actor_issue, i) for i in issues],
            "values": [[cells.get((a, i), 0) for i in issues] for a in actors],
            "concerning": [[len(touching.get((a, i), [])) for i in issues] for a in actors],
            "concerning_links": [{"actor": a, "actor_label": _label(actor_issue, a), "issue": i,
                                  "issue_label": _label(actor_issue, i), "stances": touching[(a, i)]}
                                 for a, i in sorted(touching, key=lambda k: (_label(actor_issue, k[0]), _label(actor_issue, k[1])))],
            "n": {"positions": signed, "concerning": sum(len(v) for v in touching.values())},
            "caveat": (f"{signed} actor–issue cell(s) with a position the sources state on the issue itself, and "
                       f"{sum(len(v) for v in touching.values())} stance(s) on proposals or provisions that concern "
                       "an issue (shown as rings): a stance on a proposal is not a position on the issues it "
                       "touches, so rings carry no sign.")}


# ---------------------------------------------------------------- everything

@dataclass
class Analysis:
    layers: list[str]
    sizes: dict[str, list[int]] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    actors: str = "states"

    def to_json(self) -> str:
        return json.dumps({"layers": self.layers, "views": self.sizes, "actors": self.actors, **self.results},
                          ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def analyze(store, views: dict[str, nx.Graph], layers: Sequence[str], merge_states: bool = True) -> Analysis:
    """Run every measure whose view is among `views` (state level unless `merge_states` is False)."""
    from kg.views import agreement_from_stances

    result = Analysis(list(layers), {n: [v.number_of_nodes(), v.number_of_edges()] for n, v in views.items()})
    result.actors = "states" if merge_states else "named"
    r = result.results
    sides = actor_sides(store, layers)
    labels = state_labels(store, layers)
    if "interaction" in views:
        network = merge_sides(views["interaction"], sides, labels) if merge_states else views["interaction"]
        r["centrality"] = centrality(network)
        r["chains"] = [event_chain(views["interaction"], a, b) for a, b in chain_pairs(views["interaction"])]
        if "timeline" in views:
            dating = date_events(views["timeline"])
            r["trajectories"] = trajectories(views["interaction"], dating, sides)
    if "agreement" in views:
        agreement = views["agreement"]
        if merge_states and "stance" in views:
            agreement = agreement_from_stances(merge_sides(views["stance"], sides, labels, ends="source"))
        r["communities"] = communities(agreement)
        r["balance"] = balance(agreement)
        r["agreements"] = agreement_edges(agreement)
    if "stance" in views:
        r["contested"] = contested(views["stance"], stance_changes(store, layers))
        r["contested_caveat"] = contested_caveat(r["contested"])
    if "actor-issue" in views:
        r["stance_matrix"] = stance_matrix(views["actor-issue"])
    return result


def agreement_edges(agreement: nx.Graph) -> list[dict[str, Any]]:
    """Each agreement tie with the targets behind it and the quotes of both actors' stances."""
    rows = []
    for a, b, d in sorted(agreement.edges(data=True), key=lambda e: (_label(agreement, e[0]), _label(agreement, e[1]))):
        rows.append({"a": a, "a_label": _label(agreement, a), "b": b, "b_label": _label(agreement, b),
                     "relation": d.get("relation", ""), "layer": d.get("layer", ""),
                     "targets": [{**row, "a_label": _label(agreement, row["a"]), "b_label": _label(agreement, row["b"])}
                                 for row in d.get("agreements", [])]})
    return rows


def _chosen(names: Sequence[str], allowed: Sequence[str], option: str) -> list[str]:
    """The names asked for (["all"]: every allowed one), or a KgError naming the unknown ones."""
    if list(names) == ["all"]:
        return list(allowed)
    bad = [n for n in names if n not in allowed]
    if bad or not names:
        raise KgError(f"{option}: unknown {', '.join(bad) or '(none given)'}; choose from {', '.join(allowed)}")
    return list(names)


def analyze_to(out: Path, views: Sequence[str] = ("all",), layers: Sequence[str] = ("asserted", "inferred", "external"),
               merge_states: bool = True) -> tuple[Analysis, Path]:
    """Views, measures, report and Gephi files of the dataset built in `out` into OUT/analysis/;
    the analysis and that folder. Unknown view or layer names are a KgError (`--views`, `--layers`)."""
    from kg.buildfolder import LAYERS
    from kg.store import load_dataset
    from kg.views import VIEWS, build_views

    names = _chosen(views, VIEWS, "--views")
    chosen_layers = _chosen(layers, list(LAYERS), "--layers")
    # Trajectories need dates from the timeline and coalitions the agreement view: build helpers quietly.
    needed = list(dict.fromkeys(names + (["timeline"] if "interaction" in names else [])))
    # Coalitions and balance at state level are computed from the stance view.
    if "agreement" in names and merge_states:
        needed = list(dict.fromkeys(needed + ["stance"]))
    store = load_dataset(out)
    built = build_views(store, needed, chosen_layers)
    result = analyze(store, built, chosen_layers, merge_states=merge_states)
    folder = out / "analysis"
    write_report(folder, result, {n: built[n] for n in names})
    return result, folder


def summary(result: Analysis, folder: Path) -> str:
    """The main findings in a few lines for the terminal; text from data shows control characters
    as escapes (as `kg query`'s table does), so a label cannot recolour or retitle the terminal."""
    from kg.results import one_line

    r = result.results
    lines = [f"analysis of layers {', '.join(result.layers)} ({result.actors} level) written to {folder}/report.md"]
    for name, (n, m) in result.sizes.items():
        lines.append(f"  view {name}: {n} nodes, {m} edges")
    if "centrality" in r:
        c = r["centrality"]
        if c.get("note") or c.get("too_small"):
            lines.append(f"broker: {TOO_SMALL} ({c['n'].get('largest_group', c['n'].get('actors', 0))} actors in the largest group)")
        elif c["broker"]:
            top = c["ranking"][0]
            lines.append(f"broker (highest betweenness): {top['label']} ({top['betweenness']:.3f}; n = {c['n']['actors']} actors)")
    if "communities" in r:
        c = r["communities"]
        groups = ["{" + ", ".join(m["label"] for m in g) + "}" for g in c["coalitions"] if len(g) > 1]
        lines.append(f"coalitions: {TOO_SMALL} ({c['n']['actors']} actors with an agreeing tie)" if c.get("too_small")
                     else f"coalitions: {'; '.join(groups) or 'none'} (n = {c['n']['actors']} actors)")
    if "balance" in r:
        b = r["balance"]
        lines.append(f"balance: {TOO_SMALL} ({b['triads']} signed triads)" if b.get("too_small") else
                     f"balance: {b['balanced']} balanced, {b['unbalanced']} unbalanced of {b['triads']} signed triads")
    if "contested" in r:
        hot = [row["label"] for row in r["contested"] if row["contested"]]
        lines.append(f"contested: {', '.join(hot) or 'none'}")
        moves = [f"{c['holder_label']} on {c['target_label']}: {c['from']} → {c['to']}"
                 for row in r["contested"] for c in row["changes"]]
        if moves:
            lines.append("changed stance: " + "; ".join(moves))
    for name, t in r.get("trajectories", {}).items():
        signs = " ".join(f"{p['month']}:{p['goldstein']:+g} (n={p['n']})" for p in t["points"]) or "no dated events"
        note = f" — {TOO_SMALL}" if t["too_small"] else ""
        lines.append(f"trajectory {name}: {signs}" + (f" ({len(t['undated'])} undated)" if t["undated"] else "") + note)
    return "\n".join(one_line(line) for line in lines)


# ---------------------------------------------------------------- report

_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Markdown punctuation, and the characters GitHub's autolinker keys on: a backslash before ":"
# and "." splits "https://..." and "www...." so no link forms; "@" gets an invisible word joiner
# (U+2060) before it, because e-mail autolinks form across escapes.
_MD_SPECIAL = set("\\`*_[]()!#|:.~")


def _md(text: object) -> str:
    """Data text as plain text in a Markdown table cell or line: HTML characters become entities,
    Markdown punctuation (links, images, emphasis, code, headings, cell pipes) is backslash-escaped,
    URLs and addresses in the data are kept from becoming links, line breaks become spaces."""
    return "".join(_MD_ENTITIES.get(ch) or ("\\" + ch if ch in _MD_SPECIAL else " " if ch in "\r\n"
                                             else "\u2060@" if ch == "@" else ch)
                   for ch in str(text))


def write_report(folder: Path, result: Analysis, views: dict[str, nx.Graph]) -> None:
    """report.md (with PNG plots), report.json and views/<name>.graphml|.gexf into `folder`."""
    from kg.plots import plot_stance_matrix, plot_trajectories
    from kg.serialize import write_atomically
    from kg.export import write_gexf, write_graphml  # Gephi-ready: valid GEXF, typed, the pages' look

    r = result.results
    images = {}
    if "trajectories" in r and plot_trajectories(r["trajectories"], folder / "trajectories.png"):
        images["trajectories"] = "trajectories.png"
    if "stance_matrix" in r and plot_stance_matrix(r["stance_matrix"], folder / "stance-matrix.png"):
        images["stance_matrix"] = "stance-matrix.png"
    written = {"report.json", "report.md", *images.values()}
    for name, view in views.items():
        write_graphml(view, folder / "views" / f"{name}.graphml")
        write_gexf(view, folder / "views" / f"{name}.gexf")
        written |= {f"views/{name}.graphml", f"views/{name}.gexf"}
    write_atomically(folder / "report.json", result.to_json())
    write_atomically(folder / "report.md", markdown(result, images))
    _remove_stale(folder, written)


def _outputs() -> set[str]:
    """Every file name write_report can write, relative to its folder."""
    from kg.views import VIEWS

    return ({"report.json", "report.md", "trajectories.png", "stance-matrix.png"}
            | {f"views/{name}.{ext}" for name in VIEWS for ext in ("graphml", "gexf")})


def _remove_stale(folder: Path, written: set[str]) -> None:
    """Delete this command's files from earlier runs that this run did not write (a plot with
    nothing to show now, a view not chosen): a report must not sit beside stale pictures.
    Files of other names are not ours and stay."""
    for name in sorted(_outputs() - written):
        (folder / name).unlink(missing_ok=True)


def _quotes(quotes: Sequence[str]) -> str:
    return "; ".join(f"“{_md(q)}”" for q in quotes) or "no quote: derived by a rule"


def _caveat(measure: dict[str, Any]) -> list[str]:
    return ["", f"*n and caveat:* {_md(measure['caveat'])}"] if measure.get("caveat") else []


def markdown(result: Analysis, images: dict[str, str]) -> str:
    r = result.results
    level = ("state level: the actors that act for one state (pt:actsOnBehalfOf, pt:partOfGovernment) are one node "
             "per state for centrality, coalitions and balance" if result.actors == "states"
             else "actors as named: every person and body is its own node")
    out = ["# Network analysis", "",
           f"Layers read: {', '.join(result.layers)}; {level}. Views are exported for Gephi in `views/` (GraphML and "
           "GEXF; list attributes are JSON strings prefixed `json:`). Every measure gives its n and what it can "
           f"and cannot say at that size; below the sizes documented in `kg.analysis` it is reported as "
           f"*{TOO_SMALL}*, not as a finding.", "",
           "| view | nodes | edges |", "|---|---:|---:|"]
    out += [f"| {name} | {n} | {m} |" for name, (n, m) in result.sizes.items()]
    if "centrality" in r:
        out += ["", "## Who brokers? Centrality in the interaction network"]
        c = r["centrality"]
        out += _caveat(c)
        if c.get("ranking"):
            out += ["", f"Betweenness: {c['method']}; degree and betweenness on the undirected network of actors "
                    "linked by events, PageRank along the direction of the acts."
                    + (f" Shown for the record only: {TOO_SMALL}." if c.get("too_small") else ""), "",
                    "| actor | degree | betweenness | PageRank |", "|---|---:|---:|---:|"]
            out += [f"| {_md(row['label'])} | {row['degree']} | {row['betweenness']:.3f} | {row['pagerank']:.3f} |"
                    for row in c["ranking"][:15]]
    if "chains" in r:
        out += ["", "## Shortest chains of events between actors", "",
                "The most active actors (most events) that no single event links, joined by the fewest events. "
                "A chain shows that reported events connect them through others, not that anything passed along it.", ""]
        for chain in r["chains"]:
            if chain.get("note"):
                out.append(f"- {_md(chain['note'])}")
                continue
            hops = "; ".join(f"{_md(s['from_label'])} —[{_md(s['event_label'])}]→ {_md(s['to_label'])}"
                             for s in chain["steps"])
            out.append(f"- {chain['length']} event(s): {hops}")
        if not r["chains"]:
            out.append("- every pair of the most active actors is linked by an event of its own, or by none.")
    if "communities" in r:
        out += ["", "## Coalitions in the agreement network"]
        c = r["communities"]
        out += _caveat(c)
        if c.get("too_small"):
            out += ["", f"Coalitions: *{TOO_SMALL}*."]
        else:
            out += ["", f"Method: {c['method']} on agreeing ties (weighted by net agreements); modularity {c['modularity']:.3f}.", ""]
            out += [f"- {', '.join(_md(m['label']) for m in g)}" for g in c["coalitions"]]
    if "agreements" in r:
        out += ["", "### Who agrees with whom, on what", ""]
        for row in r["agreements"]:
            out.append(f"- {_md(row['a_label'])} and {_md(row['b_label'])} ({_md(row['relation'])}, {_md(row['layer'])} layer):")
            for t in row["targets"]:
                out.append(f"  - {_md(t['label'])}: {_md(t['a_label'])} {_md(t['a_side'])} ({_quotes(t['a_quotes'])}); "
                           f"{_md(t['b_label'])} {_md(t['b_side'])} ({_quotes(t['b_quotes'])})")
        if not r["agreements"]:
            out.append("- no two actors take a side on the same target.")
    if "balance" in r:
        out += ["", "## Structural balance of the signed agreement network"]
        b = r["balance"]
        out += _caveat(b)
        if b.get("note") and not b.get("caveat"):
            out += ["", _md(b["note"]) + "."]
        elif b.get("too_small"):
            out += ["", f"Structural balance: *{TOO_SMALL}* ({b['triads']} signed triad(s))."]
        else:
            out += ["", f"{b['triads']} signed triads: {b['balanced']} balanced, {b['unbalanced']} unbalanced."]
            out += [f"- unbalanced: {', '.join(_md(x) for x in t['labels'])} (signs {t['signs']})"
                    for t in b["unbalanced_triads"]]
    if "contested" in r:
        out += ["", "## Contested targets and changes of stance"]
        out += _caveat(r.get("contested_caveat", {}))
        out += ["", "| target | kind | for | conditionally for | against |", "|---|---|---|---|---|"]
        for row in r["contested"]:
            if row["support"] + row["oppose"] > 1 or row["changes"]:
                out.append(f"| {'**' if row['contested'] else ''}{_md(row['label'])}{'**' if row['contested'] else ''} | "
                           f"{_md(row['kind'])} | {_md(', '.join(row['supports']))} | "
                           f"{_md(', '.join(row['conditionallySupports']))} | {_md(', '.join(row['opposes']))} |")
        moves = [c for row in r["contested"] for c in row["changes"]]
        out += [""] + [f"- {_md(c['holder_label'])} on {_md(c['target_label'])}: {_md(c['from'])} → {_md(c['to'])}"
                       for c in moves] if moves else ["", "No stance in the graph supersedes another."]
    if "trajectories" in r:
        out += ["", "## Cooperation–conflict trajectories", "",
                "Goldstein scores of the events between two sides summed per month (persons and bodies counted "
                "with the state they act for), for the pairs of sides with the most scored events. An event is "
                "placed in a month by its date, or by its bounds when they fall in one month (bounds combine the "
                "event's own dates, outside dates when that layer is read, and the before/after order the article "
                "gives); the layer of each date is given. Events whose bounds span several months are listed as "
                "undated, beside the plot. Months with no event are gaps, not zero."]
        if "trajectories" in images:
            out += ["", f"![trajectories]({images['trajectories']})"]
        for name, t in r["trajectories"].items():
            out += ["", f"### {_md(name)}"]
            out += _caveat(t)
            out.append("")
            for p in t["points"]:
                events = "; ".join(f"{_md(e['label'])} ({e['goldstein']:+g}; date: {_md(e.get('date_layer') or '?')}"
                                   f"{', ' + _md(e['date_source']) if e.get('date_source') else ''})" for e in p["events"])
                out.append(f"- {_md(p['month'])}: {p['goldstein']:+g} from {p['n']} event(s) — {events}")
            if t["undated"]:
                out.append("- undated: " + "; ".join(
                    f"{_md(e['label'])} ({e['goldstein']:+g}, {_md(e['earliest'] or '?')} … {_md(e['latest'] or '?')})"
                    for e in t["undated"]))
            if not t["points"] and not t["undated"]:
                out.append("- no events with a Goldstein score between them.")
    if "stance_matrix" in r:
        out += ["", "## Actor × issue stances"]
        m = r["stance_matrix"]
        out += _caveat(m)
        out += ["", f"![stance matrix]({images['stance_matrix']})" if "stance_matrix" in images
                else "No stance touches an issue in these layers."]
        if m.get("concerning_links"):
            out += ["", "Stances on proposals and provisions that concern an issue (no position on the issue itself):", ""]
            for link in m["concerning_links"]:
                out.append(f"- {_md(link['actor_label'])} — {_md(link['issue_label'])}: "
                           + "; ".join(_md(st["caption"]) for st in link["stances"]))
    return "\n".join(out) + "\n"
