"""The issue's acceptance run on every clip of ../shared/videos plus a broken file:
`valguscam batch ../shared/videos --out results --plots --html` (run with -m shared)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from valguscam.report.batch_files import read_summary_csv
from valguscam.run.batch import batch
from valguscam.run.batch_inputs import discover

VALGUSCAM = str(Path(sys.executable).with_name("valguscam"))


@pytest.mark.shared
def test_every_shared_clip_and_a_broken_file(shared_dir: Path, tmp_path: Path) -> None:
    videos = shared_dir / "videos"
    broken = tmp_path / "in" / "broken.mp4"
    broken.parent.mkdir()
    broken.write_bytes(b"\x00\x01 not a video" * 1000)
    out = tmp_path / "results"
    args = [VALGUSCAM, "batch", str(videos), str(broken), "--out", str(out), "--plots", "--html"]
    done = subprocess.run([*args, "--no-progress"], capture_output=True, text=True, timeout=3600)
    assert done.returncode == 1, done.stderr
    rows = {r["path"]: r for r in read_summary_csv(out / "summary.csv")}
    clips, _ = discover([videos], out)
    assert len(clips) >= 13
    assert rows.pop(str(broken))["status"] == "failed"
    assert {r["status"] for r in rows.values()} == {"ok"}, [r["error"] for r in rows.values()]
    assert sorted(rows) == sorted(str(c.video) for c in clips)
    # formfit/squat.mp4, rjsong/squat.mp4 ... each in its own folder, each with its page
    assert len({r["folder"] for r in rows.values()}) == len(rows)
    assert all((out / r["folder"] / "report.html").is_file() for r in rows.values())
    assert (out / "index.html").is_file() and (out / "cohort.png").is_file()
    again = batch([videos, broken], out, plots=True, html=True, progress=False)
    assert again.analyzed == () and again.exit_code == 1
    assert sum(v.reused for v in again.videos) == len(rows)
