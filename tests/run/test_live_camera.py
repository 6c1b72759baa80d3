"""The capture thread of `valguscam live` (media/camera.py) on a real clip played in real time:
it hands over the newest frame, never a stale one, and counts what a slow consumer missed."""

from __future__ import annotations

import time

import numpy as np

from valguscam.media.camera import LatestFrame, downscale
from valguscam.media.sources import VideoFileSource


def test_a_slow_consumer_gets_the_newest_frame_and_drops_are_counted(clip_path):
    fps = 30.0
    got = []
    with LatestFrame(VideoFileSource(clip_path("sample:squats.mp4")), paced=True) as cam:
        while time.perf_counter() - cam.started_at < 1.5:
            item = cam.next(timeout_s=1.0)
            assert item is not None
            frame, captured_at = item
            behind = (time.perf_counter() - cam.started_at) - frame.t_s  # how stale it is
            got.append((frame.index, behind))
            time.sleep(0.1)  # a pipeline three times slower than the camera
        counts = cam.counts
    index = np.array([i for i, _ in got])
    assert (np.diff(index) >= 2).all()  # frames in between were skipped, none repeated
    assert max(b for _, b in got) < 0.1 + 2 / fps  # never older than one busy step
    assert counts.captured >= 40  # about 1.5 s x 30 fps were published in real time
    assert counts.dropped >= counts.captured - counts.taken - 1 >= 25
    assert counts.taken == len(got)


def test_paced_playback_follows_the_clip_clock(clip_path):
    with LatestFrame(VideoFileSource(clip_path("sample:squats.mp4")), paced=True) as cam:
        item = None
        while time.perf_counter() - cam.started_at < 1.0:
            item = cam.next(timeout_s=1.0) or item
        assert item is not None
        assert abs(item[0].t_s - 1.0) < 0.15  # the newest frame's time is the wall time
    assert not cam._thread.is_alive()  # closed on exit


def test_unpaced_source_ends_and_next_returns_none(clip_path):
    with LatestFrame(VideoFileSource(clip_path("sample:squats.mp4")), paced=False) as cam:
        assert cam.ended.wait(timeout=60)
        last = cam.next(timeout_s=0.1)
        assert last is not None and last[0].index == cam.counts.captured - 1
        assert cam.next(timeout_s=0.1) is None
        assert cam.error is None


def test_downscale_keeps_the_aspect_and_gives_the_factor_back():
    rgb = np.zeros((1920, 1080, 3), np.uint8)
    small, factor = downscale(rgb, 640)
    assert small.shape == (640, 360, 3) and factor == 3.0
    same, one = downscale(rgb[:100, :100], 640)
    assert same.shape == (100, 100, 3) and one == 1.0
