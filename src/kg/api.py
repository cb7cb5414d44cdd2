"""The Python API: the built dataset in notebooks and scripts.

    import kg

    data = kg.open()                                   # this project's build/ (run `kg build` first)
    answer = data.query("events-by-actor", actor="ptr:zelenskyy")
    answer.columns, answer.rows                        # variable names; rows of rdflib terms (None: unbound)
    answer.to_pandas()                                 # a DataFrame, a `<column>_label` beside each IRI column
    data.view("interaction")                           # a networkx graph (kg.views)
    data.evidence("ptr:event-oval-office-meeting-feb-28")   # the passages that support a node
    data.sources()                                     # the sources, with the number of passages cited

Queries run through kg.library (read-only, parameters bound by value, never
pasted into the query text) on an in-memory copy of the built dataset: nothing
here writes to the build folder. `layers=` chooses the story layers a query or
view sees (asserted, inferred, external); the vocabulary and any other
reference graph are always there, as for `kg query`.
"""

from __future__ import annotations

import datetime
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg import library, results
from kg.hints import param_hints
from kg.buildfolder import LAYERS
from kg.namespaces import PREFIXES
from kg.problems import KgError
from kg.project import DEFAULT_OUT, Project, find_project
from kg.store import load_dataset, to_oxigraph, to_rdflib

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

Term = URIRef | Literal | BNode
ParamValue = str | int | float | bool | Decimal | datetime.date | URIRef | Literal | ox.NamedNode | ox.Literal

LABEL_SUFFIX = "_label"
# a library query is named by its file: letters, digits, '-', '_' and '.' only; anything else is SPARQL
_QUERY_NAME = re.compile(r"[\w.-]+(?:\.rq)?")


# --- results ------------------------------------------------------------------


class Result:
    """What a query returned.

    SELECT: `columns` (variable names) and `rows` (tuples of rdflib terms, None where
    unbound). ASK: `boolean`. CONSTRUCT/DESCRIBE: `graph` (an rdflib Graph). `hints`
    says why an empty answer may be empty (a parameter given as plain text that
    names an IRI or a date)."""

    def __init__(self, raw: results.Result, labels: _Labels, hints: tuple[str, ...] = ()):
        self._raw = raw
        self._labels = labels
        self.form = raw.form
        self.columns: tuple[str, ...] = raw.variables
        self.rows: tuple[tuple[Term | None, ...], ...] = tuple(
            tuple(None if t is None else _rdflib_term(t) for t in row) for row in raw.rows)
        self.boolean: bool | None = raw.boolean
        self.hints = hints

    @property
    def graph(self) -> Graph | None:
        """The triples of a CONSTRUCT or DESCRIBE query (None for SELECT and ASK)."""
        if not self._raw.is_graph:
            return None
        graph = Graph()
        for name, iri in PREFIXES.items():
            graph.bind(name, iri)
        for triple in self._raw.triples:
            graph.add((_rdflib_term(triple.subject), _rdflib_term(triple.predicate), _rdflib_term(triple.object)))
        return graph

    def __len__(self) -> int:
        return len(self._raw)

    def __iter__(self) -> Iterator[tuple[Term | None, ...]]:
        return iter(self.rows)

    def __repr__(self) -> str:
        if self.form == "ASK":
            return f"<Result ASK: {'yes' if self.boolean else 'no'}>"
        if self._raw.is_graph:
            return f"<Result {self.form}: {len(self)} triples>"
        hint = f"; {' '.join(self.hints)}" if self.hints else ""
        return f"<Result SELECT: {len(self.rows)} rows x {len(self.columns)} columns{hint}>"

    def text(self, fmt: str = "table") -> str:
        """The answer as `kg query --format fmt` prints it (table, csv, tsv, json, turtle)."""
        return results.format_result(self._raw, fmt)

    def to_pandas(self, labels: bool = True) -> pd.DataFrame:
        """A DataFrame: IRIs as strings, literals as Python values (numbers, dates, text), None where
        unbound; with `labels`, a column `<name>_label` after each column holding IRIs, with the
        rdfs:label (else skos:prefLabel) of each. Needs pandas (`pip install 'peace-talks-kg[notebook]'`)."""
        try:
            import pandas as pd
        except ImportError:
            raise KgError("to_pandas needs pandas: pip install 'peace-talks-kg[notebook]' "
                          "(or -e '.[notebook]' in a checkout)") from None
        if self.form != "SELECT":
            raise KgError(f"to_pandas is for SELECT results; this {self.form} query gave "
                          + ("a yes/no answer (.boolean)" if self.form == "ASK" else "triples (.graph)"))
        data: dict[str, list[Any]] = {}
        for index, name in enumerate(self.columns):
            cells = [row[index] for row in self.rows]
            data[name] = [_python_value(cell) for cell in cells]
            label_name = name + LABEL_SUFFIX
            if labels and label_name not in self.columns and any(isinstance(c, URIRef) for c in cells):
                data[label_name] = [self._labels(c) if isinstance(c, URIRef) else None for c in cells]
        return pd.DataFrame(data, columns=list(data))


