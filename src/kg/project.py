"""Where the project's hand-edited inputs live.

Everything the build reads is found from one root folder, so tests can point
the build at a copy of the project with one defect planted in it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kg.problems import KgError

DEFAULT_OUT = Path("build")


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def ontology(self) -> Path:
        return self.root / "ontology" / "peace-talks.ttl"

    @property
    def vocabulary_files(self) -> list[Path]:
        """The ontology and the code lists, loaded into the vocabulary graph."""
        return [self.ontology, self.root / "ontology" / "cameo.ttl", self.root / "ontology" / "plover.ttl"]

    @property
    def shapes(self) -> Path:
        return self.root / "ontology" / "shapes.ttl"

    @property
    def rules_dir(self) -> Path:
        return self.root / "ontology" / "rules"

    @property
    def graph_dir(self) -> Path:
        return self.root / "graph"

    @property
    def graph_files(self) -> list[Path]:
        """Fact files: graph/<source slug>/*.ttl, each quoting the source its folder names."""
        return sorted(self.graph_dir.glob("*/*.ttl"))

    @property
    def sources_dir(self) -> Path:
        """One folder per source: sources/<slug>/ with its text and source.toml (kg.sources reads them)."""
        return self.root / "sources"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def checks_dir(self) -> Path:
        return self.root / "queries" / "checks"

    @property
    def external_dir(self) -> Path:
        """Outside knowledge with its sources: the external layer's inputs."""
        return self.root / "graph" / "external"

    def relative(self, path: Path) -> str:
        """A path as shown in messages: relative to the root when inside it."""
        try:  # realpath, not resolve(): a symlink loop must not raise while its message is written
            return str(Path(os.path.realpath(path)).relative_to(os.path.realpath(self.root)))
        except ValueError:
            return str(path)


def find_project(start: Path | None = None) -> Project:
    """The project root: $KG_ROOT, else the nearest folder upward with ontology/ and graph/,
    else the source tree this package was installed from (editable install)."""
    if env := os.environ.get("KG_ROOT"):
        return _checked(Path(env))
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "ontology" / "peace-talks.ttl").is_file() and (folder / "graph").is_dir():
            return Project(folder)
    source_tree = Path(__file__).resolve().parents[2]
    return _checked(source_tree)


def _checked(root: Path) -> Project:
    project = Project(root)
    if not project.ontology.is_file():
        raise KgError(f"{project.ontology}: missing: not a peace-talks-kg project folder (set KG_ROOT)")
    return project
