"""The findings of a report in plain words, for the HTML page (report/html.py).

Pure: from report.json as a dict (docs/report-schema.json) to plain sentences (str, NOT yet
HTML-escaped). Sides are the subject's; FPPA + = valgus (deg); knee travel at depth in standing
thigh lengths, + = medial (README "Conventions").
"""

from __future__ import annotations

SIDES = ("left", "right")
POSITION_NAMES = {
    "target": "over the mid-outside of the foot (target)",
    "big_toe": "on the big-toe line",
    "inside": "inside the big toe",
    "outside": "outside the foot",
}
SHORT_POSITION = {
    "target": "target",
    "big_toe": "big toe",
    "inside": "inside",
    "outside": "outside",
}
MEASURE_WORDS = {
    "fppa": "knee angle (FPPA)",
    "knee_over_foot": "knee travel over the foot at depth",
}


def num(x: float | None, fmt: str = "+.1f", unit: str = "") -> str:
    """A number with its unit, or "n/a" when there is none."""
    return "n/a" if x is None else f"{x:{fmt}}{unit}"


def rep_list(reps: list[int]) -> str:
    """0-based rep indices as words: "rep 2", "reps 1, 3 and 4"."""
    names = [str(r + 1) for r in sorted(set(reps))]
    if len(names) == 1:
        return f"rep {names[0]}"
    return f"reps {', '.join(names[:-1])} and {names[-1]}"


def shares_text(shares: dict | None, short: bool = False) -> str:
    """Knee position time shares as "target 72%, big toe 28%" (shares >= 0.5 % only)."""
    names = SHORT_POSITION if short else POSITION_NAMES
    parts = [f"{names.get(k, k)} {v:.0%}" for k, v in (shares or {}).items() if v and v >= 0.005]
    return ", ".join(parts) or "n/a"


def errors(report: dict) -> tuple[float, float]:
    """(FPPA collapse threshold = SDD in deg, knee-travel measurement error in thigh lengths)."""
    cfg = report.get("config") or {}
    return (
        float((cfg.get("events") or {}).get("enter_deg", 8.0)),
        float((cfg.get("depth") or {}).get("enter_tl", 0.1)),
    )


def clip_sentence(report: dict) -> str:
    """What was filmed: clip, exercise, view, reps."""
    ex = (report.get("exercise") or {}).get("label", "unknown").replace("_", " ")
    view = (report.get("view") or {}).get("label", "unknown")
    n = (report.get("summary") or {}).get("rep_count", 0)
    src = report.get("source") or {}
    name = str(src.get("path", "the clip")).replace("\\", "/").rsplit("/", 1)[-1]
    return (
        f"{name}: {n} complete rep{'s' if n != 1 else ''} of {ex}, filmed from a {view} view "
        f"({num(src.get('duration_s'), '.1f', ' s')}). Left and right are the subject's sides."
    )


def reason_words(reason: str | None) -> str:
    """Why a knee was not judged, in plain words."""
    text = (reason or "no frame with a trustworthy front view").strip()
    if "trailing leg" in text:
        return "it was the back (trailing) leg; in this exercise only the working leg is judged"
    return text.removeprefix("never the judged leg: ").removesuffix(": not judged")


def _side_events(report: dict, side: str) -> list[dict]:
    return [
        e for e in report.get("events") or () if e.get("side") == side and e.get("kind") == "valgus"
    ]


def _how_far(report: dict, s: dict) -> str:
    enter_deg, enter_tl = errors(report)
    dyn, travel = s.get("peak_dynamic_fppa_deg"), s.get("peak_excursion_tl")
    parts = []
    if dyn is not None:
        within = "more than" if dyn > enter_deg else "within"
        parts.append(
            f"the knee angle changed at most {dyn:+.1f} deg from standing (peak FPPA "
            f"{num(s.get('peak_fppa_deg'), unit=' deg')}, standing "
            f"{num(s.get('baseline_fppa_deg'), unit=' deg')}): {within} the {enter_deg:g} deg "
            "measurement error"
        )
    if travel is not None and travel > 0:
        within = "beyond" if travel > enter_tl else "within"
        parts.append(
            f"at the bottom the knee moved at most {travel:.2f} thigh lengths inward over the "
            f"foot: {within} the +/-{enter_tl:g} measurement error"
        )
    elif travel is not None:
        parts.append(
            "at the bottom the knee did not move inward over the foot in any rep (it moved "
            f"outward by at least {abs(travel):.2f} thigh lengths)"
        )
    return "; ".join(parts)


