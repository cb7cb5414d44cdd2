"""The query engine inside each `kg serve` worker: answers, the answer cache, and time limits kept by
ending the process.

Every worker process (kg.serve_worker) is a whole HTTP server on the shared listening socket, and runs
its queries in-process, in a few threads (pyoxigraph releases the GIL while it evaluates and serialises,
so the event loop keeps answering). The engine cannot be interrupted from outside, so a query that runs
past its time limit, or whose client has gone away, is ended by ending its process: the worker answers
that client, stops accepting, lets its other requests finish for a moment and exits; the supervisor
(kg.serve) starts a new worker in its place.
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import json
import queue
import re
import signal
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
QUERY_THREADS = 2  # queries evaluated at once by one worker (the engine runs outside the GIL)
SWEEP = 0.1  # seconds between two looks at the requests in flight (time limits, clients gone)
WATCH_AFTER = 0.5  # seconds: a query still running then is watched for its client going away


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


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def answer(store, request: QueryRequest | LabelsRequest) -> Answer:
    if isinstance(request, LabelsRequest):
        return _labels(store, request.iris)
    return _query(store, request)


@functools.cache
def _prefix_use() -> re.Pattern[str]:
    """Where a query may use one of the project's prefixes: the name and a colon, not after a letter
    or an underscore (then it would end a longer name). It may also match where the name is not a
    prefix (in a string, an IRI, a local name): the prefix is then declared for nothing."""
    from kg.namespaces import PREFIXES

    names = "|".join(sorted(map(re.escape, PREFIXES), key=len, reverse=True))
    return re.compile(rf"(?<![^\W\d])({names}):")


def used_prefixes(text: str) -> dict[str, str]:
    """The project's prefixes the query may use: the engine reads every prefix it is given, at a cost
    (about a quarter of a trivial query's time for all of them), so it gets only these."""
    from kg.namespaces import PREFIXES

    return {name: PREFIXES[name] for name in dict.fromkeys(_prefix_use().findall(text))}


def _query(store, request: QueryRequest) -> Answer:
    import pyoxigraph as ox

    graphs: dict[str, Any] = {"use_default_graph_as_union": not request.default_graphs}
    if request.default_graphs:
        graphs["default_graph"] = [ox.NamedNode(g) for g in request.default_graphs]
    if request.named_graphs:
        graphs["named_graphs"] = [ox.NamedNode(g) for g in request.named_graphs]
    try:
        # the project's prefixes are predeclared: a query may use pt: or ptr: without PREFIX lines
        result = store.query(request.text, prefixes=used_prefixes(request.text), **graphs)
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


# Functions whose value changes from one evaluation to the next: an answer using one is never reused.
_UNREPEATABLE = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID|BNODE|SERVICE)\b", re.IGNORECASE)


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


class _Job:
    """One request for the engine's threads: what to answer, and where it stands.

    `started` is set by the thread that takes it, `abandoned` by the event loop when the request is
    given up before a thread took it (both under Engine._claim, so that exactly one of them wins)."""

    __slots__ = ("request", "future", "arrived", "started", "abandoned", "gone", "receive", "watcher",
                 "panicked")

    def __init__(self, request: QueryRequest | LabelsRequest, future: asyncio.Future, arrived: float,
                 receive: Callable[[], Awaitable[Any]] | None):
        self.request, self.future, self.arrived, self.receive = request, future, arrived, receive
        self.started: float | None = None
        self.abandoned = self.gone = self.panicked = False
        self.watcher: asyncio.Future | None = None


