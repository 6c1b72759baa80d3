"""Body measures of one clip, computed once and read by every later stage. Pure numpy/scipy.

`measure_body(track, cfg)` returns a `BodyMeasures`: the ONE definition in the package of
pelvis depth, standing leg/thigh/shank lengths, the landmark visibility mask, body yaw (the view
cue) and knee flexion. Knee metrics (body/knee.py), reps, view and exercise (movement/) and the
report all read these arrays; nothing recomputes them.

Depth: 1 - (hip mid-point height above the lower ankle) / (its standing value), per frame,
dimensionless (a fraction of the standing hip height, which is about one leg length).
0 = standing tall, about 0.3 = knees at 90 deg, 0.5-0.7 in deep squats; slightly negative when
the hips rise above their usual standing height (tiptoes). The lower ankle is the one on the
floor (ignores a lifted foot; in a side view one visible ankle is enough). Low-visibility
landmarks are ignored, gaps up to MovementConfig.max_gap_s are interpolated, the height is
low-passed at MovementConfig.depth_cutoff_hz (zero-phase), and the standing value is a running
upper percentile (MovementConfig.standing_window_s / standing_percentile), so a person who steps
toward or away from the camera keeps depth 0 when upright. NaN where unknown.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from valguscam.body import geometry as kin
from valguscam.body.smoothing import fill_gaps, lowpass, sample_rate_hz
from valguscam.config import MovementConfig
from valguscam.landmarks import LEGS, Landmark, Side
from valguscam.types import PoseTrack

_HIPS = [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
_ANKLES = [Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE]
_ENVELOPE_STEP_S = 0.1  # the standing height is evaluated every 0.1 s and interpolated
LEG_PERCENTILE = 90
"""The standing leg length is this percentile of the per-frame longer hip-ankle distance."""
SEGMENT_PERCENTILE = 95
"""The standing thigh and shank lengths are this percentile of their per-frame 2D lengths."""


def _quiet(fn: Callable[..., np.ndarray], *args: object, **kwargs: object) -> np.ndarray:
    """Call a nan-aware numpy reduction without its all-NaN RuntimeWarning (NaN stays NaN)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


def masked(points: np.ndarray, visibility: np.ndarray, min_visibility: float) -> np.ndarray:
    """Copy of (T, 33, D) points with landmarks below min_visibility set to NaN."""
    out = np.array(points, dtype=float)
    with np.errstate(invalid="ignore"):
        out[~(visibility >= min_visibility)] = np.nan
    return out


def longer_leg_px(points: np.ndarray) -> np.ndarray:
    """(T,) the longer 2D hip-ankle distance of each frame of (T, 33, 2) points; NaN if none."""
    legs = [np.linalg.norm(points[:, g.ankle] - points[:, g.hip], axis=-1) for g in LEGS.values()]
    return _quiet(np.nanmax, np.stack(legs), axis=0)


def leg_length(points: np.ndarray) -> float:
    """Standing leg length: LEG_PERCENTILE of the longer hip-ankle distance per frame."""
    return kin.finite_percentile(longer_leg_px(points), LEG_PERCENTILE)


def hip_height_px(track: PoseTrack, min_visibility: float = 0.5) -> np.ndarray:
    """(T,) height of the hip mid-point above the lower ankle, pixels; NaN where unseen.

    The lower ankle (largest image y) is the one on the floor: it ignores a lifted foot, and in
    a side view one visible ankle is enough. Landmarks below `min_visibility` are ignored.
    """
    xy = np.array(track.xy, dtype=float)
    with np.errstate(invalid="ignore"):
        xy[~(track.visibility >= min_visibility)] = np.nan
    hip_y = _quiet(np.nanmean, xy[:, _HIPS, 1], axis=1)
    floor_y = _quiet(np.nanmax, xy[:, _ANKLES, 1], axis=1)
    return floor_y - hip_y


def nanpercentile_rows(x: np.ndarray, q: float | np.ndarray) -> np.ndarray:
    """(N,) the `q`-th percentile (0-100) of each row of (N, W) `x`, ignoring NaN; NaN for an
    all-NaN row; q: one percentile, or (N,) one per row. The same as np.nanpercentile(x, q,
    axis=1) (linear method), vectorised: numpy's version loops over the rows in Python once a
    row holds a NaN (and costs ~50 us a call on short rows)."""
    s = np.sort(np.asarray(x, float), axis=1)  # NaN sorts last
    count = np.isfinite(s).sum(axis=1)
    pos = np.maximum(count - 1, 0) * (np.asarray(q, float) / 100.0)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
    rows = np.arange(len(s))
    a, b = s[rows, lo], s[rows, hi]
    with np.errstate(invalid="ignore"):
        out = a + (b - a) * (pos - lo)
    return np.where(count > 0, out, np.nan)


