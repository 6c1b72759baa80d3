"""Hand-built landmark tracks of a subject facing the camera (orthographic projection).

World frame as MediaPipe's: metres, x toward the image's right, y down, z away from the camera.
The subject's left side is at +x. Squat geometry: the shank tilts forward and the thigh back by
half the knee flexion each, so a flexion of F degrees foreshortens the 2D thigh by cos(F/2).
"""

from __future__ import annotations

import numpy as np

from valguscam.landmarks import LEGS, Landmark, Side
from valguscam.types import PoseTrack

THIGH_M = SHANK_M = 0.45
HALF_HIP_M = 0.10
PX_PER_M = 400.0
CENTRE_PX = np.array([320.0, 80.0])


def squat_track(
    t_s: np.ndarray,
    flexion_deg: np.ndarray,
    medial_m: dict[Side, np.ndarray] | None = None,
    visibility: float = 0.95,
) -> PoseTrack:
    """A PoseTrack of T frames. medial_m[side]: (T,) medial knee displacement in metres."""
    n = len(t_s)
    medial_m = medial_m or {}
    half = np.radians(np.asarray(flexion_deg, float)) / 2.0
    world = np.zeros((n, 33, 3))
    for side in Side:
        leg = LEGS[side]
        lat = 1.0 if side is Side.LEFT else -1.0
        ankle = np.stack([np.full(n, lat * HALF_HIP_M), np.full(n, 0.9), np.zeros(n)], -1)
        knee = ankle + np.stack([np.zeros(n), -SHANK_M * np.cos(half), -SHANK_M * np.sin(half)], -1)
        knee[:, 0] -= lat * medial_m.get(side, np.zeros(n))
        hip = np.stack(
            [
                np.full(n, lat * HALF_HIP_M),
                knee[:, 1] - THIGH_M * np.cos(half),
                knee[:, 2] + THIGH_M * np.sin(half),
            ],
            -1,
        )
        world[:, leg.ankle], world[:, leg.knee], world[:, leg.hip] = ankle, knee, hip
        world[:, leg.heel] = ankle + [0.0, 0.05, 0.06]
        world[:, leg.toe] = ankle + [lat * 0.01, 0.07, -0.18]
        world[:, leg.shoulder] = hip + [lat * 0.08, -0.5, 0.0]
    world[:, Landmark.NOSE] = world[:, [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER]].mean(1)
    world[:, Landmark.NOSE, 1] -= 0.25
    xy = CENTRE_PX + PX_PER_M * world[:, :, :2]
    centre = world[:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP]].mean(axis=1, keepdims=True)
    vis = np.full((n, 33), visibility)
    return PoseTrack(
        t_s=np.asarray(t_s, float),
        xy=xy,
        z=world[:, :, 2],
        visibility=vis,
        presence=np.ones((n, 33)),
        world=world - centre,
        width=640,
        height=640,
    )


def squat_flexion(t_s: np.ndarray, depth_deg: float, period_s: float = 2.0, rest_s: float = 1.0):
    """(T,) flexion: standing for rest_s, then squats of `period_s` each (raised cosine)."""
    phase = np.clip(t_s - rest_s, 0, None) / period_s
    return depth_deg * 0.5 * (1 - np.cos(2 * np.pi * phase)) * (t_s >= rest_s)
