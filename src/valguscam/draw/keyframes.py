"""The key-frame strip: the frame at each collapse event's peak (each rep bottom when there are
no events), cropped to the legs, with the leg overlay and a caption, side by side in one image.

`pick_key_frames(analysis)` says which frames (pure); `key_frame_panel` crops and draws one;
`key_frame_strip` joins the panels; `save_png` writes the strip atomically. Sides are the
subject's; times are seconds from the container's timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from valguscam.draw.overlay import FONT, WHITE, draw_legs, outlined_text
from valguscam.draw.overlay_state import MEASURE_WORDS, OverlayState
from valguscam.report.atomic import atomic_open

MAX_PANELS = 6
PANEL_HEIGHT = 420
"""Pixels: every panel is scaled to this height (crop) plus its caption band."""
GAP_GREY = 255
"""The gap between panels is white (no panel column is all white: captions are dark)."""
SEVERITY_RANK = {"mild": 0, "moderate": 1, "severe": 2}


@dataclass(frozen=True)
class KeyFrame:
    """A frame of the strip: `index` into the track and its caption ("rep 2, left knee, 4.3 s")."""

    index: int
    caption: str


def pick_key_frames(analysis, limit: int = MAX_PANELS) -> list[KeyFrame]:
    """Key frames of an Analysis, in time order: the peak of each judged collapse event (the
    `limit` most severe when there are more), else each rep's bottom (the first `limit`)."""
    t_s = analysis.track.t_s
    events = list(analysis.findings.assessment.events)
    if events:
        events.sort(key=lambda e: (-SEVERITY_RANK.get(e.severity, 0), e.i_peak))
        chosen = sorted(events[:limit], key=lambda e: e.i_peak)
        return [
            KeyFrame(
                e.i_peak,
                f"{_rep(e.rep)}{e.side} knee, {t_s[e.i_peak]:.1f} s, {e.severity} "
                f"({' + '.join(MEASURE_WORDS.get(m, m) for m in e.measure.split('+'))})",
            )
            for e in chosen
        ]
    return [
        KeyFrame(r.i_bottom, f"rep {r.index + 1} bottom, {t_s[r.i_bottom]:.1f} s")
        for r in list(analysis.findings.reps)[:limit]
    ]


def _rep(rep: int | None) -> str:
    return f"rep {rep + 1}, " if rep is not None else ""


def leg_box(state: OverlayState, shape: tuple[int, ...], margin: float = 0.3) -> tuple[int, ...]:
    """(x0, y0, x1, y1) pixels: both legs' points (hips to toes) plus `margin` of the box's
    size on each side, clipped to the frame of `shape` (H, W, ...); the whole frame if no point."""
    pts = np.concatenate([state.left.points, state.right.points])
    pts = pts[np.isfinite(pts).all(axis=1)]
    h, w = shape[:2]
    if len(pts) < 2:
        return 0, 0, w, h
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = margin * np.maximum(hi - lo, 0.1 * min(w, h))
    x0, y0 = np.maximum(lo - pad, 0).astype(int)
    x1, y1 = np.minimum(hi + pad, [w, h]).astype(int)
    return int(x0), int(y0), int(x1), int(y1)


def key_frame_panel(frame: np.ndarray, state: OverlayState, caption: str) -> np.ndarray:
    """One panel: `frame` ((H, W, 3) uint8 RGB, already face-blurred if wanted) with the legs
    drawn, cropped to the legs, scaled to PANEL_HEIGHT, with `caption` in a band above."""
    img = np.array(frame, dtype=np.uint8, copy=True, order="C")
    draw_legs(img, state, img.shape[0] / 720.0)
    x0, y0, x1, y1 = leg_box(state, img.shape)
    crop = img[y0:y1, x0:x1]
    width = max(1, int(round(crop.shape[1] * PANEL_HEIGHT / max(crop.shape[0], 1))))
    crop = cv2.resize(crop, (width, PANEL_HEIGHT), interpolation=cv2.INTER_AREA)
    fs = 0.6
    tw = cv2.getTextSize(caption, FONT, fs, 2)[0][0]
    band = np.full((36, max(width, tw + 16), 3), 40, np.uint8)
    outlined_text(band, caption, (8, 25), fs, WHITE, 1.0)
    panel = np.zeros((PANEL_HEIGHT + 36, band.shape[1], 3), np.uint8)
    panel[:36] = band
    panel[36:, :width] = crop
    return panel


def key_frame_strip(panels: list[np.ndarray], gap: int = 8) -> np.ndarray:
    """The panels side by side (same height) with `gap` pixels between; (H, W, 3) uint8 RGB."""
    if not panels:
        raise ValueError("key_frame_strip needs at least one panel")
    height = max(p.shape[0] for p in panels)
    parts = []
    for k, p in enumerate(panels):
        pad = np.zeros((height, p.shape[1], 3), np.uint8)
        pad[: p.shape[0]] = p
        parts.append(pad)
        if k < len(panels) - 1:
            parts.append(np.full((height, gap, 3), GAP_GREY, np.uint8))
    return np.concatenate(parts, axis=1)


def save_png(path: str | Path, rgb: np.ndarray) -> Path:
    """Write an (H, W, 3) uint8 RGB image as PNG, atomically; returns the path."""
    ok, data = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise OSError(f"could not encode {path} as PNG")
    with atomic_open(path, "wb") as fh:
        fh.write(data.tobytes())
    return Path(path)
