"""Network views: small hand-made datasets with known networks, then the article's dataset."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from kg.namespaces import GRAPH_ASSERTED, GRAPH_EXTERNAL, GRAPH_INFERRED, GRAPH_VOCABULARY, PREFIXES
from kg.problems import KgError
from kg.views import VIEWS, build_view, build_views, read_graphml, run_select, write_gexf, write_graphml

ROOT = Path(__file__).resolve().parents[1]
PTR = PREFIXES["ptr"]
PT = PREFIXES["pt"]
HEADER = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in PREFIXES.items())


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
    assert (a["label"], a["kind"], a["layer"], a["quotes"], a["spans"]) == ("A", "Person", "asserted", ["A said"], [["", 10, 16]])
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


def test_a_stance_on_a_proposal_is_not_a_position_on_its_issue(toy):
    # P concerns the issue X. Supporting P says nothing about whether one is "for" X: the link is
    # an unsigned "stance concerning", naming the proposal and the stance's own relation to it.
    view = build_view(toy, "actor-issue")
    assert edges(view) == [("b", "issue-x", "stanceConcerning"), ("c", "issue-x", "stanceConcerning"),
                           ("d", "issue-x", "stanceConcerning")]
    d = next(attrs for a, _, attrs in view.edges(data=True) if short(a) == "d")
    assert (d["sign"], d["stance_relation"], d["via"], d["label"], d["caption"]) == (
        0, "opposes", PTR + "p", "opposes P, which concerns it", "opposes a proposal on it")
    assert [PTR + "p", PT + "concerns", PTR + "issue-x", "asserted"] in d["evidence"]
    assert view.nodes[PTR + "issue-x"]["bipartite"] == 1


def test_a_stance_on_the_issue_itself_is_a_signed_position():
    store = make_store(TOY + """ptr:s5 a pt:Stance ; rdfs:label "B for X"@en ; pt:holder ptr:b ; pt:target ptr:issue-x ;
        pt:polarity pt:oppose .""")
    signed = [(short(a), short(b), d["relation"], d["sign"]) for a, b, d in build_view(store, "actor-issue").edges(data=True)
              if d["sign"]]
    assert signed == [("b", "issue-x", "opposes", -1)]


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
    assert "json:[[\"\", 10, 16]]" in (tmp_path / "1.graphml").read_text(encoding="utf-8")


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
        for source, start, end in attrs["spans"]:
            assert source == PTR + "article-npr-2025-trump-ukraine-peace"
            assert text[start:end] in attrs["quotes"]
            checked += 1
    assert checked > 100


def test_whole_view_switches_outside_dates_with_the_external_layer(store):
    # The Easter truce "On April 19, Russia announces a 30-hour Easter truce": outside reporting
    # dates it 2025-04-19 to 2025-04-21 (graph/external/resolved-dates.csv), a node of the external layer.
    from kg.views import build_view

    date = PTR + "external-date/easter-truce"
    without = build_view(store, "whole", ("asserted", "inferred"))
    with_external = build_view(store, "whole", ("asserted", "inferred", "external"))
    assert date not in without
    attrs = with_external.nodes[date]
    assert (attrs["layer"], attrs["earliest"], attrs["latest"], attrs["quotes"]) == ("external", "2025-04-19", "2025-04-21", [])
    assert attrs["label"].endswith("(source: press reports of 2025-04-19/20)")
    assert list(with_external.successors(date)) == [PTR + "event-easter-truce"]


# ---------------------------------------------------------------- every edge against its triples

ROLES = {PT + r for r in ("agent", "recipient", "host", "attendee", "facilitator")}
STANCE_PROPERTY = {"supports": PT + "support", "opposes": PT + "oppose", "conditionallySupports": PT + "conditionalSupport"}
LAYER_RANK = ("asserted", "inferred", "external")
# the words each act's sentence takes: "rejects the plan", "agreed to a ... ceasefire", "announces a ... truce"
ACT_WORD = {"Rejection": "of", "Acceptance": "of", "Agreement": "to", "Announcement": "of", "Statement": "on"}


def _supports(relation: str, holder: str, target: str, evidence: list) -> bool:
    """The evidence holds a stance of `holder` on `target` with the polarity of `relation`, or the direct edge."""
    triples = {tuple(t[:3]) for t in evidence}
    if (holder, PT + relation, target) in triples:
        return True
    stances = {s for s, p, o in triples if p == PT + "holder" and o == holder}
    return any((s, PT + "target", target) in triples and (s, PT + "polarity", STANCE_PROPERTY[relation]) in triples
               for s in stances)


def _against(relations: list[str]) -> bool:
    return all(r == "opposes" for r in relations)


def check_edge(view: str, graph: nx.Graph, u: str, v: str, d: dict) -> None:
    """What the derivation table in kg.views says an edge of `view` means, checked on its evidence."""
    ev = d["evidence"]
    triples = {tuple(t[:3]) for t in ev}
    assert ev, (view, u, v, d["relation"])
    assert d["layer"] == max((t[3] for t in ev), key=LAYER_RANK.index), (view, u, v)
    if view == "interaction":
        event = d["event"]
        roles_u = {p for s, p, o in triples if s == event and o == u and p in ROLES}
        roles_v = {p for s, p, o in triples if s == event and o == v and p in ROLES}
        need = {"agent→recipient": (PT + "agent", PT + "recipient"), "host→guest": (PT + "host", None),
                "facilitator→party": (PT + "facilitator", None), "co-participant": (None, None)}[d["relation"]]
        assert roles_u and roles_v, (u, v, d["relation"])
        assert need[0] is None or need[0] in roles_u, (u, v, d["relation"])
        assert need[1] is None or need[1] in roles_v, (u, v, d["relation"])
        if d["goldstein"] is not None:
            assert any(s == event and p == PT + "cameoCode" for s, p, o in triples)
    elif view == "stance":
        assert _supports(d["relation"], u, v, ev), (u, v, d["relation"])
    elif view == "agreement":
        for row in d["agreements"]:
            sides = [rel for rel in STANCE_PROPERTY if _supports(rel, row["a"], row["target"], ev)], \
                    [rel for rel in STANCE_PROPERTY if _supports(rel, row["b"], row["target"], ev)]
            assert sides[0] and sides[1], (u, v, row["target"])
            assert row["same"] == (_against(sides[0]) == _against(sides[1])), (u, v, row["target"])
        assert d["targets"] == sorted(row["target"] for row in d["agreements"])
    elif view == "actor-issue":
        if d["relation"] == "stanceConcerning":
            assert d["sign"] == 0
            assert _supports(d["stance_relation"], u, d["via"], ev)
            stance = d.get("stance")
            assert (d["via"], PT + "concerns", v) in triples or (stance, PT + "concerns", v) in triples, (u, v)
        else:
            assert _supports(d["relation"], u, v, ev), (u, v, d["relation"])  # the stance targets the issue itself
    elif view == "timeline":
        if d["relation"] == "participant":
            assert (v, PT + d["role"], u) in triples
        else:
            assert (u, PT + d["relation"], v) in triples
    elif view == "whole":
        if d["relation"] == "proposes":  # only a proposal act proposes; another act is named by its kind
            assert d["caption"] == ("proposes" if graph.nodes[u]["kind"] == "ProposalAct"
                                    else graph.nodes[u]["kind_label"] + " " + ACT_WORD[graph.nodes[u]["kind"]]), (u, v)
        if graph.nodes[u]["kind"] == "OutsideDate":
            assert (u, "https://schema.org/about", v) in triples
        else:
            assert len(triples) == 1 and next(iter(triples))[0] == u and next(iter(triples))[2] == v


@pytest.mark.parametrize("layers", [("asserted",), ("asserted", "inferred"), ("asserted", "inferred", "external")])
def test_every_edge_of_every_view_rests_on_its_triples(store, layers):
    views = build_views(store, VIEWS, layers)
    graphs = {name: iri for name, iri in zip(LAYER_RANK, (GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_EXTERNAL))}
    checked = 0
    for name, view in views.items():
        for u, v, d in view.edges(data=True):
            check_edge(name, view, u, v, d)
            for s, p, o, layer in d["evidence"]:
                assert layer in layers
                obj = ox.NamedNode(o)
                assert any(store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), obj, ox.NamedNode(str(graphs[layer])))), \
                    (name, s, p, o, layer)
            checked += 1
        # and no date of a layer left out, on a link or a node, with its source when it is an outside one
        for item in [d for _, _, d in view.edges(data=True)] + [a for _, a in view.nodes(data=True)]:
            for key in ("date", "earliest", "latest"):
                if item.get(key):
                    assert item[f"{key}_layer"] in layers, (name, key, item.get("label"))
                    assert item[f"{key}_layer"] != "external" or item[f"{key}_source"], (name, key, item.get("label"))
            assert all(layer in layers for _, _, layer in item.get("stated_dates", [])), (name, item.get("label"))
    assert checked > 500


def test_article_zelenskyy_takes_no_side_on_nato_membership(store):
    # "Zelenskyy has so far firmly rejected" conceding NATO membership (Jones) and insists that
    # Ukraine "will never recognize Moscow's control over Crimea". Neither is a stance against
    # NATO membership, nor against Crimea; the U.S. plan's provisions do not make the U.S. "for"
    # NATO membership, nor Russia "against" the occupied territories.
    view = build_view(store, "actor-issue", ("asserted", "inferred", "external"))
    signed = sorted((short(a), short(b), d["relation"]) for a, b, d in view.edges(data=True) if d["sign"])
    # "retaking Crimea has been a key strategic goal for Ukraine": a stance on the goal, which concerns
    # the issue of Crimea; not support for the issue itself (which covers ceding it too)
    assert signed == [("trump", "issue-peace", "supports"), ("trump", "issue-peace-negotiations", "supports")]
    retake = [d for a, b, d in view.edges(data=True) if short(a) == "ukraine" and short(b) == "issue-crimea"]
    assert [(d["relation"], d["stance_relation"]) for d in retake] == [("stanceConcerning", "supports")]
    crimea = [d for a, b, d in view.edges(data=True) if short(a) == "zelenskyy" and short(b) == "issue-crimea"]
    assert [(d["relation"], d["stance_relation"], d["quotes"]) for d in crimea] == [
        ("stanceConcerning", "opposes", ["Zelenskyy insisting that Ukraine will never recognize Moscow's control over Crimea"])]


# ---------------------------------------------------------------- dates by layer

DATED = """
ptr:early a pt:Meeting ; rdfs:label "early"@en ; sem:hasTimeStamp "2025-02-28"^^xsd:date .
ptr:mid a pt:Meeting ; rdfs:label "mid"@en .
ptr:late a pt:Meeting ; rdfs:label "late"@en ; sem:hasEarliestBeginTimeStamp "2025-03-10"^^xsd:date ;
    sem:hasLatestEndTimeStamp "2025-03-20"^^xsd:date .
