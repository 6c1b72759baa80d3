"""How far two analyses of the same clip differ (run settings, decoders, models): pure numpy.

Used to state the tolerance of a speed-up that is not bit-identical (pose.workers = 2 against
the single-landmarker reference): leg landmarks in thigh lengths, FPPA in degrees on frames
valid in both runs, and whether reps, verdicts and events agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from valguscam.body.geometry import finite_percentile
from valguscam.landmarks import LEGS, Side
from valguscam.report.model import Report
from valguscam.types import KneeMetrics, KneePosition, PoseTrack

LEG_POINTS: tuple[int, ...] = tuple(
    i for leg in LEGS.values() for i in (leg.hip, leg.knee, leg.ankle, leg.heel, leg.toe)
)


@dataclass(frozen=True)
class Agreement:
    """Differences of run b from reference run a on one clip.

    landmark_*: 2D distance of the leg landmarks (hips, knees, ankles, heels, toes) between the
    runs on frames with a pose in both, in thigh lengths (the reference's median 2D thigh).
    fppa_*_deg: |FPPA_b - FPPA_a| of both sides on frames valid in both runs, degrees.
    pose_mismatch_frames: frames where exactly one run found a person.
    validity_mismatch_share: share of side-frames valid in exactly one run.
    knee_foot_median: median |knee-over-foot offset_b - offset_a|, hip widths, where both known.
    position_mismatch_share: share of side-frames, classed in both runs, whose knee-over-foot
    class differs; position_share_max_diff: largest difference of a summary time share
    (report summary knee_position_share, any side and class), as a fraction.
    """

    frames: int
    landmark_median: float
    landmark_p95: float
    fppa_median_deg: float
    fppa_p95_deg: float
    fppa_max_deg: float
    pose_mismatch_frames: int
    validity_mismatch_share: float
    knee_foot_median: float
    position_mismatch_share: float
    position_share_max_diff: float
    same_rep_count: bool
    same_verdicts: bool
    same_event_count: bool
    rep_peak_fppa_max_diff_deg: float

    def to_dict(self) -> dict:
        return asdict(self)


def thigh_length_px(track: PoseTrack) -> float:
    """Median 2D hip-knee distance over both legs and all frames, pixels (NaN if never seen)."""
    lengths = [
        np.linalg.norm(track.xy[:, leg.hip] - track.xy[:, leg.knee], axis=1)
        for leg in LEGS.values()
    ]
    return finite_percentile(np.concatenate(lengths), 50)


def compare(
    track_a: PoseTrack,
    metrics_a: KneeMetrics,
    report_a: Report,
    track_b: PoseTrack,
    metrics_b: KneeMetrics,
    report_b: Report,
) -> Agreement:
    """Agreement of run b with reference run a; both tracks (T, ...) of the same frames, with
    their typed reports (Analysis.report)."""
    if track_a.n_frames != track_b.n_frames:
        raise ValueError(f"frame counts differ: {track_a.n_frames} vs {track_b.n_frames}")
    both = track_a.has_pose & track_b.has_pose
    dist = np.linalg.norm(track_a.xy[both][:, LEG_POINTS] - track_b.xy[both][:, LEG_POINTS], axis=2)
    dist = dist / thigh_length_px(track_a)
    fppa, valid_a, valid_b, offset, classes = [], [], [], [], []
    for side in (Side.LEFT.value, Side.RIGHT.value):
        a, b = metrics_a.side(side), metrics_b.side(side)
        ok = a.valid & b.valid
        fppa.append(np.abs(a.fppa_deg[ok] - b.fppa_deg[ok]))
        valid_a.append(a.valid)
        valid_b.append(b.valid)
        offset.append(np.abs(a.knee_foot - b.knee_foot))
        known = (a.knee_position != KneePosition.UNKNOWN) & (
            b.knee_position != KneePosition.UNKNOWN
        )
        classes.append(a.knee_position[known] != b.knee_position[known])
    dfppa = np.concatenate(fppa)
    class_diff = np.concatenate(classes)
    va, vb = np.concatenate(valid_a), np.concatenate(valid_b)
    return Agreement(
        frames=int(track_a.n_frames),
        landmark_median=finite_percentile(dist, 50),
        landmark_p95=finite_percentile(dist, 95),
        fppa_median_deg=finite_percentile(dfppa, 50),
        fppa_p95_deg=finite_percentile(dfppa, 95),
        fppa_max_deg=float(dfppa.max()) if dfppa.size else float("nan"),
        pose_mismatch_frames=int((track_a.has_pose != track_b.has_pose).sum()),
        validity_mismatch_share=float((va != vb).mean()) if va.size else 0.0,
        knee_foot_median=finite_percentile(np.concatenate(offset), 50),
        position_mismatch_share=float(class_diff.mean()) if class_diff.size else float("nan"),
        position_share_max_diff=_share_diff(report_a, report_b),
        same_rep_count=len(report_a.reps) == len(report_b.reps),
        same_verdicts=_verdicts(report_a) == _verdicts(report_b),
        same_event_count=len(report_a.events) == len(report_b.events),
        rep_peak_fppa_max_diff_deg=_rep_peak_diff(report_a, report_b),
    )


def _verdicts(report: Report) -> tuple:
    return tuple(report.summary.side(side).judged.verdict for side in ("left", "right"))


def _share_diff(report_a: Report, report_b: Report) -> float:
    """Largest difference of the clip-wide knee-over-foot time shares (NaN when none compare)."""
    diffs = []
    for side in ("left", "right"):
        shares_a = report_a.summary.side(side).clip.knee_position_share
        shares_b = report_b.summary.side(side).clip.knee_position_share
        diffs += [
            abs(share - shares_b[name])
            for name, share in shares_a.items()
            if share is not None and shares_b.get(name) is not None
        ]
    return max(diffs) if diffs else float("nan")


def _rep_peak_diff(report_a: Report, report_b: Report) -> float:
    """Largest |peak FPPA| difference over reps matched by index (NaN when none compare)."""
    diffs = []
    for ra, rb in zip(report_a.reps, report_b.reps, strict=False):
        for sa, sb in ((ra.left, rb.left), (ra.right, rb.right)):
            if sa is None or sb is None or None in (sa.peak_fppa_deg, sb.peak_fppa_deg):
                continue
            diffs.append(abs(sa.peak_fppa_deg - sb.peak_fppa_deg))
    return max(diffs) if diffs else float("nan")