def _rdflib_term(term: results.Term) -> Term:
    if isinstance(term, ox.Triple):  # RDF-star quoted triples do not occur in this dataset
        raise KgError(f"quoted triple {term} in a result: not supported by the Python API")
    return to_rdflib(term)


def _python_value(term: Term | None) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, Decimal):
            return float(value)
        return str(value) if isinstance(value, Literal) else value  # a datatype rdflib has no Python type for
    return str(term)


class _Labels:
    """rdfs:label (else skos:prefLabel) of IRIs, read from the store without SPARQL; English first."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.cache: dict[str, str | None] = {}

    def __call__(self, iri: URIRef) -> str | None:
        key = str(iri)
        if key not in self.cache:
            self.cache[key] = self._find(key)
        return self.cache[key]

    def _find(self, iri: str) -> str | None:
        subject = ox.NamedNode(iri)
        for predicate in (RDFS.label, SKOS.prefLabel):
            values = {q.object for q in self.store.quads_for_pattern(subject, ox.NamedNode(str(predicate)), None)
                      if isinstance(q.object, ox.Literal)}
            if values:
                return min(values, key=lambda v: (v.language not in ("en", None), v.language or "", v.value)).value
        return None


# --- what the dataset says about its sources and evidence -----------------------


@dataclass(frozen=True)
class Passage:
    """One passage of a source that supports a node: `text` is source_text[start:end] (code points)."""

    node: str
    source: str
    source_title: str | None
    start: int
    end: int
    text: str
    sentence: str | None
    line: int | None


@dataclass(frozen=True)
class Source:
    """A source text of the dataset and how many evidence passages cite it."""

    iri: str
    title: str | None
    headline: str | None
    publisher: str | None
    sha256: str | None
    published_earliest: datetime.date | None
    published_latest: datetime.date | None
    passages: int


# Sources: pt:Source once every source is data; pt:SourceArticle is what the NPR article is today.
_SOURCES = """
SELECT ?source (SAMPLE(?label) AS ?title) (SAMPLE(?headline_) AS ?headline) (SAMPLE(?publisherName) AS ?publisher)
       (SAMPLE(?sha) AS ?sha256) (MIN(?earliest_) AS ?earliest) (MAX(?latest_) AS ?latest)
       (COUNT(DISTINCT ?evidence) AS ?passages)
