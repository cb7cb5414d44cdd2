"""Network analysis of the views: brokers, coalitions, balance, contested targets, trajectories, paths.

Each measure takes a view (kg.views) and returns plain data; `analyze` runs
them all and `analyze_cli` writes OUT/analysis/ (report.md with PNG plots,
report.json, every view as GraphML and GEXF). Measures on an empty or
one-node network return a `note` saying why there is nothing to measure.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from kg.namespaces import PTR
from kg.problems import EXIT_OK, KgError

SEED = 42
# Exact betweenness costs O(n·m); above this many nodes it is estimated from
# SAMPLE_K pivot nodes chosen with SEED (networkx's Brandes sampling).
EXACT_BETWEENNESS_MAX = 2000
SAMPLE_K = 256
# The pairs the report follows month by month (state level, see actor_sides).
PAIRS = (("united-states", "russia"), ("united-states", "ukraine"), ("russia", "ukraine"))
CHAINS = (("zelenskyy", "putin"), ("trump", "lavrov"), ("rubio", "zelenskyy"))


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
               seed: int = SEED) -> dict[str, Any]:
    """Degree, betweenness and PageRank per actor, ranked by betweenness (the brokers first).

    Degree and betweenness are on the undirected simple graph (a broker links parties
    whatever the direction of their acts); PageRank follows the directed edges, weighted
    by how many there are.
    """
    if note := too_small(view, "centrality", 2):
        return {"note": note, "ranking": [], "broker": None, "sampled": False}
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
    broker = rows[0] if rows[0]["betweenness"] > 0 else None
    return {"ranking": rows, "broker": broker and broker["node"], "sampled": sampled,
            "method": f"betweenness {'sampled, k=' + str(min(k, n)) + ', seed=' + str(seed) if sampled else 'exact'}"}


# ---------------------------------------------------------------- communities

def communities(agreement: nx.Graph, seed: int = SEED, method: str = "louvain") -> dict[str, Any]:
    """Coalitions: communities of the positive (agreeing) part of the agreement network.

    Negative ties separate rather than join, so they are left out; actors with no
    agreeing partner form groups of one. Louvain runs with a fixed seed.
    """
    if note := too_small(agreement, "community detection", 2):
        return {"note": note, "coalitions": []}
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
    return {"method": f"{method} (seed {seed})" if method == "louvain" else method,
            "modularity": round(modularity, 6),
            "coalitions": [[{"node": n, "label": _label(agreement, n)} for n in g] for g in ordered]}


# ---------------------------------------------------------------- balance

def signed_pairs(view: nx.Graph) -> dict[tuple[str, str], int]:
    """Net sign per unordered pair: +1, -1, or absent when the signs cancel or are 0."""
    total: dict[tuple[str, str], float] = defaultdict(float)
    for a, b, d in view.edges(data=True):
        if a != b and d.get("sign"):
            total[tuple(sorted((a, b)))] += d["sign"]
    return {pair: (1 if s > 0 else -1) for pair, s in total.items() if s}


def balance(view: nx.Graph) -> dict[str, Any]:
    """Structural balance: every triangle of signed ties is balanced when the product of its signs is +.

    (+,+,+) friends; (+,-,-) two friends share an enemy: balanced. (+,+,-) and (-,-,-): unbalanced.
    """
    if note := too_small(view, "structural balance", 3):
        return {"note": note, "triads": 0, "balanced": 0, "unbalanced": 0, "unbalanced_triads": []}
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
    return {"triads": total, "balanced": balanced, "unbalanced": len(unbalanced),
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
        date = timeline.nodes[n].get("date", "") or (low[n] if low[n] and low[n] == high[n] else "")
        if date:
            out[n] = Dating(date[:7], date, date, "date")
        elif low[n] and high[n] and low[n][:7] == high[n][:7]:
            out[n] = Dating(low[n][:7], low[n], high[n], "bounds")
        else:
            out[n] = Dating("", low[n], high[n], "undated")
    return out


def trajectories(interaction: nx.Graph, dating: dict[str, Dating], sides: dict[str, str],
                 pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Goldstein scores summed per month for each pair of sides, with the events behind each point.

    Each event counts once per pair (Trump and Vance scolding Zelenskyy is one US–Ukraine event).
    Events with no score are left out; undated events are listed apart, not plotted.
    """
    per_pair: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for a, b, d in interaction.edges(data=True):
        sa, sb = sides.get(a, a), sides.get(b, b)
        if sa == sb or d.get("goldstein") is None or not d.get("event"):
            continue
        pair = tuple(sorted((sa, sb)))
        per_pair[pair].setdefault(d["event"], {"event": d["event"], "label": d["label"], "goldstein": d["goldstein"],
                                               "cameo": d["cameo"]})
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
            point["events"].append({**info, "dated_by": when.how})
        points = [months[m] for m in sorted(months)]
        for p in points:
            p["sign"] = (p["goldstein"] > 0) - (p["goldstein"] < 0)
        name = f"{_label(interaction, x)}–{_label(interaction, y)}"
        result[name] = {"pair": [x, y], "points": points, "undated": undated}
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


