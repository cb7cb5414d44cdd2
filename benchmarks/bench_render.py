"""Time to first draw of rendered pages in headless Chromium, and page size.

Synthetic pages of 100, 1,000 and 5,000 nodes (about two links per node, random classes, dates on
a third of the nodes), plus the article's own pages when a build folder is given. Each page is
opened from disk with every http/https request blocked; "first draw" is the time from navigation
start to the first draw (window.kg.firstDraw: vis-network's first `afterDrawing`, vis-timeline's first
`changed`, the tracker's table built), median of --repeat runs.

    /work/venv/bin/python benchmarks/bench_render.py [--build build] [--repeat 3] [--phases]

--phases also prints, for each network page, when its phases ended (the page's own performance
marks: script start, JSON parsed, set-up done, vis-network built), medians in ms from navigation.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

import networkx as nx

from kg.render import PageSpec, page_html, render

HERE = Path(__file__).parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
KINDS = ["Person", "State", "GovernmentBody", "Meeting", "Statement", "MilitaryStrike", "Proposal", "Stance",
         "Claim", "Quotation", "Issue", "City"]
ARTICLE = "Synthetic article text. " * 400


def synthetic(n: int, seed: int = 1) -> nx.MultiDiGraph:
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    for i in range(n):
        dated = rng.random() < 0.33
        day = (date(2025, 1, 20) + timedelta(days=rng.randrange(130))).isoformat() if dated else ""
        g.add_node(f"ex:n{i}", label=f"Synthetic node {i}", kind=rng.choice(KINDS), layer=rng.choice(["asserted", "inferred"]),
                   date=day, earliest="", latest="", quotes=["Synthetic article"], spans=[[0, 17]],
                   wikidata="", dbpedia="", geonames="")
    for i in range(1, n):  # a random tree keeps it connected, then as many random links again
        for j in (rng.randrange(i), rng.randrange(n)):
            g.add_edge(f"ex:n{i}", f"ex:n{j}", relation=rng.choice(["agent", "supports", "opposes", "about"]),
                       label="link", event="", kind="", date="", earliest="", latest="", cameo="",
                       goldstein=rng.choice([None, 3.0, -4.0]), sign=0, quotes=[], spans=[], layer="asserted")
    return g


PHASES = ("kg:script", "kg:parsed", "kg:set-up", "kg:built")  # the network page's performance marks


def first_draw(browser, path: Path, repeat: int) -> tuple[float, dict[str, float]]:
    """Median first draw (s) and the median of each phase mark the page sets (ms from navigation)."""
    times, marks = [], []
    for _ in range(repeat):
        context = browser.new_context(viewport={"width": 1500, "height": 900})
        context.route("http://*/**", lambda route: route.abort())
        context.route("https://*/**", lambda route: route.abort())
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_function("window.kg && window.kg.firstDraw", timeout=120000)
        times.append(page.evaluate("window.kg.firstDraw") / 1000)
        marks.append(page.evaluate("() => Object.fromEntries(performance.getEntriesByType('mark')"
                                   ".map(m => [m.name, m.startTime]))"))
        context.close()
    phases = {name: statistics.median(m[name] for m in marks) for name in PHASES if all(name in m for m in marks)}
    return statistics.median(times), phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, help="a build folder: also time the article's pages")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--phases", action="store_true",
                        help="also print when each phase of a network page ended (ms from navigation, medians)")
    args = parser.parse_args()
    if args.build:
        args.build = args.build.resolve()  # pages are opened as file: URLs
    out = HERE / "out" / "render"
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for n in (int(s) for s in args.sizes.split(",")):
        graph = synthetic(n)
        started = time.perf_counter()
        html = page_html(PageSpec(f"synthetic-{n}.html", f"Synthetic {n}", "benchmark", graph), ARTICLE)
        elapsed = time.perf_counter() - started
        path = out / f"synthetic-{n}.html"
        path.write_text(html, encoding="utf-8")
        pages.append((f"synthetic {n} nodes, {graph.number_of_edges()} links", path, elapsed))
    if args.build:
        started = time.perf_counter()
        written = render(args.build)
        elapsed = time.perf_counter() - started
        print(f"kg render of the article: {len(written)} files in {elapsed:.2f} s")
        for name in ("timeline", "proposals", "whole", "interaction", "stance", "agreement", "actor-issue", "actor-trump"):
            pages.append((f"article: {name}", args.build / "html" / f"{name}.html", None))

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        print("| page | HTML written in | first draw (median) | size |")
        print("|---|---:|---:|---:|")
        phase_rows = []
        for name, path, build_time in pages:
            seconds, phases = first_draw(browser, path, args.repeat)
            made = f"{build_time:.2f} s" if build_time is not None else "–"
            print(f"| {name} | {made} | {seconds:.2f} s | {path.stat().st_size:,} B |")
            if phases:
                phase_rows.append((name, phases, seconds))
        if args.phases:
            print("\n| page | " + " | ".join(PHASES) + " | first draw |\n|---|" + "---:|" * (len(PHASES) + 1))
            for name, phases, seconds in phase_rows:
                print(f"| {name} | " + " | ".join(f"{phases[p]:.0f} ms" for p in PHASES) + f" | {seconds * 1000:.0f} ms |")
        browser.close()


if __name__ == "__main__":
    main()
