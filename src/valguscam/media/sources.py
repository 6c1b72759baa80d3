"""Frame sources: a video file, a webcam or a folder of images, all yielding `Frame`s.

Every source has `.info` (a `VideoInfo`), is iterable (lazily: one frame in memory at a time)
and is a context manager that releases its file or device on exit, also on exceptions.
Frames are `Frame(index, t_s, rgb)`: `t_s` in seconds from the first frame, `rgb` an upright
(H, W, 3) uint8 C-contiguous RGB array (display rotation / EXIF orientation applied).

    with open_source("squat.mov") as source:
        for frame in source:
            ...
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
import weakref
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterator
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from valguscam.errors import InputError
from valguscam.media.decoders import (
    DECODERS,
    check_video_path,
    iter_opencv,
    iter_pyav,
    probe_video,
)
from valguscam.types import Frame, VideoInfo

__all__ = [
    "DECODERS",
    "IMAGE_SUFFIXES",
    "FrameSource",
    "ImageFolderSource",
    "VideoFileSource",
    "WebcamSource",
    "open_source",
    "probe_video",
]

log = logging.getLogger(__name__)

FrameGenerator = Generator[Frame, None, None]

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
"""File suffixes (case-insensitive) that ImageFolderSource reads."""


class FrameSource(ABC):
    """Base of all sources: iteration, `close()` and the context-manager protocol.

    Each `iter(source)` starts a new lazy pass (a webcam continues its live stream);
    `close()` ends every pass still open and releases the file or device.
    decode_errors: what the last pass skipped (corrupt packets, unreadable or odd-sized images),
    one line each; the frames around them were still yielded.
    """

    info: VideoInfo

    def __init__(self) -> None:
        self._passes: weakref.WeakSet[FrameGenerator] = weakref.WeakSet()
        self._closed = False
        self.decode_errors: list[str] = []

    @abstractmethod
    def _frames(self) -> FrameGenerator:
        """One lazy pass over the frames (a generator)."""

    def _release(self) -> None:  # noqa: B027 - optional hook, most sources hold nothing
        """Release what the source holds between passes (e.g. a camera)."""

    def __iter__(self) -> Iterator[Frame]:
        if self._closed:
            raise InputError(f"frame source {self.info.path} is closed; open it again")
        frames = self._frames()
        self._passes.add(frames)
        return frames

    def close(self) -> None:
        """End all open passes and release the file or device. Safe to call twice."""
        for frames in list(self._passes):
            frames.close()
        self._release()
        self._closed = True

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class VideoFileSource(FrameSource):
    """Frames of a video file, decoded lazily with PyAV ("pyav", "auto") or OpenCV ("opencv").

    threads: decoder threads, 0 = let the decoder choose. `info` is read on construction
    (container header plus the first frame), so a bad path or file fails here with InputError.
    """

    def __init__(self, path: str | Path, decoder: str = "auto", threads: int = 0) -> None:
        super().__init__()
        if decoder not in DECODERS:
            raise InputError(
                f"unknown decoder {decoder!r}; use one of {', '.join(map(repr, DECODERS))}"
            )
        self.path = check_video_path(path)
        self.decoder = "pyav" if decoder == "auto" else decoder
        self.threads = int(threads)
        self.info = probe_video(self.path)

    def _frames(self) -> FrameGenerator:
        self.decode_errors = []
        if self.decoder == "pyav":
            decoded = iter_pyav(self.path, self.info.rotation, self.threads, self.decode_errors)
        else:
            decoded = iter_opencv(self.path, self.info.rotation, self.threads)
        with contextlib.closing(decoded) as frames:
            for index, (t_s, rgb) in enumerate(frames):
                yield Frame(index, t_s, rgb)


class WebcamSource(FrameSource):
    """Live frames of camera `index`; t_s from a monotonic clock, 0.0 at the first frame.

    width, height (pixels) and fps are requests to the driver; `info` holds what it granted
    (frame_count 0 and duration_s 0.0: a live stream has neither). The camera opens here.
    """

    def __init__(
        self,
        index: int = 0,
        width: int | None = None,
        height: int | None = None,
        fps: float | None = None,
    ) -> None:
        super().__init__()
        self.index = int(index)
        self._cap = self._open(width, height, fps)
        self.info = VideoInfo(
            path=f"webcam:{self.index}",
            width=int(self._cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
            height=int(self._cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            fps=float(self._cap.get(cv2.CAP_PROP_FPS) or 30.0),
            frame_count=0,
            duration_s=0.0,
            rotation=0,
            codec="",
            kind="webcam",
        )

    def _open(self, width: int | None, height: int | None, fps: float | None) -> cv2.VideoCapture:
        not_open = InputError(
            f"webcam {self.index} could not be opened; check it is connected and not used "
            "by another program, or pass a video file"
        )
        logs = cv2.utils.logging
        level = logs.getLogLevel()
        logs.setLogLevel(logs.LOG_LEVEL_SILENT)  # a missing camera is our line, not OpenCV's dump
        try:
            cap = cv2.VideoCapture(self.index)
        except cv2.error as err:
            raise not_open from err
        finally:
            logs.setLogLevel(level)
        if not cap.isOpened():
            cap.release()
            raise not_open
        for prop, value in (
            (cv2.CAP_PROP_FRAME_WIDTH, width),
            (cv2.CAP_PROP_FRAME_HEIGHT, height),
            (cv2.CAP_PROP_FPS, fps),
        ):
            if value is not None:
                cap.set(prop, float(value))
        return cap

    def _frames(self) -> FrameGenerator:
        index = 0
        t0: float | None = None
        while True:
            ok, bgr = self._cap.read()
            now = time.monotonic()
            if not ok:
                if index == 0:
                    raise InputError(
                        f"webcam {self.index} opened but sent no frame; close other programs "
                        "using it or try another index"
                    )
                log.warning("webcam %d stopped sending frames after %d", self.index, index)
                return
            if t0 is None:
                t0 = now
            yield Frame(index, now - t0, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            index += 1

    def _release(self) -> None:
        self._cap.release()


def _natural_key(path: Path) -> list[int | str]:
    """Sort key that puts frame2.png before frame10.png."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


