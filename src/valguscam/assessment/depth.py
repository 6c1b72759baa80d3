"""Knee collapse where squats collapse: the knee's medial travel over the foot at depth. Pure numpy.

At the bottom of a squat filmed from the front the thigh points at the camera, image lengths
along it shrink and FPPA swings to -70..-120 deg in a good squat (DESIGN.md section 3), so FPPA
is not valid there. The knee's medial-lateral position over the foot, along the hip line, is
hardly foreshortened: it is the measure for the bottom of a rep.

Per side and rep, on frames from the front with knee and foot seen (knee_foot finite):
- reference: the median `knee_foot` of the rep's early descent (depth up to
  DepthConfig.early_frac of the rep's depth), i.e. where this person's knee tracks before the
  bottom, on this rep (a person who re-sets the feet between reps gets a new reference);
- excursion(t) = knee_foot(t) - reference, converted from hip widths to STANDING THIGH LENGTHS
  (the unit of the landmark error), + = medial (toward the midline, the collapse direction);
- at depth: frames at least DepthConfig.deep_frac of the rep's depth.
A knee-collapse event is a stretch at depth with the excursion above DepthConfig.enter_tl (the
measurement error, see DepthConfig) lasting at least EventsConfig.min_duration_s. Its severity
comes from where the knee ended up over the foot (the coaching target): "mild" = moved inward
beyond error but still over the mid-outside of the foot; "moderate" = reached the big-toe
line; "severe" = inside the big toe.
There are no knee-out (varus) events at depth: knees travelling out over turned-out toes are
the coaching target, and the foot's width is an anthropometric estimate (KneeFootConfig) that
cannot tell "over the little toe" from "just outside it" within the landmark error. Varus
stays an FPPA finding on valid frames with the knee outside the foot (events.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valguscam.assessment.events import debounced, segments
from valguscam.config import DepthConfig, EventsConfig
from valguscam.types import KneeMetrics, KneePosition, Rep, ValgusEvent

MEASURE = "knee_over_foot"


@dataclass(frozen=True)
class DepthExcursion:
    """One side's knee travel over the foot in every rep. (T,) arrays, NaN outside reps.

    excursion_tl: knee_foot minus the rep's early-descent reference, standing thigh lengths,
    + = medial. at_depth: (T,) bool, frames of a rep at depth with the excursion known.
    reference_hw: (T,) the rep's reference knee_foot, hip widths (+ = medial of mid-foot).
    """

    excursion_tl: np.ndarray
    at_depth: np.ndarray
    reference_hw: np.ndarray


def depth_excursion(
    metrics: KneeMetrics, side: str, reps: list[Rep], hip_width_px: np.ndarray, cfg: DepthConfig
) -> DepthExcursion:
    """The excursion of `side` in each rep. hip_width_px: (T,) 2D hip width, pixels."""
    m = metrics.side(side)
    n = len(metrics.t_s)
    thigh_px = metrics.baseline[side].thigh_px if side in metrics.baseline else np.nan
    exc, ref_out = np.full(n, np.nan), np.full(n, np.nan)
    deep = np.zeros(n, bool)
    seen = np.isfinite(m.knee_foot) & (metrics.yaw_deg <= cfg.max_yaw_deg)
    for rep in reps:
        sl = slice(rep.i_start, rep.i_end + 1)
        d = metrics.depth[sl]
        peak = np.nanmax(d) if np.isfinite(d).any() else np.nan
        if not peak > 0:
            continue
        idx = np.arange(rep.i_start, rep.i_end + 1)
        early = seen[sl] & (d <= cfg.early_frac * peak) & (idx <= rep.i_bottom)
        if early.sum() < cfg.min_reference_frames:
            continue
        ref = float(np.median(m.knee_foot[sl][early]))
        with np.errstate(invalid="ignore", divide="ignore"):
            exc[sl] = (m.knee_foot[sl] - ref) * hip_width_px[sl] / thigh_px
        ref_out[sl] = ref
        deep[sl] = seen[sl] & (d >= cfg.deep_frac * peak) & np.isfinite(exc[sl])
    return DepthExcursion(exc, deep, ref_out)


def _severity(position: int) -> str:
    if position == KneePosition.INSIDE:
        return "severe"
    return "moderate" if position == KneePosition.BIG_TOE else "mild"


def depth_events(
    metrics: KneeMetrics,
    side: str,
    reps: list[Rep],
    excursion: DepthExcursion,
    cfg: DepthConfig,
    events_cfg: EventsConfig,
) -> list[ValgusEvent]:
    """Knee-collapse events of `side` at depth, in time order."""
    x = excursion.excursion_tl
    pos = metrics.side(side).knee_position
    ok = excursion.at_depth
    with np.errstate(invalid="ignore"):
        enter, stay = ok & (x >= cfg.enter_tl), ok & (x >= cfg.exit_tl)
    c = {"x": x, "ok": ok, "observed": ok, "enter": enter, "stay": stay}
    rep_of = np.full(len(x), -1)
    for r in reps:
        rep_of[r.i_start : r.i_end + 1] = r.index
    t = metrics.t_s
    out = []
    for first, last in debounced(t, segments(t, c, rep_of, events_cfg), events_cfg):
        idx = np.arange(first, last + 1)
        idx = idx[ok[idx]]
        peak = int(idx[np.argmax(x[idx])])
        code = int(pos[peak])
        out.append(ValgusEvent(
            side=side, start_s=float(t[first]), peak_s=float(t[peak]), end_s=float(t[last]),
            i_start=int(first), i_peak=peak, i_end=int(last),
            peak_fppa_deg=float(metrics.side(side).fppa_deg[peak]),
            peak_dynamic_fppa_deg=float(metrics.dynamic(side)[peak]),
            knee_position=KneePosition(code).label if code >= 0 else None,
            severity=_severity(code),
            rep=int(rep_of[peak]) if rep_of[peak] >= 0 else None,
            measure=MEASURE, peak_excursion_tl=float(excursion.excursion_tl[peak]),
        ))  # fmt: skip
    return out


def rep_excursion(excursion: DepthExcursion, rep: Rep) -> float:
    """Median excursion at depth over `rep` (thigh lengths, + = medial), NaN if none."""
    sl = slice(rep.i_start, rep.i_end + 1)
    use = excursion.at_depth[sl]
    return float(np.median(excursion.excursion_tl[sl][use])) if use.any() else float("nan")
