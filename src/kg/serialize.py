"""Deterministic Turtle and TriG, written by Oxigraph's serializer, and atomic file writes.

Oxigraph escapes every IRI and literal it writes (an IRI cannot smuggle in
triples), and quads fed to it in sorted order give byte-identical files for the
same input, so diffs of the output show real changes only. Blank nodes, if
any, get canonical labels first.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph

from kg.namespaces import PREFIXES
from kg.store import to_oxigraph

_PREFIXES = dict(sorted(PREFIXES.items()))


def _sort_key(node: URIRef | BNode | Literal) -> tuple[int, str, str]:
    kind = 0 if isinstance(node, URIRef) else 1 if isinstance(node, BNode) else 2
    extra = (node.language or str(node.datatype or "")) if isinstance(node, Literal) else ""
    return (kind, str(node), extra)


def _sorted_triples(graph: Graph) -> list[tuple]:
    if any(isinstance(n, BNode) for triple in graph for n in triple):
        graph = to_canonical_graph(graph)
    return sorted(graph, key=lambda t: (_sort_key(t[0]), _sort_key(t[1]), _sort_key(t[2])))


# Stands for "the folder of the file being written" while relative references are serialised; the @base line
# naming it is dropped, so a reader resolves them against the file's own location.
_HERE = "file:///relative-to-this-file/"


def _absolute(node: URIRef | BNode | Literal) -> URIRef | BNode | Literal:
    return URIRef(_HERE + str(node)) if isinstance(node, URIRef) and ":" not in str(node) else node


def _triples(graph: Graph) -> Iterable[ox.Triple]:
    for s, p, o in _sorted_triples(graph):
        yield ox.Triple(to_oxigraph(_absolute(s)), to_oxigraph(p), to_oxigraph(_absolute(o)))


def turtle_bytes(graph: Graph) -> bytes:
    """Turtle; an IRI without a scheme (a download URL relative to the file) stays relative."""
    data = ox.serialize(_triples(graph), format=ox.RdfFormat.TURTLE, prefixes=_PREFIXES, base_iri=_HERE) or b""
    return data.replace(f"@base <{_HERE}> .\n".encode(), b"", 1)


def trig_bytes(graphs: Mapping[URIRef, Graph]) -> bytes:
    def quads() -> Iterable[ox.Quad]:
        for name in sorted(graphs, key=str):
            target = ox.NamedNode(str(name))
            for triple in _triples(graphs[name]):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, target)

    return ox.serialize(quads(), format=ox.RdfFormat.TRIG, prefixes=_PREFIXES) or b""


def turtle(graph: Graph) -> str:
    return turtle_bytes(graph).decode("utf-8")


def trig(graphs: Mapping[URIRef, Graph]) -> str:
    return trig_bytes(graphs).decode("utf-8")


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write beside `path`, then rename: a reader sees the old file or the new one, never half of one.
    Text is written as UTF-8 with \\n line ends, bytes as they are; the mode follows the umask
    (0644 under umask 022)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_turtle(graph: Graph, path: Path) -> None:
    write_atomically(path, turtle_bytes(graph))
