"""Validation of the compiled layers: SHACL shapes and the *-violation.rq checks.

A check query returns one row per offending node, with ?node and ?reason;
any row fails the build.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Namespace, URIRef

from kg.problems import KgError, Problem
from kg.project import Project
from kg.store import select
from kg.turtle import parse_turtle, short_name

SH = Namespace("http://www.w3.org/ns/shacl#")


def validate_layers(shacl_data: Graph, store, project: Project, index) -> list[Problem]:
    """SHACL over `shacl_data` (vocabulary, curated and inferred triples; validated in place, so pass a
    graph made for it); the checks over `store`."""
    problems = shacl_problems(shacl_data, project, index)
    for check in check_files(project):
        try:
            rows = select(store, check.read_text(encoding="utf-8"))
        except SyntaxError as err:
            raise KgError(f"{project.relative(check)}: SPARQL syntax error: {err}") from None
        for row in rows:
            node = row.get("node")
            reason = str(row.get("reason", "returned a row"))
            problems.append(index.problem(node, f"{reason} [{check.name}]") if isinstance(node, URIRef)
                            else Problem(project.relative(check), None, str(node or ""), reason))
    return problems


def check_files(project: Project) -> list[Path]:
    return sorted(project.checks_dir.glob("*-violation.rq"))


def shacl_problems(data: Graph, project: Project, index) -> list[Problem]:
    import pyshacl

    shapes = parse_turtle(project.shapes, project)
    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", abort_on_first=False, allow_warnings=True, advanced=True,
        inplace=True,  # the data graph is a fresh union made for this check: no need to copy it again
    )
    if conforms:
        return []
    problems = []
    for result in results.subjects(predicate=SH.focusNode):
        focus = results.value(result, SH.focusNode)
        message = results.value(result, SH.resultMessage)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        detail = f" (path {short_name(path)})" if isinstance(path, URIRef) else ""
        detail += f" (value {value})" if value is not None else ""
        problems.append(index.problem(focus, f"SHACL: {message}{detail}"))
    return problems
