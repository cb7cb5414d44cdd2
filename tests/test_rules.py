"""What each rule reads (kg.rules), and that the rules' later rounds re-run only the rules it touches."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from kg.build import infer
from kg.namespaces import PREFIXES
from kg.rules import RDF_TYPE, Reads, rule_reads
from support.stores import RecordingStore

ROOT = Path(__file__).resolve().parents[1]
RULES = sorted((ROOT / "ontology" / "rules").rglob("*.rq"))
EX = "http://example.org/"
HEAD = f"PREFIX ex: <{EX}>\n"


def rdflib_reading(text: str) -> tuple[set[str], set[str] | None, bool]:
    """(predicates, rdf:type classes or None for any, whether it gives up) from rdflib's SPARQL algebra:
    a second, independent reading of the same text to check kg.rules against."""
    predicates: set[str] = set()
    classes: set[str] | None = set()
    gives_up = False

    def path(p: object) -> None:
        nonlocal classes, gives_up
        if isinstance(p, URIRef):
            predicates.add(str(p))
            if p == RDF.type:
                classes = None
        elif isinstance(p, (SequencePath, AlternativePath)):
            for part in p.args:
                path(part)
        elif isinstance(p, InvPath):
            path(p.arg)
        elif isinstance(p, MulPath):
            gives_up = gives_up or p.mod != "+"
            path(p.path)
        elif isinstance(p, (NegatedPath, Variable)):
            gives_up = True
        else:
            raise AssertionError(f"unexpected predicate {p!r}")

    def walk(node: object) -> None:
        nonlocal classes
        if isinstance(node, CompValue):
            if node.name in ("BGP", "TriplesBlock"):  # a TriplesBlock's triples are flat lists: s p o s p o ...
                flat = [term for block in node["triples"] for term in block]
                for p, o in zip(flat[1::3], flat[2::3], strict=True):
                    if p == RDF.type and isinstance(o, URIRef):
                        predicates.add(RDF_TYPE)
                        if classes is not None:
                            classes.add(str(o))
                    else:
                        path(p)
            for key, value in node.items():
                if key != "triples":
                    walk(value)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    algebra = prepareQuery(text, initNs=PREFIXES).algebra
    walk({key: value for key, value in algebra.items() if key != "template"})
    return predicates, classes, gives_up


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_each_rule_reads_at_least_what_rdflib_finds_in_it(rule: Path) -> None:
    text = rule.read_text(encoding="utf-8")
    predicates, classes, gives_up = rdflib_reading(text)
    found = rule_reads(text, PREFIXES)
    if gives_up:
        assert found is None
        return
    assert found is not None, "a rule rdflib reads fully should not be re-run every round"
    assert found.predicates >= predicates
    if classes is None:
        assert found.classes is None
    elif found.classes is not None:
        assert found.classes >= classes


def test_the_shipped_rules_that_always_re_run_are_those_with_a_variable_predicate() -> None:
    always = {rule.name for rule in RULES if rule_reads(rule.read_text(encoding="utf-8"), PREFIXES) is None}
    assert always == {"inverse-properties.rq", "property-closure.rq"}


def test_a_reading_names_predicates_and_classes() -> None:
    found = rule_reads(HEAD + "CONSTRUCT { ?x ex:out ?y } WHERE { ?x a ex:A , ex:B ; ex:p/^ex:q+ ?y "
                       "FILTER NOT EXISTS { ?y ex:r|ex:s [ ex:t ?z ] } OPTIONAL { ?x ex:u 'v'@en } }", PREFIXES)
    assert found == Reads(frozenset({RDF_TYPE, *(EX + p for p in "pqrstu")}), frozenset({EX + "A", EX + "B"}))
    assert rule_reads(HEAD + "CONSTRUCT { ?x a ex:B } WHERE { ?x a ?class }", PREFIXES) == Reads(
        frozenset({RDF_TYPE}), None)


@pytest.mark.parametrize("where", [
    "?x ?p ?y",                      # a variable predicate
    "?x !ex:p ?y",                   # a negated property set
    "?x ex:p* ?y",                   # zero or more: every node matches itself
    "?x ex:p? ?y",
    "?x ex:p (1 2)",                 # a collection reads rdf:first and rdf:rest
    "GRAPH ?g { ?x ex:p ?y }",
    "SERVICE <http://example.org/sparql> { ?x ex:p ?y }",
    "?x ex:p ?y BIND(BNODE() AS ?b)",  # a new value each run
    "?x nope:p ?y",                  # an unknown prefix
    "?x ex:p ?y ~",                  # text it does not know
])
def test_a_rule_whose_reading_cannot_be_told_is_re_run_every_round(where: str) -> None:
    assert rule_reads(HEAD + f"CONSTRUCT {{ ?x ex:out ?y }} WHERE {{ {where} }}", PREFIXES) is None


@pytest.mark.parametrize("text", [
    "CONSTRUCT { ?x ex:out [ ex:p ?y ] } WHERE { ?x ex:p ?y }",  # a blank node in the template
    "CONSTRUCT { ?x ex:out ?y } FROM <http://example.org/g> WHERE { ?x ex:p ?y }",
    "CONSTRUCT WHERE { ?x ex:p ?y }",
    "SELECT * WHERE { ?x ex:p ?y }",
])
def test_other_forms_are_re_run_every_round(text: str) -> None:
    assert rule_reads(HEAD + text, PREFIXES) is None


def test_touched_by_tells_rdf_type_by_class() -> None:
    reads = Reads(frozenset({RDF_TYPE, EX + "p"}), frozenset({EX + "A"}))
    assert reads.touched_by({EX + "p"}, set())
    assert reads.touched_by({RDF_TYPE}, {EX + "A"})
    assert not reads.touched_by({RDF_TYPE}, {EX + "B"})
    assert not reads.touched_by({EX + "q"}, set())
    assert Reads(frozenset({RDF_TYPE}), None).touched_by({RDF_TYPE}, {EX + "B"})
    assert not Reads(frozenset({EX + "p"}), frozenset()).touched_by({RDF_TYPE}, {EX + "B"})


def test_later_rounds_re_run_only_the_rules_what_was_added_touches(tmp_path: Path, project) -> None:
    rules = {
        "a": "CONSTRUCT { ?x a ex:B } WHERE { ?x a ex:A }",
        "b": "CONSTRUCT { ?x ex:p ?x } WHERE { ?x a ex:B }",
        "c": "CONSTRUCT { ?x a ex:C } WHERE { ?x ex:p ?y }",
        "d": "CONSTRUCT { ?x ex:never ?x } WHERE { ?x a ex:Z }",
        "e": "CONSTRUCT { ?x ex:seen ?p } WHERE { ?x ?p ex:A }",  # a variable predicate: every round
    }
    for name, text in rules.items():
        (tmp_path / f"{name}.rq").write_text(f"# rule {name}\n{HEAD}{text}\n", encoding="utf-8")
    store = ox.Store()
    n, asserted = ox.NamedNode(EX + "n"), ox.NamedNode("urn:x-test:asserted")
    store.add(ox.Quad(n, ox.NamedNode(RDF_TYPE), ox.NamedNode(EX + "A"), asserted))
    recording = RecordingStore(store)
    infer(recording, tmp_path, URIRef("urn:x-test:inferred"), project)  # type: ignore[arg-type]
    layer = [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode("urn:x-test:inferred"))]
    # round 1 adds n a B and n seen rdf:type; round 2 (b, e) n p n; round 3 (c, e) n a C; round 4 (e) nothing
    assert recording.ran == ["a", "b", "c", "d", "e", "b", "e", "c", "e", "e"]
    assert sorted((t.predicate.value, t.object.value) for t in layer) == sorted([
        (RDF_TYPE, EX + "B"), (RDF_TYPE, EX + "C"), (EX + "p", EX + "n"), (EX + "seen", RDF_TYPE)])
    assert set(store.named_graphs()) == {asserted, ox.NamedNode("urn:x-test:inferred")}  # no scratch left
