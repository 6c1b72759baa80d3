"""Causal (live) versions of the body stages: leg-swap repair, smoothing and knee metrics.

`OnlineBody.update(t_s, sample_arrays)` takes one frame's raw landmarks and returns an
`OnlineFrame`: the repaired and smoothed landmarks of that frame, its body measures and its knee
metrics. Nothing here looks ahead: every number of frame k comes from frames <= k, so it can be
shown while the person moves. Each frame's numbers are computed once, when it arrives, and kept
as they were shown (the trailing window, cfg window_s seconds, holds them).

The definitions are the offline ones, imported, not re-implemented:
- leg-swap repair: body/legswap.repair_leg_swaps on the trailing window; frame k takes the
  label decision of the window that ends at k (the Viterbi path's last state, a filtering
  decision that uses the past only).
- smoothing: the One Euro filter of body/smoothing.py (the offline zero-phase Butterworth
  needs the future), on the repaired pixels, after body/smoothing.mask_low_visibility's rule.
- body measures (body/measures.py): the pelvis height above the lower ankle and the knee
  flexion of frame k, low-passed by the offline Butterworth run forward (CausalLowpass: about
  56 ms behind at the default 4 Hz); depth against the standing height, the offline upper
  percentile of the window's heights; the standing leg, thigh and shank lengths, the offline
  percentiles of the window's per-frame lengths; the view cues of frame k with that leg length.
- knee metrics: body/knee.compute_metrics on frame k with those measures (FPPA, knee over
  foot, validity); the standing baseline is the live one (the c key), given in the config.
Per frame this costs the window's leg-swap repair and a few percentiles; the rest is one row.
`OnlineBody.window()` gives the offline measures of the whole window, for the baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from valguscam.body.knee import compute_metrics
from valguscam.body.legswap import repair_leg_swaps
from valguscam.body.measures import (
    LEG_PERCENTILE,
    SEGMENT_PERCENTILE,
    BodyMeasures,
    hip_height_px,
    knee_flexion_raw,
    longer_leg_px,
    masked,
    measure_body,
    nanpercentile_rows,
    segment_lengths_px,
    view_cues,
)
from valguscam.body.smoothing import CausalLowpass, OneEuroFilter
from valguscam.config import Config
from valguscam.types import LANDMARK_ARRAYS, KneeMetrics, PoseTrack

WINDOW_S = 3.0
"""Trailing window of the live measures, seconds: long enough to hold a standing moment (the
standing lengths and height are upper percentiles of it), short enough to repair quickly."""
_DERIVED = {"smooth": (33, 2), "height": (), "depth": (), "leg": (), "seg": (4,)}
"""Per-frame values kept in the window besides the raw landmarks: the smoothed pixels, the
low-passed pelvis height, the depth shown, the longer leg and the 4 SEGMENTS' lengths."""


class _Ring:
    """The rows of the trailing window: per-frame arrays appended a row at a time and read as
    contiguous (N, ...) views, valid until the next append. Storage holds twice the rows; they
    move to the front when its end is reached (O(1) per append, amortised); it grows as needed.
    """

    def __init__(self, shapes: dict[str, tuple[int, ...]], rows: int = 256):
        self._data = {k: np.full((2 * rows, *shape), np.nan) for k, shape in shapes.items()}
        self._start = self._n = 0

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, name: str) -> np.ndarray:
        return self._data[name][self._start : self._start + self._n]

    def append(self, row: dict[str, object]) -> None:
        """Add a row: the given fields (by name); the others start as NaN."""
        size = len(self._data["t"])
        if self._start + self._n == size:
            keep = slice(self._start, self._start + self._n)
            grow = 2 if 2 * self._n > size else 1
            for k, a in self._data.items():
                b = a if grow == 1 else np.full((grow * size, *a.shape[1:]), np.nan)
                b[: self._n] = a[keep]
                self._data[k] = b
            self._start = 0
        end = self._start + self._n
        for k, a in self._data.items():
            a[end] = row.get(k, np.nan)
        self._n += 1

    def set_last(self, name: str, value: object) -> None:
        self._data[name][self._start + self._n - 1] = value

    def drop_before(self, t_s: float) -> None:
        """Forget the rows older than t_s seconds."""
        old = int(np.searchsorted(self["t"], t_s, side="left"))
        self._start, self._n = self._start + old, self._n - old


