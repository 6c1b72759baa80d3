"""Repetitions from a pelvis depth signal: offline segmentation and a live counter (pure numpy).

Depth: body/measures.py (the one definition): 1 - hip height above the lower ankle / its
standing value, per frame.
0 = standing tall, about 0.3 = knees at 90 deg, larger = deeper; slightly negative when the hips
rise above their usual standing height (tiptoes). NaN where the pose is missing.

A rep goes from standing, deeper than the rep level, and back to standing (hysteresis), and a
knee bends on the way: start = the last local minimum of depth at standing before it goes down
(the moment it leaves standing), bottom = the deepest sample, end = the first local minimum
back at standing. Offline (`segment_reps`, `find_reps`) and live (`RepCounter`) run the same
state machine; offline knows the clip's deepest peak in advance (the reference for the rep
level), live learns it from the reps so far. A clip that starts or ends inside a rep does not
count that partial rep.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np
from scipy import signal

from valguscam.body.measures import BodyMeasures, measure_body
from valguscam.config import MovementConfig
from valguscam.types import PoseTrack, Rep


def reference_depth(depth: np.ndarray, cfg: MovementConfig | None = None) -> float | None:
    """The clip's deepest rep-like peak (scipy find_peaks, prominence >= cfg.min_rep_depth).

    Peaks at the clip's edges (a clip starting or ending deep) do not count. None if no peak.
    """
    cfg = cfg or MovementConfig()
    x = np.nan_to_num(np.asarray(depth, float), nan=0.0)
    peaks, _ = signal.find_peaks(x, prominence=cfg.min_rep_depth)
    return float(x[peaks].max()) if peaks.size else None


@dataclass(frozen=True)
class _Sample:
    i: int
    t: float
    d: float
    flex: np.ndarray


@dataclass
class _Under:
    """A rep under way: its samples since the previous rep (to find where it left standing),
    its deepest sample and its candidate end (back at standing)."""

    samples: list[_Sample]
    bottom: _Sample
    end: _Sample | None = None


def _last_minimum(samples: list[_Sample], level: float) -> _Sample | None:
    """The last sample at or below `level` that is not rising: where the rep left standing."""
    found, prev = None, math.nan
    for s in samples:
        if s.d <= level and not s.d > prev:
            found = s
        prev = s.d
    return found


class RepCounter:
    """Counts reps from (t_s, depth[, flexion]) samples, one at a time (live or offline).

    `update()` returns the Rep that the sample completed, else None. A rep is complete when the
    depth is back at standing and stops falling, so it is reported one sample after its end;
    `finish()` at the end of the stream completes a rep that is already back at standing.
    Sample indices count the calls of update(): feed every frame to get track frame indices.
    A rep starts when the depth goes deeper than the rep level (cfg.rep_depth_frac of the
    reference, at least cfg.min_rep_depth), is kept if it came from and returns to standing
    (at most cfg.standing_frac of its own depth, at least cfg.standing_depth) and passes the
    duration and knee checks. reference_depth: a typical rep's depth if known (offline: the
    clip's deepest peak); None = the deepest rep so far (the first needs min_rep_depth only).
    flexion_deg (optional): knee flexion per leg, degrees (a float or one value per leg); a
    rep in which no knee bends cfg.min_rep_flexion_deg more than at its start is not a squat
    (the hips dropped in the image but the knees did not bend: walking away from the camera).
    Unknown flexion does not veto. A gap (NaN depth) over cfg.max_gap_s drops the rep under way.
    """

    def __init__(self, cfg: MovementConfig | None = None, reference_depth: float | None = None):
        self.cfg = cfg or MovementConfig()
        self.reference_depth = reference_depth
        self.reps: list[Rep] = []
        self._i = -1
        self._deepest = 0.0
        self._last_t = math.nan
        self._before: deque[_Sample] = deque()  # samples since the last rep, up to max_rep_s
        self._rep: _Under | None = None

    @property
    def count(self) -> int:
        return len(self.reps)

    def rep_level(self, deepest: float | None = None) -> float:
        """Depth a rep must exceed: relative to the reference (or the deepest rep so far)."""
        ref = self.reference_depth
        if ref is None:
            ref = self._deepest if deepest is None else deepest
        return max(self.cfg.min_rep_depth, self.cfg.rep_depth_frac * ref)

    def standing_level(self, rep_depth: float) -> float:
        """Depth at or below which a rep of depth `rep_depth` has left or is back at standing."""
        return max(self.cfg.standing_depth, self.cfg.standing_frac * rep_depth)

    def update(
        self, t_s: float, depth: float, flexion_deg: float | np.ndarray = math.nan
    ) -> Rep | None:
        """Feed one sample (seconds, depth, knee flexion per leg in degrees); returns the rep
        it completed, if any."""
        self._i += 1
        if t_s - self._last_t > self.cfg.max_gap_s:
            self._before.clear()
            self._rep = None
        if not math.isfinite(depth):
            return None
        self._last_t = t_s
        return self._step(_Sample(self._i, t_s, depth, np.array(flexion_deg, float, ndmin=1)))

    def finish(self) -> Rep | None:
        """End of the stream: complete a rep already back at standing; drop one under way."""
        rep, self._rep = self._rep, None
        done = self._complete(rep, rep.end) if rep is not None and rep.end is not None else None
        self._before.clear()
        return done

    def _step(self, s: _Sample) -> Rep | None:
        rep = self._rep
        if rep is None:
            self._before.append(s)
            while self._before[0].t < s.t - self.cfg.max_rep_s:
                self._before.popleft()
            if s.d > self.rep_level():
                self._rep = _Under(list(self._before), s)
                self._before.clear()
            return None
        if rep.end is not None and s.d >= rep.end.d:  # stopped coming up: the rep is over
            self._rep = None
            done = self._complete(rep, rep.end)
            self._step(s)
            return done
        if s.t - rep.samples[0].t > 2 * self.cfg.max_rep_s:  # stuck down: not a rep
            self._rep, self._before = None, deque([s])
            return None
        rep.samples.append(s)
        if rep.end is not None or s.d <= self.standing_level(rep.bottom.d):
            rep.end = s  # back at standing, still coming up
        elif s.d > rep.bottom.d:
            rep.bottom = s
        return None

    def _complete(self, rep: _Under, end: _Sample) -> Rep | None:
        """Close a rep at `end`; keep it if it started from standing and is deep, long and
        bent enough. The end is where the next rep may start."""
        self._before = deque([end])
        down = [s for s in rep.samples if s.i <= rep.bottom.i]
        start = _last_minimum(down, self.standing_level(rep.bottom.d))
        if start is None:  # it did not start from standing (e.g. the clip began mid-rep)
            return None
        flex = np.stack([s.flex for s in rep.samples if start.i <= s.i <= end.i])
        rise = float(np.fmax.reduce(np.fmax.reduce(flex, axis=0) - start.flex))  # NaN: unknown
        deepest = max(self._deepest, rep.bottom.d)
        c = self.cfg
        if (
            rep.bottom.d < self.rep_level(deepest)
            or not c.min_rep_s <= end.t - start.t <= c.max_rep_s
            or rise < c.min_rep_flexion_deg  # False when unknown (NaN)
        ):
            return None
        self._deepest = deepest
        b = rep.bottom
        out = Rep(len(self.reps), start.i, b.i, end.i, start.t, b.t, end.t, depth=b.d)
        self.reps.append(out)
        return out


def segment_reps(
    t_s: np.ndarray,
    depth: np.ndarray,
    cfg: MovementConfig | None = None,
    flexion_deg: np.ndarray | None = None,
) -> list[Rep]:
    """Offline reps of a depth signal (T,) with times t_s (T,) seconds.

    The RepCounter state machine with the clip's deepest peak as reference, so the levels are
    relative to the clip's range from the first rep on. flexion_deg (T,) or (T, legs),
    optional: knee flexion, see RepCounter. Indices are frame indices.
    """
    cfg = cfg or MovementConfig()
    t_s, depth = np.asarray(t_s, float), np.asarray(depth, float)
    flex = np.full(len(t_s), np.nan) if flexion_deg is None else np.asarray(flexion_deg, float)
    counter = RepCounter(cfg, reference_depth(depth, cfg))
    for t, d, f in zip(t_s, depth, flex, strict=True):
        counter.update(float(t), float(d), f)
    counter.finish()
    return list(counter.reps)


def find_reps(
    track: PoseTrack, cfg: MovementConfig | None = None, body: BodyMeasures | None = None
) -> list[Rep]:
    """Offline reps of a track: segment_reps on its depth and knee flexion (body measures;
    computed from `track` when not given)."""
    cfg = cfg or MovementConfig()
    body = body or measure_body(track, cfg)
    return segment_reps(track.t_s, body.depth, cfg, body.flexion_deg)
