"""Where the time of `valguscam analyze` goes, against the model's own speed.

    python benchmarks/bench_pipeline.py VIDEO [VIDEO ...] [--json out.json] [--long-minutes 10]

For each clip, in one run: decode-only frames/s per decoder (PyAV, OpenCV), model-only time on
pre-decoded RGB frames (one landmarker on every frame, as the issue defines it, and the default
pose.workers landmarkers in parallel: the bound on this machine), a naive sequential loop
(OpenCV decode, colour conversion, inference, drawing, writing an mp4 frame by frame), and
`analyze_video` in-process with its stage timings (model loading excluded, as it is from
model-only), with the default pose.workers and with one landmarker. Then the whole command as
a subprocess, the time of `valguscam --help`, and the peak RSS of `valguscam analyze` on the
first clip and on a clip of `--long-minutes` made by repeating it (remuxed, not re-encoded).
Prints a table and JSON.
Needs VALGUSCAM_MODEL_DIR (or a model in the usual places). Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import av
import cv2
import numpy as np

from valguscam.config import Config, PoseConfig, load_config
from valguscam.landmarks import SKELETON_EDGES
from valguscam.media.sources import VideoFileSource
from valguscam.pose.estimator import PoseEstimator, available_cores, open_estimators
from valguscam.pose.models import resolve_model
from valguscam.run.analyze import analyze_video
from valguscam.run.pipeline import RoundRobin


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # all threads of this process
    return usage.ru_utime + usage.ru_stime


def decode_fps(path: Path, decoder: str) -> tuple[float, float]:
    """Frames/s of decoding to upright RGB, nothing else, and the CPU seconds it took.

    CPU matters more than wall time here: in `analyze` the landmarkers keep the cores busy.
    """
    start, cpu, n = time.perf_counter(), _cpu_s(), 0
    with VideoFileSource(path, decoder=decoder) as source:
        for _ in source:
            n += 1
    return n / (time.perf_counter() - start), _cpu_s() - cpu


def model_only_s(path: Path, model: Path, workers: int = 1) -> tuple[float, int]:
    """Seconds of inference alone on frames decoded beforehand (held in memory).

    workers > 1: that many landmarkers, landmarker k on frames k, k + workers, ... in threads.
    """
    with VideoFileSource(path) as source:
        frames = list(source)
    with open_estimators(model, PoseConfig(), workers) as estimators:  # warmed up at load
        fns = [lambda f, e=e: e.detect(f.rgb, f.t_s) for e in estimators]
        start = time.perf_counter()
        with RoundRobin(fns, frames) as results:
            for _ in results:
                pass
        elapsed = time.perf_counter() - start
    return elapsed, len(frames)


def naive_loop_s(path: Path, model: Path, out_dir: Path) -> float:
    """The loop people write first: OpenCV decode, convert, infer, draw, write, in sequence."""
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    writer = None
    with PoseEstimator(model) as est:
        start, i = time.perf_counter(), 0
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            sample = est.detect(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), i / fps)
            for a, b in SKELETON_EDGES:
                p, q = sample.xy[a], sample.xy[b]
                if np.isfinite(p).all() and np.isfinite(q).all():
                    cv2.line(bgr, tuple(p.astype(int)), tuple(q.astype(int)), (0, 255, 0), 2)
            if writer is None:
                h, w = bgr.shape[:2]
                fourcc = cv2.VideoWriter_fourcc(*"mp4v")
                writer = cv2.VideoWriter(str(out_dir / "naive.mp4"), fourcc, fps, (w, h))
            writer.write(bgr)
            i += 1
        elapsed = time.perf_counter() - start
    cap.release()
    if writer is not None:
        writer.release()
    return elapsed


_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "t = time.perf_counter() - t\n"
    "print(rc, t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def cli_run(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB, Linux ru_maxrss) of one `valguscam` subprocess."""
    cmd = [sys.executable, "-c", _MEASURE, sys.executable, "-m", "valguscam", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ))
    rc, elapsed, rss_kb = proc.stdout.split()
    if rc != "0":
        raise SystemExit(f"valguscam {' '.join(args)} failed: {proc.stderr.strip()[-300:]}")
    return float(elapsed), int(rss_kb) / 1024


def make_long_clip(src: Path, dst: Path, minutes: float) -> float:
    """Repeat `src` by remuxing its packets with shifted timestamps; returns the duration, s."""
    with av.open(str(src)) as probe:
        stream = probe.streams.video[0]
        span = (
            float(probe.duration / 1e6)
            if probe.duration
            else float(stream.duration * stream.time_base)
        )
    repeats = max(1, int(np.ceil(minutes * 60 / span)))
    with av.open(str(dst), "w") as out:
        with av.open(str(src)) as first:
            ostream = out.add_stream_from_template(first.streams.video[0])
        offset = 0
        for _ in range(repeats):
            with av.open(str(src)) as inp:
                istream = inp.streams.video[0]
                last = 0
                for packet in inp.demux(istream):
                    if packet.dts is None:
                        continue
                    step = packet.duration or 0
                    packet.pts += offset
                    packet.dts += offset
                    last = max(last, packet.pts + step - offset)
                    packet.stream = ostream
                    out.mux(packet)
                offset += last
    return repeats * span


