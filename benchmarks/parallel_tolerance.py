"""How much running landmarkers in parallel (pose.workers) changes the results, and the speed.

    python benchmarks/parallel_tolerance.py [VIDEO ...] [--workers 2] [--json out.json]

With no VIDEO, every clip listed in ../shared/videos is used. Each clip is analysed twice,
in-process: pose.workers = 1 (one landmarker on every frame: the reference) and the given
count (landmarker k on frames k, k + n, ...). Prints, per clip, the pose-stage times and the
agreement (valguscam.agreement): leg-landmark distance in thigh lengths, FPPA difference on
frames valid in both runs, and whether reps, verdicts and events agree.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from pathlib import Path

from agreement import compare

from valguscam.config import load_config
from valguscam.run.analyze import analyze_video

SHARED_VIDEOS = Path(__file__).resolve().parents[1].parent / "shared" / "videos"


def default_clips() -> list[Path]:
    return sorted(
        p for p in SHARED_VIDEOS.rglob("*") if p.suffix.lower() in {".mp4", ".mov"}
    )  # fmt: skip


def run(video: Path, workers: int, out: Path):
    cfg = load_config(overrides=[f"pose.workers={workers}"])
    return analyze_video(video, out / f"w{workers}", cfg, progress=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("videos", nargs="*", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for video in args.videos or default_clips():
            a = run(video, 1, Path(tmp))
            b = run(video, args.workers, Path(tmp))
            agree = compare(a.track, a.metrics, a.report, b.track, b.metrics, b.report)
            row = {
                "clip": f"{video.parent.name}/{video.name}",
                "pose_s_1": a.timings_s["pose"],
                f"pose_s_{args.workers}": b.timings_s["pose"],
                "workers_used": b.report.quality.pose_workers,
                **agree.to_dict(),
            }
            rows.append(row)
            print(
                f"{row['clip']:32s} frames {agree.frames:5d}  pose {a.timings_s['pose']:6.2f} s"
                f" -> {b.timings_s['pose']:6.2f} s  landmarks med/p95 {agree.landmark_median:.4f}"
                f"/{agree.landmark_p95:.4f} thigh  FPPA med/p95/max {agree.fppa_median_deg:.2f}/"
                f"{agree.fppa_p95_deg:.2f}/{agree.fppa_max_deg:.2f} deg  validity≠ "
                f"{agree.validity_mismatch_share:.3f}  knee/foot {agree.knee_foot_median:.3f} hw"
                f" class≠ {agree.position_mismatch_share:.3f} share Δ "
                f"{agree.position_share_max_diff:.3f}  reps {agree.same_rep_count} verdicts "
                f"{agree.same_verdicts} events {agree.same_event_count}  rep peak Δ "
                f"{agree.rep_peak_fppa_max_diff_deg:.2f} deg",
                flush=True,
            )
    total_1 = sum(r["pose_s_1"] for r in rows)
    total_n = sum(r[f"pose_s_{args.workers}"] for r in rows)
    summary = {
        "clips": len(rows),
        "pose_speedup": total_1 / total_n,
        "fppa_p95_deg_max": max(
            r["fppa_p95_deg"] for r in rows if not math.isnan(r["fppa_p95_deg"])
        ),
        "landmark_p95_max": max(r["landmark_p95"] for r in rows),
        "all_reps_same": all(r["same_rep_count"] for r in rows),
        "all_verdicts_same": all(r["same_verdicts"] for r in rows),
        "all_event_counts_same": all(r["same_event_count"] for r in rows),
    }
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps({"clips": rows, "summary": summary}, indent=2) + "\n")


if __name__ == "__main__":
    main()