@dataclass(frozen=True)
class OnlineFrame:
    """One live frame after the body stages.

    t_s: seconds. xy: (33, 2) pixels, leg labels repaired and One-Euro smoothed (NaN where
    not seen). swapped: MediaPipe's leg labels were exchanged in this frame and swapped back.
    metrics, body: this frame's knee metrics and body measures, one row each
    (metrics.depth[-1], metrics.left.knee_position[-1], body.leg_px ...).
    recent_t, recent_depth: (N,) the window's frames, seconds, and their depth as shown.
    window: () -> (the window's repaired smoothed track, its offline body measures), computed
    when called (a few ms: for the standing baseline, not every frame).
    """

    t_s: float
    xy: np.ndarray
    swapped: bool
    metrics: KneeMetrics
    body: BodyMeasures
    recent_t: np.ndarray
    recent_depth: np.ndarray
    window: Callable[[], tuple[PoseTrack, BodyMeasures]]

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
        self._ring = _Ring({"t": (), **LANDMARK_ARRAYS, **_DERIVED})
        self._filter = OneEuroFilter.from_config(cfg.smoothing)
        self._height = CausalLowpass(cfg.movement.depth_cutoff_hz)
        self._flexion = CausalLowpass(cfg.movement.depth_cutoff_hz)

    def set_config(self, cfg: Config) -> None:
        """Use `cfg` from the next frame on (e.g. with a standing baseline just taken)."""
        self.cfg = cfg

    def _raw(self) -> PoseTrack:
        r = self._ring
        arrays = {k: r[k] for k in LANDMARK_ARRAYS}
        return PoseTrack(t_s=r["t"], width=self.width, height=self.height, **arrays)

    def update(self, t_s: float, arrays: dict[str, np.ndarray]) -> OnlineFrame:
        """Feed one frame: arrays = the raw landmark arrays by LANDMARK_ARRAYS name (xy (33, 2)
        pixels, z, visibility, presence (33,), world (33, 3) metres; NaN = no person)."""
        ring = self._ring
        ring.append({"t": t_s, **arrays})
        ring.drop_before(t_s - self.window_s)
        repaired = repair_leg_swaps(self._raw())
        row = _last_row(repaired.track)
        xy = masked(row.xy, row.visibility, self.cfg.smoothing.min_visibility)[0]
        smooth = self._filter.update(xy, t_s)
        ring.set_last("smooth", smooth)
        body = self._measure(row, t_s)
        metrics = compute_metrics(row.with_(xy=smooth[None]), row.visibility, self.cfg, body)
        return OnlineFrame(
            t_s, smooth, bool(repaired.swapped[-1]), metrics, body,
            ring["t"].copy(), ring["depth"].copy(), self.window,
        )  # fmt: skip

    def _measure(self, row: PoseTrack, t_s: float) -> BodyMeasures:
        """Frame t_s's body measures (one row) from its repaired landmarks `row`; stores its
        per-frame values in the window."""
        mv, ring = self.cfg.movement, self._ring
        pts = masked(row.xy, row.visibility, mv.min_visibility)
        height = float(self._height.update(hip_height_px(row, mv.min_visibility)[0], t_s)[0])
        flexion = self._flexion.update(knee_flexion_raw(row, mv.min_visibility)[0], t_s)
        ring.set_last("height", height)
        ring.set_last("leg", longer_leg_px(pts)[0])
        ring.set_last("seg", segment_lengths_px(pts)[0])
        # The window's standing height, leg length and 4 segment lengths: one vectorised call.
        columns = np.column_stack([ring["height"], ring["leg"], ring["seg"]]).T  # (6, N)
        q = [mv.standing_percentile, LEG_PERCENTILE, *[SEGMENT_PERCENTILE] * 4]
        top, leg_px, *lengths = nanpercentile_rows(columns, np.array(q)).tolist()
        depth = 1.0 - height / top if top > 0 else np.nan
        ring.set_last("depth", depth)
        return BodyMeasures(
            t_s=row.t_s, depth=np.array([depth]), flexion_deg=flexion[None],
            seen=np.asarray(row.visibility >= mv.min_visibility), view=view_cues(row, mv, leg_px),
            leg_px=leg_px, thigh_px={"left": lengths[0], "right": lengths[2]},
            shank_px={"left": lengths[1], "right": lengths[3]},
        )  # fmt: skip

    def window(self) -> tuple[PoseTrack, BodyMeasures]:
        """The trailing window as the offline stages see it: its repaired track with the
        smoothed pixels shown live, and measure_body of the repaired track."""
        track = repair_leg_swaps(self._raw()).track
        return track.with_(xy=self._ring["smooth"].copy()), measure_body(track, self.cfg.movement)


def _last_row(track: PoseTrack) -> PoseTrack:
    """The last frame of `track` as a one-frame PoseTrack."""
    arrays = {k: getattr(track, k)[-1:] for k in LANDMARK_ARRAYS}
    return PoseTrack(t_s=track.t_s[-1:], width=track.width, height=track.height, **arrays)
