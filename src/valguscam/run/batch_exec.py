"""Where a batch's tasks run: a local process pool, or a Dask distributed cluster.

Local: a `concurrent.futures.ProcessPoolExecutor` (spawned processes, each loading the pose
model once in its initializer). `jobs` is the number of pose passes at once (jobs x
landmarkers <= cores): a task holds one of the machine's pose slots (run/pose_slots.py) while
its landmarkers run. The pool has a second process per slot (`processes`), which decodes
nothing and runs no model while it waits for a slot, but finishes its previous video meanwhile
(the offline stages, report, plots, page, annotated video: one core, the other idle until
then) or prepares the next (README, Batch: the figures).

A worker that dies (a segfault in native code) breaks the whole pool, and every task then in
flight fails with BrokenProcessPool without saying which one killed it. So the pool is made
anew, the other tasks go on, and the tasks that were in flight are the suspects: one suspect
alone is the culprit; several are each re-run alone in a one-process pool, where only the
culprit dies again. Cost: the innocent suspects' work is redone once; mediapipe and the model
stay loaded once per worker process, which one process per video would not give.

Ctrl-C (KeyboardInterrupt in the parent; the workers ignore SIGINT): the tasks not started are
cancelled, the pool's processes are terminated and KeyboardInterrupt goes on to the caller.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from valguscam.errors import InputError
from valguscam.run.batch_worker import Status, VideoOutcome, VideoTask, load, run_task

OnDone = Callable[[VideoOutcome], None]
OnStart = Callable[[VideoTask], None]
OnFrames = Callable[[str, int], None]

CRASHED = (
    "the worker process died while analyzing this video (a crash in native code, e.g. the "
    "decoder or the pose model); try it alone with 'valguscam analyze --debug'"
)
POLL_S = 0.25


def crashed(task: VideoTask, why: str = CRASHED) -> VideoOutcome:
    """The outcome of a task whose worker died."""
    return VideoOutcome(task.video, Status.FAILED, why)


@dataclass(frozen=True)
class Hooks:
    """The parent's callbacks: a task starts, a task ends, a worker's frames so far."""

    on_start: OnStart
    on_done: OnDone
    on_frames: OnFrames


def run_local(tasks: Sequence[VideoTask], jobs: int, hooks: Hooks) -> None:
    """Run `tasks` on `jobs` worker processes, calling the hooks in the parent as each
    begins/ends (in completion order). A crashing worker fails its video only."""
    if not tasks:
        return
    ctx = multiprocessing.get_context("spawn")
    frames = ctx.Queue()
    pending = deque(tasks)
    while pending:
        suspects = _pool_pass(pending, jobs, ctx, hooks, frames)
        if len(suspects) == 1:
            hooks.on_done(crashed(suspects[0]))
            continue
        for task in suspects:  # each alone: only the culprit dies again
            if _pool_pass(deque([task]), 1, ctx, hooks, frames):
                hooks.on_done(crashed(task))


def _pool_pass(pending: deque[VideoTask], jobs: int, ctx, hooks: Hooks, frames) -> list[VideoTask]:
    """Run tasks from `pending` (consumed) in one pool until it is empty or the pool breaks;
    returns the tasks in flight when it broke (empty when it did not)."""
    first = pending[0]
    args = (first.model_path, first.config.pose, first.config.pose.workers, True, frames)
    before = set(multiprocessing.active_children())
    size = processes(jobs, len(pending))
    pool = ProcessPoolExecutor(size, mp_context=ctx, initializer=load, initargs=args)
    running: dict[Future, VideoTask] = {}
    try:
        while pending or running:
            while pending and len(running) < size:
                task = pending.popleft()
                hooks.on_start(task)
                running[pool.submit(run_task, task)] = task
            done, _ = wait(running, timeout=POLL_S, return_when=FIRST_COMPLETED)
            _report_frames(frames, hooks.on_frames)
            broken = _collect(done, running, hooks.on_done)
            if broken:
                return [*broken, *_drain(running)]
        return []
    except KeyboardInterrupt:
        for child in set(multiprocessing.active_children()) - before:
            child.terminate()
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def processes(jobs: int, n_videos: int) -> int:
    """Worker processes for `jobs` pose slots and `n_videos` videos: two per slot (one runs the
    model while the other finishes or starts a video), never more than the videos."""
    return max(1, min(2 * jobs, n_videos))


def _report_frames(frames, on_frames: OnFrames) -> None:
    """Hand the workers' (video, frames so far) messages waiting in the queue to on_frames."""
    while True:
        try:
            video, count = frames.get_nowait()
        except queue.Empty:
            return
        on_frames(video, count)


def _collect(
    done: set[Future], running: dict[Future, VideoTask], on_done: OnDone
) -> list[VideoTask]:
    """Hand the finished futures' outcomes to on_done; returns the tasks whose pool broke."""
    broken = []
    for future in done:
        task = running.pop(future)
        try:
            on_done(future.result())
        except BrokenProcessPool:
            broken.append(task)
    return broken


def _drain(running: dict[Future, VideoTask]) -> list[VideoTask]:
    """The tasks still in flight in a broken pool (all of them fail with it)."""
    tasks = list(running.values())
    running.clear()
    return tasks


def run_dask(tasks: Sequence[VideoTask], scheduler: str, hooks: Hooks) -> None:
    """Run `tasks` on the Dask distributed cluster at `scheduler` ("tcp://host:8786"), the
    same `run_task` as locally; each Dask worker loads the model at its first task. A task
    whose worker keeps dying (Dask's KilledWorker) or that fails otherwise fails its video."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError(
            "--executor dask needs Dask distributed: pip install 'valguscam[dask]'"
        ) from None
    if not tasks:
        return
    with Client(scheduler, set_as_default=False) as client:
        # pure=False: a fresh key each time, so two batches never share one. on_start is not
        # called: which tasks run when is the scheduler's business.
        futures = {client.submit(run_task, task, pure=False): task for task in tasks}
        try:
            for future in as_completed(list(futures), loop=client.loop):
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - KilledWorker, a lost worker ...
                    outcome = crashed(futures[future], f"on Dask: {type(exc).__name__}: {exc}")
                hooks.on_done(outcome)
        except KeyboardInterrupt:
            client.cancel(list(futures))
            raise
