"""Time `kg build` with many sources: the article alone (cold process), then synthetic corpora of N sources.

Each synthetic source is a folder sources/syn-NNNN/ (a text of meetings between
made-up people, with its source.toml) and graph/syn-NNNN/facts.ttl grounding
every person and meeting in it, built beside the project's own ontology,
rules and checks. The same event is reported by two sources every tenth
source, so evidence from several sources and attributed statements are
exercised too.

With --queries, every non-federated library query is then timed on each built
corpus (in-process on Oxigraph, median of 3 runs, after loading the dataset).

Run: .venv/bin/python benchmarks/bench_sources.py [--sources 100 1000] [--runs 5] [--queries] [--keep DIR]
     .venv/bin/python benchmarks/bench_sources.py --queries-on DIR/corpus-1000  # time the queries again, no build

--keep DIR keeps each corpus and its build folder (DIR/corpus-N, its build in DIR/corpus-N/build) instead
of a temporary folder, so that the queries can be timed again on it after a change to them.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.namespaces import PREFIXES

ROOT = Path(__file__).resolve().parents[1]
KG = Path(sys.executable).with_name("kg")
EVENTS_PER_SOURCE = 25
HEADER = "".join(f"@prefix {name + ':':<6} <{PREFIXES[name]}> .\n" for name in ("pt", "ptr", "cameo", "rdfs", "xsd"))


def person(i: int, j: int) -> str:
    return f"Person {i:04d}-{j:03d}"


def write_source(root: Path, i: int) -> None:
    slug = f"syn-{i:04d}"
    lines, facts = [f"Synthetic source {i:04d}, written by the benchmark: not a report of real events."], [HEADER]
    for j in range(EVENTS_PER_SOURCE):
        shared = i % 10 == 1 and i > 1 and j == 0  # every tenth source retells the previous source's first meeting
        event = f"syn-{i - 1 if shared else i:04d}-meeting-{0 if shared else j:03d}"
        sentence = f"On March {1 + j % 28}, {person(i, j)} met {person(i, j + 1)} in the capital (report {i:04d}/{j:03d})."
        lines.append(sentence)
        facts.append(f'ptr:{event} a pt:Meeting ;\n    rdfs:label "Meeting {event}"@en ;\n'
                     f'    pt:agent ptr:syn-{i:04d}-person-{j:03d} ;\n    pt:participant ptr:syn-{i:04d}-person-{j + 1:03d} ;\n'
                     f'    pt:cameoCode cameo:040 ;\n    pt:quote "{sentence}" .\n')
    for j in range(EVENTS_PER_SOURCE + 1):
        facts.append(f'ptr:syn-{i:04d}-person-{j:03d} a pt:Person ;\n    rdfs:label "{person(i, j)}"@en ;\n'
                     f'    pt:quote "{person(i, j)} met" .\n' if j < EVENTS_PER_SOURCE else
                     f'ptr:syn-{i:04d}-person-{j:03d} a pt:Person ;\n    rdfs:label "{person(i, j)}"@en ;\n'
                     f'    pt:quote "met {person(i, j)}" .\n')
    text = ("\n".join(lines) + "\n").encode("utf-8")
    folder = root / "sources" / slug
    folder.mkdir(parents=True)
    (folder / "text.txt").write_bytes(text)
    (folder / "source.toml").write_text(
        f'title = "Synthetic source {i:04d}"\npublisher = "benchmark"\nkind = "test"\ntext = "text.txt"\n'
        f'sha256 = "{hashlib.sha256(text).hexdigest()}"\nlanguage = "en"\nlicence = "benchmark data"\n'
        f'published = "2025-06-01"\npublished_reason = "made up by the benchmark"\n', encoding="utf-8")
    (root / "graph" / slug).mkdir(parents=True)
    (root / "graph" / slug / "facts.ttl").write_text("\n".join(facts), encoding="utf-8")


def corpus(root: Path, n: int) -> Path:
    for folder in ("ontology", "queries"):
        shutil.copytree(ROOT / folder, root / folder)
    for i in range(1, n + 1):
        write_source(root, i)
    return root


def build_once(project: Path, out: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system: what a loaded machine does not inflate), peak resident
    MiB of the child, and the build's summary line."""
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([str(KG), "build", "--out", str(out)], capture_output=True, text=True,
                          env={**os.environ, "KG_ROOT": str(project)})
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"kg build failed:\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, after.ru_maxrss / 1024, done.stdout.strip()


