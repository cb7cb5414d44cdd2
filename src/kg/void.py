"""VoID/DCAT description of the built dataset (OUT/void.ttl).

The dataset is described once, with each graph as a subset named by its graph
IRI (so `GRAPH <iri>` in a query selects exactly what the subset counts), each
source as a subset holding its evidence (title, publisher, checksum and the
number of evidence annotations that cite it), the linksets of the external
layer with their link counts, and the licence. Every value has the kind its
property's range asks for: media types are IANA IRIs (dcterms:MediaType),
creator and publishers are agents, download URLs are IRIs, void:vocabulary
lists every namespace the data uses. Where the files are published is
configuration (`publish.toml` at the project root): without it the download
URLs are relative to void.ttl itself and no SPARQL endpoint is named, since
`kg serve`'s loopback address means nothing to anyone else. No timestamps:
the file is byte-identical for the same input.
"""

from __future__ import annotations

import tomllib
import urllib.parse
from dataclasses import dataclass

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF

from kg.links import DATASET, DCTERMS
from kg.buildfolder import DATASET_TRIG, DATASET_TTL, GRAPHS
from kg.namespaces import DCAT, OA, ONTOLOGY_IRI, PREFIXES, PT, PTR, SCHEMA, VOID
from kg.problems import KgError
from kg.store import GraphView
from kg.project import Project

SOURCE_CLASSES = (PT.Source,)  # every registered source (kg.sources)

SPDX = Namespace("http://spdx.org/rdf/terms#")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
PUBLISH_TOML = "publish.toml"
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
CREATOR = PTR["agent/peace-talks-kg-contributors"]
CREATOR_NAME = "peace-talks-kg contributors"
TITLE = "Peace Talks Knowledge Graph"
DESCRIPTION = (
    "The 2025 US-brokered Russia–Ukraine peace efforts as their sources describe them: actors, offices, "
    "events, proposals, concessions, stances, claims and quotations, every fact grounded in the exact words "
    "of a source. Layers: what the sources assert, what rules infer from it, and outside knowledge "
    "(links to Wikidata, DBpedia and GeoNames; dates from public reporting) with its sources."
)
LAYER_TITLES = {
    "asserted": "What the sources assert (curated, grounded in their words)",
    "inferred": "What the rules in ontology/rules derive from the asserted layer",
    "external": "Outside knowledge: links and dates from public sources, with their sources",
    "vocabulary": "The ontology and the CAMEO code list",
    "sources": "The catalogue of sources: what is known about each text, and its sentences",
}
DISTRIBUTIONS = {
    DATASET_TRIG: ("application/trig", "The dataset with its layers as named graphs (TriG)"),
    DATASET_TTL: ("text/turtle", "The union of the layers (Turtle)"),
}


@dataclass(frozen=True)
class Publication:
    """Where the built files are published (publish.toml): both optional."""

    base_url: str | None = None  # the folder URL the files are served from, e.g. https://example.org/kg/
    sparql_endpoint: str | None = None  # a public SPARQL endpoint serving the dataset


def read_publication(project: Project) -> Publication:
    """publish.toml at the project root (`base_url`, `sparql_endpoint`), or the defaults without one."""
    path = project.root / PUBLISH_TOML
    if not path.is_file():
        return Publication()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise KgError(f"{PUBLISH_TOML}: not valid TOML: {error}") from None
    unknown = sorted(set(data) - {"base_url", "sparql_endpoint"})
    if unknown:
        raise KgError(f"{PUBLISH_TOML}: unknown key(s) {', '.join(unknown)}; expected base_url, sparql_endpoint")
    return Publication(base_url=_url(data, "base_url", folder=True), sparql_endpoint=_url(data, "sparql_endpoint"))


