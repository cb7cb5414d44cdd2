"""The query workers behind `kg serve`: processes holding the store read-only, one request at a time.

The front never runs a query itself. The engine cannot be interrupted from
outside, so a query past its time limit is ended by killing its worker; a new
worker, opened on the same store folder, takes its place. A worker that
crashes (the engine aborting on some input) is replaced the same way, and the
front keeps answering.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import multiprocessing
import os
import re
import signal
import sys
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kg.problems import KgError

# A fresh interpreter per worker: forking the front would copy its event loop and sockets.
CONTEXT = multiprocessing.get_context("spawn")
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
START_TIMEOUT = 60.0


class WorkerGone(Exception):
    """The worker was dead before it could read a request: the request can go to another one."""


@dataclass(frozen=True)
class Answer:
    """What the front sends back: an HTTP status, a media type and the body."""

    status: int
    media_type: str
    body: bytes

    @classmethod
    def text(cls, status: int, message: str) -> Answer:
        return cls(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


@dataclass(frozen=True)
class QueryRequest:
    """A SPARQL query and how to answer it. A format is a pyoxigraph format name
    (e.g. "JSON", "TURTLE"); None means the client accepts none we have for that kind of result."""

    text: str
    results_format: str | None
    graph_format: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class LabelsRequest:
    """The rdfs:label of each IRI that has one (the query page shows them beside IRIs)."""

    iris: tuple[str, ...]


# --- inside a worker -------------------------------------------------------------------

def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the front dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def work(location: str, connection: Connection) -> None:
    """A worker's life: open the store, say "ready", then answer requests until the pipe closes."""
    import pyoxigraph as ox

    # Ctrl-C in a terminal reaches the whole process group; the front stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    try:
        store = ox.Store.read_only(location)
    except OSError as error:
        connection.send(f"cannot open the store {location}: {error}")
        return
    connection.send("ready")
    while True:
        try:
            request = connection.recv()
        except EOFError:
            return
        connection.send(answer(store, request))


def answer(store, request: QueryRequest | LabelsRequest) -> Answer:
    if isinstance(request, LabelsRequest):
        return _labels(store, request.iris)
    return _query(store, request)


