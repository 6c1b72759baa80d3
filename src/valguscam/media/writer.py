"""Video out: `VideoWriter`, an H.264 MP4 sink over PyAV that keeps each frame's timestamp.

    with VideoWriter("annotated.mp4", width, height, fps=30) as out:
        for t_s, rgb in frames:
            out.write(rgb, t_s)

Atomic: frames go to a hidden temp file in the target folder, renamed to the target on a clean
exit and removed on an error, so a crash never leaves a half-written video under the real name.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import cv2
import numpy as np

from valguscam.errors import InputError

TIME_BASE = Fraction(1, 90000)
"""Presentation timestamps are written in 1/90000 s (MPEG ticks): variable frame rate kept."""


class VideoWriter:
    """H.264 (libx264, yuv420p) MP4 writer of RGB frames with their own timestamps.

    path: the .mp4 to write. width, height: frame size in pixels (yuv420p needs even sizes:
    odd ones are cropped by one pixel). fps: the nominal rate (frames per second), a header
    hint only; each frame's time comes from `write(rgb, t_s)`. crf, preset: x264 quality and
    speed. threads: encoder threads, 0 = let x264 choose.
    """

    def __init__(
        self,
        path: str | Path,
        width: int,
        height: int,
        fps: float = 30.0,
        crf: int = 20,
        preset: str = "veryfast",
        threads: int = 0,
    ) -> None:
        self.path = Path(path)
        self.width, self.height = int(width) // 2 * 2, int(height) // 2 * 2
        self.fps = fps
        self.options = {"crf": str(crf), "preset": preset}
        self.threads = threads
        self.frames_written = 0
        self._last_pts = -1
        self._tmp: Path | None = None
        self._container = None
        self._stream = None

    def __enter__(self) -> VideoWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".mp4"
        )
        os.close(fd)
        self._tmp = Path(tmp)
        try:
            self._container = av.open(str(self._tmp), mode="w", format="mp4")
            rate = Fraction(self.fps).limit_denominator(1001) if self.fps > 0 else Fraction(30)
            stream = self._container.add_stream("libx264", rate=rate, options=self.options)
            stream.width, stream.height, stream.pix_fmt = self.width, self.height, "yuv420p"
            stream.time_base = TIME_BASE
            stream.codec_context.time_base = TIME_BASE
            stream.codec_context.thread_count = self.threads
            stream.thread_type = "AUTO"
            self._stream = stream
        except BaseException:
            self._discard()
            raise
        return self

    def write(self, rgb: np.ndarray, t_s: float) -> None:
        """Encode one (H, W, 3) uint8 RGB frame shown at `t_s` seconds (strictly increasing;
        a time not after the previous frame's is moved one tick after it)."""
        if self._stream is None:
            raise InputError("VideoWriter.write called outside its 'with' block")
        rgb = rgb[: self.height, : self.width]
        if rgb.shape[:2] != (self.height, self.width):
            raise InputError(
                f"frame is {rgb.shape[1]}x{rgb.shape[0]}, the writer {self.width}x{self.height}; "
                "write frames of one size"
            )
        # OpenCV's RGB->I420 (BT.601, limited range, as swscale's default) is ~4x faster.
        yuv = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2YUV_I420)
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        pts = max(int(round(t_s / TIME_BASE)), self._last_pts + 1)
        frame.pts, frame.time_base = pts, TIME_BASE
        self._last_pts = pts
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self.frames_written += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._discard()
            return
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
            self._container = None
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self._tmp, 0o666 & ~umask)  # mkstemp made it private
            os.replace(self._tmp, self.path)
        except BaseException:
            self._discard()
            raise

    def _discard(self) -> None:
        """Close the container (if open) and remove the temp file."""
        if self._container is not None:
            with contextlib.suppress(Exception):
                self._container.close()
            self._container = None
        self._stream = None
        if self._tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._tmp)
