"""Knee valgus findings from per-frame metrics: summaries and verdicts. Pure numpy.

Only frames flagged valid (frontal view, moderate flexion, landmarks seen) count; a side with
no valid frame is `assessable: False` and gets no numbers, rather than confident wrong ones.

`summarize_side` is the plain per-side summary of the clip. `assess` adds the movement view:
knee-collapse events (events.py), per-rep and per-side verdicts ("ok" | "valgus" | "varus" |
"not_assessable"), left-right asymmetry. Verdicts are about the DYNAMIC change from the standing
baseline (FPPA + = valgus, degrees); a structural standing alignment is reported as such
("see a professional"), not as a movement fault. Only a frontal (or, with a warning, oblique)
view is judged; in one-leg exercises only each rep's lead leg. A varus verdict needs a varus
event, which needs the knee OUTSIDE the foot too (events.py): negative 2D FPPA alone is what
knees tracking out over turned-out toes look like in a good wide-stance squat.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

import numpy as np

from valguscam.assessment.depth import DepthExcursion, depth_events, depth_excursion
from valguscam.assessment.events import detect_events, reference_fppa
from valguscam.assessment.rep_summary import (
    POSITION_LABELS,
    SIDES,
    VERDICTS,
    RepSideSummary,
    judged_reason,
    position_shares,
    round_or_none,
    summarize_rep,
    view_reason,
    worst_severity,
)
from valguscam.config import DepthConfig, EventsConfig
from valguscam.report.jsonable import json_ready
from valguscam.types import Baseline, KneeMetrics, Rep, ValgusEvent

__all__ = [
    "POSITION_LABELS",
    "Assessment",
    "Asymmetry",
    "RepSideSummary",
    "SideAssessment",
    "SideSummary",
    "assess",
    "assess_side",
    "asymmetry",
    "position_shares",
    "summarize_rep",
    "summarize_side",
]


@dataclass(frozen=True)
class SideSummary:
    """One side over the clip. Angles in degrees, FPPA + = valgus; None where not measurable.

    peak_fppa_deg: largest FPPA on valid frames (most valgus) and its time peak_time_s.
    min_fppa_deg: smallest FPPA on valid frames (most varus).
    peak_dynamic_fppa_deg: largest FPPA minus the standing baseline.
    knee_position_share: fraction of the frames with a known knee position (bent knee, frontal
    view) in each class; position_frames: how many such frames.
    peak_knee_foot: largest medial knee offset from the big-toe line (hip widths) on frames with a
    known knee position.
    """

    assessable: bool
    valid_frames: int
    valid_share: float
    baseline_fppa_deg: float | None
    baseline_frames: int
    structural: bool
    peak_fppa_deg: float | None
    peak_time_s: float | None
    min_fppa_deg: float | None
    peak_dynamic_fppa_deg: float | None
    peak_knee_foot: float | None
    position_frames: int
    knee_position_share: dict[str, float]

    def to_dict(self) -> dict:
        return asdict(self)


def summarize_side(metrics: KneeMetrics, side: str) -> SideSummary:
    """Summary of one side ("left" or "right") over the valid frames of the clip."""
    m = metrics.side(side)
    base = metrics.baseline.get(side) or Baseline(float("nan"), 0)
    n = int(m.valid.sum())
    total = max(len(metrics.t_s), 1)
    shares, n_position = position_shares(m.knee_position)
    fppa = np.where(m.valid, m.fppa_deg, np.nan)
    i_peak = int(np.nanargmax(fppa)) if n else None
    kf = np.where(m.knee_position >= 0, m.knee_foot, np.nan)
    return SideSummary(
        assessable=n > 0,
        valid_frames=n,
        valid_share=round(n / total, 3),
        baseline_fppa_deg=round_or_none(base.fppa_deg),
        baseline_frames=base.n_frames,
        structural=base.structural,
        peak_fppa_deg=round_or_none(fppa[i_peak]) if n else None,
        peak_time_s=round_or_none(metrics.t_s[i_peak]) if n else None,
        min_fppa_deg=round_or_none(np.nanmin(fppa)) if n else None,
        peak_dynamic_fppa_deg=round_or_none(fppa[i_peak] - base.fppa_deg) if n else None,
        peak_knee_foot=round_or_none(np.nanmax(kf)) if n_position else None,
        position_frames=n_position,
        knee_position_share=shares,
    )


# Verdicts over the clip: events (events.py), rep summaries (rep_summary.py), view, exercise.

OBLIQUE_WARNING = (
    "oblique view: camera yaw distorts the 2D knee angle; verdicts are indicative only, film "
    "square to the front for a firm reading"
)


@dataclass(frozen=True)
class SideAssessment:
    """One side over the clip, on the frames where it is the judged leg (inside its judged reps
    when reps are given, else the whole clip). Degrees, FPPA + = valgus.

    verdict: "ok" | "valgus" | "varus" | "not_assessable" (`reason` says why). reference:
    "dynamic" (FPPA minus standing baseline) or "absolute" (no baseline: see notes).
    events / varus_events: judged events; max_severity: the worst valgus event.
    peak_*: largest FPPA on the judged valid frames; bottom_*: mean of the reps' bottom means.
    structural: the standing alignment is beyond the structural limit; structural_note then
    says "structural alignment, see a professional" (the verdict stays about the dynamic change).
    rep_verdicts: how many of the judged reps got each verdict.
    measures: which measures could judge this side: "fppa" (valid frontal-plane frames) and/or
    "knee_over_foot" (the knee's travel over the foot at depth, assessment/depth.py).
    depth_frames: judged frames at depth with that travel known. peak_excursion_tl: the largest
    medial travel at depth, standing thigh lengths (+ = medial). valgus_measures: the measures
    that found the valgus events.
    """

    side: str
    verdict: str
    reason: str | None
    reference: str
    judged_reps: int
    valid_frames: int
    events: int
    varus_events: int
    max_severity: str | None
    peak_fppa_deg: float | None
    peak_dynamic_fppa_deg: float | None
    peak_time_s: float | None
    bottom_fppa_deg: float | None
    bottom_dynamic_fppa_deg: float | None
    baseline_fppa_deg: float | None
    structural: bool
    structural_note: str | None
    rep_verdicts: dict[str, int]
    notes: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    depth_frames: int = 0
    peak_excursion_tl: float | None = None
    valgus_measures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Asymmetry:
    """Left minus right FPPA (degrees, + = the left knee goes more into valgus).

    peak_diff_deg: difference of the sides' peaks; bottom_diff_deg: of their bottom means.
    exceeds_sdd: |peak_diff_deg| (or |bottom_diff_deg| without peaks) > threshold_deg, the
    smallest detectable difference of 2D FPPA; below it a difference is within measurement error.
    """

    assessable: bool
    reason: str | None
    reference: str
    peak_diff_deg: float | None
    bottom_diff_deg: float | None
    threshold_deg: float
    exceeds_sdd: bool
    more_valgus_side: str | None


@dataclass(frozen=True)
class Assessment:
    """The valgus findings of one clip: sides, reps, judged events, asymmetry, warnings.

    events / varus_events hold only judged events (the judged leg, inside reps when reps exist,
    and only for a frontal or oblique view). Times in seconds, angles in degrees.
    """

    view: str
    exercise: str
    sides: dict[str, SideAssessment]
    reps: tuple[RepSideSummary, ...]
    events: tuple[ValgusEvent, ...]
    varus_events: tuple[ValgusEvent, ...]
    asymmetry: Asymmetry
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """Plain JSON-ready dict; NaN becomes None."""
        return json_ready(asdict(self), digits=3)


def _judged_frames(
    n: int, side: str, reps: list[Rep], exercise: str
) -> tuple[np.ndarray, set[int] | None, str | None]:
    """(T,) frames where `side` is judged, its judged Rep.index set (None = no reps: the whole
    clip) and why it is never judged (None when it is)."""
    if not reps:
        why = judged_reason(side, None, exercise)
        return np.full(n, why is None), None, why
    mask = np.zeros(n, dtype=bool)
    indices = set()
    for rep in reps:
        if judged_reason(side, rep, exercise) is None:
            mask[rep.i_start : rep.i_end + 1] = True
            indices.add(rep.index)
    why = None if indices else f"never the judged leg: {judged_reason(side, reps[0], exercise)}"
    return mask, indices, why


def _judged(events: list[ValgusEvent], rep_ids: set[int] | None) -> list[ValgusEvent]:
    return list(events) if rep_ids is None else [e for e in events if e.rep in rep_ids]


def _side_notes(metrics: KneeMetrics, side: str, absolute: bool, cfg: EventsConfig) -> list[str]:
    """The absolute-FPPA fallback (when the side has anything to judge) and structural notes."""
    base = metrics.baseline.get(side) or Baseline(float("nan"), 0)
    notes = []
    if absolute and metrics.side(side).valid.any():
        notes.append(
            f"no standing baseline for the {side} knee: judged on the absolute FPPA with "
            f"thresholds raised by {cfg.absolute_margin_deg:g} deg; stand still facing the "
            "camera for a second before the first rep"
        )
    if base.structural:
        kind = "valgus" if base.fppa_deg > 0 else "varus"
        notes.append(
            f"standing alignment {base.fppa_deg:+.1f} deg ({kind}): structural alignment, see a "
            "professional; not a movement fault, the verdict is about the change from standing"
        )
    return notes


def assess_side(
    metrics: KneeMetrics,
    side: str,
    reps: list[Rep],
    events: tuple[list[ValgusEvent], list[ValgusEvent]],
    rows: tuple[RepSideSummary, ...],
    view: str,
    exercise: str,
    cfg: EventsConfig,
    exc: DepthExcursion | None = None,
    blocked: str | None = None,
) -> SideAssessment:
    """Verdict and numbers of one side over the frames where it is the judged leg.

    events: (valgus, varus) events of the side from both measures; rows: the rep summaries;
    exc: the side's knee travel at depth; blocked: why nothing is judged (view, no movement).
    Assessable when FPPA is valid on cfg.min_valid_frames judged frames OR the knee travel at
    depth is known on that many; `measures` says which held.
    """
    m = metrics.side(side)
    ref, absolute = reference_fppa(metrics, side)
    judged, rep_ids, why = _judged_frames(len(metrics.t_s), side, reps, exercise)
    ok = m.valid & np.isfinite(ref) & judged
    n_valid = int(ok.sum())
    n_depth = int((exc.at_depth & judged).sum()) if exc is not None else 0
    blocked = blocked or view_reason(view)
    reason = blocked or why
    if blocked is None:
        valgus, varus = _judged(events[0], rep_ids), _judged(events[1], rep_ids)
    else:  # no findings from a view or a clip that cannot show them
        valgus, varus = [], []
    measures = tuple(
        name
        for name, count in (("fppa", n_valid), ("knee_over_foot", n_depth))
        if count >= cfg.min_valid_frames
    )
    if reason is None and not measures:
        reason = (
            f"too few valid frames ({n_valid} for FPPA, {n_depth} at depth; need "
            f"{cfg.min_valid_frames}) for a frontal reading"
        )
    verdict = "not_assessable" if reason else "valgus" if valgus else "varus" if varus else "ok"
    i_peak = int(np.nanargmax(np.where(ok, ref, np.nan))) if n_valid else None
    mine = [r for r in rows if r.side == side and r.judged]
    base = metrics.baseline.get(side) or Baseline(float("nan"), 0)
    notes = _side_notes(metrics, side, absolute, cfg) if blocked is None else []
    depth_peak = [e.peak_excursion_tl for e in valgus if e.measure == "knee_over_foot"]
    travel = exc.excursion_tl[exc.at_depth & judged] if exc is not None else np.zeros(0)
    return SideAssessment(
        side=side,
        verdict=verdict,
        reason=reason,
        reference="absolute" if absolute else "dynamic",
        judged_reps=len(mine),
        valid_frames=n_valid,
        events=len(valgus),
        varus_events=len(varus),
        max_severity=worst_severity(valgus),
        peak_fppa_deg=round_or_none(m.fppa_deg[i_peak]) if n_valid else None,
        peak_dynamic_fppa_deg=round_or_none(metrics.dynamic(side)[i_peak]) if n_valid else None,
        peak_time_s=round_or_none(metrics.t_s[i_peak]) if n_valid else None,
        bottom_fppa_deg=_mean_of(r.bottom_fppa_deg for r in mine),
        bottom_dynamic_fppa_deg=_mean_of(r.bottom_dynamic_fppa_deg for r in mine),
        baseline_fppa_deg=round_or_none(base.fppa_deg),
        structural=base.structural and blocked is None,
        structural_note=notes[-1] if base.structural and blocked is None else None,
        rep_verdicts={v: sum(r.verdict == v for r in mine) for v in VERDICTS},
        notes=tuple(notes),
        measures=measures if reason is None else (),
        depth_frames=n_depth,
        peak_excursion_tl=round_or_none(
            max(depth_peak) if depth_peak else (np.max(travel) if travel.size else np.nan), 3
        ),
        valgus_measures=tuple(sorted({p for e in valgus for p in e.measure.split("+")})),
    )


def _mean_of(values: Iterable[float | None]) -> float | None:
    finite = [v for v in values if v is not None]
    return round_or_none(float(np.mean(finite))) if finite else None


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(a - b, 2)


def asymmetry(sides: dict[str, SideAssessment], cfg: EventsConfig) -> Asymmetry:
    """Left minus right peak and bottom FPPA; dynamic when both sides have a baseline."""
    left, right = sides["left"], sides["right"]
    absolute = "absolute" in (left.reference, right.reference)
    ref = "absolute" if absolute else "dynamic"
    missing = [s.side for s in (left, right) if s.verdict == "not_assessable"]
    if missing:
        why = f"{' and '.join(missing)} knee not assessable"
        return Asymmetry(False, why, ref, None, None, cfg.asymmetry_deg, False, None)
    if absolute:
        peak = _diff(left.peak_fppa_deg, right.peak_fppa_deg)
        bottom = _diff(left.bottom_fppa_deg, right.bottom_fppa_deg)
    else:
        peak = _diff(left.peak_dynamic_fppa_deg, right.peak_dynamic_fppa_deg)
        bottom = _diff(left.bottom_dynamic_fppa_deg, right.bottom_dynamic_fppa_deg)
    main = peak if peak is not None else bottom
    exceeds = main is not None and abs(main) > cfg.asymmetry_deg
    more = ("left" if main > 0 else "right") if exceeds else None
    return Asymmetry(True, None, ref, peak, bottom, cfg.asymmetry_deg, exceeds, more)


def _found(
    metrics: KneeMetrics,
    side: str,
    reps: list[Rep],
    exc: DepthExcursion,
    cfg: EventsConfig,
    depth_cfg: DepthConfig,
) -> tuple[list[ValgusEvent], list[ValgusEvent]]:
    """(valgus, varus) events of one side, in time order. Valgus: FPPA events (valid frames)
    and knee-over-foot events at depth; one collapse seen by both (overlapping in time) is one
    event with measure "fppa+knee_over_foot". Varus: FPPA events only (see assessment/depth.py).
    """
    valgus = detect_events(metrics, side, reps, cfg)
    for d in depth_events(metrics, side, reps, exc, depth_cfg, cfg):
        hit = [i for i, e in enumerate(valgus) if e.i_start <= d.i_end and d.i_start <= e.i_end]
        if not hit:
            valgus.append(d)
            continue
        e = valgus[hit[0]]
        valgus[hit[0]] = replace(
            e, measure="fppa+knee_over_foot", peak_excursion_tl=d.peak_excursion_tl
        )
    varus = detect_events(metrics, side, reps, cfg, "varus")
    return sorted(valgus, key=lambda e: e.start_s), varus


NO_MOVEMENT = (
    "no squat or lunge recognised (exercise unknown or no complete rep): nothing is judged; "
    "film whole reps from the front, starting and ending standing"
)


def assess(
    metrics: KneeMetrics,
    reps: list[Rep],
    view: str,
    exercise: str,
    cfg: EventsConfig,
    depth_cfg: DepthConfig | None = None,
) -> Assessment:
    """Events, per-rep and per-side verdicts and asymmetry of one clip.

    reps: the clip's repetitions (may be empty: then the whole clip is judged, for a bilateral
    or unknown exercise). view: "frontal" | "oblique" | "sagittal" | "unknown"; only frontal
    and oblique views get verdicts (oblique with a warning). exercise: "bilateral_squat" |
    "split_squat" | "lateral_lunge" | "single_leg_squat" | "unknown"; in one-leg exercises only
    each rep's lead_side is judged.
    """
    depth_cfg = depth_cfg or DepthConfig()
    view_why = view_reason(view)
    if view_why is None and (not reps or exercise == "unknown"):
        view_why = NO_MOVEMENT
    warnings = [OBLIQUE_WARNING] if view == "oblique" else []
    warnings += [view_why] if view_why else []
    hip_w = metrics.hip_width_px
    hip_w = np.full(len(metrics.t_s), np.nan) if hip_w is None else hip_w
    exc = {s: depth_excursion(metrics, s, reps, hip_w, depth_cfg) for s in SIDES}
    found = {s: _found(metrics, s, reps, exc[s], cfg, depth_cfg) for s in SIDES}
    rows = tuple(
        summarize_rep(
            metrics, s, rep, found[s], cfg, view_why or judged_reason(s, rep, exercise), exc[s]
        )
        for rep in reps
        for s in SIDES
    )
    sides = {
        s: assess_side(metrics, s, reps, found[s], rows, view, exercise, cfg, exc[s], view_why)
        for s in SIDES
    }
    valgus: list[ValgusEvent] = []
    varus: list[ValgusEvent] = []
    if view_why is None:
        for s in SIDES:
            _, rep_ids, _ = _judged_frames(len(metrics.t_s), s, reps, exercise)
            valgus += _judged(found[s][0], rep_ids)
            varus += _judged(found[s][1], rep_ids)
    return Assessment(
        view=view,
        exercise=exercise,
        sides=sides,
        reps=rows,
        events=tuple(sorted(valgus, key=lambda e: e.start_s)),
        varus_events=tuple(sorted(varus, key=lambda e: e.start_s)),
        asymmetry=asymmetry(sides, cfg),
        warnings=tuple(warnings),
    )
