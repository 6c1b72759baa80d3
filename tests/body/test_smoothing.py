"""Track clean-up: gap filling, zero-phase low-pass, visibility masking, One Euro filter."""

from __future__ import annotations

import numpy as np
import pytest

from valguscam.body.smoothing import (
    OneEuroFilter,
    clean_track,
    fill_gaps,
    lowpass,
    mask_low_visibility,
)
from valguscam.config import SmoothingConfig
from valguscam.types import PoseTrack

T30 = np.arange(90) / 30.0


def test_fill_gaps_fills_short_interior_gaps_only():
    x = np.arange(90, dtype=float)
    x[10:13] = np.nan  # 0.13 s between valid neighbours
    x[40:60] = np.nan  # 0.7 s
    x[:2] = np.nan  # leading
    out = fill_gaps(x, T30, max_gap_s=0.25)
    np.testing.assert_allclose(out[10:13], [10, 11, 12])
    assert np.isnan(out[40:60]).all()
    assert np.isnan(out[:2]).all()
    assert np.isnan(x[10])  # input untouched


def test_fill_gaps_uses_timestamps_not_indices():
    t = np.array([0.0, 0.1, 0.2, 0.4])  # variable frame rate
    x = np.array([0.0, np.nan, np.nan, 4.0])
    np.testing.assert_allclose(fill_gaps(x, t, 0.5), [0.0, 1.0, 2.0, 4.0])


def test_lowpass_keeps_slow_motion_and_removes_jitter():
    slow = 50 * np.sin(2 * np.pi * 0.5 * T30)  # a 2 s squat cycle
    jitter = 3 * np.sin(2 * np.pi * 14 * T30)
    out = lowpass(slow + jitter, T30, cutoff_hz=6.0)
    core = slice(10, -10)
    assert np.max(np.abs(out[core] - slow[core])) < 0.6
    assert np.max(np.abs((slow + jitter)[core] - slow[core])) > 2.5


def test_lowpass_has_zero_phase():
    slow = np.sin(2 * np.pi * 1.0 * T30)
    out = lowpass(slow, T30, cutoff_hz=6.0)
    assert np.argmax(out[:30]) == np.argmax(slow[:30])


def test_lowpass_filters_runs_separately_and_keeps_nan():
    x = np.ones(90)
    x[45] = np.nan
    out = lowpass(x, T30, 6.0)
    assert np.isnan(out[45])
    np.testing.assert_allclose(out[np.isfinite(out)], 1.0, atol=1e-9)


def _track(n: int = 90) -> PoseTrack:
    rng = np.random.default_rng(0)
    t = np.arange(n) / 30.0
    xy = 100 + rng.normal(0, 2, (n, 33, 2))
    vis = np.full((n, 33), 0.9)
    vis[5, 25] = 0.2
    return PoseTrack(
        t, xy, np.zeros((n, 33)), vis, np.ones((n, 33)), np.zeros((n, 33, 3)), 640, 480
    )


def test_mask_low_visibility():
    track = mask_low_visibility(_track(), 0.5)
    assert np.isnan(track.xy[5, 25]).all()
    assert np.isfinite(track.xy[5, 24]).all()


def test_clean_track_fills_masked_landmark_and_reduces_noise():
    raw = _track()
    clean = clean_track(raw, SmoothingConfig())
    assert np.isfinite(clean.xy[5, 25]).all()
    assert np.std(clean.xy[10:-10, :, 0]) < 0.6 * np.std(raw.xy[10:-10, :, 0])
    assert clean.xy.shape == raw.xy.shape


def test_one_euro_converges_and_is_causal():
    f = OneEuroFilter(min_cutoff_hz=1.5, beta=0.0)
    out = [f.update(np.array([0.0 if i < 30 else 10.0]), i / 30.0)[0] for i in range(120)]
    assert out[29] == pytest.approx(0.0)
    assert 0.0 < out[31] < 10.0  # lags a step, never jumps ahead
    assert out[-1] == pytest.approx(10.0, abs=0.05)


def test_one_euro_reduces_jitter_at_rest():
    rng = np.random.default_rng(1)
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0)
    noisy = rng.normal(0, 1, 300)
    out = np.array([f.update(np.array([v]), i / 30.0)[0] for i, v in enumerate(noisy)])
    assert np.std(out[30:]) < 0.5 * np.std(noisy[30:])
