"""Pose slots of a machine: at most `cores // pose.workers` pose passes run at once on it.

A batch keeps two processes per pose slot (run/batch_exec.py; on Dask, two workers per slot),
so one finishes or prepares a video while the other's landmarkers run; the slots keep the
landmarkers running at once within the cores. A slot is an exclusive `flock` on one of n lock
files in the temporary folder: the operating system releases it when its process ends, even by
a crash, and every process of the machine (local pool or Dask workers, two batches at once)
sees the same slots. Where `fcntl` is missing (Windows) a slot is a lock of this process only.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

POLL_S = 0.02
"""Seconds between two tries when every slot is taken."""
_LOCAL = threading.Lock()


def slot_folder() -> Path:
    """The folder of the lock files: one per user, in the temporary folder."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"valguscam-pose-slots-{uid}"


class PoseSlot:
    """Context manager: hold one of `n` pose slots of this machine while inside.

    n: the slots, cores // landmarkers per pass (at least 1).
    """

    def __init__(self, n: int):
        self.n = max(1, int(n))
        self._fd: int | None = None
        self._local = False

    def __enter__(self) -> PoseSlot:
        if fcntl is None:
            _LOCAL.acquire()
            self._local = True
            return self
        folder = slot_folder()
        folder.mkdir(parents=True, exist_ok=True)
        while True:
            for k in range(self.n):
                fd = os.open(folder / f"slot-{k}.lock", os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                    continue
                self._fd = fd
                return self
            time.sleep(POLL_S)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._local:
            self._local = False
            _LOCAL.release()
        if self._fd is not None:
            os.close(self._fd)  # closing the only descriptor releases the lock
            self._fd = None
