"""Timings of the external layer, `kg export` and `kg enrich` on the shipped project.

    /work/venv/bin/python benchmarks/bench_external.py [--repeat N]

Builds the project once into a temporary folder, then prints the median of N
runs (default 5) for: building the external layer from graph/external/, each
export format, and `kg enrich` against a local Oxigraph server holding
tests/fixtures/wikidata-fixture.ttl at two batch sizes. Needs the `oxigraph`
server binary (pip install oxigraph) for the enrich rows.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "wikidata-fixture.ttl"


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def start_fixture_server(folder: Path) -> tuple[subprocess.Popen, str] | None:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).is_file():
        return None
    subprocess.run([binary, "load", "--location", str(folder), "--file", str(FIXTURE)], check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([binary, "serve-read-only", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "?" + urllib.parse.urlencode({"query": "ASK {}"}), timeout=1).close()
            return server, url
        except OSError:
            time.sleep(0.05)
    server.terminate()
    raise SystemExit(f"oxigraph did not start on {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat

    from kg.build import build, load_curated
    from kg.enrich import Client, enrich
    from kg.export import export
    from kg.links import external_layer
    from kg.project import Project

    project = Project(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "build"
        build(project, out)
        asserted = load_curated(project)[0]
        external = external_layer(project, asserted)
        print(f"external layer: {len(external)} triples; median of {repeat} runs")
        print(f"  external_layer (links + dates)      {median_seconds(lambda: external_layer(project, asserted), repeat):7.3f} s")
        for fmt in ("jsonld", "turtle", "ntriples", "trig", "graphml", "gexf", "csv"):
            print(f"  kg export --format {fmt:<9}          {median_seconds(lambda: export(out, fmt), repeat):7.3f} s")
        started = start_fixture_server(Path(tmp) / "wikidata")
        if started is None:
            print("  kg enrich: skipped (no oxigraph binary)")
            return
        server, url = started
        try:
            for batch in (5, 50):
                seconds = median_seconds(lambda: enrich(out, Client(url), batch_size=batch), repeat)
                print(f"  kg enrich, local fixture, batch {batch:<3}  {seconds:7.3f} s")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
