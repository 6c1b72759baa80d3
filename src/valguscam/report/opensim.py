"""OpenSim / biomechanics files: 2D pixel landmarks as .trc, knee angles as .mot.

The layout follows what Sports2D writes (Sports2D/process.py `make_trc_with_trc_data` and
`make_mot_with_angles`), which Pose2Sim reads back (Pose2Sim/common.py `read_trc`,
`read_mot`): tab-separated, a 5-line .trc header (PathFileType / field names / values /
Frame# Time marker names / X1 Y1 Z1 ...) and a .mot header ending in `endheader`, then a
`time` column. Like Sports2D's pixel file (`<stem>_px_person00.trc`), coordinates are image
pixels with y DOWN (not flipped) and Z = 0; Frame# counts from 0. A missing value is an
empty field, as pandas' `to_csv` writes NaN in Sports2D's files.

Differences from Sports2D, on purpose: Units is "px" (Sports2D writes "m" even in its pixel
file); Time is the container's timestamp of each frame (variable frame rate), and DataRate /
CameraRate / OrigDataRate are the mean rate over the clip, not a nominal fps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from valguscam.landmarks import Landmark
from valguscam.report.atomic import atomic_open
from valguscam.types import KneeMetrics, PoseTrack

TRC_MARKERS: dict[str, int] = {
    "RShoulder": Landmark.RIGHT_SHOULDER,
    "LShoulder": Landmark.LEFT_SHOULDER,
    "RHip": Landmark.RIGHT_HIP,
    "LHip": Landmark.LEFT_HIP,
    "RKnee": Landmark.RIGHT_KNEE,
    "LKnee": Landmark.LEFT_KNEE,
    "RAnkle": Landmark.RIGHT_ANKLE,
    "LAnkle": Landmark.LEFT_ANKLE,
    "RHeel": Landmark.RIGHT_HEEL,
    "LHeel": Landmark.LEFT_HEEL,
    "RBigToe": Landmark.RIGHT_FOOT_INDEX,
    "LBigToe": Landmark.LEFT_FOOT_INDEX,
}
"""Marker name (Sports2D / HALPE_26 spelling) -> MediaPipe index. BigToe is MediaPipe's
foot_index, a toe-tip point near the big and second toe."""

MOT_CONVENTIONS = (
    "valguscam knee angles in degrees; left and right are the subject's sides.",
    "fppa: frontal plane projection angle (thigh hip->knee vs shank knee->ankle in the image),"
    " 0 when collinear, positive for valgus (knee medial of the hip-ankle line), negative for"
    " varus; empty where the frame is not valid for FPPA (view, visibility, flexion,"
    " foreshortening).",
    "knee_flexion: from MediaPipe world landmarks, 0 when straight, positive when flexed.",
    "thigh, shank: hip->knee and knee->ankle angle to the image vertical, positive when the"
    " knee is medial of the hip (thigh) or of the ankle (shank).",
    "An empty field: not measurable in that frame.",
)
"""Comment lines of the .mot header. No "=" in them: OpenSim reads "key=value" header lines
as metadata."""

TRC_DIGITS = 3
MOT_DIGITS = 4
TIME_DIGITS = 6


def _num(value: float, digits: int) -> str:
    """`value` rounded to `digits` decimals; "" for NaN (the empty field Sports2D writes)."""
    return f"{value:.{digits}f}" if np.isfinite(value) else ""


def mean_rate(t_s: np.ndarray) -> float:
    """Mean frame rate of timestamps `t_s` (seconds), frames per second; 0 if undefined."""
    t = np.asarray(t_s, float)
    if len(t) < 2 or not t[-1] > t[0]:
        return 0.0
    return float((len(t) - 1) / (t[-1] - t[0]))


def trc_text(
    track: PoseTrack,
    names: Mapping[str, int] = TRC_MARKERS,
    *,
    file_name: str = "valguscam.trc",
    units: str = "px",
) -> str:
    """The .trc file of `track`'s landmarks `names` (marker name -> MediaPipe index).

    X, Y: image pixels (x right, y down, as Sports2D's pixel .trc); Z = 0. Time: t_s (s).
    DataRate/CameraRate/OrigDataRate: the mean frame rate, rounded to 3 decimals.
    """
    labels, ids = list(names), list(names.values())
    n = track.n_frames
    rate = f"{mean_rate(track.t_s):.3f}".rstrip("0").rstrip(".")
    header = [
        f"PathFileType\t4\t(X/Y/Z)\t{file_name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate"
        "\tOrigDataStartFrame\tOrigNumFrames",
        "\t".join(map(str, [rate, rate, n, len(labels), units, rate, 0, n])),
        "Frame#\tTime\t" + "\t\t\t".join(labels) + "\t\t\t",
        "\t\t" + "\t".join(f"X{i + 1}\tY{i + 1}\tZ{i + 1}" for i in range(len(labels))),
    ]
    xy = track.xy[:, ids, :]
    lines = header
    for f in range(n):
        cells = [str(f), _num(track.t_s[f], TIME_DIGITS)]
        for m in range(len(ids)):
            x, y = xy[f, m]
            z = 0.0 if np.isfinite(x) and np.isfinite(y) else np.nan
            cells += [_num(x, TRC_DIGITS), _num(y, TRC_DIGITS), _num(z, TRC_DIGITS)]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def mot_text(
    t_s: np.ndarray,
    columns: Mapping[str, np.ndarray],
    *,
    name: str = "Coordinates",
    comments: Sequence[str] = MOT_CONVENTIONS,
) -> str:
    """The .mot file of angle `columns` (name -> (T,) degrees) over `t_s` (seconds).

    Header as Sports2D writes it (name, version=1, nRows, nColumns, inDegrees=yes, free
    comment lines, endheader). nColumns counts `time` too, as OpenSim's own .mot files do
    (Sports2D writes the angle count only; Pose2Sim's reader ignores the field).
    """
    t = np.asarray(t_s, float)
    cols = {k: np.asarray(v, float) for k, v in columns.items()}
    for key, values in cols.items():
        if values.shape != t.shape:
            raise ValueError(f"column {key!r} has shape {values.shape}, time has {t.shape}")
        if any(c in key for c in " \t\n"):
            raise ValueError(f"column name {key!r} has white space")
    if bad := [c for c in comments if "=" in c or "\n" in c]:
        raise ValueError(f"a .mot comment line may hold no '=' or newline: {bad[0]!r}")
    header = [
        name,
        "version=1",
        f"nRows={len(t)}",
        f"nColumns={len(cols) + 1}",
        "inDegrees=yes",
        "",
        *comments,
        "",
        "endheader",
        "\t".join(["time", *cols]),
    ]
    lines = header
    for i in range(len(t)):
        cells = [_num(t[i], TIME_DIGITS), *(_num(v[i], MOT_DIGITS) for v in cols.values())]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def angle_columns(metrics: KneeMetrics) -> dict[str, np.ndarray]:
    """The .mot columns of `metrics`, degrees: FPPA on valid frames only (NaN elsewhere), knee
    flexion, thigh and shank angles, per side."""
    out: dict[str, np.ndarray] = {}
    for side in ("left", "right"):
        s = metrics.side(side)
        out[f"{side}_fppa"] = np.where(s.valid, s.fppa_deg, np.nan)
    for side in ("left", "right"):
        s = metrics.side(side)
        out[f"{side}_knee_flexion"] = np.asarray(s.flexion_deg, float)
        out[f"{side}_thigh"] = np.asarray(s.thigh_deg, float)
        out[f"{side}_shank"] = np.asarray(s.shank_deg, float)
    return out


def write_trc(path: str | Path, track: PoseTrack) -> Path:
    """Write `track`'s lower-body and shoulder landmarks to `path` (.trc), atomically."""
    path = Path(path)
    text = trc_text(track, file_name=path.name)
    with atomic_open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return path


def write_mot(path: str | Path, metrics: KneeMetrics) -> Path:
    """Write `metrics`' knee angles to `path` (.mot), atomically."""
    path = Path(path)
    text = mot_text(metrics.t_s, angle_columns(metrics))
    with atomic_open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return path
