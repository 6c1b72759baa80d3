"""The knee's travel over the foot at depth (assessment/depth.py) on hand-built tracks."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic import THIGH_M
from synthetic_events import add_noise, deep_squat_artefact, drop_frames, session

from valguscam.assessment.depth import depth_events, depth_excursion, rep_excursion
from valguscam.assessment.verdicts import assess
from valguscam.body.knee import compute_metrics
from valguscam.config import Config
from valguscam.landmarks import Side

CFG = Config()


def metrics_of(track):
    return compute_metrics(track, track.visibility, CFG)


def events_of(m, side, reps):
    exc = depth_excursion(m, side, reps, m.hip_width_px, CFG.depth)
    return depth_events(m, side, reps, exc, CFG.depth, CFG.events), exc


def test_excursion_is_zero_for_a_clean_deep_squat_and_nothing_fires():
    track, reps, _ = session(depth_deg=120.0)
    m = metrics_of(track)
    for side in ("left", "right"):
        found, exc = events_of(m, side, reps)
        assert found == []
        assert exc.at_depth.sum() > 30
        np.testing.assert_allclose(exc.excursion_tl[exc.at_depth], 0.0, atol=1e-6)


@pytest.mark.parametrize("side", [Side.LEFT, Side.RIGHT])
def test_a_collapse_at_depth_is_one_event_per_rep_on_its_side_only(side):
    # 9 cm medial at the bottom = 0.2 thigh lengths; FPPA is invalid there (120 deg flexion)
    track, reps, _ = session(depth_deg=120.0, medial_m={side: 0.09})
    m = metrics_of(track)
    found, exc = events_of(m, side.value, reps)
    assert [e.rep for e in found] == [0, 1, 2]
    assert all(e.measure == "knee_over_foot" for e in found)
    # the early-descent reference already holds part of the shift (it grows with flexion)
    assert all(0.7 * 0.09 / THIGH_M < e.peak_excursion_tl <= 0.09 / THIGH_M for e in found)
    assert rep_excursion(exc, reps[0]) > CFG.depth.enter_tl
    other, _ = events_of(m, side.other.value, reps)
    assert other == []
    result = assess(m, reps, "frontal", "bilateral_squat", CFG.events, CFG.depth)
    assert result.sides[side.value].verdict == "valgus"
    assert "knee_over_foot" in result.sides[side.value].valgus_measures
    assert result.sides[side.other.value].verdict == "ok"


def test_a_travel_within_the_measurement_error_is_not_an_event():
    track, reps, _ = session(depth_deg=120.0, medial_m={Side.LEFT: 0.03})  # 0.07 thigh lengths
    found, _ = events_of(metrics_of(track), "left", reps)
    assert found == []


def test_knees_pushed_out_at_depth_give_no_event():
    track, reps, flex = session(depth_deg=120.0)
    m = metrics_of(deep_squat_artefact(track, flex, 40.0))
    for side in ("left", "right"):
        assert events_of(m, side, reps)[0] == []


def test_a_medial_shift_at_depth_alone_is_found_where_fppa_is_blind():
    track, reps, flex = session(depth_deg=120.0)
    m = metrics_of(deep_squat_artefact(track, flex, -40.0))
    result = assess(m, reps, "frontal", "bilateral_squat", CFG.events, CFG.depth)
    assert {e.measure for e in result.events} == {"knee_over_foot"}
    assert sorted((e.side, e.rep) for e in result.events) == sorted(
        (s, r) for s in ("left", "right") for r in (0, 1, 2)
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_noise_and_short_dropouts_neither_create_nor_split_events(seed):
    track, reps, _ = session(depth_deg=120.0, medial_m={Side.RIGHT: 0.09})
    noisy = add_noise(track, 1.5, seed)
    bottom = reps[1].i_bottom
    noisy = drop_frames(noisy, np.arange(bottom - 2, bottom + 2))
    m = metrics_of(noisy)
    right, _ = events_of(m, "right", reps)
    left, _ = events_of(m, "left", reps)
    assert [e.rep for e in right] == [0, 1, 2]
    assert left == []


def test_one_collapse_seen_by_both_measures_is_one_event():
    track, reps, _ = session(depth_deg=75.0, medial_m={Side.LEFT: 0.09})
    m = metrics_of(track)
    result = assess(m, reps, "frontal", "bilateral_squat", CFG.events, CFG.depth)
    left = [e for e in result.events if e.side == "left"]
    assert [e.rep for e in left] == [0, 1, 2]


def test_no_verdict_without_a_recognised_movement():
    track, reps, _ = session(depth_deg=75.0, medial_m={Side.LEFT: 0.09})
    m = metrics_of(track)
    for exercise, given in (("unknown", reps), ("bilateral_squat", [])):
        result = assess(m, given, "frontal", exercise, CFG.events, CFG.depth)
        assert result.events == ()
        for side in result.sides.values():
            assert side.verdict == "not_assessable" and "no squat or lunge" in side.reason
            assert not side.structural