ptr:loose a pt:Meeting ; rdfs:label "loose"@en .
ptr:war a pt:Event ; rdfs:label "the war"@en .
ptr:early pt:precedes ptr:mid . ptr:mid pt:precedes ptr:late .
"""
OUTSIDE = """
ptr:od a prov:Entity ; schema:about ptr:mid ; rdfs:label "outside date of mid"@en ;
    sem:hasEarliestBeginTimeStamp "2025-03-03"^^xsd:date ; sem:hasLatestEndTimeStamp "2025-03-05"^^xsd:date ;
    <http://purl.org/dc/terms/source> "press reports of 2025-03-03" .
"""


def dated_store(inferred: str = "") -> ox.Store:
    store = make_store(DATED, inferred=inferred or """
        ptr:mid sem:hasLatestEndTimeStamp "2025-06-02"^^xsd:date . ptr:loose sem:hasLatestEndTimeStamp "2025-06-02"^^xsd:date .""")
    store.load((HEADER + OUTSIDE).encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(GRAPH_EXTERNAL)))
    return store


def test_bounds_intersect_and_the_tightest_wins_with_its_layer():
    # mid: after early (2025-02-28, asserted), before late (ends by 2025-03-20, asserted), before
    # publication (2025-06-02, inferred), and 3-5 March by outside reporting.
    store = dated_store()
    article = build_view(store, "timeline", ("asserted", "inferred")).nodes[PTR + "mid"]
    assert (article["earliest"], article["earliest_layer"], article["earliest_via"]) == ("2025-02-28", "asserted", PTR + "early")
    assert (article["latest"], article["latest_layer"], article["latest_via"]) == ("2025-03-20", "asserted", PTR + "late")
    outside = build_view(store, "timeline", ("asserted", "inferred", "external")).nodes[PTR + "mid"]
    assert (outside["earliest"], outside["latest"], outside["earliest_layer"], outside["latest_source"]) == (
        "2025-03-03", "2025-03-05", "external", "press reports of 2025-03-03")
    assert outside["dates_by_layers"]["asserted,inferred"]["latest"] == "2025-03-20"
    assert outside["dates_by_layers"]["asserted"]["earliest"] == "2025-02-28"


def test_with_a_layer_off_none_of_its_dates_show():
    store = dated_store()
    for name in ("whole", "timeline"):
        for layers in (("asserted",), ("asserted", "inferred")):
            view = build_view(store, name, layers)
            days = {a[k] for _, a in view.nodes(data=True) for k in ("date", "earliest", "latest")}
            assert "2025-03-03" not in days and "2025-03-05" not in days
            if layers == ("asserted",):
                assert "2025-06-02" not in days
    whole = build_view(store, "whole", ("asserted", "inferred", "external"))
    assert whole.nodes[PTR + "mid"]["dates_by_layers"]["asserted"]["latest"] == "2025-03-20"
    assert whole.nodes[PTR + "mid"]["dates_by_layers"]["asserted,external"]["latest"] == "2025-03-05"


@pytest.mark.parametrize("status", ["ongoing", "upToTimeOfWriting"])
def test_an_open_state_gets_no_end_from_publication(status: str):
    # "the fighting on the ground continues unabated" (ongoing); "Zelenskyy has so far firmly rejected" (so far)
    store = make_store(DATED + f"ptr:war pt:status pt:{status} .",
                       inferred='ptr:war sem:hasLatestEndTimeStamp "2025-06-02"^^xsd:date .')
    war = build_view(store, "timeline", ("asserted", "inferred")).nodes[PTR + "war"]
    assert (war["latest"], war["status"]) == ("", status)


def test_an_outside_date_against_the_article_order_is_reported_not_merged():
    # The article puts "mid" after "early" (Feb. 28); outside reporting dates it Feb. 20.
    store = make_store(DATED)
    store.load((HEADER + OUTSIDE.replace("2025-03-03", "2025-02-20").replace("2025-03-05", "2025-02-20")).encode(),
               format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(GRAPH_EXTERNAL)))
    mid = build_view(store, "timeline", ("asserted", "external")).nodes[PTR + "mid"]
    assert (mid["earliest"], mid["earliest_layer"], mid["latest"], mid["latest_layer"]) == ("2025-02-28", "asserted", "2025-03-20", "asserted")
    assert mid["conflicts"] == ["no earlier than 2025-02-28 (asserted: after early) contradicts no later than 2025-02-20 "
                                "(external: press reports of 2025-02-20); the former is kept"]


def test_order_never_puts_an_event_before_one_that_precedes_it(store):
    for layers in (("asserted",), ("asserted", "inferred"), ("asserted", "inferred", "external")):
        view = build_view(store, "timeline", layers)
        for a, b, d in view.edges(data=True):
            if d["relation"] == "precedes":
                assert view.nodes[a]["order"] < view.nodes[b]["order"], (a, b, layers)


def test_article_dates_from_outside_are_tagged_and_switchable(store):
    # "he did agree to an immediate halt to strikes on Ukraine's energy infrastructure": the article
    # gives no date; outside reporting (press reports of 2025-03-18) does.
    halt = PTR + "event-putin-agrees-energy-strike-halt"
    whole = build_view(store, "whole", ("asserted", "inferred", "external"))
    attrs = whole.nodes[halt]
    assert (attrs["date"], attrs["date_layer"], attrs["date_source"]) == ("2025-03-18", "external", "press reports of 2025-03-18")
    assert attrs["dates_by_layers"]["asserted"]["date"] == ""
    assert "2025-03-18" not in {attrs["dates_by_layers"]["asserted,inferred"][k] for k in ("date", "earliest", "latest")}
    # "the 30-hour Easter truce": April 19 to 21 by outside reporting, not April 19 to publication.
    truce = whole.nodes[PTR + "event-easter-truce"]
    assert (truce["earliest"], truce["latest"], truce["latest_layer"]) == ("2025-04-19", "2025-04-21", "external")
    aid = whole.nodes[PTR + "event-aid-and-intelligence-suspension"]
    assert (aid["earliest"], aid["latest"]) == ("2025-03-03", "2025-03-05")


# ---------------------------------------------------------------- words

def test_captions_are_the_ontologys_labels(store):
    views = build_views(store, ["whole", "interaction", "timeline"], ("asserted", "inferred"))
    whole = {d["relation"]: d["caption"] for *_, d in views["whole"].edges(data=True)}
    assert (whole["hasProvision"], whole["expressedIn"], whole["partOf"]) == ("has provision", "expressed in", "part of")
    # "Both sides reject the plan": the rejection pt:answers the plan (it proposes nothing), captioned as
    # the act; "Moscow agreed to a Black Sea ceasefire" (who proposed it is not stated); "which Ukraine
    # said it was ready to attend". Trump "suggesting that he is prepared to 'just back away'" proposes
    # nothing: that suggestion is only about the option (pt:about), so it has no such edge.
    answers = {(short(a), short(b), d["caption"]) for a, b, d in views["whole"].edges(data=True)
               if d["relation"] in ("proposes", "announces", "answers")}
    assert answers == {
        ("event-putin-agrees-energy-strike-halt", "proposal-energy-strike-halt", "acceptance of"),
        ("event-putin-rejects-broader-truce", "proposal-broader-truce", "rejection of"),
        ("event-russia-agrees-black-sea-ceasefire", "proposal-black-sea-ceasefire", "agreement to"),
        ("event-russia-announces-easter-truce", "proposal-easter-truce", "announces"),
        ("event-russia-proposes-istanbul-talks", "proposal-istanbul-round-two", "proposes"),
        ("event-russia-rejects-peace-plan", "proposal-us-peace-plan", "rejection of"),
        ("event-trump-announces-putin-meeting", "proposal-trump-putin-meeting", "announces"),
        ("event-ukraine-would-accept-30-day-ceasefire", "proposal-30-day-ceasefire", "announcement on"),
        ("event-ukraine-accepts-easter-truce", "proposal-easter-truce", "acceptance of"),
        ("event-ukraine-ready-to-attend-round-two", "proposal-istanbul-round-two", "statement on"),
        ("event-ukraine-rejects-peace-plan", "proposal-us-peace-plan", "rejection of"),
        ("event-us-proposes-peace-plan", "proposal-us-peace-plan", "proposes"),
        ("event-white-house-minerals-proposal", "proposal-minerals-deal", "proposes"),
        ("event-zelenskyy-rejects-minerals-proposal", "proposal-minerals-deal", "rejection of"),
        ("event-zelenskyy-relents-minerals", "proposal-minerals-deal", "acceptance of"),
        ("event-zelenskyy-telegram-extension-proposal", "proposal-easter-truce-extension", "proposes")}
    calls = {d["caption"] for *_, d in views["interaction"].edges(data=True) if d["kind"] == "PhoneCall"}
    assert calls == {"phone call"}
    roles = {d["caption"] for *_, d in views["timeline"].edges(data=True) if d["relation"] == "participant"}
    assert "took part as recipient" in roles
    captions = {d["caption"] for view in views.values() for *_, d in view.edges(data=True)}
    assert not any(re.search(r"[a-z][A-Z]", c) for c in captions), captions


def test_hedges_are_the_schemes_pref_labels_with_their_layer(store):
    views = build_views(store, ["whole", "timeline"], ("asserted", "inferred"))
    whole = views["whole"]
    assert whole.nodes[PTR + "event-ryabkov-current-form-remark"]["modality"] == [["in its current form", "asserted"]]
    assert whole.nodes[PTR + "putin"]["modality"] == []
    hedged = {short(n): [m for m, _ in a["modality"]] for n, a in whole.nodes(data=True) if a["modality"]}
    assert {label for labels in hedged.values() for label in labels} <= {
        "demanded", "suggested", "proposed", "offered", "required", "hypothetical", "seemingly", "in its current form",
        "declared ready", "in the speaker's belief", "would consider", "showing signs of", "insisted"}
    # an event's edges carry its hedges: Ryabkov's remark took part in the timeline as his act
    remark = {tuple(map(tuple, d["modality"])) for _, _, d in views["timeline"].edges(data=True)
              if d["event"] == PTR + "event-ryabkov-current-form-remark"}
    assert remark == {(("in its current form", "asserted"),)}


def test_a_stance_shows_a_hedge_it_shares_with_its_act_once(store):
    # "which Ukraine said it was ready to attend" hedges both the readiness statement and Ukraine's stance
    views = build_views(store, ["stance", "actor-issue"], ("asserted", "inferred"))
    got = {(name, short(a), short(b), tuple(map(tuple, d["modality"]))) for name in views
           for a, b, d in views[name].edges(data=True) if d["modality"]}
    assert got == {
        ("stance", "ukraine", "proposal-istanbul-round-two", (("declared ready", "asserted"),)),
        # "Ukraine announced it would accept a limited 30-day ceasefire, provided Russian forces reciprocated"
        ("stance", "ukraine", "proposal-30-day-ceasefire", (("declared ready", "asserted"),)),
        ("actor-issue", "ukraine", "issue-30-day-ceasefire", (("declared ready", "asserted"),)),
        ("stance", "russia", "proposal-us-peace-plan", (("in its current form", "asserted"),)),
        ("stance", "trump", "proposal-us-back-away", (("suggested", "asserted"),)),
        ("actor-issue", "ukraine", "issue-peace-negotiations", (("declared ready", "asserted"),)),
        ("actor-issue", "russia", "issue-nato-membership", (("in its current form", "asserted"),)),
        ("actor-issue", "russia", "issue-territory", (("in its current form", "asserted"),)),
        ("actor-issue", "trump", "issue-us-engagement", (("suggested", "asserted"),)),
        # "Zelenskyy insisting that Ukraine will never recognize Moscow's control over Crimea": the act's modality
        ("stance", "zelenskyy", "outcome-ukraine-recognizes-russian-control-crimea", (("insisted", "asserted"),)),
        ("actor-issue", "zelenskyy", "issue-crimea", (("insisted", "asserted"),))}


def test_durations_in_words(store):
    from kg.views import duration_words

    assert [duration_words(d) for d in ("PT30H", "P1DT6H", "P30D", "P7D", "P14D", "PT90M", "P1Y")] == [
        "30 hours", "30 hours", "30 days", "1 week", "2 weeks", "90 minutes", "P1Y"]
    whole = build_view(store, "whole", ("asserted",))
    assert whole.nodes[PTR + "event-easter-truce"]["duration"] == "30 hours"


def test_agreement_names_its_targets_and_quotes_the_stances(store):
    view = build_view(store, "agreement", ("asserted", "inferred"))
    edge = view.edges[PTR + "russia", PTR + "ukraine"]
    truce = next(row for row in edge["agreements"] if short(row["target"]) == "proposal-easter-truce")
    assert (truce["same"], truce["a_side"], truce["b_side"]) == (True, "for", "for")
    assert {tuple(truce["a_quotes"]), tuple(truce["b_quotes"])} == {
        ("On April 19, Russia announces a 30-hour Easter truce",), ("a 30-hour Easter truce, which Ukraine accepts",)}
    assert "30-hour Easter truce (same side)" in edge["label"]


def test_a_stated_month_is_shown_as_the_month_with_no_year(store):
    # "According to aU.S. assessmentreleased in April": the month, and no year, in the source's own words
    from kg.views import stated_day_words

    release = build_view(store, "timeline", ("asserted",)).nodes[PTR + "event-us-assessment-release"]
    assert [(value, layer) for value, _, layer in release["stated_dates"]] == [("--04", "asserted")]
    assert [stated_day_words(value) for value, *_ in release["stated_dates"]] == ["April (no year stated)"]
    assert (stated_day_words("--02-28"), stated_day_words("--13")) == ("28 Feb", "--13")
