"""A saved result folder read back for drawing: report.json as a dict, frames.csv as arrays.

Pure (numpy and the standard library): no matplotlib here, so loading is cheap and testable.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from valguscam.errors import InputError
from valguscam.report.folder import FRAMES_CSV, REPORT_JSON

TEXT_COLUMNS = frozenset({"knee_position_left", "knee_position_right", "phase"})
"""frames.csv columns kept as text; every other column is read as float (NaN where empty)."""


@dataclass(frozen=True)
class SavedResult:
    """One analysed clip as written by `valguscam analyze`.

    folder: the result folder (OUT/<video stem>/).
    report: report.json as a dict (docs/report-schema.json).
    frames: frames.csv by column: numeric columns as float arrays (T,), NaN where the cell is
        empty (e.g. FPPA on frames where it is not trusted); TEXT_COLUMNS as str arrays (T,).
    """

    folder: Path
    report: dict
    frames: dict[str, np.ndarray]

    def column(self, name: str) -> np.ndarray:
        """A frames.csv column (T,); all-NaN floats if this file has no such column."""
        n = len(self.frames.get("time_s", ()))
        return self.frames.get(name, np.full(n, np.nan))


def read_frames_csv(path: str | Path) -> dict[str, np.ndarray]:
    """frames.csv as {column: array (T,)}: floats with NaN for empty cells, TEXT_COLUMNS as str.

    Raises InputError naming the fix when the file is missing or has no time_s column.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read {path} ({exc}); run 'valguscam analyze' again to rewrite it"
        ) from None
    if not rows or "time_s" not in rows[0]:
        raise InputError(f"{path} has no time_s column; pass the frames.csv valguscam wrote")
    header, body = rows[0], rows[1:]
    out: dict[str, np.ndarray] = {}
    for j, name in enumerate(header):
        cells = [row[j] if j < len(row) else "" for row in body]
        if name in TEXT_COLUMNS:
            out[name] = np.array(cells, dtype=str)
        else:
            out[name] = np.array([_number(c) for c in cells], dtype=float)
    return out


def _number(cell: str) -> float:
    try:
        return float(cell) if cell else float("nan")
    except ValueError:
        return float("nan")


def load_result(folder: str | Path) -> SavedResult:
    """Read a result folder (report.json and frames.csv, as `valguscam analyze` writes them).

    Raises InputError naming the fix when the folder or either file is missing or unreadable.
    """
    from valguscam.run.analyze import load_report

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(
            f"no folder {folder}; pass the folder 'valguscam analyze' wrote (OUT/<video stem>/)"
        )
    missing = [name for name in (REPORT_JSON, FRAMES_CSV) if not (folder / name).is_file()]
    if missing:
        raise InputError(
            f"{folder} has no {' or '.join(missing)}; pass the folder 'valguscam analyze' "
            "wrote (OUT/<video stem>/)"
        )
    return SavedResult(folder, load_report(folder), read_frames_csv(folder / FRAMES_CSV))
