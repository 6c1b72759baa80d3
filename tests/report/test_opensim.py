""".trc / .mot files (report/opensim.py), read back by a reader written to the published
format (the layout Sports2D writes and Pose2Sim's common.py `read_trc` / `read_mot` read:
tab-separated, 5 header lines in a .trc, `endheader` then a `time` header row in a .mot,
empty field = missing). Pose2Sim itself is not installed here: it pulls 43 packages with OpenSim,
PySide6, OpenVINO, onnxruntime, rtmlib and a second OpenCV."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from synthetic import squat_flexion, squat_track

from valguscam.config import Config
from valguscam.landmarks import Landmark, Side
from valguscam.report.opensim import (
    MOT_DIGITS,
    TRC_DIGITS,
    TRC_MARKERS,
    angle_columns,
    mean_rate,
    mot_text,
    trc_text,
    write_mot,
    write_trc,
)
from valguscam.run.analyze import analyze_video, post_process


def _cell(s: str) -> float:
    return float(s) if s.strip() else np.nan


def read_trc(text: str) -> dict:
    """Parse a .trc: header fields, marker names, Frame#, Time and (T, M, 3) coordinates."""
    lines = text.split("\n")
    assert lines[-1] == "", "the file ends with a newline"
    lines = lines[:-1]
    kind = lines[0].split("\t")
    assert kind[:3] == ["PathFileType", "4", "(X/Y/Z)"]
    keys, values = lines[1].split("\t"), lines[2].split("\t")
    assert keys == [
        "DataRate", "CameraRate", "NumFrames", "NumMarkers", "Units",
        "OrigDataRate", "OrigDataStartFrame", "OrigNumFrames",
    ]  # fmt: skip
    head = dict(zip(keys, values, strict=True))
    names_row = lines[3].split("\t")
    assert names_row[:2] == ["Frame#", "Time"]
    markers = [m for m in names_row[2::3] if m]
    assert all(x == "" for i, x in enumerate(names_row[2:]) if i % 3), "2 tabs after each name"
    sub = lines[4].split("\t")
    assert sub[:2] == ["", ""]
    assert sub[2:] == [f"{a}{i + 1}" for i in range(len(markers)) for a in "XYZ"]
    rows = [r.split("\t") for r in lines[5:]]
    assert all(len(r) == 2 + 3 * len(markers) for r in rows)
    frames = np.array([int(r[0]) for r in rows])
    time = np.array([float(r[1]) for r in rows])
    xyz = np.array([[_cell(c) for c in r[2:]] for r in rows]).reshape(len(rows), -1, 3)
    return {"head": head, "file": kind[3], "markers": markers, "frames": frames,
            "time": time, "xyz": xyz}  # fmt: skip


def read_mot(text: str) -> dict:
    """Parse a .mot: header key=value lines up to endheader, column names, (T,) columns."""
    lines = text.split("\n")[:-1]
    end = lines.index("endheader")
    head = dict(line.split("=", 1) for line in lines[1:end] if "=" in line)
    names = lines[end + 1].split("\t")
    rows = [r.split("\t") for r in lines[end + 2 :]]
    assert all(len(r) == len(names) for r in rows)
    data = np.array([[_cell(c) for c in r] for r in rows]).reshape(len(rows), len(names))
    return {"name": lines[0], "head": head, "columns": dict(zip(names, data.T, strict=True))}


def _check_trc(parsed: dict, track) -> None:
    head, n = parsed["head"], track.n_frames
    assert int(head["NumFrames"]) == int(head["OrigNumFrames"]) == len(parsed["time"]) == n
    assert int(head["NumMarkers"]) == len(parsed["markers"]) == len(TRC_MARKERS)
    assert parsed["markers"] == list(TRC_MARKERS)
    assert head["Units"] == "px" and head["OrigDataStartFrame"] == "0"
    assert float(head["DataRate"]) == pytest.approx(mean_rate(track.t_s), abs=1e-3)
    assert list(parsed["frames"]) == list(range(n))
    assert np.all(np.diff(parsed["time"]) > 0)
    np.testing.assert_allclose(parsed["time"], track.t_s, atol=1e-6)
    xy = track.xy[:, list(TRC_MARKERS.values())]
    got = parsed["xyz"]
    np.testing.assert_array_equal(np.isnan(got[..., 0]), np.isnan(xy[..., 0]))
    np.testing.assert_allclose(got[..., :2], xy, atol=0.5 * 10**-TRC_DIGITS, equal_nan=True)
    assert np.all(got[..., 2][np.isfinite(got[..., 0])] == 0)


