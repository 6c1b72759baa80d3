"""Landmark accuracy against human annotations (COCO-WholeBody, Halpe, Human3.6M 2D).

Pure functions: parse the annotation files into per-person lower-body arrays, crop around an
annotated person and map a detection back to image pixels, compare MediaPipe's landmarks with
the annotation (as labelled and with sides swapped), classify each person (matched, swapped,
mismatched, not found) and summarise the errors and the FPPA differences.

Arrays of one person are indexed `[side, point, xy]`: side 0 = the subject's LEFT, 1 = RIGHT;
points in `POINTS` order (hip, knee, ankle, heel, toe). Pixels, origin top-left, y down; NaN where
a point is not annotated (v == 0) or not available in a dataset. The "toe" of the annotation is
the big toe; MediaPipe's is foot_index, a point nearer the second toe, so some bias is expected.
Running the model is the caller's business: `detect_in_crop` takes any `detect(rgb)` callable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from validation_fixtures import (  # noqa: F401 - re-exported for the validation script and tests
    ANKLE,
    H36M_INDEX,
    H36M_JSON,
    HALPE_INDEX,
    HALPE_JSON,
    HEEL,
    HIP,
    KNEE,
    POINTS,
    SIDES,
    TOE,
    WHOLEBODY_INDEX,
    WHOLEBODY_JSON,
    AnnotatedPerson,
    gather_lower_body,
    h36m_image_path,
    keypoints_array,
    load_fixtures,
    parse_coco_wholebody,
    parse_h36m,
    parse_halpe,
)

from valguscam.body.geometry import fppa_deg
from valguscam.landmarks import LEGS, Side
from valguscam.pose.estimator import PoseEstimator

MATCHED, SWAPPED, MISMATCHED, NOT_FOUND = "matched", "swapped", "mismatched", "not_found"


@dataclass(frozen=True)
class Detection:
    """MediaPipe's lower body in full-image pixels.

    xy: (2, 5, 2) [side, point, xy] with MediaPipe's own side labels, NaN if nobody was found;
    visibility: (2, 5); crop: (x0, y0, x1, y1) of the region the model saw.
    """

    xy: np.ndarray
    visibility: np.ndarray
    crop: tuple[int, int, int, int]

    @property
    def found(self) -> bool:
        return bool(np.isfinite(self.xy).any())


@dataclass(frozen=True)
class Comparison:
    """One annotated person against MediaPipe.

    error_px: (2, 5) distance between annotated side s and MediaPipe side s;
    swapped_error_px: (2, 5) annotated side s vs MediaPipe side 1 - s; NaN where not compared.
    thigh_px: (2,) annotated thigh length. status: matched / swapped / mismatched / not_found.
    hip_knee_rel: mean hip+knee error / mean thigh length, as labelled and swapped.
    """

    person: AnnotatedPerson
    detection: Detection
    error_px: np.ndarray
    swapped_error_px: np.ndarray
    hip_knee_rel: tuple[float, float]
    status: str

    @property
    def thigh_px(self) -> np.ndarray:
        return self.person.thigh_px

    @property
    def rel_error(self) -> np.ndarray:
        """(2, 5) error as a fraction of the same side's annotated thigh length."""
        return self.error_px / self.thigh_px[:, None]


@dataclass(frozen=True)
class Stats:
    """Summary of a set of errors: n values, median, mean, 90th percentile (NaN when n == 0)."""

    n: int
    median: float
    mean: float
    p90: float

    @classmethod
    def of(cls, values: Iterable[float]) -> Stats:
        v = np.asarray(list(values), dtype=float)
        v = v[np.isfinite(v)]
        if v.size == 0:
            return cls(0, float("nan"), float("nan"), float("nan"))
        return cls(int(v.size), float(np.median(v)), float(v.mean()), float(np.percentile(v, 90)))


@dataclass(frozen=True)
class FppaCase:
    """FPPA of one person-side from the annotation and from MediaPipe (degrees, + = valgus).

    hip_width_rel: annotated hip-to-hip distance / this side's annotated thigh length (small in
    a side view, where "medial" and so the FPPA sign are undefined).
    """

    dataset: str
    person_id: int
    side: str
    status: str
    annotated_deg: float
    mediapipe_deg: float
    hip_width_rel: float

    @property
    def abs_diff_deg(self) -> float:
        return abs(self.mediapipe_deg - self.annotated_deg)


# --- loading -------------------------------------------------------------------------------------


