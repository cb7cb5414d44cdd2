"""The build folder (`--out`, default build/): its file names, the dataset's graphs, loading and publishing.

Every command that reads or writes the dataset goes through this module, so the
names of the files and of the layers live here and nowhere else.

Publishing is one unit. The files of the dataset (dataset.trig, dataset.ttl,
void.ttl, enrichment.ttl, docs/) are written into a new generation folder,
`.generations/N/`; then the link `current` is switched to it with one atomic
rename. `OUT/dataset.trig` and its siblings are links through `current`, so a
reader sees either the old generation or the new one, never a mix, and a run
killed at any point leaves the previous generation in place. A lock file keeps
two writers (two builds, a build and an enrich) on one folder from interleaving.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg.namespaces import (
    GRAPH_ASSERTED,
    GRAPH_EXTERNAL,
    GRAPH_INFERRED,
    GRAPH_SOURCES,
    GRAPH_VOCABULARY,
)
from kg.problems import KgError

DATASET_TRIG = "dataset.trig"
DATASET_TTL = "dataset.ttl"
VOID_TTL = "void.ttl"
ENRICHMENT_TTL = "enrichment.ttl"
DOCS_DIR = "docs"

# The story layers, which a user switches on and off, and their named graphs.
LAYERS: dict[str, URIRef] = {
    "asserted": GRAPH_ASSERTED,
    "inferred": GRAPH_INFERRED,
    "external": GRAPH_EXTERNAL,
}
LAYER_NAMES = tuple(LAYERS)
DEFAULT_LAYERS = "asserted,inferred,external"
# Reference graphs, always loaded: the ontology and code lists, and the catalogue of sources.
REFERENCE_GRAPHS: dict[str, URIRef] = {"vocabulary": GRAPH_VOCABULARY, "sources": GRAPH_SOURCES}
GRAPHS: dict[str, URIRef] = {**REFERENCE_GRAPHS, **LAYERS}

_GENERATIONS = ".generations"
_CURRENT = "current"
_LOCK = ".lock"
_LOCK_WAIT = 600.0  # seconds a writer waits for another writer before giving up
_KEEP = 2  # generations kept: the current one, and the one a slow reader may still be reading


@dataclass
class Layers:
    """The dataset in memory: every named graph."""

    vocabulary: Graph
    sources: Graph
    asserted: Graph
    inferred: Graph
    external: Graph

    def named(self) -> dict[URIRef, Graph]:
        return {iri: getattr(self, name) for name, iri in GRAPHS.items()}


def parse_layers(text: str, option: str = "--layers") -> tuple[str, ...]:
    """'asserted,inferred' -> ('asserted', 'inferred'), each once; an unknown name is a usage error."""
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = [name for name in names if name not in LAYERS]
    if unknown or not names:
        raise KgError(f"{option}: unknown layer(s) {', '.join(unknown) or '(none given)'}; "
                      f"choose from {', '.join(LAYER_NAMES)}")
    return names


class BuildFolder:
    """One `--out` folder."""

    def __init__(self, out: Path):
        self.out = Path(out)
        if self.out.exists() and not self.out.is_dir():
            raise KgError(f"{self.out}: --out names a file, not a folder")

    @property
    def dataset(self) -> Path:
        return self.out / DATASET_TRIG

    def current(self) -> Path | None:
        """The generation folder readers see now (resolved once, so a reader stays on one generation)."""
        link = self.out / _CURRENT
        return link.resolve() if link.is_dir() else None

    def path(self, name: str) -> Path:
        """A published file of the current generation, e.g. path(ENRICHMENT_TTL)."""
        current = self.current()
        return (current or self.out) / name

    def require_dataset(self) -> Path:
        path = self.path(DATASET_TRIG)
        if not path.is_file():
            raise KgError(f"{self.dataset}: no built dataset: run `kg build --out {self.out}` first")
        return path

    def load_store(self) -> ox.Store:
        """The built dataset, every named graph, in an in-memory Oxigraph store."""
        path = self.require_dataset()
        store = ox.Store()
        try:
            store.load(path=str(path), format=ox.RdfFormat.TRIG)
        except (SyntaxError, ValueError, OSError) as err:
            raise KgError(f"{self.dataset}: damaged dataset ({_one_line(err)}); run `kg build --out {self.out}` again") from None
        return store

    def load_layers(self) -> Layers:
        """The built dataset as rdflib graphs, one per named graph. (rdflib, not Oxigraph: an Oxigraph store
        gives numbers their canonical form, "-2" for the "-2.0" the files hold.)"""
        from rdflib import Dataset

        path = self.require_dataset()
        dataset = Dataset()
        try:
            dataset.parse(path, format="trig")
        except Exception as err:  # rdflib raises several types for bad input
            raise KgError(f"{self.dataset}: damaged dataset ({_one_line(err)}); run `kg build --out {self.out}` again") from None
        graphs = {}
        for name, iri in GRAPHS.items():
            graphs[name] = Graph()
            for triple in dataset.graph(iri):
                graphs[name].add(triple)
        return Layers(**graphs)

    def enrichment(self) -> Graph:
        """What `kg enrich` fetched (OUT/enrichment.ttl), or an empty graph, for a rebuild to keep."""
        path = self.path(ENRICHMENT_TTL)
        graph = Graph()
        if path.is_file():
            try:
                graph.parse(path, format="turtle")
            except Exception as err:  # rdflib raises several types for bad input
                raise KgError(f"{self.out / ENRICHMENT_TTL}: malformed Turtle: {_one_line(err)}; "
                              "run `kg enrich` again or delete it") from None
        return graph

    def lock(self) -> AbstractContextManager[None]:
        """Exclusive right to publish into this folder; waits for another writer, with a message."""
        return exclusive(self.out / _LOCK, f"waiting for another kg command writing {self.out} to finish",
                         f"{self.out}: another kg command has held it")

    def publish(self, files: Mapping[str, bytes], carry: tuple[str, ...] = ()) -> Path:
        """Write `files` (name -> bytes, names may contain one folder, e.g. docs/x.html) as a new generation
        and switch to it. Names in `carry` are copied from the current generation when not in `files`.
        Call it holding lock()."""
        generations = self.out / _GENERATIONS
        generations.mkdir(parents=True, exist_ok=True)
        self._remove_stale(generations)
        remove_stale_temporaries(self.out)
        number = 1 + max((int(p.name) for p in generations.iterdir() if p.name.isdigit()), default=0)
        partial = generations / f"{number}.partial"
        partial.mkdir()
        current = self.current()
        for name in carry:
            if name not in files and current and (current / name).exists():
                _copy(current / name, partial / name)
        for name, data in files.items():
            write_new(partial / name, data)
        final = generations / str(number)
        partial.rename(final)
        _switch_link(self.out / _CURRENT, Path(_GENERATIONS) / str(number))
        for name in {Path(n).parts[0] for n in (*files, *carry) if (final / n).exists()}:
            _switch_link(self.out / name, Path(_CURRENT) / name)
        self._remove_old(generations, keep=number)
        return final

    @staticmethod
    def _remove_stale(generations: Path) -> None:
        """What a killed writer left: unfinished generations and temporary files."""
        for path in generations.glob("*.partial"):
            shutil.rmtree(path, ignore_errors=True)

    @staticmethod
    def _remove_old(generations: Path, keep: int) -> None:
        for path in generations.iterdir():
            if path.name.isdigit() and int(path.name) <= keep - _KEEP:
                shutil.rmtree(path, ignore_errors=True)


@contextmanager
def exclusive(path: Path, waiting: str | None, busy: str, wait: float = _LOCK_WAIT) -> Iterator[None]:
    """Hold an exclusive lock on the file `path` for the block. When another process holds it, print
    `waiting` (if any) and wait, at most `wait` seconds; then fail: "`busy` for N s; try again".

    An flock, released when the file is closed, also by a killed process. The standard library's fcntl
    rather than the filelock package: importing that costs a cold `kg build` 0.15 s."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(handle):
            if waiting:
                print(waiting, flush=True)
            deadline = time.monotonic() + wait
            while not _try_lock(handle):
                if time.monotonic() > deadline:
                    raise KgError(f"{busy} for {wait:.0f} s; try again")
                time.sleep(0.05)
        yield
    finally:
        os.close(handle)


def _try_lock(handle: int) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def write_new(path: Path, data: bytes) -> None:
    """Write a file that nobody reads yet, with the mode the umask gives (0644 under 022)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle:
        handle.write(data)


def remove_stale_temporaries(folder: Path) -> None:
    """Temporary files that a killed run of write_atomically left in `folder`."""
    for path in folder.glob(".*.tmp"):
        if path.is_file():
            path.unlink(missing_ok=True)


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)


def _switch_link(link: Path, target: Path) -> None:
    """Point `link` at `target` in one rename; a file or folder of the old layout there is replaced."""
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    tmp = link.with_name(f".{link.name}.{os.getpid()}.link.tmp")
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(target)
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)
    os.replace(tmp, link)


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:300]
