"""The files that describe a whole batch: summary.csv, batch.json, cohort.png, index.html."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from valguscam.report.batch_files import (
    BATCH_JSON,
    SUMMARY_CSV,
    write_batch_json,
    write_summary_csv,
)

COHORT_PNG = "cohort.png"
INDEX_HTML = "index.html"


def write_batch_files(result: Any, description: dict[str, Any], html: bool) -> dict[str, Path]:
    """Write summary.csv, batch.json, cohort.png (when a video has numbers) and, with `html`,
    index.html into result.out (a run.batch.BatchResult); returns {name: path}."""
    out = result.out
    out.mkdir(parents=True, exist_ok=True)
    files = {"summary_csv": write_summary_csv(out / SUMMARY_CSV, result.rows)}
    files["batch_json"] = write_batch_json(out / BATCH_JSON, batch_json(result, description))
    from valguscam.draw.cohort import save_cohort_figure

    figure = save_cohort_figure(result.rows, out / COHORT_PNG)
    if figure is not None:
        files["cohort_png"] = figure
    if html:
        from valguscam.report.batch_index import write_index

        files["index_html"] = write_index(out / INDEX_HTML, result, figure)
    return files


def batch_json(result: Any, description: dict[str, Any]) -> dict[str, Any]:
    """batch.json content: the run (description), counts and one entry per video."""
    counts: dict[str, int] = {}
    for v in result.videos:
        counts[v.status.value] = counts.get(v.status.value, 0) + 1
    hashes = description.get("input_sha256", {})
    return {
        **{k: v for k, v in description.items() if k != "input_sha256"},
        "written_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "out": str(result.out),
        "executor": result.executor,
        "jobs": result.jobs,
        "pose_workers": result.pose_workers,
        "interrupted": result.interrupted,
        "seconds": round(result.seconds, 2),
        "counts": counts,
        "max_worker_rss_mb": round(max((v.max_rss_mb for v in result.videos), default=0.0), 1),
        "videos": [
            {
                "path": str(v.video),
                "folder": v.row.get("folder"),
                "status": v.status.value,
                "error": v.error,
                "reused": v.reused,
                "input_sha256": hashes.get(str(v.video)),
                "seconds": round(v.seconds, 2),
            }
            for v in result.videos
        ],
    }
