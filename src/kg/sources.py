"""The sources: each one a folder `sources/<slug>/` with its exact text and `source.toml`.

A source is data, registered in one place: adding one needs no code change.
`source.toml` says what is known about the text (title, publisher, where and
when it was published and why that date, licence) and the SHA-256 of its
bytes; the build refuses a text whose bytes changed. The facts grounded in a
source live in `graph/<slug>/*.ttl`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, URIRef
from rdflib.namespace import DCTERMS

from kg.grounding import Article, Sentence
from kg.namespaces import OA, PT, PTR, SCHEMA
from kg.problems import KgError, Problem, ValidationFailed
from kg.project import Project

SOURCE_TOML = "source.toml"
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# What kind of document a source is: the first part of its node's IRI, and its class.
KINDS = {
    "article": "SourceArticle",
    "readout": "Readout",
    "transcript": "Transcript",
    "statement": "OfficialStatement",
    "report": "Report",
    "test": "TestText",
}
REQUIRED = ("title", "publisher", "kind", "text", "sha256", "language", "licence")
OPTIONAL = ("url", "publisher_node", "notes", "published", "published_reason")


@dataclass(frozen=True)
class Published:
    """When a source was published: one day, or an interval when the day is not known."""

    earliest: dt.date
    latest: dt.date

    def __str__(self) -> str:
        return str(self.earliest) if self.earliest == self.latest else f"{self.earliest}/{self.latest}"


@dataclass(frozen=True)
class Source:
    slug: str
    folder: Path
    title: str
    publisher: str
    kind: str
    text_file: str
    sha256: str
    language: str
    licence: str
    published: Published | None = None
    published_reason: str | None = None
    url: str | None = None
    publisher_node: str | None = None
    notes: str | None = None

    @property
    def iri(self) -> URIRef:
        return PTR[f"{self.kind}-{self.slug}"]

    @property
    def text_path(self) -> Path:
        return self.folder / self.text_file

    @property
    def metadata_path(self) -> Path:
        return self.folder / SOURCE_TOML

    @property
    def label(self) -> str:
        return f"{self.publisher}: {self.title}"

    @cached_property
    def article(self) -> Article:
        """The text, read once (its hash is checked by check_texts)."""
        return read_text(self.text_path)


def read_text(path: Path) -> Article:
    """A source text as the quotes see it: UTF-8, exactly as stored."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KgError(f"{path}: missing source text") from None
    except IsADirectoryError:
        raise KgError(f"{path}: is a folder, not a source text") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise KgError(f"{path}:{line}: not UTF-8 (byte {err.start}: {data[err.start:err.start + 1]!r})") from None
    return Article(path=path, text=text, sha256=hashlib.sha256(data).hexdigest())


def load_sources(project: Project) -> list[Source]:
    """Every registered source, in slug order; every bad record reported at once."""
    folders = sorted(p for p in project.sources_dir.iterdir() if p.is_dir()) if project.sources_dir.is_dir() else []
    sources: list[Source] = []
    problems: list[Problem] = []
    for folder in folders:
        source, found = _read_metadata(project, folder)
        problems += found
        if source:
            sources.append(source)
    if problems:
        raise ValidationFailed(problems)
    if not sources:
        raise KgError(f"{project.relative(project.sources_dir)}: no sources: add one with `kg new-source`")
    return sources


def check_texts(project: Project, sources: list[Source]) -> list[Problem]:
    """Each text against the SHA-256 its metadata records."""
    problems = []
    for source in sources:
        actual = source.article.sha256
        if actual != source.sha256:
            problems.append(Problem(
                project.relative(source.text_path), None, source.slug,
                f"text changed: sha256 expected {source.sha256}, actual {actual}; restore the original bytes "
                f"(quotes and offsets refer to them), or register the new text as a new source"))
    return problems


def _read_metadata(project: Project, folder: Path) -> tuple[Source | None, list[Problem]]:
    path = folder / SOURCE_TOML
    where = project.relative(path)
    slug = folder.name
    if not SLUG.match(slug):
        return None, [Problem(project.relative(folder), None, slug,
                              "a source folder's name is its slug: lower-case letters, digits and single hyphens")]
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(where, None, slug, f"missing {SOURCE_TOML}: describe the source "
                              f"(`kg new-source` writes it)")]
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as err:
        return None, [Problem(where, raw.count(b"\n", 0, err.start) + 1, slug, "not UTF-8")]
    except tomllib.TOMLDecodeError as err:
        line = re.search(r"line (\d+)", str(err))
        return None, [Problem(where, int(line.group(1)) if line else None, slug, f"malformed TOML: {err}")]
    lines = text.splitlines()
    problems = []

    def problem(key: str | None, reason: str) -> None:
        problems.append(Problem(where, _line_of(lines, key) if key else None, slug, reason))

    for key in REQUIRED:
        if not isinstance(data.get(key), str) or not data[key].strip():
            problem(key if key in data else None, f"field '{key}' is required (a non-empty string)")
    for key in sorted(set(data) - set(REQUIRED) - set(OPTIONAL)):
        problem(key, f"unknown field '{key}'; known: {', '.join(REQUIRED + OPTIONAL)}")
    for key in OPTIONAL:
        if key in data and not isinstance(data[key], str):
            problem(key, f"field '{key}' must be a string")
    if problems:
        return None, problems
    if data["kind"] not in KINDS:
        problem("kind", f"kind '{data['kind']}' is not one of {', '.join(KINDS)}")
    if not re.fullmatch(r"[0-9a-f]{64}", data["sha256"]):
        problem("sha256", "sha256 must be 64 lower-case hexadecimal digits")
    if Path(data["text"]).name != data["text"]:
        problem("text", "text names a file in the source's own folder (no path)")
    published = _published(data["published"]) if "published" in data else None
    if "published" in data and published is None:
        problem("published", f"published '{data['published']}' is not a date (YYYY-MM-DD) or an interval "
                             "(YYYY-MM-DD/YYYY-MM-DD, earliest first)")
    if ("published" in data) != ("published_reason" in data):
        problem("published" if "published" in data else "published_reason",
                "published and published_reason go together: a date and where it comes from")
    if problems:
        return None, problems
    fields = {k: data[k] for k in REQUIRED + OPTIONAL if k in data and k not in ("text", "published")}
    return Source(slug=slug, folder=folder, text_file=data["text"], published=published, **fields), []


