"""External layer (placeholder until the links work lands: returns no triples)."""
from rdflib import Graph


def external_layer(project, asserted: Graph) -> Graph:
    return Graph()
