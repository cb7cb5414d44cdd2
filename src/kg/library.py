"""The query library (queries/*.rq) and running SPARQL on the built dataset.

Every library file begins with a comment header that `kg queries` shows:

    # summary: Who rejected the US peace plan, and how
    # description: One row per rejecting actor with the rejection event,
    #   its date words and the quote.
    # layers: asserted, inferred
    # param: actor: an actor IRI (e.g. ptr:trump) to restrict the rows to
    # needs: network

`summary`, `description` and `layers` are required; `param` may repeat and
names a variable of the SELECT that `kg query --param NAME=VALUE` binds;
`needs: network` marks a federated query (SERVICE to an outside endpoint). A
line starting with "#" and two or more spaces continues the previous key.
The lead's validation checks (queries/checks/*-violation.rq) are listed too,
marked as checks; their header is a plain comment.

Queries run on pyoxigraph, read-only, with the union of the layers as the
default graph. Values given with --param are bound through pyoxigraph's
`substitutions=`, never pasted into the query text.
"""

from __future__ import annotations

import difflib
import math
import multiprocessing
import re
import signal
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.buildfolder import GRAPHS
from kg.namespaces import PREFIXES
from kg.problems import KgError
from kg.project import Project
from kg.results import Result

HEADER_KEYS = ("summary", "description", "layers", "param", "needs")
NEEDS = ("network",)
REQUIRED_KEYS = ("summary", "description", "layers")
LAYER_NAMES = tuple(GRAPHS)  # what a query's "# layers:" may name: every named graph
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class Param:
    name: str
    description: str


@dataclass(frozen=True)
class Query:
    """One query file and what its header says about it."""

    name: str
    path: Path
    summary: str
    description: str
    layers: tuple[str, ...]
    params: tuple[Param, ...]
    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE (see query_form)
    check: bool = False
    needs: tuple[str, ...] = ()

    @property
    def federated(self) -> bool:
        """True for a query that calls an outside endpoint (SERVICE) and so needs the network."""
        return "network" in self.needs


# --- the header -------------------------------------------------------------

_HEADER_LINE = re.compile(r"#\s?(?P<key>[A-Za-z][\w-]*)\s*:\s*(?P<value>.*)$")
_CONTINUATION = re.compile(r"#\s{2,}(?P<value>\S.*)$")


