"""Causal (live) versions of the body stages: leg-swap repair, smoothing and knee metrics.

`OnlineBody.update(t_s, sample_arrays)` takes one frame's raw landmarks and returns an
`OnlineFrame`: the repaired and smoothed landmarks of that frame and the knee metrics of the
trailing window that ends at it. Nothing here looks ahead: every number of frame k comes from
frames <= k, so it can be shown while the person moves.

The definitions are the offline ones, imported, not re-implemented:
- leg-swap repair: body/legswap.repair_leg_swaps on the trailing window; frame k takes the
  label decision of the window that ends at k (the Viterbi path's last state, a filtering
  decision that uses the past only).
- smoothing: the One Euro filter of body/smoothing.py (the offline zero-phase Butterworth
  needs the future), on the repaired pixels, after body/smoothing.mask_low_visibility's rule.
- metrics: body/measures.measure_body and body/knee.compute_metrics on the window (validity,
  knee over foot, depth, flexion, yaw, standing lengths): the last row is frame k's.
Pure numpy; the window (cfg window_s, seconds) bounds the cost per frame.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from valguscam.body.knee import compute_metrics
from valguscam.body.legswap import repair_leg_swaps
from valguscam.body.measures import BodyMeasures, measure_body
from valguscam.body.smoothing import OneEuroFilter
from valguscam.config import Config
from valguscam.types import LANDMARK_ARRAYS, KneeMetrics, PoseTrack

WINDOW_S = 3.0
"""Trailing window of the live metrics, seconds: long enough to hold a standing moment (the
standing lengths and height are upper percentiles of it), short enough to cost a few ms."""


@dataclass(frozen=True)
class OnlineFrame:
    """One live frame after the body stages.

    t_s: seconds. xy: (33, 2) pixels, leg labels repaired and One-Euro smoothed (NaN where
    not seen). swapped: MediaPipe's leg labels were exchanged in this frame and swapped back.
    metrics, body: the knee metrics and body measures of the trailing window ending at this
    frame; row -1 is this frame (metrics.depth[-1], metrics.left.knee_position[-1], ...).
    track: that window's repaired, smoothed track (raw visibility) the metrics came from.
    """

    t_s: float
    xy: np.ndarray
    swapped: bool
    metrics: KneeMetrics
    body: BodyMeasures
    track: PoseTrack

    def last(self, side: str, name: str) -> float:
        """This frame's value of a SideMetrics field, e.g. last("left", "fppa_deg")."""
        return float(getattr(self.metrics.side(side), name)[-1])


class OnlineBody:
    """The live body stages as one stateful object with `update()`.

    cfg: the Config (smoothing, movement, validity, knee_foot, baseline sections are read).
    width, height: frame size, pixels. window_s: the trailing window, seconds.
    """

    def __init__(self, cfg: Config, width: int, height: int, window_s: float = WINDOW_S):
        self.cfg = cfg
        self.width, self.height = width, height
        self.window_s = window_s
        self._raw: deque[tuple[float, dict[str, np.ndarray]]] = deque()
        self._smooth: deque[np.ndarray] = deque()
        self._filter = OneEuroFilter.from_config(cfg.smoothing)

    def set_config(self, cfg: Config) -> None:
        """Use `cfg` from the next frame on (e.g. with a standing baseline just taken)."""
        self.cfg = cfg

    def _window(self) -> PoseTrack:
        t = np.array([t for t, _ in self._raw])
        stacked = {k: np.stack([a[k] for _, a in self._raw]) for k in LANDMARK_ARRAYS}
        return PoseTrack(t_s=t, width=self.width, height=self.height, **stacked)

    def update(self, t_s: float, arrays: dict[str, np.ndarray]) -> OnlineFrame:
        """Feed one frame: arrays = the raw landmark arrays by LANDMARK_ARRAYS name (xy (33, 2)
        pixels, z, visibility, presence (33,), world (33, 3) metres; NaN = no person)."""
        self._raw.append((t_s, arrays))
        while self._raw[0][0] < t_s - self.window_s:
            self._raw.popleft()
            self._smooth.popleft()
        repaired = repair_leg_swaps(self._window())
        track = repaired.track
        xy = track.xy[-1].copy()
        with np.errstate(invalid="ignore"):
            xy[~(track.visibility[-1] >= self.cfg.smoothing.min_visibility)] = np.nan
        self._smooth.append(self._filter.update(xy, t_s))
        smoothed = track.with_(xy=np.stack(self._smooth))
        body = measure_body(track, self.cfg.movement)
        metrics = compute_metrics(smoothed, track.visibility, self.cfg, body)
        return OnlineFrame(
            t_s, self._smooth[-1], bool(repaired.swapped[-1]), metrics, body, smoothed
        )
