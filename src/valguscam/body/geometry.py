"""Knee geometry from landmarks: pure numpy, no video, no vendor imports.

Conventions (DESIGN.md section 3): image pixels, x right, y down; sides are the subject's.
"Lateral" for a side points from the body midline toward that side's hip, along the hip line;
"medial" is the opposite. Every signed angle here is positive in the valgus direction
(knee toward the midline). Inputs are arrays of points with shape (..., 2) in pixels,
or (..., 3) in metres for world landmarks; outputs drop the last axis.
"""

from __future__ import annotations

import numpy as np

from valguscam.types import KneePosition


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / n


def finite_percentile(x: np.ndarray, q: float = 50.0) -> float:
    """Percentile q of the finite values of x (any shape), NaN if there are none (no warning)."""
    x = np.asarray(x, float)
    x = x[np.isfinite(x)]
    return float(np.percentile(x, q)) if x.size else float("nan")


def _cross2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def lateral_axis(hip: np.ndarray, other_hip: np.ndarray) -> np.ndarray:
    """(..., 2) unit vector along the hip line pointing from `other_hip` toward `hip` (lateral)."""
    return _unit(np.asarray(hip, float) - np.asarray(other_hip, float))


def fppa_deg(
    hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, other_hip: np.ndarray
) -> np.ndarray:
    """Frontal plane projection angle in degrees, (...,).

    The angle between the thigh (hip->knee) and the shank (knee->ankle): 0 when collinear,
    positive when the knee lies medial of the hip-ankle line (valgus), negative when lateral
    (varus). Medial is toward `other_hip`. Invariant to translation, scale and mirroring.
    """
    hip, knee, ankle = (np.asarray(a, float) for a in (hip, knee, ankle))
    thigh, shank = knee - hip, ankle - knee
    magnitude = np.degrees(np.arctan2(np.abs(_cross2(thigh, shank)), np.sum(thigh * shank, -1)))
    line = ankle - hip
    lateral = lateral_axis(hip, other_hip)
    # Knee on the same side of the hip-ankle line as the lateral direction -> varus (negative).
    side = np.sign(_cross2(line, knee - hip)) * np.sign(_cross2(line, lateral))
    return np.where(side > 0, -magnitude, magnitude)


def _signed_to_vertical(v: np.ndarray, toward_x: np.ndarray) -> np.ndarray:
    """Angle of v to image-down in degrees, positive when v leans toward sign(toward_x) in x."""
    ang = np.degrees(np.arctan2(v[..., 0], v[..., 1]))
    return ang * np.sign(toward_x)


def thigh_angle_deg(hip: np.ndarray, knee: np.ndarray, other_hip: np.ndarray) -> np.ndarray:
    """Thigh (hip->knee) angle to the image vertical, degrees; + = knee medial of the hip."""
    lateral = lateral_axis(hip, other_hip)
    return _signed_to_vertical(np.asarray(knee, float) - hip, -lateral[..., 0])


def shank_angle_deg(knee: np.ndarray, ankle: np.ndarray, lateral: np.ndarray) -> np.ndarray:
    """Shank (knee->ankle) angle to the image vertical, degrees; + = knee medial of the ankle."""
    return _signed_to_vertical(np.asarray(ankle, float) - knee, lateral[..., 0])


def angle_between_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unsigned angle between vectors a and b (..., D), degrees in [0, 180]."""
    cos = np.sum(_unit(a) * _unit(b), axis=-1)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def flexion_deg(
    hip_w: np.ndarray, knee_w: np.ndarray, ankle_w: np.ndarray, hip_axis_w: np.ndarray | None = None
) -> np.ndarray:
    """Knee flexion from 3D world landmarks (..., 3) metres: 0 = straight leg, degrees.

    With `hip_axis_w` (left hip - right hip), thigh and shank are first projected onto the
    plane perpendicular to it (the sagittal plane), so frontal-plane (valgus/varus) angulation
    does not read as flexion.
    """
    thigh, shank = knee_w - hip_w, ankle_w - knee_w
    if hip_axis_w is not None:
        axis = _unit(hip_axis_w)
        thigh = thigh - np.sum(thigh * axis, -1, keepdims=True) * axis
        shank = shank - np.sum(shank * axis, -1, keepdims=True) * axis
    return angle_between_deg(thigh, shank)


def knee_foot_offset(
    knee: np.ndarray, foot: np.ndarray, hip: np.ndarray, other_hip: np.ndarray
) -> np.ndarray:
    """Knee offset from the foot's line along the hip line, in hip widths, (...,).

    foot: (..., 2) the point the foot's line goes through; body/knee.py passes mid-foot (half
    way between the ankle and MediaPipe's foot_index, near the second toe), so on a turned-out
    foot the line follows the turn-out. Positive = knee medial of that line (valgus
    direction), negative = lateral. Normalising by the 2D hip width makes it independent of
    camera distance.
    """
    lateral = lateral_axis(hip, other_hip)
    hip_width = np.linalg.norm(np.asarray(hip, float) - other_hip, axis=-1)
    lateral_offset = np.sum((np.asarray(knee, float) - foot) * lateral, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return -lateral_offset / hip_width


def classify_knee_position(
    knee_foot: np.ndarray,
    foot_width_hw: float | np.ndarray,
    big_toe_offset_fw: float = 0.25,
    big_toe_half_width_fw: float = 0.25,
    lateral_edge_fw: float = 0.75,
) -> np.ndarray:
    """KneePosition codes (int8, (...,)) from `knee_foot` offsets (hip widths, + = medial).

    foot_width_hw: the foot's width in hip widths, a scalar or (...,) per frame.
    The offset becomes u = -knee_foot / foot_width_hw: foot widths lateral of the foot's line
    (knee_foot_offset: through mid-foot, towards the second toe). The big toe is centred
    `big_toe_offset_fw` medial of it.
    u < -(offset + half): inside; up to -(offset - half): big_toe; up to `lateral_edge_fw`:
    target (mid-outside of the foot); beyond: outside. NaN -> UNKNOWN.
    """
    u = -np.asarray(knee_foot, float) / foot_width_hw
    out = np.full(u.shape, KneePosition.UNKNOWN, dtype=np.int8)
    inner = -(big_toe_offset_fw + big_toe_half_width_fw)
    outer = -(big_toe_offset_fw - big_toe_half_width_fw)
    out[u < inner] = KneePosition.INSIDE
    out[(u >= inner) & (u < outer)] = KneePosition.BIG_TOE
    out[(u >= outer) & (u <= lateral_edge_fw)] = KneePosition.TARGET
    out[u > lateral_edge_fw] = KneePosition.OUTSIDE
    return out


def separation_ratio(
    a_left: np.ndarray,
    a_right: np.ndarray,
    b_left: np.ndarray,
    b_right: np.ndarray,
    axis: np.ndarray,
) -> np.ndarray:
    """|(a_left - a_right) . axis| / |(b_left - b_right) . axis|, (...,).

    KASR = separation_ratio(knees, ankles); Noyes' ratio = separation_ratio(knees, hips).
    """
    num = np.abs(np.sum((a_left - a_right) * axis, axis=-1))
    den = np.abs(np.sum((b_left - b_right) * axis, axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def body_yaw_deg(world: np.ndarray, left: int, right: int) -> np.ndarray:
    """Yaw of the line between two world landmarks ((T, 33, 3)) to the image plane, degrees.

    0 = the line is parallel to the image (subject faces the camera), 90 = side view.
    """
    d = world[:, left] - world[:, right]
    return np.degrees(np.arctan2(np.abs(d[:, 2]), np.abs(d[:, 0])))
