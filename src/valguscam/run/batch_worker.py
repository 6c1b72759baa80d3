"""The per-video task of a batch, the same in a local process pool and on a Dask worker.

`run_task(task)` analyzes one video exactly as `valguscam analyze` does (run.analyze.analyze,
Analysis.save, then the plots, report page and annotated video the task asks for), writes the
resume marker last and returns a picklable `VideoOutcome`; a failure of the video becomes a
failed outcome, never an exception. The interpreter, mediapipe and the model are loaded once
per process (`load`, the pool's initializer; on Dask at the first task); each clip gets fresh
landmarkers (ClipEstimator), made before the process takes its pose slot, so it is tracked
exactly as `analyze` tracks it.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from valguscam.config import Config, PoseConfig
from valguscam.errors import ValguscamError
from valguscam.run.batch_malloc import roomy_malloc
from valguscam.run.batch_resume import Marker, RunKey, remove_marker, write_marker
from valguscam.run.pose_slots import PoseSlot

CRASH_HOOK_ENV = "VALGUSCAM_TEST_CRASH_VIDEO"
"""Test-only: a worker given a video of this file name kills itself with SIGSEGV, as a crash
in native code would (tests/run/test_batch_crash.py)."""

EXTRAS = ("plots", "html", "video")


class Status(StrEnum):
    """How a video ended: analyzed, no person in it, failed, or not done (batch interrupted)."""

    OK = "ok"
    NO_PERSON = "no_person"
    FAILED = "failed"
    NOT_DONE = "not_done"


@dataclass(frozen=True)
class VideoTask:
    """One video to analyze: the file, its result folder, the effective config, the exercise
    asked for, the model path, the extras wanted (subset of EXTRAS) and the resume key."""

    video: str
    out_dir: str
    config: Config
    exercise: str
    model_path: str
    extras: tuple[str, ...]
    key: RunKey


@dataclass(frozen=True)
class VideoOutcome:
    """What became of one video. row: its summary fields (report/batch_files.py); error: one
    line, or None; seconds: wall time of the task; max_rss_mb: the worker's peak resident
    memory so far, MiB; worker: the process id that ran it."""

    video: str
    status: Status
    error: str | None = None
    row: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    max_rss_mb: float = 0.0
    worker: int = 0


class ClipEstimator:
    """A pose landmarker that is fresh for every clip, and counts the frames it is given.

    MediaPipe's landmarker carries tracking and smoothing state from frame to frame. A blank
    frame and a 1000 s gap between clips were not enough to clear it: which clips a process
    had seen before changed IMG_7029's baseline, reps and summary (1 of the 15 shared clips).
    So each clip gets a new landmarker (0.13 s to create; the interpreter, mediapipe and the
    model file stay loaded in the process) and is tracked exactly as `analyze` tracks it.
    """

    def __init__(self, model_path: Path, pose: PoseConfig) -> None:
        from valguscam.pose.estimator import PoseEstimator

        self.model_path, self.pose = model_path, pose
        self.inner = PoseEstimator(model_path, pose)
        self.used = False

    def new_clip(self) -> None:
        """A new landmarker for the next clip (the one made on loading serves the first)."""
        if self.used:
            from valguscam.pose.estimator import PoseEstimator

            self.inner.close()
            self.inner = PoseEstimator(self.model_path, self.pose)
            self.used = False

    def detect(self, rgb: np.ndarray, t_s: float) -> Any:
        """Landmarks of `rgb` (RGB uint8) at clip time `t_s` (seconds)."""
        self.used = True
        _frame_done()
        return self.inner.detect(rgb, t_s)


class _Loaded(threading.local):
    """The landmarkers of this thread: a Dask worker may run several tasks at once in threads
    of one process, and a landmarker takes one clip at a time (its timestamps must increase).
    In the process pool every task runs in the worker's main thread, where `load` put them."""

    key: Any = None
    estimators: list[ClipEstimator] = []


_LOADED = _Loaded()
_PROGRESS: dict[str, Any] = {"queue": None, "video": "", "frames": 0}
PROGRESS_EVERY = 10
"""Frames between two progress messages from a worker to the parent."""


def _frame_done() -> None:
    """Count a frame of the current clip; every PROGRESS_EVERY frames tell the parent
    (video, frames so far) through the pool's queue, if there is one (not on Dask)."""
    _PROGRESS["frames"] += 1  # from the landmarker threads: a lost increment only delays a message
    if _PROGRESS["queue"] is not None and _PROGRESS["frames"] % PROGRESS_EVERY == 0:
        with contextlib.suppress(Exception):  # progress is best effort, never a failure
            _PROGRESS["queue"].put_nowait((_PROGRESS["video"], _PROGRESS["frames"]))


