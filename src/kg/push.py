"""`kg push`: upload the built dataset to a triple store over the SPARQL 1.1 Graph Store HTTP Protocol.

Each named graph of OUT/dataset.trig (vocabulary, asserted, inferred,
external) goes to the graph of the same IRI, or all of them into one graph
(`--graph`). Without `--replace` our triples are added with POST. Afterwards a
COUNT per graph through the store's SPARQL query endpoint checks that the
triples arrived.

`--replace` never leaves a graph silently emptied. Where the store takes SPARQL
1.1 Update (asked first with a harmless `DROP SILENT` of a fresh graph), every
graph is uploaded into a temporary graph (urn:uuid:...) and then all of them
are moved into place by one update request (`MOVE <tmp> TO <graph>`): a failed
or interrupted upload leaves the store's graphs as they were. Where it does
not, each graph is replaced by PUT, and a failure names the graph that was in
flight (it may be empty or incomplete) and those already replaced.

Credentials come only from the environment (KG_PUSH_USER, KG_PUSH_PASSWORD).
Before a body is sent the store is asked for its challenge (a body-less HEAD):
digest is answered, basic is sent with a warning when the URL is plain http
(anyone on the path can read the password). Credentials go only to the host of
--endpoint and are never printed.
"""

from __future__ import annotations

import html
import os
import re
import sys
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests.auth

from kg.http import USER_AGENT, Answer, Client, HttpError
from kg.problems import KgError
from kg.terminal import safe
from kg.urls import check_url, display_url

USER_VARIABLE = "KG_PUSH_USER"
PASSWORD_VARIABLE = "KG_PUSH_PASSWORD"
N_TRIPLES = "application/n-triples"
RESULTS_JSON = "application/sparql-results+json"

# Graph Store endpoint path → SPARQL query endpoint path, for common stores.
QUERY_PATHS = [
    (re.compile(r"/store$"), "/query"),  # Oxigraph
    (re.compile(r"/sparql-graph-crud(-auth)?$"), "/sparql"),  # Virtuoso
    (re.compile(r"/rdf-graphs/service$"), ""),  # RDF4J, GraphDB
    (re.compile(r"/data$"), "/query"),  # Fuseki
]
# ... and → SPARQL update endpoint path (Virtuoso takes updates from an authenticated user only).
UPDATE_PATHS = [
    (re.compile(r"/store$"), "/update"),  # Oxigraph
    (re.compile(r"/sparql-graph-crud-auth$"), "/sparql-auth"),  # Virtuoso
    (re.compile(r"/sparql-graph-crud$"), "/sparql"),  # Virtuoso
    (re.compile(r"/rdf-graphs/service$"), "/statements"),  # RDF4J, GraphDB
    (re.compile(r"/data$"), "/update"),  # Fuseki
]


@dataclass(frozen=True)
class GraphPush:
    """One graph uploaded: how many triples we sent and how many the store then held."""

    graph: str
    sent: int
    found: int


def push(out: Path, endpoint: str, *, graph: str | None = None, replace: bool = False,
         query_endpoint: str | None = None, update_endpoint: str | None = None, timeout: float = 60.0,
         credentials: tuple[str, str] | None = None,
         warn: Callable[[str], None] | None = None) -> list[GraphPush]:
    """Upload OUT's dataset; check the counts; return what was sent and found per graph.

    `credentials` defaults to KG_PUSH_USER / KG_PUSH_PASSWORD from the environment;
    `warn` gets each warning (default: printed to stderr)."""
    _check_url(endpoint, "--endpoint")
    query_endpoint = query_endpoint or derive_query_endpoint(endpoint)
    _check_url(query_endpoint, "--query-endpoint")
    if update_endpoint is not None:
        _check_url(update_endpoint, "--update-endpoint")
    if graph is not None:
        _check_iri(graph)
    bodies = graph_bodies(out, graph)
    with _Store(endpoint, credentials or credentials_from_environment(), timeout,
                warn or _print_warning) as store:
        if replace:
            update = update_endpoint or derive_update_endpoint(endpoint)
            if update is not None and store.takes_updates(update):
                store.replace_by_move(bodies, update)
            else:
                store.replace_by_put(bodies)
        else:
            store.append(bodies)
        found = store.count_triples(query_endpoint, list(bodies))
    results = [GraphPush(name, count, found.get(name, 0)) for name, (_, count) in bodies.items()]
    _check_counts(results, replace, query_endpoint)
    return results


