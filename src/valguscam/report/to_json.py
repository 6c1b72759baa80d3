"""The typed Report as the report.json dict: the only place its numbers are rounded
(report/jsonable.py DIGITS) and NaN becomes null. Keys and structure: docs/report-schema.json.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from valguscam.movement.view import ViewEstimate
from valguscam.report.jsonable import json_ready, report_ready
from valguscam.types import Baseline

if TYPE_CHECKING:
    from valguscam.report.model import AsymmetryReport, RepEntry, Report, SideReport

SOURCE_FIELDS = ("path", "width", "height", "fps", "frame_count", "duration_s", "rotation")


def _baseline(b: Baseline) -> dict:
    return {
        "fppa_deg": b.fppa_deg,
        "frames": b.n_frames,
        "structural": b.structural,
        "spread_deg": b.spread_deg,
        "duration_s": b.duration_s,
        "source": b.source,
        "reliable": b.reliable,
    }


def _view(v: ViewEstimate) -> dict:
    return {
        "label": v.label,
        "yaw_deg": v.yaw_deg,
        "hip_width_ratio": v.hip_width_ratio,
        "shoulder_width_ratio": v.shoulder_width_ratio,
        "frames": v.n_frames,
    }


def _rep(e: RepEntry) -> dict:
    r = e.rep
    return {
        "index": r.index,
        "start_s": r.start_s,
        "bottom_s": r.bottom_s,
        "end_s": r.end_s,
        "lead_side": r.lead_side,
        "depth": r.depth,
        "view": e.view,
        "left": asdict(e.left) if e.left is not None else None,
        "right": asdict(e.right) if e.right is not None else None,
    }


def _side(s: SideReport) -> dict:
    """The clip-wide numbers, overlaid by the verdict and the judged-frame numbers."""
    return {**asdict(s.clip), **asdict(s.judged)}


def _asymmetry(a: AsymmetryReport) -> dict:
    return {**asdict(a.fppa), **asdict(a.tracking)}


def report_dict(r: Report) -> dict:
    """report.json of `r`: the same keys and structure as docs/report-schema.json describes."""
    out = {
        "schema_version": r.schema_version,
        "tool": {"name": "valguscam", "version": r.tool_version},
        "source": {k: getattr(r.source, k) for k in SOURCE_FIELDS},
        "model": asdict(r.model),
        "config": None,  # filled below, unrounded: the values the user gave
        "conventions": dict(r.conventions),
        "quality": asdict(r.quality),
        "baseline": {side: _baseline(b) for side, b in r.baseline.items()},
        "view": _view(r.view),
        "exercise": asdict(r.exercise),
        "reps": [_rep(e) for e in r.reps],
        "events": [{**asdict(e.event), "kind": e.kind} for e in r.events],
        "summary": {
            "rep_count": r.summary.rep_count,
            "left": _side(r.summary.left),
            "right": _side(r.summary.right),
            "asymmetry": _asymmetry(r.summary.asymmetry),
        },
        "advice": [asdict(a) for a in r.advice],
        "files": list(r.files),
    }
    out = report_ready(out)
    out["config"] = json_ready(r.config.to_dict())
    return out
