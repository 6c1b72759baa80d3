"""Files for the synthetic-collapse benchmark: pose tracks, warped videos, ground truth, CLI.

    python benchmarks/collapse_warp.py make CLIP --side left|right|both \
        --amounts 6 10 15 20 25 --out DIR [--max-seconds S] [--previews N] \
        [--solve-at auto|bottom|standing] [--crf 18] [--preset veryfast]

writes into DIR/<stem>/: <stem>_orig.mp4 (the un-warped reference, re-encoded the same way,
made once), <stem>_<side>_<amount>deg.mp4 per amount, a .json (per clip and rep) and a .csv
(per frame) of ground truth beside each video, <stem>_track.npz (the cached pose track of the
source) and preview PNGs (original | warped | displacement heat map) at the first N rep
bottoms. Frames are read upright through valguscam's open_source; each written frame keeps its
source timestamp as pts in the source's time base. See collapse_warp.py for the method.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import os
import time
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import av
import collapse_warp as cw
import collapse_warp_plan as cp
import cv2
import numpy as np

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _valguscam() -> SimpleNamespace:
    """valguscam's reader, pose model and smoother, wherever the restructuring has put them.

    The only place this benchmark names valguscam's modules.
    """
    os.environ.setdefault("VALGUSCAM_MODEL_DIR", str(SHARED / "models"))
    where = {
        "estimate_track": ("valguscam.run.analyze", "valguscam.analysis"),
        "Config": ("valguscam.config",),
        "RunState": ("valguscam.report.document", "valguscam.report"),
        "open_source": ("valguscam.media.sources", "valguscam.media", "valguscam.sources"),
        "resolve_model": ("valguscam.pose.models", "valguscam.pose", "valguscam.models"),
        "clean_track": ("valguscam.body.smoothing", "valguscam.body", "valguscam.smoothing"),
    }
    found = {}
    for name, modules in where.items():
        errors = []
        for mod in modules:
            try:
                found[name] = getattr(importlib.import_module(mod), name)
                break
            except (ImportError, AttributeError) as err:
                errors.append(f"{mod}: {err}")
        else:
            raise ImportError(f"valguscam's {name} not found ({'; '.join(errors)}); grep src/")
    return SimpleNamespace(**found)


def estimate_landmarks(path: Path) -> dict[str, np.ndarray]:
    """Run the real pose model (full) over a clip: smoothed xy (T, 33, 2) px, t_s (T,) s,
    visibility (T, 33), and the upright frame size (width, height) px."""
    vc = _valguscam()
    with vc.open_source(path) as src:
        raw = vc.estimate_track(src, vc.resolve_model("full"), vc.Config(), False, vc.RunState())
    track = vc.clean_track(raw, vc.Config().smoothing)
    size = np.array([track.width, track.height])
    return {"xy": track.xy, "t_s": track.t_s, "visibility": track.visibility, "size": size}


def load_track(path: Path, cache: Path) -> dict[str, np.ndarray]:
    """estimate_landmarks(path), cached in `cache` (.npz) keyed by the file's size and mtime."""
    stat = path.stat()
    key = np.array([stat.st_size, stat.st_mtime_ns])
    if cache.exists():
        with np.load(cache) as z:
            if np.array_equal(z["key"], key):
                return {k: z[k] for k in ("xy", "t_s", "visibility", "size")}
    data = estimate_landmarks(path)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(cache, key=key, **data)
    return data


def iter_frames(path: Path, n: int):
    """The first n upright frames of path as (t_s, rgb (H, W, 3) uint8), via valguscam."""
    with _valguscam().open_source(path) as src:
        for i, frame in enumerate(src):
            if i >= n:
                break
            yield frame.t_s, frame.rgb


class ClipWriter:
    """H.264 (libx264, yuv420p) MP4 writer keeping each frame's timestamp as its pts.

    time_base: the source stream's (so pts = t_s / time_base is exact); rate: nominal fps.
    """

    def __init__(self, path: Path, size, time_base: Fraction, rate: Fraction, crf: int, preset):
        self.container = av.open(str(path), mode="w")
        self.stream = self.container.add_stream("libx264", rate=rate)
        self.stream.width, self.stream.height = int(size[0]), int(size[1])
        self.stream.pix_fmt = "yuv420p"
        self.stream.time_base = self.stream.codec_context.time_base = time_base
        self.stream.options = {"crf": str(crf), "preset": preset}
        self.time_base = time_base
        self.last = -1

    def write(self, rgb: np.ndarray, t_s: float) -> None:
        """Encode one (H, W, 3) uint8 RGB frame at t_s seconds."""
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        self.last = max(self.last + 1, round(Fraction(t_s) / self.time_base))
        frame.pts, frame.time_base = self.last, self.time_base
        self.container.mux(self.stream.encode(frame))

    def close(self) -> None:
        self.container.mux(self.stream.encode(None))
        self.container.close()


