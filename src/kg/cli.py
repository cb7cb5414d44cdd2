"""`kg`: one command, a subcommand per job. A thin layer over the library.

Exit codes: 0 ok, 1 validation failures (or no results with --fail-empty),
2 usage or input error. Heavy modules are imported inside the handlers so
that `kg --help` starts fast.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn
from pathlib import Path

from kg.problems import EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, KgError, ValidationFailed
from kg.project import DEFAULT_OUT, find_project
from kg.terminal import safe


def positive(unit: str, *, zero_ok: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number above zero, or from zero with `zero_ok`
    (float() alone takes "nan", "inf" and "-1")."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of {unit}: {text!r}") from None
        if not (math.isfinite(value) and (value >= 0 if zero_ok else value > 0)):
            what = "zero or a positive" if zero_ok else "a positive"
            raise argparse.ArgumentTypeError(f"must be {what} number of {unit}, got {text!r}")
        return value
    return parse


seconds = positive("seconds")  # the type of every --timeout


def count(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number at least `minimum` (--retries, --batch-size)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value
    return parse


class Parser(argparse.ArgumentParser):
    """argparse with the project's error contract: one `error: ...` line on stderr and exit 2.

    argparse's own `error` prints the whole usage block first; a user (or a script reading stderr) gets
    the one line that says what is wrong, and where to look for the rest.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"error: {self.prog}: {safe(message)} (see `{self.prog} --help`)\n")


def comma_list(text: str) -> list[str]:
    """`a, b,,c` → ["a", "b", "c"]: the form of every comma-separated option."""
    return [part.strip() for part in text.split(",") if part.strip()]