def time_queries(out: Path, names: list[str] | None = None, rows: Path | None = None) -> None:
    """Each library query of this checkout (every one, or `names`) on the built dataset at `out`: every
    one that takes 0.5 s or more, and how many take 1 s or more. `rows` saves each answer (sorted, as
    text) to that JSON file, or, when it exists, compares each answer with the saved one."""
    import json

    from kg.library import load_library, run_query
    from kg.project import Project
    from kg.store import load_dataset

    start = time.perf_counter()
    store = load_dataset(out)
    print(f"  loaded {len(store)} quads in {time.perf_counter() - start:.1f} s")
    times, answers = {}, {}
    for query in (q for q in load_library(Project(ROOT)) if not q.federated and (not names or q.name in names)):
        samples = []
        for _ in range(3):
            start = time.perf_counter()
            result = run_query(store, query.text, timeout=None)
            samples.append(time.perf_counter() - start)
        times[query.name] = statistics.median(samples)
        answers[query.name] = sorted(repr(r) for r in (result.rows or result.triples or (result.boolean,)))
    slowest = sorted(times.items(), key=lambda item: -item[1])
    print(f"  {len(times)} library queries: {sum(times.values()):.2f} s in all; "
          f"{sum(1 for t in times.values() if t >= 1.0)} take 1 s or more (goal: none); 0.5 s or more: "
          + (", ".join(f"{name} {seconds:.2f} s" for name, seconds in slowest if seconds >= 0.5) or "none"))
    if rows and rows.exists():
        saved = json.loads(rows.read_text(encoding="utf-8"))
        changed = [name for name in answers if name in saved and saved[name] != answers[name]]
        print(f"  answers compared with {rows}: {len(answers)} queries, changed: {', '.join(changed) or 'none'}")
    elif rows:
        rows.write_text(json.dumps(answers, indent=0), encoding="utf-8")
        print(f"  answers saved to {rows}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=5, help="cold runs of the article build (median)")
    parser.add_argument("--queries", action="store_true", help="time every library query on each corpus")
    parser.add_argument("--keep", type=Path, help="keep the corpora and their builds in this folder")
    parser.add_argument("--queries-on", type=Path, metavar="CORPUS",
                        help="only time the library queries on a corpus kept by --keep (its build/ inside)")
    parser.add_argument("--only", nargs="*", metavar="NAME", help="with --queries-on: only these queries")
    parser.add_argument("--rows", type=Path, metavar="JSON",
                        help="with --queries-on: save the answers there, or compare them with those saved")
    args = parser.parse_args()
    print(f"machine load (1 min): {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    if args.queries_on:
        time_queries(args.queries_on / "build", args.only, args.rows)
        return
    with tempfile.TemporaryDirectory() as tmp:
        first = build_once(ROOT, Path(tmp) / "article")
        print(f"kg build, the article alone, cold process, new build folder (pyLODE writes docs/): "
              f"{first[0]:.2f} s wall, {first[1]:.2f} s CPU, peak {first[2]:.0f} MiB")
        runs = [build_once(ROOT, Path(tmp) / "article") for k in range(args.runs)]
        print(f"kg build, the article alone, cold process, rebuilding its folder: median "
              f"{statistics.median(r[0] for r in runs):.2f} s wall, {statistics.median(r[1] for r in runs):.2f} s CPU, "
              f"of {args.runs} (goal 1.0 s)")
        for n in args.sources:
            project = corpus((args.keep or Path(tmp)) / f"corpus-{n}", n)
            seconds, cpu, peak, summary = build_once(project, project / "build")
            print(f"kg build, {n} synthetic sources: {seconds:.1f} s wall, {cpu:.1f} s CPU, peak {peak:.0f} MiB "
                  f"(goal at 1,000: 60 s, 2,048 MiB); {summary.split(': ', 1)[1]}")
            if args.queries:
                time_queries(project / "build")


if __name__ == "__main__":
    main()
