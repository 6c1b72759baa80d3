"""The report document: `build_report` makes the typed Report (report/model.py) of one
analysis from the typed findings, with its conventions and quality warnings (pure, no I/O).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from valguscam.assessment.asymmetry import tracking_asymmetry
from valguscam.assessment.findings import Findings
from valguscam.assessment.side_summary import summarize_side
from valguscam.assessment.verdicts import Assessment
from valguscam.body.geometry import finite_percentile
from valguscam.config import Config
from valguscam.report.model import (
    SCHEMA_VERSION,
    AsymmetryReport,
    EventEntry,
    EventKind,
    ExerciseInfo,
    ModelInfo,
    Quality,
    RepEntry,
    Report,
    RunStatus,
    SideReport,
    Summary,
)
from valguscam.types import KneeMetrics, PoseTrack, VideoInfo

__all__ = [
    "SCHEMA_VERSION",
    "ModelInfo",
    "Report",
    "RunState",
    "build_report",
    "conventions",
    "quality_warnings",
]


@dataclass
class RunState:
    """How the run went: set by the pipeline, read into the report's quality block.

    pose_workers: landmarkers that ran in parallel (the effective pose.workers).
    timings_s: wall time per stage, seconds (model_load, pose, post, write); not in the report,
    so reports stay reproducible; benchmarks read it from AnalysisResult.
    frames_expected: frames the source said it holds (0 = unknown: a webcam);
    frames_decoded: frames the pose pass received. stopped: why the run ended early
    ("interrupted", "decoding"; "" = it ran to the end); stop_detail: the reason, one line.
    """

    complete: bool = True
    notes: list[str] = field(default_factory=list)
    pose_workers: int = 1
    timings_s: dict[str, float] = field(default_factory=dict)
    frames_expected: int = 0
    frames_decoded: int = 0
    stopped: str = ""
    stop_detail: str = ""


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
    track: PoseTrack,
    metrics: KneeMetrics,
    cfg: Config,
    view: str = "frontal",
    judged: bool = True,
) -> list[str]:
    """Human-readable warnings about what limits the trust in this clip's numbers.

    For a side or unknown view, or a clip where no movement was recognised (judged False), the
    movement stage's warning says it all; the per-side frontal-plane warnings are left out.
    """
    warnings: list[str] = []
    n = track.n_frames
    with_pose = int(track.has_pose.sum())
    if with_pose == 0:
        return ["no person detected in any frame: nothing to measure"]
    if with_pose < 0.8 * n:
        warnings.append(f"person detected in only {with_pose} of {n} frames")
    if view not in ("frontal", "oblique") or not judged:
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


def _summary(metrics: KneeMetrics, a: Assessment, rep_count: int, sdd_tl: float) -> Summary:
    """Per side: the clip-wide numbers and the verdict; the asymmetry."""
    left, right = (SideReport(summarize_side(metrics, s), a.sides[s]) for s in ("left", "right"))
    tracking = a.tracking or tracking_asymmetry(a.reps, sdd_tl)
    return Summary(rep_count, left, right, AsymmetryReport(a.asymmetry, tracking))


def _reps(f: Findings) -> tuple[RepEntry, ...]:
    rows = {(r.rep, r.side): r for r in f.assessment.reps}
    return tuple(
        RepEntry(rep, view.label, rows.get((rep.index, "left")), rows.get((rep.index, "right")))
        for rep, view in zip(f.reps, f.rep_views, strict=True)
    )


def _events(a: Assessment) -> tuple[EventEntry, ...]:
    events = [EventEntry(EventKind.VALGUS, e) for e in a.events]
    events += [EventEntry(EventKind.VARUS, e) for e in a.varus_events]
    return tuple(sorted(events, key=lambda e: e.event.start_s))


def _quality(
    track: PoseTrack, metrics: KneeMetrics, state: RunState, warnings: list[str]
) -> Quality:
    with_pose = int(track.has_pose.sum())
    status = (
        RunStatus.NO_PERSON
        if with_pose == 0
        else RunStatus.OK
        if state.complete
        else RunStatus.INCOMPLETE
    )
    return Quality(
        status=status,
        frames=track.n_frames,
        frames_with_pose=with_pose,
        pose_workers=state.pose_workers,
        leg_swap_frames=int(metrics.swapped.sum()) if metrics.swapped is not None else 0,
        median_yaw_deg=finite_percentile(metrics.yaw_deg, 50),
        warnings=tuple(warnings),
        frames_expected=state.frames_expected or None,
        stopped=state.stopped or None,
    )


def build_report(
    info: VideoInfo,
    model: ModelInfo,
    cfg: Config,
    track: PoseTrack,
    metrics: KneeMetrics,
    state: RunState,
    findings: Findings,
) -> Report:
    """The typed report of one analysis; `.to_dict()` is the report.json content (see
    docs/report-schema.json).

    findings: find_movement(...) (view, reps, exercise, assessment, advice).
    """
    a = findings.assessment
    judged = bool(findings.reps) and findings.exercise != "unknown"
    warnings = quality_warnings(track, metrics, cfg, findings.view.label, judged)
    if track.has_pose.any():  # with no person at all, that is the one reason worth giving
        warnings += list(a.warnings)
    warnings += state.notes
    return Report(
        source=info,
        model=model,
        config=cfg,
        conventions=conventions(cfg),
        quality=_quality(track, metrics, state, warnings),
        baseline=dict(metrics.baseline),
        view=findings.view,
        exercise=ExerciseInfo(findings.exercise, findings.exercise_source),
        reps=_reps(findings),
        events=_events(a),
        summary=_summary(metrics, a, len(findings.reps), cfg.depth.asymmetry_sdd_tl),
        advice=findings.advice,
    )
