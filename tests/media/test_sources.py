"""Frame sources on real clips (sample_videos/; the iPhone clips of ../shared in the shared suite)
and on clips made here in tmp_path.

Rotation: the shared iPhone clips are stored portrait with an identity display matrix, so the
rotated clips are made here (PyAV 18 `VideoStream.set_display_rotation`): re-encoded, and a sample
clip remuxed packet for packet with a display matrix and uneven (VFR) timestamps. VFR: a clip muxed
with irregular PTS. Tolerances are set a little above what was measured (see each constant).
"""

from __future__ import annotations

import gc
import itertools
import os
import time
import weakref
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from PIL import Image

from valguscam.errors import InputError
from valguscam.media.sources import (
    ImageFolderSource,
    VideoFileSource,
    WebcamSource,
    open_source,
    probe_video,
)
from valguscam.types import VideoInfo

DECODER_NAMES = ("pyav", "opencv")
# Mean absolute pixel difference between the decoders on one frame, grey levels (0-255).
# Measured: 0.0 on the yuv420p clips, 0.74-0.91 on the iPhone yuvj420p (full-range) clips.
DECODER_PIXEL_TOL = 3.0
# Between decoders, seconds: both read the same PTS; measured difference < 1e-11 s.
DECODER_TIME_TOL_S = 1e-3
# Mean absolute difference of a re-encoded rotated clip (libx264 crf 18, 270x480) from its
# upright source, grey levels. Measured ~2.0; the wrong orientation gives ~110.
ROTATED_PIXEL_TOL = 6.0

# sample cam01.mp4 (1080x1920, 60 fps) remuxed: "rotate 90 clockwise", every other frame late.
REMUXED = "remuxed:cam01.mp4"
# (clip, frames in the file). The MANIFESTs' counts match what is decoded.
REAL_CLIPS = {
    "shared:lnewco/IMG_7060.mov": 69,
    "shared:lnewco/IMG_7029.mov": 88,
    "sample:squats.mp4": 365,
    REMUXED: 100,
}
PORTRAIT = {"shared:lnewco/IMG_7060.mov", "shared:lnewco/IMG_7029.mov"}


