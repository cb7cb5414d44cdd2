"""VoID/DCAT description of the built dataset (OUT/void.ttl), and the ontology docs beside it.

The dataset is described once, with each layer as a subset named by its graph
IRI (so `GRAPH <iri>` in a query selects exactly what the subset counts), the
linksets of the external layer with their link counts, the licence, the source
article and the SPARQL endpoint `kg serve` offers. No timestamps: the file is
byte-identical for the same input.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef

from kg.links import DATASET, DCTERMS
from kg.namespaces import ARTICLE, DCAT, LAYERS, ONTOLOGY_IRI, PREFIXES, VOID
from kg.project import Project

VOID_TTL = "void.ttl"
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DEFAULT_ENDPOINT = "http://127.0.0.1:7878/query"
TITLE = "Peace Talks Knowledge Graph"
DESCRIPTION = (
    "The 2025 US-brokered Russia–Ukraine peace efforts as described by one NPR article: actors, offices, "
    "events, proposals, concessions, stances, claims and quotations, every fact grounded in the exact words "
    "of the article. Layers: what the article asserts, what rules infer from it, and outside knowledge "
    "(links to Wikidata, DBpedia and GeoNames; dates from public reporting) with its sources."
)
LAYER_TITLES = {
    "asserted": "What the article asserts (curated, grounded in its words)",
    "inferred": "What the rules in ontology/rules derive from the asserted layer",
    "external": "Outside knowledge: links and dates from public sources, with their sources",
    "vocabulary": "The ontology and the CAMEO code list",
}
DISTRIBUTIONS = {
    "dataset.trig": ("application/trig", "The dataset with its layers as named graphs (TriG)"),
    "dataset.ttl": ("text/turtle", "The union of the layers (Turtle)"),
}
VOCABULARIES = ["pt", "sem", "skos", "oa", "prov", "schema", "dcterms", "time"]


def describe(layers, endpoint: str = DEFAULT_ENDPOINT) -> Graph:
    """The VoID/DCAT graph of a compiled dataset (kg.build.Layers)."""
    graph = Graph()
    named = layers.named()
    graph.add((DATASET, RDF.type, VOID.Dataset))
    graph.add((DATASET, RDF.type, DCAT.Dataset))
    graph.add((DATASET, DCTERMS.title, Literal(TITLE, lang="en")))
    graph.add((DATASET, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    graph.add((DATASET, DCTERMS.license, LICENSE))
    graph.add((DATASET, DCTERMS.source, ARTICLE))
    graph.add((DATASET, DCTERMS.creator, Literal("peace-talks-kg contributors")))
    graph.add((DATASET, DCTERMS.conformsTo, ONTOLOGY_IRI))
    graph.add((DATASET, VOID.triples, Literal(sum(len(g) for g in named.values()))))
    graph.add((DATASET, VOID.sparqlEndpoint, URIRef(endpoint)))
    for prefix in VOCABULARIES:
        graph.add((DATASET, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    _add_article(graph, layers)
    _add_layers(graph, named)
    _add_service(graph, endpoint)
    _add_distributions(graph)
    _add_linksets(graph, layers.external)
    return graph


def _add_article(graph: Graph, layers) -> None:
    """The source article's title, publisher and licence note, as the asserted layer gives them."""
    for predicate in (RDFS.label, RDF.type):
        for value in layers.asserted.objects(ARTICLE, predicate):
            graph.add((ARTICLE, predicate, value))


def _add_layers(graph: Graph, named: dict[URIRef, Graph]) -> None:
    names = {iri: name for name, iri in LAYERS.items()}
    for iri, layer in named.items():
        name = names.get(iri, "vocabulary")
        graph.add((DATASET, VOID.subset, iri))
        graph.add((iri, RDF.type, VOID.Dataset))
        graph.add((iri, DCTERMS.title, Literal(LAYER_TITLES[name], lang="en")))
        graph.add((iri, VOID.triples, Literal(len(layer))))
        graph.add((iri, DCTERMS.license, LICENSE))


def _add_service(graph: Graph, endpoint: str) -> None:
    service = URIRef(endpoint)
    graph.add((DATASET, DCAT.distribution, URIRef(f"{DATASET}/sparql")))
    graph.add((URIRef(f"{DATASET}/sparql"), RDF.type, DCAT.Distribution))
    graph.add((URIRef(f"{DATASET}/sparql"), DCAT.accessService, service))
    graph.add((URIRef(f"{DATASET}/sparql"), DCAT.accessURL, service))
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("Local read-only SPARQL endpoint (`kg serve`)", lang="en")))
    graph.add((service, DCAT.endpointURL, service))
    graph.add((service, DCAT.servesDataset, DATASET))


def _add_distributions(graph: Graph) -> None:
    for name, (media_type, title) in DISTRIBUTIONS.items():
        dist = URIRef(f"{DATASET}/{name}")
        graph.add((DATASET, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, Literal(title, lang="en")))
        graph.add((dist, DCAT.mediaType, Literal(media_type)))
        graph.add((dist, DCTERMS.license, LICENSE))


def _add_linksets(graph: Graph, external: Graph) -> None:
    """Copy each void:Linkset of the external layer, with its target dataset, as a subset."""
    for linkset in sorted(external.subjects(RDF.type, VOID.Linkset), key=str):
        graph.add((DATASET, VOID.subset, linkset))
        for p, o in external.predicate_objects(linkset):
            graph.add((linkset, p, o))
        for target in external.objects(linkset, VOID.objectsTarget):
            for p, o in external.predicate_objects(target):
                graph.add((target, p, o))


def write_void(layers, project: Project, out: Path) -> None:
    """OUT/void.ttl and OUT/docs/ontology.html (both deterministic)."""
    from kg.docs import write_ontology_docs
    from kg.serialize import write_turtle

    write_turtle(describe(layers), out / VOID_TTL)
    write_ontology_docs(project, out)
