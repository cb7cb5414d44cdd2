"""The ontology file and its Python mirror agree; every term is documented; the header is complete."""

from __future__ import annotations

import shutil

import owlready2
import pytest
from conftest import require
from owlready2 import OwlReadyInconsistentOntologyError
from owlready2.reasoning import sync_reasoner_hermit
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS

from kg.namespaces import ONTOLOGY_IRI, PT

PT_NS = str(PT)


@pytest.fixture(scope="module")
def ontology(project) -> Graph:
    graph = Graph()
    graph.parse(project.ontology)
    return graph


def ontology_terms(ontology: Graph) -> set[str]:
    return {str(s)[len(PT_NS):] for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(PT_NS)}


def test_python_mirror_defines_exactly_the_ontology_terms(ontology):
    mirror = set(PT.__annotations__)
    terms = ontology_terms(ontology)
    assert sorted(terms - mirror) == [], "in the ontology but not in kg.namespaces.PT: add them there"
    assert sorted(mirror - terms) == [], "in kg.namespaces.PT but not in the ontology: remove them or define them"


def test_mirror_refuses_a_typo():
    with pytest.raises(AttributeError):
        PT.Stanse  # noqa: B018


def test_every_term_has_a_label_and_a_comment(ontology):
    missing = [f"pt:{t}: {what}" for t in sorted(ontology_terms(ontology))
               for what, prop in (("rdfs:label", RDFS.label), ("rdfs:comment", RDFS.comment))
               if ontology.value(PT[t], prop) is None]
    assert missing == []


def test_every_class_and_property_is_declared(ontology):
    declared = set(ontology.subjects(RDF.type, OWL.Class)) | set(ontology.subjects(RDF.type, OWL.ObjectProperty)) \
        | set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    used = {p for p in ontology.predicates() if str(p).startswith(PT_NS)} \
        | {o for o in ontology.objects(None, RDFS.subClassOf) if str(o).startswith(PT_NS)}
    assert sorted(str(t) for t in used - declared) == []


def test_header_is_complete(ontology):
    header = {str(p) for p in ontology.predicates(ONTOLOGY_IRI)}
    for prop in (OWL.versionIRI, DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.creator):
        assert str(prop) in header, prop
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology


def test_standard_vocabularies_are_aligned_not_imported(ontology):
    assert not list(ontology.objects(ONTOLOGY_IRI, OWL.imports))
    supers = {str(o) for o in ontology.objects(None, RDFS.subClassOf)} | {str(o) for o in ontology.objects(None, RDFS.subPropertyOf)}
    for vocabulary in ("http://www.w3.org/ns/prov#", "https://schema.org/", "http://semanticweb.cs.vu.nl/2009/11/sem/",
                       "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/oa#", "http://www.w3.org/2006/time#"):
        assert any(s.startswith(vocabulary) for s in supers), vocabulary


# --- OWL 2 DL ------------------------------------------------------------------------------

# The OWL 2 datatype map (OWL 2 Structural Specification, section 4), plus rdfs:Literal.
_XSD = "http://www.w3.org/2001/XMLSchema#"
OWL2_DATATYPES = {_XSD + n for n in (
    "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short byte "
    "unsignedLong unsignedInt unsignedShort unsignedByte double float string normalizedString token language "
    "Name NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp").split()} | {
    "http://www.w3.org/2000/01/rdf-schema#Literal", "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral", "http://www.w3.org/2002/07/owl#real",
    "http://www.w3.org/2002/07/owl#rational"}


@pytest.fixture(scope="module")
def vocabulary(project) -> Graph:
    graph = Graph()
    for path in project.vocabulary_files:
        graph.parse(path)
    return graph


def test_every_datatype_is_in_the_owl2_map_or_declared(vocabulary):
    used = {o for p in vocabulary.subjects(RDF.type, OWL.DatatypeProperty) for o in vocabulary.objects(p, RDFS.range)}
    declared = set(vocabulary.subjects(RDF.type, RDFS.Datatype))
    assert sorted(str(d) for d in used if str(d) not in OWL2_DATATYPES and d not in declared) == []


def test_no_property_is_punned(vocabulary):
    """A term is one kind of property (the audit found pt:statedDate read as data and object property)."""
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    punned = [str(t) for t in set(vocabulary.subjects(RDF.type, None))
              if sum((t, RDF.type, k) in vocabulary for k in kinds) > 1
              or (any((t, RDF.type, k) in vocabulary for k in kinds) and (t, RDF.type, OWL.Class) in vocabulary)]
    assert punned == []


