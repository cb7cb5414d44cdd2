"""What the story pages draw (the timeline and the proposal tracker), read by SPARQL from the built dataset.

Every date keeps the layer it comes from (and, for an outside date, its source), so the page can
switch layers on and off and still say where each date it shows comes from; nothing here picks a
date. Evidence spans keep their source, so a page can quote several sources.

Threads of the timeline, from the data (the first rule that matches wins):

| thread | an event is in it when |
|---|---|
| Strikes and war | it is a pt:MilitaryStrike, pt:Invasion or pt:Annexation |
| Negotiations and meetings | it is a pt:Interaction (meeting, call, negotiation round) |
| Ceasefires and truces | it is a pt:Ceasefire, or it concerns (itself, or through the proposal it proposes, is about, realizes or violates) an issue under "ceasefire" |
| Aid and intelligence | it is a pt:AidSuspension or pt:AidResumption, or concerns an issue under "U.S. assistance" |
| Statements | it is any other pt:CommunicativeAct |
| Other events | anything else (the inauguration, the war itself, a prisoner exchange) |
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from kg.buildfolder import LAYERS
from kg.namespaces import PREFIXES
from kg.views import PUBLICATION_DERIVED

PT, PTR = PREFIXES["pt"], PREFIXES["ptr"]
LAYER_ORDER = ("asserted", "inferred", "external")
_GRAPH_LAYER = {str(iri): name for name, iri in LAYERS.items()}
ROLES = ("agent", "recipient", "host", "attendee", "facilitator")

THREADS: tuple[tuple[str, str], ...] = (
    ("meetings", "Negotiations and meetings"),
    ("ceasefires", "Ceasefires and truces"),
    ("aid", "Aid and intelligence"),
    ("strikes", "Strikes and war"),
    ("statements", "Statements"),
    ("other", "Other events"),
)
_CLASS_THREADS = (("strikes", ("MilitaryStrike", "Invasion", "Annexation")),
                  ("meetings", ("Interaction",)),
                  ("ceasefires", ("Ceasefire",)),
                  ("aid", ("AidSuspension", "AidResumption")))
_ISSUE_THREADS = (("ceasefires", PTR + "issue-ceasefire"), ("aid", PTR + "issue-us-assistance"))

# Stance polarities as the tracker names them (pt:polarity values).
POLARITIES = {"support": "supports", "oppose": "opposes", "conditionalSupport": "supports on a condition"}


def _select(store: Any, query: str, layers: Sequence[str], vocabulary: bool = True) -> list[dict[str, str]]:
    from kg.views import run_select

    return run_select(store, query, layers, vocabulary)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _layer(graph: str) -> str:
    return _GRAPH_LAYER[graph]


def _first_layer(layers: set[str]) -> str:
    return next(name for name in LAYER_ORDER if name in layers)


def labels(store: Any, layers: Sequence[str]) -> dict[str, str]:
    """An English (or untagged) label for every node that has one, the asserted layer's first."""
    rows = _select(store, """SELECT ?s ?l ?g WHERE { GRAPH ?g { { ?s rdfs:label ?l } UNION { ?s skos:prefLabel ?l } }
        FILTER(LANG(?l) = "" || LANGMATCHES(LANG(?l), "en")) }""", layers)
    best: dict[str, tuple[int, str]] = {}
    for row in rows:
        rank = (LAYER_ORDER.index(_layer(row["g"])), row["l"])
        best[row["s"]] = min(best.get(row["s"], rank), rank)
    vocabulary = _select(store, """SELECT ?s ?l WHERE { { ?s rdfs:label ?l } UNION { ?s skos:prefLabel ?l }
        FILTER(LANG(?l) = "" || LANGMATCHES(LANG(?l), "en")) }""", layers[:1])
    for row in sorted(vocabulary, key=lambda r: (r["s"], r["l"])):
        best.setdefault(row["s"], (9, row["l"]))
    return {node: label for node, (_, label) in best.items()}


