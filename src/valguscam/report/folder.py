"""A result folder's file names, its JSON writer and its file list (no scipy, no cv2: cheap to
import for `valguscam plot` and the report page)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from valguscam.report.atomic import atomic_open
from valguscam.report.jsonable import json_ready

FRAMES_CSV = "frames.csv"
REPORT_JSON = "report.json"
"""The two files every result folder holds (`Analysis.save`)."""


def write_json(path: str | Path, data: dict) -> Path:
    """Write `data` as indented UTF-8 JSON (NaN written as null), atomically."""
    with atomic_open(path, "w", encoding="utf-8") as fh:
        json.dump(json_ready(data), fh, indent=2, allow_nan=False)
        fh.write("\n")
    return Path(path)


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
        write_json(report_path, data)
