"""The output folder, made safe before any work: checked writable, names kept inside it, stale
temporary files of a killed run removed; and Ctrl-C held while the results are written.

`prepare_output` runs before the video is opened, so a folder that cannot be written costs
nothing. `SigintHold` turns a second Ctrl-C, once the first has ended the pose stage, into a
counted press instead of an exception, so the frames done are written consistently.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType, TracebackType

from valguscam.errors import OutputError

_STALE_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.(tmp|mp4)$")
"""Names files get while they are written: .NAME.XXXXXXXX.tmp (report/atomic.py, the PDF),
.NAME.XXXXXXXX.mp4 (media/writer.py)."""

_WHY = {
    errno.ENOSPC: "the disk is full; free some space or pass another folder",
    errno.EDQUOT: "the disk quota is used up; free some space or pass another folder",
    errno.EROFS: "it is on a read-only file system; pass a writable folder",
    errno.EACCES: "permission denied; pass a folder you can write to",
    errno.EPERM: "permission denied; pass a folder you can write to",
    errno.ENOTDIR: "a file stands where a folder should be; pass a folder",
    errno.EEXIST: "a file stands where a folder should be; pass a folder",
    errno.ENOENT: "no folder can be made there; pass a writable folder",
}
WRITE_ERRNOS = frozenset(_WHY) - {errno.ENOENT}
"""Errors that mean "this place cannot be written" whatever was being written."""


def output_error(err: OSError, where: str | Path, how: str = " with --out") -> OutputError:
    """An OutputError for an OSError met while writing `where`, naming the fix; `how`: how to
    pass another folder (appended to the fix; "" when the command has no such option)."""
    why = _WHY.get(err.errno or 0)
    if why is None:
        why = f"{err.strerror or err}; pass a writable folder"
    return OutputError(f"cannot write to {where}: {why}{how}")


def written_place(filename: str | Path) -> Path:
    """The file a user knows for `filename`: the folder, for a temporary name of ours."""
    path = Path(filename)
    return path.parent if _STALE_TEMP.match(path.name) else path


def safe_name(name: str) -> str:
    """`name` as one file or folder name that stays inside its parent: no separators, no
    "." or "..", no control characters, at most 200 characters ("video" when nothing is left)."""
    cleaned = "".join("_" if (c in "/\\\0" or ord(c) < 32) else c for c in name).strip()
    cleaned = cleaned.lstrip(".") or "video"
    return cleaned[:200]


def prepare_output(dest: str | Path) -> Path:
    """Make `dest` (and its parents), prove a file can be written in it, and remove temporary
    files a killed run left behind. Raises OutputError naming the fix, before any work."""
    dest = Path(dest)
    for parent in (dest, *dest.parents):
        if parent.exists() and not parent.is_dir():
            raise OutputError(
                f"cannot write to {dest}: {parent} is a file, not a folder; "
                "pass a folder with --out"
            )
    try:
        dest.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=dest, prefix=".valguscam-probe.", suffix=".tmp")
        try:
            os.write(fd, b"x")
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as err:
        raise output_error(err, dest) from None
    _remove_stale_temps(dest)
    return dest


def _remove_stale_temps(dest: Path, min_age_s: float = 60.0) -> None:
    """Delete .NAME.XXXX.tmp files (atomic writes a kill -9 cut short; nothing trusts them)
    older than `min_age_s`, so a run writing into the same folder right now keeps its own."""
    now = time.time()
    for path in dest.iterdir():
        with contextlib.suppress(OSError):
            if (
                _STALE_TEMP.match(path.name)
                and path.is_file()
                and now - path.stat().st_mtime > min_age_s
            ):
                path.unlink()


class SigintHold:
    """While held, Ctrl-C (SIGINT) is counted in `presses` instead of raising
    KeyboardInterrupt. Only the main thread can hold it; elsewhere holding does nothing.

    A context manager: leaving it puts the previous handler back.
    """

    def __init__(self) -> None:
        self.presses = 0
        self._previous: signal.Handlers | None = None
        self._held = False

    def hold(self) -> None:
        """Start counting Ctrl-C instead of raising (idempotent)."""
        if self._held or threading.current_thread() is not threading.main_thread():
            return
        self._previous = signal.signal(signal.SIGINT, self._count)
        self._held = True

    def _count(self, signum: int, frame: FrameType | None) -> None:
        self.presses += 1

    def release(self) -> None:
        """Put the previous Ctrl-C handler back (idempotent)."""
        if self._held:
            signal.signal(signal.SIGINT, self._previous)
            self._held = False

    def __enter__(self) -> SigintHold:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