def evidence(store: Any, layers: Sequence[str]) -> tuple[dict[str, list[list[Any]]], dict[str, list[str]]]:
    """node -> sorted [source IRI, start, end] of its evidence (code-point offsets), and node -> its quotes."""
    rows = _select(store, """SELECT DISTINCT ?s ?src ?a ?b WHERE {
        ?s pt:evidence/oa:hasTarget ?t . ?t oa:hasSelector? ?x . ?x oa:start ?a ; oa:end ?b .
        OPTIONAL { ?t oa:hasSource ?src } }""", layers)
    spans: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
    for row in rows:
        spans[row["s"]].add((row.get("src", ""), int(row["a"]), int(row["b"])))
    quotes: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, "SELECT ?s ?q WHERE { ?s pt:quote ?q }", layers):
        quotes[row["s"]].add(row["q"])
    return ({node: [list(span) for span in sorted(found)] for node, found in spans.items()},
            {node: sorted(found) for node, found in quotes.items()})


def _classes(store: Any, layers: Sequence[str], nodes: set[str]) -> dict[str, set[str]]:
    """node -> the local names of every pt class it belongs to (superclasses included)."""
    rows = _select(store, "SELECT ?s ?up WHERE { ?s a ?k . ?k rdfs:subClassOf* ?up }", layers)
    found: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["s"] in nodes and row["up"].startswith(PT):
            found[row["s"]].add(_local(row["up"]))
    return found


def _threads(store: Any, layers: Sequence[str], events: set[str]) -> dict[str, str]:
    classes = _classes(store, layers, events)
    rows = _select(store, """SELECT ?e ?top WHERE {
        ?e (pt:concerns|((pt:proposes|pt:announces|pt:answers|pt:about|pt:realizes|pt:wouldRealize|pt:violationOf)/pt:concerns)) ?i .
        ?i skos:broader* ?top }""", layers)
    issues: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        issues[row["e"]].add(row["top"])
    threads = {}
    for event in events:
        mine = classes.get(event, set())
        thread = next((t for t, names in _CLASS_THREADS[:2] if mine & set(names)), None)
        for name, names in _CLASS_THREADS[2:]:
            top = dict(_ISSUE_THREADS)[name]
            if thread is None and (mine & set(names) or top in issues.get(event, ())):
                thread = name
        if thread is None:
            thread = "statements" if "CommunicativeAct" in mine else "other"
        threads[event] = thread
    return threads


def _date_facts(store: Any, layers: Sequence[str], events: set[str]) -> dict[str, list[dict[str, str]]]:
    """event -> its dates: {"p": date|earliest|latest, "v": YYYY-MM-DD, "layer": ..., "source"/"note"/"via"}."""
    keys = {"hasTimeStamp": "date", "hasEarliestBeginTimeStamp": "earliest", "hasLatestEndTimeStamp": "latest"}
    facts: dict[str, list[dict[str, str]]] = defaultdict(list)
    rows = _select(store, """SELECT ?e ?p ?d ?g WHERE { GRAPH ?g { ?e ?p ?d }
        VALUES ?p { sem:hasTimeStamp sem:hasEarliestBeginTimeStamp sem:hasLatestEndTimeStamp } }""", layers)
    for row in rows:
        if row["e"] in events:
            fact = {"p": keys[_local(row["p"])], "v": row["d"][:10], "layer": _layer(row["g"])}
            if fact["layer"] == "external":  # on the event itself: derived from its source's publication date
                fact["source"] = PUBLICATION_DERIVED
            facts[row["e"]].append(fact)
    if "external" in layers:
        # Dates from outside reporting sit on their own nodes about the event, with their source.
        rows = _select(store, """SELECT ?e ?p ?d ?source ?note WHERE { GRAPH ?g { ?x schema:about ?e ; ?p ?d
            VALUES ?p { sem:hasTimeStamp sem:hasEarliestBeginTimeStamp sem:hasLatestEndTimeStamp }
            OPTIONAL { ?x dcterms:source ?source } OPTIONAL { ?x skos:note ?note } } }""", ("external",),
            vocabulary=False)
        for row in rows:
            if row["e"] in events:
                fact = {"p": keys[_local(row["p"])], "v": row["d"][:10], "layer": "external",
                        "source": row.get("source", "")}
                if row.get("note"):
                    fact["note"] = row["note"]
                facts[row["e"]].append(fact)
    # A part takes the date of its whole (remarks made during the Feb. 28 meeting), in the whole's layer.
    rows = _select(store, "SELECT ?a ?b WHERE { ?a pt:partOf+ ?b }", layers)
    for row in sorted(rows, key=lambda r: (r["a"], r["b"])):
        if row["a"] in events and row["b"] in events and not any(f["p"] == "date" for f in facts[row["a"]]):
            for fact in list(facts.get(row["b"], [])):
                if fact["p"] == "date" and "via" not in fact:
                    facts[row["a"]].append(dict(fact, via=row["b"]))
    return {event: sorted(found, key=lambda f: (f["p"], f["v"], f["layer"], f.get("via", ""), f.get("source", "")))
            for event, found in facts.items()}


