"""A batch's own files: summary.csv (one row per video) and batch.json (the run as a whole).

`row_from_report` reads the summary fields of one video from its report.json content (a dict),
so a video skipped on resume gets the same row as when it was analyzed. Units are in the column
names: degrees (_deg), hip widths (knee_foot), seconds (_s).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from valguscam.report.atomic import atomic_open

SUMMARY_CSV = "summary.csv"
BATCH_JSON = "batch.json"

SIDES = ("left", "right")
SIDE_FIELDS = (
    "verdict",
    "measure",
    "peak_fppa_deg",
    "peak_dynamic_fppa_deg",
    "peak_knee_foot",
    "valgus_events",
    "varus_events",
    "max_severity",
)
SUMMARY_COLUMNS = (
    "path",
    "folder",
    "status",
    "error",
    "view",
    "exercise",
    "reps",
    *(f"{side}_{name}" for side in SIDES for name in SIDE_FIELDS),
    "events",
    "asymmetry_peak_diff_deg",
    "asymmetry_exceeds_sdd",
    "more_valgus_side",
    "more_medial_side_at_depth",
    "duration_s",
    "frames",
    "analysis_s",
    "reused",
)
"""summary.csv columns. verdict: ok / valgus / varus / not_assessable; measure: what the
verdict rests on (fppa, knee_over_foot, dynamic, ...); peak_*: the side's largest FPPA
(degrees, + = valgus), largest dynamic FPPA (degrees from standing) and largest knee-over-foot
(hip widths, + = medial); events: judged collapse events of both sides; analysis_s: wall
time of the analysis, seconds (0 for a reused result's first run is not kept: see reused)."""

TIMING_COLUMNS = ("analysis_s", "reused")
"""Columns that differ between two runs with the same results (time, whether reused)."""


def _side_fields(summary: Mapping[str, Any], side: str) -> dict[str, Any]:
    s = summary.get(side) or {}
    return {
        f"{side}_verdict": s.get("verdict"),
        f"{side}_measure": s.get("reference"),
        f"{side}_peak_fppa_deg": s.get("peak_fppa_deg"),
        f"{side}_peak_dynamic_fppa_deg": s.get("peak_dynamic_fppa_deg"),
        f"{side}_peak_knee_foot": s.get("peak_knee_foot"),
        f"{side}_valgus_events": s.get("events"),
        f"{side}_varus_events": s.get("varus_events"),
        f"{side}_max_severity": s.get("max_severity"),
    }


def row_from_report(report: Mapping[str, Any], analysis_s: float) -> dict[str, Any]:
    """The summary fields of one analyzed video from its report dict (report.json content);
    analysis_s: wall time of its analysis, seconds. Path, folder, status and error are added
    by the batch."""
    summary = report.get("summary") or {}
    asym = summary.get("asymmetry") or {}
    source = report.get("source") or {}
    row = {
        "view": (report.get("view") or {}).get("label"),
        "exercise": (report.get("exercise") or {}).get("label"),
        "reps": summary.get("rep_count"),
        **_side_fields(summary, "left"),
        **_side_fields(summary, "right"),
        "events": len(report.get("events") or ()),
        "asymmetry_peak_diff_deg": asym.get("peak_diff_deg"),
        "asymmetry_exceeds_sdd": asym.get("exceeds_sdd"),
        "more_valgus_side": asym.get("more_valgus_side"),
        "more_medial_side_at_depth": asym.get("more_medial_side_at_depth"),
        "duration_s": source.get("duration_s"),
        "frames": source.get("frame_count"),
        "analysis_s": round(analysis_s, 2),
    }
    return row


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_summary_csv(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """summary.csv: SUMMARY_COLUMNS, one row per video, empty cells where nothing was
    measured; written atomically."""
    path = Path(path)
    with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, SUMMARY_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in SUMMARY_COLUMNS})
    return path


def write_batch_json(path: str | Path, content: Mapping[str, Any]) -> Path:
    """batch.json (inputs, config, tool version, per-video status ...), written atomically."""
    path = Path(path)
    with atomic_open(path, "w", encoding="utf-8") as fh:
        json.dump(content, fh, indent=1, default=str)
        fh.write("\n")
    return path


def read_summary_csv(path: str | Path) -> list[dict[str, str]]:
    """summary.csv back as a list of {column: text} (for tests, notebooks and benchmarks)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