def _build(args: argparse.Namespace) -> int:
    from kg.build import build
    from kg.buildfolder import DATASET_TRIG, GRAPHS

    layers = build(find_project(), args.out)
    counts = {name: len(layers.named()[iri]) for name, iri in GRAPHS.items()}
    print(f"built {args.out / DATASET_TRIG}: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + " triples")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from kg.build import compile_layers

    compile_layers(find_project())
    print("valid: every quote grounded, SHACL conforms, every violation check empty")
    return EXIT_OK


def _stats(args: argparse.Namespace) -> int:
    from kg.stats import dataset_stats, format_stats

    stats = dataset_stats(args.out)
    print(stats.to_json() if args.json else format_stats(stats))
    return EXIT_OK


def _queries(args: argparse.Namespace) -> int:
    from kg.library import print_library

    print_library(find_project(), verbose=args.verbose)
    return EXIT_OK


def _query(args: argparse.Namespace) -> int:
    """Print the answer in --format; with --fail-empty, exit 1 when there is none: no rows (SELECT),
    no triples (CONSTRUCT, DESCRIBE) or the answer no (ASK), so a script can use an ASK as a test."""
    from kg.buildfolder import parse_layers
    from kg.library import parse_param, resolve_query, run_query
    from kg.results import format_result
    from kg.store import load_dataset

    query = resolve_query(find_project(), args.name, args.file, args.sparql)
    params = dict(parse_param(p) for p in args.param)
    layers = parse_layers(args.layers) if args.layers else None
    store = load_dataset(args.out)
    result = run_query(store, query.text, params, timeout=args.timeout, where=query.where, prefixes=query.prefixes,
                       form=query.form, layers=layers)
    if args.format == "table" and query.entry:
        # a library parameter left unset has an empty column (it must be selected to be bindable):
        # a reader's table leaves it out; the machine formats keep every column
        result = result.without_empty(p.name for p in query.entry.params if p.name not in params)
    sys.stdout.write(format_result(result, args.format))
    if result.is_empty and params:
        from kg.hints import param_hints

        for hint in param_hints(store, params, option="--param "):
            print(f"hint: {hint}", file=sys.stderr)
    if args.fail_empty and result.is_empty:
        what = "the answer is no" if result.form == "ASK" else "no results"
        print(f"{query.where}: {what} (--fail-empty)", file=sys.stderr)
        return EXIT_VIOLATIONS
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from kg.serve import serve

    return serve(find_project(), args.out, host=args.host, port=args.port, timeout=args.timeout,
                 workers=args.workers, allow_service=args.allow_service, max_query_size=args.max_query_size,
                 max_depth=args.max_depth, cache_mb=args.cache_mb)


def _push(args: argparse.Namespace) -> int:
    from kg.push import push
    from kg.urls import display_url

    results = push(args.out, args.endpoint, graph=args.graph, replace=args.replace,
                   query_endpoint=args.query_endpoint, update_endpoint=args.update_endpoint, timeout=args.timeout)
    verb = "replaced" if args.replace else "appended to"
    for result in results:
        print(safe(f"{verb} <{result.graph}>: sent {result.sent} triples; the store now holds {result.found}"))
    print(safe(f"pushed {sum(r.sent for r in results)} triples to {display_url(args.endpoint)}: counts checked"))
    return EXIT_OK


def _analyze(args: argparse.Namespace) -> int:
    from kg.analysis import analyze_to, summary

    result, folder = analyze_to(args.out, comma_list(args.views), comma_list(args.layers),
                                merge_states=args.actors == "states")
    print(summary(result, folder))
    return 0


def _render(args: argparse.Namespace) -> int:
    from kg.render import HTML_DIR, render

    written = render(args.out, comma_list(args.layers))
    total = sum(path.stat().st_size for path in written)
    print(f"wrote {len(written)} pages ({total / 1e6:.1f} MB) into {args.out / HTML_DIR}: "
          f"open {args.out / HTML_DIR / 'index.html'}")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from kg.export import export

    for path in export(args.out, args.format, args.view, comma_list(args.layers) if args.layers else None):
        print(f"wrote {path}")
    return EXIT_OK


def _enrich(args: argparse.Namespace) -> int:
    from kg.buildfolder import DATASET_TRIG, ENRICHMENT_TTL
    from kg.enrich import Client, enrich, linked_count
    from kg.urls import display_url

    client = Client(args.endpoint, timeout=args.timeout, retries=args.retries,
                    max_bytes=round(args.max_response_mb * 1_000_000))
    enrichment = enrich(args.out, client, args.batch_size)
    print(safe(f"enriched {linked_count(enrichment)} linked Wikidata items from {display_url(args.endpoint)}: "
               f"{len(enrichment)} triples in {args.out / ENRICHMENT_TTL}, merged into the external graph of "
               f"{args.out / DATASET_TRIG}"))
    return EXIT_OK


def _new_source(args: argparse.Namespace) -> int:
    from kg.curation import NewSource, new_source

    spec = NewSource(file=args.file, slug=args.slug, title=args.title, publisher=args.publisher, kind=args.kind,
                     language=args.language, url=args.url, published=args.published,
                     published_reason=args.published_reason, licence=args.licence)
    project = find_project()
    for path in new_source(project, spec):
        print(f"wrote {project.relative(path)}")
    print(f"next: `kg draft {args.slug}` prints candidate facts to paste into graph/{args.slug}/facts.ttl")
    return EXIT_OK


def _draft(args: argparse.Namespace) -> int:
    from kg.curation import draft

    print(draft(find_project(), args.slug))
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    top = Parser(
        prog="kg",
        description="Knowledge graph of the 2025 US-brokered Russia–Ukraine peace efforts, "
        "every fact grounded in the exact words of its source article.",
        epilog="Exit codes: 0 ok; 1 validation failures (or no results with --fail-empty); 2 usage or input error.",
    )
    from kg import __version__

    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("--out", type=Path, default=None,
                       help="build folder to read and write (default: build/ in the project folder, "
                       "wherever kg runs from)")
        p.set_defaults(handler=handler)
        return p

    command("build", _build, "ground, reason, validate and write the dataset (TriG with layers, Turtle union)")
    command("validate", _validate, "run every check; write nothing")
    p = command("new-source", _new_source, "register a new source: copy its text, write source.toml and an empty fact file")
    p.add_argument("file", type=Path, help="the source's text, UTF-8 (copied byte for byte)")
    p.add_argument("--slug", required=True, help="short name: lower-case letters, digits and hyphens")
    p.add_argument("--title", required=True)
    p.add_argument("--publisher", required=True)
    p.add_argument("--kind", default="article", help="article (default), readout, transcript, statement, report")
    p.add_argument("--language", default="en", help="the text's language tag (default en)")
    p.add_argument("--url", help="where the text was published, when known")
    p.add_argument("--published", help="publication date YYYY-MM-DD, or interval YYYY-MM-DD/YYYY-MM-DD")
    p.add_argument("--published-reason", help="where the publication date comes from (needed with --published)")
    p.add_argument("--licence", default="Not stated.", help="the text's licence, as known")

    p = command("draft", _draft, "print candidate facts of a source as Turtle to curate (writes nothing)")
    p.add_argument("slug", help="the source's slug (see sources/)")

    p = command("stats", _stats, "counts by class and layer, grounded quotes, share of sentences grounded")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = command("queries", _queries, "list the query library with each summary")
    p.add_argument("-v", "--verbose", action="store_true", help="also print descriptions and layers")

    p = command("query", _query, "run a library query, a query file or a query string")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("name", nargs="?", help="name of a library query (see `kg queries`)")
    source.add_argument("--file", type=Path, help="a .rq file of your own")
    source.add_argument("--sparql", help="a query string")
    p.add_argument("--format", choices=["table", "csv", "tsv", "json", "turtle"], default="table")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="bind ?NAME to VALUE: <iri>, prefix:name, \"text\"@lang, \"lexical\"^^xsd:type, or plain text")
    p.add_argument("--timeout", type=seconds, default=30.0, help="seconds before the query is stopped (default 30)")
    p.add_argument("--layers", default=None,
                   help="comma-separated layers to read (asserted, inferred, external), with the vocabulary; default: "
                   "every graph. E.g. --layers asserted,inferred,external lets timeline and events-in-a-date-range "
                   "use dates from outside reporting, each with its source")
    p.add_argument("--fail-empty", action="store_true",
                   help="exit 1 when there is no result: no rows (SELECT), no triples (CONSTRUCT, DESCRIBE) "
                   "or the answer no (ASK)")

    p = command("serve", _serve, "serve the dataset on a local read-only SPARQL endpoint with a query UI")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7878)
    p.add_argument("--timeout", type=seconds, default=30.0,
                   help="seconds a query may run before its worker is killed (default 30)")
    p.add_argument("--workers", type=int, default=None,
                   help="query worker processes (default: the number of CPUs, at least 2)")
    p.add_argument("--allow-service", action="store_true",
                   help="let queries call other endpoints with SERVICE (refused by default: the endpoint "
                   "would fetch any URL it is given)")
    p.add_argument("--max-query-size", type=int, default=64 * 1024, metavar="BYTES",
                   help="longest query accepted, in bytes of UTF-8 (default 65536)")
    p.add_argument("--max-depth", type=int, default=64,
                   help="deepest nesting of ( { [ accepted (default 64)")
    p.add_argument("--cache-mb", type=positive("megabytes", zero_ok=True), default=64.0, metavar="MB",
                   help="memory for answers already given, reused for the same query (the served dataset "
                   "never changes while kg serve runs); 0 turns the cache off (default 64)")

    p = command("push", _push, "upload the dataset to a SPARQL 1.1 Graph Store HTTP Protocol endpoint")
    p.add_argument("--endpoint", required=True,
                   help="the Graph Store endpoint URL (no user:password@ in it: credentials come only from "
                   "KG_PUSH_USER and KG_PUSH_PASSWORD; its query string is sent but never printed)")
    p.add_argument("--graph", help="put every layer into this one graph IRI instead of its own")
    p.add_argument("--replace", action="store_true",
                   help="replace the graphs instead of appending: upload into temporary graphs, then MOVE them "
                   "into place in one SPARQL Update (a failure replaces nothing); on a store without SPARQL "
                   "Update, one PUT per graph, and a failure names the graph in flight")
    p.add_argument("--query-endpoint", help="SPARQL query endpoint for the count check (default: derived)")
    p.add_argument("--update-endpoint",
                   help="SPARQL update endpoint for --replace's MOVE into place (default: derived; without one, "
                   "each graph is replaced by PUT, not atomically)")
    p.add_argument("--timeout", type=seconds, default=60.0,
                   help="seconds each request may take in all, answer included (default 60)")

    p = command("analyze", _analyze, "network analysis: report (Markdown, JSON, PNG) and GraphML/GEXF views")
    p.add_argument("--views", default="all", help="comma-separated views (default: all)")
    p.add_argument("--actors", choices=["states", "named"], default="states",
                   help="states (default): the actors that act for one state (pt:actsOnBehalfOf) are one node per "
                   "state for centrality, coalitions and balance; named: every actor as the source names it")
    p.add_argument("--layers", default="asserted,inferred,external",
                   help="layers to read (default: asserted,inferred,external; the external layer dates events "
                   "the article dates only relatively, each date with its source)")

    p = command("render", _render, "interactive offline HTML pages (pyvis) into OUT/html")
    p.add_argument("--layers", default="asserted,inferred,external", help="layers to draw")

    p = command("export", _export, "export the dataset for other tools")
    p.add_argument("--format", required=True,
                   choices=["jsonld", "turtle", "ntriples", "trig", "graphml", "gexf", "csv", "timelinejs"])
    p.add_argument("--view", default=None, help="network view for graphml/gexf/csv (default: interaction); "
                   "RDF formats refuse it, timelinejs is the timeline")
    p.add_argument("--layers", default=None,
                   help="comma-separated layers (asserted, inferred, external; vocabulary for RDF formats); default: "
                        "the whole dataset for RDF formats, asserted,inferred,external for views; a choice other "
                        "than the default is named in the file (dataset-asserted.trig)")

    p = command("enrich", _enrich, "fetch labels, coordinates and offices for linked entities from a Wikidata-like endpoint")
    p.add_argument("--endpoint", required=True,
                   help="SPARQL endpoint URL (e.g. https://query.wikidata.org/sparql); no user:password@ in it; "
                   "a query string (e.g. an API key) is sent but never printed nor stored in the dataset")
    p.add_argument("--timeout", type=seconds, default=30.0,
                   help="seconds each request may take in all, answer included (default 30)")
    p.add_argument("--retries", type=count(0), default=3,
                   help="retries of a request after a network error, HTTP 429 or 5xx (default 3)")
    p.add_argument("--batch-size", type=count(1), default=50, help="items per query (default 50)")
    p.add_argument("--max-response-mb", type=positive("megabytes"), default=5.0, metavar="MB",
                   help="largest answer accepted, in megabytes (default 5)")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.out is None:
            args.out = find_project().root / DEFAULT_OUT
        code = args.handler(args)
        sys.stdout.flush()  # a reader that went away shows here, not as a traceback at exit
        return code
    except BrokenPipeError:
        return _reader_gone()
    except ValidationFailed as failure:
        for problem in failure.problems:
            print(safe(str(problem)), file=sys.stderr)
        print(f"{len(failure.problems)} problem(s); fix them and run `kg validate`", file=sys.stderr)
        return failure.exit_code
    except KgError as error:
        # messages quote data and servers' answers: never raw control characters on the terminal
        print(f"error: {safe(str(error), keep_newlines=True)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return EXIT_ERROR


# `kg queries | head -1`: the reader closed the pipe. Stop quietly with the status of a
# command ended by SIGPIPE (128 + 13), as `ls | head -1` does.
EXIT_BROKEN_PIPE = 141


def _reader_gone() -> int:
    import os

    # anything still buffered for stdout would fail again when Python exits: send it nowhere
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
