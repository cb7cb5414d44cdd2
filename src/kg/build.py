"""The build: sources + curated Turtle -> grounded, reasoned, validated dataset.

Stages, in order: read the sources and check their texts against their
hashes; load the vocabulary and the curated files (graph/<slug>/*.ttl); check
terms and literals; ground every quote in the source its folder names; derive
the inferred layer with ontology/rules/*.rq; add the external layer (outside
knowledge, and what ontology/rules/external/*.rq derive from it); validate
(SHACL and the *-violation.rq checks); publish into the build folder as one
unit. Every stage collects all of its problems before the build fails, so a
curator sees them all at once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef

from kg.buildfolder import (
    DATASET_TRIG,
    DATASET_TTL,
    ENRICHMENT_TTL,
    VOID_TTL,
    BuildFolder,
    Layers,
)
from kg.grounding import CONTEXT
from kg.namespaces import (
    GRAPH_ASSERTED,
    GRAPH_EXTERNAL,
    GRAPH_INFERRED,
    GRAPH_SOURCES,
    GRAPH_VOCABULARY,
    OA,
    PREFIXES,
    PT,
    PTR,
    SEM,
)
from kg.problems import KgError, Problem, ValidationFailed
from kg.project import Project
from kg.sources import Source, catalogue, check_texts, load_sources, publisher_iri, sentence_iri
from kg.store import add_graph, graph_from_store
from kg.turtle import parse_turtle, short_name

MAX_RULE_ROUNDS = 10

# rdflib logs a traceback for every ill-typed literal; the build reports them itself.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)

_PT_NS = str(PT)
_GMONTHDAY = re.compile(r"^--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


@dataclass(frozen=True)
class FactFile:
    """One curated file and the source its folder names."""

    path: Path
    source: Source
    graph: Graph


@dataclass
class SourceIndex:
    """Where each curated node is defined, so messages can name file and line."""

    project: Project
    places: dict[URIRef, tuple[Path, int | None]] = field(default_factory=dict)
    lines: dict[Path, list[str]] = field(default_factory=dict)

    def add_file(self, path: Path, graph: Graph) -> None:
        self.lines[path] = path.read_text(encoding="utf-8").splitlines()
        for subject in set(graph.subjects()):
            if isinstance(subject, URIRef) and subject not in self.places:
                self.places[subject] = (path, _line_defining(self.lines[path], subject))

    def problem(self, node: URIRef | BNode, reason: str, default: Path | None = None) -> Problem:
        path, line = self.places.get(node, (default, None)) if isinstance(node, URIRef) else (default, None)
        file = self.project.relative(path) if path else "graph/"
        return Problem(file, line, short_name(node), reason)

    def problem_in(self, path: Path, node: URIRef, reason: str) -> Problem:
        """A problem with `node` as defined in the file `path` (a node may be described in several files)."""
        return Problem(self.project.relative(path), _line_defining(self.lines.get(path, []), node), short_name(node), reason)


def _line_defining(lines: list[str], subject: URIRef) -> int | None:
    """The first line that starts with the subject, as a prefixed name or a full IRI."""
    local = str(subject)[len(str(PTR)) :] if str(subject).startswith(str(PTR)) else None
    needles = [f"<{subject}>"] + ([f"ptr:{local}"] if local else [])
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip()
        for needle in needles:
            if stripped.startswith(needle) and stripped[len(needle) : len(needle) + 1] in ("", " ", "\t", ";"):
                return number
    return None


# --------------------------------------------------------------------------
# Loading


def load_vocabulary(project: Project) -> Graph:
    vocabulary = Graph()
    for path in project.vocabulary_files:
        vocabulary += parse_turtle(path, project)
    return vocabulary


def load_curated(project: Project, sources: list[Source]) -> tuple[list[FactFile], SourceIndex, list[Problem]]:
    """Every graph/<slug>/*.ttl with the source its folder names; a folder naming no source is a problem."""
    by_slug = {s.slug: s for s in sources}
    files, problems = [], []
    index = SourceIndex(project)
    paths = project.graph_files
    if not paths:
        raise KgError(f"{project.relative(project.graph_dir)}: no curated .ttl files (graph/<source slug>/*.ttl)")
    for path in paths:
        graph = parse_turtle(path, project)
        source = by_slug.get(path.parent.name)
        if source is None:
            problems.append(Problem(project.relative(path), None, "",
                                    f"graph/{path.parent.name}/ names no registered source: add "
                                    f"sources/{path.parent.name}/ with `kg new-source`, or move the file"))
            continue
        index.add_file(path, graph)
        files.append(FactFile(path, source, graph))
    return files, index, problems


def union(files: list[FactFile]) -> Graph:
    graph = Graph()
    for file in files:
        graph += file.graph
    return graph


# --------------------------------------------------------------------------
# Checks on the curated data


def defined_terms(vocabulary: Graph) -> set[URIRef]:
    return {s for s in vocabulary.subjects() if isinstance(s, URIRef)}


def check_terms(asserted: Graph, vocabulary: Graph, index: SourceIndex) -> list[Problem]:
    """Every pt: term must be defined by the ontology; every ptr: node used must be defined."""
    known = defined_terms(vocabulary)
    problems = []
    for s, p, o in asserted:
        for term in (p, o):
            if isinstance(term, URIRef) and str(term).startswith(_PT_NS) and term not in known:
                problems.append(index.problem(s, f"unknown term {short_name(term)}: the ontology does not define it"))
        if isinstance(o, URIRef) and str(o).startswith(str(PTR)) and (o, None, None) not in asserted:
            problems.append(index.problem(s, f"{short_name(p)} points to {short_name(o)}, which no graph file defines"))
        if isinstance(o, URIRef) and str(o).startswith(PREFIXES["cameo"]) and o not in known:
            problems.append(index.problem(s, f"{short_name(o)} is not in the CAMEO code list (ontology/cameo.ttl)"))
    return problems


def check_publishers(project: Project, sources: list[Source], asserted: Graph) -> list[Problem]:
    """A source.toml's publisher_node must be a node the graph defines."""
    return [Problem(project.relative(s.metadata_path), None, s.slug,
                    f"publisher_node '{s.publisher_node}': no graph file defines ptr:{s.publisher_node}")
            for s in sources if s.publisher_node and (publisher_iri(s), None, None) not in asserted]


def check_literals(asserted: Graph, index: SourceIndex) -> list[Problem]:
    """Dates, durations and numbers must be valid for their datatype."""
    problems = []
    for s, p, o in asserted:
        if not isinstance(o, Literal) or o.datatype is None:
            continue
        if o.datatype == XSD.gMonthDay:
            match = _GMONTHDAY.match(str(o))
            if not match or int(match.group(2)) > _DAYS_IN_MONTH[int(match.group(1))]:
                problems.append(index.problem(s, f'{short_name(p)} "{o}" is not a valid xsd:gMonthDay (--MM-DD)'))
        elif o.ill_typed:
            problems.append(index.problem(s, f'{short_name(p)} "{o}" is not a valid {short_name(o.datatype)}'))
    return problems


# --------------------------------------------------------------------------
# Grounding


def ground(files: list[FactFile], sources: list[Source], index: SourceIndex) -> tuple[Graph, list[Problem]]:
    """Evidence annotations and selectors for every pt:quote, each in the source of its file;
    checks of curated selector offsets; attributed statements for nodes that several sources report."""
    evidence = Graph()
    problems: list[Problem] = []
    for file in files:
        for node, quote in sorted(file.graph.subject_objects(PT.quote)):
            problems += _ground_quote(evidence, file, node, str(quote), sources, index)
        # curated selectors: mentions of short, repeated names, and quotations whose words occur twice
        for node in sorted(set(file.graph.subjects(OA.exact))):
            problems += _check_selector(file, node, index)
            evidence.add((node, PT.fromSource, file.source.iri))
    evidence += attributed_statements(files, evidence)
    return evidence, problems


def _ground_quote(evidence: Graph, file: FactFile, node: URIRef, text: str, sources: list[Source],
                  index: SourceIndex) -> list[Problem]:
    article = file.source.article
    starts = article.locate(text)
    if len(starts) == 1:
        _add_evidence(evidence, node, file.source, starts[0], starts[0] + len(text))
        return []
    if starts:
        lines = ", ".join(str(article.line_of(s)) for s in starts)
        return [index.problem_in(file.path, node, f'quote found {len(starts)} times in source {file.source.slug} '
                                                  f'(lines {lines}); lengthen it: "{text}"')]
    elsewhere = [s.slug for s in sources if s is not file.source and s.article.locate(text)]
    hint = (f"; it is in source {elsewhere[0]}: facts quoting it belong in graph/{elsewhere[0]}/" if elsewhere
            else f'; closest passage: "{article.closest_passage(text)}"')
    return [index.problem_in(file.path, node, f'quote not in source {file.source.slug}: "{text}"{hint}')]


def _check_selector(file: FactFile, node: URIRef, index: SourceIndex) -> list[Problem]:
    exact, start, end = (file.graph.value(node, OA[p]) for p in ("exact", "start", "end"))
    if exact is None or start is None or end is None:
        return []  # SHACL reports the missing parts
    try:
        start_i, end_i = int(start), int(end)
    except (TypeError, ValueError):
        return []
    text = file.source.article.text
    if not 0 <= start_i <= end_i <= len(text):
        return [index.problem_in(file.path, node, f"selector offsets {start_i}-{end_i} are not within the text of "
                                                  f"source {file.source.slug} (0-{len(text)}, start before end)")]
    found = text[start_i:end_i]
    if found != str(exact):
        where = file.source.article.locate(str(exact))
        hint = f"; it occurs at {', '.join(str(s) for s in where[:6])}" if where else f"; it does not occur in source {file.source.slug}"
        return [index.problem_in(file.path, node, f'selector offsets {start_i}-{end_i} give "{found}", not "{exact}"{hint}')]
    return []


def _local(node: URIRef) -> str:
    return str(node)[len(str(PTR)) :] if str(node).startswith(str(PTR)) else short_name(node).replace(":", "-")


def _add_evidence(graph: Graph, node: URIRef, source: Source, start: int, end: int) -> None:
    annotation = PTR[f"evidence/{source.slug}/{_local(node)}/{start}-{end}"]
    target = URIRef(f"{annotation}/target")
    selector = URIRef(f"{annotation}/selector")
    text = source.article.text
    graph.add((node, PT.evidence, annotation))
    graph.add((annotation, RDF.type, PT.Evidence))
    graph.add((annotation, OA.hasBody, node))
    graph.add((annotation, OA.motivatedBy, OA.describing))
    graph.add((annotation, OA.hasTarget, target))
    graph.add((annotation, PT.fromSource, source.iri))
    for sentence in source.article.sentences_overlapping(start, end):
        graph.add((annotation, PT.inSentence, sentence_iri(source, sentence.number)))
    graph.add((target, RDF.type, OA.SpecificResource))
    graph.add((target, OA.hasSource, source.iri))
    graph.add((target, OA.hasSelector, selector))
    graph.add((selector, RDF.type, OA.TextQuoteSelector))
    graph.add((selector, RDF.type, OA.TextPositionSelector))
    graph.add((selector, OA.exact, Literal(text[start:end])))
    graph.add((selector, OA.prefix, Literal(text[max(0, start - CONTEXT) : start])))
    graph.add((selector, OA.suffix, Literal(text[end : end + CONTEXT])))
    graph.add((selector, OA.start, Literal(start)))
    graph.add((selector, OA.end, Literal(end)))


# Properties a node has at most one value of (the shapes say so): where two sources give different
# values, neither is merged into the node; each stays as its source's attributed statement.
SINGLE_VALUED = (PT.statedDate, SEM.hasTimeStamp, SEM.hasEarliestBeginTimeStamp, SEM.hasLatestEndTimeStamp,
                 PT.value, PT.duration)


def sources_by_node(evidence: Graph) -> dict[URIRef, set[URIRef]]:
    found: dict[URIRef, set[URIRef]] = {}
    for node, annotation in evidence.subject_objects(PT.evidence):
        for source in evidence.objects(annotation, PT.fromSource):
            found.setdefault(node, set()).add(source)
    return found


def attributed_statements(files: list[FactFile], evidence: Graph) -> Graph:
    """For a node that two or more sources support, each statement about it as an rdf:Statement with the
    source whose file makes it, so that where sources agree, differ or stand alone can be asked."""
    shared = {node for node, found in sources_by_node(evidence).items() if len(found) > 1}
    graph = Graph()
    for file in files:
        for s, p, o in file.graph:
            if s in shared and p != PT.quote:
                key = hashlib.sha256(f"{s}\n{p}\n{o.n3()}".encode()).hexdigest()[:20]
                statement = PTR[f"statement/{file.source.slug}/{key}"]
                graph.add((statement, RDF.type, RDF.Statement))
                graph.add((statement, RDF.subject, s))
                graph.add((statement, RDF.predicate, p))
                graph.add((statement, RDF.object, o))
                graph.add((statement, PT.fromSource, file.source.iri))
    return graph


def keep_disagreements_apart(asserted: Graph, statements: Graph) -> None:
    """Where sources give one node different values of a single-valued property, take the values off the
    node (each stays in its source's rdf:Statement) and mark the node pt:sourcesDisagreeOn the property."""
    values: dict[tuple, set] = {}
    for statement in statements.subjects(RDF.type, RDF.Statement):
        p = statements.value(statement, RDF.predicate)
        if p in SINGLE_VALUED:
            key = (statements.value(statement, RDF.subject), p)
            values.setdefault(key, set()).add(statements.value(statement, RDF.object))
    for (node, p), found in values.items():
        if len(found) > 1:
            asserted.remove((node, p, None))
            asserted.add((node, PT.sourcesDisagreeOn, p))


# --------------------------------------------------------------------------
# Rules


def infer(store: ox.Store, rules_dir: Path, target: URIRef, project: Project) -> Graph:
    """Apply every rule file of `rules_dir` to the store until nothing new is derived; return graph `target`.

    Derived triples go into the store's graph `target`, so each round sees the previous rounds' results."""
    graph = ox.NamedNode(str(target))
    texts = {rule: rule.read_text(encoding="utf-8") for rule in sorted(rules_dir.glob("*.rq"))}
    for _ in range(MAX_RULE_ROUNDS):
        new = set()
        for rule, text in texts.items():
            try:
                triples = list(store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True))
            except SyntaxError as err:
                raise KgError(f"{project.relative(rule)}: SPARQL syntax error: {err}") from None
            for t in triples:
                if next(store.quads_for_pattern(t.subject, t.predicate, t.object, None), None) is None:
                    new.add(ox.Quad(t.subject, t.predicate, t.object, graph))
        if not new:
            return graph_from_store(store, target)
        store.extend(new)
    raise KgError(f"{project.relative(rules_dir)}: rules did not reach a fixpoint in {MAX_RULE_ROUNDS} rounds")


# --------------------------------------------------------------------------
# The whole pipeline


def external_layer(project: Project, asserted: Graph) -> Graph:
    from kg.links import external_layer as build_external

    return build_external(project, asserted)


def working_store(project: Project, graphs: dict[URIRef, Graph]) -> ox.Store:
    """An Oxigraph store with the vocabulary and the given graphs, for the rules and the checks."""
    store = ox.Store()
    for path in project.vocabulary_files:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(GRAPH_VOCABULARY)))
    for name, graph in graphs.items():
        add_graph(store, graph, name)
    return store


def compile_layers(project: Project) -> Layers:
    """Everything but writing: raises KgError (exit 2) or ValidationFailed (exit 1)."""
    from kg.validate import validate_layers

    sources = load_sources(project)
    problems = check_texts(project, sources)
    if problems:
        raise ValidationFailed(problems)
    vocabulary = load_vocabulary(project)
    files, index, problems = load_curated(project, sources)
    asserted = union(files)
    problems += check_terms(asserted, vocabulary, index) + check_literals(asserted, index)
    problems += check_publishers(project, sources, asserted)
    evidence, grounding_problems = ground(files, sources, index)
    problems += grounding_problems
    if problems:
        raise ValidationFailed(problems)
    asserted += evidence
    keep_disagreements_apart(asserted, evidence)
    sources_graph = catalogue(sources)
    store = working_store(project, {GRAPH_ASSERTED: asserted, GRAPH_SOURCES: sources_graph})
    inferred = infer(store, project.rules_dir, GRAPH_INFERRED, project)
    add_graph(store, external_layer(project, asserted + sources_graph), GRAPH_EXTERNAL)
    external = infer(store, project.rules_dir / "external", GRAPH_EXTERNAL, project)
    problems = validate_layers(vocabulary + sources_graph + asserted + inferred, store, project, index)
    if problems:
        raise ValidationFailed(problems)
    return Layers(vocabulary, sources_graph, asserted, inferred, external)


def dataset_files(layers: Layers, project: Project, folder: BuildFolder,
                  enrichment: bytes | None = None) -> dict[str, bytes]:
    """The published files of a compiled dataset: TriG with every graph, the Turtle union, VoID, docs."""
    from kg.docs import ontology_docs
    from kg.serialize import trig_bytes, turtle_bytes
    from kg.void import describe, read_publication

    named = layers.named()
    whole = Graph()
    for graph in named.values():
        whole += graph
    files = {DATASET_TRIG: trig_bytes(named), DATASET_TTL: turtle_bytes(whole),
             VOID_TTL: turtle_bytes(describe(layers, read_publication(project)))}
    if enrichment is not None:
        files[ENRICHMENT_TTL] = enrichment
    files.update(ontology_docs(project, folder.current()))
    return files


def build(project: Project, out: Path) -> Layers:
    """Compile, then publish dataset.trig (named graphs), dataset.ttl (union), void.ttl and docs/ as one unit."""
    folder = BuildFolder(out)
    with folder.lock():
        layers = compile_layers(project)
        layers.external += folder.enrichment()  # what `kg enrich` fetched survives a rebuild
        folder.publish(dataset_files(layers, project, folder), carry=(ENRICHMENT_TTL,))
    return layers
