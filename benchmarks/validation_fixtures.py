"""The annotated persons of the mmpose fixtures (COCO-WholeBody, Halpe, Human3.6M 2D), parsed
into per-person lower-body arrays for validation.py. Arrays are indexed `[side, point, xy]`
(side 0 = the subject's LEFT), points in validation.POINTS order; NaN where not annotated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

POINTS: tuple[str, ...] = ("hip", "knee", "ankle", "heel", "toe")
SIDES: tuple[str, ...] = ("left", "right")
HIP, KNEE, ANKLE, HEEL, TOE = range(5)

# Keypoint index of [side][point] in each dataset's keypoint list; -1 = not in that dataset.
# COCO-WholeBody: body 0-16, then foot_kpts as 17-22 (l_big_toe, l_small_toe, l_heel, r_big_toe,
# r_small_toe, r_heel). Halpe: 20 l_big_toe, 21 r_big_toe, 24 l_heel, 25 r_heel.
# H36M-17: 1-3 are the RIGHT hip/knee/ankle, 4-6 the LEFT (whatever the json's names say).
WHOLEBODY_INDEX = np.array([[11, 13, 15, 19, 17], [12, 14, 16, 22, 20]])
HALPE_INDEX = np.array([[11, 13, 15, 24, 20], [12, 14, 16, 25, 21]])
H36M_INDEX = np.array([[4, 5, 6, -1, -1], [1, 2, 3, -1, -1]])


@dataclass(frozen=True)
class AnnotatedPerson:
    """The annotated lower body of one person.

    bbox: (4,) x, y, w, h pixels. xy: (2, 5, 2) pixels [side, point, xy], NaN where not
    annotated. occluded: (2, 5) bool, True where labelled but marked occluded (v == 1).
    """

    dataset: str
    person_id: int
    image: Path
    bbox: np.ndarray
    xy: np.ndarray
    occluded: np.ndarray

    @property
    def thigh_px(self) -> np.ndarray:
        """(2,) annotated hip->knee length per side in pixels, NaN if not annotated."""
        return np.linalg.norm(self.xy[:, KNEE] - self.xy[:, HIP], axis=-1)

    @property
    def has_thigh(self) -> bool:
        return bool(np.isfinite(self.thigh_px).any())


def keypoints_array(flat: Sequence[float]) -> np.ndarray:
    """(K, 3) x, y, v from a COCO-style flat [x0, y0, v0, x1, ...] list."""
    return np.asarray(flat, dtype=float).reshape(-1, 3)


def gather_lower_body(kpts: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pick (2, 5) keypoints by `index` from (K, 3) x, y, v.

    Returns xy (2, 5, 2) with NaN where the index is -1 or v <= 0, and occluded (2, 5) (v == 1).
    """
    rows = kpts[np.clip(index, 0, None)]
    present = (index >= 0) & (rows[..., 2] > 0)
    xy = np.where(present[..., None], rows[..., :2], np.nan)
    return xy, present & (rows[..., 2] == 1)


def _parse(
    doc: Mapping[str, Any],
    dataset: str,
    image_path: Callable[[str], Path],
    index: np.ndarray,
    extra: str | None = None,
    occlusion_flags: bool = True,
) -> tuple[AnnotatedPerson, ...]:
    """Persons of a COCO-style document; `extra` names a second flat keypoint list appended
    after "keypoints" (COCO-WholeBody's "foot_kpts")."""
    images = {int(im["id"]): image_path(im["file_name"]) for im in doc["images"]}
    out = []
    for ann in doc["annotations"]:
        kpts = keypoints_array(ann["keypoints"])
        if extra is not None:
            kpts = np.vstack([kpts, keypoints_array(ann[extra])])
        xy, occluded = gather_lower_body(kpts, index)
        out.append(
            AnnotatedPerson(
                dataset=dataset,
                person_id=int(ann["id"]),
                image=images[int(ann["image_id"])],
                bbox=np.asarray(ann["bbox"], dtype=float),
                xy=xy,
                occluded=occluded if occlusion_flags else np.zeros_like(occluded),
            )
        )
    return tuple(out)


def parse_coco_wholebody(doc: Mapping[str, Any], image_dir: Path) -> tuple[AnnotatedPerson, ...]:
    """Persons of a COCO-WholeBody json document (body 17 + foot_kpts 6)."""
    return _parse(doc, "coco_wholebody", image_dir.joinpath, WHOLEBODY_INDEX, extra="foot_kpts")


def parse_halpe(doc: Mapping[str, Any], image_dir: Path) -> tuple[AnnotatedPerson, ...]:
    """Persons of a Halpe-FullBody json document (136 keypoints; images in `image_dir`)."""
    return _parse(doc, "halpe", image_dir.joinpath, HALPE_INDEX)


def h36m_image_path(h36m_dir: Path, file_name: str) -> Path:
    """`S7_Greeting.55011271_000396.jpg` -> h36m_dir/S7/S7_Greeting.55011271/<file_name>."""
    return h36m_dir / file_name.split("_", 1)[0] / file_name.rsplit("_", 1)[0] / file_name


def parse_h36m(doc: Mapping[str, Any], h36m_dir: Path) -> tuple[AnnotatedPerson, ...]:
    """Persons of mmpose's h36m_coco.json (H36M-17 order: ids 1-3 right leg, 4-6 left leg).

    Motion-capture 2D: every joint has v = 1, which says nothing about occlusion, so no point
    is marked occluded."""
    return _parse(
        doc, "h36m", lambda name: h36m_image_path(h36m_dir, name), H36M_INDEX, occlusion_flags=False
    )


# --- detection in a crop -------------------------------------------------------------------------


# --- fixtures and the whole measurement ----------------------------------------------------------

WHOLEBODY_JSON = "coco/test_coco_wholebody.json"
HALPE_JSON = "halpe/test_halpe.json"
H36M_JSON = "h36m/h36m_coco.json"


def load_fixtures(data_dir: Path) -> tuple[AnnotatedPerson, ...]:
    """All persons of the mmpose fixtures under `data_dir` (= .../mmpose/tests/data), read in
    place: COCO-WholeBody, Halpe (same 4 COCO images), Human3.6M 2D."""

    def read(rel: str) -> dict[str, Any]:
        return json.loads((data_dir / rel).read_text(encoding="utf-8"))

    return (
        parse_coco_wholebody(read(WHOLEBODY_JSON), data_dir / "coco")
        + parse_halpe(read(HALPE_JSON), data_dir / "coco")
        + parse_h36m(read(H36M_JSON), data_dir / "h36m")
    )
