"""The curator's workflow for a new source: register it (`kg new-source`), then draft its facts (`kg draft`).

`new_source` copies the text byte for byte into sources/<slug>/, writes its
source.toml and an empty graph/<slug>/facts.ttl. `draft` reads the text and
prints candidate facts as Turtle for the curator to check and paste: every
mention of an actor, place or office the graph already knows (by label or
alias), every date or time expression, every number and every quoted speech,
each with its exact words and offsets. It writes nothing.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from kg.problems import KgError
from kg.namespaces import PREFIXES
from kg.project import Project
from kg.sources import KINDS, SLUG, SOURCE_TOML, Source, load_sources, read_text

FACTS_TTL = "facts.ttl"
# the prefixes a fact file uses, spelled as kg.namespaces has them (one place for every IRI)
FACTS_HEADER = "".join(f"@prefix {name + ':':<7} <{PREFIXES[name]}> .\n"
                       for name in ("pt", "ptr", "cameo", "rdfs", "xsd", "sem", "oa")) + """
# Facts grounded in source {slug}: every pt:quote below is looked up in
# sources/{slug}/{text}. `kg draft {slug}` prints candidates to paste here.
"""


@dataclass(frozen=True)
class NewSource:
    """What `kg new-source` is told about a text."""

    file: Path
    slug: str
    title: str
    publisher: str
    kind: str = "article"
    language: str = "en"
    url: str | None = None
    published: str | None = None
    published_reason: str | None = None
    licence: str = "Not stated."


def new_source(project: Project, spec: NewSource) -> list[Path]:
    """Register a source; returns the files written. Refuses a slug in use and a text that is not UTF-8."""
    if not SLUG.match(spec.slug):
        raise KgError(f"--slug {spec.slug!r}: a slug is lower-case letters, digits and single hyphens")
    if spec.kind not in KINDS:
        raise KgError(f"--kind {spec.kind!r}: choose from {', '.join(KINDS)}")
    folder = project.sources_dir / spec.slug
    facts = project.graph_dir / spec.slug / FACTS_TTL
    for taken in (folder, facts.parent):
        if taken.exists():
            raise KgError(f"{project.relative(taken)}: already exists: slug {spec.slug!r} is taken")
    if spec.published and not spec.published_reason:
        raise KgError("--published needs --published-reason: say where the date comes from")
    text = read_text(spec.file)  # refuses a missing or non-UTF-8 file, naming its line
    metadata = _metadata(spec, text.sha256)
    folder.mkdir(parents=True)
    target = folder / spec.file.name
    shutil.copyfile(spec.file, target)
    (folder / SOURCE_TOML).write_text(metadata, encoding="utf-8")
    facts.parent.mkdir(parents=True)
    facts.write_text(FACTS_HEADER.format(slug=spec.slug, text=spec.file.name), encoding="utf-8")
    return [target, folder / SOURCE_TOML, facts]


def _metadata(spec: NewSource, sha256: str) -> str:
    import tomli_w

    fields = {
        "title": spec.title, "publisher": spec.publisher, "kind": spec.kind, "text": spec.file.name,
        "sha256": sha256, "language": spec.language, "licence": spec.licence,
    }
    if spec.url:
        fields["url"] = spec.url
    if spec.published:
        fields["published"] = spec.published
        fields["published_reason"] = spec.published_reason or ""
    header = "# What is known about this source. `kg build` checks the text against sha256.\n"
    return header + tomli_w.dumps(fields)


# --------------------------------------------------------------------------
# Drafting

_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan\\.|Feb\\.|Mar\\.|Apr\\.|Aug\\.|Sept\\.|Sep\\.|Oct\\.|Nov\\.|Dec\\.")
_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
TIME_EXPRESSIONS = re.compile(
    rf"\b(?:(?:{_MONTHS})\s+\d{{1,2}}(?:,\s+\d{{4}})?|(?:on|last|next|this)\s+(?:{_WEEKDAYS})|"
    rf"(?:in|since|by|until)\s+(?:{_MONTHS}|\d{{4}})(?:\s+\d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}}|"
    r"(?:days|weeks|months|years)\s+(?:later|after|before|earlier|ago)|(?:the\s+)?(?:next|following|previous)\s+"
    r"(?:day|week|month|year)|(?:yesterday|today|tomorrow|overnight))\b")
NUMBERS = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?:\s*(?:%|percent|million|billion|thousand))?(?![\w])")
QUOTED = re.compile(r'"[^"\n]{3,}?"|“[^”\n]{3,}?”')


@dataclass(frozen=True)
class Candidate:
    kind: str  # "mention", "time", "number", "speech"
    start: int
    end: int
    text: str
    node: str | None = None  # the known node a mention is of


def draft(project: Project, slug: str) -> str:
    """Candidate facts of source `slug` as Turtle comments and snippets, in reading order."""
    sources = {s.slug: s for s in load_sources(project)}
    if slug not in sources:
        raise KgError(f"unknown source {slug!r}: registered sources are {', '.join(sorted(sources))}")
    source = sources[slug]
    candidates = known_mentions(project, source) + pattern_candidates(source.article.text)
    candidates.sort(key=lambda c: (c.start, c.end, c.kind))
    return _as_turtle(source, candidates)


def known_mentions(project: Project, source: Source) -> list[Candidate]:
    """Every occurrence of the label or an alias of a known actor, place or office."""
    names = known_names(project)
    text = source.article.text
    found: list[Candidate] = []
    for name in sorted(names, key=len, reverse=True):
        for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
            if not any(c.start <= match.start() < c.end for c in found):  # the longest name wins
                found.append(Candidate("mention", match.start(), match.end(), name, names[name]))
    return found


def known_names(project: Project) -> dict[str, str]:
    """Label or alias -> ptr: node, for actors, places and offices of the curated graph."""
    import pyoxigraph as ox

    from kg.build import load_curated, union
    from kg.namespaces import GRAPH_ASSERTED
    from kg.store import add_graph, select

    graph = union(load_curated(project, load_sources(project))[0])
    store = ox.Store()
    add_graph(store, graph, GRAPH_ASSERTED)
    store.load(path=str(project.ontology), format=ox.RdfFormat.TURTLE)
    rows = select(store, """
        PREFIX pt: <https://w3id.org/peace-talks-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX schema: <https://schema.org/>
        SELECT DISTINCT ?node ?name WHERE {
          VALUES ?class { pt:Actor pt:Place pt:Office }
          ?node a/rdfs:subClassOf* ?class .
          { ?node rdfs:label ?name } UNION { ?node skos:altLabel ?name } UNION { ?node schema:alternateName ?name }
        }""")
    names: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: (str(r["node"]), str(r["name"]))):
        name = str(row["name"])
        if len(name) >= 3 and "(" not in name:
            names.setdefault(name, "ptr:" + str(row["node"]).rsplit("/", 1)[-1])
    return names


def pattern_candidates(text: str) -> list[Candidate]:
    found = [Candidate("time", m.start(), m.end(), m.group()) for m in TIME_EXPRESSIONS.finditer(text)]
    times = [(c.start, c.end) for c in found]
    found += [Candidate("number", m.start(), m.end(), m.group()) for m in NUMBERS.finditer(text)
              if not any(s <= m.start() < e for s, e in times)]
    found += [Candidate("speech", m.start(), m.end(), m.group()) for m in QUOTED.finditer(text)]
    return found


def _as_turtle(source: Source, candidates: list[Candidate]) -> str:
    text = source.article.text
    lines = [f"# Candidate facts of source {source.slug} ({source.title}): {len(candidates)} found.",
             "# Check each against the text before pasting it into "
             f"graph/{source.slug}/{FACTS_TTL}; a quote must occur exactly once.", ""]
    for c in candidates:
        unique = text.count(c.text) == 1
        where = f"line {source.article.line_of(c.start)}, offsets {c.start}-{c.end}"
        lines.append(f"# {c.kind} at {where}: {_comment(c.text)}")
        if c.kind == "mention" and unique:
            lines.append(f"{c.node} pt:quote {_literal(c.text)} .")
        elif c.kind == "mention":
            digest = hashlib.sha256(f"{c.node}{c.start}".encode()).hexdigest()[:8]
            lines.append(f"ptr:mention-{source.slug}-{digest} a pt:Mention ; pt:mentionOf {c.node} ;\n"
                         f"    oa:exact {_literal(c.text)} ; oa:start {c.start} ; oa:end {c.end} ;\n"
                         f"    pt:quote {_literal(_context(text, c))} .")
        elif c.kind == "time":
            lines.append(f"#   pt:timeExpression {_literal(c.text)} ;  pt:quote {_literal(_context(text, c))}")
        elif c.kind == "number":
            lines.append(f"#   a pt:Claim ; pt:value ... ;  pt:quote {_literal(_context(text, c))}")
        else:
            lines.append(f"#   a pt:Quotation ;  pt:quote {_literal(c.text if unique else _context(text, c))}")
        lines.append("")
    return "\n".join(lines)


def _context(text: str, c: Candidate, width: int = 30) -> str:
    """The candidate with whole words of its line around it, enough to be unique in the text."""
    line_start = text.rfind("\n", 0, c.start) + 1
    line_end = text.find("\n", c.end) % (len(text) + 1)
    for extra in range(width, 400, width):
        start = max(line_start, c.start - extra)
        end = min(line_end, c.end + extra)
        while start > line_start and not text[start - 1].isspace():
            start -= 1
        while end < line_end and not text[end].isspace():
            end += 1
        if text.count(text[start:end]) == 1:
            return text[start:end].strip()
    return text[c.start : c.end]


def _literal(value: str) -> str:
    from rdflib import Literal

    return Literal(value).n3()


def _comment(value: str) -> str:
    return " ".join(value.split())[:120]

