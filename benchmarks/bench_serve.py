"""Throughput and latency of `kg serve` (the front and its workers) beside the bare Oxigraph server.

    python benchmarks/bench_serve.py --out build                # 3 rounds of 10 s per query and server
    python benchmarks/bench_serve.py --out build --seconds 5 --rounds 5 --concurrency 20

Both serve the same store folder (OUT/oxigraph-store) read-only, with the union of the layers as the
default graph, on loopback. The client keeps `--concurrency` HTTP/1.1 keep-alive connections busy
(threads spread over several processes, so that the client is not the bottleneck), POSTs the query as a
form with Accept: application/sparql-results+json, and records each request's latency. Prints
requests/s, p50 and p99 per server and query, each in two modes: "distinct" (every request's text
differs, so each reaches the engine: what the front itself costs) and "repeated" (the same query over and
over: `kg serve` answers it from its answer cache after the first time), the kg serve/bare throughput
ratio (goal: at least 0.70) and the machine's load average before and after (the client shares the
machine with the servers). The servers run in turns, round by round, so that a change in the machine's
load (other jobs) falls on each alike; medians are reported.

A third server, "floor", is uvicorn (httptools, uvloop, as `kg serve` runs it) answering every request with
one fixed body and no query at all: the least that any Python front on uvicorn costs, so that a ratio below
the goal can be told apart from a limit of Python and uvicorn themselves.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIMPLE = ("simple: one label",
          "SELECT ?label WHERE { <https://w3id.org/peace-talks-kg/id/putin> "
          "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")
LIBRARY_QUERY = "who-met-or-called-whom"
FLOOR_BODY = (b'{"head":{"vars":["label"]},"results":{"bindings":[{"label":{"type":"literal",'
              b'"value":"Vladimir Putin","xml:lang":"en"}}]}}')


async def floor_app(scope, receive, send) -> None:
    """The "floor" server: read the request, answer FLOOR_BODY; no checks, no engine."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/sparql-results+json"),
                            (b"content-length", str(len(FLOOR_BODY)).encode())]})
    await send({"type": "http.response.body", "body": FLOOR_BODY})