def _check_mot(parsed: dict, t_s, columns: dict) -> None:
    head, cols = parsed["head"], parsed["columns"]
    assert parsed["name"] == "Coordinates"
    # no other "key=value" header line: OpenSim would read it as metadata
    assert set(head) == {"version", "nRows", "nColumns", "inDegrees"}
    assert head["version"] == "1" and head["inDegrees"] == "yes"
    assert int(head["nRows"]) == len(t_s) and int(head["nColumns"]) == len(columns) + 1
    assert list(cols) == ["time", *columns]
    assert np.all(np.diff(cols["time"]) > 0)
    np.testing.assert_allclose(cols["time"], t_s, atol=1e-6)
    for name, values in columns.items():
        tol = 0.5 * 10**-MOT_DIGITS + 1e-9
        np.testing.assert_allclose(cols[name], values, atol=tol, equal_nan=True)


@pytest.fixture(scope="module")
def synthetic():
    """A squat at a variable frame rate with a valgus left knee; a gap with no person."""
    rng = np.random.default_rng(1)
    t = np.cumsum(rng.uniform(1 / 40, 1 / 20, 200))
    track = squat_track(t, squat_flexion(t, 60.0), {Side.LEFT: 0.04 * np.ones(len(t))})
    track.xy[50:55] = np.nan
    track.xy[80, Landmark.LEFT_KNEE] = np.nan
    _, metrics, _ = post_process(track, Config(), "auto")
    return track, metrics


def test_trc_of_a_hand_built_track(synthetic):
    track, _ = synthetic
    parsed = read_trc(trc_text(track, file_name="squat_px.trc"))
    assert parsed["file"] == "squat_px.trc"
    _check_trc(parsed, track)
    # y as Sports2D's pixel .trc: image rows, down positive: the knee is below the hip.
    knee, hip = parsed["markers"].index("LKnee"), parsed["markers"].index("LHip")
    rows = np.isfinite(parsed["xyz"][:, knee, 1])
    assert np.all(parsed["xyz"][rows, knee, 1] > parsed["xyz"][rows, hip, 1])
    assert np.isnan(parsed["xyz"][80, knee]).all() and np.isnan(parsed["xyz"][52]).all()


def test_mot_of_hand_built_metrics(synthetic):
    _, metrics = synthetic
    columns = angle_columns(metrics)
    text = mot_text(metrics.t_s, columns)
    assert "positive for valgus" in text.split("endheader")[0]
    _check_mot(read_mot(text), metrics.t_s, columns)
    fppa = columns["left_fppa"]
    assert np.isnan(fppa[~metrics.left.valid]).all()
    assert np.nanmax(fppa) > 5 > np.nanmax(columns["right_fppa"])  # the valgus knee shows +


def test_mot_rejects_bad_columns():
    with pytest.raises(ValueError, match="shape"):
        mot_text(np.arange(3.0), {"a": np.zeros(2)})
    with pytest.raises(ValueError, match="white space"):
        mot_text(np.arange(3.0), {"left knee": np.zeros(3)})
    with pytest.raises(ValueError, match="comment"):
        mot_text(np.arange(3.0), {"a": np.zeros(3)}, comments=["x = 1"])


def test_writers_are_atomic_files(synthetic, tmp_path: Path):
    track, metrics = synthetic
    trc, mot = write_trc(tmp_path / "a_px.trc", track), write_mot(tmp_path / "a.mot", metrics)
    assert trc.read_bytes().decode() == trc_text(track, file_name="a_px.trc")
    assert b"\r" not in mot.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mot", "a_px.trc"]


@pytest.fixture(scope="module")
def squats(sample_dir: Path, model_path: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("out")
    return analyze_video(
        sample_dir / "squats.mp4", out, Config(), progress=False, trc=True, mot=True
    )


def test_files_of_a_real_clip(squats):
    assert squats.files["trc"].name == "squats_px.trc"
    assert squats.files["mot"].name == "squats_angles.mot"
    parsed = read_trc(squats.files["trc"].read_text(encoding="utf-8"))
    assert parsed["file"] == "squats_px.trc"
    assert len(parsed["time"]) == 365
    np.testing.assert_allclose(parsed["time"], squats.track.t_s, atol=1e-6)
    # the landmarks the metrics were computed on (leg swaps repaired), in image pixels
    xyz = parsed["xyz"]
    assert np.nanmax(xyz[..., 0]) <= squats.info.width and np.nanmin(xyz[..., 1]) >= 0
    mot = read_mot(squats.files["mot"].read_text(encoding="utf-8"))
    _check_mot(mot, squats.metrics.t_s, angle_columns(squats.metrics))
    report = json.loads(squats.files["report_json"].read_text(encoding="utf-8"))
    assert report["files"] == ["frames.csv", "squats_px.trc", "squats_angles.mot", "report.json"]
    assert {p.name for p in squats.out_dir.iterdir()} == set(report["files"])
