"""The standing baseline (body/baseline.py) on hand-built per-frame arrays."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from valguscam.body.baseline import standing_baseline
from valguscam.config import BaselineConfig
from valguscam.types import BaselineSource

CFG = BaselineConfig()
T = np.arange(90) / 30.0  # 3 s at 30 fps


def _masks(n_standing: int, n_still: int):
    standing = np.zeros(len(T), bool)
    standing[:n_standing] = True
    still = np.zeros(len(T), bool)
    still[:n_still] = True
    return standing, still


def test_still_standing_frames_give_a_reliable_baseline_with_its_spread():
    fppa = np.where(T < 1.0, 2.0 + 0.5 * np.sin(T * 20), 30.0)  # squatting after 1 s
    standing, still = _masks(30, 30)
    base = standing_baseline(fppa, np.ones(len(T), bool), standing, still, T, CFG)
    assert base.source is BaselineSource.STILL and base.reliable
    assert base.fppa_deg == pytest.approx(2.0, abs=0.3)
    assert 0 < base.spread_deg < 1.0
    assert base.duration_s == pytest.approx(1.0)


def test_standing_only_while_moving_is_unreliable_and_never_structural():
    fppa = np.full(len(T), 15.0)  # beyond the structural limit
    standing, still = _masks(10, 3)  # 0.1 s still: too short
    base = standing_baseline(fppa, np.ones(len(T), bool), standing, still, T, CFG)
    assert base.source is BaselineSource.MOVING and not base.reliable
    assert base.fppa_deg == 15.0 and not base.structural


def test_a_wide_spread_makes_the_baseline_unreliable():
    fppa = np.where(np.arange(len(T)) % 2 == 0, -5.0, 5.0)
    standing, still = _masks(60, 60)
    base = standing_baseline(fppa, np.ones(len(T), bool), standing, still, T, CFG)
    assert base.source is BaselineSource.STILL and base.spread_deg == 10.0
    assert not base.reliable


def test_no_standing_frames_leave_it_unknown():
    standing, still = _masks(2, 2)
    base = standing_baseline(np.zeros(len(T)), np.ones(len(T), bool), standing, still, T, CFG)
    assert np.isnan(base.fppa_deg) and base.source is BaselineSource.NONE


def test_a_named_stretch_and_a_value_from_another_clip_replace_the_search():
    fppa = np.where(T < 1.0, 12.0, 3.0)
    standing, still = _masks(30, 30)
    named = dataclasses.replace(CFG, start_s=1.5, end_s=2.5)
    base = standing_baseline(fppa, np.ones(len(T), bool), standing, still, T, named)
    assert base.source is BaselineSource.GIVEN and base.fppa_deg == 3.0 and base.reliable
    given = standing_baseline(fppa, np.ones(len(T), bool), standing, still, T, CFG, -11.0)
    assert given.fppa_deg == -11.0 and given.structural and given.source is BaselineSource.GIVEN