def load(
    model_path: str,
    pose: PoseConfig,
    workers: int,
    ignore_sigint: bool = True,
    progress=None,
) -> None:
    """Load `workers` landmarkers into this process (the pool's initializer; on Dask at the
    first task, which first lifts the worker's fixed malloc thresholds: run.batch_malloc).
    ignore_sigint: Ctrl-C is the parent's to handle (it stops the workers), so a worker ignores
    it. progress: a multiprocessing queue for (video, frames done) messages, or None."""
    if ignore_sigint:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if progress is not None:
        _PROGRESS["queue"] = progress
    key = (model_path, pose, workers)
    if _LOADED.key == key:
        return
    roomy_malloc()  # a Dask worker's fixed malloc thresholds cost a third more CPU
    for old in _LOADED.estimators:
        old.inner.close()
    _LOADED.key, _LOADED.estimators = None, []
    loaded = [ClipEstimator(Path(model_path), pose) for _ in range(workers)]
    _LOADED.key, _LOADED.estimators = key, loaded


def _estimators(task: VideoTask) -> list[ClipEstimator]:
    load(task.model_path, task.config.pose, task.config.pose.workers, ignore_sigint=False)
    for est in _LOADED.estimators:
        est.new_clip()
    _PROGRESS["video"], _PROGRESS["frames"] = task.video, 0
    return _LOADED.estimators


def _pose_slot(workers: int) -> PoseSlot:
    """One of this machine's pose slots (run/pose_slots.py: cores // workers of them), held
    while the task's landmarkers run."""
    from valguscam.pose.estimator import available_cores

    return PoseSlot(available_cores() // max(1, workers))


def run_task(task: VideoTask) -> VideoOutcome:
    """Analyze `task.video` into `task.out_dir`; the marker is removed first and written last.
    Every error of the video (its own, or a bug) becomes a FAILED outcome with one line."""
    start = time.perf_counter()
    if os.environ.get(CRASH_HOOK_ENV) == Path(task.video).name:
        os.kill(os.getpid(), signal.SIGSEGV)
    folder = Path(task.out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_marker(folder)
        status, row, error = _analyze(task, folder, start)
    except (ValguscamError, OSError) as exc:
        status, row, error = Status.FAILED, {}, one_line(exc)
    except Exception as exc:  # noqa: BLE001 - a bug on one video must not stop the batch
        status, row, error = Status.FAILED, {}, f"{type(exc).__name__}: {one_line(exc)}"
    return VideoOutcome(
        task.video, status, error, row, time.perf_counter() - start, _max_rss_mb(), os.getpid()
    )


def _analyze(
    task: VideoTask, folder: Path, start: float
) -> tuple[Status, dict[str, Any], str | None]:
    from valguscam.report.batch_files import row_from_report
    from valguscam.run.analyze import analyze

    analysis = analyze(
        task.video, config=task.config, exercise=task.exercise,
        estimators=_estimators(task), pose_slot=_pose_slot(task.config.pose.workers),
    )  # fmt: skip
    if analysis.interrupted:  # Ctrl-C mid-clip: not complete, redone on the next run
        return Status.FAILED, {}, "analysis incomplete: interrupted"
    saved = analysis.save(folder, stem=Path(task.video).stem)
    if analysis.decoding_stopped:  # as `analyze` (exit 8): the report is kept, marked incomplete
        return (
            Status.FAILED,
            {},
            (
                f"decoding stopped early ({analysis.decoding_stopped}); report.json written with "
                "status incomplete"
            ),
        )
    files = [p.name for p in saved.values()]
    if not analysis.no_person:
        files += _extras(task, analysis, folder)
    status = Status.NO_PERSON if analysis.no_person else Status.OK
    row = {**row_from_report(analysis.report.to_dict(), time.perf_counter() - start),
           "status": status.value}  # fmt: skip
    write_marker(folder, Marker(task.key, task.extras, tuple(files), row))
    return status, row, None


def _extras(task: VideoTask, analysis: Any, folder: Path) -> list[str]:
    """The annotated video (with key_frames.png), plots and report page asked for, made by the
    functions and in the order `analyze --video --plots --html` uses; the names written."""
    names: list[str] = []
    if "video" in task.extras:
        from valguscam.run.render import ANNOTATED_MP4, KEY_FRAMES_PNG, render_outputs

        done = render_outputs(task.video, analysis, folder / ANNOTATED_MP4, folder / KEY_FRAMES_PNG)
        names += [p.name for p in (done.video, done.key_frames) if p is not None]
    if "plots" in task.extras:
        from valguscam.draw.plots import plot_result_folder

        names += [p.name for p in plot_result_folder(folder, ("png",))]
    if "html" in task.extras:
        from valguscam.draw.report_page import write_html_report

        names.append(write_html_report(folder).name)
    return names


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type name when it has none)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _max_rss_mb() -> float:
    """This process's peak resident memory, MiB (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
