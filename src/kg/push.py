"""`kg push`: upload the built dataset to a triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

Each named graph of OUT/dataset.trig (vocabulary, asserted, inferred,
external) goes to the graph of the same IRI, or all of them into one graph
(`--graph`). `--replace` sends PUT (the graph ends up holding exactly our
triples), otherwise POST (our triples are added to what is there). Afterwards
a COUNT per graph through the store's SPARQL query endpoint checks that the
triples arrived.

Credentials come only from the environment (KG_PUSH_USER, KG_PUSH_PASSWORD),
answer a basic or digest challenge, and are never printed.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kg.problems import EXIT_OK, KgError
from kg.urls import check_url, display_url

USER_VARIABLE = "KG_PUSH_USER"
PASSWORD_VARIABLE = "KG_PUSH_PASSWORD"
N_TRIPLES = "application/n-triples"

# Graph Store endpoint path → SPARQL query endpoint path, for common stores.
QUERY_PATHS = [
    (re.compile(r"/store$"), "/query"),  # Oxigraph
    (re.compile(r"/sparql-graph-crud(-auth)?$"), "/sparql"),  # Virtuoso
    (re.compile(r"/rdf-graphs/service$"), ""),  # RDF4J, GraphDB
    (re.compile(r"/data$"), "/query"),  # Fuseki
]


@dataclass(frozen=True)
class GraphPush:
    """One graph uploaded: how many triples we sent and how many the store then held."""

    graph: str
    sent: int
    found: int


def push(out: Path, endpoint: str, *, graph: str | None = None, replace: bool = False,
         query_endpoint: str | None = None, timeout: float = 60.0,
         credentials: tuple[str, str] | None = None) -> list[GraphPush]:
    """Upload OUT's dataset; check the counts; return what was sent and found per graph.

    `credentials` defaults to KG_PUSH_USER / KG_PUSH_PASSWORD from the environment.
    """
    _check_url(endpoint, "--endpoint")
    query_endpoint = query_endpoint or derive_query_endpoint(endpoint)
    _check_url(query_endpoint, "--query-endpoint")
    if graph is not None:
        _check_iri(graph)
    opener = _opener([endpoint, query_endpoint], credentials or credentials_from_environment())
    bodies = graph_bodies(out, graph)
    written: list[str] = []
    for name, (body, count) in bodies.items():
        if count or replace:
            try:
                _send(opener, endpoint, name, body, replace, timeout)
            except KgError as error:
                raise _partial_failure(error, written, replace) from None
            written.append(name)
    found = count_triples(opener, query_endpoint, list(bodies), timeout)
    results = [GraphPush(name, count, found.get(name, 0)) for name, (_, count) in bodies.items()]
    _check_counts(results, replace, query_endpoint)
    return results


def push_cli(args: argparse.Namespace) -> int:
    results = push(args.out, args.endpoint, graph=args.graph, replace=args.replace,
                   query_endpoint=args.query_endpoint, timeout=args.timeout)
    verb = "replaced" if args.replace else "appended to"
    for result in results:
        print(f"{verb} <{result.graph}>: sent {result.sent} triples; the store now holds {result.found}")
    print(f"pushed {sum(r.sent for r in results)} triples to {display_url(args.endpoint)}: counts checked")
    return EXIT_OK


def credentials_from_environment() -> tuple[str, str] | None:
    user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if user is None and password is None:
        return None
    if not user or password is None:
        raise KgError(f"set both {USER_VARIABLE} and {PASSWORD_VARIABLE} (or neither)")
    return user, password


def derive_query_endpoint(endpoint: str) -> str:
    """The SPARQL query endpoint beside a Graph Store endpoint (Oxigraph, Virtuoso, RDF4J/GraphDB, Fuseki)."""
    parts = urllib.parse.urlsplit(endpoint)
    for pattern, replacement in QUERY_PATHS:
        if pattern.search(parts.path):
            path = pattern.sub(replacement, parts.path)
            return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    raise KgError(f"{display_url(endpoint)}: cannot tell the store's SPARQL query endpoint from this URL: "
                  "give it with --query-endpoint")


def graph_bodies(out: Path, graph: str | None) -> dict[str, tuple[bytes, int]]:
    """N-Triples to upload per target graph, with its number of distinct triples."""
    import pyoxigraph as ox

    from kg.namespaces import GRAPH_VOCABULARY, LAYERS
    from kg.store import load_dataset

    store = load_dataset(out)
    names = [str(GRAPH_VOCABULARY), *(str(g) for g in LAYERS.values())]
    if graph is not None:
        # One graph: the union of the layers, each triple once.
        triples = {quad.triple for quad in store}
        return {graph: (ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES), len(triples))}
    bodies = {}
    for name in names:
        node = ox.NamedNode(name)
        count = sum(1 for _ in store.quads_for_pattern(None, None, None, node))
        bodies[name] = (store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node) or b"", count)
    return bodies


def _send(opener: urllib.request.OpenerDirector, endpoint: str, graph: str, body: bytes,
          replace: bool, timeout: float) -> None:
    url = _with_query(endpoint, {"graph": graph})
    request = urllib.request.Request(url, data=body, method="PUT" if replace else "POST",
                                     headers={"Content-Type": N_TRIPLES})
    _authorize_first(request, opener, timeout)
    with _call(opener, request, timeout, f"upload of <{graph}>"):
        pass


def _authorize_first(request: urllib.request.Request, opener: urllib.request.OpenerDirector,
                     timeout: float) -> None:
    """Answer the store's challenge before sending a large body.

    urllib sends the body, gets 401 and sends it again; Virtuoso closes the
    connection at the 401 while a large body is still being sent (broken
    pipe). So ask for the challenge with a body-less HEAD first and send the
    upload with its Authorization header already set.
    """
    handlers = {type(h): h for h in opener.handlers}
    digest = handlers.get(urllib.request.HTTPDigestAuthHandler)
    basic = handlers.get(urllib.request.HTTPBasicAuthHandler)
    if digest is None or basic is None:
        return
    probe = urllib.request.Request(request.full_url, method="HEAD")
    try:
        urllib.request.urlopen(probe, timeout=timeout).close()
        return
    except urllib.error.HTTPError as error:
        challenge = error.headers.get("WWW-Authenticate", "") if error.code == 401 else ""
    except (urllib.error.URLError, OSError):
        return  # the upload itself reports an unreachable store
    scheme, _, fields = challenge.partition(" ")
    if scheme.lower() == "digest":
        chal = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(fields)))
        authorization = digest.get_authorization(request, chal)
        if authorization:
            request.add_unredirected_header("Authorization", "Digest " + authorization)
    elif scheme.lower() == "basic":
        user, password = basic.passwd.find_user_password(None, request.full_url)
        if user is not None:
            token = base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")
            request.add_unredirected_header("Authorization", "Basic " + token)


def count_triples(opener: urllib.request.OpenerDirector, query_endpoint: str, graphs: list[str],
                  timeout: float) -> dict[str, int]:
    """Triples per graph, asked through the query endpoint.

    The graph IRIs travel as named-graph-uri protocol parameters, not in the
    query text; grouping by ?g keeps the answer right on a store that ignores them.
    """
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    params = [("query", query), *(("named-graph-uri", g) for g in graphs)]
    request = urllib.request.Request(query_endpoint, data=urllib.parse.urlencode(params).encode("ascii"),
                                     headers={"Accept": "application/sparql-results+json",
                                              "Content-Type": "application/x-www-form-urlencoded"})
    with _call(opener, request, timeout, "count query") as response:
        results = json.loads(response.read().decode("utf-8"))
    counts = {}
    for row in results["results"]["bindings"]:
        if row.get("g", {}).get("value") in graphs:
            counts[row["g"]["value"]] = int(row["n"]["value"])
    return counts


def _check_counts(results: list[GraphPush], replace: bool, query_endpoint: str) -> None:
    wrong = [r for r in results if (r.found != r.sent if replace else r.found < r.sent)]
    if wrong:
        relation = "exactly" if replace else "at least"
        detail = "; ".join(f"<{r.graph}> holds {r.found}, expected {relation} {r.sent}" for r in wrong)
        raise KgError(f"{display_url(query_endpoint)}: count check failed after upload: {detail}")


class _call:
    """Open a request; turn refusals and connection failures into KgError with the server's message."""

    def __init__(self, opener: urllib.request.OpenerDirector, request: urllib.request.Request,
                 timeout: float, what: str):
        self.opener, self.request, self.timeout, self.what = opener, request, timeout, what

    def __enter__(self):
        where = display_url(self.request.full_url)
        try:
            self.response = self.opener.open(self.request, timeout=self.timeout)
        except urllib.error.HTTPError as error:
            message = server_message(error.read())
            hint = ""
            if error.code in (401, 403):
                sent_credentials = any(isinstance(h, urllib.request.AbstractDigestAuthHandler)
                                       for h in self.opener.handlers)
                hint = (f" (check {USER_VARIABLE} and {PASSWORD_VARIABLE})" if sent_credentials
                        else f" (set {USER_VARIABLE} and {PASSWORD_VARIABLE} in the environment)")
            raise KgError(f"{where}: the store refused the {self.what}: HTTP {error.code} {error.reason}"
                          + (f": {message}" if message else "") + hint) from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, ConnectionRefusedError):
                raise KgError(f"{where}: connection refused: is the store running?") from None
            raise KgError(f"{where}: cannot reach the store: {reason}") from None
        except (TimeoutError, ConnectionError) as error:
            raise KgError(f"{where}: {self.what} failed: {error or type(error).__name__}") from None
        return self.response

    def __exit__(self, *exc: object) -> None:
        self.response.close()


