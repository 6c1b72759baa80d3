"""The video overlay: `annotate(frame, state) -> frame`, pure drawing with OpenCV.

Draws on an upright (H, W, 3) uint8 RGB frame and returns a new array (the input is never
changed): per leg the hip-knee-ankle-heel-toe lines, the knee->ankle line and a knee dot
coloured by where the knee is over the foot, an "L"/"R" label (the SUBJECT's side) beside each
knee, the foot's target zone (mid-outside of the foot) as a bar at mid-foot, a box of live
values, the rep counter and a red banner while a collapse event is active. Sizes scale with the
frame height. Shared by the annotated video (run/render.py) and the live HUD; no file access.
The per-frame states come from draw/overlay_state.py.
"""

from __future__ import annotations

import cv2
import numpy as np

from valguscam.draw.overlay_state import (
    SIDES,
    OverlayState,
    SideState,
    states_from_analysis,
)
from valguscam.types import KneePosition

__all__ = ["POSITION_COLOR", "OverlayState", "SideState", "annotate", "states_from_analysis"]


def _rgb(hex_code: str) -> tuple[int, int, int]:
    h = hex_code.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


POSITION_COLOR: dict[KneePosition, tuple[int, int, int]] = {
    KneePosition.TARGET: _rgb("#009E73"),  # Okabe-Ito bluish green: over the mid-outside
    KneePosition.BIG_TOE: _rgb("#E69F00"),  # orange: on the big-toe line
    KneePosition.INSIDE: _rgb("#D55E00"),  # vermillion: inside the big toe (the fault)
    KneePosition.OUTSIDE: _rgb("#56B4E9"),  # sky blue: lateral of the foot
    KneePosition.UNKNOWN: _rgb("#BBBBBB"),  # grey: not placed
}
"""Knee dot and knee->ankle line colour by KneePosition (RGB, colour-blind safe)."""
ZONE_COLOR = POSITION_COLOR[KneePosition.TARGET]
BANNER_COLOR = (200, 20, 20)
WHITE, BLACK = (255, 255, 255), (0, 0, 0)
FONT = cv2.FONT_HERSHEY_SIMPLEX
POSITION_WORDS = {
    KneePosition.TARGET: "over mid-outside",
    KneePosition.BIG_TOE: "over big toe",
    KneePosition.INSIDE: "inside big toe",
    KneePosition.OUTSIDE: "outside foot",
}

LEGEND_TITLE = "knee over foot: "
LEGEND = {
    KneePosition.TARGET: "mid-outside",
    KneePosition.BIG_TOE: "big toe",
    KneePosition.INSIDE: "inside",
    KneePosition.OUTSIDE: "outside",
    KneePosition.UNKNOWN: "not placed",
}
"""The colour legend of the value box (words drawn in their knee colours)."""


def annotate(frame: np.ndarray, state: OverlayState, copy: bool = True) -> np.ndarray:
    """A copy of `frame` ((H, W, 3) uint8 RGB) with the overlay of `state` drawn on it;
    copy=False draws into `frame` itself (a C-contiguous uint8 picture of the caller's)."""
    out = np.array(frame, dtype=np.uint8, copy=True, order="C") if copy else frame
    scale = out.shape[0] / 720.0
    draw_legs(out, state, scale)
    top = _banner(out, state.banner, scale) if state.banner else 0
    _info_box(out, state, scale, top)
    return out


def draw_legs(img: np.ndarray, state: OverlayState, scale: float) -> None:
    """Draw both legs of `state` into `img` in place (leg lines, zone, knee dot, L/R label)."""
    knees = {s: state.side(s).points[1] for s in SIDES}
    for s in SIDES:
        other = knees["right" if s == "left" else "left"]
        _leg(img, state.side(s), "L" if s == "left" else "R", other, scale)


def _pt(p: np.ndarray) -> tuple[int, int]:
    return int(round(float(p[0]))), int(round(float(p[1])))


def _line(img, a, b, color, width: int) -> None:
    """A line with a dark outline, skipped when an end is unknown."""
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return
    cv2.line(img, _pt(a), _pt(b), BLACK, width + 2, cv2.LINE_AA)
    cv2.line(img, _pt(a), _pt(b), color, width, cv2.LINE_AA)


def _leg(img, side: SideState, label: str, other_knee: np.ndarray, scale: float) -> None:
    hip, knee, ankle, heel, toe = side.points
    w = max(2, int(round(3 * scale)))
    color = POSITION_COLOR[side.position]
    if side.zone is not None:
        _line(img, side.zone[0], side.zone[1], ZONE_COLOR, max(4, int(round(7 * scale))))
    for a, b in ((hip, knee), (ankle, heel), (heel, toe), (toe, ankle)):
        _line(img, a, b, WHITE, w)
    _line(img, knee, ankle, color, w + 1)
    if not np.isfinite(knee).all():
        return
    r = max(5, int(round(9 * scale)))
    cv2.circle(img, _pt(knee), r + 2, BLACK, -1, cv2.LINE_AA)
    cv2.circle(img, _pt(knee), r, color, -1, cv2.LINE_AA)
    outward = 1.0
    if np.isfinite(other_knee).all():
        outward = 1.0 if knee[0] >= other_knee[0] else -1.0
    fs = 0.8 * scale
    (tw, th), _ = cv2.getTextSize(label, FONT, fs, max(1, int(2 * scale)))
    x = knee[0] + outward * (r + 6 * scale) - (tw if outward < 0 else 0)
    outlined_text(img, label, (x, knee[1] + th / 2), fs, WHITE, scale)


