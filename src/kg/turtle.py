"""Reading curated Turtle, and short names for messages.

The build reads with Oxigraph (read_triples), which is fast and strict. Only
when Oxigraph refuses a file does rdflib parse it too, for the message it gives
(line and the text near the error); what only Oxigraph refuses (an IRI with a
space, a bad language tag) is reported with Oxigraph's line. parse_turtle, for
callers that want an rdflib Graph, parses with rdflib first, then checks with
Oxigraph, giving the same messages.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.namespaces import PREFIXES
from kg.problems import KgError
from kg.project import Project

MAX_FILE_BYTES = 64 * 1024 * 1024  # a curated file is hand-written: anything larger is a mistake


def short_name(node: URIRef | BNode | Literal) -> str:
    """ptr:putin for the full IRI, for messages."""
    text = str(node)
    if isinstance(node, URIRef):
        for prefix, iri in PREFIXES.items():
            if text.startswith(iri):
                return f"{prefix}:{text[len(iri):]}"
    return text


def read_triples(path: Path, project: Project) -> list[ox.Triple]:
    """Parse one Turtle file with Oxigraph: its triples, each once, literals as written; a syntax error
    names the file and line (exit 2), in the words parse_turtle would use."""
    where = project.relative(path)
    data = _read(path, where)
    try:
        quads = ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
        return list(dict.fromkeys(_normalised(q.triple) for q in quads))
    except SyntaxError as err:
        failure = err
    _parse_with_rdflib(data.decode("utf-8"), path, where)  # rdflib's message when rdflib refuses it too
    check_with_oxigraph(data, where)
    raise KgError(f"{where}: malformed Turtle: {' '.join(str(failure).split())[:300]}")


_PLAIN = ("http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")


def _normalised(triple: ox.Triple) -> ox.Triple:
    """The triple with its literal in the lexical form rdflib gives it (PT30H is read as P1DT6H), so
    that the dataset reads back through rdflib (kg export, kg enrich) to the same bytes."""
    o = triple.object
    if not isinstance(o, ox.Literal) or o.datatype.value in _PLAIN:
        return triple
    lexical = _rdflib_lexical(o.value, o.datatype.value)
    if lexical == o.value:
        return triple
    return ox.Triple(triple.subject, triple.predicate, ox.Literal(lexical, datatype=o.datatype))


@lru_cache(maxsize=65536)
def _rdflib_lexical(value: str, datatype: str) -> str:
    return str(Literal(value, datatype=URIRef(datatype)))


def parse_turtle(path: Path, project: Project) -> Graph:
    """Parse one Turtle file; a syntax error names the file and line (exit 2)."""
    where = project.relative(path)
    data = _read(path, where)
    graph = _parse_with_rdflib(data.decode("utf-8"), path, where)
    check_with_oxigraph(data, where)
    return graph


def _read(path: Path, where: str) -> bytes:
    """The file's bytes, checked to be UTF-8 of a sensible size."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise KgError(f"{where}: {size} bytes; a curated file holds at most {MAX_FILE_BYTES} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        raise KgError(f"{where}: missing file") from None
    except OSError as err:  # a symlink loop, a folder named *.ttl, no permission
        raise KgError(f"{where}: cannot read: {err.strerror or err}") from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise KgError(f"{where}:{line}: not UTF-8") from None
    return data


def _parse_with_rdflib(text: str, path: Path, where: str) -> Graph:
    graph = Graph()
    try:
        graph.parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as err:
        raise KgError(f"{where}:{err.lines + 1}: malformed Turtle: {_syntax_reason(err)}") from None
    except Exception as err:  # rdflib raises several types for bad input
        raise KgError(f"{where}: malformed Turtle: {' '.join(str(err).split())[:300]}") from None
    return graph


def check_with_oxigraph(data: bytes, where: str) -> None:
    try:
        for _ in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri="https://w3id.org/peace-talks-kg/"):
            pass
    except SyntaxError as err:
        message = " ".join(str(err).split())
        line = re.search(r"\bat line (\d+)", message)
        raise KgError(f"{where}{':' + line.group(1) if line else ''}: malformed Turtle: {message[:300]}") from None


def _syntax_reason(err: BadSyntax) -> str:
    """rdflib's reason and the text where the parser stopped, on one line."""
    data = err._str.decode("utf-8", "replace") if isinstance(err._str, bytes) else str(err._str)
    start = data.rfind("\n", 0, err._i) + 1
    end = data.find("\n", err._i)
    near = data[start : end if end != -1 else None].strip()
    return f'{err._why}, near "{near}"'