def _query(store, request: QueryRequest) -> Answer:
    import pyoxigraph as ox

    from kg.namespaces import PREFIXES

    graphs: dict[str, Any] = {"use_default_graph_as_union": not request.default_graphs}
    if request.default_graphs:
        graphs["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    if request.named_graphs:
        graphs["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    try:
        # the project's prefixes are predeclared: a query may use pt: or ptr: without PREFIX lines
        result = store.query(request.text, prefixes=PREFIXES, **graphs)
        if isinstance(result, ox.QueryTriples):
            if request.graph_format is None:
                return Answer.text(406, "a CONSTRUCT or DESCRIBE query answers with RDF: accept text/turtle, "
                                        "application/n-triples, application/rdf+xml or application/ld+json")
            rdf = getattr(ox.RdfFormat, request.graph_format)
            return Answer(200, rdf.media_type, result.serialize(format=rdf) or b"")
        if request.results_format is None:
            return Answer.text(406, "a SELECT or ASK query answers with SPARQL results: accept "
                                    "application/sparql-results+json, application/sparql-results+xml, "
                                    "text/csv or text/tab-separated-values")
        results = getattr(ox.QueryResultsFormat, request.results_format)
        return Answer(200, results.media_type, result.serialize(format=results) or b"")
    except SyntaxError as error:
        return Answer.text(400, syntax_message(str(error), request.text))
    except (OSError, ValueError, RuntimeError) as error:
        return Answer.text(400, f"the query failed: {error}")


def syntax_message(message: str, text: str) -> str:
    """'syntax error at line L, column C: ...' with the line and a caret; the parser's list of
    expected tokens is cut short (it can run to a page of Unicode ranges)."""
    found = re.match(r"error at (\d+):(\d+):\s*", message)
    reason = " ".join(message[found.end() if found else 0:].split())
    reason = reason if len(reason) <= 160 else reason[:160] + " ..."
    if not found:
        return f"syntax error: {reason}"
    line, column = int(found[1]), int(found[2])
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    return (f"syntax error at line {line}, column {column}: {reason}\n"
            f"    {source}\n    {' ' * max(column - 1, 0)}^")


def _labels(store, iris: Sequence[str]) -> Answer:
    """{"iri": "label", ...}: English or untagged labels first, then the smallest by text, so it is stable."""
    import pyoxigraph as ox

    label = ox.NamedNode(RDFS_LABEL)
    found: dict[str, str] = {}
    for iri in iris:
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            continue
        literals = [q.object for q in store.quads_for_pattern(node, label, None, None)
                    if isinstance(q.object, ox.Literal)]
        if literals:
            best = min(literals, key=lambda t: (t.language not in (None, "en"), t.value))
            found[iri] = best.value
    return Answer(200, "application/json", json.dumps(found, ensure_ascii=False, sort_keys=True).encode("utf-8"))


# --- in the front -----------------------------------------------------------------------

class Worker:
    """One worker process and the front's end of its pipe."""

    def __init__(self, location: Path):
        """Start the process; `wait_ready` then waits until it has opened the store."""
        self.connection, child = CONTEXT.Pipe()
        self.process = CONTEXT.Process(target=work, args=(str(location), child), daemon=True,
                                       name="kg-serve-worker")
        self.process.start()
        child.close()

    def wait_ready(self) -> Worker:
        """Block until the worker says it is ready; KgError (and the worker killed) if it cannot start."""
        if not self.connection.poll(START_TIMEOUT):
            self.kill()
            raise KgError(f"a query worker did not start within {START_TIMEOUT:.0f} s")
        try:
            hello = self.connection.recv()
        except EOFError:
            hello = f"it exited with status {self.process.exitcode}"
        if hello != "ready":
            self.kill()
            raise KgError(f"a query worker could not start: {hello}")
        return self

    @property
    def pid(self) -> int:
        return self.process.pid or 0

    async def ask(self, request: QueryRequest | LabelsRequest, timeout: float) -> Answer:
        """Send a request and wait for the answer without blocking the event loop; TimeoutError after
        `timeout` seconds. (A timer on the future, not asyncio.wait_for: that costs a task per request.)"""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        descriptor = self.connection.fileno()

        def expired() -> None:
            if not future.done():
                future.set_exception(TimeoutError())

        def readable() -> None:
            loop.remove_reader(descriptor)
            if future.done():
                return
            # uvloop makes a watched descriptor non-blocking; the answer may still be arriving, and the
            # worker writes it in one go, so read it whole.
            os.set_blocking(descriptor, True)
            try:
                future.set_result(self.connection.recv())
            except (EOFError, OSError) as error:  # the worker died: its pipe closed
                future.set_exception(error)

        try:
            self.connection.send(request)
        except OSError as error:  # it died before it got the query (killed from outside while idle)
            raise WorkerGone from error
        loop.add_reader(descriptor, readable)
        timer = loop.call_later(timeout, expired)
        try:
            return await future
        finally:
            timer.cancel()
            loop.remove_reader(descriptor)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.connection.close()


# Functions whose value changes from one evaluation to the next: an answer using one is never reused.
_UNREPEATABLE = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID|BNODE|SERVICE)\b", re.IGNORECASE)


def _killed(worker: Worker) -> bool:
    """Whether the worker's process ended by SIGKILL (waiting briefly for its exit status)."""
    worker.process.join(1.0)
    return worker.process.exitcode == -signal.SIGKILL


class AnswerCache:
    """The answers already given, reused for the same request: the served store is read-only and never
    changes while `kg serve` runs, so the same query asked again has the same answer.

    Only complete answers (HTTP 200) of repeatable queries are kept, at most `max_answer` bytes each and
    `max_bytes` in all; the least recently used go first. A query page's library examples, a dashboard
    polling one query, many readers of one link: these no longer reach a worker."""

    def __init__(self, max_bytes: int, max_answer: int = 1 << 20):
        self.max_bytes, self.max_answer, self.size = max_bytes, max_answer, 0
        self._answers: OrderedDict[QueryRequest | LabelsRequest, Answer] = OrderedDict()

    def get(self, request: QueryRequest | LabelsRequest) -> Answer | None:
        answer = self._answers.get(request)
        if answer is not None:
            self._answers.move_to_end(request)
        return answer

    def put(self, request: QueryRequest | LabelsRequest, answer: Answer) -> None:
        if (answer.status != 200 or len(answer.body) > min(self.max_answer, self.max_bytes)
                or (isinstance(request, QueryRequest) and _UNREPEATABLE.search(request.text))
                or request in self._answers):
            return
        self._answers[request] = answer
        self.size += len(answer.body)
        while self.size > self.max_bytes:
            _, dropped = self._answers.popitem(last=False)
            self.size -= len(dropped.body)


class Pool:
    """`size` workers on one store folder; a request waits for a free one, at most `timeout` seconds,
    and then has `timeout` seconds to be answered before its worker is killed and replaced."""

    def __init__(self, location: Path, size: int, timeout: float, cache: AnswerCache | None = None):
        self.location, self.size, self.timeout = location, size, timeout
        self.cache = cache or AnswerCache(0)
        self.workers: set[Worker] = set()
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._replacing: set[asyncio.Future] = set()

    def start(self) -> None:
        for worker in [Worker(self.location) for _ in range(self.size)]:
            self._add(worker.wait_ready())

    def _add(self, worker: Worker) -> None:
        self.workers.add(worker)
        self._idle.put_nowait(worker)

    def pids(self) -> list[int]:
        return sorted(w.pid for w in self.workers)

    async def run(self, request: QueryRequest | LabelsRequest) -> Answer:
        """The answer, from the cache when it was given before (the front looks there first, without
        starting a task), else from a worker."""
        if (known := self.cache.get(request)) is not None:
            return known
        answer = await self._ask(request)
        self.cache.put(request, answer)
        return answer

    async def _ask(self, request: QueryRequest | LabelsRequest) -> Answer:
        killed_from_outside = 0
        while True:
            try:
                worker = self._idle.get_nowait() if not self._idle.empty() else \
                    await asyncio.wait_for(self._idle.get(), self.timeout)
            except TimeoutError:
                return Answer.text(503, f"all {self.size} query workers stayed busy for {self.timeout:g} s; "
                                        "try again later")
            if not worker.process.is_alive():
                self._replace(worker)  # it died while idle (killed from outside): this request takes another
                continue
            started = time.monotonic()
            try:
                answer = await worker.ask(request, self.timeout)
            except WorkerGone:  # dead before it read the query (not yet reaped when we looked): take another
                self._replace(worker)
                continue
            except TimeoutError:
                self._replace(worker)
                return Answer.text(503, f"the query was stopped after {time.monotonic() - started:.1f} s: it ran "
                                        f"past the time limit of {self.timeout:g} s (kg serve --timeout)")
            except (EOFError, OSError):
                if _killed(worker) and not killed_from_outside:
                    # SIGKILL came from outside (we kill only through _replace): not this query's doing,
                    # so it gets one more worker; a query that crashes the engine dies by another signal
                    killed_from_outside += 1
                    self._replace(worker)
                    continue
                self._replace(worker)
                return Answer.text(500, "the query engine stopped while answering this query; "
                                        "a new worker has taken its place")
            except asyncio.CancelledError:  # the client went away: end its work too
                self._replace(worker)
                raise
            self._idle.put_nowait(worker)
            return answer

    def _replace(self, worker: Worker) -> None:
        """Kill `worker` now and start its successor; wait for it in a thread, so that the front keeps
        answering. (The successor is started from this thread: Linux ties its death signal to the
        thread that started it.)"""
        worker.kill()
        self.workers.discard(worker)
        future = asyncio.get_running_loop().run_in_executor(None, Worker(self.location).wait_ready)
        self._replacing.add(future)
        future.add_done_callback(self._replaced)

    def _replaced(self, future: asyncio.Future) -> None:
        self._replacing.discard(future)
        if not future.cancelled() and future.exception() is None:
            self._add(future.result())
        else:
            print(f"error: a query worker could not be replaced: {future.exception()}", file=sys.stderr)

    def stop(self) -> None:
        for worker in list(self.workers):
            worker.kill()
        self.workers.clear()
