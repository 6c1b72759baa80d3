"""The HTML report of a result folder: make the plots, render them to SVG text, read the
key-frame strip, and let report/html.py assemble the page (matplotlib imported lazily)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from valguscam.report.atomic import atomic_open
from valguscam.report.folder import list_in_report

HTML_NAME = "report.html"
PDF_NAME = "report.pdf"
KEY_FRAMES_NAME = "key_frames.png"


def figure_svg(fig: Any) -> str:
    """A matplotlib Figure as SVG text, with text kept as text (searchable, smaller)."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buf, format="svg")
    return buf.getvalue()


def page_for(report: dict, frames: dict[str, np.ndarray], folder: str | Path | None) -> str:
    """The report page (HTML text) for report.json as a dict and frames.csv as arrays;
    key_frames.png is taken from `folder` when it is there."""
    from valguscam.draw.plots import make_figures
    from valguscam.report.html import build_page

    svgs = {name: figure_svg(fig) for name, fig in make_figures(report, frames).items()}
    key = Path(folder) / KEY_FRAMES_NAME if folder is not None else None
    png = key.read_bytes() if key is not None and key.is_file() else None
    return build_page(report, svgs, png)


def write_html_report(folder: str | Path) -> Path:
    """Write <folder>/report.html from the result folder's report.json and frames.csv."""
    from valguscam.draw.results import load_result

    result = load_result(folder)
    path = result.folder / HTML_NAME
    with atomic_open(path, "w", encoding="utf-8") as fh:
        fh.write(page_for(result.report, result.frames, result.folder))
    list_in_report(result.folder, [path])
    return path
