"""Pieces the result plots share: palette, titles, event shading, rep marks, legends.

Functions here receive matplotlib objects (Figure, Axes) made by draw/plots.py; none imports
matplotlib at module level, so `valguscam --help` stays fast. Times are seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SIDES = ("left", "right")
COLOR = {"left": "#0072B2", "right": "#D55E00"}
"""Okabe-Ito, colour-blind safe: the subject's left knee blue, right knee vermillion."""
EVENT_COLOR = "#CC79A7"
GREY = "#8C8C8C"
BAND_GREYS = ("#F0F0F0", "#E0E0E0", "#CFCFCF")
SIDE_NAME = {"left": "left knee (subject's left)", "right": "right knee (subject's right)"}
MEASURE_NAME = {"fppa": "FPPA", "knee_over_foot": "knee over foot"}


def side_summary(report: dict, side: str) -> dict:
    """report["summary"][side], or {} when the report has none."""
    return (report.get("summary") or {}).get(side) or {}


def verdict_text(report: dict, side: str) -> str:
    """The side's verdict in a few words, e.g. "VALGUS", "ok", "not assessable"."""
    verdict = side_summary(report, side).get("verdict") or "not assessable"
    verdict = str(verdict).replace("_", " ")
    return verdict.upper() if verdict in ("valgus", "varus") else verdict


def title(report: dict, what: str) -> str:
    """Figure title: what is plotted, the clip, view, exercise, rep count and the verdicts."""
    source = report.get("source") or {}
    clip = Path(str(source.get("path") or "clip")).name
    view = (report.get("view") or {}).get("label") or "unknown"
    exercise = str((report.get("exercise") or {}).get("label") or "unknown").replace("_", " ")
    n = (report.get("summary") or {}).get("rep_count", len(report.get("reps") or ()))
    verdicts = ", ".join(f"{side} knee: {verdict_text(report, side)}" for side in SIDES)
    reps = f"{n} rep" if n == 1 else f"{n} reps"
    return f"{what}: {clip}\n{view} view, {exercise}, {reps}; {verdicts}"


def not_assessed_note(report: dict, side: str) -> str | None:
    """Why a side was not judged (shown in its panel), or None when it was judged."""
    info = side_summary(report, side)
    if info.get("verdict") not in (None, "not_assessable") and info.get("assessable", True):
        return None
    reason = info.get("reason") or "too few trustworthy frames"
    return reason if "judged" in reason else f"not judged: {reason}"


def panel_title(ax: Any, report: dict, side: str, empty: bool) -> None:
    """Name the panel by the subject's side; say in it when the side was not judged (in the
    title) or has nothing to show (centred in the empty axis)."""
    note = not_assessed_note(report, side)
    ax.set_title(
        SIDE_NAME[side] + (f": {note}" if note and not empty else ""), loc="left", fontsize="medium"
    )
    if empty:
        text = note or f"{side} knee: no trustworthy frames"
        ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", wrap=True)
        ax.set_yticks([])


def note_in_panel(ax: Any, text: str) -> None:
    """Write `text` centred in an empty panel, without y ticks."""
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", wrap=True)
    ax.set_yticks([])


def shade_events(ax: Any, report: dict, side: str, measure: str) -> int:
    """Shade the side's collapse events found by `measure` ("fppa" / "knee_over_foot") from
    start_s to end_s, named at their peak; returns how many were drawn. Each span has the gid
    "event:<kind>:<side>:<measure>" (tests and SVG readers find it by that)."""
    drawn = 0
    for ev in report.get("events") or ():
        if ev.get("side") != side or (ev.get("measure") or "fppa") != measure:
            continue
        kind = ev.get("kind") or "valgus"
        name = f"{kind} event ({MEASURE_NAME.get(measure, measure)})"
        span = ax.axvspan(
            ev["start_s"], ev["end_s"], color=EVENT_COLOR, alpha=0.3, lw=0,
            label=name, zorder=0,
        )  # fmt: skip
        span.set_gid(f"event:{kind}:{side}:{measure}")
        severity = f", {ev['severity']}" if ev.get("severity") else ""
        ax.annotate(
            f"{kind}{severity}", (ev.get("peak_s", ev["start_s"]), 0.03),
            xycoords=ax.get_xaxis_transform(), ha="center", va="bottom", fontsize="small",
            color="#7A3B66",
        )  # fmt: skip
        drawn += 1
    return drawn


def mark_rep_bottoms(ax: Any, report: dict, labels: dict[int, str] | None = None) -> None:
    """A dotted vertical line at each rep's bottom (bottom_s, seconds), numbered from 1, or
    labelled labels[rep index] (then the caller names the line in the legend)."""
    for i, rep in enumerate(report.get("reps") or ()):
        t, index = rep.get("bottom_s"), rep.get("index", i)
        if t is None:
            continue
        name = "rep bottom (numbered)" if i == 0 and labels is None else None
        ax.axvline(t, color="black", ls=":", lw=0.9, label=name)
        text = str(index + 1) if labels is None else labels.get(index, str(index + 1))
        ax.annotate(
            text, (t, 0.97), xycoords=ax.get_xaxis_transform(), ha="center", va="top",
            fontsize="small", bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"},
        )  # fmt: skip


def figure_legend(fig: Any, axes: Any, ncols: int = 3) -> None:
    """One legend for the figure, below the panels, each label once."""
    seen: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if not label.startswith("_"):
                seen.setdefault(label, handle)
    if seen:
        fig.legend(
            list(seen.values()), list(seen.keys()), loc="outside lower center", ncols=ncols,
            fontsize="small", frameon=False,
        )  # fmt: skip
