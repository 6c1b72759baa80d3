"""The typed Report: built from typed findings, written as the schema's dict, rounded once."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import jsonschema
import numpy as np
from synthetic_events import session

from valguscam.assessment.advice import AdviceItem, AdviceKind, advice_for
from valguscam.assessment.findings import ExerciseSource, Findings
from valguscam.assessment.side_summary import summarize_side
from valguscam.assessment.verdicts import SideAssessment, assess
from valguscam.body.knee import compute_metrics
from valguscam.config import Config
from valguscam.landmarks import Side
from valguscam.movement.view import ViewEstimate
from valguscam.report.document import ModelInfo, Report, RunState, build_report
from valguscam.report.jsonable import digits_for, report_ready
from valguscam.report.text import render
from valguscam.types import KneeMetrics, Verdict, VideoInfo

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs/report-schema.json").read_text())
CFG = Config()


def _report(metrics: KneeMetrics | None = None, view: str = "frontal") -> Report:
    track, reps, _ = session(medial_m={Side.LEFT: 0.06})
    m = metrics or compute_metrics(track, track.visibility, CFG)
    a = assess(m, reps, view, "bilateral_squat", CFG.events, CFG.depth)
    est = ViewEstimate(view, 3.14159265, 0.2512345, 0.4498765, track.n_frames)
    findings = Findings(
        est, (est,) * len(reps), tuple(reps), "bilateral_squat", ExerciseSource.AUTO, a,
        tuple(advice_for(a)),
    )  # fmt: skip
    info = VideoInfo("clip.mp4", 640, 480, 30.0, track.n_frames, track.n_frames / 30.0)
    model = ModelInfo("full", "models/pose_landmarker_full.task", "0" * 64)
    return build_report(info, model, CFG, track, m, RunState(), findings)


def _floats(value, key=""):
    """(key, float) of every float in a report dict."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _floats(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _floats(v, key)
    elif isinstance(value, float):
        yield key, value


def test_report_is_typed_and_its_dict_validates():
    report = _report()
    assert isinstance(report.summary.left.judged, SideAssessment)
    assert report.summary.left.judged.verdict is Verdict.VALGUS
    assert all(isinstance(a, AdviceItem) for a in report.advice)
    assert report.advice[-1].kind is AdviceKind.SAFETY
    assert report.events and all(e.event.side == "left" for e in report.events)
    data = report.to_dict()
    jsonschema.validate(data, SCHEMA)
    json.dumps(data, allow_nan=False)
    assert data["summary"]["left"]["verdict"] == "valgus"
    assert data["exercise"] == {"label": "bilateral_squat", "source": "auto"}
    assert data["view"]["yaw_deg"] == 3.1 and data["view"]["hip_width_ratio"] == 0.251
    assert [r["index"] for r in data["reps"]] == [0, 1, 2]
    assert {"near_bottom_fppa_deg", "bottom_fppa_deg"} <= set(data["summary"]["left"])
    assert {"near_bottom_diff_deg", "travel_sdd_tl"} <= set(data["summary"]["asymmetry"])


def test_pure_results_keep_full_precision_and_the_dict_is_rounded_by_the_table():
    report = _report()
    peak = report.summary.left.judged.peak_fppa_deg
    assert peak != round(peak, 2)  # full precision in the typed result
    data = report.to_dict()
    for key, x in _floats({k: v for k, v in data.items() if k != "config"}):
        assert x == round(x, digits_for(key)), (key, x)
    assert data["summary"]["left"]["peak_fppa_deg"] == round(peak, 2)
    assert digits_for("median_yaw_deg") == 1 and digits_for("peak_fppa_deg") == 2
    assert digits_for("start_s") == 3 and digits_for("excursion_at_depth_tl") == 3
    assert report_ready({"x_deg": float("nan"), "v": Verdict.OK}) == {"x_deg": None, "v": "ok"}


def test_a_side_without_known_knee_positions_has_null_shares_not_zero():
    track, _, _ = session()
    m = compute_metrics(track, track.visibility, CFG)
    unknown = np.full_like(m.left.knee_position, -1)
    m = dataclasses.replace(m, left=dataclasses.replace(m.left, knee_position=unknown))
    s = summarize_side(m, "left")
    assert s.position_frames == 0 and s.peak_knee_foot is None
    assert set(s.knee_position_share.values()) == {None}
    data = _report(m).to_dict()
    jsonschema.validate(data, SCHEMA)
    assert set(data["summary"]["left"]["knee_position_share"].values()) == {None}


def test_side_view_report_has_no_numbers_for_the_sides():
    data = _report(view="sagittal").to_dict()
    jsonschema.validate(data, SCHEMA)
    for side in ("left", "right"):
        s = data["summary"][side]
        assert s["verdict"] == "not_assessable"
        assert s["bottom_fppa_deg"] is None and s["near_bottom_fppa_deg"] is None
        assert s["peak_excursion_tl"] is None
    assert data["summary"]["asymmetry"]["peak_diff_deg"] is None


def test_render_reads_the_typed_report():
    text = render(_report(), {"report_json": "out/clip/report.json"})
    assert " left knee: VALGUS" in text
    assert "right knee: OK" in text
    assert "median body yaw" in text and "wrote out/clip/report.json" in text
    assert text.splitlines()[-2].startswith("warning:") or "safety:" in text
    assert not any(math.isnan(x) for _, x in _floats(_report().to_dict()))
