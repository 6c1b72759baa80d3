"""The live HUD, drawn to images and checked by region: knee colours per class, mirrored
sides, the set-up screen, countdown, rep counter, cue banner and summary; and once in a real
OpenCV window under Xvfb (`valguscam live` without --headless)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from valguscam.draw.hud import (
    CUE_COLOR,
    SETUP_COLOR,
    HudState,
    mirror_state,
    render_hud,
    render_summary,
)
from valguscam.draw.overlay import POSITION_COLOR, WHITE
from valguscam.draw.overlay_state import OverlayState, SideState
from valguscam.types import KneePosition

H, W = 720, 1280
VALGUSCAM = str(Path(sys.executable).parent / "valguscam")  # the installed command


def _leg(x: float, position: KneePosition) -> SideState:
    """A standing leg at image column x: hip, knee, ankle, heel, toe (pixels)."""
    pts = np.array([[x, 300], [x, 450], [x, 600], [x - 5, 615], [x + 5, 630]], float)
    zone = np.array([[x, 620], [x + 30, 620]], float)
    return SideState(points=pts, position=position, fppa_deg=3.0, zone=zone)


def _state(**kw) -> HudState:
    """The subject faces the camera: their LEFT leg is on the image's RIGHT (x = 800)."""
    overlay = OverlayState(_leg(800, KneePosition.INSIDE), _leg(480, KneePosition.TARGET))
    return HudState(overlay=overlay, **kw)


def _near(img: np.ndarray, color, tol: int = 40) -> np.ndarray:
    return np.abs(img.astype(int) - np.array(color)).sum(axis=2) < tol


def _columns(img: np.ndarray, color) -> np.ndarray:
    return np.nonzero(_near(img, color))[1]


FRAME = np.full((H, W, 3), 90, np.uint8)


@pytest.mark.parametrize("mirror", [False, True])
def test_knee_colours_follow_the_class_and_sides_follow_the_mirror(mirror):
    img = render_hud(FRAME, _state(), mirror=mirror)
    inside = _columns(img[400:500], POSITION_COLOR[KneePosition.INSIDE])
    target = _columns(img[400:500], POSITION_COLOR[KneePosition.TARGET])
    assert inside.size > 50 and target.size > 50
    # unmirrored: the left knee (inside, vermillion) at x ~ 800; mirrored: at x ~ 1279 - 800
    want_inside = W - 1 - 800 if mirror else 800
    want_target = W - 1 - 480 if mirror else 480
    assert abs(np.median(inside) - want_inside) < 20
    assert abs(np.median(target) - want_target) < 20


def test_mirror_state_flips_x_only_and_keeps_sides():
    state = _state().overlay
    flipped = mirror_state(state, W)
    assert flipped.left.position is KneePosition.INSIDE
    np.testing.assert_allclose(flipped.left.points[:, 0], W - 1 - state.left.points[:, 0])
    np.testing.assert_allclose(flipped.left.points[:, 1], state.left.points[:, 1])
    assert state.left.points[0, 0] == 800  # the input is not changed


def test_setup_screen_draws_a_panel_with_its_words():
    plain = render_hud(FRAME, _state())
    setup = render_hud(FRAME, _state(problems=("feet cut off: tilt the camera down",)))
    bottom = slice(2 * H // 3, H)
    assert _near(setup[bottom], SETUP_COLOR).mean() > 0.003
    assert _near(plain[bottom], SETUP_COLOR).mean() == 0
    assert _near(setup[bottom], WHITE).sum() > _near(plain[bottom], WHITE).sum() + 500


def test_countdown_rep_counter_and_cue():
    base = render_hud(FRAME, _state())
    count = render_hud(FRAME, _state(countdown_s=2.0))
    middle = slice(int(0.45 * H), int(0.62 * H))
    assert _near(count[middle, 560:720], WHITE).sum() > _near(base[middle, 560:720], WHITE).sum()
    reps = render_hud(FRAME, _state(reps=7))
    corner = (slice(0, 80), slice(W - 300, W))
    assert _near(reps[corner], WHITE).sum() > _near(base[corner], WHITE).sum() + 300
    with_cue = render_hud(FRAME, _state(cue="left knee: knee over the mid-outside of your foot"))
    bottom = slice(H - 110, H - 30)
    assert _near(with_cue[bottom], CUE_COLOR).sum() > 500
    assert _near(base[bottom], CUE_COLOR).sum() == 0


def test_text_scales_with_the_frame():
    small = render_hud(np.full((360, 640, 3), 90, np.uint8), HudState(_state().overlay, reps=3))
    big = render_hud(np.full((1440, 2560, 3), 90, np.uint8), HudState(_state().overlay, reps=3))
    n_small = _near(small[:, 320:], WHITE).sum()
    n_big = _near(big[:, 1280:], WHITE).sum()
    assert 8 < n_big / n_small < 32  # about (2560 / 640) ** 2 = 16 times the pixels


def test_summary_screen():
    img = render_summary(W, H, "session summary", ["reps: 5", "left knee: ok"])
    assert img.shape == (H, W, 3)
    assert _near(img[40:100], (120, 230, 120)).sum() > 200  # the title
    assert _near(img[120:240], WHITE).sum() > 200  # the lines


def test_live_in_a_real_window_under_xvfb(tmp_path, clip_path):
    """`valguscam live` with its window (no --headless) on an X server in memory (Xvfb)."""
    xvfb = shutil.which("xvfb-run")
    assert xvfb, "xvfb-run is missing: apt-get install xvfb (.ci/run installs it)"
    clip = clip_path("sample:squats.mp4")
    cmd = [xvfb, "-a", VALGUSCAM, "live", "--source",
           str(clip), "--duration", "2", "--out", str(tmp_path), "--mirror"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    live = json.loads((tmp_path / "squats" / "report.json").read_text())["live"]
    assert live["frames_processed"] >= 5 and live["mirrored"] is True
    assert (tmp_path / "squats" / "summary.png").is_file()


def test_no_display_without_headless_is_one_line(tmp_path, clip_path):
    """Without a display OpenCV's window would abort the process: one line and exit 2."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    cmd = [VALGUSCAM, "live", "--source",
           str(clip_path("sample:squats.mp4")), "--out", str(tmp_path)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--headless" in lines[0]
