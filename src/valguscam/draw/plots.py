"""Result plots (matplotlib, imported lazily): the knee angle over time, the knee over the foot
over time, and left vs right per rep. Figures are built as `matplotlib.figure.Figure` objects
(never pyplot, never shown) from a saved result: report.json as a dict and frames.csv as arrays
(draw/results.py). `save_figures` writes them atomically; `plot_result_folder` does it all.

Sides are the subject's; FPPA + = valgus (degrees); knee over foot in hip widths, + = medial;
knee travel at depth in standing thigh lengths, + = medial (README "Conventions").
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from valguscam.draw import plot_parts as pp
from valguscam.report.atomic import atomic_open

FORMATS = ("png", "svg", "pdf")
PLOT_NAMES = ("knee_angle", "knee_over_foot", "reps_left_right")
FPPA_LABEL = "FPPA (deg), + = valgus"
KNEE_FOOT_LABEL = "knee over foot (hip widths)\n+ = medial, toward the big toe"
TRAVEL_LABEL = "medial knee travel at depth\n(thigh lengths), + = medial"
DYNAMIC_LABEL = "peak dynamic FPPA\n(deg from standing), + = valgus"


def _new_figure(n_rows: int, height: float) -> tuple[Any, list[Any]]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, height), layout="constrained", dpi=100)
    axes = fig.subplots(n_rows, 1, sharex=True, squeeze=False)[:, 0]
    return fig, list(axes)


def _literature_bands(ax: Any, base: float, ev: dict) -> None:
    """Light bands above the standing baseline `base` (deg) at the event thresholds."""
    enter, moderate, severe = (
        ev.get("enter_deg", 8.0),
        ev.get("moderate_deg", 13.5),
        ev.get("severe_deg", 16.8),
    )
    bands = (
        (enter, moderate, f"standing +{enter:g}..{moderate:g} deg: beyond the SDD (Munro 2012)"),
        (
            moderate,
            severe,
            f"+{moderate:g}..{severe:g}: beyond healthy SLS 8.4 +/- 5.1 (Herrington 2014)",
        ),
        (severe, severe + 40, f"> +{severe:g}: patellofemoral pain mean (Herrington 2014)"),
    )
    for (lo, hi, label), grey in zip(bands, pp.BAND_GREYS, strict=True):
        ax.axhspan(base + lo, base + hi, color=grey, lw=0, zorder=-1, label=label)


def _fppa_panel(ax: Any, report: dict, frames: dict, side: str) -> None:
    t = frames["time_s"]
    raw, trusted = frames.get(f"raw_fppa_{side}_deg"), frames.get(f"fppa_{side}_deg")
    base = pp.side_summary(report, side).get("baseline_fppa_deg")
    base = (report.get("baseline") or {}).get(side, {}).get("fppa_deg") if base is None else base
    has_base = base is not None and np.isfinite(base)
    _literature_bands(ax, float(base) if has_base else 0.0, report["config"].get("events", {}))
    ax.axhline(0, color="black", lw=0.6)
    if has_base:
        ax.axhline(base, color=pp.COLOR[side], ls="--", lw=1.2, label="standing baseline")
    if raw is not None:
        ax.plot(t, raw, color=pp.GREY, lw=0.8, label="not valid: deep flexion / view / visibility")
    if trusted is not None:
        ax.plot(t, trusted, color=pp.COLOR[side], lw=2.0, label=f"{side} FPPA (valid frames)")
    pp.shade_events(ax, report, side, "fppa")
    pp.mark_rep_bottoms(ax, report)
    ax.set_ylim(*_fppa_limits(trusted, float(base) if has_base else 0.0, report))
    ax.set_ylabel(FPPA_LABEL)
    pp.panel_title(ax, report, side, _empty(trusted) and _empty(raw))


def _fppa_limits(trusted: np.ndarray | None, base: float, report: dict) -> tuple[float, float]:
    """y-limits (deg) that show the valid FPPA and the bands; raw deep-squat values beyond
    them (down to -120 deg) leave the axis rather than squash the valgus range."""
    severe = report["config"].get("events", {}).get("severe_deg", 16.8)
    lo, hi = min(base - 15.0, -20.0), base + severe + 8.0
    if trusted is not None and np.isfinite(trusted).any():
        lo = min(lo, float(np.nanmin(trusted)) - 5.0)
        hi = max(hi, float(np.nanmax(trusted)) + 5.0)
    return max(lo, -100.0), hi


def _empty(values: np.ndarray | None) -> bool:
    return values is None or not np.isfinite(values).any()


def knee_angle_figure(report: dict, frames: dict[str, np.ndarray]) -> Any:
    """FPPA over time per side (two panels): raw FPPA grey where not valid, valid FPPA in the
    side's colour, the standing baseline dashed, literature bands above it, FPPA collapse events
    shaded, rep bottoms numbered. frames: frames.csv columns (time_s in seconds, FPPA in deg)."""
    fig, axes = _new_figure(2, 8.0)
    for ax, side in zip(axes, pp.SIDES, strict=True):
        _fppa_panel(ax, report, frames, side)
    axes[-1].set_xlabel("time (s)")
    fig.suptitle(pp.title(report, "Knee angle (FPPA)"))
    pp.figure_legend(fig, axes)
    return fig


def _knee_foot_panel(ax: Any, report: dict, frames: dict, side: str) -> None:
    t = frames["time_s"]
    raw, placed = frames.get(f"raw_knee_foot_{side}"), frames.get(f"knee_foot_{side}")
    ax.axhline(0, color="black", lw=0.9, label="mid-foot line (0): target = on it or just lateral")
    if raw is not None:
        ax.plot(t, raw, color=pp.GREY, lw=0.8, label="not placed: standing / view / foot unseen")
    if placed is not None:
        ax.plot(t, placed, color=pp.COLOR[side], lw=2.0, label=f"{side} knee over foot (bent)")
        _mark_positions(ax, t, placed, frames.get(f"knee_position_{side}"))
    pp.shade_events(ax, report, side, "knee_over_foot")
    pp.mark_rep_bottoms(ax, report, _travel_labels(report, side))
    ax.set_ylim(*_knee_foot_limits(placed))
    ax.set_ylabel(KNEE_FOOT_LABEL)
    pp.panel_title(ax, report, side, _empty(placed) and _empty(raw))


POSITION_MARKS = {
    "inside": ("^", pp.EVENT_COLOR, "knee inside the big toe (frames)"),
    "outside": ("v", pp.GREY, "knee outside the foot's lateral edge (frames)"),
}


def _mark_positions(ax: Any, t: np.ndarray, y: np.ndarray, position: np.ndarray | None) -> None:
    """Markers on frames whose knee_position is off the foot (every 3rd frame, not to clutter).
    The foot's width is per frame, so the classes are shown where they happened, not as a band."""
    if position is None:
        return
    for name, (marker, color, label) in POSITION_MARKS.items():
        idx = np.flatnonzero((position == name) & np.isfinite(y))[::3]
        if idx.size:
            ax.plot(t[idx], y[idx], ls="none", marker=marker, ms=4, color=color, label=label)


