"""Hand-built landmark tracks for movement tests: squat sessions, split squats, lateral lunges
and single-leg squats, seen from any yaw (orthographic projection).

World frame as MediaPipe's: metres, x toward the image's right, y down, z away from the camera;
the floor is at y = FLOOR_M. At yaw 0 the subject faces the camera (their left side at +x);
yaw 90 turns them side-on, facing the image's right. A rep's depth follows a raised cosine
u(t) in [0, 1]: rep k of a session starts at rest_s + k * (period_s + pause_s), bottoms out
half a period later and ends a period after its start.
"""

from __future__ import annotations

import numpy as np
from synthetic import CENTRE_PX as SQUAT_CENTRE_PX
from synthetic import PX_PER_M as SQUAT_PX_PER_M
from synthetic import squat_track
from synthetic_events import drop_frames

from valguscam.landmarks import LEGS, Landmark, Side
from valguscam.types import PoseTrack

FPS = 30.0
FLOOR_M = 0.96  # ankle 0.06 m above the floor at y = 0.9 (synthetic.squat_track's ankles)
THIGH_M = SHANK_M = 0.45
HALF_HIP_M = 0.11
HALF_SHOULDER_M = 0.20
PX_PER_M = 400.0
CENTRE_PX = np.array([320.0, 80.0])


def session_times(duration_s: float, fps: float = FPS) -> np.ndarray:
    """(T,) timestamps in seconds at a constant rate."""
    return np.arange(0.0, duration_s, 1.0 / fps)


def session_profile(
    t_s: np.ndarray, n_reps: int, period_s: float = 2.0, rest_s: float = 1.0, pause_s: float = 0.0
) -> np.ndarray:
    """(T,) rep progress u in [0, 1]: rest, n_reps raised-cosine reps (pause_s apart), rest."""
    u = np.zeros(len(t_s))
    for k in range(n_reps):
        phase = (t_s - rest_s - k * (period_s + pause_s)) / period_s
        inside = (phase >= 0) & (phase <= 1)
        u[inside] = 0.5 * (1 - np.cos(2 * np.pi * phase[inside]))
    return u


def true_reps(
    n_reps: int, period_s: float = 2.0, rest_s: float = 1.0, pause_s: float = 0.0
) -> list[tuple[float, float, float]]:
    """(start, bottom, end) seconds of each rep of session_profile."""
    starts = [rest_s + k * (period_s + pause_s) for k in range(n_reps)]
    return [(s, s + period_s / 2, s + period_s) for s in starts]


def squat_session(
    t_s: np.ndarray, u: np.ndarray, depth_deg: float = 100.0, yaw_deg: float = 0.0
) -> PoseTrack:
    """A bilateral squat (tests/synthetic.py geometry) with knee flexion u * depth_deg."""
    track = squat_track(t_s, u * depth_deg)
    xy_m = (track.xy - SQUAT_CENTRE_PX) / SQUAT_PX_PER_M  # back to the absolute world points
    world = np.concatenate([xy_m, track.z[..., None]], axis=-1)
    return from_world(t_s, world, yaw_deg)


def _knee(hip: np.ndarray, ankle: np.ndarray, forward: np.ndarray) -> np.ndarray:
    """(T, 3) knee of a two-link leg (thigh, shank) from hip to ankle, bending toward forward."""
    d = ankle - hip
    dist = np.linalg.norm(d, axis=-1, keepdims=True)
    half = np.minimum(dist / 2, THIGH_M)
    rise = np.sqrt(np.maximum(THIGH_M**2 - half**2, 0.0))
    out = forward - np.sum(forward * d, -1, keepdims=True) * d / dist**2
    out /= np.linalg.norm(out, axis=-1, keepdims=True)
    return hip + d / 2 + rise * out


