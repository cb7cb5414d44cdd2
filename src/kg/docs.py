"""Ontology documentation as one HTML page (pyLODE), published as OUT/docs/ontology.html.

pyLODE embeds a JSON-LD block whose order follows Python's string hashing, so
the same ontology gave different bytes from run to run; the block is re-sorted
here to keep the build deterministic.

pyLODE renders every comment and definition as Markdown, raw HTML included, so
a `<script>` in an ontology comment ran in the page. The page body is therefore
cleaned by nh3 (the ammonia sanitiser) down to the tags pyLODE and Markdown
use, with links to http(s) and mailto only, and the page carries a Content
Security Policy that runs no script and loads nothing but its own inline style
and data: icons.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from pathlib import Path

from kg.buildfolder import DOCS_DIR
from kg.problems import KgError
from kg.project import Project

ONTOLOGY_HTML = "ontology.html"
_JSONLD_BLOCK = re.compile(r'(<script id="schema.org" type="application/ld\+json">)(.*?)(</script>)', re.DOTALL)
_BODY = re.compile(r"(<body>)(.*)(</body>)", re.DOTALL)
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
# What pyLODE writes in the body and what Markdown makes of a comment; nothing that runs or loads.
BODY_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4",
             "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "tbody", "td",
             "th", "thead", "tr", "ul"}
BODY_ATTRIBUTES = {"*": {"class", "id", "title"}, "a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}


def ontology_html(project: Project) -> str:
    """The documentation page of ontology/peace-talks.ttl, deterministic."""
    OntPub = _import_pylode()

    try:
        html = OntPub(_documented_graph(project.ontology), sort_subjects=True).make_html()
    except Exception as err:  # pyLODE raises plain exceptions for ontologies it cannot document
        raise KgError(f"{project.relative(project.ontology)}: pyLODE could not document it: {err}") from None
    html = _JSONLD_BLOCK.sub(lambda m: m.group(1) + _sorted_jsonld(m.group(2)) + m.group(3), html)
    return with_csp(_BODY.sub(lambda m: m.group(1) + clean_body(m.group(2)) + m.group(3), html, count=1))


def _documented_graph(path: Path):
    """The ontology as pyLODE should see it.

    pyLODE takes every skos:ConceptScheme in the file for the ontology itself: the page's
    title, IRI and metadata became a mix of pt:polarities, pt:modalities, ... So the code
    lists' schemes lose that type here (their concepts are documented as before)."""
    from rdflib import OWL, RDF, SKOS, Graph

    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as err:  # rdflib raises several types for bad Turtle
        raise KgError(f"{path.name}: malformed Turtle: {err}") from None
    ontologies = set(graph.subjects(RDF.type, OWL.Ontology))
    for scheme in list(graph.subjects(RDF.type, SKOS.ConceptScheme)):
        if scheme not in ontologies:
            graph.remove((scheme, RDF.type, SKOS.ConceptScheme))
    return graph


def clean_body(html: str) -> str:
    """The page body with only the tags and attributes pyLODE uses: no script, no event handler,
    no javascript: link (nh3 drops a <script> with its content)."""
    import nh3

    return nh3.clean(html, tags=BODY_TAGS, attributes=BODY_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=None, strip_comments=True)


def with_csp(html: str) -> str:
    """The page with a Content-Security-Policy meta first in its head: no script runs, nothing is
    fetched; its own <style> blocks (by hash) and data: icons are the only resources allowed."""
    hashes = " ".join("'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode()
                      + "'" for m in _STYLE.finditer(html))
    policy = (f"default-src 'none'; style-src {hashes or chr(39) + 'none' + chr(39)}; img-src data:; "
              "base-uri 'none'; form-action 'none'")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    return html.replace("<head>", "<head>\n    " + meta, 1)


def _import_pylode():
    """pyLODE's import calls logging.basicConfig(level=DEBUG) on the root logger; undo that."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    from pylode import OntPub

    root.setLevel(level)
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    return OntPub


def _sorted_jsonld(text: str) -> str:
    return "\n" + canonical_json(json.loads(text), indent=2)


def canonical_json(data, indent: int = 1) -> str:
    """JSON-LD text with keys and unordered arrays sorted: the same graph gives the same bytes."""
    return json.dumps(_sorted_values(data), indent=indent, sort_keys=True, ensure_ascii=False) + "\n"


def _sorted_values(data, ordered: bool = False):
    """JSON-LD arrays are sets, except the values of @list, whose order is kept."""
    if isinstance(data, dict):
        return {key: _sorted_values(value, key == "@list") for key, value in data.items()}
    if isinstance(data, list):
        values = [_sorted_values(v) for v in data]
        return values if ordered else sorted(values, key=lambda v: json.dumps(v, sort_keys=True))
    return data


def ontology_docs(project: Project, previous: Path | None = None) -> dict[str, bytes]:
    """docs/ontology.html and its stamp, as files to publish. pyLODE takes about a second, so the page
    of the `previous` generation folder is reused when the ontology has not changed."""
    page, stamp = f"{DOCS_DIR}/{ONTOLOGY_HTML}", f"{DOCS_DIR}/{ONTOLOGY_HTML}.sha256"
    # the page depends on the ontology and on how it is made (this module): a change of either remakes it
    digest = hashlib.sha256(project.ontology.read_bytes() + Path(__file__).read_bytes()).hexdigest().encode()
    if previous and (previous / stamp).is_file() and (previous / stamp).read_bytes() == digest \
            and (previous / page).is_file():
        return {page: (previous / page).read_bytes(), stamp: digest}
    return {page: ontology_html(project).encode("utf-8"), stamp: digest}
