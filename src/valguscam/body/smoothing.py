"""Track clean-up: treat low-visibility landmarks as missing, fill short gaps, low-pass filter.

Offline: zero-phase Butterworth (scipy.signal.sosfiltfilt) per run of valid samples.
Live: a One Euro filter (Casiez, Roussel & Vogel, CHI 2012) for landmarks and `CausalLowpass`
(the offline Butterworth run forward only) for derived signals, both causal, with `update()`.
All functions are pure and return new arrays; NaN marks missing data.
"""

from __future__ import annotations

import functools
import math
from collections import deque

import numpy as np
from scipy import signal

from valguscam.config import SmoothingConfig
from valguscam.types import PoseTrack


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index pairs of the runs of True in a 1-D bool array."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[::2], edges[1::2], strict=True))


def fill_gaps(x: np.ndarray, t_s: np.ndarray, max_gap_s: float, copy: bool = True) -> np.ndarray:
    """Linearly interpolate interior NaN gaps no longer than `max_gap_s`, per column.

    x: (T, ...) samples; t_s: (T,) seconds. Gaps at the start or end, and longer gaps, stay NaN.
    A gap's length is the time between the valid samples on either side of it.
    copy=False fills a float array in place (no second copy of a long track).
    """
    flat = (np.array(x, dtype=float) if copy else np.asarray(x, dtype=float)).reshape(len(t_s), -1)
    for col in flat.T:
        missing = np.isnan(col)
        if not missing.any() or missing.all():
            continue
        for start, stop in _runs(missing):
            if start == 0 or stop == len(col):
                continue
            if t_s[stop] - t_s[start - 1] <= max_gap_s:
                col[start:stop] = np.interp(
                    t_s[start:stop], t_s[[start - 1, stop]], col[[start - 1, stop]]
                )
    return flat.reshape(np.shape(x))


def sample_rate_hz(t_s: np.ndarray) -> float:
    """Median sampling rate of a time vector (robust to variable frame rate), Hz."""
    dt = np.diff(t_s)
    dt = dt[dt > 0]
    return float(1.0 / np.median(dt)) if dt.size else float("nan")


@functools.lru_cache(maxsize=64)
def _butter_sos(order: int, wn: float) -> np.ndarray:
    """The Butterworth low-pass design (second-order sections) for a normalised cut-off `wn`
    (fraction of Nyquist), cached: designing it costs more than filtering a short window, and
    the live CausalLowpass asks for it every frame. Not to be modified."""
    return signal.butter(order, wn, output="sos")


def lowpass(
    x: np.ndarray, t_s: np.ndarray, cutoff_hz: float, order: int = 2, copy: bool = True
) -> np.ndarray:
    """Zero-phase Butterworth low-pass along axis 0, applied to each run of valid samples.

    x: (T, ...); runs too short to filter are left as they are; NaN stays NaN.
    The cut-off is clamped below Nyquist of the median sample rate. copy=False filters a
    float array in place.
    """
    fs = sample_rate_hz(t_s)
    out = (np.array(x, dtype=float) if copy else np.asarray(x, dtype=float)).reshape(len(t_s), -1)
    if not np.isfinite(fs) or len(t_s) < 4:
        return out.reshape(np.shape(x))
    sos = _butter_sos(order, round(min(cutoff_hz / (fs / 2.0), 0.99), 9))
    padlen = 3 * (2 * len(sos) + 1)
    for col in out.T:
        for start, stop in _runs(np.isfinite(col)):
            if stop - start > padlen:
                col[start:stop] = signal.sosfiltfilt(sos, col[start:stop])
    return out.reshape(np.shape(x))


def mask_low_visibility(track: PoseTrack, min_visibility: float) -> PoseTrack:
    """A copy of `track` with landmarks of visibility < min_visibility set to NaN."""
    with np.errstate(invalid="ignore"):
        hidden = ~(track.visibility >= min_visibility)
    xy, z, world = track.xy.copy(), track.z.copy(), track.world.copy()
    xy[hidden] = np.nan
    z[hidden] = np.nan
    world[hidden] = np.nan
    return track.with_(xy=xy, z=z, world=world)


def clean_track(track: PoseTrack, cfg: SmoothingConfig) -> PoseTrack:
    """Offline clean-up: mask low visibility, fill short gaps, zero-phase low-pass."""
    masked = mask_low_visibility(track, cfg.min_visibility)
    t = track.t_s

    def smooth(a: np.ndarray) -> np.ndarray:  # `a` is already a copy: work in place
        filled = fill_gaps(a, t, cfg.max_gap_s, copy=False)
        return lowpass(filled, t, cfg.cutoff_hz, cfg.filter_order, copy=False)

    return masked.with_(xy=smooth(masked.xy), z=smooth(masked.z), world=smooth(masked.world))


