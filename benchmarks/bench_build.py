"""Time `kg build` on the article and `kg --help` start-up, against their goals.

Run: .venv/bin/python benchmarks/bench_build.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOALS = {"kg build (in-process)": 2.0, "kg build (command)": 2.0, "kg --help (command)": 0.3}


def timed(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    kg = str(Path(sys.executable).with_name("kg"))
    with tempfile.TemporaryDirectory() as tmp:
        from kg.build import build
        from kg.project import find_project

        project = find_project()
        build(project, Path(tmp) / "warm")  # imports and caches warm
        results = {
            "kg build (in-process)": timed(lambda: build(project, Path(tmp) / "a"), runs),
            "kg build (command)": timed(lambda: subprocess.run([kg, "build", "--out", f"{tmp}/b"], check=True,
                                                               capture_output=True), runs),
            "kg --help (command)": timed(lambda: subprocess.run([kg, "--help"], check=True, capture_output=True), runs),
        }
    print(f"{'measure':<24}{'median s':>10}{'goal s':>9}{'ratio':>8}")
    for name, seconds in results.items():
        goal = GOALS[name]
        print(f"{name:<24}{seconds:>10.3f}{goal:>9.1f}{seconds / goal:>8.2f}")


if __name__ == "__main__":
    main()
