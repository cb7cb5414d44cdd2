"""Deterministic Turtle and TriG: sorted subjects, predicates and objects.

Two builds of the same input give byte-identical files, so diffs of the
output show real changes only. Blank nodes, if any, get canonical labels.
"""

from __future__ import annotations

import os
import re
import tempfile
from functools import lru_cache
from collections.abc import Iterable, Mapping
from pathlib import Path

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph

from kg.namespaces import PREFIXES

_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BARE = {XSD.integer, XSD.boolean}
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


@lru_cache(maxsize=None)
def term(node: URIRef | BNode | Literal) -> str:
    if isinstance(node, URIRef):
        text = str(node)
        for prefix, iri in _BY_LENGTH:
            if text.startswith(iri) and _LOCAL.match(text[len(iri) :]):
                return f"{prefix}:{text[len(iri):]}"
        return f"<{text}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    lexical = "".join(_ESCAPES.get(ch, ch) for ch in str(node))
    if node.language:
        return f'"{lexical}"@{node.language}'
    if node.datatype in (None, XSD.string):
        return f'"{lexical}"'
    if node.datatype in _BARE and not node.ill_typed:
        return lexical
    return f'"{lexical}"^^{term(node.datatype)}'


@lru_cache(maxsize=None)
def _key(node: URIRef | BNode | Literal) -> tuple[int, str, str]:
    kind = 0 if isinstance(node, URIRef) else 1 if isinstance(node, BNode) else 2
    extra = (node.language or str(node.datatype or "")) if isinstance(node, Literal) else ""
    return (kind, str(node), extra)


def _canonical(graph: Graph) -> Graph:
    if any(isinstance(n, BNode) for triple in graph for n in triple):
        return to_canonical_graph(graph)
    return graph


def _statements(graph: Graph, indent: str) -> Iterable[str]:
    # Group in plain dicts: far faster than asking the rdflib store per subject.
    by_subject: dict = {}
    for s, p, o in _canonical(graph):
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)
    for subject in sorted(by_subject, key=_key):
        predicates = by_subject[subject]
        parts = []
        for predicate in sorted(predicates, key=lambda p: (p != RDF.type, _key(p))):
            objects = ", ".join(term(o) for o in sorted(predicates[predicate], key=_key))
            parts.append(f"{'a' if predicate == RDF.type else term(predicate)} {objects}")
        body = f" ;\n{indent}    ".join(parts)
        yield f"{indent}{term(subject)}\n{indent}    {body} .\n"


def _prologue() -> str:
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in sorted(PREFIXES.items())) + "\n"


def turtle(graph: Graph) -> str:
    return _prologue() + "\n".join(_statements(graph, ""))


def trig(graphs: Mapping[URIRef, Graph]) -> str:
    chunks = [_prologue()]
    for name in sorted(graphs, key=str):
        chunks.append(f"{term(name)} {{\n" + "\n".join(_statements(graphs[name], "    ")) + "}\n\n")
    return "".join(chunks)


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename: never a half-written file.
    Text is written as UTF-8 with \\n line ends; bytes as they are."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if isinstance(text, bytes):
            handle = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_turtle(graph: Graph, path: Path) -> None:
    write_atomically(path, turtle(graph))


def write_trig(graphs: Mapping[URIRef, Graph], path: Path) -> None:
    write_atomically(path, trig(graphs))
