"""Batch speed and memory: `valguscam batch` against a shell loop of `valguscam analyze`, the
sum of per-clip model-only times, and a Dask LocalCluster against the local pool.

    python benchmarks/bench_batch.py --clips sample_videos/cam01.mp4 sample_videos/cam02.mp4
    python benchmarks/bench_batch.py --clips ../shared/videos        # the issue's figures

Prints one table (seconds are wall time, each with the load average; on a shared machine they
are noisy: --rounds 3 runs the local pool and Dask in turn three times).
Targets (issue 12): batch >= 1.3x faster than the loop; Dask within 10 % of the local pool.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from valguscam.config import Config
from valguscam.run.batch import batch, plan_workers
from valguscam.run.batch_exec import processes
from valguscam.run.batch_inputs import discover

VALGUSCAM = [str(Path(sys.executable).with_name("valguscam"))]  # the venv's console script
NO_PROFILER = ("DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED", "False")
"""Environment that turns off the Dask workers' statistical profiler."""


def shell_loop(videos: list[Path], out: Path) -> float:
    """Seconds for `valguscam analyze` run once per clip, one after another."""
    start = time.perf_counter()
    for i, video in enumerate(videos):
        cmd = [*VALGUSCAM, "analyze", str(video), "--out", str(out / str(i)), "-q", "--no-progress"]
        subprocess.run(cmd, check=False, capture_output=True)
    return time.perf_counter() - start


def model_only(videos: list[Path], workers: int) -> float:
    """Sum over clips of the pose-estimation time alone (decode + model, no load, no post),
    as analyze reports it (timings_s["pose"])."""
    from dataclasses import replace

    from valguscam.run.analyze import analyze

    cfg = Config()
    cfg = replace(cfg, pose=replace(cfg.pose, workers=workers))
    return sum(analyze(v, config=cfg).timings_s.get("pose", 0.0) for v in videos)


