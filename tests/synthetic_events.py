"""Synthetic squat sessions with known reps and known knee excursions, for valgus tests.

Builds on tests/synthetic.py (frontal orthographic subject). A session: `rest_s` standing, then
`n_reps` raised-cosine squats of `period_s` each, then standing again. Rep k starts at
rest_s + k * period_s and bottoms out half a period later.
"""

from __future__ import annotations

import numpy as np
from synthetic import squat_track

from valguscam.landmarks import LEGS, Side
from valguscam.types import LANDMARK_ARRAYS, PoseTrack, Rep

FPS = 30.0


def session_times(
    n_reps: int = 3, period_s: float = 2.0, rest_s: float = 1.0, fps: float = FPS, vfr: bool = False
) -> np.ndarray:
    """(T,) timestamps in seconds; vfr=True jitters the frame intervals by +/-30 % (phones)."""
    total = rest_s * 2 + n_reps * period_s
    if not vfr:
        return np.arange(0.0, total, 1.0 / fps)
    rng = np.random.default_rng(7)
    dt = (1.0 / fps) * rng.uniform(0.7, 1.3, int(total * fps * 1.5))
    t = np.concatenate([[0.0], np.cumsum(dt)])
    return t[t < total]


def session_flexion(
    t_s: np.ndarray, depth_deg: float, n_reps: int = 3, period_s: float = 2.0, rest_s: float = 1.0
) -> np.ndarray:
    """(T,) knee flexion in degrees: standing, n_reps raised-cosine squats, standing."""
    phase = (t_s - rest_s) / period_s
    inside = (phase >= 0) & (phase <= n_reps)
    return np.where(inside, depth_deg * 0.5 * (1 - np.cos(2 * np.pi * phase)), 0.0)


def session_reps(
    t_s: np.ndarray,
    n_reps: int = 3,
    period_s: float = 2.0,
    rest_s: float = 1.0,
    lead_side: str | None | list[str | None] = None,
) -> list[Rep]:
    """The Rep list of a session (known timing); lead_side: one value or one per rep."""
    leads = lead_side if isinstance(lead_side, list) else [lead_side] * n_reps
    reps = []
    for k in range(n_reps):
        times = [rest_s + k * period_s + f * period_s for f in (0.0, 0.5, 1.0)]
        i0, ib, i1 = (int(np.argmin(np.abs(t_s - x))) for x in times)
        reps.append(Rep(k, i0, ib, i1, t_s[i0], t_s[ib], t_s[i1], leads[k]))
    return reps


def medial_profile(flexion_deg: np.ndarray, t_s: np.ndarray, amp_m, period_s=2.0, rest_s=1.0):
    """(T,) medial knee displacement in metres, proportional to flexion; amp_m: the value at the
    bottom, one number or one per rep."""
    rep = np.clip(np.floor((t_s - rest_s) / period_s).astype(int), 0, None)
    amps = np.atleast_1d(np.asarray(amp_m, float))
    amp = amps[np.minimum(rep, len(amps) - 1)]
    peak = np.max(flexion_deg) if np.max(flexion_deg) > 0 else 1.0
    return amp * flexion_deg / peak


def session(
    depth_deg: float = 60.0,
    medial_m: dict[Side, float | list[float]] | None = None,
    n_reps: int = 3,
    vfr: bool = False,
    lead_side: str | None | list[str | None] = None,
) -> tuple[PoseTrack, list[Rep], np.ndarray]:
    """(track, reps, flexion): a squat session with medial knee excursions at each bottom."""
    t = session_times(n_reps, vfr=vfr)
    flex = session_flexion(t, depth_deg, n_reps)
    medial = {side: medial_profile(flex, t, amp) for side, amp in (medial_m or {}).items()}
    return squat_track(t, flex, medial), session_reps(t, n_reps, lead_side=lead_side), flex


def add_noise(track: PoseTrack, sd_px: float, seed: int) -> PoseTrack:
    """Gaussian landmark noise of sd_px pixels on every 2D coordinate."""
    rng = np.random.default_rng(seed)
    return track.with_(xy=track.xy + rng.normal(0.0, sd_px, track.xy.shape))


def drop_frames(track: PoseTrack, frames: np.ndarray) -> PoseTrack:
    """No person detected in `frames` (all landmarks and scores NaN)."""
    arrays = {k: getattr(track, k).copy() for k in LANDMARK_ARRAYS}
    for a in arrays.values():
        a[frames] = np.nan
    return track.with_(**arrays)


def deep_squat_artefact(track: PoseTrack, flexion_deg: np.ndarray, px: float) -> PoseTrack:
    """Shift both knees laterally (px > 0) or medially (px < 0) in the IMAGE only, growing from
    90 to 120 deg flexion: the perspective swing of a real deep squat's 2D knee angle."""
    w = np.clip((flexion_deg - 90.0) / 30.0, 0.0, 1.0) * px
    xy = track.xy.copy()
    for side in Side:
        lat = 1.0 if side is Side.LEFT else -1.0  # the subject's left is at +x
        xy[:, LEGS[side].knee, 0] += lat * w
    return track.with_(xy=xy)
