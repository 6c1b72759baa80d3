"""The command line as a user runs it: real subprocesses with the real model.

Argument handling is tested in-process in test_args.py; these few check what only a real run
shows: the printed summary, no native noise on stderr, exit code 5 with a report written,
and Ctrl-C keeping what was computed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np

from valguscam.cli.main import quiet_summary


def run(args: list[str], env: dict | None = None, cwd: Path | None = None, timeout: float = 300):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "valguscam", *args], capture_output=True, text=True,
        env=full_env, cwd=cwd, timeout=timeout,
    )  # fmt: skip


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


def test_analyze_prints_a_summary(tmp_path, squats_clip, model_path):
    proc = run(["analyze", str(squats_clip), "--out", str(tmp_path), "--no-progress"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == ""  # no native log chatter, no warnings for a clean clip
    lines = proc.stdout.splitlines()
    assert "view frontal, bilateral squat (auto), 5 rep(s)" in lines
    assert lines[-3].startswith("safety: Sharp pain")
    assert "FPPA + = valgus" in proc.stdout
    assert (tmp_path / "squats/report.json").is_file()
    # what -q keeps of this very summary: the two verdicts and the two files
    quiet = quiet_summary(proc.stdout).splitlines()
    assert [line.split(":")[0].strip() for line in quiet[:2]] == ["left knee", "right knee"]
    assert all(line.split(":")[1].startswith(" OK") for line in quiet[:2])
    assert quiet[2:] == [f"wrote {tmp_path / 'squats/frames.csv'}",
                         f"wrote {tmp_path / 'squats/report.json'}"]  # fmt: skip


def test_interrupt_keeps_what_was_computed(tmp_path, lunge_clip, model_path):
    """Ctrl-C during a long clip: exit 130, and the frames done so far are written."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "valguscam", "analyze", str(lunge_clip), "--out", str(tmp_path),
         "--no-progress", "--debug"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # A shell that starts jobs in the background ignores SIGINT for them, and Python then
        # never installs its Ctrl-C handler: restore the default as a terminal would have it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    seen = []
    while not any("landmarker(s) loaded" in line for line in seen):  # --debug says so
        line = proc.stderr.readline()
        assert line, f"the run ended before pose estimation: {''.join(seen)}"
        seen.append(line)
    time.sleep(1.5)  # some frames done, far from the end (~20 s for 961 frames)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    report = json.loads((tmp_path / "lunge/report.json").read_text())
    assert report["quality"]["status"] == "incomplete"
    assert 0 < report["quality"]["frames"] < 961
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"valguscam: interrupted; kept {report['quality']['frames']} of 961 frames in "
        f"{tmp_path / 'lunge/report.json'} (status incomplete)"
    )
    assert any("interrupted" in w for w in report["quality"]["warnings"])