def _knee_foot_limits(placed: np.ndarray | None) -> tuple[float, float]:
    if placed is None or not np.isfinite(placed).any():
        return -1.0, 1.0
    lo, hi = float(np.nanmin(placed)), float(np.nanmax(placed))
    pad = max(0.15, 0.15 * (hi - lo))
    return min(lo - pad, -0.3), max(hi + pad, 0.3)


def _travel_labels(report: dict, side: str) -> dict[int, str]:
    """Per rep index, its number and the side's medial knee travel at depth (standing thigh
    lengths, + = medial), written at the rep's bottom line."""
    labels = {}
    for i, rep in enumerate(report.get("reps") or ()):
        value = (rep.get(side) or {}).get("excursion_at_depth_tl")
        travel = "" if value is None else f": {value:+.2f}"
        labels[rep.get("index", i)] = f"{rep.get('index', i) + 1}{travel}"
    return labels


def knee_over_foot_figure(report: dict, frames: dict[str, np.ndarray]) -> Any:
    """Knee over the foot over time per side (hip widths, + = medial): 0 = the mid-foot line,
    the target side shaded, knee-over-foot collapse events shaded, each rep's medial travel at
    depth (standing thigh lengths) written at its bottom."""
    fig, axes = _new_figure(2, 8.0)
    for ax, side in zip(axes, pp.SIDES, strict=True):
        _knee_foot_panel(ax, report, frames, side)
    enter = report["config"].get("depth", {}).get("enter_tl", 0.1)
    axes[0].plot([], [], ls=":", color="black", label=(
        f"rep bottom, 'rep: medial travel at depth' (thigh lengths; collapse > {enter:g})"
    ))  # fmt: skip
    axes[-1].set_xlabel("time (s)")
    fig.suptitle(pp.title(report, "Knee over the foot"))
    pp.figure_legend(fig, axes, ncols=2)
    return fig