def standing_height(
    height: np.ndarray, t_s: np.ndarray, window_s: float, percentile: float
) -> np.ndarray:
    """(T,) the standing height: `percentile` of `height` within +/- `window_s` of each frame.

    A running upper envelope, so the reference follows a person who walks toward or away from
    the camera. Evaluated every 0.1 s and interpolated; NaN where the window holds no data.
    """
    n = len(t_s)
    fs = sample_rate_hz(t_s)
    if n == 0 or not np.isfinite(fs):
        return np.full(n, np.nan)
    half = max(1, round(window_s * fs))
    step = max(1, round(_ENVELOPE_STEP_S * fs))
    padded = np.pad(np.asarray(height, float), half, constant_values=np.nan)
    centres = np.unique(np.append(np.arange(0, n, step), n - 1))
    windows = sliding_window_view(padded, 2 * half + 1)[centres]
    level = nanpercentile_rows(windows, percentile)
    ok = np.isfinite(level)
    if not ok.any():
        return np.full(n, np.nan)
    return np.interp(np.arange(n), centres[ok], level[ok])


def depth_signal(track: PoseTrack, cfg: MovementConfig | None = None) -> np.ndarray:
    """(T,) pelvis depth: 1 - hip height above the ankles / standing height (0 = standing).

    Works on a raw or cleaned track: low-visibility landmarks are ignored, gaps up to
    cfg.max_gap_s are interpolated, and the height is low-passed at cfg.depth_cutoff_hz
    (zero-phase) before it is compared with its running standing value. NaN where unknown.
    """
    cfg = cfg or MovementConfig()
    t = np.asarray(track.t_s, float)
    height = hip_height_px(track, cfg.min_visibility)
    height = lowpass(fill_gaps(height, t, cfg.max_gap_s), t, cfg.depth_cutoff_hz)
    top = standing_height(height, t, cfg.standing_window_s, cfg.standing_percentile)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(top > 0, 1.0 - height / top, np.nan)


def knee_flexion_signal(track: PoseTrack, cfg: MovementConfig | None = None) -> np.ndarray:
    """(T, 2) knee flexion of the left and right leg from world landmarks, degrees; NaN where
    unknown.

    Sagittal-plane flexion (kinematics.flexion_deg with the hip axis), gaps filled and
    low-passed like the depth. MediaPipe's 3D flexion has an offset (it reads 15-40 deg on
    straight legs), so only its change within a rep is used (cfg.min_rep_flexion_deg).
    """
    cfg = cfg or MovementConfig()
    t = np.asarray(track.t_s, float)
    flex = knee_flexion_raw(track, cfg.min_visibility)
    return lowpass(fill_gaps(flex, t, cfg.max_gap_s), t, cfg.depth_cutoff_hz)


def knee_flexion_raw(track: PoseTrack, min_visibility: float = 0.5) -> np.ndarray:
    """(T, 2) knee flexion of the left and right leg per frame, degrees, before any filtering
    (kinematics.flexion_deg on the world landmarks, the hip line as the axis); landmarks below
    `min_visibility` are ignored, NaN where unknown."""
    world = np.array(track.world, dtype=float)
    with np.errstate(invalid="ignore"):
        world[~(track.visibility >= min_visibility)] = np.nan
    axis = world[:, Landmark.LEFT_HIP] - world[:, Landmark.RIGHT_HIP]
    legs = [LEGS[side] for side in Side]
    return np.stack(
        [kin.flexion_deg(world[:, g.hip], world[:, g.knee], world[:, g.ankle], axis) for g in legs],
        axis=-1,
    )


def _yaw_2d_deg(ratio: np.ndarray, frontal_ratio: float) -> np.ndarray:
    """Yaw from a 2D width / leg length ratio: arccos(ratio / its front-on value), degrees."""
    with np.errstate(invalid="ignore"):
        return np.degrees(np.arccos(np.clip(ratio / frontal_ratio, 0.0, 1.0)))


@dataclass(frozen=True)
class ViewCues:
    """Per-frame view cues, (T,) each, NaN where unknown: hip_ratio, shoulder_ratio (2D width
    over the standing 2D leg length), world_yaw_deg and the fused yaw_deg (degrees)."""

    hip_ratio: np.ndarray
    shoulder_ratio: np.ndarray
    world_yaw_deg: np.ndarray
    yaw_deg: np.ndarray


