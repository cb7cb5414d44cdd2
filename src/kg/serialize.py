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

from kg.namespaces import PREFIXES
from kg.store import rdflib_graph, to_oxigraph

_PREFIXES = dict(sorted(PREFIXES.items()))
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# A graph to write: an rdflib Graph, or Oxigraph triples (each once), as the build holds its layers.
Triples = Graph | Iterable[ox.Triple]


def _key(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> tuple[int, str, str]:
    """IRIs, then blank nodes, then literals; by text, then language or datatype (none for a plain string)."""
    if isinstance(term, ox.NamedNode):
        return (0, term.value, "")
    if isinstance(term, ox.BlankNode):
        return (1, term.value, "")
    return (2, term.value, term.language or ("" if term.datatype.value == _XSD_STRING else term.datatype.value))


# Stands for "the folder of the file being written" while relative references are serialised; the @base line
# naming it is dropped, so a reader resolves them against the file's own location.
_HERE = "file:///relative-to-this-file/"


def _absolute(node: URIRef | BNode | Literal) -> URIRef | BNode | Literal:
    return URIRef(_HERE + str(node)) if isinstance(node, URIRef) and ":" not in str(node) else node


def _from_rdflib(graph: Graph) -> list[ox.Triple]:
    if any(isinstance(n, BNode) for triple in graph for n in triple):
        from rdflib.compare import to_canonical_graph

        graph = to_canonical_graph(graph)
    return [ox.Triple(to_oxigraph(_absolute(s)), to_oxigraph(p), to_oxigraph(_absolute(o))) for s, p, o in graph]


def _sorted_triples(graph: Triples) -> list[ox.Triple]:
    """The triples in a fixed order (blank nodes, if any, relabelled canonically first)."""
    if isinstance(graph, Graph):
        triples = _from_rdflib(graph)
    else:
        triples = list(graph)
        if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
            triples = _from_rdflib(rdflib_graph(triples))
    return _sort(triples)


def _sort(triples: list[ox.Triple]) -> list[ox.Triple]:
    """By subject, predicate, object (_key), each term's key made once: terms recur, so this sorts about a
    third faster than making three keys a triple."""
    keys: dict[ox.NamedNode | ox.BlankNode | ox.Literal, tuple[int, str, str]] = {}

    def key(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> tuple[int, str, str]:
        found = keys.get(term)
        if found is None:
            found = keys[term] = _key(term)
        return found

    return sorted(triples, key=lambda t: (key(t.subject), key(t.predicate), key(t.object)))


def turtle_bytes(graph: Triples) -> bytes:
    """Turtle; an IRI without a scheme (a download URL relative to the file) stays relative."""
    data = ox.serialize(_sorted_triples(graph), format=ox.RdfFormat.TURTLE, prefixes=_PREFIXES, base_iri=_HERE) or b""
    return data.replace(f"@base <{_HERE}> .\n".encode(), b"", 1)


def trig_bytes(graphs: Mapping[URIRef, Triples]) -> bytes:
    def quads() -> Iterable[ox.Quad]:
        for name in sorted(graphs, key=str):
            target = ox.NamedNode(str(name))
            for triple in _sorted_triples(graphs[name]):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, target)

    return ox.serialize(quads(), format=ox.RdfFormat.TRIG, prefixes=_PREFIXES) or b""


def turtle(graph: Triples) -> str:
    return turtle_bytes(graph).decode("utf-8")


def trig(graphs: Mapping[URIRef, Triples]) -> str:
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
