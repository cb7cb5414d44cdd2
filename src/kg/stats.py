"""Counts of the built dataset: by class, by layer, grounding coverage."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from kg.namespaces import LAYERS, sparql_prologue

# The classes a user counts, in the order shown.
CLASSES = [
    "Person", "State", "GovernmentBody", "Organization", "Group", "Actor", "OfficeHolding", "Place",
    "Event", "CommunicativeAct", "Interaction", "MaterialAct", "Proposal", "Provision", "Concession",
    "Stance", "Claim", "Assessment", "Quotation", "Issue", "Mention", "Photo",
]


@dataclass
class Stats:
    triples_by_layer: dict[str, int]
    nodes_by_class: dict[str, int]
    grounded_quotes: int
    sentences: int
    sentences_grounding_a_fact: int

    @property
    def sentence_share(self) -> float:
        return self.sentences_grounding_a_fact / self.sentences if self.sentences else 0.0

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "sentence_share": round(self.sentence_share, 4)}, indent=2, sort_keys=True)


def _count(store, query: str) -> int:
    from kg.store import select

    rows = select(store, sparql_prologue() + query)
    return int(rows[0]["n"]) if rows else 0


def dataset_stats(out: Path) -> Stats:
    from kg.store import load_dataset

    store = load_dataset(out)
    layers = {name: _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
              for name, iri in LAYERS.items()}
    # classes are counted with the type closure of the inferred layer
    classes = {name: _count(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a pt:{name} }}") for name in CLASSES}
    return Stats(
        triples_by_layer=layers,
        nodes_by_class=classes,
        grounded_quotes=_count(store, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a pt:Evidence }"),
        sentences=_count(store, "SELECT (COUNT(?s) AS ?n) WHERE { ?s a pt:Sentence }"),
        sentences_grounding_a_fact=_count(store, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?e a pt:Evidence ; pt:inSentence ?s }"),
    )


def format_stats(stats: Stats) -> str:
    lines = ["Triples by layer:"]
    lines += [f"  {name:<12}{count:>8}" for name, count in stats.triples_by_layer.items()]
    lines.append("Nodes by class (with subclasses):")
    lines += [f"  {name:<18}{count:>6}" for name, count in stats.nodes_by_class.items()]
    lines.append(f"Grounded quotes: {stats.grounded_quotes}")
    lines.append(
        f"Sentences grounding at least one fact: {stats.sentences_grounding_a_fact} of {stats.sentences}"
        f" ({stats.sentence_share:.1%})"
    )
    return "\n".join(lines)
