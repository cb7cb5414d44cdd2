"""The build folder changes as one unit: killed builds, concurrent writers, modes, odd --out values."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.buildfolder import DATASET_TRIG, DATASET_TTL, VOID_TTL, BuildFolder
from kg.cli import main

KG = [sys.executable, "-m", "kg.cli"]
PUBLISHED = (DATASET_TRIG, DATASET_TTL, VOID_TTL, "docs/ontology.html")


def generation_of(out: Path, name: str) -> Path:
    return (out / name).resolve().parent if "/" not in name else (out / name).resolve().parents[1]


def assert_one_generation(out: Path) -> None:
    """Every published file resolves into the one generation `current` names, and that one is whole."""
    current = BuildFolder(out).current()
    if current is None:  # no build finished yet: nothing may be published
        assert not any((out / name).exists() for name in PUBLISHED)
        return
    assert {generation_of(out, name) for name in PUBLISHED} == {current}
    assert not current.name.endswith(".partial")
    BuildFolder(out).load_store()  # parses whole


def test_a_killed_build_never_leaves_old_and_new_files_mixed(built, tmp_path):
    """SIGKILL `kg build` at 12 points of a build of an existing folder; after each, the folder is whole."""
    out = tmp_path / "out"
    shutil.copytree(built, out, symlinks=True)
    start = time.perf_counter()
    subprocess.run([*KG, "build", "--out", str(out)], check=True, capture_output=True)
    duration = time.perf_counter() - start
    before = BuildFolder(out).current()
    for point in range(1, 13):
        process = subprocess.Popen([*KG, "build", "--out", str(out)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(duration * point / 12)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert_one_generation(out)
    after = BuildFolder(out).current()
    assert before is not None and after is not None
    # a later build cleans what the killed ones left
    subprocess.run([*KG, "build", "--out", str(out)], check=True, capture_output=True)
    assert not list((out / ".generations").glob("*.partial"))
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert len([p for p in (out / ".generations").iterdir()]) <= 2


def test_a_second_writer_waits_for_the_lock(built, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built, out, symlinks=True)
    folder = BuildFolder(out)
    before = folder.current()
    with folder.lock():
        process = subprocess.Popen([*KG, "build", "--out", str(out)], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert process.poll() is None  # still waiting
        assert folder.current() == before  # published nothing
    stdout, _ = process.communicate(timeout=300)
    assert process.returncode == 0
    assert stdout.startswith(f"waiting for another kg command writing {out} to finish\n")
    assert folder.current() != before


def test_published_files_follow_the_umask(built):
    for name in PUBLISHED:
        assert (built / name).stat().st_mode & 0o777 == 0o666 & ~_umask(), name


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_out_naming_a_file_is_an_input_error(tmp_path, capsys):
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    assert main(["build", "--out", str(target)]) == 2
    assert capsys.readouterr().err == f"error: {target}: --out names a file, not a folder\n"


def test_a_truncated_dataset_is_an_input_error(built, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(built, out, symlinks=True)
    trig = (out / DATASET_TRIG).resolve()
    data = trig.read_bytes()
    trig.write_bytes(data[: len(data) // 2])
    assert main(["stats", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out / DATASET_TRIG}: damaged dataset (")
    assert err.endswith(f"); run `kg build --out {out}` again\n")


@pytest.mark.parametrize("planted, message", [
    ("loop", "graph/npr-2025-trump-ukraine-peace/loop.ttl: cannot read: Too many levels of symbolic links"),
    ("space", "graph/npr-2025-trump-ukraine-peace/space.ttl:2: malformed Turtle: Parser error at line 2"),
])
def test_curated_files_rdflib_accepts_but_that_cannot_be_read_are_input_errors(project, tmp_path, capsys,
                                                                            monkeypatch, planted, message):
    root = tmp_path / "p"
    for folder in ("ontology", "sources", "graph", "queries"):
        shutil.copytree(project.root / folder, root / folder)
    facts = root / "graph" / "npr-2025-trump-ukraine-peace"
    if planted == "loop":
        (facts / "loop.ttl").symlink_to(facts / "loop.ttl")
    else:  # rdflib takes an IRI with a space; Oxigraph (and the Turtle grammar) do not
        (facts / "space.ttl").write_text("@prefix ptr: <https://w3id.org/peace-talks-kg/id/> .\n"
                                         "ptr:putin <https://example.org/a b> ptr:russia .\n", encoding="utf-8")
    monkeypatch.setenv("KG_ROOT", str(root))
    assert main(["validate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {message}"), err
    assert "Traceback" not in err
