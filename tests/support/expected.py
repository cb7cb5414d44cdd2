"""Test support: the query library's committed answers (queries/expected/) and a stand-in SPARQL endpoint.

Not part of the installed package. Regenerate the expected answers from a build, then read each
against the article before committing:

    python tests/support/expected.py --out build \
        --stand-in https://query.wikidata.org/sparql=tests/fixtures/wikidata-fixture.ttl
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pyoxigraph as ox

from kg.library import Query, load_library, run_query
from kg.problems import EXIT_OK, KgError
from kg.project import Project
from kg.results import Result, to_csv, to_json, to_ntriples

EXPECTED_DIR = "expected"


def expected_path(project: Project, query: Query) -> Path:
    """queries/expected/NAME.csv for SELECT, .srj for ASK, .nt for CONSTRUCT/DESCRIBE."""
    suffix = {"SELECT": ".csv", "ASK": ".srj"}.get(query.form, ".nt")
    return project.queries_dir / EXPECTED_DIR / (query.name + suffix)


def expected_text(result: Result) -> str:
    """The committed form of a result: SPARQL CSV, SPARQL JSON for ASK, sorted N-Triples for graphs."""
    if result.form == "ASK":
        return to_json(result)
    if result.is_graph:
        return to_ntriples(result)
    return to_csv(result)


def redirect_services(text: str, services: Mapping[str, str]) -> str:
    """The query with each `SERVICE <from>` calling `<to>` instead: federated queries run
    offline against a stand-in endpoint (tests, expected results)."""
    for source, target in services.items():
        text = text.replace(f"SERVICE <{source}>", f"SERVICE <{target}>")
    return text


@contextmanager
def stand_in_endpoint(data: Path) -> Iterator[str]:
    """A SPARQL 1.1 Protocol endpoint on 127.0.0.1 answering SELECT/ASK from the Turtle file
    `data` (JSON results), for as long as the block runs; yields its URL. Federated queries
    run offline against it: tests and expected results use tests/fixtures/wikidata-fixture.ttl
    in place of Wikidata."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlparse

    store = ox.Store()
    store.load(path=str(data), format=ox.RdfFormat.TURTLE)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(parse_qs(urlparse(self.path).query).get("query", [""])[0])

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
            kind = self.headers.get("Content-Type", "")
            self._answer(body if kind.startswith("application/sparql-query") else parse_qs(body)["query"][0])

        def _answer(self, query: str) -> None:
            payload = store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:  # quiet: the caller reports what matters
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/sparql"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def write_expected(project: Project, out: Path, services: Mapping[str, str] | None = None) -> list[Path]:
    """(Re)write queries/expected/* from a build in `out`; read each against the article before committing.

    Federated queries are written only when `services` redirects their endpoints
    to stand-ins (e.g. one serving tests/fixtures/wikidata-fixture.ttl)."""
    from kg.serialize import write_atomically
    from kg.store import load_dataset

    store = load_dataset(out)
    written = []
    for query in load_library(project):
        if query.check or (query.federated and not services):
            continue
        path = expected_path(project, query)
        path.parent.mkdir(exist_ok=True)
        text = redirect_services(query.text, services or {})
        result = run_query(store, text, timeout=None, where=project.relative(query.path))
        write_atomically(path, expected_text(result))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    from kg.project import DEFAULT_OUT, find_project

    parser = argparse.ArgumentParser(prog="python tests/support/expected.py",
                                     description="regenerate queries/expected/ from a build")
    parser.add_argument("--write-expected", action="store_true", required=True)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the build folder to query")
    parser.add_argument("--stand-in", action="append", default=[], metavar="ENDPOINT=FILE.ttl",
                        help="run federated queries with SERVICE <ENDPOINT> answered from FILE.ttl "
                             "(e.g. https://query.wikidata.org/sparql=tests/fixtures/wikidata-fixture.ttl)")
    args = parser.parse_args(argv)
    project = find_project()
    try:
        with ExitStack() as stack:
            services = {}
            for option in args.stand_in:
                endpoint, sep, data = option.partition("=")
                if not sep or not Path(data).is_file():
                    raise KgError(f"--stand-in {option!r}: expected ENDPOINT=FILE.ttl with an existing file")
                services[endpoint] = stack.enter_context(stand_in_endpoint(Path(data)))
            for path in write_expected(project, args.out, services):
                print(project.relative(path))
    except KgError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    return EXIT_OK




if __name__ == "__main__":
    sys.exit(main())
