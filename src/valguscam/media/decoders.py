"""Video file decoding: probe a file's `VideoInfo` and decode it lazily with PyAV or OpenCV.

Both decoders yield `(t_s, rgb)` pairs: `t_s` in seconds from the container's presentation
timestamps (PTS), relative to the first frame (so the first frame is 0.0 and variable frame rate
is kept), and `rgb` an upright (H, W, 3) uint8 C-contiguous RGB array. "Upright" means the
display rotation stored in the container (the display matrix phones write) has been applied.

The rotation is read once, by PyAV, from the first decoded frame's display-matrix side data, and
both decoders apply it the same way (OpenCV's own auto-orientation is switched off), so the two
always agree on orientation. sources.py wraps these generators in frame sources.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np

from valguscam.errors import DecodeError, InputError
from valguscam.media.integrity import describe_unreadable
from valguscam.types import VideoInfo

log = logging.getLogger(__name__)

DECODERS = ("auto", "pyav", "opencv")
"""Accepted `decoder` names. "auto" means "pyav": analyze is as fast or faster with it on every
shared clip (rjsong 1280x720: pose stage 8.05-8.18 s against 8.32-8.39 s with OpenCV; the
1080x1920 phone clip: OpenCV alone decodes at 20 frames/s, PyAV at 140-160), and only PyAV reads
the rotation flag and VFR timestamps itself (docs/performance.md)."""

_CV2_ROTATE = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}


def check_video_path(path: str | Path) -> Path:
    """Return `path` as a Path, or raise InputError if it is missing, a folder, empty or
    unreadable."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"video file {p} does not exist; check the path")
    if p.is_dir():
        raise InputError(
            f"{p} is a folder, not a video file; pass a video file "
            "(open_source() reads a folder as an image sequence)"
        )
    try:
        with p.open("rb") as fh:
            empty = not fh.read(1)
    except PermissionError:
        raise InputError(
            f"cannot read {p}: permission denied; make it readable (chmod a+r) or copy it "
            "somewhere you can read"
        ) from None
    except OSError as err:
        raise InputError(f"cannot read {p} ({err.strerror}); check the file and the disk") from None
    if empty:
        raise InputError(
            f"video file {p} is empty (0 bytes): the copy or upload did not finish; "
            "copy the video again"
        )
    return p


def upright(rgb: np.ndarray, rotation: int) -> np.ndarray:
    """Rotate an (H, W, 3) frame `rotation` degrees clockwise; always C-contiguous."""
    if rotation == 0:
        return np.ascontiguousarray(rgb)
    return cv2.rotate(rgb, _CV2_ROTATE[rotation])


def _clockwise(frame: av.VideoFrame) -> int:
    """Display rotation of a decoded frame in degrees clockwise: 0, 90, 180 or 270.

    PyAV 18 reports `frame.rotation` counter-clockwise in [-180, 180] (from the frame's
    DISPLAYMATRIX side data, which FFmpeg copies from the container); 0 when there is none.
    """
    ccw = float(frame.rotation)
    cw = int(round(-ccw / 90.0)) * 90 % 360
    if abs(((-ccw - cw) + 180) % 360 - 180) > 1:
        log.warning("display rotation %.1f deg is not a multiple of 90; using %d", -ccw, cw)
    return cw


