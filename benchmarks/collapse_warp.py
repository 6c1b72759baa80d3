"""Synthetic knee collapse: warp real front-view squat frames so a knee moves medially.

    python benchmarks/collapse_warp.py make CLIP --side left|right|both \
        --amounts 6 10 15 20 25 --out DIR [--max-seconds S]
    python benchmarks/collapse_warp.py check DIR/<stem>/<stem>_right_10deg.json

This module is the pure warping library (numpy, scipy, cv2.remap). collapse_warp_plan.py makes
the per-frame ground truth (depth, reps, knee shifts), collapse_warp_io.py the files (pose
track, videos, ground truth) and the command line, collapse_warp_check.py re-runs the model.

Conventions (DESIGN.md section 3): image pixels, x right, y down; sides are the SUBJECT's;
FPPA (deg) is the angle between thigh (hip->knee) and shank (knee->ankle), 0 when collinear,
positive when the knee lies medial of the hip-ankle line; medial = toward the other hip.

Method. Per frame the warped knee moves by d(t) = A * w(t) px along the medial unit vector
(this hip -> other hip). w in [0, 1] follows the pelvis depth (0 standing, 1 at each rep's
bottom); A (px) is solved per rep with brentq so FPPA at the rep's bottom frame, with the moved
knee, equals FPPA_orig + amount (where no medial shift can do that, as when the knees sit above
the hips in a deep squat, on the rep's standing start frame instead: collapse_warp_plan.py).
The image is warped with a smooth displacement field
D(p) = d * leg_weight(p): a Gaussian (sigma = 0.4 standing thigh length) of the distance to
the hip->knee->ankle polyline, times smoothstep(|p - P| / |knee - P|) for each anchor P (hips,
ankle, heel, foot_index: 1 at the knee, 0 at the anchor), times a gate that is 0 on and beyond
the line half-way between the two legs and a cap that is 0 one sigma above the hip (or knee, if
higher), so the other leg, both feet, the hips and the torso do not move.
The backward map for cv2.remap solves p + D(p) = q per point (a scalar root find, D being
parallel to the shift) on a coarse grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.optimize import brentq

SIDES = ("left", "right")
OTHER = {"left": "right", "right": "left"}
HIP = {"left": 23, "right": 24}
KNEE = {"left": 25, "right": 26}
ANKLE = {"left": 27, "right": 28}
HEEL = {"left": 29, "right": 30}
TOE = {"left": 31, "right": 32}  # foot_index

SIGMA_THIGH_FRAC = 0.4  # Gaussian width across the leg, in standing 2D thigh lengths
GATE_FRAC = 0.7  # midline gate ramp width, as a fraction of the knee-to-midline gap
SOFTMAX_K = 12.0  # sharpness of the smooth max joining the thigh and shank weights
GRID_STEP_PX = 4  # coarse grid step of the backward map (the field is smooth on ~100 px)


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def smoothstep(x: np.ndarray) -> np.ndarray:
    """3x^2 - 2x^3 of x clipped to [0, 1]: 0 -> 0, 1 -> 1, zero slope at both ends."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def fppa_deg(
    hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, other_hip: np.ndarray
) -> np.ndarray:
    """Signed FPPA in degrees, (...,) from (..., 2) pixel points; + = knee medial (valgus).

    The signed turn from the thigh to the shank direction, with the sign chosen so a knee on
    the other hip's side of the hip-ankle line is positive. Continuous through 0.
    """
    thigh, shank = knee - hip, ankle - knee
    turn = np.degrees(np.arctan2(_cross(thigh, shank), np.sum(thigh * shank, axis=-1)))
    return turn * np.sign(_cross(ankle - hip, hip - other_hip))


