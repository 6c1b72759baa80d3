"""Knee valgus verdicts of one clip: events, per-rep and per-side verdicts, asymmetry. Pure numpy.

`assess` adds the movement view to the per-frame metrics: knee-collapse events (events.py),
per-rep (rep_summary.py) and per-side verdicts (a Verdict), left-right asymmetry
(asymmetry.py). Verdicts are about the DYNAMIC change from the standing baseline (FPPA + =
valgus, degrees); a structural standing alignment is reported as such ("see a professional"),
not as a movement fault. Only a frontal (or, with a warning, oblique) view is judged; in one-leg
exercises only each rep's lead leg. A varus verdict needs a varus event, which needs the knee
OUTSIDE the foot too (events.py): negative 2D FPPA alone is what knees tracking out over
turned-out toes look like in a good wide-stance squat. `summarize_side` (side_summary.py) is the
plain per-side summary of the clip. Results keep full precision; the report rounds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from valguscam.assessment.asymmetry import (
    Asymmetry,
    TrackingAsymmetry,
    asymmetry,
    tracking_asymmetry,
)
from valguscam.assessment.depth import DepthExcursion, depth_events, depth_excursion
from valguscam.assessment.events import detect_events, reference_fppa
from valguscam.assessment.rep_summary import (
    POSITION_LABELS,
    SIDES,
    VERDICTS,
    RepSideSummary,
    finite_or_none,
    judged_reason,
    peak_fields,
    position_shares,
    summarize_rep,
    view_reason,
    worst_severity,
)
from valguscam.assessment.side_summary import SideSummary, summarize_side
from valguscam.config import DepthConfig, EventsConfig
from valguscam.report.jsonable import report_ready
from valguscam.types import Baseline, KneeMetrics, Rep, ValgusEvent, Verdict

__all__ = [
    "POSITION_LABELS",
    "Assessment",
    "Asymmetry",
    "RepSideSummary",
    "SideAssessment",
    "SideSummary",
    "TrackingAsymmetry",
    "assess",
    "assess_side",
    "asymmetry",
    "position_shares",
    "summarize_rep",
    "summarize_side",
]


# Verdicts over the clip: events (events.py), rep summaries (rep_summary.py), view, exercise.

OBLIQUE_WARNING = (
    "oblique view: camera yaw distorts the 2D knee angle; verdicts are indicative only, film "
    "square to the front for a firm reading"
)


@dataclass(frozen=True)
class SideAssessment:
    """One side over the clip, on the frames where it is the judged leg (inside its judged reps
    when reps are given, else the whole clip). Degrees, FPPA + = valgus.

    verdict: a Verdict (`reason` says why when not_assessable). reference:
    "dynamic" (FPPA minus standing baseline) or "absolute" (no baseline: see notes).
    events / varus_events: judged events; max_severity: the worst valgus event.
    The numbers (peak_*, bottom_*, near_bottom_*, peak_excursion_tl) are None when the side is
    not assessable. peak_*: largest FPPA on the judged valid frames; bottom_*: mean of the
    judged reps' bottom means, over the reps whose bottom was assessable (None when none was);
    near_bottom_*: mean of the reps' near-bottom means (RepSideSummary), whatever the bottom.
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
    verdict: Verdict
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
    near_bottom_fppa_deg: float | None
    near_bottom_dynamic_fppa_deg: float | None
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
class Assessment:
    """The valgus findings of one clip: sides, reps, judged events, asymmetry, warnings.

    events / varus_events hold only judged events (the judged leg, inside reps when reps exist,
    and only for a frontal or oblique view). Times in seconds, angles in degrees.
    excursions: per side, the knee's travel over the foot at depth per frame (depth.py), the
    arrays the knee-over-foot events and rep figures were computed from.
    """

    view: str
    exercise: str
    sides: dict[str, SideAssessment]
    reps: tuple[RepSideSummary, ...]
    events: tuple[ValgusEvent, ...]
    varus_events: tuple[ValgusEvent, ...]
    asymmetry: Asymmetry
    warnings: tuple[str, ...] = ()
    tracking: TrackingAsymmetry | None = None
    excursions: dict[str, DepthExcursion] = field(default_factory=dict, repr=False, compare=False)

    def to_dict(self) -> dict:
        """Plain JSON-ready dict, rounded as the report is (report.jsonable); NaN becomes None.
        The per-frame excursion arrays are left out (frames.csv is their place)."""
        out = asdict(self)
        out.pop("excursions")
        return report_ready(out)


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