def _mad(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two uint8 images, grey levels."""
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@dataclass(frozen=True)
class DecoderComparison:
    """Both decoders run in lockstep over one clip (one frame of each in memory)."""

    info: dict[str, VideoInfo]
    t_s: dict[str, np.ndarray]
    shapes: set[tuple[int, ...]]
    max_pixel_mad: float
    all_uint8_contiguous: bool


def _compare_decoders(path: Path) -> DecoderComparison:
    infos: dict[str, VideoInfo] = {}
    times: dict[str, list[float]] = {name: [] for name in DECODER_NAMES}
    shapes: set[tuple[int, ...]] = set()
    max_mad, ok = 0.0, True
    with (
        VideoFileSource(path, decoder="pyav") as a,
        VideoFileSource(path, decoder="opencv") as b,
    ):
        infos = {"pyav": a.info, "opencv": b.info}
        for i, (fa, fb) in enumerate(itertools.zip_longest(a, b)):
            for name, frame in (("pyav", fa), ("opencv", fb)):
                if frame is not None:
                    times[name].append(frame.t_s)
                    shapes.add(frame.rgb.shape)
                    ok &= frame.rgb.dtype == np.uint8 and frame.rgb.flags.c_contiguous
                    ok &= frame.index == len(times[name]) - 1
            if fa is not None and fb is not None and i % 8 == 0:
                max_mad = max(max_mad, _mad(fa.rgb, fb.rgb))
    t_s = {name: np.asarray(ts) for name, ts in times.items()}
    return DecoderComparison(infos, t_s, shapes, max_mad, ok)


def remux_rotated_vfr(src: Path, dst: Path, rotation_cw: int = 90) -> np.ndarray:
    """Copy the video packets of `src` into `dst` unchanged, adding a display matrix "rotate
    clockwise by rotation_cw" and delaying every other frame by 0.4 frame periods (VFR).
    Returns the new presentation times, seconds, in display order."""
    with av.open(str(src)) as inp, av.open(str(dst), "w") as out:
        ist = inp.streams.video[0]
        ost = out.add_stream_from_template(ist)
        ost.set_display_rotation(-rotation_cw)  # PyAV's argument is counter-clockwise
        period = int(1 / (ist.average_rate * ist.time_base))  # stream ticks per frame
        pts = []
        for packet in inp.demux(ist):
            if packet.dts is None:  # the demuxer's final empty packet
                continue
            if (packet.pts // period) % 2:  # a later pts, same dts: still decodable in order
                packet.pts += 2 * period // 5
            pts.append(packet.pts)
            packet.stream = ost
            out.mux(packet)
    return np.sort(pts) * float(ist.time_base)


@pytest.fixture(scope="module", params=sorted(REAL_CLIPS))
def real_clip(
    request: pytest.FixtureRequest, clip_path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, DecoderComparison]:
    if request.param == REMUXED:
        path = tmp_path_factory.mktemp("remuxed") / "cam01_rot90_vfr.mp4"
        remux_rotated_vfr(clip_path("sample:cam01.mp4"), path)
    else:
        path = clip_path(request.param)
    return request.param, _compare_decoders(path)


def test_decoders_agree_on_real_clips(real_clip: tuple[str, DecoderComparison]) -> None:
    name, cmp = real_clip
    expected = REAL_CLIPS[name]
    assert cmp.info["pyav"] == cmp.info["opencv"]
    info = cmp.info["pyav"]
    assert info.frame_count == expected
    assert len(cmp.t_s["pyav"]) == len(cmp.t_s["opencv"]) == expected
    assert cmp.shapes == {(info.height, info.width, 3)}
    assert cmp.all_uint8_contiguous
    if name in PORTRAIT:
        assert info.height > info.width
    assert cmp.max_pixel_mad < DECODER_PIXEL_TOL


def test_timestamps_on_real_clips(real_clip: tuple[str, DecoderComparison]) -> None:
    _, cmp = real_clip
    info = cmp.info["pyav"]
    for t in cmp.t_s.values():
        assert t[0] == 0.0
        assert np.all(np.diff(t) > 0)
        # The last frame starts one frame period (at most ~2 for VFR) before the end.
        assert info.duration_s - 2.5 / info.fps <= t[-1] < info.duration_s
    np.testing.assert_allclose(cmp.t_s["pyav"], cmp.t_s["opencv"], atol=DECODER_TIME_TOL_S)


@pytest.mark.shared
def test_probe_video_reads_the_header(videos_dir: Path) -> None:
    info = probe_video(videos_dir / "lnewco/IMG_7060.mov")
    assert (info.width, info.height, info.frame_count, info.rotation) == (1080, 1920, 69, 0)
    assert info.codec == "h264" and info.kind == "video"
    assert info.duration_s == pytest.approx(2.3, abs=0.01)
    assert info.fps == pytest.approx(30.0, abs=0.1)


# --- rotation: clips stored sideways with a display matrix -----------------------------------


@pytest.fixture(scope="module")
def upright_frames(sample_dir: Path) -> list[np.ndarray]:
    """The first 6 frames of the sample cam01.mp4 (portrait), scaled to 270x480 (W x H)."""
    frames = []
    with VideoFileSource(sample_dir / "cam01.mp4") as source:
        for frame in itertools.islice(source, 6):
            frames.append(cv2.resize(frame.rgb, (270, 480), interpolation=cv2.INTER_AREA))
    return frames


def _write_rotated(path: Path, upright: list[np.ndarray], rotation_cw: int) -> None:
    """Store `upright` rotated counter-clockwise by `rotation_cw` with a display matrix saying
    "rotate clockwise by rotation_cw", as a phone does for portrait video."""
    stored = [np.ascontiguousarray(np.rot90(u, rotation_cw // 90)) for u in upright]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.height, stream.width = stored[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "18"}
        stream.set_display_rotation(-rotation_cw)  # PyAV's argument is counter-clockwise
        for rgb in stored:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        out.mux(stream.encode())


@pytest.mark.parametrize("decoder", DECODER_NAMES)
@pytest.mark.parametrize("rotation_cw", [90, 180, 270])
def test_rotated_clip_is_decoded_upright(
    tmp_path: Path, upright_frames: list[np.ndarray], rotation_cw: int, decoder: str
) -> None:
    path = tmp_path / f"rot{rotation_cw}.mp4"
    _write_rotated(path, upright_frames, rotation_cw)
    with av.open(str(path)) as check:  # the flag really is in the file
        assert next(check.decode(video=0)).rotation == {90: -90, 180: -180, 270: 90}[rotation_cw]
    with VideoFileSource(path, decoder=decoder) as source:
        info = source.info
        frames = list(source)
    assert (info.rotation, info.width, info.height) == (rotation_cw, 270, 480)
    assert len(frames) == len(upright_frames)
    for frame, expected in zip(frames, upright_frames, strict=True):
        assert frame.rgb.shape == (480, 270, 3) and frame.rgb.flags.c_contiguous
        assert _mad(frame.rgb, expected) < ROTATED_PIXEL_TOL
        assert _mad(frame.rgb, np.rot90(expected, 2)) > 10 * ROTATED_PIXEL_TOL


@pytest.mark.parametrize("decoder", DECODER_NAMES)
def test_remuxed_phone_style_clip_is_upright_and_follows_its_pts(
    tmp_path: Path, sample_dir: Path, decoder: str
) -> None:
    """The same coded frames as the sample, plus a rotation flag and uneven timestamps: decoded
    frames are the sample's turned 90 deg clockwise, pixel for pixel, at the muxed times."""
    path = tmp_path / "cam01_rot90_vfr.mp4"
    pts_s = remux_rotated_vfr(sample_dir / "cam01.mp4", path)
    with VideoFileSource(sample_dir / "cam01.mp4") as source:
        stored = [f.rgb[::8, ::8] for f in itertools.islice(source, 0, None, 9)]
    with VideoFileSource(path, decoder=decoder) as source:
        info = source.info
        frames = list(source)
    assert (info.rotation, info.width, info.height) == (90, 1920, 1080)
    t_s = np.array([f.t_s for f in frames])
    np.testing.assert_allclose(t_s, pts_s - pts_s[0], atol=1e-6)
    gaps = np.diff(t_s)
    assert gaps[::2].mean() > 2 * gaps[1::2].mean()  # 23.3 ms and 10.0 ms, not 16.7 ms each
    for upright, frame in zip(stored, frames[::9], strict=True):
        turned = np.rot90(frame.rgb, 1)[::8, ::8]  # back to how it is stored
        assert _mad(turned, upright) < DECODER_PIXEL_TOL


# --- variable frame rate ---------------------------------------------------------------------

VFR_PTS_MS = np.cumsum([0] + [33, 50] * 6)  # 13 frames, gaps alternate 33 ms and 50 ms


@pytest.fixture(scope="module", params=["mp4", "mkv"])
def vfr_clip(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 64x48 clip whose frames have the PTS of VFR_PTS_MS; frame i is grey level 15 * i.
    MKV keeps no frame count in its header, so probing it must count."""
    path = tmp_path_factory.mktemp("vfr") / f"vfr.{request.param}"
    ms = Fraction(1, 1000)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.codec_context.time_base = ms
        stream.options = {"crf": "10"}
        for i, pts in enumerate(VFR_PTS_MS):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 15 * i, np.uint8), "rgb24")
            frame.pts, frame.time_base = int(pts), ms
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


@pytest.mark.parametrize("decoder", DECODER_NAMES)
def test_vfr_timestamps_follow_pts(vfr_clip: Path, decoder: str) -> None:
    with VideoFileSource(vfr_clip, decoder=decoder) as source:
        frames = list(source)
        info = source.info
    t_s = np.array([f.t_s for f in frames])
    np.testing.assert_allclose(t_s, VFR_PTS_MS / 1000.0, atol=1e-6)
    assert not np.allclose(t_s, np.arange(len(t_s)) / info.fps, atol=5e-3)
    assert info.frame_count == len(frames) == len(VFR_PTS_MS)
    assert info.fps == pytest.approx(info.frame_count / info.duration_s)
    assert t_s[-1] < info.duration_s
    grey = [float(f.rgb.mean()) for f in frames]
    np.testing.assert_allclose(grey, 15 * np.arange(len(frames)), atol=3)


# --- errors ----------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist; check the path"):
        VideoFileSource(tmp_path / "nope.mp4")


def test_folder_is_not_a_video(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder, not a video file"):
        VideoFileSource(tmp_path)


def test_text_file_is_not_a_video(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("this is not a video\n" * 20)
    with pytest.raises(InputError, match="not a video FFmpeg can read .*convert it to MP4"):
        VideoFileSource(path)


def test_audio_only_file(tmp_path: Path) -> None:
    path = tmp_path / "tone.wav"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=8000, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), "s16", "mono")
        frame.sample_rate = 8000
        out.mux(stream.encode(frame))
        out.mux(stream.encode())
    with pytest.raises(InputError, match="has no video stream"):
        probe_video(path)


def test_video_with_zero_frames(tmp_path: Path) -> None:
    path = tmp_path / "empty.avi"
    out = av.open(str(path), "w")
    stream = out.add_stream("mpeg4", rate=30)
    stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
    out.start_encoding()
    out.close()
    with pytest.raises(InputError, match="has no frames"):
        VideoFileSource(path)


def test_unknown_decoder(sample_dir: Path) -> None:
    with pytest.raises(InputError, match="unknown decoder 'ffmpeg'; use one of"):
        VideoFileSource(sample_dir / "squats.mp4", decoder="ffmpeg")


def test_missing_webcam_fails_fast() -> None:
    start = time.monotonic()
    with pytest.raises(InputError, match="webcam 57 could not be opened; check it is connected"):
        WebcamSource(57)
    with pytest.raises(InputError, match="webcam 57"):
        open_source("57")
    assert time.monotonic() - start < 10.0


# --- image folders ---------------------------------------------------------------------------


def _write_png(path: Path, value: int, size: tuple[int, int] = (30, 40)) -> None:
    """A (H, W) = size image, blue = value in BGR (so rgb[..., 2] == value)."""
    bgr = np.zeros((*size, 3), np.uint8)
    bgr[..., 0] = value
    assert cv2.imwrite(str(path), bgr)


def test_image_folder_natural_order_and_times(tmp_path: Path) -> None:
    for number in (10, 2, 1):
        _write_png(tmp_path / f"frame{number}.png", value=number * 10)
    (tmp_path / "notes.txt").write_text("ignored")
    with ImageFolderSource(tmp_path, fps=10.0) as source:
        info = source.info
        frames = list(source)
    assert (info.width, info.height, info.frame_count, info.kind) == (40, 30, 3, "images")
    assert info.duration_s == pytest.approx(0.3)
    assert [f.t_s for f in frames] == pytest.approx([0.0, 0.1, 0.2])
    assert [int(f.rgb[0, 0, 2]) for f in frames] == [10, 20, 100]  # RGB, natural order
    assert all(f.rgb.shape == (30, 40, 3) and f.rgb.flags.c_contiguous for f in frames)


def test_image_folder_applies_exif_orientation(tmp_path: Path) -> None:
    stored = np.zeros((20, 40, 3), np.uint8)
    stored[:, :10] = 255  # white left edge; EXIF 6 = display rotated 90 deg clockwise
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(stored).save(tmp_path / "a.jpg", exif=exif)
    with ImageFolderSource(tmp_path) as source:
        rgb = next(iter(source)).rgb
    assert rgb.shape == (40, 20, 3)
    assert rgb[:5].mean() > 200 and rgb[-5:].mean() < 50  # the white edge is now on top


def test_image_folder_mixed_sizes(tmp_path: Path) -> None:
    """An odd-sized image is skipped and named; the frames around it are kept, time stays true."""
    _write_png(tmp_path / "a1.png", 1)
    _write_png(tmp_path / "a2.png", 2, size=(31, 40))
    _write_png(tmp_path / "a3.png", 3)
    with ImageFolderSource(tmp_path) as source:
        frames = list(source)
        assert [f.t_s for f in frames] == [0.0, 2 / 30]
        (error,) = source.decode_errors
    assert "a2.png" in error and "resize all" in error


def test_empty_image_folder(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("no images")
    with pytest.raises(InputError, match="has no images"):
        ImageFolderSource(tmp_path)
    with pytest.raises(InputError, match="has no images"):
        open_source(tmp_path)


def test_open_source_dispatch(tmp_path: Path, sample_dir: Path) -> None:
    _write_png(tmp_path / "0001.png", 5)
    assert isinstance(open_source(tmp_path), ImageFolderSource)
    video = open_source(str(sample_dir / "squats.mp4"), decoder="opencv")
    assert isinstance(video, VideoFileSource) and video.decoder == "opencv"
    assert open_source(sample_dir / "squats.mp4").decoder == "pyav"


# --- laziness and release --------------------------------------------------------------------


def _fds_on(path: Path) -> int | None:
    """How many of this process's file descriptors point at `path` (None off Linux)."""
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        return None
    target = str(path.resolve())
    count = 0
    for fd in os.listdir(fd_dir):
        try:
            count += os.readlink(fd_dir / fd) == target
        except OSError:
            continue
    return count


@pytest.mark.parametrize("decoder", DECODER_NAMES)
def test_iteration_keeps_no_frames(sample_dir: Path, decoder: str) -> None:
    with VideoFileSource(sample_dir / "lunge.mp4", decoder=decoder) as source:
        frames = iter(source)
        first = next(frames)
        ref = weakref.ref(first.rgb)
        del first
        for _ in range(3):
            next(frames)
        gc.collect()
        assert ref() is None


@pytest.mark.parametrize("decoder", DECODER_NAMES)
def test_context_manager_releases_the_file(sample_dir: Path, decoder: str) -> None:
    path = sample_dir / "squats.mp4"
    before = _fds_on(path)
    with pytest.raises(RuntimeError, match="boom"), VideoFileSource(path, decoder) as source:
        frames = iter(source)
        next(frames)
        if before is not None:
            assert _fds_on(path) == before + 1
        raise RuntimeError("boom")
    assert next(frames, None) is None  # the pass was ended
    assert _fds_on(path) == before
    with pytest.raises(InputError, match="is closed"):
        iter(source)