def crop_box(
    bbox: np.ndarray, width: int, height: int, margin: float = 0.25
) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) integer pixels: bbox (x, y, w, h) grown by `margin` x w/h on each side,
    clipped to the image."""
    x, y, w, h = (float(v) for v in bbox)
    x0 = int(np.floor(max(0.0, x - margin * w)))
    y0 = int(np.floor(max(0.0, y - margin * h)))
    x1 = int(np.ceil(min(float(width), x + w + margin * w)))
    y1 = int(np.ceil(min(float(height), y + h + margin * h)))
    return x0, y0, x1, y1


def lower_body_from_landmarks(
    xy33: np.ndarray, visibility33: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(33, 2) and (33,) MediaPipe landmarks -> (2, 5, 2) xy and (2, 5) visibility [side, point]."""
    idx = np.array(
        [
            [leg.hip, leg.knee, leg.ankle, leg.heel, leg.toe]
            for leg in (LEGS[Side.LEFT], LEGS[Side.RIGHT])
        ]
    )
    return xy33[idx], visibility33[idx]


def detect_in_crop(
    detect: Callable[[np.ndarray], Any], rgb: np.ndarray, bbox: np.ndarray, margin: float = 0.25
) -> Detection:
    """Run `detect` (RGB (h, w, 3) -> object with .xy (33, 2) and .visibility (33,) in crop
    pixels, NaN if nobody) on the crop around `bbox`; map the result back to image pixels."""
    height, width = rgb.shape[:2]
    box = crop_box(bbox, width, height, margin)
    x0, y0, x1, y1 = box
    sample = detect(np.ascontiguousarray(rgb[y0:y1, x0:x1]))
    xy, vis = lower_body_from_landmarks(np.asarray(sample.xy), np.asarray(sample.visibility))
    return Detection(xy=xy + np.array([x0, y0], dtype=float), visibility=vis, crop=box)


# --- comparison ----------------------------------------------------------------------------------


def _nanmean(values: np.ndarray) -> float:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size else float("nan")


def classify(
    found: bool,
    hip_knee_rel: tuple[float, float],
    leg_error_px: tuple[float, float],
    mismatch_rel: float = 1.0,
    swap_ratio: float = 0.5,
) -> str:
    """Status of one person.

    not_found: MediaPipe found nobody. mismatched: the mean hip/knee error is above
    `mismatch_rel` thigh lengths both as labelled and with sides swapped (another person, or
    nonsense). swapped: the mean hip/knee/ankle error with MediaPipe's sides swapped is below
    `swap_ratio` x the error as labelled (`leg_error_px` = (as labelled, swapped)).
    """
    if not found:
        return NOT_FOUND
    if not min(hip_knee_rel) <= mismatch_rel:  # also True when both are NaN
        return MISMATCHED
    as_is, swapped = leg_error_px
    if swapped < swap_ratio * as_is:
        return SWAPPED
    return MATCHED


def compare(
    person: AnnotatedPerson,
    detection: Detection,
    mismatch_rel: float = 1.0,
    swap_ratio: float = 0.5,
) -> Comparison:
    """Compare one detection with the annotation, as labelled and with sides swapped."""
    error = np.linalg.norm(detection.xy - person.xy, axis=-1)
    swapped = np.linalg.norm(detection.xy[::-1] - person.xy, axis=-1)
    ref = _nanmean(person.thigh_px)
    hip_knee_rel = (_nanmean(error[:, :2]) / ref, _nanmean(swapped[:, :2]) / ref)
    legs = (_nanmean(error[:, :3]), _nanmean(swapped[:, :3]))
    status = classify(detection.found, hip_knee_rel, legs, mismatch_rel, swap_ratio)
    return Comparison(person, detection, error, swapped, hip_knee_rel, status)


def compare_all(
    persons: Iterable[AnnotatedPerson],
    detect: Callable[[np.ndarray], Any],
    read_rgb: Callable[[Path], np.ndarray],
    margin: float = 0.25,
) -> tuple[Comparison, ...]:
    """Detect and compare every person with an annotated thigh (hip and knee of one side).

    Detections are reused across datasets annotating the same image and bbox.
    """
    cache: dict[tuple[Path, tuple[float, ...]], Detection] = {}
    images: dict[Path, np.ndarray] = {}
    out = []
    for person in persons:
        if not person.has_thigh:
            continue
        key = (person.image, tuple(np.round(person.bbox, 2)))
        if key not in cache:
            if person.image not in images:
                images[person.image] = read_rgb(person.image)
            cache[key] = detect_in_crop(detect, images[person.image], person.bbox, margin)
        out.append(compare(person, cache[key]))
    return tuple(out)


# --- summaries -----------------------------------------------------------------------------------

SUBSETS: tuple[str, ...] = ("all", "labelled_visible", "mp_visible")
FOUND = (MATCHED, SWAPPED)