def parse_header(text: str, where: str) -> dict[str, list[str]]:
    """The header's keys and values; KgError naming file and line when it is missing or malformed."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("#"):
        raise KgError(f"{where}:1: missing header: a library query begins with '# summary: ...'")
    fields: dict[str, list[str]] = {}
    last: str | None = None
    number = 0
    for number, line in enumerate(lines, start=1):
        if not line.startswith("#"):
            break
        if not line[1:].strip():
            last = None
            continue
        if last and (more := _CONTINUATION.match(line)):
            fields[last][-1] += " " + more["value"].strip()
            continue
        match = _HEADER_LINE.match(line)
        if not match:
            raise KgError(f"{where}:{number}: malformed header line {line!r}: expected '# key: value' "
                          f"with a key among {', '.join(HEADER_KEYS)}")
        key, value = match["key"].lower(), match["value"].strip()
        if key not in HEADER_KEYS:
            raise KgError(f"{where}:{number}: unknown header key {key!r}: expected one of {', '.join(HEADER_KEYS)}")
        if key in fields and key not in ("param", "needs"):
            raise KgError(f"{where}:{number}: header key {key!r} given twice")
        if not value:
            raise KgError(f"{where}:{number}: header key {key!r} has no value")
        fields.setdefault(key, []).append(value)
        last = key
    for key in REQUIRED_KEYS:
        if key not in fields:
            raise KgError(f"{where}:{number}: header lacks '# {key}: ...' (required: {', '.join(REQUIRED_KEYS)})")
    return fields


def _layers(value: str, where: str, text: str) -> tuple[str, ...]:
    layers = tuple(part.strip() for part in value.split(","))
    for layer in layers:
        if layer not in LAYER_NAMES:
            line = _line_of(text, "# layers:")
            raise KgError(f"{where}:{line}: unknown layer {layer!r} in '# layers:': expected some of "
                          f"{', '.join(LAYER_NAMES)}")
    return layers


def _params(values: list[str], where: str, text: str) -> tuple[Param, ...]:
    params = []
    for value in values:
        name, _, description = value.partition(":")
        name = name.strip().lstrip("?")
        if not re.fullmatch(r"[A-Za-z_]\w*", name) or not description.strip():
            line = _line_of(text, "# param:")
            raise KgError(f"{where}:{line}: malformed '# param: {value}': expected '# param: NAME: what it binds'")
        params.append(Param(name, description.strip()))
    return tuple(params)


def _needs(values: list[str], where: str, text: str) -> tuple[str, ...]:
    needs = tuple(part.strip() for value in values for part in value.split(","))
    for need in needs:
        if need not in NEEDS:
            raise KgError(f"{where}:{_line_of(text, '# needs:')}: unknown need {need!r} in '# needs:': "
                          f"expected {', '.join(NEEDS)}")
    calls_out = re.search(r"\bSERVICE\b", _without_comments(text), re.I) is not None
    if calls_out != ("network" in needs):
        line = _line_of(text, "# needs:") if needs else 1
        missing = "has a SERVICE call but no '# needs: network'" if calls_out else \
            "says '# needs: network' but has no SERVICE call"
        raise KgError(f"{where}:{line}: header {missing}")
    return needs


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def _line_of(text: str, prefix: str) -> int:
    return next((i for i, line in enumerate(text.splitlines(), 1) if line.startswith(prefix)), 1)


def read_rq(path: Path, where: str) -> str:
    """A .rq file's text: UTF-8, a leading byte order mark dropped; other bytes name their line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise KgError(f"{where}: cannot read: {error.strerror or error}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - data.rfind(b"\n", 0, error.start)
        raise KgError(f"{where}:{line}:{column}: not UTF-8: byte 0x{data[error.start]:02x} ({error.reason})") from None


def read_query(path: Path, project: Project | None = None) -> Query:
    """A library query file with its header checked."""
    where = project.relative(path) if project else str(path)
    text = read_rq(path, where)
    fields = parse_header(text, where)
    query = Query(name=path.stem, path=path, summary=fields["summary"][0],
                  description=fields["description"][0], layers=_layers(fields["layers"][0], where, text),
                  params=_params(fields.get("param", []), where, text), text=text,
                  form=query_form(text, where), needs=_needs(fields.get("needs", []), where, text))
    return query


def read_check(path: Path, project: Project | None = None) -> Query:
    """A validation check: its leading comment is its summary."""
    where = project.relative(path) if project else str(path)
    text = read_rq(path, where)
    comment = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comment.append(line.lstrip("#").strip())
    summary = " ".join(c for c in comment if c)
    if not summary:
        raise KgError(f"{where}:1: missing header: a check begins with a '# ...' comment saying what it finds")
    return Query(name=path.stem, path=path, summary=summary, description=summary,
                 layers=("asserted", "inferred", "external"), params=(), text=text,
                 form=query_form(text, where), check=True)


# --- the library --------------------------------------------------------------

def load_library(project: Project) -> list[Query]:
    """Every library query (sorted by name), then every validation check."""
    queries = [read_query(p, project) for p in sorted(project.queries_dir.glob("*.rq"))]
    checks = [read_check(p, project) for p in sorted(project.checks_dir.glob("*.rq"))]
    seen: dict[str, Query] = {}
    for query in queries + checks:
        if query.name in seen:
            raise KgError(f"{project.relative(query.path)}: query name {query.name!r} is also "
                          f"{project.relative(seen[query.name].path)}")
        seen[query.name] = query
    return queries + checks


