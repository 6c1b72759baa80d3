"""Whole processes: Ctrl-C twice, kill -9 in the pose pass and in the middle of writing, and
an analysis with the network cut off. Each runs `python -m valguscam` in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from reliability.conftest import invoke

# A shell that starts jobs in the background ignores SIGINT for them, and Python then never
# installs its Ctrl-C handler: restore the default as a terminal would have it.
_DEFAULT_SIGINT = lambda: signal.signal(signal.SIGINT, signal.SIG_DFL)  # noqa: E731


def _start(args: list[str], code: str | None = None) -> subprocess.Popen:
    """`python -m valguscam ARGS --debug` (or `python -c CODE ARGS`), stderr piped."""
    cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "valguscam"]
    return subprocess.Popen(
        [*cmd, *args, "--no-progress", "--debug"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_DEFAULT_SIGINT,
    )


def _wait_for_pose(proc: subprocess.Popen) -> None:
    """Read stderr until the landmarkers are loaded (--debug says so), then 1 s more."""
    seen = []
    while not any("landmarker(s) loaded" in line for line in seen):
        line = proc.stderr.readline()
        assert line, f"the run ended before pose estimation: {''.join(seen)}"
        seen.append(line)
    time.sleep(1.0)


def test_two_ctrl_c_20_ms_apart_keep_the_frames_and_say_so(tmp_path, lunge_clip):
    proc = _start(["analyze", str(lunge_clip), "--out", str(tmp_path)])
    _wait_for_pose(proc)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    report = json.loads((tmp_path / "lunge/report.json").read_text())
    q = report["quality"]
    assert q["status"] == "incomplete" and q["stopped"] == "interrupted"
    assert 0 < q["frames"] < q["frames_expected"] == 961
    last = err.strip().splitlines()[-1]
    assert last.startswith(
        f"valguscam: interrupted; kept {q['frames']} of 961 frames in "
        f"{tmp_path / 'lunge/report.json'} (status incomplete)"
    ), last
    rows = (tmp_path / "lunge/frames.csv").read_text().splitlines()
    assert len(rows) == q["frames"] + 1  # the header and one row per frame kept


def test_kill_9_during_pose_leaves_no_result(tmp_path, lunge_clip):
    proc = _start(["analyze", str(lunge_clip), "--out", str(tmp_path)])
    _wait_for_pose(proc)
    proc.kill()
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert list((tmp_path / "lunge").iterdir()) == []  # checked and made, nothing written


KILL_WHILE_RENAMING = textwrap.dedent("""
    import os, signal, sys
    import valguscam.report.atomic as atomic
    real = atomic.os.replace
    def replace(src, dst):
        if str(dst).endswith(sys.argv[1]):
            os.kill(os.getpid(), signal.SIGKILL)  # kill -9 once that file is written
        real(src, dst)
    atomic.os.replace = replace
    from valguscam.cli.main import main
    sys.exit(main(sys.argv[2:]))
""")


@pytest.mark.parametrize("victim", ["frames.csv", "report.json"])
def test_kill_9_while_writing_leaves_nothing_that_claims_to_be_complete(
    bad_input, tmp_path, victim
):
    """A folder holding an older run's results; kill -9 as the new frames.csv or report.json
    is about to land. Afterwards no report.json claims the folder, and the next run removes
    the temporary file left behind and writes a consistent folder."""
    video = bad_input("index_at_start")
    dest = tmp_path / video.stem
    dest.mkdir()
    (dest / "frames.csv").write_text("frame,time_s\n0,0.0\n")  # an older run's, complete
    (dest / "report.json").write_text(json.dumps({"quality": {"status": "ok"}}))
    proc = _start([victim, "analyze", str(video), "--out", str(tmp_path)], KILL_WHILE_RENAMING)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    names = sorted(p.name for p in dest.iterdir())
    assert "report.json" not in names, names  # the old one went first; the new never landed
    temps = [n for n in names if n.endswith(".tmp")]
    assert len(temps) == 1 and temps[0].startswith(f".{victim}."), names  # nothing trusts it
    old = time.time() - 3600
    os.utime(dest / temps[0], (old, old))  # a leftover from an hour ago
    again = invoke("analyze", str(video), "--out", str(tmp_path), "--no-progress", "-q")
    assert again.exit_code == 0, again.stderr
    assert sorted(p.name for p in dest.iterdir()) == ["frames.csv", "report.json"]
    assert json.loads((dest / "report.json").read_text())["quality"]["frames"] == 45


NO_NETWORK = textwrap.dedent("""
    import socket, sys
    attempts = []
    def audit(event, args):
        if event.startswith(("socket.", "urllib.", "http.")) or event == "socket.__new__":
            attempts.append(event)
            raise PermissionError(f"network call blocked by the test: {event}")
    sys.addaudithook(audit)
    class NoSocket(socket.socket):
        def __init__(self, *a, **k):
            attempts.append("socket.socket")
            raise PermissionError("sockets blocked by the test")
    socket.socket = NoSocket
    from valguscam.cli.main import main
    code = main(sys.argv[1:])
    print("NETWORK ATTEMPTS:", attempts, file=sys.stderr)
    sys.exit(code)
""")


def test_analyze_makes_no_network_call(bad_input, tmp_path):
    video = bad_input("index_at_start")
    proc = subprocess.run(
        [sys.executable, "-c", NO_NETWORK, "analyze", str(video), "--out", str(tmp_path),
         "--plots", "--html", "--key-frames", "--no-progress", "-q"],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "NETWORK ATTEMPTS: []"
    assert (tmp_path / video.stem / "report.json").is_file()
    assert (tmp_path / video.stem / "report.html").is_file()