class OneEuroFilter:
    """Causal One Euro filter for live landmarks (any array shape, NaN = missing).

    update(x, t_s) returns the filtered array. A NaN input element resets that element.
    min_cutoff_hz lowers jitter at rest; beta lowers lag in fast motion.
    """

    def __init__(self, min_cutoff_hz: float = 1.5, beta: float = 0.05, d_cutoff_hz: float = 1.0):
        self.min_cutoff_hz, self.beta, self.d_cutoff_hz = min_cutoff_hz, beta, d_cutoff_hz
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff_hz: np.ndarray | float, dt: float) -> np.ndarray | float:
        tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff_hz))
        return 1.0 / (1.0 + tau / dt)

    def update(self, x: np.ndarray, t_s: float) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self._x is None or self._t is None or t_s <= self._t:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t_s
            return x.copy()
        dt = t_s - self._t
        prev = np.where(np.isnan(self._x), x, self._x)
        dx = (x - prev) / dt
        a_d = self._alpha(self.d_cutoff_hz, dt)
        dx_hat = np.where(np.isnan(self._dx), dx, a_d * dx + (1 - a_d) * self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        a = self._alpha(cutoff, dt)
        out = a * x + (1 - a) * prev
        self._x, self._dx, self._t = out, np.where(np.isnan(dx_hat), 0.0, dx_hat), t_s
        return out.copy()

    @classmethod
    def from_config(cls, cfg: SmoothingConfig) -> OneEuroFilter:
        return cls(cfg.one_euro_min_cutoff_hz, cfg.one_euro_beta, cfg.one_euro_d_cutoff_hz)


@functools.lru_cache(maxsize=64)
def _butter_zi(order: int, wn: float) -> np.ndarray:
    """scipy's sosfilt_zi of `_butter_sos(order, wn)` (the steady state for a unit input),
    cached: solving it costs more than filtering one sample. Not to be modified."""
    return signal.sosfilt_zi(_butter_sos(order, wn))


class CausalLowpass:
    """The offline low-pass (`lowpass`: Butterworth, same order and cut-off) run forward only,
    one sample at a time, for live signals (pelvis height, knee flexion).

    update(x, t_s) -> filtered x: x (D,) values (a float is one value), t_s seconds. Causal, so
    it lags: about 0.225 / cutoff_hz seconds for order 2 (56 ms at 4 Hz) where `lowpass` has
    none. The design follows the frame rate (median of the last `rate_frames` intervals); the
    filter starts at rest on its first sample, and a NaN element gives NaN and restarts that
    element's filter at its next finite sample.
    """

    def __init__(self, cutoff_hz: float, order: int = 2, rate_frames: int = 15):
        self.cutoff_hz, self.order, self.rate_frames = cutoff_hz, order, rate_frames
        self._dt: deque[float] = deque(maxlen=rate_frames)  # the last frame intervals, s
        self._t: float | None = None
        self._zi: np.ndarray | None = None  # (sections, 2, D)

    def update(self, x: np.ndarray | float, t_s: float) -> np.ndarray:
        x = np.atleast_1d(np.asarray(x, dtype=float))
        if self._t is not None and t_s > self._t:
            self._dt.append(t_s - self._t)
        self._t = t_s
        if not self._dt:
            return x.copy()
        fs = 1.0 / float(np.median(self._dt))
        wn = round(min(self.cutoff_hz / (fs / 2.0), 0.99), 2)  # 2 digits: a stable design
        sos = _butter_sos(self.order, wn)
        rest = _butter_zi(self.order, wn)[:, :, None] * x  # (sections, 2, D): at rest on x
        if self._zi is None or self._zi.shape != rest.shape:
            self._zi = rest
        fresh = ~np.isfinite(self._zi).all(axis=(0, 1))  # elements restarting after a NaN
        self._zi[:, :, fresh] = rest[:, :, fresh]
        return _sos_step(sos, x, self._zi)


def _sos_step(sos: np.ndarray, x: np.ndarray, zi: np.ndarray) -> np.ndarray:
    """One sample of scipy's sosfilt (transposed direct form II, section after section) on
    each element of x (D,), updating the state zi (sections, 2, D) in place: the same
    arithmetic without sosfilt's per-call checks, which cost 20x the filtering of one sample."""
    y = x
    for (b0, b1, b2, _, a1, a2), z in zip(sos.tolist(), zi, strict=True):
        x = y
        y = b0 * x + z[0]
        z[0] = b1 * x - a1 * y + z[1]
        z[1] = b2 * x - a2 * y
    return y