def keypoint_errors(
    comparisons: Iterable[Comparison],
    point: int,
    side: int | None = None,
    subset: str = "all",
    min_visibility: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """(n,) errors of one point in pixels and as a fraction of the side's thigh length.

    Over the persons found (matched or swapped; errors as labelled), on sides with an annotated
    thigh. subset: "all" annotated points (v > 0); "labelled_visible" only v == 2;
    "mp_visible" only where MediaPipe's visibility >= `min_visibility` (the points the product
    keeps, SmoothingConfig.min_visibility).
    """
    px, rel = [], []
    for c in comparisons:
        if c.status not in FOUND:
            continue
        for s in (0, 1) if side is None else (side,):
            keep = np.isfinite(c.thigh_px[s]) and np.isfinite(c.error_px[s, point])
            if subset == "labelled_visible":
                keep = keep and not c.person.occluded[s, point]
            elif subset == "mp_visible":
                keep = keep and c.detection.visibility[s, point] >= min_visibility
            if keep:
                px.append(c.error_px[s, point])
                rel.append(c.rel_error[s, point])
    return np.asarray(px, dtype=float), np.asarray(rel, dtype=float)


def fppa_cases(comparisons: Iterable[Comparison]) -> tuple[FppaCase, ...]:
    """FPPA per person-side found (matched or swapped) where the annotation has that side's
    hip, knee and ankle and the other hip. MediaPipe's FPPA uses its own side labels."""
    out = []
    for c in comparisons:
        gt, mp, p = c.person.xy, c.detection.xy, c.person
        for s in (0, 1) if c.status in FOUND else ():
            if not np.isfinite(gt[[s, s, s, 1 - s], [HIP, KNEE, ANKLE, HIP]]).all():
                continue
            ann = fppa_deg(gt[s, HIP], gt[s, KNEE], gt[s, ANKLE], gt[1 - s, HIP])
            est = fppa_deg(mp[s, HIP], mp[s, KNEE], mp[s, ANKLE], mp[1 - s, HIP])
            hip_width = np.linalg.norm(gt[1, HIP] - gt[0, HIP]) / c.thigh_px[s]
            out.append(
                FppaCase(
                    p.dataset, p.person_id, SIDES[s], c.status, *map(float, (ann, est, hip_width))
                )
            )
    return tuple(out)


def near_frontal(
    case: FppaCase, max_abs_deg: float = 30.0, min_hip_width_rel: float = 0.25
) -> bool:
    """A case closer to what the product measures: the annotated |FPPA| within the clinical
    range (<= max_abs_deg) and the hips not overlapping (hip distance >= min_hip_width_rel x
    thigh; below that the body is seen from the side and FPPA's sign is undefined)."""
    return abs(case.annotated_deg) <= max_abs_deg and case.hip_width_rel >= min_hip_width_rel


def status_counts(comparisons: Iterable[Comparison]) -> dict[str, int]:
    """{"persons", "found", "matched", "swapped", "mismatched", "not_found"} counts."""
    statuses = [c.status for c in comparisons]
    return {
        "persons": len(statuses),
        "found": sum(s in FOUND for s in statuses),
        **{s: statuses.count(s) for s in (MATCHED, SWAPPED, MISMATCHED, NOT_FOUND)},
    }


def annotation_distances(
    persons_a: Iterable[AnnotatedPerson], persons_b: Iterable[AnnotatedPerson], point: int
) -> tuple[np.ndarray, np.ndarray]:
    """(n,) distances between two annotations of the same persons (matched by person_id) at one
    point, in pixels and relative to the thigh length of `persons_a`; pairs with a NaN dropped."""
    by_id = {p.person_id: p for p in persons_b}
    px, rel = [], []
    for a in persons_a:
        b = by_id.get(a.person_id)
        if b is None:
            continue
        d = np.linalg.norm(a.xy[:, point] - b.xy[:, point], axis=-1)
        keep = np.isfinite(d) & np.isfinite(a.thigh_px)
        px.extend(d[keep])
        rel.extend(d[keep] / a.thigh_px[keep])
    return np.asarray(px, dtype=float), np.asarray(rel, dtype=float)


def measure(
    persons: Iterable[AnnotatedPerson],
    model_path: Path,
    read_rgb: Callable[[Path], np.ndarray],
    margin: float = 0.25,
) -> tuple[Comparison, ...]:
    """Run MediaPipe (image mode, default confidences) on a crop around each person and compare."""
    with PoseEstimator(model_path, mode="image") as estimator:
        return compare_all(persons, estimator.detect, read_rgb, margin)
