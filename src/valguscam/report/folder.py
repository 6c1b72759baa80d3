"""A result folder's file names and its file list (standard library only: cheap to import)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from valguscam.report.atomic import atomic_open

FRAMES_CSV = "frames.csv"
REPORT_JSON = "report.json"
"""The two files every result folder holds (`Analysis.save`)."""


def list_in_report(folder: str | Path, paths: Iterable[str | Path | None]) -> None:
    """Add the names of `paths` (files written into `folder` after report.json: plots, video,
    key frames, the HTML/PDF page) to report.json's "files", keeping its order and writing it
    atomically, so the report lists every file of its folder. None entries are ignored; a
    folder without report.json is left alone (a figure saved somewhere else)."""
    report_path = Path(folder) / REPORT_JSON
    if not report_path.is_file():
        return
    data = json.loads(report_path.read_text(encoding="utf-8"))
    names = list(data.get("files") or [])
    names += [Path(p).name for p in paths if p is not None and Path(p).name not in names]
    if names != data.get("files"):
        data["files"] = names
        with atomic_open(report_path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, allow_nan=False)
            fh.write("\n")
