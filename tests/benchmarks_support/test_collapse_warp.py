"""benchmarks/collapse_warp.py: the knee-collapse warp on small synthetic images (no model).

A drawn front view (a grid, two legs, Gaussian dots at the landmarks): the warp must move the
dot at the knee by the requested shift and leave the hips, ankles, feet and the other leg in
place (dot centroids within 0.5 px); the brentq solve must reproduce a requested FPPA change.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _load(name: str):
    """Import benchmarks/<name>.py by path (benchmarks is not a package)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


cw = _load("collapse_warp")
cp = _load("collapse_warp_plan")

H, W = 380, 340
# Subject facing the camera: its right leg on the image's left.
POINTS = {
    "right_hip": (130.0, 100.0), "right_knee": (112.0, 200.0), "right_ankle": (124.0, 300.0),
    "right_heel": (128.0, 316.0), "right_toe": (116.0, 340.0),
    "left_hip": (210.0, 100.0), "left_knee": (228.0, 200.0), "left_ankle": (216.0, 300.0),
    "left_heel": (212.0, 316.0), "left_toe": (224.0, 340.0),
}  # fmt: skip
JOINTS = ("hip", "knee", "ankle", "heel", "toe")
INDEX = {f"{s}_{j}": getattr(cw, j.upper())[s] for s in cw.SIDES for j in JOINTS}


def _landmarks() -> np.ndarray:
    """(33, 2) px: the drawn points, the rest far away (unused)."""
    xy = np.full((33, 2), -1000.0)
    for name, p in POINTS.items():
        xy[INDEX[name]] = p
    return xy


def _background() -> np.ndarray:
    """(H, W) float32: a faint grid and the two legs drawn as thick polylines."""
    img = np.zeros((H, W), np.float32)
    img[::20, :] = img[:, ::20] = 0.1
    for side in cw.SIDES:
        pts = [POINTS[f"{side}_{j}"] for j in JOINTS[:3]]
        cv2.polylines(img, [np.int32(pts)], False, 0.2, 9)
    return img


def _dots() -> np.ndarray:
    """(H, W) float32: a Gaussian dot (sigma 2.5 px) at each landmark."""
    yy, xx = np.mgrid[0:H, 0:W]
    img = np.zeros((H, W), np.float32)
    for x, y in POINTS.values():
        img += np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * 2.5**2)).astype(np.float32)
    return img


def _centroid(img: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Intensity centroid (x, y) px of the dot in a 19 x 19 px window around `at`."""
    x0, y0 = np.round(at).astype(int) - 9
    win = img[y0 : y0 + 19, x0 : x0 + 19]
    yy, xx = np.mgrid[y0 : y0 + 19, x0 : x0 + 19]
    return np.array([np.sum(win * xx), np.sum(win * yy)]) / np.sum(win)


@pytest.fixture(scope="module")
def warped():
    """(scene, (warped scene, min Jacobian), warped dots, shift): the right knee shifted
    14 px medially (toward the left hip), sigma 40 px."""
    shift = np.array([14.0, 0.0])
    leg = cw.LegWarp.from_pose(_landmarks(), "right", shift, sigma=40.0)
    scene = _background() + _dots()
    return scene, cw.warp_image(scene, [leg]), cw.warp_image(_dots(), [leg])[0], shift


def test_knee_moves_by_the_requested_shift(warped):
    _, _, dots, shift = warped
    knee = np.array(POINTS["right_knee"])
    got = _centroid(dots, knee + shift)
    assert np.linalg.norm(got - (knee + shift)) < 0.5


@pytest.mark.parametrize("name", [n for n in POINTS if n != "right_knee"])
def test_hips_ankles_feet_and_other_leg_stay(warped, name):
    _, _, dots, _ = warped
    at = np.array(POINTS[name])
    assert np.linalg.norm(_centroid(dots, at) - at) < 0.5


def test_other_leg_pixels_untouched_and_no_fold(warped):
    img, (out, min_jacobian), _, _ = warped
    mid_x = int(0.5 * (POINTS["right_hip"][0] + POINTS["left_hip"][0]))
    assert np.abs(out[:, mid_x:] - img[:, mid_x:]).max() < 1e-4
    assert 0.3 < min_jacobian <= 1.0 + 1e-6


def test_backward_map_inverts_the_forward_field():
    xy = _landmarks()
    leg = cw.LegWarp.from_pose(xy, "right", np.array([20.0, 2.0]), sigma=40.0)
    q = np.random.default_rng(0).uniform([60, 80], [200, 320], size=(500, 2))
    p = q - cw.inverse_weight(q, leg)[:, None] * leg.shift
    assert np.abs(p + cw.displacement(p, [leg]) - q).max() < 1e-2


@pytest.mark.parametrize(("knee_x", "amount"), [(100.0, 10.0), (92.0, 6.0), (115.0, 25.0)])
def test_brentq_reproduces_the_fppa_change(knee_x, amount):
    hip, knee, ankle = np.array([100.0, 0.0]), np.array([knee_x, 110.0]), np.array([104.0, 200.0])
    other = np.array([180.0, 2.0])
    a = cw.solve_amplitude(hip, knee, ankle, other, amount, max_px=200.0)
    moved = knee + a * cw.unit(other - hip)
    before = float(cw.fppa_deg(hip, knee, ankle, other))
    assert float(cw.fppa_deg(hip, moved, ankle, other)) - before == pytest.approx(amount, abs=0.1)


def test_straight_leg_shift_matches_the_analytic_angle():
    hip, knee, ankle, other = (np.array(p) for p in ([0.0, 0], [0, 100], [0, 200], [-60, 0]))
    a = cw.solve_amplitude(hip, knee, ankle, other, 10.0, max_px=100.0)
    assert a == pytest.approx(100 * math.tan(math.radians(5)), abs=1e-3)


def test_fppa_sign_medial_positive_on_both_sides():
    xy = _landmarks()
    for side in cw.SIDES:
        hip, other = xy[cw.HIP[side]], xy[cw.HIP[cw.OTHER[side]]]
        knee = 0.5 * (hip + xy[cw.ANKLE[side]]) + 10 * cw.unit(other - hip)
        assert float(cw.fppa_deg(hip, knee, xy[cw.ANKLE[side]], other)) > 0


def test_depth_weight_is_one_at_bottoms_and_zero_between_reps():
    t = np.linspace(0, 6, 181)
    depth = 0.3 * np.clip(np.sin(np.pi * t / 2), 0, None) ** 2 * np.where(t < 4, 1.0, 0.8)
    reps = cp.find_reps(depth)
    w = cp.depth_weight(depth, reps)
    assert len(reps) == 2
    assert all(w[b] == 1.0 and w[s] == 0.0 and w[e] == 0.0 for s, b, e in reps)
    assert np.abs(np.diff(w)).max() < 0.1
