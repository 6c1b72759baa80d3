"""Set-up of a live session: is the camera placed right, and the standing-baseline countdown.

`placement_problems` names what is wrong with the camera placement in one frame (no person,
turned sideways, hips to feet not all in view, too far, too close), in words the person can
act on. `BaselineCountdown` takes the standing baseline once the person stands still long
enough, with a countdown to show. Pure numpy (no vendor imports).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from valguscam.body.knee import compute_metrics
from valguscam.body.online import OnlineFrame
from valguscam.config import Config
from valguscam.landmarks import LEGS, Side

BASELINE_S = 2.0
"""Seconds of standing still the live baseline takes (the countdown's length; at least
BaselineConfig.min_duration_s, 0.5 s, of still standing frames)."""
MIN_LEG_FRAC = 0.25
"""Too far: the standing hip-ankle length is below this share of the frame's shorter side
(a portrait phone frame showing the whole body with raised arms is not "too far")."""
MAX_SPAN_FRAC = 0.97
"""Too close: hips to toes span more than this share of the frame height."""
EDGE_FRAC = 0.01
"""A landmark within this share of the frame size from its edge counts as cut off."""
STILL_DEPTH_CHANGE = 0.03
"""Standing still: the pelvis depth moved less than this in the last STILL_WINDOW_S."""
STILL_WINDOW_S = 0.5

NO_PERSON = "step into view: hips to feet, facing the camera"
SIDEWAYS = "turn to face the camera (the knees are judged from the front)"
FEET_CUT = "feet cut off: tilt the camera down or step back"
HIPS_CUT = "hips cut off: raise the camera or step back"
TOO_FAR = "too far: step closer to the camera"
TOO_CLOSE = "too close: step back from the camera"


def _leg_points(side: Side) -> list[int]:
    g = LEGS[side]
    return [g.hip, g.knee, g.ankle, g.heel, g.toe]


def _in_view(frame: OnlineFrame, idx: list[int], width: int, height: int) -> bool:
    """All landmarks `idx` of the frame seen (visibility) and inside the picture."""
    xy = frame.xy[idx]
    if not (frame.body.seen[-1][idx].all() and np.isfinite(xy).all()):
        return False
    mx, my = EDGE_FRAC * width, EDGE_FRAC * height
    inside = (xy[:, 0] > mx) & (xy[:, 0] < width - mx) & (xy[:, 1] > my) & (xy[:, 1] < height - my)
    return bool(inside.all())


def placement_problems(frame: OnlineFrame, width: int, height: int, cfg: Config) -> tuple[str, ...]:
    """What is wrong with the camera placement in `frame` (empty tuple = nothing).

    width, height: frame size, pixels. Sideways = body yaw above cfg.validity.max_yaw_deg.
    """
    if not frame.body.seen[-1].any():
        return (NO_PERSON,)
    problems = []
    yaw = float(frame.metrics.yaw_deg[-1])
    if math.isfinite(yaw) and yaw > cfg.validity.max_yaw_deg:
        problems.append(SIDEWAYS)
    hips = [LEGS[s].hip for s in Side]
    feet = [i for s in Side for i in _leg_points(s)[2:]]
    if not _in_view(frame, feet, width, height):
        problems.append(FEET_CUT)
    if not _in_view(frame, hips, width, height):
        problems.append(HIPS_CUT)
    if not problems:
        leg = frame.body.leg_px
        span = np.nanmax(frame.xy[feet, 1]) - np.nanmin(frame.xy[hips, 1])
        if math.isfinite(leg) and leg < MIN_LEG_FRAC * min(width, height):
            problems.append(TOO_FAR)
        elif span > MAX_SPAN_FRAC * height:
            problems.append(TOO_CLOSE)
    return tuple(problems)


@dataclass(frozen=True)
class LiveBaseline:
    """A standing baseline taken live: FPPA per side (degrees, NaN where not reliable) and the
    stretch it came from (session seconds), which the final report re-uses."""

    fppa_deg: dict[str, float]
    start_s: float
    end_s: float

    def text(self) -> str:
        parts = [f"{s[0].upper()} {v:+.0f}" for s, v in self.fppa_deg.items() if math.isfinite(v)]
        return "baseline: " + (" ".join(parts) + " deg" if parts else "not reliable, press c")


class BaselineCountdown:
    """Counts down BASELINE_S seconds of standing still, then takes the baseline.

    update(frame, placed) -> seconds left while the person stands still, else None (also
    once taken; `waiting` then says whether a baseline is still to be taken).
    `baseline` holds the result once taken; `restart()` (the c key) takes it again.
    """

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.baseline: LiveBaseline | None = None
        self._start = math.nan

    @property
    def waiting(self) -> bool:
        return self.baseline is None

    def restart(self) -> None:
        self.baseline, self._start = None, math.nan

    def _still(self, frame: OnlineFrame) -> bool:
        t, d = frame.recent_t, frame.recent_depth
        recent = d[t >= t[-1] - STILL_WINDOW_S]
        if not np.isfinite(recent).all() or not recent.size:
            return False
        return bool(recent[-1] <= self.cfg.baseline.max_depth
                    and np.ptp(recent) < STILL_DEPTH_CHANGE)  # fmt: skip

    def update(self, frame: OnlineFrame, placed: bool) -> float | None:
        if self.baseline is not None:
            return None
        if not (placed and self._still(frame)):
            self._start = math.nan
            return None
        if math.isnan(self._start):
            self._start = frame.t_s
        left = BASELINE_S - (frame.t_s - self._start)
        if left > 0:
            return left
        self.baseline = self._take(frame, self._start, frame.t_s)
        return None

    def _take(self, frame: OnlineFrame, start: float, end: float) -> LiveBaseline:
        """The baseline over [start, end] by the offline definition (body/baseline.py, a given
        stretch), on the frame's trailing window."""
        base = replace(self.cfg.baseline, start_s=start, end_s=end)
        cfg = replace(self.cfg, baseline=base)
        track, body = frame.window()
        m = compute_metrics(track, track.visibility, cfg, body)
        return LiveBaseline({s: float(b.fppa_deg) for s, b in m.baseline.items()}, start, end)
