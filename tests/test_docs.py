"""The ontology page (OUT/docs/ontology.html): a hostile comment in the ontology runs nothing there."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from kg.docs import ontology_html
from kg.project import Project

HOSTILE = '''
pt:HostileTerm a owl:Class ;
    rdfs:label "hostile term"@en ;
    rdfs:comment """A comment <script>document.title = 'pwned'</script> with <img src="x" onerror="alert(1)">
and [a link](javascript:alert(2)) and <iframe src="https://example.org/"></iframe> and
<a href="https://example.org/ok" onclick="alert(3)">a fair link</a>."""@en .
'''


def hostile_project(project: Project, tmp_path: Path) -> Project:
    (tmp_path / "ontology").mkdir()
    shutil.copy(project.ontology, tmp_path / "ontology" / "peace-talks.ttl")
    with (tmp_path / "ontology" / "peace-talks.ttl").open("a", encoding="utf-8") as stream:
        stream.write(HOSTILE)
    return Project(tmp_path)


def test_a_script_in_an_ontology_comment_is_not_in_the_page(project, tmp_path):
    html = ontology_html(hostile_project(project, tmp_path))
    body = html[html.index("<body>"):]
    assert "A comment" in body and "hostile term" in body  # the term is documented
    assert "<script" not in body and "pwned" not in body
    assert "<img" not in body and "onerror" not in body and "<iframe" not in body
    assert "javascript:" not in body and "onclick" not in body
    assert '<a href="https://example.org/ok">a fair link</a>' in body  # a plain link stays
    # the head keeps pyLODE's JSON-LD data block, which is not script that runs
    assert re.findall(r"<script[^>]*>", html) == ['<script id="schema.org" type="application/ld+json">']


def test_the_page_has_a_csp_that_runs_no_script(built):
    html = (built / "docs" / "ontology.html").read_text(encoding="utf-8")
    head = html[:html.index("</head>")]
    [policy] = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', head)
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"  # no script-src: scripts fall back to 'none'
    assert "script-src" not in directives and directives["img-src"] == "data:"
    assert directives["style-src"].startswith("'sha256-")
    assert head.index("Content-Security-Policy") < head.index("<style>")


def test_the_page_documents_the_ontology_not_its_code_lists(built):
    html = (built / "docs" / "ontology.html").read_text(encoding="utf-8")
    assert "<title>Peace Talks Knowledge Graph ontology</title>" in html
    # pyLODE took every skos:ConceptScheme for the ontology: the IRI shown was pt:polarities
    assert "<code>https://w3id.org/peace-talks-kg/ontology</code>" in html or \
        ">https://w3id.org/peace-talks-kg/ontology<" in html
    assert "ontology#polarities</" not in html