def outlined_text(img, text: str, org, fs: float, color, scale: float) -> None:
    """Text with a black outline so it reads on any background; org = bottom-left, pixels."""
    th = max(1, int(round(2 * scale)))
    p = _pt(np.asarray(org, float))
    cv2.putText(img, text, p, FONT, fs, BLACK, th + 2 * max(1, int(scale)), cv2.LINE_AA)
    cv2.putText(img, text, p, FONT, fs, color, th, cv2.LINE_AA)


def _banner(img: np.ndarray, text: str, scale: float) -> int:
    """Red full-width banner at the top; returns its height in pixels."""
    h = int(round(44 * scale))
    img[:h] = (0.25 * img[:h] + 0.75 * np.array(BANNER_COLOR)).astype(np.uint8)
    fs = 0.75 * scale
    size = cv2.getTextSize(text, FONT, fs, max(1, int(2 * scale)))[0]
    fs *= min(1.0, (img.shape[1] - 20 * scale) / max(size[0], 1))
    outlined_text(img, text, (10 * scale, h * 0.68), fs, WHITE, scale)
    return h


def side_line(name: str, side: SideState) -> str:
    """The live values of one side, e.g. "left knee: FPPA +3 deg (+1 from standing)"."""
    if side.fppa_deg is not None:
        text = f"{name} knee: FPPA {side.fppa_deg:+.0f} deg"
        if side.dynamic_deg is not None:
            text += f" ({side.dynamic_deg:+.0f} vs standing)"
    else:
        text = f"{name} knee: FPPA not assessable ({side.note or 'no data'})"
    return text


def _detail_line(side: SideState) -> str | None:
    parts = []
    if side.position in POSITION_WORDS:
        parts.append(POSITION_WORDS[side.position])
    if side.travel_tl is not None:
        way = "inward" if side.travel_tl > 0 else "outward"
        parts.append(f"moved {abs(side.travel_tl):.2f} thigh lengths {way}")
    return "  " + ", ".join(parts) if parts else None


def info_lines(state: OverlayState) -> list[tuple[str, tuple[int, int, int]]]:
    """(text, colour) lines of the corner box: per side values, then the rep counter."""
    lines: list[tuple[str, tuple[int, int, int]]] = []
    for s in SIDES:
        side = state.side(s)
        lines.append((side_line(s, side), WHITE))
        detail = _detail_line(side)
        if detail:
            lines.append((detail, POSITION_COLOR[side.position]))
    rep = f"rep {state.rep}" if state.rep is not None else "between reps"
    extra = f"   {state.fps_text}" if state.fps_text else ""
    lines.append((f"{rep}   reps done: {state.reps_done}{extra}", WHITE))
    return lines


def _info_box(img: np.ndarray, state: OverlayState, scale: float, top: int) -> None:
    """Semi-transparent box of live values in the top-left corner, below the banner."""
    lines = info_lines(state)
    fs = 0.55 * scale
    thick = max(1, int(2 * scale))
    step = int(round(24 * scale))
    legend = [(f"{word}  ", POSITION_COLOR[p]) for p, word in LEGEND.items()]
    rows = [*lines, (LEGEND_TITLE + "".join(t for t, _ in legend), WHITE)]
    width = max(cv2.getTextSize(t, FONT, fs, thick)[0][0] for t, _ in rows)
    pad = int(round(8 * scale))
    x1 = min(img.shape[1], width + 2 * pad)
    y0, y1 = top, min(img.shape[0], top + len(rows) * step + pad)
    roi = img[y0:y1, :x1]
    np.right_shift(roi, 2, out=roi)  # darkened to 1/4, in place (a float blend costs 5x)
    for k, (text, color) in enumerate(lines):
        outlined_text(img, text, (pad, y0 + (k + 1) * step - 4 * scale), fs, color, scale)
    x, y = float(pad), y0 + len(rows) * step - 4 * scale
    for text, color in [(LEGEND_TITLE, WHITE), *legend]:  # the knee colours, one word each
        outlined_text(img, text, (x, y), fs, color, scale)
        x += cv2.getTextSize(text, FONT, fs, thick)[0][0]


def blur_face(frame: np.ndarray, box: np.ndarray) -> np.ndarray:
    """A copy of `frame` ((H, W, 3) uint8) with a strong Gaussian blur inside `box`
    (x0, y0, x1, y1 pixels, from overlay_state.face_boxes); unchanged copy when x0 < 0."""
    out = np.array(frame, dtype=np.uint8, copy=True, order="C")
    x0, y0, x1, y1 = (int(v) for v in box)
    if x0 < 0 or x1 <= x0 or y1 <= y0:
        return out
    roi = out[y0 : y1 + 1, x0 : x1 + 1]
    small = cv2.resize(roi, (max(1, roi.shape[1] // 8), max(1, roi.shape[0] // 8)),
                       interpolation=cv2.INTER_AREA)  # fmt: skip
    k = max(3, (min(small.shape[:2]) // 2) | 1)
    small = cv2.GaussianBlur(small, (k, k), 0)
    roi[:] = cv2.resize(small, (roi.shape[1], roi.shape[0]), interpolation=cv2.INTER_LINEAR)
    return out
