"""`kg queries` and `kg query` as a user runs them: formats, parameters, refusals, errors, exit codes."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parents[1]
PTR = "https://w3id.org/peace-talks-kg/id/"


def kg(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def query(capsys, built: Path, *args: str) -> tuple[int, str, str]:
    return kg(capsys, "query", "--out", str(built), *args)


# --- kg queries -----------------------------------------------------------------------------

def test_queries_lists_every_file_with_its_summary(capsys) -> None:
    code, out, _ = kg(capsys, "queries")
    assert code == 0
    lines = out.splitlines()
    names = [line.split()[0] for line in lines]
    assert names == sorted(p.stem for p in (ROOT / "queries").glob("*.rq")) + \
        sorted(p.stem for p in (ROOT / "queries" / "checks").glob("*.rq"))
    rejected = next(line for line in lines if line.startswith("who-rejected-the-us-peace-plan "))
    assert rejected.split(None, 1)[1] == "Who rejected the April US peace plan, and how"
    assert all(line.endswith("[check]") for line in lines if line.split()[0].endswith("-violation"))
    assert all(line.endswith("[needs network]") for line in lines if line.startswith("federated-"))


def test_queries_verbose_shows_description_layers_and_params(capsys) -> None:
    code, out, _ = kg(capsys, "queries", "--verbose")
    assert code == 0
    block = out.split("evidence-for-a-node ", 1)[1].split("\nevents-", 1)[0]
    assert "layers: asserted" in block
    assert "--param node=...: any curated node IRI (e.g. ptr:stance-ukraine-30-day-ceasefire)" in block


# --- formats ----------------------------------------------------------------------------------

LABEL = "SELECT ?label WHERE { ptr:trump rdfs:label ?label } ORDER BY ?label"


def test_csv_is_sparql_csv(capsys, built: Path) -> None:
    # "Donald Trump often promised toget a deal": the node's label.
    assert query(capsys, built, "--sparql", LABEL, "--format", "csv") == (0, "label\r\nDonald Trump\r\n", "")


def test_tsv_keeps_language_tags(capsys, built: Path) -> None:
    assert query(capsys, built, "--sparql", LABEL, "--format", "tsv") == (0, '?label\n"Donald Trump"@en\n', "")


def test_table_is_aligned_with_a_row_count(capsys, built: Path) -> None:
    code, out, _ = query(capsys, built, "--sparql", "SELECT ?who ?label WHERE { VALUES ?who { ptr:trump ptr:vance } "
                         "?who rdfs:label ?label } ORDER BY ?label")
    assert (code, out) == (0, "who        label\n"
                              "---------  ------------\n"
                              "ptr:trump  Donald Trump\n"
                              "ptr:vance  Vance\n"
                              "(2 rows)\n")


def test_library_query_as_exact_csv(capsys, built: Path) -> None:
    # "whileZelenskyy has saidmore than a total of 400,000 Ukrainian forcesbeen killed or injured since
    # the start of the fighting."
    code, out, _ = query(capsys, built, "whose-figure-is-400000-and-with-what-bound", "--format", "csv")
    assert code == 0
    assert out == (
        "value,claimant,claimantLabel,bound,measure,since,when,reportedBy,claim,quote\r\n"
        f",{PTR}zelenskyy,Volodymyr Zelenskyy,https://w3id.org/peace-talks-kg/ontology#moreThan,"
        f"Ukrainian forces killed or injured,{PTR}event-war-begins,since the start of the fighting,"
        f"{PTR}npr,{PTR}claim-zelenskyy-ukrainian-casualties,"
        '"more than a total of 400,000 Ukrainian forcesbeen killed or injured since the start of the fighting"\r\n')


def test_json_is_sparql_results_json(capsys, built: Path) -> None:
    code, out, _ = query(capsys, built, "--sparql", LABEL, "--format", "json")
    assert code == 0
    assert json.loads(out) == {"head": {"vars": ["label"]}, "results": {"bindings": [
        {"label": {"type": "literal", "value": "Donald Trump", "xml:lang": "en"}}]}}


def test_ask_answers_in_table_and_json(capsys, built: Path) -> None:
    # "Both sides reject the plan"
    assert query(capsys, built, "does-russia-oppose-the-us-peace-plan") == (0, "yes\n", "")
    code, out, _ = query(capsys, built, "does-russia-oppose-the-us-peace-plan", "--format", "json")
    assert json.loads(out) == {"head": {}, "boolean": True}


def test_construct_gives_turtle(capsys, built: Path) -> None:
    import rdflib

    code, out, _ = query(capsys, built, "stance-network", "--format", "turtle")
    assert code == 0
    graph = rdflib.Graph().parse(data=out, format="turtle")
    opposes = rdflib.URIRef("https://w3id.org/peace-talks-kg/ontology#opposes")
    plan = rdflib.URIRef(PTR + "proposal-us-peace-plan")
    assert set(graph.subjects(opposes, plan)) == {rdflib.URIRef(PTR + "russia"), rdflib.URIRef(PTR + "ukraine")}


def test_a_format_that_does_not_fit_the_result_is_refused(capsys, built: Path) -> None:
    assert query(capsys, built, "stance-network", "--format", "csv") == (
        2, "", "error: --format csv does not fit a CONSTRUCT query, which gives triples: use table or turtle\n")
    assert query(capsys, built, "--sparql", LABEL, "--format", "turtle") == (
        2, "", "error: --format turtle does not fit a SELECT query, which gives rows: use table, csv, tsv or json\n")


def test_query_file(capsys, built: Path, tmp_path: Path) -> None:
    path = tmp_path / "mine.rq"
    path.write_text(LABEL, encoding="utf-8")
    assert query(capsys, built, "--file", str(path), "--format", "csv") == (0, "label\r\nDonald Trump\r\n", "")
    assert query(capsys, built, "--file", str(tmp_path / "missing.rq")) == (
        2, "", f"error: {tmp_path / 'missing.rq'}: no such query file\n")


# --- parameters ---------------------------------------------------------------------------------

def test_param_binds_an_iri(capsys, built: Path) -> None:
    code, out, _ = query(capsys, built, "events-by-actor", "--param", "actor=ptr:vance", "--format", "csv")
    rows = out.splitlines()[1:]
    assert code == 0 and rows
    assert {row.split(",")[0] for row in rows} == {PTR + "vance"}
    # "President Trump and Vice President Vance publicly scolded Zelenskyy" (the Feb. 28 meeting)
    assert any(f"{PTR}event-oval-office-scolding" in row for row in rows)


def test_param_binds_a_typed_literal(capsys, built: Path) -> None:
    # "an estimated790,000 Russian soldiers have been killed or injured"
    code, out, _ = query(capsys, built, "whose-figure-is-400000-and-with-what-bound",
                         "--param", 'value="790000"^^xsd:decimal', "--format", "csv")
    (row,) = out.splitlines()[1:]
    assert code == 0 and row.startswith(f"790000,{PTR}united-states,United States,"
                                        "https://w3id.org/peace-talks-kg/ontology#estimate,")


def test_param_value_is_bound_never_pasted(capsys, built: Path) -> None:
    hostile = '"} ; DROP ALL ; SELECT * { ?s ?p ?o'
    code, out, err = query(capsys, built, "--sparql", "SELECT ?v WHERE {} ORDER BY ?v",
                           "--param", f"v={hostile}", "--format", "csv")
    assert (code, out, err) == (0, 'v\r\n"""} ; DROP ALL ; SELECT * { ?s ?p ?o"\r\n', "")
    # And matched as a value: no label equals that text, so no rows, and the data is intact.
    code, out, _ = query(capsys, built, "--sparql", "SELECT ?label ?s WHERE { ?s rdfs:label ?label } ORDER BY ?s",
                         "--param", f"label={hostile}", "--format", "csv")
    assert (code, out) == (0, "label,s\r\n")
    assert query(capsys, built, "--sparql", LABEL, "--format", "csv")[1] == "label\r\nDonald Trump\r\n"


def test_param_must_name_a_selected_variable(capsys, built: Path) -> None:
    assert query(capsys, built, "--sparql", LABEL, "--param", "who=ptr:trump") == (
        2, "", "error: --sparql: --param who: the query does not select ?who, so it cannot be bound "
               "(bind only variables that the SELECT lists)\n")


def test_malformed_param(capsys, built: Path) -> None:
    assert query(capsys, built, "--sparql", LABEL, "--param", "label") == (
        2, "", "error: --param 'label': expected NAME=VALUE, NAME a SPARQL variable name\n")


# --- refusals and errors ----------------------------------------------------------------------------

@pytest.mark.parametrize("update, keyword", [
    ("INSERT DATA { ptr:trump rdfs:label \"x\" }", "INSERT"),
    ("PREFIX ex: <http://example.org/>\n# a comment\nDELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("drop all", "DROP"),
    ("LOAD <http://example.org/data.ttl>", "LOAD"),
])
def test_updates_are_refused(capsys, built: Path, update: str, keyword: str) -> None:
    assert query(capsys, built, "--sparql", update) == (
        2, "", f"error: --sparql: read-only: SPARQL updates are refused ({keyword} ...); "
               "the dataset changes only through `kg build`\n")
    assert query(capsys, built, "--sparql", LABEL, "--format", "csv")[1] == "label\r\nDonald Trump\r\n"


def test_syntax_error_shows_line_column_and_text(capsys, built: Path) -> None:
    code, out, err = query(capsys, built, "--sparql", "SELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTER(?s = )\n}")
    assert (code, out) == (2, "")
    first, source, caret = err.splitlines()
    assert first.startswith("error: --sparql:4:3: syntax error at 'FILTER(?s = )' (parser: ")
    assert (source, caret) == ("      FILTER(?s = )", "      ^")


def test_unknown_name_suggests_the_closest(capsys, built: Path) -> None:
    code, _, err = query(capsys, built, "who-met-or-called")
    assert (code, err) == (2, "error: no library query named 'who-met-or-called'; did you mean: "
                              "who-met-or-called-whom, who-criticised-or-accused-whom? (`kg queries` lists them all)\n")


def test_missing_build(capsys, tmp_path: Path) -> None:
    assert query(capsys, tmp_path, "timeline") == (
        2, "", f"error: {tmp_path / 'dataset.trig'}: no built dataset: run `kg build --out {tmp_path}` first\n")


def test_fail_empty_exits_1_only_without_results(capsys, built: Path) -> None:
    empty = "SELECT ?s WHERE { ?s a pt:Nothing } ORDER BY ?s"
    assert query(capsys, built, "--sparql", empty, "--format", "csv", "--fail-empty") == (
        1, "s\r\n", "--sparql: no results (--fail-empty)\n")
    assert query(capsys, built, "--sparql", empty, "--format", "csv")[0] == 0
    assert query(capsys, built, "--sparql", LABEL, "--fail-empty")[0] == 0
    # An ASK answered no counts as empty, so a script can use an ASK query as a test.
    assert query(capsys, built, "--sparql", "ASK { ptr:trump pt:opposes ptr:proposal-us-peace-plan }",
                 "--fail-empty") == (1, "no\n", "--sparql: the answer is no (--fail-empty)\n")
    # "Both sides reject the plan" (the April US peace plan): Russia opposes it.
    assert query(capsys, built, "--sparql", "ASK { ptr:russia pt:opposes ptr:proposal-us-peace-plan }",
                 "--fail-empty") == (0, "yes\n", "")


def test_fail_empty_help_says_what_counts_as_empty(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["query", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert ("--fail-empty exit 1 when there is no result: no rows (SELECT), no triples (CONSTRUCT, DESCRIBE) "
            "or the answer no (ASK)") in help_text


def test_table_shows_control_characters_as_escapes(capsys, built: Path) -> None:
    text = 'SELECT ?x WHERE { BIND("a\x1b[31mred\x07\x00\x7f\x9b" AS ?x) }'
    cell = "a\\x1b[31mred\\x07\\x00\\x7f\\x9b"
    assert query(capsys, built, "--sparql", text) == (0, f"x\n{'-' * len(cell)}\n{cell}\n(1 row)\n", "")
    # The other formats carry the data itself (the SPARQL results formats quote it their own way).
    assert query(capsys, built, "--sparql", text, "--format", "csv") == (0, "x\r\na\x1b[31mred\x07\x00\x7f\x9b\r\n", "")


def test_query_text_is_classified_once(capsys, built: Path, monkeypatch) -> None:
    import kg.library

    calls = []
    real = kg.library.query_form

    def counted(text: str, where: str = "query") -> str:
        calls.append(where)
        return real(text, where)

    monkeypatch.setattr(kg.library, "query_form", counted)
    assert query(capsys, built, "--sparql", LABEL, "--format", "csv")[0] == 0
    assert calls == ["--sparql"]
    calls.clear()
    assert query(capsys, built, "who-rejected-the-us-peace-plan", "--format", "csv")[0] == 0
    assert calls == ["queries/who-rejected-the-us-peace-plan.rq"]  # that file only, not the whole library


def test_timeout_stops_the_query(capsys, built: Path) -> None:
    expensive = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    assert query(capsys, built, "--sparql", expensive, "--timeout", "0.5") == (
        2, "", "error: --sparql: query exceeded --timeout 0.5 s and was stopped\n")
    assert multiprocessing.active_children() == []  # the worker was killed, not left running


def test_table_leaves_out_an_unset_parameter_column_csv_keeps_it(capsys, built: Path) -> None:
    # "Both sides reject the plan": the rejecters of the US peace plan, the default of ?proposal.
    code, out, _ = query(capsys, built, "who-rejected-the-us-peace-plan")
    assert code == 0 and out.splitlines()[0].split()[0] == "rejecter"
    code, out, _ = query(capsys, built, "who-rejected-the-us-peace-plan", "--format", "csv")
    assert out.splitlines()[0] == "proposal,rejecter,rejection,act,speaker,actLabel,quotation"
    # set, the parameter's column is shown
    code, out, _ = query(capsys, built, "who-rejected-the-us-peace-plan", "--param", "proposal=ptr:proposal-us-peace-plan")
    assert out.splitlines()[0].split()[:2] == ["proposal", "rejecter"]
    assert "ptr:proposal-us-peace-plan" in out.splitlines()[2]


# ---------------------------------------------------------------- layers, timeline order, date ranges

def _rows(capsys, *argv: str) -> list[dict[str, str]]:
    import csv
    import io

    assert main(["query", *argv, "--format", "csv"]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_layers_choose_what_a_query_reads(capsys, built: Path) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    asserted = int(_rows(capsys, "--out", str(built), "--sparql", count, "--layers", "asserted")[0]["n"])
    everything = int(_rows(capsys, "--out", str(built), "--sparql", count)[0]["n"])
    assert 0 < asserted < everything
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    assert [r["g"] for r in _rows(capsys, "--out", str(built), "--sparql", graphs, "--layers", "asserted,inferred")] == [
        "https://w3id.org/peace-talks-kg/graph/asserted", "https://w3id.org/peace-talks-kg/graph/inferred"]
    assert main(["query", "--out", str(built), "--sparql", count, "--layers", "guessed"]) == 2
    assert "error: --layers: unknown layer(s) guessed; choose from asserted, inferred, external" in capsys.readouterr().err


@pytest.mark.parametrize("layers", ["asserted", "asserted,inferred", "asserted,inferred,external"])
def test_timeline_never_lists_an_event_before_one_that_precedes_it(capsys, built: Path, layers: str) -> None:
    order = [r["event"] for r in _rows(capsys, "--out", str(built), "timeline", "--layers", layers)]
    precedes = _rows(capsys, "--out", str(built), "--sparql", "SELECT ?a ?b WHERE { ?a pt:precedes ?b }")
    assert len(order) == len(set(order)) and len(precedes) > 20
    for link in precedes:
        if link["a"] in order and link["b"] in order:
            assert order.index(link["a"]) < order.index(link["b"]), link


def test_timeline_places_undated_events_by_their_order_not_by_publication(capsys, built: Path) -> None:
    # "Weeks after his inauguration, Trump made separate calls": the inauguration comes before the
    # calls, and with outside dates (2025-01-20, 2025-02-12) both come before the May 25 strike.
    rows = _rows(capsys, "--out", str(built), "timeline", "--layers", "asserted,inferred,external")
    order = [r["event"].rsplit("/", 1)[-1] for r in rows]
    for early in ("event-second-term-inauguration", "event-trump-putin-call", "event-jeddah-talks", "event-riyadh-talks"):
        assert order.index(early) < order.index("event-may-25-strike"), early
    call = next(r for r in rows if r["event"].endswith("/event-trump-putin-call"))
    assert (call["date"], call["earliestSource"]) == (
        "2025-02-12", "enwiki 'February 2025 Putin–Trump phone call'; press reports of 2025-02-12/13")
    # "the fighting on the ground continues unabated": the war has no end date.
    war = next(r for r in rows if r["event"].endswith("/event-war-in-ukraine"))
    assert war["latest"] == ""


def test_march_and_april_2025_by_layer(capsys, built: Path) -> None:
    # The article dates two events in March–April 2025 with their year: "on March 6", the
    # "March 25, 2025" news conference. "On April 19, Russia announces a 30-hour Easter truce" gets
    # its year from the publication date, which is outside knowledge. Outside reporting
    # (graph/external/resolved-dates.csv) dates the Jeddah talks (2025-03-11), the energy-strike
    # halt (2025-03-18), the Riyadh talks and Black Sea ceasefire (2025-03-23/25), the aid
    # suspension (2025-03-03/05), the truce itself (2025-04-19/21) and, with the article's
    # "Days later", the U.S. plan between April 19 and 23.
    window = ["--param", 'from="2025-03-01"^^xsd:date', "--param", 'to="2025-04-30"^^xsd:date']
    article = {r["event"].rsplit("/", 1)[-1] for r in _rows(
        capsys, "--out", str(built), "events-in-a-date-range", *window, "--layers", "asserted,inferred")}
    assert article == {"event-putin-meets-veterans-fund-2025-03-06", "event-zelenskyy-news-conference-2025-03-25"}
    outside = {r["event"].rsplit("/", 1)[-1]: (r["earliest"], r["latest"]) for r in _rows(
        capsys, "--out", str(built), "events-in-a-date-range", *window, "--layers", "asserted,inferred,external")}
    assert outside["event-jeddah-talks"] == ("2025-03-11", "2025-03-11")
    assert outside["event-putin-agrees-energy-strike-halt"] == ("2025-03-18", "2025-03-18")
    assert outside["event-russia-agrees-black-sea-ceasefire"] == ("2025-03-23", "2025-03-25")
    assert outside["event-us-proposes-peace-plan"] == ("2025-04-19", "2025-04-23")
    assert outside["event-easter-truce"] == ("2025-04-19", "2025-04-21")
    assert article | {"event-russia-announces-easter-truce"} < set(outside)
