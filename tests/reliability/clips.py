"""Bad inputs made from the sample clips: short, downscaled MP4s (PyAV) and byte edits.

Every builder writes one small file into a folder the test owns and returns its path. Frames
come from `sample_frames`, decoded once per (clip, seconds, width) and kept in memory.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_videos"

Frames = list[np.ndarray]


@functools.cache
def _frames(name: str, seconds: float, width: int, start_s: float) -> tuple[np.ndarray, ...]:
    out = []
    with av.open(str(SAMPLE_DIR / name)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            if frame.time is None or frame.time < start_s:
                continue
            if frame.time >= start_s + seconds:
                break
            height = int(round(frame.height * width / frame.width / 2)) * 2
            out.append(frame.reformat(width, height, format="rgb24").to_ndarray())
    return tuple(out)


def sample_frames(
    name: str = "squats.mp4", seconds: float = 1.5, width: int = 320, start_s: float = 0.0
) -> Frames:
    """RGB frames of sample_videos/NAME from start_s for `seconds`, resized to `width`."""
    return [f.copy() for f in _frames(name, seconds, width, start_s)]


def write_mp4(
    path: Path,
    frames: Sequence[np.ndarray],
    fps: int = 30,
    faststart: bool = True,
    pts_ms: Sequence[int] | None = None,
    gop: int = 15,
) -> Path:
    """Encode `frames` (H, W, 3 RGB, even sizes) as H.264 MP4. faststart: the index (moov box)
    before the frames, as web uploads have it; False: after them, as cameras write it.
    pts_ms: presentation times in milliseconds (variable frame rate); None = constant fps."""
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.height, stream.width = frames[0].shape[:2] if frames else (64, 64)
        stream.pix_fmt = "yuv420p"
        stream.options = {"g": str(gop), "preset": "ultrafast"}
        if pts_ms is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
        for i, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            if pts_ms is not None:
                frame.pts, frame.time_base = int(pts_ms[i]), Fraction(1, 1000)
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
        if not frames:  # a header and no frame: an empty recording
            out.start_encoding()
    return path


def truncate(src: Path, dst: Path, share: float) -> Path:
    """The first `share` of src's bytes: a copy or upload cut off."""
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * share)])
    return dst


def corrupt_middle(src: Path, dst: Path, length: int = 3000, seed: int = 1) -> Path:
    """src with `length` random bytes written over its middle."""
    data = bytearray(src.read_bytes())
    rng = random.Random(seed)
    mid = len(data) // 2
    for i in range(mid, min(mid + length, len(data))):
        data[i] = rng.randrange(256)
    dst.write_bytes(bytes(data))
    return dst


def write_audio_only(path: Path, seconds: float = 1.0) -> Path:
    """An .m4a-style MP4 holding a sine tone and no video."""
    rate = 16000
    with av.open(str(path), "w") as out:
        stream = out.add_stream("aac", rate=rate)
        t = np.arange(int(rate * seconds)) / rate
        samples = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :]
        for start in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(
                samples[:, start : start + 1024], format="fltp", layout="mono"
            )
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def edit(frames: Frames, change: Callable[[int, np.ndarray], np.ndarray]) -> Frames:
    """frames with change(index, rgb) applied to each."""
    return [change(i, f) for i, f in enumerate(frames)]


def rotate_tkhd(src: Path, dst: Path, clockwise: int = 90) -> Path:
    """src with its video track's display matrix (tkhd box) set to rotate `clockwise` degrees,
    as phones write portrait videos: a byte edit of the 36-byte matrix, nothing re-encoded."""
    matrices = {
        90: (0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000),
        270: (0, -0x10000, 0, 0x10000, 0, 0, 0, 0, 0x40000000),
    }
    data = bytearray(src.read_bytes())
    at = data.find(b"tkhd")
    if at < 0 or data[at + 4] != 0:
        raise ValueError(f"{src}: no version-0 tkhd box")
    matrix = at - 4 + 48  # box start + header, times, ids, duration, layer, volume
    data[matrix : matrix + 36] = b"".join(
        v.to_bytes(4, "big", signed=True) for v in matrices[clockwise]
    )
    dst.write_bytes(bytes(data))
    return dst


def huge_frame_count(src: Path, dst: Path) -> Path:
    """src with the first entry of its time-to-sample table (stts) claiming 2^31 - 1 frames:
    a damaged header found by the fuzzer (it once asked numpy for 1 TiB)."""
    data = bytearray(src.read_bytes())
    at = data.find(b"stts")
    data[at + 12 : at + 16] = (0x7FFFFFFF).to_bytes(4, "big")
    dst.write_bytes(bytes(data))
    return dst
