"""Ground truth of a synthetic collapse: pelvis depth, reps, w(t) and the knee shift per frame.

Pure numpy/scipy; see collapse_warp.py for the conventions and the method. Per rep, A (px) is
solved on the rep's bottom frame (FPPA there gains amount_deg); when a medial shift cannot
raise FPPA at a bottom (deep squats whose knees sit above the hips in the image), every rep of
the clip is solved on its start (standing) frame instead, and the plan says so (solved_at).
"""

from __future__ import annotations

from dataclasses import dataclass

import collapse_warp as cw
import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.signal import find_peaks


def pelvis_depth(
    xy: np.ndarray, t_s: np.ndarray, percentile: float = 95.0, smooth_s: float = 0.07
) -> np.ndarray:
    """(T,) pelvis drop below standing: 1 - h / h_standing, clipped at 0 (0 = standing).

    h (px) = ankle mid-point y - hip mid-point y from xy (T, 33, 2) px, NaN-filled over t_s (T,)
    s and Gaussian-smoothed (sigma smooth_s s); h_standing = its `percentile`.
    """
    ankles, hips = [cw.ANKLE[s] for s in cw.SIDES], [cw.HIP[s] for s in cw.SIDES]
    h = cw.fill_nan(xy[:, ankles, 1].mean(1) - xy[:, hips, 1].mean(1), t_s)
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
        s = int(cuts[k] + np.argmin(depth[cuts[k] : b + 1]))
        e = int(b + np.argmin(depth[b : cuts[k + 2] + 1]))
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


def thigh_length_px(xy: np.ndarray, side: str, percentile: float = 90.0) -> float:
    """Standing 2D thigh length of `side`, px: a high percentile of |knee - hip| over xy."""
    thigh = np.linalg.norm(xy[:, cw.KNEE[side]] - xy[:, cw.HIP[side]], axis=1)
    return float(np.nanpercentile(thigh, percentile))


@dataclass(frozen=True)
class CollapsePlan:
    """The per-frame knee shifts of one warped clip.

    depth, w: (T,) pelvis depth and its per-rep weight in [0, 1]; reps: (start, bottom, end)
    frame indices; shift[side]: (T, 2) px knee displacement A_rep * w * medial;
    amplitude_px[side]: A per rep, px; thigh_px[side]: standing thigh length, px;
    sigma_px[side]: the field's Gaussian width, px; solved_at: "bottom" (A adds amount_deg
    of FPPA at each rep's bottom) or "standing" (A adds it to the leg at the rep's start).
    """

    sides: tuple[str, ...]
    amount_deg: float
    depth: np.ndarray
    w: np.ndarray
    reps: list[tuple]
    shift: dict[str, np.ndarray]
    amplitude_px: dict[str, list[float]]
    thigh_px: dict[str, float]
    sigma_px: dict[str, float]
    solved_at: str

    def legs_at(self, xy: np.ndarray, i: int) -> list[cw.LegWarp]:
        """The LegWarps of frame i, from that frame's landmarks xy (33, 2) px."""
        return [cw.LegWarp.from_pose(xy, s, self.shift[s][i], self.sigma_px[s]) for s in self.sides]

    def solve_frame(self, rep: int) -> int:
        """The frame whose geometry A of rep `rep` was solved on."""
        return self.reps[rep][1 if self.solved_at == "bottom" else 0]


def _amplitudes(xy, sides, reps, amount_deg: float, at: str, thigh) -> dict[str, list[float]]:
    """A (px) per side and rep, solved on each rep's bottom or start ("standing") frame."""
    amp = {}
    for side in sides:
        idx = [cw.HIP[side], cw.KNEE[side], cw.ANKLE[side], cw.HIP[cw.OTHER[side]]]
        frames = [r[1] if at == "bottom" else r[0] for r in reps]
        amp[side] = [
            cw.solve_amplitude(*xy[f, idx], amount_deg, 2.0 * thigh[side]) if amount_deg else 0.0
            for f in frames
        ]
    return amp


def plan_collapse(
    xy: np.ndarray, t_s: np.ndarray, sides: tuple[str, ...], amount_deg: float, at="auto"
) -> CollapsePlan:
    """Solve A per rep and side so each rep gains amount_deg of FPPA, and the shifts.

    xy: (T, 33, 2) px smoothed landmarks (NaN gaps are filled); t_s: (T,) s.
    at: "bottom", "standing", or "auto" = bottom unless a rep has no root there.
    """
    xy = cw.fill_nan(xy, t_s)
    depth = pelvis_depth(xy, t_s)
    reps = find_reps(depth)
    w = depth_weight(depth, reps)
    thigh = {side: thigh_length_px(xy, side) for side in sides}
    first = "standing" if at == "standing" else "bottom"
    try:
        amp, at = _amplitudes(xy, sides, reps, amount_deg, first, thigh), first
    except ValueError:
        if at == "bottom":
            raise
        amp, at = _amplitudes(xy, sides, reps, amount_deg, "standing", thigh), "standing"
    shift = {}
    for side in sides:
        a_frame = np.zeros(len(t_s))
        for (s, _, e), a in zip(reps, amp[side], strict=True):
            a_frame[s : e + 1] = np.where(w[s : e + 1] > 0, a, a_frame[s : e + 1])
        medial = cw.unit(xy[:, cw.HIP[cw.OTHER[side]]] - xy[:, cw.HIP[side]])
        shift[side] = (a_frame * w)[:, None] * medial
    sigma = {side: cw.SIGMA_THIGH_FRAC * thigh[side] for side in sides}
    return CollapsePlan(
        tuple(sides), float(amount_deg), depth, w, reps, shift, amp, thigh, sigma, at
    )
