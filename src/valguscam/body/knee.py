"""Per-frame knee metrics of a whole track: both sides, baseline and validity. Pure numpy.

`compute_metrics(track, visibility, cfg)` is the one entry point: it applies the geometry of
kinematics.py to a (smoothed) PoseTrack and decides per frame where the frontal-plane numbers
can be trusted.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from valguscam.body import geometry as kin
from valguscam.body.baseline import standing_baseline
from valguscam.body.measures import BodyMeasures, measure_body
from valguscam.config import Config
from valguscam.landmarks import LEGS, Landmark, Side
from valguscam.types import Baseline, KneeMetrics, PoseTrack, SideMetrics


def _leg_speed(xy: np.ndarray, leg, t_s: np.ndarray, leg_px: float) -> np.ndarray:
    """(T,) fastest of the leg's hip, knee and ankle, in leg lengths per second."""
    pts = xy[:, [leg.hip, leg.knee, leg.ankle]]
    if len(t_s) < 2 or not leg_px > 0:
        return np.full(len(t_s), np.nan)
    v = np.gradient(pts, t_s, axis=0)
    return np.max(np.linalg.norm(v, axis=-1), axis=1) / leg_px


def _side_metrics(
    track: PoseTrack,
    visibility: np.ndarray,
    body: BodyMeasures,
    side: Side,
    cfg: Config,
    hip_width_px: np.ndarray,
) -> tuple[SideMetrics, Baseline]:
    leg, other = LEGS[side], LEGS[side.other]
    xy = track.xy
    hip, knee, ankle, toe = xy[:, leg.hip], xy[:, leg.knee], xy[:, leg.ankle], xy[:, leg.toe]
    other_hip = xy[:, other.hip]
    lateral = kin.lateral_axis(hip, other_hip)

    fppa = kin.fppa_deg(hip, knee, ankle, other_hip)
    flexion, yaw_deg, depth = body.flexion(side), body.yaw_deg, body.depth
    # The foot's line at mid-foot (between ankle and foot_index): on a straight foot it is the
    # second-toe line; on a turned-out foot it follows the turn-out, as a knee tracking the
    # foot does.
    knee_foot = kin.knee_foot_offset(knee, (ankle + toe) / 2.0, hip, other_hip)
    kf = cfg.knee_foot
    # Foot width from the standing shank length (anthropometry), in hip widths per frame: the
    # same hip width (this track's) that knee_foot is divided by.
    standing_shank_px = body.shank_px[side]
    with np.errstate(invalid="ignore", divide="ignore"):
        foot_width = kf.foot_breadth_shank_ratio * standing_shank_px / hip_width_px
    position = kin.classify_knee_position(
        knee_foot, foot_width, kf.big_toe_offset_fw, kf.big_toe_half_width_fw, kf.lateral_edge_fw
    )
    thigh_px = np.linalg.norm(knee - hip, axis=-1)
    standing_thigh_px = body.thigh_px[side]
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
        still = _leg_speed(xy, leg, track.t_s, body.leg_px) <= cfg.baseline.max_speed
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
    measurable = seen & np.isfinite(fppa)
    given = getattr(cfg.baseline, f"{side.value}_fppa_deg")
    base = standing_baseline(fppa, measurable, standing, still, track.t_s, cfg.baseline, given)
    return metrics, replace(base, thigh_px=standing_thigh_px)


def compute_metrics(
    track: PoseTrack, visibility: np.ndarray, cfg: Config, body: BodyMeasures | None = None
) -> KneeMetrics:
    """Knee metrics for every frame of `track` (pixels, preferably smoothed).

    visibility: (T, 33) raw MediaPipe visibility (NaN where no person), used for validity.
    body: the clip's body measures (depth, yaw, flexion, lengths); measured from `track` when
    not given.
    """
    body = body or measure_body(track, cfg.movement)
    xy = track.xy
    hips = (xy[:, Landmark.LEFT_HIP], xy[:, Landmark.RIGHT_HIP])
    hip_width_px = np.linalg.norm(hips[0] - hips[1], axis=-1)  # what knee_foot is divided by
    left, base_l = _side_metrics(track, visibility, body, Side.LEFT, cfg, hip_width_px)
    right, base_r = _side_metrics(track, visibility, body, Side.RIGHT, cfg, hip_width_px)
    axis = kin.lateral_axis(*hips)
    knees = (xy[:, Landmark.LEFT_KNEE], xy[:, Landmark.RIGHT_KNEE])
    ankles = (xy[:, Landmark.LEFT_ANKLE], xy[:, Landmark.RIGHT_ANKLE])
    return KneeMetrics(
        t_s=track.t_s, left=left, right=right,
        kasr=kin.separation_ratio(*knees, *ankles, axis),
        knee_hip_ratio=kin.separation_ratio(*knees, *hips, axis),
        yaw_deg=body.yaw_deg, depth=body.depth, hip_width_px=hip_width_px,
        baseline={"left": base_l, "right": base_r},
    )  # fmt: skip