def find_query(project: Project, name: str) -> Query:
    """The library query called `name` (with or without .rq); KgError listing the closest names.

    Only that file is read: a broken header elsewhere in the library does not stop it."""
    wanted = name.removesuffix(".rq").removeprefix("checks/")
    folders = (project.queries_dir, project.checks_dir)
    # A plain file name only: `name` must not reach outside the library (../x).
    plain = re.fullmatch(r"\w[\w.-]*", wanted) is not None
    found = [folder / f"{wanted}.rq" for folder in folders if plain and (folder / f"{wanted}.rq").is_file()]
    if len(found) == 2:
        raise KgError(f"{project.relative(found[1])}: query name {wanted!r} is also {project.relative(found[0])}")
    if found:
        path = found[0]
        return read_query(path, project) if path.parent == project.queries_dir else read_check(path, project)
    names = [p.stem for folder in folders for p in sorted(folder.glob("*.rq"))]
    close = difflib.get_close_matches(wanted, names, n=5, cutoff=0.5)
    close += [n for n in names if wanted and wanted in n and n not in close][: 5 - len(close)]
    hint = f"; did you mean: {', '.join(close)}?" if close else ""
    raise KgError(f"no library query named {name!r}{hint} (`kg queries` lists them all)")


def print_library(project: Project, verbose: bool = False) -> None:
    library = load_library(project)
    width = max((len(q.name) for q in library), default=0)
    for query in library:
        mark = "  [check]" if query.check else "  [needs network]" if query.federated else ""
        print(f"{query.name.ljust(width)}  {query.summary}{mark}")
        if verbose:
            print(f"{'':{width}}    {query.description}")
            print(f"{'':{width}}    layers: {', '.join(query.layers)}")
            for param in query.params:
                print(f"{'':{width}}    --param {param.name}=...: {param.description}")
            if query.needs:
                print(f"{'':{width}}    needs: {', '.join(query.needs)}")


# --- parameters ---------------------------------------------------------------

_LITERAL = re.compile(r'"(?P<text>.*)"(?:@(?P<lang>[A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^(?P<type>\S+))?', re.S)
_PREFIXED = re.compile(r"(?P<prefix>[A-Za-z][\w-]*):(?P<local>[^\s<>\"{}|^`\\]*)")


def parse_param(text: str) -> tuple[str, ox.NamedNode | ox.Literal]:
    """`name=value` → (name, term): <iri>, prefix:name, "text"@lang, "lexical"^^type, else a plain string."""
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise KgError(f"--param {text!r}: expected NAME=VALUE, NAME a SPARQL variable name")
    return name, parse_term(value, f"--param {name}")


def parse_term(value: str, where: str) -> ox.NamedNode | ox.Literal:
    if value.startswith("<") and value.endswith(">"):
        return _iri(value[1:-1], where)
    if literal := _LITERAL.fullmatch(value):
        if literal["lang"]:
            return ox.Literal(literal["text"], language=literal["lang"])
        if literal["type"]:
            datatype = parse_term(literal["type"], where)
            if not isinstance(datatype, ox.NamedNode):
                raise KgError(f"{where}: datatype {literal['type']!r} is not an IRI or a known prefix:name")
            return ox.Literal(literal["text"], datatype=datatype)
        return ox.Literal(literal["text"])
    if (prefixed := _PREFIXED.fullmatch(value)) and prefixed["prefix"] in PREFIXES:
        return _iri(PREFIXES[prefixed["prefix"]] + prefixed["local"], where)
    return ox.Literal(value)