def source_timing(path: Path) -> tuple[Fraction, Fraction]:
    """(time_base, nominal frame rate) of the first video stream of path."""
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        return Fraction(s.time_base), Fraction(s.guessed_rate or s.average_rate or 30)


def _fppa_at(xy: np.ndarray, f: int, side: str, shift: np.ndarray) -> tuple[float, float]:
    """FPPA (deg) of `side` in frame f, with its knee as is and moved by shift (2,) px."""
    hip, knee, ankle, other = xy[
        f, [cw.HIP[side], cw.KNEE[side], cw.ANKLE[side], cw.HIP[cw.OTHER[side]]]
    ]
    return float(cw.fppa_deg(hip, knee, ankle, other)), float(
        cw.fppa_deg(hip, knee + shift, ankle, other)
    )


def rep_records(plan: cp.CollapsePlan, xy: np.ndarray, t_s: np.ndarray) -> list[dict]:
    """Per rep: times (s), bottom frame, depth, and per side A_px, displacement in hip widths
    (at the bottom) and standing thigh lengths, FPPA (deg) at the bottom before and after the
    shift, and at the frame A was solved on (the bottom, or the rep's start: plan.solved_at)."""
    out = []
    for k, (s, b, e) in enumerate(plan.reps):
        rec = {"rep": k, "start_s": t_s[s], "bottom_s": t_s[b], "end_s": t_s[e]}
        rec.update(bottom_frame=b, depth=plan.depth[b])
        hip_w = float(np.linalg.norm(xy[b, cw.HIP["left"]] - xy[b, cw.HIP["right"]]))
        f = plan.solve_frame(k)
        for side in plan.sides:
            a = plan.amplitude_px[side][k]
            medial = cw.unit(xy[f, cw.HIP[cw.OTHER[side]]] - xy[f, cw.HIP[side]])
            bottom, solve = (
                _fppa_at(xy, b, side, plan.shift[side][b]),
                _fppa_at(xy, f, side, a * medial),
            )
            rec[side] = {"A_px": a, "disp_hip_widths": a / hip_w,
                         "disp_thigh_lengths": a / plan.thigh_px[side], "hip_width_px": hip_w,
                         "fppa_orig_deg": bottom[0], "fppa_warped_deg": bottom[1],
                         "solve_frame": f, "fppa_solve_orig_deg": solve[0],
                         "fppa_solve_warped_deg": solve[1]}  # fmt: skip
        out.append(rec)
    return out


def per_frame_rows(plan: cp.CollapsePlan, xy: np.ndarray, t_s: np.ndarray, jac) -> list[dict]:
    """One CSV row per frame: t_s, depth, w, per side dx/dy (px), intended knee x/y (px) and
    FPPA (deg) of the original and of the intended knee, and the warp's min Jacobian."""
    rows = [
        {"frame": i, "t_s": t_s[i], "depth": plan.depth[i], "w": plan.w[i]} for i in range(len(t_s))
    ]
    for side in cw.SIDES:
        shift = plan.shift.get(side, np.zeros((len(t_s), 2)))
        hip, knee = xy[:, cw.HIP[side]], xy[:, cw.KNEE[side]]
        ankle, other = xy[:, cw.ANKLE[side]], xy[:, cw.HIP[cw.OTHER[side]]]
        f0, f1 = cw.fppa_deg(hip, knee, ankle, other), cw.fppa_deg(hip, knee + shift, ankle, other)
        new = knee + shift
        cols = {"dx": shift[:, 0], "dy": shift[:, 1], "knee_x": new[:, 0], "knee_y": new[:, 1]}
        for i, row in enumerate(rows):
            row.update({f"{k}_{side}_px": v[i] for k, v in cols.items()})
            row.update({f"fppa_orig_{side}_deg": f0[i], f"fppa_warped_{side}_deg": f1[i]})
    for row, j in zip(rows, jac, strict=True):
        row["min_jacobian"] = j
    return rows


