"""What `analyze --video` costs: wall time of analyze with and without the annotated video.

    python benchmarks/bench_video.py [VIDEO] [--repeats 2] [--preset veryfast --preset superfast]

In-process, as the CLI runs it: `analyze_video` (pose, post-processing, frames.csv and
report.json) alone, then `analyze_video` followed by `render_outputs` (second decode pass,
overlay, H.264 encode, key-frame strip) for each x264 preset. Runs alternate between the
variants; medians are printed with the ratio to plain analyze (target: at most 1.35x).
The model is loaded once before timing (warm-up run). Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from valguscam.config import Config
from valguscam.run.analyze import analyze_video
from valguscam.run.render import ANNOTATED_MP4, KEY_FRAMES_PNG, VIDEO_PRESET, write_annotated_video

REPO = Path(__file__).resolve().parents[1]


def run_once(video: Path, out: Path, preset: str | None) -> tuple[float, float]:
    """(total wall s, render wall s) of analyze, plus the video when `preset` is given."""
    start = time.perf_counter()
    result = analyze_video(video, out, Config(), progress=False)
    render = 0.0
    if preset is not None:
        r0 = time.perf_counter()
        write_annotated_video(
            video, result, result.out_dir / ANNOTATED_MP4,
            key_frames_path=result.out_dir / KEY_FRAMES_PNG, preset=preset,
        )  # fmt: skip
        render = time.perf_counter() - r0
    return time.perf_counter() - start, render


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", default=str(REPO / "sample_videos" / "squats.mp4"))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--preset", action="append", default=None)
    args = parser.parse_args()
    presets = args.preset or [VIDEO_PRESET]
    video = Path(args.video)
    variants: list[str | None] = [None, *presets]
    times: dict[str | None, list[tuple[float, float]]] = {v: [] for v in variants}
    with tempfile.TemporaryDirectory() as tmp:
        run_once(video, Path(tmp), None)  # warm-up: imports, model file cache
        for _ in range(args.repeats):
            for v in variants:
                times[v].append(run_once(video, Path(tmp), v))
    base = statistics.median(t for t, _ in times[None])
    print(f"{video.name}: analyze wall time, median of {args.repeats}")
    print(f"{'variant':<28}{'total s':>9}{'render s':>10}{'ratio':>8}")
    for v in variants:
        total = statistics.median(t for t, _ in times[v])
        render = statistics.median(r for _, r in times[v])
        name = "analyze" if v is None else f"analyze --video ({v})"
        print(f"{name:<28}{total:>9.2f}{render:>10.2f}{total / base:>8.2f}x")


if __name__ == "__main__":
    main()
