"""The build: curated Turtle + article -> grounded, reasoned, validated dataset.

Stages, in order: load the vocabulary and the curated files; check terms and
literals; ground every quote in the article; derive the inferred layer with
the rule files; add the external layer; validate (SHACL and the
*-violation.rq checks); write atomically. Every stage collects all of its
problems before the build fails, so a curator sees them all at once.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.grounding import CONTEXT, Article, load_article
from kg.namespaces import (
    ARTICLE,
    GRAPH_ASSERTED,
    GRAPH_EXTERNAL,
    GRAPH_INFERRED,
    GRAPH_VOCABULARY,
    OA,
    PREFIXES,
    PT,
    PTR,
)
from kg.problems import KgError, Problem, ValidationFailed
from kg.project import Project
from kg.store import add_graph

DATASET_TRIG = "dataset.trig"
DATASET_TTL = "dataset.ttl"
MAX_RULE_ROUNDS = 10

# rdflib logs a traceback for every ill-typed literal; the build reports them itself.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)

_PT_NS = str(PT)
_GMONTHDAY = re.compile(r"^--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


@dataclass
class Layers:
    """The four named graphs of the dataset."""

    vocabulary: Graph
    asserted: Graph
    inferred: Graph
    external: Graph

    def named(self) -> dict[URIRef, Graph]:
        return {
            GRAPH_VOCABULARY: self.vocabulary,
            GRAPH_ASSERTED: self.asserted,
            GRAPH_INFERRED: self.inferred,
            GRAPH_EXTERNAL: self.external,
        }


@dataclass
class SourceIndex:
    """Where each curated node is defined, so messages can name file and line."""

    project: Project
    places: dict[URIRef, tuple[Path, int | None]] = field(default_factory=dict)

    def add_file(self, path: Path, graph: Graph) -> None:
        lines = path.read_text(encoding="utf-8").splitlines()
        for subject in set(graph.subjects()):
            if isinstance(subject, URIRef) and subject not in self.places:
                self.places[subject] = (path, _line_defining(lines, subject))

    def problem(self, node: URIRef | BNode, reason: str, default: Path | None = None) -> Problem:
        path, line = self.places.get(node, (default, None)) if isinstance(node, URIRef) else (default, None)
        file = self.project.relative(path) if path else "graph/"
        return Problem(file, line, _short(node), reason)


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


def _short(node: URIRef | BNode | Literal) -> str:
    text = str(node)
    for prefix, iri in PREFIXES.items():
        if isinstance(node, URIRef) and text.startswith(iri):
            return f"{prefix}:{text[len(iri):]}"
    return text


# --------------------------------------------------------------------------
# Loading


def parse_turtle(path: Path, project: Project) -> Graph:
    """Parse one Turtle file; a syntax error names the file and line (exit 2)."""
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError:
        raise KgError(f"{project.relative(path)}: missing file") from None
    except BadSyntax as err:
        raise KgError(f"{project.relative(path)}:{err.lines + 1}: malformed Turtle: {_syntax_reason(err)}") from None
    except Exception as err:  # rdflib raises several types for bad input
        raise KgError(f"{project.relative(path)}: malformed Turtle: {err}") from None
    return graph


def _syntax_reason(err: BadSyntax) -> str:
    """rdflib's reason and the text where the parser stopped, on one line."""
    data = err._str.decode("utf-8", "replace") if isinstance(err._str, bytes) else str(err._str)
    start = data.rfind("\n", 0, err._i) + 1
    end = data.find("\n", err._i)
    near = data[start : end if end != -1 else None].strip()
    return f'{err._why}, near "{near}"'


def load_vocabulary(project: Project) -> Graph:
    vocabulary = Graph()
    for path in project.vocabulary_files:
        vocabulary += parse_turtle(path, project)
    return vocabulary


def load_curated(project: Project) -> tuple[Graph, SourceIndex]:
    if not project.graph_files:
        raise KgError(f"{project.relative(project.graph_dir)}: no curated .ttl files")
    asserted = Graph()
    index = SourceIndex(project)
    for path in project.graph_files:
        graph = parse_turtle(path, project)
        index.add_file(path, graph)
        asserted += graph
    return asserted, index


# --------------------------------------------------------------------------
# Checks on the curated data


def defined_terms(vocabulary: Graph) -> set[URIRef]:
    return {s for s in vocabulary.subjects() if isinstance(s, URIRef)}


