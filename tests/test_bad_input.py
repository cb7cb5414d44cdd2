"""The bad-input catalogue: every row runs one subcommand on one bad input and checks the exit code
and the exact last line of stderr (one `error: ...` line, and only that line for exit 2).

To add a row, append a Case to CASES. Placeholders in `argv` and `error`:
  {out}      a private copy of the session build       {tmp}   the test's empty temporary folder
  {endpoint} the fake server of the row (`answer`), a SPARQL endpoint at /sparql and a Graph Store at /store
  {project}  a copy of the project's ontology, graph and queries, used as KG_ROOT (write files with `files`)
A row with an `answer` starts a fake server on loopback and is marked `server`.
"""

from __future__ import annotations

import http.server
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT, LoopbackServer

from kg.cli import main


@dataclass(frozen=True)
class Answer:
    """What the fake server answers to every request: status, headers, body."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/sparql-results+json"),)


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]
    error: str  # the last line of stderr, exactly
    code: int = 2
    answer: Answer | None = None
    files: dict[str, bytes] = field(default_factory=dict)  # {tmp}/ or {project}/ relative path -> bytes


def timeout_rows(command: str, *extra: str) -> list[Case]:
    """--timeout refused the same way by every subcommand that has one."""
    rows = []
    for value, why in (("nan", "must be a positive number of seconds, got 'nan'"),
                       ("inf", "must be a positive number of seconds, got 'inf'"),
                       ("0", "must be a positive number of seconds, got '0'"),
                       ("-1", "must be a positive number of seconds, got '-1'"),
                       ("soon", "not a number of seconds: 'soon'")):
        rows.append(Case(f"{command}-timeout-{value}", (command, *extra, "--timeout", value),
                         f"error: kg {command}: argument --timeout: {why} (see `kg {command} --help`)"))
    return rows


GARBAGE = b'{"head": {"vars": ["g", "n"]}, "results": {"bindings": [{"g": 7}]}}'
CASES: list[Case] = [
    # --- usage: argparse's errors, one line each, no usage block ---
    Case("unknown-command", ("frob",),
         "error: kg: argument COMMAND: invalid choice: 'frob' (choose from 'build', 'validate', 'new-source', "
         "'draft', 'stats', 'queries', 'query', 'serve', 'push', 'analyze', 'render', 'export', 'enrich') "
         "(see `kg --help`)"),
    Case("query-without-a-query", ("query", "--out", "{out}"),
         "error: kg query: one of the arguments name --file --sparql is required (see `kg query --help`)"),
    Case("export-unknown-format", ("export", "--out", "{out}", "--format", "xlsx"),
         "error: kg export: argument --format: invalid choice: 'xlsx' (choose from 'jsonld', 'turtle', 'ntriples', "
         "'trig', 'graphml', 'gexf', 'csv', 'timelinejs') (see `kg export --help`)"),
    Case("terminal-escapes-in-an-option", ("query", "--out", "{out}", "--sparql", "ASK {}", "--timeout", "\x1b[2J"),
         "error: kg query: argument --timeout: not a number of seconds: '\\x1b[2J' (see `kg query --help`)"),
    # --- kg query ---
    *timeout_rows("query", "--sparql", "ASK {}", "--out", "{out}"),
    Case("query-missing-file", ("query", "--out", "{out}", "--file", "{tmp}/missing.rq"),
         "error: {tmp}/missing.rq: no such query file"),
    Case("query-file-not-utf8", ("query", "--out", "{out}", "--file", "{tmp}/latin1.rq"),
         "error: {tmp}/latin1.rq:2:31: not UTF-8: byte 0xe9 (invalid continuation byte)",
         files={"{tmp}/latin1.rq": b"# who\nSELECT ?s { ?s rdfs:label \"Kyi\xe9v\" }\n"}),
    Case("query-update-refused", ("query", "--out", "{out}", "--sparql", "INSERT DATA { <a:a> <a:b> <a:c> }"),
         "error: --sparql: read-only: SPARQL updates are refused (INSERT ...); "
         "the dataset changes only through `kg build`"),
    Case("query-no-build", ("query", "--out", "{tmp}/nowhere", "--sparql", "ASK {}"),
         "error: {tmp}/nowhere/dataset.trig: no built dataset: run `kg build --out {tmp}/nowhere` first"),
    Case("query-bad-param", ("query", "--out", "{out}", "--param", "x", "who-rejected-the-us-peace-plan"),
         "error: --param 'x': expected NAME=VALUE, NAME a SPARQL variable name"),
    # --- kg queries (the library of a project copy) ---
    Case("queries-library-file-not-utf8", ("queries",),
         "error: queries/zz-latin1.rq:1:15: not UTF-8: byte 0xe9 (invalid continuation byte)",
         files={"{project}/queries/zz-latin1.rq": b"# summary: Kyi\xe9v\n"}),
    # --- kg push ---
    *timeout_rows("push", "--out", "{out}", "--endpoint", "http://127.0.0.1:9/store"),
    Case("push-not-http", ("push", "--out", "{out}", "--endpoint", "ftp://example.org/store?token=s3cret"),
         "error: --endpoint ftp://example.org/store: not an http(s) URL"),
    Case("push-credentials-in-url", ("push", "--out", "{out}", "--endpoint", "http://dba:hunter2@127.0.0.1:9/store"),
         "error: --endpoint: credentials in the URL are not accepted: set KG_PUSH_USER and KG_PUSH_PASSWORD "
         "in the environment"),
    Case("push-graph-not-an-iri", ("push", "--out", "{out}", "--endpoint", "http://127.0.0.1:9/store",
                                   "--graph", "not an iri"),
         "error: --graph not an iri: not an absolute IRI (Invalid IRI code point ' ')"),
    Case("push-no-build", ("push", "--out", "{tmp}", "--endpoint", "http://127.0.0.1:9/store"),
         "error: {tmp}/dataset.trig: no built dataset: run `kg build --out {tmp}` first"),
    Case("push-count-answer-garbage", ("push", "--out", "{out}", "--endpoint", "{endpoint}/store"),
         "error: {endpoint}/query: the answer to the count query is not SPARQL JSON results: "
         "RDF terms must be encoded using objects",
         answer=Answer(200, GARBAGE)),
    Case("push-count-answer-not-json", ("push", "--out", "{out}", "--endpoint", "{endpoint}/store"),
         "error: {endpoint}/query: the answer to the count query is not SPARQL JSON results: "
         "Parser error at line 1 column 1: Unexpected char: '<' (line 1)",
         answer=Answer(200, b"<html>ok</html>")),
    Case("push-redirect", ("push", "--out", "{out}", "--endpoint", "{endpoint}/store"),
         "error: {endpoint}/store: upload of <https://w3id.org/peace-talks-kg/graph/vocabulary> failed: HTTP 307: "
         "the server redirects to http://attacker.example/store; redirects are not followed: give that URL if "
         "you trust it",
         answer=Answer(307, b"", (("Location", "http://attacker.example/store?graph=x"),))),
    Case("push-terminal-escapes-in-refusal", ("push", "--out", "{out}", "--endpoint", "{endpoint}/store"),
         "error: {endpoint}/store: the store refused the upload of <https://w3id.org/peace-talks-kg/graph/vocabulary>: "
         "HTTP 500 Internal Server Error: \\x1b]0;pwned\\x07disk full",
         answer=Answer(500, b"\x1b]0;pwned\x07disk full", (("Content-Type", "text/plain"),))),
    # --- kg enrich ---
    *timeout_rows("enrich", "--out", "{out}", "--endpoint", "http://127.0.0.1:9/sparql"),
    Case("enrich-negative-retries", ("enrich", "--out", "{out}", "--endpoint", "http://127.0.0.1:9/sparql",
                                     "--retries", "-1"),
         "error: kg enrich: argument --retries: must be at least 0, got -1 (see `kg enrich --help`)"),
    Case("enrich-zero-batch", ("enrich", "--out", "{out}", "--endpoint", "http://127.0.0.1:9/sparql",
                               "--batch-size", "0"),
         "error: kg enrich: argument --batch-size: must be at least 1, got 0 (see `kg enrich --help`)"),
    Case("enrich-max-response-nan", ("enrich", "--out", "{out}", "--endpoint", "http://127.0.0.1:9/sparql",
                                     "--max-response-mb", "nan"),
         "error: kg enrich: argument --max-response-mb: must be a positive number of megabytes, got 'nan' (see `kg enrich --help`)"),
    Case("enrich-no-build", ("enrich", "--out", "{tmp}", "--endpoint", "http://127.0.0.1:9/sparql"),
         "error: {tmp}/dataset.trig: no built dataset: run `kg build --out {tmp}` first"),
    Case("enrich-garbage-json", ("enrich", "--out", "{out}", "--endpoint", "{endpoint}/sparql", "--retries", "0"),
         "error: {endpoint}/sparql: the answer is not valid SPARQL JSON results: "
         "RDF terms must be encoded using objects; nothing written",
         answer=Answer(200, GARBAGE)),
    Case("enrich-ask-answer", ("enrich", "--out", "{out}", "--endpoint", "{endpoint}/sparql", "--retries", "0"),
         "error: {endpoint}/sparql: the answer is not valid SPARQL JSON results: a yes/no answer, not rows; "
         "nothing written",
         answer=Answer(200, b'{"head": {}, "boolean": true}')),
    Case("enrich-too-large", ("enrich", "--out", "{out}", "--endpoint", "{endpoint}/sparql", "--retries", "0",
                              "--max-response-mb", "0.001"),
         "error: {endpoint}/sparql: the answer is too large (2,057 bytes announced; the limit is 0.001 MB): "
         "refused; nothing written",
         answer=Answer(200, b'{"head": {"vars": ["item"]}, "results": {"bindings": []}}' + b" " * 2000)),
    Case("enrich-busy", ("enrich", "--out", "{out}", "--endpoint", "{endpoint}/sparql", "--retries", "0"),
         "error: {endpoint}/sparql: HTTP 503 Service Unavailable: busy; gave up after 1 attempt(s); nothing written",
         answer=Answer(503, b"busy", (("Content-Type", "text/plain"),))),
]


class FakeServer(LoopbackServer):
    """Answers every request, whatever its method and path, with one Answer."""

    def __init__(self, answer: Answer):
        class Handler(http.server.BaseHTTPRequestHandler):
            def _reply(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_HEAD = _reply

            def log_message(self, *args) -> None:
                pass

        super().__init__(Handler, "")


def fill(text: str, places: dict[str, str]) -> str:
    """`text` with its placeholders replaced (not str.format: queries have braces of their own)."""
    for name, value in places.items():
        text = text.replace("{" + name + "}", value)
    return text


def project_copy(folder: Path) -> Path:
    for name in ("ontology", "graph", "queries", "sources"):
        shutil.copytree(ROOT / name, folder / name)
    return folder


def params() -> list:
    return [pytest.param(case, id=case.id, marks=[pytest.mark.server] if case.answer else []) for case in CASES]


@pytest.mark.parametrize("case", params())
def test_bad_input_gives_one_clear_error(case: Case, built: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv("KG_PUSH_USER", raising=False)
    monkeypatch.delenv("KG_PUSH_PASSWORD", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    places = {"tmp": str(work), "out": str(tmp_path / "out"), "endpoint": "", "project": str(tmp_path / "project")}
    if any("{out}" in a for a in case.argv):
        shutil.copytree(built, tmp_path / "out")
    if any(p.startswith("{project}") for p in case.files) or case.argv[0] == "queries":
        monkeypatch.setenv("KG_ROOT", str(project_copy(tmp_path / "project")))
    for path, data in case.files.items():
        target = Path(fill(path, places))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    server = FakeServer(case.answer) if case.answer else None
    try:
        if server:
            places["endpoint"] = server.url
        argv = [fill(a, places) for a in case.argv]
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse
            code = exit_.code
    finally:
        if server:
            server.close()
    err = capsys.readouterr().err
    assert code == case.code, err
    assert err.splitlines()[-1] == fill(case.error, places)
    assert "Traceback" not in err
    if case.code == 2:  # an input or usage error is one line, nothing before it (no usage block)
        assert err == fill(case.error, places) + "\n"


def test_a_bom_at_the_start_of_a_query_file_is_accepted(built: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "bom.rq"
    path.write_bytes(b"\xef\xbb\xbfASK { ptr:trump a pt:Person }\n")
    assert main(["query", "--out", str(built), "--file", str(path), "--format", "json"]) == 0
    assert '"boolean":true' in capsys.readouterr().out.replace(" ", "")


def test_a_bom_at_the_start_of_a_library_query_is_accepted(tmp_path: Path, capsys, monkeypatch) -> None:
    root = project_copy(tmp_path / "project")
    query = root / "queries" / "who-rejected-the-us-peace-plan.rq"
    query.write_bytes(b"\xef\xbb\xbf" + query.read_bytes())
    monkeypatch.setenv("KG_ROOT", str(root))
    assert main(["queries"]) == 0
    assert "who-rejected-the-us-peace-plan" in capsys.readouterr().out