# ---------------------------------------------------------------- stance matrix

def stance_matrix(actor_issue: nx.Graph) -> dict[str, Any]:
    """Actor × issue: net sign of each actor's stances touching the issue (+ for, - against)."""
    cells: dict[tuple[str, str], int] = defaultdict(int)
    for a, i, d in actor_issue.edges(data=True):
        cells[(a, i)] += d.get("sign", 0)
    actors = sorted({a for a, _ in cells}, key=lambda n: _label(actor_issue, n))
    issues = sorted({i for _, i in cells}, key=lambda n: _label(actor_issue, n))
    return {"actors": actors, "issues": issues,
            "actor_labels": [_label(actor_issue, a) for a in actors],
            "issue_labels": [_label(actor_issue, i) for i in issues],
            "values": [[cells.get((a, i), 0) for i in issues] for a in actors]}


# ---------------------------------------------------------------- everything

@dataclass
class Analysis:
    layers: list[str]
    sizes: dict[str, list[int]] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"layers": self.layers, "views": self.sizes, **self.results},
                          ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def analyze(store, views: dict[str, nx.Graph], layers: Sequence[str]) -> Analysis:
    """Run every measure whose view is among `views`."""
    result = Analysis(list(layers), {n: [v.number_of_nodes(), v.number_of_edges()] for n, v in views.items()})
    r = result.results
    if "interaction" in views:
        r["centrality"] = centrality(views["interaction"])
        r["chains"] = [event_chain(views["interaction"], a, b) for a, b in CHAINS]
        if "timeline" in views:
            dating = date_events(views["timeline"])
            r["trajectories"] = trajectories(views["interaction"], dating, actor_sides(store, layers), PAIRS)
    if "agreement" in views:
        r["communities"] = communities(views["agreement"])
        r["balance"] = balance(views["agreement"])
    if "stance" in views:
        r["contested"] = contested(views["stance"], stance_changes(store, layers))
    if "actor-issue" in views:
        r["stance_matrix"] = stance_matrix(views["actor-issue"])
    return result


