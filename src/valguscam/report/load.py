"""Read a report.json back (the public `valguscam.load_report`)."""

from __future__ import annotations

import json
from pathlib import Path

from valguscam.errors import InputError
from valguscam.report.document import SCHEMA_VERSION
from valguscam.report.folder import REPORT_JSON


def load_report(path: str | Path) -> dict:
    """Read a report.json written by valguscam.

    Args:
        path: the report.json file, or the folder holding it (e.g. OUT/<video stem>/).

    Returns:
        The report as a dict (see docs/report-schema.json).

    Raises:
        InputError: the file is missing, is not JSON, is not a valguscam report, or its
            schema_version has another major version than this valguscam writes.
    """
    p = Path(path)
    if p.is_dir():
        p = p / REPORT_JSON
    if not p.is_file():
        raise InputError(
            f"no report at {p}; pass a report.json or the folder 'valguscam analyze' wrote it to"
        )
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            f"{p} cannot be read as JSON ({exc}); run 'valguscam analyze' again to rewrite it"
        ) from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if not isinstance(version, str):
        raise InputError(
            f"{p} has no schema_version, so it is not a valguscam report; "
            "pass the report.json that 'valguscam analyze' wrote"
        )
    major = SCHEMA_VERSION.split(".")[0]
    if version.split(".")[0] != major:
        raise InputError(
            f"{p} has report schema {version}, this valguscam reads {major}.x; "
            "analyze the video again with this version"
        )
    return data
