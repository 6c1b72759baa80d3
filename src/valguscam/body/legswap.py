"""Leg-swap repair: find frames where MediaPipe exchanged the left/right leg labels, swap back.

MediaPipe sometimes reports the left knee, ankle, heel and foot_index at the right leg's place
and vice versa for a few frames, often with the hips (and the whole body) flipped too. Every
per-side metric is then a mirror image, so the labels are repaired here, on the raw track,
before any metric is computed.

1. Legs. Each usable frame is labelled or swapped; a Viterbi pass finds the least-cost path.
   Continuity between consecutive usable frames costs log(1 + d / noise_floor), d = mean
   distance of the leg points (knee, ankle, heel, foot_index; both sides), in body scales, to
   the previous frame as labelled (same state) or crossed (state change); each state change
   costs -log(max_cost_ratio) more. A jump is so taken only where (noise_floor + d_crossed) <
   max_cost_ratio * (noise_floor + d_labelled), and a swapped run starts and ends with one.
2. Prior per second, the tie-breaker: a cost for being swapped (MediaPipe is mostly right) and
   for left/right orders against the clip-wide majority (legs along the hip line, hips in the
   image). Crossed legs or a curtsy lunge keep their labels unless continuity says otherwise.
3. Hips. Per swapped run, the hips are exchanged too if their own continuity at the run's
   ends (the same costs, no jump cost: the legs did jump there) and the order prior over the
   run favour it.
Body scale = median 2D hip-ankle distance in pixels, so every threshold is scale-free.
Frames without a person are skipped: continuity is carried to the next frame with one,
unless the gap exceeds max_gap_s (then the labels after it are decided afresh).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from valguscam.body.geometry import finite_percentile
from valguscam.errors import ConfigError
from valguscam.landmarks import LEGS, Side
from valguscam.types import PoseTrack

_L, _R = LEGS[Side.LEFT], LEGS[Side.RIGHT]
_LEFT_LEG = np.array([_L.knee, _L.ankle, _L.heel, _L.toe])  # below the hip
_RIGHT_LEG = np.array([_R.knee, _R.ankle, _R.heel, _R.toe])  # in the order of _LEFT_LEG
_HIPS = np.array([_L.hip, _R.hip])


@dataclass(frozen=True)
class SwapRepair:
    """Result of `repair_leg_swaps`.

    track: the repaired copy; the input track itself (never modified) when nothing was swapped.
    swapped: (T,) bool, frames whose leg labels (knee, ankle, heel, foot_index) were exchanged
        back, in every landmark array (xy, z, visibility, presence, world).
    hips_swapped: (T,) bool, frames whose hip labels were exchanged back too (a subset of
        `swapped`).
    """

    track: PoseTrack
    swapped: np.ndarray
    hips_swapped: np.ndarray

    @property
    def n_swapped(self) -> int:
        """Number of frames whose leg labels were exchanged back."""
        return int(np.count_nonzero(self.swapped))


def repair_leg_swaps(
    track: PoseTrack,
    *,
    max_cost_ratio: float = 0.5,
    noise_floor: float = 0.02,
    max_gap_s: float = 0.5,
    swap_cost_per_s: float = 0.5,
    order_cost_per_s: float = 1.0,
    order_margin: float = 0.1,
) -> SwapRepair:
    """Find frames with exchanged left/right leg labels and swap them back.

    max_cost_ratio: a label jump is accepted where the crossed match to the previous frame
        costs less than this fraction of the match as labelled (each cost = noise_floor + mean
        point distance). 0.5 = crossed must be at least twice as good. In (0, 1].
    noise_floor: distance in body scales (median hip-ankle lengths) that carries no evidence,
        so jitter and still legs decide nothing. 0.02 = about 2 cm on an adult, a few pixels.
    max_gap_s: seconds without a person across which continuity is still carried; after a
        longer gap the labels are decided afresh (by the prior and later jumps).
    swap_cost_per_s: prior cost per second a group (legs, hips) spends swapped: the clip's
        majority counts as correctly labelled, e.g. for a swap at the very start.
    order_cost_per_s: prior cost per second of a left/right order against the clip-wide
        majority, at full violation: legs along the hip line (full weight) and hips in the
        image (half: a person may turn away; MediaPipe flips whole bodies too).
    order_margin: wrong-way separation, in body scales, at which an order violation is full.

    Costs are in log units: a jump of distance ratio r weighs log r. A smooth start or end of
    a real crossing (a curtsy lunge) weighs about 2 against a jump, so with the defaults
    (order 1.0 - swap 0.5 = 0.5 / s) a crossing held for up to ~8 s keeps its labels (a real
    curtsy-lunge clip holds it 2-3 s and was flipped at 3.0 / s); the prior decides only where
    continuity is ambiguous, e.g. a swap at the very start or one that ends in garbled frames.
    Returns a SwapRepair.
    """
    _check(
        max_cost_ratio=max_cost_ratio,
        noise_floor=noise_floor,
        max_gap_s=max_gap_s,
        swap_cost_per_s=swap_cost_per_s,
        order_cost_per_s=order_cost_per_s,
        order_margin=order_margin,
    )
    xy = np.asarray(track.xy, float)
    seen = np.isfinite(xy).all(axis=-1)
    usable = seen[:, _LEFT_LEG].any(axis=1) & seen[:, _RIGHT_LEG].any(axis=1)
    legs, hips = np.zeros(track.n_frames, bool), np.zeros(track.n_frames, bool)
    idx, scale = np.flatnonzero(usable), _body_scale(xy)
    if idx.size < 2 or not scale > 0:
        return SwapRepair(track, legs, hips)
    pts, t_s = xy[idx] / scale, np.asarray(track.t_s, float)[idx]
    jump, carried = -np.log(max_cost_ratio), np.diff(t_s) <= max_gap_s
    dt_s = float(np.median(np.diff(t_s)))
    state = dt_s * _state_costs(pts, order_margin, order_cost_per_s, swap_cost_per_s)
    stay, cross = _group_costs(pts[:, _LEFT_LEG], pts[:, _RIGHT_LEG], noise_floor)
    legs[idx] = _viterbi(state.min(axis=2), carried * stay, carried * (cross + jump))
    stay, cross = _group_costs(pts[:, _HIPS[:1]], pts[:, _HIPS[1:]], noise_floor)
    gain = state[:, 1, 1] - state[:, 1, 0]
    hips[idx] = _hip_swaps(legs[idx], gain, carried * (cross - stay))
    return SwapRepair(_exchange(track, legs, hips), legs, hips)


def _check(**params: float) -> None:
    """Raise ConfigError for a parameter of repair_leg_swaps out of its range."""
    if not 0.0 < params["max_cost_ratio"] <= 1.0:
        raise ConfigError(
            f"max_cost_ratio must be in (0, 1], got {params['max_cost_ratio']}; the default is 0.5"
        )
    if not params["noise_floor"] > 0.0:
        raise ConfigError(f"noise_floor must be > 0, got {params['noise_floor']}; default 0.02")
    for name, value in params.items():
        if not value >= 0.0:
            raise ConfigError(f"{name} must be >= 0, got {value}; see repair_leg_swaps' defaults")


def _body_scale(xy: np.ndarray) -> float:
    """Median 2D hip-ankle distance over frames and sides, pixels; NaN if never seen.

    xy: (T, 33, 2) pixels. Used only to make distances scale-free; robust to swapped frames.
    """
    lengths = [np.linalg.norm(xy[:, LEGS[s].ankle] - xy[:, LEGS[s].hip], axis=-1) for s in Side]
    return finite_percentile(np.stack(lengths), 50.0)


def _mean_norm(v: np.ndarray) -> np.ndarray:
    """(N,) mean length of the finite vectors in v: (N, P, 2); NaN where none is finite."""
    d = np.linalg.norm(v, axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(d, axis=1)


def _group_costs(
    left: np.ndarray, right: np.ndarray, noise_floor: float
) -> tuple[np.ndarray, np.ndarray]:
    """Continuity costs of a landmark group between consecutive frames, as labelled and crossed.

    left, right: (N, P, 2) in body scales. Returns two (N-1,) arrays log(1 + d / noise_floor),
    d = mean distance of both sides' points to the previous frame's points of the same label
    (as labelled) or of the other label (crossed); 0 for both where no point compares.
    """
    same = _mean_norm(np.concatenate([left[1:] - left[:-1], right[1:] - right[:-1]], axis=1))
    cross = _mean_norm(np.concatenate([left[1:] - right[:-1], right[1:] - left[:-1]], axis=1))
    unknown = ~(np.isfinite(same) & np.isfinite(cross))
    same[unknown] = cross[unknown] = 0.0
    return np.log1p(same / noise_floor), np.log1p(cross / noise_floor)


def _majority(x: np.ndarray) -> float:
    """Sign (+1, -1 or 0) of the median of the finite values of x."""
    return float(np.sign(np.nan_to_num(finite_percentile(x, 50.0))))


def _orders(pts: np.ndarray, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """(N,) leg and hip orders as labelled, in [-1, 1], + = as in the clip's majority.

    pts: (N, 33, 2) body scales. Legs: mean separation of the left from the right leg points
    along the hip line (+ = the left leg on the left hip's side), weighted by how clearly the
    hips are apart. Hips: image x of the left hip minus the right. Both / margin, clipped.
    """
    hip_vec = pts[:, _HIPS[0]] - pts[:, _HIPS[1]]
    width = np.linalg.norm(hip_vec, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        apart = np.einsum("npc,nc->np", pts[:, _LEFT_LEG] - pts[:, _RIGHT_LEG], hip_vec)
        legs = np.nanmean(apart, axis=1) / width
    hips = hip_vec[:, 0]
    confidence = np.clip(np.nan_to_num(width) / margin, 0.0, 1.0)
    legs = confidence * np.clip(np.nan_to_num(_majority(legs) * legs / margin), -1.0, 1.0)
    return legs, np.clip(np.nan_to_num(_majority(hips) * hips / margin), -1.0, 1.0)


def _state_costs(pts: np.ndarray, margin: float, order_cost: float, swap_cost: float) -> np.ndarray:
    """(N, 2, 2) prior cost per second of [frame, legs swapped, hips swapped].

    pts: (N, 33, 2) body scales. Swapping the legs alone reverses the leg order along the hip
    line; swapping the hips too keeps it but reverses the hips' order in the image.
    """
    legs, hips = _orders(pts, margin)
    cost = np.empty((len(pts), 2, 2))
    for leg_bit in (0, 1):
        for hip_bit in (0, 1):
            leg_order = legs * (-1.0 if leg_bit != hip_bit else 1.0)
            hip_order = hips * (-1.0 if hip_bit else 1.0)
            wrong = np.maximum(-leg_order, 0.0) + 0.5 * np.maximum(-hip_order, 0.0)
            cost[:, leg_bit, hip_bit] = order_cost * wrong + swap_cost * (leg_bit + hip_bit)
    return cost


def _viterbi(prior: np.ndarray, stay: np.ndarray, switch: np.ndarray) -> np.ndarray:
    """(N,) bool least-cost path over two states (False = as labelled, True = swapped).

    prior: (N, 2) cost of each state per frame; stay, switch: (N-1,) cost of the step into
    frame k + 1 keeping or changing the state.
    """
    n = len(prior)
    changed = np.zeros((n, 2), bool)  # the best way into [k, state] came from the other state
    c0, c1 = float(prior[0, 0]), float(prior[0, 1])
    for k, (p0, p1, s, x) in enumerate(
        zip(
            prior[1:, 0].tolist(),
            prior[1:, 1].tolist(),
            stay.tolist(),
            switch.tolist(),
            strict=True,
        ),
        start=1,
    ):
        from0, from1 = c1 + x < c0 + s, c0 + x < c1 + s
        changed[k] = from0, from1
        c0, c1 = (c1 + x if from0 else c0 + s) + p0, (c0 + x if from1 else c1 + s) + p1
    states = np.zeros(n, bool)
    states[-1] = c1 < c0
    for k in range(n - 1, 0, -1):
        states[k - 1] = states[k] ^ changed[k, int(states[k])]
    return states


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in a (N,) bool mask."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def _hip_swaps(legs: np.ndarray, gain: np.ndarray, boundary: np.ndarray) -> np.ndarray:
    """(N,) bool: runs of swapped legs whose hips are swapped too.

    legs: (N,) bool leg swaps. gain: (N,) prior cost of swapping the hips in a frame with
    swapped legs minus not. boundary: (N-1,) extra continuity cost of a hip label jump in the
    step into frame k + 1 (crossed - as labelled). Swap where the total is negative.
    """
    hips = np.zeros_like(legs)
    for start, stop in _runs(legs):
        cost = float(gain[start:stop].sum())
        cost += (boundary[start - 1] if start > 0 else 0.0) + (
            boundary[stop - 1] if stop < len(legs) else 0.0
        )
        hips[start:stop] = cost < 0.0
    return hips


def _exchange(track: PoseTrack, legs: np.ndarray, hips: np.ndarray) -> PoseTrack:
    """A copy of track with left/right labels exchanged in frames legs (leg points), hips (hips).

    legs, hips: (T,) bool. Every landmark array (xy, z, visibility, presence, world) is changed.
    """
    if not legs.any() and not hips.any():
        return track
    changes = {}
    for name, array in track.arrays.items():
        if name == "t_s":
            continue
        out = array.copy()
        for frames, left, right in ((legs, _LEFT_LEG, _RIGHT_LEG), (hips, _HIPS[:1], _HIPS[1:])):
            rows = np.flatnonzero(frames)[:, None]
            out[rows, left], out[rows, right] = array[rows, right], array[rows, left]
        changes[name] = out
    return track.with_(**changes)
