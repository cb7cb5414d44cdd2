"""The query library: every shipped query runs and gives its committed result, and
the questions users ask get the answers the article gives.

Expected files (queries/expected/) are regenerated with
`python tests/support/expected.py --write-expected --out BUILD` and read against the
article before they are committed; the user-question tests below state their
answers independently, each with the sentence that supports it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from support.expected import expected_path, expected_text, redirect_services, stand_in_endpoint

from kg.library import find_query, load_library, parse_param, read_query, run_query
from kg.namespaces import PREFIXES
from kg.problems import KgError
from kg.project import Project
from kg.results import compact

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "queries").glob("*.rq"))
PTR = PREFIXES["ptr"]


WIKIDATA = "https://query.wikidata.org/sparql"
FIXTURE = ROOT / "tests" / "fixtures" / "wikidata-fixture.ttl"


@pytest.fixture(scope="module")
def services():
    """SERVICE redirections for federated queries: Wikidata → a stand-in serving the fixture."""
    with stand_in_endpoint(FIXTURE) as url:
        yield {WIKIDATA: url}


# --- every shipped query ---------------------------------------------------------------

def test_the_library_has_at_least_thirty_queries() -> None:
    assert len(SHIPPED) >= 30


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_query_gives_its_expected_result(path: Path, project: Project, store, services) -> None:
    query = read_query(path, project)  # a broken header fails here, naming file and line
    if query.form == "SELECT":
        assert re.search(r"\bORDER\s+BY\b", query.text, re.I), "every SELECT orders its rows"
    for param in query.params:
        body = "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))
        select = re.search(r"\bSELECT\b(.*?)(\bWHERE\b|\{)", body, re.S | re.I)
        in_projection = select and f"?{param.name} " in select[1] + " "
        assert in_projection or query.form != "SELECT", f"--param {param.name} must be a selected variable"
    expected = expected_path(project, query)
    assert expected.is_file(), f"{project.relative(expected)} missing: run python tests/support/expected.py --write-expected"
    # A federated query runs against the stand-in for Wikidata, whose answers the fixture fixes.
    text = redirect_services(query.text, services) if query.federated else query.text
    assert not query.federated or text != query.text, "a federated query must call a stand-in here"
    result = run_query(store, text, timeout=30, where=project.relative(path))
    # Compare bytes: the CSV line ends are CRLF as SPARQL 1.1 CSV prescribes.
    assert expected_text(result) == expected.read_bytes().decode("utf-8")


def test_no_expected_file_without_its_query(project: Project) -> None:
    names = {p.stem for p in SHIPPED}
    orphans = [p.name for p in (project.queries_dir / "expected").iterdir() if p.stem not in names]
    assert orphans == []


def test_library_lists_queries_then_checks(project: Project) -> None:
    library = load_library(project)
    assert [q.name for q in library if not q.check] == [p.stem for p in SHIPPED]
    checks = [q.name for q in library if q.check]
    assert checks == sorted(p.stem for p in (ROOT / "queries" / "checks").glob("*.rq"))
    assert all(name.endswith("-violation") for name in checks)


def test_validation_checks_find_nothing_in_the_shipped_graph(project: Project, store) -> None:
    for query in load_library(project):
        if query.check:
            assert run_query(store, query.text, timeout=30).rows == (), query.name


# --- headers ------------------------------------------------------------------------------

GOOD = "# summary: s\n# description: d\n# layers: asserted\nSELECT * WHERE { ?s ?p ?o } ORDER BY ?s\n"


def _project_with(tmp_path: Path, text: str) -> Project:
    (tmp_path / "queries" / "checks").mkdir(parents=True)
    (tmp_path / "queries" / "bad.rq").write_text(text, encoding="utf-8")
    return Project(tmp_path)


@pytest.mark.parametrize("text, message", [
    ("SELECT * WHERE { ?s ?p ?o }\n",
     "queries/bad.rq:1: missing header: a library query begins with '# summary: ...'"),
    ("# summary: s\n# layers: asserted\nSELECT * {}\n",
     "queries/bad.rq:3: header lacks '# description: ...' (required: summary, description, layers)"),
    ("# summary: s\n# description: d\n# layer: asserted\nSELECT * {}\n",
     "queries/bad.rq:3: unknown header key 'layer': expected one of summary, description, layers, param, needs"),
    ("# summary: s\n# description: d\n# layers: asserted, guessed\nSELECT * {}\n",
     "queries/bad.rq:3: unknown layer 'guessed' in '# layers:': expected some of vocabulary, sources, "
     "asserted, inferred, external"),
    ("# summary: s\n# description: d\n# layers: asserted\n# summary: again\nSELECT * {}\n",
     "queries/bad.rq:4: header key 'summary' given twice"),
    ("# summary: s\n# description d\n# layers: asserted\nSELECT * {}\n",
     "queries/bad.rq:2: malformed header line '# description d': expected '# key: value' with a key among "
     "summary, description, layers, param, needs"),
    ("# summary:\n# description: d\n# layers: asserted\nSELECT * {}\n",
     "queries/bad.rq:1: header key 'summary' has no value"),
    ("# summary: s\n# description: d\n# layers: asserted\n# param: actor\nSELECT ?actor {}\n",
     "queries/bad.rq:4: malformed '# param: actor': expected '# param: NAME: what it binds'"),
    ("# summary: s\n# description: d\n# layers: asserted\nINSERT DATA { <a:b> <a:b> <a:b> }\n",
     "queries/bad.rq: read-only: SPARQL updates are refused (INSERT ...); the dataset changes only through `kg build`"),
])
def test_a_broken_header_fails_the_loader_naming_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(KgError) as error:
        load_library(_project_with(tmp_path, text))
    assert str(error.value) == message


def test_a_good_header_is_read_with_continuations_and_params(tmp_path: Path) -> None:
    text = ("# summary: Who did it\n# description: One row\n#   per actor.\n# layers: asserted, inferred\n"
            "# param: actor: an actor IRI\nSELECT ?actor WHERE { ?actor ?p ?o } ORDER BY ?actor\n")
    (query,) = load_library(_project_with(tmp_path, text))
    assert (query.name, query.summary, query.description, query.layers) == (
        "bad", "Who did it", "One row per actor.", ("asserted", "inferred"))
    assert [(p.name, p.description) for p in query.params] == [("actor", "an actor IRI")]


def test_unknown_name_lists_the_closest(project: Project) -> None:
    with pytest.raises(KgError) as error:
        find_query(project, "who-rejected-the-peace-plan")
    assert str(error.value) == ("no library query named 'who-rejected-the-peace-plan'; did you mean: "
                                "who-rejected-the-us-peace-plan, does-russia-oppose-the-us-peace-plan, "
                                "who-supported-or-opposed-each-proposal, where-do-the-sources-disagree? "
                                "(`kg queries` lists them all)")


GOOD = "# summary: s\n# description: d\n# layers: asserted\nASK { ?s ?p ?o }\n"


def test_a_query_is_found_even_when_another_file_is_broken(tmp_path: Path) -> None:
    project = _project_with(tmp_path, "SELECT * WHERE { ?s ?p ?o }\n")  # bad.rq lacks its header
    (tmp_path / "queries" / "good.rq").write_text(GOOD, encoding="utf-8")
    (tmp_path / "queries" / "checks" / "thing-violation.rq").write_text("# finds things\nSELECT ?s {}\n")
    assert (find_query(project, "good").summary, find_query(project, "good.rq").form) == ("s", "ASK")
    check = find_query(project, "checks/thing-violation")
    assert (check.check, check.summary, check.form) == (True, "finds things", "SELECT")
    with pytest.raises(KgError) as error:  # the named file itself is still checked
        find_query(project, "bad")
    assert str(error.value) == "queries/bad.rq:1: missing header: a library query begins with '# summary: ...'"


def test_find_query_stays_inside_the_library(tmp_path: Path) -> None:
    project = _project_with(tmp_path, GOOD)
    (tmp_path / "outside.rq").write_text(GOOD, encoding="utf-8")
    with pytest.raises(KgError) as error:
        find_query(project, "../outside")
    assert str(error.value) == "no library query named '../outside' (`kg queries` lists them all)"


def test_a_name_in_both_folders_is_an_error(tmp_path: Path) -> None:
    project = _project_with(tmp_path, GOOD)
    (tmp_path / "queries" / "checks" / "bad.rq").write_text("# finds things\nSELECT ?s {}\n")
    with pytest.raises(KgError) as error:
        find_query(project, "bad")
    assert str(error.value) == "queries/checks/bad.rq: query name 'bad' is also queries/bad.rq"


# --- parameters ---------------------------------------------------------------------------

def test_parse_param_gives_iris_literals_and_typed_literals() -> None:
    import pyoxigraph as ox

    xsd = PREFIXES["xsd"]
    assert parse_param("actor=ptr:trump") == ("actor", ox.NamedNode(PTR + "trump"))
    assert parse_param("?x=<http://example.org/a>") == ("x", ox.NamedNode("http://example.org/a"))
    assert parse_param('l="Donald Trump"@en') == ("l", ox.Literal("Donald Trump", language="en"))
    assert parse_param('n="1"^^xsd:integer') == ("n", ox.Literal("1", datatype=ox.NamedNode(xsd + "integer")))
    assert parse_param('s="quoted"') == ("s", ox.Literal("quoted"))
    assert parse_param("s=plain text") == ("s", ox.Literal("plain text"))
    assert parse_param('s="} ; DROP ALL') == ("s", ox.Literal('"} ; DROP ALL'))
    assert parse_param("s=unknownprefix:x") == ("s", ox.Literal("unknownprefix:x"))


@pytest.mark.parametrize("text, message", [
    ("actor", "--param 'actor': expected NAME=VALUE, NAME a SPARQL variable name"),
    ("1x=a", "--param '1x=a': expected NAME=VALUE, NAME a SPARQL variable name"),
    ("x=<not an iri>", "--param x: <not an iri> is not a valid IRI: Invalid IRI code point ' '"),
])
def test_parse_param_rejects_bad_input(text: str, message: str) -> None:
    with pytest.raises(KgError) as error:
        parse_param(text)
    assert str(error.value) == message


# --- the questions users ask, answered as the article answers them ---------------------------

def ask(project: Project, store, name: str, layers: tuple[str, ...] | None = None, **params: str) -> list[dict[str, str]]:
    """Rows of a library query as dicts of compact strings (ptr:trump, pt:oppose, plain literals);
    `layers` as `kg query --layers` (default: every graph)."""
    bound = dict(parse_param(f"{k}={v}") for k, v in params.items())
    result = run_query(store, find_query(project, name).text, bound, timeout=30, layers=layers)
    return [{v: compact(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]


def column(rows: list[dict[str, str]], name: str) -> set[str]:
    return {r[name] for r in rows if name in r}


def test_who_rejected_the_april_us_peace_plan(project: Project, store) -> None:
    # "Both sides reject the plan, with Sergey Ryabkov, a Putin foreign policy adviser,saying
    # "we can't accept it all in its current form" and Zelenskyy insisting that Ukraine will
    # never recognize Moscow's control over Crimea. "There's nothing to talk about here,"Zelenskyy said."
    rows = ask(project, store, "who-rejected-the-us-peace-plan")
    assert column(rows, "rejecter") == {"ptr:russia", "ptr:ukraine"}
    how = {(r["rejecter"], r["speaker"], r.get("quotation")) for r in rows if r["speaker"] not in
           ("ptr:russia", "ptr:ukraine")}
    assert ("ptr:russia", "ptr:ryabkov", "we can't accept it all in its current form") in how
    assert ("ptr:ukraine", "ptr:zelenskyy", "There's nothing to talk about here,") in how
    assert {s for _, s, _ in how} == {"ptr:ryabkov", "ptr:zelenskyy"}


def test_exactly_russia_and_ukraine_oppose_the_us_peace_plan(project: Project, store) -> None:
    # "Days later, the U.S. proposes a peace plan ... Both sides reject the plan"
    assert run_query(store, find_query(project, "does-russia-oppose-the-us-peace-plan").text).boolean is True
    graph = run_query(store, find_query(project, "stance-network").text)
    opposes, plan = PREFIXES["pt"] + "opposes", PTR + "proposal-us-peace-plan"
    opponents = {t.subject.value for t in graph.triples if t.predicate.value == opposes and t.object.value == plan}
    assert opponents == {PTR + "russia", PTR + "ukraine"}


def test_which_concessions_were_asked_of_ukraine_and_by_whom(project: Project, store) -> None:
    # "Hegseth also suggested that Kyiv would have topermanently cede some territory ... including Crimea"
    # "a White House proposal offering the U.S.access to Ukraine's critical mineral reserves"
    # "the U.S. proposes a peace plan ... Kyiv would forgo NATO membership — meeting a key Kremlin demand."
    # "they would require difficult concessions from Ukraine" / Kyiv "could agree not to pursue NATO
    # membership ... and not [to attempt] to reclaim territory currently held by Russian forces." (Jones)
    rows = ask(project, store, "which-concessions-were-asked-of-ukraine-and-by-whom")
    asked = {(r["raisedBy"], r["modality"]) for r in rows}
    assert asked == {("ptr:hegseth", "suggested"), ("ptr:trump-administration", "proposed"),
                     ("ptr:united-states", "proposed"), ("ptr:kremlin", "demanded"),
                     ("ptr:seth-jones", "required"), ("ptr:seth-jones", "hypothetical")}
    crimea = [r for r in rows if r["raisedBy"] == "ptr:hegseth"]
    assert {r["concession"] for r in crimea} == {"ptr:concession-cede-territory-crimea"}


def test_which_ceasefires_russia_agreed_to(project: Project, store) -> None:
    # "he didagreeto an immediate halt to strikes on Ukraine's energy infrastructure"
    # "Moscow agreed to aBlack Sea ceasefire"; "On April 19, Russia announces a 30-hour Easter truce"
    # and not: "Putin rejected a broader truce"
    rows = ask(project, store, "which-ceasefires-russia-agreed-to")
    assert {(r["proposal"], r["holder"]) for r in rows} == {
        ("ptr:proposal-energy-strike-halt", "ptr:putin"),
        ("ptr:proposal-black-sea-ceasefire", "ptr:russia"),
        ("ptr:proposal-easter-truce", "ptr:russia"),
    }


def test_whose_figure_is_400000_and_with_what_bound(project: Project, store) -> None:
    # "whileZelenskyy has saidmore than a total of 400,000 Ukrainian forcesbeen killed or injured"
    (row,) = ask(project, store, "whose-figure-is-400000-and-with-what-bound")
    assert (row["claimant"], row["bound"], row["measure"]) == (
        "ptr:zelenskyy", "pt:moreThan", "Ukrainian forces killed or injured")
    # "an estimated790,000 Russian soldiers have been killed or injured since the Feb. 24, 2022, invasion"
    (row,) = ask(project, store, "whose-figure-is-400000-and-with-what-bound", value='"790000"^^xsd:decimal')
    assert (row["claimant"], row["bound"], row["since"]) == (
        "ptr:united-states", "pt:estimate", "ptr:event-invasion-2022")


def test_what_happened_on_feb_28_and_who_took_part(project: Project, store) -> None:
    # "traveling to Washington for anow-infamous meetingat the White House on Feb. 28 ...
    # President Trump and Vice President Vance publicly scolded Zelenskyy"
    rows = ask(project, store, "what-happened-on-a-day-and-who-took-part")
    assert column(rows, "occasion") == {"ptr:event-oval-office-meeting-feb-28"}
    assert column(rows, "participant") == {"ptr:trump", "ptr:vance", "ptr:zelenskyy"}
    scolding = {(r["role"], r["participant"]) for r in rows if r["event"] == "ptr:event-oval-office-scolding"}
    assert scolding == {("pt:agent", "ptr:trump"), ("pt:agent", "ptr:vance"), ("pt:recipient", "ptr:zelenskyy")}


def test_which_statements_are_conditional_and_on_what(project: Project, store) -> None:
    # "Ukraine announced it would accept a limited 30-day ceasefire, provided Russian forces reciprocated."
    # "If a full ceasefire truly takes hold, Ukraine proposes extending it beyond Easter Day on April 20."
    # "he is prepared to"just back away"and allow the fighting to continue if the two leaders can't make
    # progress soon."
    rows = ask(project, store, "which-statements-are-conditional-and-on-what")
    assert {(r["holder"], r["target"], r["condition"]) for r in rows} == {
        ("ptr:ukraine", "ptr:proposal-30-day-ceasefire", "provided Russian forces reciprocated"),
        ("ptr:ukraine", "ptr:proposal-easter-truce-extension", "If a full ceasefire truly takes hold"),
        ("ptr:zelenskyy", "ptr:proposal-easter-truce-extension", "If a full ceasefire truly takes hold"),
        ("ptr:trump", "ptr:proposal-us-back-away", "if the two leaders can't make progress soon"),
    }


def test_which_sentence_supports_that_putin_agreed_to_halt_energy_strikes(project: Project, store,
                                                                         article) -> None:
    # Line 23: "While Putin rejected a broader truce, he didagreeto an immediate halt to strikes on
    # Ukraine's energy infrastructure."
    rows = ask(project, store, "which-sentence-supports-that-putin-agreed-to-halt-energy-strikes")
    assert column(rows, "line") == {"23"}
    assert column(rows, "sentence") == {"While Putin rejected a broader truce, he didagreeto an immediate halt "
                                        "to strikes on Ukraine's energy infrastructure."}
    for row in rows:
        assert article.text[int(row["start"]):int(row["end"])] == row["exact"]
        assert article.text[int(row["sentenceStart"]):int(row["sentenceEnd"])] == row["sentence"]


def test_evidence_offsets_point_at_the_quoted_words(project: Project, store, article) -> None:
    rows = ask(project, store, "evidence-for-a-node", node="ptr:stance-ukraine-30-day-ceasefire")
    assert [r["exact"] for r in rows] == [
        "Ukraine announced it would accept a limited 30-day ceasefire, provided Russian forces reciprocated."]
    assert all(article.text[int(r["start"]):int(r["end"])] == r["exact"] for r in rows)
    assert column(rows, "line") == {"23"}


def test_who_acts_on_behalf_of_whom(project: Project, store) -> None:
    # "Ukrainian President Volodymyr Zelenskyy and Russian President Vladimir Putin";
    # "Sergey Ryabkov, a Putin foreign policy adviser"; "Kremlin spokesperson Dmitry Peskov";
    # "his Russian counterpart, Sergey Lavrov"
    pairs = {(r["person"], r["principal"]) for r in ask(project, store, "who-acts-on-behalf-of-whom")}
    assert {("ptr:zelenskyy", "ptr:ukraine"), ("ptr:putin", "ptr:russia"), ("ptr:ryabkov", "ptr:putin"),
            ("ptr:peskov", "ptr:kremlin"), ("ptr:lavrov", "ptr:russia")} <= pairs
    # The article never says whose Vice President Vance or whose Secretary of Defense Hegseth is; the
    # inferred layer gives the United States from the context (see test_which_us_officials...).
    assert {("ptr:vance", "ptr:united-states"), ("ptr:hegseth", "ptr:united-states")} <= pairs


def test_which_us_officials_and_on_what_grounds(project: Project, store) -> None:
    # Asserted, the words name the state: "Delegations from U.S., led by Secretary of State Marco Rubio";
    # Trump: "if America is involved, because he feels our involvement" (his post).
    # Inferred, from the graph's readings: "President Trump and Vice President Vance publicly scolded
    # Zelenskyy, accusing him of lacking gratitude for American assistance"; Hegseth only by "also"
    # ("Secretary of Defense Pete Hegseth also suggested"); "President Joe Biden" (a podcast remark) led
    # "the Biden administration", past policy set against "the U.S. willingness": held, not holds.
    rows = ask(project, store, "which-us-officials-and-on-what-grounds")
    assert [(r["person"], r["office"], r["layer"]) for r in rows] == [
        ("ptr:trump", "President", "asserted"),
        ("ptr:biden", "President", "inferred"),
        ("ptr:rubio", "Secretary of State", "asserted"),
        ("ptr:hegseth", "Secretary of Defense", "inferred"),
        ("ptr:vance", "Vice President", "inferred"),
    ]
    reasons = {r["person"]: r.get("reason") for r in rows}
    assert reasons["ptr:trump"] is None and reasons["ptr:rubio"] is None
    # "President Trump and Vice President Vance publicly scolded Zelenskyy"
    assert reasons["ptr:vance"] == (
        "The article does not say for which state Vance holds this office; Vance acts together with Donald Trump, "
        "who leads the Trump administration (pt:ledBy): \"President Trump and Vice President Vance publicly scolded "
        "Zelenskyy, accusing him of lacking gratitude for American assistance.\", which the graph reads as an act "
        "within that administration (pt:serviceContext), and the graph reads the Trump administration as part of a "
        "state's government (pt:partOfGovernment): United States.")
    # "the U.S. willingness for a high-level meeting ... Secretary of Defense Pete Hegseth also suggested"
    assert reasons["ptr:hegseth"] == (
        "The article does not say for which state Pete Hegseth holds this office; \"Secretary of Defense Pete Hegseth "
        "also suggested that Kyiv would have topermanently cede some territory illegally seized by Russia, including "
        "Crimea\" comes right after \"the U.S. willingness for a high-level meeting with Kremlin officials\" "
        "(pt:inAdditionTo), which the graph gives to United States (pt:holder or pt:agent): that Pete Hegseth serves "
        "United States is the graph's reading of \"also\".")
    assert reasons["ptr:biden"] == (
        "The article does not say for which state Joe Biden held this office, nor when; Joe Biden led the Biden "
        "administration (pt:ledBy), which the graph reads as part of a state's government (pt:partOfGovernment): "
        "United States.")


def test_events_by_plover_type(project: Project, store) -> None:
    rows = ask(project, store, "events-by-plover-type")
    coded = ask(project, store, "events-by-type", type="pt:Event")
    # every CAMEO-coded event, in both schemes; one row per context, and only the planned talks have two
    assert len({r["event"] for r in rows}) == 77 and len(rows) == 78
    # "a drone strike in Kharkiv"; "a massivedrone and missile strikeon Ukraine"; "Russia's continued airstrikes
    # on Kyiv" (CAMEO 195, aerial weapons); "the Feb. 24, 2022, invasion" and "the fighting" (190); the start
    # of the war ("since the war began") is a point in time, coded in neither scheme
    assault = [(r["event"], r.get("mode", ""), r["context"], r["cameo"]) for r in rows if r["ploverType"] == "plover:ASSAULT"]
    assert assault == [
        ("ptr:event-invasion-2022", "", "military", "190"),
        ("ptr:event-kharkiv-drone-strike", "heavy-weapons", "military", "195"),
        ("ptr:event-may-25-strike", "heavy-weapons", "military", "195"),
        ("ptr:event-russian-strikes-on-kyiv", "heavy-weapons", "military", "195"),
        ("ptr:event-war-in-ukraine", "", "military", "190"),
    ]
    # "Trumpmade separate callsto Vladimir Putin and Volodymyr Zelenskyy": CONSULT by phone
    phone = {r["event"] for r in rows if r.get("mode") == "phone"}
    assert phone == {"ptr:event-trump-putin-call", "ptr:event-trump-zelenskyy-call"}
    # "The Kremlin's planned talks in Istanbul on Monday": the only event in PLOVER's future context
    assert [r["event"] for r in rows if r.get("context") == "future"] == ["ptr:event-istanbul-round-two"]
    assert [r.get("context") for r in rows if r["event"] == "ptr:event-istanbul-round-two"] == ["diplomatic", "future"]
    # "He then announced plans for an in-person meeting with the Russian leader in Saudi Arabia" / "But days
    # later, it wasn't Trump and Putin sitting down together": never held, so PLOVER's "negation" context and
    # no mode (nothing says who hosted it)
    assert [(r.get("mode"), r.get("context")) for r in rows if r["event"] == "ptr:event-trump-putin-meeting-saudi-arabia"
            ] == [(None, "negation")]
    assert [r["event"] for r in rows if r.get("context") == "negation"] == ["ptr:event-trump-putin-meeting-saudi-arabia"]
    # "Russia announces a 30-hour Easter truce, which Ukraine accepts", "Moscow agreed to aBlack Sea ceasefire":
    # declarations, so CONCEDE; RETREAT is what took effect: the truce "both sides accuse each other of
    # violating" (mode ceasefire) and the exchange ("over 1,000 detainees released by each side").
    assert [(r["event"], r["mode"]) for r in rows if r["ploverType"] == "plover:RETREAT"] == [
        ("ptr:event-easter-truce", "ceasefire"), ("ptr:event-prisoner-exchange", "release")]
    assert {"ptr:event-russia-announces-easter-truce", "ptr:event-ukraine-accepts-easter-truce",
            "ptr:event-russia-agrees-black-sea-ceasefire"} <= {
        r["event"] for r in rows if r["ploverType"] == "plover:CONCEDE"}
    # "Facilitated by Turkey, the meeting resulted in a prisoner exchange": the one third-party meeting
    assert [r["event"] for r in rows if r.get("mode") == "third-party"] == ["ptr:event-istanbul-direct-talks"]
    # "the intelligence that the U.S. has provided": one-way, AID (COOPERATE is "mutual"); "He later
    # relented, traveling to Washington ... to finalize the deal": AGREE, economic (CAMEO 0311)
    coded_as = {r["event"]: (r["ploverType"], r.get("context")) for r in rows}
    assert coded_as["ptr:event-us-intelligence-provision"] == ("plover:AID", "intelligence")
    assert coded_as["ptr:event-zelenskyy-relents-minerals"] == ("plover:AGREE", "economic")
    # "Both sides reject the plan" (127, meet); "Putin rejected a broader truce" (1246, yield); "Zelenskyy
    # rejected a White House proposal offering the U.S.access to Ukraine's critical mineral reserves" (1211)
    rejects = {r["event"]: (r.get("mode"), r.get("context"), r["cameo"]) for r in rows if r["ploverType"] == "plover:REJECT"}
    assert rejects["ptr:event-russia-rejects-peace-plan"] == rejects["ptr:event-ukraine-rejects-peace-plan"] == (
        "meet", "diplomatic", "127")
    assert rejects["ptr:event-putin-rejects-broader-truce"] == ("yield", "military", "1246")
    assert rejects["ptr:event-zelenskyy-rejects-minerals-proposal"] == ("assist", "economic", "1211")
    # "both sides accuse each other of violating the truce", "alsoaccusedRussia": CAMEO 112 accusations are
    # ACCUSE allege ("formally or informally accuse"), not disapprove
    assert {r["mode"] for r in rows if r["cameo"] == "112"} == {"allege"}
    # comments and appeals (CAMEO 01/02) have no PLOVER counterpart: Hegseth's suggestion (025), the
    # analysts' remarks (010, 012), Zelenskyy's "inflammatory statements" (010). "Vladimir, STOP!" is an
    # order: DEMAND, mode yield (CAMEO 1056).
    none = {r["event"]: r["cameo"] for r in rows if r["ploverType"] == "pt:noPloverCounterpart"}
    assert len(none) == 17 and set(none.values()) == {"010", "012", "013", "014", "025"}
    assert [(r["ploverType"], r["mode"], r["context"], r["cameo"]) for r in rows
            if r["event"] == "ptr:event-trump-post-vladimir-stop"] == [("plover:DEMAND", "yield", "military", "1056")]
    assert none["ptr:event-hegseth-suggests-ceding-territory"] == "025"
    # the events without a CAMEO code (the inauguration, the occasion, the rescuers' firefighting, which has
    # no recipient for AID, the start of the war, "the election": points in time or acts the codes do not
    # fit) are coded in neither scheme
    assert {r["event"] for r in coded} - {r["event"] for r in rows} == {
        "ptr:event-second-term-inauguration", "ptr:occasion-trump-reporters-may-25-attack",
        "ptr:event-kharkiv-firefighting", "ptr:event-war-begins", "ptr:event-the-election"}


def test_events_in_saudi_arabia_include_places_within_it(project: Project, store) -> None:
    # "high-level talks in Jeddah, Saudi Arabia";
    # "an in-person meeting with the Russian leader in Saudi Arabia"
    rows = ask(project, store, "events-by-place", place="ptr:saudi-arabia")
    assert {"ptr:event-jeddah-talks", "ptr:event-trump-putin-meeting-saudi-arabia"} <= column(rows, "event")
    assert column(rows, "place") == {"ptr:saudi-arabia"}
    # The article never says Riyadh is in Saudi Arabia, so the Riyadh talks are not found here.
    assert "ptr:event-riyadh-talks" not in column(rows, "event")


def test_dated_events_in_may(project: Project, store) -> None:
    # "Delegations ... attend at a meeting at Dolmabahce Palace in Istanbul, on May 16, 2025."
    # "Russian and Ukrainian officialsmeet face-to-facein Istanbul on May 16"
    # "On May 25, Russian forces launched a massivedrone and missile strikeon Ukraine"
    # The article gives a year only in the caption; "May 16" and "May 25" get theirs from the
    # publication date, which is outside knowledge (the external layer).
    window = {"from": '"2025-05-01"^^xsd:date', "to": '"2025-05-31"^^xsd:date'}
    rows = ask(project, store, "events-in-a-date-range", layers=("asserted", "inferred"), **window)
    assert {(r["date"], r["event"]) for r in rows} == {
        ("2025-05-16", "ptr:event-istanbul-delegations-meeting-2025-05-16"),
    }
    rows = ask(project, store, "events-in-a-date-range", layers=("asserted", "inferred", "external"), **window)
    assert {("2025-05-16", "ptr:event-istanbul-direct-talks"), ("2025-05-25", "ptr:event-may-25-strike")} <= \
        {(r.get("date"), r["event"]) for r in rows}


def test_who_met_rubio_and_the_calls_after_the_inauguration(project: Project, store) -> None:
    # "Secretary of State Marco Rubiomet with his Russian counterpart, Sergey Lavrov."
    # "Trumpmade separate callsto Vladimir Putin and Volodymyr Zelenskyy."
    rows = ask(project, store, "who-met-or-called-whom")
    by_event: dict[str, set[str]] = {}
    for r in rows:
        by_event.setdefault(r["event"], set()).add(r["participant"])
    assert by_event["ptr:event-rubio-lavrov-meeting"] == {"ptr:rubio", "ptr:lavrov"}
    assert by_event["ptr:event-trump-putin-call"] == {"ptr:trump", "ptr:putin"}
    assert by_event["ptr:event-trump-zelenskyy-call"] == {"ptr:trump", "ptr:zelenskyy"}


def test_zelenskyy_changed_his_stance_on_the_minerals_deal(project: Project, store) -> None:
    # "Initially, Zelenskyy rejected a White House proposal ... He later relented"
    rows = ask(project, store, "stance-changes-over-time", holder="ptr:zelenskyy")
    assert {(r["target"], r["earlierPolarity"], r["laterPolarity"]) for r in rows} == {
        ("ptr:proposal-minerals-deal", "pt:oppose", "pt:support")}


def test_quotations_by_zelenskyy(project: Project, store) -> None:
    # Zelenskyy, remaining composed, replied: "I'm not playing cards. I'm very serious, Mr. President."
    # Zelenskyy alsoaccusedRussia of engaging in "yet another deception"
    words = column(ask(project, store, "quotations-by-speaker", speaker="ptr:zelenskyy"), "words")
    assert {"I'm not playing cards. I'm very serious, Mr. President.", "yet another deception",
            "There's nothing to talk about here,"} <= words


def test_analysts_and_their_institutions(project: Project, store) -> None:
    # "Seth Jones, president of the defense and security department of the Center for Strategic and
    # International Studies (CSIS)"; "Samuel Charap, distinguished chair ... at the RAND researchinstitute"
    rows = ask(project, store, "analysts-assessments")
    assert {(r["analyst"], r["institution"]) for r in rows} == {
        ("ptr:seth-jones", "ptr:csis"), ("ptr:samuel-charap", "ptr:rand")}


def test_place_names_used_for_governments_point_at_their_words(project: Project, store, article) -> None:
    # "Kyiv would have topermanently cede"; "Moscow agreed"; "Kremlin spokesperson Dmitry Peskov"
    rows = ask(project, store, "place-names-used-for-governments")
    assert {("Kyiv", "ptr:ukraine"), ("Moscow", "ptr:russia"), ("Kremlin", "ptr:kremlin")} <= {
        (r["surface"], r["actor"]) for r in rows}
    assert all(article.text[int(r["start"]):int(r["end"])] == r["surface"] for r in rows)


def test_the_invasion_is_the_most_conflictual_russia_to_ukraine_event(project: Project, store) -> None:
    # "since the Feb. 24, 2022, invasion of Ukraine": CAMEO 190 (use conventional military force),
    # Goldstein -10 in ontology/cameo.ttl, the lowest score on the scale.
    rows = ask(project, store, "coded-events-between-two-actors", agent="ptr:russia", recipient="ptr:ukraine")
    invasion = [r for r in rows if r["event"] == "ptr:event-invasion-2022"]
    assert [(r["code"], r["date"], float(r["score"])) for r in invasion] == [("cameo:190", "2022-02-24", -10.0)]
    pairs = ask(project, store, "cooperation-conflict-by-actor-pair", agent="ptr:russia")
    (pair,) = [r for r in pairs if r["recipient"] == "ptr:ukraine"]
    assert float(pair["lowest"]) == -10.0
    assert int(pair["events"]) == len({r["event"] for r in rows})
    assert int(pair["conflictual"]) >= 1


def test_planned_events(project: Project, store) -> None:
    # "The Kremlin's planned talks in Istanbul on Monday" are still to come; "He then announced plans for
    # an in-person meeting with the Russian leader in Saudi Arabia." / "it wasn't Trump and Putin sitting
    # down together" is announced and never held, not planned.
    rows = ask(project, store, "planned-events-not-yet-held")
    assert column(rows, "place") == {"ptr:istanbul"}
    assert len(rows) == 1
    # "The Kremlin's planned talks in Istanbul on Monday are intended as a follow-up" to the May 16 talks.
    (monday,) = [r for r in rows if r["event"] == "ptr:event-istanbul-round-two"]
    assert (monday["when"], monday["notBefore"]) == ("on Monday", "2025-05-16")