def _parse_list(text: str, allowed: Sequence[str], option: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    if names == ["all"]:
        return list(allowed)
    bad = [n for n in names if n not in allowed]
    if bad or not names:
        raise KgError(f"{option}: unknown {', '.join(bad) or '(none given)'}; choose from {', '.join(allowed)}")
    return names


def analyze_cli(args: argparse.Namespace) -> int:
    """`kg analyze`: views, measures, report and Gephi files into OUT/analysis/."""
    from kg.namespaces import LAYERS
    from kg.store import load_dataset
    from kg.views import VIEWS, build_views

    names = _parse_list(args.views, VIEWS, "--views")
    layers = _parse_list(args.layers, list(LAYERS), "--layers")
    # Trajectories need dates from the timeline and coalitions the agreement view: build helpers quietly.
    needed = list(dict.fromkeys(names + (["timeline"] if "interaction" in names else [])))
    store = load_dataset(Path(args.out))
    views = build_views(store, needed, layers)
    result = analyze(store, views, layers)
    folder = Path(args.out) / "analysis"
    write_report(folder, result, {n: views[n] for n in names})
    print(summary(result, folder))
    return EXIT_OK


def summary(result: Analysis, folder: Path) -> str:
    """The main findings in a few lines for the terminal."""
    r = result.results
    lines = [f"analysis of layers {', '.join(result.layers)} written to {folder}/report.md"]
    for name, (n, m) in result.sizes.items():
        lines.append(f"  view {name}: {n} nodes, {m} edges")
    if "centrality" in r:
        c = r["centrality"]
        if c.get("note"):
            lines.append(f"broker: {c['note']}")
        elif c["broker"]:
            top = c["ranking"][0]
            lines.append(f"broker (highest betweenness): {top['label']} ({top['betweenness']:.3f})")
    if "communities" in r:
        c = r["communities"]
        groups = ["{" + ", ".join(m["label"] for m in g) + "}" for g in c["coalitions"] if len(g) > 1]
        lines.append(f"coalitions: {c['note']}" if c.get("note") else f"coalitions: {'; '.join(groups) or 'none'}")
    if "balance" in r:
        b = r["balance"]
        lines.append(f"balance: {b['note']}" if b.get("note") else
                     f"balance: {b['balanced']} balanced, {b['unbalanced']} unbalanced of {b['triads']} signed triads")
    if "contested" in r:
        hot = [row["label"] for row in r["contested"] if row["contested"]]
        lines.append(f"contested: {', '.join(hot) or 'none'}")
        moves = [f"{c['holder_label']} on {c['target_label']}: {c['from']} → {c['to']}"
                 for row in r["contested"] for c in row["changes"]]
        if moves:
            lines.append("changed stance: " + "; ".join(moves))
    for name, t in r.get("trajectories", {}).items():
        signs = " ".join(f"{p['month']}:{p['goldstein']:+g}" for p in t["points"]) or "no dated events"
        lines.append(f"trajectory {name}: {signs}" + (f" ({len(t['undated'])} undated)" if t["undated"] else ""))
    return "\n".join(lines)


# ---------------------------------------------------------------- report

_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MD_SPECIAL = set("\\`*_[]()!#|")


def _md(text: object) -> str:
    """Data text as plain text in a Markdown table cell or line: HTML characters become entities,
    Markdown punctuation (links, images, emphasis, code, headings, cell pipes) is backslash-escaped,
    line breaks become spaces."""
    return "".join(_MD_ENTITIES.get(ch) or ("\\" + ch if ch in _MD_SPECIAL else " " if ch in "\r\n" else ch)
                   for ch in str(text))


def write_report(folder: Path, result: Analysis, views: dict[str, nx.Graph]) -> None:
    """report.md (with PNG plots), report.json and views/<name>.graphml|.gexf into `folder`."""
    from kg.plots import plot_stance_matrix, plot_trajectories
    from kg.serialize import write_atomically
    from kg.views import write_gexf, write_graphml

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


def markdown(result: Analysis, images: dict[str, str]) -> str:
    r = result.results
    out = ["# Network analysis", "",
           f"Layers read: {', '.join(result.layers)}. Views are exported for Gephi in `views/` (GraphML and GEXF; "
           "list attributes are JSON strings prefixed `json:`).", "",
           "| view | nodes | edges |", "|---|---:|---:|"]
    out += [f"| {name} | {n} | {m} |" for name, (n, m) in result.sizes.items()]
    if "centrality" in r:
        out += ["", "## Who brokers? Centrality in the interaction network", ""]
        c = r["centrality"]
        if c.get("note"):
            out.append(_md(c["note"]) + ".")
        else:
            out += [f"Betweenness: {c['method']}; degree and betweenness on the undirected network of actors "
                    "linked by events, PageRank along the direction of the acts.", "",
                    "| actor | degree | betweenness | PageRank |", "|---|---:|---:|---:|"]
            out += [f"| {_md(row['label'])} | {row['degree']} | {row['betweenness']:.3f} | {row['pagerank']:.3f} |"
                    for row in c["ranking"][:15]]
    if "chains" in r:
        out += ["", "## Shortest chains of events between actors", ""]
        for chain in r["chains"]:
            if chain.get("note"):
                out.append(f"- {_md(chain['note'])}")
                continue
            hops = "; ".join(f"{_md(s['from_label'])} —[{_md(s['event_label'])}]→ {_md(s['to_label'])}"
                             for s in chain["steps"])
            out.append(f"- {chain['length']} event(s): {hops}")
    if "communities" in r:
        out += ["", "## Coalitions in the agreement network", ""]
        c = r["communities"]
        if c.get("note"):
            out.append(_md(c["note"]) + ".")
        else:
            out.append(f"Method: {c['method']} on agreeing ties (weighted by net agreements); modularity {c['modularity']:.3f}.")
            out.append("")
            out += [f"- {', '.join(_md(m['label']) for m in g)}" for g in c["coalitions"]]
    if "balance" in r:
        out += ["", "## Structural balance of the signed agreement network", ""]
        b = r["balance"]
        if b.get("note"):
            out.append(_md(b["note"]) + ".")
        else:
            out.append(f"{b['triads']} signed triads: {b['balanced']} balanced, {b['unbalanced']} unbalanced.")
            out += [f"- unbalanced: {', '.join(_md(x) for x in t['labels'])} (signs {t['signs']})"
                    for t in b["unbalanced_triads"]]
    if "contested" in r:
        out += ["", "## Contested targets and changes of stance", "",
                "| target | kind | for | conditionally for | against |", "|---|---|---|---|---|"]
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
                "with the state they act for). An event is placed in a month by its date, or by its bounds when "
                "they fall in one month (bounds are tightened along the before/after order the article gives); "
                "events whose bounds span several months are listed as undated and not plotted."]
        if "trajectories" in images:
            out += ["", f"![trajectories]({images['trajectories']})"]
        for name, t in r["trajectories"].items():
            out += ["", f"### {_md(name)}", ""]
            for p in t["points"]:
                events = "; ".join(f"{_md(e['label'])} ({e['goldstein']:+g})" for e in p["events"])
                out.append(f"- {_md(p['month'])}: {p['goldstein']:+g} — {events}")
            if t["undated"]:
                out.append("- undated: " + "; ".join(
                    f"{_md(e['label'])} ({e['goldstein']:+g}, {_md(e['earliest'] or '?')} … {_md(e['latest'] or '?')})"
                    for e in t["undated"]))
            if not t["points"] and not t["undated"]:
                out.append("- no events with a Goldstein score between them.")
    if "stance_matrix" in r:
        out += ["", "## Actor × issue stances", ""]
        out.append(f"![stance matrix]({images['stance_matrix']})" if "stance_matrix" in images
                   else "No stance touches an issue in these layers.")
    return "\n".join(out) + "\n"
