"""The report page (report.html): one self-contained HTML file for a physio and their client.

Pure: `build_page(report, svgs, key_frames_png)` takes report.json as a dict, the plots as
already-rendered SVG strings (draw/report_page.py makes them) and the key-frame strip as PNG
bytes (or None), and returns the page. Inline CSS, inline SVG, the PNG as a data: URI; no
external URL, no JavaScript. Every string taken from the report is escaped.

Order: findings in plain words, per-rep table, events (and key frames), plots, what to work on,
the safety line, conventions and limits, and a footer naming the source, model and version.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from html import escape

from valguscam.assessment.advice import SAFETY_LINE
from valguscam.report import html_words as w
from valguscam.report.html_style import CSS

SECTIONS = (
    ("findings", "What we found"),
    ("reps", "Rep by rep"),
    ("events", "Knee collapse events"),
    ("plots", "Plots"),
    ("advice", "What to work on"),
    ("safety", "When to see a professional"),
    ("conventions", "Conventions and limits"),
)
"""(id, heading) of the page's sections, in order."""
PLOT_CAPTIONS = {
    "knee_angle": "Knee angle (FPPA) over time per knee; + = valgus (knee toward the midline). "
    "Coloured where the angle can be trusted, grey where it cannot (deep bend, side view).",
    "knee_over_foot": "Where the knee was over the foot while bent (hip widths, + = toward the "
    "big toe); each rep's knee travel at the bottom is written at its bottom line.",
    "reps_left_right": "Left vs right per rep, with the measurement error as error bars.",
}
EVENT_HEADS = ("knee", "rep", "time", "peak at", "measure", "how far", "severity", "knee was")
VERDICT_WORDS = {
    "ok": "OK",
    "valgus": "valgus",
    "varus": "varus",
    "not_assessable": "not assessable",
}


def e(x: object) -> str:
    """Escape anything from the report for HTML text and attributes."""
    return escape(str(x), quote=True)


