"""The command line as a user runs it: real subprocesses, one-line errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest


def run(args: list[str], env: dict | None = None, cwd: Path | None = None, timeout: float = 300):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "valguscam", *args], capture_output=True, text=True,
        env=full_env, cwd=cwd, timeout=timeout,
    )  # fmt: skip


def assert_one_line_error(proc, code: int, *words: str) -> None:
    assert proc.returncode == code, proc.stderr
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in err[0]


def test_help_is_fast_and_lists_commands():
    start = time.perf_counter()
    proc = run(["--help"])
    assert proc.returncode == 0
    assert "analyze" in proc.stdout and "models" in proc.stdout
    assert time.perf_counter() - start < 10  # a generous bound; benchmarks/ measures it


def test_missing_file(tmp_path, model_path):
    proc = run(["analyze", str(tmp_path / "nope.mp4"), "--out", str(tmp_path)])
    assert_one_line_error(proc, 2, "does not exist")


def test_not_a_video(tmp_path, model_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a video\n")
    proc = run(["analyze", str(fake), "--out", str(tmp_path)])
    assert_one_line_error(proc, 2, "not a video")


def test_missing_model(tmp_path, videos_dir):
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {"VALGUSCAM_MODEL_DIR": str(empty), "VALGUSCAM_CACHE_DIR": str(empty)}
    proc = run(["analyze", str(videos_dir / "nowva/squats.mp4"), "--out", str(tmp_path)],
               env=env, cwd=tmp_path)  # fmt: skip
    assert_one_line_error(proc, 3, "valguscam models download")


def test_bad_config(tmp_path, videos_dir, model_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[validity]\nmax_yaw_dog = 3\n")
    proc = run(["analyze", str(videos_dir / "nowva/squats.mp4"), "--config", str(cfg)])
    assert_one_line_error(proc, 2, "max_yaw_dog")
    proc = run(["analyze", str(videos_dir / "nowva/squats.mp4"), "--set", "validity=3"])
    assert_one_line_error(proc, 2, "section.key=value")


def test_no_person_writes_a_report_and_exits_5(tmp_path, model_path):
    """A clip of an empty, textured room: no person. The report is still written."""
    clip = tmp_path / "empty_room.mp4"
    rng = np.random.default_rng(0)
    with av.open(str(clip), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        base = rng.integers(60, 200, (240, 320, 3), dtype=np.uint8)
        for _ in range(30):
            noise = rng.integers(0, 8, base.shape, dtype=np.uint8)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(base + noise, format="rgb24")))
        out.mux(stream.encode())
    proc = run(["analyze", str(clip), "--out", str(tmp_path / "out"), "--no-progress"])
    assert proc.returncode == 5, proc.stderr
    assert "no person" in proc.stderr and "Traceback" not in proc.stderr
    report = json.loads((tmp_path / "out/empty_room/report.json").read_text())
    assert report["quality"]["status"] == "no_person"
    assert report["quality"]["frames"] == 30 and report["quality"]["frames_with_pose"] == 0
    assert report["summary"]["left"]["assessable"] is False
    rows = (tmp_path / "out/empty_room/frames.csv").read_text().splitlines()
    assert len(rows) == 31 and rows[1].split(",")[2] == "0"


def test_analyze_prints_a_summary(tmp_path, videos_dir, model_path):
    proc = run(["analyze", str(videos_dir / "lnewco/IMG_7060.mov"), "--out", str(tmp_path),
                "--no-progress"])  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == ""  # no native log chatter, no warnings for a clean clip
    lines = proc.stdout.splitlines()
    assert "view frontal, bilateral squat (auto), 1 rep(s)" in lines
    assert any(line.strip().startswith("left knee: OK") for line in lines)
    assert any(line.strip().startswith("right knee: OK") for line in lines)
    assert lines[-3].startswith("safety: Sharp pain")
    assert "FPPA + = valgus" in proc.stdout
    assert (tmp_path / "IMG_7060/report.json").is_file()


def test_interrupt_keeps_what_was_computed(tmp_path, videos_dir, model_path):
    """Ctrl-C during a long clip: exit 130, and the frames done so far are written."""
    import signal

    proc = subprocess.Popen(
        [sys.executable, "-m", "valguscam", "analyze", str(videos_dir / "rjsong/squat.mp4"),
         "--out", str(tmp_path), "--no-progress"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # A shell that starts jobs in the background ignores SIGINT for them, and Python then
        # never installs its Ctrl-C handler: restore the default as a terminal would have it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    time.sleep(4)  # past start-up and model loading, well before the ~7 s of pose estimation
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    report = json.loads((tmp_path / "squat/report.json").read_text())
    assert report["quality"]["status"] == "incomplete"
    assert 0 < report["quality"]["frames"] < 900
    assert any("interrupted" in w for w in report["quality"]["warnings"])


def test_config_command_round_trips(tmp_path):
    path = tmp_path / "cfg.toml"
    assert run(["config", "--write", str(path)]).returncode == 0
    text = path.read_text()
    assert "[validity]" in text and "max_yaw_deg = 30.0" in text
    from valguscam.config import Config, load_config

    assert load_config(path) == Config()
    assert load_config(path, ["validity.max_yaw_deg=25"]).validity.max_yaw_deg == 25.0


@pytest.mark.parametrize("args", [["models", "path", "full"], ["models", "verify", "full"]])
def test_models_commands_find_the_mirror(args, model_path):
    proc = run(args, env={"VALGUSCAM_MODEL_DIR": str(model_path.parent)})
    assert proc.returncode == 0, proc.stderr
    assert str(model_path) in proc.stdout


def test_a_value_of_the_wrong_type_is_named_in_words(videos_dir):
    proc = run(["analyze", str(videos_dir / "nowva/squats.mp4"), "--set", "pose.workers=two"])
    assert_one_line_error(proc, 2, "pose.workers='two' is not a whole number")
