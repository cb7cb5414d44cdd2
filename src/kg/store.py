"""Oxigraph in-process: the built dataset in a store, terms to and from rdflib, SPARQL over it.

rdflib's own SPARQL engine is far slower on this data and returns wrong rows
for VALUES with OPTIONAL (rdflib issue 2332), so every query runs here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.store import Store

from kg.namespaces import PREFIXES


def load_dataset(out: Path) -> ox.Store:
    """The built dataset (every named graph) in an in-memory store."""
    from kg.buildfolder import BuildFolder

    return BuildFolder(out).load_store()


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> URIRef | BNode | Literal:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def to_oxigraph(term: URIRef | BNode | Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def add_graph(store: ox.Store, graph: Graph, name: URIRef) -> None:
    """Add an rdflib graph to the store's named graph `name`."""
    target = ox.NamedNode(str(name))
    store.extend(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), target) for s, p, o in graph)


def graph_from_store(store: ox.Store, name: URIRef) -> Graph:
    graph = Graph()
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(str(name))):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def select(store: ox.Store, query: str, **options) -> list[dict[str, object]]:
    """Rows of a SELECT as dicts of rdflib terms (unbound variables left out)."""
    solutions = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True, **options)
    names = [v.value for v in solutions.variables]
    return [{n: to_rdflib(s[n]) for n in names if s[n] is not None} for s in solutions]


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> URIRef | BNode | Literal:
    """Like to_rdflib, but a plain string stays a plain literal, as rdflib's parsers make it."""
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return to_rdflib(term)


def rdflib_graph(triples: Iterable[ox.Triple]) -> Graph:
    graph = Graph()
    for t in triples:
        graph.add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))
    return graph


def oxigraph_triples(graph: Graph) -> list[ox.Triple]:
    return [ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph]


class GraphView(Store):
    """Named graphs of an Oxigraph store read through rdflib's Graph API, without copying them into rdflib
    (`Graph(store=GraphView(...))`). Read-only. Terms come from the store, so numbers have their canonical
    form; `size`, when given, is the graph's length as the caller counts it (its triples as parsed)."""

    def __init__(self, store: ox.Store, names: Iterable[URIRef], size: int | None = None):
        super().__init__()
        self.oxigraph = store
        self.names = [ox.NamedNode(str(name)) for name in names]
        self._size = size

    def triples(self, triple_pattern, context=None):
        pattern = [None if term is None else to_oxigraph(term) for term in triple_pattern]
        seen: set[ox.Triple] = set()
        for name in self.names:
            for quad in self.oxigraph.quads_for_pattern(*pattern, name):
                if len(self.names) > 1:  # a triple in two of the graphs is one triple of the view
                    if quad.triple in seen:
                        continue
                    seen.add(quad.triple)
                yield (rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object)), iter(())

    def __len__(self, context=None) -> int:
        if self._size is not None:
            return self._size
        graphs = " ".join(f"<{name.value}>" for name in self.names)
        query = f"SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT ?s ?p ?o {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ ?s ?p ?o }} }} }}"
        return int(next(iter(self.oxigraph.query(query)))["n"].value)

    def used_terms(self) -> set[str]:
        """Every predicate and every class (object of rdf:type) of the viewed graphs."""
        graphs = " ".join(f"<{name.value}>" for name in self.names)
        query = (f"SELECT DISTINCT ?t {{ VALUES ?g {{ {graphs} }} GRAPH ?g {{ {{ ?s ?t ?o }} UNION "
                 f"{{ ?s a ?t FILTER(isIRI(?t)) }} }} }}")
        return {row["t"].value for row in self.oxigraph.query(query)}


def view(store: ox.Store, *names: URIRef, size: int | None = None) -> Graph:
    """The named graphs `names` of `store` as one read-only rdflib Graph (see GraphView)."""
    return Graph(store=GraphView(store, names, size))
