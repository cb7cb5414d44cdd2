"""The build: bad input fails with its exact message and writes nothing; good input builds deterministically."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.build import build, compile_layers
from kg.buildfolder import DATASET_TRIG, DATASET_TTL
from kg.cli import main
from kg.problems import KgError, ValidationFailed
from kg.project import Project

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_project(root: Path, tmp_path: Path, graph_file: Path) -> Project:
    """A copy of the project whose graph/ holds only `graph_file` (and no outside knowledge)."""
    for folder in ("ontology", "sources"):
        shutil.copytree(root / folder, tmp_path / folder)
    shutil.copytree(root / "queries" / "checks", tmp_path / "queries" / "checks")
    (tmp_path / "graph" / "npr-2025-trump-ukraine-peace").mkdir(parents=True)
    shutil.copy(graph_file, tmp_path / "graph" / "npr-2025-trump-ukraine-peace" / graph_file.name)
    return Project(tmp_path)


def problems_of(project: Project) -> list[str]:
    with pytest.raises(ValidationFailed) as failure:
        compile_layers(project)
    return [str(p) for p in failure.value.problems]


def test_minimal_fixture_is_valid(project, tmp_path):
    layers = compile_layers(fixture_project(project.root, tmp_path, FIXTURES / "valid" / "minimal.ttl"))
    assert len(layers.asserted) > 0


def test_quote_not_in_article_shows_closest_passage(project, tmp_path):
    bad = fixture_project(project.root, tmp_path, FIXTURES / "invalid" / "quote-not-in-article.ttl")
    assert problems_of(bad) == [
        'graph/npr-2025-trump-ukraine-peace/quote-not-in-article.ttl:21: ptr:putin: quote not in source npr-2025-trump-ukraine-peace: '
        '"Putin rejected a broader truce, he did agree"; '
        'closest passage: "Putin rejected a broader truce, he didagreet"'
    ]


def test_quote_found_more_than_once_must_be_lengthened(project, tmp_path):
    bad = fixture_project(project.root, tmp_path, FIXTURES / "invalid" / "quote-found-more-than-once.ttl")
    assert problems_of(bad) == [
        'graph/npr-2025-trump-ukraine-peace/quote-found-more-than-once.ttl:21: ptr:putin: quote found 3 times in source npr-2025-trump-ukraine-peace (lines 4, 14, 26); '
        'lengthen it: "Vladimir Putin"'
    ]


def test_unknown_ontology_term_is_refused(project, tmp_path):
    bad = fixture_project(project.root, tmp_path, FIXTURES / "invalid" / "unknown-ontology-term.ttl")
    assert problems_of(bad) == [
        "graph/npr-2025-trump-ukraine-peace/unknown-ontology-term.ttl:21: ptr:putin: unknown term pt:Persn: the ontology does not define it"
    ]


def test_selector_offsets_that_do_not_match(project, tmp_path):
    bad = fixture_project(project.root, tmp_path, FIXTURES / "invalid" / "selector-offsets-do-not-match.ttl")
    assert problems_of(bad) == [
        'graph/npr-2025-trump-ukraine-peace/selector-offsets-do-not-match.ttl:21: ptr:mention-kyiv-1: selector offsets 1700-1704 give "tary", '
        'not "Kyiv"; it occurs at 1744, 2165, 3829, 5421, 5878, 7557'
    ]


def test_shacl_violation_names_node_and_reason(project, tmp_path):
    bad = fixture_project(project.root, tmp_path, FIXTURES / "invalid" / "shacl-violation.ttl")
    assert problems_of(bad) == [
        "graph/npr-2025-trump-ukraine-peace/shacl-violation.ttl:21: ptr:event-trump-zelenskyy-call: SHACL: needs exactly one pt:cameoCode "
        "from ontology/cameo.ttl (path pt:cameoCode)"
    ]


def test_invalid_dates_are_reported(project, tmp_path):
    bad = fixture_project(project.root, tmp_path, FIXTURES / "invalid" / "invalid-date.ttl")
    assert problems_of(bad) == [
        'graph/npr-2025-trump-ukraine-peace/invalid-date.ttl:21: ptr:event-oval-office-meeting: pt:statedDate "--02-30" is not a valid xsd:gMonthDay (--MM-DD)',
        'graph/npr-2025-trump-ukraine-peace/invalid-date.ttl:21: ptr:event-oval-office-meeting: sem:hasTimeStamp "2025-02-30" is not a valid xsd:date',
    ]


def test_malformed_turtle_names_file_and_line(project, tmp_path):
    bad = fixture_project(project.root, tmp_path, FIXTURES / "invalid" / "malformed-turtle.ttl")
    with pytest.raises(KgError) as error:
        compile_layers(bad)
    assert str(error.value) == (
        "graph/npr-2025-trump-ukraine-peace/malformed-turtle.ttl:23: malformed Turtle: expected '.' or '}' or ']' at end of statement, "
        'near "pt:quote "Russian President Vladimir Putin to the table" ."'
    )


def test_missing_source_file(project, tmp_path):
    bad = fixture_project(project.root, tmp_path, FIXTURES / "valid" / "minimal.ttl")
    text = tmp_path / "sources" / "npr-2025-trump-ukraine-peace" / "npr-2025-trump-ukraine-peace.txt"
    text.unlink()
    with pytest.raises(KgError) as error:
        compile_layers(bad)
    assert str(error.value) == f"{text}: missing source text"


def test_cli_exit_codes_and_no_partial_output(project, tmp_path, monkeypatch, capsys):
    """A failed build exits 1 (violations) or 2 (input error) and leaves the previous output intact."""
    good = fixture_project(project.root, tmp_path / "p", FIXTURES / "valid" / "minimal.ttl")
    out = tmp_path / "out"
    monkeypatch.setenv("KG_ROOT", str(good.root))
    assert main(["build", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    shutil.copy(FIXTURES / "invalid" / "quote-not-in-article.ttl", good.graph_dir / "npr-2025-trump-ukraine-peace" / "bad.ttl")
    assert main(["build", "--out", str(out)]) == 1
    assert "quote not in source npr-2025-trump-ukraine-peace" in capsys.readouterr().err
    (good.graph_dir / "npr-2025-trump-ukraine-peace" / "bad.ttl").unlink()

    shutil.copy(FIXTURES / "invalid" / "malformed-turtle.ttl", good.graph_dir / "npr-2025-trump-ukraine-peace" / "bad.ttl")
    assert main(["validate", "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith("error: graph/npr-2025-trump-ukraine-peace/bad.ttl:23: malformed Turtle:")

    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_two_builds_are_byte_identical(project, built, tmp_path):
    second = tmp_path / "second"
    build(project, second)
    for name in (DATASET_TRIG, DATASET_TTL, "void.ttl", "docs/ontology.html"):
        assert (second / name).read_bytes() == (built / name).read_bytes(), name


def test_built_trig_parses_back_to_the_same_graphs(built):
    from rdflib import Dataset, Graph
    from rdflib.compare import isomorphic

    dataset = Dataset()
    dataset.parse(built / DATASET_TRIG, format="trig")
    union = Graph()
    union.parse(built / DATASET_TTL, format="turtle")
    merged = Graph()
    for graph in dataset.graphs():
        merged += graph
    assert isomorphic(merged, union)


def test_the_default_build_folder_is_the_projects_wherever_kg_runs(project, tmp_path, monkeypatch, capsys):
    """`kg build` run from queries/ writes the project's build/, and `kg stats` there finds it."""
    copy = fixture_project(project.root, tmp_path / "p", FIXTURES / "valid" / "minimal.ttl")
    monkeypatch.delenv("KG_ROOT", raising=False)
    monkeypatch.chdir(copy.root / "queries")
    assert main(["build"]) == 0
    assert (copy.root / "build" / DATASET_TRIG).is_file()
    assert not (copy.root / "queries" / "build").exists()
    assert main(["stats"]) == 0
    assert "Grounded quotes:" in capsys.readouterr().out


