"""Knee geometry on hand-built landmarks with exact expected values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from valguscam.body import geometry as kin
from valguscam.types import KneePosition

# A subject facing the camera: their right hip on the image's left (x=100), left hip at x=200.
R_HIP, L_HIP = np.array([100.0, 100.0]), np.array([200.0, 100.0])


def expected_deg(dx: float, half: float = 100.0) -> float:
    """FPPA magnitude for a knee displaced dx from a vertical hip-ankle line of length 2*half."""
    return math.degrees(2 * math.atan(dx / half))


def test_collinear_leg_is_zero():
    assert kin.fppa_deg(L_HIP, [200, 200], [200, 300], R_HIP) == pytest.approx(0.0, abs=1e-12)
    assert kin.fppa_deg(R_HIP, [100, 200], [100, 300], L_HIP) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("dx", [2.0, 10.0, 30.0])
def test_medial_knee_is_positive_on_both_sides(dx):
    left = kin.fppa_deg(L_HIP, [200 - dx, 200], [200, 300], R_HIP)  # medial = toward x=150
    right = kin.fppa_deg(R_HIP, [100 + dx, 200], [100, 300], L_HIP)
    assert left == pytest.approx(expected_deg(dx), abs=1e-9)
    assert right == pytest.approx(expected_deg(dx), abs=1e-9)


def test_lateral_knee_is_negative_varus():
    left = kin.fppa_deg(L_HIP, [215, 200], [200, 300], R_HIP)
    right = kin.fppa_deg(R_HIP, [85, 200], [100, 300], L_HIP)
    assert left == pytest.approx(-expected_deg(15), abs=1e-9)
    assert right == pytest.approx(-expected_deg(15), abs=1e-9)


def test_mirrored_image_gives_same_numbers_for_same_side():
    width = 640.0
    pts = {"hip": L_HIP, "knee": np.array([188.0, 205.0]), "ankle": np.array([204.0, 310.0])}
    mirror = {k: np.array([width - v[0], v[1]]) for k, v in pts.items()}
    other, other_m = R_HIP, np.array([width - R_HIP[0], R_HIP[1]])
    a = kin.fppa_deg(pts["hip"], pts["knee"], pts["ankle"], other)
    b = kin.fppa_deg(mirror["hip"], mirror["knee"], mirror["ankle"], other_m)
    assert a > 0
    assert b == pytest.approx(a, abs=1e-9)
    kf_a = kin.knee_foot_offset(pts["knee"], [205.0, 320.0], pts["hip"], other)
    kf_b = kin.knee_foot_offset(mirror["knee"], [width - 205.0, 320.0], mirror["hip"], other_m)
    assert kf_b == pytest.approx(kf_a, abs=1e-12)


def test_fppa_is_scale_translation_and_rotation_invariant():
    hip, knee, ankle = L_HIP, np.array([185.0, 200.0]), np.array([205.0, 300.0])
    base = kin.fppa_deg(hip, knee, ankle, R_HIP)
    th = math.radians(12)
    rot = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])

    def tf(p):
        return 3.5 * rot @ p + np.array([40.0, -17.0])

    assert kin.fppa_deg(tf(hip), tf(knee), tf(ankle), tf(R_HIP)) == pytest.approx(base, abs=1e-9)


def test_fppa_is_vectorised_over_frames():
    t = np.arange(5.0)
    knee = np.stack([200 - 5 * t, np.full(5, 200.0)], axis=-1)
    out = kin.fppa_deg(
        np.tile(L_HIP, (5, 1)), knee, np.tile([200.0, 300.0], (5, 1)), np.tile(R_HIP, (5, 1))
    )
    np.testing.assert_allclose(out, [expected_deg(5 * i) for i in range(5)], atol=1e-9)


def test_thigh_plus_shank_equals_fppa():
    hip, knee, ankle = L_HIP, np.array([180.0, 210.0]), np.array([215.0, 320.0])
    lateral = kin.lateral_axis(hip, R_HIP)
    thigh = kin.thigh_angle_deg(hip, knee, R_HIP)
    shank = kin.shank_angle_deg(knee, ankle, lateral)
    assert thigh == pytest.approx(math.degrees(math.atan2(20, 110)), abs=1e-9)
    assert shank == pytest.approx(math.degrees(math.atan2(35, 110)), abs=1e-9)
    assert thigh + shank == pytest.approx(kin.fppa_deg(hip, knee, ankle, R_HIP), abs=1e-9)


def test_knee_foot_offset_sign_and_units():
    # Hip width 100 px. Left knee 20 px medial of the toe -> +0.2 hip widths.
    assert kin.knee_foot_offset([190.0, 200.0], [210.0, 320.0], L_HIP, R_HIP) == pytest.approx(0.2)
    # Right knee 30 px lateral of its toe -> -0.3.
    assert kin.knee_foot_offset([80.0, 200.0], [110.0, 320.0], R_HIP, L_HIP) == pytest.approx(-0.3)


def test_knee_foot_offset_is_scale_and_translation_invariant():
    args = [np.array(p) for p in ([190.0, 200.0], [210.0, 320.0], L_HIP, R_HIP)]
    base = kin.knee_foot_offset(*args)
    moved = kin.knee_foot_offset(*(0.37 * a + np.array([500.0, 80.0]) for a in args))
    assert moved == pytest.approx(base, abs=1e-12)


def test_classify_knee_position_bands():
    # Foot width 0.4 hip widths; u = -knee_foot / 0.4 foot widths lateral of foot_index.
    kf = np.array([0.4, 0.2, 0.1, 0.0, -0.2, -0.3, -0.31, np.nan])
    # u:           -1   -0.5  -0.25  0   0.5   0.75  0.775
    got = kin.classify_knee_position(kf, 0.4)
    P = KneePosition
    assert got.tolist() == [
        P.INSIDE,
        P.BIG_TOE,
        P.BIG_TOE,
        P.TARGET,
        P.TARGET,
        P.TARGET,
        P.OUTSIDE,
        P.UNKNOWN,
    ]


def test_flexion_from_world_landmarks():
    hip, knee = np.array([0.0, 0.0, 0.0]), np.array([0.0, 0.4, 0.0])
    assert kin.flexion_deg(hip, knee, np.array([0.0, 0.8, 0.0])) == pytest.approx(0.0, abs=1e-6)
    assert kin.flexion_deg(hip, knee, np.array([0.0, 0.4, -0.4])) == pytest.approx(90.0)
    assert kin.flexion_deg(hip, knee, np.array([0.0, 0.6, -0.2 * math.sqrt(3)])) == pytest.approx(
        60.0
    )


def test_kasr_and_knee_hip_ratio():
    axis = kin.lateral_axis(L_HIP, R_HIP)
    kasr = kin.separation_ratio(
        np.array([180.0, 200]),
        np.array([120.0, 200]),
        np.array([210.0, 300]),
        np.array([90.0, 300]),
        axis,
    )
    assert kasr == pytest.approx(60 / 120)
    assert (
        kin.separation_ratio(
            np.array([200.0, 0]), np.array([200.0, 0]), np.array([1.0, 0]), np.array([1.0, 0]), axis
        )
        != kasr
    )


def test_body_yaw():
    world = np.zeros((2, 33, 3))
    world[0, 23], world[0, 24] = [0.1, 0, 0], [-0.1, 0, 0]  # frontal
    world[1, 23], world[1, 24] = [0.0, 0, 0.1], [0.0, 0, -0.1]  # side view
    np.testing.assert_allclose(kin.body_yaw_deg(world, 23, 24), [0.0, 90.0], atol=1e-9)


def test_flexion_ignores_frontal_plane_angulation_given_the_hip_axis():
    hip, knee = np.array([0.1, 0.0, 0.0]), np.array([0.02, 0.45, 0.0])  # valgus, no flexion
    ankle = np.array([0.1, 0.9, 0.0])
    axis = np.array([0.2, 0.0, 0.0])
    assert kin.flexion_deg(hip, knee, ankle) > 15
    assert kin.flexion_deg(hip, knee, ankle, axis) == pytest.approx(0.0, abs=1e-6)
