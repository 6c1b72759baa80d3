"""The live body stages: the window's ring of rows, the causal low-pass, and frame values that
are computed once, by the offline definitions, from the frames so far."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from valguscam.body.measures import depth_signal
from valguscam.body.online import OnlineBody, _Ring
from valguscam.body.smoothing import CausalLowpass, _butter_sos
from valguscam.config import Config
from valguscam.types import LANDMARK_ARRAYS


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.just(None), st.integers(0, 6)), max_size=300))
def test_ring_holds_the_last_rows_in_order(ops):
    """Appends (None) and drops of the oldest rows (n): the ring reads as a list would."""
    ring, model, t = _Ring({"t": (), "v": (2,)}, rows=4), [], 0.0
    for op in ops:
        if op is None:
            t += 1.0
            ring.append({"t": t, "v": [t, -t]})
            model.append(t)
        else:
            cut = model[min(op, len(model) - 1)] if model else 0.0
            ring.drop_before(cut)
            model = [x for x in model if x >= cut]
        assert ring["t"].tolist() == model
        assert ring["v"][:, 1].tolist() == [-x for x in model]


def test_causal_lowpass_is_the_butterworth_run_forward():
    t = np.arange(120) / 30.0
    x = np.sin(2 * np.pi * 0.5 * t) + 0.1 * np.sin(2 * np.pi * 9 * t)
    f = CausalLowpass(4.0)
    out = np.array([f.update(v, ti)[0] for v, ti in zip(x, t, strict=True)])
    sos = _butter_sos(2, round(4.0 / 15.0, 2))
    expected = signal.sosfilt(sos, x[1:], zi=signal.sosfilt_zi(sos) * x[1])[0]
    np.testing.assert_allclose(out[1:], expected, atol=1e-12)
    assert np.std(out[60:] - np.sin(2 * np.pi * 0.5 * (t[60:] - 0.056))) < 0.03  # 56 ms late


def test_causal_lowpass_restarts_after_a_gap():
    f = CausalLowpass(4.0)
    for k in range(10):
        f.update(1.0, k / 30)
    assert np.isnan(f.update(np.nan, 10 / 30)[0])
    assert f.update(5.0, 11 / 30)[0] == pytest.approx(5.0)  # starts at rest on the new value


def test_frames_keep_their_values_and_follow_the_offline_depth(clip_track):
    raw = clip_track("sample:squats.mp4")
    body = OnlineBody(Config(), raw.width, raw.height)
    live, first = [], {}
    for i in range(raw.n_frames):
        frame = body.update(float(raw.t_s[i]), {k: getattr(raw, k)[i] for k in LANDMARK_ARRAYS})
        live.append(float(frame.metrics.depth[-1]))
        first.setdefault(i, live[-1])
        assert frame.recent_depth[-1] == live[-1] or np.isnan(live[-1])
        assert np.allclose(frame.recent_depth, live[-len(frame.recent_depth) :], equal_nan=True)
    offline = depth_signal(raw)
    both = np.isfinite(live) & np.isfinite(offline)
    assert both.mean() > 0.8
    lag = int(round(0.056 * 30))  # the causal filter is ~56 ms late
    err = np.abs(np.array(live)[both][lag:] - offline[both][:-lag])
    assert np.median(err) < 0.03 and np.percentile(err, 95) < 0.1, np.percentile(err, [50, 95])
