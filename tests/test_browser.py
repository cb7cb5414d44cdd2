"""The rendered pages in headless Chromium, opened from disk with every http/https request blocked.

Expected counts come from kg.views (the networks the pages draw), never from the page itself.
Screenshots go to test-artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from conftest import ROOT, require

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LAYERS = ("asserted", "inferred", "external")
ARTIFACTS = ROOT / "test-artifacts"
PTR = "https://w3id.org/peace-talks-kg/id/"
XSS = "<img src=x onerror=window.__xss=1>"


@pytest.fixture(scope="module")
def browser():
    require(CHROMIUM.exists(), f"{CHROMIUM} not installed (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def rendered(built):
    from kg.render import render

    render(built, LAYERS)
    return built / "html"


@pytest.fixture(scope="module")
def views(store):
    from kg.views import build_views

    return build_views(store, ["whole", "interaction", "stance", "agreement", "timeline", "actor-issue"], LAYERS)


class Page:
    """A page opened from disk, with the network requests it attempted and its console errors."""

    def __init__(self, browser, path: Path, drawn: bool = True):
        self.context = browser.new_context(viewport={"width": 1500, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.route("http://*/**", self._block)
        self.context.route("https://*/**", self._block)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: None if r.url.startswith("file:") else self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri())
        if drawn:
            self.page.wait_for_selector("body[data-drawn='1']", timeout=15000)

    def _block(self, route) -> None:
        self.requests.append(route.request.url)
        route.abort()

    def counts(self) -> dict[str, int]:
        return self.page.evaluate("""() => { const c = document.getElementById('counts');
            return {nodes: +c.dataset.nodesVisible, nodesTotal: +c.dataset.nodesTotal,
                    edges: +c.dataset.edgesVisible, edgesTotal: +c.dataset.edgesTotal,
                    drawnNodes: window.kg.nodes.length, drawnEdges: window.kg.edges.length}; }""")

    def click_node(self, node: str) -> None:
        box = self.page.evaluate("""(id) => { const net = window.kg.network;
            net.moveTo({position: net.getPositions([id])[id], scale: 1.5, animation: false});
            const p = net.canvasToDOM(net.getPositions([id])[id]);
            const r = document.querySelector('#graph canvas').getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y}; }""", node)
        self.page.mouse.click(box["x"], box["y"])

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser):
    opened: list[Page] = []

    def opener(path: Path, drawn: bool = True) -> Page:
        opened.append(Page(browser, path, drawn))
        return opened[-1]

    yield opener
    for page in opened:
        page.close()


def visible_counts(view, layers: set[str], hidden_kinds: set[str] = frozenset()) -> tuple[int, int]:
    """Nodes and edges the page should show when only `layers` are switched on."""
    from kg.render import style_of

    nodes = {n for n, a in view.nodes(data=True) if a["layer"] in layers and style_of(a["kind"]).key not in hidden_kinds}
    edges = [1 for u, v, a in view.edges(data=True) if u in nodes and v in nodes and a["layer"] in layers]
    return len(nodes), len(edges)


@pytest.mark.parametrize("name", ["whole", "interaction", "stance", "agreement", "timeline", "actor-issue"])
def test_page_opens_offline_and_shows_its_view(open_page, rendered, views, name):
    page = open_page(rendered / f"{name}.html")
    assert page.requests == [] and page.errors == []
    counts, view = page.counts(), views[name]
    assert (counts["nodesTotal"], counts["edgesTotal"]) == (view.number_of_nodes(), view.number_of_edges())
    on = {"asserted"} if name == "whole" else set(LAYERS)  # the whole graph opens on the asserted layer
    assert (counts["nodes"], counts["edges"]) == visible_counts(view, on)
    assert (counts["drawnNodes"], counts["drawnEdges"]) == (counts["nodes"], counts["edges"])
    page.screenshot(name)


def test_layer_switch_shows_the_inferred_layer(open_page, rendered, views):
    page = open_page(rendered / "whole.html")
    before = page.counts()
    page.page.check("#layer-inferred")
    after = page.counts()
    assert (after["nodes"], after["edges"]) == visible_counts(views["whole"], {"asserted", "inferred"})
    assert after["edges"] > before["edges"]  # the rules add supports/opposes, participant, follows...
    assert page.page.text_content("#count-edges") == f"{after['edges']} of {after['edgesTotal']}"


def test_class_filter_updates_the_visible_counts(open_page, rendered, views):
    page = open_page(rendered / "interaction.html")
    page.page.uncheck("#class-person")
    counts = page.counts()
    assert (counts["nodes"], counts["edges"]) == visible_counts(views["interaction"], set(LAYERS), {"person"})
    assert counts["nodes"] < counts["nodesTotal"]
    assert page.page.text_content("#count-nodes") == f"{counts['nodes']} of {counts['nodesTotal']}"
    page.page.check("#class-person")
    assert page.counts()["nodes"] == counts["nodesTotal"]


def test_date_filter_keeps_events_of_the_range(open_page, rendered, views):
    from kg.render import interval

    page = open_page(rendered / "timeline.html")
    page.page.uncheck("#show-undated")
    page.page.fill("#date-from", "2025-02-01")
    page.page.fill("#date-to", "2025-03-31")
    page.page.dispatch_event("#date-to", "change")
    page.page.dispatch_event("#date-from", "change")
    view = views["timeline"]
    shown = {n for n, a in view.nodes(data=True)
             if (d := interval(a))[0] and d[0] <= "2025-03-31" and d[1] >= "2025-02-01"}
    # The article dates the Oval Office meeting "Feb. 28" and the veterans' fund meeting (caption) March 6.
    assert {PTR + "event-oval-office-meeting-feb-28", PTR + "event-putin-meets-veterans-fund-2025-03-06"} <= shown
    assert page.counts()["nodes"] == len(shown)
    page.screenshot("timeline-feb-march")


def test_clicking_the_oval_office_meeting_highlights_its_evidence(open_page, rendered, views, article):
    meeting = PTR + "event-oval-office-meeting-feb-28"
    attrs = views["timeline"].nodes[meeting]
    page = open_page(rendered / "timeline.html")
    page.click_node(meeting)
    page.page.wait_for_selector("#panel:not([hidden])")
    assert page.page.text_content("#panel-title") == attrs["label"]
    facts = page.page.eval_on_selector_all("#panel-facts dt", "dts => dts.map(d => [d.textContent, d.nextSibling.textContent])")
    assert ["Date", "2025-02-28"] in facts  # "Feb. 28"; the year is the inferred layer's completion
    marks = page.page.eval_on_selector_all("#article mark", "ms => ms.map(m => m.textContent)")
    assert attrs["quotes"] and all(any(q in m for m in marks) for q in attrs["quotes"])
    for start, end in attrs["spans"]:
        assert article.text[start:end] in marks
    # The article dates the meeting in the words "on Feb. 28"; that passage must be among those marked.
    assert any("White House on Feb. 28" in m for m in marks)
    in_view = page.page.evaluate("""() => { const a = document.getElementById('article').getBoundingClientRect();
        const m = document.querySelector('#article mark.current').getBoundingClientRect();
        return m.top >= a.top && m.bottom <= a.bottom; }""")
    assert in_view
    assert page.errors == [] and page.requests == []
    page.screenshot("timeline-oval-office-clicked")


def test_search_finds_a_node_and_opens_it(open_page, rendered):
    page = open_page(rendered / "interaction.html")
    page.page.fill("#search", "zelensk")
    results = page.page.eval_on_selector_all("#search-results button", "bs => bs.map(b => b.textContent)")
    assert "Volodymyr Zelenskyy" in results
    page.page.click("#search-results button >> text=Volodymyr Zelenskyy")
    assert page.page.text_content("#panel-title") == "Volodymyr Zelenskyy"


def test_actor_page_opens_on_the_actor_with_its_evidence(open_page, rendered, article):
    page = open_page(rendered / "actor-trump.html")
    assert page.requests == [] and page.errors == []
    assert page.page.text_content("#panel-title") == "Donald Trump"
    connections = page.page.eval_on_selector_all("#panel-connections button", "bs => bs.map(b => b.textContent)")
    assert len(connections) > 10
    marks = page.page.eval_on_selector_all("#article mark", "ms => ms.map(m => m.textContent)")
    assert marks and all(m in article.text for m in marks)
    page.screenshot("actor-trump")


def test_index_links_every_page(open_page, rendered):
    page = open_page(rendered / "index.html", drawn=False)
    links = page.page.eval_on_selector_all("a", "as => as.map(a => a.getAttribute('href'))")
    pages = sorted(p.name for p in rendered.glob("*.html") if p.name != "index.html")
    assert sorted(links) == pages
    assert page.requests == [] and page.errors == []
    page.screenshot("index")


def test_crafted_label_is_text_and_runs_nothing(open_page, tmp_path):
    from kg.render import PageSpec, write_pages

    graph = nx.MultiDiGraph()
    attrs = {"kind": "Person", "layer": "asserted", "date": "", "earliest": "", "latest": "", "wikidata": "",
             "dbpedia": "", "geonames": ""}
    graph.add_node("ex:evil", label=XSS, quotes=[XSS], spans=[[0, 5]], **attrs)
    graph.add_node("ex:other", label="Other </script><script>window.__xss=2</script>", quotes=[], spans=[], **attrs)
    graph.add_edge("ex:evil", "ex:other", relation=XSS, label=XSS, event="", kind=XSS, date="", earliest="",
                   latest="", cameo="", goldstein=None, sign=0, quotes=[], spans=[], layer="asserted")
    spec = PageSpec("evil.html", XSS, XSS, graph)
    write_pages(tmp_path, [spec], [], "Hello <b onmouseover=window.__xss=3>world</b>")
    page = open_page(tmp_path / "evil.html")
    page.click_node("ex:evil")
    page.page.wait_for_selector("#panel:not([hidden])")
    assert page.page.text_content("#panel-title") == XSS
    assert page.page.text_content("h1") == XSS
    assert page.page.evaluate("() => [window.__xss, document.querySelectorAll('img').length]") == [None, 0]
    page.page.fill("#search", "img")
    assert page.page.text_content("#search-results") == XSS
    page.page.hover("#article")
    assert page.page.evaluate("() => [window.__xss, document.querySelectorAll('img, b').length]") == [None, 0]
    assert page.requests == [] and page.errors == []
    page.screenshot("crafted-label")