def test_every_external_term_used_is_declared(vocabulary):
    """OWL 2 DL: a class or property of another vocabulary that the ontology uses is declared here."""
    builtin = (str(RDF), str(RDFS), str(OWL), _XSD)
    declared = set(vocabulary.subjects(RDF.type, None))
    used = set(vocabulary.predicates()) | set(vocabulary.objects(None, RDFS.subClassOf)) \
        | set(vocabulary.objects(None, RDFS.subPropertyOf)) | set(vocabulary.objects(None, RDFS.domain)) \
        | set(vocabulary.objects(None, RDFS.range)) | set(vocabulary.objects(None, RDF.type))
    missing = sorted(str(t) for t in used if isinstance(t, URIRef) and not str(t).startswith(builtin)
                     and t not in declared)
    assert missing == []


def test_every_vocabulary_file_has_an_ontology_header(project):
    for path in project.vocabulary_files:
        graph = Graph()
        graph.parse(path)
        headers = list(graph.subjects(RDF.type, OWL.Ontology))
        assert len(headers) == 1, path.name
        assert graph.value(headers[0], DCTERMS.title) is not None, path.name


def _hermit(tmp_path, graph: Graph) -> list[str]:
    """Run HermiT (owlready2) on the graph: raises on inconsistency, returns the unsatisfiable classes.

    Datatypes outside the OWL 2 map (xsd:date, xsd:gMonthDay, xsd:duration) are declared in the
    ontology; HermiT is told to treat them as opaque rather than refuse them."""
    require(shutil.which("java") is not None, "no Java runtime (apt-get install default-jre-headless)")
    path = tmp_path / "ontology.nt"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load(format="ntriples")
    sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)
    return sorted(str(c.iri) for c in world.inconsistent_classes())


def test_hermit_finds_the_ontology_and_the_graph_consistent_with_no_unsatisfiable_class(project, vocabulary, tmp_path):
    graph = Graph()
    graph += vocabulary
    for path in project.graph_files:
        graph.parse(path)
    assert _hermit(tmp_path, graph) == []


def test_hermit_rejects_an_iri_of_two_disjoint_kinds(project, vocabulary, tmp_path):
    """The disjointness axioms can fail: Trump (a pt:Person) typed as a pt:City is inconsistent."""
    graph = Graph()
    graph += vocabulary
    for path in project.graph_files:
        graph.parse(path)
    graph.add((URIRef("https://w3id.org/peace-talks-kg/id/trump"), RDF.type, PT.City))
    with pytest.raises(OwlReadyInconsistentOntologyError):
        _hermit(tmp_path, graph)


# --- PLOVER beside CAMEO -------------------------------------------------------------------

PLOVER_NS = "https://w3id.org/peace-talks-kg/plover/"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"

# CAMEO2PLOVER-2021.txt, "PLOVER manual version Draft 0.8, 17-September-2021" (github.com/openeventdata/PLOVER,
# commit e834df5b3a302f99af1f23cda08fa34b383ca598),
# the lines for the codes of ontology/cameo.ttl, copied as they are: "code: TYPE, mode, context # name".
# It has no line for CAMEO 01 and 02.
OFFICIAL_MAPPING = """\
030: AGREE,  , diplomatic # Express intent to cooperate
0311: AGREE,  ,   economic # Express intent to cooperate economically
0332: AGREE,  ,   military # Express intent to provide military aid
0356: AGREE,  ,   military # Express intent to de-escalate military engagement
036: AGREE,  , diplomatic # Express intent to meet or negotiate
040: CONSULT, ,  # Consult
041: CONSULT, phone,   # Discuss by telephone
042: CONSULT, visit,   # Make a visit
043: CONSULT, visit,   # Host a visit
044: CONSULT, third-party,   # Meet at a 'third' location
045: CONSULT,   , diplomatic    # Engage in mediation
046: CONSULT,   , diplomatic    # Engage in negotiation
051: SUPPORT,  , diplomatic # Praise or endorse
057: SUPPORT,  , diplomatic # Sign formal agreement
064: COOPERATE,   , intelligence  # Share intelligence or information
070: AID,   ,  # Provide aid
0841: RETREAT, release,   legal # Return, release person(s)
0871: RETREAT, ceasefire, military # Declare truce, ceasefire
100: REQUEST,  ,  # REQUEST
1056: REQUEST, yield, military # Demand de-escalation of military engagement
111: ACCUSE, disapprove,    # Criticize or denounce
112: ACCUSE, disapprove,    # Accuse
120: REJECT,  ,    # Reject
1211: REJECT, assist, economic # Reject economic cooperation
1246: REJECT, yield, military # Decline to de-escalate military engagement
125: REJECT, meet, diplomatic # Reject proposal to meet, discuss, negotiate
127: REJECT, meet, diplomatic # Reject plan, agreement to settle dispute
128: REJECT, yield, legal # Defy norms, law
130: THREATEN,   ,  # Threaten
1622: SANCTION, discontinue,   military    # Reduce or stop military assistance
163: COERCE, restrict,   diplomatic # Impose embargo, boycott, or sanctions
190: ASSAULT, , military # Use conventional military force
192: COERCE, seize, military          # Occupy territory
195: ASSAULT, heavy-weapons, military # Employ aerial weapons
"""