_DATING = ("date", "date_layer", "date_source", "earliest", "earliest_layer", "earliest_source", "earliest_via",
           "latest", "latest_layer", "latest_source", "latest_via", "order", "conflicts")


def _dating(attrs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """kg.views' dating of a node for every combination of layers, empty fields left out."""
    return {combo: {k: dating[k] for k in _DATING if dating.get(k) not in ("", None, [])}
            for combo, dating in sorted(attrs.get("dates_by_layers", {}).items())}


def timeline(store: Any, layers: Sequence[str], view: Any) -> dict[str, Any]:
    """Events with thread, participants, article time words, status, every date fact with its layer,
    order links by layer, and (`view`: kg.views' timeline) the combined dating for every combination
    of layers: the bounds that win, with their layer, source and the event they come through."""
    rows = _select(store, "SELECT ?e ?g WHERE { GRAPH ?g { ?e a ?k } ?k rdfs:subClassOf* pt:Event }", layers)
    event_layers: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        event_layers[row["e"]].add(_layer(row["g"]))
    events = set(event_layers)
    names = labels(store, layers)
    threads = _threads(store, layers, events)
    dates = _date_facts(store, layers, events)
    roles: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in _select(store, """SELECT ?e ?role ?a WHERE { ?e ?role ?a
            VALUES ?role { pt:agent pt:recipient pt:host pt:attendee pt:facilitator } }""", layers):
        if row["e"] in events:
            roles[row["e"]][_local(row["role"])].add(row["a"])
    words: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, "SELECT ?e ?w WHERE { ?e pt:timeExpression ?w }", layers):
        words[row["e"]].add(row["w"])
    status = {row["e"]: _local(row["s"]) for row in
              _select(store, "SELECT ?e ?s WHERE { ?e pt:status ?s }", layers)}
    # the status scheme's own words ("so far (up to the time of writing)"), for the page
    status_words = {_local(row["s"]): row["l"] for row in _select(store, """SELECT ?s ?l WHERE {
        ?s a pt:EventStatus ; skos:prefLabel ?l FILTER(LANGMATCHES(LANG(?l), "en")) }""", layers)}
    order: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in _select(store, "SELECT ?a ?b ?g WHERE { GRAPH ?g { ?a pt:precedes ?b } }", layers):
        if row["a"] in events and row["b"] in events:
            order[(row["a"], row["b"])].add(_layer(row["g"]))
    items = []
    for event in sorted(events):
        items.append({
            "id": event, "label": names.get(event, _local(event)), "layers": sorted(event_layers[event], key=LAYER_ORDER.index),
            "thread": threads[event], "dates": dates.get(event, []), "words": sorted(words.get(event, ())),
            "dating": _dating(view.nodes[event]) if event in view else {},
            # its hedges ([prefLabel, layer]: "seemingly", "in its current form"), as kg.views reads them
            "modality": [list(m) for m in view.nodes[event].get("modality", [])] if event in view else [],
            "status": status.get(event, ""),
            "statusLabel": status_words.get(status.get(event, ""), status.get(event, "")),
            "roles": [[role, sorted(roles[event][role])] for role in ROLES if roles[event].get(role)],
        })
    actors = sorted({a for event in roles.values() for found in event.values() for a in found})
    return {
        "events": items,
        "order": [[a, b, sorted(found, key=LAYER_ORDER.index)] for (a, b), found in sorted(order.items())],
        "threads": [list(t) for t in THREADS],
        "actors": [[actor, names.get(actor, _local(actor))] for actor in actors],
        "labels": {node: names[node] for node in sorted({*actors, *events}) if node in names},
    }


