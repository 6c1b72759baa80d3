"""Live frames for `valguscam live`: a capture thread that always hands over the newest frame.

`LatestFrame(source, paced=...)` reads a FrameSource (a webcam, or a video file played as if
it were a camera) in a thread of its own and keeps only the newest frame: a consumer that is
slower than the camera gets the newest frame every time, never a stale one, and the frames it
could not take are counted as dropped (as a camera drops them). No queue grows.

paced=True plays a file in real time: frame k is published at start + t_s[k] (the container's
timestamps, so variable frame rate plays right). A webcam is paced by its own clock.

    with LatestFrame(open_source("squat.mp4"), paced=True) as live:
        while (got := live.next(timeout_s=1.0)) is not None:
            frame, captured_at = got
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from types import TracebackType

import cv2
import numpy as np

from valguscam.errors import InputError
from valguscam.media.sources import FrameSource
from valguscam.types import Frame, VideoInfo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaptureCounts:
    """Frames the capture thread published, handed over and dropped (overwritten unseen)."""

    captured: int
    taken: int
    dropped: int


class LatestFrame:
    """A one-slot mailbox filled by a capture thread: `next()` returns the newest frame.

    source: any FrameSource (owned: closed on exit). paced: publish file frames at their
    timestamps in real time (True for `--source FILE`; webcams are paced by the device).
    `error` holds what stopped the capture early (an InputError for a camera that stopped
    sending frames), else None; `ended` is set once the source has no more frames.
    """

    def __init__(self, source: FrameSource, paced: bool = True) -> None:
        self.source = source
        self.info: VideoInfo = source.info
        self.paced = paced
        self.error: BaseException | None = None
        self.ended = threading.Event()
        self._cond = threading.Condition()
        self._slot: tuple[Frame, float] | None = None
        self._stop = threading.Event()
        self._captured = 0
        self._taken = 0
        self._thread = threading.Thread(target=self._run, name="valguscam-capture", daemon=True)
        self.started_at = float("nan")

    def __enter__(self) -> LatestFrame:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def start(self) -> None:
        """Start capturing; the clock of a paced file starts now."""
        self.started_at = time.perf_counter()
        self._thread.start()

    def close(self) -> None:
        """Stop the capture thread and release the source."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=5.0)
        self.source.close()

    @property
    def counts(self) -> CaptureCounts:
        with self._cond:
            captured, taken = self._captured, self._taken
        pending = 1 if self._slot is not None else 0
        return CaptureCounts(captured, taken, max(captured - taken - pending, 0))

    def next(self, timeout_s: float = 1.0) -> tuple[Frame, float] | None:
        """The newest frame not handed over yet and when it was captured (time.perf_counter
        seconds); waits up to timeout_s. None when the source has ended (or after timeout)."""
        deadline = time.perf_counter() + timeout_s
        with self._cond:
            while self._slot is None:
                left = deadline - time.perf_counter()
                if self.ended.is_set() or left <= 0:
                    return None
                self._cond.wait(left)
            got, self._slot = self._slot, None
            self._taken += 1
            return got

    def _publish(self, frame: Frame) -> None:
        with self._cond:
            self._slot = (frame, time.perf_counter())
            self._captured += 1
            self._cond.notify_all()

    def _run(self) -> None:
        if self.paced:
            _yield_cpu()
        try:
            for frame in self.source:
                if self._stop.is_set():
                    break
                if self.paced:
                    wait = self.started_at + frame.t_s - time.perf_counter()
                    if wait > 0 and self._stop.wait(wait):
                        break
                self._publish(frame)
            else:
                if self.info.kind == "webcam" and not self._stop.is_set():
                    self.error = InputError(
                        f"{self.info.path} stopped sending frames (unplugged?); "
                        "the session so far is saved, plug it in and start again"
                    )
        except InputError as exc:
            self.error = exc
        except Exception as exc:  # a device error must end the session, not hang it
            log.debug("capture failed", exc_info=True)
            self.error = InputError(
                f"{self.info.path} failed while capturing ({exc}); the session so far is saved"
            )
        finally:
            self.ended.set()
            with self._cond:
                self._cond.notify_all()


PACED_NICE = 10
"""Niceness of a paced clip's capture thread (Linux): decoding the clip stands in for a camera,
whose capture costs the pipeline little; at a lower priority it does not take the cores from
the model and the HUD it feeds."""


def _yield_cpu() -> None:
    """Lower this thread's priority to PACED_NICE where the OS allows it (Linux: per thread)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PACED_NICE)
    except (AttributeError, OSError):  # not Linux, or not allowed: run as it is
        log.debug("could not lower the capture thread's priority", exc_info=True)


def downscale(rgb: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """`rgb` ((H, W, 3) uint8) shrunk so its longer side is at most max_side pixels (area
    interpolation), and the factor to multiply its pixel coordinates by to get the original's.
    Unchanged (factor 1.0) when already small enough or max_side <= 0."""
    longest = max(rgb.shape[:2])
    if max_side <= 0 or longest <= max_side:
        return rgb, 1.0
    f = max_side / longest
    size = (max(1, round(rgb.shape[1] * f)), max(1, round(rgb.shape[0] * f)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    return small, rgb.shape[1] / size[0]
