"""The HTML report on a real analysis (nowva squats, the real model): its content, that it is
self-contained, and that headless Chromium renders it with no network request and no console
error (Chromium must be installed: a missing browser fails, it does not skip)."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import numpy as np
import pytest

import valguscam
from valguscam.assessment.advice import SAFETY_LINE
from valguscam.draw.report_page import page_for
from valguscam.draw.results import load_result
from valguscam.report import html
from valguscam.run.browser import run_browser

EXTERNAL = re.compile(r"""(?:src|href|action|url)\s*[=(]\s*["']?\s*(?:https?:)?//""", re.I)
"""A reference to an external resource: src=/href=/url( to http(s):// or //host."""


@pytest.fixture(scope="module")
def result(clip_path, tmp_path_factory):
    """squats.mp4 analysed once, saved, read back: SavedResult (report dict + frame arrays)."""
    folder = tmp_path_factory.mktemp("squats")
    valguscam.analyze(clip_path("sample:squats.mp4")).save(folder)
    return load_result(folder)


@pytest.fixture(scope="module")
def page(result) -> str:
    return page_for(result.report, result.frames, result.folder)


@pytest.fixture(scope="module")
def page_file(page, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("page") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def text_of(page: str) -> str:
    """The page's visible words (tags stripped, whitespace collapsed)."""
    body = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_findings_in_plain_words_come_first(page):
    words = text_of(page)
    assert words.index("What we found") < words.index("Rep by rep") < words.index("Plots")
    assert "squats.mp4: 5 complete reps of bilateral squat, filmed from a frontal view" in words
    assert "Left knee: tracked well, no inward collapse in 5 judged reps." in words
    assert "Right knee: tracked well, no inward collapse in 5 judged reps." in words
    assert "within the 8 deg measurement error" in words
    assert "How sure:" in words


def test_sections_in_order(page):
    positions = [page.index(f"<h2>{title}</h2>") for _, title in html.SECTIONS]
    assert positions == sorted(positions)


def test_rep_table_has_one_row_per_rep(page, result):
    table = re.search(r'<table class="reps">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr><td", table.split("<tbody>")[1])
    assert len(rows) == len(result.report["reps"]) == 5
    assert "Left knee (subject's left)" in table
    assert "knee travel at depth" in table and "target" in table


def test_three_plots_inline_as_svg(page):
    assert page.count("<svg") == 3
    assert "FPPA (deg), + = valgus" in page  # the axis label, kept as text
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page


def test_safety_line_advice_and_conventions(page):
    words = text_of(page)
    assert f'<p class="safety">{SAFETY_LINE}</p>' in page
    assert "What went well" in words and "Keep doing this" in words
    for phrase in ("Sides are the subject's", "+ = valgus", "Munro et al. 2012",
                   "Herrington 2014", "Knee over the foot", "Not a diagnosis"):  # fmt: skip
        assert phrase in words, phrase
    assert "pose_landmarker_full" not in words.split("Conventions")[0]
    assert "valguscam 0." in words.split("Source:")[1]


def test_no_external_reference(page):
    assert not EXTERNAL.findall(page)
    no_xmlns = re.sub(r'xmlns(?::\w+)?="[^"]*"', "", page)
    assert "http://" not in no_xmlns and "https://" not in no_xmlns
    assert "<script" not in page.lower()


def test_key_frames_inline_when_present(result):
    png = b"\x89PNG\r\n\x1a\nfake"
    page = html.build_page(result.report, {}, png)
    assert 'src="data:image/png;base64,iVBORw0KGgpmYWtl"' in page


def test_strings_from_the_report_are_escaped(result):
    report = copy.deepcopy(result.report)
    report["source"]["path"] = "/clips/<script>alert(1)</script>&.mp4"
    report["quality"]["warnings"] = ['<img src="x">']
    page = html.build_page(report, {})
    assert "<script>" not in page and '<img src="x">' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&amp;.mp4" in page


def test_valgus_and_not_judged_knee_in_words(result):
    """A split squat whose right (front) knee caved in twice and whose left was the back leg."""
    report = copy.deepcopy(result.report)
    left, right = report["summary"]["left"], report["summary"]["right"]
    left.update(verdict="not_assessable", reason="never the judged leg: trailing leg: not judged")
    right.update(verdict="valgus", max_severity="moderate", valgus_measures=["fppa"],
                 peak_dynamic_fppa_deg=14.3, judged_reps=2)  # fmt: skip
    report["events"] = [
        {"side": "right", "kind": "valgus", "measure": "fppa", "rep": r, "start_s": 1.0 + r,
         "peak_s": 1.2 + r, "end_s": 1.5 + r, "peak_fppa_deg": 18.0, "peak_dynamic_fppa_deg": 14.3,
         "severity": "moderate", "knee_position": "big_toe"}
        for r in (0, 2)
    ]  # fmt: skip
    words = text_of(html.build_page(report, {}))
    assert "Left knee: not judged in this clip: it was the back (trailing) leg" in words
    assert "Right knee: caved inward (valgus) in reps 1 and 3, 2 collapse events" in words
    assert "more than the 8 deg measurement error" in words
    assert "Left vs right" not in words  # no comparison with a knee that was not judged
    assert words.count("right (valgus)") == 2 and "on the big-toe line" in words


def browser_log(page_file: Path, tmp_path: Path, *flags: str):
    """Run headless Chromium on the page with no name resolution, a net log and console
    logging; returns (process, page-initiated network requests)."""
    net = tmp_path / "net.json"
    proc = run_browser(page_file, (
        "--host-resolver-rules=MAP * ~NOTFOUND", f"--log-net-log={net}",
        "--enable-logging=stderr", "--v=0", *flags,
    ))  # fmt: skip
    return proc, page_requests(net)


def page_requests(net_log: Path) -> list[str]:
    """URLs of network requests made for a file:// page (their network isolation key or
    initiator is the page's file origin); Chromium's own background requests ("not an
    origin") are not the page's."""
    log = json.loads(net_log.read_text())
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    urls, page_sources = {}, set()
    for ev in log["events"]:
        params, source = ev.get("params") or {}, ev["source"]["id"]
        if "url" in params:
            urls.setdefault(source, params["url"])
        if names[ev["type"]] == "URL_REQUEST_START_JOB" and (
            "file://" in str(params.get("network_isolation_key"))
            or params.get("initiator") not in (None, "not an origin")
        ):
            page_sources.add(source)
    return sorted(urls.get(s, "?") for s in page_sources)


def test_chromium_renders_the_page_without_network_or_errors(page_file, tmp_path):
    proc, requests = browser_log(page_file, tmp_path, "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-500:]
    assert "Left knee: tracked well" in proc.stdout and proc.stdout.count("<svg") == 3
    assert requests == []
    assert ":CONSOLE" not in proc.stderr


def test_the_network_check_catches_an_external_resource(tmp_path):
    """Control: a page with an external image and a script error is caught by the same check."""
    bad = tmp_path / "bad.html"
    bad.write_text('<p>x</p><img src="http://example.invalid/a.png"><script>nope()</script>')
    proc, requests = browser_log(bad, tmp_path, "--dump-dom")
    assert requests == ["http://example.invalid/a.png"]
    assert ":CONSOLE" in proc.stderr


def test_full_page_screenshot_is_not_blank(page_file, tmp_path):
    import cv2

    shot = tmp_path / "page.png"
    proc = run_browser(page_file, (f"--screenshot={shot}", "--window-size=1280,4000",
                                   "--hide-scrollbars"))  # fmt: skip
    assert proc.returncode == 0 and shot.is_file(), proc.stderr[-500:]
    image = cv2.imread(str(shot))
    assert image.shape[:2] == (4000, 1280)
    dark = (image.mean(axis=2) < 128).mean(axis=1)  # share of dark pixels per row
    assert np.count_nonzero(dark > 0.01) > 1000  # text and plots down the page, not blank
    assert image.std() > 20