def _rep_bars(
    ax: Any, report: dict, key: str, error: float, threshold: float, held_s: float
) -> bool:
    """Grouped left/right bars of reps[i][side][key] with +/- `error` bars and a threshold
    line (an event needs the value beyond it for `held_s` seconds); a side not judged in a rep
    is drawn hatched. Returns whether any bar was drawn."""
    reps = report.get("reps") or ()
    x = np.arange(1, len(reps) + 1)
    drawn = False
    for k, side in enumerate(pp.SIDES):
        info = [rep.get(side) or {} for rep in reps]
        values = np.array([np.nan if i.get(key) is None else i[key] for i in info], float)
        judged = np.array([bool(i.get("judged", True)) for i in info])
        if not np.isfinite(values).any():
            continue
        drawn = True
        xs = x + (k - 0.5) * 0.38
        for mask, hatch, suffix in ((judged, None, ""), (~judged, "//", " (not judged)")):
            if (mask & np.isfinite(values)).any():
                ax.bar(
                    xs[mask], values[mask], 0.36, yerr=error, capsize=3, color=pp.COLOR[side],
                    alpha=1.0 if hatch is None else 0.35, hatch=hatch, edgecolor=pp.COLOR[side],
                    label=f"{pp.SIDE_NAME[side]}{suffix}",
                )  # fmt: skip
    ax.axhline(0, color="black", lw=0.6)
    ax.axhline(threshold, color=pp.EVENT_COLOR, ls="--", lw=1.2)
    ax.annotate(
        f"collapse threshold +{threshold:g} (held >= {held_s:g} s)", (0.005, threshold),
        xycoords=ax.get_yaxis_transform(), ha="left", va="center", fontsize="small",
        color="#7A3B66", bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"},
    )  # fmt: skip
    ax.set_xticks(x, [f"rep {i}" for i in x])
    return drawn


def reps_figure(report: dict) -> Any:
    """Per rep, left vs right: the medial knee travel at depth (thigh lengths, +/- the
    measurement error config.depth.enter_tl) and the peak dynamic FPPA on valid frames (deg,
    +/- the SDD config.events.enter_deg), each with its collapse threshold dashed."""
    fig, axes = _new_figure(2, 7.0)
    enter_tl = report["config"].get("depth", {}).get("enter_tl", 0.1)
    enter_deg = report["config"].get("events", {}).get("enter_deg", 8.0)
    held_s = report["config"].get("events", {}).get("min_duration_s", 0.1)
    panels = (
        (axes[0], "excursion_at_depth_tl", enter_tl, TRAVEL_LABEL, "thigh lengths"),
        (axes[1], "peak_dynamic_fppa_deg", enter_deg, DYNAMIC_LABEL, "deg"),
    )
    for ax, key, err, ylabel, unit in panels:
        if not _rep_bars(ax, report, key, err, err, held_s):
            pp.note_in_panel(ax, "no rep with a value for either knee")
        ax.set_ylabel(ylabel)
        ax.errorbar([], [], yerr=[], color="black", capsize=3,
                    label=f"error bar: measurement error +/- {err:g} {unit}")  # fmt: skip
    axes[0].set_title("knee travel at the bottom (knee over foot)", loc="left", fontsize="medium")
    axes[1].set_title("FPPA on valid frames (descent / ascent)", loc="left", fontsize="medium")
    axes[-1].set_xlabel("rep (numbered in time order)")
    fig.suptitle(pp.title(report, "Left vs right per rep"))
    pp.figure_legend(fig, axes, ncols=2)
    return fig


def make_figures(report: dict, frames: dict[str, np.ndarray]) -> dict[str, Any]:
    """All result figures by file stem (PLOT_NAMES order)."""
    return {
        "knee_angle": knee_angle_figure(report, frames),
        "knee_over_foot": knee_over_foot_figure(report, frames),
        "reps_left_right": reps_figure(report),
    }


def save_figures(
    figures: dict[str, Any], folder: str | Path, formats: Iterable[str] = ("png",)
) -> list[Path]:
    """Write each figure as <folder>/<name>.<format>, atomically; returns the paths written."""
    from valguscam.errors import InputError

    formats = tuple(dict.fromkeys(formats))
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise InputError(f"plot format {bad[0]!r} is not one of {', '.join(FORMATS)}")
    written = []
    for name, fig in figures.items():
        for fmt in formats:
            path = Path(folder) / f"{name}.{fmt}"
            with atomic_open(path, "wb") as fh:
                fig.savefig(fh, format=fmt, dpi=120)
            written.append(path)
    return written


def plot_result_folder(folder: str | Path, formats: Iterable[str] = ("png",)) -> list[Path]:
    """Draw the plots of a result folder (report.json + frames.csv) into that folder."""
    from valguscam.draw.results import load_result
    from valguscam.report.folder import list_in_report

    result = load_result(folder)
    written = save_figures(make_figures(result.report, result.frames), result.folder, formats)
    list_in_report(result.folder, written)
    return written
