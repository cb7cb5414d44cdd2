"""Time each view and each measure on synthetic datasets of about 1k, 10k and 100k curated nodes.

    /work/venv/bin/python benchmarks/bench_analysis.py [1000 10000 100000]

The dataset mimics the article's shapes: a quarter actors, half events (agent →
recipient, a CAMEO code, a date in 2025, a quote and an evidence selector,
each event preceding the next, so the timeline's dating carries bounds along one long chain), an
eighth proposals (each concerning one of 20 issues) and an eighth
stances;
the real ontology and CAMEO list are the vocabulary. Random with a fixed seed.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kg.analysis import (balance, centrality, chain_pairs, communities, contested, date_events,  # noqa: E402
                         event_chain, merge_sides, stance_matrix, trajectories)
from kg.namespaces import GRAPH_ASSERTED, GRAPH_VOCABULARY  # noqa: E402
from kg.views import VIEWS, build_views  # noqa: E402

PT = "https://w3id.org/peace-talks-kg/ontology#"
ID = "https://w3id.org/peace-talks-kg/id/"
CAMEO = "https://w3id.org/peace-talks-kg/cameo/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TS = "http://semanticweb.cs.vu.nl/2009/11/sem/hasTimeStamp"
OA = "http://www.w3.org/ns/oa#"
CODES = ["040", "041", "046", "111", "112", "120", "195", "0871"]
EVENT_CLASSES = ["Meeting", "PhoneCall", "Criticism", "Accusation", "Rejection", "MilitaryStrike", "Agreement"]


def synthetic(n: int, seed: int = 1) -> ox.Store:
    rng = random.Random(seed)
    actors, events, proposals, stances = n // 4, n // 2, n // 8, n // 8
    lines: list[str] = []

    def t(s: str, p: str, o: str) -> None:
        lines.append(f"<{s}> <{p}> {o} .")

    for i in range(actors):
        t(f"{ID}a{i}", RDF_TYPE, f"<{PT}{'Person' if i % 3 else 'State'}>")
        t(f"{ID}a{i}", LABEL, f'"Actor {i}"@en')
    for i in range(proposals):
        t(f"{ID}p{i}", RDF_TYPE, f"<{PT}Proposal>")
        t(f"{ID}p{i}", LABEL, f'"Proposal {i}"@en')
        t(f"{ID}p{i}", PT + "concerns", f"<{ID}issue{i % 20}>")
    for i in range(20):
        t(f"{ID}issue{i}", RDF_TYPE, f"<{PT}Issue>")
    for i in range(events):
        e = f"{ID}e{i}"
        t(e, RDF_TYPE, f"<{PT}{rng.choice(EVENT_CLASSES)}>")
        t(e, LABEL, f'"Event {i}"@en')
        a, b = rng.sample(range(actors), 2)
        t(e, PT + "agent", f"<{ID}a{a}>")
        t(e, PT + "recipient", f"<{ID}a{b}>")
        t(e, PT + "cameoCode", f"<{CAMEO}{rng.choice(CODES)}>")
        t(e, TS, f'"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"^^<http://www.w3.org/2001/XMLSchema#date>')
        t(e, PT + "quote", f'"quote {i}"')
        t(e, PT + "evidence", f"<{e}/ev>")
        t(f"{e}/ev", RDF_TYPE, f"<{PT}Evidence>")
        t(f"{e}/ev", OA + "hasTarget", f"<{e}/ev/t>")
        t(f"{e}/ev/t", OA + "start", f'"{i}"^^<http://www.w3.org/2001/XMLSchema#integer>')
        t(f"{e}/ev/t", OA + "end", f'"{i + 7}"^^<http://www.w3.org/2001/XMLSchema#integer>')
        if i:
            t(f"{ID}e{i - 1}", PT + "precedes", f"<{e}>")
    for i in range(stances):
        s = f"{ID}s{i}"
        t(s, RDF_TYPE, f"<{PT}Stance>")
        t(s, LABEL, f'"Stance {i}"@en')
        t(s, PT + "holder", f"<{ID}a{rng.randrange(actors)}>")
        t(s, PT + "target", f"<{ID}p{rng.randrange(min(proposals, max(1, n // 100)))}>")
        t(s, PT + "polarity", f"<{PT}{rng.choice(['support', 'oppose', 'conditionalSupport'])}>")
    store = ox.Store()
    for name in ("peace-talks.ttl", "cameo.ttl"):
        store.load(path=str(ROOT / "ontology" / name), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode(str(GRAPH_VOCABULARY)))
    store.load("\n".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GRAPH_ASSERTED)))
    return store


def timed(label: str, action, rows: list[tuple[str, float]]):
    start = time.perf_counter()
    value = action()
    rows.append((label, time.perf_counter() - start))
    return value


def run(n: int) -> list[tuple[str, float]]:
    rows: list[tuple[str, float]] = []
    store = timed("generate + load", lambda: synthetic(n), rows)
    views = {}
    for name in VIEWS:
        views[name] = timed(f"view {name}", lambda name=name: build_views(store, [name], ["asserted"])[name], rows)
    timed("all views, one pass", lambda: build_views(store, VIEWS, ["asserted"]), rows)
    timed("centrality", lambda: centrality(views["interaction"]), rows)
    timed("communities (Louvain)", lambda: communities(views["agreement"]), rows)
    timed("balance", lambda: balance(views["agreement"]), rows)
    timed("contested", lambda: contested(views["stance"]), rows)
    dating = timed("dating", lambda: date_events(views["timeline"]), rows)
    timed("trajectories (3 pairs)", lambda: trajectories(views["interaction"], dating, {},
                                                         [("a0", "a1"), ("a0", "a2"), ("a1", "a2")]), rows)
    timed("trajectories (top 3 pairs from the data)", lambda: trajectories(views["interaction"], dating, {}), rows)
    timed("event chain", lambda: event_chain(views["interaction"], "a0", "a1"), rows)
    timed("chain pairs from the data", lambda: chain_pairs(views["interaction"]), rows)
    # every third actor is a State; the others act for state a(3k)
    sides = {f"{ID}a{i}": f"{ID}a{i - i % 3}" for i in range(n // 4) if i % 3}
    timed("merge actors into states", lambda: merge_sides(views["interaction"], sides, {}), rows)
    timed("stance matrix", lambda: stance_matrix(views["actor-issue"]), rows)
    sizes = {name: (v.number_of_nodes(), v.number_of_edges()) for name, v in views.items()}
    print(f"\n## {n} nodes; views (nodes, edges): {sizes}")
    return rows


def main(sizes: list[int]) -> None:
    results = {n: run(n) for n in sizes}
    labels = [label for label, _ in next(iter(results.values()))]
    print("\n| step | " + " | ".join(f"{n:,} nodes" for n in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for i, label in enumerate(labels):
        print(f"| {label} | " + " | ".join(f"{results[n][i][1]:.2f} s" for n in sizes) + " |")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000, 100000])
