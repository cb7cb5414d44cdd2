"""Validation of the compiled layers: SHACL shapes and the *-violation.rq checks.

A check query returns one row per offending node, with ?node and ?reason;
any row fails the build.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection

from kg.problems import KgError, Problem
from kg.project import Project
from kg.store import rdflib_graph, select
from kg.turtle import parse_turtle, short_name

SH = Namespace("http://www.w3.org/ns/shacl#")
# Triples per batch of SHACL validation (rudof's time grows faster than the data it validates).
SHACL_BATCH = 20_000
# Batches validated at once: the project's machines have two cores; each batch in flight holds its own data.
SHACL_WORKERS = 2
# Properties whose objects name the data properties a shape reads (with simple paths).
_READS = (SH.path, SH.targetSubjectsOf, SH.targetObjectsOf, SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
# Features that read triples not named in the shapes: with any of them, the whole data graph is validated.
_READS_ALL = (SH.closed, SH.sparql, SH.target, SH.select)


def validate_layers(shacl_data: Mapping[URIRef, Iterable[ox.Triple]], store, project: Project, index) -> list[Problem]:
    """SHACL over the triples of `shacl_data` (vocabulary, sources, curated and inferred graphs, also held by
    `store`); the checks over `store`, meanwhile, in a thread of their own (Oxigraph lets go of Python's lock
    while it answers, and neither writes to the store). SHACL's problems come first, then each check's."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        checks = pool.submit(check_problems, store, project, index)
        problems = shacl_problems(shacl_data, project, index, store)
        return problems + checks.result()


def check_problems(store: ox.Store, project: Project, index) -> list[Problem]:
    """One problem per row of each *-violation.rq check, in the order of the check files."""
    problems: list[Problem] = []
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


def shacl_problems(graphs: Mapping[URIRef, Iterable[ox.Triple]], project: Project, index,
                   store: ox.Store | None = None) -> list[Problem]:
    """SHACL results as problems. rudof (Rust) decides whether the data conforms, in a fraction of
    pySHACL's time; only data that does not conform is validated again by pySHACL, whose results
    (focus node, path, value, and its wording of a shape without sh:message) the messages keep.
    Given the store that holds `graphs`, rudof sees only what the shapes read of their focus nodes
    (focus_triples), when the shapes allow that to be worked out (FocusReading)."""
    shapes = parse_turtle(project.shapes, project)
    reading = focus_reading(shapes) if store is not None else None
    read = properties_read(shapes)

    def data() -> list[ox.Triple]:
        return list(dict.fromkeys(t for triples in graphs.values() for t in triples
                                  if read is None or t.predicate.value in read))

    if store is not None and reading is not None:
        if all_conform(focus_batches(reading, store, list(graphs)), project.shapes):
            return []
        return pyshacl_problems(rdflib_graph(data()), shapes, index)
    whole = data()
    if conforms_by_rudof(whole, project.shapes):
        return []
    return pyshacl_problems(rdflib_graph(whole), shapes, index)


def all_conform(batches: Iterable[tuple[list[ox.Triple], set[str]]], shapes: Path) -> bool:
    """Whether every batch conforms (conforms_by_rudof), validated SHACL_WORKERS at a time: rudof lets go of
    Python's lock while it validates, so the batches use the machine's cores, and the next batch is cut
    meanwhile. At most SHACL_WORKERS batches wait or run at once, which bounds the memory they take; the
    first batch that does not conform ends the rest."""
    with ThreadPoolExecutor(max_workers=SHACL_WORKERS) as pool:
        running: deque[Future[bool]] = deque()
        for batch, others in batches:
            running.append(pool.submit(conforms_by_rudof, batch, shapes, others))
            if len(running) >= SHACL_WORKERS and not running.popleft().result():
                for waiting in running:
                    waiting.cancel()
                return False
        return all(done.result() for done in running)


def conforms_by_rudof(data: list[ox.Triple], shapes: Path, others: AbstractSet[str] = frozenset()) -> bool:
    """True when rudof finds no violation (but of a focus node whose IRI is in `others`); False when it
    finds one or cannot validate (or is not installed: a checkout installed before pyrudof became a
    dependency validates with pySHACL alone)."""
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
        report = rudof.validate_shacl()
        if report.conforms:
            return True
        violations = list(report.violations)
        return bool(violations) and all(v.focus_node in others for v in violations)
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


