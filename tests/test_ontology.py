"""The ontology file and its Python mirror agree; every term is documented; the header is complete."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS

from kg.namespaces import ONTOLOGY_IRI, PT

PT_NS = str(PT)


@pytest.fixture(scope="module")
def ontology(project) -> Graph:
    graph = Graph()
    graph.parse(project.ontology)
    return graph


def ontology_terms(ontology: Graph) -> set[str]:
    return {str(s)[len(PT_NS):] for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(PT_NS)}


def test_python_mirror_defines_exactly_the_ontology_terms(ontology):
    mirror = set(PT.__annotations__)
    terms = ontology_terms(ontology)
    assert sorted(terms - mirror) == [], "in the ontology but not in kg.namespaces.PT: add them there"
    assert sorted(mirror - terms) == [], "in kg.namespaces.PT but not in the ontology: remove them or define them"


def test_mirror_refuses_a_typo():
    with pytest.raises(AttributeError):
        PT.Stanse  # noqa: B018


def test_every_term_has_a_label_and_a_comment(ontology):
    missing = [f"pt:{t}: {what}" for t in sorted(ontology_terms(ontology))
               for what, prop in (("rdfs:label", RDFS.label), ("rdfs:comment", RDFS.comment))
               if ontology.value(PT[t], prop) is None]
    assert missing == []


def test_every_class_and_property_is_declared(ontology):
    declared = set(ontology.subjects(RDF.type, OWL.Class)) | set(ontology.subjects(RDF.type, OWL.ObjectProperty)) \
        | set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    used = {p for p in ontology.predicates() if str(p).startswith(PT_NS)} \
        | {o for o in ontology.objects(None, RDFS.subClassOf) if str(o).startswith(PT_NS)}
    assert sorted(str(t) for t in used - declared) == []


def test_header_is_complete(ontology):
    header = {str(p) for p in ontology.predicates(ONTOLOGY_IRI)}
    for prop in (OWL.versionIRI, DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator):
        assert str(prop) in header, prop
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology


def test_standard_vocabularies_are_aligned_not_imported(ontology):
    assert not list(ontology.objects(ONTOLOGY_IRI, OWL.imports))
    supers = {str(o) for o in ontology.objects(None, RDFS.subClassOf)} | {str(o) for o in ontology.objects(None, RDFS.subPropertyOf)}
    for vocabulary in ("http://www.w3.org/ns/prov#", "https://schema.org/", "http://semanticweb.cs.vu.nl/2009/11/sem/",
                       "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/oa#", "http://www.w3.org/2006/time#"):
        assert any(s.startswith(vocabulary) for s in supers), vocabulary
