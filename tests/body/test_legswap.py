"""Leg-swap repair on synthetic tracks with known swaps: exact frames, exact arrays restored."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

try:
    from synthetic import squat_flexion, squat_track
except ImportError:  # tests/ not on sys.path (e.g. run from elsewhere)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from synthetic import squat_flexion, squat_track

from valguscam.body.legswap import SwapRepair, repair_leg_swaps
from valguscam.errors import ConfigError
from valguscam.landmarks import Landmark
from valguscam.types import LANDMARK_ARRAYS, PoseTrack

FPS = 30.0
LEG_PAIRS = [
    (Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE),
    (Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE),
    (Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL),
    (Landmark.LEFT_FOOT_INDEX, Landmark.RIGHT_FOOT_INDEX),
]
HIP_PAIR = (Landmark.LEFT_HIP, Landmark.RIGHT_HIP)


def _person(n: int = 150, seed: int = 0, noise_px: float = 0.0) -> PoseTrack:
    """A person squatting while swaying sideways, the right foot reaching out and back.

    Smooth motion at 30 fps; noise_px: Gaussian pixel noise added to every landmark.
    """
    t = np.arange(n) / FPS
    track = squat_track(t, squat_flexion(t, 70.0, period_s=2.0, rest_s=0.5))
    xy = track.xy.copy()
    xy[..., 0] += 40.0 * np.sin(2 * np.pi * 0.3 * t)[:, None]
    reach = 0.5 * (1 - np.cos(2 * np.pi * t / 3.0))  # 0 -> 1 -> 0 over 3 s
    for index, gain in (
        (Landmark.RIGHT_KNEE, 30.0),
        (Landmark.RIGHT_ANKLE, 70.0),
        (Landmark.RIGHT_HEEL, 70.0),
        (Landmark.RIGHT_FOOT_INDEX, 75.0),
    ):
        xy[:, index, 0] -= gain * reach
        xy[:, index, 1] -= 0.3 * gain * reach
    xy += np.random.default_rng(seed).normal(0.0, noise_px, xy.shape) if noise_px else 0.0
    ramp = 0.01 * np.arange(33)  # different per landmark, so a swap shows in every array
    return track.with_(
        xy=xy,
        z=track.z + ramp,
        visibility=np.tile(0.6 + ramp, (n, 1)),
        presence=np.tile(0.5 + ramp, (n, 1)),
    )


def _swap(track: PoseTrack, frames, hips: bool = False) -> PoseTrack:
    """Exchange left/right leg labels (and hips) in `frames` in every landmark array."""
    pairs = LEG_PAIRS + ([HIP_PAIR] if hips else [])
    rows = np.arange(track.n_frames)[frames]
    changes = {}
    for name in LANDMARK_ARRAYS:
        a = getattr(track, name).copy()
        for left, right in pairs:
            a[rows, left], a[rows, right] = a[rows, right].copy(), a[rows, left].copy()
        changes[name] = a
    return track.with_(**changes)


def _blank(track: PoseTrack, frames) -> PoseTrack:
    """No person in `frames`: every landmark array NaN there."""
    changes = {}
    for name in LANDMARK_ARRAYS:
        a = getattr(track, name).copy()
        a[frames] = np.nan
        changes[name] = a
    return track.with_(**changes)


def _mask(n: int, *spans: tuple[int, int]) -> np.ndarray:
    out = np.zeros(n, bool)
    for start, stop in spans:
        out[start:stop] = True
    return out


def _assert_same_arrays(a: PoseTrack, b: PoseTrack) -> None:
    for name in ("t_s", *LANDMARK_ARRAYS):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def _check_repair(truth: PoseTrack, broken: PoseTrack, swapped: np.ndarray) -> SwapRepair:
    """Repair `broken`; assert exactly `swapped` was found, truth restored, input untouched."""
    before = {k: v.copy() for k, v in broken.arrays.items()}
    result = repair_leg_swaps(broken)
    np.testing.assert_array_equal(np.flatnonzero(result.swapped), np.flatnonzero(swapped))
    assert result.n_swapped == int(swapped.sum())
    _assert_same_arrays(result.track, truth)
    for name, array in before.items():
        np.testing.assert_array_equal(getattr(broken, name), array, err_msg=f"input {name}")
    return result


def test_clean_track_is_untouched():
    track = _person()
    result = repair_leg_swaps(track)
    assert result.n_swapped == 0
    assert not result.swapped.any() and not result.hips_swapped.any()
    assert result.swapped.shape == result.hips_swapped.shape == (track.n_frames,)
    _assert_same_arrays(result.track, _person())


@pytest.mark.parametrize("start, length", [(60, 5), (70, 10), (40, 15), (100, 1)])
def test_swap_in_the_middle_is_found_exactly_and_repaired(start, length):
    truth = _person()
    frames = _mask(truth.n_frames, (start, start + length))
    result = _check_repair(truth, _swap(truth, frames), frames)
    assert not result.hips_swapped.any()  # the hips did not jump: they stay


def test_swap_with_the_hips_repairs_the_hips_too():
    truth = _person()
    frames = _mask(truth.n_frames, (50, 62))
    result = _check_repair(truth, _swap(truth, frames, hips=True), frames)
    np.testing.assert_array_equal(result.hips_swapped, frames)


def test_swap_at_the_very_start():
    truth = _person()
    frames = _mask(truth.n_frames, (0, 9))
    _check_repair(truth, _swap(truth, frames), frames)


def test_swap_at_the_very_end():
    truth = _person()
    frames = _mask(truth.n_frames, (140, 150))
    _check_repair(truth, _swap(truth, frames), frames)


def test_two_swap_segments():
    truth = _person()
    frames = _mask(truth.n_frames, (20, 32), (90, 97))
    broken = _swap(_swap(truth, _mask(150, (20, 32))), _mask(150, (90, 97)), hips=True)
    result = _check_repair(truth, broken, frames)
    np.testing.assert_array_equal(result.hips_swapped, _mask(150, (90, 97)))


@pytest.mark.parametrize("seed", range(5))
def test_noise_causes_no_false_swaps(seed):
    track = _person(n=300, seed=seed, noise_px=3.0)
    result = repair_leg_swaps(track)
    assert result.n_swapped == 0
    assert result.track is track


@pytest.mark.parametrize("seed", range(3))
def test_noisy_swap_is_found_exactly(seed):
    truth = _person(seed=seed, noise_px=3.0)
    frames = _mask(truth.n_frames, (77, 88))
    _check_repair(truth, _swap(truth, frames), frames)


def test_gap_inside_a_swap_is_bridged():
    truth = _blank(_person(), slice(55, 65))  # no person for 10 frames (0.33 s)
    frames = _mask(truth.n_frames, (48, 55), (65, 72))  # the swap has data here only
    _check_repair(truth, _swap(truth, _mask(150, (48, 72))), frames)


@pytest.mark.parametrize("span", [(60, 80), (40, 62)])
def test_swap_starting_or_ending_in_a_gap(span):
    truth = _blank(_person(), slice(55, 65))
    frames = _mask(truth.n_frames, span) & truth.has_pose
    _check_repair(truth, _swap(truth, frames), frames)


def test_swap_right_after_a_long_gap():
    truth = _blank(_person(n=240), slice(60, 120))  # 2 s without a person
    # after the gap the person comes back with swapped legs for 10 frames
    frames = _mask(truth.n_frames, (120, 130))
    _check_repair(truth, _swap(truth, frames), frames)


def _turned(gap: slice) -> PoseTrack:
    """A person standing still, out of view in `gap`, then mirrored about the hip centre from
    frame 120: turned to face away, so the subject's left is on the image left."""
    t = np.arange(200) / FPS
    track = _blank(squat_track(t, np.zeros(200)), gap)
    xy = track.xy.copy()
    hips_x = xy[120:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 0].mean(axis=1, keepdims=True)
    xy[120:, :, 0] = 2 * hips_x - xy[120:, :, 0]
    return track.with_(xy=xy)