# What a shape may say for focus_reading to work out what it reads: simple paths, targets by class or by
# subject of a property, and constraints on the values of a path (or of the focus node) alone.
_LOCAL = {SH[name] for name in (
    "path", "property", "targetClass", "targetSubjectsOf", "minCount", "maxCount", "class", "datatype",
    "pattern", "flags", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "hasValue", "in",
    "nodeKind", "minLength", "maxLength", "languageIn", "uniqueLang", "message", "severity", "name",
    "description", "or", "and", "xone", "not")}
_LOGICAL = (SH["or"], SH["and"], SH.xone)


@dataclass(frozen=True)
class FocusReading:
    """What the shapes read: per shape with a target, its target classes, the properties whose subjects
    it targets and the properties it reads of each focus node; and every class a shape names."""

    shapes: tuple[tuple[frozenset[str], frozenset[str], frozenset[str]], ...]
    classes: frozenset[str]


def focus_reading(shapes: Graph) -> FocusReading | None:
    """None when a shape uses anything beyond _LOCAL (a complex path, sh:node, sh:closed, SPARQL, other
    targets) or a shape is also a class (an implicit target): then what it reads is not worked out."""
    if any(str(p).startswith(str(SH)) and p not in _LOCAL for p in shapes.predicates(unique=True)):
        return None
    if any(shapes.subjects(RDF.type, RDFS.Class)) or any(shapes.subjects(RDF.type, OWL.Class)):
        return None
    found = []
    for shape in sorted(set(shapes.subjects(SH.targetClass)) | set(shapes.subjects(SH.targetSubjectsOf)), key=str):
        paths = _node_paths(shapes, shape)
        if paths is None:
            return None
        found.append((frozenset(str(c) for c in shapes.objects(shape, SH.targetClass)),
                      frozenset(str(p) for p in shapes.objects(shape, SH.targetSubjectsOf)), frozenset(paths)))
    classes = {str(c) for p in (SH.targetClass, SH["class"]) for c in shapes.objects(None, p)}
    return FocusReading(tuple(found), frozenset(classes))


def _members(shapes: Graph, shape) -> list | None:
    """The shapes nested in `shape`'s sh:or, sh:and, sh:xone (lists) and sh:not; None for a malformed list."""
    members = list(shapes.objects(shape, SH["not"]))
    for p in _LOGICAL:
        for head in shapes.objects(shape, p):
            try:
                members += list(Collection(shapes, head))
            except Exception:  # not a well-formed RDF list
                return None
    return members


def _node_paths(shapes: Graph, shape) -> set[str] | None:
    """The properties a node shape reads of its focus node: its property shapes' paths, and those of
    property shapes nested in its logical constraints."""
    paths: set[str] = set()
    members = _members(shapes, shape)
    if members is None:
        return None
    for nested in [*shapes.objects(shape, SH.property), *members]:
        path = shapes.value(nested, SH.path)
        if path is None:
            found = _node_paths(shapes, nested)
            if found is None:
                return None
            paths |= found
        elif isinstance(path, URIRef) and _values_only(shapes, nested):
            paths.add(str(path))
        else:
            return None
    return paths


def _values_only(shapes: Graph, shape) -> bool:
    """True when the shapes nested in a property shape constrain its values themselves (class, datatype,
    value), not properties of those values."""
    members = _members(shapes, shape)
    if members is None:
        return False
    return all(shapes.value(m, SH.path) is None and shapes.value(m, SH.property) is None and _values_only(shapes, m)
               for m in members)


def focus_triples(reading: FocusReading, store: ox.Store, graphs: Iterable[URIRef]) -> list[ox.Triple]:
    """The triples of `graphs` in `store` that the shapes can see (every batch of focus_batches at once)."""
    common, by_subject, _ = _focus_data(reading, store, graphs)
    return list(dict.fromkeys(common + [t for triples in by_subject.values() for t in triples]))


