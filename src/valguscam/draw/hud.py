"""The live HUD of `valguscam live`: `render_hud(frame, hud) -> frame`, plus its window.

The legs, knee colours, target zones and the value box are draw/overlay.py's `annotate` (the
same picture as the annotated video); on top of it the HUD adds the set-up screen (what is
wrong with the camera placement), the baseline countdown, a big rep counter, the one live cue
(in the overlay's banner), "not assessable" words, fps and latency, and a summary screen.

Sides: the estimator runs on the unmirrored frame; with `mirror` only the picture is flipped
and every point's x with it (`mirror_state`), so the "L" label stays at the subject's left knee.
All sizes scale with the frame height (readable from 2-3 m on a laptop screen).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from valguscam.draw.overlay import FONT, WHITE, annotate, outlined_text
from valguscam.draw.overlay_state import OverlayState, SideState

SETUP_COLOR = (255, 200, 40)  # amber: something to fix before counting
OK_COLOR = (120, 230, 120)
CUE_COLOR = (255, 120, 90)  # a light red that reads on the dark band
PANEL_SHIFT = 2  # a text panel darkens the picture to 1 / 2**PANEL_SHIFT (fast, in place)


@dataclass(frozen=True)
class HudState:
    """What the HUD shows besides the overlay, in one frame.

    overlay: legs, values, reps (draw/overlay_state.OverlayState, unmirrored pixels).
    problems: set-up problems to fix (empty = placement is right); shown as the set-up screen.
    countdown_s: seconds left of the standing-baseline countdown, or None when not counting.
    status: one line under the counter (e.g. "baseline taken: L +2 R +0 deg"), or None.
    reps: reps counted so far, or None before counting starts.
    stats: e.g. "29 fps  latency 31 ms", or None. paused: show "PAUSED".
    cue: the one coaching cue on screen (large, bottom centre, readable from 2-3 m), or None.
    """

    overlay: OverlayState
    problems: tuple[str, ...] = ()
    countdown_s: float | None = None
    status: str | None = None
    reps: int | None = None
    stats: str | None = None
    paused: bool = False
    cue: str | None = None


def _mirror_side(side: SideState, width: int) -> SideState:
    pts = side.points.copy()
    pts[:, 0] = width - 1 - pts[:, 0]
    zone = None
    if side.zone is not None:
        zone = side.zone.copy()
        zone[:, 0] = width - 1 - zone[:, 0]
    return replace(side, points=pts, zone=zone)


def mirror_state(state: OverlayState, width: int) -> OverlayState:
    """`state` with every x flipped for a mirrored picture (width pixels); sides unchanged."""
    return replace(
        state, left=_mirror_side(state.left, width), right=_mirror_side(state.right, width)
    )


def _panel(img: np.ndarray, y0: int, y1: int) -> None:
    roi = img[max(y0, 0) : min(y1, img.shape[0])]
    np.right_shift(roi, PANEL_SHIFT, out=roi)


def _centered(img: np.ndarray, text: str, y: float, fs: float, color, scale: float) -> None:
    thick = max(1, int(2 * scale))
    w = cv2.getTextSize(text, FONT, fs, thick)[0][0]
    fs *= min(1.0, (img.shape[1] - 20 * scale) / max(w, 1))
    w = cv2.getTextSize(text, FONT, fs, thick)[0][0]
    outlined_text(img, text, ((img.shape[1] - w) / 2, y), fs, color, scale)


def _setup(img: np.ndarray, problems: tuple[str, ...], scale: float) -> None:
    """The set-up screen: a bottom panel listing what to fix."""
    step = 40 * scale
    y0 = int(img.shape[0] - step * (len(problems) + 1.6))
    _panel(img, y0, img.shape[0])
    _centered(img, "SET-UP: fix the camera placement", y0 + step, 1.0 * scale, SETUP_COLOR, scale)
    for k, text in enumerate(problems):
        _centered(img, text, y0 + step * (k + 2), 0.9 * scale, WHITE, scale)


def _countdown(img: np.ndarray, seconds: float, scale: float) -> None:
    h = img.shape[0]
    _panel(img, int(0.35 * h), int(0.65 * h))
    _centered(img, "stand still: taking your standing baseline", 0.42 * h, 0.9 * scale,
              OK_COLOR, scale)  # fmt: skip
    _centered(img, f"{max(seconds, 0.0):.0f}", 0.6 * h, 3.0 * scale, WHITE, scale)


def _right_lines(hud: HudState, scale: float) -> list[tuple[str, float, float]]:
    """(text, font scale, baseline y) of the top-right block: rep counter, status, PAUSED."""
    out = []
    if hud.reps is not None:
        out.append((f"REPS {hud.reps}", 1.6 * scale, 60 * scale))
    extra = [t for t in (hud.status, "PAUSED" if hud.paused else None) if t]
    out += [(t, 0.6 * scale, (95 + 28 * k) * scale) for k, t in enumerate(extra)]
    return out


def _cue(img: np.ndarray, text: str, scale: float) -> None:
    """The cue: large text on a dark band near the bottom."""
    h = img.shape[0]
    _panel(img, int(h - 110 * scale), int(h - 30 * scale))
    _centered(img, text, h - 55 * scale, 1.4 * scale, CUE_COLOR, scale)


def _corner(img: np.ndarray, hud: HudState, scale: float) -> None:
    """Top-right on a dark box: the rep counter and status; bottom-right: fps and latency."""
    w, h = img.shape[1], img.shape[0]
    lines = _right_lines(hud, scale)
    thick = max(1, int(2 * scale))
    if lines:
        widths = [cv2.getTextSize(t, FONT, fs, thick)[0][0] for t, fs, _ in lines]
        x0 = int(w - max(widths) - 28 * scale)
        roi = img[0 : int(lines[-1][2] + 14 * scale), max(x0, 0) :]
        np.right_shift(roi, PANEL_SHIFT, out=roi)
        for (text, fs, y), tw in zip(lines, widths, strict=True):
            outlined_text(img, text, (w - tw - 16 * scale, y), fs, WHITE, scale)
    if hud.stats:
        fs = 0.55 * scale
        tw = cv2.getTextSize(hud.stats, FONT, fs, thick)[0][0]
        outlined_text(img, hud.stats, (w - tw - 12 * scale, h - 12 * scale), fs, WHITE, scale)


def render_hud(frame: np.ndarray, hud: HudState, mirror: bool = False) -> np.ndarray:
    """A new (H, W, 3) uint8 RGB picture of the HUD over `frame` (unmirrored camera RGB);
    `mirror` flips the picture and the drawing together (sides stay the subject's)."""
    state = hud.overlay
    if mirror:
        frame = cv2.flip(frame, 1)  # a contiguous copy; a [:, ::-1] view is slow to copy
        state = mirror_state(state, frame.shape[1])
    out = annotate(frame, state, copy=not mirror)  # the flip is a copy already
    scale = out.shape[0] / 720.0
    _corner(out, hud, scale)
    if hud.problems:
        _setup(out, hud.problems, scale)
    elif hud.countdown_s is not None:
        _countdown(out, hud.countdown_s, scale)
    elif hud.cue:
        _cue(out, hud.cue, scale)
    return out


def render_summary(width: int, height: int, title: str, lines: list[str]) -> np.ndarray:
    """The end-of-session screen: (height, width, 3) uint8 RGB, dark, `title` then `lines`."""
    img = np.full((height, width, 3), 24, np.uint8)
    scale = height / 720.0
    _centered(img, title, 80 * scale, 1.3 * scale, OK_COLOR, scale)
    for k, text in enumerate(lines):
        outlined_text(img, text, (40 * scale, (150 + 42 * k) * scale), 0.8 * scale, WHITE, scale)
    return img


def save_png(path: str | Path, rgb: np.ndarray) -> Path:
    """Write an RGB picture as PNG (a HUD snapshot); returns the path. OSError if it fails."""
    path = Path(path)
    if not cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)):
        raise OSError(f"could not write {path}")
    return path


