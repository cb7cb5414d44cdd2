"""The Python API beside what a notebook user would otherwise do: shell out to `kg query --format csv`.

    python benchmarks/bench_api.py              # needs a build (kg build) in build/
    python benchmarks/bench_api.py --repeat 10

Prints the median of --repeat runs, in milliseconds: opening the dataset (kg.open), a library query
as a Result and as a pandas DataFrame, the same query through `kg query --format csv` in a subprocess
read by pandas, a view, and the GEXF and TimelineJS exports. Figures for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERY = "who-supported-or-opposed-each-proposal"


def median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    import pandas as pd

    import kg
    from kg.export import gexf_bytes, timelinejs

    data = kg.open(ROOT / "build")
    rows = len(data.query(QUERY))

    def shell_out() -> pd.DataFrame:
        text = subprocess.run([sys.executable, "-m", "kg.cli", "query", QUERY, "--format", "csv",
                               "--out", str(ROOT / "build")], check=True, capture_output=True, text=True).stdout
        return pd.read_csv(io.StringIO(text))

    timeline = data.view("timeline", "asserted,inferred,external")
    figures = [
        ("kg.open() (load the built dataset)", median_ms(lambda: kg.open(ROOT / "build"), args.repeat)),
        (f"Dataset.query({QUERY!r}) ({rows} rows)", median_ms(lambda: data.query(QUERY), args.repeat)),
        ("  ... .to_pandas() with labels", median_ms(lambda: data.query(QUERY).to_pandas(), args.repeat)),
        ("  the same by `kg query --format csv` + pandas", median_ms(shell_out, args.repeat)),
        ("Dataset.view('interaction')", median_ms(lambda: data.view("interaction"), args.repeat)),
        ("GEXF of the timeline view (layout included)", median_ms(lambda: gexf_bytes(timeline, "timeline"), args.repeat)),
        ("TimelineJS JSON of the timeline view", median_ms(lambda: timelinejs(timeline, {}, ["asserted"]), args.repeat)),
    ]
    for name, ms in figures:
        print(f"{name:<55} {ms:9.1f} ms")
    in_process, shelled = figures[2][1], figures[3][1]
    print(f"shelling out / in-process DataFrame: {shelled / in_process:.1f}x")


if __name__ == "__main__":
    main()