def side_sentences(report: dict, side: str) -> list[str]:
    """The plain-words finding for one knee: verdict, reps, how far, how sure, where it tracked."""
    s = (report.get("summary") or {}).get(side) or {}
    verdict, knee = s.get("verdict", "not_assessable"), f"{side.capitalize()} knee"
    if verdict == "not_assessable":
        return [f"{knee}: not judged in this clip: {reason_words(s.get('reason'))}."]
    judged = s.get("judged_reps", 0)
    if verdict == "valgus":
        events = _side_events(report, side)
        reps = [e["rep"] for e in events if e.get("rep") is not None]
        where = f" in {rep_list(reps)}" if reps else ""
        found = " and ".join(MEASURE_WORDS.get(m, m) for m in s.get("valgus_measures") or ())
        head = (
            f"{knee}: caved inward (valgus){where}, {len(events)} collapse event"
            f"{'s' if len(events) != 1 else ''} in {judged} judged rep{'s' if judged != 1 else ''}"
            f", worst {s.get('max_severity') or 'mild'}, found by the {found or 'knee angle'}."
        )
    elif verdict == "varus":
        head = f"{knee}: moved outward (varus) beyond the measurement error, knee outside the foot."
    else:
        head = (
            f"{knee}: tracked well, no inward collapse in {judged} judged "
            f"rep{'s' if judged != 1 else ''}."
        )
    out = [head]
    far = _how_far(report, s)
    if far:
        out.append(far[0].upper() + far[1:] + ".")
    out.append(
        f"With the knee bent it was {shares_text(s.get('knee_position_share'))} of the time."
    )
    if s.get("structural"):
        out.append(
            (s.get("structural_note") or "Standing alignment beyond +/-10 deg")
            + ": that is build, not a movement fault; have it checked by a professional."
        )
    return out


def asymmetry_sentences(report: dict) -> list[str]:
    """Left-right differences: FPPA (against its SDD) and knee travel at depth (descriptive)."""
    summary = report.get("summary") or {}
    a = summary.get("asymmetry") or {}
    out: list[str] = []
    if any(
        (summary.get(s) or {}).get("verdict", "not_assessable") == "not_assessable" for s in SIDES
    ):
        return out  # one knee not judged: no left-right comparison
    diffs = (a.get("peak_diff_deg"), a.get("bottom_diff_deg"), a.get("near_bottom_diff_deg"))
    diff = next((d for d in diffs if d is not None), None)
    if a.get("assessable") and diff is not None:
        if a.get("exceeds_sdd") and a.get("more_valgus_side"):
            out.append(
                f"Left vs right: the {a['more_valgus_side']} knee moved {abs(diff):.1f} deg "
                f"further inward than the other, beyond the {a.get('threshold_deg', 8):g} deg "
                "smallest detectable difference."
            )
        else:
            out.append(
                f"Left vs right: the knee angles differed by {abs(diff):.1f} deg, within the "
                f"{a.get('threshold_deg', 8):g} deg smallest detectable difference."
            )
    travel = a.get("travel_diff_at_depth_tl")
    if travel:
        side = "left" if travel > 0 else "right"
        within = "beyond" if a.get("travel_exceeds_sdd") else "within"
        out.append(
            f"At the bottom the {side} knee travelled {abs(travel):.2f} thigh lengths more inward "
            f"than the other (median over reps; {within} the {a.get('travel_sdd_tl', 0.16):g} "
            "smallest detectable difference)."
        )
    return out


def findings(report: dict) -> list[str]:
    """The whole findings paragraph list: the clip, each knee, asymmetry, how sure, warnings."""
    enter_deg, enter_tl = errors(report)
    out = [clip_sentence(report)]
    if not (report.get("summary") or {}).get("rep_count"):
        out.append("No complete rep of a recognised exercise was found, so nothing is judged.")
    for side in SIDES:
        out.append(" ".join(side_sentences(report, side)))
    out += asymmetry_sentences(report)
    out.append(
        f"How sure: changes smaller than {enter_deg:g} deg of knee angle or {enter_tl:g} thigh "
        "lengths of knee travel are within the measurement error of video-based measurement; "
        "the verdicts count only what goes beyond them."
    )
    out += [f"Note: {w}" for w in (report.get("quality") or {}).get("warnings") or ()]
    return out
