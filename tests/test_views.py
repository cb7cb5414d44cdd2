"""Network views: small hand-made datasets with known networks, then the article's dataset."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from kg.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_VOCABULARY
from kg.problems import KgError
from kg.views import VIEWS, build_view, build_views, read_graphml, run_select, write_gexf, write_graphml

ROOT = Path(__file__).resolve().parents[1]
PTR = "https://w3id.org/peace-talks-kg/id/"
HEADER = """@prefix pt: <https://w3id.org/peace-talks-kg/ontology#> .
@prefix ptr: <https://w3id.org/peace-talks-kg/id/> .
@prefix cameo: <https://w3id.org/peace-talks-kg/cameo/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sem: <http://semanticweb.cs.vu.nl/2009/11/sem/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


def make_store(asserted: str, inferred: str = "") -> ox.Store:
    """A dataset like the build's: the real ontology and CAMEO codes as vocabulary, plus the given layers."""
    store = ox.Store()
    for name in ("peace-talks.ttl", "cameo.ttl"):
        store.load(path=str(ROOT / "ontology" / name), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode(str(GRAPH_VOCABULARY)))
    store.load((HEADER + asserted).encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(GRAPH_ASSERTED)))
    if inferred:
        store.load((HEADER + inferred).encode(), format=ox.RdfFormat.TURTLE,
                   to_graph=ox.NamedNode(str(GRAPH_INFERRED)))
    return store


TOY = """
ptr:a a pt:Person ; rdfs:label "A"@en ; pt:quote "A said" ; pt:evidence ptr:ev-a .
ptr:ev-a a pt:Evidence ; oa:hasTarget ptr:ev-a-t .
ptr:ev-a-t oa:hasSelector ptr:ev-a-s . ptr:ev-a-s oa:exact "A said" ; oa:start 10 ; oa:end 16 .
ptr:b a pt:State ; rdfs:label "B"@en .
ptr:c a pt:State ; rdfs:label "C"@en .
ptr:d a pt:Person ; rdfs:label "D"@en .
ptr:p a pt:Proposal ; rdfs:label "P"@en ; pt:concerns ptr:issue-x .
ptr:issue-x a pt:Issue ; skos:prefLabel "X"@en ; rdfs:label "X"@en .
ptr:e1 a pt:Criticism ; rdfs:label "A criticises B"@en ; pt:agent ptr:a, ptr:d ; pt:recipient ptr:b ;
    pt:cameoCode cameo:111 ; sem:hasTimeStamp "2025-03-02"^^xsd:date ; pt:quote "A criticised B" .
ptr:e2 a pt:NegotiationRound ; rdfs:label "talks"@en ; pt:attendee ptr:b, ptr:c ; pt:facilitator ptr:a ;
    pt:cameoCode cameo:046 ; sem:hasEarliestBeginTimeStamp "2025-04-01"^^xsd:date ;
    sem:hasLatestEndTimeStamp "2025-04-30"^^xsd:date .
ptr:e1 pt:precedes ptr:e2 .
ptr:s1 a pt:Stance ; rdfs:label "B for P"@en ; pt:holder ptr:b ; pt:target ptr:p ; pt:polarity pt:support ;
    pt:expressedIn ptr:e2 ; pt:quote "B backs P" .
ptr:s2 a pt:Stance ; rdfs:label "C for P"@en ; pt:holder ptr:c ; pt:target ptr:p ; pt:polarity pt:support .
ptr:s3 a pt:Stance ; rdfs:label "D for P (old)"@en ; pt:holder ptr:d ; pt:target ptr:p ; pt:polarity pt:support .
ptr:s4 a pt:Stance ; rdfs:label "D against P"@en ; pt:holder ptr:d ; pt:target ptr:p ; pt:polarity pt:oppose ;
    pt:supersedes ptr:s3 .
"""


@pytest.fixture(scope="module")
def toy() -> ox.Store:
    return make_store(TOY)


def short(node: str) -> str:
    return node.removeprefix(PTR)


def edges(view: nx.MultiDiGraph) -> list[tuple[str, str, str]]:
    return sorted((short(a), short(b), d["relation"]) for a, b, d in view.edges(data=True))


def test_interaction_edges_follow_roles(toy):
    view = build_view(toy, "interaction")
    # e1: two agents → one recipient: two directed edges, no edge between the co-agents a and d.
    # e2: facilitator a → each attendee; the attendees b and c meet each other (one undirected edge).
    assert edges(view) == [("a", "b", "agent→recipient"), ("a", "b", "facilitator→party"),
                           ("a", "c", "facilitator→party"), ("b", "c", "co-participant"),
                           ("d", "b", "agent→recipient")]
    edge = next(d for a, b, d in view.edges(data=True) if d["event"] == PTR + "e1" and short(a) == "a")
    # cameo:111 "Criticize or denounce" has Goldstein -2.0 in ontology/cameo.ttl.
    assert (edge["kind"], edge["cameo"], edge["goldstein"], edge["sign"], edge["date"]) == (
        "Criticism", "111", -2.0, -1, "2025-03-02")
    assert edge["quotes"] == ["A criticised B"]
    talks = next(d for *_, d in view.edges(data=True) if d["event"] == PTR + "e2")
    assert (talks["date"], talks["earliest"], talks["latest"], talks["goldstein"]) == ("", "2025-04-01", "2025-04-30", 7.0)