WHERE {
  { ?source a pt:Source } UNION { ?source a pt:SourceArticle }
  OPTIONAL { ?source rdfs:label ?label }
  OPTIONAL { ?source schema:headline ?headline_ }
  OPTIONAL { ?source schema:publisher ?p . OPTIONAL { ?p rdfs:label ?name } BIND(COALESCE(?name, STR(?p)) AS ?publisherName) }
  OPTIONAL { ?source pt:sha256 ?sha }
  OPTIONAL { ?source pt:publishedEarliest ?earliest_ }
  OPTIONAL { ?source pt:publishedLatest ?latest_ }
  OPTIONAL { ?evidence a pt:Evidence ; oa:hasTarget/oa:hasSource ?source }
}
GROUP BY ?source
ORDER BY ?source
"""

_EVIDENCE = """
SELECT ?node ?source ?title ?start ?end ?exact ?sentence ?line
WHERE {
  ?node pt:evidence ?evidence .
  ?evidence oa:hasTarget ?target .
  ?target oa:hasSource ?source ; oa:hasSelector ?selector .
  ?selector oa:exact ?exact ; oa:start ?start ; oa:end ?end .
  OPTIONAL { ?source rdfs:label ?title }
  OPTIONAL { ?evidence pt:inSentence ?s . ?s oa:exact ?sentence ; pt:lineNumber ?line . }
}
ORDER BY ?source ?start ?end
"""


# --- the dataset --------------------------------------------------------------


class Dataset:
    """A built dataset (`kg build`), loaded in memory, read-only."""

    def __init__(self, out: Path, project: Project):
        self.out = out
        self.project = project
        self._store = load_dataset(out)
        self._labels = _Labels(self._store)
        self._layered: dict[tuple[str, ...], ox.Store] = {}

    def __repr__(self) -> str:
        return f"<kg.Dataset {self.out}: {len(self._store)} quads>"

    @property
    def layers(self) -> tuple[str, ...]:
        """The story layers a query or view can choose from."""
        return tuple(LAYERS)

    def queries(self) -> list[library.Query]:
        """The query library (`kg queries`): each with .name, .summary, .description, .params."""
        return [q for q in library.load_library(self.project) if not q.check]

    def query(self, name_or_sparql: str, /, layers: str | Sequence[str] | None = None, *,
              timeout: float | None = None, params: Mapping[str, ParamValue] | None = None,
              **bindings: ParamValue) -> Result:
        """Run a library query (by name, as `kg queries` lists them) or a SPARQL query (project prefixes
        predeclared) over the chosen layers (default: all). Keyword arguments bind the query's variables:
        rdflib or pyoxigraph terms, Python numbers, dates and booleans as typed literals, and strings in
        the syntax of `kg query --param` (ptr:name, <iri>, "text"@en, "2025-03-01"^^xsd:date, else text).
        `params` does the same for names Python keeps for itself: params={"from": "2025-03-01"}.
        `timeout` (seconds) runs the query in a worker that is stopped when time runs out."""
        if _QUERY_NAME.fullmatch(name_or_sparql.strip()):
            found = library.find_query(self.project, name_or_sparql.strip())
            text, where, prefixes, form = found.text, found.name, None, found.form
        else:
            text, where, prefixes = name_or_sparql, "query", PREFIXES
            form = library.query_form(text, where)
        bound = {name: _param(name, value) for name, value in {**(params or {}), **bindings}.items()}
        store = self._store_for(layers)
        raw = library.run_query(store, text, bound, timeout=timeout, where=where, prefixes=prefixes, form=form)
        hints = param_hints(store, bound) if raw.is_empty else ()
        for hint in hints:
            warnings.warn(f"{where}: no results; {hint}", stacklevel=2)
        return Result(raw, self._labels, hints)

    def view(self, name: str, layers: str | Sequence[str] | None = None) -> nx.MultiDiGraph | nx.Graph:
        """The network `name` (kg.views.VIEWS: interaction, stance, agreement, timeline, actor-issue, whole)
        of the chosen layers (default: those of kg.views.DEFAULT_LAYERS)."""
        from kg.views import DEFAULT_LAYERS, build_view

        return build_view(self._store, name, _layer_names(layers) if layers is not None else DEFAULT_LAYERS)

    def evidence(self, node: str | URIRef) -> list[Passage]:
        """Every passage that supports `node` (an IRI, or ptr:name), in source order, with its sentence."""
        term = _param("node", node if isinstance(node, URIRef) else str(node))
        if not isinstance(term, ox.NamedNode):
            raise KgError(f"evidence: {node!r} is not an IRI: give <https://...> or a prefixed name like ptr:trump")
        raw = library.run_query(self._store, _EVIDENCE, {"node": term}, timeout=None, where="evidence",
                                prefixes=PREFIXES)
        rows = [dict(zip(raw.variables, (_python_value(None if t is None else _rdflib_term(t)) for t in row)))
                for row in raw.rows]
        return [Passage(node=term.value, source=r["source"], source_title=r["title"], start=int(r["start"]),
                        end=int(r["end"]), text=r["exact"], sentence=r["sentence"],
                        line=None if r["line"] is None else int(r["line"])) for r in rows]

    def sources(self) -> list[Source]:
        """The sources of the dataset, each with the number of evidence passages that cite it."""
        raw = library.run_query(self._store, _SOURCES, timeout=None, where="sources", prefixes=PREFIXES)
        listed = []
        for row in raw.rows:
            r = dict(zip(raw.variables, (_python_value(None if t is None else _rdflib_term(t)) for t in row)))
            listed.append(Source(iri=r["source"], title=r["title"], headline=r["headline"], publisher=r["publisher"],
                                 sha256=r["sha256"], published_earliest=_date(r["earliest"]),
                                 published_latest=_date(r["latest"]), passages=int(r["passages"])))
        return listed

    def _store_for(self, layers: str | Sequence[str] | None) -> ox.Store:
        """The dataset with only the chosen story layers (the reference graphs always), cached per choice."""
        if layers is None:
            return self._store
        names = _layer_names(layers)
        if set(names) == set(LAYERS):
            return self._store
        if names not in self._layered:
            left_out = [ox.NamedNode(str(iri)) for name, iri in LAYERS.items() if name not in names]
            store = ox.Store()
            store.extend(q for q in self._store if q.graph_name not in left_out)
            self._layered[names] = store
        return self._layered[names]


def _layer_names(layers: str | Sequence[str]) -> tuple[str, ...]:
    names = [p.strip() for p in layers.split(",")] if isinstance(layers, str) else [str(p) for p in layers]
    unknown = [n for n in names if n not in LAYERS]
    if unknown or not names:
        raise KgError(f"layers: unknown layer(s) {', '.join(unknown) or '(none given)'}; "
                      f"choose from {', '.join(LAYERS)}")
    return tuple(n for n in LAYERS if n in names)


def _param(name: str, value: ParamValue) -> ox.NamedNode | ox.Literal:
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value
    if isinstance(value, (URIRef, Literal)):
        term = to_oxigraph(value)
        assert isinstance(term, (ox.NamedNode, ox.Literal))
        return term
    if isinstance(value, str):
        return library.parse_term(value, f"parameter {name}")
    if isinstance(value, (bool, int, float, Decimal, datetime.date)):
        literal = to_oxigraph(Literal(value))
        assert isinstance(literal, ox.Literal)
        return literal
    raise KgError(f"parameter {name}: cannot bind a {type(value).__name__}; give a string, number, date or IRI")


def _date(value: Any) -> datetime.date | None:
    return value if isinstance(value, datetime.date) else None


# --- opening a build folder -------------------------------------------------------


def open_dataset(out: str | Path = DEFAULT_OUT, project: Project | None = None) -> Dataset:
    """The dataset built into `out` (default build/; a relative path is taken from the project root,
    found upward from the working directory, so a notebook in docs/ opens the project's build/).
    KgError when nothing is built there yet: run `kg build` first."""
    project = project or find_project()
    folder = Path(out)
    if not folder.is_absolute():
        folder = project.root / folder
    return Dataset(folder, project)
