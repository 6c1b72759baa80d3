"""The set-up screen of `valguscam live` on real clips with the real model: a side view and a
clip with the feet cut off get the set-up screen (and no reps are counted before the camera
placement is right); a frontal clip with the whole body in view does not."""

from __future__ import annotations

import json

import numpy as np
import pytest

from valguscam.config import Config
from valguscam.draw.hud import SETUP_COLOR
from valguscam.media.sources import VideoFileSource
from valguscam.media.writer import VideoWriter
from valguscam.run.live import LiveOptions, run_live
from valguscam.run.live_setup import FEET_CUT, SIDEWAYS

SECONDS = 2.0


def _session(clip, out):
    opts = LiveOptions(camera=None, source=clip, headless=True, duration_s=SECONDS,
                       out_dir=out, record=True)  # fmt: skip
    result = run_live(opts, Config())
    return result, json.loads((result.out_dir / "report.json").read_text())["live"]


@pytest.fixture(scope="module")
def feet_cut_clip(tmp_path_factory, clip_path):
    """The first seconds of sample squats.mp4 with the bottom 20 % (the feet) cut off."""
    path = tmp_path_factory.mktemp("cut") / "feet_cut.mp4"
    with VideoFileSource(clip_path("sample:squats.mp4")) as src:
        keep = int(0.8 * src.info.height) // 2 * 2
        with VideoWriter(path, src.info.width, keep, fps=src.info.fps, preset="ultrafast") as w:
            for frame in src:
                if frame.t_s > SECONDS + 0.5:
                    break
                w.write(frame.rgb[:keep], frame.t_s)
    return path


def _amber_share(rgb: np.ndarray) -> float:
    """Share of the bottom third's pixels in the set-up title's amber."""
    bottom = rgb[2 * rgb.shape[0] // 3 :].astype(int)
    close = np.abs(bottom - np.array(SETUP_COLOR)).sum(axis=2) < 60
    return float(close.mean())


def _first_hud_frame(folder) -> np.ndarray:
    with VideoFileSource(folder / "hud.mp4") as src:
        for frame in src:
            if frame.index == 5:
                return frame.rgb
    raise AssertionError("hud.mp4 has fewer than 6 frames")


@pytest.mark.parametrize(("clip", "problem"), [("side", SIDEWAYS), ("feet_cut", FEET_CUT)])
def test_setup_screen_names_the_problem(clip, problem, tmp_path, clip_path, feet_cut_clip):
    path = clip_path("sample:lunge.mp4") if clip == "side" else feet_cut_clip
    result, live = _session(path, tmp_path)
    assert problem in live["setup_problems"]
    assert live["live_reps"] == 0  # nothing is counted before the placement is right
    assert _amber_share(_first_hud_frame(result.out_dir)) > 0.002


def test_no_setup_screen_when_the_placement_is_right(tmp_path, clip_path):
    result, live = _session(clip_path("sample:squats.mp4"), tmp_path)
    assert live["setup_problems"] == []
    assert _amber_share(_first_hud_frame(result.out_dir)) < 0.0005
