"""Time loading and every library query on pyoxigraph and on rdflib's SPARQL engine.

    python benchmarks/bench_queries.py                       # the article, then 10k, 100k, 1M triples
    python benchmarks/bench_queries.py --sizes 10000 --repeat 5
    python benchmarks/bench_queries.py --rdflib-max 100000   # rdflib only up to this size

The corpora come from benchmarks/synthetic.py (the project's own data model, seeded, so
runs are comparable). Prints the median of --repeat runs per query, in
milliseconds, and the rdflib/Oxigraph ratio. Federated queries (SERVICE) are
left out: they time the remote endpoint, not ours. Results are figures for
benchmarks/README.md, not pass/fail checks.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def median_seconds(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def library_queries():
    from kg.library import load_library
    from kg.project import find_project

    return [q for q in load_library(find_project(ROOT)) if not q.federated]


def oxigraph_runner(store, text: str):
    from kg.library import run_query

    return lambda: run_query(store, text, timeout=None)


def rdflib_runner(dataset, text: str):
    return lambda: len(list(dataset.query(text)))


def bench_article(repeat: int) -> None:
    import tempfile

    from kg.build import build
    from kg.project import find_project
    from kg.store import load_dataset

    with tempfile.TemporaryDirectory() as out:
        build(find_project(ROOT), Path(out))
        store = load_dataset(Path(out))
    queries = library_queries()
    total = median_seconds(lambda: [oxigraph_runner(store, q.text)() for q in queries], repeat)
    slowest = max(queries, key=lambda q: median_seconds(oxigraph_runner(store, q.text), repeat))
    print(f"article ({len(store)} quads): whole library ({len(queries)} queries) in-process on Oxigraph: "
          f"median {total * 1000:.0f} ms; slowest query {slowest.name}")


def in_child(run, repeat: int, timeout: float) -> tuple[float, str]:
    """Median seconds of `run` in a forked child killed after `timeout` s: (seconds, "") or (0, what went wrong).

    rdflib's engine cannot be interrupted, and on some queries it runs for
    hours and eats memory; a child process can be killed.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        try:
            sender.send((median_seconds(run, repeat), ""))
        except Exception as error:  # rdflib rejects some SPARQL 1.1 that Oxigraph accepts
            sender.send((0.0, f"error: {type(error).__name__}"))

    worker = context.Process(target=child, daemon=True)
    worker.start()
    sender.close()
    try:
        if receiver.poll(timeout):
            return receiver.recv()
        return 0.0, f"> {timeout:g} s"
    except EOFError:
        return 0.0, "crashed"
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receiver.close()


def bench_size(n: int, seed: int, repeat: int, with_rdflib: bool, rdflib_timeout: float,
               oxigraph_timeout: float) -> None:
    import pyoxigraph as ox

    from kg.library import QueryTimeout, run_query
    from synthetic import synthetic_quads  # benchmarks/synthetic.py, beside this script

    quads = synthetic_quads(n, seed)
    nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    start = time.perf_counter()
    store = ox.Store()
    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    ox_load = time.perf_counter() - start
    dataset, rdf_load = None, None
    if with_rdflib:
        from rdflib import Dataset

        start = time.perf_counter()
        dataset = Dataset(default_union=True)
        dataset.parse(data=nquads.decode("utf-8"), format="nquads")
        rdf_load = time.perf_counter() - start
    print(f"\n== {len(store)} quads (synthetic, seed {seed}) ==")
    print(f"load N-Quads: oxigraph {ox_load:.2f} s" + (f", rdflib {rdf_load:.2f} s, ratio {rdf_load / ox_load:.0f}x"
                                                        if rdf_load else ", rdflib not run at this size"))
    print(f"{'query':55} {'rows':>7} {'oxigraph ms':>12} {'rdflib ms':>10} {'ratio':>7}")
    total = 0.0
    for query in library_queries():
        ox_run = oxigraph_runner(store, query.text)
        try:  # a first run under a time limit, so that one runaway query cannot stall the benchmark
            rows = len(run_query(store, query.text, timeout=oxigraph_timeout))
        except QueryTimeout:
            print(f"{query.name[:55]:55} {'':7} {f'> {oxigraph_timeout:g} s':>12}", flush=True)
            continue
        ox_time = median_seconds(ox_run, repeat)
        total += ox_time
        rdf_cell, ratio = "", ""
        if dataset is not None:
            rdf_time, problem = in_child(rdflib_runner(dataset, query.text), max(1, repeat // 3), rdflib_timeout)
            if problem:
                rdf_cell = problem
            else:
                rdf_cell, ratio = f"{rdf_time * 1000:10.1f}", f"{rdf_time / ox_time:6.0f}x"
        print(f"{query.name[:55]:55} {rows:7} {ox_time * 1000:12.1f} {rdf_cell:>10} {ratio:>7}", flush=True)
    print(f"whole library on oxigraph: {total:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated triple counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs per query (median reported)")
    parser.add_argument("--rdflib-max", type=int, default=100_000,
                        help="largest size to run rdflib on (its engine takes minutes per query at 1M)")
    parser.add_argument("--rdflib-timeout", type=float, default=60.0,
                        help="seconds before an rdflib query is stopped (default 60)")
    parser.add_argument("--oxigraph-timeout", type=float, default=60.0,
                        help="seconds before an Oxigraph query is stopped and reported as too slow (default 60)")
    parser.add_argument("--no-article", action="store_true", help="skip the built article")
    args = parser.parse_args(argv)
    if not args.no_article:
        bench_article(args.repeat)
    for n in (int(s) for s in args.sizes.split(",")):
        bench_size(n, args.seed, args.repeat, n <= args.rdflib_max, args.rdflib_timeout, args.oxigraph_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