def _body(hips: dict[Side, np.ndarray], ankles: dict[Side, np.ndarray]) -> np.ndarray:
    """(T, 33, 3) world points from hips and ankles: knees bend forward (-z), feet flat."""
    n = len(hips[Side.LEFT])
    world = np.full((n, 33, 3), np.nan)
    forward = np.broadcast_to([0.0, 0.0, -1.0], (n, 3))
    for side in Side:
        leg, lat = LEGS[side], (1.0 if side is Side.LEFT else -1.0)
        world[:, leg.hip], world[:, leg.ankle] = hips[side], ankles[side]
        world[:, leg.knee] = _knee(hips[side], ankles[side], forward)
        world[:, leg.heel] = ankles[side] + [0.0, 0.05, 0.06]
        world[:, leg.toe] = ankles[side] + [lat * 0.01, 0.06, -0.18]
        world[:, leg.shoulder] = hips[side] + [lat * (HALF_SHOULDER_M - HALF_HIP_M), -0.5, 0.0]
    world[:, Landmark.NOSE] = world[:, [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(1)
    world[:, Landmark.NOSE] += [0.0, -0.25, -0.08]
    return world


def _points(x: float, y: np.ndarray, z: float) -> np.ndarray:
    return np.stack([np.full(len(y), x), y, np.full(len(y), z)], -1)


def split_squat(t_s: np.ndarray, u: np.ndarray, front: Side, yaw_deg: float = 0.0) -> PoseTrack:
    """Split squat: `front` foot 0.4 m ahead, the other 0.4 m behind on its toes; the pelvis
    goes straight down from 0.78 m to 0.45 m above the ankles."""
    hip_y = FLOOR_M - 0.06 - 0.78 + 0.33 * u
    hips, ankles = {}, {}
    for side in Side:
        lat = 1.0 if side is Side.LEFT else -1.0
        ahead = -0.4 if side is front else 0.4
        hips[side] = _points(lat * HALF_HIP_M, hip_y, 0.0)
        ankles[side] = _points(lat * HALF_HIP_M, np.full(len(u), FLOOR_M - 0.06), ahead)
    world = _body(hips, ankles)
    back = LEGS[front.other]
    world[:, back.ankle, 1] -= 0.06  # heel up, on the toes
    world[:, back.heel] = world[:, back.ankle] + [0.0, 0.0, 0.06]
    world[:, back.toe, 1] = FLOOR_M
    return from_world(t_s, world, yaw_deg)


def lateral_lunge(t_s: np.ndarray, u: np.ndarray, working: Side, yaw_deg: float = 0.0) -> PoseTrack:
    """Lateral lunge: ankles 0.9 m apart; the pelvis shifts 0.3 m over the `working` foot and
    drops with the trailing leg kept straight; the working knee bends."""
    sign = 1.0 if working is Side.LEFT else -1.0
    pelvis_x = sign * 0.3 * u
    trail_dx = 0.45 - HALF_HIP_M + 0.3 * u
    ankle_y = FLOOR_M - 0.06
    hip_y = ankle_y - np.sqrt((THIGH_M + SHANK_M - 1e-3) ** 2 - trail_dx**2)
    hips, ankles = {}, {}
    for side in Side:
        lat = 1.0 if side is Side.LEFT else -1.0
        hips[side] = np.stack([pelvis_x + lat * HALF_HIP_M, hip_y, np.zeros(len(u))], -1)
        ankles[side] = _points(lat * 0.45, np.full(len(u), ankle_y), 0.0)
    return from_world(t_s, _body(hips, ankles), yaw_deg)


def single_leg_squat(
    t_s: np.ndarray, u: np.ndarray, stance: Side, depth_deg: float = 70.0, yaw_deg: float = 0.0
) -> PoseTrack:
    """Single-leg squat on `stance`: that leg squats to depth_deg knee flexion; the free foot is
    held 0.35 m up and a little forward (fixed to the pelvis), so it stays off the floor."""
    half = np.radians(u * depth_deg) / 2
    ankle_y = FLOOR_M - 0.06
    hip_y = ankle_y - (THIGH_M + SHANK_M) * np.cos(half)
    hip_z = (THIGH_M - SHANK_M) * np.sin(half)
    hips, ankles = {}, {}
    for side in Side:
        lat = 1.0 if side is Side.LEFT else -1.0
        hips[side] = np.stack([np.full(len(u), lat * HALF_HIP_M), hip_y, hip_z], -1)
        ankles[side] = _points(lat * HALF_HIP_M, np.full(len(u), ankle_y), 0.0)
    free = LEGS[stance.other]
    ankles[stance.other] = hips[stance.other] + [0.0, 0.9 - 0.35, -0.15]
    world = _body(hips, ankles)
    world[:, free.knee] = hips[stance.other] + [0.0, 0.35, -0.25]
    return from_world(t_s, world, yaw_deg)


def from_world(t_s: np.ndarray, world_abs: np.ndarray, yaw_deg: float = 0.0) -> PoseTrack:
    """A PoseTrack from absolute world points (T, 33, 3): turned by yaw_deg about the vertical
    axis (positive turns the subject's face toward the image's right), then projected."""
    yaw = np.radians(yaw_deg)
    c, s = np.cos(yaw), np.sin(yaw)
    x, y, z = world_abs[..., 0], world_abs[..., 1], world_abs[..., 2]
    turned = np.stack([c * x - s * z, y, s * x + c * z], -1)
    seen = np.isfinite(turned).all(-1)
    centre = turned[:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=1, keepdims=True)
    return PoseTrack(
        t_s=np.asarray(t_s, float),
        xy=CENTRE_PX + PX_PER_M * turned[..., :2],
        z=turned[..., 2],
        visibility=np.where(seen, 0.95, np.nan),
        presence=np.where(seen, 1.0, np.nan),
        world=turned - centre,
        width=640,
        height=640,
    )


def with_noise(
    track: PoseTrack, sigma_px: float, sigma_m: float = 0.01, seed: int = 0
) -> PoseTrack:
    """Gaussian noise on pixel (sigma_px) and world (sigma_m) coordinates."""
    rng = np.random.default_rng(seed)
    return track.with_(
        xy=track.xy + rng.normal(0.0, sigma_px, track.xy.shape),
        world=track.world + rng.normal(0.0, sigma_m, track.world.shape),
    )


def with_dropouts(track: PoseTrack, starts: list[int], length: int) -> PoseTrack:
    """No person in `length` frames from each index in `starts` (all NaN, as MediaPipe gives)."""
    return drop_frames(track, np.concatenate([np.arange(s, s + length) for s in starts]))


def sliced(track: PoseTrack, frames: slice) -> PoseTrack:
    """The frames of `track` in `frames` (a clip cut out of a longer recording)."""
    part = track.select(frames)
    return part.with_(t_s=part.t_s - part.t_s[0])


def joined(a: PoseTrack, b: PoseTrack) -> PoseTrack:
    """`b` appended after `a` (times continue one frame interval after a's last)."""
    dt = float(np.median(np.diff(a.t_s)))
    t_b = b.t_s - b.t_s[0] + a.t_s[-1] + dt
    cat = {k: np.concatenate([x, b.arrays[k]]) for k, x in a.arrays.items()}
    return a.with_(**cat | {"t_s": np.concatenate([a.t_s, t_b])})


def walking_away(track: PoseTrack, scale: np.ndarray) -> PoseTrack:
    """The image scaled per frame by `scale` (T,) about the feet, as when the person walks
    away from the camera (scale < 1) and back: the hips sink in the image, the knees do not
    bend (the world landmarks are unchanged)."""
    feet = np.nanmean(track.xy[:, [Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE]], axis=1)
    xy = feet[:, None] + scale[:, None, None] * (track.xy - feet[:, None])
    return track.with_(xy=xy)
