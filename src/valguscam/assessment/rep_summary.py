"""Per-rep knee summaries and the rules of who is judged where. Pure numpy.

A rep summary gives, for one side in one rep (angles in degrees, FPPA + = valgus): the peak
FPPA on valid frames, the mean around the bottom, the time share in each knee-over-foot class,
the events whose peak lies in the rep and a verdict "ok" | "valgus" | "varus" |
"not_assessable". Only a frontal or oblique view is judged, and in one-leg exercises (split
squat, lunge, lateral lunge, single-leg squat) only the rep's lead leg.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valguscam.assessment.depth import DepthExcursion, rep_excursion
from valguscam.assessment.events import SEVERITIES, reference_fppa
from valguscam.config import EventsConfig
from valguscam.types import KneeMetrics, KneePosition, Rep, ValgusEvent, Verdict

POSITION_LABELS = tuple(p.label for p in KneePosition if p is not KneePosition.UNKNOWN)

SIDES = ("left", "right")
JUDGED_VIEWS = ("frontal", "oblique")
UNILATERAL = ("split_squat", "lateral_lunge", "single_leg_squat")
VERDICTS = tuple(v.value for v in Verdict)


def round_or_none(x: float | None, digits: int = 2) -> float | None:
    """x rounded for a report, None where it is missing or not finite."""
    return round(float(x), digits) if x is not None and np.isfinite(x) else None


def position_shares(position: np.ndarray) -> tuple[dict[str, float], int]:
    """Share of frames in each knee-position class among frames with a known position."""
    known = position >= 0
    n = int(known.sum())
    counts = np.bincount(position[known], minlength=len(POSITION_LABELS)) if n else None
    shares = {
        lab: round(float(counts[i]) / n, 3) if n else 0.0 for i, lab in enumerate(POSITION_LABELS)
    }
    return shares, n


def view_reason(view: str) -> str | None:
    """Why a camera view gets no verdicts, or None for "frontal"/"oblique"."""
    if view in JUDGED_VIEWS:
        return None
    if view == "sagittal":
        return (
            "side (sagittal) view: the frontal-plane knee angle cannot be measured; "
            "film from the front"
        )
    return f"camera view {view!r}: not a frontal view, knee angles not judged; film from the front"


def judged_reason(side: str, rep: Rep | None, exercise: str) -> str | None:
    """Why `side` is not judged in `rep` (None = judged). Only the lead leg of one-leg work."""
    lead = rep.lead_side if rep is not None else None
    if lead is None:
        if exercise in UNILATERAL:
            return "judged leg unknown (no lead side found for this exercise): not judged"
        return None
    if lead == side:
        return None
    if exercise == "lateral_lunge":
        return "straight trailing leg of a lateral lunge: not judged"
    return "trailing leg: not judged"


@dataclass(frozen=True)
class RepSideSummary:
    """One side in one rep. Angles in degrees (FPPA + = valgus), None where not measurable.

    verdict: "ok" | "valgus" | "varus" | "not_assessable" (then `reason` says why).
    peak_*: largest FPPA on the rep's valid frames (absolute and minus the standing baseline).
    bottom_*: mean FPPA on valid frames within +/- bottom_window_s of the bottom; when the bottom
    frame itself is not valid (deep flexion foreshortens the thigh), bottom_assessable is False,
    bottom_note says so and the mean uses the deepest valid frames of the descent and ascent.
    knee_position_share: share of the rep's frames with a known knee position in each class.
    events / varus_events: events whose peak lies in this rep; severity: the worst valgus one.
    depth_frames: frames at depth with the knee's travel over the foot known;
    excursion_at_depth_tl: its median there, standing thigh lengths from the early-descent
    position, + = medial (assessment/depth.py). measures: which measures found the events.
    """

    rep: int
    side: str
    judged: bool
    verdict: str
    reason: str | None
    valid_frames: int
    peak_fppa_deg: float | None
    peak_dynamic_fppa_deg: float | None
    peak_time_s: float | None
    bottom_fppa_deg: float | None
    bottom_dynamic_fppa_deg: float | None
    bottom_assessable: bool
    bottom_note: str | None
    position_frames: int
    knee_position_share: dict[str, float]
    events: int
    varus_events: int
    severity: str | None
    depth_frames: int = 0
    excursion_at_depth_tl: float | None = None
    measures: tuple[str, ...] = ()


def _bottom_mean(
    t: np.ndarray, x: np.ndarray, ok: np.ndarray, rep: Rep, window_s: float
) -> tuple[float, bool]:
    """Mean of x around the bottom of `rep` on ok frames; False when the bottom frame is not ok."""
    idx = np.arange(rep.i_start, rep.i_end + 1)
    idx = idx[ok[idx]]
    if ok[rep.i_bottom]:
        near = idx[np.abs(t[idx] - t[rep.i_bottom]) <= window_s + 1e-9]
        return float(np.mean(x[near])), True
    down, up = idx[idx < rep.i_bottom], idx[idx > rep.i_bottom]
    parts = []
    if down.size:
        parts.append(down[t[down] >= t[down[-1]] - window_s - 1e-9])
    if up.size:
        parts.append(up[t[up] <= t[up[0]] + window_s + 1e-9])
    sel = np.concatenate(parts) if parts else idx[:0]
    return (float(np.mean(x[sel])) if sel.size else float("nan")), False


def _bottom_note(metrics: KneeMetrics, side: str, rep: Rep, ok: np.ndarray) -> str:
    flex = metrics.side(side).flexion_deg
    rep_ok = np.zeros_like(ok)
    rep_ok[rep.i_start : rep.i_end + 1] = ok[rep.i_start : rep.i_end + 1]
    deepest_ok = np.nanmax(flex[rep_ok]) if np.isfinite(flex[rep_ok]).any() else np.nan
    why = "landmarks or view not trusted there"
    if np.isfinite(flex[rep.i_bottom]) and not flex[rep.i_bottom] <= deepest_ok:
        why = "deep flexion: the 2D angle is not trustworthy there"
    return f"not assessable at the bottom ({why}); mean of the valid descent/ascent frames"


def _rep_verdict(
    reason: str | None, n_valid: int, n_valgus: int, n_varus: int, cfg: EventsConfig
) -> tuple[str, str | None]:
    """n_valid: frames with a trusted measure (valid FPPA or the knee's travel at depth)."""
    if reason is not None:
        return "not_assessable", reason
    if n_valid < cfg.min_rep_valid_frames:
        return "not_assessable", f"too few trusted frames in this rep ({n_valid})"
    if n_valgus:
        return "valgus", None
    return ("varus", None) if n_varus else ("ok", None)


def worst_severity(events: list[ValgusEvent]) -> str | None:
    ranks = [SEVERITIES.index(e.severity) for e in events]
    return SEVERITIES[max(ranks)] if ranks else None


def summarize_rep(
    metrics: KneeMetrics,
    side: str,
    rep: Rep,
    events: tuple[list[ValgusEvent], list[ValgusEvent]],
    cfg: EventsConfig,
    reason: str | None = None,
    exc: DepthExcursion | None = None,
) -> RepSideSummary:
    """Summary of `side` in `rep`; events = (valgus, varus) events of the side; reason: why the
    side is not judged in this rep (view, trailing leg), None when it is."""
    m = metrics.side(side)
    ref, _ = reference_fppa(metrics, side)
    dyn, fppa = metrics.dynamic(side), m.fppa_deg
    ok = m.valid & np.isfinite(ref)
    sl = slice(rep.i_start, rep.i_end + 1)
    n_valid = int(ok[sl].sum())
    i_peak = rep.i_start + int(np.nanargmax(np.where(ok[sl], ref[sl], np.nan))) if n_valid else None
    window = cfg.bottom_window_s
    bottom, at_bottom = _bottom_mean(metrics.t_s, fppa, ok, rep, window)
    bottom_dyn, _ = _bottom_mean(metrics.t_s, dyn, ok, rep, window)
    shares, n_pos = position_shares(m.knee_position[sl])
    valgus = [e for e in events[0] if e.rep == rep.index]
    varus = [e for e in events[1] if e.rep == rep.index]
    n_depth = int(exc.at_depth[sl].sum()) if exc is not None else 0
    trusted = int((ok[sl] | (exc.at_depth[sl] if exc is not None else False)).sum())
    verdict, why = _rep_verdict(reason, trusted, len(valgus), len(varus), cfg)
    return RepSideSummary(
        rep=rep.index,
        side=side,
        judged=reason is None,
        verdict=verdict,
        reason=why,
        valid_frames=n_valid,
        peak_fppa_deg=round_or_none(fppa[i_peak]) if n_valid else None,
        peak_dynamic_fppa_deg=round_or_none(dyn[i_peak]) if n_valid else None,
        peak_time_s=round_or_none(metrics.t_s[i_peak]) if n_valid else None,
        bottom_fppa_deg=round_or_none(bottom),
        bottom_dynamic_fppa_deg=round_or_none(bottom_dyn),
        bottom_assessable=at_bottom,
        bottom_note=None if at_bottom or not n_valid else _bottom_note(metrics, side, rep, ok),
        position_frames=n_pos,
        knee_position_share=shares,
        events=len(valgus),
        varus_events=len(varus),
        severity=worst_severity(valgus),
        depth_frames=n_depth,
        excursion_at_depth_tl=round_or_none(rep_excursion(exc, rep), 3) if exc else None,
        measures=tuple(sorted({p for e in valgus + varus for p in e.measure.split("+")})),
    )
