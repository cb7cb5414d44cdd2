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


def _month_start(month: str):
    from datetime import date

    year, number = (int(x) for x in month.split("-"))
    return date(year, number, 1)


def _months_apart(a: str, b: str) -> int:
    (ya, ma), (yb, mb) = (tuple(int(x) for x in m.split("-")) for m in (a, b))
    return (yb - ya) * 12 + (mb - ma)


def _short(text: str, width: int = 46) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def plot_trajectories(trajectories: dict[str, Any], path: Path) -> bool:
    """One panel per pair on a true time axis: the Goldstein total of each month at that month,
    lines only between consecutive months (a month with no event is a gap, not zero), the number
    of events behind each point written beside it, and the pair's undated events listed to the
    right. A long stretch with no event at all (years) is cut out of the axis and marked.
    False (no file) when no pair has a dated or undated event."""
    pairs = {name: t for name, t in trajectories.items() if t["points"] or t["undated"]}
    if not pairs:
        return False
    plt = _pyplot()
    from matplotlib import dates as mdates

    months = sorted({p["month"] for t in pairs.values() for p in t["points"]})
    # Split the axis where nothing happens for more than a year (2022 invasion → 2025 talks).
    spans: list[list[str]] = []
    for month in months:
        if spans and _months_apart(spans[-1][-1], month) <= 12:
            spans[-1].append(month)
        else:
            spans.append([month])
    spans = spans or [[]]
    widths = [max(1, _months_apart(span[0], span[-1]) + 1) if span else 1 for span in spans]
    rows = len(pairs)
    fig = plt.figure(figsize=(12.5, 1.2 + 2.6 * rows))
    grid = fig.add_gridspec(rows, len(spans) + 1, width_ratios=[*(w + 0.4 for w in widths), 5.5], wspace=0.08,
                            hspace=0.55)
    bound = max([abs(p["goldstein"]) for t in pairs.values() for p in t["points"]] + [1.0])
    for row, (name, t) in enumerate(pairs.items()):
        axes = [fig.add_subplot(grid[row, col]) for col in range(len(spans))]
        for col, (ax, span) in enumerate(zip(axes, spans)):
            points = [p for p in t["points"] if p["month"] in span]
            # consecutive months joined; a gap of one month or more breaks the line
            run: list[dict[str, Any]] = []
            for p in points + [None]:
                if p is None or (run and _months_apart(run[-1]["month"], p["month"]) > 1):
                    if run:
                        ax.plot([_month_start(q["month"]) for q in run], [q["goldstein"] for q in run],
                                color="#2f6db5", linewidth=1.6, marker="o", markersize=5)
                    run = []
                if p is not None:
                    run.append(p)
            for p in points:
                ax.annotate(f"n={p['n']}", (_month_start(p["month"]), p["goldstein"]), textcoords="offset points",
                            xytext=(0, 7 if p["goldstein"] >= 0 else -13), ha="center", fontsize=7.5, color="#333333")
            ax.axhline(0, color="grey", linewidth=0.8)
            if span:
                first, last = _month_start(span[0]), _month_start(span[-1])
                pad = 20
                from datetime import timedelta

                ax.set_xlim(first - timedelta(days=pad), last + timedelta(days=pad))
            ax.set_ylim(-bound * 1.35, bound * 1.35)
            ax.xaxis.set_major_locator(mdates.MonthLocator())
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
            ax.tick_params(axis="x", labelsize=7.5)
            ax.grid(axis="y", color="#dddddd", linewidth=0.6)
            if col:
                ax.tick_params(axis="y", left=False, labelleft=False)
                ax.spines["left"].set_linestyle((0, (2, 3)))
            if col < len(spans) - 1:
                ax.spines["right"].set_linestyle((0, (2, 3)))
        axes[0].set_ylabel("Goldstein sum", fontsize=8)
        axes[0].set_title(f"{name}: {t['n']['dated']} dated event(s) in {t['n']['months']} month(s)"
                          + (" — too small to say" if t.get("too_small") else ""), loc="left", fontsize=9.5)
        side = fig.add_subplot(grid[row, len(spans)])
        side.axis("off")
        lines = [f"Undated ({len(t['undated'])}), not plotted:"]
        shown = t["undated"][:7]
        lines += [f"• {_short(e['label'])} ({e['goldstein']:+g})" for e in shown]
        if len(t["undated"]) > len(shown):
            lines.append(f"… and {len(t['undated']) - len(shown)} more (see report)")
        if not t["undated"]:
            lines = ["Every scored event between them is dated."]
        side.text(0.0, 1.0, "\n".join(lines), va="top", ha="left", fontsize=7.5, family="DejaVu Sans",
                  transform=side.transAxes)
    if len(spans) > 1:
        fig.text(0.5, 0.01, "Dashed frame edges: the time axis is cut where no event falls for more than a year.",
                 ha="center", fontsize=7.5, color="#555555")
    fig.suptitle("Cooperation (+) and conflict (−) between the sides, per month (n = events behind each point)",
                 fontsize=10.5, x=0.01, ha="left")
    fig.subplots_adjust(left=0.06, right=0.99, top=1 - 0.75 / fig.get_figheight(), bottom=0.75 / fig.get_figheight())
    _save(fig, path)
    return True


def plot_stance_matrix(matrix: dict[str, Any], path: Path) -> bool:
    """Actor × issue: green for a stated position for the issue, red against, blank for none; a ring
    with a count marks stances on proposals or provisions that concern the issue (no sign: a stance
    on a proposal is not a position on the issue). False (no file) when the matrix is empty."""
    if not matrix["actors"] or not matrix["issues"]:
        return False
    import numpy as np

    plt = _pyplot()
    values = np.array(matrix["values"], dtype=float)
    concerning = matrix.get("concerning") or [[0] * len(matrix["issues"]) for _ in matrix["actors"]]
    bound = max(1.0, float(np.abs(values).max()))
    shown = np.ma.masked_where(values == 0, values)
    fig, ax = plt.subplots(figsize=(2.2 + 0.48 * len(matrix["issues"]), 2.4 + 0.36 * len(matrix["actors"])))
    ax.set_facecolor("#ffffff")
    image = ax.imshow(shown, cmap="RdYlGn", vmin=-bound, vmax=bound, aspect="auto")
    ax.set_xticks(range(len(matrix["issues"])), matrix["issue_labels"], rotation=60, ha="right", fontsize="small")
    ax.set_yticks(range(len(matrix["actors"])), matrix["actor_labels"], fontsize="small")
    ax.set_xticks(np.arange(-0.5, len(matrix["issues"])), minor=True)
    ax.set_yticks(np.arange(-0.5, len(matrix["actors"])), minor=True)
    ax.grid(which="minor", color="#e3e3e3", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    for i, row in enumerate(matrix["values"]):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, f"{v:+d}", ha="center", va="center", fontsize="x-small", fontweight="bold")
            elif concerning[i][j]:
                ax.scatter([j], [i], s=120, facecolors="none", edgecolors="#777777", linewidths=1.0)
                ax.text(j, i, str(concerning[i][j]), ha="center", va="center", fontsize=6.5, color="#555555")
    fig.colorbar(image, ax=ax, label="position on the issue itself (+ for, − against)", ticks=[-bound, 0, bound])
    n = matrix.get("n", {})
    ax.set_title(f"Actor × issue: {n.get('positions', 0)} stated position(s) (colour); "
                 f"rings: {n.get('concerning', 0)} stance(s) on proposals concerning the issue", fontsize=9)
    fig.tight_layout()
    _save(fig, path)
    return True
