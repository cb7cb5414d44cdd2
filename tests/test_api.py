"""The Python API (kg.api): what a notebook user relies on, the README's "From Python" code as
written, and the example notebook run in a real kernel."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Literal, URIRef

import kg
from kg.api import Dataset, Passage, Source
from kg.cli import main
from kg.namespaces import GRAPH_INFERRED, PREFIXES

ROOT = Path(__file__).resolve().parents[1]
PTR = PREFIXES["ptr"]
OVAL_OFFICE = "ptr:event-oval-office-meeting-feb-28"


@pytest.fixture(scope="module")
def data(built: Path) -> Dataset:
    return kg.open(built)


def lexical(rows) -> list[list[str]]:
    return [["" if t is None else str(t) for t in row] for row in rows]


def expected_csv(name: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO((ROOT / "queries" / "expected" / f"{name}.csv").read_text(encoding="utf-8"))))
    return rows[0], rows[1:]


# --- queries ------------------------------------------------------------------


def test_a_library_query_gives_the_committed_answer(data):
    answer = data.query("who-rejected-the-us-peace-plan")
    header, rows = expected_csv("who-rejected-the-us-peace-plan")
    assert list(answer.columns) == header
    assert lexical(answer.rows) == rows
    assert len(answer) == len(rows) and list(answer) == list(answer.rows)
    assert isinstance(answer.rows[0][1], URIRef)


def test_sparql_text_has_the_project_prefixes_and_gives_typed_terms(data):
    answer = data.query("SELECT ?label WHERE { ptr:zelenskyy rdfs:label ?label }")
    assert answer.columns == ("label",)
    assert answer.rows == ((Literal("Volodymyr Zelenskyy", lang="en"),),)


def test_parameters_are_bound_like_kg_query_param(data, built, capsys):
    by_string = data.query("events-by-actor", actor="ptr:zelenskyy")
    by_iri = data.query("events-by-actor", actor=URIRef(PTR + "zelenskyy"))
    assert main(["query", "events-by-actor", "--out", str(built), "--param", "actor=ptr:zelenskyy",
                 "--format", "csv"]) == 0
    cli = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert lexical(by_string.rows) == lexical(by_iri.rows) == cli[1:]
    assert len(by_string) > 5 and {str(row[0]) for row in by_string} == {PTR + "zelenskyy"}


def test_python_dates_bind_as_xsd_dates_and_params_takes_reserved_names(data):
    with_dates = data.query("events-in-a-date-range", params={"from": datetime.date(2025, 3, 1)},
                            to=datetime.date(2025, 3, 31))
    with_text = data.query("events-in-a-date-range", params={"from": '"2025-03-01"^^xsd:date',
                                                              "to": '"2025-03-31"^^xsd:date'})
    column = {name: i for i, name in enumerate(with_dates.columns)}
    assert with_dates.rows and with_dates.rows == with_text.rows
    for row in with_dates:
        first = row[column["date"]] or row[column["earliest"]]
        last = row[column["date"]] or row[column["latest"]]
        # an event in the range: it may begin before March 31 and end after March 1
        assert (first is None or first.toPython() <= datetime.date(2025, 3, 31)) and \
            (last is None or last.toPython() >= datetime.date(2025, 3, 1)), row


def test_layers_choose_what_a_query_sees_and_the_vocabulary_stays(data, built):
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g = <%s>) }"
    inferred = str(GRAPH_INFERRED)
    assert int(data.query(count % inferred).rows[0][0]) > 0
    assert int(data.query(count % inferred, layers="asserted").rows[0][0]) == 0
    # the vocabulary is always there: class labels resolve with the asserted layer alone
    label = data.query("SELECT ?l WHERE { pt:Meeting rdfs:label ?l }", layers=["asserted"])
    assert len(label) == 1
    whole = len(data.query("events-in-a-date-range"))
    asserted = len(data.query("events-in-a-date-range", layers="asserted"))
    assert 0 < asserted < whole


def test_to_pandas_puts_labels_beside_iris(data):
    frame = data.query("who-rejected-the-us-peace-plan").to_pandas()
    columns = list(frame.columns)
    assert columns[columns.index("rejecter") + 1] == "rejecter_label"
    assert "actLabel_label" not in columns and "proposal_label" not in columns  # literals and empty columns
    pairs = set(zip(frame["rejecter"], frame["rejecter_label"], strict=True))
    assert pairs == {(PTR + "russia", "Russia"), (PTR + "ukraine", "Ukraine")}


def test_to_pandas_gives_python_values(data):
    frame = data.query("events-in-a-date-range", layers="asserted").to_pandas()
    dated = [d for d in frame["date"] if d is not None and d == d]  # unbound: None (NaN in pandas)
    assert dated and all(isinstance(d, datetime.date) for d in dated)
    counted = data.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a pt:Stance }").to_pandas()
    assert int(counted["n"][0]) == counted["n"][0] and counted["n"][0] > 0


def test_ask_and_construct_results(data):
    ask = data.query("does-russia-oppose-the-us-peace-plan")
    assert ask.form == "ASK" and ask.boolean in (True, False) and ask.columns == ()
    with pytest.raises(kg.KgError, match=r"^to_pandas is for SELECT results; this ASK query gave a yes/no answer"):
        ask.to_pandas()
    graph = data.query("CONSTRUCT { ?s a pt:Stance } WHERE { ?s a pt:Stance }").graph
    stances = len(data.query("SELECT DISTINCT ?s WHERE { ?s a pt:Stance }"))
    assert graph is not None and len(graph) == stances > 0
    assert data.query("SELECT ?s WHERE { ?s a pt:Stance } LIMIT 1").graph is None


def test_result_text_is_what_kg_query_prints(data, built, capsys):
    answer = data.query("who-rejected-the-us-peace-plan")
    assert main(["query", "who-rejected-the-us-peace-plan", "--out", str(built), "--format", "json"]) == 0
    assert answer.text("json") == capsys.readouterr().out


def test_query_errors_are_kg_errors_with_the_cli_message(data):
    with pytest.raises(kg.KgError, match=r"^no library query named 'who-rejectd'; did you mean: "
                                         r"who-rejected-the-us-peace-plan\?"):
        data.query("who-rejectd")
    with pytest.raises(kg.KgError, match=r"^query: read-only: SPARQL updates are refused \(DELETE \.\.\.\)"):
        data.query("DELETE WHERE { ?s ?p ?o }")
    with pytest.raises(kg.KgError, match=r"^layers: unknown layer\(s\) assertd; choose from asserted, inferred, external"):
        data.query("who-rejected-the-us-peace-plan", layers="assertd")
    with pytest.raises(kg.KgError, match=r"^parameter actor: cannot bind a list"):
        data.query("events-by-actor", actor=["ptr:trump"])
    with pytest.raises(kg.KgError, match=r"^query:1:\d+: syntax error"):
        data.query("SELECT ?x WHERE { ?x a }")


def test_an_empty_answer_hints_at_the_iri_or_date_meant(data):
    with pytest.warns(UserWarning, match=r"^events-by-actor: no results; actor=zelenskyy is text, not an IRI: "
                                         r"did you mean actor=ptr:zelenskyy\?$"):
        answer = data.query("events-by-actor", actor="zelenskyy")
    assert len(answer) == 0 and answer.hints == ("actor=zelenskyy is text, not an IRI: did you mean actor=ptr:zelenskyy?",)
    with pytest.warns(UserWarning) as caught:
        data.query("events-in-a-date-range", params={"from": "2025-03-01"})
    assert [str(w.message) for w in caught] == [
        "events-in-a-date-range: no results; from=2025-03-01 is text, not a date: "
        "for the date write from='\"2025-03-01\"^^xsd:date'"]


def test_kg_query_prints_the_hints_on_stderr(built, capsys):
    assert main(["query", "events-by-actor", "--out", str(built), "--param", "actor=zelenskyy"]) == 0
    assert capsys.readouterr().err == ("hint: --param actor=zelenskyy is text, not an IRI: "
                                       "did you mean --param actor=ptr:zelenskyy?\n")
    assert main(["query", "events-in-a-date-range", "--out", str(built), "--param", "from=2025-03-01"]) == 0
    assert capsys.readouterr().err == ("hint: --param from=2025-03-01 is text, not a date: "
                                       "for the date write --param from='\"2025-03-01\"^^xsd:date'\n")


def test_no_hint_when_there_are_rows_or_the_text_names_nothing(data, built, capsys):
    assert main(["query", "events-by-actor", "--out", str(built), "--param", "actor=nobody-at-all"]) == 0
    assert capsys.readouterr().err == ""
    assert data.query("events-by-actor", actor="ptr:zelenskyy").hints == ()


# --- views, evidence, sources ---------------------------------------------------


def test_view_is_the_networkx_graph_of_kg_views(data, store):
    from kg.views import build_view

    view = data.view("interaction", layers="asserted,inferred")
    same = build_view(store, "interaction", ("asserted", "inferred"))
    assert isinstance(view, nx.MultiDiGraph)
    assert dict(view.nodes(data=True)) == dict(same.nodes(data=True))
    assert sorted(view.edges(keys=True)) == sorted(same.edges(keys=True))
    with pytest.raises(kg.KgError, match=r"unknown view\(s\) nope"):
        data.view("nope")


def test_evidence_gives_the_exact_words_of_the_source(data, project):
    source_text = (project.root / "sources" / "npr-2025-trump-ukraine-peace" /
                   "npr-2025-trump-ukraine-peace.txt").read_text(encoding="utf-8")
    passages = data.evidence(OVAL_OFFICE)
    assert [(p.start, p.end) for p in passages] == [(4304, 4403), (5235, 5289)]
    for passage in passages:
        assert isinstance(passage, Passage)
        assert passage.text == source_text[passage.start:passage.end]  # the article's typos included
        assert passage.sentence is not None and passage.text in passage.sentence
        assert passage.source == PTR + "article-npr-2025-trump-ukraine-peace"
        assert passage.node == PTR + "event-oval-office-meeting-feb-28"
    assert data.evidence(URIRef(PTR + "event-oval-office-meeting-feb-28")) == passages
    assert data.evidence("ptr:no-such-node") == []
    with pytest.raises(kg.KgError, match=r"^evidence: 'Trump' is not an IRI"):
        data.evidence("Trump")


def test_sources_lists_each_source_with_its_checksum_and_passages(data, project):
    path = project.root / "sources" / "npr-2025-trump-ukraine-peace" / "npr-2025-trump-ukraine-peace.txt"
    evidence = len(data.query("SELECT DISTINCT ?e WHERE { ?e a pt:Evidence }"))
    (source,) = data.sources()
    assert isinstance(source, Source)
    assert source.iri == PTR + "article-npr-2025-trump-ukraine-peace"
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert source.publisher == "NPR"
    assert source.passages == evidence > 400
    assert source.published_earliest <= source.published_latest


def test_open_without_a_build_says_what_to_do(tmp_path):
    with pytest.raises(kg.KgError, match=r"no built dataset: run `kg build --out .*` first"):
        kg.open(tmp_path)


def test_import_kg_stays_light():
    code = "import kg, sys; print('kg.api' in sys.modules, 'rdflib' in sys.modules, kg.open.__module__)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False", "kg.api"]


# --- the README's code and the example notebook, as written ------------------------


@pytest.fixture(scope="module")
def project_root(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project root (KG_ROOT) whose build/ is the session's build: the inputs are links to this checkout."""
    root = tmp_path_factory.mktemp("root")
    for name in ("ontology", "graph", "queries", "sources"):
        (root / name).symlink_to(ROOT / name)
    (root / "build").symlink_to(built)
    return root


