"""Hints for a `kg query` (or kg.api query) that found nothing: a parameter given as plain text
where the data has an IRI, a date or a number. `--param actor=zelenskyy` binds the text
"zelenskyy", which matches nothing; `actor=ptr:zelenskyy` is the IRI."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from kg.namespaces import PREFIXES
from kg.results import compact_iri


XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def param_hints(store: ox.Store, params: Mapping[str, ox.NamedNode | ox.Literal], option: str = "") -> tuple[str, ...]:
    """For a query that found nothing: each parameter given as plain text that looks like an IRI's
    local name, a date or a number, with the form that would match. `option` precedes each
    NAME=VALUE (`kg query` says "--param ")."""
    hints = []
    for key, term in params.items():
        name = option + key
        if not isinstance(term, ox.Literal) or term.language or term.datatype.value != XSD + "string":
            continue
        text = term.value
        if _DATE.fullmatch(text):
            hints.append(f'{name}={text} is text, not a date: for the date write {name}=\'"{text}"^^xsd:date\'')
        elif _NUMBER.fullmatch(text):
            kind = "decimal" if "." in text else "integer"
            hints.append(f'{name}={text} is text, not a number: write {name}=\'"{text}"^^xsd:{kind}\'')
        elif iri := _known_iri(store, text):
            hints.append(f"{name}={text} is text, not an IRI: did you mean {name}={compact_iri(iri)}?")
    return tuple(hints)


def _known_iri(store: ox.Store, local: str) -> str | None:
    """The IRI `ptr:<local>` when the dataset has it as a subject (plain names mean project resources)."""
    if not re.fullmatch(r"[\w.-]+", local):
        return None
    iri = PREFIXES["ptr"] + local
    return iri if next(store.quads_for_pattern(ox.NamedNode(iri), None, None), None) is not None else None
