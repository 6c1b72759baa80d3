"""The short human summary `valguscam analyze` prints (plain text, no I/O), from the typed
Report (report/model.py)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from valguscam.assessment.advice import AdviceItem, AdviceKind
from valguscam.report.model import EventEntry, Report, SideReport
from valguscam.types import Verdict

MEASURE_NAMES = {"fppa": "FPPA", "knee_over_foot": "knee over foot at depth"}


def _deg(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.1f} deg"


def side_line(side: str, s: SideReport) -> str:
    """One line per knee: verdict, peak FPPA, baseline, dynamic change, where the knee tracked."""
    j = s.judged
    if j.verdict == Verdict.NOT_ASSESSABLE or not s.clip.assessable:
        why = j.reason or "no frame with a trustworthy frontal view"
        return f"{side:>5} knee: not assessable ({why})"
    shares = s.clip.knee_position_share
    where = ", ".join(f"{k} {v:.0%}" for k, v in shares.items() if v and v >= 0.005) or "n/a"
    severity = f", worst {j.max_severity}" if j.max_severity else ""
    judged = " + ".join(MEASURE_NAMES.get(m, m) for m in j.measures) or "n/a"
    found = " + ".join(MEASURE_NAMES.get(m, m) for m in j.valgus_measures)
    travel = "n/a" if j.peak_excursion_tl is None else f"{j.peak_excursion_tl:+.2f} thigh lengths"
    return (
        f"{side:>5} knee: {j.verdict.upper()} ({j.events} valgus event(s){severity}"
        f"{', found by ' + found if found else ''}; judged on {judged}); "
        f"peak FPPA {_deg(j.peak_fppa_deg)} (standing {_deg(j.baseline_fppa_deg)}, "
        f"change {_deg(j.peak_dynamic_fppa_deg)}); most medial knee travel at depth {travel}; "
        f"knee over foot: {where}"
    )


def event_line(entry: EventEntry) -> str:
    """One collapse event: side, rep, time, how far, where the knee was."""
    e, kind = entry.event, entry.kind
    rep = "outside reps" if e.rep is None else f"rep {e.rep + 1}"
    where = e.knee_position or "n/a"
    if e.measure == "knee_over_foot":
        return (
            f"  {kind} {e.side} knee, {rep}: {e.start_s:.2f}-{e.end_s:.2f} s at "
            f"depth, knee travelled {e.peak_excursion_tl:+.2f} thigh lengths inward over the "
            f"foot at {e.peak_s:.2f} s (frame {e.i_peak}), {e.severity}, knee "
            f"{where} (FPPA not valid at this depth)"
        )
    dyn = e.peak_dynamic_fppa_deg
    return (
        f"  {kind} {e.side} knee, {rep}: {e.start_s:.2f}-{e.end_s:.2f} s, peak "
        f"{_deg(e.peak_fppa_deg)} at {e.peak_s:.2f} s (frame {e.i_peak}), change "
        f"{_deg(dyn if math.isfinite(dyn) else None)}, {e.severity}, knee {where}"
    )


def advice_line(a: AdviceItem) -> str:
    """One advice item: kind, side, text and why (the safety line stands alone)."""
    if a.kind == AdviceKind.SAFETY:
        return f"safety: {a.text}"
    side = f" [{a.side}]" if a.side else ""
    why = f" ({a.why})" if a.why else ""
    return f"{a.kind}{side}: {a.text}{why}"


def _travel_line(report: Report) -> list[str]:
    """The left-right difference of the knees' travel at depth, when there is one."""
    t = report.summary.asymmetry.tracking
    travel = t.travel_diff_at_depth_tl
    if not travel:
        return []
    side = "left" if travel > 0 else "right"
    within = "beyond" if t.travel_exceeds_sdd else "within"
    return [
        f"  at depth the {side} knee travelled {abs(travel):.2f} thigh lengths more inward "
        f"than the other (median over reps; {within} the {t.travel_sdd_tl:g} "
        "smallest detectable difference; descriptive, not a verdict)"
    ]


def _view_line(report: Report) -> str:
    """Camera view, exercise and reps; when no person was found that is the reason, not an
    'unknown' view."""
    q, ex = report.quality, report.exercise
    if q.frames_with_pose == 0:
        return "view: none, no person found in any frame (film the whole body, hips to feet)"
    view = report.view.label
    if view == "unknown":
        view = f"unknown (a person in only {q.frames_with_pose} frames, too few to tell)"
    return (
        f"view {view}, {ex.label.replace('_', ' ')} ({ex.source}), "
        f"{report.summary.rep_count} rep(s)"
    )


def render(report: Report, files: Mapping[str, str | Path]) -> str:
    """The whole summary: source, movement, one line per knee, events, advice, warnings, files."""
    src, q = report.source, report.quality
    yaw = "n/a" if not math.isfinite(q.median_yaw_deg) else f"{q.median_yaw_deg:.0f} deg"
    of = f" of {q.frames_expected}" if q.frames_expected and q.frames_expected != q.frames else ""
    lines = [
        f"{src.path}: {q.frames}{of} frames, {src.duration_s:.1f} s, person in "
        f"{q.frames_with_pose} frames, median body yaw {yaw}",
        _view_line(report),
    ]
    if q.frames_with_pose == 0:
        lines += [f"{side:>5} knee: not assessable (no person found)" for side in ("left", "right")]
    else:
        lines += [side_line(side, report.summary.side(side)) for side in ("left", "right")]
    lines += [event_line(e) for e in report.events]
    lines += _travel_line(report)
    lines.append(
        "FPPA + = valgus (knee toward the midline); sides are the subject's; valid when "
        + report.conventions["valid_when"]
    )
    advice = report.advice
    if q.frames_with_pose == 0:  # "could not be judged" notes would only repeat the view
        advice = tuple(a for a in advice if a.kind != AdviceKind.NOTE)
    lines += [advice_line(a) for a in advice]
    lines += [f"warning: {w}" for w in q.warnings]
    lines += [f"wrote {p}" for p in files.values()]
    return "\n".join(lines)