def server_message(body: bytes | str, limit: int = 500) -> str:
    """A store's error page as one line of text (tags stripped, entities decoded, shortened).

    Older Python 3.11 releases give a failed digest authentication an empty *str* body, not bytes.
    """
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = re.sub(r"(?is)<(script|style|title|head)\b.*?</\1>", " ", text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _opener(urls: list[str], credentials: tuple[str, str] | None) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    if credentials:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in urls:
            passwords.add_password(None, url, *credentials)
        # Each answers only its own challenge scheme, so the store picks basic or digest.
        handlers += [urllib.request.HTTPDigestAuthHandler(passwords),
                     urllib.request.HTTPBasicAuthHandler(passwords)]
    return urllib.request.build_opener(*handlers)


def _check_url(url: str, option: str) -> None:
    check_url(url, option, f"set {USER_VARIABLE} and {PASSWORD_VARIABLE} in the environment")


def _partial_failure(error: KgError, written: list[str], replace: bool) -> KgError:
    """The upload error, saying which graphs the store already took: a push is not atomic."""
    if not written:
        return error
    done = ", ".join(f"<{g}>" for g in written)
    verb = "replaced" if replace else "appended to"
    return KgError(f"{error}; already {verb} before the failure: {done} "
                   "(the store now holds part of this push: run it again)")


def _check_iri(iri: str) -> None:
    import pyoxigraph as ox

    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise KgError(f"--graph {iri}: not an absolute IRI ({error})") from None
    if ":" not in iri:
        raise KgError(f"--graph {iri}: not an absolute IRI")


def _with_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` added to its query string (a fragment is dropped: it is never sent)."""
    parts = urllib.parse.urlsplit(url)
    query = "&".join(filter(None, [parts.query, urllib.parse.urlencode(params)]))
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