def test_long_gap_resets_continuity():
    # turned during 2 s out of view: the old positions match the new ones crossed, but after
    # a gap that long they must not claim a label jump
    assert repair_leg_swaps(_turned(slice(60, 120))).n_swapped == 0
    # within 0.33 s nobody turns around: that is a label jump (legs and hips), repaired
    result = repair_leg_swaps(_turned(slice(110, 120)))
    np.testing.assert_array_equal(result.swapped, _mask(200, (120, 200)))
    np.testing.assert_array_equal(result.hips_swapped, result.swapped)


def test_garbled_exit_is_settled_by_the_order_prior():
    # a swap ends through 4 frames where both legs are reported at the same place: continuity
    # cannot tell where it ended; the majority order must end it there, not at the clip's end
    truth = _person()
    broken = _swap(truth, _mask(150, (100, 120)))
    xy = broken.xy.copy()
    for left, right in LEG_PAIRS:
        xy[116:120, left] = xy[116:120, right] = xy[116:120, [left, right]].mean(axis=1)
    result = repair_leg_swaps(broken.with_(xy=xy))
    np.testing.assert_array_equal(result.swapped[:116], _mask(150, (100, 116))[:116])
    assert not result.swapped[120:].any()


def _side_lunge(n: int = 120) -> PoseTrack:
    """A split squat seen from the side: left foot forward, the hips (almost) on top of each
    other, so left/right order says nothing and only continuity and the prior decide."""
    t = np.arange(n) / FPS
    track = _person(n)
    depth = track.z.copy()  # metres, nearer = smaller
    for left, right in LEG_PAIRS:
        depth[:, left] -= 0.35
        depth[:, right] += 0.35
    xy = track.xy.copy()
    xy[..., 0] = 320.0 - 400.0 * depth + 20.0 * np.sin(2 * np.pi * 0.4 * t)[:, None]
    xy[:, Landmark.LEFT_HIP, 0] += 2.0
    return track.with_(xy=xy)


