"""The cohort figure of a batch (matplotlib, imported lazily): one row per video, both sides'
peak measures, the literature bands.

Left panel: each side's peak dynamic FPPA (degrees from its standing baseline, + = valgus)
over the event bands (config events: SDD, healthy single-leg-squat mean + 1 SD, the
patellofemoral-pain mean). Right panel: each side's peak knee over foot (hip widths, + =
medial, toward the big toe). A filled marker is a side judged valgus; hollow, judged otherwise.
Sides are the subject's, coloured as in the per-video plots (draw/plot_parts.py). A side that
was not judged (side view, no rep) has no marker; a video with neither side judged says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from valguscam.config_sections import EventsConfig
from valguscam.draw import plot_parts as pp
from valguscam.draw.plots import DYNAMIC_LABEL
from valguscam.report.atomic import atomic_open

KNEE_FOOT_LABEL = "peak knee over foot\n(hip widths), + = medial"
MARKER = {"left": "o", "right": "s"}
OFFSET = {"left": -0.15, "right": 0.15}


def _value(row: Mapping[str, Any], key: str) -> float | None:
    value = row.get(key)
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return None


def _bands(ax: Any, ev: EventsConfig) -> None:
    """The event bands of the per-video FPPA plot, from standing (0) upward."""
    edges = (ev.enter_deg, ev.moderate_deg, ev.severe_deg, ev.severe_deg + 40)
    names = (
        f"+{ev.enter_deg:g}..{ev.moderate_deg:g} deg: beyond the SDD (Munro 2012)",
        f"+{ev.moderate_deg:g}..{ev.severe_deg:g}: beyond healthy SLS 8.4 +/- 5.1 "
        "(Herrington 2014)",
        f"> +{ev.severe_deg:g}: patellofemoral pain mean (Herrington 2014)",
    )
    for lo, hi, name, grey in zip(edges[:-1], edges[1:], names, pp.BAND_GREYS, strict=True):
        ax.axvspan(lo, hi, color=grey, lw=0, zorder=-1, label=name)


def _points(ax: Any, rows: Sequence[Mapping[str, Any]], measure: str) -> None:
    """Both sides' `measure` (a summary.csv field after the side) per video row."""
    for side in pp.SIDES:
        for y, row in enumerate(rows):
            x = _value(row, f"{side}_{measure}")
            if x is None or not _judged(row, side):
                continue
            valgus = row.get(f"{side}_verdict") == "valgus"
            ax.plot(
                x, y + OFFSET[side], MARKER[side], color=pp.COLOR[side], ms=7,
                mfc=pp.COLOR[side] if valgus else "white", mew=1.6,
            )  # fmt: skip


def _legend(fig: Any, ax: Any) -> None:
    """One legend under both panels: the bands, the sides, what a filled marker means."""
    from matplotlib.lines import Line2D

    bands, _ = ax.get_legend_handles_labels()
    handles = [
        *bands,
        *(
            Line2D([], [], marker=MARKER[s], color=pp.COLOR[s], ls="", mfc="white", label=name)
            for s, name in pp.SIDE_NAME.items()
        ),
    ]
    handles.append(Line2D([], [], marker="o", color=pp.GREY, ls="", label="filled: judged valgus"))
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8, frameon=False)


def _fppa_limits(ax: Any, rows: Sequence[Mapping[str, Any]], ev: EventsConfig) -> None:
    """x range: the data and the bands up to a little past the severe threshold."""
    values = [
        v for r in rows for s in pp.SIDES
        if _judged(r, s) and (v := _value(r, f"{s}_peak_dynamic_fppa_deg")) is not None
    ]  # fmt: skip
    ax.set_xlim(min([-5.0, *values]) - 2, max([ev.severe_deg + 8, *values]) + 2)


def cohort_figure(rows: Sequence[Mapping[str, Any]], events: EventsConfig | None = None) -> Any:
    """The cohort Figure of summary rows (one per video, in order, top to bottom)."""
    from matplotlib.figure import Figure

    ev = events or EventsConfig()
    height = 2.4 + 0.38 * max(len(rows), 1)
    fig = Figure(figsize=(11, height), layout="constrained", dpi=100)
    ax_fppa, ax_foot = fig.subplots(1, 2, sharey=True, width_ratios=(3, 2))
    _bands(ax_fppa, ev)
    _points(ax_fppa, rows, "peak_dynamic_fppa_deg")
    _points(ax_foot, rows, "peak_knee_foot")
    labels = [_label(row) for row in rows]
    ax_fppa.set_yticks(range(len(rows)), labels, fontsize=8)
    ax_fppa.set_ylim(len(rows) - 0.5, -0.5)
    for ax, xlabel in ((ax_fppa, DYNAMIC_LABEL), (ax_foot, KNEE_FOOT_LABEL)):
        ax.axvline(0, color=pp.GREY, lw=0.8)
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", color="#dddddd", lw=0.5)
    _fppa_limits(ax_fppa, rows, ev)
    _legend(fig, ax_fppa)
    fig.suptitle(f"Cohort: peak knee measures per video ({len(rows)} videos; sides = subject's)")
    return fig


def _judged(row: Mapping[str, Any], side: str) -> bool:
    """Whether the side got a verdict: a side not assessed has no marker (its numbers, e.g. a
    side view's projections, would read as findings)."""
    return row.get(f"{side}_verdict") not in (None, "", "not_assessable")


def _label(row: Mapping[str, Any]) -> str:
    """The row's name, with why nothing is drawn when neither side was judged."""
    name = str(row.get("folder") or row.get("path") or "?")
    status = row.get("status")
    if status not in ("ok", None):
        return f"{name} ({status})"
    if any(_judged(row, side) for side in pp.SIDES):
        return name
    view, reps = row.get("view"), str(row.get("reps") or "0")
    why = f"{view} view" if view not in ("frontal", None, "") else "no rep" if reps == "0" else ""
    return f"{name} (not judged{': ' + why if why else ''})"


def save_cohort_figure(
    rows: Sequence[Mapping[str, Any]], path: str | Path, events: EventsConfig | None = None
) -> Path | None:
    """Write the cohort figure as PNG to `path` (atomically); None when no video has a peak
    measure to show (nothing is written)."""
    measures = ("peak_dynamic_fppa_deg", "peak_knee_foot")
    if not any(_value(r, f"{s}_{m}") is not None for r in rows for s in pp.SIDES for m in measures):
        return None
    fig = cohort_figure(rows, events)
    with atomic_open(path, "wb") as fh:
        fig.savefig(fh, format="png", dpi=110)
    return Path(path)
