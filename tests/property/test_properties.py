"""Property tests (hypothesis) of the pure stages on random tracks and signals with NaNs, jumps
and extreme values: no exception, outputs in range, and the symmetries the definitions promise
(FPPA is invariant to mirroring, translation and scale; a mirrored subject swaps left and
right). Bounded: a few dozen examples each, no deadline (2 shared cores)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from synthetic import squat_flexion, squat_track

from valguscam.body.geometry import fppa_deg
from valguscam.body.legswap import repair_leg_swaps
from valguscam.body.smoothing import fill_gaps, lowpass
from valguscam.config import Config, MovementConfig
from valguscam.landmarks import Landmark
from valguscam.movement.reps import segment_reps
from valguscam.run.analyze import post_process
from valguscam.types import PoseTrack

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

coord = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
point = st.tuples(coord, coord).map(np.array)
wild = st.one_of(st.just(float("nan")), st.floats(-1e9, 1e9), st.sampled_from([0.0, 1e9, -1e9]))

_PAIRS = [(Landmark[n].value, Landmark[n.replace("LEFT", "RIGHT")].value)
          for n in Landmark.__members__ if n.startswith("LEFT")]  # fmt: skip
_PAIRS += [(Landmark.MOUTH_LEFT.value, Landmark.MOUTH_RIGHT.value)]
MIRROR = np.arange(33)
for a, b in _PAIRS:
    MIRROR[a], MIRROR[b] = b, a


def mirrored(track: PoseTrack) -> PoseTrack:
    """The same subject seen in a mirror: x flipped, left and right landmarks exchanged."""
    xy = track.xy[:, MIRROR].copy()
    xy[..., 0] = track.width - xy[..., 0]
    world = track.world[:, MIRROR].copy()
    world[..., 0] *= -1
    return track.with_(
        xy=xy,
        world=world,
        z=track.z[:, MIRROR],
        visibility=track.visibility[:, MIRROR],
        presence=track.presence[:, MIRROR],
    )


# -- FPPA -------------------------------------------------------------------------------------


@SETTINGS
@given(point, point, point, point, point, st.floats(0.01, 100))
def test_fppa_in_range_and_invariant(hip, knee, ankle, other, shift, scale):
    lengths = [np.linalg.norm(b - a) for a, b in ((hip, knee), (knee, ankle), (hip, other))]
    assume(min(lengths) > 1.0)  # a leg, not coincident points (those give NaN, tested below)
    with np.errstate(invalid="ignore"):
        angle = fppa_deg(hip, knee, ankle, other)
        assume(np.isfinite(angle))
        assert -180.0 <= angle <= 180.0
        moved = fppa_deg(*(scale * p + shift for p in (hip, knee, ankle, other)))
        flip = np.array([-1.0, 1.0])
        mirror = fppa_deg(*(p * flip for p in (hip, knee, ankle, other)))
    for other_angle in (moved, mirror):
        # near-collinear legs sit on the sign boundary: compare magnitudes there
        if abs(angle) > 1e-3:
            assert np.isclose(other_angle, angle, atol=1e-6 * max(1.0, abs(angle)))


@SETTINGS
@given(arrays(float, (20, 4, 2), elements=wild))
def test_fppa_never_raises_on_nan_and_huge_values(points):
    with np.errstate(all="ignore"):
        angles = fppa_deg(points[:, 0], points[:, 1], points[:, 2], points[:, 3])
    assert angles.shape == (20,)
    finite = angles[np.isfinite(angles)]
    assert np.all(np.abs(finite) <= 180.0)


# -- smoothing --------------------------------------------------------------------------------

signals = arrays(float, st.integers(1, 200), elements=wild)


@SETTINGS
@given(signals, st.floats(0.0, 2.0))
def test_fill_gaps_keeps_samples_and_fills_only_inside(x, max_gap_s):
    t = np.arange(len(x)) / 30.0
    filled = fill_gaps(x, t, max_gap_s)
    seen = np.isfinite(x)
    assert np.array_equal(filled[seen], x[seen])  # measured samples are never changed
    if seen.any():
        first, last = np.flatnonzero(seen)[[0, -1]]
        assert np.isnan(filled[:first]).all() and np.isnan(filled[last + 1 :]).all()
        inside = filled[first : last + 1]
        ok = np.isfinite(inside)
        assert np.all(inside[ok] >= x[seen].min()) and np.all(inside[ok] <= x[seen].max())


@SETTINGS
@given(signals, st.floats(0.5, 20.0), st.integers(1, 4))
def test_lowpass_keeps_the_nan_pattern_and_stays_finite(x, cutoff_hz, order):
    t = np.arange(len(x)) / 30.0
    with np.errstate(all="ignore"):
        y = lowpass(x, t, cutoff_hz, order)
    assert y.shape == x.shape
    assert np.array_equal(np.isnan(y), np.isnan(x))
    assert np.all(np.isfinite(y[np.isfinite(x)]))


# -- reps -------------------------------------------------------------------------------------


@SETTINGS
@given(
    arrays(float, st.integers(0, 300), elements=st.one_of(st.just(float("nan")), st.floats(-2, 2)))
)
def test_reps_are_ordered_and_inside_the_clip(depth):
    t = np.arange(len(depth)) / 30.0
    reps = segment_reps(t, depth, MovementConfig())
    last_end = -1
    for rep in reps:
        assert last_end <= rep.i_start <= rep.i_bottom <= rep.i_end < len(depth)
        assert rep.start_s <= rep.bottom_s <= rep.end_s
        last_end = rep.i_end


# -- leg-swap repair and the whole post-processing on synthetic squats -------------------------

T_S = np.arange(150) / 30.0
BASE = squat_track(T_S, squat_flexion(T_S, 100.0, period_s=2.0, rest_s=1.0))


@st.composite
def damaged_tracks(draw) -> PoseTrack:
    """The synthetic squat with random NaN frames, jumps, swapped legs and extreme points."""
    xy = BASE.xy.copy()
    n = len(T_S)
    rows = st.integers(0, n - 1)
    for i in draw(st.lists(rows, max_size=30)):
        xy[i] = np.nan
    for i in draw(st.lists(rows, max_size=10)):
        xy[i] += draw(st.floats(-300, 300))
    for i in draw(st.lists(rows, max_size=10)):
        xy[i, [25, 26]] = xy[i, [26, 25]]  # knees exchanged, as MediaPipe does
        xy[i, [27, 28]] = xy[i, [28, 27]]
    for i in draw(st.lists(rows, max_size=3)):
        xy[i, draw(st.integers(0, 32))] = draw(st.sampled_from([1e6, -1e6, 0.0]))
    vis = BASE.visibility.copy()
    vis[np.isnan(xy).any(axis=2)] = np.nan
    return BASE.with_(xy=xy, visibility=vis)


@settings(SETTINGS, max_examples=25)
@given(damaged_tracks())
def test_swap_repair_only_relabels(track):
    with np.errstate(all="ignore"):
        repair = repair_leg_swaps(track)
    out = repair.track
    assert out.xy.shape == track.xy.shape and repair.swapped.shape == (track.n_frames,)
    for i in range(track.n_frames):  # per frame: the same points, maybe relabelled
        assert np.array_equal(np.sort(out.xy[i].ravel()), np.sort(track.xy[i].ravel()),
                              equal_nan=True)  # fmt: skip


@settings(SETTINGS, max_examples=15)
@given(damaged_tracks())
def test_post_process_in_range_and_mirror_symmetric(track):
    with np.errstate(all="ignore"):
        _, metrics, findings = post_process(track, Config(), "auto")
        _, mirror, mirror_findings = post_process(mirrored(track), Config(), "auto")
    for side in ("left", "right"):
        fppa = metrics.side(side).fppa_deg
        assert np.all(np.abs(fppa[np.isfinite(fppa)]) <= 180.0)
        other = "right" if side == "left" else "left"
        np.testing.assert_allclose(mirror.side(other).fppa_deg, fppa, atol=1e-6)
    assert len(mirror_findings.reps) == len(findings.reps)
