"""`valguscam report DIR [--html] [--pdf]` and `analyze --html --pdf` as a user runs them (real
subprocesses, the real model, real headless Chromium and pdftotext: both must be installed,
`.ci/run` installs them; a missing one fails, it does not skip)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import valguscam
from valguscam.errors import BrowserError
from valguscam.report.html import SECTIONS


def run(args: list[str], env: dict | None = None, timeout: float = 300):
    return subprocess.run(
        [sys.executable, "-m", "valguscam", *args], capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=timeout,
    )  # fmt: skip


@pytest.fixture(scope="module")
def result_dir(clip_path, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("out") / "squats"
    valguscam.analyze(clip_path("sample:squats.mp4")).save(folder)
    return folder


def pdf_text(path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing: apt-get install poppler-utils"
    out = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return re.sub(r"\s+", " ", out.stdout)


def test_report_writes_html_and_pdf_with_the_same_sections(result_dir):
    proc = run(["report", str(result_dir), "--html", "--pdf"])
    assert proc.returncode == 0, proc.stderr
    html, pdf = result_dir / "report.html", result_dir / "report.pdf"
    assert f"wrote {html}" in proc.stdout and f"wrote {pdf}" in proc.stdout
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(pdf)
    page = html.read_text(encoding="utf-8")
    positions = []
    for _, heading in SECTIONS:
        assert f"<h2>{heading}</h2>" in page
        assert heading in text, heading
        positions.append(text.index(heading))
    assert positions == sorted(positions)
    assert "Left knee: tracked well" in text and "need a physical therapist or doctor" in text


def test_report_without_flags_writes_html_only(result_dir, tmp_path):
    folder = tmp_path / "squats"
    shutil.copytree(result_dir, folder, ignore=shutil.ignore_patterns("report.*ml", "*.pdf"))
    proc = run(["report", str(folder)])
    assert proc.returncode == 0, proc.stderr
    assert (folder / "report.html").is_file() and not (folder / "report.pdf").exists()


def test_missing_chromium_is_one_line_exit_6_and_keeps_the_html(result_dir, tmp_path):
    folder = tmp_path / "squats"
    shutil.copytree(result_dir, folder)
    (folder / "report.pdf").unlink(missing_ok=True)
    empty = tmp_path / "bin"
    empty.mkdir()
    proc = run(["report", str(folder), "--pdf"], env={"PATH": str(empty)})
    assert proc.returncode == BrowserError.exit_code == 6
    assert proc.stderr.count("\n") == 1 and "apt-get install chromium" in proc.stderr
    assert (folder / "report.html").is_file() and not (folder / "report.pdf").exists()


def test_report_of_a_missing_folder_is_exit_2(tmp_path):
    proc = run(["report", str(tmp_path / "nope")])
    assert proc.returncode == 2 and "valguscam analyze" in proc.stderr


def test_analyze_html_pdf(squats_clip, tmp_path):
    proc = run(["analyze", str(squats_clip), "--out", str(tmp_path), "--pdf", "-q"])
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "squats"
    assert (folder / "report.html").is_file()
    assert (folder / "report.pdf").read_bytes()[:5] == b"%PDF-"
    assert f"wrote {folder / 'report.pdf'}" in proc.stdout
    listed = json.loads((folder / "report.json").read_text())["files"]
    assert listed[-2:] == ["report.html", "report.pdf"]