def _url(data: dict, key: str, folder: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    parts = urllib.parse.urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or parts.username or parts.password:
        raise KgError(f"{PUBLISH_TOML}: {key} = {value!r}: expected an http(s) URL without credentials")
    if folder and not value.endswith("/"):
        raise KgError(f"{PUBLISH_TOML}: {key} = {value!r}: a folder URL ends with '/'")
    return value


def describe(layers, publication: Publication | None = None) -> Graph:
    """The VoID/DCAT graph of a compiled dataset (kg.build.Layers)."""
    publication = publication or Publication()
    graph = Graph()
    named = layers.named()
    graph.add((DATASET, RDF.type, VOID.Dataset))
    graph.add((DATASET, RDF.type, DCAT.Dataset))
    graph.add((DATASET, DCTERMS.title, Literal(TITLE, lang="en")))
    graph.add((DATASET, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    graph.add((DATASET, DCTERMS.license, LICENSE))
    graph.add((DATASET, DCTERMS.creator, CREATOR))
    graph.add((CREATOR, RDF.type, FOAF.Agent))
    graph.add((CREATOR, RDF.type, DCTERMS.Agent))
    graph.add((CREATOR, FOAF.name, Literal(CREATOR_NAME)))
    graph.add((DATASET, DCTERMS.conformsTo, ONTOLOGY_IRI))
    graph.add((DATASET, VOID.triples, Literal(sum(len(g) for g in named.values()))))
    for namespace in vocabularies(named.values()):
        graph.add((DATASET, VOID.vocabulary, URIRef(namespace)))
    _add_sources(graph, layers)
    _add_layers(graph, named)
    if publication.sparql_endpoint:
        _add_service(graph, publication.sparql_endpoint)
    _add_distributions(graph, publication.base_url)
    _add_linksets(graph, layers.external)
    return graph


def vocabularies(graphs) -> list[str]:
    """Every namespace of a property or class the data uses: a project prefix's namespace when one
    covers the IRI, else the IRI up to its last '#' or '/'."""
    known = sorted(PREFIXES.values(), key=len, reverse=True)
    found = set()
    for graph in graphs:
        for iri in _used_terms(graph):
            found.add(next((ns for ns in known if iri.startswith(ns)), iri[: max(iri.rfind("#"), iri.rfind("/")) + 1]))
    # the project's resources (ptr:) are not a vocabulary
    return sorted(ns for ns in found if ns and ns != str(PTR))


def _used_terms(graph: Graph) -> set[str]:
    """The predicates and classes of one graph; a graph that lives in an Oxigraph store is asked there."""
    if isinstance(graph.store, GraphView):
        return graph.store.used_terms()
    return {str(t) for t in graph.predicates()} | {str(o) for o in graph.objects(None, RDF.type) if isinstance(o, URIRef)}


def _add_sources(graph: Graph, layers) -> None:
    """Each source (dcterms:source) with its title, publisher (an agent) and checksum, and a subset of the
    dataset: the evidence annotations that cite it, counted."""
    catalogue = layers.sources
    evidence_by_source = _evidence_by_source(layers.asserted)
    for source in sorted({s for c in SOURCE_CLASSES for s in catalogue.subjects(RDF.type, c)}, key=str):
        graph.add((DATASET, DCTERMS.source, source))
        graph.add((source, RDF.type, DCAT.Resource))
        for predicate in (RDFS.label, RDF.type):
            for value in catalogue.objects(source, predicate):
                graph.add((source, predicate, value))
        for title in catalogue.objects(source, SCHEMA.headline):
            graph.add((source, DCTERMS.title, title))
        for publisher in catalogue.objects(source, SCHEMA.publisher):
            graph.add((source, DCTERMS.publisher, publisher))
            graph.add((publisher, RDF.type, FOAF.Agent))
            for name in catalogue.objects(publisher, RDFS.label):
                graph.add((publisher, FOAF.name, name))
        slug = str(catalogue.value(source, PT.slug) or str(source).rsplit("/", 1)[-1])
        subset = URIRef(f"{DATASET}/source/{slug}")
        for digest in catalogue.objects(source, PT.sha256):
            checksum = URIRef(f"{subset}/sha256")
            graph.add((source, SPDX.checksum, checksum))
            graph.add((checksum, RDF.type, SPDX.Checksum))
            graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            graph.add((checksum, SPDX.checksumValue, Literal(str(digest), datatype=XSD.hexBinary)))
        evidence = evidence_by_source.get(source, set())
        partition = URIRef(f"{subset}/evidence")
        graph.add((DATASET, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        title = next(iter(catalogue.objects(source, RDFS.label)), source)
        graph.add((subset, DCTERMS.title, Literal(f"The evidence from {title}", lang="en")))
        graph.add((subset, DCTERMS.source, source))
        graph.add((subset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], PT.Evidence))
        graph.add((partition, VOID.entities, Literal(len(evidence))))


def _evidence_by_source(asserted: Graph) -> dict:
    """The evidence annotations citing each source (oa:hasTarget a target whose oa:hasSource it is), from one
    pass over each property: asking per target took seconds at a thousand sources."""
    sources_of: dict = {}
    for target, source in asserted.subject_objects(OA.hasSource):
        sources_of.setdefault(target, []).append(source)
    found: dict = {}
    for evidence, target in asserted.subject_objects(OA.hasTarget):
        for source in sources_of.get(target, ()):
            found.setdefault(source, set()).add(evidence)
    return found


def _add_layers(graph: Graph, named: dict[URIRef, Graph]) -> None:
    names = {iri: name for name, iri in GRAPHS.items()}
    for iri, layer in named.items():
        name = names[iri]
        graph.add((DATASET, VOID.subset, iri))
        graph.add((iri, RDF.type, VOID.Dataset))
        graph.add((iri, DCTERMS.title, Literal(LAYER_TITLES[name], lang="en")))
        graph.add((iri, VOID.triples, Literal(len(layer))))
        graph.add((iri, DCTERMS.license, LICENSE))


def _add_service(graph: Graph, endpoint: str) -> None:
    service = URIRef(endpoint)
    distribution = URIRef(f"{DATASET}/sparql")
    graph.add((DATASET, VOID.sparqlEndpoint, service))
    graph.add((DATASET, DCAT.distribution, distribution))
    graph.add((distribution, RDF.type, DCAT.Distribution))
    graph.add((distribution, DCAT.accessService, service))
    graph.add((distribution, DCAT.accessURL, service))
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    graph.add((service, DCAT.endpointURL, service))
    graph.add((service, DCAT.servesDataset, DATASET))


def _add_distributions(graph: Graph, base_url: str | None) -> None:
    """The files beside void.ttl; their URLs relative to void.ttl itself unless a base URL is configured."""
    for name, (media_type, title) in DISTRIBUTIONS.items():
        dist = URIRef(f"{DATASET}/{name}")
        url = URIRef(urllib.parse.urljoin(base_url, name) if base_url else name)
        kind = URIRef(IANA_MEDIA_TYPES + media_type)
        graph.add((DATASET, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, Literal(title, lang="en")))
        graph.add((dist, DCAT.mediaType, kind))
        graph.add((kind, RDF.type, DCTERMS.MediaType))
        graph.add((dist, DCAT.downloadURL, url))
        graph.add((dist, DCAT.accessURL, url))
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
