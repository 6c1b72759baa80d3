"""Render the annotated video and the key-frame strip of an analyzed clip: a second decode pass.

`write_annotated_video` decodes the source again (the same decoder, so the same frames as the
analysis), optionally blurs faces, draws the overlay on every frame and writes an H.264 MP4
with the source's timestamps; it can save the key-frame strip from the same pass.
`write_key_frames` is the cheap pass for the strip alone (decode, keep only the key frames).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from valguscam.draw.keyframes import (
    KeyFrame,
    key_frame_panel,
    key_frame_strip,
    pick_key_frames,
    save_png,
)
from valguscam.draw.overlay import annotate, blur_face
from valguscam.draw.overlay_state import OverlayState, face_boxes, states_from_analysis
from valguscam.errors import InputError
from valguscam.media.sources import open_source
from valguscam.media.writer import VideoWriter
from valguscam.report.folder import list_in_report
from valguscam.run.pipeline import prefetch

ANNOTATED_MP4 = "annotated.mp4"
KEY_FRAMES_PNG = "key_frames.png"


@dataclass(frozen=True)
class RenderResult:
    """What a render pass wrote: video (or None), key_frames (or None when there was no event
    and no rep to show), frames decoded, and the wall time in seconds."""

    video: Path | None
    key_frames: Path | None
    n_frames: int
    seconds: float


def _frames(
    video_path, analysis, decoder: str, blur: bool
) -> Iterator[tuple[int, float, np.ndarray]]:
    """(index, t_s, rgb) of every frame of the source, faces blurred if `blur`; InputError
    when the source has more or fewer frames than the analysis."""
    n = analysis.track.n_frames
    boxes = (
        face_boxes(analysis.track.xy, analysis.track.width, analysis.track.height) if blur else None
    )
    count = 0
    with open_source(video_path, decoder=decoder) as source, prefetch(source, depth=8) as frames:
        for frame in frames:
            if frame.index >= n:
                count += 1  # one more than the analysis: refused below
                break
            rgb = blur_face(frame.rgb, boxes[frame.index]) if boxes is not None else frame.rgb
            count += 1
            yield frame.index, frame.t_s, rgb
    if count != n:
        raise InputError(
            f"{video_path} decoded to {count if count < n else 'more than ' + str(n)} frames but "
            f"the analysis has {n}; render with the decoder and clip the analysis used"
        )


def _strip(path, keys: list[KeyFrame], kept: dict[int, np.ndarray], states) -> Path | None:
    if not keys:
        return None
    panels = [key_frame_panel(kept[k.index], states[k.index], k.caption) for k in keys]
    return save_png(path, key_frame_strip(panels))


VIDEO_PRESET = "ultrafast"
VIDEO_CRF = 23
"""x264 settings of annotated.mp4. Measured on sample_videos/squats.mp4 (365 frames, 1280x720,
2 idle cores, benchmarks/bench_video.py): `analyze --video` takes 1.34x plain analyze with
ultrafast against 1.64x with veryfast (the target is 1.35x); the file is about 3x larger
(about 6 MB for the 12 s clip at crf 23), still fine to share; the drawn lines stay sharp."""


def write_annotated_video(
    video_path: str | Path,
    analysis,
    out_path: str | Path,
    blur_faces: bool = False,
    key_frames_path: str | Path | None = None,
    decoder: str = "auto",
    preset: str = VIDEO_PRESET,
    crf: int = VIDEO_CRF,
) -> RenderResult:
    """Write `analysis` (a run.analyze.Analysis of `video_path`) drawn on its video to
    `out_path` (H.264 MP4, same frame count and timestamps as the source), and the key-frame
    strip to `key_frames_path` if given. blur_faces: blur each head before drawing (also in
    the key frames). decoder: the one the analysis used. preset, crf: x264 speed preset and
    quality (VIDEO_PRESET, VIDEO_CRF).

    Raises InputError when the video does not decode to the analysis's frame count (the temp
    file is then removed), OSError when the output cannot be written.
    """
    start = time.perf_counter()
    states = states_from_analysis(analysis)
    keys = pick_key_frames(analysis) if key_frames_path is not None else []
    wanted = {k.index for k in keys}
    kept: dict[int, np.ndarray] = {}
    info = analysis.info

    def drawn() -> Iterator[tuple[float, np.ndarray]]:
        for i, t_s, rgb in _frames(video_path, analysis, decoder, blur_faces):
            if i in wanted:
                kept[i] = rgb.copy()
            yield t_s, annotate(rgb, states[i])

    # Three threads overlap: decode, draw (here, in a prefetch thread) and encode (this one).
    size = (analysis.track.width, analysis.track.height)
    with (
        VideoWriter(out_path, *size, fps=info.fps, crf=crf, preset=preset) as out,
        prefetch(drawn(), depth=4) as frames,
    ):
        for t_s, img in frames:
            out.write(img, t_s)
    strip = _strip(key_frames_path, keys, kept, states) if key_frames_path else None
    return RenderResult(Path(out_path), strip, len(states), time.perf_counter() - start)


def write_key_frames(
    video_path: str | Path,
    analysis,
    out_path: str | Path,
    blur_faces: bool = False,
    decoder: str = "auto",
) -> RenderResult:
    """Only the key-frame strip (PNG at `out_path`): decode, keep the key frames, draw them.
    Nothing is written (key_frames None) when the clip has no event and no rep."""
    start = time.perf_counter()
    keys = pick_key_frames(analysis)
    if not keys:
        return RenderResult(None, None, 0, time.perf_counter() - start)
    states: list[OverlayState] = states_from_analysis(analysis)
    wanted, kept = {k.index for k in keys}, {}
    last = max(wanted)
    with open_source(video_path, decoder=decoder) as source:
        for frame in source:
            if frame.index in wanted:
                rgb = frame.rgb
                if blur_faces:
                    track = analysis.track
                    rgb = blur_face(
                        rgb, face_boxes(track.xy, track.width, track.height)[frame.index]
                    )
                kept[frame.index] = rgb
            if frame.index >= last:
                break
    missing = wanted - kept.keys()
    if missing:
        raise InputError(
            f"{video_path} ended before key frame {min(missing)}; "
            "render with the decoder and clip the analysis used"
        )
    strip = _strip(out_path, keys, kept, states)
    return RenderResult(None, strip, last + 1, time.perf_counter() - start)


def render_outputs(
    video_path: str | Path,
    analysis,
    video_out: str | Path | None,
    key_frames_out: str | Path | None,
    blur_faces: bool = False,
    decoder: str = "auto",
) -> RenderResult:
    """The CLI's entry: the annotated video (with the strip from the same pass) when
    `video_out` is given, else only the strip when `key_frames_out` is given."""
    if video_out is not None:
        done = write_annotated_video(
            video_path, analysis, video_out, blur_faces, key_frames_out, decoder
        )
    elif key_frames_out is not None:
        done = write_key_frames(video_path, analysis, key_frames_out, blur_faces, decoder)
    else:
        return RenderResult(None, None, 0, 0.0)
    for path in (done.video, done.key_frames):
        if path is not None:
            list_in_report(Path(path).parent, [path])
    return done
