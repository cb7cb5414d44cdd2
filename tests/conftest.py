"""Shared fixtures: the dataset is built once per test session into a temporary folder."""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path

import pytest

from kg.project import Project, find_project

ROOT = Path(__file__).resolve().parents[1]

# In CI (.ci/run sets KG_REQUIRE_ALL=1) a missing browser or server fails the
# test instead of skipping it, so a green run means those tests really ran.
REQUIRE_ALL = os.environ.get("KG_REQUIRE_ALL") == "1"


# Every test that starts a server (a fixture below or a LoopbackServer) must be
# marked `server`, so `pytest -m "not server"` really runs none.
SERVER_FIXTURES = {"wikidata_endpoint"}
_running: list[pytest.Item] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    unmarked = [item.nodeid for item in items if SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
                and item.get_closest_marker("server") is None]
    if unmarked:
        raise pytest.UsageError("tests that start a server without @pytest.mark.server: " + ", ".join(unmarked))


def pytest_runtest_setup(item: pytest.Item) -> None:
    _running[:] = [item]


def _require_server_marker() -> None:
    if _running and _running[0].get_closest_marker("server") is None:
        pytest.fail(f"{_running[0].nodeid} starts a loopback server: mark it @pytest.mark.server")


def require(condition: bool, reason: str) -> None:
    """Skip when `condition` is false; fail instead under KG_REQUIRE_ALL=1."""
    if condition:
        return
    if REQUIRE_ALL:
        pytest.fail(f"{reason} (KG_REQUIRE_ALL=1: required in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def project() -> Project:
    return find_project(ROOT)


@pytest.fixture(scope="session")
def built(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build folder of one real build of the shipped project."""
    from kg.build import build

    out = tmp_path_factory.mktemp("build")
    build(project, out)
    return out


@pytest.fixture(scope="session")
def store(built: Path):
    """The built dataset in an in-process Oxigraph store (read it, do not modify it)."""
    from kg.store import load_dataset

    return load_dataset(built)


@pytest.fixture(scope="session")
def article(project: Project):
    """The NPR article, the shipped dataset's source."""
    from kg.sources import load_sources

    return next(s for s in load_sources(project) if s.slug == "npr-2025-trump-ukraine-peace").article


@pytest.fixture(scope="session")
def wikidata_endpoint(tmp_path_factory: pytest.TempPathFactory):
    """A read-only Oxigraph server on a free loopback port, loaded with the Wikidata-shaped fixture."""
    from support import servers

    require(servers.executable("oxigraph") is not None, "the oxigraph server binary is not installed (pip install oxigraph)")
    location = tmp_path_factory.mktemp("wikidata-store")
    servers.load_oxigraph_store(location, ROOT / "tests" / "fixtures" / "wikidata-fixture.ttl")
    with servers.start_oxigraph(location, read_only=True, union_default_graph=False) as server:
        yield server.query_endpoint


class LoopbackServer:
    """An http.server on a free loopback port, served from a daemon thread; close() stops it.

    Fake endpoints in the tests subclass it with their own request handler."""

    def __init__(self, handler: type[http.server.BaseHTTPRequestHandler], path: str):
        _require_server_marker()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
