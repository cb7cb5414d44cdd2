"""How `kg` writes to its standard output: a reader that goes away, and the messages about formats."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main


def run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess:
    """Run `kg ARGS` writing into a pipe whose reader has already gone (as `| head -0` would)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "kg.cli", *args], stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    finally:
        os.close(write)


@pytest.mark.parametrize("args", [("queries",), ("queries", "-v")])
def test_a_closed_pipe_stops_kg_quietly(args):
    result = run_into_closed_pipe(*args)
    assert (result.returncode, result.stderr) == (141, "")


def test_a_closed_pipe_stops_kg_query_quietly(built: Path):
    result = run_into_closed_pipe("query", "timeline", "--out", str(built), "--format", "csv")
    assert (result.returncode, result.stderr) == (141, "")


def test_head_gets_its_line_and_kg_exits_cleanly():
    result = subprocess.run(f"'{sys.executable}' -m kg.cli queries -v | head -1; echo \"status ${{PIPESTATUS[0]}}\"",
                            shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=120)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("actors-and-their-offices ")
    assert lines[1] in ("status 0", "status 141")  # 0 when every line fitted in the pipe before head left
    assert result.stderr == ""


ASK = "ASK { ?s a pt:Stance }"


@pytest.mark.parametrize("fmt, fits", [("csv", "table, tsv or json"), ("turtle", "table, tsv or json")])
def test_an_ask_answer_in_a_format_that_cannot_hold_it(capsys, built: Path, fmt, fits):
    assert main(["query", "--out", str(built), "--sparql", ASK, "--format", fmt]) == 2
    assert capsys.readouterr() == ("", f"error: --format {fmt} does not fit an ASK query, which gives a yes/no "
                                       f"answer: use {fits}\n")


@pytest.mark.parametrize("fmt, out", [("table", "yes\n"), ("tsv", "true\n")])
def test_an_ask_answer_in_the_formats_the_message_offers(capsys, built: Path, fmt, out):
    assert main(["query", "--out", str(built), "--sparql", ASK, "--format", fmt]) == 0
    assert capsys.readouterr() == (out, "")
