"""Semi-naive rule rounds (kg.rules.semi_naive, kg.build.infer): the same layers as running every rule whole."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

import kg.build
from kg.build import compile_layers, infer
from kg.namespaces import GRAPH_EXTERNAL, GRAPH_INFERRED, PREFIXES
from kg.project import Project
from kg.rules import RDF_TYPE, semi_naive
from support.stores import RecordingStore

ROOT = Path(__file__).resolve().parents[1]
EX = "http://example.org/"
HEAD = f"PREFIX ex: <{EX}>\n"
DELTA = "<urn:x-test:delta>"


def layers(project: Project, monkeypatch: pytest.MonkeyPatch, *, semi: bool) -> dict[str, set[ox.Triple]]:
    """The inferred and external layers of the project's build, with the rules semi-naive or whole."""
    monkeypatch.setattr(kg.build, "infer", functools.partial(infer, semi_naive=semi))
    store = compile_layers(project).store
    monkeypatch.undo()
    return {str(name): {q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(str(name)))}
            for name in (GRAPH_INFERRED, GRAPH_EXTERNAL)}


def test_the_article_s_layers_are_the_same_semi_naive_or_whole(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    semi, whole = layers(project, monkeypatch, semi=True), layers(project, monkeypatch, semi=False)
    assert all(whole.values())
    assert semi == whole


def test_a_synthetic_corpus_s_layers_are_the_same_semi_naive_or_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("bench_sources", ROOT / "benchmarks" / "bench_sources.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    corpus = Project(bench.corpus(tmp_path / "corpus", 12))
    semi, whole = layers(corpus, monkeypatch, semi=True), layers(corpus, monkeypatch, semi=False)
    assert len(whole[str(GRAPH_INFERRED)]) > 1000
    assert semi == whole


# Rules that take several rounds, with negation, OPTIONAL and a variable predicate, so that later rounds
# mix semi-naive joins, whole re-runs and rules that lose solutions as triples are added.
RULES = {
    "chain": "CONSTRUCT { ?a ex:before ?c } WHERE { ?a ex:before ?b . ?b ex:before ?c }",  # one step a round
    "start": "CONSTRUCT { ?a ex:before ?b } WHERE { ?a ex:next ?b }",
    "first": "CONSTRUCT { ?a a ex:First } WHERE { ?a ex:before ?b FILTER NOT EXISTS { ?z ex:before ?a } }",
    "named": "CONSTRUCT { ?a ex:named ?l } WHERE { ?a a ex:First OPTIONAL { ?a ex:label ?l } }",
    "label": "CONSTRUCT { ?a ex:label 'first' } WHERE { ?a a ex:First }",
    "mark": "CONSTRUCT { ?s ex:uses ?p } WHERE { ?s ?p ?o FILTER(?p != ex:uses) }",
    "super": "CONSTRUCT { ?s ex:related ?o } WHERE { ?p ex:sub ?q . ?s ?p ?o }",
}


def run(tmp_path: Path, semi: bool) -> tuple[set[ox.Triple], list[str]]:
    folder = tmp_path / ("semi" if semi else "whole")
    folder.mkdir()
    for name, text in RULES.items():
        (folder / f"{name}.rq").write_text(f"# rule {name}\n{HEAD}{text}\n", encoding="utf-8")
    store = ox.Store()
    asserted = ox.NamedNode("urn:x-test:asserted")
    chain = [ox.NamedNode(f"{EX}n{i}") for i in range(6)]
    store.extend(ox.Quad(a, ox.NamedNode(EX + "next"), b, asserted) for a, b in zip(chain, chain[1:]))
    store.add(ox.Quad(ox.NamedNode(EX + "before"), ox.NamedNode(EX + "sub"), ox.NamedNode(EX + "related"), asserted))
    recording = RecordingStore(store)
    infer(recording, folder, URIRef("urn:x-test:inferred"), None, semi_naive=semi)  # type: ignore[arg-type]
    layer = {q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode("urn:x-test:inferred"))}
    assert set(store.named_graphs()) == {asserted, ox.NamedNode("urn:x-test:inferred")}
    return layer, recording.updates


def test_rules_over_many_rounds_derive_the_same_semi_naive_or_whole(tmp_path: Path) -> None:
    semi, updates = run(tmp_path, True)
    whole, _ = run(tmp_path, False)
    assert semi == whole
    before = ox.NamedNode(EX + "before")
    assert sum(1 for t in whole if t.predicate == before) == 15  # every pair of the chain of six, in order
    assert ox.Triple(ox.NamedNode(EX + "n0"), ox.NamedNode(RDF_TYPE), ox.NamedNode(EX + "First")) in whole
    # the first round runs every rule whole; later ones join "chain" and "mark" against what was added
    assert any(text.startswith("# rule chain") and "GRAPH <urn:x-test:inferred>" in text for text in updates)
    assert any(text.startswith("# rule mark") and "GRAPH <urn:x-kg:rules-delta>" in text for text in updates)


def cut(where: str, template: str = "?x ex:out ?y"):
    return semi_naive(HEAD + f"CONSTRUCT {{ {template} }} WHERE {{ {where} }}", PREFIXES)


def test_each_touched_triple_pattern_is_read_from_the_delta_in_turn() -> None:
    plan = cut("?x a ex:A ; ex:p ?y , ?z . FILTER NOT EXISTS { ?y ex:q ?x } BIND(1 AS ?one)")
    assert plan is not None and plan.template.strip() == "?x ex:out ?y"
    where = plan.delta_where({EX + "p"}, set(), DELTA)
    assert where is not None
    variants = where.split("\nUNION\n")
    assert len(variants) == 2  # the two objects of ex:p; the rdf:type pattern is not touched
    assert f"GRAPH {DELTA} {{ ?x ex:p ?y . }}" in variants[0] and f"GRAPH {DELTA} {{ ?x ex:p ?z . }}" in variants[1]
    assert all("FILTER NOT EXISTS { ?y ex:q ?x }" in v and "BIND(1 AS ?one)" in v for v in variants)
    # a type of another class, and a triple only the negation reads, touch no pattern: nothing new
    assert plan.delta_where({RDF_TYPE}, {EX + "B"}, DELTA) == ""
    assert plan.delta_where({EX + "q"}, set(), DELTA) == ""
    assert f"GRAPH {DELTA} {{ ?x a ex:A . }}" in (plan.delta_where({RDF_TYPE}, {EX + "A"}, DELTA) or "")


@pytest.mark.parametrize("where, added", [
    ("?x a ex:A OPTIONAL { ?x ex:p ?y }", EX + "p"),                 # an OPTIONAL gains solutions
    ("?x ex:p/ex:q ?y", EX + "q"),                                   # a path
    ("{ ?x ex:p ?y } UNION { ?y ex:p ?x }", EX + "p"),               # a nested group
    ("?x ex:r ?y FILTER NOT EXISTS { ?x ex:s ?z FILTER NOT EXISTS { ?z ex:p ?y } }", EX + "p"),  # double negation
    ("{ SELECT ?x (MIN(?v) AS ?y) WHERE { ?x ex:p ?v } GROUP BY ?x } ?x ex:r ?z", EX + "p"),  # an aggregate
    ("?x ex:r ?y FILTER NOT EXISTS { SELECT ?x WHERE { ?x ex:p ?v } GROUP BY ?x HAVING(COUNT(?v) < 2) }", EX + "p"),
])
def test_what_a_touched_element_of_another_kind_needs_is_the_whole_rule(where: str, added: str) -> None:
    plan = cut(where)
    assert plan is not None
    assert plan.delta_where({added}, set(), DELTA) is None


@pytest.mark.parametrize("text", [
    "CONSTRUCT { ?x ex:out [ ex:p ?y ] } WHERE { ?x ex:p ?y }",      # a new blank node each run
    "CONSTRUCT { ?x ex:out ?b } WHERE { ?x ex:p ?y BIND(BNODE() AS ?b) }",
    "CONSTRUCT { ?x ex:out ?y } WHERE { ?x ex:p [ ex:q ?y ] }",       # a blank node in the pattern
    "CONSTRUCT { ?x ex:out ?y } WHERE { ?x ex:p ?y } LIMIT 5",        # a solution modifier
    "CONSTRUCT { ?x ex:out ?y } WHERE { SELECT ?x ?y WHERE { ?x ex:p ?y } }",
    "CONSTRUCT { ?x ex:out ?y } WHERE { ?x ex:p ?y FILTER(EXISTS { ?y ex:q ?x }) }",
    "SELECT * WHERE { ?x ex:p ?y }",
])
def test_shapes_it_does_not_know_run_whole(text: str) -> None:
    assert semi_naive(HEAD + text, PREFIXES) is None


def test_the_shipped_closures_are_semi_naive() -> None:
    rules = ROOT / "ontology" / "rules"
    for name, added in (("type-closure.rq", RDF_TYPE), ("property-closure.rq", EX + "p"),
                        ("inverse-properties.rq", EX + "p")):
        plan = semi_naive((rules / name).read_text(encoding="utf-8"), PREFIXES)
        assert plan is not None, name
        where = plan.delta_where({added}, {EX + "A"}, DELTA)
        assert where is not None and where.count(f"GRAPH {DELTA}") == 1, name
