"""The whole pipeline on real clips with the real model, checked against what the clips show."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import jsonschema
import numpy as np
import pytest

from valguscam.config import Config
from valguscam.landmarks import Landmark
from valguscam.media.sources import VideoFileSource
from valguscam.report.files import FRAME_COLUMNS
from valguscam.run.analyze import analyze, analyze_video, baseline_from_clip

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs/report-schema.json").read_text())
REQUIRED_COLUMNS = [
    "frame",
    "time_s",
    "pose",
    "fppa_left_deg",
    "fppa_right_deg",
    "knee_foot_left",
    "knee_foot_right",
    "knee_position_left",
    "knee_position_right",
    "kasr",
    "flexion_left_deg",
    "flexion_right_deg",
    "valid_left",
    "valid_right",
]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def squats(sample_dir: Path, model_path: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("out")
    return analyze_video(sample_dir / "squats.mp4", out, Config(), progress=False)


def test_front_squat_clip_outputs(squats):
    """nowva/squats.mp4: one man, facing the camera, in every frame, goblet squats."""
    report = json.loads(squats.files["report_json"].read_text())
    jsonschema.validate(report, SCHEMA)
    rows = read_csv(squats.files["frames_csv"])
    assert set(REQUIRED_COLUMNS) <= set(rows[0])
    assert list(rows[0]) == list(FRAME_COLUMNS)
    assert len(rows) == report["source"]["frame_count"] == 365
    assert report["quality"]["frames_with_pose"] == 365
    assert report["quality"]["status"] == "ok"
    assert report["quality"]["median_yaw_deg"] < 15  # he faces the camera
    times = np.array([float(r["time_s"]) for r in rows])
    assert times[0] == 0.0 and np.all(np.diff(times) > 0)
    assert times[-1] == pytest.approx(364 / 30, abs=0.05)


def test_front_squat_sides_baseline_and_validity(squats):
    track, m = squats.track, squats.metrics
    # Facing the camera: the subject's left hip is on the image's right in every frame.
    assert np.all(track.xy[:, Landmark.LEFT_HIP, 0] > track.xy[:, Landmark.RIGHT_HIP, 0])
    for side in ("left", "right"):
        base = m.baseline[side]
        assert base.n_frames >= 10 and abs(base.fppa_deg) < 6  # straight legs standing
        assert not base.structural
    # Deep squats: the thighs point at the camera at the bottom, where FPPA is not trusted.
    deep = m.depth > 0.3
    assert deep.sum() > 60
    assert not m.left.valid[deep].any() and not m.right.valid[deep].any()
    assert m.left.valid[m.depth < 0.05].mean() > 0.9
    summary = squats.report.summary
    for side in ("left", "right"):
        s = summary.side(side)
        assert s.clip.assessable
        # A well-controlled goblet squat: no large valgus excursion on valid frames, and the
        # knees travel over the foot (target or big-toe band) most of the time.
        assert s.judged.peak_dynamic_fppa_deg < 8
        share = s.clip.knee_position_share
        assert share["target"] + share["big_toe"] > 0.85


def _write_sideways(src: Path, dst: Path, scale: float = 0.5) -> np.ndarray:
    """Store `src` (upright) rotated 90 deg counter-clockwise with a display matrix saying
    'rotate 90 clockwise', as a phone does, at `scale`, with a variable frame rate: every other
    frame 0.4 frame periods late. Returns the frame times written, seconds."""
    import cv2

    with VideoFileSource(src) as source, av.open(str(dst), "w") as out:
        w, h = int(source.info.width * scale) // 2 * 2, int(source.info.height * scale) // 2 * 2
        ms = Fraction(1, 1000)
        period_ms = 1000.0 / source.info.fps
        stream = out.add_stream("libx264", rate=round(source.info.fps))
        stream.width, stream.height = h, w
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = ms
        stream.options = {"crf": "16"}
        stream.set_display_rotation(-90)
        t_ms = []
        for frame in source:
            small = cv2.resize(frame.rgb, (w, h), interpolation=cv2.INTER_AREA)
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(np.rot90(small, 1)), "rgb24")
            vf.pts = round(frame.index * period_ms + (0.4 * period_ms if frame.index % 2 else 0))
            vf.time_base = ms
            t_ms.append(vf.pts)
            out.mux(stream.encode(vf))
        out.mux(stream.encode())
    return np.array(t_ms) / 1000.0


@pytest.fixture(scope="module")
def turned(sample_dir: Path, model_path: Path, tmp_path_factory: pytest.TempPathFactory):
    """The sample squats stored sideways with a rotation flag and uneven timestamps, analyzed;
    and the timestamps written."""
    tmp = tmp_path_factory.mktemp("phone")
    rotated = tmp / "squats_rot90_vfr.mp4"
    t_s = _write_sideways(sample_dir / "squats.mp4", rotated)
    return analyze_video(rotated, tmp / "b", Config(), progress=False), t_s


def test_rotated_vfr_copy_is_analyzed_upright_at_its_own_times(squats, turned):
    original, (turned, t_s) = squats, turned
    src = turned.report.source
    assert src.rotation == 90
    assert (src.width, src.height) == (640, 360)  # upright landscape
    assert turned.report.quality.frames_with_pose == 365
    np.testing.assert_allclose(turned.track.t_s, t_s, atol=1e-6)  # not index / fps
    assert len(turned.report.reps) == len(original.report.reps) == 5
    # Upright means the hips are above the knees and the knees above the ankles.
    xy = turned.track.xy
    assert np.all(xy[:, Landmark.LEFT_HIP, 1] < xy[:, Landmark.LEFT_ANKLE, 1])
    # The same person, the same sides: FPPA agrees with the original clip frame by frame.
    for side in ("left", "right"):
        a = original.metrics.side(side).fppa_deg
        b = turned.metrics.side(side).fppa_deg
        both = original.metrics.side(side).valid & turned.metrics.side(side).valid
        assert both.sum() > 10
        assert np.median(np.abs(a[both] - b[both])) < 2.0


@pytest.fixture(scope="module")
def phone_clip(videos_dir: Path, model_path: Path, tmp_path_factory: pytest.TempPathFactory):
    """IMG_7060 (front, portrait, VFR) analyzed as shipped."""
    tmp = tmp_path_factory.mktemp("phone")
    return analyze_video(videos_dir / "lnewco/IMG_7060.mov", tmp / "a", Config(), progress=False)


@pytest.mark.shared
def test_phone_clip_matches_what_the_clip_shows(phone_clip):
    """IMG_7060: one overhead deep squat, standing at both ends, facing the camera, ~30 fps VFR."""
    original = phone_clip
    r, m = original.report.to_dict(), original.metrics
    jsonschema.validate(r, SCHEMA)
    assert (r["source"]["width"], r["source"]["height"], r["source"]["rotation"]) == (1080, 1920, 0)
    assert r["source"]["frame_count"] == 69
    assert r["quality"]["frames_with_pose"] == 69 and r["quality"]["median_yaw_deg"] < 15
    assert m.depth[0] < 0.05 and m.depth[-1] < 0.05  # standing at start and end
    bottom = int(np.nanargmax(m.depth))
    assert 0.8 < m.t_s[bottom] < 1.6 and m.depth[bottom] > 0.3  # one deep squat mid-clip
    assert not m.left.valid[bottom] and not m.right.valid[bottom]
    for side in ("left", "right"):
        assert np.isfinite(m.baseline[side].fppa_deg)
        assert r["summary"][side]["assessable"]


def test_baseline_clip_gives_the_standing_fppa_of_a_separate_clip():
    clip = Path(__file__).resolve().parents[2] / "sample_videos" / "squats.mp4"
    given = baseline_from_clip(clip, Config())
    assert set(given) == {"left", "right"} and all(np.isfinite(list(given.values())))
    cfg = Config()
    cfg = replace(cfg, baseline=replace(cfg.baseline, left_fppa_deg=-12.5))
    result = analyze(clip, config=cfg)
    left, right = result.metrics.baseline["left"], result.metrics.baseline["right"]
    assert left.source == "given" and left.fppa_deg == -12.5 and left.structural
    assert right.source == "still" and right.fppa_deg == pytest.approx(given["right"])