def _iri(iri: str, where: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as error:
        raise KgError(f"{where}: <{iri}> is not a valid IRI: {error}") from None


# --- running ------------------------------------------------------------------

_PROLOGUE = re.compile(r"\s+|#[^\n]*|(?i:PREFIX)\s*[\w.-]*:\s*<[^>]*>|(?i:BASE)\s*<[^>]*>")


def query_form(text: str, where: str = "query") -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; KgError for an update (the store is read-only)."""
    position = 0
    while match := _PROLOGUE.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    word = re.match(r"[A-Za-z]+", text[position:])
    keyword = word[0].upper() if word else ""
    if keyword in UPDATE_KEYWORDS:
        raise KgError(f"{where}: read-only: SPARQL updates are refused ({keyword} ...); "
                      "the dataset changes only through `kg build`")
    if keyword not in QUERY_FORMS:
        # Let the parser say what is wrong, with line and column.
        return "SELECT"
    return keyword


class QueryTimeout(KgError):
    pass


def run_query(store: ox.Store, text: str, params: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
              timeout: float | None = 30.0, *, where: str = "query",
              prefixes: Mapping[str, str] | None = None, form: str | None = None,
              layers: Sequence[str] | None = None) -> Result:
    """Run a read-only query on `store`.

    The default graph is the union of every graph, or with `layers` (names of
    kg.namespaces.LAYERS) the union of those layers and the vocabulary graph; `GRAPH`
    patterns then see only those layers. `params` bind variables by value. With a
    `timeout` (seconds) the query runs in a forked worker that is killed when time runs
    out; with None it runs here. `form` is query_form(text) when the caller has it already.
    """
    form = form or query_form(text, where)
    graphs = _graphs(layers)
    if timeout is not None and not (math.isfinite(timeout) and timeout > 0):
        raise KgError(f"{where}: timeout {timeout}: must be a positive number of seconds (None for no limit)")
    if timeout is None or "fork" not in multiprocessing.get_all_start_methods():
        return _decode(form, _evaluate(store, text, dict(params or {}), where, prefixes, graphs))
    return _decode(form, _evaluate_in_worker(store, text, dict(params or {}), where, prefixes, timeout, graphs))


def _graphs(layers: Sequence[str] | None) -> list[str] | None:
    """The layers' graphs, then the reference graphs (vocabulary, sources) that every query sees."""
    from kg.buildfolder import LAYERS, REFERENCE_GRAPHS

    if layers is None:
        return None
    return [str(LAYERS[name]) for name in layers] + [str(iri) for iri in REFERENCE_GRAPHS.values()]


def _evaluate(store: ox.Store, text: str, params: dict, where: str,
              prefixes: Mapping[str, str] | None, graphs: list[str] | None = None) -> tuple[str, bytes]:
    """("rows"|"boolean"|"triples", serialised answer): the worker sends these bytes back."""
    substitutions = {ox.Variable(name): term for name, term in params.items()}
    if graphs is None:
        scope: dict = {"use_default_graph_as_union": True}
    else:
        named = [ox.NamedNode(iri) for iri in graphs]
        from kg.buildfolder import REFERENCE_GRAPHS

        scope = {"default_graph": named, "named_graphs": named[: len(named) - len(REFERENCE_GRAPHS)]}
    try:
        answer = store.query(text, prefixes=dict(prefixes or {}), substitutions=substitutions or None, **scope)
        if isinstance(answer, ox.QueryBoolean):
            return "boolean", b"true" if bool(answer) else b"false"
        if isinstance(answer, ox.QueryTriples):
            return "triples", answer.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        return "rows", answer.serialize(format=ox.QueryResultsFormat.JSON) or b""
    except SyntaxError as error:
        raise KgError(_syntax_message(str(error), text, where, prefixes)) from None
    except RuntimeError as error:
        message = str(error)
        if (missing := re.search(r"variable \?(\w+) in its SELECT projection", message)) and params:
            name = missing[1]
            raise KgError(f"{where}: --param {name}: the query does not select ?{name}, so it cannot be bound "
                          "(bind only variables that the SELECT lists)") from None
        raise KgError(f"{where}: query failed: {message}") from None
    except OSError as error:  # a SERVICE endpoint that cannot be reached, or the store failing to read
        raise KgError(f"{where}: query failed: {error}") from None


def _evaluate_in_worker(store: ox.Store, text: str, params: dict, where: str,
                        prefixes: Mapping[str, str] | None, timeout: float,
                        graphs: list[str] | None = None) -> tuple[str, bytes]:
    # A forked child shares the loaded store copy-on-write and can be killed,
    # which a thread cannot: a runaway query must not keep burning CPU.
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(sender, store, text, params, where, prefixes, graphs), daemon=True)
    worker.start()
    sender.close()
    restore = _stop_on_sigterm()
    try:
        if not receiver.poll(timeout):
            raise QueryTimeout(f"{where}: query exceeded --timeout {timeout:g} s and was stopped")
        status, kind, payload = receiver.recv()
    except EOFError:
        raise KgError(f"{where}: the query worker died (exit code {worker.exitcode})") from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receiver.close()
        restore()
    if status == "error":
        raise KgError(payload.decode("utf-8"))
    return kind, payload