# ---------------------------------------------------------------- the proposal tracker

STANCE_QUERY = "who-supported-or-opposed-each-proposal"  # the library query the tracker's stance cells answer


def _typed(store: Any, layers: Sequence[str], cls: str) -> dict[str, list[str]]:
    rows = _select(store, f"SELECT ?s ?g WHERE {{ GRAPH ?g {{ ?s a {cls} }} }}", layers)
    found: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        found[row["s"]].add(_layer(row["g"]))
    return {node: sorted(found[node], key=LAYER_ORDER.index) for node in sorted(found)}


def _values(store: Any, layers: Sequence[str], prop: str) -> dict[str, list[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, f"SELECT ?s ?o WHERE {{ ?s {prop} ?o }}", layers):
        found[row["s"]].add(row["o"])
    return {node: sorted(found[node]) for node in found}


def _stamps(store: Any, layers: Sequence[str]) -> dict[str, tuple[str, str]]:
    """node -> (its own sem:hasTimeStamp, the strongest layer stating it)."""
    best: dict[str, tuple[str, str]] = {}
    rows = _select(store, "SELECT ?s ?d ?g WHERE { GRAPH ?g { ?s sem:hasTimeStamp ?d } }", layers)
    for row in sorted(rows, key=lambda r: (r["s"], LAYER_ORDER.index(_layer(r["g"])), r["d"])):
        best.setdefault(row["s"], (row["d"][:10], _layer(row["g"])))
    return best


def _hedged_acts(store: Any, layers: Sequence[str], cells: dict[str, dict[str, Any]], proposals: dict[str, list[str]],
                 names: dict[str, str], found: tuple[dict[str, list[list[Any]]], dict[str, list[str]]],
                 stamps: dict[str, tuple[str, str]], rank: Any) -> None:
    """A cell for each hedged act about a proposal by an actor who has no stance or proposal cell on it:
    "Asked if he'd consider further sanctions on Russia, he replied 'absolutely'" is "would consider",
    neither support nor silence. The cell gives the hedge's words, never a polarity."""
    spans, quotes = found
    taken = {(c["proposal"], c["actor"]) for c in cells.values()}
    rows = _select(store, """SELECT ?act ?who ?p ?m ?g WHERE { GRAPH ?g { ?act pt:about ?p ; pt:agent ?who ; pt:modality ?m }
        pt:hedges skos:member ?m . FILTER NOT EXISTS { ?act a pt:ProposalAct } }""", layers)
    hedges: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    act_layers: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row["p"] in proposals and (row["p"], row["who"]) not in taken:
            hedges[(row["act"], row["p"], row["who"])].add(names.get(row["m"], _local(row["m"])))
            act_layers[row["act"]].add(_layer(row["g"]))
    for (act, proposal, actor), words in sorted(hedges.items()):
        date, layer = stamps.get(act, ("", ""))
        cells[f"act|{act}|{proposal}"] = {
            "id": f"act|{act}|{proposal}", "type": "act", "modality": ", ".join(sorted(words)), "proposal": proposal,
            "actor": actor, "target": proposal, "polarity": "", "condition": "", "act": act, "date": date,
            "dateLayer": layer, "dateSource": "", "when": "", "supersededBy": [], "supersedes": [], "stance": "",
            "quotes": quotes.get(act, []), "spans": spans.get(act, []),
            "layers": sorted(act_layers[act], key=LAYER_ORDER.index), "rank": rank(act)}


def tracker(store: Any, layers: Sequence[str], stance_query: str, view: Any = None) -> dict[str, Any]:
    """Proposals and concessions with who proposed or raised them, their provisions, and one cell per
    (proposal, actor) answer: the rows of the library's stance query (`stance_query`, its text),
    each proposer, each concession's raiser with the strength the article gives, and stances on
    concessions. `view` (kg.views' timeline) gives the story order of the acts, to sort by."""
    names = labels(store, layers)
    proposals, concessions = _typed(store, layers, "pt:Proposal"), _typed(store, layers, "pt:Concession")
    provisions = _values(store, layers, "pt:hasProvision")
    concerns, meets, entails = (_values(store, layers, p) for p in ("pt:concerns", "pt:meets", "pt:entails"))
    proposed_by, raised_by = _values(store, layers, "pt:proposedBy"), _values(store, layers, "pt:raisedBy")
    modality, raised_in = _values(store, layers, "pt:modality"), _values(store, layers, "pt:raisedIn")
    conceding, beneficiary = _values(store, layers, "pt:concedingParty"), _values(store, layers, "pt:beneficiary")
    acts: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, "SELECT ?a ?p WHERE { ?a pt:proposes ?p ; a pt:ProposalAct }", layers):
        acts[row["p"]].add(row["a"])
    # The strength of a proposer's own act on it ("suggesting that he is prepared to"): the cell says
    # "suggested", not "proposed it", as a concession's cell gives its raiser's strength.
    hedges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in _select(store, "SELECT ?p ?who ?m WHERE { ?a pt:proposes ?p ; pt:agent ?who ; pt:modality ?m }", layers):
        hedges[(row["p"], row["who"])].add(names.get(row["m"], _local(row["m"])))
    spans, quotes = evidence(store, layers)
    stamps = _stamps(store, layers)
    stance_layers = _typed(store, layers, "pt:Stance")

    def rank(node: str) -> int:
        return int(view.nodes[node].get("order", -1)) if view is not None and node in view and \
            int(view.nodes[node].get("order", -1)) >= 0 else 10 ** 6

    cells: dict[str, dict[str, Any]] = {}

    def stance_cell(stance: str, proposal: str, row: dict[str, str]) -> dict[str, Any]:
        act = row.get("expressedIn", "")
        date, layer = stamps.get(stance) or stamps.get(act) or ("", "")
        return {"id": f"{stance}|{proposal}", "type": "stance", "proposal": proposal, "actor": row["holder"],
                "target": row["target"], "polarity": _local(row["polarity"]), "condition": row.get("condition", ""),
                # the stance's own hedges ("declared ready", "suggested"): the cell never reads stronger
                "hedge": ", ".join(sorted(names.get(m, _local(m)) for m in modality.get(stance, []))),
                "act": act, "date": date, "dateLayer": layer, "dateSource": "", "when": row.get("when", ""),
                "supersededBy": [], "supersedes": [], "stance": stance, "quotes": quotes.get(stance, []),
                "spans": spans.get(stance) or spans.get(act, []), "layers": stance_layers.get(stance, ["asserted"]),
                "rank": rank(act) if act else 10 ** 6}

    for row in _select(store, stance_query, layers):
        cell = cells.setdefault(f"{row['stance']}|{row['proposal']}", stance_cell(row["stance"], row["proposal"], row))
        if row.get("supersededBy") and row["supersededBy"] not in cell["supersededBy"]:
            cell["supersededBy"].append(row["supersededBy"])
    # Stances on concessions (the stance query asks about proposals and their provisions only).
    for row in _select(store, """SELECT ?stance ?holder ?target ?polarity ?condition ?expressedIn ?when ?supersededBy WHERE {
            ?stance a pt:Stance ; pt:holder ?holder ; pt:target ?target ; pt:polarity ?polarity . ?target a pt:Concession .
            OPTIONAL { ?stance pt:condition ?condition } OPTIONAL { ?stance pt:expressedIn ?expressedIn }
            OPTIONAL { ?stance pt:timeExpression ?when } OPTIONAL { ?supersededBy pt:supersedes ?stance } }""", layers):
        cell = cells.setdefault(f"{row['stance']}|{row['target']}", stance_cell(row["stance"], row["target"], row))
        if row.get("supersededBy") and row["supersededBy"] not in cell["supersededBy"]:
            cell["supersededBy"].append(row["supersededBy"])
    for cell in cells.values():
        cell["supersededBy"].sort()
        cell["supersedes"] = sorted(c["stance"] for c in cells.values() if cell["stance"] in c["supersededBy"])
    for proposal, layer in proposals.items():
        for actor in proposed_by.get(proposal, []):
            cells[f"proposed|{proposal}|{actor}"] = {
                "id": f"proposed|{proposal}|{actor}", "type": "proposed", "proposal": proposal, "actor": actor,
                "modality": ", ".join(sorted(hedges.get((proposal, actor), ()))),
                "target": proposal, "polarity": "", "condition": "", "act": "", "date": "", "dateLayer": "",
                "dateSource": "", "when": "", "supersededBy": [], "supersedes": [], "stance": "",
                "quotes": quotes.get(proposal, []), "spans": spans.get(proposal, []), "layers": layer, "rank": -1}
    for concession, layer in concessions.items():
        strength = ", ".join(names.get(m, _local(m)) for m in modality.get(concession, [])) or "raised"
        act = next(iter(raised_in.get(concession, [])), "")
        for actor in raised_by.get(concession, []):
            date, date_layer = stamps.get(act, ("", ""))
            cells[f"raised|{concession}|{actor}"] = {
                "id": f"raised|{concession}|{actor}", "type": "raised", "modality": strength, "proposal": concession,
                "actor": actor, "target": concession, "polarity": "", "condition": "", "act": act, "date": date,
                "dateLayer": date_layer, "dateSource": "", "when": "", "supersededBy": [], "supersedes": [],
                "stance": "", "quotes": quotes.get(concession, []), "spans": spans.get(concession, []),
                "layers": layer, "rank": -1}

    _hedged_acts(store, layers, cells, proposals, names, (spans, quotes), stamps, rank)

    def row_of(node: str, kind: str, layer: list[str]) -> dict[str, Any]:
        return {"id": node, "label": names.get(node, _local(node)), "kind": kind, "layers": layer,
                "proposedBy": proposed_by.get(node, []),
                "raisedBy": [[a, ", ".join(names.get(m, _local(m)) for m in modality.get(node, []))]
                             for a in raised_by.get(node, [])],
                "acts": sorted(acts.get(node, set()) | set(raised_in.get(node, [])), key=lambda a: (rank(a), a)),
                "conceding": conceding.get(node, []), "beneficiary": beneficiary.get(node, []),
                "provisions": [{"id": p, "concerns": concerns.get(p, []), "meets": meets.get(p, []),
                                "entails": entails.get(p, [])} for p in provisions.get(node, [])],
                "concerns": concerns.get(node, []), "quotes": quotes.get(node, []), "spans": spans.get(node, [])}

    def story_rank(node: str) -> tuple[int, str]:
        ranks = [rank(a) for a in acts.get(node, set()) | set(raised_in.get(node, []))]
        ranks += [c["rank"] for c in cells.values() if c["proposal"] == node and c["rank"] >= 0]
        return (min(ranks, default=10 ** 6), names.get(node, node))

    rows = [row_of(p, "proposal", proposals[p]) for p in sorted(proposals, key=story_rank)]
    rows += [row_of(c, "concession", concessions[c]) for c in sorted(concessions, key=story_rank)]
    actors = sorted({c["actor"] for c in cells.values()}, key=lambda a: (names.get(a, a), a))
    mentioned = {c[k] for c in cells.values() for k in ("proposal", "target", "act", "stance") if c[k]}
    mentioned |= {s for c in cells.values() for s in c["supersededBy"]}
    mentioned |= {x for r in rows for key in ("acts", "concerns") for x in r[key]}
    mentioned |= {x for r in rows for p in r["provisions"] for x in (p["id"], *p["concerns"], *p["meets"], *p["entails"])}
    return {"rows": rows, "cells": [cells[k] for k in sorted(cells)],
            "actors": [[a, names.get(a, _local(a))] for a in actors],
            "labels": {node: names.get(node, _local(node)) for node in sorted(mentioned)}}