def _side_verdict(
    reason: str | None, n_valid: int, n_depth: int, valgus: list, varus: list, cfg: EventsConfig
) -> tuple[Verdict, str | None, tuple[str, ...]]:
    """(verdict, reason, measures) of a side: measures are those with cfg.min_valid_frames
    judged frames ("fppa", "knee_over_foot"); none of them makes the side not assessable."""
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
    if reason:
        return Verdict.NOT_ASSESSABLE, reason, ()
    verdict = Verdict.VALGUS if valgus else Verdict.VARUS if varus else Verdict.OK
    return verdict, None, measures


def _peak_excursion(
    valgus: list[ValgusEvent], exc: DepthExcursion | None, judged: np.ndarray
) -> float | None:
    """The largest medial knee travel at depth: of the knee-over-foot valgus events, else of
    the judged frames at depth (standing thigh lengths)."""
    depth_peak = [e.peak_excursion_tl for e in valgus if e.measure == "knee_over_foot"]
    if depth_peak:
        return finite_or_none(max(depth_peak))
    travel = exc.excursion_tl[exc.at_depth & judged] if exc is not None else np.zeros(0)
    return finite_or_none(np.nanmax(travel)) if np.isfinite(travel).any() else None


def _rep_means(mine: list[RepSideSummary]) -> dict:
    """bottom_* (reps with an assessable bottom only) and near_bottom_* means of the reps."""
    at_bottom = [r for r in mine if r.bottom_assessable]
    return {
        "bottom_fppa_deg": _mean_of(r.bottom_fppa_deg for r in at_bottom),
        "bottom_dynamic_fppa_deg": _mean_of(r.bottom_dynamic_fppa_deg for r in at_bottom),
        "near_bottom_fppa_deg": _mean_of(r.near_bottom_fppa_deg for r in mine),
        "near_bottom_dynamic_fppa_deg": _mean_of(r.near_bottom_dynamic_fppa_deg for r in mine),
    }


def _peak_fields(metrics: KneeMetrics, side: str, ok: np.ndarray, ref: np.ndarray) -> dict:
    """peak_fppa_deg, peak_dynamic_fppa_deg, peak_time_s at the largest `ref` on ok frames."""
    i = int(np.nanargmax(np.where(ok, ref, np.nan))) if ok.any() else None
    return peak_fields(metrics, side, i)


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
    ref, absolute = reference_fppa(metrics, side)
    judged, rep_ids, why = _judged_frames(len(metrics.t_s), side, reps, exercise)
    ok = metrics.side(side).valid & np.isfinite(ref) & judged
    n_valid = int(ok.sum())
    n_depth = int((exc.at_depth & judged).sum()) if exc is not None else 0
    blocked = blocked or view_reason(view)
    if blocked is None:
        valgus, varus = _judged(events[0], rep_ids), _judged(events[1], rep_ids)
    else:  # no findings from a view or a clip that cannot show them
        valgus, varus = [], []
    verdict, reason, measures = _side_verdict(blocked or why, n_valid, n_depth, valgus, varus, cfg)
    mine = [r for r in rows if r.side == side and r.judged]
    base = metrics.baseline.get(side) or Baseline(float("nan"), 0)
    notes = _side_notes(metrics, side, absolute, cfg) if blocked is None else []
    structural = base.structural and blocked is None
    assessed = verdict != Verdict.NOT_ASSESSABLE  # else no numbers: None, not guesses
    numbers = {
        **_peak_fields(metrics, side, ok if assessed else np.zeros_like(ok), ref),
        **_rep_means(mine if assessed else []),
        "peak_excursion_tl": _peak_excursion(valgus, exc, judged) if assessed else None,
    }
    return SideAssessment(
        side=side, verdict=verdict, reason=reason,
        reference="absolute" if absolute else "dynamic",
        judged_reps=len(mine), valid_frames=n_valid, events=len(valgus),
        varus_events=len(varus), max_severity=worst_severity(valgus),
        **numbers,
        baseline_fppa_deg=finite_or_none(base.fppa_deg), structural=structural,
        structural_note=notes[-1] if structural else None,
        rep_verdicts={v: sum(r.verdict == v for r in mine) for v in VERDICTS},
        notes=tuple(notes), measures=measures, depth_frames=n_depth,
        valgus_measures=tuple(sorted({p for e in valgus for p in e.measure.split("+")})),
    )  # fmt: skip


def _mean_of(values: Iterable[float | None]) -> float | None:
    finite = [v for v in values if v is not None]
    return float(np.mean(finite)) if finite else None


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
        tracking=tracking_asymmetry(rows, depth_cfg.asymmetry_sdd_tl),
        excursions=exc,
    )
