"""Many sources: a second source (a test text) beside the NPR article, the curator's workflow, bad metadata.

The fixture tests/fixtures/second-source/ is a short text written for the tests
that reports the Feb. 28 Oval Office meeting with another date (March 1) and a
participant the article does not name.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic

from kg.build import build, compile_layers
from kg.buildfolder import GRAPHS, BuildFolder
from kg.cli import main
from kg.library import load_library, run_query
from kg.problems import KgError, ValidationFailed
from kg.project import Project

FIXTURE = Path(__file__).parent / "fixtures" / "second-source"
TEST_SLUG = "oval-office-retelling"
NPR = "https://w3id.org/peace-talks-kg/id/article-npr-2025-trump-ukraine-peace"
TEST = f"https://w3id.org/peace-talks-kg/id/test-{TEST_SLUG}"
MEETING = "https://w3id.org/peace-talks-kg/id/event-oval-office-meeting-feb-28"
README = Path(__file__).parents[1] / "README.md"


def copy_project(root: Path, target: Path) -> Project:
    for folder in ("ontology", "sources", "graph", "queries"):
        shutil.copytree(root / folder, target / folder)
    return Project(target)


def add_fixture_source(project: Project) -> None:
    shutil.copytree(FIXTURE / "sources" / TEST_SLUG, project.sources_dir / TEST_SLUG)
    shutil.copytree(FIXTURE / "graph" / TEST_SLUG, project.graph_dir / TEST_SLUG)


def build_with_fixture_source(project: Project, root: Path) -> tuple[Project, Path]:
    """A copy of the project under `root` with the test text of tests/fixtures added, built into root/build."""
    both = copy_project(project.root, root / "project")
    add_fixture_source(both)
    build(both, root / "build")
    return both, root / "build"


@pytest.fixture(scope="module")
def two_sources(project, tmp_path_factory) -> tuple[Project, Path]:
    return build_with_fixture_source(project, tmp_path_factory.mktemp("two-sources"))


def rows(project: Project, out: Path, name: str, **params: str) -> list[dict[str, str]]:
    """The rows of a library query, each value as its IRI or lexical form; params are IRIs."""
    query = next(q for q in load_library(project) if q.name == name)
    bound = {k: ox.NamedNode(v) for k, v in params.items()}
    result = run_query(BuildFolder(out).load_store(), query.text, bound, timeout=None)
    return [{k: v.value for k, v in zip(result.variables, row) if v is not None} for row in result.rows]


def test_the_shared_meeting_has_evidence_from_both_sources(two_sources):
    project, out = two_sources
    passages = [(r["source"], r["exact"]) for r in rows(project, out, "evidence-for-a-node")]
    assert passages == [
        (NPR, "traveling to Washington for anow-infamous meetingat the White House on Feb. 28 to finalize the deal"),
        (NPR, "Just days after Zelenskyy's meeting in the Oval Office"),
        (TEST, "Volodymyr Zelenskyy met President Trump at the White House on March 1"),
    ]


def test_a_source_parameter_keeps_that_sources_passages(two_sources):
    project, out = two_sources
    only = rows(project, out, "evidence-for-a-node", source=TEST)
    assert [(r["source"], r["start"], r["end"]) for r in only] == [(TEST, "133", "202")]


def test_the_disagreement_on_the_date_is_listed_not_merged(two_sources):
    project, out = two_sources
    listed = [(r["property"].rsplit("#", 1)[1], r["value"], r["source"], r["passage"])
              for r in rows(project, out, "where-do-the-sources-disagree")]
    assert listed == [
        ("statedDate", "--02-28", NPR, "Just days after Zelenskyy's meeting in the Oval Office"),
        ("statedDate", "--03-01", TEST, "Volodymyr Zelenskyy met President Trump at the White House on March 1"),
    ]
    store = BuildFolder(out).load_store()
    assert not store.query(f"ASK {{ <{MEETING}> pt:statedDate ?date }}", prefixes={"pt": "https://w3id.org/peace-talks-kg/ontology#"})


def test_the_participant_only_the_test_text_names(two_sources):
    project, out = two_sources
    alone = rows(project, out, "what-only-one-source-supports", source=TEST)
    assert [(r["node"], r["property"].rsplit("#", 1)[1], r["value"]) for r in alone] == [
        (MEETING, "attendee", "https://w3id.org/peace-talks-kg/id/test-person-olena-example")]


def test_removing_the_fixture_source_gives_the_shipped_dataset_back(two_sources, built, tmp_path):
    project, _ = two_sources
    shutil.rmtree(project.sources_dir / TEST_SLUG)
    shutil.rmtree(project.graph_dir / TEST_SLUG)
    try:
        again = BuildFolder(tmp_path / "again")
        build(project, again.out)
        shipped, rebuilt = BuildFolder(built).load_layers().named(), again.load_layers().named()
        for iri in GRAPHS.values():
            assert isomorphic(shipped[iri], rebuilt[iri]), iri
    finally:
        add_fixture_source(project)


def test_stats_report_each_source(two_sources, built):
    """The article's figures are those of the shipped build; the test text grounds 2 of its 4 sentences."""
    from kg.stats import dataset_stats

    _, out = two_sources
    (npr,) = dataset_stats(built).sources
    assert [(s.slug, s.grounded_quotes, s.sentences_grounding_a_fact, s.sentences)
            for s in dataset_stats(out).sources] == [
        ("npr-2025-trump-ukraine-peace", npr.grounded_quotes, 73, 73), (TEST_SLUG, 2, 2, 4)]