def bench_clip(path: Path, model: Path, tmp: Path) -> dict:
    row: dict = {"clip": str(path)}
    for decoder in ("pyav", "opencv"):
        row[f"decode_fps_{decoder}"], row[f"decode_cpu_s_{decoder}"] = decode_fps(path, decoder)
    workers = min(Config().pose.workers, available_cores())
    row["workers"] = workers
    row["model_only_s"], row["frames"] = model_only_s(path, model)
    row["model_fps"] = row["frames"] / row["model_only_s"]
    row["model_parallel_s"], _ = model_only_s(path, model, workers)
    row["naive_s"] = naive_loop_s(path, model, tmp)
    for key, cfg in (
        ("analyze", Config()),
        ("analyze_1w", load_config(overrides=["pose.workers=1"])),
    ):
        result = analyze_video(path, tmp / key, cfg, progress=False)
        t = result.timings_s
        row[f"{key}_s"] = t["pose"] + t["post"] + t["write"]
        row[f"{key}_stages_s"] = t
    row["analyze_over_model"] = row["analyze_s"] / row["model_only_s"]
    row["analyze_over_parallel_model"] = row["analyze_s"] / row["model_parallel_s"]
    row["analyze_1w_over_model"] = row["analyze_1w_s"] / row["model_only_s"]
    row["naive_over_analyze"] = row["naive_s"] / row["analyze_s"]
    wall, rss = cli_run(["analyze", str(path), "--out", str(tmp / "cli"), "--no-progress"])
    row["cli_wall_s"], row["cli_peak_rss_mb"] = wall, rss
    row["cli_over_model_plus_2s"] = wall / (1.15 * row["model_only_s"] + 2.0)
    return row


def print_table(rows: list[dict], extra: dict) -> None:
    cols = [
        ("clip", "{}"), ("frames", "{}"), ("decode_fps_pyav", "{:.0f}"),
        ("decode_fps_opencv", "{:.0f}"), ("decode_cpu_s_pyav", "{:.2f}"),
        ("decode_cpu_s_opencv", "{:.2f}"), ("model_fps", "{:.1f}"), ("model_only_s", "{:.2f}"),
        ("workers", "{}"), ("model_parallel_s", "{:.2f}"), ("naive_s", "{:.2f}"),
        ("analyze_1w_s", "{:.2f}"), ("analyze_1w_over_model", "{:.3f}"), ("analyze_s", "{:.2f}"),
        ("analyze_over_model", "{:.3f}"), ("analyze_over_parallel_model", "{:.3f}"),
        ("naive_over_analyze", "{:.2f}"), ("cli_wall_s", "{:.2f}"),
        ("cli_over_model_plus_2s", "{:.2f}"), ("cli_peak_rss_mb", "{:.0f}"),
    ]  # fmt: skip
    print("| " + " | ".join(c for c, _ in cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(f.format(r[c]) for c, f in cols) + " |")
    for k, v in extra.items():
        print(f"{k}: {v:.3f}" if isinstance(v, float) else f"{k}: {v}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("videos", nargs="+", type=Path)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--long-minutes", type=float, default=10.0,
                    help="length of the long clip for the memory check (0 = skip)")  # fmt: skip
    args = ap.parse_args()
    model = resolve_model("full")
    rows, extra = [], {}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for video in args.videos:
            rows.append(bench_clip(video, model, tmp))
        help_times = [cli_run(["--help"])[0] for _ in range(3)]
        extra["help_s_median"] = float(np.median(help_times))
        if args.long_minutes > 0:
            long_clip = tmp / f"long_{args.videos[0].stem}.mp4"
            extra["long_clip_s"] = make_long_clip(args.videos[0], long_clip, args.long_minutes)
            wall, rss = cli_run(["analyze", str(long_clip), "--out", str(tmp / "long"),
                                 "--no-progress"])  # fmt: skip
            extra["long_wall_s"], extra["long_peak_rss_mb"] = wall, rss
            extra["short_peak_rss_mb"] = rows[0]["cli_peak_rss_mb"]
    print_table(rows, extra)
    if args.json:
        args.json.write_text(json.dumps({"clips": rows, **extra}, indent=2) + "\n")


if __name__ == "__main__":
    main()
