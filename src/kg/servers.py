"""Start and stop real SPARQL servers on loopback: the Oxigraph server and Virtuoso.

`kg serve` runs the Oxigraph server through these helpers; the tests and the
benchmark use them to push into and query real stores. Every server binds
127.0.0.1 unless told otherwise and is stopped by `Server.stop()` (also on
leaving a `with` block), which terminates the process and waits for it.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.problems import KgError

LOOPBACK = "127.0.0.1"

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


@dataclass
class Server:
    """A running server process and its endpoints."""

    name: str
    process: subprocess.Popen
    base_url: str
    query_endpoint: str
    update_endpoint: str
    graph_store_endpoint: str
    log: Path | None = None
    credentials: tuple[str, str] | None = field(default=None)

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 20.0) -> int:
        """Terminate the server, wait for it (kill after `timeout` s); return its exit status."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()
        return self.process.returncode

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_free(host: str, port: int) -> bool:
    """Whether nothing listens on host:port yet."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host.strip("[]"), port))
        except OSError:
            return False
        return True


def executable(name: str) -> str | None:
    """`name` next to this Python (a venv's bin/, where pip puts `oxigraph`), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    return shutil.which(name)


def url_host(host: str) -> str:
    """A host as written in a URL: IPv6 addresses in brackets."""
    return f"[{host}]" if ":" in host else host


def wait_until_answers(server: Server, timeout: float = 60.0) -> None:
    """Block until the query endpoint answers ASK {}; raise KgError if the process dies or time runs out."""
    url = server.query_endpoint + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.running():
            raise KgError(f"{server.name} server exited with status {server.process.returncode}"
                          + _log_tail(server))
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    server.stop()
    raise KgError(f"{server.name} server did not answer at {server.query_endpoint} within {timeout:.0f} s"
                  + _log_tail(server))


def _wait_or_stop(server: Server, timeout: float) -> None:
    """Wait until the server answers; stop it if that fails or is interrupted."""
    try:
        wait_until_answers(server, timeout)
    except BaseException:
        server.stop()
        raise


def _log_tail(server: Server, lines: int = 15) -> str:
    if server.log and server.log.is_file():
        text = server.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        return ":\n" + "\n".join(text) if text else ""
    return ""


def oxigraph_command(subcommand: str, *args: str) -> list[str]:
    program = executable("oxigraph")
    if program is None:
        raise KgError("oxigraph: the Oxigraph server is not installed (pip install oxigraph)")
    return [program, subcommand, *args]


def load_oxigraph_store(location: Path, dataset: Path) -> None:
    """`oxigraph load` the dataset file (TriG keeps its named graphs) into the store folder."""
    result = subprocess.run(oxigraph_command("load", "--location", str(location), "--file", str(dataset)),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise KgError(f"{dataset}: oxigraph load failed: {result.stderr.strip()}")


def start_oxigraph(location: Path | None, *, host: str = LOOPBACK, port: int | None = None,
                   read_only: bool = False, union_default_graph: bool = True,
                   timeout_s: float | None = None, log: Path | None = None,
                   new_session: bool = False) -> Server:
    """Start `oxigraph serve` (writable; in memory when `location` is None) or
    `oxigraph serve-read-only` on a store folder; return once it answers."""
    port = port or free_port(host)
    args = ["--bind", f"{url_host(host)}:{port}"]
    if location is not None:
        args += ["--location", str(location)]
    elif read_only:
        raise KgError("a read-only Oxigraph server needs a store folder")
    if union_default_graph:
        args.append("--union-default-graph")
    if timeout_s is not None:
        args += ["--timeout-s", str(max(1, round(timeout_s)))]
    command = oxigraph_command("serve-read-only" if read_only else "serve", *args)
    stream = open(log, "ab") if log else subprocess.DEVNULL
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stream, stderr=stream,
                                   start_new_session=new_session)
    finally:
        if log:
            stream.close()
    base = f"http://{url_host(host)}:{port}"
    server = Server("oxigraph", process, base + "/", base + "/query", base + "/update", base + "/store", log)
    _wait_or_stop(server, 60.0)
    return server


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


def federated(text: str) -> bool:
    """Whether a query calls out to another endpoint (SERVICE): it needs that endpoint, not just ours."""
    body = re.sub(r"(?m)^\s*#.*$", "", text)
    return re.search(r"\bSERVICE\s+(SILENT\s+)?[<?$\w]", body, re.IGNORECASE) is not None


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
