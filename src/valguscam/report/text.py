"""The short human summary `valguscam analyze` prints (plain text, no I/O)."""

from __future__ import annotations

MEASURE_NAMES = {"fppa": "FPPA", "knee_over_foot": "knee over foot at depth"}


def _deg(x: float | None) -> str:
    return "n/a" if x is None else f"{x:+.1f} deg"


def side_line(side: str, s: dict) -> str:
    """One line per knee: verdict, peak FPPA, baseline, dynamic change, where the knee tracked."""
    verdict = s.get("verdict", "n/a")
    if verdict == "not_assessable" or not s["assessable"]:
        why = s.get("reason") or "no frame with a trustworthy frontal view"
        return f"{side:>5} knee: not assessable ({why})"
    shares = s["knee_position_share"]
    where = ", ".join(f"{k} {v:.0%}" for k, v in shares.items() if v >= 0.005) or "n/a"
    events = s.get("events", 0)
    severity = f", worst {s['max_severity']}" if s.get("max_severity") else ""
    judged = " + ".join(MEASURE_NAMES.get(m, m) for m in s.get("measures", ())) or "n/a"
    found = " + ".join(MEASURE_NAMES.get(m, m) for m in s.get("valgus_measures", ()))
    travel = s.get("peak_excursion_tl")
    travel = "n/a" if travel is None else f"{travel:+.2f} thigh lengths"
    return (
        f"{side:>5} knee: {verdict.upper()} ({events} valgus event(s){severity}"
        f"{', found by ' + found if found else ''}; judged on {judged}); "
        f"peak FPPA {_deg(s['peak_fppa_deg'])} (standing {_deg(s['baseline_fppa_deg'])}, "
        f"change {_deg(s['peak_dynamic_fppa_deg'])}); most medial knee travel at depth {travel}; "
        f"knee over foot: {where}"
    )


def event_line(e: dict) -> str:
    """One collapse event: side, rep, time, how far, where the knee was."""
    rep = "outside reps" if e["rep"] is None else f"rep {e['rep'] + 1}"
    dyn = e["peak_dynamic_fppa_deg"]
    if e.get("measure") == "knee_over_foot":
        return (
            f"  {e['kind']} {e['side']} knee, {rep}: {e['start_s']:.2f}-{e['end_s']:.2f} s at "
            f"depth, knee travelled {e['peak_excursion_tl']:+.2f} thigh lengths inward over the "
            f"foot at {e['peak_s']:.2f} s (frame {e['i_peak']}), {e['severity']}, knee "
            f"{e['knee_position'] or 'n/a'} (FPPA not valid at this depth)"
        )
    return (
        f"  {e['kind']} {e['side']} knee, {rep}: {e['start_s']:.2f}-{e['end_s']:.2f} s, peak "
        f"{_deg(e['peak_fppa_deg'])} at {e['peak_s']:.2f} s (frame {e['i_peak']}), change "
        f"{_deg(dyn)}, {e['severity']}, knee {e['knee_position'] or 'n/a'}"
    )


def advice_line(a: dict) -> str:
    """One advice item: kind, side, text and why (the safety line stands alone)."""
    if a["kind"] == "safety":
        return f"safety: {a['text']}"
    side = f" [{a['side']}]" if a["side"] else ""
    why = f" ({a['why']})" if a["why"] else ""
    return f"{a['kind']}{side}: {a['text']}{why}"


def render(report: dict, files: dict) -> str:
    """The whole summary: source, movement, one line per knee, events, advice, warnings, files."""
    src, q = report["source"], report["quality"]
    view, ex, summary = report["view"], report["exercise"], report["summary"]
    yaw = "n/a" if q["median_yaw_deg"] is None else f"{q['median_yaw_deg']:.0f} deg"
    lines = [
        f"{src['path']}: {q['frames']} frames, {src['duration_s']:.1f} s, person in "
        f"{q['frames_with_pose']} frames, median body yaw {yaw}",
        f"view {view['label']}, {ex['label'].replace('_', ' ')} ({ex['source']}), "
        f"{summary['rep_count']} rep(s)",
    ]
    lines += [side_line(side, summary[side]) for side in ("left", "right")]
    lines += [event_line(e) for e in report["events"]]
    asym = summary["asymmetry"]
    travel = asym.get("travel_diff_at_depth_tl")
    if travel:
        side = "left" if travel > 0 else "right"
        within = "beyond" if asym.get("travel_exceeds_sdd") else "within"
        lines.append(
            f"  at depth the {side} knee travelled {abs(travel):.2f} thigh lengths more inward "
            f"than the other (median over reps; {within} the {asym['travel_sdd_tl']:g} "
            "smallest detectable difference; descriptive, not a verdict)"
        )
    lines.append(
        "FPPA + = valgus (knee toward the midline); sides are the subject's; valid when "
        + report["conventions"]["valid_when"]
    )
    lines += [advice_line(a) for a in report["advice"]]
    lines += [f"warning: {w}" for w in q["warnings"]]
    lines += [f"wrote {p}" for p in files.values()]
    return "\n".join(lines)
