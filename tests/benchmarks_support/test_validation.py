"""Landmark accuracy against human annotations: the pure helpers, and a regression guard.

The regression tests run the real model on the real mmpose fixture images (../shared: marked
`shared`) and fail when the figures get worse than the ones recorded in docs/validation.json
(written, with docs/validation.md, by scripts/validate_landmarks.py). Missing data or model is a
FAILURE.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import validation as v

REPO = Path(__file__).resolve().parents[2]
RECORDED = REPO / "docs" / "validation.json"


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_dir(shared_dir: Path) -> Path:
    path = shared_dir / "keypoints" / "mmpose" / "tests" / "data"
    for rel in (v.WHOLEBODY_JSON, v.HALPE_JSON, v.H36M_JSON):
        if not (path / rel).is_file():
            pytest.fail(f"annotation fixture missing: {path / rel} (see shared/keypoints/mmpose)")
    return path


@pytest.fixture(scope="module")
def persons(data_dir: Path) -> tuple[v.AnnotatedPerson, ...]:
    return v.load_fixtures(data_dir)


def by_id(persons: tuple[v.AnnotatedPerson, ...], dataset: str) -> dict[int, v.AnnotatedPerson]:
    return {p.person_id: p for p in persons if p.dataset == dataset}


def read_rgb(path: Path) -> np.ndarray:
    import cv2

    bgr = cv2.imread(str(path))
    if bgr is None:
        pytest.fail(f"cannot read fixture image {path}")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="module")
def comparisons(persons, model_path) -> tuple[v.Comparison, ...]:
    return v.measure(persons, model_path, read_rgb, margin=0.25)


@pytest.fixture(scope="module")
def recorded() -> dict:
    if not RECORDED.is_file():
        pytest.fail(f"{RECORDED} missing: run scripts/validate_landmarks.py")
    return json.loads(RECORDED.read_text(encoding="utf-8"))


# --- loaders -------------------------------------------------------------------------------------


@pytest.mark.shared
def test_loaders_find_all_persons(persons):
    counts = {d: sum(p.dataset == d for p in persons) for d in ("coco_wholebody", "halpe", "h36m")}
    assert counts == {"coco_wholebody": 14, "halpe": 14, "h36m": 4}
    assert all(p.image.is_file() for p in persons)
    assert all(p.xy.shape == (2, 5, 2) and p.occluded.shape == (2, 5) for p in persons)


@pytest.mark.shared
def test_wholebody_and_halpe_give_the_same_hips_knees_ankles(persons):
    wb, halpe = by_id(persons, "coco_wholebody"), by_id(persons, "halpe")
    assert wb.keys() == halpe.keys()
    for pid, person in wb.items():
        body = slice(v.HIP, v.ANKLE + 1)
        np.testing.assert_array_equal(person.xy[:, body], halpe[pid].xy[:, body])
        assert person.image == halpe[pid].image


@pytest.mark.shared
def test_foot_points_are_where_the_json_says(persons):
    wb = by_id(persons, "coco_wholebody")[442619]
    halpe = by_id(persons, "halpe")[442619]
    left, right = 0, 1
    # COCO-WholeBody foot_kpts[0] = l_big_toe, [5] = r_heel; Halpe 20 = l_big_toe, 25 = r_heel.
    np.testing.assert_array_equal(wb.xy[left, v.TOE], [439, 378])
    np.testing.assert_array_equal(wb.xy[right, v.HEEL], [413, 353])
    np.testing.assert_array_equal(halpe.xy[left, v.TOE], [431, 378])
    np.testing.assert_array_equal(halpe.xy[right, v.HEEL], [414, 353])
    np.testing.assert_array_equal(wb.xy[left, v.ANKLE], [466, 362])  # body 15 = l_ankle


@pytest.mark.shared
def test_unlabelled_points_are_nan(persons):
    no_legs = by_id(persons, "coco_wholebody")[1202706]
    assert np.isnan(no_legs.xy).all() and not no_legs.has_thigh
    no_ankles = by_id(persons, "coco_wholebody")[230195]
    assert np.isnan(no_ankles.xy[:, v.ANKLE :]).all()
    assert np.isfinite(no_ankles.thigh_px).all()


@pytest.mark.shared
def test_h36m_ids_1_to_3_are_the_right_leg(persons):
    s7 = by_id(persons, "h36m")[3]  # S7 Greeting, facing the camera
    assert s7.image.name == "S7_Greeting.55011271_000396.jpg" and s7.image.is_file()
    left_hip_x, right_hip_x = s7.xy[0, v.HIP, 0], s7.xy[1, v.HIP, 0]
    assert left_hip_x > right_hip_x  # subject's left on the image's right
    assert np.isnan(s7.xy[:, v.HEEL :]).all() and not s7.occluded.any()


def test_gather_lower_body_marks_missing_and_occluded():
    kpts = np.zeros((6, 3))
    kpts[0] = (10, 20, 2)
    kpts[1] = (30, 40, 1)
    index = np.array([[0, 1, 2, -1, -1], [3, 4, 5, -1, -1]])
    xy, occluded = v.gather_lower_body(kpts, index)
    np.testing.assert_array_equal(xy[0, 0], [10, 20])
    np.testing.assert_array_equal(xy[0, 1], [30, 40])
    assert np.isnan(xy[0, 2:]).all() and np.isnan(xy[1]).all()
    assert occluded.tolist() == [[False, True, False, False, False], [False] * 5]


# --- cropping, matching, FPPA --------------------------------------------------------------------


def test_crop_box_grows_and_clips():
    assert v.crop_box(np.array([100, 100, 40, 80]), 640, 480) == (90, 80, 150, 200)
    assert v.crop_box(np.array([0, 10, 100, 100]), 110, 100) == (0, 0, 110, 100)


def test_detect_in_crop_maps_back_to_image_pixels():
    rgb = np.zeros((200, 300, 3), np.uint8)
    seen = {}

    def fake_detect(crop):
        seen["shape"] = crop.shape
        return SimpleNamespace(xy=np.full((33, 2), 5.0), visibility=np.ones(33))

    det = v.detect_in_crop(fake_detect, rgb, np.array([100, 50, 40, 80]), margin=0.25)
    assert det.crop == (90, 30, 150, 150) and seen["shape"] == (120, 60, 3)
    np.testing.assert_array_equal(det.xy[..., 0], 95.0)
    np.testing.assert_array_equal(det.xy[..., 1], 35.0)
    assert det.found


def _person(xy: np.ndarray) -> v.AnnotatedPerson:
    return v.AnnotatedPerson("synthetic", 1, Path("x.jpg"), np.zeros(4), xy, np.zeros((2, 5), bool))


def _legs() -> np.ndarray:
    """(2, 5, 2) a person facing the camera: left leg on the image's right, thigh 100 px."""
    left = [[120, 100], [118, 200], [120, 300], [125, 320], [122, 330]]
    right = [[80, 100], [82, 200], [80, 300], [75, 320], [78, 330]]
    return np.array([left, right], dtype=float)