def _print_warning(message: str) -> None:
    print(f"warning: {safe(message)}", file=sys.stderr, flush=True)


def credentials_from_environment() -> tuple[str, str] | None:
    user, password = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if user is None and password is None:
        return None
    if not user or password is None:
        raise KgError(f"set both {USER_VARIABLE} and {PASSWORD_VARIABLE} (or neither)")
    return user, password


def _derive(endpoint: str, paths: list[tuple[re.Pattern[str], str]]) -> str | None:
    parts = urllib.parse.urlsplit(endpoint)
    for pattern, replacement in paths:
        if pattern.search(parts.path):
            # the query string (a token, say) goes along: it is sent, never printed
            return urllib.parse.urlunsplit((parts.scheme, parts.netloc, pattern.sub(replacement, parts.path),
                                            parts.query, ""))
    return None


def derive_query_endpoint(endpoint: str) -> str:
    """The SPARQL query endpoint beside a Graph Store endpoint (Oxigraph, Virtuoso, RDF4J/GraphDB, Fuseki)."""
    found = _derive(endpoint, QUERY_PATHS)
    if found is None:
        raise KgError(f"{display_url(endpoint)}: cannot tell the store's SPARQL query endpoint from this URL: "
                      "give it with --query-endpoint")
    return found


def derive_update_endpoint(endpoint: str) -> str | None:
    """The SPARQL update endpoint beside a Graph Store endpoint, when the URL tells it."""
    return _derive(endpoint, UPDATE_PATHS)


def graph_bodies(out: Path, graph: str | None) -> dict[str, tuple[bytes, int]]:
    """N-Triples to upload per target graph, with its number of distinct triples."""
    import pyoxigraph as ox

    from kg.buildfolder import GRAPHS, BuildFolder

    store = BuildFolder(out).load_store()
    names = [str(g) for g in GRAPHS.values()]
    if graph is not None:
        # One graph: the union of the layers, each triple once.
        triples = {quad.triple for quad in store}
        return {graph: (ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES) or b"", len(triples))}
    bodies = {}
    for name in names:
        node = ox.NamedNode(name)
        count = sum(1 for _ in store.quads_for_pattern(None, None, None, node))
        bodies[name] = (store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node) or b"", count)
    return bodies