@pytest.mark.parametrize("span", [(0, 10), (50, 58), (110, 120)])
def test_side_view_swaps_are_found_by_continuity_and_prior(span):
    truth = _side_lunge()
    assert repair_leg_swaps(truth).n_swapped == 0
    frames = _mask(truth.n_frames, span)
    _check_repair(truth, _swap(truth, frames), frames)


def test_all_nan_and_tiny_tracks_are_returned_as_they_are():
    empty = PoseTrack.empty(np.arange(20) / FPS, 640, 480)
    for track in (empty, _person().select(slice(0, 1)), _person().select(slice(0, 0))):
        result = repair_leg_swaps(track)
        assert result.n_swapped == 0 and result.swapped.shape == (track.n_frames,)


def test_legs_crossed_in_the_whole_clip_are_not_reordered():
    # left knee/ankle on the image left (below the right hip) the whole time: continuity says
    # the labels are consistent, so the hips' order must not be forced on them
    crossed = _swap(_person(noise_px=2.0), slice(None))
    result = repair_leg_swaps(crossed)
    assert result.n_swapped == 0


def test_swap_inside_a_crossed_clip_restores_the_crossed_order():
    truth = _swap(_person(), slice(None))
    frames = _mask(truth.n_frames, (30, 42))
    _check_repair(truth, _swap(truth, frames), frames)


def test_a_smooth_crossing_held_for_seconds_keeps_its_labels():
    # curtsy-like: the left foot slides behind and across to the image left for ~2 s of 5 s
    track = _person(n=150)
    t = track.t_s
    across = np.clip(np.minimum(t - 1.5, 4.0 - t) / 0.4, 0.0, 1.0)  # ramps 0.4 s, hold 1.7 s
    across = across * across * (3 - 2 * across)  # smooth step
    xy = track.xy.copy()
    for index, shift in (
        (Landmark.LEFT_KNEE, 90.0),
        (Landmark.LEFT_ANKLE, 200.0),
        (Landmark.LEFT_HEEL, 200.0),
        (Landmark.LEFT_FOOT_INDEX, 200.0),
    ):
        xy[:, index, 0] -= shift * across
        xy[:, index, 1] -= 0.4 * shift * across  # behind: higher in the image
    track = track.with_(xy=xy)
    left_ankle_x, right_ankle_x = xy[:, Landmark.LEFT_ANKLE, 0], xy[:, Landmark.RIGHT_ANKLE, 0]
    assert (left_ankle_x < right_ankle_x).sum() > 55  # really crossed, > 1.8 s
    assert repair_leg_swaps(track).n_swapped == 0


def test_variable_frame_rate_and_scale_do_not_matter():
    truth = _person()
    rng = np.random.default_rng(3)
    t_s = np.cumsum(rng.uniform(0.02, 0.05, truth.n_frames))
    small = truth.with_(t_s=t_s, xy=truth.xy * 0.25)  # a person 4x farther away
    frames = _mask(truth.n_frames, (64, 75))
    _check_repair(small, _swap(small, frames), frames)


def test_bad_parameters_raise_config_error():
    track = _person(n=10)
    for kwargs in ({"max_cost_ratio": 0.0}, {"max_cost_ratio": 1.5}, {"noise_floor": 0.0}):
        with pytest.raises(ConfigError):
            repair_leg_swaps(track, **kwargs)
    with pytest.raises(ConfigError):
        repair_leg_swaps(track, max_gap_s=-1.0)


def test_fast_on_a_1000_frame_track():
    truth = _person(n=1000, noise_px=2.0)
    broken = _swap(truth, _mask(1000, (300, 310), (700, 715)))
    repair_leg_swaps(broken)
    best = min(_timed(broken) for _ in range(5))
    assert best < 0.05, f"{best * 1e3:.1f} ms for 1000 frames"


def _timed(track: PoseTrack) -> float:
    start = time.perf_counter()
    repair_leg_swaps(track)
    return time.perf_counter() - start


_TRUTH = _person(n=120)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 119), st.integers(1, 20), st.booleans()),
        min_size=1,
        max_size=3,
    )
)
def test_random_swap_segments_are_found_exactly(segments):
    frames = np.zeros(120, bool)
    broken = _TRUTH
    for start, length, hips in segments:
        span = _mask(120, (start, min(start + length, 120)))
        if (span & (frames | np.roll(frames, 1) | np.roll(frames, -1))).any():
            continue  # keep segments apart: overlapping ones would cancel
        frames |= span
        broken = _swap(broken, span, hips=hips)
    _check_repair(_TRUTH, broken, frames)