def _det(xy: np.ndarray) -> v.Detection:
    return v.Detection(xy=xy, visibility=np.ones((2, 5)), crop=(0, 0, 1, 1))


def test_compare_classifies_matched_swapped_mismatched_not_found():
    gt = _legs()
    assert v.compare(_person(gt), _det(gt + 3.0)).status == v.MATCHED
    swapped = v.compare(_person(gt), _det(gt[::-1]))
    assert swapped.status == v.SWAPPED
    np.testing.assert_allclose(swapped.swapped_error_px, 0.0)
    assert v.compare(_person(gt), _det(gt + 500.0)).status == v.MISMATCHED
    assert v.compare(_person(gt), _det(np.full((2, 5, 2), np.nan))).status == v.NOT_FOUND


def test_relative_error_uses_the_same_sides_thigh():
    gt = _legs()
    gt[1, v.KNEE] = [80, 150]  # right thigh 50 px, left ~100 px
    c = v.compare(_person(gt), _det(gt + np.array([10.0, 0.0])))
    np.testing.assert_allclose(c.error_px, 10.0)
    np.testing.assert_allclose(c.rel_error[1], 10.0 / 50.0)
    np.testing.assert_allclose(c.rel_error[0], 10.0 / np.hypot(2.0, 100.0))


def test_fppa_cases_sign_and_difference():
    gt = _legs()
    gt[0, v.KNEE] = [110, 200]  # left knee toward the midline: valgus
    det = gt.copy()
    det[0, v.KNEE] = [105, 200]
    cases = v.fppa_cases([v.compare(_person(gt), _det(det))])
    left = next(c for c in cases if c.side == "left")
    assert left.annotated_deg > 0 and left.mediapipe_deg > left.annotated_deg
    assert left.abs_diff_deg == pytest.approx(left.mediapipe_deg - left.annotated_deg)
    assert v.near_frontal(left)


# --- regression against the recorded figures ----------------------------------------------------


def test_recorded_figures_exist_for_every_dataset(recorded):
    assert set(recorded["thresholds"]) == {"coco_wholebody", "halpe", "h36m"}
    assert recorded["model"]["sha256"]


@pytest.mark.shared
@pytest.mark.parametrize("dataset", ["coco_wholebody", "halpe", "h36m"])
def test_accuracy_not_worse_than_recorded(comparisons, recorded, dataset):
    limits = recorded["thresholds"][dataset]
    group = [c for c in comparisons if c.person.dataset == dataset]
    counts = v.status_counts(group)
    assert counts["found"] >= limits["min_found"], counts
    assert counts["swapped"] <= limits["max_swapped"], counts
    for p, point in enumerate(v.POINTS):
        key = f"max_median_rel_{point}"
        if key in limits:
            median = v.Stats.of(v.keypoint_errors(group, p)[1]).median
            assert median <= limits[key], f"{dataset} {point}: {median:.3f} > {limits[key]}"
    fppa = v.Stats.of(c.abs_diff_deg for c in v.fppa_cases(group)).median
    assert fppa <= limits["max_median_fppa_abs_diff_deg"], f"{dataset} FPPA {fppa:.2f} deg"
