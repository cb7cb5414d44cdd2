"""Screenshots of the rendered pages for the README, made in headless Chromium.

    .venv/bin/kg build && .venv/bin/kg render && .venv/bin/python docs/screenshots/make.py [--build build]

Each page is opened from disk with every http/https request blocked, at 1366×768 (one page also at
390×844, as on a phone), and saved as a PNG next to this script, reduced to 256 colours so the
files stay small. A page that logs an error, or asks for anything on the network, stops the script.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

HERE = Path(__file__).parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PTR = "https%3A%2F%2Fw3id.org%2Fpeace-talks-kg%2Fid%2F"
# (file written here, page, what the URL fragment selects, viewport)
SHOTS = (
    ("timeline.png", "timeline.html", "#sel=" + PTR + "event-trump-putin-call", (1366, 768)),
    ("proposals.png", "proposals.html", "#sel=" + PTR + "stance-zelenskyy-minerals-initial-rejection%7C" + PTR +
     "proposal-minerals-deal", (1366, 768)),
    ("whole.png", "whole.html", "", (1366, 768)),
    ("interaction.png", "interaction.html", "#sel=" + PTR + "trump", (1366, 768)),
    ("actor-zelenskyy.png", "actor-zelenskyy.html", "", (1366, 768)),
    ("timeline-phone.png", "timeline.html", "", (390, 844)),
)


def shoot(browser, url: str, viewport: tuple[int, int]) -> bytes:
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    problems: list[str] = []
    context.route("http://*/**", lambda route: (problems.append(route.request.url), route.abort()))
    context.route("https://*/**", lambda route: (problems.append(route.request.url), route.abort()))
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url)
    page.wait_for_selector("body[data-drawn='1']", timeout=60000)
    page.wait_for_timeout(600)  # labels are placed just after the first draw
    png = page.screenshot()
    context.close()
    if problems:
        raise SystemExit(f"{url}: {problems[0]}")
    return png


def small(png: bytes) -> bytes:
    """The screenshot with a 256-colour palette: a third of the size, no visible loss for these pages."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        out = io.BytesIO()
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(out, "PNG", optimize=True)
        return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=Path("build"), help="the build folder with html/ (kg render)")
    args = parser.parse_args()
    folder = (args.build / "html").resolve()
    if not (folder / "index.html").is_file():
        print(f"{folder}: no rendered pages: run `kg build` and `kg render` first", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, page, fragment, viewport in SHOTS:
            data = small(shoot(browser, (folder / page).as_uri() + fragment, viewport))
            (HERE / name).write_bytes(data)
            print(f"{HERE / name}: {len(data):,} bytes")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
