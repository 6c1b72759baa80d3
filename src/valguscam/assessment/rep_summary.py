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


def finite_or_none(x: float | None) -> float | None:
    """x as a Python float, None where it is missing or not finite (full precision: the
    report rounds when it is written)."""
    return float(x) if x is not None and np.isfinite(x) else None


def position_shares(position: np.ndarray) -> tuple[dict[str, float | None], int]:
    """Share of frames in each knee-position class among frames with a known position; every
    share None when no frame has a known position (nothing was assessed)."""
    known = position >= 0
    n = int(known.sum())
    counts = np.bincount(position[known], minlength=len(POSITION_LABELS)) if n else None
    shares = {
        lab: float(counts[i]) / n if counts is not None else None
        for i, lab in enumerate(POSITION_LABELS)
    }
    return shares, n


def knee_foot_at_depth(metrics: KneeMetrics, rep: Rep, side: str) -> float:
    """Median knee offset from the mid-foot line (hip widths, + = medial) over the deeper half
    of a rep (pelvis depth >= half the rep's deepest), on frames with a known knee position.
    Knee-over-foot x positions are not foreshortened, so this holds where FPPA does not."""
    sl = slice(rep.i_start, rep.i_end + 1)
    depth = metrics.depth[sl]
    if not np.isfinite(depth).any():
        return float("nan")
    m = metrics.side(side)
    use = (depth >= 0.5 * np.nanmax(depth)) & (m.knee_position[sl] >= 0)
    return float(np.median(m.knee_foot[sl][use])) if use.any() else float("nan")


def view_reason(view: str) -> str | None:
    """Why a camera view gets no verdicts, or None for "frontal"/"oblique"."""
    if view in JUDGED_VIEWS:
        return None
    if view == "sagittal":
        return (
            "side (sagittal) view: the frontal-plane knee angle cannot be measured; "
            "film from the front"
        )
    return (
        f"camera view {view}: too few frames with a person to tell it, knee angles not judged; "
        "film at least a second of the whole body, hips to feet, from the front"
    )


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
    Full precision: the report rounds when it is written.

    verdict: a Verdict (`reason` says why when not_assessable).
    peak_*: largest FPPA on the rep's valid frames (absolute and minus the standing baseline).
    near_bottom_*: mean FPPA on valid frames within +/- bottom_window_s of the bottom; when the
    bottom frame itself is not valid (deep flexion foreshortens the thigh), bottom_assessable is
    False, bottom_note says so and the mean uses the deepest valid frames of the descent and
    ascent. bottom_*: the same mean only when the bottom is assessable, else None.
    knee_position_share: share of the rep's frames with a known knee position in each class
    (None each when no frame has one).
    events / varus_events: events whose peak lies in this rep; severity: the worst valgus one.
    depth_frames: frames at depth with the knee's travel over the foot known;
    excursion_at_depth_tl: its median there, standing thigh lengths from the early-descent
    position, + = medial (assessment/depth.py). measures: which measures found the events.
    knee_foot_at_depth: median knee offset from the mid-foot line over the deeper half of the
    rep, hip widths, + = medial.
    """

    rep: int
    side: str
    judged: bool
    verdict: Verdict
    reason: str | None
    valid_frames: int
    peak_fppa_deg: float | None
    peak_dynamic_fppa_deg: float | None
    peak_time_s: float | None
    bottom_fppa_deg: float | None
    bottom_dynamic_fppa_deg: float | None
    near_bottom_fppa_deg: float | None
    near_bottom_dynamic_fppa_deg: float | None
    bottom_assessable: bool
    bottom_note: str | None
    position_frames: int
    knee_position_share: dict[str, float | None]
    events: int
    varus_events: int
    severity: str | None
    depth_frames: int = 0
    excursion_at_depth_tl: float | None = None
    measures: tuple[str, ...] = ()
    knee_foot_at_depth: float | None = None


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
) -> tuple[Verdict, str | None]:
    """n_valid: frames with a trusted measure (valid FPPA or the knee's travel at depth)."""
    if reason is not None:
        return Verdict.NOT_ASSESSABLE, reason
    if n_valid < cfg.min_rep_valid_frames:
        return Verdict.NOT_ASSESSABLE, f"too few trusted frames in this rep ({n_valid})"
    if n_valgus:
        return Verdict.VALGUS, None
    return (Verdict.VARUS, None) if n_varus else (Verdict.OK, None)


def worst_severity(events: list[ValgusEvent]) -> str | None:
    ranks = [SEVERITIES.index(e.severity) for e in events]
    return SEVERITIES[max(ranks)] if ranks else None


def _bottom_fields(
    metrics: KneeMetrics, side: str, rep: Rep, ok: np.ndarray, window_s: float, n_valid: int
) -> dict:
    """The bottom_* / near_bottom_* fields of a rep summary (see RepSideSummary)."""
    near, at_bottom = _bottom_mean(metrics.t_s, metrics.side(side).fppa_deg, ok, rep, window_s)
    near_dyn, _ = _bottom_mean(metrics.t_s, metrics.dynamic(side), ok, rep, window_s)
    near, near_dyn = finite_or_none(near), finite_or_none(near_dyn)
    return {
        "bottom_fppa_deg": near if at_bottom else None,
        "bottom_dynamic_fppa_deg": near_dyn if at_bottom else None,
        "near_bottom_fppa_deg": near,
        "near_bottom_dynamic_fppa_deg": near_dyn,
        "bottom_assessable": at_bottom,
        "bottom_note": None if at_bottom or not n_valid else _bottom_note(metrics, side, rep, ok),
    }


def peak_fields(metrics: KneeMetrics, side: str, i_peak: int | None) -> dict:
    """peak_fppa_deg, peak_dynamic_fppa_deg and peak_time_s at frame i_peak (None: no peak)."""
    if i_peak is None:
        return {"peak_fppa_deg": None, "peak_dynamic_fppa_deg": None, "peak_time_s": None}
    return {
        "peak_fppa_deg": finite_or_none(metrics.side(side).fppa_deg[i_peak]),
        "peak_dynamic_fppa_deg": finite_or_none(metrics.dynamic(side)[i_peak]),
        "peak_time_s": float(metrics.t_s[i_peak]),
    }


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
    ok = m.valid & np.isfinite(ref)
    sl = slice(rep.i_start, rep.i_end + 1)
    n_valid = int(ok[sl].sum())
    i_peak = rep.i_start + int(np.nanargmax(np.where(ok[sl], ref[sl], np.nan))) if n_valid else None
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
        **peak_fields(metrics, side, i_peak),
        **_bottom_fields(metrics, side, rep, ok, cfg.bottom_window_s, n_valid),
        position_frames=n_pos,
        knee_position_share=shares,
        events=len(valgus),
        varus_events=len(varus),
        severity=worst_severity(valgus),
        depth_frames=n_depth,
        excursion_at_depth_tl=finite_or_none(rep_excursion(exc, rep)) if exc else None,
        measures=tuple(sorted({p for e in valgus + varus for p in e.measure.split("+")})),
        knee_foot_at_depth=finite_or_none(knee_foot_at_depth(metrics, rep, side)),
    )