def clean_svg(svg: str) -> str:
    """An SVG document as an inline <svg> element: no XML prolog, DOCTYPE or metadata (whose
    RDF names external URLs); width/height removed so CSS scales it to the page."""
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>", "", svg)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    return re.sub(r'(<svg\b[^>]*?)\s(?:width|height)="[^"]*"', r"\1", svg, count=2).strip()


def _section(key: str, body: str, page_break: bool = True) -> str:
    title = dict(SECTIONS)[key]
    cls = "page" if page_break else "first"
    return f'<section id="{key}" class="{cls}">\n<h2>{e(title)}</h2>\n{body}\n</section>'


def findings_html(report: dict) -> str:
    """The findings: clip line, one highlighted paragraph per knee, asymmetry, how sure."""
    parts = [f"<p>{e(w.clip_sentence(report))}</p>"]
    for text in w.findings(report)[1:]:
        side = next((s for s in w.SIDES if text.startswith(f"{s.capitalize()} knee:")), None)
        cls = f' class="knee {side}"' if side else ""
        parts.append(f"<p{cls}>{e(text)}</p>")
    return "\n".join(parts)


def _verdict_cell(info: dict) -> str:
    v = info.get("verdict", "not_assessable")
    if not info.get("judged", True):
        why = info.get("reason") or ""
        why = "back leg" if "trailing" in why else w.reason_words(why)
        return f'<td class="not-judged">not judged ({e(why)})</td>'
    extra = f", {e(info['severity'])}" if info.get("severity") else ""
    return f'<td class="v-{e(v)}">{e(VERDICT_WORDS.get(v, v))}{extra}</td>'


def _rep_side_cells(info: dict) -> str:
    dyn = info.get("peak_dynamic_fppa_deg") if info.get("valid_frames") else None
    travel = info.get("excursion_at_depth_tl")
    return (
        _verdict_cell(info)
        + f'<td class="num">{e(w.num(dyn, unit=" deg"))}</td>'
        + f'<td class="num">{e(w.num(travel, "+.2f"))}</td>'
        + f"<td>{e(w.shares_text(info.get('knee_position_share'), short=True))}</td>"
    )


def reps_html(report: dict) -> str:
    """The per-rep table: rep, time, depth, and per knee verdict, peak dynamic FPPA (valid
    frames), knee travel at depth (thigh lengths, + = inward), knee position shares."""
    reps = report.get("reps") or ()
    if not reps:
        return "<p>No complete rep was found, so there is no per-rep table.</p>"
    side_heads = "".join(
        f'<th colspan="4" class="{s}">{s.capitalize()} knee (subject\'s {s})</th>' for s in w.SIDES
    )
    sub = "".join(
        f"<th>{h}</th>"
        for h in ("verdict", "peak FPPA change", "knee travel at depth", "knee over foot")
    )
    rows = []
    for i, rep in enumerate(reps):
        times = f"{w.num(rep.get('start_s'), '.1f')}-{w.num(rep.get('end_s'), '.1f')} s"
        cells = "".join(_rep_side_cells(rep.get(s) or {}) for s in w.SIDES)
        rows.append(
            f'<tr><td class="num">{rep.get("index", i) + 1}</td><td class="num">{e(times)}'
            f'</td><td class="num">{e(w.num(rep.get("depth"), ".2f"))}</td>{cells}</tr>'
        )
    enter_deg, enter_tl = w.errors(report)
    return (
        '<table class="reps"><thead><tr><th rowspan="2">rep</th><th rowspan="2">time</th>'
        f'<th rowspan="2">depth</th>{side_heads}</tr><tr>{sub}{sub}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>\n"
        f'<p class="muted">Peak FPPA change: the largest knee angle change from standing on the '
        f"frames where the angle can be trusted (deg, + = valgus; collapse beyond "
        f"+{enter_deg:g}). Knee travel at depth: how far the knee moved inward over the foot at "
        f"the bottom, in thigh lengths (+ = inward; collapse beyond +{enter_tl:g}). Depth: 0 = "
        "standing, about 0.3 = thighs at 90 deg. Knee over foot: share of the bent-knee frames "
        "by where the knee was (target = over the mid-outside of the foot).</p>"
    )


def _event_row(ev: dict) -> str:
    rep = "outside reps" if ev.get("rep") is None else str(ev["rep"] + 1)
    time = f"{w.num(ev.get('start_s'), '.2f')}-{w.num(ev.get('end_s'), '.2f')} s"
    if ev.get("measure") == "knee_over_foot":
        measure = "knee travel over the foot at depth"
        how = f"{w.num(ev.get('peak_excursion_tl'), '+.2f')} thigh lengths inward"
    else:
        measure = "knee angle (FPPA)"
        how = (
            f"peak {w.num(ev.get('peak_fppa_deg'), unit=' deg')}, change from standing "
            f"{w.num(ev.get('peak_dynamic_fppa_deg'), unit=' deg')}"
        )
    where = w.POSITION_NAMES.get(ev.get("knee_position") or "", ev.get("knee_position") or "n/a")
    cells = (
        f"{ev.get('side', '')} ({ev.get('kind', '')})", rep, time,
        f"{w.num(ev.get('peak_s'), '.2f')} s", measure, how, ev.get("severity") or "", where,
    )  # fmt: skip
    return "<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>"


def events_html(report: dict, key_frames_png: bytes | None) -> str:
    """The collapse events table, then the key-frame strip when there is one."""
    events = report.get("events") or ()
    if events:
        head = "".join(f"<th>{h}</th>" for h in EVENT_HEADS)
        body = (
            f'<table class="events"><thead><tr>{head}</tr></thead><tbody>'
            + "".join(_event_row(ev) for ev in events)
            + "</tbody></table>"
        )
    else:
        body = "<p>No knee collapse beyond the measurement error in this clip.</p>"
    if key_frames_png:
        data = base64.b64encode(key_frames_png).decode("ascii")
        body += (
            '\n<figure><img alt="key frames: the video frame at each event\'s peak" '
            f'src="data:image/png;base64,{data}"><figcaption>Key frames: the video at each '
            "event's peak (or each rep's bottom when there are none), legs only.</figcaption>"
            "</figure>"
        )
    return body


def plots_html(svgs: Mapping[str, str]) -> str:
    parts = []
    for name, svg in svgs.items():
        caption = PLOT_CAPTIONS.get(name, name)
        parts.append(f"<figure>{clean_svg(svg)}<figcaption>{e(caption)}</figcaption></figure>")
    return "\n".join(parts) or "<p>No plots.</p>"


def _side_words(side: str | None) -> str:
    return {None: "", "both": "both knees: ", "left": "left knee: ", "right": "right knee: "}.get(
        side, f"{side}: "
    )


def advice_html(report: dict) -> str:
    """Cues, exercises (name and why), notes and referrals; the safety line has its own section."""
    items = [a for a in report.get("advice") or () if a.get("kind") != "safety"]
    groups = (
        ("cue", "Cues to say to yourself during the rep"),
        ("exercise", "Exercises"),
        ("professional", "See a professional"),
        ("note", "Notes"),
        ("keep", "What went well"),
    )
    out = []
    for kind, title in groups:
        mine = [a for a in items if a.get("kind") == kind]
        if not mine:
            continue
        lis = "".join(
            f"<li><b>{e(_side_words(a.get('side')))}{e(a.get('text', ''))}</b>"
            + (f' <span class="muted">- {e(a["why"])}</span>' if a.get("why") else "")
            + "</li>"
            for a in mine
        )
        out.append(f"<h3>{e(title)}</h3><ul>{lis}</ul>")
    if not out:
        out.append("<p>Nothing to work on was found.</p>")
    discuss = (
        " Discuss the exercises with your physical therapist."
        if any(a.get("kind") == "exercise" for a in items)
        else ""
    )
    out.append(
        f'<p class="muted">This is coaching information from a video, not a diagnosis.{discuss}</p>'
    )
    return "\n".join(out)


def safety_html(report: dict) -> str:
    line = next(
        (a.get("text") for a in report.get("advice") or () if a.get("kind") == "safety"),
        SAFETY_LINE,
    )
    return f'<p class="safety">{e(line)}</p>'


def conventions_html(report: dict) -> str:
    """Sign conventions, sides, when a number holds, measurement error with its sources, the
    knee-over-foot measure and its limits, and that this is not a diagnosis."""
    conv = report.get("conventions") or {}
    enter_deg, enter_tl = w.errors(report)
    ev = (report.get("config") or {}).get("events") or {}
    items = (
        "<b>Sides are the subject's</b>: a person facing the camera has their left knee on the "
        "image's right.",
        "<b>FPPA</b> (frontal plane projection angle): the angle between thigh (hip to knee) and "
        "shank (knee to ankle) in the image, 0 when in line, <b>+ = valgus</b> (knee toward the "
        "body midline), - = varus. <b>FPPA change</b> = FPPA minus the knee's standing angle, "
        "so build (structural alignment) is separated from movement.",
        f"<b>When the angle holds</b>: {e(conv.get('valid_when', 'frontal view, moderate bend'))}"
        ". It is a 2D projection: camera angle and a deep bend distort it, so the bottom of a "
        "deep squat is not judged by it.",
        f"<b>Measurement error</b>: manual 2D FPPA has a standard error of 2.7-3.0 deg and a "
        f"smallest detectable difference of 7.5-8.9 deg (Munro et al. 2012); a collapse event "
        f"needs a change beyond +{enter_deg:g} deg for at least "
        f"{ev.get('min_duration_s', 0.1):g} s. Severity: mild from +{enter_deg:g} deg, moderate "
        f"from +{ev.get('moderate_deg', 13.5):g} deg (healthy single-leg squat 8.4 +/- 5.1 deg, "
        f"Herrington 2014), severe from +{ev.get('severe_deg', 16.8):g} deg (patellofemoral "
        "pain group mean, Herrington 2014).",
        "<b>Knee over the foot</b>: where the knee is relative to the foot's line at mid-foot, "
        "along the hip line. Target = over the mid-outside of the foot; big toe = the kneecap "
        "lined up with the big toe; inside = inside it. Judged only with the knees bent; "
        "coaching geometry, not a clinical threshold.",
        f"<b>Knee travel at depth</b>: at the bottom, where the angle is not valid, the knee's "
        f"inward travel over the foot from its early-descent position, in standing thigh "
        f"lengths (+ = inward). Measurement error +/-{enter_tl:g} (knee landmark error; "
        "smallest detectable difference 1.96 x sqrt(2) x SEM 0.034 from 17 real reps). Limits: "
        "a normal squat's knees move 0.1-0.27 thigh lengths outward at depth, so a collapse is "
        "flagged only once it undoes that and goes past the start position.",
        "<b>The bands</b> come from single-leg squat and landing studies; a two-legged squat "
        "normally shows less FPPA, so they are lenient there.",
        "<b>Not a diagnosis</b>: the pose model estimates joint positions from video; this "
        "report describes movement and is no substitute for an examination.",
    )
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def footer_html(report: dict) -> str:
    src, model, tool = (
        report.get("source") or {},
        report.get("model") or {},
        report.get("tool") or {},
    )
    sha = str(model.get("sha256") or "")[:12]
    size = f"{src.get('width', '?')}x{src.get('height', '?')}"
    return (
        f"<footer>Source: {e(src.get('path', 'n/a'))} ({e(size)}, "
        f"{e(w.num(src.get('fps'), '.2f', ' fps'))}, {e(src.get('frame_count', '?'))} frames, "
        f"{e(w.num(src.get('duration_s'), '.1f', ' s'))}). Pose model: "
        f"{e(model.get('name', 'n/a'))} (sha256 {e(sha)}...). {e(tool.get('name', 'valguscam'))} "
        f"{e(tool.get('version', '?'))}, report schema {e(report.get('schema_version', '?'))}."
        "</footer>"
    )


def build_page(report: dict, svgs: Mapping[str, str], key_frames_png: bytes | None = None) -> str:
    """The whole page (str). report: report.json as a dict; svgs: plot name -> SVG document
    text (draw.plots.PLOT_NAMES order); key_frames_png: the key-frame strip, or None."""
    src = report.get("source") or {}
    name = str(src.get("path", "clip")).replace("\\", "/").rsplit("/", 1)[-1]
    sections = [
        _section("findings", f'<div class="findings">{findings_html(report)}</div>', False),
        _section("reps", reps_html(report)),
        _section("events", events_html(report, key_frames_png)),
        _section("plots", plots_html(svgs)),
        _section("advice", advice_html(report)),
        _section("safety", safety_html(report), False),
        _section("conventions", conventions_html(report)),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Knee tracking report: {e(name)}</title><style>{CSS}</style></head>\n<body>\n"
        f"<header><h1>Knee tracking report</h1><p>{e(name)}: knee valgus (inward collapse) "
        "measured from video with valguscam</p></header>\n"
        + "\n".join(sections)
        + "\n"
        + footer_html(report)
        + "\n</body></html>\n"
    )
