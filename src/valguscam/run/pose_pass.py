"""The pose pass: the pose model on every frame of a source, three stages overlapped (decode,
landmarkers, collection). Ctrl-C and a decoding failure end it early and keep the frames done;
`RunState` records why, and how many frames were expected against how many were decoded.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from valguscam.config import Config
from valguscam.errors import DecodeError, InputError
from valguscam.media.integrity import cut_off_note
from valguscam.media.sources import FrameSource
from valguscam.pose.estimator import (
    PoseEstimator,
    PoseSample,
    TrackBuilder,
    available_cores,
    open_estimators,
)
from valguscam.report.document import RunState
from valguscam.run.pipeline import RoundRobin, prefetch
from valguscam.types import Frame, PoseTrack

log = logging.getLogger(__name__)

STOP_INTERRUPTED = "interrupted"
STOP_DECODING = "decoding"


def _progress(total: int | None, enabled: bool):
    from tqdm import tqdm

    return tqdm(
        total=total or None,
        unit="frame",
        disable=not enabled or None,
        leave=False,
        desc="pose",
        dynamic_ncols=True,
    )


def estimate_track(
    source: FrameSource,
    model_path: Path,
    cfg: Config,
    progress: bool,
    state: RunState,
    on_interrupt: Callable[[], None] | None = None,
    estimators: Sequence[PoseEstimator] | None = None,
) -> PoseTrack:
    """Run the pose model on every frame of `source`. Ctrl-C keeps the frames done so far.

    Three stages overlap: a decode thread (up to 8 frames ahead) and `workers` landmarkers in
    threads of their own, landmarker k on frames k, k + workers, ... (2 frames each in flight).
    on_interrupt: called at once when Ctrl-C ends the pass (e.g. SigintHold.hold, so a second
    Ctrl-C cannot cut the write of the frames done). state.stopped says why the pass ended
    early ("interrupted" or "decoding"; "" when it ran to the end).
    estimators: landmarkers already loaded (run/batch makes a fresh set per clip), else
    cfg.pose.workers are loaded here and closed at the end.
    """
    info = source.info
    # The header's count only sizes the first allocation (it grows): a damaged header cannot
    # ask for terabytes.
    builder = TrackBuilder(info.width, info.height, capacity=min(info.frame_count, 1 << 15))
    workers = len(estimators) if estimators else max(1, min(cfg.pose.workers, available_cores()))
    state.pose_workers = workers
    given = contextlib.nullcontext(list(estimators)) if estimators else None
    state.frames_expected = info.frame_count
    start = time.perf_counter()
    # Decoding starts now, while the models load.
    try:
        with (
            prefetch(source, depth=8) as frames,
            given or open_estimators(model_path, cfg.pose, workers) as landmarkers,
            _progress(info.frame_count, progress) as bar,
        ):
            state.timings_s["model_load"] = time.perf_counter() - start
            loaded = state.timings_s["model_load"]
            log.debug("pose: %d landmarker(s) loaded in %.1f s", workers, loaded)
            start = time.perf_counter()
            detectors = [_detector(e) for e in landmarkers]
            try:
                with RoundRobin(detectors, frames, ahead=2) as results:
                    for t_s, sample in results:
                        builder.add(t_s, sample)
                        bar.update(1)
            except DecodeError as exc:
                _stop(state, STOP_DECODING, str(exc))
            except KeyboardInterrupt:  # hold further Ctrl-C while the threads wind down
                _interrupted(state, on_interrupt)
    except KeyboardInterrupt:  # during model loading, or a second press before the hold
        _interrupted(state, on_interrupt)
    state.timings_s["pose"] = time.perf_counter() - start
    _check_decoding(source, len(builder), state)
    return builder.build()


def _interrupted(state: RunState, on_interrupt: Callable[[], None] | None) -> None:
    if on_interrupt is not None:
        on_interrupt()
    _stop(state, STOP_INTERRUPTED, "")


def _stop(state: RunState, why: str, detail: str) -> None:
    if state.stopped:
        return
    state.complete = False
    state.stopped = why
    state.stop_detail = detail


def _check_decoding(source: FrameSource, decoded: int, state: RunState) -> None:
    """Mark the run incomplete when fewer frames were decoded than the file holds, and note
    expected against decoded with the reason. Raises InputError when nothing decoded at all,
    KeyboardInterrupt when Ctrl-C came before the first frame."""
    state.frames_decoded = decoded
    expected = state.frames_expected
    if state.stopped == STOP_INTERRUPTED:
        if not decoded:
            raise KeyboardInterrupt
        of = f" of {expected}" if expected else ""
        state.notes.append(f"interrupted after {decoded}{of} frames: results cover those only")
        return
    path = getattr(source, "path", None)
    cut = cut_off_note(path) if isinstance(path, Path) and path.is_file() else None
    errors = source.decode_errors
    short = bool(expected) and decoded < expected - max(2, 0.02 * expected)
    if not (state.stopped or errors or short or (cut and decoded < expected)):
        return
    reason = state.stop_detail or cut or (
        f"{len(errors)} part(s) could not be decoded, the first: {errors[0]}" if errors else
        "the file ends before the frames its header lists"
    )  # fmt: skip
    if not decoded:
        raise InputError(f"no frame of {source.info.path} could be decoded ({reason})")
    _stop(state, STOP_DECODING, reason)
    state.stop_detail = reason
    state.notes.append(
        f"decoding incomplete: {decoded} of {expected or '?'} frames decoded ({reason}); "
        "results cover the decoded frames only"
    )


def _detector(estimator: PoseEstimator):
    """frame -> (t_s, PoseSample) with `estimator`, for RoundRobin."""

    def detect(frame: Frame) -> tuple[float, PoseSample]:
        return frame.t_s, estimator.detect(frame.rgb, frame.t_s)

    return detect
