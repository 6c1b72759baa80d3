"""Does the pose model see the synthetic collapse? Re-run it on warped clips and compare.

    python benchmarks/collapse_warp.py check DIR/<stem>/<stem>_right_*deg.json

For each warped clip the real pose model (full, smoothed track, via collapse_warp_io) runs on
the warped video and on its un-warped reference (<stem>_orig.mp4, encoded the same way); both
tracks are cached beside the videos. Printed per clip and warped side, on frames with w >= 0.5:
the model knee's distance from the intended knee (px and hip widths), the knee shift the model
sees (warped - reference, along the medial direction) as a fraction of the intended shift, the
FPPA change the model sees at the rep bottoms, and how far the points whose pixels the warp
leaves alone (both hips, ankles, heels, toes; the other knee) moved in the model's eyes (px).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import collapse_warp as cw
import collapse_warp_io as io
import numpy as np

FIXED = {"hip": cw.HIP, "ankle": cw.ANKLE, "heel": cw.HEEL, "toe": cw.TOE, "knee": cw.KNEE}


def _track(video: Path) -> np.ndarray:
    """Smoothed model landmarks xy (T, 33, 2) px of video, cached as <video stem>_track.npz."""
    data = io.load_track(video, video.with_name(f"{video.stem}_track.npz"))
    return cw.fill_nan(data["xy"], data["t_s"])


def _columns(path: Path) -> dict[str, np.ndarray]:
    """The per-frame ground-truth CSV as float columns."""
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def check_side(gt: dict, cols: dict, warped: np.ndarray, ref: np.ndarray, side: str) -> dict:
    """Model-vs-intended numbers of one warped side (see the module docstring)."""
    sel = cols["w"] >= 0.5
    hip_w = np.linalg.norm(ref[:, 23] - ref[:, 24], axis=1)
    intended = np.stack([cols[f"knee_x_{side}_px"], cols[f"knee_y_{side}_px"]], axis=1)
    shift = np.stack([cols[f"dx_{side}_px"], cols[f"dy_{side}_px"]], axis=1)
    knee = warped[:, cw.KNEE[side]]
    err = np.linalg.norm(knee - intended, axis=1)
    seen = np.sum((knee - ref[:, cw.KNEE[side]]) * cw.unit(shift + 1e-12), axis=1)
    bottoms = [r["bottom_frame"] for r in gt["reps"]]
    idx = [cw.HIP[side], cw.KNEE[side], cw.ANKLE[side], cw.HIP[cw.OTHER[side]]]
    fppa_w, fppa_r = (cw.fppa_deg(*np.moveaxis(t[bottoms][:, idx], 1, 0)) for t in (warped, ref))
    moved = {}
    for name, ids in FIXED.items():
        for who, s in (("", side), ("other_", cw.OTHER[side])):
            if name != "knee" or (who and s not in gt["sides"]):  # unwarped knees only
                moved[who + name] = np.linalg.norm(warped[sel, ids[s]] - ref[sel, ids[s]], axis=-1)
    return {
        "frames": int(sel.sum()),
        "knee_err_px_median": float(np.median(err[sel])),
        "knee_err_px_p90": float(np.percentile(err[sel], 90)),
        "knee_err_hipw_median": float(np.median(err[sel] / hip_w[sel])),
        "seen_shift_frac_median": float(np.median(seen[sel] / np.linalg.norm(shift[sel], axis=1))),
        "bottom_shift_px": [round(float(np.hypot(*shift[b])), 1) for b in bottoms],
        "bottom_seen_px": [round(float(seen[b]), 1) for b in bottoms],
        "bottom_fppa_change_deg": [round(float(d), 1) for d in fppa_w - fppa_r],
        "unwarped_moved_px_median": {k: float(np.median(v)) for k, v in moved.items()},
        "unwarped_moved_px_max": {k: float(np.max(v)) for k, v in moved.items()},
    }


def check_clip(gt_path: Path) -> dict:
    """Run the model on one warped clip and its reference; numbers per warped side."""
    gt = json.loads(gt_path.read_text())
    dest = gt_path.parent
    cols = _columns(dest / gt["per_frame_csv"])
    n = len(cols["t_s"])
    warped, ref = (_track(dest / gt[k])[:n] for k in ("video", "reference_video"))
    orig = np.load(dest / gt["track_cache"])["xy"][:n]
    encode = np.linalg.norm(ref[:, 23:29] - orig[:, 23:29], axis=-1)
    out = {"video": gt["video"], "amount_deg": gt["amount_deg"], "solved_at": gt["solved_at"]}
    out["reference_vs_source_leg_px_median"] = float(np.nanmedian(encode))
    for side in gt["sides"]:
        out[side] = check_side(gt, cols, warped, ref, side)
    return out


def _short(d: dict) -> str:
    return " ".join(f"{k}={v:.1f}" for k, v in d.items())


def check_all(paths: list[Path]) -> list[dict]:
    """check_clip for each ground-truth JSON; prints a summary line per side and writes
    <video stem>_check.json beside each."""
    results = []
    for path in paths:
        res = check_clip(path)
        path.with_name(path.stem + "_check.json").write_text(json.dumps(res, indent=1) + "\n")
        for side in (s for s in ("left", "right") if s in res):
            r = res[side]
            print(
                f"{res['video']:32s} {side:5s} knee err {r['knee_err_px_median']:5.1f} px "
                f"({r['knee_err_hipw_median']:.3f} hipw), seen/intended "
                f"{r['seen_shift_frac_median']:.2f}, bottoms shift {r['bottom_shift_px']} "
                f"seen {r['bottom_seen_px']} dFPPA {r['bottom_fppa_change_deg']}, "
                f"unwarped points moved (median px) {_short(r['unwarped_moved_px_median'])}"
            )
        results.append(res)
    return results
