"""`valguscam batch` on real sample clips with the real model: a broken file among them,
resume, Ctrl-C then re-run, reports equal to a fresh `analyze`.

The clips are the two shortest samples (100 frames each), copied as a/cam01.mp4 and
b/cam01.mp4 (two clips of one name), plus a file that is not a video.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from valguscam.cli.main import cli
from valguscam.report.batch_files import TIMING_COLUMNS, read_summary_csv
from valguscam.run.analyze import analyze, load_report
from valguscam.run.batch import batch
from valguscam.run.batch_resume import MARKER
from valguscam.run.batch_worker import Status

VALGUSCAM = str(Path(sys.executable).with_name("valguscam"))


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory, sample_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("clips")
    for sub, name in (("a", "cam01.mp4"), ("b", "cam02.mp4")):
        (root / sub).mkdir()
        shutil.copy(sample_dir / name, root / sub / "cam01.mp4")
    (root / "broken.mp4").write_bytes(b"\x00not a video" * 100)
    return root


def _cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [VALGUSCAM, "batch", *args, "--no-progress"], capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


@pytest.fixture(scope="module")
def uninterrupted(clips: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full CLI run over the clips (with plots and the index page): its output folder."""
    out = tmp_path_factory.mktemp("out") / "results"
    done = _cli(str(clips), "--out", str(out), "--plots", "--html")
    assert done.returncode == 1, done.stderr  # broken.mp4 failed
    assert f"failed: {clips / 'broken.mp4'}: " in done.stderr
    return out


def _rows(out: Path) -> list[dict[str, str]]:
    rows = read_summary_csv(out / "summary.csv")
    return [{k: v for k, v in r.items() if k not in TIMING_COLUMNS} for r in rows]


def _report(folder: Path) -> dict:
    report = load_report(folder)
    report.pop("files")
    return report


def test_broken_file_fails_alone(uninterrupted: Path) -> None:
    rows = {r["folder"]: r for r in read_summary_csv(uninterrupted / "summary.csv")}
    assert set(rows) == {"a/cam01", "b/cam01", "broken"}
    assert rows["broken"]["status"] == "failed"
    assert "not a video" in rows["broken"]["error"]
    for name in ("a/cam01", "b/cam01"):
        assert rows[name]["status"] == "ok" and rows[name]["frames"] == "100"
        assert (uninterrupted / name / "report.html").is_file()
        assert (uninterrupted / name / "knee_angle.png").is_file()
    # two clips of one name: two folders, two different videos
    assert _report(uninterrupted / "a/cam01") != _report(uninterrupted / "b/cam01")
    info = json.loads((uninterrupted / "batch.json").read_text())
    assert info["counts"] == {"ok": 2, "failed": 1} and info["interrupted"] is False
    assert (uninterrupted / "cohort.png").stat().st_size > 10_000
    assert 'href="a/cam01/report.html"' in (uninterrupted / "index.html").read_text()


def test_a_worker_gives_the_report_of_a_fresh_analyze(clips, uninterrupted) -> None:
    # a worker process analyzes several clips; each gets fresh landmarkers (ClipEstimator)
    fresh = analyze(clips / "b/cam01.mp4").report.to_dict()
    fresh.pop("files")
    assert _report(uninterrupted / "b/cam01") == fresh


def test_second_run_does_no_analysis(clips: Path, uninterrupted: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in uninterrupted.glob("*/cam01/*")}
    rows = _rows(uninterrupted)
    result = batch(clips, uninterrupted, plots=True, progress=False)
    assert result.analyzed == ()
    assert [v.reused for v in result.videos] == [False, True, True]  # broken is tried again
    assert result.exit_code == 1
    assert {p: p.stat().st_mtime_ns for p in uninterrupted.glob("*/cam01/*")} == before
    assert _rows(uninterrupted) == rows