class Engine:
    """The store, read-only, answering in QUERY_THREADS threads, with the time limit of every request.

    A request waits for a free thread at most `timeout` seconds (then 503), and then has `timeout`
    seconds to be answered. One that runs longer, or whose client goes away while it runs, cannot be
    stopped in its thread: `end` is called (the worker process answers, stops accepting and exits).

    What a request costs the event loop is kept small, since on a query the engine answers in a few
    tens of microseconds the hand-over to a thread and back is most of the work: a job on a plain
    queue to threads of our own (no executor, no concurrent.futures.Future, no task), its answer set
    on an asyncio future by `call_soon_threadsafe`, and one timer for all the requests in flight
    (every SWEEP seconds, while there are any), that gives up those past the limit and watches
    those still running after WATCH_AFTER for their client going away."""

    def __init__(self, store: Any, timeout: float, cache: AnswerCache, end: Callable[[], None]):
        self.store, self.timeout, self.cache, self.end = store, timeout, cache, end
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._claim = threading.Lock()
        self._in_flight: set[_Job] = set()
        self._sweeping: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        for n in range(QUERY_THREADS):
            threading.Thread(target=self._work, name=f"query-{n}", daemon=True).start()

    def _work(self) -> None:
        """A query thread: take each job, answer it, hand the answer to the event loop."""
        loop = self._loop
        assert loop is not None
        while True:
            job = self._jobs.get()
            with self._claim:
                if job.abandoned:
                    continue
                job.started = time.monotonic()
            outcome: Answer | BaseException
            try:
                outcome = answer(self.store, job.request)
            except BaseException as error:  # a Rust panic in the engine: pyo3's PanicException is a BaseException
                if type(error).__name__ == "PanicException":
                    job.panicked = True
                    outcome = Answer.text(500, "the query engine stopped while answering this query; "
                                               "a new worker takes this one's place")
                else:
                    outcome = error
            try:
                loop.call_soon_threadsafe(self._settle, job, outcome)
            except RuntimeError:  # the loop has closed: the worker is stopping
                return

    def _settle(self, job: _Job, outcome: Answer | BaseException) -> None:  # on the event loop
        self._in_flight.discard(job)
        if not job.future.done():
            if isinstance(outcome, BaseException):
                job.future.set_exception(outcome)
            else:
                job.future.set_result(outcome)

    def _give_up(self, job: _Job, answer: Answer) -> None:
        self._in_flight.discard(job)
        if not job.future.done():
            job.future.set_result(answer)

    def _sweep(self) -> None:
        """Every SWEEP seconds while requests are in flight: the time limits, and clients gone away."""
        now = time.monotonic()
        for job in list(self._in_flight):
            if job.future.done():
                self._in_flight.discard(job)
                continue
            with self._claim:
                waiting = job.started is None
                if waiting and now - job.arrived >= self.timeout:
                    job.abandoned = True
            if job.abandoned:
                self._give_up(job, Answer.text(503, f"all {QUERY_THREADS} query threads of this worker stayed "
                                                    f"busy for {self.timeout:g} s; try again later"))
            elif not waiting and now - (job.started or now) >= self.timeout:
                self._give_up(job, Answer.text(
                    503, f"the query was stopped after {now - job.arrived:.1f} s: it ran past the "
                         f"time limit of {self.timeout:g} s (kg serve --timeout)"))
                self.end()
            elif job.watcher is None and job.receive is not None and now - job.arrived >= WATCH_AFTER:
                job.watcher = asyncio.ensure_future(self._watch(job, job.receive))
        self._sweeping = None
        if self._in_flight and self._loop is not None:
            self._sweeping = self._loop.call_later(SWEEP, self._sweep)

    async def _watch(self, job: _Job, receive: Callable[[], Awaitable[Any]]) -> None:
        """Ends the job when its client goes away (the server tells by an http.disconnect message)."""
        while not job.future.done():
            if (await receive())["type"] == "http.disconnect":
                job.gone = True
                self._abandon(job)
                return

    def _abandon(self, job: _Job) -> None:
        """Nobody waits for this job any more: it never starts, or, running, it ends the worker."""
        self._in_flight.discard(job)
        with self._claim:
            running = job.started is not None
            job.abandoned = True
        if not job.future.done():
            job.future.cancel()
            if running:
                self.end()  # it is running and cannot be stopped in its thread

    async def answer(self, request: QueryRequest | LabelsRequest,
                     receive: Callable[[], Awaitable[Any]] | None = None) -> tuple[Answer, bool]:
        """The answer, and whether it was given before (then it comes from the cache, not the engine).
        With `receive` (the request's ASGI receive), a client that goes away has its work ended; its
        request then gets Answer 499 (which nobody reads)."""
        if (known := self.cache.get(request)) is not None:
            return known, True
        return await self._run(request, receive), False

    async def _run(self, request: QueryRequest | LabelsRequest,
                   receive: Callable[[], Awaitable[Any]] | None) -> Answer:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._start(loop)
        job = _Job(request, loop.create_future(), time.monotonic(), receive)
        self._in_flight.add(job)
        self._jobs.put(job)
        if self._sweeping is None:
            self._sweeping = loop.call_later(SWEEP, self._sweep)
        try:
            result = await job.future
        except asyncio.CancelledError:
            if job.gone:
                return Answer.text(499, "the client went away")
            self._abandon(job)  # we are cancelled ourselves (shutdown)
            raise
        finally:
            if job.watcher is not None:
                job.watcher.cancel()
        if job.panicked:
            self.end()
        else:
            self.cache.put(request, result)
        return result