def test_nodes_carry_label_kind_evidence_and_no_literals(toy):
    view = build_view(toy, "whole")
    a = view.nodes[PTR + "a"]
    assert (a["label"], a["kind"], a["layer"], a["quotes"], a["spans"]) == ("A", "Person", "asserted", ["A said"], [[10, 16]])
    assert view.nodes[PTR + "e2"]["kind"] == "NegotiationRound"
    # Evidence annotations, their targets and selectors, classes and literals are never nodes.
    assert {short(n) for n in view} == {"a", "b", "c", "d", "p", "issue-x", "e1", "e2", "s1", "s2", "s3", "s4"}
    assert ("e1", "e2", "precedes") in edges(view)
    assert ("s4", "s3", "supersedes") in edges(view)


def test_stance_view_keeps_current_stances_only(toy):
    view = build_view(toy, "stance")
    # d's support (s3) is superseded by its opposition (s4).
    assert edges(view) == [("b", "p", "supports"), ("c", "p", "supports"), ("d", "p", "opposes")]
    signs = {short(a): d["sign"] for a, _, d in view.edges(data=True)}
    assert signs == {"b": 1, "c": 1, "d": -1}
    b_edge = next(d for a, _, d in view.edges(data=True) if short(a) == "b")
    assert (b_edge["event"], b_edge["kind"], b_edge["quotes"]) == (PTR + "e2", "NegotiationRound", ["B backs P"])


def test_agreement_view_signs_pairs(toy):
    view = build_view(toy, "agreement")
    got = sorted((short(a), short(b)) if a < b else (short(b), short(a)) for a, b in view.edges())
    assert got == [("b", "c"), ("b", "d"), ("c", "d")]
    assert view.edges[PTR + "b", PTR + "c"]["sign"] == 1
    assert view.edges[PTR + "b", PTR + "d"]["sign"] == -1
    assert view.edges[PTR + "c", PTR + "d"]["targets"] == [PTR + "p"]


def test_actor_issue_goes_through_the_target(toy):
    view = build_view(toy, "actor-issue")
    assert edges(view) == [("b", "issue-x", "supports"), ("c", "issue-x", "supports"), ("d", "issue-x", "opposes")]
    assert view.nodes[PTR + "issue-x"]["bipartite"] == 1


def test_timeline_orders_and_links_participants(toy):
    view = build_view(toy, "timeline")
    assert ("e1", "e2", "precedes") in edges(view)
    roles = sorted((short(a), short(b), d["role"]) for a, b, d in view.edges(data=True) if d["relation"] == "participant")
    assert roles == [("a", "e1", "agent"), ("a", "e2", "facilitator"), ("b", "e1", "recipient"),
                     ("b", "e2", "attendee"), ("c", "e2", "attendee"), ("d", "e1", "agent")]


def test_timeline_drops_inferred_edges_a_chain_implies():
    data = TOY + "ptr:e3 a pt:Meeting ; rdfs:label \"later\"@en ; pt:attendee ptr:b, ptr:c . ptr:e2 pt:precedes ptr:e3 ."
    store = make_store(data, inferred="ptr:e1 pt:precedes ptr:e3 .")
    chain = [e for e in edges(build_view(store, "timeline")) if e[2] == "precedes"]
    assert chain == [("e1", "e2", "precedes"), ("e2", "e3", "precedes")]


def test_layers_choose_the_graphs():
    store = make_store(TOY, inferred="ptr:b pt:supports ptr:issue-x .")
    inferred = [(short(a), short(b), d["layer"]) for a, b, d in build_view(store, "stance").edges(data=True)
                if d["layer"] == "inferred"]
    assert inferred == [("b", "issue-x", "inferred")]
    assert all(d["layer"] == "asserted" for *_, d in build_view(store, "stance", ["asserted"]).edges(data=True))


def test_agreement_layer_comes_from_the_shared_targets_only():
    # b and c both support p (asserted). The rules also gave b a stance on the issue x, which c
    # takes no side on: that stance is not behind the b–c agreement, so the edge stays asserted.
    store = make_store(TOY, inferred="ptr:b pt:supports ptr:issue-x .")
    view = build_view(store, "agreement")
    assert view.edges[PTR + "b", PTR + "c"]["targets"] == [PTR + "p"]
    assert view.edges[PTR + "b", PTR + "c"]["layer"] == "asserted"
    # Once c shares the inferred target too, the pair rests partly on the inferred layer.
    both = make_store(TOY, inferred="ptr:b pt:supports ptr:issue-x . ptr:c pt:supports ptr:issue-x .")
    assert build_view(both, "agreement").edges[PTR + "b", PTR + "c"]["layer"] == "inferred"


