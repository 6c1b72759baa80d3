"""How well `valguscam live` keeps up: clips played in real time as if they were a camera.

    python benchmarks/bench_live.py [CLIP ...] [--duration 20] [--max-side 640 0] [--json out.json]

Default clips: ../shared/videos/rjsong/squat.mp4 (1280x720, 30 fps) and the 1080x1920 phone
clips in ../shared/videos/lnewco (MANIFEST.md). For each clip and each --max-side (the longest
side the pose model sees; 0 = the full frame) it runs one headless live session in-process
with the full model (`run_live`, --source paced at the clip's timestamps, frames dropped while
the pipeline is busy) and prints: frames captured / processed, dropped %, processed fps,
latency capture -> HUD shown p50 / p95 / max (ms) and its parts (waiting for the model, the
model, the live stages + HUD: p50 / p95), reps counted live and in the session's report, and the
per-frame cost of the stages measured apart (pose model, online stages + HUD).
Target (issue #10): <= 2 % dropped and p95 <= 40 ms on rjsong/squat.mp4.
The numbers depend on what else the machine runs: note its load average with them.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from valguscam.config import Config
from valguscam.draw.hud import render_hud
from valguscam.media.camera import downscale
from valguscam.media.sources import VideoFileSource
from valguscam.pose.estimator import PoseEstimator
from valguscam.pose.models import resolve_model
from valguscam.run.live import LiveOptions, run_live
from valguscam.run.live_session import LiveSession

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "videos"
DEFAULT_CLIPS = [
    SHARED / "rjsong" / "squat.mp4",
    SHARED / "lnewco" / "IMG_7060.mov",
    SHARED / "lnewco" / "IMG_7029.mov",
]


def stage_costs(clip: Path, max_side: int, frames: int = 90) -> dict[str, float]:
    """Median ms per frame of the pose model and of the online stages + HUD, run back to back
    on the first `frames` frames (no pacing, nothing dropped): wall time, and CPU time of the
    whole process (all threads), which depends less on what else the machine runs."""
    wall: dict[str, list[float]] = {"pose": [], "online": []}
    cpu: dict[str, list[float]] = {"pose": [], "online": []}
    with VideoFileSource(clip) as src, PoseEstimator(resolve_model("full")) as est:
        session = LiveSession(Config(), src.info.width, src.info.height)
        for frame in src:
            w0, c0 = time.perf_counter(), time.process_time()
            small, factor = downscale(frame.rgb, max_side)
            sample = est.detect(small, frame.t_s)
            w1, c1 = time.perf_counter(), time.process_time()
            hud = session.step(frame.t_s, replace(sample, xy=sample.xy * factor))
            render_hud(frame.rgb, hud, mirror=True)
            w2, c2 = time.perf_counter(), time.process_time()
            wall["pose"].append(w1 - w0)
            wall["online"].append(w2 - w1)
            cpu["pose"].append(c1 - c0)
            cpu["online"].append(c2 - c1)
            if frame.index + 1 >= frames:
                break
    med = {f"{k}_ms_p50": 1000 * float(np.median(v)) for k, v in wall.items()}
    return med | {f"{k}_cpu_ms_p50": 1000 * float(np.median(v)) for k, v in cpu.items()}


def live_session(clip: Path, max_side: int, duration: float | None) -> dict:
    """One headless paced session: the report's live section plus reps."""
    with tempfile.TemporaryDirectory() as tmp:
        opts = LiveOptions(camera=None, source=clip, headless=True, duration_s=duration,
                           out_dir=Path(tmp), max_side=max_side)  # fmt: skip
        result = run_live(opts, Config())
        live = json.loads((result.out_dir / "report.json").read_text())["live"]
    live["report_reps"] = len(result.analysis.findings.reps)
    return live


def row(clip: Path, max_side: int, live: dict, costs: dict) -> str:
    lat = live["latency_ms"]
    return (
        f"{clip.parent.name}/{clip.name:<14} {max_side or 'full':>5} "
        f"{live['frames_captured']:>5} {live['frames_processed']:>5} "
        f"{live['dropped_pct']:>7.1f} {live['fps']:>6.1f} {lat['p50']:>6.1f} {lat['p95']:>6.1f} "
        f"{lat['max']:>7.1f} {live['live_reps']:>5} {live['report_reps']:>6} "
        f"{costs['pose_ms_p50']:>7.1f} {costs['pose_cpu_ms_p50']:>7.1f} "
        f"{costs['online_ms_p50']:>7.1f} {costs['online_cpu_ms_p50']:>7.1f}\n"
        "    latency parts p50/p95 ms: "
        + "  ".join(
            f"{k} {v['p50']:.1f}/{v['p95']:.1f}" for k, v in live["latency_parts_ms"].items()
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clips", nargs="*", type=Path, default=DEFAULT_CLIPS)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds per session")
    ap.add_argument("--max-side", type=int, nargs="+", default=[640], help="0 = full frame")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("clip                 side  capt  proc  drop%    fps   p50ms  p95ms   maxms  live "
          "report  pose_ms pose_cpu online+hud o+h_cpu")  # fmt: skip
    out = []
    for clip in args.clips:
        for side in args.max_side:
            live = live_session(clip, side, args.duration)
            costs = stage_costs(clip, side)
            print(row(clip, side, live, costs), flush=True)
            out.append({"clip": str(clip), "max_side": side, **live, **costs})
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