class HudWindow:
    """An OpenCV HighGUI window showing the HUD, as a context manager.

    show(rgb) draws a picture and returns the key pressed within wait_ms (a lower-case
    character, "esc", "space" or None). A display that cannot open raises RuntimeError.
    """

    KEYS = {27: "esc", 32: "space"}

    def __init__(self, title: str = "valguscam live", wait_ms: int = 1):
        self.title, self.wait_ms = title, wait_ms
        self._open = False

    def __enter__(self) -> HudWindow:
        if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):  # OpenCV's Qt backend aborts the process without a display: refuse first
            raise RuntimeError("no display for the HUD window (DISPLAY is not set)")
        try:
            cv2.namedWindow(self.title, cv2.WINDOW_NORMAL)
        except cv2.error as exc:
            raise RuntimeError(f"no display for the HUD window ({exc})") from None
        self._open = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._open:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
            self._open = False

    def show(self, rgb: np.ndarray) -> str | None:
        cv2.imshow(self.title, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        key = cv2.waitKey(self.wait_ms) & 0xFF
        if key == 0xFF:
            return None
        return self.KEYS.get(key, chr(key).lower())

    def visible(self) -> bool:
        """False once the user closed the window."""
        try:
            return cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) >= 1
        except cv2.error:
            return False
