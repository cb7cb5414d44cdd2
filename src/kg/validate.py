"""Validation of the compiled layers: SHACL shapes and the *-violation.rq checks.

A check query returns one row per offending node, with ?node and ?reason;
any row fails the build.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Namespace, URIRef

from kg.problems import KgError, Problem
from kg.project import Project
from kg.store import rdflib_graph, select
from kg.turtle import parse_turtle, short_name

SH = Namespace("http://www.w3.org/ns/shacl#")
# Properties whose objects name the data properties a shape reads (with simple paths).
_READS = (SH.path, SH.targetSubjectsOf, SH.targetObjectsOf, SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
# Features that read triples not named in the shapes: with any of them, the whole data graph is validated.
_READS_ALL = (SH.closed, SH.sparql, SH.target, SH.select)


def validate_layers(shacl_data: Mapping[URIRef, Iterable[ox.Triple]], store, project: Project, index) -> list[Problem]:
    """SHACL over the triples of `shacl_data` (vocabulary, sources, curated and inferred graphs); the checks
    over `store`."""
    problems = shacl_problems(shacl_data, project, index)
    for check in check_files(project):
        try:
            rows = select(store, check.read_text(encoding="utf-8"))
        except SyntaxError as err:
            raise KgError(f"{project.relative(check)}: SPARQL syntax error: {err}") from None
        for row in rows:
            node = row.get("node")
            reason = str(row.get("reason", "returned a row"))
            problems.append(index.problem(node, f"{reason} [{check.name}]") if isinstance(node, URIRef)
                            else Problem(project.relative(check), None, str(node or ""), reason))
    return problems


def check_files(project: Project) -> list[Path]:
    return sorted(project.checks_dir.glob("*-violation.rq"))


def shacl_problems(graphs: Mapping[URIRef, Iterable[ox.Triple]], project: Project, index) -> list[Problem]:
    """SHACL results as problems. rudof (Rust) decides whether the data conforms, in a fraction of
    pySHACL's time; only data that does not conform is validated again by pySHACL, whose results
    (focus node, path, value, and its wording of a shape without sh:message) the messages keep."""
    shapes = parse_turtle(project.shapes, project)
    read = properties_read(shapes)
    data = list(dict.fromkeys(t for triples in graphs.values() for t in triples
                              if read is None or t.predicate.value in read))
    if conforms_by_rudof(data, project.shapes):
        return []
    return pyshacl_problems(rdflib_graph(data), shapes, index)


def conforms_by_rudof(data: list[ox.Triple], shapes: Path) -> bool:
    """True when rudof finds no violation; False when it finds one or cannot validate (or is not installed:
    a checkout installed before pyrudof became a dependency validates with pySHACL alone)."""
    try:
        import pyrudof
    except ImportError:
        return False

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    try:
        rudof.read_data((ox.serialize(data, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8"),
                        format=pyrudof.RDFFormat.NTriples, reader_mode=pyrudof.ReaderMode.Strict)
        rudof.read_shacl(shapes.read_text(encoding="utf-8"), format=pyrudof.ShaclFormat.Turtle,
                         base=shapes.resolve().as_uri(), reader_mode=pyrudof.ReaderMode.Strict)
        return bool(rudof.validate_shacl().conforms)
    except pyrudof.RudofError:
        return False


def pyshacl_problems(data: Graph, shapes: Graph, index) -> list[Problem]:
    import pyshacl

    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", abort_on_first=False, allow_warnings=True, advanced=True,
        inplace=True,  # the data graph is made for this check: no need to copy it again
    )
    if conforms:
        return []
    problems = []
    for result in results.subjects(predicate=SH.focusNode):
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        detail = f" (path {short_name(path)})" if isinstance(path, URIRef) else ""
        detail += f" (value {value})" if value is not None else ""
        problems.append(index.problem(focus, f"SHACL: {message}{detail}"))
    return problems


def properties_read(shapes: Graph) -> set[str] | None:
    """The data properties the shapes can see: those their paths and targets name, rdf:type and
    rdfs:subClassOf (for targets and sh:class); None when they may read any (a complex path, sh:closed,
    SPARQL). The other triples cannot change the result, so SHACL is given only these: it is the
    slowest step of the build, and most triples (evidence selectors, sentences, labels of the
    vocabulary) are never looked at."""
    if any(True for p in _READS_ALL for _ in shapes.subject_objects(p)):
        return None
    read = {str(RDF.type), str(RDFS.subClassOf)}
    for p in _READS:
        for value in shapes.objects(None, p):
            if not isinstance(value, URIRef):
                return None
            read.add(str(value))
    return read
