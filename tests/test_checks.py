"""Each *-violation.rq check returns nothing on the shipped data and a row on data that breaks it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.namespaces import PREFIXES
from kg.project import find_project
from kg.store import select

PROLOGUE = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
ASSERTED = "<https://w3id.org/peace-talks-kg/graph/asserted>"

# Data that each check must catch, and the reason it must give.
BREAKING = {
    "selector-length-violation.rq": (
        'ptr:s oa:exact "Kyiv" ; oa:start 10 ; oa:end 15 .',
        "selector spans 5 characters but its exact text has 4",
    ),
    "event-order-cycle-violation.rq": (
        "ptr:a pt:precedes ptr:b . ptr:b pt:precedes ptr:a .",
        "event precedes itself through pt:precedes: the order is cyclic",
    ),
    "event-order-date-violation.rq": (
        'ptr:a pt:precedes ptr:b . ptr:a sem:hasTimeStamp "2025-03-01"^^xsd:date . '
        'ptr:b sem:hasTimeStamp "2025-02-01"^^xsd:date .',
        "precedes https://w3id.org/peace-talks-kg/id/b but is dated 2025-03-01, after 2025-02-01",
    ),
    "superseded-stance-violation.rq": (
        "ptr:s2 pt:supersedes ptr:s1 ; pt:holder ptr:x ; pt:target ptr:t . ptr:s1 pt:holder ptr:y ; pt:target ptr:t .",
        "supersedes https://w3id.org/peace-talks-kg/id/s1, a stance of another holder or on another target",
    ),
    "external-fact-in-asserted-violation.rq": (
        "ptr:trump skos:exactMatch wd:Q22686 .",
        "asserted layer links to http://www.wikidata.org/entity/Q22686: external links go in the external layer",
    ),
    "date-not-in-its-quotes-violation.rq": (
        'ptr:e sem:hasTimeStamp "2025-02-12"^^xsd:date ; pt:quote "Weeks after his inauguration" .',
        'asserted date "2025-02-12" (http://semanticweb.cs.vu.nl/2009/11/sem/hasTimeStamp) is not in the words of '
        "the node's quotes: the asserted layer dates only what the article dates; an outside date goes in the "
        "external layer",
    ),
    "unmarked-order-violation.rq": (
        "ptr:a pt:precedes ptr:b .",
        "precedes https://w3id.org/peace-talks-kg/id/b with no pt:SequenceMarker giving the article's words for it",
    ),
    "plover-coding-violation.rq": (
        "ptr:e a pt:MaterialAct ; pt:cameoCode cameo:190 .",
        "event has no PLOVER coding: give its CAMEO code in ontology/cameo.ttl a pt:ploverType (a PLOVER event type "
        "of ontology/plover.ttl, or pt:noPloverCounterpart with a pt:ploverMappingNote)",
    ),
    "realizes-unheld-event-violation.rq": (
        "ptr:m pt:realizes ptr:p ; pt:status pt:announcedNotHeld .",
        "realizes https://w3id.org/peace-talks-kg/id/p but its status is "
        "https://w3id.org/peace-talks-kg/ontology#announcedNotHeld: an event not held has pt:wouldRealize, not pt:realizes",
    ),
    "ungrounded-node-violation.rq": (
        'ptr:x pt:quote "some words" .',
        'quote has no evidence annotation: "some words"',
    ),
}

CHECKS = sorted(find_project().checks_dir.glob("*-violation.rq"))


def test_every_check_has_a_breaking_case():
    assert sorted(c.name for c in CHECKS) == sorted(BREAKING)


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.name)
def test_check_is_empty_on_the_shipped_data(store, check):
    assert select(store, check.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.name)
def test_check_catches_breaking_data(check):
    data, reason = BREAKING[check.name]
    store = ox.Store()
    store.load(f"{PROLOGUE}{ASSERTED} {{ {data} }}", format=ox.RdfFormat.TRIG)
    rows = select(store, check.read_text(encoding="utf-8"))
    assert [str(r["reason"]) for r in rows][:1] == [reason]


@pytest.mark.parametrize("kind", ["pt:SourceArticle", "rdf:Statement"])
def test_date_check_leaves_a_sources_description_and_attributed_statements_alone(kind):
    """A source's publication interval and a source's attributed rdf:Statement are not story facts; the same
    date on a story node is caught (the other node in the same data)."""
    check = next(c for c in CHECKS if c.name == "date-not-in-its-quotes-violation.rq")
    store = ox.Store()
    store.load(f'{PROLOGUE}{ASSERTED} {{ ptr:x a {kind} ; sem:hasTimeStamp "2025-02-12"^^xsd:date . '
               f'ptr:e sem:hasTimeStamp "2025-02-12"^^xsd:date ; pt:quote "Weeks after" . }}', format=ox.RdfFormat.TRIG)
    rows = select(store, check.read_text(encoding="utf-8"))
    assert [str(r["node"]) for r in rows] == [PREFIXES["ptr"] + "e"]
