"""The video overlay on synthetic frames: knee colours by position, the event banner, no
mutation of the input, face blur, target zones, face boxes and the key-frame strip."""

from __future__ import annotations

import numpy as np
import pytest

from valguscam.draw.keyframes import key_frame_panel, key_frame_strip, leg_box
from valguscam.draw.overlay import (
    BANNER_COLOR,
    POSITION_COLOR,
    annotate,
    blur_face,
    info_lines,
)
from valguscam.draw.overlay_state import (
    OverlayState,
    SideState,
    face_boxes,
    target_zones,
)
from valguscam.types import KneePosition

H, W = 720, 1280
# Subject facing the camera: their left leg on the image's right.
LEFT = np.array([[700, 300], [720, 480], [715, 640], [705, 670], [740, 680]], float)
RIGHT = np.array([[580, 300], [560, 480], [565, 640], [575, 670], [540, 680]], float)


def frame(value: int = 128) -> np.ndarray:
    return np.full((H, W, 3), value, np.uint8)


def state(left=KneePosition.TARGET, right=KneePosition.TARGET, banner=None) -> OverlayState:
    return OverlayState(
        left=SideState(LEFT, position=left, fppa_deg=4.0, dynamic_deg=2.0),
        right=SideState(RIGHT, position=right, note="deep flexion"),
        rep=2,
        reps_done=1,
        banner=banner,
        banner_side="left" if banner else None,
    )


def pixel(img: np.ndarray, xy: np.ndarray) -> tuple[int, ...]:
    return tuple(int(v) for v in img[int(xy[1]), int(xy[0])])


@pytest.mark.parametrize("position", list(KneePosition))
def test_knee_dot_has_the_colour_of_its_position(position):
    out = annotate(frame(), state(left=position))
    assert pixel(out, LEFT[1]) == POSITION_COLOR[position]
    assert pixel(out, RIGHT[1]) == POSITION_COLOR[KneePosition.TARGET]


def test_collapse_changes_the_knee_colour_and_shows_a_banner():
    calm = annotate(frame(), state())
    collapse = annotate(
        frame(), state(left=KneePosition.INSIDE, banner="LEFT knee collapse (FPPA +15 deg)")
    )
    assert pixel(calm, LEFT[1]) != pixel(collapse, LEFT[1])
    corner = (W - 5, 5)  # the banner spans the width; the value box stays on the left
    assert pixel(calm, np.array(corner)) == (128, 128, 128)
    red = np.array(pixel(collapse, np.array(corner)))
    assert np.allclose(red, 0.25 * 128 + 0.75 * np.array(BANNER_COLOR), atol=2)


def test_annotate_returns_a_new_frame_and_leaves_its_input():
    src = frame()
    before = src.copy()
    out = annotate(src, state(banner="x"))
    assert out is not src and not np.shares_memory(out, src)
    assert np.array_equal(src, before)
    assert out.shape == src.shape and out.dtype == np.uint8


def test_value_box_states_values_and_why_not():
    text = " | ".join(t for t, _ in info_lines(state()))
    assert "left knee: FPPA +4 deg (+2 vs standing)" in text
    assert "right knee: FPPA not assessable (deep flexion)" in text
    assert "rep 2" in text and "reps done: 1" in text


def test_labels_are_the_subjects_sides():
    out = annotate(frame(0), state())
    # "L" is drawn outward of the left knee (image right), "R" outward of the right knee.
    right_of_left_knee = out[470:495, 732:760]
    left_of_right_knee = out[470:495, 520:548]
    assert right_of_left_knee.max() == 255 and left_of_right_knee.max() == 255


def test_blur_changes_the_face_and_not_the_legs():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    box = np.array([600, 100, 680, 200])
    out = blur_face(img, box)
    assert not np.array_equal(out[100:201, 600:681], img[100:201, 600:681])
    assert np.array_equal(out[300:, :], img[300:, :])
    assert np.array_equal(blur_face(img, np.array([-1, -1, -1, -1])), img)


def test_face_boxes_cover_the_head_and_fill_short_gaps():
    xy = np.full((40, 33, 2), np.nan)
    xy[:, :11] = [640.0, 150.0]
    xy[:, 7], xy[:, 8] = [670.0, 150.0], [610.0, 150.0]  # ears
    xy[10:13] = np.nan  # a few missed detections
    xy[30:] = np.nan  # a long gap
    boxes = face_boxes(xy, W, H, reach=5)
    x0, y0, x1, y1 = boxes[0]
    assert x0 < 610 and x1 > 670 and y0 < 120 and y1 > 170
    assert (boxes[11] >= 0).all()
    assert (boxes[39] == -1).all()


def test_target_zone_lies_lateral_of_the_foot():
    pts = np.stack([LEFT, LEFT])
    zone = target_zones(pts, np.array([RIGHT[0], RIGHT[0]]), 0.75, 0.224)
    medial, lateral = zone[0]
    assert lateral[0] > medial[0]  # left leg: lateral is the image's right
    width = 0.224 * np.linalg.norm(LEFT[1] - LEFT[2])
    assert np.linalg.norm(lateral - medial) == pytest.approx(0.75 * width, rel=1e-6)


def test_key_frame_strip_has_one_panel_per_frame():
    st = state()
    box = leg_box(st, (H, W, 3))
    assert box[0] < 540 and box[2] > 740 and box[1] < 300 and box[3] > 680
    panels = [key_frame_panel(frame(), st, f"rep {k}, left knee, {k}.0 s") for k in range(3)]
    strip = key_frame_strip(panels)
    assert strip.shape[0] == panels[0].shape[0]
    white = (strip == 255).all(axis=(0, 2))
    runs = np.flatnonzero(np.diff(white.astype(int)) == 1)
    assert len(runs) == 2  # two gaps between three panels
