"""Movement findings of one clip: camera view, reps, exercise, valgus assessment and advice.

The stage between per-frame metrics and the report: pure, no I/O. Movement (reps, view,
exercise) is read from the raw track, which reps.py smooths itself; the valgus assessment uses
the metrics of the cleaned track.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from valguscam.assessment.advice import AdviceItem, advice_for
from valguscam.assessment.rep_summary import knee_foot_at_depth, position_shares
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

__all__ = ["ExerciseSource", "Findings", "find_movement", "knee_foot_at_depth", "phase_and_rep"]


class ExerciseSource(StrEnum):
    """Where the exercise label came from: detected ("auto") or given by the user ("forced")."""

    AUTO = "auto"
    FORCED = "forced"


@dataclass(frozen=True)
class Findings:
    """What the movement tells: view (clip and per rep), reps, exercise, verdicts, advice.

    exercise_source: detected or given by the user.
    rep_views: one ViewEstimate per rep. advice: what to work on (assessment/advice.py).
    """

    view: ViewEstimate
    rep_views: tuple[ViewEstimate, ...]
    reps: tuple[Rep, ...]
    exercise: str
    exercise_source: ExerciseSource
    assessment: Assessment
    advice: tuple[AdviceItem, ...]


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
        exercise_source=ExerciseSource.AUTO if exercise == "auto" else ExerciseSource.FORCED,
        assessment=assessment, advice=tuple(advice),
    )  # fmt: skip


def medial_shares(metrics: KneeMetrics) -> dict[str, float]:
    """Per side: share of bent-knee frames with the knee on the big-toe line or inside it."""
    out = {}
    for side in ("left", "right"):
        shares, n = position_shares(metrics.side(side).knee_position)
        if n:
            out[side] = (shares["inside"] or 0.0) + (shares["big_toe"] or 0.0)
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
