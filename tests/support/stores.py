"""Test support: real SPARQL stores on loopback (Virtuoso), and asking any server a query.

Not part of the installed package. `start_virtuoso` starts Virtuoso with a fresh
database bound to 127.0.0.1; `remote_query` runs a query through the SPARQL 1.1
Protocol and `comparable` puts two engines' answers in a form `==` can compare.
"""

from __future__ import annotations

import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from kg.problems import KgError
from support.servers import LOOPBACK, Server, _wait_or_stop, executable, free_port

# Virtuoso's stock virtuoso.ini listens on every interface and cuts every
# result at 10,000 rows; this one binds loopback, keeps its files in `folder`
# and lets results through whole.
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {host}:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}

[HTTPServer]
ServerPort = {host}:{http_port}
ServerRoot = {folder}/vsp
MaxClientConnections = 10
DavRoot = DAV
EnabledDavVSP = 0
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""

# A fresh Virtuoso database has the administrator dba with password dba.
VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "dba"


def start_virtuoso(folder: Path, *, http_port: int | None = None, sql_port: int | None = None,
                   max_rows: int = 10_000_000, buffers: int = 10_000, timeout: float = 120.0) -> Server:
    """Start Virtuoso (`virtuoso-t`) with a fresh database in `folder`, loopback only; return once it answers.

    Its Graph Store endpoint `/sparql-graph-crud-auth` takes digest
    authentication as dba (password dba in a fresh database); its query
    endpoint is `/sparql`.
    """
    program = executable("virtuoso-t")
    if program is None:
        raise KgError("virtuoso-t: Virtuoso is not installed (Debian: apt-get install virtuoso-opensource)")
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vsp").mkdir(exist_ok=True)
    http_port = http_port or free_port()
    sql_port = sql_port or free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, host=LOOPBACK, http_port=http_port,
                                       sql_port=sql_port, max_rows=max_rows, buffers=buffers,
                                       dirty_buffers=buffers * 3 // 4), encoding="utf-8")
    log = folder / "virtuoso.log"
    output = open(folder / "virtuoso.out", "ab")
    try:
        # +foreground keeps virtuoso-t our child, so terminate() and wait() reach the server itself.
        process = subprocess.Popen([program, "+foreground", "+configfile", str(ini)], cwd=folder,
                                   stdin=subprocess.DEVNULL, stdout=output, stderr=output)
    finally:
        output.close()
    base = f"http://{LOOPBACK}:{http_port}"
    server = Server("virtuoso", process, base + "/", base + "/sparql", base + "/sparql",
                    base + "/sparql-graph-crud-auth", log, (VIRTUOSO_USER, VIRTUOSO_PASSWORD))
    _wait_or_stop(server, timeout)
    return server


# --- asking a server, and comparing its answers with Oxigraph in-process -------

RESULTS_JSON = "application/sparql-results+json"
GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9"


def remote_query(endpoint: str, text: str, *, default_graphs: Sequence[str] = (),
                 named_graphs: Sequence[str] = (), timeout: float = 60.0,
                 credentials: tuple[str, str] | None = None):
    """Run a query through the SPARQL 1.1 Protocol (POST, form-encoded); a `kg.results.Result`.

    `default_graphs` and `named_graphs` travel as default-graph-uri and
    named-graph-uri parameters (the dataset the query sees).
    """
    import pyoxigraph as ox

    from kg.library import query_form
    from kg.results import Result

    form = query_form(text, endpoint)
    params = [("query", text), *(("default-graph-uri", g) for g in default_graphs),
              *(("named-graph-uri", g) for g in named_graphs)]
    request = urllib.request.Request(endpoint, data=urllib.parse.urlencode(params).encode("utf-8"), headers={
        "Accept": RESULTS_JSON if form in ("SELECT", "ASK") else GRAPH_TYPES,
        "Content-Type": "application/x-www-form-urlencoded"})
    handlers = []
    if credentials:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, endpoint, *credentials)
        handlers = [urllib.request.HTTPDigestAuthHandler(passwords), urllib.request.HTTPBasicAuthHandler(passwords)]
    try:
        with urllib.request.build_opener(*handlers).open(request, timeout=timeout) as response:
            body, media_type = response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        from kg.push import server_message

        raise KgError(f"{endpoint}: HTTP {error.code}: {server_message(error.read())}") from None
    if form in ("CONSTRUCT", "DESCRIBE"):
        rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.TURTLE
        return Result(form=form, triples=tuple(q.triple for q in ox.parse(body, format=rdf_format)))
    answer = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if isinstance(answer, ox.QueryBoolean):
        return Result(form="ASK", boolean=bool(answer))
    variables = tuple(v.value for v in answer.variables)
    return Result(form="SELECT", variables=variables, rows=tuple(tuple(s[v] for v in variables) for s in answer))


