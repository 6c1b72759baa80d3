"""Live and offline mean the same by every number: the online stages (causal leg-swap repair,
One Euro, window metrics, online rep counter) fed every frame of a real track agree with
`analyze`'s offline stages (zero-phase filters, whole-clip measures) on the same frames."""

from __future__ import annotations

import numpy as np

from valguscam.config import Config
from valguscam.pose.estimator import PoseSample
from valguscam.run.analyze import post_process
from valguscam.run.live_session import LiveSession
from valguscam.types import LANDMARK_ARRAYS, KneePosition


def test_live_agrees_with_offline_on_every_frame(clip_track):
    raw = clip_track("sample:squats.mp4")
    _, metrics, findings = post_process(raw, Config(), "auto")
    session = LiveSession(Config(), raw.width, raw.height)
    states = []
    for i in range(raw.n_frames):
        sample = PoseSample(**{k: getattr(raw, k)[i] for k in LANDMARK_ARRAYS})
        states.append(session.step(float(raw.t_s[i]), sample).overlay)
    session.counter.finish()
    assert session.counter.count == len(findings.reps) >= 4  # the same reps
    for side in ("left", "right"):
        live = np.array([int(st.side(side).position) for st in states])
        offline = metrics.side(side).knee_position
        both = (live != KneePosition.UNKNOWN) & (offline != KneePosition.UNKNOWN)
        assert both.sum() > 0.3 * raw.n_frames
        assert (live[both] == offline[both]).mean() > 0.8  # the same knee-over-foot classes
        fppa = np.array([np.nan if st.side(side).fppa_deg is None else st.side(side).fppa_deg
                         for st in states])  # fmt: skip
        valid = np.isfinite(fppa) & metrics.side(side).valid
        assert valid.sum() > 0.2 * raw.n_frames
        assert np.median(np.abs(fppa[valid] - metrics.side(side).fppa_deg[valid])) < 2.0
