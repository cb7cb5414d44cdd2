"""Deterministic Turtle and TriG, written by Oxigraph's serializer, and atomic file writes.

Oxigraph escapes every IRI and literal it writes (an IRI cannot smuggle in
triples), and quads fed to it in sorted order give byte-identical files for the
same input, so diffs of the output show real changes only. Blank nodes, if
any, get canonical labels first.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from kg.namespaces import PREFIXES
from kg.store import rdflib_graph, to_oxigraph

_PREFIXES = dict(sorted(PREFIXES.items()))
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# How many triples are turned back into Python ints at once while writing.
_CHUNK = 1 << 16

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


def dataset_bytes(graphs: Mapping[URIRef, Iterable[ox.Triple | ox.Quad]]) -> tuple[bytes, bytes]:
    """TriG of every graph and Turtle of their union, the same bytes as trig_bytes(graphs) and
    turtle_bytes(union), from one sort: each distinct term is ranked once (by _key), and one sort of the
    triples' rank arrays (numpy) orders every graph and the union. Sorting integer arrays instead of
    tuples of keys, and once instead of once per graph and again for the union, is what makes writing
    a large dataset affordable. Each graph's triples (each once) are read
    once, and only their terms are kept, each once: a million-triple dataset is not held twice. Blank
    nodes, if any, take the slower road (canonical labels through rdflib first)."""
    names = sorted(graphs, key=str)
    ends: list[int] = []  # where each graph's triples end in the term-id arrays
    ids: dict[ox.NamedNode | ox.BlankNode | ox.Literal, int] = {}
    subjects, predicates, objects = array("q"), array("q"), array("q")
    term_id = ids.setdefault
    for name in names:
        for t in graphs[name]:
            subjects.append(term_id(t.subject, len(ids)))
            predicates.append(term_id(t.predicate, len(ids)))
            objects.append(term_id(t.object, len(ids)))
        ends.append(len(subjects))
    terms = list(ids)
    del ids

    def triples(first: int, last: int) -> Iterator[ox.Triple]:
        for i in range(first, last):
            yield ox.Triple(terms[subjects[i]], terms[predicates[i]], terms[objects[i]])

    if any(isinstance(term, ox.BlankNode) for term in terms):
        read = {name: list(triples(([0] + ends)[k], ends[k])) for k, name in enumerate(names)}
        return trig_bytes(read), turtle_bytes(list(dict.fromkeys(t for graph in read.values() for t in graph)))
    id_rows = np.stack([np.frombuffer(a, dtype=np.int64) for a in (subjects, predicates, objects)])
    union_order, per_graph = _orders(_ranks(terms)[id_rows], ends)

    def rows(indices: np.ndarray) -> Iterator[tuple[int, int, int]]:
        for first in range(0, len(indices), _CHUNK):  # as Python ints a chunk at a time: not all at once
            yield from zip(*id_rows[:, indices[first:first + _CHUNK]].tolist(), strict=True)

    def quads() -> Iterator[ox.Quad]:
        for name, indices in zip(names, per_graph, strict=True):
            target = ox.NamedNode(str(name))
            for s, p, o in rows(indices):
                yield ox.Quad(terms[s], terms[p], terms[o], target)

    trig = ox.serialize(quads(), format=ox.RdfFormat.TRIG, prefixes=_PREFIXES) or b""
    union = ox.serialize((ox.Triple(terms[s], terms[p], terms[o]) for s, p, o in rows(union_order)),
                         format=ox.RdfFormat.TURTLE, prefixes=_PREFIXES, base_iri=_HERE) or b""
    return trig, union.replace(f"@base <{_HERE}> .\n".encode(), b"", 1)


def _ranks(terms: list[ox.NamedNode | ox.BlankNode | ox.Literal]) -> np.ndarray:
    """Each term's place in the order of _key."""
    rank = np.empty(len(terms), dtype=np.int64)
    rank[sorted(range(len(terms)), key=lambda i: _key(terms[i]))] = np.arange(len(terms), dtype=np.int64)
    return rank


def _orders(ranks: np.ndarray, ends: list[int]) -> tuple[np.ndarray, list[np.ndarray]]:
    """Triple positions in the order of their terms' `ranks` (rows: subject, predicate, object): the first
    of each distinct triple (the union), and each graph's, split where the graphs end (`ends`). The sorts
    are stable, so equal triples keep the order of their graphs."""
    order = np.lexsort(ranks[::-1])  # the last row is the first compared
    ranked = ranks[:, order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = np.any(ranked[:, 1:] != ranked[:, :-1], axis=0)
    graph_of = np.searchsorted(np.asarray(ends, dtype=np.int64), order, side="right")
    by_graph = order[np.argsort(graph_of, kind="stable")]
    cuts = np.cumsum(np.bincount(graph_of, minlength=len(ends)))[:-1]
    return order[first], np.split(by_graph, cuts)


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
