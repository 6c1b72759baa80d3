"""Per-frame metrics, baseline and validity on synthetic squats with known geometry."""

from __future__ import annotations

import math

import numpy as np
import pytest
from synthetic import SHANK_M, squat_flexion, squat_track

from valguscam.assessment.verdicts import summarize_side
from valguscam.body.knee import compute_metrics
from valguscam.config import Config
from valguscam.landmarks import Side

T = np.arange(0, 5.0, 1 / 30)
CFG = Config()


def metrics_of(track):
    return compute_metrics(track, track.visibility, CFG)


def test_clean_symmetric_squat_reads_zero_fppa_on_both_sides():
    m = metrics_of(squat_track(T, squat_flexion(T, 60)))
    for side in ("left", "right"):
        s = m.side(side)
        assert s.valid.sum() > 0.9 * len(T)
        np.testing.assert_allclose(s.fppa_deg[s.valid], 0.0, atol=1e-6)
        assert m.baseline[side].fppa_deg == pytest.approx(0.0, abs=1e-6)
        assert not m.baseline[side].structural
    assert np.all(m.yaw_deg < Config().validity.max_yaw_deg)  # the fused yaw: frontal


def test_medial_left_knee_gives_positive_left_fppa_only():
    flex = squat_flexion(T, 60)
    medial = {Side.LEFT: 0.04 * flex / 60}  # 4 cm medial at the bottom
    m = metrics_of(squat_track(T, flex, medial))
    bottom = int(np.argmax(flex))
    expected = math.degrees(math.atan(0.04 / (SHANK_M * math.cos(math.radians(30)))) * 2)
    assert m.left.fppa_deg[bottom] == pytest.approx(expected, rel=0.02)
    assert m.right.fppa_deg[bottom] == pytest.approx(0.0, abs=1e-6)
    assert m.left.knee_foot[bottom] > m.left.knee_foot[0] + 0.15  # moved medially (hip widths)
    summary = summarize_side(m, "left")
    assert summary.peak_time_s == pytest.approx(T[bottom], abs=0.05)
    assert abs(m.baseline["left"].fppa_deg) < 0.5  # standing frames: knee barely moved yet
    assert summary.peak_dynamic_fppa_deg == pytest.approx(
        expected - m.baseline["left"].fppa_deg, abs=0.02
    )


def test_deep_front_squat_bottom_is_marked_invalid():
    flex = squat_flexion(T, 120)
    m = metrics_of(squat_track(T, flex))
    deep = flex > 100
    assert deep.any()
    assert not m.left.valid[deep].any() and not m.right.valid[deep].any()
    assert m.left.valid[flex < 40].all()
    assert m.left.thigh_ratio[np.argmax(flex)] == pytest.approx(
        math.cos(math.radians(60)), abs=0.01
    )


def test_constant_medial_knee_is_structural_not_dynamic():
    flex = squat_flexion(T, 50)
    medial = {Side.RIGHT: np.full(len(T), 0.09)}
    m = metrics_of(squat_track(T, flex, medial))
    assert m.baseline["right"].fppa_deg > CFG.baseline.structural_fppa_deg
    assert m.baseline["right"].structural
    assert not m.baseline["left"].structural
    assert np.nanmax(np.abs(m.dynamic("right")[m.right.valid])) < 6.0


def test_low_visibility_and_side_view_are_invalid():
    track = squat_track(T, squat_flexion(T, 50), visibility=0.3)
    assert not metrics_of(track).left.valid.any()
    side = squat_track(T, squat_flexion(T, 50))
    w = side.world.copy()
    w[..., 0], w[..., 2] = side.world[..., 2], side.world[..., 0]  # turn the body 90 deg
    m = metrics_of(side.with_(world=w))
    assert np.nanmin(m.yaw_deg) > CFG.validity.max_yaw_deg  # fused 2D + world yaw
    assert not m.left.valid.any()
    assert not summarize_side(m, "left").assessable


def test_knee_position_classes_follow_the_knee():
    flex = squat_flexion(T, 60)
    medial = {Side.LEFT: 0.10 * flex / 60}
    m = metrics_of(squat_track(T, flex, medial))
    bottom = int(np.argmax(flex))
    assert m.left.knee_position[bottom] == 0  # inside
    assert m.left.knee_position[0] == -1  # standing: not placed over the foot
    assert m.right.knee_position[bottom] == 1  # straight right leg tracks over the toes