def test_run_select_sees_the_chosen_layers():
    store = make_store(TOY, inferred="ptr:b pt:supports ptr:issue-x .")
    query = "SELECT ?h WHERE { GRAPH ?g { ?h pt:supports ?t } }"
    assert run_select(store, query, ["asserted"]) == []
    assert run_select(store, query, ["asserted", "inferred"]) == [{"h": PTR + "b"}]


def test_bad_names_are_usage_errors(toy):
    with pytest.raises(KgError, match=r"--views: unknown view\(s\) friends; choose from interaction, stance"):
        build_view(toy, "friends")
    with pytest.raises(KgError, match=r"--layers: unknown layer\(s\) guessed; choose from asserted, inferred, external"):
        build_view(toy, "interaction", ["guessed"])


def test_empty_dataset_gives_empty_views():
    views = build_views(make_store(""), VIEWS)
    assert {name: v.number_of_nodes() for name, v in views.items()} == dict.fromkeys(VIEWS, 0)


@pytest.mark.parametrize("name", VIEWS)
def test_graphml_round_trip_equals_the_view(toy, tmp_path, name):
    view = build_view(toy, name)
    write_graphml(view, tmp_path / "v.graphml")
    back = read_graphml(tmp_path / "v.graphml")
    assert type(back) is type(view)
    assert dict(back.nodes(data=True)) == dict(view.nodes(data=True))
    if view.is_multigraph():
        assert sorted(back.edges(keys=True, data=True), key=str) == sorted(view.edges(keys=True, data=True), key=str)
    else:
        assert sorted(back.edges(data=True), key=str) == sorted(view.edges(data=True), key=str)


def test_exports_are_deterministic(toy, tmp_path):
    for writer, suffix in ((write_graphml, "graphml"), (write_gexf, "gexf")):
        writer(build_view(toy, "whole"), tmp_path / f"1.{suffix}")
        writer(build_view(make_store(TOY), "whole"), tmp_path / f"2.{suffix}")
        assert (tmp_path / f"1.{suffix}").read_bytes() == (tmp_path / f"2.{suffix}").read_bytes()
    assert "json:[[10, 16]]" in (tmp_path / "1.graphml").read_text(encoding="utf-8")


def test_gexf_does_not_depend_on_the_day_it_is_written(toy, tmp_path, monkeypatch):
    import time

    view = build_view(toy, "whole")
    write_gexf(view, tmp_path / "today.gexf")
    real = time.strftime
    monkeypatch.setattr(time, "strftime", lambda fmt, *rest: real(fmt, time.gmtime(0)))  # 1970-01-01
    write_gexf(view, tmp_path / "other.gexf")
    assert (tmp_path / "other.gexf").read_bytes() == (tmp_path / "today.gexf").read_bytes()
    assert b"lastmodifieddate" not in (tmp_path / "today.gexf").read_bytes()


# ---------------------------------------------------------------- the article's dataset

def test_article_interaction_is_actors_only(store):
    view = build_view(store, "interaction")
    actor_kinds = {"Person", "State", "GovernmentBody", "InternationalOrganization", "ThinkTank",
                   "MediaOrganization", "ArmedForces", "Group", "Organization"}
    assert {d["kind"] for _, d in view.nodes(data=True)} <= actor_kinds
    assert view.nodes[PTR + "trump"]["label"] == "Donald Trump"


def test_article_scolding_edges(store):
    # "President Trump and Vice President Vance publicly scolded Zelenskyy": a criticism by
    # two agents of one recipient, CAMEO 111 (Goldstein -2.0), part of the Feb. 28 meeting.
    view = build_view(store, "interaction")
    scolding = PTR + "event-oval-office-scolding"
    got = sorted((short(a), short(b), d["cameo"], d["goldstein"]) for a, b, d in view.edges(data=True)
                 if d["event"] == scolding)
    assert got == [("trump", "zelenskyy", "111", -2.0), ("vance", "zelenskyy", "111", -2.0)]


def test_article_spans_point_at_the_quotes(store, article):
    text = article.text
    view = build_view(store, "whole")
    checked = 0
    for _, attrs in view.nodes(data=True):
        for start, end in attrs["spans"]:
            assert text[start:end] in attrs["quotes"]
            checked += 1
    assert checked > 100


def test_whole_view_switches_outside_dates_with_the_external_layer(store):
    # The Easter truce "On April 19, Russia announces a 30-hour Easter truce": outside reporting
    # dates it 2025-04-19 to 2025-04-21 (graph/external/resolved-dates.csv), a node of the external layer.
    from kg.views import build_view

    date = "https://w3id.org/peace-talks-kg/id/external-date/easter-truce"
    without = build_view(store, "whole", ("asserted", "inferred"))
    with_external = build_view(store, "whole", ("asserted", "inferred", "external"))
    assert date not in without
    attrs = with_external.nodes[date]
    assert (attrs["layer"], attrs["earliest"], attrs["latest"], attrs["quotes"]) == ("external", "2025-04-19", "2025-04-21", [])
    assert attrs["label"].endswith("(source: press reports of 2025-04-19/20)")
    assert list(with_external.successors(date)) == ["https://w3id.org/peace-talks-kg/id/event-easter-truce"]
