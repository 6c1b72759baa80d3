"""Live collapse detection and coaching cues, one frame at a time. Pure numpy.

`OnlineTravel` is the at-depth knee-over-foot measure of assessment/depth.py run causally:
per side, the knee's medial travel (knee_foot minus its early-descent reference, in standing
thigh lengths, + = medial) while the pelvis is at depth. Offline, a rep's depth peak is known;
live, "at depth" and "early descent" are judged against the deeper of the descent so far and
the deepest completed rep, the same DepthConfig fractions.

`CollapseCoach` turns the live state into at most one short cue at a time: a knee inside the
big-toe line (KneePosition.INSIDE; on the line, BIG_TOE, is drawn amber but not cued: a knee
passes it on the way down by build, see KneeFootConfig.min_depth), or travelled inward at
depth by DepthConfig.enter_tl or more, or showed a dynamic FPPA of EventsConfig.enter_deg or
more on a valid frame, for at least EventsConfig.min_duration_s, gets a cue; then nothing
for COOLDOWN_S, so it never nags. The two cues alternate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from valguscam.config import DepthConfig, EventsConfig
from valguscam.types import KneePosition

SIDES = ("left", "right")
CUES = ("knee over the mid-outside of your foot", "screw your hips into the ground")
"""The live cues (DESIGN.md section 4), shown in turn."""
COOLDOWN_S = 4.0
"""Seconds after a cue before the next one may show."""
SHOW_S = 2.5
"""Seconds a cue stays on screen."""
FAULTS = (KneePosition.INSIDE,)


@dataclass
class _SideTravel:
    early: list[float] = field(default_factory=list)
    reference: float = math.nan


class OnlineTravel:
    """The knee's medial travel over the foot at depth, per side, causally.

    update(depth, knee_foot, hip_width_px, thigh_px, yaw_deg, deepest) -> {side: travel_tl or
    None}: depth dimensionless (0 = standing); knee_foot per side in hip widths (+ = medial);
    hip_width_px pixels; thigh_px per side, standing thigh length in pixels; yaw_deg degrees;
    deepest: the deepest completed rep's depth (0 before the first). None = not at depth.
    """

    def __init__(self, cfg: DepthConfig, standing_depth: float):
        self.cfg = cfg
        self.standing_depth = standing_depth
        self._peak = 0.0
        self._sides = {s: _SideTravel() for s in SIDES}

    def update(
        self,
        depth: float,
        knee_foot: dict[str, float],
        hip_width_px: float,
        thigh_px: dict[str, float],
        yaw_deg: float,
        deepest: float,
    ) -> dict[str, float | None]:
        if not math.isfinite(depth) or depth <= self.standing_depth:  # back up: a new descent
            self._peak = 0.0
            self._sides = {s: _SideTravel() for s in SIDES}
            return dict.fromkeys(SIDES)
        self._peak = max(self._peak, depth)
        peak = max(self._peak, deepest)
        front = math.isfinite(yaw_deg) and yaw_deg <= self.cfg.max_yaw_deg
        out: dict[str, float | None] = dict.fromkeys(SIDES)
        for s in SIDES:
            st, kf = self._sides[s], knee_foot[s]
            if not (front and math.isfinite(kf)):
                continue
            if depth <= self.cfg.early_frac * peak and math.isnan(st.reference):
                st.early.append(kf)
            elif math.isnan(st.reference) and len(st.early) >= self.cfg.min_reference_frames:
                st.reference = float(np.median(st.early))
            if math.isfinite(st.reference) and depth >= self.cfg.deep_frac * peak:
                travel = (kf - st.reference) * hip_width_px / thigh_px[s]
                out[s] = float(travel) if math.isfinite(travel) else None
        return out


@dataclass(frozen=True)
class Cue:
    """A cue on screen: its text, the side that earned it and when it appeared (seconds)."""

    text: str
    side: str
    t_s: float


class CollapseCoach:
    """One cue at a time with a cool-down. `update()` per frame returns the cue to show or None.

    events: EventsConfig (enter_deg, min_duration_s); depth: DepthConfig (enter_tl).
    """

    def __init__(self, events: EventsConfig, depth: DepthConfig):
        self.events, self.depth = events, depth
        self._since: dict[str, float] = dict.fromkeys(SIDES, math.nan)
        self._cue: Cue | None = None
        self._last_t = -math.inf
        self.given: list[Cue] = []

    def faulty(
        self, position: KneePosition, travel_tl: float | None, dynamic_deg: float | None
    ) -> bool:
        """True when one frame of a side shows a collapse by any of the three measures."""
        return (
            position in FAULTS
            or (travel_tl is not None and travel_tl >= self.depth.enter_tl)
            or (dynamic_deg is not None and dynamic_deg >= self.events.enter_deg)
        )

    def update(self, t_s: float, faults: dict[str, bool]) -> Cue | None:
        """Feed one frame: t_s seconds, faults per side (see `faulty`)."""
        for s in SIDES:
            if not faults.get(s):
                self._since[s] = math.nan
            elif math.isnan(self._since[s]):
                self._since[s] = t_s
        if self._cue is not None and t_s - self._cue.t_s > SHOW_S:
            self._cue = None
        held = [s for s in SIDES if t_s - self._since[s] >= self.events.min_duration_s]
        if self._cue is None and held and t_s - self._last_t >= COOLDOWN_S:
            text = CUES[len(self.given) % len(CUES)]
            self._cue = Cue(text, held[0], t_s)
            self._last_t = t_s
            self.given.append(self._cue)
        return self._cue
