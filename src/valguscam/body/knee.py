"""Per-frame knee metrics of a whole track: both sides, baseline and validity. Pure numpy.

`compute_metrics(track, visibility, cfg)` is the one entry point: it applies the geometry of
kinematics.py to a (smoothed) PoseTrack and decides per frame where the frontal-plane numbers
can be trusted.
"""

from __future__ import annotations

import warnings

import numpy as np

from valguscam.body import geometry as kin
from valguscam.config import Config
from valguscam.landmarks import LEGS, Landmark, Side
from valguscam.types import Baseline, KneeMetrics, PoseTrack, SideMetrics


def pelvis_depth(track: PoseTrack) -> np.ndarray:
    """(T,) how far the pelvis is below its standing height above the ankles, in leg lengths.

    0 = standing tall; a parallel squat is about 0.3-0.45. Height = ankle mid-point y minus hip
    mid-point y, so a camera that tilts or a person who steps does not read as depth. Standing
    height = its 98th percentile; leg length = 95th percentile of the 2D hip-ankle distance.
    """
    xy = track.xy
    if not track.n_frames:
        return np.zeros(0)
    hip_y = xy[:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 1].mean(axis=1)
    ankle_y = xy[:, [Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE], 1].mean(axis=1)
    height = ankle_y - hip_y
    legs = [np.linalg.norm(xy[:, LEGS[s].ankle] - xy[:, LEGS[s].hip], axis=-1) for s in Side]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        leg_px = kin.finite_percentile(np.nanmean(np.stack(legs), axis=0), 95)
    top = kin.finite_percentile(height, 98)
    return (top - height) / leg_px if leg_px > 0 else height * np.nan


def _side_metrics(
    track: PoseTrack,
    visibility: np.ndarray,
    yaw_deg: np.ndarray,
    depth: np.ndarray,
    side: Side,
    cfg: Config,
) -> tuple[SideMetrics, Baseline]:
    leg, other = LEGS[side], LEGS[side.other]
    xy, world = track.xy, track.world
    hip, knee, ankle, toe = xy[:, leg.hip], xy[:, leg.knee], xy[:, leg.ankle], xy[:, leg.toe]
    other_hip = xy[:, other.hip]
    lateral = kin.lateral_axis(hip, other_hip)

    fppa = kin.fppa_deg(hip, knee, ankle, other_hip)
    hip_axis = world[:, Landmark.LEFT_HIP] - world[:, Landmark.RIGHT_HIP]
    flexion = kin.flexion_deg(world[:, leg.hip], world[:, leg.knee], world[:, leg.ankle], hip_axis)
    # The foot's line at mid-foot (between ankle and foot_index): on a straight foot it is the
    # second-toe line; on a turned-out foot it follows the turn-out, as a knee tracking the
    # foot does.
    knee_foot = kin.knee_foot_offset(knee, (ankle + toe) / 2.0, hip, other_hip)
    kf = cfg.knee_foot
    # Foot width from the standing shank length (anthropometry), in hip widths per frame.
    standing_shank_px = kin.finite_percentile(np.linalg.norm(ankle - knee, axis=-1), 95)
    hip_width_px = np.linalg.norm(hip - other_hip, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        foot_width = kf.foot_breadth_shank_ratio * standing_shank_px / hip_width_px
    position = kin.classify_knee_position(
        knee_foot, foot_width, kf.big_toe_offset_fw, kf.big_toe_half_width_fw, kf.lateral_edge_fw
    )
    thigh_px = np.linalg.norm(knee - hip, axis=-1)
    standing_thigh_px = kin.finite_percentile(thigh_px, 95)
    thigh_ratio = thigh_px / standing_thigh_px

    v = cfg.validity
    with np.errstate(invalid="ignore"):
        hka = [leg.hip, leg.knee, leg.ankle, other.hip]
        seen = np.all(visibility[:, hka] >= v.min_visibility, axis=1)
        toe_seen = visibility[:, leg.toe] >= v.min_visibility
        frontal = yaw_deg <= v.max_yaw_deg
        not_deep = ~(flexion > v.max_flexion_deg)  # unknown flexion does not invalidate
        not_foreshortened = thigh_ratio >= v.min_thigh_ratio
        down = depth >= kf.min_depth
        standing = seen & frontal & (depth <= cfg.baseline.max_depth) & np.isfinite(fppa)
    valid = seen & frontal & not_deep & not_foreshortened & np.isfinite(fppa)
    # Knee over foot compares x positions near the floor: thigh foreshortening does not distort
    # it, so it is judged at any depth, from the front, once the person goes down.
    placed = seen & toe_seen & frontal & down & np.isfinite(knee_foot)
    position = np.where(placed, position, -1).astype(np.int8)

    metrics = SideMetrics(
        fppa_deg=fppa, thigh_deg=kin.thigh_angle_deg(hip, knee, other_hip),
        shank_deg=kin.shank_angle_deg(knee, ankle, lateral), flexion_deg=flexion,
        knee_foot=knee_foot, knee_position=position, thigh_ratio=thigh_ratio, valid=valid,
    )  # fmt: skip
    return metrics, _baseline(fppa, standing, standing_thigh_px, cfg)


def _baseline(fppa: np.ndarray, standing: np.ndarray, thigh_px: float, cfg: Config) -> Baseline:
    """Median FPPA over standing frames; NaN when there are fewer than min_frames."""
    b = cfg.baseline
    n = int(standing.sum())
    value = float(np.median(fppa[standing])) if n >= b.min_frames else float("nan")
    structural = bool(np.isfinite(value) and abs(value) > b.structural_fppa_deg)
    return Baseline(fppa_deg=value, n_frames=n, structural=structural, thigh_px=thigh_px)


def body_yaw(track: PoseTrack) -> np.ndarray:
    """(T,) mean yaw of the hip and shoulder lines to the image plane, degrees (0 = frontal)."""
    if not track.n_frames:
        return np.zeros(0)
    w = track.world
    both = np.stack([
        kin.body_yaw_deg(w, Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
        kin.body_yaw_deg(w, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    ])  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames stay NaN
        return np.nanmean(both, axis=0)


def compute_metrics(track: PoseTrack, visibility: np.ndarray, cfg: Config) -> KneeMetrics:
    """Knee metrics for every frame of `track` (pixels, preferably smoothed).

    visibility: (T, 33) raw MediaPipe visibility (NaN where no person), used for validity.
    """
    yaw = body_yaw(track)
    depth = pelvis_depth(track)
    left, base_l = _side_metrics(track, visibility, yaw, depth, Side.LEFT, cfg)
    right, base_r = _side_metrics(track, visibility, yaw, depth, Side.RIGHT, cfg)
    xy = track.xy
    axis = kin.lateral_axis(xy[:, Landmark.LEFT_HIP], xy[:, Landmark.RIGHT_HIP])
    knees = (xy[:, Landmark.LEFT_KNEE], xy[:, Landmark.RIGHT_KNEE])
    ankles = (xy[:, Landmark.LEFT_ANKLE], xy[:, Landmark.RIGHT_ANKLE])
    hips = (xy[:, Landmark.LEFT_HIP], xy[:, Landmark.RIGHT_HIP])
    return KneeMetrics(
        t_s=track.t_s, left=left, right=right,
        kasr=kin.separation_ratio(*knees, *ankles, axis),
        knee_hip_ratio=kin.separation_ratio(*knees, *hips, axis),
        yaw_deg=yaw, depth=depth, baseline={"left": base_l, "right": base_r},
    )  # fmt: skip
