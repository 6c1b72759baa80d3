"""Score the collapse detector on warped clips with known induced knee collapses.

Reads the ground-truth JSON files that `collapse_warp.py make` writes next to each warped clip
(`<clip>_<side>_<NN>deg.json`, plus the un-warped `<clip>_orig.mp4` re-encoded the same way),
runs the real analysis on every clip and prints, per clip and amount: the sides with a valgus
event (any measure) and with a knee-over-foot event at depth, the peak knee travel at depth per
side (standing thigh lengths, + = medial) and whether the result is right:
sensitivity = the collapsed side is flagged; specificity = no other side is flagged and the
un-warped clip gets no new flag. Writes the table as Markdown to --table (docs/validation.md
section) and the raw results as JSON to --json.

    python benchmarks/collapse_benchmark.py DIR [DIR ...] --table out.md --json out.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from valguscam.run.analyze import analyze


def _flags(report: dict) -> dict:
    sides = report["summary"]
    ev = report["events"]
    return {
        "valgus": sorted({e["side"] for e in ev if e["kind"] == "valgus"}),
        "depth": sorted({e["side"] for e in ev if "knee_over_foot" in (e.get("measure") or "")}),
        "travel_tl": {s: sides[s].get("peak_excursion_tl") for s in ("left", "right")},
        "verdicts": {s: sides[s]["verdict"] for s in ("left", "right")},
        "reps": sides["rep_count"],
    }


def score_dir(folder: Path) -> list[dict]:
    """Analyze the original and every warped clip in `folder`; one row per clip."""
    rows = []
    origs = sorted(folder.glob("*_orig.mp4"))
    for orig in origs:
        base = _flags(analyze(orig).report.to_dict())
        rows.append({"clip": orig.stem.removesuffix("_orig"), "amount_deg": 0.0,
                     "sides": [], **base, "new_flags": []})  # fmt: skip
    for gt_path in sorted(folder.glob("*deg.json")):
        gt = json.loads(gt_path.read_text())
        found = _flags(analyze(folder / gt["video"]).report.to_dict())
        orig = next((r for r in rows if r["clip"] == gt["clip"] and r["amount_deg"] == 0), None)
        before = set(orig["valgus"]) if orig else set()
        collapsed = set(gt["sides"])
        rows.append({
            "clip": gt["clip"], "amount_deg": gt["amount_deg"], "sides": sorted(collapsed),
            **found,
            "sensitive": collapsed <= set(found["valgus"]),
            "specific": not (set(found["valgus"]) - collapsed - before),
            "new_flags": sorted(set(found["valgus"]) - before),
        })  # fmt: skip
    return rows


def table(rows: list[dict]) -> str:
    """The Markdown table of the rows."""
    head = (
        "| clip | induced (deg FPPA at bottom) | side | reps | valgus flagged | by knee over "
        "foot | peak travel L / R (thigh lengths) | sensitive | specific |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        t = r["travel_tl"]
        travel = " / ".join("n/a" if t[s] is None else f"{t[s]:+.2f}" for s in ("left", "right"))
        lines.append(
            f"| {r['clip']} | {r['amount_deg']:g} | {', '.join(r['sides']) or '-'} | {r['reps']} "
            f"| {', '.join(r['valgus']) or '-'} | {', '.join(r['depth']) or '-'} | {travel} | "
            f"{'-' if not r['sides'] else 'yes' if r['sensitive'] else 'NO'} | "
            f"{'yes' if r.get('specific', True) else 'NO'} |"
        )
    return "\n".join(lines)


START, END = "<!-- collapse-table:start -->", "<!-- collapse-table:end -->"


def replace_table(doc: Path, text: str) -> None:
    """Put `text` between the collapse-table markers of `doc` (docs/validation.md)."""
    page = doc.read_text(encoding="utf-8")
    head, _, rest = page.partition(START)
    _, _, tail = rest.partition(END)
    if not rest:
        raise SystemExit(f"{doc} has no {START} marker")
    doc.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--table", type=Path)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--doc", type=Path, help="replace the table between the markers in this file")
    args = ap.parse_args()
    rows = [r for d in args.dirs for r in score_dir(d)]
    text = table(rows)
    print(text)
    if args.table:
        args.table.write_text(text + "\n")
    if args.doc:
        replace_table(args.doc, text)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
