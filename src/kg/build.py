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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef

from kg.buildfolder import (
    DATASET_TRIG,
    DATASET_TTL,
    ENRICHMENT_TTL,
    GRAPHS,
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
from kg.rules import RDF_TYPE, rule_reads
from kg.rules import semi_naive as cut_for_semi_naive
from kg.sources import (
    Source,
    catalogue_triples,
    check_texts,
    load_sources,
    publication_triples,
    publisher_iri,
    sentence_iri,
)
from kg.store import oxigraph_triples, rdflib_graph, rdflib_term, view
from kg.turtle import read_triples, short_name

MAX_RULE_ROUNDS = 10
# Where a round of the rules puts what it derives, before what is new is kept (never in a written file).
_SCRATCH = ox.NamedNode("urn:x-kg:rules-scratch")
# What the round before added to the layer: the next round's choice of rules, and what semi-naive rules join against.
_DELTA = ox.NamedNode("urn:x-kg:rules-delta")

# rdflib logs a traceback for every ill-typed literal; the build reports them itself.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)

_PT_NS = str(PT)
_PTR_NS = str(PTR)
_CAMEO_NS = PREFIXES["cameo"]
_XSD_STRING = str(XSD.string)
_LANG_STRING = str(RDF.langString)
_GMONTHDAY = re.compile(r"^--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
_DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _n(term: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term's IRI, blank node label or lexical form (the project's data holds no quoted triples)."""
    return str(term) if isinstance(term, ox.Triple) else term.value


_XSD_INTEGER = ox.NamedNode(str(XSD.integer))


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_XSD_INTEGER)


Triples = list[ox.Triple]
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _unique(triples: Iterable[ox.Triple]) -> Triples:
    """Each triple once, in first-seen order (a graph is a set)."""
    return list(dict.fromkeys(triples))


@dataclass(frozen=True)
class FactFile:
    """One curated file and the source its folder names."""

    path: Path
    source: Source
    triples: Triples

    @cached_property
    def graph(self) -> Graph:
        """The file as an rdflib Graph, for callers that query it with rdflib."""
        return rdflib_graph(self.triples)

    @cached_property
    def values(self) -> dict[tuple[str, str], Term]:
        """(subject, predicate) IRIs -> the first object: single values such as a selector's offsets."""
        found: dict[tuple[str, str], Term] = {}
        for t in self.triples:
            found.setdefault((_text(t.subject), t.predicate.value), t.object)
        return found


@dataclass
class SourceIndex:
    """Where each curated node is defined, so messages can name file and line."""

    project: Project
    places: dict[URIRef, tuple[Path, int | None]] = field(default_factory=dict)
    lines: dict[Path, list[str]] = field(default_factory=dict)

    def add_file(self, path: Path, triples: Triples) -> None:
        self.lines[path] = path.read_text(encoding="utf-8").splitlines()
        first_lines = _first_lines(self.lines[path])
        for subject in dict.fromkeys(t.subject for t in triples if isinstance(t.subject, ox.NamedNode)):
            node = URIRef(subject.value)
            if node not in self.places:
                self.places[node] = (path, first_lines.get(subject.value))

    def problem(self, node: URIRef | BNode, reason: str, default: Path | None = None) -> Problem:
        path, line = self.places.get(node, (default, None)) if isinstance(node, URIRef) else (default, None)
        file = self.project.relative(path) if path else "graph/"
        return Problem(file, line, short_name(node), reason)

    def problem_in(self, path: Path, node: URIRef, reason: str) -> Problem:
        """A problem with `node` as defined in the file `path` (a node may be described in several files)."""
        return Problem(self.project.relative(path), _line_defining(self.lines.get(path, []), node), short_name(node), reason)


# A subject at the start of a line, as a full IRI or a ptr: name, followed by white space, ';' or the line's end.
_SUBJECT = re.compile(r"[ \t]*(?:<([^>]*)>|ptr:(\S*?))(?=[ \t;]|$)")


def _first_lines(lines: list[str]) -> dict[str, int]:
    """Subject IRI -> the first line that starts with it (what _line_defining finds, for every subject at once)."""
    found: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        match = _SUBJECT.match(line)
        if match:
            iri = match.group(1) if match.group(1) is not None else _PTR_NS + match.group(2)
            found.setdefault(iri, number)
    return found


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


def load_vocabulary(project: Project) -> Triples:
    return _unique(t for path in project.vocabulary_files for t in read_triples(path, project))


def load_curated(project: Project, sources: list[Source]) -> tuple[list[FactFile], SourceIndex, list[Problem]]:
    """Every graph/<slug>/*.ttl with the source its folder names; a folder naming no source is a problem."""
    by_slug = {s.slug: s for s in sources}
    files, problems = [], []
    index = SourceIndex(project)
    paths = project.graph_files
    if not paths:
        raise KgError(f"{project.relative(project.graph_dir)}: no curated .ttl files (graph/<source slug>/*.ttl)")
    for path in paths:
        triples = read_triples(path, project)
        source = by_slug.get(path.parent.name)
        if source is None:
            problems.append(Problem(project.relative(path), None, "",
                                    f"graph/{path.parent.name}/ names no registered source: add "
                                    f"sources/{path.parent.name}/ with `kg new-source`, or move the file"))
            continue
        index.add_file(path, triples)
        files.append(FactFile(path, source, triples))
    return files, index, problems


def union(files: list[FactFile]) -> Graph:
    """The curated files as one rdflib Graph (for callers that query it with rdflib)."""
    return rdflib_graph(union_triples(files))


def union_triples(files: list[FactFile]) -> Triples:
    return _unique(t for file in files for t in file.triples)


# --------------------------------------------------------------------------
# Checks on the curated data


def defined_terms(vocabulary: Triples) -> set[str]:
    return {_text(t.subject) for t in vocabulary if isinstance(t.subject, ox.NamedNode)}


def check_terms(asserted: Triples, vocabulary: Triples, index: SourceIndex) -> list[Problem]:
    """Every pt: term must be defined by the ontology; every ptr: node used must be defined."""
    known = defined_terms(vocabulary)
    subjects = {_text(t.subject) for t in asserted}
    problems = []
    for t in asserted:
        s = URIRef(_text(t.subject)) if isinstance(t.subject, ox.NamedNode) else BNode(_text(t.subject))
        for term in (t.predicate, t.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(_PT_NS) and term.value not in known:
                problems.append(index.problem(s, f"unknown term {short_name(URIRef(term.value))}: the ontology does not define it"))
        o = t.object
        if isinstance(o, ox.NamedNode) and o.value.startswith(_PTR_NS) and o.value not in subjects:
            problems.append(index.problem(s, f"{short_name(URIRef(t.predicate.value))} points to "
                                             f"{short_name(URIRef(o.value))}, which no graph file defines"))
        if isinstance(o, ox.NamedNode) and o.value.startswith(_CAMEO_NS) and o.value not in known:
            problems.append(index.problem(s, f"{short_name(URIRef(o.value))} is not in the CAMEO code list (ontology/cameo.ttl)"))
    return problems


def check_publishers(project: Project, sources: list[Source], asserted: Triples) -> list[Problem]:
    """A source.toml's publisher_node must be a node the graph defines."""
    subjects = {_text(t.subject) for t in asserted}
    return [Problem(project.relative(s.metadata_path), None, s.slug,
                    f"publisher_node '{s.publisher_node}': no graph file defines ptr:{s.publisher_node}")
            for s in sources if s.publisher_node and str(publisher_iri(s)) not in subjects]


def check_literals(asserted: Triples, index: SourceIndex) -> list[Problem]:
    """Dates, durations and numbers must be valid for their datatype (rdflib's reading of each datatype)."""
    problems = []
    for t in asserted:
        o = t.object
        if not isinstance(o, ox.Literal) or o.datatype.value in (_XSD_STRING, _LANG_STRING):
            continue
        s, p = URIRef(_text(t.subject)), URIRef(t.predicate.value)
        if o.datatype.value == str(XSD.gMonthDay):
            match = _GMONTHDAY.match(o.value)
            if not match or int(match.group(2)) > _DAYS_IN_MONTH[int(match.group(1))]:
                problems.append(index.problem(s, f'{short_name(p)} "{o.value}" is not a valid xsd:gMonthDay (--MM-DD)'))
        elif Literal(o.value, datatype=URIRef(o.datatype.value)).ill_typed:
            problems.append(index.problem(s, f'{short_name(p)} "{o.value}" is not a valid '
                                             f'{short_name(URIRef(o.datatype.value))}'))
    return problems


# --------------------------------------------------------------------------
# Grounding


def ground(files: list[FactFile], sources: list[Source], index: SourceIndex) -> tuple[Triples, Triples, list[Problem]]:
    """Evidence annotations and selectors for every pt:quote, each in the source of its file;
    checks of curated selector offsets; attributed statements for nodes that several sources report.
    Returns the evidence, the attributed statements and the problems."""
    evidence: Triples = []
    problems: list[Problem] = []
    quote, exact = str(PT.quote), str(OA.exact)
    for file in files:
        quotes = sorted((_text(t.subject), _text(t.object)) for t in file.triples
                        if t.predicate.value == quote and isinstance(t.subject, ox.NamedNode))
        for node, text in quotes:
            problems += _ground_quote(evidence, file, URIRef(node), text, sources, index)
        # curated selectors: mentions of short, repeated names, and quotations whose words occur twice
        for node in sorted({_text(t.subject) for t in file.triples if t.predicate.value == exact}):
            problems += _check_selector(file, URIRef(node), index)
            evidence.append(ox.Triple(ox.NamedNode(node), _n(PT.fromSource), _n(file.source.iri)))
    evidence = _unique(evidence)
    return evidence, attributed_statements(files, evidence), problems


def _ground_quote(evidence: Triples, file: FactFile, node: URIRef, text: str, sources: list[Source],
                  index: SourceIndex) -> list[Problem]:
    article = file.source.article
    starts = article.locate(text)
    if len(starts) == 1:
        evidence += _evidence(node, file.source, starts[0], starts[0] + len(text))
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
    exact, start, end = (file.values.get((str(node), str(OA[p]))) for p in ("exact", "start", "end"))
    if exact is None or start is None or end is None:
        return []  # SHACL reports the missing parts
    try:
        start_i, end_i = int(_text(start)), int(_text(end))
    except (TypeError, ValueError):
        return []
    text = file.source.article.text
    if not 0 <= start_i <= end_i <= len(text):
        return [index.problem_in(file.path, node, f"selector offsets {start_i}-{end_i} are not within the text of "
                                                  f"source {file.source.slug} (0-{len(text)}, start before end)")]
    found = text[start_i:end_i]
    if found != _text(exact):
        where = file.source.article.locate(_text(exact))
        hint = f"; it occurs at {', '.join(str(s) for s in where[:6])}" if where else f"; it does not occur in source {file.source.slug}"
        return [index.problem_in(file.path, node, f'selector offsets {start_i}-{end_i} give "{found}", not "{_text(exact)}"{hint}')]
    return []


def _local(node: URIRef) -> str:
    return str(node)[len(str(PTR)) :] if str(node).startswith(str(PTR)) else short_name(node).replace(":", "-")


# The evidence's fixed terms, made once (a build makes tens of thousands of evidence annotations).
_EV = {name: _n(term) for name, term in {
    "evidence": PT.evidence, "type": RDF.type, "Evidence": PT.Evidence, "hasBody": OA.hasBody,
    "motivatedBy": OA.motivatedBy, "describing": OA.describing, "hasTarget": OA.hasTarget,
    "fromSource": PT.fromSource, "inSentence": PT.inSentence, "SpecificResource": OA.SpecificResource,
    "hasSource": OA.hasSource, "hasSelector": OA.hasSelector, "TextQuoteSelector": OA.TextQuoteSelector,
    "TextPositionSelector": OA.TextPositionSelector, "exact": OA.exact, "prefix": OA.prefix,
    "suffix": OA.suffix, "start": OA.start, "end": OA.end}.items()}


def _evidence(node: URIRef, source: Source, start: int, end: int) -> Triples:
    annotation = f"{PTR}evidence/{source.slug}/{_local(node)}/{start}-{end}"
    a, target, selector = (ox.NamedNode(annotation), ox.NamedNode(f"{annotation}/target"),
                           ox.NamedNode(f"{annotation}/selector"))
    origin, text, e = _n(source.iri), source.article.text, _EV
    triples = [
        ox.Triple(_n(node), e["evidence"], a),
        ox.Triple(a, e["type"], e["Evidence"]),
        ox.Triple(a, e["hasBody"], _n(node)),
        ox.Triple(a, e["motivatedBy"], e["describing"]),
        ox.Triple(a, e["hasTarget"], target),
        ox.Triple(a, e["fromSource"], origin),
    ]
    triples += [ox.Triple(a, e["inSentence"], _n(sentence_iri(source, sentence.number)))
                for sentence in source.article.sentences_overlapping(start, end)]
    triples += [
        ox.Triple(target, e["type"], e["SpecificResource"]),
        ox.Triple(target, e["hasSource"], origin),
        ox.Triple(target, e["hasSelector"], selector),
        ox.Triple(selector, e["type"], e["TextQuoteSelector"]),
        ox.Triple(selector, e["type"], e["TextPositionSelector"]),
        ox.Triple(selector, e["exact"], ox.Literal(text[start:end])),
        ox.Triple(selector, e["prefix"], ox.Literal(text[max(0, start - CONTEXT) : start])),
        ox.Triple(selector, e["suffix"], ox.Literal(text[end : end + CONTEXT])),
        ox.Triple(selector, e["start"], _integer(start)),
        ox.Triple(selector, e["end"], _integer(end)),
    ]
    return triples


# Properties a node has at most one value of (the shapes say so): where two sources give different
# values, neither is merged into the node; each stays as its source's attributed statement.
SINGLE_VALUED = (PT.statedDate, SEM.hasTimeStamp, SEM.hasEarliestBeginTimeStamp, SEM.hasLatestEndTimeStamp,
                 PT.value, PT.duration)


def sources_by_node(evidence: Triples) -> dict[str, set[str]]:
    """Node IRI -> the IRIs of the sources its evidence comes from."""
    origin = {_text(t.subject): _text(t.object) for t in evidence if t.predicate.value == str(PT.fromSource)}
    found: dict[str, set[str]] = {}
    for t in evidence:
        if t.predicate.value == str(PT.evidence) and _text(t.object) in origin:
            found.setdefault(_text(t.subject), set()).add(origin[_text(t.object)])
    return found


def attributed_statements(files: list[FactFile], evidence: Triples) -> Triples:
    """For a node that two or more sources support, each statement about it as an rdf:Statement with the
    source whose file makes it, so that where sources agree, differ or stand alone can be asked."""
    shared = {node for node, found in sources_by_node(evidence).items() if len(found) > 1}
    statements: Triples = []
    for file in files:
        for t in file.triples:
            if _text(t.subject) in shared and t.predicate.value != str(PT.quote):
                key = hashlib.sha256(f"{_text(t.subject)}\n{t.predicate.value}\n{rdflib_term(t.object).n3()}"
                                     .encode()).hexdigest()[:20]
                statement = ox.NamedNode(f"{PTR}statement/{file.source.slug}/{key}")
                statements += [ox.Triple(statement, _n(RDF.type), _n(RDF.Statement)),
                               ox.Triple(statement, _n(RDF.subject), t.subject),
                               ox.Triple(statement, _n(RDF.predicate), t.predicate),
                               ox.Triple(statement, _n(RDF.object), t.object),
                               ox.Triple(statement, _n(PT.fromSource), _n(file.source.iri))]
    return _unique(statements)


def keep_disagreements_apart(asserted: Triples, statements: Triples) -> Triples:
    """Where sources give one node different values of a single-valued property, take the values off the
    node (each stays in its source's rdf:Statement) and mark the node pt:sourcesDisagreeOn the property."""
    parts: dict[Term, dict[str, Term]] = {}
    for t in statements:
        parts.setdefault(t.subject, {})[t.predicate.value] = t.object
    single = {str(p) for p in SINGLE_VALUED}
    values: dict[tuple, set] = {}
    for part in parts.values():
        p = part.get(str(RDF.predicate))
        if p is not None and _text(p) in single and str(RDF.subject) in part:
            values.setdefault((part[str(RDF.subject)], p), set()).add(part[str(RDF.object)])
    disagreeing = {key for key, found in values.items() if len(found) > 1}
    if not disagreeing:
        return asserted
    kept = [t for t in asserted if (t.subject, t.predicate) not in disagreeing]
    return _unique(kept + [ox.Triple(node, _n(PT.sourcesDisagreeOn), p) for node, p in sorted(disagreeing, key=str)])


# --------------------------------------------------------------------------
# Rules


def infer(store: ox.Store, rules_dir: Path, target: URIRef, project: Project, *, semi_naive: bool = True) -> None:
    """Apply every rule file of `rules_dir` to the store until nothing new is derived, into its graph `target`.

    Derived triples go into the store's graph `target`, so each round sees the previous rounds' results.
    Each round, every rule sees the store as the round found it: a rule runs as a SPARQL update that
    inserts what it derives into a scratch graph (INSERT with USING every other graph, which is the
    union the CONSTRUCT reads, and USING NAMED every other graph for its GRAPH patterns), and one update
    then moves into `target` what no graph holds yet, and into a delta graph (what the round added);
    the derived triples never pass through Python. When `target` starts empty, the first round inserts
    straight into it (no rule reads it in that round) and then deletes from it what another graph holds:
    what is left is what the round added, with no move. A rule whose text cannot be rewritten so (not
    one `CONSTRUCT {...} WHERE`) runs as a query and its triples are added to the scratch graph.

    After the first round, a rule runs again only when the round before added a triple it reads (its
    predicate, and for rdf:type its class, as kg.rules.rule_reads finds them in its text): what it reads
    being unchanged, it would derive what it derived before, all of which the store holds. A rule whose
    reading cannot be told runs every round. The rules reach their fixpoint when no rule needs to run.

    With `semi_naive` (the default), a rule due again whose shape kg.rules.semi_naive knows joins only
    against the delta graph (what the round before added) in each of its triple patterns those
    triples touch, in turn: the same triples are new as when it runs whole (every solution it found
    before is in the store already), for much less work. `semi_naive=False` runs every rule whole (the
    tests compare the two)."""
    graph = ox.NamedNode(str(target))
    texts = {rule: rule.read_text(encoding="utf-8") for rule in sorted(rules_dir.glob("*.rq"))}
    reads = {rule: rule_reads(text, PREFIXES) for rule, text in texts.items()}
    plans = {rule: cut_for_semi_naive(text, PREFIXES) if semi_naive else None for rule, text in texts.items()}
    scratch, target_iri = f"<{_SCRATCH.value}>", f"<{graph.value}>"
    keep_new = (f"INSERT {{ GRAPH {target_iri} {{ ?s ?p ?o }} GRAPH <{_DELTA.value}> {{ ?s ?p ?o }} }} "
                f"WHERE {{ GRAPH {scratch} {{ ?s ?p ?o }} "
                f"FILTER NOT EXISTS {{ {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {scratch}) }} UNION {{ ?s ?p ?o }} }} }}")
    # An empty target takes the first round's triples straight away, and then gives up those another graph holds.
    keep_first = (f"DELETE {{ GRAPH {target_iri} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {target_iri} {{ ?s ?p ?o }} "
                  f"FILTER EXISTS {{ {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {target_iri}) }} UNION {{ ?s ?p ?o }} }} }}")
    into = graph if next(store.quads_for_pattern(None, None, None, graph), None) is None else _SCRATCH
    delta = graph  # what the round before added: the whole target after the first round, when it began empty
    pending = list(texts)
    predicates: set[str] = set()
    classes: set[str] = set()
    for round_ in range(MAX_RULE_ROUNDS):
        using = " ".join(f"USING <{name.value}> USING NAMED <{name.value}>" for name in sorted(store.named_graphs(), key=str)
                         if isinstance(name, ox.NamedNode) and name not in (_SCRATCH, _DELTA, into))
        delta_using = f"{using} USING NAMED <{_DELTA.value}>" if delta == _DELTA else using
        for rule in pending:
            plan = plans[rule]
            where = plan.delta_where(predicates, classes, f"<{delta.value}>") if plan is not None and round_ else None
            if where == "":
                continue  # nothing it reads was added: nothing new
            if plan is not None and where is not None:
                try:
                    store.update(f"{plan.head}INSERT {{ GRAPH <{into.value}> {{ {plan.template} }} }} {delta_using}\n"
                                 f"{where}", prefixes=PREFIXES)
                    continue
                except SyntaxError:
                    pass  # run it whole: its own text says what is wrong, if anything
            update = _as_insert(texts[rule], f"<{into.value}>", using)
            if update is not None:
                try:
                    store.update(update, prefixes=PREFIXES)
                    continue
                except SyntaxError:
                    pass  # the query below says what is wrong, in the words of the rule's own text
            try:
                derived = store.query(texts[rule], prefixes=PREFIXES, use_default_graph_as_union=True)
            except SyntaxError as err:
                raise KgError(f"{project.relative(rule)}: SPARQL syntax error: {err}") from None
            store.extend(ox.Quad(t.subject, t.predicate, t.object, into) for t in cast(ox.QueryTriples, derived))
        if into == graph:
            store.update(keep_first)
            into = _SCRATCH
        else:
            store.remove_graph(_DELTA)
            store.update(keep_new)
            store.remove_graph(_SCRATCH)
            delta = _DELTA
        kinds = [(_text(row[0]), _text(row[1])) for row in cast(ox.QuerySolutions, store.query(
            f"SELECT DISTINCT ?p ?class WHERE {{ GRAPH <{delta.value}> {{ ?s ?p ?o }} "
            f"BIND(IF(?p = <{RDF_TYPE}>, ?o, <{_DELTA.value}>) AS ?class) }}"))]
        predicates = {p for p, _ in kinds}
        classes = {c for p, c in kinds if p == RDF_TYPE}
        pending = [rule for rule in texts if (found := reads[rule]) is None or found.touched_by(predicates, classes)]
        if not kinds or not pending:
            store.remove_graph(_DELTA)
            return
    store.remove_graph(_DELTA)
    raise KgError(f"{project.relative(rules_dir)}: rules did not reach a fixpoint in {MAX_RULE_ROUNDS} rounds")


def _as_insert(text: str, scratch: str, using: str) -> str | None:
    """`... CONSTRUCT { T } WHERE { P }` as `... INSERT { GRAPH scratch { T } } USING ... WHERE { P }`, or
    None when the text is not of that form (comments, strings and IRIs are skipped while looking)."""
    tokens = list(_TOKEN.finditer(text))
    words = [(m.start(), m.group()) for m in tokens if not m.group().startswith(("#", '"', "'", "<"))]
    found = [i for i, (_, word) in enumerate(words) if word.upper() == "CONSTRUCT"]
    if len(found) != 1 or found[0] + 1 >= len(words) or words[found[0] + 1][1] != "{":
        return None
    depth, close = 0, None
    for i in range(found[0] + 1, len(words)):
        depth += {"{": 1, "}": -1}.get(words[i][1], 0)
        if depth == 0:
            close = i
            break
    if close is None or close + 1 >= len(words) or words[close + 1][1].upper() != "WHERE":
        return None
    construct, open_, end, where = words[found[0]][0], words[found[0] + 1][0], words[close][0], words[close + 1][0]
    return (f"{text[:construct]}INSERT {{ GRAPH {scratch} {{ {text[open_ + 1:end]} }} }} {using}\n"
            f"{text[where:]}")


# Comments, strings (long ones first), IRIs, braces, and words: enough to find a CONSTRUCT's template.
_TOKEN = re.compile(r'''#[^\n]*|"""(?:[^\\]|\\.)*?"""|\'\'\'(?:[^\\]|\\.)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|[{}]|[^\s{}#"'<]+''')


# --------------------------------------------------------------------------
# The whole pipeline


class Compiled:
    """The compiled dataset: one Oxigraph store with every named graph (for the rules, the checks, lookups
    and writing). Read like buildfolder.Layers: `named()` and the layer attributes are read-only rdflib
    views of the store; `triples(name)` gives a graph's triples as the files are to hold them.

    The store gives some typed literals their canonical form ("0" for the "0.0"^^xsd:decimal a file
    holds). A layer given to the build (the vocabulary, the sources, the curated layer) keeps, beside
    the store, only its triples with such a literal (any literal with a datatype other than xsd:string),
    as given; everything else is read back from the store, which holds it exactly. A layer the store made
    (what the rules derive) is written as the store holds it. Not keeping every layer as Python objects
    beside the store saves about 700 MiB at a thousand sources."""

    def __init__(self, store: ox.Store | None = None):
        self.store = store if store is not None else ox.Store()
        self._exact: dict[URIRef, list[ox.Triple] | None] = {}  # None: the store's forms are the layer's
        self._sizes: dict[URIRef, int] = {}

    @classmethod
    def from_layers(cls, layers: Layers) -> Compiled:
        """A dataset read back as rdflib graphs (buildfolder.Layers), e.g. by `kg enrich`."""
        compiled = cls()
        for name, graph in layers.named().items():
            compiled.add_given(name, oxigraph_triples(graph))
        return compiled

    def add_given(self, name: URIRef, triples: Triples) -> None:
        """A new layer of distinct triples, kept as given."""
        _add(self.store, name, triples)
        self._exact[name] = [t for t in triples if _canonicalised(t.object)]
        self._sizes[name] = len(triples)

    def made_in_store(self, name: URIRef) -> None:
        """Graph `name`, filled in the store (by the rules), is a layer as the store holds it."""
        self._exact[name] = None
        self._sizes[name] = _count(self.store, name)

    def add(self, name: URIRef, triples: Triples) -> None:
        """Triples not yet in layer `name`, added to it."""
        exact, target = self._exact[name], _n(name)
        kept = set(exact or ())

        def present(t: ox.Triple) -> bool:
            if exact is not None and _canonicalised(t.object):
                return t in kept
            return ox.Quad(t.subject, t.predicate, t.object, target) in self.store

        new = [t for t in _unique(triples) if not present(t)]
        _add(self.store, name, new)
        if exact is not None:
            exact += [t for t in new if _canonicalised(t.object)]
        self._sizes[name] = self._sizes[name] + len(new) if exact is not None else _count(self.store, name)

    def triples(self, name: URIRef) -> Iterator[ox.Triple | ox.Quad]:
        """Layer `name`'s triples (as quads of its graph where they come from the store), each once."""
        exact = self._exact[name]
        quads = self.store.quads_for_pattern(None, None, None, _n(name))
        if exact is None:
            yield from quads
            return
        yield from (q for q in quads if not _canonicalised(q.object))
        yield from exact

    def named(self) -> dict[URIRef, Graph]:
        return {iri: self.graph(iri) for iri in GRAPHS.values()}

    def graph(self, name: URIRef) -> Graph:
        return view(self.store, name, size=self._sizes[name])

    @property
    def vocabulary(self) -> Graph:
        return self.graph(GRAPH_VOCABULARY)

    @property
    def sources(self) -> Graph:
        return self.graph(GRAPH_SOURCES)

    @property
    def asserted(self) -> Graph:
        return self.graph(GRAPH_ASSERTED)

    @property
    def inferred(self) -> Graph:
        return self.graph(GRAPH_INFERRED)

    @property
    def external(self) -> Graph:
        return self.graph(GRAPH_EXTERNAL)


def _canonicalised(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> bool:
    """Whether the store may hold another form of this term: a literal with a datatype other than
    xsd:string (a language-tagged string comes back as given)."""
    return type(term) is ox.Literal and term.language is None and term.datatype.value != _XSD_STRING


def _count(store: ox.Store, name: URIRef) -> int:
    rows = cast(ox.QuerySolutions, store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"))
    return int(cast(ox.Literal, next(iter(rows))["n"]).value)


def _add(store: ox.Store, name: URIRef, triples: Iterable[ox.Triple]) -> None:
    target = ox.NamedNode(str(name))
    store.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)


def external_layer(project: Project, asserted: Graph) -> Graph:
    from kg.links import external_layer as build_external

    return build_external(project, asserted)


def compile_layers(project: Project) -> Compiled:
    """Everything but writing: raises KgError (exit 2) or ValidationFailed (exit 1)."""
    from kg.validate import validate_layers

    sources = load_sources(project)
    problems = check_texts(project, sources)
    if problems:
        raise ValidationFailed(problems)
    vocabulary = load_vocabulary(project)
    files, index, problems = load_curated(project, sources)
    asserted = union_triples(files)
    problems += check_terms(asserted, vocabulary, index) + check_literals(asserted, index)
    problems += check_publishers(project, sources, asserted)
    evidence, statements, grounding_problems = ground(files, sources, index)
    problems += grounding_problems
    if problems:
        raise ValidationFailed(problems)
    compiled = Compiled()
    compiled.add_given(GRAPH_VOCABULARY, vocabulary)
    compiled.add_given(GRAPH_SOURCES, catalogue_triples(sources))
    compiled.add_given(GRAPH_ASSERTED, keep_disagreements_apart(_unique(asserted + evidence + statements), statements))
    del files, vocabulary, asserted, evidence, statements  # the store holds them now
    store = compiled.store
    infer(store, project.rules_dir, GRAPH_INFERRED, project)
    compiled.made_in_store(GRAPH_INFERRED)
    outside = external_layer(project, view(store, GRAPH_ASSERTED, GRAPH_SOURCES))
    _add(store, GRAPH_EXTERNAL, oxigraph_triples(outside) + publication_triples(sources))
    infer(store, project.rules_dir / "external", GRAPH_EXTERNAL, project)
    compiled.made_in_store(GRAPH_EXTERNAL)
    shacl_data = {name: _LayerTriples(compiled, name)
                  for name in (GRAPH_VOCABULARY, GRAPH_SOURCES, GRAPH_ASSERTED, GRAPH_INFERRED)}
    problems = validate_layers(shacl_data, store, project, index)
    if problems:
        raise ValidationFailed(problems)
    return compiled


@dataclass(frozen=True)
class _LayerTriples:
    """A layer's triples, read again from the compiled dataset each time they are iterated."""

    compiled: Compiled
    name: URIRef

    def __iter__(self) -> Iterator[ox.Triple]:
        return (t.triple if isinstance(t, ox.Quad) else t for t in self.compiled.triples(self.name))


def dataset_files(layers: Compiled | Layers, project: Project, folder: BuildFolder,
                  enrichment: bytes | None = None) -> dict[str, bytes]:
    """The published files of a compiled dataset: TriG with every graph, the Turtle union, VoID, docs."""
    from kg.docs import ontology_docs
    from kg.serialize import dataset_bytes, turtle_bytes
    from kg.void import describe, read_publication

    compiled = layers if isinstance(layers, Compiled) else Compiled.from_layers(layers)
    trig, union = dataset_bytes({iri: compiled.triples(iri) for iri in GRAPHS.values()})
    files = {DATASET_TRIG: trig, DATASET_TTL: union,
             VOID_TTL: turtle_bytes(describe(compiled, read_publication(project)))}
    if enrichment is not None:
        files[ENRICHMENT_TTL] = enrichment
    files.update(ontology_docs(project, folder.current()))
    return files


def build(project: Project, out: Path) -> Compiled:
    """Compile, then publish dataset.trig (named graphs), dataset.ttl (union), void.ttl and docs/ as one unit."""
    folder = BuildFolder(out)
    with folder.lock():
        layers = compile_layers(project)
        layers.add(GRAPH_EXTERNAL, oxigraph_triples(folder.enrichment()))  # what `kg enrich` fetched survives a rebuild
        folder.publish(dataset_files(layers, project, folder), carry=(ENRICHMENT_TTL,))
    return layers
