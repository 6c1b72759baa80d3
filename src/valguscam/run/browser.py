"""Headless Chromium, driven with subprocess: print the HTML report to PDF (and, for tests,
screenshots, the DOM and a net log). No Python browser library.

The browser is `chromium` or `chromium-browser` on PATH (Debian: `apt-get install chromium`);
every run gets a fresh temporary profile and no background networking.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from valguscam.errors import BrowserError

BROWSER_NAMES = ("chromium", "chromium-browser")
BASE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT_S = 180.0


def find_browser() -> str:
    """The path of headless Chromium; BrowserError naming the fix when it is not installed."""
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise BrowserError(
        "the PDF needs Chromium and none is on PATH (chromium, chromium-browser); install it "
        "with 'apt-get install chromium' (the HTML report was written)"
    )


def run_browser(
    page: str | Path, flags: Sequence[str] = (), timeout_s: float = TIMEOUT_S
) -> subprocess.CompletedProcess:
    """Run headless Chromium on the local file `page` with BASE_FLAGS, a fresh profile and
    `flags`; returns the finished process (stdout/stderr as text). BrowserError when it cannot
    start or times out."""
    exe = find_browser()
    url = Path(page).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="valguscam-chromium-") as profile:
        cmd = [exe, *BASE_FLAGS, f"--user-data-dir={profile}", *flags, url]
        try:
            return subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired:
            raise BrowserError(
                f"Chromium did not finish printing {page} within {timeout_s:g} s; try again "
                "or open the HTML report in a browser and print it"
            ) from None
        except OSError as exc:
            raise BrowserError(f"cannot start Chromium {exe} ({exc}); reinstall it") from None


def print_pdf(html_path: str | Path, pdf_path: str | Path) -> Path:
    """Print the page `html_path` to `pdf_path` (A4 from the page's print CSS, no browser
    header or footer), atomically: a failed print leaves no partial PDF."""
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=pdf_path.parent, prefix=f".{pdf_path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        proc = run_browser(html_path, (f"--print-to-pdf={tmp}", "--no-pdf-header-footer"))
        with open(tmp, "rb") as fh:
            ok = fh.read(5) == b"%PDF-"
        if proc.returncode != 0 or not ok:
            tail = " ".join((proc.stderr or "").strip().splitlines()[-2:])[-300:]
            raise BrowserError(
                f"Chromium could not print {html_path} to PDF (exit {proc.returncode}: {tail}); "
                "open the HTML report in a browser and print it"
            )
        os.replace(tmp, pdf_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return pdf_path
