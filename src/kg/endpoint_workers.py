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
import concurrent.futures
import ctypes
import json
import re
import signal
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
QUERY_THREADS = 2  # queries evaluated at once by one worker (the engine runs outside the GIL)


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
    """One request in the engine's threads, as its thread sees it."""

    __slots__ = ("started", "panicked")

    def __init__(self) -> None:
        self.started: float | None = None
        self.panicked = False


class Engine:
    """The store, read-only, answering in QUERY_THREADS threads, with the time limit of every request.

    A request waits for a free thread at most `timeout` seconds (then 503), and then has `timeout`
    seconds to be answered. One that runs longer, or whose client goes away while it runs, cannot be
    stopped in its thread: `end` is called (the worker process answers, stops accepting and exits)."""

    def __init__(self, store: Any, timeout: float, cache: AnswerCache, end: Callable[[], None]):
        self.store, self.timeout, self.cache, self.end = store, timeout, cache, end
        self._threads = concurrent.futures.ThreadPoolExecutor(QUERY_THREADS, thread_name_prefix="query")

    def _answer(self, job: _Job, request: QueryRequest | LabelsRequest) -> Answer:
        job.started = time.monotonic()
        try:
            return answer(self.store, request)
        except BaseException as error:  # a Rust panic in the engine: pyo3's PanicException is a BaseException
            if type(error).__name__ != "PanicException":
                raise
            job.panicked = True
            return Answer.text(500, "the query engine stopped while answering this query; "
                                    "a new worker takes this one's place")

    async def run(self, request: QueryRequest | LabelsRequest) -> Answer:
        """The answer, from the cache when it was given before, else from the engine.

        One future and one timer a request (no task, no asyncio.wait: they cost the front throughput)."""
        if (known := self.cache.get(request)) is not None:
            return known
        loop = asyncio.get_running_loop()
        job, arrived = _Job(), time.monotonic()
        outcome: asyncio.Future[Answer] = loop.create_future()

        def settle(done: concurrent.futures.Future) -> None:
            if not outcome.done() and not done.cancelled():
                if (error := done.exception()) is not None:
                    outcome.set_exception(error)
                else:
                    outcome.set_result(done.result())

        def finished(done: concurrent.futures.Future) -> None:  # in the query thread
            try:
                loop.call_soon_threadsafe(settle, done)
            except RuntimeError:  # the loop has closed: the worker is stopping
                pass

        def check() -> None:  # the timer; re-armed once when the request waited for a thread
            if outcome.done():
                return
            if job.started is None:
                working.cancel()
                outcome.set_result(Answer.text(503, f"all {QUERY_THREADS} query threads of this worker stayed "
                                                    f"busy for {self.timeout:g} s; try again later"))
            elif (left := job.started + self.timeout - time.monotonic()) > 0:
                timers.append(loop.call_later(left, check))
            else:
                outcome.set_result(Answer.text(
                    503, f"the query was stopped after {time.monotonic() - arrived:.1f} s: it ran past the "
                         f"time limit of {self.timeout:g} s (kg serve --timeout)"))
                self.end()

        working = self._threads.submit(self._answer, job, request)
        working.add_done_callback(finished)
        timers = [loop.call_later(self.timeout, check)]
        try:
            result = await outcome
        except asyncio.CancelledError:  # the client went away: its work ends too
            if not working.done() and not working.cancel():
                self.end()  # it is running and cannot be stopped in its thread
            raise
        finally:
            for timer in timers:
                timer.cancel()
        if job.panicked:
            self.end()
        else:
            self.cache.put(request, result)
        return result
