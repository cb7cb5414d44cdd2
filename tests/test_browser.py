"""The rendered pages in headless Chromium, opened from disk with every http/https request blocked.

Expected counts come from kg.views (the networks the pages draw), never from the page itself.
Screenshots go to test-artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

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

    def __init__(self, browser, path: Path | str, drawn: bool = True, viewport: tuple[int, int] = (1500, 900)):
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True)
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.route("http://*/**", self._block)
        self.context.route("https://*/**", self._block)
        self.page = self.context.new_page()
        # A CSP violation is an error too (Chromium also logs it to the console).
        self.page.add_init_script("""document.addEventListener('securitypolicyviolation',
            e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));""")
        self.page.on("request", lambda r: None if r.url.startswith("file:") else self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path if isinstance(path, str) else path.as_uri())
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

    def opener(path: Path | str, drawn: bool = True, viewport: tuple[int, int] = (1500, 900)) -> Page:
        opened.append(Page(browser, path, drawn, viewport))
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


@pytest.mark.parametrize("name", ["whole", "interaction", "stance", "agreement", "actor-issue"])
def test_page_opens_offline_and_shows_its_view(open_page, rendered, views, name):
    from kg.render import STORY_GROUPS, STYLES

    page = open_page(rendered / f"{name}.html")
    assert page.requests == [] and page.errors == []
    counts, view = page.counts(), views[name]
    assert (counts["nodesTotal"], counts["edgesTotal"]) == (view.number_of_nodes(), view.number_of_edges())
    # The whole graph opens on the story: actors, events, proposals; the other classes wait to be asked for.
    hidden = {s.key for s in STYLES} - set(STORY_GROUPS) if name == "whole" else set()
    assert (counts["nodes"], counts["edges"]) == visible_counts(view, set(LAYERS), hidden)
    assert (counts["drawnNodes"], counts["drawnEdges"]) == (counts["nodes"], counts["edges"])
    page.screenshot(name)


def test_whole_graph_opens_on_the_story_with_its_links(open_page, rendered):
    page = open_page(rendered / "whole.html")
    for key in ("claim", "quotation", "stance", "other"):
        assert not page.page.is_checked(f"#class-{key}")
    for key in ("person", "state", "interaction", "proposal"):
        assert page.page.is_checked(f"#class-{key}")
    shown = page.page.evaluate("() => Object.fromEntries(Array.from(document.querySelectorAll('[data-count-style]')).map(s => [s.dataset.countStyle, +s.textContent.split('/')[0]]))")
    assert shown["support"] > 10 and shown["oppose"] > 5  # who supports or opposes what, visible at once


def test_layer_switch_hides_the_inferred_layer(open_page, rendered, views):
    from kg.render import STORY_GROUPS, STYLES

    hidden = {s.key for s in STYLES} - set(STORY_GROUPS)
    page = open_page(rendered / "whole.html")
    before = page.counts()
    page.page.uncheck("#layer-inferred")
    after = page.counts()
    assert (after["nodes"], after["edges"]) == visible_counts(views["whole"], {"asserted", "external"}, hidden)
    assert after["edges"] < before["edges"]  # the rules add supports/opposes, participant, follows...
    assert page.page.text_content("#count-edges") == f"{after['edges']} of {after['edgesTotal']}"


ENERGY_HALT = PTR + "event-putin-agrees-energy-strike-halt"
PANEL_FACTS = """() => Object.fromEntries(Array.from(document.querySelectorAll('#panel-facts dt'))
    .map(dt => [dt.textContent, dt.nextElementSibling.textContent]))"""


def test_with_the_outside_layer_off_no_outside_date_shows_anywhere(open_page, rendered, views):
    from kg.render import datings, spans_in_time

    page = open_page(rendered / "whole.html")
    page.click_node(ENERGY_HALT)
    outside = "2025-03-18 (external, source: press reports of 2025-03-18)"
    assert page.page.evaluate(PANEL_FACTS)["Date"] == outside
    assert outside in page.page.evaluate(f"() => window.kg.nodes.get('{ENERGY_HALT}').title")
    for layer in ("external", "inferred"):
        page.page.uncheck(f"#layer-{layer}")
    # the article does not date Putin's agreement: no date in the panel, the tooltip or the date filter
    facts = page.page.evaluate(PANEL_FACTS)
    assert (facts["Type"], "Date" in facts) == ("Acceptance", False)
    assert "2025-03-18" not in page.page.text_content("#panel")
    assert page.page.evaluate(f"() => window.kg.nodes.get('{ENERGY_HALT}').title") == (
        "Putin agrees to an immediate halt to strikes on Ukraine's energy infrastructure\nAcceptance")
    view, days = views["whole"], []
    labels = {str(n): a["label"] for n, a in view.nodes(data=True)}
    for attrs in [a for _, a in view.nodes(data=True)] + [a for *_, a in view.edges(data=True)]:
        days += spans_in_time(datings(attrs, labels)).get("asserted", [])
    bounds = page.page.evaluate("() => [document.getElementById('date-from').min, document.getElementById('date-to').max]")
    assert bounds == [min(days), max(days)]
    # the outside-date node and its link went with their layer
    assert PTR + "event-putin-agrees-energy-strike-halt" in shown_ids(page)
    assert not any(view.nodes[n]["layer"] == "external" for n in shown_ids(page))
    page.screenshot("whole-asserted-only-panel")
    page.page.check("#layer-external")
    assert page.page.evaluate(PANEL_FACTS)["Date"] == outside


def test_network_panels_and_tooltips_show_hedges(open_page, rendered):
    remark = PTR + "event-ryabkov-current-form-remark"
    page = open_page(rendered / "whole.html")
    page.click_node(remark)
    assert page.page.evaluate(PANEL_FACTS)["Modality"] == "in its current form"
    assert page.page.evaluate(f"() => window.kg.nodes.get('{remark}').title").endswith("\nmodality: in its current form")
    page = open_page(rendered / "whole.html")
    page.click_node(PTR + "putin")
    assert "Modality" not in page.page.evaluate(PANEL_FACTS)


def test_network_panels_and_tooltips_show_degrees(open_page, rendered, views):
    # "Jones ... describes the U.S. role so far in the negotiations as "relatively weak"" / "European nations
    # could not easily or quickly replace the intelligence": each qualifier is a pt:degree, shown as such
    for node, degree in [(PTR + "assessment-jones-us-role-weak", "relatively"),
                         (PTR + "assessment-jones-europe-cannot-replace-intelligence", "not easily, not quickly")]:
        label = views["whole"].nodes[node]["label"]
        page = open_page(rendered / "whole.html")
        page.page.check("#class-claim")  # assessments are claims, off when the page opens on the story
        page.page.fill("#search", label)
        page.page.click(f"#search-results button >> text={label}")
        assert page.page.text_content("#panel-title") == label
        facts = page.page.evaluate(PANEL_FACTS)
        assert facts["Degree"] == degree and "Modality" not in facts
        assert page.page.evaluate(f"() => window.kg.nodes.get('{node}').title").endswith(f"\ndegree: {degree}")
        assert page.errors == [] and page.requests == []


def test_class_filter_updates_the_visible_counts(open_page, rendered, views):
    page = open_page(rendered / "interaction.html")
    page.page.uncheck("#class-person")
    counts = page.counts()
    assert (counts["nodes"], counts["edges"]) == visible_counts(views["interaction"], set(LAYERS), {"person"})
    assert counts["nodes"] < counts["nodesTotal"]
    assert page.page.text_content("#count-nodes") == f"{counts['nodes']} of {counts['nodesTotal']}"
    page.page.check("#class-person")
    assert page.counts()["nodes"] == counts["nodesTotal"]


def set_dates(page, start: str, end: str) -> None:
    page.page.uncheck("#show-undated")
    page.page.fill("#date-from", start)
    page.page.fill("#date-to", end)
    page.page.dispatch_event("#date-to", "change")
    page.page.dispatch_event("#date-from", "change")


def shown_ids(page) -> set[str]:
    return set(page.page.evaluate("() => window.kg.nodes.getIds()"))


def test_date_filter_keeps_events_of_the_range_and_their_actors(open_page, rendered, views):
    from kg.render import ACTOR_STYLES, STORY_GROUPS, interval, style_of

    page = open_page(rendered / "whole.html")
    set_dates(page, "2025-02-01", "2025-03-31")
    view = views["whole"]
    story = {n for n, a in view.nodes(data=True) if style_of(a["kind"]).key in STORY_GROUPS}
    dated = {n for n in story if (d := interval(view.nodes[n]))[0] and d[0] <= "2025-03-31" and d[1] >= "2025-02-01"}
    actors = {n for n in story if style_of(view.nodes[n]["kind"]).key in ACTOR_STYLES and not interval(view.nodes[n])[0]
              and any(m in dated for m in set(view.successors(n)) | set(view.predecessors(n)))}
    # The article dates the veterans' fund meeting (caption) March 6: Putin met its workers and wards.
    assert PTR + "event-putin-meets-veterans-fund-2025-03-06" in dated and PTR + "putin" in actors
    assert shown_ids(page) == dated | actors
    page.screenshot("whole-feb-march")


def test_date_filter_on_the_interaction_network_keeps_actors_of_dated_links(open_page, rendered, views):
    from kg.render import interval

    page = open_page(rendered / "interaction.html")
    set_dates(page, "2025-02-01", "2025-03-31")
    view = views["interaction"]
    expected = {n for u, v, a in view.edges(data=True)
                if (d := interval(a))[0] and d[0] <= "2025-03-31" and d[1] >= "2025-02-01" for n in (u, v)}
    assert expected and shown_ids(page) == expected  # before: every actor vanished (actors have no dates)


@pytest.mark.parametrize("name", ["whole", "interaction", "actor-putin"])
def test_putin_ranks_vladimir_putin_first(open_page, rendered, name):
    page = open_page(rendered / f"{name}.html")
    page.page.fill("#search", "Putin")
    results = page.page.eval_on_selector_all("#search-results button", "bs => bs.map(b => b.textContent)")
    assert results[0] == "Vladimir Putin", results[:5]
    if name == "whole":  # events whose names start with "Putin" come after him
        assert "Putin agrees to an immediate halt to strikes on Ukraine's energy infrastructure" in results[1:]
    page.page.press("#search", "Enter")
    assert page.page.text_content("#panel-title") == "Vladimir Putin"


def test_search_reads_quotes_too(open_page, rendered):
    # Words only a quote has: the article's "anow-infamous meetingat the White House" (its typos kept).
    page = open_page(rendered / "whole.html")
    page.page.fill("#search", "anow-infamous")
    hits = page.page.eval_on_selector_all("#search-results button", "bs => bs.map(b => [b.textContent, b.title])")
    assert ["Zelenskyy's meeting with Trump at the White House, Feb. 28", "matched by quote"] in hits
    assert all(title == "matched by quote" for _, title in hits)


def test_clicking_a_node_focuses_on_its_neighbourhood(open_page, rendered, views):
    trump = PTR + "trump"
    page = open_page(rendered / "interaction.html")
    page.click_node(trump)
    page.page.wait_for_selector("#panel:not([hidden])")
    near = {trump} | set(views["interaction"].successors(trump)) | set(views["interaction"].predecessors(trump))
    # a node the page has not restyled since its first draw has no opacity of its own: vis-network draws it at 1
    opacity = page.page.evaluate("() => Object.fromEntries(window.kg.nodes.get().map(n => [n.id, n.opacity ?? 1]))")
    assert {n for n, o in opacity.items() if o == 1} == near and min(opacity.values()) < 0.5
    page.page.click("#panel-close")
    opacity = page.page.evaluate("() => window.kg.nodes.get().map(n => n.opacity ?? 1)")
    assert set(opacity) == {1}


@pytest.mark.parametrize("name", ["whole", "interaction", "stance", "actor-trump"])
def test_labels_do_not_overlap_at_the_default_zoom(open_page, rendered, name):
    page = open_page(rendered / f"{name}.html")
    page.page.wait_for_selector("body[data-labelled='1']")
    boxes = page.page.evaluate("() => window.kg.labelBoxes()")
    assert len(boxes) >= 12
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    size = page.page.evaluate("() => window.kg.network.getScale() * window.kg.nodes.get()[0].font.size")
    assert size >= 11.9  # readable on screen


def test_network_deep_link_survives_a_round_trip(open_page, rendered):
    putin = PTR + "putin"
    first = open_page(rendered / "whole.html")
    first.page.check("#class-claim")
    first.page.uncheck("#layer-external")
    first.click_node(putin)
    first.page.wait_for_selector("#panel:not([hidden])")
    url = first.page.url
    assert "sel=" in url and "groups=" in url and "layers=asserted%2Cinferred" in url
    second = open_page(url)
    assert second.page.is_checked("#class-claim") and not second.page.is_checked("#layer-external")
    assert second.page.text_content("#panel-title") == "Vladimir Putin"
    assert second.counts() == first.counts()
    assert second.errors == [] and second.requests == []


def test_exported_png_is_an_image_of_the_view_and_svg_and_csv_follow_it(open_page, rendered, tmp_path):
    from PIL import Image

    page = open_page(rendered / "interaction.html")
    with page.page.expect_download() as info:
        page.page.click("#export-png")
    png = tmp_path / info.value.suggested_filename
    info.value.save_as(png)
    assert png.name == "interaction.png"
    canvas = page.page.evaluate("() => { const c = document.querySelector('#graph canvas'); return [c.width, c.height]; }")
    with Image.open(png) as image:
        assert list(image.size) == canvas and image.format == "PNG"
        raw = image.convert("RGB").resize((120, 80)).tobytes()
        drawn = sum(1 for i in range(0, len(raw), 3) if raw[i:i + 3] != b"\xff\xff\xff")
        assert drawn > 100  # nodes, links and labels, not a blank canvas
    with page.page.expect_download() as info:
        page.page.click("#export-svg")
    svg = (tmp_path / "view.svg")
    info.value.save_as(svg)
    text = svg.read_text(encoding="utf-8")
    shown = page.counts()
    assert text.count("<circle") == shown["nodes"] and text.count("<line") == shown["edges"]
    assert ">Vladimir Putin</text>" in text
    assert page.errors == [] and page.requests == []
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
    # Each passage under the title of its source.
    assert page.page.eval_on_selector_all(".source-title", "hs => hs.map(h => h.textContent)") == [
        "Trump promised peace in Ukraine within a day. Here's what actually happened"]
    page.screenshot("actor-trump")


def test_a_connection_names_what_it_links_on_the_line_of_its_relation(open_page, rendered):
    # "← participant" then, on the next line below the list's fold, "Trump criticizes Zelenskyy's
    # 'inflammatory statements' on Truth Social": the row read as a link to nothing.
    page = open_page(rendered / "actor-zelenskyy.html", viewport=(1366, 768))
    rows = page.page.eval_on_selector_all("#panel-connections li", """lis => lis.map(li => {
        const r = li.querySelector('.rel').getBoundingClientRect(), b = li.querySelector('button').getBoundingClientRect();
        return [li.textContent, Math.round(b.top - r.top), b.left > r.left];
    })""")
    assert len(rows) > 50  # the list runs past its 190px fold
    assert [row for row in rows if abs(row[1]) > 2 or not row[2]] == []  # same line, name after the relation


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


def test_csv_export_neutralises_formulas(open_page, tmp_path):
    import csv

    from kg.render import PageSpec, write_pages

    graph = nx.MultiDiGraph()
    attrs = {"kind": "Person", "layer": "asserted", "date": "", "earliest": "", "latest": "", "wikidata": "",
             "dbpedia": "", "geonames": "", "quotes": [], "spans": []}
    for key, label in (("ex:a", '=HYPERLINK("http://evil.example","x")'), ("ex:b", "+1"), ("ex:c", "-2"), ("ex:d", "@SUM(A1)"),
                       ("ex:e", "plain, with \"quotes\"")):
        graph.add_node(key, label=label, **attrs)
    write_pages(tmp_path, [PageSpec("csv.html", "CSV", "D", graph)], [], "text")
    page = open_page(tmp_path / "csv.html")
    with page.page.expect_download() as info:
        page.page.click("#export-csv")
    out = tmp_path / "out.csv"
    info.value.save_as(out)
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    labels = {row[1]: row[2] for row in rows[1:]}
    assert labels == {"ex:a": '\'=HYPERLINK("http://evil.example","x")', "ex:b": "'+1", "ex:c": "'-2", "ex:d": "'@SUM(A1)",
                      "ex:e": 'plain, with "quotes"'}
    assert page.requests == [] and page.errors == []


# ------------------------------------------------------------------ the story timeline

def timeline_events(store, layers: set[str]) -> set[str]:
    """Every event typed in one of `layers`, by SPARQL over the built dataset (not from the page)."""
    from kg.views import run_select

    rows = run_select(store, "SELECT DISTINCT ?e WHERE { GRAPH ?g { ?e a ?k } ?k rdfs:subClassOf* pt:Event }",
                      sorted(layers))
    return {row["e"] for row in rows}


def timeline_state(page) -> dict:
    return page.page.evaluate("""() => ({
        items: window.kg.items.get().filter(i => i.type !== 'background').map(i => i.event),
        unplaced: Array.from(document.querySelectorAll('#unplaced li')).map(li => li.dataset.event),
        starts: Object.fromEntries(window.kg.items.get().filter(i => i.type !== 'background')
            .map(i => [i.event, new Date(i.start).toISOString().slice(0, 10)])),
        classes: Object.fromEntries(window.kg.items.get().map(i => [i.event, i.className]))})""")


def when_of(page) -> str:
    return page.page.evaluate("""() => { const dt = Array.from(document.querySelectorAll('#panel-facts dt'))
        .find(d => d.textContent === 'When'); return dt ? dt.nextElementSibling.textContent : null; }""")


@pytest.mark.parametrize("layers", [{"asserted"}, {"asserted", "inferred"}, set(LAYERS)])
def test_timeline_has_one_item_per_event_of_the_layers_on(open_page, rendered, store, layers):
    page = open_page(rendered / "timeline.html")
    for layer in LAYERS:
        (page.page.check if layer in layers else page.page.uncheck)(f"#layer-{layer}")
    state = timeline_state(page)
    expected = timeline_events(store, layers)
    assert len(state["items"]) == len(set(state["items"]))  # one item per event, in thread rows
    assert set(state["items"]).isdisjoint(state["unplaced"])
    assert set(state["items"]) | set(state["unplaced"]) == expected
    assert page.page.get_attribute("body", "data-events") == str(len(expected))
    assert page.errors == [] and page.requests == []


def test_timeline_dates_carry_their_layer_and_outside_dates_their_source(open_page, rendered):
    call = PTR + "event-trump-putin-call"
    page = open_page(rendered / "timeline.html")
    state = timeline_state(page)
    # Outside reporting dates Trump's call to Putin 2025-02-12 (the article: "Weeks after his inauguration").
    assert state["starts"][call] == "2025-02-12" and "kind-date" in state["classes"][call]
    page.page.evaluate("(id) => window.kg.timeline.emit('select', {items: [id]})", call)
    page.page.wait_for_selector("#panel:not([hidden])")
    assert when_of(page).startswith("12 Feb 2025 (external, source: enwiki 'February 2025 Putin–Trump phone call'")
    # Its latest bound, derived from the article's publication date, names that as its source.
    panel = page.page.text_content("#panel")
    assert ("until 2 Jun 2025 (external, source: derived from the publication date of the source that reports it"
            in panel) and "not named in the data" not in panel
    # With the external layer off, that date is gone from the item and the panel.
    page.page.uncheck("#layer-external")
    state = timeline_state(page)
    assert state["starts"].get(call) != "2025-02-12"
    assert "external" not in (when_of(page) or "") and "12 Feb 2025" not in page.page.text_content("#panel")
    # Every placed event says where its date comes from.
    for event in state["items"][:40]:
        page.page.evaluate("(id) => window.kg.timeline.emit('select', {items: [id]})", event)
        when = when_of(page)
        assert "(asserted" in when or "(inferred" in when or "order only" in when, (event, when)
    assert page.errors == [] and page.requests == []


def test_timeline_panel_says_so_far_in_words(open_page, rendered):
    # "concessions Zelenskyy has so far firmly rejected": the status is the scheme's words, not its local name
    rejection = PTR + "event-zelenskyy-rejects-concessions"
    page = open_page(rendered / "timeline.html")
    if rejection in timeline_state(page)["items"]:
        page.page.evaluate("(id) => window.kg.timeline.emit('select', {items: [id]})", rejection)
    else:
        page.page.click("#unplaced-heading")
        page.page.click(f"#unplaced li[data-event='{rejection}'] button")
    page.page.wait_for_selector("#panel:not([hidden])")
    status = page.page.evaluate("""() => { const dt = Array.from(document.querySelectorAll('#panel-facts dt'))
        .find(d => d.textContent === 'Status'); return dt ? dt.nextElementSibling.textContent : null; }""")
    assert status == "so far (up to the time of writing)"
    assert page.errors == [] and page.requests == []


def test_timeline_click_opens_the_evidence_of_the_oval_office_meeting(open_page, rendered, views, article):
    meeting = PTR + "event-oval-office-meeting-feb-28"
    attrs = views["whole"].nodes[meeting]
    page = open_page(rendered / "timeline.html")
    page.page.click(".vis-item.vis-box.kind-date >> text=Zelenskyy's meeting with Trump")
    page.page.wait_for_selector("#panel:not([hidden])")
    assert page.page.text_content("#panel-title") == attrs["label"]
    # "Feb. 28": the year comes from the publication date, which is outside knowledge
    assert when_of(page).startswith("28 Feb 2025 (external, source: derived from the publication date of the source")
    marks = page.page.eval_on_selector_all("#evidence mark", "ms => ms.map(m => m.textContent)")
    for _, start, end in attrs["spans"]:
        assert article.text[start:end] in marks
    assert any("White House on Feb. 28" in m for m in marks)
    assert page.page.text_content(".source-title") == "Trump promised peace in Ukraine within a day. Here's what actually happened"
    assert page.errors == [] and page.requests == []
    page.screenshot("timeline-oval-office-clicked")


def test_timeline_deep_link_survives_a_round_trip(open_page, rendered):
    # the article dates the invasion in full ("Feb. 24, 2022"), so it stays placed with the outside layer off
    invasion = PTR + "event-invasion-2022"
    first = open_page(rendered / "timeline.html")
    first.page.check("#rows-actor")
    first.page.uncheck("#layer-external")
    first.page.evaluate("(id) => window.kg.timeline.emit('select', {items: [id + '|' + 'https://w3id.org/peace-talks-kg/id/russia']})", invasion)
    url = first.page.url
    assert "sel=" in url and "rows=actor" in url and "layers=asserted%2Cinferred" in url
    second = open_page(url)
    assert second.page.is_checked("#rows-actor") and not second.page.is_checked("#layer-external")
    assert second.page.is_checked("#layer-inferred")
    assert second.page.text_content("#panel-title") == first.page.text_content("#panel-title")
    assert second.page.evaluate("() => window.kg.timeline.getSelection().length") > 0
    assert timeline_state(second) == timeline_state(first)
    assert second.errors == [] and second.requests == []


@pytest.mark.parametrize("name", ["timeline", "proposals", "index"])
def test_phone_width_nothing_overflows_and_the_panel_opens_and_closes(open_page, rendered, name):
    page = open_page(rendered / f"{name}.html", drawn=name != "index", viewport=(390, 844))
    assert page.page.evaluate("() => document.documentElement.scrollWidth") <= 390
    if name != "index":
        page.page.click(".vis-item.vis-box.kind-date >> text=Trump's call to Putin" if name == "timeline"
                        else "button.stance.support >> nth=0")
        panel_fits_the_phone_and_closes(page, name)
    assert page.errors == [] and page.requests == []


def panel_fits_the_phone_and_closes(page, name: str) -> None:
    """The panel just opened stays within 390 px, the page does not scroll sideways, and the panel closes."""
    page.page.wait_for_selector("#panel:not([hidden])")
    box = page.page.eval_on_selector("#panel", "p => p.getBoundingClientRect().toJSON()")
    assert box["left"] >= 0 and box["right"] <= 390
    assert page.page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.screenshot(f"{name}-phone-panel")
    page.page.click("#panel-close")
    assert page.page.is_hidden("#panel")


@pytest.mark.parametrize("name, node", [("whole", PTR + "putin"), ("interaction", PTR + "trump"), ("actor-zelenskyy", PTR + "zelenskyy")])
def test_phone_width_network_pages_do_not_overflow_and_the_panel_opens_and_closes(open_page, rendered, name, node):
    page = open_page(rendered / f"{name}.html", viewport=(390, 844))
    assert page.page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.click_node(node)
    panel_fits_the_phone_and_closes(page, name)
    assert page.errors == [] and page.requests == []


@pytest.mark.parametrize("name, select, viewport", [
    ("whole", PTR + "putin", (1366, 768)), ("whole", PTR + "putin", (390, 844)),
    ("timeline", PTR + "event-trump-putin-call", (390, 844))])
def test_the_panels_copy_link_gives_the_link_of_what_it_shows_in_the_panel(open_page, rendered, name, select, viewport):
    page = open_page(rendered / f"{name}.html", viewport=viewport)
    if name == "timeline":
        page.page.evaluate("(id) => window.kg.timeline.emit('select', {items: [id]})", select)
    else:
        page.click_node(select)
    page.page.wait_for_selector("#panel:not([hidden])")
    page.page.click("#panel-copy")
    # the clipboard may be refused to a page opened from disk: then the link is shown selected instead;
    # either way in the panel, where it is seen (on a phone the controls are folded)
    status = "#panel-copy-status"
    page.page.wait_for_function(f"() => document.querySelector('{status}').textContent || document.querySelector('{status} input')")
    assert page.page.is_visible(status)
    # the long link wraps inside the panel instead of running off the screen
    assert page.page.eval_on_selector(status, "s => s.scrollWidth <= s.clientWidth")
    assert page.page.evaluate("() => document.documentElement.scrollWidth") <= viewport[0]
    page.screenshot(f"{name}-{viewport[0]}-link-copied")
    shown = page.page.evaluate(f"""() => {{ const input = document.querySelector('{status} input');
        return input ? input.value : document.querySelector('{status}').textContent.replace(/^Link copied: /, ''); }}""")
    assert shown == page.page.url and "sel=" + quote(select, safe="") in shown
    again = open_page(shown, viewport=viewport)
    assert again.page.text_content("#panel-title") == page.page.text_content("#panel-title")
    assert page.errors == [] and again.errors == [] and again.requests == []


# ------------------------------------------------------------------ the proposal tracker

def test_tracker_cells_equal_the_stance_query(open_page, rendered, store, project):
    from kg.library import find_query
    from kg.views import run_select

    rows = run_select(store, find_query(project, "who-supported-or-opposed-each-proposal").text, list(LAYERS))
    expected: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        expected.setdefault((row["proposal"], row["holder"]), set()).add(row["stance"])
    page = open_page(rendered / "proposals.html")
    found = page.page.evaluate("""() => {
        const out = {};
        document.querySelectorAll('td[data-proposal]').forEach(td => {
            const stances = Array.from(td.querySelectorAll('[data-stance]')).map(b => b.dataset.stance);
            if (stances.length) out[td.dataset.proposal + ' ' + td.dataset.actor] = stances; });
        return out; }""")
    proposals = {p for p, _ in expected}
    got = {tuple(key.split(" ")): set(value) for key, value in found.items() if key.split(" ")[0] in proposals}
    assert got == expected and len(got) == len(expected) > 10
    # Zelenskyy first opposed the minerals deal, then supported it: the first is marked superseded.
    cell = page.page.locator(f"td[data-proposal='{PTR}proposal-minerals-deal'][data-actor='{PTR}zelenskyy'] button")
    assert cell.all_text_contents() == ["opposes · Initially", "supports · later"]
    assert "superseded" in cell.nth(0).get_attribute("class") and "superseded" not in cell.nth(1).get_attribute("class")
    assert page.errors == [] and page.requests == []


def test_tracker_cell_opens_its_quote_and_concessions_keep_their_strength(open_page, rendered, article):
    page = open_page(rendered / "proposals.html")
    page.page.click(f"[data-stance='{PTR}stance-zelenskyy-minerals-initial-rejection']")
    page.page.wait_for_selector("#panel:not([hidden])")
    assert page.page.text_content("#panel-title") == "Volodymyr Zelenskyy opposes: White House minerals proposal"
    marks = page.page.eval_on_selector_all("#evidence mark", "ms => ms.map(m => m.textContent)")
    assert marks == ["Initially, Zelenskyy rejected a White House proposal"] and marks[0] in article.text
    # Hegseth "suggested" ceding territory; the Kremlin's NATO demand is "demanded": never stronger or weaker.
    hegseth = page.page.locator(f"td[data-proposal='{PTR}concession-cede-territory-crimea'][data-actor='{PTR}hegseth'] button")
    assert hegseth.all_text_contents() == ["suggested"]
    kremlin = page.page.locator(f"td[data-proposal='{PTR}concession-no-nato-kremlin-demand'][data-actor='{PTR}kremlin'] button")
    assert "demanded" in kremlin.all_text_contents()
    # Trump is only "suggesting that he is prepared to" back away: no proposer's cell, and his stance keeps
    # its hedge; Ukraine "said it was ready to attend" the round two talks: not a plain "supports"
    trump = page.page.locator(f"td[data-proposal='{PTR}proposal-us-back-away'][data-actor='{PTR}trump'] button")
    assert trump.all_text_contents() == ["supports on a condition (suggested)"]
    ready = page.page.locator(f"td[data-proposal='{PTR}proposal-istanbul-round-two'][data-actor='{PTR}ukraine'] button")
    assert ready.all_text_contents() == ["supports (declared ready)"]
    russia = page.page.locator(f"td[data-proposal='{PTR}proposal-istanbul-round-two'][data-actor='{PTR}russia'] button")
    assert russia.all_text_contents() == ["proposed it"]
    # "Asked if he'd consider further sanctions on Russia, he replied 'absolutely'": neither support nor a blank
    sanctions = page.page.locator(f"td[data-proposal='{PTR}proposal-further-sanctions'][data-actor='{PTR}trump'] button")
    assert sanctions.all_text_contents() == ["would consider"]
    sanctions.click()
    assert page.page.text_content("#panel-title") == "Donald Trump would consider: further sanctions on Russia"
    marks = page.page.eval_on_selector_all("#evidence mark", "ms => ms.map(m => m.textContent)")
    assert marks == ["Asked if he'd consider further sanctions on Russia, he replied \"absolutely."]
    page.screenshot("proposals-clicked")
    assert page.errors == [] and page.requests == []


@pytest.fixture(scope="module")
def two_source_pages(project, tmp_path_factory):
    """The article and the test text of tests/fixtures/second-source, built and rendered together."""
    import contextlib

    from test_sources import build_with_fixture_source

    from kg.render import render

    both, out = build_with_fixture_source(project, tmp_path_factory.mktemp("two-sources-pages"))
    with contextlib.chdir(both.root):  # the pages quote the sources of the project they are rendered in
        render(out, LAYERS)
    return out / "html"


def test_network_source_filter_keeps_what_a_source_supports(open_page, two_source_pages):
    from test_sources import TEST

    meeting, only_test = PTR + "event-oval-office-meeting-feb-28", PTR + "test-person-olena-example"
    page = open_page(two_source_pages / "whole.html")
    titles = page.page.evaluate("() => window.kg.data.sources.map(s => s.title)")
    assert len(titles) == 2 and page.page.evaluate("() => window.kg.data.sources[1].iri") == TEST
    page.click_node(meeting)
    assert page.page.evaluate("() => Array.from(document.querySelectorAll('.source-title')).map(h => h.textContent)") == titles
    page.page.uncheck("#source-1")  # the test text off: the meeting stays (the article reports it), with its passages only
    assert page.page.evaluate("() => Array.from(document.querySelectorAll('.source-title')).map(h => h.textContent)") == titles[:1]
    assert meeting in shown_ids(page) and only_test not in shown_ids(page)
    page.page.check("#source-1")
    page.page.uncheck("#source-0")  # the article off: only what the test text supports, or nothing quotes
    shown = shown_ids(page)
    spans = page.page.evaluate("(ids) => ids.map(id => window.kg.data.details[id].spans.map(s => s[0]))", sorted(shown))
    assert all(not s or 1 in s for s in spans) and {meeting, only_test} <= shown
    assert PTR + "event-easter-truce" not in shown  # only the article reports it
    assert page.page.evaluate("() => location.hash").count("src=1") == 1
    page.screenshot("whole-test-source-only")


def panel_fact(page, name: str) -> str | None:
    return page.page.evaluate("""(name) => { const dt = Array.from(document.querySelectorAll('#panel-facts dt'))
        .find(d => d.textContent === name); return dt ? dt.nextElementSibling.textContent : null; }""", name)


def test_each_source_states_its_own_day_of_the_meeting_never_merged(open_page, two_source_pages):
    # The NPR article: "at the White House on Feb. 28"; the test text: "at the White House on March 1".
    # The build keeps both as attributed statements; the pages show both, each with its source.
    meeting = PTR + "event-oval-office-meeting-feb-28"
    npr = "Trump promised peace in Ukraine within a day. Here's what actually happened"
    test = "A retelling of the Oval Office meeting (test text)"
    both = f"28 Feb (asserted, source: {npr}); 1 Mar (asserted, source: {test})"
    page = open_page(two_source_pages / "whole.html")
    page.click_node(meeting)
    assert panel_fact(page, "Stated") == both
    page.page.uncheck("#source-1")
    assert panel_fact(page, "Stated") == f"28 Feb (asserted, source: {npr})"
    page.page.check("#source-1")
    page.page.uncheck("#layer-asserted")
    assert page.page.evaluate("(id) => window.kg.nodes.get(id)", meeting) is None or panel_fact(page, "Stated") is None
    assert page.errors == [] and page.requests == []
    timeline = open_page(two_source_pages / "timeline.html")
    timeline.page.evaluate("(id) => window.kg.timeline.emit('select', {items: [id]})", meeting)
    timeline.page.wait_for_selector("#panel:not([hidden])")
    assert panel_fact(timeline, "Stated by the sources") == both
    timeline.screenshot("timeline-two-sources-stated")
    assert timeline.errors == [] and timeline.requests == []


def test_parallel_links_open_as_one_bundle_listing_each_relation(open_page, rendered, views):
    us, russia = PTR + "united-states", PTR + "russia"
    view = views["interaction"]
    expected = sorted(d["label"] for a, b, d in view.edges(data=True) if {a, b} == {us, russia})
    page = open_page(rendered / "interaction.html")
    first = page.page.evaluate(f"() => window.kg.data.edges.find(e => e.from === '{us}' && e.to === '{russia}').id")
    page = open_page(rendered.joinpath("interaction.html").as_uri() + "#sel=" + first)
    assert page.page.text_content("#panel-connections-heading") == f"{len(expected)} links between United States and Russia"
    listed = page.page.evaluate("() => Array.from(document.querySelectorAll('#panel-connections button')).map(b => b.textContent)")
    assert sorted(listed) == expected and len(expected) > 2
    page.page.click("#panel-connections button >> text=Russia rejects the U.S. peace plan")
    assert page.page.text_content("#panel-title") == "Russia rejects the U.S. peace plan"
    page.screenshot("interaction-bundle")


def test_timeline_panel_shows_an_events_hedge(open_page, rendered):
    from urllib.parse import quote

    remark = PTR + "event-ryabkov-current-form-remark"
    page = open_page(rendered.joinpath("timeline.html").as_uri() + "#sel=" + quote(remark, safe=""))
    page.page.wait_for_selector("#panel:not([hidden])")
    assert page.page.text_content("#panel-title") == "Ryabkov: 'we can't accept it all in its current form'"
    assert page.page.evaluate(PANEL_FACTS)["Modality"] == "in its current form"
    page.screenshot("timeline-hedge")


def test_a_big_page_draws_its_links_itself_and_labels_the_nodes_in_view(open_page, tmp_path):
    """Over BIG_PAGE nodes + links a page is lean: vis-network gets its nodes without labels and none
    of its links, the page draws the links (one path per look), a click or a hover on one shows it, a
    deep link restores it, and zooming in labels the nodes in view, without overlaps."""
    import random

    from kg.render import BIG_PAGE, EDGE_STYLES, PageSpec, write_pages

    rng = random.Random(3)
    graph = nx.MultiDiGraph()
    attrs = {"kind": "Person", "layer": "asserted", "quotes": [], "spans": []}
    positions = {}
    for i in range(1200):  # a grid, 150 px apart
        graph.add_node(f"ex:n{i}", label=f"Node {i}", **attrs)
        positions[f"ex:n{i}"] = (150.0 * (i % 40), 150.0 * (i // 40))
    for i in range(1, 1200):
        for j in (rng.randrange(i), rng.randrange(i)):
            graph.add_edge(f"ex:n{i}", f"ex:n{j}", relation="agent", label="agent", layer="asserted", quotes=[], spans=[])
    # one link on its own, left of the grid, to look at and click
    graph.add_node("ex:a", label="Lone A", **attrs)
    graph.add_node("ex:b", label="Lone B", **attrs)
    positions["ex:a"], positions["ex:b"] = (-3000.0, 0.0), (-1800.0, 0.0)
    graph.add_edge("ex:a", "ex:b", relation="supports", label="supports", layer="asserted", quotes=[], spans=[])
    assert graph.number_of_nodes() + graph.number_of_edges() > BIG_PAGE
    write_pages(tmp_path, [PageSpec("big.html", "Big", "A lean page", graph, positions=positions)], [], "Text.")

    page = open_page(tmp_path / "big.html")
    page.page.wait_for_selector("body[data-labelled='1']")
    assert page.requests == [] and page.errors == []
    counts = page.counts()
    assert counts["edges"] == counts["edgesTotal"] == graph.number_of_edges()
    assert page.page.evaluate("() => window.kg.network.getConnectedEdges('ex:a')") == []  # none in vis-network
    # zoomed all the way out no label is readable, so none is given
    assert page.page.evaluate("() => window.kg.nodes.get().filter(n => n.label !== undefined).length") == 0

    link = page.page.evaluate("() => window.kg.data.edges.find(e => e.from === 'ex:a').id")
    point = page.page.evaluate("""() => { const net = window.kg.network, m = {x: -2400, y: 0};
        net.moveTo({position: m, scale: 1, animation: false}); net.redraw();
        const p = net.canvasToDOM(m), canvas = document.querySelector('#graph canvas');
        const pixel = Array.from(canvas.getContext('2d').getImageData(Math.round(p.x), Math.round(p.y), 1, 1).data);
        const r = canvas.getBoundingClientRect();
        return {x: r.left + p.x, y: r.top + p.y, pixel: pixel}; }""")
    green = EDGE_STYLES["support"]["colour"]
    r, g, b = (int(green[i:i + 2], 16) for i in (1, 3, 5))
    # the canvas under the link's middle has the link's colour (the canvas is transparent elsewhere)
    assert all(abs(c - v) < 12 for c, v in zip(point["pixel"], (r, g, b))) and point["pixel"][3] > 60, point["pixel"]
    page.page.mouse.move(point["x"], point["y"])
    page.page.wait_for_function("() => { const t = document.querySelector('div.link-tip'); return t && t.style.visibility === 'visible'; }")
    assert page.page.text_content("div.link-tip") == "supports"
    page.page.mouse.click(point["x"], point["y"])
    page.page.wait_for_selector("#panel:not([hidden])")
    assert page.page.text_content("#panel-type") == "Link: supports"
    assert (panel_fact(page, "From"), panel_fact(page, "To")) == ("Lone A", "Lone B")
    assert page.page.evaluate("() => location.hash") == "#sel=" + quote(link, safe="")

    again = open_page(tmp_path.joinpath("big.html").as_uri() + "#sel=" + quote(link, safe=""))
    again.page.wait_for_selector("#panel:not([hidden])")
    assert again.page.text_content("#panel-type") == "Link: supports" and again.errors == []

    # zoomed in on the grid (a wheel turn, as a reader zooms), the grid's nodes in view get their labels
    # (the lone pair keeps the labels it got in view before)
    centre = page.page.evaluate("""() => { const net = window.kg.network;
        net.moveTo({position: {x: 3000, y: 2200}, scale: 1.2, animation: false});
        const r = document.querySelector('#graph canvas').getBoundingClientRect();
        return {x: r.left + r.width / 2, y: r.top + r.height / 2}; }""")
    page.page.mouse.move(centre["x"], centre["y"])
    page.page.mouse.wheel(0, -100)
    page.page.wait_for_function("() => window.kg.nodes.get().some(n => n.id.startsWith('ex:n') && n.label && n.label.trim())")
    labelled = page.page.evaluate("""() => { const net = window.kg.network, c = document.querySelector('#graph canvas');
        const a = net.DOMtoCanvas({x: 0, y: 0}), b = net.DOMtoCanvas({x: c.clientWidth, y: c.clientHeight});
        return window.kg.nodes.get().filter(n => n.id.startsWith('ex:n') && n.label && n.label.trim()).map(n => {
            const p = net.getPositions([n.id])[n.id]; return [n.id, p.x >= a.x - 60 && p.x <= b.x + 60 && p.y >= a.y - 60 && p.y <= b.y + 60]; }); }""")
    assert len(labelled) >= 12 and all(inside for _, inside in labelled), labelled
    boxes = page.page.evaluate("() => window.kg.labelBoxes()")
    for i, one in enumerate(boxes):
        for other in boxes[i + 1:]:
            assert not (one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]), (one, other)
    assert page.errors == []
    page.screenshot("big-page-zoomed")