def view_cues(
    track: PoseTrack, cfg: MovementConfig | None = None, leg_px: float | None = None
) -> ViewCues:
    """Per-frame view cues of a track (T >= 1 frames); see ViewCues and MovementConfig.
    leg_px: the standing 2D leg length, pixels (None = this track's, `leg_length`)."""
    cfg = cfg or MovementConfig()
    xy, world = track.xy, track.world
    leg = leg_length(masked(xy, track.visibility, cfg.min_visibility)) if leg_px is None else leg_px
    hip = np.linalg.norm(xy[:, Landmark.LEFT_HIP] - xy[:, Landmark.RIGHT_HIP], axis=-1) / leg
    shoulder = (
        np.linalg.norm(xy[:, Landmark.LEFT_SHOULDER] - xy[:, Landmark.RIGHT_SHOULDER], axis=-1)
        / leg
    )
    cues_2d = np.stack(
        [_yaw_2d_deg(hip, cfg.frontal_hip_ratio), _yaw_2d_deg(shoulder, cfg.frontal_shoulder_ratio)]
    )
    cues_world = np.stack(
        [
            kin.body_yaw_deg(world, Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
            kin.body_yaw_deg(world, Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yaw_2d, yaw_world = np.nanmean(cues_2d, axis=0), np.nanmean(cues_world, axis=0)
    w = cfg.view_2d_weight
    fused = np.where(
        np.isfinite(yaw_2d) & np.isfinite(yaw_world),
        w * yaw_2d + (1.0 - w) * yaw_world,
        np.where(np.isfinite(yaw_2d), yaw_2d, yaw_world),
    )
    return ViewCues(hip, shoulder, yaw_world, fused)


@dataclass(frozen=True)
class BodyMeasures:
    """Per-frame body measures of one clip. (T,) arrays unless noted; NaN where unknown.

    t_s: seconds. depth: pelvis depth (module doc), dimensionless.
    flexion_deg: (T, 2) knee flexion of the left and right leg from world landmarks, degrees,
    sagittal plane, gap-filled and low-passed (offset: reads 15-40 deg on straight legs).
    seen: (T, 33) bool, landmark visibility >= MovementConfig.min_visibility.
    view: the view cues; view.yaw_deg is THE body yaw (degrees, 0 = facing the camera).
    leg_px: standing 2D leg length (90th percentile of the longer hip-ankle distance), pixels.
    thigh_px, shank_px: per side ("left"/"right"), standing 2D thigh (hip-knee) and shank
    (knee-ankle) length, 95th percentile over the clip, pixels.
    """

    t_s: np.ndarray
    depth: np.ndarray
    flexion_deg: np.ndarray
    seen: np.ndarray
    view: ViewCues
    leg_px: float
    thigh_px: dict[str, float]
    shank_px: dict[str, float]

    @property
    def yaw_deg(self) -> np.ndarray:
        """(T,) the fused body yaw, degrees (0 = frontal, 90 = side-on)."""
        return self.view.yaw_deg

    def flexion(self, side: str) -> np.ndarray:
        """(T,) knee flexion of `side`, degrees."""
        return self.flexion_deg[:, 0 if side == Side.LEFT else 1]


SEGMENTS = tuple((s, a, b) for s in Side for a, b in (("hip", "knee"), ("knee", "ankle")))
"""(side, from, to) of the leg segments: the left thigh and shank, then the right ones."""


def segment_lengths_px(points: np.ndarray) -> np.ndarray:
    """(T, 4) 2D length of each of SEGMENTS per frame of (T, 33, 2) points, pixels (NaN where
    an end is unseen); their SEGMENT_PERCENTILE is the standing thigh / shank length."""
    legs = [(getattr(LEGS[s], a), getattr(LEGS[s], b)) for s, a, b in SEGMENTS]
    return np.stack([np.linalg.norm(points[:, b] - points[:, a], axis=-1) for a, b in legs], -1)


def measure_body(track: PoseTrack, cfg: MovementConfig | None = None) -> BodyMeasures:
    """The body measures of `track` (raw or cleaned PoseTrack), once per clip."""
    cfg = cfg or MovementConfig()
    n = track.n_frames
    seen = np.asarray(track.visibility >= cfg.min_visibility) if n else np.zeros((0, 33), bool)
    xy = masked(track.xy, track.visibility, cfg.min_visibility)
    segments = segment_lengths_px(xy)
    lengths = [kin.finite_percentile(segments[:, k], SEGMENT_PERCENTILE) for k in range(4)]
    if n:
        view = view_cues(track, cfg)
        depth, flexion = depth_signal(track, cfg), knee_flexion_signal(track, cfg)
    else:
        empty = np.zeros(0)
        view, depth, flexion = ViewCues(empty, empty, empty, empty), empty, np.zeros((0, 2))
    return BodyMeasures(
        t_s=np.asarray(track.t_s, float), depth=depth, flexion_deg=flexion, seen=seen, view=view,
        leg_px=leg_length(xy), thigh_px={"left": lengths[0], "right": lengths[2]},
        shank_px={"left": lengths[1], "right": lengths[3]},
    )  # fmt: skip