NUMERIC_TYPES = {"http://www.w3.org/2001/XMLSchema#" + t for t in ("decimal", "double", "float")}


def comparable(result, *, digits: int = 6) -> tuple:
    """A result in a form two engines' answers can be compared by `==`.

    Row order is ignored (engines break ORDER BY ties differently); blank
    node labels are ignored; language tags are compared in lower case
    (Virtuoso lower-cases them: "en-US" comes back "en-us"); decimal,
    double and float values are compared as numbers rounded to `digits`
    places (engines print different precisions, e.g. of an AVG); day-time
    durations are compared in seconds (Virtuoso stores "P7D"^^xsd:duration
    as "604800.0").
    """
    if result.form == "ASK":
        return ("ASK", result.boolean)
    if result.is_graph:
        return ("GRAPH", tuple(sorted(tuple(_term(t, digits) for t in triple) for triple in result.triples)))
    rows = sorted(tuple(_term(t, digits) for t in row) for row in result.rows)
    return ("SELECT", tuple(result.variables), tuple(rows))


def _term(term, digits: int) -> tuple:
    import pyoxigraph as ox

    if term is None:
        return ("",)
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if isinstance(term, ox.Triple):
        return ("triple", *(_term(t, digits) for t in term))
    if term.language:
        return ("literal", term.value, "@" + term.language.lower())
    if term.datatype.value in NUMERIC_TYPES:
        try:
            return ("number", f"{round(float(term.value), digits):.{digits}f}")
        except ValueError:
            pass
    if term.datatype.value in DURATION_TYPES and (seconds := _seconds(term.value)) is not None:
        return ("duration", f"{seconds:.3f}")
    return ("literal", term.value, term.datatype.value)


DURATION_TYPES = {"http://www.w3.org/2001/XMLSchema#duration", "http://www.w3.org/2001/XMLSchema#dayTimeDuration"}
_DAY_TIME = re.compile(r"(-?)P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?$")


def _seconds(value: str) -> float | None:
    """Seconds in a day-time duration ("P7D", "PT30H") or a plain number of seconds; None for months/years."""
    try:
        return float(value)
    except ValueError:
        pass
    match = _DAY_TIME.match(value)
    if not match or value in ("P", "-P") or value.endswith("T"):
        return None
    sign, days, hours, minutes, seconds = match.groups()
    total = int(days or 0) * 86400 + int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    return -total if sign else total


class RecordingStore:
    """An in-process Oxigraph store that keeps the text of every update it runs (for the rules' tests)."""

    def __init__(self, store):
        self.store = store
        self.updates: list[str] = []

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    def update(self, text: str, **kwargs) -> None:
        self.updates.append(text)
        self.store.update(text, **kwargs)

    @property
    def ran(self) -> list[str]:
        """The rules the updates come from, in order, by each rule's first comment ("# rule NAME")."""
        return [text.split("\n", 1)[0].removeprefix("# rule ") for text in self.updates if text.startswith("# rule ")]