def check_terms(asserted: Graph, vocabulary: Graph, index: SourceIndex) -> list[Problem]:
    """Every pt: term must be defined by the ontology; every ptr: node used must be defined."""
    known = defined_terms(vocabulary)
    problems = []
    for s, p, o in asserted:
        for term in (p, o) if p != RDF.type else (p, o):
            if isinstance(term, URIRef) and str(term).startswith(_PT_NS) and term not in known:
                problems.append(index.problem(s, f"unknown term {_short(term)}: the ontology does not define it"))
        if isinstance(o, URIRef) and str(o).startswith(str(PTR)) and (o, None, None) not in asserted:
            problems.append(index.problem(s, f"{_short(p)} points to {_short(o)}, which no graph file defines"))
        if isinstance(o, URIRef) and str(o).startswith(PREFIXES["cameo"]) and o not in known:
            problems.append(index.problem(s, f"{_short(o)} is not in the CAMEO code list (ontology/cameo.ttl)"))
    return problems


def check_literals(asserted: Graph, index: SourceIndex) -> list[Problem]:
    """Dates, durations and numbers must be valid for their datatype."""
    problems = []
    for s, p, o in asserted:
        if not isinstance(o, Literal) or o.datatype is None:
            continue
        if o.datatype == XSD.gMonthDay:
            match = _GMONTHDAY.match(str(o))
            if not match or int(match.group(2)) > _DAYS_IN_MONTH[int(match.group(1))]:
                problems.append(index.problem(s, f'{_short(p)} "{o}" is not a valid xsd:gMonthDay (--MM-DD)'))
        elif o.ill_typed:
            problems.append(index.problem(s, f'{_short(p)} "{o}" is not a valid {_short(o.datatype)}'))
    return problems


# --------------------------------------------------------------------------
# Grounding


def ground(asserted: Graph, article: Article, index: SourceIndex) -> tuple[Graph, list[Problem]]:
    """Evidence annotations and selectors for every pt:quote; checks of curated mention offsets."""
    evidence = Graph()
    problems: list[Problem] = []
    for node, quote in sorted(asserted.subject_objects(PT.quote)):
        text = str(quote)
        starts = article.locate(text)
        if not starts:
            closest = article.closest_passage(text)
            problems.append(index.problem(node, f'quote not in the article: "{text}"; closest passage: "{closest}"'))
        elif len(starts) > 1:
            lines = ", ".join(str(article.line_of(s)) for s in starts)
            problems.append(index.problem(node, f'quote found {len(starts)} times (lines {lines}); lengthen it: "{text}"'))
        else:
            _add_evidence(evidence, node, article, starts[0], starts[0] + len(text))
    # curated selectors: mentions of short, repeated names, and quotations whose words occur twice
    for node in sorted(set(asserted.subjects(OA.exact))):
        problems += _check_selector(asserted, node, article, index)
    evidence += _sentences(article)
    return evidence, problems


def _check_selector(graph: Graph, node: URIRef, article: Article, index: SourceIndex) -> list[Problem]:
    exact, start, end = (graph.value(node, OA[p]) for p in ("exact", "start", "end"))
    if exact is None or start is None or end is None:
        return []  # SHACL reports the missing parts
    try:
        start_i, end_i = int(start), int(end)
    except (TypeError, ValueError):
        return []
    found = article.text[start_i:end_i]
    if found != str(exact):
        where = article.locate(str(exact))
        hint = f"; it occurs at {', '.join(str(s) for s in where[:6])}" if where else "; it does not occur in the article"
        return [index.problem(node, f'selector offsets {start_i}-{end_i} give "{found}", not "{exact}"{hint}')]
    return []


def _add_evidence(graph: Graph, node: URIRef, article: Article, start: int, end: int) -> None:
    slug = str(node)[len(str(PTR)) :] if str(node).startswith(str(PTR)) else _short(node).replace(":", "-")
    annotation = PTR[f"evidence/{slug}/{start}-{end}"]
    target = URIRef(f"{annotation}/target")
    selector = URIRef(f"{annotation}/selector")
    text = article.text
    graph.add((node, PT.evidence, annotation))
    graph.add((annotation, RDF.type, PT.Evidence))
    graph.add((annotation, OA.hasBody, node))
    graph.add((annotation, OA.motivatedBy, OA.describing))
    graph.add((annotation, OA.hasTarget, target))
    graph.add((annotation, PT.sourceArticle, ARTICLE))
    for sentence in article.sentences_overlapping(start, end):
        graph.add((annotation, PT.inSentence, _sentence_iri(sentence.number)))
    graph.add((target, RDF.type, OA.SpecificResource))
    graph.add((target, OA.hasSource, ARTICLE))
    graph.add((target, OA.hasSelector, selector))
    graph.add((selector, RDF.type, OA.TextQuoteSelector))
    graph.add((selector, RDF.type, OA.TextPositionSelector))
    graph.add((selector, OA.exact, Literal(text[start:end])))
    graph.add((selector, OA.prefix, Literal(text[max(0, start - CONTEXT) : start])))
    graph.add((selector, OA.suffix, Literal(text[end : end + CONTEXT])))
    graph.add((selector, OA.start, Literal(start)))
    graph.add((selector, OA.end, Literal(end)))