class _Store:
    """The Graph Store endpoint and its neighbours, over one kg.http client (no retries: a
    repeated update is not always harmless)."""

    def __init__(self, endpoint: str, credentials: tuple[str, str] | None, timeout: float,
                 warn: Callable[[str], None]):
        self.endpoint, self.credentials, self.warn = endpoint, credentials, warn
        self.http = Client(timeout=timeout, retries=0, user_agent=USER_AGENT)
        self.auth: requests.auth.AuthBase | None = None
        self.challenged = False

    def __enter__(self) -> _Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    # --- the exchanges ---

    def call(self, method: str, url: str, what: str, *, data: bytes | dict | list | None = None,
             headers: dict[str, str] | None = None) -> Answer:
        """One request; the store's refusal or a transport failure as KgError naming `what`."""
        self._authenticate(url)
        same_host = urllib.parse.urlsplit(url).netloc == urllib.parse.urlsplit(self.endpoint).netloc
        try:
            answer = self.http.request(method, url, data=data, headers=headers,
                                       auth=self.auth if same_host else None)
        except HttpError as error:
            if error.reason == "connection refused":
                raise KgError(f"{error.url}: connection refused: is the store running?") from None
            raise KgError(f"{error.url}: {what} failed: {error.reason}") from None
        if not answer.ok:
            message = server_message(answer.body)
            hint = ""
            if answer.status in (401, 403):
                hint = (f" (check {USER_VARIABLE} and {PASSWORD_VARIABLE})" if self.auth is not None
                        else f" (set {USER_VARIABLE} and {PASSWORD_VARIABLE} in the environment)")
            raise KgError(f"{display_url(url)}: the store refused the {what}: {answer.status_line}"
                          + (f": {message}" if message else "") + hint)
        return answer

    def _authenticate(self, url: str) -> None:
        """Answer the store's challenge before the first body goes out.

        Sending a large body, getting 401 and sending it again fails on Virtuoso,
        which closes the connection at the 401 while the body is still being sent."""
        if self.challenged or self.credentials is None:
            return
        self.challenged = True
        probe = _with_query(self.endpoint, {"graph": "urn:kg-push:probe"})
        try:
            answer = self.http.request("HEAD", probe)
        except HttpError:
            return  # the request itself reports an unreachable store
        challenge = answer.headers.get("WWW-Authenticate", "") if answer.status == 401 else ""
        scheme = challenge.partition(" ")[0].lower()
        user, password = self.credentials
        if scheme == "digest":
            self.auth = requests.auth.HTTPDigestAuth(user, password)
            try:  # the answered challenge lets the next requests carry their Authorization at once
                self.http.request("HEAD", probe, auth=self.auth)
            except HttpError:
                pass
        elif scheme == "basic":
            if urllib.parse.urlsplit(self.endpoint).scheme.lower() == "http":
                host = urllib.parse.urlsplit(self.endpoint).netloc.rpartition("@")[2]
                self.warn(f"{host} asks for Basic authentication over plain http: the password in "
                          f"{PASSWORD_VARIABLE} crosses the network readable by anyone on the path; use https")
            self.auth = requests.auth.HTTPBasicAuth(user, password)

    def upload(self, graph: str, body: bytes, method: str, what: str | None = None) -> None:
        self.call(method, _with_query(self.endpoint, {"graph": graph}), what or f"upload of <{graph}>",
                  data=body, headers={"Content-Type": N_TRIPLES})

    def update(self, url: str, text: str, what: str) -> None:
        self.call("POST", url, what, data={"update": text})

    # --- append and the two ways to replace ---

    def append(self, bodies: dict[str, tuple[bytes, int]]) -> None:
        written: list[str] = []
        for name, (body, count) in bodies.items():
            if count:
                try:
                    self.upload(name, body, "POST")
                except KgError as error:
                    raise _partial_failure(error, written, "appended to") from None
                written.append(name)

    def takes_updates(self, url: str) -> bool:
        """Whether the store runs SPARQL Update at `url`: a DROP SILENT of a graph nobody has."""
        try:
            self.update(url, f"DROP SILENT GRAPH <urn:uuid:{uuid.uuid4()}>", "update")
        except KgError as error:
            self.warn(f"{error}: replacing each graph with PUT instead, which is not atomic")
            return False
        return True

    def replace_by_move(self, bodies: dict[str, tuple[bytes, int]], update_url: str) -> None:
        """Upload into temporary graphs, then MOVE them all into place in one update request."""
        temporary = {name: f"urn:uuid:{uuid.uuid4()}" for name in bodies}
        uploaded: list[str] = []
        try:
            for name, (body, count) in bodies.items():
                if count:
                    self.upload(temporary[name], body, "PUT", f"upload of <{name}> (into <{temporary[name]}>)")
                    uploaded.append(temporary[name])
        except (KgError, KeyboardInterrupt) as error:
            reason = str(error) if isinstance(error, KgError) else "interrupted"
            left = self._drop([temporary[n] for n in bodies if temporary[n] in uploaded], update_url)
            raise KgError(f"{reason}; nothing replaced: the store's graphs are as they were" + left) from None
        # An empty layer has no temporary graph: replacing a graph by nothing drops it.
        moves = " ;\n".join(f"MOVE <{temporary[name]}> TO <{name}>" if count else f"DROP SILENT GRAPH <{name}>"
                            for name, (_, count) in bodies.items())
        try:
            self.update(update_url, moves, "move of the uploaded graphs into place")
        except (KgError, KeyboardInterrupt) as error:
            reason = str(error) if isinstance(error, KgError) else "interrupted"
            waiting = ", ".join(f"<{temporary[n]}> for <{n}>" for n, (_, c) in bodies.items() if c)
            raise KgError(f"{reason}; the store may not have moved the new triples into place: they wait in "
                          f"{waiting} (run the push again)") from None

    def _drop(self, graphs: list[str], update_url: str) -> str:
        """Drop temporary graphs after a failure; the text to add to the message if that fails too."""
        if not graphs:
            return ""
        try:
            self.update(update_url, " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs), "clean-up")
        except (KgError, KeyboardInterrupt):
            return "; temporary graphs left in the store: " + ", ".join(f"<{g}>" for g in graphs)
        return ""

    def replace_by_put(self, bodies: dict[str, tuple[bytes, int]]) -> None:
        written: list[str] = []
        for name, (body, _) in bodies.items():
            try:
                self.upload(name, body, "PUT")
            except (KgError, KeyboardInterrupt) as error:
                reason = str(error) if isinstance(error, KgError) else "interrupted"
                in_flight = (f"; <{name}> was being replaced and may now be empty or incomplete "
                             "(the store takes no SPARQL Update, so the replace could not be atomic)")
                raise _partial_failure(KgError(reason + in_flight), written, "replaced") from None
            written.append(name)

    # --- the check ---

    def count_triples(self, query_endpoint: str, graphs: list[str]) -> dict[str, int]:
        """Triples per graph, asked through the query endpoint.

        The graph IRIs travel as named-graph-uri protocol parameters, not in the
        query text; grouping by ?g keeps the answer right on a store that ignores them."""
        import pyoxigraph as ox

        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        params = [("query", query), *(("named-graph-uri", g) for g in graphs)]
        answer = self.call("POST", query_endpoint, "count query", data=params, headers={"Accept": RESULTS_JSON})
        counts = {}
        try:
            results = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
            if not isinstance(results, ox.QuerySolutions):
                raise SyntaxError("a yes/no answer, not rows")
            for row in results:
                g, n = row["g"], row["n"]
                if isinstance(g, ox.NamedNode) and g.value in graphs:
                    if not isinstance(n, ox.Literal) or not n.value.isdigit():
                        raise SyntaxError(f"the count of <{g.value}> is not a number: {n}")
                    counts[g.value] = int(n.value)
        except (SyntaxError, ValueError, KeyError) as error:
            raise KgError(f"{display_url(query_endpoint)}: the answer to the count query is not SPARQL JSON "
                          f"results: {str(error)[:200]}") from None
        return counts


def _check_counts(results: list[GraphPush], replace: bool, query_endpoint: str) -> None:
    wrong = [r for r in results if (r.found != r.sent if replace else r.found < r.sent)]
    if wrong:
        relation = "exactly" if replace else "at least"
        detail = "; ".join(f"<{r.graph}> holds {r.found}, expected {relation} {r.sent}" for r in wrong)
        raise KgError(f"{display_url(query_endpoint)}: count check failed after upload: {detail}")


def server_message(body: bytes | str, limit: int = 500) -> str:
    """A store's error page as one line of text (tags stripped, entities decoded, shortened).

    Older Python 3.11 releases gave a failed digest authentication an empty *str* body, not bytes."""
    text = body[: limit * 8].decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    text = re.sub(r"(?is)<(script|style|title|head)\b.*?</\1>", " ", text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_url(url: str, option: str) -> None:
    check_url(url, option, f"set {USER_VARIABLE} and {PASSWORD_VARIABLE} in the environment")


def _partial_failure(error: KgError, written: list[str], verb: str) -> KgError:
    """The upload error, saying which graphs the store already took: this push is not atomic."""
    if not written:
        return error
    done = ", ".join(f"<{g}>" for g in written)
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
