"""kill -9 in the middle of a batch and of a live recording leaves no file that looks complete
and is not: what is visible in a result folder is listed by its report.json (written last), and
a batch re-run redoes exactly the videos it did not finish."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from valguscam.run.batch import batch
from valguscam.run.batch_resume import MARKER


def _start(args: list[str]) -> subprocess.Popen:
    """`python -m valguscam ARGS` in a session of its own (so its workers can be killed too)."""
    return subprocess.Popen(
        [sys.executable, "-m", "valguscam", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def _wait_until(found, proc: subprocess.Popen, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while not found():
        assert proc.poll() is None, f"ended before the kill: {proc.stderr.read()}"
        assert time.monotonic() < deadline, "timed out waiting for the run to get going"
        time.sleep(0.05)


def _kill_9(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL


def _visible_files_are_listed(folder: Path) -> None:
    """Every visible file of a result folder is one its report.json lists; no report.json,
    no visible file (temporary files are hidden: .NAME.XXXX.tmp)."""
    visible = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
    report = folder / "report.json"
    listed = set(json.loads(report.read_text())["files"]) if report.exists() else set()
    assert visible <= listed | {MARKER}, (folder, visible - listed)


def test_kill_9_in_a_batch_then_a_rerun_redoes_what_was_not_finished(tmp_path, sample_dir):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("cam01.mp4", "cam02.mp4", "squats.mp4"):
        shutil.copy(sample_dir / name, inputs / name)
    out = tmp_path / "out"
    proc = _start(["batch", str(inputs), "--out", str(out), "--plots", "--no-progress"])
    _wait_until(lambda: any(out.glob(f"*/{MARKER}")), proc)
    _kill_9(proc)
    assert not (out / "summary.csv").exists() and not (out / "batch.json").exists()
    folders = [p for p in out.iterdir() if p.is_dir()]
    for folder in folders:
        _visible_files_are_listed(folder)
    finished = {p.parent.name for p in out.glob(f"*/{MARKER}")}
    assert finished and len(finished) < 3
    again = batch(inputs, out, progress=False)
    assert again.exit_code == 0
    redone = {v.folder.name for v in again.analyzed}
    assert redone == {"cam01", "cam02", "squats"} - finished
    assert all(v.reused for v in again.videos if v.folder.name in finished)


def test_kill_9_during_a_live_recording_leaves_no_complete_looking_file(tmp_path, sample_dir):
    out = tmp_path / "out"
    folder = out / "squats"
    proc = _start([
        "live", "--source", str(sample_dir / "squats.mp4"), "--headless", "--record",
        "--duration", "30", "--out", str(out),
    ])  # fmt: skip
    _wait_until(lambda: folder.is_dir() and any(folder.iterdir()), proc)
    time.sleep(2.0)  # recording
    _kill_9(proc)
    assert not (folder / "report.json").exists() and not (folder / "frames.csv").exists()
    _visible_files_are_listed(folder)
    assert not (folder / "raw.mp4").exists() and not (folder / "hud.mp4").exists()