def _sentence_iri(number: int) -> URIRef:
    return PTR[f"article-npr-2025-trump-ukraine-peace/sentence/{number:03d}"]


def _sentences(article: Article) -> Graph:
    graph = Graph()
    for s in article.sentences:
        iri = _sentence_iri(s.number)
        graph.add((iri, RDF.type, PT.Sentence))
        graph.add((iri, RDFS.label, Literal(f"Sentence {s.number} (line {s.line})", lang="en")))
        graph.add((iri, OA.exact, Literal(s.text)))
        graph.add((iri, OA.start, Literal(s.start)))
        graph.add((iri, OA.end, Literal(s.end)))
        graph.add((iri, PT.lineNumber, Literal(s.line)))
        graph.add((iri, PT.isCaption, Literal(s.is_caption)))
        graph.add((iri, PT.sourceArticle, ARTICLE))
    return graph


# --------------------------------------------------------------------------
# Rules


def infer(store, project: Project) -> Graph:
    """Apply every rule file to the store until nothing new is derived; return what was derived.

    The store holds the vocabulary and asserted graphs; derived triples go into
    its inferred graph, so each round sees the previous rounds' results.
    """
    import pyoxigraph as ox

    from kg.store import graph_from_store

    inferred = ox.NamedNode(str(GRAPH_INFERRED))
    texts = {rule: rule.read_text(encoding="utf-8") for rule in sorted(project.rules_dir.glob("*.rq"))}
    for _ in range(MAX_RULE_ROUNDS):
        new = set()
        for rule, text in texts.items():
            try:
                triples = list(store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True))
            except SyntaxError as err:
                raise KgError(f"{project.relative(rule)}: SPARQL syntax error: {err}") from None
            for t in triples:
                if next(store.quads_for_pattern(t.subject, t.predicate, t.object, None), None) is None:
                    new.add(ox.Quad(t.subject, t.predicate, t.object, inferred))
        if not new:
            return graph_from_store(store, GRAPH_INFERRED)
        store.extend(new)
    raise KgError(f"rules did not reach a fixpoint in {MAX_RULE_ROUNDS} rounds")


# --------------------------------------------------------------------------
# The whole pipeline


def external_layer(project: Project, asserted: Graph) -> Graph:
    from kg.links import external_layer as build_external

    return build_external(project, asserted)


def working_store(project: Project, evidence: Graph):
    """An Oxigraph store with the vocabulary and asserted graphs, parsed by Oxigraph itself (fast)."""
    import pyoxigraph as ox

    store = ox.Store()
    for files, name in ((project.vocabulary_files, GRAPH_VOCABULARY), (project.graph_files, GRAPH_ASSERTED)):
        for path in files:
            store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(name)))
    add_graph(store, evidence, GRAPH_ASSERTED)
    return store


def compile_layers(project: Project) -> Layers:
    """Everything but writing: raises KgError (exit 2) or ValidationFailed (exit 1)."""
    from kg.validate import validate_layers

    article = load_article(project.article)
    vocabulary = load_vocabulary(project)
    asserted, index = load_curated(project)
    problems = check_terms(asserted, vocabulary, index) + check_literals(asserted, index)
    evidence, grounding_problems = ground(asserted, article, index)
    problems += grounding_problems
    if problems:
        raise ValidationFailed(problems)
    store = working_store(project, evidence)
    inferred = infer(store, project)
    external = external_layer(project, asserted)
    add_graph(store, external, GRAPH_EXTERNAL)
    problems = validate_layers(vocabulary + asserted + inferred, store, project, index)
    asserted += evidence
    layers = Layers(vocabulary, asserted, inferred, external)
    if problems:
        raise ValidationFailed(problems)
    return layers



def build(project: Project, out: Path) -> Layers:
    """Compile and write dataset.trig (named graphs) and dataset.ttl (union), atomically."""
    from kg.serialize import write_trig, write_turtle
    from kg.void import write_void

    from kg.enrich import saved_enrichment

    layers = compile_layers(project)
    layers.external += saved_enrichment(out)  # what `kg enrich` fetched survives a rebuild
    out.mkdir(parents=True, exist_ok=True)
    write_trig(layers.named(), out / DATASET_TRIG)
    union = Graph()
    for graph in layers.named().values():
        union += graph
    write_turtle(union, out / DATASET_TTL)
    write_void(layers, project, out)
    return layers