def readme_python() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## From Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "the From Python section has one python block"
    return blocks[0]


def test_the_readme_python_code_runs_as_written(project_root, tmp_path):
    env = {**os.environ, "KG_ROOT": str(project_root)}
    result = subprocess.run([sys.executable, "-c", readme_python()], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == str(tuple(expected_csv("who-rejected-the-us-peace-plan")[0]))
    assert "4304-4403: 'traveling to Washington for anow-infamous meetingat the White House on Feb. 28 " \
           "to finalize the deal'" in lines
    assert lines[-1].startswith("NPR: Trump promised peace in Ukraine within a day.") and \
        lines[-1].endswith(" passages")


def test_the_example_notebook_is_stripped_in_the_repository():
    import nbformat

    notebook = nbformat.read(ROOT / "docs" / "example.ipynb", as_version=4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


def test_the_example_notebook_runs(project_root, tmp_path):
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    notebook = nbformat.read(ROOT / "docs" / "example.ipynb", as_version=4)
    # IPC sockets in a temporary folder: the kernel listens on no TCP port at all
    manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(tmp_path / "kernel"))
    client = NotebookClient(notebook, km=manager, timeout=120, allow_errors=False,
                            resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute(env={**os.environ, "KG_ROOT": str(project_root)})
    finally:  # a kernel manager passed in is the caller's to stop
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "rejecter_label" in shown and "traveling to Washington" in shown