def _rounded(x):
    """JSON-ready copy of x: numpy scalars to Python, floats to 4 decimals."""
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_rounded(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    return round(x, 4) if isinstance(x, float) else x


def write_ground_truth(job: SimpleNamespace, xy: np.ndarray, t_s: np.ndarray, meta: dict) -> None:
    """Write job.video's .json (per clip and rep) and .csv (per frame) ground truth."""
    plan = job.plan
    rows = per_frame_rows(plan, xy, t_s, job.jac)
    csv_path = job.video.with_suffix(".csv")
    with csv_path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(
            {k: _rounded(float(v)) if k != "frame" else v for k, v in r.items()} for r in rows
        )
    doc = {**meta, "video": job.video.name, "per_frame_csv": csv_path.name, "side": job.side}
    doc.update(sides=list(plan.sides), amount_deg=plan.amount_deg, min_jacobian=min(job.jac))
    doc.update(solved_at=plan.solved_at, standing_thigh_px=plan.thigh_px, sigma_px=plan.sigma_px)
    doc["reps"] = rep_records(plan, xy, t_s)
    job.video.with_suffix(".json").write_text(json.dumps(_rounded(doc), indent=1) + "\n")


def preview(orig: np.ndarray, warped: np.ndarray, xy: np.ndarray, job, i: int) -> np.ndarray:
    """BGR panels original | warped | |displacement| (colour, red = the knee's), cropped to
    shoulders..toes; knees marked (green circle: original, red cross: intended), leg points
    white."""
    legs, body = xy[23:33], xy[11:33]
    pad = 0.2 * np.ptp(body, axis=0).max()
    x0, y0 = np.maximum(body.min(0) - pad, 0).astype(int)
    x1, y1 = np.minimum(body.max(0) + pad, orig.shape[1::-1]).astype(int)
    grid = np.stack(np.meshgrid(np.arange(x0, x1), np.arange(y0, y1)), -1).reshape(-1, 2)
    legs_now = job.plan.legs_at(xy, i)
    mag = np.linalg.norm(cw.displacement(grid.astype(float), legs_now), axis=1)
    top = max(max(float(np.hypot(*g.shift)) for g in legs_now), 1e-9)
    heat = cv2.applyColorMap((255 * mag / top).astype(np.uint8).reshape(y1 - y0, x1 - x0), 2)
    panels = [cv2.cvtColor(im[y0:y1, x0:x1], cv2.COLOR_RGB2BGR) for im in (orig, warped)]
    panels.append(cv2.addWeighted(panels[1], 0.5, heat, 0.5, 0))
    for p in panels:
        for pt in legs:
            cv2.circle(p, tuple(np.round(pt - (x0, y0)).astype(int)), 3, (255, 255, 255), -1)
        for side in job.plan.sides:
            knee = xy[cw.KNEE[side]] - (x0, y0)
            new = np.round(knee + job.plan.shift[side][i]).astype(int)
            cv2.circle(p, tuple(np.round(knee).astype(int)), 7, (0, 255, 0), 2)
            cv2.drawMarker(p, tuple(new), (0, 0, 255), cv2.MARKER_CROSS, 18, 2)
    return np.hstack(panels)


def _jobs(stem: str, side: str, amounts: list[float], xy, t_s, at: str) -> list[SimpleNamespace]:
    """The reference (no warp) and one job per amount: name, side, plan, Jacobians.

    All jobs use one solve frame (at = auto picks it once, on both legs at the largest amount).
    """
    if at == "auto":
        at = cp.plan_collapse(xy, t_s, cw.SIDES, max(amounts), "auto").solved_at
    sides = cw.SIDES if side == "both" else (side,)
    specs = [("none", (), 0.0, f"{stem}_orig")]
    specs += [(side, sides, a, f"{stem}_{side}_{a:02g}deg") for a in amounts]
    return [
        SimpleNamespace(side=s, name=name, plan=cp.plan_collapse(xy, t_s, sd, a, at), jac=[])
        for s, sd, a, name in specs
    ]


def _encode(clip: Path, jobs, xy, t_s, writers, shown: set[int], dest: Path) -> None:
    """One pass over the first len(t_s) frames of clip: warp and write each job's frame, and
    save preview PNGs at the frames in `shown`."""
    for i, (t, rgb) in enumerate(iter_frames(clip, len(t_s))):
        if abs(t - t_s[i]) > 1e-6:
            raise RuntimeError(f"frame {i} of {clip} at {t} s, its track says {t_s[i]} s")
        for job, writer in zip(jobs, writers, strict=True):
            warped, jac = cw.warp_image(rgb, job.plan.legs_at(xy[i], i))
            job.jac.append(jac)
            writer.write(warped, t)
            if i in shown and job.plan.sides:
                png = dest / f"{job.name}_f{i:04d}.png"
                cv2.imwrite(str(png), preview(rgb, warped, xy[i], job, i))
    for writer in writers:
        writer.close()


def _fresh(job, n: int) -> bool:
    """Whether job's video and ground truth exist for the same n frames (then not redone)."""
    gt = job.video.with_suffix(".json")
    return job.video.exists() and gt.exists() and json.loads(gt.read_text())["frames"] == n


def make(clip: Path, side: str, amounts: list[float], out: Path, max_seconds=None, crf=18,
         preset="veryfast", previews=1, at="auto") -> list[Path]:  # fmt: skip
    """Write the warped clips of `clip` and their ground truth into out/<stem>/; returns the
    videos. max_seconds: keep the frames with t_s < max_seconds; previews: PNGs for that many
    reps' bottoms per warped clip; at: solve frame, "auto", "bottom" or "standing"."""
    start = time.perf_counter()
    dest = out / clip.stem
    dest.mkdir(parents=True, exist_ok=True)
    cache = dest / f"{clip.stem}_track.npz"
    track = load_track(clip, cache)
    t_all = track["t_s"]
    n = len(t_all) if max_seconds is None else int(np.sum(t_all < max_seconds))
    t_s, xy = t_all[:n], cw.fill_nan(track["xy"][:n], t_all[:n])
    jobs = _jobs(clip.stem, side, amounts, xy, t_s, at)
    for job in jobs:
        job.video = dest / f"{job.name}.mp4"
    jobs = [j for j in jobs if j.plan.sides or not _fresh(j, n)]  # the reference once
    tb, rate = source_timing(clip)
    writers = [ClipWriter(j.video, track["size"], tb, rate, crf, preset) for j in jobs]
    _encode(clip, jobs, xy, t_s, writers, {b for _, b, _ in jobs[-1].plan.reps[:previews]}, dest)
    meta = {"clip": clip.stem, "source": str(clip.resolve()), "frames": n,
            "width": int(track["size"][0]), "height": int(track["size"][1]),
            "time_base": str(tb), "nominal_fps": float(rate), "max_seconds": max_seconds,
            "reference_video": f"{clip.stem}_orig.mp4", "track_cache": cache.name,
            "method": {"sigma_thigh_frac": cw.SIGMA_THIGH_FRAC, "gate_frac": cw.GATE_FRAC,
                       "grid_step_px": cw.GRID_STEP_PX, "crf": crf, "preset": preset,
                       "pose_model": "full"}}  # fmt: skip
    for job in jobs:
        write_ground_truth(job, xy, t_s, meta)
    elapsed = time.perf_counter() - start
    print(f"{clip.name}: {n} frames, {len(jobs)} clips in {elapsed:.1f} s -> {dest}")
    return [j.video for j in jobs]


def main(argv: list[str] | None = None) -> None:
    """Command line: `make` warped clips, `check` them by re-running the pose model."""
    ap = argparse.ArgumentParser(description="Synthetic knee-collapse clips with ground truth.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make", help="warp a front-view clip")
    mk.add_argument("clip", type=Path)
    mk.add_argument("--side", choices=["left", "right", "both"], required=True)
    mk.add_argument("--amounts", type=float, nargs="+", default=[6, 10, 15, 20, 25])
    mk.add_argument("--out", type=Path, default=Path("/work/bench_out/collapse"))
    mk.add_argument("--max-seconds", type=float, default=None)
    mk.add_argument("--solve-at", choices=["auto", "bottom", "standing"], default="auto")
    mk.add_argument("--crf", type=int, default=18)
    mk.add_argument("--preset", default="veryfast", help="libx264 preset")
    mk.add_argument("--previews", type=int, default=1, help="reps with preview PNGs")
    ck = sub.add_parser("check", help="re-run the pose model on warped clips")
    ck.add_argument("ground_truth", type=Path, nargs="+", help="the clips' .json files")
    args = ap.parse_args(argv)
    if args.cmd == "make":
        make(args.clip, args.side, args.amounts, args.out, args.max_seconds, args.crf,
             args.preset, args.previews, args.solve_at)  # fmt: skip
    else:
        from collapse_warp_check import check_all

        check_all(args.ground_truth)