def timed_batch(videos: list[Path], out: Path, **kwargs) -> tuple[float, float]:
    """(seconds, peak worker memory MiB) of one batch run with no earlier results."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = batch([str(v) for v in videos], out, progress=False, **kwargs)
    seconds = time.perf_counter() - start
    bad = [f"{v.video.name}: {v.error}" for v in result.failed]
    if bad:
        print("failed:", *bad, sep="\n  ")
    return seconds, _peak_rss(out)


def _peak_rss(out: Path) -> float:
    """The largest worker peak RSS (MiB) of a run, from the outcomes batch_worker records."""
    import json

    data = json.loads((out / "batch.json").read_text())
    return float(data.get("max_worker_rss_mb") or 0.0)


def same_reports(a: Path, b: Path) -> str:
    """How many report.json files of run `a` equal those of run `b`, as "n/m" (files aside)."""
    from valguscam.run.analyze import load_report

    def strip(path: Path) -> dict:
        report = load_report(path)
        report.pop("files", None)
        return report

    reports = sorted(a.rglob("report.json"))
    same = sum(strip(p) == strip(b / p.relative_to(a)) for p in reports)
    return f"{same}/{len(reports)}"


def dask_batch(videos: list[Path], out: Path, plan: tuple[int, int]) -> float:
    """Seconds of the batch on a LocalCluster with the local pool's shape, plan = (jobs,
    landmarkers per job): two processes of one thread per job (the local pool's spare process
    per pose slot; the machine's pose slots are shared), each task running as many
    landmarkers as a local job (Dask takes pose.workers from the config, which --jobs would
    otherwise leave at its default: different landmarkers, different reports). This process's
    environment is restored afterwards: the Nanny writes its pre-spawn environment
    (MALLOC_TRIM_THRESHOLD_=65536, OMP_NUM_THREADS=1, ...) into its own process's, which every
    later local pool worker and `valguscam analyze` of the shell loop would inherit."""
    from dataclasses import replace

    from distributed import LocalCluster

    cfg = Config()
    cfg = replace(cfg, pose=replace(cfg.pose, workers=plan[1]))
    saved = dict(os.environ)
    # Dask's statistical profiler samples every worker thread's stack every 10 ms; on the
    # pose threads it cost 13-30 % (measured: 52.3 -> 45.2 s on the sample clips). Workers
    # read this at start-up, as they would from a cluster's environment (README, Batch).
    os.environ[NO_PROFILER[0]] = NO_PROFILER[1]
    try:
        with LocalCluster(
            n_workers=processes(plan[0], len(videos)), threads_per_worker=1, processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster:  # fmt: skip
            address = cluster.scheduler_address
            seconds, _ = timed_batch(videos, out, config=cfg, executor="dask", scheduler=address)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return seconds


def load_average() -> str:
    """The machine's 1-minute load average, e.g. "load 0.52" (the figures are wall times)."""
    return f"load {os.getloadavg()[0]:.2f}"


def compare_dask(
    videos: list[Path],
    tmp: Path,
    jobs: int | None,
    plan: tuple[int, int],
    rounds: int,
    t_local: float,
) -> None:
    """Dask against the local pool, `rounds` times interleaved (the first local run is
    `t_local`, already done): the ratio of each round and their median. jobs: --jobs as
    given; plan: the (jobs, landmarkers per job) it gives, which the LocalCluster copies."""
    ratios = []
    for i in range(rounds):
        if i:
            t_local, _ = timed_batch(videos, tmp / "batch", jobs=jobs)
            print(f"{'valguscam batch (local pool)':36s} {t_local:8.1f} s  {load_average()}")
        t_dask = dask_batch(videos, tmp / "d", plan)
        ratios.append(t_dask / t_local)
        print(f"{'batch on Dask LocalCluster':36s} {t_dask:8.1f} s  {load_average()}")
        print(f"Dask / local pool: {ratios[-1]:.2f} (target within 10 %)", flush=True)
    if rounds > 1:
        print(f"median Dask / local pool over {rounds} rounds: {statistics.median(ratios):.2f}")
    print(f"reports equal, Dask vs local: {same_reports(tmp / 'batch', tmp / 'd')}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", nargs="+", default=["sample_videos"], help="files/folders")
    parser.add_argument("--jobs", type=int, default=None, help="batch --jobs (default: auto)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask comparison")
    parser.add_argument(
        "--rounds", type=int, default=1, help="local pool and Dask runs, interleaved (default 1)"
    )
    parser.add_argument(
        "--no-loop", action="store_true", help="skip the shell loop and the model-only times"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_batch_") as tmp:
        items, _ = discover(args.clips, Path(tmp))
        videos = [i.video for i in items]
        cores = len(os.sched_getaffinity(0))
        jobs, workers = plan_workers(args.jobs, Config().pose.workers, cores, len(videos))
        print(f"{len(videos)} clips, {cores} usable cores; batch: {jobs} job(s) x {workers}")
        rows = []

        def row(name: str, seconds: float, note: str = "") -> None:
            rows.append((name, seconds))
            print(f"{name:36s} {seconds:8.1f} s  {note}", flush=True)

        t_batch, rss = timed_batch(videos, Path(tmp, "batch"), jobs=args.jobs)
        note = f"peak RSS/worker {rss:.0f} MiB, {load_average()}"
        row("valguscam batch (local pool)", t_batch, note)
        if not args.no_dask:
            plan = (jobs, workers)
            compare_dask(videos, Path(tmp), args.jobs, plan, max(1, args.rounds), t_batch)
        if args.no_loop:
            return 0
        row("shell loop of valguscam analyze", shell_loop(videos, Path(tmp, "loop")))
        print(f"batch speed-up over the loop: {rows[-1][1] / t_batch:.2f}x (target >= 1.3x)")
        row("sum of per-clip model-only times", model_only(videos, workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