# --------------------------------------------------------------------------
# Bad sources: every one named with file, line and reason


@pytest.fixture
def scratch(project, tmp_path) -> Project:
    scratch = copy_project(project.root, tmp_path / "p")
    add_fixture_source(scratch)
    return scratch


def failure(project: Project) -> list[str]:
    with pytest.raises(ValidationFailed) as error:
        compile_layers(project)
    return [str(p) for p in error.value.problems]


def test_a_changed_text_is_refused_with_both_hashes(scratch):
    text = scratch.sources_dir / TEST_SLUG / "retelling.txt"
    text.write_bytes(text.read_bytes().replace(b"March 1", b"March 2"))
    (problem,) = failure(scratch)
    assert re.fullmatch(
        rf"sources/{TEST_SLUG}/retelling.txt: {TEST_SLUG}: text changed: sha256 expected [0-9a-f]{{64}}, "
        r"actual [0-9a-f]{64}; restore the original bytes \(quotes and offsets refer to them\), "
        r"or register the new text as a new source", problem)


def test_metadata_missing_a_field_or_with_a_bad_date(scratch):
    toml = scratch.sources_dir / TEST_SLUG / "source.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('title = "A retelling of the Oval Office meeting (test text)"\n', "")
    toml.write_text(text.replace('published = "2025-06-03"', 'published = "2025-06-31"'), encoding="utf-8")
    assert failure(scratch) == [
        f"sources/{TEST_SLUG}/source.toml: {TEST_SLUG}: field 'title' is required (a non-empty string)",
    ]
    toml.write_text('title = "x"\n' + text.replace('published = "2025-06-03"', 'published = "2025-06-31"'),
                    encoding="utf-8")
    assert failure(scratch) == [
        f"sources/{TEST_SLUG}/source.toml:8: {TEST_SLUG}: published '2025-06-31' is not a date (YYYY-MM-DD) "
        "or an interval (YYYY-MM-DD/YYYY-MM-DD, earliest first)",
    ]


def test_a_text_that_is_not_utf8_names_its_line(scratch):
    text = scratch.sources_dir / TEST_SLUG / "retelling.txt"
    text.write_bytes(text.read_bytes().replace(b"March", b"M\xe4rch"))
    with pytest.raises(KgError) as error:
        compile_layers(scratch)
    assert str(error.value) == f"{text}:2: not UTF-8 (byte 196: b'\\xe4')"


def test_a_fact_folder_naming_no_source(scratch):
    shutil.move(scratch.graph_dir / TEST_SLUG, scratch.graph_dir / "no-such-source")
    assert failure(scratch) == [
        "graph/no-such-source/facts.ttl: graph/no-such-source/ names no registered source: add "
        "sources/no-such-source/ with `kg new-source`, or move the file"]


