"""The state of one live session, frame by frame: `LiveSession.step(t_s, sample) -> HudState`.

Per processed frame: the raw landmarks are kept (for the end-of-session report, which runs
the offline stages on them exactly as `analyze` does), the online body stages run
(body/online.py: causal leg-swap repair, One Euro, window metrics), the set-up check and the
baseline countdown (run/live_setup.py), the online rep counter (movement/reps.RepCounter, the
offline state machine), the at-depth travel and the cue coach (assessment/online.py). The HUD
state it returns is drawn by draw/hud.py. No drawing, no I/O here.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from valguscam.assessment.online import CollapseCoach, Cue, OnlineTravel
from valguscam.body.online import OnlineBody, OnlineFrame
from valguscam.config import Config
from valguscam.draw.hud import HudState
from valguscam.draw.overlay_state import OverlayState, leg_points, live_side_state, target_zones
from valguscam.movement.reps import RepCounter
from valguscam.pose.estimator import PoseSample, TrackBuilder
from valguscam.run.live_setup import BaselineCountdown, LiveBaseline, placement_problems
from valguscam.types import LANDMARK_ARRAYS, KneePosition, PoseTrack

SIDES = ("left", "right")
STAND_STILL = "stand still 2 s for your standing baseline"


class LiveSession:
    """One live session's online stages. cfg: the Config; width, height: frame pixels."""

    def __init__(self, cfg: Config, width: int, height: int):
        self.cfg = cfg
        self.width, self.height = width, height
        self.builder = TrackBuilder(width, height, capacity=1024)
        self.body = OnlineBody(cfg, width, height)
        self.counter = RepCounter(cfg.movement)
        self.travel = OnlineTravel(cfg.depth, cfg.movement.standing_depth)
        self.coach = CollapseCoach(cfg.events, cfg.depth)
        self.countdown = BaselineCountdown(cfg)
        self.counting_from: float | None = None  # session seconds counting started
        self.setup_frames = 0  # frames the set-up screen was shown
        self.problems_seen: set[str] = set()

    @property
    def baseline(self) -> LiveBaseline | None:
        return self.countdown.baseline

    def retake_baseline(self) -> None:
        """The c key: forget the baseline and count down again."""
        self.countdown.restart()
        self.body.set_config(self.cfg)

    def step(self, t_s: float, sample: PoseSample) -> HudState:
        """Feed one processed frame (session seconds, its landmarks in full-frame pixels)."""
        self.builder.add(t_s, sample)
        frame = self.body.update(t_s, {k: getattr(sample, k) for k in LANDMARK_ARRAYS})
        problems = placement_problems(frame, self.width, self.height, self.cfg)
        if problems:
            self.setup_frames += 1
            self.problems_seen.update(problems)
        elif self.counting_from is None:
            self.counting_from = t_s
        had = self.baseline
        left = (
            self.countdown.update(frame, not problems) if self.counting_from is not None else None
        )
        if had is None and self.baseline is not None:
            self._use_baseline(self.baseline)
        if self.counting_from is not None:
            flex = frame.body.flexion_deg[-1]
            self.counter.update(t_s, float(frame.metrics.depth[-1]), flex)
        overlay, cue = self._overlay(frame)
        side = f"{cue.side} knee: " if cue is not None else ""
        return HudState(
            overlay=overlay, problems=problems, countdown_s=left,
            status=self.baseline.text() if self.baseline else STAND_STILL,
            reps=self.counter.count if self.counting_from is not None else None,
            cue=f"{side}{cue.text}" if cue is not None else None,
        )  # fmt: skip

    def _use_baseline(self, base: LiveBaseline) -> None:
        given = {f"{s}_fppa_deg": v for s, v in base.fppa_deg.items() if math.isfinite(v)}
        self.body.set_config(replace(self.cfg, baseline=replace(self.cfg.baseline, **given)))

    def _travel(self, frame: OnlineFrame) -> dict[str, float | None]:
        m = frame.metrics
        deepest = max((r.depth for r in self.counter.reps), default=0.0)
        return self.travel.update(
            float(m.depth[-1]),
            {s: frame.last(s, "knee_foot") for s in SIDES},
            float(m.hip_width_px[-1]),
            {s: m.baseline[s].thigh_px for s in SIDES},
            float(m.yaw_deg[-1]),
            deepest,
        )

    def _overlay(self, frame: OnlineFrame) -> tuple[OverlayState, Cue | None]:
        travel = self._travel(frame)
        m, kf = frame.metrics, self.cfg.knee_foot
        xy = frame.xy[None]  # (1, 33, 2): this frame
        sides, faults = {}, {}
        for s in SIDES:
            other = "right" if s == "left" else "left"
            zone = target_zones(leg_points(xy, s), leg_points(xy, other)[:, 0],
                                kf.lateral_edge_fw, kf.foot_breadth_shank_ratio)[-1]  # fmt: skip
            dyn = float(m.dynamic(s)[-1]) if self.baseline is not None else math.nan
            sides[s] = live_side_state(
                leg_points(xy, s)[0], m.side(s), dyn, travel[s], float(m.yaw_deg[-1]),
                zone, self.cfg.validity,
            )  # fmt: skip
            st = sides[s]
            faults[s] = self.coach.faulty(st.position, st.travel_tl, st.dynamic_deg)
        cue = self.coach.update(frame.t_s, faults) if self.counting_from is not None else None
        rep = self.counter.count + 1 if m.depth[-1] > self.counter.rep_level() else None
        state = OverlayState(
            sides["left"], sides["right"], rep=rep, reps_done=self.counter.count,
        )  # fmt: skip
        return state, cue

    def track(self) -> PoseTrack:
        """The raw landmarks of every processed frame (pixels, session seconds)."""
        return self.builder.build()


def position_counts(states: list[OverlayState]) -> dict[str, dict[str, int]]:
    """Frames per KneePosition name per side among `states` (for tests and summaries)."""
    out: dict[str, dict[str, int]] = {}
    for s in SIDES:
        codes = np.array([int(st.side(s).position) for st in states], int)
        out[s] = {p.name.lower(): int((codes == p).sum()) for p in KneePosition}
    return out