def _published(value: str) -> Published | None:
    parts = value.split("/")
    try:
        dates = [dt.date.fromisoformat(p) for p in parts]
    except ValueError:
        return None
    if len(dates) == 1:
        return Published(dates[0], dates[0])
    if len(dates) == 2 and dates[0] <= dates[1] and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", p) for p in parts):
        return Published(dates[0], dates[1])
    return None


def _line_of(lines: list[str], key: str) -> int | None:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    return next((n for n, line in enumerate(lines, start=1) if pattern.match(line)), None)


def catalogue(sources: list[Source]) -> Graph:
    """The sources graph as an rdflib Graph (see catalogue_triples)."""
    from kg.store import rdflib_graph

    return rdflib_graph(catalogue_triples(sources))


def catalogue_triples(sources: list[Source]) -> list[ox.Triple]:
    """The sources graph: what is known about each source (from its source.toml) and its sentences."""
    triples: list[ox.Triple] = []
    for source in sources:
        triples += _describe(source)
        for sentence in source.article.sentences:
            triples += _sentence(source, sentence)
    return list(dict.fromkeys(triples))


def publication_triples(sources: list[Source]) -> list[ox.Triple]:
    """Each source's publication interval and its reason, for the external layer: no text states its own
    date (source.toml infers it, e.g. from syndicated copies), so with that layer off nobody reads it as a
    fact of the source (issue 11: outside knowledge belongs in the external layer)."""
    triples = []
    for source in sources:
        if source.published:
            node = _iri(source.iri)
            triples += [ox.Triple(node, _iri(PT.publishedEarliest), _typed(source.published.earliest.isoformat(), XSD.date)),
                        ox.Triple(node, _iri(PT.publishedLatest), _typed(source.published.latest.isoformat(), XSD.date)),
                        ox.Triple(node, _iri(PT.publicationReason), _text(source.published_reason or "", "en"))]
    return triples


def publisher_iri(source: Source) -> URIRef:
    """The publisher's node: the curated actor the metadata names, or one minted from the publisher's name."""
    if source.publisher_node:
        return PTR[source.publisher_node]
    return PTR[f"publisher/{re.sub(r'[^a-z0-9]+', '-', source.publisher.lower()).strip('-')}"]


def _iri(term: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _text(value: str, language: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=language) if language else ox.Literal(value)


def _typed(value: object, datatype: URIRef) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(str(datatype)))


def _describe(source: Source) -> list[ox.Triple]:
    node = _iri(source.iri)
    facts: list[tuple[URIRef, ox.NamedNode | ox.Literal]] = [
        (RDF.type, _iri(PT.Source)),
        (RDF.type, _iri(PT[KINDS[source.kind]])),
        (RDFS.label, _text(source.label, source.language)),
        (SCHEMA.headline, _text(source.title, source.language)),
        (SCHEMA.inLanguage, _text(source.language)),
        (PT.sha256, _text(source.sha256)),
        (PT.slug, _text(source.slug)),
    ]
    facts += [(DCTERMS.rights, _text(source.licence, "en")),
              (DCTERMS.source, _text(f"sources/{source.slug}/{SOURCE_TOML}"))]
    if source.url:
        facts.append((SCHEMA.url, _iri(URIRef(source.url))))
    if source.notes:
        facts.append((RDFS.comment, _text(source.notes, "en")))
    publisher = _iri(publisher_iri(source))
    facts.append((SCHEMA.publisher, publisher))
    triples = [ox.Triple(node, _iri(p), o) for p, o in facts]
    if not source.publisher_node:
        triples += [ox.Triple(publisher, _iri(RDF.type), _iri(SCHEMA.Organization)),
                    ox.Triple(publisher, _iri(RDFS.label), _text(source.publisher))]
    return triples


def sentence_iri(source: Source, number: int) -> URIRef:
    return URIRef(f"{source.iri}/sentence/{number:03d}")


def _sentence(source: Source, s: Sentence) -> list[ox.Triple]:
    iri = _iri(sentence_iri(source, s.number))
    facts: list[tuple[URIRef, ox.NamedNode | ox.Literal]] = [
        (RDF.type, _iri(PT.Sentence)),
        (RDFS.label, _text(f"Sentence {s.number} (line {s.line})", "en")),
        (OA.exact, _text(s.text)),
        (OA.start, _typed(s.start, XSD.integer)),
        (OA.end, _typed(s.end, XSD.integer)),
        (PT.lineNumber, _typed(s.line, XSD.integer)),
        (PT.isCaption, _typed("true" if s.is_caption else "false", XSD.boolean)),
        (PT.fromSource, _iri(source.iri)),
    ]
    return [ox.Triple(iri, _iri(p), o) for p, o in facts]