@pytest.mark.parametrize("fixture, conforms", [("valid/minimal.ttl", True), ("invalid/shacl-violation.ttl", False)])
def test_rudof_and_pyshacl_agree_on_conformance(project, tmp_path, fixture, conforms):
    """The build trusts rudof's 'conforms' (and asks pySHACL for the messages only when it does not):
    both engines must give the same verdict on the same data."""
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.build import load_curated, load_vocabulary, union_triples
    from kg.sources import catalogue_triples, load_sources
    from kg.store import rdflib_graph
    from kg.validate import conforms_by_rudof, properties_read, pyshacl_problems

    fixed = fixture_project(project.root, tmp_path, FIXTURES / fixture)
    sources = load_sources(fixed)
    data = load_vocabulary(fixed) + catalogue_triples(sources) + union_triples(load_curated(fixed, sources)[0])
    shapes = Graph().parse(fixed.shapes, format="turtle")
    read = properties_read(shapes)
    assert read is not None and "https://w3id.org/peace-talks-kg/ontology#cameoCode" in read
    data = [t for t in dict.fromkeys(data) if t.predicate.value in read]
    assert all(isinstance(t, ox.Triple) for t in data)

    class Index:
        def problem(self, node, reason):
            return f"{node}: {reason}"

    assert conforms_by_rudof(data, fixed.shapes) is conforms
    assert (pyshacl_problems(rdflib_graph(data), shapes, Index()) == []) is conforms


