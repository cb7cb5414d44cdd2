"""Counts of the built dataset: by class, by graph, grounding coverage of each source."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from kg.buildfolder import GRAPHS, BuildFolder
from kg.namespaces import sparql_prologue

# The classes a user counts, in the order shown.
CLASSES = [
    "Person", "State", "GovernmentBody", "Organization", "Group", "Actor", "OfficeHolding", "Place",
    "Event", "CommunicativeAct", "Interaction", "MaterialAct", "Proposal", "Provision", "Concession",
    "Stance", "Claim", "Assessment", "Quotation", "Issue", "Mention", "Photo",
]


@dataclass
class SourceStats:
    """How much of one source the graph uses."""

    slug: str
    title: str
    grounded_quotes: int
    sentences: int
    sentences_grounding_a_fact: int

    @property
    def sentence_share(self) -> float:
        return self.sentences_grounding_a_fact / self.sentences if self.sentences else 0.0


@dataclass
class Stats:
    triples_by_layer: dict[str, int]
    nodes_by_class: dict[str, int]
    sources: list[SourceStats]

    @property
    def grounded_quotes(self) -> int:
        return sum(s.grounded_quotes for s in self.sources)

    def to_json(self) -> str:
        data = {
            "triples_by_layer": self.triples_by_layer,
            "nodes_by_class": self.nodes_by_class,
            "grounded_quotes": self.grounded_quotes,
            "sources": [{**asdict(s), "sentence_share": round(s.sentence_share, 4)} for s in self.sources],
        }
        return json.dumps(data, indent=2, sort_keys=True)


def _count(store, query: str) -> int:
    from kg.store import select

    rows = select(store, sparql_prologue() + query)
    return int(rows[0]["n"]) if rows else 0


_PER_SOURCE = """
SELECT ?source ?slug ?title
       (SUM(?quote) AS ?quotes) (COUNT(DISTINCT ?sentence) AS ?sentences) (SUM(?grounds) AS ?grounding)
WHERE {
  ?source a pt:Source ; pt:slug ?slug ; schema:headline ?title .
  { ?evidence a pt:Evidence ; pt:fromSource ?source . BIND(1 AS ?quote) BIND(0 AS ?grounds) }
  UNION
  { ?sentence a pt:Sentence ; pt:fromSource ?source . BIND(0 AS ?quote)
    BIND(IF(EXISTS { ?e a pt:Evidence ; pt:inSentence ?sentence }, 1, 0) AS ?grounds) }
}
GROUP BY ?source ?slug ?title ORDER BY ?slug
"""


def dataset_stats(out: Path) -> Stats:
    from kg.store import select

    store = BuildFolder(out).load_store()
    graphs = {name: _count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
              for name, iri in GRAPHS.items()}
    # classes are counted with the type closure of the inferred layer
    classes = {name: _count(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a pt:{name} }}") for name in CLASSES}
    sources = [SourceStats(str(row["slug"]), str(row["title"]), int(row["quotes"]), int(row["sentences"]),
                           int(row["grounding"]))
               for row in select(store, sparql_prologue() + _PER_SOURCE)]
    return Stats(triples_by_layer=graphs, nodes_by_class=classes, sources=sources)


def format_stats(stats: Stats) -> str:
    from kg.terminal import safe as terminal_safe

    lines = ["Triples by graph:"]
    lines += [f"  {name:<12}{count:>8}" for name, count in stats.triples_by_layer.items()]
    lines.append("Nodes by class (with subclasses):")
    lines += [f"  {name:<18}{count:>6}" for name, count in stats.nodes_by_class.items()]
    lines.append(f"Grounded quotes: {stats.grounded_quotes}")
    lines.append("Sources (grounded quotes; sentences grounding at least one fact):")
    for s in stats.sources:
        lines.append(f"  {terminal_safe(s.slug)}: {s.grounded_quotes} quotes; {s.sentences_grounding_a_fact} of "
                     f"{s.sentences} sentences ({s.sentence_share:.1%})")
        lines.append(f"    {terminal_safe(s.title)}")
    return "\n".join(lines)
