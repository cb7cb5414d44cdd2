"""Query results and their text formats: aligned table, CSV, TSV, SPARQL JSON, Turtle.

CSV, TSV and JSON follow the SPARQL 1.1 Query Results specifications, so
other tools read them; the table is for people and shortens IRIs with the
project's prefixes; it shows control characters in data as escapes (\\x1b), never raw.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.problems import KgError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Result:
    """What a query returned: rows for SELECT, a boolean for ASK, triples for CONSTRUCT/DESCRIBE."""

    form: str  # "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE"
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = field(default=())

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")

    @property
    def is_empty(self) -> bool:
        """No rows, no triples, or ASK answered false."""
        if self.form == "ASK":
            return not self.boolean
        return not (self.triples if self.is_graph else self.rows)

    def without_empty(self, names: Iterable[str]) -> Result:
        """The result without those of `names` that no row binds (an unused --param's column)."""
        drop = {i for i, v in enumerate(self.variables) if v in set(names) and all(r[i] is None for r in self.rows)}
        if not drop or self.form != "SELECT":
            return self
        keep = [i for i in range(len(self.variables)) if i not in drop]
        return replace(self, variables=tuple(self.variables[i] for i in keep),
                       rows=tuple(tuple(r[i] for i in keep) for r in self.rows))

    def __len__(self) -> int:
        if self.form == "ASK":
            return 1
        return len(self.triples) if self.is_graph else len(self.rows)


FORMATS = ("table", "csv", "tsv", "json", "turtle")


def format_result(result: Result, fmt: str) -> str:
    """The result as text in `fmt` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise KgError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    check_format(result.form, fmt)
    if result.is_graph:
        return to_turtle(result)
    return {"table": to_table, "csv": to_csv, "tsv": to_tsv, "json": to_json}[fmt](result)


# Which --format each query form can be written in, and what it gives: one place for both.
FORMATS_OF_FORM = {"SELECT": ("table", "csv", "tsv", "json"), "ASK": ("table", "tsv", "json"),
                   "CONSTRUCT": ("table", "turtle"), "DESCRIBE": ("table", "turtle")}
_GIVES = {"SELECT": "rows", "ASK": "a yes/no answer", "CONSTRUCT": "triples", "DESCRIBE": "triples"}


def check_format(form: str, fmt: str) -> None:
    """KgError when `fmt` cannot hold the answer of a `form` query, naming the formats that can."""
    fits = FORMATS_OF_FORM[form]
    if fmt not in fits:
        article = "an" if form == "ASK" else "a"
        raise KgError(f"--format {fmt} does not fit {article} {form} query, which gives {_GIVES[form]}: "
                      f"use {', '.join(fits[:-1])} or {fits[-1]}")


def compact(term: Term | None) -> str:
    """A short human form: prefix:name for IRIs, the lexical value for literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def compact_iri(iri: str) -> str:
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


def to_table(result: Result) -> str:
    if result.form == "ASK":
        return ("yes" if result.boolean else "no") + "\n"
    header = list(result.variables)
    cells = [[one_line(compact(t)) for t in row] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip()
             for line in [header, ["-" * w for w in widths], *cells]]
    count = len(result.rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines) + "\n"


_NAMED_ESCAPES = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}
# C0 controls, DEL and C1 controls: printed raw they would move the cursor, recolour or
# retitle the terminal (ESC sequences in data), so the table shows them as escapes.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """The text on one line with every control character visible: \\n, \\t, \\r, else \\xNN."""
    return _CONTROL.sub(lambda m: _NAMED_ESCAPES.get(m[0], f"\\x{ord(m[0]):02x}"), text)


def to_csv(result: Result) -> str:
    """SPARQL 1.1 Query Results CSV: lexical values, IRIs bare, CRLF line ends."""
    check_format(result.form, "csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(t) for t in row])
    return buffer.getvalue()


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def to_tsv(result: Result) -> str:
    """SPARQL 1.1 Query Results TSV: terms in N-Triples syntax, ?var header."""
    if result.form == "ASK":
        return ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def to_json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if result.form == "ASK":
        document: dict = {"head": {}, "boolean": bool(result.boolean)}
    else:
        bindings = [{v: _json_term(t) for v, t in zip(result.variables, row) if t is not None}
                    for row in result.rows]
        document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _json_term(term: Term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        if term.datatype.value == XSD_STRING:
            return {"type": "literal", "value": term.value}
        return {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                        "predicate": _json_term(term.predicate),
                                        "object": _json_term(term.object)}}


def to_turtle(result: Result) -> str:
    """Turtle with the project's prefixes, triples in a fixed order."""
    triples = sorted(result.triples, key=str)
    text = "".join(str(t) for t in triples)
    used = {p: ns for p, ns in PREFIXES.items() if f"<{ns}" in text}
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used).decode("utf-8")


def to_ntriples(result: Result) -> str:
    """Sorted N-Triples: a stable text form of a graph result for comparisons."""
    return "".join(sorted(f"{t} .\n" for t in result.triples))
