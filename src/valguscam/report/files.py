"""Writers for analysis outputs. Every file is written atomically (temp file + os.replace),
so an interrupted run never leaves a half-written report behind.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from valguscam.assessment.findings import phase_and_rep
from valguscam.report.atomic import atomic_open
from valguscam.types import KneeMetrics, KneePosition, PoseTrack, Rep

FRAME_COLUMNS = (
    "frame",
    "time_s",
    "pose",
    "fppa_left_deg",
    "fppa_right_deg",
    "dynamic_fppa_left_deg",
    "dynamic_fppa_right_deg",
    "knee_foot_left",
    "knee_foot_right",
    "knee_position_left",
    "knee_position_right",
    "kasr",
    "knee_hip_ratio",
    "flexion_left_deg",
    "flexion_right_deg",
    "thigh_left_deg",
    "thigh_right_deg",
    "shank_left_deg",
    "shank_right_deg",
    "thigh_ratio_left",
    "thigh_ratio_right",
    "yaw_deg",
    "depth",
    "valid_left",
    "valid_right",
    "rep",
    "phase",
    "leg_swap_repaired",
    "raw_fppa_left_deg",
    "raw_fppa_right_deg",
    "raw_knee_foot_left",
    "raw_knee_foot_right",
    "raw_kasr",
    "raw_knee_hip_ratio",
)
"""frames.csv columns. The first ones a reader meets hold values only where they can be trusted
(FPPA and its dynamic change on valid frames; knee_foot where the knee is placed over the foot:
frontal view, knee and foot seen, knees bent; KASR and the knee/hip ratio where both sides are
valid); empty elsewhere. The raw_* columns at the end keep every projection, trusted or not."""


def _fmt(x: float, digits: int = 3) -> str:
    return "" if not np.isfinite(x) else f"{x:.{digits}f}"


def _position(code: int) -> str:
    return KneePosition(int(code)).label if code >= 0 else ""


def frame_rows(
    track: PoseTrack, metrics: KneeMetrics, reps: tuple[Rep, ...] = ()
) -> Iterator[list[str]]:
    """One CSV row per frame, in FRAME_COLUMNS order; empty cells where not measurable.

    rep: the rep index of the frame (empty outside reps); phase: descent / bottom / ascent.
    """
    phase, rep_of = phase_and_rep(track.n_frames, reps)
    L, R = metrics.left, metrics.right  # noqa: N806 - the subject's sides
    dl, dr = metrics.dynamic("left"), metrics.dynamic("right")
    has_pose = track.has_pose
    swapped = metrics.swapped if metrics.swapped is not None else np.zeros(track.n_frames, bool)
    both = L.valid & R.valid

    def trusted(x: np.ndarray, ok: np.ndarray) -> np.ndarray:
        return np.where(ok, x, np.nan)

    fl, fr = trusted(L.fppa_deg, L.valid), trusted(R.fppa_deg, R.valid)
    dl, dr = trusted(dl, L.valid), trusted(dr, R.valid)
    kl, kr = trusted(L.knee_foot, L.knee_position >= 0), trusted(R.knee_foot, R.knee_position >= 0)
    kasr, khr = trusted(metrics.kasr, both), trusted(metrics.knee_hip_ratio, both)
    for i in range(track.n_frames):
        yield [
            str(i),
            _fmt(track.t_s[i], 4),
            str(int(has_pose[i])),
            _fmt(fl[i], 2),
            _fmt(fr[i], 2),
            _fmt(dl[i], 2),
            _fmt(dr[i], 2),
            _fmt(kl[i]),
            _fmt(kr[i]),
            _position(L.knee_position[i]),
            _position(R.knee_position[i]),
            _fmt(kasr[i]),
            _fmt(khr[i]),
            _fmt(L.flexion_deg[i], 1),
            _fmt(R.flexion_deg[i], 1),
            _fmt(L.thigh_deg[i], 2),
            _fmt(R.thigh_deg[i], 2),
            _fmt(L.shank_deg[i], 2),
            _fmt(R.shank_deg[i], 2),
            _fmt(L.thigh_ratio[i]),
            _fmt(R.thigh_ratio[i]),
            _fmt(metrics.yaw_deg[i], 1),
            _fmt(metrics.depth[i]),
            str(int(L.valid[i])),
            str(int(R.valid[i])),
            str(rep_of[i]) if rep_of[i] >= 0 else "",
            phase[i],
            str(int(swapped[i])),
            _fmt(L.fppa_deg[i], 2),
            _fmt(R.fppa_deg[i], 2),
            _fmt(L.knee_foot[i]),
            _fmt(R.knee_foot[i]),
            _fmt(metrics.kasr[i]),
            _fmt(metrics.knee_hip_ratio[i]),
        ]


def write_frames_csv(
    path: str | Path, track: PoseTrack, metrics: KneeMetrics, reps: tuple[Rep, ...] = ()
) -> Path:
    """Write frames.csv (one row per decoded frame), atomically."""
    with atomic_open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(FRAME_COLUMNS)
        writer.writerows(frame_rows(track, metrics, reps))
    return Path(path)