def fill_nan(x: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """(T, ...) array with NaN runs linearly interpolated over time t_s (T,) s, per column."""
    flat = np.array(x, dtype=float).reshape(len(t_s), -1)
    for col in flat.T:
        ok = np.isfinite(col)
        if not ok.any():
            raise ValueError("a landmark is missing in every frame; is a person in view?")
        col[~ok] = np.interp(t_s[~ok], t_s[ok], col[ok])
    return flat.reshape(np.shape(x))


def solve_amplitude(
    hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, other_hip: np.ndarray,
    amount_deg: float, max_px: float,
) -> float:  # fmt: skip
    """Medial knee shift A (px) so FPPA(hip, knee + A*m, ankle) = FPPA(orig) + amount_deg.

    Points are (2,) px; m is the unit vector hip -> other_hip. The first root in [0, max_px]
    is bracketed on a 1 px grid and refined with scipy.optimize.brentq. ValueError if none
    (at the bottom of a deep squat the knee can sit above the hip in the image, where a medial
    shift cannot raise FPPA).
    """
    m = unit(other_hip - hip)
    base = float(fppa_deg(hip, knee, ankle, other_hip))

    def excess(a: np.ndarray | float) -> np.ndarray:
        moved = knee + np.multiply.outer(np.atleast_1d(a), m)
        return fppa_deg(hip, moved, ankle, other_hip) - base - amount_deg

    grid = np.linspace(0.0, max_px, max(int(max_px) + 1, 2))
    vals = excess(grid)
    # an upward crossing, not the +-180 deg wrap (knee passing through the hip or ankle)
    change = np.flatnonzero((vals[:-1] <= 0) & (vals[1:] >= 0) & (np.diff(vals) < 90))
    if not change.size:
        raise ValueError(f"no medial shift up to {max_px:.0f} px adds {amount_deg} deg of FPPA")
    i = int(change[0])
    return float(brentq(lambda a: float(excess(a)[0]), grid[i], grid[i + 1], xtol=1e-6))


@dataclass(frozen=True)
class LegWarp:
    """One leg's warp in one frame; all points px in the source image.

    hip, knee, ankle: (2,) the leg; shift: (2,) the knee's displacement; sigma: Gaussian width
    across the leg; midline: (3, 2) mid-points of the hips, knees and ankles of both legs;
    medial: unit (2,) this hip -> other hip; anchors: (K, 2) points that must not move
    (this hip, ankle, heel, foot_index and the other hip).
    """

    hip: np.ndarray
    knee: np.ndarray
    ankle: np.ndarray
    shift: np.ndarray
    sigma: float
    midline: np.ndarray
    medial: np.ndarray
    anchors: np.ndarray

    @property
    def down(self) -> np.ndarray:
        """Unit (2,) perpendicular to the hip line, pointing to the feet (image y down)."""
        down = np.array([-self.medial[1], self.medial[0]])
        return down if down[1] >= 0 else -down

    @classmethod
    def from_pose(cls, xy: np.ndarray, side: str, shift: np.ndarray, sigma: float) -> LegWarp:
        """The warp of `side` for one frame's landmarks xy (33, 2) px."""
        pairs = [(HIP[s], KNEE[s], ANKLE[s]) for s in SIDES]
        midline = 0.5 * (xy[list(pairs[0])] + xy[list(pairs[1])])
        medial = unit(xy[HIP[OTHER[side]]] - xy[HIP[side]])
        leg = (xy[HIP[side]], xy[KNEE[side]], xy[ANKLE[side]])
        anchors = xy[[HIP[side], ANKLE[side], HEEL[side], TOE[side], HIP[OTHER[side]]]]
        return cls(*leg, np.asarray(shift, float), float(sigma), midline, medial, anchors)


def _segment_gauss(p: np.ndarray, a: np.ndarray, b: np.ndarray, sigma: float) -> np.ndarray:
    """(N,) Gaussian (width sigma px) of the distance from points p (N, 2) to segment a-b."""
    ab = b - a
    t = np.clip((p - a) @ ab / max(float(ab @ ab), 1e-9), 0.0, 1.0)
    return np.exp(-np.sum((p - a - t[:, None] * ab) ** 2, axis=1) / (2.0 * sigma**2))


def midline_gate(p: np.ndarray, leg: LegWarp) -> np.ndarray:
    """(N,) 1 on the leg's side of the inter-leg midline, ramping to 0 at the midline.

    p: (N, 2) px. Ramp width GATE_FRAC x the knee-to-midline gap, so the knee itself is at 1.
    """
    down = leg.down
    along, across = (p - leg.midline[0]) @ down, (p - leg.midline[0]) @ leg.medial
    rel = leg.midline - leg.midline[0]
    order = np.argsort(rel @ down)
    m_along, m_across = (rel @ down)[order], (rel @ leg.medial)[order]
    mid = np.interp(along, m_along, m_across)
    knee = leg.knee - leg.midline[0]
    knee_gap = float(np.interp(knee @ down, m_along, m_across) - knee @ leg.medial)
    return smoothstep((mid - across) / max(GATE_FRAC * knee_gap, 1.0))


def top_cap(p: np.ndarray, leg: LegWarp) -> np.ndarray:
    """(N,) 1 below the higher of hip and knee (along leg.down), 0 one sigma above it.

    p: (N, 2) px. Keeps the torso beside and above the hip still when the thigh is short.
    """
    top = min(0.0, float((leg.knee - leg.hip) @ leg.down))
    return smoothstep(1.0 + ((p - leg.hip) @ leg.down - top) / leg.sigma)


def leg_weight(p: np.ndarray, leg: LegWarp) -> np.ndarray:
    """(N,) weight of the knee shift at points p (N, 2) px: 1 at the knee, 0 at the anchors.

    A smooth max of Gaussians of the distance to the thigh and to the shank, times, per
    anchor P, smoothstep(|p - P| / |knee - P|), times the midline gate and the top cap.
    """
    g1 = _segment_gauss(p, leg.hip, leg.knee, leg.sigma)
    g2 = _segment_gauss(p, leg.knee, leg.ankle, leg.sigma)
    e1, e2 = np.exp(SOFTMAX_K * (g1 - 1.0)), np.exp(SOFTMAX_K * (g2 - 1.0))
    w = (g1 * e1 + g2 * e2) / (e1 + e2) * midline_gate(p, leg) * top_cap(p, leg)
    for anchor in leg.anchors:
        reach = max(float(np.linalg.norm(leg.knee - anchor)), 1.0)
        w *= smoothstep(np.hypot(p[:, 0] - anchor[0], p[:, 1] - anchor[1]) / reach)
    return w


def displacement(p: np.ndarray, legs: list[LegWarp]) -> np.ndarray:
    """(N, 2) forward displacement, px, at source points p (N, 2) px: sum over legs."""
    out = np.zeros_like(p, dtype=float)
    for leg in legs:
        out += leg_weight(p, leg)[:, None] * leg.shift
    return out


def warp_roi(legs: list[LegWarp], width: int, height: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) px box outside which the field is < 1e-3 of the shift."""
    pts = np.concatenate([np.stack([g.hip, g.knee, g.ankle, g.knee + g.shift]) for g in legs])
    pad = 4.0 * max(g.sigma for g in legs)
    x0, y0 = np.floor(pts.min(0) - pad).astype(int)
    x1, y1 = np.ceil(pts.max(0) + pad).astype(int)
    return max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)


def inverse_weight(q: np.ndarray, leg: LegWarp, tol_px: float = 1e-3) -> np.ndarray:
    """(N,) lam in [0, 1] with lam = leg_weight(q - lam * shift): output q comes from q - lam*shift.

    q: (N, 2) px. D is parallel to the shift, so inverting p + shift * W(p) = q is a scalar root
    find, bracketed in [0, 1]; solved by regula falsi (Illinois) to tol_px along the shift.
    """
    lam = np.zeros(len(q))
    act = np.flatnonzero(leg_weight(q, leg) > 0)
    if not act.size:
        return lam
    qa, tol = q[act], tol_px / max(float(np.hypot(*leg.shift)), 1e-9)

    def g(x: np.ndarray) -> np.ndarray:
        return x - leg_weight(qa - x[:, None] * leg.shift, leg)

    lo, hi = np.zeros(len(qa)), np.ones(len(qa))
    glo, ghi = g(lo), g(hi)
    side = np.zeros(len(qa))
    for _ in range(60):
        x = np.clip(lo - glo * (hi - lo) / np.maximum(ghi - glo, 1e-12), lo, hi)
        gx = g(x)
        right = gx > 0
        ghi_new, glo_new = np.where(right, gx, ghi), np.where(right, glo, gx)
        # Illinois: halve the stale end's value when the same end moves twice in a row
        glo_new = np.where(right & (side > 0), glo_new / 2, glo_new)
        ghi_new = np.where(~right & (side < 0), ghi_new / 2, ghi_new)
        hi, lo = np.where(right, x, hi), np.where(right, lo, x)
        ghi, glo, side = ghi_new, glo_new, np.where(right, 1.0, -1.0)
        if np.all((np.abs(gx) < 0.1 * tol) | (hi - lo < tol)):
            break
    lam[act] = x
    return lam


def backward_map(
    legs: list[LegWarp], roi: tuple[int, int, int, int]
) -> tuple[np.ndarray, np.ndarray, float]:
    """Source coordinates for each output pixel of roi: (map_x, map_y) (h, w) float32 px.

    Inverts p + D(p) = q (inverse_weight, per leg: the legs' fields do not overlap) on a
    GRID_STEP_PX grid, then resizes the backward displacement bilinearly. Also returns the
    smallest Jacobian determinant of the forward map on that grid (< 0 = the image folds).
    """
    x0, y0, x1, y1 = roi
    w, h = x1 - x0, y1 - y0
    nx, ny = max(2, -(-w // GRID_STEP_PX)), max(2, -(-h // GRID_STEP_PX))
    # cv2.resize (pixel-centre aligned) samples coarse node j at fine x = (j + 0.5) * w / nx - 0.5
    gx = x0 + (np.arange(nx) + 0.5) * w / nx - 0.5
    gy = y0 + (np.arange(ny) + 0.5) * h / ny - 0.5
    q = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    back = sum(inverse_weight(q, leg)[:, None] * leg.shift for leg in legs)
    fine = cv2.resize(back.reshape(ny, nx, 2).astype(np.float32), (w, h))
    xs, ys = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
    return xs - fine[..., 0], ys - fine[..., 1], _min_jacobian(q, legs, nx, ny)


def _min_jacobian(q: np.ndarray, legs: list[LegWarp], nx: int, ny: int) -> float:
    """Smallest det of d(p + D(p))/dp over grid points q (nx * ny, 2) px."""
    d = displacement(q, legs).reshape(ny, nx, 2)
    g = q.reshape(ny, nx, 2)
    dx = np.gradient(d, g[0, :, 0], axis=1)
    dy = np.gradient(d, g[:, 0, 1], axis=0)
    det = (1 + dx[..., 0]) * (1 + dy[..., 1]) - dx[..., 1] * dy[..., 0]
    return float(det.min())


def warp_image(image: np.ndarray, legs: list[LegWarp]) -> tuple[np.ndarray, float]:
    """(warped copy of image (H, W, C) uint8, min Jacobian); pixels outside the ROI unchanged.

    legs with a zero shift are skipped; with none left the image is returned as a copy, 1.0.
    """
    legs = [g for g in legs if float(np.hypot(*g.shift)) > 1e-3]
    out = image.copy()
    if not legs:
        return out, 1.0
    roi = warp_roi(legs, image.shape[1], image.shape[0])
    map_x, map_y, jac = backward_map(legs, roi)
    x0, y0, x1, y1 = roi
    out[y0:y1, x0:x1] = cv2.remap(
        image, map_x, map_y, interpolation=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    return out, jac


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.modules.setdefault("collapse_warp", sys.modules["__main__"])
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from collapse_warp_io import main

    main()
