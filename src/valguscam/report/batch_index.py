"""The batch's index page (OUT/index.html): the cohort figure and one table row per video,
linking its report.html. Relative links only, so the OUT folder can be moved or zipped and
shared; the report pages' CSS (report/html_style.py); every string escaped; no JavaScript."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from valguscam import __version__
from valguscam.assessment.advice import SAFETY_LINE
from valguscam.report.atomic import atomic_open
from valguscam.report.html_style import CSS

HEADS = (
    "video", "status", "view", "exercise", "reps", "left knee", "right knee",
    "peak dynamic FPPA L / R (deg)", "peak knee over foot L / R (hip widths)", "note",
)  # fmt: skip
VERDICT_WORDS = {"ok": "OK", "valgus": "valgus", "varus": "varus", "not_assessable": "n/a"}


def e(value: object) -> str:
    """`value` as escaped HTML text ("" for None)."""
    return "" if value is None else escape(str(value))


def _num(value: Any, fmt: str) -> str:
    try:
        return format(float(value), fmt) if value not in (None, "") else "-"
    except (TypeError, ValueError):
        return "-"


def _verdict(row: Mapping[str, Any], side: str) -> str:
    verdict = row.get(f"{side}_verdict")
    if not verdict:
        return "<td></td>"
    return f'<td class="v-{e(verdict)}">{e(VERDICT_WORDS.get(verdict, verdict))}</td>'


def _video_cell(row: Mapping[str, Any], out: Path) -> str:
    folder = str(row.get("folder") or "")
    name = e(folder or row.get("path"))
    page = out / folder / "report.html"
    if folder and page.is_file():
        href = quote(str(PurePosixPath(folder) / "report.html"))
        return f'<td><a href="{href}">{name}</a></td>'
    return f"<td>{name}</td>"


def row_html(row: Mapping[str, Any], out: Path) -> str:
    """One video's table row."""
    pairs = [
        f"{_num(row.get(f'left_{m}'), fmt)} / {_num(row.get(f'right_{m}'), fmt)}"
        for m, fmt in (("peak_dynamic_fppa_deg", "+.1f"), ("peak_knee_foot", "+.2f"))
    ]
    note = row.get("error") or ("reused" if row.get("reused") else "")
    cells = [
        _video_cell(row, out),
        f"<td>{e(row.get('status'))}</td>",
        f"<td>{e(row.get('view'))}</td>",
        f"<td>{e(row.get('exercise'))}</td>",
        f'<td class="num">{e(row.get("reps"))}</td>',
        _verdict(row, "left"),
        _verdict(row, "right"),
        *(f'<td class="num">{p}</td>' for p in pairs),
        f'<td class="muted">{e(note)}</td>',
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def build_index(result: Any, figure: Path | None) -> str:
    """The page for a run.batch.BatchResult; `figure`: cohort.png in the same folder or None."""
    rows = result.rows
    counts = {}
    for row in rows:
        counts[row.get("status")] = counts.get(row.get("status"), 0) + 1
    tally = ", ".join(f"{n} {e(s)}" for s, n in counts.items())
    state = " (interrupted: not every video was done)" if result.interrupted else ""
    head = "".join(f"<th>{e(h)}</th>" for h in HEADS)
    body = "\n".join(row_html(row, result.out) for row in rows)
    img = (
        f'<figure><img src="{quote(figure.name)}" alt="cohort figure"><figcaption>Per video, '
        "both knees' peak measures; FPPA + = valgus, knee over foot + = medial; filled = judged "
        "valgus. Sides are the subject's.</figcaption></figure>"
        if figure is not None
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>valguscam batch: {len(rows)} videos</title>
<style>{CSS}</style></head><body>
<header><h1>Batch: {len(rows)} videos</h1><p>{tally}{state}. Summary table: summary.csv;
run details: batch.json.</p></header>
<section><h2>Cohort</h2>{img}</section>
<section><h2>Videos</h2><table><thead><tr>{head}</tr></thead><tbody>
{body}
</tbody></table></section>
<section><h2>When to see a professional</h2><p class="safety">{e(SAFETY_LINE)}</p></section>
<footer>valguscam {e(__version__)}; inputs under {e(result.root)}</footer>
</body></html>
"""


def write_index(path: str | Path, result: Any, figure: Path | None) -> Path:
    """Write index.html atomically; returns its path."""
    with atomic_open(path, "w", encoding="utf-8") as fh:
        fh.write(build_index(result, figure))
    return Path(path)
