"""PNG plots for the analysis report (matplotlib, Agg backend: no display needed).

Files are deterministic: no timestamp or software version in the PNG metadata.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

_METADATA = {"Software": None}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(fig, path: Path) -> None:
    """The PNG, written atomically (no half-written or temporary file left if it fails)."""
    from kg.serialize import write_atomically

    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=110, metadata=_METADATA)
    finally:
        _pyplot().close(fig)
    write_atomically(path, buffer.getvalue())


def plot_trajectories(trajectories: dict[str, Any], path: Path) -> bool:
    """One line per pair: Goldstein total per month. False (no file) when no pair has a dated event."""
    series = {name: t["points"] for name, t in trajectories.items() if t["points"]}
    if not series:
        return False
    plt = _pyplot()
    months = sorted({p["month"] for points in series.values() for p in points})
    fig, ax = plt.subplots(figsize=(8, 4.2))
    for name, points in series.items():
        xs = [months.index(p["month"]) for p in points]
        ax.plot(xs, [p["goldstein"] for p in points], marker="o", label=name)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(range(len(months)), months, rotation=45, ha="right")
    ax.set_ylabel("Goldstein score, summed per month")
    ax.set_title("Cooperation (+) and conflict (−) between the parties")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    _save(fig, path)
    return True


def plot_stance_matrix(matrix: dict[str, Any], path: Path) -> bool:
    """Heat map actor × issue: green for, red against. False (no file) when the matrix is empty."""
    if not matrix["actors"] or not matrix["issues"]:
        return False
    plt = _pyplot()
    values = matrix["values"]
    bound = max(1, max(abs(v) for row in values for v in row))
    fig, ax = plt.subplots(figsize=(1.0 + 0.45 * len(matrix["issues"]), 1.5 + 0.35 * len(matrix["actors"])))
    image = ax.imshow(values, cmap="RdYlGn", vmin=-bound, vmax=bound, aspect="auto")
    ax.set_xticks(range(len(matrix["issues"])), matrix["issue_labels"], rotation=60, ha="right", fontsize="small")
    ax.set_yticks(range(len(matrix["actors"])), matrix["actor_labels"], fontsize="small")
    for i, row in enumerate(values):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, f"{v:+d}", ha="center", va="center", fontsize="x-small")
    fig.colorbar(image, ax=ax, label="net stance (+ for, − against)")
    ax.set_title("Actor × issue stances")
    fig.tight_layout()
    _save(fig, path)
    return True
