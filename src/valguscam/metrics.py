"""Per-frame knee metrics of a whole track: both sides, baseline and validity. Pure numpy.

`compute_metrics(track, visibility, cfg)` is the one entry point: it applies the geometry of
kinematics.py to a (smoothed) PoseTrack and decides per frame where the frontal-plane numbers
can be trusted.
"""

from __future__ import annotations

import numpy as np

from valguscam import kinematics as kin
from valguscam.config import Config
from valguscam.landmarks import LEGS, Landmark, Side
from valguscam.types import Baseline, KneeMetrics, PoseTrack, SideMetrics


def _nanpercentile(x: np.ndarray, q: float) -> float:
    x = x[np.isfinite(x)]
    return float(np.percentile(x, q)) if x.size else float("nan")


def _side_metrics(
    track: PoseTrack, visibility: np.ndarray, yaw_deg: np.ndarray, side: Side, cfg: Config
) -> tuple[SideMetrics, Baseline]:
    leg, other = LEGS[side], LEGS[side.other]
    xy, world = track.xy, track.world
    hip, knee, ankle, toe = xy[:, leg.hip], xy[:, leg.knee], xy[:, leg.ankle], xy[:, leg.toe]
    other_hip = xy[:, other.hip]
    lateral = kin.lateral_axis(hip, other_hip)

    fppa = kin.fppa_deg(hip, knee, ankle, other_hip)
    thigh = kin.thigh_angle_deg(hip, knee, other_hip)
    shank = kin.shank_angle_deg(knee, ankle, lateral)
    hip_axis = world[:, Landmark.LEFT_HIP] - world[:, Landmark.RIGHT_HIP]
    flexion = kin.flexion_deg(world[:, leg.hip], world[:, leg.knee], world[:, leg.ankle], hip_axis)
    knee_foot = kin.knee_foot_offset(knee, toe, hip, other_hip)
    kf = cfg.knee_foot
    width = kin.foot_width_hw(
        world[:, leg.heel],
        world[:, leg.toe],
        world[:, leg.hip],
        world[:, other.hip],
        kf.foot_breadth_ratio,
        kf.default_foot_width_hw,
    )
    position = kin.classify_knee_position(
        knee_foot, width, kf.big_toe_offset_fw, kf.big_toe_half_width_fw, kf.lateral_edge_fw
    )

    thigh_px = np.linalg.norm(knee - hip, axis=-1)
    standing_thigh_px = _nanpercentile(thigh_px, 95)
    thigh_ratio = thigh_px / standing_thigh_px if standing_thigh_px > 0 else thigh_px * np.nan

    v = cfg.validity
    with np.errstate(invalid="ignore"):
        seen = np.all(
            visibility[:, [leg.hip, leg.knee, leg.ankle, other.hip]] >= v.min_visibility, 1
        )
        frontal = yaw_deg <= v.max_yaw_deg
        not_deep = ~(flexion > v.max_flexion_deg)  # unknown flexion does not invalidate
        not_foreshortened = thigh_ratio >= v.min_thigh_ratio
        toe_seen = visibility[:, leg.toe] >= v.min_visibility
        bent = flexion >= kf.min_flexion_deg
    valid = seen & frontal & not_deep & not_foreshortened & np.isfinite(fppa)
    # Knee over foot compares x positions near the floor: thigh foreshortening does not distort
    # it, so it is judged at any depth, from the front, once the knee bends.
    placed = seen & toe_seen & frontal & bent & np.isfinite(knee_foot)
    position = np.where(placed, position, -1).astype(np.int8)

    b = cfg.baseline
    with np.errstate(invalid="ignore"):
        standing = (
            seen & frontal & (thigh_ratio >= b.min_thigh_ratio) & ~(flexion > b.max_flexion_deg)
        )
    standing &= np.isfinite(fppa)
    n_standing = int(standing.sum())
    base_fppa = float(np.median(fppa[standing])) if n_standing >= b.min_frames else float("nan")
    baseline = Baseline(
        fppa_deg=base_fppa,
        n_frames=n_standing,
        structural=bool(np.isfinite(base_fppa) and abs(base_fppa) > b.structural_fppa_deg),
        thigh_px=standing_thigh_px,
    )
    metrics = SideMetrics(
        fppa_deg=fppa,
        thigh_deg=thigh,
        shank_deg=shank,
        flexion_deg=flexion,
        knee_foot=knee_foot,
        knee_position=position,
        thigh_ratio=thigh_ratio,
        valid=valid,
    )
    return metrics, baseline


def compute_metrics(track: PoseTrack, visibility: np.ndarray, cfg: Config) -> KneeMetrics:
    """Knee metrics for every frame of `track` (pixels, preferably smoothed).

    visibility: (T, 33) raw MediaPipe visibility (NaN where no person), used for validity.
    """
    yaw = (
        np.nanmean(
            np.stack(
                [
                    kin.body_yaw_deg(track.world, Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
                    kin.body_yaw_deg(track.world, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
                ]
            ),
            axis=0,
        )
        if track.n_frames
        else np.zeros(0)
    )
    left, base_l = _side_metrics(track, visibility, yaw, Side.LEFT, cfg)
    right, base_r = _side_metrics(track, visibility, yaw, Side.RIGHT, cfg)
    xy = track.xy
    axis = kin.lateral_axis(xy[:, Landmark.LEFT_HIP], xy[:, Landmark.RIGHT_HIP])
    knees = (xy[:, Landmark.LEFT_KNEE], xy[:, Landmark.RIGHT_KNEE])
    kasr = kin.separation_ratio(
        *knees, xy[:, Landmark.LEFT_ANKLE], xy[:, Landmark.RIGHT_ANKLE], axis
    )
    khr = kin.separation_ratio(*knees, xy[:, Landmark.LEFT_HIP], xy[:, Landmark.RIGHT_HIP], axis)
    return KneeMetrics(
        t_s=track.t_s,
        left=left,
        right=right,
        kasr=kasr,
        knee_hip_ratio=khr,
        yaw_deg=yaw,
        baseline={"left": base_l, "right": base_r},
    )
