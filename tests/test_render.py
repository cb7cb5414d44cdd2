"""`kg render` without a browser: escaping, offline resources, determinism, time axis, the pages written."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
from html import unescape
from pathlib import Path

import networkx as nx

from kg import render
from kg.cli import main
from kg.render import PageSpec, edge_style, interval, json_for_script, page_html, page_payload

XSS = "<img src=x onerror=window.__xss=1>"
ARTICLE = "Alpha met Beta on Feb. 28.\nBeta said \"no\" </script> & left."


def node(label: str, kind: str, **extra) -> dict:
    attrs = {"label": label, "kind": kind, "layer": "asserted", "date": "", "earliest": "", "latest": "",
             "quotes": [], "spans": [], "wikidata": "", "dbpedia": "", "geonames": ""}
    attrs.update(extra)
    return attrs


def edge(relation: str, **extra) -> dict:
    attrs = {"relation": relation, "label": relation, "event": "", "kind": "", "date": "", "earliest": "",
             "latest": "", "cameo": "", "goldstein": None, "sign": 0, "quotes": [], "spans": [], "layer": "asserted"}
    attrs.update(extra)
    return attrs


def small_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("ex:alpha", **node("Alpha", "Person", quotes=["Alpha"], spans=[[0, 5]],
                                  wikidata="http://www.wikidata.org/entity/Q1", dbpedia="javascript:alert(1)"))
    g.add_node("ex:beta", **node(XSS, "State", quotes=["Beta"], spans=[[10, 14]]))
    g.add_node("ex:meeting", **node("Meeting on Feb. 28", "Meeting", date="2025-02-28", quotes=["on Feb. 28"],
                                    spans=[[15, 25]]))
    g.add_node("ex:plan", **node("Plan", "Proposal", layer="inferred"))
    g.add_edge("ex:alpha", "ex:beta", key="m", **edge("agent→recipient", label="Meeting on Feb. 28", kind="Meeting",
                                                      event="ex:meeting", date="2025-02-28", goldstein=1.0))
    g.add_edge("ex:alpha", "ex:meeting", key="a", **edge("agent"))
    g.add_edge("ex:beta", "ex:plan", key="o", **edge("opposes", sign=-1, layer="inferred"))
    return g


def scripts(html: str) -> list[str]:
    return re.findall(r"<script(?: [^>]*)?>(.*?)</script>", html, flags=re.S)


def payload_of(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S).group(1))


def test_json_for_script_cannot_close_the_script_or_open_a_comment():
    text = json_for_script({"label": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"label": "</script><!-- & \u2028"}


def test_data_text_reaches_the_page_only_as_escaped_json():
    html = page_html(PageSpec("t.html", "A <b>bold</b> & title", "Desc <i>x</i>", small_graph()), ARTICLE)
    assert XSS not in html and "<img" not in html
    assert "</script> &" not in html  # the article's own "</script>" is escaped too
    assert html.count("A &lt;b&gt;bold&lt;/b&gt; &amp; title</h1>") == 1  # heading printed once, escaped
    assert "<h1>" in html and html.count("<h1>") == 1
    data = payload_of(html)
    assert data["details"]["ex:beta"]["label"] == XSS  # shown as text, not lost
    assert data["sources"] == [{"iri": "", "title": "The article", "publisher": "", "text": ARTICLE}]


def test_page_loads_nothing_from_the_network_and_inlines_pyvis_vis_network():
    html = page_html(PageSpec("t.html", "T", "D", small_graph()), ARTICLE)
    assert not re.search(r"<(script|link|img|iframe)[^>]*\s(src|href)=", html)
    assert "bootstrap" not in html and "cdn" not in html.lower().replace("cdn_resources", "")
    import pyvis

    vis = (Path(pyvis.__file__).parent / "lib" / "vis-9.1.2" / "vis-network.min.js").read_text(encoding="utf-8")
    assert vis.split("//# sourceMappingURL")[0].strip()[-2000:] in html
    assert "sourceMappingURL" not in html


def test_content_security_policy_allows_exactly_the_inline_scripts():
    html = page_html(PageSpec("t.html", "T", "D", small_graph()), ARTICLE)
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    assert "default-src 'none'" in csp
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    code = [s for s in scripts(html) if not s.startswith("{")]  # the JSON block is not executed
    assert len(code) == 2
    assert {base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in code} == allowed


def test_links_keep_only_http_urls():
    data = page_payload(PageSpec("t.html", "T", "D", small_graph()), ARTICLE)
    assert data["details"]["ex:alpha"]["links"] == [["Wikidata", "http://www.wikidata.org/entity/Q1"]]


def test_same_graph_in_any_insertion_order_gives_identical_bytes():
    g = small_graph()
    shuffled = nx.MultiDiGraph()
    nodes, edges = list(g.nodes(data=True)), list(g.edges(keys=True, data=True))
    random.Random(3).shuffle(nodes)
    random.Random(3).shuffle(edges)
    shuffled.add_nodes_from(nodes)
    shuffled.add_edges_from(edges)
    one = page_html(PageSpec("t.html", "T", "D", g), ARTICLE)
    assert page_html(PageSpec("t.html", "T", "D", shuffled), ARTICLE) == one


def test_spans_become_utf16_offsets_for_javascript():
    article = "\U0001F600 Alpha"  # one astral character: two UTF-16 units
    g = nx.MultiDiGraph()
    g.add_node("ex:a", **node("Alpha", "Person", spans=[[2, 7]]))
    data = page_payload(PageSpec("t.html", "T", "D", g), article)
    assert article[2:7] == "Alpha"
    assert data["details"]["ex:a"]["spans"] == [[0, 3, 8]]  # source 0, UTF-16 offsets


def test_counts_legend_and_layers_in_the_payload():
    data = page_payload(PageSpec("t.html", "T", "D", small_graph(), layers_on=("asserted",)), ARTICLE)
    assert len(data["nodes"]) == 4 and len(data["edges"]) == 3
    assert [g["key"] for g in data["legend"]] == ["person", "state", "interaction", "proposal"]
    assert data["page"]["layers"] == ["asserted", "inferred"] and data["page"]["layersOn"] == ["asserted"]
    assert {e["s"] for e in data["edges"]} == {"cooperation", "neutral", "oppose"}
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    assert data["options"]["physics"] == {"enabled": False}


def test_edge_styles_follow_polarity_then_goldstein():
    assert edge_style(edge("supports")) == "support"
    assert edge_style(edge("opposes")) == "oppose"
    assert edge_style(edge("conditionallySupports")) == "conditional"
    assert edge_style(edge("agent→recipient", goldstein=-4.4)) == "conflict"
    assert edge_style(edge("agent→recipient", goldstein=3.0)) == "cooperation"
    assert edge_style(edge("precedes")) == "neutral"


def test_a_single_open_bound_does_not_date_a_thing():
    assert interval(node("x", "Event", date="2025-02-28")) == ("2025-02-28", "2025-02-28")
    assert interval(node("x", "Event", earliest="2014-01-01", latest="2014-12-31")) == ("2014-01-01", "2014-12-31")
    assert interval(node("x", "Event", latest="2025-06-02")) == (None, None)


def test_layout_is_seeded_and_separates_nodes():
    g = nx.path_graph(30, create_using=nx.MultiDiGraph)
    g = nx.relabel_nodes(g, {i: f"ex:{i:02d}" for i in g})
    first = render.network_positions(g)
    assert first == render.network_positions(g)
    points = list(first.values())
    assert min(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 for i, a in enumerate(points) for b in points[i + 1:]) > 5


def test_big_graphs_get_a_layout_without_quadratic_cost():
    g = nx.MultiDiGraph()
    g.add_edges_from((f"ex:{i}", f"ex:{(i * 7 + 1) % 3000}") for i in range(3000))
    positions = render.network_positions(g)
    assert len(positions) == g.number_of_nodes() and len(set(positions.values())) == len(positions)


def test_render_writes_every_page_deterministically(built, tmp_path):
    import shutil

    from kg.views import VIEWS

    out = tmp_path / "out"
    shutil.copytree(built, out)  # the session's build stays as the fixture made it
    assert main(["render", "--out", str(out)]) == 0
    folder = out / "html"
    index = (folder / "index.html").read_text(encoding="utf-8")
    pages = sorted(p.name for p in folder.glob("*.html") if p.name != "index.html")
    assert set(re.findall(r'href="([^"]+)"', index)) == set(pages)
    for name in ("whole", "interaction", "stance", "agreement", "actor-issue"):
        assert name in VIEWS and f"{name}.html" in pages
    assert "timeline.html" in pages  # the story timeline
    for actor in ("trump", "putin", "zelenskyy", "rubio", "lavrov", "vance"):  # all act in the article
        assert f"actor-{actor}.html" in pages
    before = {name: (folder / name).read_bytes() for name in pages}
    assert main(["render", "--out", str(out)]) == 0
    assert {name: (folder / name).read_bytes() for name in pages} == before


def test_render_removes_its_own_stale_pages_only(built, tmp_path):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(built, out)
    folder = out / "html"
    folder.mkdir(exist_ok=True)
    # A page of an actor an earlier graph had, and files that are not pages of kg render.
    (folder / "actor-someone-gone.html").write_text("old page", encoding="utf-8")
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    (folder / "extra").mkdir()
    (folder / "extra" / "keep.html").write_text("mine", encoding="utf-8")
    assert main(["render", "--out", str(out)]) == 0
    assert not (folder / "actor-someone-gone.html").exists()
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (folder / "extra" / "keep.html").read_text(encoding="utf-8") == "mine"
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in folder.glob("*.html")) == sorted(set(re.findall(r'href="([^"]+)"', index)) | {"index.html"})


def test_write_pages_prepares_shared_parts_once(tmp_path, monkeypatch):
    # The article's offset table, the scripts' hashes and the template are the same for every page.
    calls = {"offsets": 0, "hash": 0}
    offsets, digest = render._utf16_offsets, render._hash

    def count(name, real):
        def counted(*args):
            calls[name] += 1
            return real(*args)
        return counted

    monkeypatch.setattr(render, "_utf16_offsets", count("offsets", offsets))
    monkeypatch.setattr(render, "_hash", count("hash", digest))
    specs = [PageSpec(f"p{i}.html", f"P{i}", "D", small_graph()) for i in range(3)]
    render.write_pages(tmp_path, specs, [], ARTICLE)
    assert calls["offsets"] == 1 and calls["hash"] <= 2
    assert payload_of((tmp_path / "p2.html").read_text(encoding="utf-8")) == json.loads(
        json_for_script(page_payload(specs[2], ARTICLE)))


def test_render_without_a_build_is_a_usage_error(tmp_path, capsys):
    assert main(["render", "--out", str(tmp_path / "nothing")]) == 2
    assert "no built dataset: run `kg build" in capsys.readouterr().err
    assert not (tmp_path / "nothing" / "html").exists()


def test_render_rejects_an_unknown_layer(built, capsys):
    assert main(["render", "--out", str(built), "--layers", "asserted,guessed"]) == 2
    assert "unknown layer(s) guessed" in capsys.readouterr().err


def test_a_thick_bundle_of_parallel_links_keeps_its_captions_in_tooltips_only():
    # Between the United States, Russia and Ukraine there are a dozen links each way: a caption on
    # every one made the centre of the interaction page unreadable.
    g = small_graph()
    for i in range(4):
        g.add_edge("ex:beta", "ex:meeting", key=f"b{i}", **edge("agent→recipient", label=f"Event {i}", kind="Meeting"))
    data = page_payload(PageSpec("t.html", "T", "D", g), ARTICLE)
    bundled = [e for e in data["edges"] if {e["from"], e["to"]} == {"ex:beta", "ex:meeting"}]
    assert len(bundled) == 4 and all("label" not in e for e in bundled)  # no caption drawn
    details = [data["edgeDetails"][int(e["id"][1:])] for e in bundled]  # the page's tooltips are made from these
    assert sorted(d["label"] for d in details) == ["Event 0", "Event 1", "Event 2", "Event 3"]
    single = [e for e in data["edges"] if (e["from"], e["to"]) == ("ex:alpha", "ex:beta")]
    assert single and all(e["label"] for e in single)
    # the bundle fans out: one straight, then one to each side, each pair further out
    assert sorted(json.dumps(e.get("smooth", False), sort_keys=True) for e in bundled) == sorted(json.dumps(x, sort_keys=True) for x in [
        False, {"enabled": True, "type": "curvedCCW", "roundness": 0.24}, {"enabled": True, "type": "curvedCW", "roundness": 0.24},
        {"enabled": True, "type": "curvedCCW", "roundness": 0.36}])


def test_parallel_links_drawn_the_other_way_bend_to_the_other_side():
    # vis-network bends along a link's own direction: v → u must take the other side to fan out
    assert render._bend(1, True) is False
    assert (render._bend(2, True)["type"], render._bend(2, False)["type"]) == ("curvedCCW", "curvedCW")
    assert (render._bend(3, True)["type"], render._bend(3, False)["type"]) == ("curvedCW", "curvedCCW")


def test_evidence_from_several_sources_keeps_each_passage_with_its_source():
    texts = render._Texts([render.SourceText("ex:one", "One", "", "Alpha met Beta."),
                           render.SourceText("ex:two", "Two", "", "\U0001F600 Beta met Alpha.")])
    g = nx.MultiDiGraph()
    g.add_node("ex:a", **node("Alpha", "Person", spans=[["ex:one", 0, 5], ["ex:two", 11, 16], ["ex:unknown", 0, 1]]))
    data = page_payload(PageSpec("t.html", "T", "D", g), texts)
    assert [s["title"] for s in data["sources"]] == ["One", "Two"]
    assert data["details"]["ex:a"]["spans"] == [[0, 0, 5], [1, 12, 17]]  # UTF-16 in the second; unknown left out
    assert "Beta met Alpha." in data["sources"][1]["text"]


def test_every_node_of_the_shipped_views_has_a_class_in_the_legend(built):
    """A node drawn as "Other" has a class no style names (as pt:Goal and pt:Outcome once had): its legend
    entry would say nothing about what it is."""
    import kg
    from kg.render import style_of

    dataset = kg.open(built)
    unstyled = sorted({(name, str(data.get("kind"))) for name in ("stance", "interaction")
                       for _, data in dataset.view(name).nodes(data=True) if style_of(data.get("kind")).key == "other"})
    assert unstyled == []
