"""Batch analysis: every video of some files, folders or globs, on local processes or Dask.

    result = valguscam.batch(["clips/"], "results", plots=True, html=True)
    result.failed, result.rows, result.summary_csv

Each video is analyzed as `valguscam analyze` does (run/batch_worker.py) into
`OUT/<path relative to the inputs' common root>/` (run/batch_inputs.py); a video whose folder
holds complete results for the same input bytes, config, exercise, model and tool version is
reused (run/batch_resume.py); OUT/summary.csv, OUT/batch.json, OUT/cohort.png and, with html,
OUT/index.html describe the whole batch (report/batch_files.py, draw/cohort.py,
report/batch_index.py). Ctrl-C stops the run and still writes those files for what was done.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from valguscam.config import Config
from valguscam.errors import InputError
from valguscam.pose.estimator import available_cores
from valguscam.pose.models import sha256_file
from valguscam.run.batch_inputs import BatchInput, discover
from valguscam.run.batch_outputs import write_batch_files
from valguscam.run.batch_resume import RunKey, config_sha256, trusted
from valguscam.run.batch_worker import EXTRAS, Status, VideoOutcome, VideoTask, one_line

log = logging.getLogger(__name__)

EXECUTORS = ("local", "dask")


@dataclass(frozen=True)
class VideoResult:
    """One video of a batch. folder: its result folder; status: ok, no_person, failed or
    not_done (the batch was interrupted first); error: one line when failed; reused: the
    results of an earlier run were kept (resume); row: its summary.csv fields; seconds: wall
    time of its task in this run (0 when reused or not done); max_rss_mb: peak resident memory
    of the worker process that ran it, MiB (0 when not run here)."""

    video: Path
    folder: Path
    status: Status
    error: str | None = None
    reused: bool = False
    row: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    max_rss_mb: float = 0.0


@dataclass(frozen=True)
class BatchResult:
    """A finished (or interrupted) batch: per-video results in input order and its files.

    jobs x pose_workers: the processes and landmarkers per process used (jobs 0 on Dask:
    the cluster decides).
    interrupted: Ctrl-C stopped it; the videos not finished are not_done. seconds: wall time.
    """

    out: Path
    root: Path
    videos: tuple[VideoResult, ...]
    executor: str
    jobs: int
    pose_workers: int
    interrupted: bool
    seconds: float
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The summary.csv rows (dicts), one per video."""
        return [v.row for v in self.videos]

    @property
    def failed(self) -> tuple[VideoResult, ...]:
        """The videos that failed."""
        return tuple(v for v in self.videos if v.status is Status.FAILED)

    @property
    def analyzed(self) -> tuple[VideoResult, ...]:
        """The videos analyzed in this run (not reused, not failed, not skipped)."""
        return tuple(v for v in self.videos if v.status in DONE and not v.reused)

    @property
    def exit_code(self) -> int:
        """0 all done, 1 some failed, 130 interrupted (the CLI's exit code)."""
        return 130 if self.interrupted else 1 if self.failed else 0


DONE = (Status.OK, Status.NO_PERSON)