@pytest.mark.parametrize("fixture, conforms", [("valid/minimal.ttl", True), ("invalid/shacl-violation.ttl", False)])
@pytest.mark.parametrize("size", [1, 50, 10**9])
def test_shacl_on_what_the_focus_nodes_read_in_batches_gives_the_whole_verdict(project, tmp_path, fixture, conforms, size):
    """rudof on focus_batches (only what the shapes read of their focus nodes, in batches of any size,
    violations counted for each batch's own nodes) decides as rudof on all the data does."""
    import pyoxigraph as ox

    from kg.build import load_curated, load_vocabulary, union_triples
    from kg.sources import catalogue_triples, load_sources
    from kg.turtle import parse_turtle
    from kg.validate import conforms_by_rudof, focus_batches, focus_reading, focus_triples

    fixed = fixture_project(project.root, tmp_path, FIXTURES / fixture)
    sources = load_sources(fixed)
    names = ["urn:g:vocabulary", "urn:g:sources", "urn:g:asserted"]
    layers = [load_vocabulary(fixed), catalogue_triples(sources), union_triples(load_curated(fixed, sources)[0])]
    store = ox.Store()
    for name, triples in zip(names, layers, strict=True):
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name)) for t in triples)
    reading = focus_reading(parse_turtle(fixed.shapes, fixed))
    assert reading is not None
    every = [t for triples in layers for t in triples]
    assert conforms_by_rudof(every, fixed.shapes) is conforms
    selected = focus_triples(reading, store, names)
    assert len(selected) < len(set(every)) / 2  # evidence, sentences, most types: never read
    assert conforms_by_rudof(selected, fixed.shapes) is conforms
    batches = list(focus_batches(reading, store, names, size))
    assert (len(batches) > 1) is (size < 10**9)
    assert all(conforms_by_rudof(batch, fixed.shapes, others) for batch, others in batches) is conforms


def test_focus_reading_gives_up_on_shapes_it_cannot_follow(project, tmp_path):
    """A shape reading a value's own properties (sh:node), a path that is not one property, or sh:closed:
    what it reads is not worked out, and the build validates the whole data."""
    from rdflib import Graph

    from kg.validate import focus_reading

    head = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"
    assert focus_reading(Graph().parse(data=head + "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
                                       format="turtle")) is not None
    for body in ("ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:node ex:T ] .",
                 "ex:S sh:targetClass ex:C ; sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] .",
                 "ex:S sh:targetClass ex:C ; sh:closed true .",
                 "ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:or ( [ sh:path ex:q ; sh:minCount 1 ] ) ] ."):
        assert focus_reading(Graph().parse(data=head + body, format="turtle")) is None, body


def test_one_sort_writer_gives_the_plain_writers_bytes():
    """dataset_bytes (one numpy sort for every graph and the union) against trig_bytes and turtle_bytes
    (each graph sorted on its own): a triple in two graphs is written in each and once in the union,
    typed and tagged literals keep their forms, an empty graph is left out of both."""
    import pyoxigraph as ox
    from rdflib import URIRef

    from kg.serialize import dataset_bytes, trig_bytes, turtle_bytes

    ex = "https://example.org/"
    a, b, c = (ox.NamedNode(ex + n) for n in "abc")
    shared = ox.Triple(a, b, ox.Literal("x"))
    graphs = {
        URIRef(ex + "g2"): [shared, ox.Triple(c, b, ox.Literal("2", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
                            ox.Triple(a, b, c)],
        URIRef(ex + "g1"): [ox.Triple(c, b, ox.Literal("y", language="en")), shared, ox.Triple(b, a, c)],
        URIRef(ex + "empty"): [],
    }
    union = list(dict.fromkeys(t for triples in graphs.values() for t in triples))
    trig, ttl = dataset_bytes(graphs)
    assert trig == trig_bytes(graphs)
    assert ttl == turtle_bytes(union)
    assert trig.count(b'"x"') == 2 and ttl.count(b'"x"') == 1