def focus_batches(reading: FocusReading, store: ox.Store, graphs: Iterable[URIRef],
                  size: int = SHACL_BATCH) -> Iterator[tuple[list[ox.Triple], set[str]]]:
    """The data the shapes can see, cut into batches of about `size` triples: each batch holds some
    nodes with everything the shapes read of them, the rdf:type triples of the other nodes they point to,
    and every rdfs:subClassOf. Each node is one batch's own. Yields each batch's triples and the IRIs of
    the nodes it has only the types of: those may be focus nodes there without their own values, and
    their violations there do not count (they are validated in their own batch)."""
    common, by_subject, types = _focus_data(reading, store, graphs)
    members: set[ox.NamedNode | ox.BlankNode | ox.Triple] = set()
    batch: list[ox.Triple] = []
    for subject, triples in by_subject.items():
        members.add(subject)
        batch += triples
        if len(batch) >= size:
            yield _with_types(common, batch, members, types)
            members, batch = set(), []
    if batch:
        yield _with_types(common, batch, members, types)


def _with_types(common: list[ox.Triple], batch: list[ox.Triple], members: set,
                types: dict[ox.NamedNode | ox.BlankNode | ox.Triple, list[ox.Triple]]) -> tuple[list[ox.Triple], set[str]]:
    others = {t.object for t in batch if isinstance(t.object, (ox.NamedNode, ox.BlankNode))} - members
    added = [t for node in others for t in types.get(node, ())]
    return (list(dict.fromkeys(common + batch + added)),
            {node.value for node in others if isinstance(node, ox.NamedNode)})


def _focus_data(reading: FocusReading, store: ox.Store, graphs: Iterable[URIRef]) -> tuple[
        list[ox.Triple], dict[ox.NamedNode | ox.BlankNode | ox.Triple, list[ox.Triple]],
        dict[ox.NamedNode | ox.BlankNode | ox.Triple, list[ox.Triple]]]:
    """What the shapes can see of `graphs` in `store`: rdfs:subClassOf; rdf:type where the class is, or
    is under, a class a shape names; the properties shapes target the subjects of; and each focus node's
    values of the properties its shapes read. Nothing else can change a result of shapes that
    focus_reading accepts, and most of a large dataset (evidence, selectors, sentences, the types no
    shape names) is left out. Returns the rdfs:subClassOf triples, the other triples by subject, and the
    rdf:type triples kept, by subject."""
    names = [ox.NamedNode(str(name)) for name in graphs]

    def quads(predicate: str) -> Iterator[ox.Quad]:
        for name in names:
            yield from store.quads_for_pattern(None, ox.NamedNode(predicate), None, name)

    sub_class = list(dict.fromkeys(q.triple for q in quads(str(RDFS.subClassOf))))
    children: dict[str, list[str]] = {}
    for t in sub_class:
        if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode):
            children.setdefault(t.object.value, []).append(t.subject.value)

    def below(classes: Iterable[str]) -> set[str]:
        found, todo = set(classes), list(classes)
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    relevant = below(reading.classes)
    targets = [below(classes) for classes, _, _ in reading.shapes]
    reads: dict[ox.NamedNode | ox.BlankNode | ox.Triple, set[str]] = {}
    by_subject: dict[ox.NamedNode | ox.BlankNode | ox.Triple, list[ox.Triple]] = {}
    types: dict[ox.NamedNode | ox.BlankNode | ox.Triple, list[ox.Triple]] = {}
    for q in quads(str(RDF.type)):
        if isinstance(q.object, ox.NamedNode) and q.object.value in relevant:
            types.setdefault(q.subject, []).append(q.triple)
            by_subject.setdefault(q.subject, []).append(q.triple)
            for target, (_, _, paths) in zip(targets, reading.shapes, strict=True):
                if q.object.value in target:
                    reads.setdefault(q.subject, set()).update(paths)
    subjects_of = {p for _, found, _ in reading.shapes for p in found}
    for predicate in sorted(subjects_of):
        for q in quads(predicate):
            by_subject.setdefault(q.subject, []).append(q.triple)
            for _, found, paths in reading.shapes:
                if predicate in found:
                    reads.setdefault(q.subject, set()).update(paths)
    for predicate in sorted({p for _, _, paths in reading.shapes for p in paths} - subjects_of):
        for q in quads(predicate):
            if predicate in reads.get(q.subject, ()):
                by_subject.setdefault(q.subject, []).append(q.triple)
    return sub_class, by_subject, types
