"""`kg query --timeout` runs the query in a forked worker: the worker must die with its parent.

A runaway query (a three-way cartesian product over the dataset) is started in
a real `kg query` process; once its worker is at work, the parent gets SIGTERM
or SIGINT, and the worker must be gone within a few seconds (it used to keep a
core at 100 % long after `kg query` had gone).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (from /proc: no extra dependency)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # the name (field 2) is in parentheses and may hold spaces: split after it
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, 2)])
def test_the_worker_dies_with_its_parent(built: Path, signum: int, status: int) -> None:
    parent = subprocess.Popen([sys.executable, "-m", "kg.cli", "query", "--out", str(built), "--sparql", EXPENSIVE,
                               "--timeout", "120"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert wait_for(lambda: children(parent.pid), 30), "the query worker did not start"
        [worker] = children(parent.pid)
        time.sleep(0.3)  # let it get into the query
        os.kill(parent.pid, signum)
        assert parent.wait(10) == status
        assert wait_for(lambda: not alive(worker), 5), "the worker outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for pid in children(parent.pid):
            os.kill(pid, signal.SIGKILL)
