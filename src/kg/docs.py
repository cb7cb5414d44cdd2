"""Ontology documentation as one HTML page (pyLODE), written to OUT/docs/ontology.html.

pyLODE embeds a JSON-LD block whose order follows Python's string hashing, so
the same ontology gave different bytes from run to run; the block is re-sorted
here to keep the build deterministic.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path

from kg.problems import KgError
from kg.project import Project
from kg.serialize import write_atomically

DOCS_DIR = "docs"
ONTOLOGY_HTML = "ontology.html"
_JSONLD_BLOCK = re.compile(r'(<script id="schema.org" type="application/ld\+json">)(.*?)(</script>)', re.DOTALL)


def ontology_html(project: Project) -> str:
    """The documentation page of ontology/peace-talks.ttl, deterministic."""
    OntPub = _import_pylode()

    try:
        html = OntPub(project.ontology, sort_subjects=True).make_html()
    except Exception as err:  # pyLODE raises plain exceptions for ontologies it cannot document
        raise KgError(f"{project.relative(project.ontology)}: pyLODE could not document it: {err}") from None
    return _JSONLD_BLOCK.sub(lambda m: m.group(1) + _sorted_jsonld(m.group(2)) + m.group(3), html)


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


def write_ontology_docs(project: Project, out: Path) -> Path:
    """Regenerate the page only when the ontology changed: pyLODE takes about a second."""
    path = out / DOCS_DIR / ONTOLOGY_HTML
    stamp = path.with_suffix(".sha256")
    digest = hashlib.sha256(project.ontology.read_bytes()).hexdigest()
    if path.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == digest:
        return path
    write_atomically(path, ontology_html(project))
    write_atomically(stamp, digest)
    return path
