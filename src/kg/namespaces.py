"""The project's namespaces, named graphs and vocabulary terms.

`PT` is a DefinedNamespace: `PT.Stance` works, `PT.Stanse` raises, so a typo
in code cannot mint a new IRI. tests/test_ontology.py checks that it and
ontology/peace-talks.ttl define the same terms.
"""

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/peace-talks-kg/"
PTR = Namespace(BASE + "id/")
CAMEO = Namespace(BASE + "cameo/")
PLOVER = Namespace(BASE + "plover/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
TIME = Namespace("http://www.w3.org/2006/time#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")

ONTOLOGY_IRI = URIRef(BASE + "ontology")

# Named graphs of the built dataset (kg.buildfolder names them). The three
# layers keep what the sources say apart from what rules derive and from
# outside knowledge; the vocabulary graph carries the ontology and code lists
# so that queries can read labels and Goldstein scores.
GRAPH_VOCABULARY = URIRef(BASE + "graph/vocabulary")
GRAPH_ASSERTED = URIRef(BASE + "graph/asserted")
GRAPH_INFERRED = URIRef(BASE + "graph/inferred")
GRAPH_EXTERNAL = URIRef(BASE + "graph/external")
# The catalogue of sources (their descriptions and sentences): reference data, always loaded.
GRAPH_SOURCES = URIRef(BASE + "graph/sources")

PREFIXES: dict[str, str] = {
    "pt": "https://w3id.org/peace-talks-kg/ontology#",
    "ptr": str(PTR),
    "cameo": str(CAMEO),
    "plover": str(PLOVER),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": str(SCHEMA),
    "sem": str(SEM),
    "oa": str(OA),
    "time": str(TIME),
    "dcterms": "http://purl.org/dc/terms/",
    "void": str(VOID),
    "dcat": str(DCAT),
    "wd": str(WD),
    "wdt": str(WDT),
}


def sparql_prologue() -> str:
    """PREFIX lines for every namespace above, for queries built in code."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


class PT(DefinedNamespace):
    """Terms of ontology/peace-talks.ttl."""

    _NS = Namespace("https://w3id.org/peace-talks-kg/ontology#")
    _fail = True

    # Classes
    Acceptance: URIRef
    Accusation: URIRef
    Actor: URIRef
    Agreement: URIRef
    AidResumption: URIRef
    AidSuspension: URIRef
    Annexation: URIRef
    Announcement: URIRef
    ArmedForces: URIRef
    Assessment: URIRef
    Bound: URIRef
    Building: URIRef
    CameoCode: URIRef
    Ceasefire: URIRef
    City: URIRef
    Claim: URIRef
    CommunicativeAct: URIRef
    Concession: URIRef
    Goal: URIRef
    Degree: URIRef
    degrees: URIRef
    relatively: URIRef
    nearlyUnqualified: URIRef
    notable: URIRef
    fundamental: URIRef
    firmly: URIRef
    little: URIRef
    muchMore: URIRef
    some: URIRef
    never: URIRef
    key: URIRef
    limited: URIRef
    permanently: URIRef
    often: URIRef
    frequently: URIRef
    notEasily: URIRef
    notQuickly: URIRef
    degree: URIRef
    Outcome: URIRef
    Criticism: URIRef
    Event: URIRef
    EventStatus: URIRef
    Evidence: URIRef
    Exclusion: URIRef
    GovernmentBody: URIRef
    Group: URIRef
    Inauguration: URIRef
    Interaction: URIRef
    InternationalOrganization: URIRef
    Invasion: URIRef
    Issue: URIRef
    JointStatement: URIRef
    MaterialAct: URIRef
    MediaOrganization: URIRef
    Meeting: URIRef
    Mention: URIRef
    MetonymicMention: URIRef
    MilitaryStrike: URIRef
    Occasion: URIRef
    Modality: URIRef
    NegotiationRound: URIRef
    Office: URIRef
    OfficeHolding: URIRef
    Organization: URIRef
    Person: URIRef
    PhoneCall: URIRef
    Photo: URIRef
    Place: URIRef
    Platform: URIRef
    Pledge: URIRef
    PloverContext: URIRef
    PloverEventType: URIRef
    PloverMode: URIRef
    Polarity: URIRef
    PrisonerExchange: URIRef
    Proposal: URIRef
    ProposalAct: URIRef
    Provision: URIRef
    Quotation: URIRef
    Region: URIRef
    Rejection: URIRef
    Sentence: URIRef
    SequenceMarker: URIRef
    SocialMediaPost: URIRef
    Source: URIRef
    SourceArticle: URIRef
    SourceReadout: URIRef
    SourceTranscript: URIRef
    SourceStatement: URIRef
    SourceReport: URIRef
    TestText: URIRef
    Stance: URIRef
    State: URIRef
    Statement: URIRef
    ThinkTank: URIRef
    WaterBody: URIRef

    # Properties
    about: URIRef
    aboutPlace: URIRef
    actsOnBehalfOf: URIRef
    addressee: URIRef
    agent: URIRef
    aimedAt: URIRef
    announces: URIRef
    answers: URIRef
    assists: URIRef
    attendee: URIRef
    attributionNote: URIRef
    reiterationNote: URIRef
    participantsNote: URIRef
    beneficiary: URIRef
    bound: URIRef
    bordersOn: URIRef
    cameoCode: URIRef
    candidateClaimant: URIRef
    claimant: URIRef
    compensationFor: URIRef
    concedingParty: URIRef
    concerns: URIRef
    condition: URIRef
    conditionallySupports: URIRef
    counterpartOf: URIRef
    depicts: URIRef
    distributedBy: URIRef
    duration: URIRef
    earlierEvent: URIRef
    entails: URIRef
    evidence: URIRef
    excludedFrom: URIRef
    excludedParty: URIRef
    expressedIn: URIRef
    extendsBeyond: URIRef
    facilitator: URIRef
    follows: URIRef
    goldsteinScore: URIRef
    hasProvision: URIRef
    holder: URIRef
    host: URIRef
    inAdditionTo: URIRef
    signalsShiftFrom: URIRef
    heldSince: URIRef
    inSentence: URIRef
    inServiceOf: URIRef
    insteadOf: URIRef
    isCaption: URIRef
    laterEvent: URIRef
    ledBy: URIRef
    lineNumber: URIRef
    markerText: URIRef
    locatedIn: URIRef
    measure: URIRef
    meets: URIRef
    memberOf: URIRef
    mentionOf: URIRef
    modality: URIRef
    occasion: URIRef
    office: URIRef
    opposes: URIRef
    partOf: URIRef
    partOfGovernment: URIRef
    participant: URIRef
    per: URIRef
    photoCredit: URIRef
    ploverContext: URIRef
    ploverMappingNote: URIRef
    ploverMode: URIRef
    ploverType: URIRef
    polarity: URIRef
    precedes: URIRef
    proposedBy: URIRef
    proposes: URIRef
    provisionOf: URIRef
    dateFromPublicationOf: URIRef
    publishedEarliest: URIRef
    publishedLatest: URIRef
    publicationReason: URIRef
    slug: URIRef
    quote: URIRef
    raisedBy: URIRef
    raisedIn: URIRef
    realizes: URIRef
    recipient: URIRef
    reportedBy: URIRef
    resultedIn: URIRef
    roleDescription: URIRef
    rule: URIRef
    seatOf: URIRef
    serviceContext: URIRef
    serviceReason: URIRef
    governmentReason: URIRef
    sha256: URIRef
    sign: URIRef
    since: URIRef
    fromSource: URIRef
    sourcesDisagreeOn: URIRef
    speaker: URIRef
    statedDate: URIRef
    statedMonth: URIRef
    status: URIRef
    supersedes: URIRef
    supports: URIRef
    target: URIRef
    timeExpression: URIRef
    value: URIRef
    viaPlatform: URIRef
    violationOf: URIRef
    wardOf: URIRef
    worksFor: URIRef
    wouldRealize: URIRef

    # Individuals (code lists)
    bounds: URIRef
    announcedNotHeld: URIRef
    believed: URIRef
    conditionalSupport: URIRef
    declaredReady: URIRef
    demanded: URIRef
    estimate: URIRef
    eventStatuses: URIRef
    exactValue: URIRef
    hedges: URIRef
    hypothetical: URIRef
    limitedToCurrentForm: URIRef
    modalities: URIRef
    moreThan: URIRef
    noPloverCounterpart: URIRef
    occurred: URIRef
    offered: URIRef
    oppose: URIRef
    ongoing: URIRef
    upToTimeOfWriting: URIRef
    planned: URIRef
    polarities: URIRef
    proposed: URIRef
    required: URIRef
    seemingly: URIRef
    suggested: URIRef
    support: URIRef
    wouldConsider: URIRef
    showingSigns: URIRef
    insisted: URIRef
