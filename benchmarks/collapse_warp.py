"""Synthetic knee collapse: warp real front-view squat frames so a knee moves medially.

    python benchmarks/collapse_warp.py make CLIP --side left|right|both \
        --amounts 6 10 15 20 25 --out DIR [--max-seconds S]
    python benchmarks/collapse_warp.py check DIR/<stem>/<stem>_right_10deg.json

This module is the pure warping library (numpy, scipy, cv2.remap); collapse_warp_io.py holds
the pose track, video reading/writing, ground-truth files and the command line.

Conventions (DESIGN.md section 3): image pixels, x right, y down; sides are the SUBJECT's;
FPPA (deg) is the angle between thigh (hip->knee) and shank (knee->ankle), 0 when collinear,
positive when the knee lies medial of the hip-ankle line; medial = toward the other hip.

Method. Per frame the warped knee moves by d(t) = A * w(t) px along the medial unit vector
(this hip -> other hip). w in [0, 1] follows the pelvis depth (0 standing, 1 at each rep's
bottom); A (px) is solved per rep with brentq so FPPA at the rep's bottom frame, with the moved
knee, equals FPPA_orig + amount. The image is warped with a smooth displacement field
D(p) = d * leg_weight(p) * midline_gate(p): leg_weight is 1 at the knee, tapers (smoothstep)
to 0 at the hip and at the ankle along the hip->knee->ankle polyline and falls off as a Gaussian
(sigma ~ 0.4 standing thigh length) away from it; midline_gate is 0 on and beyond the line
half-way between the two legs, so the other leg, both feet and the hips do not move.
The backward map for cv2.remap solves p + D(p) = q by fixed-point iteration on a coarse grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.optimize import brentq
from scipy.signal import find_peaks

SIDES = ("left", "right")
OTHER = {"left": "right", "right": "left"}
HIP = {"left": 23, "right": 24}
KNEE = {"left": 25, "right": 26}
ANKLE = {"left": 27, "right": 28}

SIGMA_THIGH_FRAC = 0.4  # Gaussian width across the leg, in standing 2D thigh lengths
GATE_FRAC = 0.7  # midline gate ramp width, as a fraction of the knee-to-midline gap
SOFTMAX_K = 12.0  # sharpness of the smooth max joining the thigh and shank weights
GRID_STEP_PX = 4  # coarse grid step of the backward map (the field is smooth on ~100 px)


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def _unit(v: np.ndarray) -> np.ndarray:
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


def pelvis_depth(
    xy: np.ndarray, t_s: np.ndarray, percentile: float = 95.0, smooth_s: float = 0.07
) -> np.ndarray:
    """(T,) pelvis drop below standing: 1 - h / h_standing, clipped at 0 (0 = standing).

    h (px) = ankle mid-point y - hip mid-point y from xy (T, 33, 2) px, NaN-filled over t_s (T,)
    s and Gaussian-smoothed (sigma smooth_s s); h_standing = its `percentile`.
    """
    h = xy[:, [ANKLE["left"], ANKLE["right"]], 1].mean(1) - xy[:, [HIP["left"], HIP["right"]], 1].mean(1)
    h = fill_nan(h, t_s)
    fs = (len(t_s) - 1) / max(float(t_s[-1] - t_s[0]), 1e-9) if len(t_s) > 1 else 30.0
    h = gaussian_filter1d(h, sigma=max(smooth_s * fs, 1e-3), mode="nearest")
    return np.clip(1.0 - h / np.percentile(h, percentile), 0.0, None)


def find_reps(depth: np.ndarray, min_depth: float = 0.05, rel: float = 0.4) -> list[tuple]:
    """Reps as (start, bottom, end) frame indices from depth (T,) (see pelvis_depth).

    Bottoms are depth peaks with prominence >= max(min_depth, rel * deepest); start and end are
    the shallowest frames between a bottom and its neighbours (or the clip's ends).
    """
    if len(depth) < 3 or not np.nanmax(depth) > 0:
        return []
    peaks, _ = find_peaks(depth, prominence=max(min_depth, rel * float(np.nanmax(depth))))
    cuts = [0, *peaks, len(depth) - 1]
    reps = []
    for k, b in enumerate(peaks):
        s = cuts[k] + int(np.argmin(depth[cuts[k] : b + 1]))
        e = b + int(np.argmin(depth[b : cuts[k + 2] + 1]))
        reps.append((s, int(b), e))
    return reps


def depth_weight(depth: np.ndarray, reps: list[tuple]) -> np.ndarray:
    """(T,) w in [0, 1]: 0 at each rep's start and end (and outside reps), 1 at its bottom.

    Going down w = (depth - depth[start]) / (depth[bottom] - depth[start]), coming up the same
    with depth[end]; continuous, so the displacement A * w has no jump between reps.
    """
    w = np.zeros(len(depth))
    for s, b, e in reps:
        for lo, hi, base in ((s, b + 1, depth[s]), (b, e + 1, depth[e])):
            span = depth[b] - base
            if span > 0:
                w[lo:hi] = np.clip((depth[lo:hi] - base) / span, 0.0, 1.0)
    return w


def solve_amplitude(
    hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, other_hip: np.ndarray,
    amount_deg: float, max_px: float,
) -> float:  # fmt: skip
    """Medial knee shift A (px) so FPPA(hip, knee + A*m, ankle) = FPPA(orig) + amount_deg.

    Points are (2,) px; m is the unit vector hip -> other_hip. The first root in [0, max_px]
    is bracketed on a 1 px grid and refined with scipy.optimize.brentq. ValueError if none.
    """
    m = _unit(other_hip - hip)
    base = float(fppa_deg(hip, knee, ankle, other_hip))

    def excess(a: np.ndarray | float) -> np.ndarray:
        moved = knee + np.multiply.outer(np.atleast_1d(a), m)
        return fppa_deg(hip, moved, ankle, other_hip) - base - amount_deg

    grid = np.linspace(0.0, max_px, max(int(max_px) + 1, 2))
    vals = excess(grid)
    change = np.flatnonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) <= 0)
    if not change.size:
        raise ValueError(f"no medial shift up to {max_px:.0f} px adds {amount_deg} deg of FPPA")
    i = int(change[0])
    return float(brentq(lambda a: float(excess(a)[0]), grid[i], grid[i + 1], xtol=1e-6))


@dataclass(frozen=True)
class LegWarp:
    """One leg's warp in one frame; all points (2,) px in the source image.

    hip, knee, ankle: the leg; shift: the knee's displacement (2,) px; sigma: Gaussian width
    across the leg, px; midline: (3, 2) mid-points of the hips, knees and ankles of both legs;
    medial: unit (2,) this hip -> other hip.
    """

    hip: np.ndarray
    knee: np.ndarray
    ankle: np.ndarray
    shift: np.ndarray
    sigma: float
    midline: np.ndarray
    medial: np.ndarray

    @classmethod
    def from_pose(cls, xy: np.ndarray, side: str, shift: np.ndarray, sigma: float) -> LegWarp:
        """The warp of `side` for one frame's landmarks xy (33, 2) px."""
        pairs = [(HIP[s], KNEE[s], ANKLE[s]) for s in SIDES]
        midline = 0.5 * (xy[list(pairs[0])] + xy[list(pairs[1])])
        medial = _unit(xy[HIP[OTHER[side]]] - xy[HIP[side]])
        leg = (xy[HIP[side]], xy[KNEE[side]], xy[ANKLE[side]])
        return cls(*leg, np.asarray(shift, float), float(sigma), midline, medial)


def _segment_weight(p: np.ndarray, a: np.ndarray, b: np.ndarray, sigma: float, rising: bool):
    """(N,) smoothstep along a->b (0 at a if rising, else 0 at b) x Gaussian of distance."""
    ab = b - a
    t = np.clip((p - a) @ ab / max(float(ab @ ab), 1e-9), 0.0, 1.0)
    d2 = np.sum((p - a - t[:, None] * ab) ** 2, axis=1)
    return smoothstep(t if rising else 1.0 - t) * np.exp(-d2 / (2.0 * sigma**2))


def midline_gate(p: np.ndarray, leg: LegWarp) -> np.ndarray:
    """(N,) 1 on the leg's side of the inter-leg midline, ramping to 0 at the midline.

    p: (N, 2) px. Ramp width GATE_FRAC x the knee-to-midline gap, so the knee itself is at 1.
    """
    down = np.array([-leg.medial[1], leg.medial[0]])
    down = down if down[1] >= 0 else -down
    along, across = (p - leg.midline[0]) @ down, (p - leg.midline[0]) @ leg.medial
    m_along, m_across = (leg.midline - leg.midline[0]) @ down, (leg.midline - leg.midline[0]) @ leg.medial
    order = np.argsort(m_along)
    mid = np.interp(along, m_along[order], m_across[order])
    knee_gap = float(np.interp((leg.knee - leg.midline[0]) @ down, m_along[order], m_across[order]))
    knee_gap -= float((leg.knee - leg.midline[0]) @ leg.medial)
    return smoothstep((mid - across) / max(GATE_FRAC * knee_gap, 1.0))


def leg_weight(p: np.ndarray, leg: LegWarp) -> np.ndarray:
    """(N,) weight of the knee shift at points p (N, 2) px: 1 at the knee, 0 at hip/ankle."""
    w1 = _segment_weight(p, leg.hip, leg.knee, leg.sigma, rising=True)
    w2 = _segment_weight(p, leg.knee, leg.ankle, leg.sigma, rising=False)
    e1, e2 = np.exp(SOFTMAX_K * (w1 - 1.0)), np.exp(SOFTMAX_K * (w2 - 1.0))
    return (w1 * e1 + w2 * e2) / (e1 + e2) * midline_gate(p, leg)


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


def backward_map(
    legs: list[LegWarp], roi: tuple[int, int, int, int], iters: int = 30, tol_px: float = 1e-3
) -> tuple[np.ndarray, np.ndarray, float]:
    """Source coordinates for each output pixel of roi: (map_x, map_y) (h, w) float32 px.

    Solves p + D(p) = q for p on a GRID_STEP_PX grid by fixed-point iteration p <- q - D(p),
    then resizes the backward displacement q - p bilinearly. Also returns the smallest Jacobian
    determinant of the forward map on that grid (< 0 would mean the image folds over).
    """
    x0, y0, x1, y1 = roi
    w, h = x1 - x0, y1 - y0
    nx, ny = max(2, -(-w // GRID_STEP_PX)), max(2, -(-h // GRID_STEP_PX))
    # cv2.resize (pixel-centre aligned) samples coarse node j at fine x = (j + 0.5) * w / nx - 0.5
    gx = x0 + (np.arange(nx) + 0.5) * w / nx - 0.5
    gy = y0 + (np.arange(ny) + 0.5) * h / ny - 0.5
    q = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    p = q.copy()
    for _ in range(iters):
        p_new = q - displacement(p, legs)
        done = np.abs(p_new - p).max() < tol_px
        p = p_new
        if done:
            break
    back = (q - p).reshape(ny, nx, 2).astype(np.float32)
    fine = cv2.resize(back, (w, h), interpolation=cv2.INTER_LINEAR)
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