def _open_container(path: Path) -> av.container.InputContainer:
    """Open `path` with PyAV; InputError if FFmpeg cannot read it or it has no video."""
    try:
        container = av.open(str(path), mode="r")
    except (av.FFmpegError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise InputError(
            describe_unreadable(path)
            or f"{path} is not a video FFmpeg can read ({reason}); convert it to MP4/H.264 or MOV"
        ) from None
    if not container.streams.video:
        audio = bool(container.streams.audio)
        container.close()
        if audio:
            raise InputError(f"{path} has no video stream, only audio; pass a file with video")
        raise InputError(
            f"{path} holds no video frames (an empty recording?); record or export it again"
        )
    return container


def _first_frame(container: av.container.InputContainer, path: Path) -> av.VideoFrame:
    """Decode the first frame of the first video stream; InputError if there is none."""
    try:
        frame = next(container.decode(container.streams.video[0]), None)
    except av.FFmpegError as err:
        raise InputError(
            describe_unreadable(path)
            or f"{path} is not a video FFmpeg can read ({err.strerror or err}); "
            "convert it to MP4/H.264 or MOV"
        ) from None
    if frame is None:
        raise InputError(
            describe_unreadable(path)
            or f"video file {path} has no frames; re-export or re-record it"
        )
    return frame


def _count_packets(path: Path) -> int:
    """Count the video packets of `path` by demuxing (no decoding): about one per frame."""
    count = 0
    with av.open(str(path), mode="r") as container:
        stream = container.streams.video[0]
        try:
            for packet in container.demux(stream):
                count += bool(packet.size)
        except av.FFmpegError:  # damaged further on: the packets up to there
            pass
    return count


def _duration_s(container: av.container.InputContainer, count: int) -> float:
    """Duration in seconds from the stream or container header, else count / nominal rate."""
    stream = container.streams.video[0]
    rate = float(stream.guessed_rate or stream.average_rate or 30)
    nominal = count / rate
    duration = 0.0
    if stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    elif container.duration:
        duration = container.duration / av.time_base
    # Some containers (e.g. FLV without an index) report a placeholder duration.
    if not np.isfinite(duration) or duration <= 0 or duration > 4 * nominal + 1:
        duration = nominal
    return duration


def probe_video(path: str | Path) -> VideoInfo:
    """What a video file holds, decoding only its first frame (for the display rotation).

    frame_count comes from the container header, or from counting packets when the header
    has none or one the file's size cannot hold (a damaged header: every frame takes bytes).
    fps is the average rate frame_count / duration_s, in frames per second.
    Raises InputError for a missing path, a folder, an unreadable file or a video with no frames.
    """
    p = check_video_path(path)
    with _open_container(p) as container:
        stream = container.streams.video[0]
        first = _first_frame(container, p)
        rotation = _clockwise(first)
        count = int(stream.frames)
        if not 0 < count <= p.stat().st_size // 4:  # none, or more frames than bytes allow
            count = _count_packets(p)
        duration = _duration_s(container, count)
        codec = stream.codec_context.name
    width, height = first.width, first.height
    if rotation in (90, 270):
        width, height = height, width
    return VideoInfo(
        path=str(p),
        width=width,
        height=height,
        fps=count / duration,
        frame_count=count,
        duration_s=duration,
        rotation=rotation,
        codec=codec,
        kind="video",
    )


def iter_pyav(
    path: Path, rotation: int, threads: int = 0, errors: list[str] | None = None
) -> Iterator[tuple[float, np.ndarray]]:
    """Decode `path` with PyAV (FFmpeg frame threading), yielding (t_s, upright rgb).

    threads: decoder threads, 0 = let FFmpeg choose. Colour conversion to RGB happens once,
    in FFmpeg (swscale). A frame without a PTS, or with one not after the previous frame's (a
    damaged file), gets the previous time plus one nominal period, so time always increases.
    errors: a packet FFmpeg cannot decode (corrupt bytes) is skipped and described here, and
    decoding goes on with the next one. Raises DecodeError when the container itself cannot be
    read further (the frames yielded so far stand).
    """
    container = _open_container(path)
    index = 0
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.codec_context.thread_count = threads
        period = 1.0 / float(stream.guessed_rate or 30)
        t0: float | None = None
        last = -period
        repaired = 0
        for frame in _decode_packets(container, stream, errors):
            t = frame.time
            if t0 is not None and (t is None or not t > last):  # missing or out of order
                t, repaired = last + period, repaired + 1
            t = 0.0 if t is None else t
            if t0 is None:
                t0 = t
            last = t
            yield t - t0, upright(frame.to_ndarray(format="rgb24"), rotation)
            index += 1
        if repaired:
            log.warning(
                "%s: %d frame(s) had no timestamp or one out of order; timed at the nominal "
                "%.3g frames/s instead", path, repaired, 1.0 / period,
            )  # fmt: skip
    except av.FFmpegError as err:
        raise DecodeError(
            f"{path} could not be read after frame {index} ({err.strerror or err}); "
            "the file is damaged from there: copy or export it again"
        ) from None
    finally:
        container.close()


def _decode_packets(
    container: av.container.InputContainer, stream: av.VideoStream, errors: list[str] | None
) -> Iterator[av.VideoFrame]:
    """The frames of `stream`, packet by packet; a packet that fails to decode is noted in
    `errors` and skipped (the demuxer's own errors propagate)."""
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except (av.InvalidDataError, av.error.PatchWelcomeError, av.error.BugError) as err:
            if errors is not None:
                at = float(packet.pts * packet.time_base) if packet.pts is not None else None
                when = f" at {at:.2f} s" if at is not None else ""
                errors.append(f"corrupt data{when} ({err.strerror or err})")
            continue
        yield from frames


def _open_capture(path: Path, threads: int) -> tuple[cv2.VideoCapture, bool]:
    """Open `path` with OpenCV's FFmpeg backend; returns (capture, we_must_rotate)."""
    params = [cv2.CAP_PROP_N_THREADS, threads] if threads > 0 else []
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG, params)
    if not cap.isOpened():
        cap.release()
        raise InputError(
            f"{path} is not a video OpenCV can read; convert it to MP4/H.264 or use decoder='pyav'"
        )
    # Rotate ourselves, from the rotation PyAV read, so both decoders agree by construction.
    cap.set(cv2.CAP_PROP_ORIENTATION_AUTO, 0)
    return cap, cap.get(cv2.CAP_PROP_ORIENTATION_AUTO) == 0


def iter_opencv(path: Path, rotation: int, threads: int = 0) -> Iterator[tuple[float, np.ndarray]]:
    """Decode `path` with cv2.VideoCapture, yielding (t_s, upright rgb).

    t_s comes from CAP_PROP_POS_MSEC (the frame's PTS), not index / fps. BGR is converted to
    RGB once per frame. threads: decoder threads, 0 = OpenCV's default.
    """
    cap, must_rotate = _open_capture(path, threads)
    if not must_rotate:  # this OpenCV build rotates by itself
        rotation = 0
    try:
        t0: float | None = None
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            t = cap.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
            if t0 is None:
                t0 = t
            yield t - t0, upright(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), rotation)
    finally:
        cap.release()
