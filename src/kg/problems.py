"""Problems found in the input, and the two kinds of failure the CLI maps to exit codes.

Every check collects all of its problems before failing, so a curator sees
every bad record at once rather than one per run.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2


@dataclass(frozen=True, order=True)
class Problem:
    """One defect: where it is (file, line, node) and why it is wrong."""

    file: str
    line: int | None
    node: str
    reason: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        return f"{where}: {self.node}: {self.reason}" if self.node else f"{where}: {self.reason}"


class KgError(Exception):
    """Usage or input error (exit 2): a missing file, malformed Turtle, a bad argument."""

    exit_code = EXIT_ERROR


class ValidationFailed(Exception):
    """The input parsed but breaks the data contract (exit 1); carries every problem found."""

    exit_code = EXIT_VIOLATIONS

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(f"{len(self.problems)} validation problem(s)")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