def _stop_on_sigterm():
    """While a worker runs, SIGTERM ends us by SystemExit (143), so the `finally` above kills the
    worker too (Ctrl-C does it through KeyboardInterrupt); returns what puts the old handler back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # only the main thread may set handlers; its own handler applies

    def terminate(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, terminate)
    return lambda: signal.signal(signal.SIGTERM, previous)


def _worker(sender, store: ox.Store, text: str, params: dict, where: str,
            prefixes: Mapping[str, str] | None, graphs: list[str] | None = None) -> None:
    try:
        sender.send(("ok", *_evaluate(store, text, params, where, prefixes, graphs)))
    except Exception as error:  # report it in the parent, which prints it and exits 2
        text = str(error) if isinstance(error, KgError) else f"{where}: query failed: {error!r}"
        sender.send(("error", "", text.encode("utf-8")))
    finally:
        sender.close()


def _decode(form: str, answer: tuple[str, bytes]) -> Result:
    kind, payload = answer
    if kind == "boolean":
        return Result(form="ASK", boolean=payload == b"true")
    if kind == "triples":
        quads = ox.parse(payload, format=ox.RdfFormat.N_TRIPLES) if payload else []
        return Result(form=form, triples=tuple(q.triple for q in quads))
    solutions = ox.parse_query_results(payload, format=ox.QueryResultsFormat.JSON)
    variables = tuple(v.value for v in solutions.variables)
    rows = tuple(tuple(s[v] for v in variables) for s in solutions)
    return Result(form="SELECT", variables=variables, rows=rows)


def _syntax_message(message: str, text: str, where: str, prefixes: Mapping[str, str] | None = None) -> str:
    """'file:LINE:COL: syntax error at 'TEXT': ...' with the offending line and a caret under the column.

    Oxigraph reports where its parser gave up, often the end of the query; rdflib's
    parser, asked only when Oxigraph has refused the query, usually points at the
    start of the broken clause, so its position is shown when it has one."""
    reason = re.sub(r"^error at \d+:\d+:\s*", "", message)
    position = _rdflib_error_position(text, prefixes) or _oxigraph_error_position(message)
    if not position:
        return f"{where}: syntax error: {reason}"
    line, column = position
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    near = source[column - 1:].strip()[:40]
    before = source[:column - 1].split()[-1:] if source else []
    found = f" at {near!r}" if near else f" after {before[0]!r}" if before else ""
    return (f"{where}:{line}:{column}: syntax error{found} (parser: {reason})\n"
            f"    {source}\n    {' ' * (column - 1)}^")


def _oxigraph_error_position(message: str) -> tuple[int, int] | None:
    match = re.search(r"(\d+):(\d+)", message)
    return (int(match[1]), int(match[2])) if match else None


def _rdflib_error_position(text: str, prefixes: Mapping[str, str] | None) -> tuple[int, int] | None:
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepareQuery(text, initNs=dict(prefixes or {}))
    except ParseException as error:
        return error.lineno, error.col
    except Exception:  # rdflib refuses for another reason (e.g. a prefix): no position from it
        return None
    return None


# --- the command line ---------------------------------------------------------------

@dataclass(frozen=True)
class QueryText:
    """What `kg query` runs: its text, where it comes from (for messages), its prefixes and form,
    and the library entry when it is one."""

    text: str
    where: str
    prefixes: Mapping[str, str] | None
    form: str
    entry: Query | None = None


def resolve_query(project: Project, name: str | None = None, file: Path | None = None,
                  sparql: str | None = None) -> QueryText:
    """The query named in the library, read from `file`, or given as `sparql` (exactly one of them).

    Library queries declare their own prefixes; a file or a string gets the project's. An update is
    refused here, before any dataset is loaded."""
    if name:
        query = find_query(project, name)
        return QueryText(query.text, project.relative(query.path), None, query.form, query)
    if file is not None:
        if not file.is_file():
            raise KgError(f"{file}: no such query file")
        text, where = read_rq(file, str(file)), str(file)
    elif sparql is not None:
        text, where = sparql, "--sparql"
    else:
        raise KgError("give a library query name, a query file or a query string")
    return QueryText(text, where, PREFIXES, query_form(text, where))
