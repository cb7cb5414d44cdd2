"""The HTTP front of `kg serve`: a SPARQL 1.1 Protocol endpoint and its query page, on Starlette.

What reaches the query engine is checked here first, before anything parses it:
its size, how deeply its brackets nest (the engine's parser recurses and
overflows its stack on a few thousand), and whether it calls out with SERVICE
(the endpoint would fetch any URL for anyone). The Host header must name this
machine's loopback or the bound address, so that a web page on another name
resolving to 127.0.0.1 (DNS rebinding) cannot query it. Each worker process of
`kg serve` runs this front and its own engine (kg.endpoint_workers), which ends
the process when a query runs past the limit.
The endpoint is read-only: updates are refused.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import json
import re
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.endpoint_workers import Answer, Engine, LabelsRequest, QueryRequest
from kg.library import Query
from kg.namespaces import PREFIXES

PACKAGE = Path(__file__).parent
PAGE_DIR = PACKAGE / "templates" / "query"
YASGUI_DIR = PACKAGE / "vendor" / "yasgui"
# The page's own scripts and styles only: no inline code, nothing from another origin. The two
# hashes are the fixed <style> sheets YASGUI's column resizer adds (its table layout, its drag cursor).
RESIZER_STYLES = ("'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk=' "
                  "'sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg='")
CSP = (f"default-src 'none'; script-src 'self'; style-src 'self' {RESIZER_STYLES}; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
MAX_LABEL_IRIS = 5000


@dataclass(frozen=True)
class Limits:
    """What a query may be before the engine sees it."""

    max_bytes: int = 64 * 1024
    max_depth: int = 64
    allow_service: bool = False


# --- checking a query before the engine parses it ---------------------------------------------

# Strings, IRIs and comments are skipped whole: a bracket or the word SERVICE inside them counts for nothing.
_TOKENS = re.compile(r'''
    (?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'
           |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'
           |<[^<>"{}|^`\\\x00-\x20]*>
           |\#[^\n]*
           |@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<open>[({\[])
  | (?P<close>[)}\]])
  | (?P<word>[?$]?[\w.-]*:[\w.%\\-]*|[?$]?\w+)
''', re.VERBOSE)


def check_query(text: str, limits: Limits) -> str | None:
    """Why the query is refused (size, nesting, SERVICE), or None when it may run."""
    if (len(text) * 4 <= limits.max_bytes  # UTF-8 takes at most 4 bytes a character
            and text.count("(") + text.count("{") + text.count("[") <= limits.max_depth
            and (limits.allow_service or "SERVICE" not in text.upper())):
        return None  # no reason can arise below: the tokens need not be read (most queries are small)
    size = len(text.encode("utf-8"))
    if size > limits.max_bytes:
        return f"the query is {size:,} bytes; kg serve accepts at most {limits.max_bytes:,} (--max-query-size)"
    depth = 0
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind == "open":
            depth += 1
            if depth > limits.max_depth:
                return (f"the query nests brackets ( {{ [ more than {limits.max_depth} deep; "
                        f"kg serve accepts at most {limits.max_depth} (--max-depth)")
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "word" and not limits.allow_service and match[0].upper() == "SERVICE":
            return ("SERVICE is refused: this endpoint does not call other endpoints "
                    "(start kg serve with --allow-service to allow federated queries)")
    return None


# --- content negotiation ---------------------------------------------------------------------

class Offered(dict):
    """A table media type -> pyoxigraph format name (hashable by identity, for the cache)."""

    __hash__ = object.__hash__  # type: ignore[assignment]


# Media type -> pyoxigraph format name; the first of each table is the default.
RESULT_TYPES = Offered({
    "application/sparql-results+json": "JSON", "application/json": "JSON",
    "application/sparql-results+xml": "XML", "application/xml": "XML", "text/xml": "XML",
    "text/csv": "CSV", "text/tab-separated-values": "TSV",
})
GRAPH_TYPES = Offered({
    "text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES", "text/plain": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML", "application/ld+json": "JSON_LD",
})


@functools.lru_cache(maxsize=256)  # clients send the same few Accept headers over and over
def negotiate(accept: str, offered: Offered) -> str | None:
    """The format of the offered media type the Accept header ranks highest (earliest offered on ties),
    the first offered for no header, None when it accepts none of them."""
    if not accept.strip():
        return next(iter(offered.values()))
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    best, best_quality = None, 0.0
    for media, fmt in offered.items():
        kind = media.split("/")[0] + "/*"
        # the most specific range that matches decides this type's quality
        matches = [(3 if r == media else 2 if r == kind else 1, q) for r, q in ranges if r in (media, kind, "*/*")]
        if matches and max(matches)[1] > best_quality:
            best, best_quality = fmt, max(matches)[1]
    return best


# --- the SPARQL 1.1 Protocol -----------------------------------------------------------------

class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def plain(status: int, message: str) -> Response:
    return Response(message + "\n", status_code=status, media_type="text/plain; charset=utf-8")


def respond(answer: Answer) -> Response:
    return Response(answer.body, status_code=answer.status, media_type=answer.media_type)


async def read_body(receive: Receive, length: str, cap: int) -> bytes:
    """The request body (`length`: its Content-Length header, if any), refused with 413 as soon as it
    passes `cap` bytes (never read whole first)."""
    if length.isdigit() and int(length) > cap:
        raise Refused(413, f"the request body is {int(length):,} bytes; kg serve accepts at most {cap:,}")
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # http.disconnect: nobody will read the answer
            raise Refused(400, "the client went away before the end of its request")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > cap:
            raise Refused(413, f"the request body passes {cap:,} bytes; kg serve accepts at most {cap:,}")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_WANTED = {b"host", b"content-type", b"content-length", b"accept"}


def headers_of(scope: Scope) -> dict[bytes, str]:
    """The request headers this front reads (the first of each name, as Starlette's Headers.get gives)."""
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name in _WANTED and name not in found:
            found[name] = value.decode("latin-1")
    return found


def _text(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused(400, f"{what} is not UTF-8 (byte {error.start})") from None


async def protocol_params(scope: Scope, receive: Receive, headers: dict[bytes, str],
                          limits: Limits) -> list[tuple[str, str]]:
    """The protocol's parameters (query, default-graph-uri, named-graph-uri, ...) from the URL and,
    for a POST, the form or the application/sparql-query body."""
    query_string = scope["query_string"]
    params = (urllib.parse.parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
              if query_string else [])
    if scope["method"] == "POST":
        kind = headers.get(b"content-type", "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            raise Refused(403, READ_ONLY)
        # a form percent-encodes
        body = await read_body(receive, headers.get(b"content-length", ""), 3 * limits.max_bytes + 8192)
        if kind == "application/sparql-query":
            params.append(("query", _text(body, "the query")))
        elif kind == "application/x-www-form-urlencoded":
            params += urllib.parse.parse_qsl(_text(body, "the form"), keep_blank_values=True)
        else:
            raise Refused(415, "POST a query as application/x-www-form-urlencoded (query=...) "
                               "or as application/sparql-query")
    return params


READ_ONLY = "this endpoint is read-only: SPARQL updates are refused (the dataset changes only through kg build)"


def query_request(params: list[tuple[str, str]], accept: str, limits: Limits) -> QueryRequest:
    names = [name for name, _ in params]
    if "update" in names:
        raise Refused(403, READ_ONLY)
    texts = [value for name, value in params if name == "query"]
    if len(texts) != 1:
        raise Refused(400, "send exactly one query: query=... in the URL or the form, "
                           "or a body of type application/sparql-query" if not texts else
                           f"{len(texts)} query parameters: send exactly one")
    text = texts[0]
    if reason := check_query(text, limits):
        raise Refused(413 if reason.startswith("the query is ") else 400, reason)
    if _is_update(text):
        raise Refused(403, READ_ONLY)
    graphs: dict[str, tuple[str, ...]] = {"default-graph-uri": (), "named-graph-uri": ()}
    if len(params) > 1:
        for name in graphs:
            graphs[name] = tuple(_iri(value, name) for n, value in params if n == name)
    return QueryRequest(text, negotiate(accept, RESULT_TYPES), negotiate(accept, GRAPH_TYPES),
                        graphs["default-graph-uri"], graphs["named-graph-uri"])


def _is_update(text: str) -> bool:
    from kg.library import query_form
    from kg.problems import KgError

    try:
        query_form(text)
    except KgError:
        return True
    return False


def _iri(value: str, name: str) -> str:
    import pyoxigraph as ox

    try:
        return ox.NamedNode(value).value
    except ValueError:
        raise Refused(400, f"{name}: {value[:200]!r} is not an IRI") from None


async def query_answer(scope: Scope, receive: Receive, engine: Engine, limits: Limits) -> tuple[Answer, bool]:
    """The answer to a SPARQL 1.1 Protocol query request, and whether it was given before."""
    headers = headers_of(scope)
    try:
        params = await protocol_params(scope, receive, headers, limits)
        if scope["method"] == "GET" and not params:
            return Answer.text(400, "no query: GET /query?query=... or POST it (SPARQL 1.1 Protocol); "
                                    "the query page is at /"), False
        work = query_request(params, headers.get(b"accept", ""), limits)
    except Refused as refused:
        return Answer.text(refused.status, refused.message), False
    return await engine.answer(work, receive)


async def send_answer(send: Send, answer: Answer, cached: bool) -> None:
    """An answer straight to the client, with the security headers (what Starlette's Response would
    send, without its machinery: the query path is the one that has to be fast)."""
    headers = [(b"content-type", answer.media_type.encode("latin-1")),
               (b"content-length", str(len(answer.body)).encode("ascii")), *ANSWER_HEADERS]
    if cached:
        headers.append((b"x-cache", b"hit"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


# --- the application -------------------------------------------------------------------------

class Guard:
    """Refuses a Host header that is not a loopback name or the bound address (DNS rebinding) and
    adds the page's security headers to every response.

    Starlette's TrustedHostMiddleware cuts a Host header at its first colon, so it cannot read
    an IPv6 address ([::1]:7878); urllib's split can."""

    def __init__(self, app: ASGIApp, bound_host: str,
                 query: Callable[[Scope, Receive], Awaitable[tuple[Answer, bool]]]):
        self.app, self.bound_host, self.query = app, bound_host.strip("[]").lower(), query
        self._verdicts: dict[tuple[str, str | None], bool] = {}  # clients send the same Host over and over

    def allowed(self, host_header: str, local_address: str | None) -> bool:
        try:
            name = urllib.parse.urlsplit("//" + host_header).hostname or ""
        except ValueError:
            return False
        if name in ("localhost", self.bound_host) or name == (local_address or "").lower():
            return True
        try:
            return ipaddress.ip_address(name).is_loopback
        except ValueError:
            return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = ""
        for name, value in scope["headers"]:
            if name == b"host":
                host = value.decode("latin-1")
                break
        local = scope.get("server")
        key = (host, local[0] if local else None)
        if (verdict := self._verdicts.get(key)) is None:
            verdict = self.allowed(*key)
            if len(self._verdicts) < MAX_VERDICTS:  # bounded: a client sending many names cannot grow it
                self._verdicts[key] = verdict
        if not verdict:
            shown = host.encode("ascii", "backslashreplace").decode("ascii")[:100]
            await plain(400, f"Host {shown!r} is not this endpoint's name: use 127.0.0.1 or localhost "
                             "(names of other hosts are refused against DNS rebinding)")(scope, receive, send)
            return
        if scope["path"] == "/query" and scope["method"] in ("GET", "POST"):
            # the protocol's own path goes straight to its handler, past Starlette's router and middleware;
            # an answer given before says so (X-Cache: hit), for whoever wonders why it was quick
            await send_answer(send, *await self.query(scope, receive))
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, secured)


SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"), (b"cross-origin-resource-policy", b"same-origin")]
# An answer of /query is data, never a page: a browser that opens one may run nothing and load nothing.
ANSWER_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"
ANSWER_HEADERS = [(b"content-security-policy", ANSWER_CSP.encode()), *SECURITY_HEADERS[1:]]
MAX_VERDICTS = 256


def page_config(library: list[Query], limits: Limits, timeout: float, title: str) -> dict:
    """What the query page needs: the project's prefixes and the library queries as named examples."""
    examples = [{"name": q.name, "summary": q.summary, "description": q.description, "query": q.text,
                 "params": [{"name": p.name, "description": p.description} for p in q.params],
                 "federated": q.federated}
                for q in library if not q.check and (limits.allow_service or not q.federated)]
    return {"title": title, "endpoint": "query", "labels": "labels", "prefixes": PREFIXES,
            "examples": examples, "timeout": timeout, "maxBytes": limits.max_bytes,
            "allowService": limits.allow_service}


def create_app(engine: Engine, limits: Limits, bound_host: str, config: dict,
               on_ready: Callable[[], None] = lambda: None) -> ASGIApp:
    """The front; `on_ready` runs once the server's event loop runs (its signal handlers are in place)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        on_ready()
        yield

    async def query(scope: Scope, receive: Receive) -> tuple[Answer, bool]:
        return await query_answer(scope, receive, engine, limits)

    async def query_route(request: Request) -> Response:  # HEAD, and 405 for other methods (Guard takes GET, POST)
        return respond((await query(request.scope, request.receive))[0])

    async def update(request: Request) -> Response:
        return plain(403, READ_ONLY)

    async def labels(request: Request) -> Response:
        """POST a JSON list of IRIs; get {iri: label} for those that have an rdfs:label."""
        wrong = f"send a JSON list of at most {MAX_LABEL_IRIS} IRIs (strings)"
        try:
            body = await read_body(request.receive, request.headers.get("content-length", ""), 2 * 1024 * 1024)
            iris = json.loads(_text(body, "the body"))
        except Refused as refused:
            return plain(refused.status, refused.message)
        except ValueError:
            return plain(400, wrong)
        if not isinstance(iris, list) or len(iris) > MAX_LABEL_IRIS or not all(isinstance(i, str) for i in iris):
            return plain(400, wrong)
        answer, _ = await engine.answer(LabelsRequest(tuple(dict.fromkeys(iris))), request.receive)
        return respond(answer)

    async def page(request: Request) -> Response:
        return FileResponse(PAGE_DIR / "index.html", media_type="text/html; charset=utf-8")

    async def settings(request: Request) -> Response:
        return JSONResponse(config)

    app = Starlette(lifespan=lifespan, routes=[
        Route("/", page),
        Route("/query", query_route, methods=["GET", "POST"]),
        Route("/update", update, methods=["GET", "POST"]),
        Route("/labels", labels, methods=["POST"]),
        Route("/page/config.json", settings),
        Mount("/page", StaticFiles(directory=PAGE_DIR)),
        Mount("/vendor/yasgui", StaticFiles(directory=YASGUI_DIR)),
    ])
    return Guard(app, bound_host, query)
