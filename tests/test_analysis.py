"""Network measures: small graphs with answers worked out by hand, then the article's graph."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from kg.analysis import (Analysis, Dating, balance, centrality, communities, contested, date_events, event_chain,
                         markdown, stance_matrix, trajectories)

PTR = "https://w3id.org/peace-talks-kg/id/"


def edge(relation="agent→recipient", event="", goldstein=None, sign=0, **extra):
    return {"relation": relation, "label": event or relation, "event": event, "goldstein": goldstein,
            "sign": sign, "cameo": "", **extra}


def interaction(*pairs: tuple[str, str, str, float]) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="interaction")
    for a, b, event, score in pairs:
        graph.add_node(a, label=a.rsplit("/", 1)[-1].upper())
        graph.add_node(b, label=b.rsplit("/", 1)[-1].upper())
        graph.add_edge(a, b, **edge(event=event, goldstein=score, sign=(score > 0) - (score < 0)))
    return graph


# ---------------------------------------------------------------- centrality

def test_star_centre_is_the_broker():
    # A star: h links four leaves. Every shortest path between two leaves passes h, so h's
    # normalised betweenness is 1 and every leaf's 0; degree of h is 4.
    view = interaction(*[("h", leaf, f"e{leaf}", 1.0) for leaf in "abcd"])
    result = centrality(view, min_nodes=2)
    assert result["broker"] == "h"
    top = result["ranking"][0]
    assert (top["node"], top["degree"], top["betweenness"]) == ("h", 4, 1.0)
    assert all(row["betweenness"] == 0 for row in result["ranking"][1:])


def test_path_betweenness_and_pagerank_direction():
    # a→b→c: b lies on the one a–c path: betweenness 1/C(2,2)... normalised over (n-1)(n-2)/2 = 1 pair → 1.0.
    # PageRank flows along the arrows, so the sink c ranks above a.
    view = interaction(("a", "b", "e1", 1.0), ("b", "c", "e2", 1.0))
    rows = {r["node"]: r for r in centrality(view)["ranking"]}
    assert rows["b"]["betweenness"] == 1.0 and rows["a"]["betweenness"] == 0.0
    assert rows["c"]["pagerank"] > rows["a"]["pagerank"]


def test_parallel_events_count_once_for_degree():
    view = interaction(("a", "b", "e1", 1.0), ("a", "b", "e2", -2.0), ("b", "a", "e3", 1.0))
    assert {r["node"]: r["degree"] for r in centrality(view)["ranking"]} == {"a": 1, "b": 1}


def test_sampled_betweenness_above_the_threshold_is_seeded():
    view = nx.MultiDiGraph(nx.path_graph(30))
    nx.relabel_nodes(view, str, copy=False)
    first = centrality(view, exact_max=10, k=8, seed=7)
    again = centrality(view, exact_max=10, k=8, seed=7)
    assert first["sampled"] and first["method"] == "betweenness sampled, k=8, seed=7"
    assert first["ranking"] == again["ranking"]
    assert not centrality(view)["sampled"]


@pytest.mark.parametrize("nodes", [0, 1])
def test_too_small_for_centrality_says_so(nodes):
    view = nx.MultiDiGraph(name="interaction")
    view.add_nodes_from(["only"][:nodes])
    result = centrality(view)
    plural = "s" if nodes != 1 else ""
    assert result["note"] == f"interaction network has {nodes} node{plural}: centrality needs at least 2"
    assert result["ranking"] == [] and result["broker"] is None


# ---------------------------------------------------------------- communities and balance

def agreement(*ties: tuple[str, str, int]) -> nx.Graph:
    # weight 2 on every tie, whatever its sign: balance must read `sign`, never `weight`.
    graph = nx.Graph(name="agreement")
    for a, b, sign in ties:
        graph.add_node(a, label=a.upper())
        graph.add_node(b, label=b.upper())
        graph.add_edge(a, b, sign=sign, weight=2)
    return graph


def test_two_camps_are_two_coalitions():
    # Two triangles of agreement joined only by disagreements: the camps {a,b,c} and {x,y,z}.
    camp = [("a", "b", 1), ("a", "c", 1), ("b", "c", 1), ("x", "y", 1), ("x", "z", 1), ("y", "z", 1)]
    result = communities(agreement(*camp, ("a", "x", -1), ("c", "z", -1)), min_nodes=2)
    assert [[m["node"] for m in g] for g in result["coalitions"]] == [["a", "b", "c"], ["x", "y", "z"]]
    # Two disjoint equal triangles: modularity = 2 · (1/2 − (1/2)²) = 0.5.
    assert result["modularity"] == 0.5
    greedy = communities(agreement(*camp), method="greedy", min_nodes=2)
    assert [[m["node"] for m in g] for g in greedy["coalitions"]] == [["a", "b", "c"], ["x", "y", "z"]]


def test_no_agreement_leaves_singletons():
    result = communities(agreement(("a", "b", -1)))
    assert [[m["node"] for m in g] for g in result["coalitions"]] == [["a"], ["b"]]


def test_balance_counts_and_names_unbalanced_triads():
    # Four closed triangles (e, tied to a only, is in none):
    #   abc: a–b +, a–c +, b–c −  → product −: unbalanced (a's two friends are enemies).
    #   abd: a–b +, a–d +, b–d −  → product −: unbalanced (the same with d).
    #   acd: a–c +, a–d +, c–d +  → product +: balanced (three friends).
    #   bcd: b–c −, b–d −, c–d +  → product +: balanced (friends c and d share the enemy b).
    view = agreement(("a", "b", 1), ("a", "c", 1), ("b", "c", -1), ("c", "d", 1), ("b", "d", -1),
                     ("a", "d", 1), ("a", "e", 1))
    result = balance(view, min_triads=1)
    assert (result["triads"], result["balanced"], result["unbalanced"]) == (4, 2, 2)
    assert [t["nodes"] for t in result["unbalanced_triads"]] == [["a", "b", "c"], ["a", "b", "d"]]


def test_balance_of_two_nodes_is_a_clear_note():
    assert balance(agreement(("a", "b", 1)))["note"] == "agreement network has 2 nodes: structural balance needs at least 3"


# ---------------------------------------------------------------- contested targets, matrix

def test_contested_targets_and_changes():
    view = nx.MultiDiGraph(name="stance")
    for n in ("a", "b", "c", "p", "q"):
        view.add_node(n, label=n.upper(), kind="Proposal" if n in "pq" else "State")
    view.add_edge("a", "p", **edge("supports", sign=1))
    view.add_edge("b", "p", **edge("conditionallySupports", sign=1))
    view.add_edge("c", "p", **edge("opposes", sign=-1))
    view.add_edge("a", "q", **edge("supports", sign=1))
    change = {"holder": "c", "holder_label": "C", "target": "p", "target_label": "P", "from": "support", "to": "oppose"}
    rows = contested(view, [change])
    assert [(r["target"], r["support"], r["oppose"], r["contested"]) for r in rows] == [("p", 2, 1, True), ("q", 1, 0, False)]
    assert rows[0]["conditionallySupports"] == ["B"] and rows[0]["changes"] == [change]


def test_stance_matrix_nets_signs():
    view = nx.MultiDiGraph()
    view.add_node("a", label="A")
    view.add_node("i", label="I")
    view.add_edge("a", "i", sign=1)
    view.add_edge("a", "i", sign=1)
    assert stance_matrix(view)["values"] == [[2]]


# ---------------------------------------------------------------- time

def timeline(nodes: dict[str, dict[str, str]], precedes=(), part_of=()) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="timeline")
    for node, dates in nodes.items():
        graph.add_node(node, **{"date": "", "earliest": "", "latest": "", **dates})
    for a, b in precedes:
        graph.add_edge(a, b, relation="precedes")
    for a, b in part_of:
        graph.add_edge(a, b, relation="partOf")
    return graph


def test_dating_uses_dates_bounds_order_and_parts():
    events = timeline({"d": {"date": "2025-02-28"}, "part": {}, "after": {"latest": "2025-02-28"},
                       "before": {"earliest": "2025-02-03"}, "loose": {"latest": "2025-06-02"},
                       "in-march": {"earliest": "2025-03-03", "latest": "2025-03-05"}},
                      precedes=[("before", "d"), ("d", "after")], part_of=[("part", "d")])
    dating = date_events(events)
    assert dating["d"] == Dating("2025-02", "2025-02-28", "2025-02-28", "date")
    assert dating["part"].month == "2025-02"  # within the dated meeting
    assert dating["after"].month == "2025-02"  # after Feb 28, by Feb 28
    assert dating["before"] == Dating("2025-02", "2025-02-03", "2025-02-28", "bounds")
    assert dating["in-march"].month == "2025-03"
    assert dating["loose"] == Dating("", "", "2025-06-02", "undated")


def test_trajectory_sums_per_month_once_per_event_and_side():
    view = interaction((PTR + "trump", PTR + "zelenskyy", "meet", 1.9), (PTR + "trump", PTR + "zelenskyy", "scold", -2.0),
                       (PTR + "vance", PTR + "zelenskyy", "scold", -2.0), (PTR + "trump", PTR + "putin", "call", 1.0),
                       (PTR + "trump", PTR + "united-states", "self", 9.0), (PTR + "trump", PTR + "putin", "later", 5.0))
    sides = {PTR + "trump": PTR + "united-states", PTR + "vance": PTR + "united-states",
             PTR + "zelenskyy": PTR + "ukraine", PTR + "putin": PTR + "russia"}
    dating = {"meet": Dating("2025-02"), "scold": Dating("2025-02"), "call": Dating("2025-03"),
              "later": Dating("", "2025-03-01", "2025-06-02", "undated")}
    result = trajectories(view, dating, sides, [("united-states", "ukraine"), ("united-states", "russia")])
    # Labels come from the view; Ukraine has no node of its own here, so its name falls back to the slug.
    assert list(result) == ["UNITED-STATES–ukraine", "UNITED-STATES–russia"]
    us_ua = result["UNITED-STATES–ukraine"]
    # Feb: meeting +1.9, scolding −2.0 once (two agents, one event) → −0.1. The US acting on itself is no pair.
    assert [(p["month"], p["goldstein"], p["sign"]) for p in us_ua["points"]] == [("2025-02", -0.1, -1)]
    us_ru = result["UNITED-STATES–russia"]
    assert [(p["month"], p["goldstein"]) for p in us_ru["points"]] == [("2025-03", 1.0)]
    assert [e["event"] for e in us_ru["undated"]] == ["later"]


def test_event_chain_names_the_events():
    view = interaction((PTR + "a", PTR + "b", "e1", 1.0), (PTR + "c", PTR + "b", "e2", 1.0), (PTR + "c", PTR + "d", "e3", 1.0))
    chain = event_chain(view, "a", "d")
    assert [(s["from"][-1], s["event"], s["to"][-1]) for s in chain["steps"]] == [("a", "e1", "b"), ("b", "e2", "c"), ("c", "e3", "d")]
    view.add_node(PTR + "z", label="Z")
    assert event_chain(view, "a", "z")["note"] == "no chain of events links A and Z"
    assert event_chain(view, "a", "nobody")["note"] == f"{PTR}nobody is not in the interaction network"


# ---------------------------------------------------------------- the report

HOSTILE = "[x](javascript:alert(1)) ![t](https://evil.example/t.png) **b** <script>"
INERT = r"\[x\]\(javascript\:alert\(1\)\) \!\[t\]\(https\://evil\.example/t\.png\) \*\*b\*\* &lt;script&gt;"


def test_report_shows_data_as_text_never_as_markdown():
    # No link, image, emphasis or HTML can come from a label, a kind, a polarity or a note.
    change = {"holder": "h", "holder_label": HOSTILE, "target": "t", "target_label": "P & Q_1 #2 `c`",
              "from": HOSTILE, "to": "oppose"}
    row = {"target": "t", "label": HOSTILE, "kind": HOSTILE, "support": 1, "oppose": 1, "contested": True,
           "supports": [HOSTILE], "conditionallySupports": [], "opposes": ["a|b\\c"], "changes": [change]}
    result = Analysis(["asserted"], {}, {"contested": [row], "balance": {"note": HOSTILE}})
    lines = markdown(result, {}).splitlines()
    assert f"| **{INERT}** | {INERT} | {INERT} |  | a\\|b\\\\c |" in lines
    assert f"- {INERT} on P &amp; Q\\_1 \\#2 \\`c\\`: {INERT} → oppose" in lines
    assert f"{INERT}." in lines


def test_a_failed_plot_leaves_no_file_behind(tmp_path, monkeypatch):
    import os

    from kg.plots import plot_trajectories

    points = {"A–B": {"points": [{"month": "2025-02", "goldstein": -0.1, "n": 2}, {"month": "2025-03", "goldstein": 1.0, "n": 1}],
                      "undated": [], "n": {"dated": 3, "months": 2}, "too_small": False}}
    assert plot_trajectories(points, tmp_path / "ok.png")
    assert (tmp_path / "ok.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left"):
        plot_trajectories(points, tmp_path / "failed.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.png"]


def test_trajectory_plot_has_a_true_time_axis_gaps_counts_and_the_undated(tmp_path, monkeypatch):
    # Feb and Mar 2025 joined, April empty (a gap, not zero), May alone; the 2022 invasion three years
    # earlier sits on its own cut-out stretch of the axis; the undated event is listed beside the plot.
    from matplotlib import dates as mdates

    from kg import plots

    def _month(x) -> str:  # matplotlib keeps the dates it was given, or their numbers
        return (x if hasattr(x, "strftime") else mdates.num2date(x)).strftime("%Y-%m")

    figures = []
    monkeypatch.setattr(plots, "_save", lambda fig, path: figures.append(fig))
    points = {"A–B": {"points": [{"month": "2022-02", "goldstein": -10.0, "n": 1}, {"month": "2025-02", "goldstein": -0.1, "n": 2},
                                 {"month": "2025-03", "goldstein": 1.0, "n": 1}, {"month": "2025-05", "goldstein": 3.0, "n": 4}],
                      "undated": [{"event": "x", "label": "Talks some time", "goldstein": 1.9}],
                      "n": {"dated": 8, "months": 4}, "too_small": False}}
    assert plots.plot_trajectories(points, tmp_path / "t.png")
    [fig] = figures
    invasion, talks, side = fig.axes

    def runs(ax):
        return [[_month(x) for x in line.get_xdata()] for line in ax.get_lines() if line.get_color() == "#2f6db5"]
    assert runs(invasion) == [["2022-02"]]
    assert runs(talks) == [["2025-02", "2025-03"], ["2025-05"]]
    assert [t.get_text() for t in talks.texts] == ["n=2", "n=1", "n=4"]
    assert side.texts[0].get_text() == "Undated (1), not plotted:\n• Talks some time (+1.9)"
    assert invasion.get_title(loc="left") == "A–B: 8 dated event(s) in 4 month(s)"
    assert "the time axis is cut where no event falls for more than a year" in " ".join(t.get_text() for t in fig.texts)


# ---------------------------------------------------------------- the article's graph

@pytest.fixture(scope="module")
def article_views(store):
    from kg.views import build_views

    return build_views(store, ["interaction", "stance", "agreement", "timeline"], ["asserted", "inferred"])


def test_article_top_broker_is_trump(article_views):
    # Trump "made separate calls to Vladimir Putin and Volodymyr Zelenskyy", hosted Zelenskyy at the
    # White House and posted "Vladimir, STOP!" at Putin: he is the person through whom the two
    # leaders are linked, so he lies on the most shortest paths between actors.
    assert centrality(article_views["interaction"])["broker"] == PTR + "trump"


def test_article_balance_russia_ukraine_against_the_us_plan(article_views):
    # Russia and Ukraine take the same side on the Easter truce (Russia announced it, Ukraine accepted),
    # on the second Istanbul round (Russia proposed it, Ukraine "ready to attend") and against the U.S.
    # peace plan (Ryabkov: not "in its current form"; Zelenskyy: "nothing to talk about"), which the
    # United States, its proposer, supports. The one signed triad Russia–Ukraine–United States is
    # (+, −, −): two parties sharing an opponent, balanced.
    result = balance(article_views["agreement"])
    assert (result["triads"], result["balanced"], result["unbalanced"]) == (1, 1, 0)


def test_article_coalition_russia_with_ukraine(article_views):
    # By the stances above, Russia and Ukraine agree on three targets and disagree on none, so the
    # agreement network puts them in one coalition; the United States, on the other side of the
    # plan, is not in it.
    groups = [{m["node"] for m in g} for g in communities(article_views["agreement"])["coalitions"]]
    together = next(g for g in groups if PTR + "russia" in g)
    assert PTR + "ukraine" in together and PTR + "united-states" not in together


def test_us_ukraine_february_with_outside_dates(store):
    # Feb. 28 (the only US–Ukraine day in the article; its year, 2025, comes from the publication
    # date, which is outside knowledge): the White House meeting (CAMEO 042, +1.9) during which
    # Trump scolded Zelenskyy (111, −2.0); the "cards" remarks are plain statements (010, 0):
    # −0.1. Outside reporting dates the Trump–Zelenskyy call (041, +1.0) in February too: +0.9.
    from kg.analysis import actor_sides
    from kg.views import build_views

    layers = ["asserted", "inferred", "external"]
    views = build_views(store, ["interaction", "timeline"], layers)
    result = trajectories(views["interaction"], date_events(views["timeline"]),
                          actor_sides(store, layers), [("united-states", "ukraine")])
    (trajectory,) = result.values()
    feb = trajectory["points"][0]
    assert (feb["month"], feb["goldstein"], feb["sign"]) == ("2025-02", 0.9, 1)
    assert {PTR + "event-oval-office-scolding", PTR + "event-trump-zelenskyy-call"} <= {e["event"] for e in feb["events"]}


def test_article_us_russia_months_need_outside_dates(store):
    # The article dates no US–Russia event: the calls came "Weeks after his inauguration", the
    # Rubio–Lavrov meeting "days later". With the article alone every such event is undated; the
    # external layer dates the Trump–Putin call and the Rubio–Lavrov meeting in February 2025, both
    # cooperative (041 phone call +1.0, 040 consult +1.0): February's sign is positive.
    from kg.analysis import actor_sides
    from kg.views import build_views

    def us_russia(layers):
        views = build_views(store, ["interaction", "timeline"], layers)
        (t,) = trajectories(views["interaction"], date_events(views["timeline"]), actor_sides(store, layers),
                            [("united-states", "russia")]).values()
        return t

    article_only = us_russia(["asserted", "inferred"])
    assert article_only["points"] == []
    assert PTR + "event-trump-putin-call" in {e["event"] for e in article_only["undated"]}
    with_outside = us_russia(["asserted", "inferred", "external"])
    feb = with_outside["points"][0]
    assert feb["month"] == "2025-02" and feb["sign"] == 1
    assert {PTR + "event-trump-putin-call", PTR + "event-rubio-lavrov-meeting"} <= {e["event"] for e in feb["events"]}


def test_analyze_command_writes_the_report(built, tmp_path):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(built, out)
    from kg.cli import main

    assert main(["analyze", "--out", str(out)]) == 0
    folder = out / "analysis"
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert "![trajectories](trajectories.png)" in report and "![stance matrix](stance-matrix.png)" in report
    assert (folder / "trajectories.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    # State level by default: Trump, Rubio, Vance, Hegseth and Biden (the last three act for the United
    # States in the inferred layer) and the United States are one node, so Trump accusing Biden is no
    # link between two actors. That leaves 9 actors, fewer than centrality needs to name a
    # broker; the United States still ranks first.
    assert (data["actors"], data["centrality"]["broker"], data["centrality"]["too_small"]) == ("states", None, True)
    assert (data["centrality"]["n"]["actors"], data["centrality"]["ranking"][0]["node"]) == (9, PTR + "united-states")
    for name in ("interaction", "stance", "agreement", "timeline", "actor-issue", "whole"):
        assert (folder / "views" / f"{name}.graphml").is_file() and (folder / "views" / f"{name}.gexf").is_file()
    first = {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert main(["analyze", "--out", str(out)]) == 0
    assert {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == first


def test_analyze_removes_its_own_stale_outputs_only(built, tmp_path):
    import shutil

    from kg.cli import main

    out = tmp_path / "out"
    shutil.copytree(built, out)
    assert main(["analyze", "--out", str(out)]) == 0
    folder = out / "analysis"
    (folder / "notes.md").write_text("mine", encoding="utf-8")
    (folder / "views" / "mine.graphml").write_text("mine", encoding="utf-8")
    # Interaction only: no actor-issue view, so no stance matrix; the other views are not exported.
    assert main(["analyze", "--out", str(out), "--views", "interaction"]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["notes.md", "report.json", "report.md", "trajectories.png",
                                                         "views"]
    assert sorted(p.name for p in (folder / "views").iterdir()) == ["interaction.gexf", "interaction.graphml",
                                                                   "mine.graphml"]
    assert "stance-matrix.png" not in (folder / "report.md").read_text(encoding="utf-8")


def test_analyze_rejects_unknown_views(built, capsys):
    from kg.cli import main

    assert main(["analyze", "--out", str(built), "--views", "friends"]) == 2
    assert "error: --views: unknown friends; choose from interaction, stance" in capsys.readouterr().err



def test_analyze_to_takes_lists_and_names_the_unknown_layer(built, capsys):
    from kg.analysis import analyze_to
    from kg.cli import main
    from kg.problems import KgError

    with pytest.raises(KgError) as caught:
        analyze_to(built, ["interaction"], ["asserted", "imagined"])
    assert str(caught.value) == "--layers: unknown imagined; choose from asserted, inferred, external"
    # the CLI splits the comma list (blanks dropped) before the library sees it
    assert main(["analyze", "--out", str(built), "--views", "interaction", "--layers", " , ,"]) == 2
    assert capsys.readouterr().err == "error: --layers: unknown (none given); choose from asserted, inferred, external\n"


# ---------------------------------------------------------------- sizes, caveats, choices from the data

def test_every_measure_reports_n_and_a_caveat_and_small_ones_are_too_small_to_say(article_views):
    # The article's agreement network: 5 actors, at most one signed triangle, one agreeing pair.
    found = communities(article_views["agreement"])
    assert found["too_small"] and found["n"]["actors"] < 10 and "too small to say" in found["caveat"]
    balanced = balance(article_views["agreement"])
    assert balanced["too_small"] and balanced["n"]["triads"] == balanced["triads"]
    assert balanced["caveat"].startswith(f"{balanced['triads']} closed triangle(s) of signed ties")
    brokers = centrality(article_views["interaction"])
    assert brokers["n"]["actors"] == article_views["interaction"].number_of_nodes()
    assert "cannot see contacts they do not report" in brokers["caveat"]
    tiny = centrality(interaction(*[("h", leaf, f"e{leaf}", 1.0) for leaf in "abcd"]))
    assert tiny["too_small"] and tiny["broker"] is None
    assert "With fewer than 10 actors in the largest group it is too small to say." in tiny["caveat"]


def test_report_says_too_small_instead_of_a_finding(article_views):
    result = Analysis(["asserted"], {}, {"communities": communities(article_views["agreement"]),
                                         "balance": balance(article_views["agreement"])})
    text = markdown(result, {})
    assert "Coalitions: *too small to say*." in text and "Method: louvain" not in text
    assert "Structural balance: *too small to say*" in text and "balanced, 0 unbalanced" not in text


def test_states_merge_the_actors_that_act_for_them(store, article_views):
    from kg.analysis import actor_sides, merge_sides, state_labels

    layers = ["asserted", "inferred"]
    merged = merge_sides(article_views["interaction"], actor_sides(store, layers), state_labels(store, layers))
    russia = merged.nodes[PTR + "russia"]
    assert {PTR + "putin", PTR + "russia"} <= set(russia["members"])
    assert PTR + "putin" not in merged and PTR + "zelenskyy" not in merged
    assert {PTR + "zelenskyy", PTR + "ukraine"} <= set(merged.nodes[PTR + "ukraine"]["members"])
    assert not any(a == b for a, b in merged.edges())


def test_pairs_and_chains_come_from_the_data():
    from kg.analysis import chain_pairs

    # x–y have three scored events, x–z one: the most active pair is followed first.
    x, y, z = PTR + "x", PTR + "y", PTR + "z"
    view = interaction((x, y, "e1", 1.0), (x, y, "e2", 1.0), (y, x, "e3", -2.0), (x, z, "e4", 1.0))
    dating = {e: Dating("2025-02") for e in ("e1", "e2", "e3", "e4")}
    result = trajectories(view, dating, {}, top=1)
    assert [t["pair"] for t in result.values()] == [[x, y]]
    assert result["X–Y"]["n"] == {"dated": 3, "undated": 0, "months": 1}
    # a–b–c–d: the pairs of active actors that no event links but a chain does.
    chain = interaction(("a", "b", "e1", 1.0), ("b", "c", "e2", 1.0), ("b", "c", "e5", 1.0), ("c", "d", "e3", 1.0))
    assert chain_pairs(chain, top=2) == [("b", "d"), ("c", "a")] or chain_pairs(chain, top=2) == [("b", "d"), ("a", "c")]


def test_article_pairs_chosen_from_the_data(store, article_views):
    from kg.analysis import actor_sides

    result = trajectories(article_views["interaction"], date_events(article_views["timeline"]),
                          actor_sides(store, ["asserted", "inferred"]))
    assert len(result) == 3
    assert {frozenset(t["pair"]) for t in result.values()} == {
        frozenset((PTR + "ukraine", PTR + "united-states")), frozenset((PTR + "russia", PTR + "ukraine")),
        frozenset((PTR + "russia", PTR + "united-states"))}
    for t in result.values():
        assert all(p["n"] == len(p["events"]) for p in t["points"])


def test_agreement_section_names_targets_and_quotes(store, article_views):
    from kg.analysis import agreement_edges

    rows = agreement_edges(article_views["agreement"])
    pair = next(r for r in rows if {r["a"], r["b"]} == {PTR + "russia", PTR + "ukraine"})
    text = markdown(Analysis(["asserted"], {}, {"agreements": rows}), {})
    assert "  - 30-hour Easter truce: Russia for (“On April 19, Russia announces a 30-hour Easter truce”); " \
           "Ukraine for (“a 30-hour Easter truce, which Ukraine accepts”)" in text
    assert len(pair["targets"]) == 3


def test_summary_shows_control_characters_as_escapes(tmp_path):
    from kg.analysis import summary

    row = {"label": "evil\x1b]0;pwned\x07\x1b[31m", "contested": True, "changes": []}
    text = summary(Analysis(["asserted"], {}, {"contested": [row]}), tmp_path)
    assert "\x1b" not in text and "\x07" not in text
    assert "contested: evil\\x1b]0;pwned\\x07\\x1b[31m" in text


def test_report_does_not_autolink_urls_from_data():
    import cmarkgfm

    hostile = "see https://evil.example/x, www.evil.example, mailto:a@b.example and a@b.example"
    row = {"target": "t", "label": hostile, "kind": "Proposal", "support": 1, "oppose": 1, "contested": True,
           "supports": [hostile], "conditionallySupports": [], "opposes": [], "changes": []}
    html = cmarkgfm.github_flavored_markdown_to_html(markdown(Analysis(["asserted"], {}, {"contested": [row]}), {}))
    assert "<a " not in html
    assert "see https://evil.example/x, www.evil.example, mailto:a\u2060@b.example" in html
