"""Movement findings of one clip: camera view, reps, exercise, valgus assessment and advice.

The stage between per-frame metrics and the report: pure, no I/O. Movement (reps, view,
exercise) is read from the raw track, which reps.py smooths itself; the valgus assessment uses
the metrics of the cleaned track.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from valguscam.assessment.advice import advice_for
from valguscam.assessment.rep_summary import position_shares, round_or_none
from valguscam.assessment.verdicts import Assessment, assess
from valguscam.body.measures import BodyMeasures, measure_body
from valguscam.config import Config
from valguscam.errors import ConfigError
from valguscam.movement.reps import find_reps
from valguscam.movement.view import (
    EXERCISES,
    ExerciseEstimate,
    ViewEstimate,
    assign_lead_sides,
    classify_view,
    detect_exercise,
)
from valguscam.types import KneeMetrics, PoseTrack, Rep

PHASES = ("", "descent", "bottom", "ascent")


@dataclass(frozen=True)
class Findings:
    """What the movement tells: view (clip and per rep), reps, exercise, verdicts, advice.

    exercise_source: "auto" (detected) or "forced" (given by the user).
    rep_views: one ViewEstimate per rep.
    """

    view: ViewEstimate
    rep_views: tuple[ViewEstimate, ...]
    reps: tuple[Rep, ...]
    exercise: str
    exercise_source: str
    assessment: Assessment
    advice: tuple[dict, ...]


def _exercise(
    track: PoseTrack, reps: list[Rep], choice: str, cfg: Config, body: BodyMeasures
) -> ExerciseEstimate | str:
    if choice == "auto":
        return detect_exercise(track, reps, cfg.movement, body)
    if choice not in EXERCISES:
        raise ConfigError(
            f"unknown exercise {choice!r}; use auto or one of: {', '.join(EXERCISES)}"
        )
    return choice


def find_movement(
    raw: PoseTrack,
    metrics: KneeMetrics,
    cfg: Config,
    exercise: str = "auto",
    body: BodyMeasures | None = None,
) -> Findings:
    """View, reps, exercise and the valgus assessment of one clip (body: its body measures,
    measured from `raw` when not given)."""
    body = body or measure_body(raw, cfg.movement)
    view = classify_view(raw, cfg=cfg.movement, body=body)
    reps = find_reps(raw, cfg.movement, body)
    chosen = _exercise(raw, reps, exercise, cfg, body)
    reps = assign_lead_sides(raw, reps, chosen, cfg.movement, body)
    label = chosen.label if isinstance(chosen, ExerciseEstimate) else chosen
    rep_views = tuple(
        classify_view(raw, slice(r.i_start, r.i_end + 1), cfg.movement, body) for r in reps
    )
    assessment = assess(metrics, reps, view.label, label, cfg.events, cfg.depth)
    advice = advice_for(assessment, medial_shares(metrics), cfg.knee_foot.cue_medial_share)
    return Findings(
        view=view, rep_views=rep_views, reps=tuple(reps), exercise=label,
        exercise_source="auto" if exercise == "auto" else "forced",
        assessment=assessment, advice=tuple(advice),
    )  # fmt: skip


def medial_shares(metrics: KneeMetrics) -> dict[str, float]:
    """Per side: share of bent-knee frames with the knee on the big-toe line or inside it."""
    out = {}
    for side in ("left", "right"):
        shares, n = position_shares(metrics.side(side).knee_position)
        if n:
            out[side] = shares["inside"] + shares["big_toe"]
    return out


def phase_and_rep(n_frames: int, reps: tuple[Rep, ...]) -> tuple[list[str], np.ndarray]:
    """Per frame: phase ("descent", "bottom", "ascent" or "" outside reps) and rep index (-1)."""
    phase = [""] * n_frames
    rep_of = np.full(n_frames, -1, dtype=int)
    for r in reps:
        for i in range(r.i_start, min(r.i_end + 1, n_frames)):
            phase[i] = "descent" if i < r.i_bottom else "bottom" if i == r.i_bottom else "ascent"
            rep_of[i] = r.index
    return phase, rep_of


def _median_diff(reps: list[dict], key: str) -> float | None:
    """Median over reps of left minus right `key` (None where either side lacks it)."""
    diffs = [
        r["left"][key] - r["right"][key]
        for r in reps
        if r["left"] and r["right"] and r["left"][key] is not None and r["right"][key] is not None
    ]
    return round_or_none(float(np.median(diffs)), 3) if diffs else None


def _tracking_asymmetry(reps: list[dict], sdd_tl: float) -> dict:
    """Left minus right knee position and knee travel at depth, medians over reps.

    knee_foot_diff_at_depth: hip widths (+ = the left knee sits more medially over its foot).
    travel_diff_at_depth_tl: the knees' travel from their early-descent positions, standing
    thigh lengths (+ = the left knee travelled more medially); travel_exceeds_sdd: beyond
    `sdd_tl`, the smallest detectable difference of that left-right difference. Descriptive:
    people differ left to right by build and camera placement, so it is not a verdict.
    """
    diff = _median_diff(reps, "knee_foot_at_depth")
    travel = _median_diff(reps, "excursion_at_depth_tl")
    more = None if not diff else "left" if diff > 0 else "right"
    return {
        "knee_foot_diff_at_depth": diff,
        "more_medial_side_at_depth": more,
        "travel_diff_at_depth_tl": travel,
        "travel_sdd_tl": sdd_tl,
        "travel_exceeds_sdd": travel is not None and abs(travel) > sdd_tl,
    }


def _view_dict(v: ViewEstimate) -> dict:
    return {
        "label": v.label,
        "yaw_deg": v.yaw_deg,
        "hip_width_ratio": v.hip_width_ratio,
        "shoulder_width_ratio": v.shoulder_width_ratio,
        "frames": v.n_frames,
    }


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


def findings_report(f: Findings, metrics: KneeMetrics, depth_sdd_tl: float = 0.16) -> dict:
    """The report.json blocks of the findings: view, exercise, reps, events, advice, and the
    per-side verdict fields (merged into `summary` by report.build_report)."""
    a = f.assessment.to_dict()
    rows = {(r["rep"], r["side"]): r for r in a["reps"]}
    for rep in f.reps:
        for side in ("left", "right"):
            row = rows.get((rep.index, side))
            if row is not None:
                row["knee_foot_at_depth"] = round_or_none(knee_foot_at_depth(metrics, rep, side), 3)
    reps = []
    for rep, view in zip(f.reps, f.rep_views, strict=True):
        reps.append({
            "index": rep.index, "start_s": rep.start_s, "bottom_s": rep.bottom_s,
            "end_s": rep.end_s, "lead_side": rep.lead_side, "depth": rep.depth,
            "view": view.label,
            "left": rows.get((rep.index, "left")), "right": rows.get((rep.index, "right")),
        })  # fmt: skip
    events = [{**asdict(e), "kind": "valgus"} for e in f.assessment.events]
    events += [{**asdict(e), "kind": "varus"} for e in f.assessment.varus_events]
    return {
        "view": _view_dict(f.view),
        "exercise": {"label": f.exercise, "source": f.exercise_source},
        "reps": reps,
        "events": sorted(events, key=lambda e: e["start_s"]),
        "sides": a["sides"],
        "asymmetry": {**a["asymmetry"], **_tracking_asymmetry(reps, depth_sdd_tl)},
        "advice": list(f.advice),
        "warnings": list(a["warnings"]),
    }
