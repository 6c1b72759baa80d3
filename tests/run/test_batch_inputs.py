"""Batch inputs and plans without the model: result folders, resume keys, the jobs plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from valguscam.config import Config
from valguscam.errors import InputError
from valguscam.run.batch import plan_workers
from valguscam.run.batch_inputs import discover, safe_rel
from valguscam.run.batch_resume import Marker, RunKey, config_sha256, trusted, write_marker


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_same_named_clips_get_their_own_folders(tmp_path: Path) -> None:
    _touch(tmp_path / "in/formfit/squat.mp4")
    _touch(tmp_path / "in/rjsong/squat.mp4")
    _touch(tmp_path / "in/rjsong/squat.MOV")
    _touch(tmp_path / "in/rjsong/notes.txt")
    items, root = discover([tmp_path / "in"], tmp_path / "out")
    assert root == (tmp_path / "in").resolve()
    assert [i.rel for i in items] == ["formfit/squat", "rjsong/squat_mov", "rjsong/squat_mp4"]


def test_globs_files_and_duplicates(tmp_path: Path) -> None:
    a = _touch(tmp_path / "a.mp4")
    _touch(tmp_path / "b.mkv")
    items, _ = discover([str(tmp_path / "*.m*"), a], tmp_path / "out")
    assert [i.video.name for i in items] == ["a.mp4", "b.mkv"]
    with pytest.raises(InputError, match="matches no file"):
        discover([str(tmp_path / "*.avi")], tmp_path / "out")
    with pytest.raises(InputError, match="does not exist"):
        discover([tmp_path / "missing.mp4"], tmp_path / "out")


def test_the_output_folder_is_not_an_input(tmp_path: Path) -> None:
    _touch(tmp_path / "clip.mp4")
    _touch(tmp_path / "results/clip/annotated.mp4")
    items, _ = discover([tmp_path], tmp_path / "results")
    assert [i.rel for i in items] == ["clip"]


@pytest.mark.parametrize("rel", ["../x", "/etc/x", "a/../../x", ""])
def test_result_folders_cannot_leave_out(rel: str) -> None:
    with pytest.raises(InputError, match="leave the output folder"):
        safe_rel(rel)


@pytest.mark.parametrize(
    ("jobs", "workers", "cores", "n", "expected"),
    [(None, 2, 2, 5, (1, 2)), (None, 1, 8, 3, (3, 1)), (2, 2, 2, 5, (2, 1)), (9, 2, 4, 9, (4, 1))],
)
def test_jobs_times_workers_never_exceed_cores(jobs, workers, cores, n, expected) -> None:
    got = plan_workers(jobs, workers, cores, n)
    assert got == expected
    assert got[0] * got[1] <= cores


def test_marker_trusted_only_for_the_same_key_and_files(tmp_path: Path) -> None:
    key = RunKey("in", config_sha256(Config()), "auto", "model")
    _touch(tmp_path / "report.json")
    write_marker(tmp_path, Marker(key, ("plots",), ("report.json",), {"status": "ok"}))
    assert trusted(tmp_path, key, ("plots",)) is not None
    assert trusted(tmp_path, key, ("plots", "html")) is None  # more outputs asked for
    assert trusted(tmp_path, RunKey("other", key.config_sha256, "auto", "model"), ()) is None
    (tmp_path / "report.json").unlink()
    assert trusted(tmp_path, key, ()) is None