def plan_workers(jobs: int | None, pose_workers: int, cores: int, n_videos: int) -> tuple[int, int]:
    """(jobs, landmarkers per job) with jobs x landmarkers <= cores: --jobs as given (at most
    cores), else as many jobs as the configured pose.workers leave cores for (at most one per
    video); pose.workers is lowered only when the jobs asked for need it."""
    if jobs is not None and jobs < 1:
        raise InputError(f"--jobs is {jobs}; give 1 or more")
    cores = max(1, cores)
    if jobs is None:
        workers = max(1, min(pose_workers, cores))
        return max(1, min(cores // workers, n_videos)), workers
    jobs = min(jobs, cores)
    return jobs, max(1, min(pose_workers, cores // jobs))


def batch(
    inputs: str | Path | list[str | Path],
    out: str | Path,
    *,
    jobs: int | None = None,
    config: Config | str | Path | None = None,
    exercise: str | None = None,
    plots: bool = False,
    html: bool = False,
    video: bool = False,
    force: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    progress: bool = True,
) -> BatchResult:
    """Analyze every video of `inputs` into `out` and summarize them.

    Args:
        inputs: video files, folders (searched recursively) or glob patterns; one or a list.
        out: the output folder; each video's results go to out/<relative path>/.
        jobs: worker processes (local executor); None = as many as the cores allow with
            config.pose.workers landmarkers each.
        config: a Config, a TOML file or None (defaults), as for `analyze`.
        exercise: the exercise to judge, None = detect it per video ("auto").
        plots, html, video: also draw the plots, write report.html, write annotated.mp4
            (and key_frames.png) per video, as `analyze --plots --html --video`; html also
            writes out/index.html linking every report.
        force: analyze every video again, even those with complete earlier results.
        executor: "local" (process pool) or "dask" (needs `scheduler` and valguscam[dask]).
        scheduler: the Dask scheduler's address, e.g. "tcp://10.0.0.5:8786".
        progress: a progress bar over the videos on stderr.

    Returns:
        A BatchResult. Failing videos do not raise: they are failed rows. Ctrl-C does not raise
        either: the result has `interrupted` set and the files cover what was done.

    Raises:
        InputError: an input names nothing, no video is found, bad jobs/executor/scheduler.
        ConfigError: the config cannot be used; ModelError: the pose model is missing.
    """
    from valguscam.run.analyze import _as_config

    start = time.perf_counter()
    cfg = _as_config(config)
    _check_executor(executor, scheduler)
    items, root = discover([inputs] if isinstance(inputs, str | Path) else list(inputs), out)
    n_jobs, workers = _plan(executor, jobs, cfg, len(items))
    cfg = replace(cfg, pose=replace(cfg.pose, workers=workers))
    log.info("%s", _plan_line(len(items), executor, n_jobs, workers, scheduler))
    wanted = (plots, html, video)
    extras = tuple(name for name, on in zip(EXTRAS, wanted, strict=True) if on)
    run = _Run(Path(out), root, cfg, exercise or "auto", extras)
    interrupted = run.execute(items, force, executor, scheduler, n_jobs, progress)
    result = BatchResult(
        run.out, root, run.results(items), executor, n_jobs, workers, interrupted,
        time.perf_counter() - start,
    )  # fmt: skip
    files = write_batch_files(result, run.description(inputs, scheduler), html)
    return replace(result, files=files)


def _plan(executor: str, jobs: int | None, cfg: Config, n_videos: int) -> tuple[int, int]:
    """(jobs, pose workers): plan_workers on this machine's cores; on Dask (0, pose.workers as
    configured): the cluster's cores are not ours to count."""
    if executor == "dask":
        return 0, cfg.pose.workers
    return plan_workers(jobs, cfg.pose.workers, available_cores(), n_videos)


def _check_executor(executor: str, scheduler: str | None) -> None:
    if executor not in EXECUTORS:
        raise InputError(f"executor {executor!r} is not one of {', '.join(EXECUTORS)}")
    if executor == "dask" and not scheduler:
        raise InputError("--executor dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786)")


def _plan_line(n: int, executor: str, jobs: int, workers: int, scheduler: str | None) -> str:
    if executor == "dask":
        return f"batch: {n} videos on the Dask cluster at {scheduler}, {workers} landmarker(s) each"
    from valguscam.run.batch_exec import processes

    return (
        f"batch: {n} videos, {jobs} job(s) x {workers} pose worker(s) "
        f"on {available_cores()} usable core(s), {processes(jobs, n)} process(es) (a spare one "
        "finishes or starts a video while the model runs)"
    )


class _Run:
    """The state of one batch run: its settings, the tasks and the outcomes so far."""

    def __init__(self, out: Path, root: Path, cfg: Config, exercise: str, extras: tuple[str, ...]):
        from valguscam.pose.models import resolve_model

        self.out, self.root, self.cfg, self.exercise, self.extras = out, root, cfg, exercise, extras
        self.model_path = resolve_model(cfg.pose.model)
        self.model_sha256 = sha256_file(self.model_path)
        self.config_sha256 = config_sha256(cfg)
        self.done: dict[Path, VideoResult] = {}
        self.hashes: dict[Path, str] = {}

    def folder(self, item: BatchInput) -> Path:
        return self.out / item.rel

    def task(self, item: BatchInput) -> VideoTask | None:
        """The task of `item`, or None when its earlier results are reused or its input
        cannot be read (recorded in self.done)."""
        try:
            digest = self.hashes[item.video] = sha256_file(item.video)
        except OSError as exc:
            self.done[item.video] = self._result(item, Status.FAILED, one_line(exc))
            return None
        key = RunKey(digest, self.config_sha256, self.exercise, self.model_sha256)
        marker = None if self._force else trusted(self.folder(item), key, self.extras)
        if marker is not None:
            status = Status.NO_PERSON if marker.row.get("status") == "no_person" else Status.OK
            self.done[item.video] = self._result(item, status, None, marker.row, reused=True)
            return None
        return VideoTask(
            str(item.video), str(self.folder(item)), self.cfg, self.exercise,
            str(self.model_path), self.extras, key,
        )  # fmt: skip

    def _result(
        self, item: BatchInput, status: Status, error: str | None,
        row: dict[str, Any] | None = None, reused: bool = False,
    ) -> VideoResult:  # fmt: skip
        full = {**(row or {}), "path": str(item.video), "folder": item.rel,
                "status": status.value, "error": error, "reused": reused}  # fmt: skip
        return VideoResult(item.video, self.folder(item), status, error, reused, full)

    def execute(self, items: list[BatchInput], force: bool, executor: str,
                scheduler: str | None, jobs: int, progress: bool) -> bool:  # fmt: skip
        """Run the tasks not reused; True when Ctrl-C stopped the run."""
        from tqdm import tqdm

        from valguscam.run.batch_exec import Hooks, run_dask, run_local

        self._force = force
        by_video = {item.video: item for item in items}
        bar = tqdm(total=len(items), unit="video", desc="batch", disable=not progress or None)
        running: dict[str, str] = {}

        def show(video: str, frames: int | None = None) -> None:
            if video in running:
                name = Path(video).name
                running[video] = name if frames is None else f"{name} {frames} frames"
            bar.set_postfix_str(", ".join(running.values()), refresh=True)

        def on_start(task: VideoTask) -> None:
            running[task.video] = ""
            show(task.video)

        def on_done(outcome: VideoOutcome) -> None:
            running.pop(outcome.video, None)
            item = by_video[Path(outcome.video)]
            found = self._result(item, outcome.status, outcome.error, outcome.row)
            self.done[item.video] = replace(
                found, seconds=outcome.seconds, max_rss_mb=outcome.max_rss_mb
            )
            bar.update(1)
            show(outcome.video)

        try:
            tasks = [t for item in items if (t := self.task(item)) is not None]
            bar.update(len(items) - len(tasks))
            hooks = Hooks(on_start, on_done, show)
            if executor == "dask":
                run_dask(tasks, scheduler or "", hooks)
            else:
                run_local(tasks, jobs, hooks)
        except KeyboardInterrupt:
            return True
        finally:
            bar.close()
        return False

    def results(self, items: list[BatchInput]) -> tuple[VideoResult, ...]:
        """Every video's result in input order; not_done for those never finished."""
        return tuple(
            self.done.get(item.video) or self._result(item, Status.NOT_DONE, None) for item in items
        )

    def description(self, inputs: Any, scheduler: str | None) -> dict[str, Any]:
        """What batch.json says about the run besides the per-video results."""
        from valguscam import __version__

        given = [inputs] if isinstance(inputs, str | Path) else list(inputs)
        return {
            "tool_version": __version__,
            "inputs": [str(i) for i in given],
            "root": str(self.root),
            "scheduler": scheduler,
            "exercise": self.exercise,
            "extras": list(self.extras),
            "model": {"path": str(self.model_path), "sha256": self.model_sha256},
            "config_sha256": self.config_sha256,
            "config": self.cfg.to_dict(),
            "input_sha256": {str(k): v for k, v in self.hashes.items()},
        }
