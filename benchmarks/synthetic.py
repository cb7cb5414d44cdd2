"""A synthetic corpus in the project's own data model, for benchmarks and tests of scale.

    from synthetic import synthetic_quads, synthetic_store, synthetic_trig  # run from benchmarks/
    quads = synthetic_quads(100_000, seed=1)    # list of pyoxigraph Quads
    store = synthetic_store(100_000, seed=1)    # pyoxigraph Store holding them
    trig = synthetic_trig(10_000, seed=1)       # the same as TriG text

Each synthetic "article" has a source article with sentences, events of the
pt:Event subclasses with participants by role, CAMEO codes (the real code
list, so Goldstein scores join), full dates, stated month-days, time
expressions and pt:precedes order; a proposal with provisions and a
concession; stances (support, opposition, conditional support, superseded);
claims with value, bound and measure; an assessment; quotations; office
holdings; and pt:evidence annotations with selectors and sentences, as the
build writes them. The inferred layer carries pt:participant,
pt:actsOnBehalfOf and the direct stance edges, as the build's rules do; the
vocabulary graph holds the project's ontology and CAMEO list.

The first article reuses the article's own slugs (ptr:trump, ptr:russia,
ptr:proposal-us-peace-plan, ptr:event-oval-office-meeting-feb-28, ...),
so library queries with those defaults have rows to find. The output is a
pure function of (n_triples, seed): same arguments, same quads in the same
order. Sizes are approximate: whole articles are added until n_triples is
reached.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import BASE, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_VOCABULARY, PREFIXES

PT = PREFIXES["pt"]
RES = PREFIXES["ptr"]
XSD = PREFIXES["xsd"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")

PERSONS = ["trump", "putin", "zelenskyy", "rubio", "lavrov", "hegseth", "vance", "peskov", "ryabkov"]
STATES = ["united-states", "russia", "ukraine", "turkey", "saudi-arabia"]
SERVES = {"trump": "united-states", "rubio": "united-states", "hegseth": "united-states", "vance": "united-states",
          "putin": "russia", "lavrov": "russia", "peskov": "russia", "ryabkov": "russia", "zelenskyy": "ukraine"}
PLACES = ["kyiv", "moscow", "istanbul", "jeddah", "riyadh", "washington-dc", "white-house"]
ISSUES = ["issue-ceasefire", "issue-territory", "issue-nato-membership", "issue-sanctions", "issue-prisoners"]
# Event class → CAMEO codes from ontology/cameo.ttl that fit it.
EVENT_KINDS = [
    ("Meeting", ["040", "042", "046"]), ("PhoneCall", ["041"]), ("Statement", ["010", "012", "013"]),
    ("Rejection", ["120"]), ("Acceptance", ["019", "0356"]), ("ProposalAct", ["036", "0311"]),
    ("Criticism", ["111"]), ("Accusation", ["112"]), ("MilitaryStrike", ["195"]), ("Pledge", ["0332"]),
]
ROLES = ["agent", "recipient", "attendee", "host", "facilitator"]
POLARITIES = ["support", "oppose", "conditionalSupport"]
BOUNDS = ["estimate", "moreThan", "exactValue"]
MODALITIES = ["demanded", "suggested", "proposed", "offered"]


def synthetic_quads(n_triples: int, seed: int = 0, project_root: Path | None = None) -> list[ox.Quad]:
    """About `n_triples` quads (vocabulary, asserted and inferred graphs), deterministic in `seed`."""
    writer = _Writer(random.Random(seed))
    writer.vocabulary(project_root)
    article = 0
    while len(writer.quads) < n_triples:
        writer.article(article)
        article += 1
    return writer.quads


def synthetic_store(n_triples: int, seed: int = 0, project_root: Path | None = None) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(synthetic_quads(n_triples, seed, project_root))
    return store


def synthetic_trig(n_triples: int, seed: int = 0, project_root: Path | None = None) -> str:
    data = ox.serialize(synthetic_quads(n_triples, seed, project_root), format=ox.RdfFormat.TRIG,
                        prefixes=PREFIXES)
    return data.decode("utf-8")


def _iri(local: str) -> ox.NamedNode:
    return ox.NamedNode(RES + local)


def _pt(local: str) -> ox.NamedNode:
    return ox.NamedNode(PT + local)


def _typed(value: object, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))


class _Writer:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.quads: list[ox.Quad] = []
        self.asserted = ox.NamedNode(str(GRAPH_ASSERTED))
        self.inferred = ox.NamedNode(str(GRAPH_INFERRED))

    def add(self, s: ox.NamedNode, p: ox.NamedNode, o, inferred: bool = False) -> None:
        self.quads.append(ox.Quad(s, p, o, self.inferred if inferred else self.asserted))

    def node(self, subject: ox.NamedNode, kind: str, label: str, quote: str) -> ox.NamedNode:
        self.add(subject, RDF_TYPE, _pt(kind))
        self.add(subject, LABEL, ox.Literal(label, language="en"))
        self.add(subject, _pt("quote"), ox.Literal(quote))
        return subject

    def vocabulary(self, project_root: Path | None) -> None:
        from kg.project import Project, find_project

        project = Project(project_root) if project_root else find_project()
        graph = ox.NamedNode(str(GRAPH_VOCABULARY))
        for path in project.vocabulary_files:
            for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                self.quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, graph))

    def article(self, k: int) -> None:
        rng, first = self.rng, k == 0
        source = _iri(f"article-synthetic-{k:06d}") if not first else _iri("article-npr-2025-trump-ukraine-peace")
        self.node(source, "SourceArticle", f"Synthetic article {k}", f"Synthetic article number {k}.")
        actors = self.actors(k)
        sentences = [self.sentence(source, k, i) for i in range(12)]
        base = date(2025, 1, 20) + timedelta(days=rng.randrange(0, 300))
        events = [self.event(k, i, actors, base, first) for i in range(10)]
        for earlier, later in zip(events, events[1:]):
            self.add(earlier, _pt("precedes"), later)
        self.add(events[2], _pt("partOf"), events[0])  # an act within a larger event
        proposal = self.proposal(k, actors, events, first)
        self.stances(k, actors, proposal, events)
        self.claims(k, actors, events)
        self.quotations(k, actors, events)
        for node in events + [proposal]:
            self.evidence(node, source, rng.choice(sentences))

    def actors(self, k: int) -> list[ox.NamedNode]:
        # The shared cast plus one new person and one new body per article, each holding an office.
        people = [_iri(p) for p in PERSONS] + [_iri(f"person-{k:06d}")]
        self.node(people[-1], "Person", f"Person {k}", f"said official {k}")
        body = self.node(_iri(f"body-{k:06d}"), "GovernmentBody", f"Ministry {k}", f"the ministry {k}")
        self.add(body, _pt("partOfGovernment"), _iri(STATES[k % len(STATES)]))
        if k == 0:
            for name in PERSONS:
                self.node(_iri(name), "Person", name.capitalize(), f"{name.capitalize()} said")
            for name in STATES:
                self.node(_iri(name), "State", name.replace("-", " ").title(), f"{name} officials")
            for name in PLACES:
                self.node(_iri(name), "City", name.replace("-", " ").title(), f"in {name}")
        holder = people[-1]
        served = _iri(STATES[k % len(STATES)])
        office = self.node(_iri(f"office-{k:06d}"), "Office", f"Envoy {k}", f"envoy number {k}")
        holding = self.node(_iri(f"holding-{k:06d}"), "OfficeHolding", f"Person {k} as envoy", f"the envoy {k}")
        self.add(holding, _pt("holder"), holder)
        self.add(holding, _pt("office"), office)
        self.add(holding, _pt("inServiceOf"), served)
        self.add(holder, _pt("actsOnBehalfOf"), served, inferred=True)
        if k == 0:
            for name, state in SERVES.items():
                self.add(_iri(name), _pt("actsOnBehalfOf"), _iri(state), inferred=True)
        return people + [_iri(s) for s in STATES]

    def sentence(self, source: ox.NamedNode, k: int, i: int) -> ox.NamedNode:
        sentence = ox.NamedNode(f"{source.value}/sentence/{i:03d}")
        self.add(sentence, RDF_TYPE, _pt("Sentence"))
        self.add(sentence, ox.NamedNode(PREFIXES["oa"] + "exact"), ox.Literal(f"Sentence {i} of article {k}."))
        self.add(sentence, ox.NamedNode(PREFIXES["oa"] + "start"), _typed(i * 100, "integer"))
        self.add(sentence, ox.NamedNode(PREFIXES["oa"] + "end"), _typed(i * 100 + 90, "integer"))
        self.add(sentence, _pt("lineNumber"), _typed(i + 1, "integer"))
        self.add(sentence, _pt("fromSource"), source)
        return sentence

    def event(self, k: int, i: int, actors: list[ox.NamedNode], base: date, first: bool) -> ox.NamedNode:
        rng = self.rng
        kind, codes = EVENT_KINDS[(k + i) % len(EVENT_KINDS)]
        slug = "event-oval-office-meeting-feb-28" if first and i == 0 else f"event-{k:06d}-{i:02d}"
        if first and i == 0:
            kind, codes = "Meeting", ["042"]
        event = self.node(_iri(slug), kind, f"{kind} {i} of article {k}", f"the {kind.lower()} {k}-{i}")
        self.add(event, _pt("cameoCode"), ox.NamedNode(BASE + "cameo/" + rng.choice(codes)))
        participants = rng.sample(actors, 3)
        for role, actor in zip(ROLES if i % 2 else ROLES[:2], participants):
            self.add(event, _pt(role), actor)
            self.add(event, _pt("participant"), actor, inferred=True)
        self.add(event, ox.NamedNode(PREFIXES["sem"] + "hasPlace"), _iri(PLACES[(k + i) % len(PLACES)]))
        when = date(2025, 2, 28) if first and i == 0 else base + timedelta(days=3 * i)
        if i % 3 == 0:
            self.add(event, ox.NamedNode(PREFIXES["sem"] + "hasTimeStamp"), _typed(when.isoformat(), "date"))
        elif i % 3 == 1:
            self.add(event, _pt("statedDate"), _typed(when.strftime("--%m-%d"), "gMonthDay"))
            self.add(event, ox.NamedNode(PREFIXES["sem"] + "hasTimeStamp"), _typed(when.isoformat(), "date"),
                     inferred=True)
        else:
            self.add(event, _pt("timeExpression"), ox.Literal("days later"))
        return event

    def proposal(self, k: int, actors: list[ox.NamedNode], events: list[ox.NamedNode], first: bool) -> ox.NamedNode:
        rng = self.rng
        proposal = self.node(_iri("proposal-us-peace-plan" if first else f"proposal-{k:06d}"), "Proposal",
                             f"Proposal {k}", f"a plan numbered {k}")
        self.add(proposal, _pt("proposedBy"), rng.choice(actors))
        self.add(proposal, _pt("concerns"), _iri(ISSUES[k % len(ISSUES)]))
        for j in range(2):
            provision = self.node(_iri(f"provision-{k:06d}-{j}"), "Provision", f"Provision {j} of {k}",
                                  f"clause {j} of plan {k}")
            self.add(proposal, _pt("hasProvision"), provision)
            self.add(provision, _pt("provisionOf"), proposal, inferred=True)
            self.add(provision, _pt("concerns"), _iri(ISSUES[(k + j + 1) % len(ISSUES)]))
        concession = self.node(_iri(f"concession-{k:06d}"), "Concession", f"Concession {k}", f"would give up {k}")
        self.add(concession, _pt("concedingParty"), _iri(STATES[(k + 2) % len(STATES)]))
        self.add(concession, _pt("raisedBy"), rng.choice(actors))
        self.add(concession, _pt("modality"), _pt(MODALITIES[k % len(MODALITIES)]))
        self.add(concession, _pt("raisedIn"), events[1])
        self.add(provision, _pt("entails"), concession)
        for event in events:
            if (k + events.index(event)) % len(EVENT_KINDS) in (3, 4, 5):  # rejections, acceptances, proposals
                self.add(event, _pt("proposes"), proposal)
        return proposal

    def stances(self, k: int, actors: list[ox.NamedNode], proposal: ox.NamedNode, events: list[ox.NamedNode]) -> None:
        previous = None
        holder = self.rng.choice(actors)
        for j, polarity in enumerate(POLARITIES + ["support"]):
            stance = self.node(_iri(f"stance-{k:06d}-{j}"), "Stance", f"Stance {j} on proposal {k}",
                               f"stance {j} on {k}")
            self.add(stance, _pt("holder"), holder)
            self.add(stance, _pt("target"), proposal)
            self.add(stance, _pt("polarity"), _pt(polarity))
            self.add(stance, _pt("expressedIn"), events[3 + j])
            if polarity == "conditionalSupport":
                self.add(stance, _pt("condition"), ox.Literal(f"provided condition {k} holds"))
            if previous is not None:
                self.add(stance, _pt("supersedes"), previous)
            edge = {"support": "supports", "oppose": "opposes", "conditionalSupport": "conditionallySupports"}
            self.add(holder, _pt(edge[polarity]), proposal, inferred=True)
            previous = stance

    def claims(self, k: int, actors: list[ox.NamedNode], events: list[ox.NamedNode]) -> None:
        rng = self.rng
        claim = self.node(_iri(f"claim-{k:06d}"), "Claim", f"Claim {k}", f"more than {k} soldiers")
        self.add(claim, _pt("claimant"), rng.choice(actors))
        self.add(claim, _pt("reportedBy"), _iri("npr"))
        self.add(claim, _pt("value"), _typed(rng.randrange(100, 1_000_000), "decimal"))
        self.add(claim, _pt("bound"), _pt(BOUNDS[k % len(BOUNDS)]))
        self.add(claim, _pt("measure"), ox.Literal("soldiers killed or wounded"))
        self.add(claim, _pt("about"), events[5])
        assessment = self.node(_iri(f"assessment-{k:06d}"), "Assessment", f"Assessment {k}",
                               f"an analyst said {k}")
        self.add(assessment, _pt("claimant"), actors[-6])
        self.add(assessment, _pt("about"), events[6])
        self.add(assessment, _pt("concerns"), _iri(ISSUES[k % len(ISSUES)]))

    def quotations(self, k: int, actors: list[ox.NamedNode], events: list[ox.NamedNode]) -> None:
        for j in range(3):
            quotation = self.node(_iri(f"quotation-{k:06d}-{j}"), "Quotation", f"Quotation {j} of {k}",
                                  f"We are ready {k}-{j}")
            self.add(quotation, _pt("speaker"), actors[(k + j) % len(actors)])
            self.add(quotation, _pt("occasion"), events[j * 3])

    def evidence(self, node: ox.NamedNode, source: ox.NamedNode, sentence: ox.NamedNode) -> None:
        oa = PREFIXES["oa"]
        annotation = ox.NamedNode(f"{RES}evidence/{node.value.rsplit('/', 1)[1]}")
        target = ox.NamedNode(annotation.value + "/target")
        selector = ox.NamedNode(annotation.value + "/selector")
        self.add(node, _pt("evidence"), annotation)
        self.add(annotation, RDF_TYPE, _pt("Evidence"))
        self.add(annotation, RDF_TYPE, ox.NamedNode(oa + "Annotation"))
        self.add(annotation, ox.NamedNode(oa + "hasBody"), node)
        self.add(annotation, ox.NamedNode(oa + "hasTarget"), target)
        self.add(annotation, _pt("inSentence"), sentence)
        self.add(annotation, _pt("fromSource"), source)
        self.add(target, RDF_TYPE, ox.NamedNode(oa + "SpecificResource"))
        self.add(target, ox.NamedNode(oa + "hasSource"), source)
        self.add(target, ox.NamedNode(oa + "hasSelector"), selector)
        self.add(selector, RDF_TYPE, ox.NamedNode(oa + "TextPositionSelector"))
        self.add(selector, ox.NamedNode(oa + "exact"), ox.Literal(f"words about {node.value.rsplit('/', 1)[1]}"))
        self.add(selector, ox.NamedNode(oa + "start"), _typed(10, "integer"))
        self.add(selector, ox.NamedNode(oa + "end"), _typed(40, "integer"))
