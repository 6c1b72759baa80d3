"""Live counts the same reps as `analyze` on the same clip (shared suite: ../shared clips).

rjsong/squat.mp4 (30 s of bodyweight squats, front view) is played in real time with the full
model, dropping the frames the pipeline cannot keep up with, as a camera would: the reps the
online counter showed and the reps of the session's report both equal analyze's.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from valguscam.cli.main import cli
from valguscam.run.analyze import analyze


@pytest.mark.parametrize("clip", ["shared:rjsong/squat.mp4"])
def test_live_reps_equal_analyze_reps(clip, clip_file, tmp_path):
    path = clip_file(clip)
    offline = analyze(path)
    args = ["live", "--source", str(path), "--headless", "--out", str(tmp_path), "-q"]
    result = CliRunner().invoke(cli, args, prog_name="valguscam")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / path.stem / "report.json").read_text())
    want = len(offline.findings.reps)
    assert want >= 10
    assert len(report["reps"]) == want
    assert report["live"]["live_reps"] == want
    bottoms = [r["bottom_s"] for r in report["reps"]]
    for got, ref in zip(bottoms, [r.bottom_s for r in offline.findings.reps], strict=True):
        assert abs(got - ref) < 0.25  # the same reps, not just as many (frames are dropped)
