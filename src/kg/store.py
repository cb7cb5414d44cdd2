"""Oxigraph in-process: the built dataset in a store, terms to and from rdflib, SPARQL over it.

rdflib's own SPARQL engine is far slower on this data and returns wrong rows
for VALUES with OPTIONAL (rdflib issue 2332), so every query runs here.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

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