def _read_image(path: Path) -> np.ndarray:
    """Read an image as upright (H, W, 3) uint8 RGB; IMREAD_COLOR applies EXIF orientation."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise InputError(f"{path} is not an image OpenCV can read; re-save it as PNG or JPEG")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


class ImageFolderSource(FrameSource):
    """Frames from the images of a folder (IMAGE_SUFFIXES), in natural order, t_s = index / fps.

    fps: frames per second the images were taken at. All images must have the same size
    (after EXIF orientation): an image of another size, or one OpenCV cannot read, is skipped
    when it is reached and named in `decode_errors` (t_s keeps counting, so time stays true).
    info.rotation is 0: EXIF orientation is applied per image by OpenCV.
    """

    def __init__(self, path: str | Path, fps: float = 30.0) -> None:
        super().__init__()
        self.path = Path(path)
        if not self.path.is_dir():
            raise InputError(f"image folder {self.path} does not exist; check the path")
        if not fps > 0:
            raise InputError(
                f"fps must be positive, got {fps}; pass the rate the images were taken at"
            )
        self.files = sorted(
            (p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()),
            key=_natural_key,
        )
        if not self.files:
            raise InputError(
                f"{self.path} has no images ({' '.join(IMAGE_SUFFIXES)}); "
                "put the frames there or pass a video file"
            )
        height, width = _read_image(self.files[0]).shape[:2]
        self.info = VideoInfo(
            path=str(self.path),
            width=width,
            height=height,
            fps=float(fps),
            frame_count=len(self.files),
            duration_s=len(self.files) / float(fps),
            rotation=0,
            codec=self.files[0].suffix.lower().lstrip("."),
            kind="images",
        )

    def _frames(self) -> FrameGenerator:
        expected = (self.info.height, self.info.width)
        self.decode_errors = []
        index = 0
        for number, file in enumerate(self.files):
            try:
                rgb = _read_image(file)
            except InputError as err:
                self.decode_errors.append(f"skipped {err}")
                continue
            if rgb.shape[:2] != expected:
                self.decode_errors.append(
                    f"skipped {file}: it is {rgb.shape[1]}x{rgb.shape[0]} but the first image is "
                    f"{expected[1]}x{expected[0]}; resize all images of {self.path} to one size"
                )
                continue
            yield Frame(index, number / self.info.fps, rgb)
            index += 1


def open_source(spec: str | Path, decoder: str = "auto") -> FrameSource:
    """The source for `spec`: a digit string (not an existing path) is a webcam index,
    a folder an image sequence, anything else a video file decoded with `decoder`."""
    if isinstance(spec, str) and spec.strip().isdigit() and not Path(spec).exists():
        return WebcamSource(int(spec))
    path = Path(spec)
    if path.is_dir():
        return ImageFolderSource(path)
    return VideoFileSource(path, decoder=decoder)
