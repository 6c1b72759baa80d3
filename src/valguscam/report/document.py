"""The report.json document: structure, conventions and quality warnings (pure, no I/O)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from valguscam import __version__
from valguscam.assessment.rep_summary import round_or_none
from valguscam.assessment.verdicts import summarize_side
from valguscam.body.geometry import finite_percentile
from valguscam.config import Config
from valguscam.types import KneeMetrics, PoseTrack, VideoInfo

SCHEMA_VERSION = "1.1"


@dataclass(frozen=True)
class ModelInfo:
    """Which pose model produced the landmarks."""

    name: str
    path: str
    sha256: str


@dataclass
class RunState:
    """How the run went: set by the pipeline, read into the report's quality block.

    pose_workers: landmarkers that ran in parallel (the effective pose.workers).
    timings_s: wall time per stage, seconds (model_load, pose, post, write); not in the report,
    so reports stay reproducible; benchmarks read it from AnalysisResult.
    """

    complete: bool = True
    notes: list[str] = field(default_factory=list)
    pose_workers: int = 1
    timings_s: dict[str, float] = field(default_factory=dict)


def conventions(cfg: Config) -> dict:
    """The measurement conventions and the range where the numbers hold, stated in the report."""
    v = cfg.validity
    return {
        "sides": "left/right are the subject's sides (a person facing the camera has their left "
        "on the image's right)",
        "fppa": "frontal plane projection angle between thigh (hip->knee) and shank (knee->ankle) "
        "in the image; 0 = straight, positive = valgus (knee medial of the hip-ankle line), "
        "negative = varus",
        "dynamic_fppa": "FPPA minus the side's standing baseline (median over frontal frames "
        "with the pelvis at standing height)",
        "knee_foot": "knee offset from the foot's line at mid-foot (between ankle and MediaPipe "
        "foot_index), along the hip line, in hip widths; positive = medial",
        "knee_position": "inside | big_toe | target (mid-outside of the foot) | outside, in foot "
        "widths from the mid-foot line; judged once the pelvis has dropped (bent knees)",
        "flexion": "knee flexion from MediaPipe 3D world landmarks in the sagittal plane; an "
        "estimate (reads 15-40 deg on straight legs), used for validity only",
        "valid_when": (
            f"frontal view (body yaw <= {v.max_yaw_deg:g} deg), knee flexion <= "
            f"{v.max_flexion_deg:g} deg, 2D thigh length >= {v.min_thigh_ratio:g} x standing, "
            f"hip/knee/ankle visibility >= {v.min_visibility:g}"
        ),
        "limits": "2D projection: camera yaw and deep flexion distort FPPA; manual 2D FPPA has "
        "SEM 2.7-3.0 deg and SDD 7.5-8.9 deg (Munro et al. 2012); differences smaller than that "
        "are within measurement error",
    }


def quality_warnings(
    track: PoseTrack, metrics: KneeMetrics, cfg: Config, view: str = "frontal"
) -> list[str]:
    """Human-readable warnings about what limits the trust in this clip's numbers.

    For a side or unknown view, the view warning of the movement stage says it all; the
    per-side frontal-plane warnings are left out.
    """
    warnings: list[str] = []
    n = track.n_frames
    with_pose = int(track.has_pose.sum())
    if with_pose == 0:
        return ["no person detected in any frame: nothing to measure"]
    if with_pose < 0.8 * n:
        warnings.append(f"person detected in only {with_pose} of {n} frames")
    if view not in ("frontal", "oblique"):
        return warnings
    yaw = finite_percentile(metrics.yaw_deg, 50)  # NaN when never estimated: no warning
    if yaw > cfg.validity.max_yaw_deg:
        warnings.append(
            f"camera view is not frontal (median body yaw {yaw:.0f} deg > "
            f"{cfg.validity.max_yaw_deg:g}): frontal-plane numbers are not assessed; "
            "film from the front"
        )
    for side in ("left", "right"):
        base = metrics.baseline[side]
        if not np.isfinite(base.fppa_deg):
            warnings.append(
                f"{side}: no standing frames for a baseline; dynamic FPPA unavailable, events "
                "judged on the absolute FPPA (start the clip standing still for a second, "
                "facing the camera, or name a standing stretch with --baseline START-END)"
            )
        elif not base.reliable:
            warnings.append(
                f"{side}: standing baseline unreliable ({base.source} frames, "
                f"{base.duration_s:.2f} s, spread {base.spread_deg:.1f} deg): dynamic FPPA and "
                "the structural check are indicative only; stand still for a second before the "
                "first rep, or name a standing stretch with --baseline START-END"
            )
        elif base.structural:
            warnings.append(
                f"{side}: standing FPPA {base.fppa_deg:+.1f} deg is beyond "
                f"+/-{cfg.baseline.structural_fppa_deg:g} deg: structural alignment, not a "
                "movement fault; see a professional if it concerns you"
            )
        if not metrics.side(side).valid.any():
            warnings.append(f"{side}: no frame where the frontal-plane numbers can be trusted")
    return warnings


def _summary(metrics: KneeMetrics, movement: dict) -> dict:
    """Per side: the clip-wide numbers, overlaid by the verdict and the judged-frame numbers."""
    out: dict = {"rep_count": len(movement["reps"])}
    for side in ("left", "right"):
        out[side] = {**summarize_side(metrics, side).to_dict(), **movement["sides"][side]}
    out["asymmetry"] = movement["asymmetry"]
    return out


def build_report(
    info: VideoInfo,
    model: ModelInfo,
    cfg: Config,
    track: PoseTrack,
    metrics: KneeMetrics,
    state: RunState,
    movement: dict,
) -> dict:
    """The report.json content (see docs/report-schema.json).

    movement: findings.findings_report(...) (view, exercise, reps, events, sides, advice).
    """
    with_pose = int(track.has_pose.sum())
    view = movement["view"]["label"]
    warnings = quality_warnings(track, metrics, cfg, view) + movement["warnings"] + state.notes
    status = "no_person" if with_pose == 0 else "ok" if state.complete else "incomplete"
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "valguscam", "version": __version__},
        "source": {
            "path": info.path,
            "width": info.width,
            "height": info.height,
            "fps": round(info.fps, 3),
            "frame_count": info.frame_count,
            "duration_s": round(info.duration_s, 3),
            "rotation": info.rotation,
        },
        "model": dataclasses.asdict(model),
        "config": cfg.to_dict(),
        "conventions": conventions(cfg),
        "quality": {
            "status": status,
            "frames": track.n_frames,
            "frames_with_pose": with_pose,
            "pose_workers": state.pose_workers,
            "leg_swap_frames": int(metrics.swapped.sum()) if metrics.swapped is not None else 0,
            "median_yaw_deg": round_or_none(finite_percentile(metrics.yaw_deg, 50), 1),
            "warnings": warnings,
        },
        "baseline": {
            side: {
                "fppa_deg": round_or_none(b.fppa_deg),
                "frames": b.n_frames,
                "structural": b.structural,
                "spread_deg": round_or_none(b.spread_deg),
                "duration_s": round_or_none(b.duration_s),
                "source": str(b.source),
                "reliable": b.reliable,
            }
            for side, b in metrics.baseline.items()
        },
        "view": movement["view"],
        "exercise": movement["exercise"],
        "reps": movement["reps"],
        "events": movement["events"],
        "summary": _summary(metrics, movement),
        "advice": movement["advice"],
    }
