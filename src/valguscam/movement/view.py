"""Movement understanding: camera view, exercise and the judged leg of each rep (pure numpy).

    view = classify_view(track)                  # frontal / oblique / sagittal / unknown
    reps = find_reps(track)                      # reps.py, re-exported here
    exercise = detect_exercise(track, reps)      # or a label the user forced
    reps = assign_lead_sides(track, reps, exercise)

The view fuses 2D body widths (hips, shoulders against the leg length) with the yaw of the
world landmarks. The exercise and judged leg come from the stance in world landmarks (metres,
hip-centred, x right, y down, z away from the camera). Left/right are the subject's sides;
landmarks scored below MovementConfig.min_visibility are ignored. Thresholds: MovementConfig.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np

from valguscam.body import geometry as kin
from valguscam.body.geometry import finite_percentile
from valguscam.body.measures import (
    BodyMeasures,
    ViewCues,
    depth_signal,
    knee_flexion_signal,
    leg_length,
    masked,
    view_cues,
)
from valguscam.config import MovementConfig
from valguscam.errors import ConfigError
from valguscam.landmarks import LEGS, Landmark, Side
from valguscam.movement.reps import RepCounter, find_reps, reference_depth, segment_reps
from valguscam.types import Exercise, PoseTrack, Rep, View

__all__ = [
    "EXERCISES",
    "VIEWS",
    "ExerciseEstimate",
    "RepCounter",
    "RepStance",
    "ViewCues",
    "ViewEstimate",
    "assign_lead_sides",
    "classify_view",
    "depth_signal",
    "detect_exercise",
    "find_reps",
    "knee_flexion_signal",
    "lead_side",
    "reference_depth",
    "rep_label",
    "rep_stance",
    "segment_reps",
    "view_cues",
]

VIEWS = tuple(v.value for v in View)
EXERCISES = tuple(e.value for e in Exercise)
_NAN = float("nan")


def _frame_mask(n: int, frames: slice | np.ndarray | None) -> np.ndarray:
    """(n,) bool from None (all), a slice, a bool mask or an array of indices."""
    mask = np.zeros(n, bool)
    if frames is None:
        mask[:] = True
    elif isinstance(frames, slice):
        mask[frames] = True
    else:
        idx = np.asarray(frames)
        mask[idx if idx.dtype != bool else np.flatnonzero(idx)] = True
    return mask


# --- view ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewEstimate:
    """Where the camera sees the subject from, over the frames looked at.

    label: "frontal" | "oblique" | "sagittal" | "unknown" (too few frames with a pose).
    yaw_deg: median body yaw to the image plane, degrees (0 = facing the camera or away from
    it, 90 = side-on): the 2D width cue and the world-landmark yaw, fused (MovementConfig).
    hip_width_ratio, shoulder_width_ratio: median 2D hip / shoulder width over the standing 2D
    leg length (front-on about 0.25 / 0.45, side-on near 0). world_yaw_deg: world yaw alone.
    n_frames: frames used.
    """

    label: str
    yaw_deg: float
    hip_width_ratio: float
    shoulder_width_ratio: float
    n_frames: int
    world_yaw_deg: float = _NAN


def classify_view(
    track: PoseTrack,
    frames: slice | np.ndarray | None = None,
    cfg: MovementConfig | None = None,
    body: BodyMeasures | None = None,
) -> ViewEstimate:
    """The camera view over `frames` (None = the whole track; a slice, bool mask or indices).

    Median fused yaw below cfg.frontal_max_yaw_deg: "frontal"; from cfg.sagittal_min_yaw_deg:
    "sagittal"; between: "oblique"; fewer than cfg.min_view_frames frames with a pose: "unknown".
    """
    cfg = cfg or MovementConfig()
    if not track.n_frames:
        return ViewEstimate("unknown", _NAN, _NAN, _NAN, 0)
    cues = body.view if body is not None else view_cues(track, cfg)
    use = _frame_mask(track.n_frames, frames) & track.has_pose & np.isfinite(cues.yaw_deg)
    n = int(use.sum())
    yaw = finite_percentile(cues.yaw_deg[use])
    if n < cfg.min_view_frames:
        label = "unknown"
    elif yaw < cfg.frontal_max_yaw_deg:
        label = "frontal"
    elif yaw >= cfg.sagittal_min_yaw_deg:
        label = "sagittal"
    else:
        label = "oblique"
    return ViewEstimate(
        label=label,
        yaw_deg=yaw,
        hip_width_ratio=finite_percentile(cues.hip_ratio[use]),
        shoulder_width_ratio=finite_percentile(cues.shoulder_ratio[use]),
        n_frames=n,
        world_yaw_deg=finite_percentile(cues.world_yaw_deg[use]),
    )


# --- exercise -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RepStance:
    """The stance in one rep, from world landmarks. NaN where not measurable.

    At the bottom (frames at least cfg.bottom_frac of the rep's depth), medians of:
    fore_aft_hw: left ankle minus right ankle along the facing direction, in hip widths
    (+ = left foot in front); lateral_hw: ankle separation along the hip line, hip widths;
    shift: the pelvis's offset from the ankles' mid-point toward the left ankle, as a fraction
    of their lateral separation (+0.5 = over the left foot); flexion_diff_deg: left minus right
    knee flexion. Over the whole rep: left_up_frac / right_up_frac, the share of frames with
    that foot's lowest point (ankle, heel, toe) cfg.single_leg_lift leg lengths above the other.
    """

    fore_aft_hw: float
    lateral_hw: float
    shift: float
    flexion_diff_deg: float
    left_up_frac: float
    right_up_frac: float


@dataclass(frozen=True)
class ExerciseEstimate:
    """The exercise of a clip and the judged leg of each rep.

    label: one of EXERCISES (the most common per-rep label; "unknown" without reps).
    lead_sides: per rep, "left"/"right": front leg (split squat), bent working leg (lateral
    lunge), stance leg (single-leg squat); None for a bilateral squat or when unclear.
    rep_labels, stances: per rep.
    """

    label: str
    lead_sides: tuple[str | None, ...]
    rep_labels: tuple[str, ...]
    stances: tuple[RepStance, ...]


def _horizontal_unit(v: np.ndarray) -> np.ndarray:
    h = np.array(v, dtype=float)
    h[..., 1] = 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return h / np.linalg.norm(h, axis=-1, keepdims=True)


def _facing(world: np.ndarray) -> np.ndarray:
    """(T, 3) unit facing direction in the floor plane: hip line x up, signed by the feet.

    The hip line (left - right) crossed with up (0, -1, 0) points where the body faces. When
    the toes (heel -> foot_index, both feet) point the other way over the frames, the sign is
    flipped: in a side view MediaPipe's depth order of the hips is the weaker cue.
    """
    lateral = _horizontal_unit(world[:, Landmark.LEFT_HIP] - world[:, Landmark.RIGHT_HIP])
    forward = np.cross(lateral, np.array([0.0, -1.0, 0.0]))
    toes = sum(world[:, g.toe] - world[:, g.heel] for g in LEGS.values())
    agree = np.sum(forward * _horizontal_unit(toes), axis=-1)
    return -forward if finite_percentile(agree) < 0 else forward


def _foot_low_y(world: np.ndarray, side: Side) -> np.ndarray:
    """(T,) lowest point (largest y, y down) of a foot: ankle, heel or toe."""
    g = LEGS[side]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmax(world[:, [g.ankle, g.heel, g.toe], 1], axis=1)


def _up_fracs(world: np.ndarray, leg_m: float, lift: float) -> tuple[float, float]:
    """Share of frames with the left / right foot `lift` leg lengths above the other."""
    up = (_foot_low_y(world, Side.RIGHT) - _foot_low_y(world, Side.LEFT)) / leg_m
    ok = np.isfinite(up)
    if ok.sum() < max(1, len(up) // 2):
        return _NAN, _NAN
    return float(np.mean(up[ok] >= lift)), float(np.mean(up[ok] <= -lift))


def rep_stance(
    track: PoseTrack, rep: Rep, depth: np.ndarray, cfg: MovementConfig | None = None
) -> RepStance:
    """The stance of `rep` (see RepStance); depth: (T,) the track's depth_signal."""
    cfg = cfg or MovementConfig()
    world = masked(track.world, track.visibility, cfg.min_visibility)
    span = slice(rep.i_start, rep.i_end + 1)
    near_bottom = depth[span] >= cfg.bottom_frac * rep.depth
    bottom = (
        np.arange(rep.i_start, rep.i_end + 1)[near_bottom] if near_bottom.any() else [rep.i_bottom]
    )
    w = world[bottom]
    lh, rh = w[:, Landmark.LEFT_HIP], w[:, Landmark.RIGHT_HIP]
    la, ra = w[:, Landmark.LEFT_ANKLE], w[:, Landmark.RIGHT_ANKLE]
    lateral = _horizontal_unit(lh - rh)
    hip_w = finite_percentile(np.sum((lh - rh) * lateral, axis=-1))
    feet = np.sum((la - ra) * lateral, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shift = np.sum(((lh + rh) / 2 - (la + ra) / 2) * lateral, axis=-1) / feet
    axis = lh - rh
    flex = [
        kin.flexion_deg(w[:, LEGS[s].hip], w[:, LEGS[s].knee], w[:, LEGS[s].ankle], axis)
        for s in Side
    ]
    left_up, right_up = _up_fracs(world[span], leg_length(world), cfg.single_leg_lift)
    return RepStance(
        fore_aft_hw=finite_percentile(np.sum((la - ra) * _facing(w), axis=-1)) / hip_w,
        lateral_hw=abs(finite_percentile(feet)) / hip_w,
        shift=finite_percentile(shift),
        flexion_diff_deg=finite_percentile(flex[0] - flex[1]),
        left_up_frac=left_up,
        right_up_frac=right_up,
    )


def rep_label(stance: RepStance, cfg: MovementConfig | None = None) -> str:
    """Exercise of one rep from its stance: a lifted foot, then a split stance, then a wide
    stance with the pelvis over one foot; otherwise a bilateral squat ("unknown" if no data)."""
    cfg = cfg or MovementConfig()
    s = stance
    if max(s.left_up_frac, s.right_up_frac) >= cfg.single_leg_frac:
        return "single_leg_squat"
    if abs(s.fore_aft_hw) >= cfg.split_min_hw:
        return "split_squat"
    if s.lateral_hw >= cfg.lateral_min_hw and abs(s.shift) >= cfg.lateral_min_shift:
        return "lateral_lunge"
    known = np.isfinite([s.fore_aft_hw, s.lateral_hw, s.left_up_frac])
    return "bilateral_squat" if known.any() else "unknown"


def lead_side(stance: RepStance, exercise: str) -> str | None:
    """The judged leg of a rep under `exercise`: front leg (split squat: the foot further
    along the facing direction), working leg (lateral lunge: the side the pelvis shifts to,
    else the more bent knee), stance leg (single-leg squat: the lower foot); else None."""
    s = stance

    def by_sign(x: float) -> str | None:
        return None if not np.isfinite(x) or x == 0 else ("left" if x > 0 else "right")

    if exercise == "split_squat":
        return by_sign(s.fore_aft_hw)
    if exercise == "lateral_lunge":
        return by_sign(s.shift) or by_sign(s.flexion_diff_deg)
    if exercise == "single_leg_squat":
        return by_sign(s.right_up_frac - s.left_up_frac)
    return None


def detect_exercise(
    track: PoseTrack,
    reps: list[Rep],
    cfg: MovementConfig | None = None,
    body: BodyMeasures | None = None,
) -> ExerciseEstimate:
    """The exercise (most common per-rep label) and each rep's judged leg under it."""
    cfg = cfg or MovementConfig()
    if not reps:
        return ExerciseEstimate("unknown", (), (), ())
    depth = body.depth if body is not None else depth_signal(track, cfg)
    stances = tuple(rep_stance(track, r, depth, cfg) for r in reps)
    labels = tuple(rep_label(s, cfg) for s in stances)
    counts = Counter(lab for lab in labels if lab != "unknown")
    label = counts.most_common(1)[0][0] if counts else "unknown"
    sides = tuple(lead_side(s, label) for s in stances)
    return ExerciseEstimate(label, sides, labels, stances)


def assign_lead_sides(
    track: PoseTrack,
    reps: list[Rep],
    exercise: str | ExerciseEstimate,
    cfg: MovementConfig | None = None,
    body: BodyMeasures | None = None,
) -> list[Rep]:
    """Copies of `reps` with lead_side filled for `exercise`: a detected ExerciseEstimate or a
    label the user forced (one of EXERCISES); None for bilateral squats and "unknown"."""
    if isinstance(exercise, ExerciseEstimate):
        sides = exercise.lead_sides
    elif exercise in EXERCISES:
        depth = np.zeros(0) if not reps else body.depth if body else depth_signal(track, cfg)
        sides = tuple(lead_side(rep_stance(track, r, depth, cfg), exercise) for r in reps)
    else:
        raise ConfigError(
            f"unknown exercise {exercise!r}; use one of: {', '.join(EXERCISES[:-1])} or auto"
        )
    if len(sides) != len(reps):
        raise ValueError("the ExerciseEstimate was made for a different list of reps")
    return [dataclasses.replace(r, lead_side=s) for r, s in zip(reps, sides, strict=True)]
