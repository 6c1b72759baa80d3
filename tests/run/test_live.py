"""`valguscam live` end to end: a sample clip played in real time as if it were a camera.

The real model on real video (sample_videos/squats.mp4: goblet squats filmed from the front),
frames paced at their timestamps by the capture thread and dropped when the pipeline is busy.
Each session is a few seconds (--duration) so the default suite stays fast.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from valguscam.cli.main import cli
from valguscam.config import Config
from valguscam.landmarks import Landmark
from valguscam.media.sources import VideoFileSource
from valguscam.run.live import LiveOptions, LiveResult, run_live

SECONDS = 3.0


@pytest.fixture(scope="module")
def sessions(tmp_path_factory, clip_path) -> dict[bool, LiveResult]:
    """One short session with the display mirrored (and recorded) and one without."""
    clip = clip_path("sample:squats.mp4")
    out = {}
    for mirror in (True, False):
        opts = LiveOptions(
            camera=None, source=clip, mirror=mirror, headless=True, duration_s=SECONDS,
            out_dir=tmp_path_factory.mktemp(f"mirror{mirror}"), record=mirror,
        )  # fmt: skip
        out[mirror] = run_live(opts, Config())
    return out


def _rows(folder: Path) -> list[dict[str, str]]:
    with open(folder / "frames.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_session_writes_the_analyze_files_and_a_live_section(sessions):
    folder = sessions[False].out_dir
    report = json.loads((folder / "report.json").read_text())
    live = report["live"]
    assert live["frames_processed"] >= 10
    assert live["frames_captured"] == live["frames_processed"] + live["frames_dropped"]
    # Paced in real time: about SECONDS x 30 fps were captured, not the whole 12 s clip.
    assert 0.6 * SECONDS * 30 <= live["frames_captured"] <= SECONDS * 30 + 5
    lat = live["latency_ms"]
    assert 0 < lat["p50"] <= lat["p95"] <= lat["max"]
    assert live["mirrored"] is False and live["ended"] == "duration"
    assert report["quality"]["frames"] == live["frames_processed"] == len(_rows(folder))
    assert {"reps", "summary", "baseline", "config"} <= report.keys()
    assert {"frames.csv", "report.json"} <= set(report["files"])
    assert (folder / "summary.png").is_file()


def test_record_writes_raw_and_hud_video(sessions):
    folder = sessions[True].out_dir
    n = json.loads((folder / "report.json").read_text())["live"]["frames_processed"]
    for name in ("raw.mp4", "hud.mp4"):
        info = VideoFileSource(folder / name).info
        assert (info.width, info.height) == (1280, 720)
        assert info.frame_count == n


@pytest.mark.parametrize("mirror", [True, False])
def test_sides_are_the_subjects_with_and_without_mirror(sessions, mirror):
    """Facing the camera, the subject's left knee is on the image's right: the landmarks are
    estimated on the unmirrored frame whatever the display does (the drawing's mirroring is
    tests/draw/test_hud.py)."""
    result = sessions[mirror]
    assert result.stats.to_dict()["frames_processed"] >= 10
    xy = result.analysis.track.xy
    seen = np.isfinite(xy[:, [Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE], 0]).all(axis=1)
    left_x = xy[seen, Landmark.LEFT_KNEE, 0]
    right_x = xy[seen, Landmark.RIGHT_KNEE, 0]
    assert seen.sum() >= 10 and (left_x > right_x).all()
    hips = xy[seen][:, [Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 0]
    assert (hips[:, 0] > hips[:, 1]).all()


class _StoppingWebcam(VideoFileSource):
    """A camera whose stream stops after `stop_s` seconds, as an unplugged webcam's does: a real
    clip read through a source of the webcam kind (there is no webcam on this machine)."""

    def __init__(self, path: Path, stop_s: float):
        super().__init__(path)
        self.info = replace(self.info, kind="webcam", path="webcam:0")
        self.stop_s = stop_s

    def _frames(self):
        for frame in super()._frames():
            if frame.t_s > self.stop_s:
                return
            yield frame


def test_a_camera_that_stops_saves_the_session(tmp_path, clip_path):
    source = _StoppingWebcam(clip_path("sample:squats.mp4"), stop_s=2.0)
    opts = LiveOptions(camera=None, source=Path("paced"), headless=True, out_dir=tmp_path)
    result = run_live(opts, Config(), source=source)
    assert result.ended == "camera"
    assert "stopped sending frames" in result.error and "saved" in result.error
    report = json.loads((result.out_dir / "report.json").read_text())
    assert report["live"]["frames_processed"] >= 10 and report["live"]["ended"] == "camera"


def test_missing_camera_is_one_line_and_exit_2(tmp_path):
    result = CliRunner().invoke(cli, ["live", "--camera", "9", "--headless", "--out",
                                      str(tmp_path)])  # fmt: skip
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "webcam 9" in lines[0] and "Traceback" not in result.output


def test_bad_source_and_both_inputs(tmp_path, clip_path):
    result = CliRunner().invoke(cli, ["live", "--source", str(tmp_path / "no.mp4"), "--headless"])
    assert result.exit_code == 2 and "is not a file" in result.output
    clip = str(clip_path("sample:squats.mp4"))
    result = CliRunner().invoke(cli, ["live", "--source", clip, "--camera", "0", "--headless"])
    assert result.exit_code == 2 and "pass one of them" in result.output


def test_bad_model_is_one_line_and_exit_3(tmp_path, clip_path):
    clip = str(clip_path("sample:squats.mp4"))
    args = ["live", "--source", clip, "--headless", "--model", str(tmp_path / "no.task"),
            "--out", str(tmp_path)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 3
    assert len(result.output.strip().splitlines()) == 1 and "no.task" in result.output


def test_blur_faces_blurs_the_recorded_face_not_the_legs(clip_path, tmp_path):
    """--blur-faces: raw.mp4 (and so hud.mp4 and snapshots, drawn from the same frame) shows
    the head blurred, the legs as filmed."""
    import av

    from valguscam.draw.overlay_state import face_boxes

    clip = clip_path("sample:squats.mp4")
    opts = LiveOptions(camera=None, source=clip, headless=True, duration_s=2.0, out_dir=tmp_path,
                       record=True, blur_faces=True)  # fmt: skip
    result = run_live(opts, Config())
    with av.open(str(result.out_dir / "raw.mp4")) as rec:
        first = next(rec.decode(video=0))
        recorded, t0 = first.to_ndarray(format="rgb24").astype(int), float(first.time)
    with av.open(str(clip)) as src:
        original = (
            next(f for f in src.decode(video=0) if abs(float(f.time) - t0) < 0.005)
            .to_ndarray(format="rgb24")
            .astype(int)
        )
    track = result.analysis.track
    x0, y0, x1, y1 = face_boxes(track.xy[:1], track.width, track.height)[0]
    assert x0 >= 0
    face = np.abs(recorded[y0:y1, x0:x1] - original[y0:y1, x0:x1]).mean()
    knee = track.xy[0, Landmark.LEFT_KNEE].astype(int)
    legs = np.abs(recorded - original)[knee[1] - 40 : knee[1] + 40, knee[0] - 40 : knee[0] + 40]
    assert face > 3 * legs.mean() and face > 6, (face, legs.mean())