def official_mapping() -> dict[str, tuple[str, str, str]]:
    mapping = {}
    for line in OFFICIAL_MAPPING.splitlines():
        code, rest = line.split(":", 1)
        kind, mode, context = (part.strip() for part in rest.split("#")[0].split(","))
        mapping[code] = (kind, mode, context)
    return mapping


def plover_coding(vocabulary: Graph, code: URIRef) -> tuple[str, str, str]:
    def name(prop: str, prefix: str) -> str:
        value = vocabulary.value(code, PT[prop])
        return "" if value is None else str(value).removeprefix(PLOVER_NS).removeprefix(PT_NS).removeprefix(prefix)
    kind = name("ploverType", "")
    return kind, name("ploverMode", f"{kind}-"), name("ploverContext", "context-")


def cameo_codes(vocabulary: Graph) -> dict[str, URIRef]:
    return {str(vocabulary.value(c, URIRef(SKOS_NS + "notation"))): c
            for c in vocabulary.subjects(RDF.type, PT.CameoCode) if isinstance(c, URIRef)}


def test_every_plover_concept_has_a_label_a_definition_and_its_scheme(vocabulary):
    concepts = [c for c in set(vocabulary.subjects()) if str(c).startswith(PLOVER_NS) and not str(c).endswith("scheme")]
    missing = [f"{c}: {p}" for c in sorted(concepts, key=str) for p in ("prefLabel", "definition", "inScheme")
               if vocabulary.value(c, URIRef(SKOS_NS + p)) is None]
    assert missing == []
    assert len([c for c in concepts if (c, RDF.type, PT.PloverEventType) in vocabulary]) == 16


def test_cameo_01_and_02_have_no_plover_counterpart_and_every_other_code_a_plover_type(vocabulary):
    codes = cameo_codes(vocabulary)
    marked = sorted(n for n, c in codes.items() if vocabulary.value(c, PT.ploverType) == PT.noPloverCounterpart)
    assert marked == ["010", "012", "013", "014", "019", "025", "0256"]
    typed = sorted(n for n, c in codes.items() if (vocabulary.value(c, PT.ploverType), RDF.type, PT.PloverEventType)
                   in vocabulary)
    assert typed == sorted(official_mapping())
    assert all(vocabulary.value(codes[n], PT.ploverMappingNote) is not None for n in marked)


def test_the_plover_coding_is_the_official_mapping_unless_a_note_says_why(vocabulary):
    codes = cameo_codes(vocabulary)
    departures = {n: (official, plover_coding(vocabulary, codes[n])) for n, official in official_mapping().items()
                  if plover_coding(vocabulary, codes[n]) != official}
    assert departures == {
        # REQUEST is no category of the codebook 0.8, whose own table maps CAMEO 10 to DEMAND
        "100": (("REQUEST", "", ""), ("DEMAND", "", "")),
        "1056": (("REQUEST", "yield", "military"), ("DEMAND", "yield", "military")),
        # "Accuse": the codebook's mode allege is "formally or informally accuse"
        "112": (("ACCUSE", "disapprove", ""), ("ACCUSE", "allege", "")),
        # a mode the codebook does not define for COERCE: type and context kept, the mode left out
        "192": (("COERCE", "seize", "military"), ("COERCE", "", "military")),
        # COOPERATE is "mutual"; the graph's one 064 is one-way ("the intelligence that the U.S. has provided")
        "064": (("COOPERATE", "", "intelligence"), ("AID", "", "intelligence")),
        # "Declare truce, ceasefire": the codebook puts declarations of ceasefires in CONCEDE
        "0871": (("RETREAT", "ceasefire", "military"), ("CONCEDE", "", "military")),
    }
    assert all(vocabulary.value(codes[n], PT.ploverMappingNote) is not None for n in departures)


def test_every_plover_mode_belongs_to_its_type(vocabulary):
    wrong = [str(c) for c in vocabulary.subjects(PT.ploverMode, None)
             if vocabulary.value(vocabulary.value(c, PT.ploverMode), URIRef(SKOS_NS + "broader"))
             != vocabulary.value(c, PT.ploverType)]
    assert wrong == []