def test_ctrl_c_then_rerun_gives_the_uninterrupted_results(
    clips: Path, uninterrupted: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results"
    args = [VALGUSCAM, "batch", str(clips), "--out", str(out), "--plots", "--html", "--jobs", "1"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not list(out.glob(f"*/cam01/{MARKER}")) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)  # one video is done, the other is under way
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    info = json.loads((out / "batch.json").read_text())
    assert info["interrupted"] is True
    assert info["counts"].get("not_done", 0) >= 1
    done = [name for name in ("a/cam01", "b/cam01") if (out / name / MARKER).exists()]
    assert len(done) == 1, done  # the unfinished one left nothing a re-run would trust
    again = _cli(str(clips), "--out", str(out), "--plots", "--html")
    assert again.returncode == 1, again.stderr
    assert _rows(out) == _rows(uninterrupted)
    for name in ("a/cam01", "b/cam01"):
        assert _report(out / name) == _report(uninterrupted / name)


def test_a_crashing_worker_fails_its_video_only(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VALGUSCAM_TEST_CRASH_VIDEO", "cam02.mp4")  # SIGSEGV in the worker
    clips = [sample_dir / "cam01.mp4", sample_dir / "cam02.mp4"]
    result = batch(clips, tmp_path / "out", jobs=2, progress=False)
    assert [v.status for v in result.videos] == [Status.OK, Status.FAILED]
    assert "worker process died" in (result.videos[1].error or "")
    assert (tmp_path / "out/cam01/report.json").is_file()
    assert result.exit_code == 1


def test_dask_local_cluster_gives_the_local_reports(clips: Path, uninterrupted: Path, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        result = batch(
            [clips / "a", clips / "b"], tmp_path / "results", executor="dask",
            scheduler=cluster.scheduler_address, progress=False,
        )  # fmt: skip
    assert [v.status for v in result.videos] == [Status.OK, Status.OK]
    for name in ("a/cam01", "b/cam01"):
        assert _report(tmp_path / "results" / name) == _report(uninterrupted / name)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["batch", str(tmp_path / "none.mp4"), "--out", str(tmp_path / "o")])
    assert done.exit_code == 2 and "does not exist" in done.output
    done = runner.invoke(cli, ["batch", str(tmp_path), "--out", "o", "--executor", "dask"])
    assert done.exit_code == 2 and "--scheduler" in done.output


def test_missing_dask_names_the_extra(
    tmp_path: Path, sample_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    args = ["batch", str(sample_dir / "cam01.mp4"), "--out", str(tmp_path), "--executor", "dask"]
    done = CliRunner().invoke(cli, [*args, "--scheduler", "tcp://127.0.0.1:1"])
    assert done.exit_code == 2
    assert "pip install 'valguscam[dask]'" in done.output


def test_a_clip_cut_off_midway_keeps_its_report_and_fails(tmp_path: Path) -> None:
    """A clip whose data stops half way (index at the start, as uploads have it): as `analyze`
    does (exit 8), its report is written with status incomplete; the batch lists it as failed
    with the reason, and a re-run does not trust it."""
    from reliability.clips import sample_frames, truncate, write_mp4

    whole = write_mp4(tmp_path / "whole.mp4", sample_frames(seconds=1.5), faststart=True)
    (tmp_path / "in").mkdir()
    truncate(whole, tmp_path / "in" / "cut.mp4", 0.5)
    result = batch(tmp_path / "in", tmp_path / "out", progress=False)
    (video,) = result.videos
    assert video.status is Status.FAILED and result.exit_code == 1
    assert "decoding stopped early" in video.error and "incomplete" in video.error
    assert load_report(video.folder)["quality"]["status"] == "incomplete"
    assert not (video.folder / MARKER).exists()


def test_each_clip_gets_fresh_landmarkers(model_path: Path) -> None:
    """Reused landmarkers carried the previous clip's tracking into the next (IMG_7029's reps
    depended on which clips its worker had seen): a clip after a used landmarker gets a new one."""
    import numpy as np

    from valguscam.config import Config
    from valguscam.run.batch_worker import ClipEstimator

    est = ClipEstimator(model_path, Config().pose)
    first = est.inner
    est.new_clip()  # unused since loading: kept
    assert est.inner is first
    est.detect(np.zeros((64, 64, 3), np.uint8), 0.0)
    est.new_clip()
    assert est.inner is not first and first._landmarker is None  # the used one is closed
    est.inner.close()