def client(port: int, query: str, threads: int, seconds: float, results, distinct: bool = False) -> None:
    """One client process: `threads` keep-alive connections, each sending requests back to back.

    `distinct`: every request's text differs (a trailing comment with a serial number), so no answer
    cache can serve it and each one reaches the engine; else every request is the same query."""
    same = urllib.parse.urlencode({"query": query}).encode()
    serial = iter(range(10**9))
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds

    def loop() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/sparql-results+json"}
        while time.monotonic() < deadline:
            body = urllib.parse.urlencode({"query": f"{query}\n# {os.getpid()}-{next(serial)}"}).encode() \
                if distinct else same
            started = time.perf_counter()
            connection.request("POST", "/query", body, headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors[0] += 1
            latencies.append(time.perf_counter() - started)
        connection.close()

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((latencies, errors[0]))


def measure(port: int, query: str, concurrency: int, seconds: float, distinct: bool) -> dict:
    processes = min(concurrency, max(2, (os.cpu_count() or 2) * 2))
    share = [concurrency // processes + (i < concurrency % processes) for i in range(processes)]
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    client(port, query, 2, 1.0, results, distinct)  # warm-up: worker start-up, the engine's own caches
    results.get()
    started = time.monotonic()
    clients = [context.Process(target=client, args=(port, query, n, seconds, results, distinct)) for n in share]
    for process in clients:
        process.start()
    gathered = [results.get() for _ in clients]
    for process in clients:
        process.join()
    elapsed = time.monotonic() - started
    latencies = sorted(t for part, _ in gathered for t in part)
    errors = sum(e for _, e in gathered)
    return {"rate": len(latencies) / elapsed, "p50": statistics.median(latencies),
            "p99": latencies[int(len(latencies) * 0.99) - 1], "requests": len(latencies), "errors": errors}


def start_front(out: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--out", str(out), "--port", str(port),
                                *os.environ.get("KG_BENCH_SERVE_ARGS", "").split()],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(3):
        if not process.stdout.readline():
            raise SystemExit(f"kg serve did not start: {process.stderr.read()}")
    return process


def start_floor(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench_serve:floor_app", "--app-dir",
                                str(Path(__file__).parent), "--port", str(port), "--loop", "uvloop", "--http",
                                "httptools", "--log-level", "warning", "--no-access-log"])
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the floor server did not start")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    from kg.library import find_query
    from kg.project import find_project
    from kg.serve import prepare_store
    sys.path.insert(0, str(ROOT / "tests"))  # the Oxigraph starter is test support, not in the package
    from support.servers import free_port, start_oxigraph

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build", help="a build folder (kg build)")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds a run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="runs of each server and query, taken in turns (bare, kg serve, bare, ...)")
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()

    library = find_query(find_project(ROOT), LIBRARY_QUERY)
    queries = [(f"{name}, {mode}", text, mode == "distinct")
               for name, text in (SIMPLE, (f"library: {LIBRARY_QUERY}", library.text))
               for mode in ("distinct", "repeated")]
    store = prepare_store(args.out)
    print(f"load average before: {load()}; {os.cpu_count()} CPUs; concurrency {args.concurrency}, "
          f"{args.seconds:g} s a run, {args.rounds} rounds taken in turns")
    runs: dict[tuple[str, str], list[dict]] = {}
    front_port, floor_port = free_port(), free_port()
    with start_oxigraph(store, read_only=True, union_default_graph=True) as bare:
        ports = {"bare": int(bare.base_url.rstrip("/").rsplit(":", 1)[1]), "front": front_port}
        front, floor = start_front(args.out, front_port), start_floor(floor_port)
        try:
            # in turns, so that a change in the machine's load falls on both servers alike
            for name, text, distinct in queries:
                for _ in range(args.rounds):
                    for server, port in ports.items():
                        runs.setdefault((server, name), []).append(
                            measure(port, text, args.concurrency, args.seconds, distinct))
                    if distinct and name.startswith("simple"):
                        runs.setdefault(("floor", name), []).append(
                            measure(floor_port, text, args.concurrency, args.seconds, True))
        finally:
            front.send_signal(signal.SIGTERM)  # SIGINT is ignored by a job started in the background
            front.wait(30)
            floor.kill()
            floor.wait(30)
    print(f"load average after: {load()}")
    report(runs, [name for name, _, _ in queries])


def report(runs: dict[tuple[str, str], list[dict]], names: list[str]) -> None:
    """Median req/s (p50, p99 of the median run) per server and query; the ratio of the medians and the
    range of the ratios round by round."""
    print(f"{'query':<46} {'server':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    labels = {"bare": "oxigraph serve-read-only", "front": "kg serve (workers)", "floor": "floor: uvicorn alone"}
    for name in names:
        for server in ("bare", "front", "floor"):
            if (server, name) not in runs:
                continue
            done = sorted(runs[(server, name)], key=lambda f: f["rate"])
            f = done[len(done) // 2]
            print(f"{name:<46} {labels[server]:<28} {f['rate']:>8.0f} {f['p50'] * 1000:>8.1f} "
                  f"{f['p99'] * 1000:>8.1f} {sum(d['errors'] for d in done):>7}")
        bare, front = runs[("bare", name)], runs[("front", name)]
        ratio = statistics.median(f["rate"] for f in front) / statistics.median(f["rate"] for f in bare)
        each = [f["rate"] / b["rate"] for f, b in zip(front, bare)]
        print(f"{name:<46} {'kg serve / bare':<28} {ratio:>8.2f}   (round by round {min(each):.2f}-"
              f"{max(each):.2f}; goal >= 0.70)")


if __name__ == "__main__":
    main()
