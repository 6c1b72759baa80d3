"""The public Python API: valguscam.analyze, Analysis.save, load_report (real model, one clip)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

import valguscam
from valguscam import Analysis, InputError, load_report


@pytest.fixture(scope="module")
def squats_clip(clip_path) -> Path:
    """nowva squats (CC0-1.0) from sample_videos/: 365 frames, 5 frontal bilateral squats."""
    return clip_path("sample:squats.mp4")


@pytest.fixture(scope="module")
def analysis(squats_clip, model_path, tmp_path_factory) -> tuple[Analysis, list[str]]:
    """The clip analyzed once, from an empty working folder; (analysis, files left there)."""
    cwd = tmp_path_factory.mktemp("cwd")
    before = Path.cwd()
    os.chdir(cwd)
    try:
        result = valguscam.analyze(str(squats_clip))
    finally:
        os.chdir(before)
    return result, sorted(p.name for p in cwd.rglob("*"))


def test_public_names_are_flat_and_documented():
    for name in valguscam.__all__:
        value = getattr(valguscam, name)
        assert name == "__version__" or value.__doc__, name
    assert set(valguscam.__all__) <= set(dir(valguscam))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        valguscam.nope  # noqa: B018
    assert issubclass(InputError, valguscam.ValguscamError)


def test_analyze_returns_the_whole_analysis_and_writes_nothing(analysis, squats_clip):
    result, left_behind = analysis
    assert isinstance(result, Analysis)
    assert left_behind == []
    assert result.track.n_frames == result.info.frame_count == 365
    assert result.metrics.left.fppa_deg.shape == (365,)
    assert result.report.source.path == str(squats_clip)
    assert result.report.summary.rep_count == 5
    assert not result.interrupted and not result.no_person
    assert {"model_load", "pose", "post"} <= set(result.timings_s)


def test_save_writes_frames_and_report_into_the_folder(analysis, tmp_path):
    result, _ = analysis
    files = result.save(tmp_path / "squats")
    assert files == {
        "frames_csv": tmp_path / "squats/frames.csv",
        "report_json": tmp_path / "squats/report.json",
    }
    with open(files["frames_csv"], newline="") as fh:
        assert len(list(csv.reader(fh))) == 1 + 365
    assert sorted(p.name for p in (tmp_path / "squats").iterdir()) == ["frames.csv", "report.json"]


def test_load_report_round_trips(analysis, tmp_path):
    result, _ = analysis
    files = result.save(tmp_path)
    saved = json.loads(files["report_json"].read_text())
    assert load_report(files["report_json"]) == saved
    assert load_report(tmp_path) == saved  # the folder works too
    # the saved report lists the files saved with it; the in-memory one has none yet
    assert saved == {**result.report.to_dict(), "files": ["frames.csv", "report.json"]}


def test_load_report_bad_paths_raise_input_error(tmp_path):
    with pytest.raises(InputError, match="no report at"):
        load_report(tmp_path / "nope.json")
    with pytest.raises(InputError, match="no report at .*report.json"):
        load_report(tmp_path)  # a folder without one
    garbled = tmp_path / "garbled.json"
    garbled.write_text('{"schema_version": "1.')
    with pytest.raises(InputError, match="cannot be read as JSON"):
        load_report(garbled)
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    with pytest.raises(InputError, match="not a valguscam report"):
        load_report(other)
    future = tmp_path / "future.json"
    future.write_text('{"schema_version": "99.0"}')
    with pytest.raises(InputError, match="schema 99.0"):
        load_report(future)


def test_analyze_errors_are_valguscam_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        valguscam.analyze(tmp_path / "nope.mp4")
    with pytest.raises(valguscam.ConfigError, match="does not exist"):
        valguscam.analyze(tmp_path / "nope.mp4", config=tmp_path / "nope.toml")
    with pytest.raises(valguscam.ConfigError, match="pass a Config"):
        valguscam.analyze(tmp_path / "nope.mp4", config={"pose": {}})