def test_a_quote_from_another_source_says_where_it_belongs(scratch):
    facts = scratch.graph_dir / TEST_SLUG / "facts.ttl"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        'pt:quote "a Ukrainian adviser, Test Person Olena Example"', 'pt:quote "Vice President Vance publicly scolded"'),
        encoding="utf-8")
    assert failure(scratch) == [
        f'graph/{TEST_SLUG}/facts.ttl:15: ptr:test-person-olena-example: quote not in source {TEST_SLUG}: '
        '"Vice President Vance publicly scolded"; it is in source npr-2025-trump-ukraine-peace: facts quoting '
        'it belong in graph/npr-2025-trump-ukraine-peace/']


def test_build_of_a_bad_source_exits_1_and_keeps_the_previous_build(scratch, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KG_ROOT", str(scratch.root))
    out = tmp_path / "out"
    assert main(["build", "--out", str(out)]) == 0
    before = (out / "dataset.trig").read_bytes()
    (scratch.sources_dir / TEST_SLUG / "retelling.txt").write_text("changed", encoding="utf-8")
    assert main(["build", "--out", str(out)]) == 1
    assert "text changed: sha256 expected" in capsys.readouterr().err
    assert (out / "dataset.trig").read_bytes() == before


# --------------------------------------------------------------------------
# The curator's workflow, as the README's "Adding a source" gives it


def readme_steps() -> list[str]:
    """The `kg ...` commands of the README's section "Adding a source", in order."""
    section = README.read_text(encoding="utf-8").split("## Adding a source", 1)[1].split("\n## ", 1)[0]
    return [line.strip().removeprefix("$ ") for block in re.findall(r"```sh\n(.*?)```", section, re.S)
            for line in block.splitlines() if line.strip().startswith("kg ")]


def test_the_readmes_steps_add_the_fixture_source(project, tmp_path, monkeypatch, capsys):
    import shlex

    target = copy_project(project.root, tmp_path / "p")
    monkeypatch.setenv("KG_ROOT", str(target.root))
    monkeypatch.chdir(tmp_path)
    shutil.copy(FIXTURE / "sources" / TEST_SLUG / "retelling.txt", tmp_path / "retelling.txt")
    steps = readme_steps()
    assert [s.split()[1] for s in steps] == ["new-source", "draft", "validate", "build", "query"]
    for step in steps:
        argv = shlex.split(step)[1:]
        if argv[0] == "validate":  # the curator pastes and checks the drafted facts before validating
            shutil.copy(FIXTURE / "graph" / TEST_SLUG / "facts.ttl", target.graph_dir / TEST_SLUG / "facts.ttl")
        assert main(argv) == 0, (step, capsys.readouterr().err)
        if argv[0] == "draft":
            drafted = capsys.readouterr().out
            assert "ptr:zelenskyy pt:quote \"Volodymyr Zelenskyy\" ." in drafted
            assert "# time at line 2, offsets 195-202: March 1" in drafted
    toml = (target.sources_dir / TEST_SLUG / "source.toml").read_text(encoding="utf-8")
    assert (FIXTURE / "sources" / TEST_SLUG / "retelling.txt").read_bytes() == \
        (target.sources_dir / TEST_SLUG / "retelling.txt").read_bytes()
    assert 'kind = "test"' in toml and "sha256 = " in toml


def test_new_source_refuses_a_slug_in_use(project, tmp_path, monkeypatch, capsys):
    target = copy_project(project.root, tmp_path / "p")
    monkeypatch.setenv("KG_ROOT", str(target.root))
    text = tmp_path / "t.txt"
    text.write_text("x", encoding="utf-8")
    assert main(["new-source", str(text), "--slug", "npr-2025-trump-ukraine-peace", "--title", "t",
                 "--publisher", "p"]) == 2
    assert capsys.readouterr().err == (
        "error: sources/npr-2025-trump-ukraine-peace: already exists: slug 'npr-2025-trump-ukraine-peace' is taken\n")
    assert main(["new-source", str(text), "--slug", "Bad_Slug", "--title", "t", "--publisher", "p"]) == 2
    assert "a slug is lower-case letters, digits and single hyphens" in capsys.readouterr().err
    assert sorted(p.name for p in target.sources_dir.iterdir()) == ["npr-2025-trump-ukraine-peace"]
