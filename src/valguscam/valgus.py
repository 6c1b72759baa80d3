"""Knee valgus findings from per-frame metrics: per-side summaries. Pure numpy.

Only frames flagged valid (frontal view, moderate flexion, landmarks seen) count; a side with
no valid frame is `assessable: False` and gets no numbers, rather than confident wrong ones.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from valguscam.types import Baseline, KneeMetrics, KneePosition

POSITION_LABELS = tuple(p.label for p in KneePosition if p is not KneePosition.UNKNOWN)


@dataclass(frozen=True)
class SideSummary:
    """One side over the clip. Angles in degrees, FPPA + = valgus; None where not measurable.

    peak_fppa_deg: largest FPPA on valid frames (most valgus) and its time peak_time_s.
    min_fppa_deg: smallest FPPA on valid frames (most varus).
    peak_dynamic_fppa_deg: largest FPPA minus the standing baseline.
    knee_position_share: fraction of the frames with a known knee position (bent knee, frontal
    view) in each class; position_frames: how many such frames.
    peak_knee_foot: largest medial knee offset from the big-toe line (hip widths) on frames with a
    known knee position.
    """

    assessable: bool
    valid_frames: int
    valid_share: float
    baseline_fppa_deg: float | None
    baseline_frames: int
    structural: bool
    peak_fppa_deg: float | None
    peak_time_s: float | None
    min_fppa_deg: float | None
    peak_dynamic_fppa_deg: float | None
    peak_knee_foot: float | None
    position_frames: int
    knee_position_share: dict[str, float]

    def to_dict(self) -> dict:
        return asdict(self)


def _opt(x: float) -> float | None:
    return round(float(x), 2) if x is not None and np.isfinite(x) else None


def position_shares(position: np.ndarray) -> tuple[dict[str, float], int]:
    """Share of frames in each knee-position class among frames with a known position."""
    known = position >= 0
    n = int(known.sum())
    counts = np.bincount(position[known], minlength=len(POSITION_LABELS)) if n else None
    shares = {
        lab: round(float(counts[i]) / n, 3) if n else 0.0 for i, lab in enumerate(POSITION_LABELS)
    }
    return shares, n


def summarize_side(metrics: KneeMetrics, side: str) -> SideSummary:
    """Summary of one side ("left" or "right") over the valid frames of the clip."""
    m = metrics.side(side)
    base = metrics.baseline.get(side) or Baseline(float("nan"), 0)
    n = int(m.valid.sum())
    total = max(len(metrics.t_s), 1)
    shares, n_position = position_shares(m.knee_position)
    fppa = np.where(m.valid, m.fppa_deg, np.nan)
    i_peak = int(np.nanargmax(fppa)) if n else None
    kf = np.where(m.knee_position >= 0, m.knee_foot, np.nan)
    return SideSummary(
        assessable=n > 0,
        valid_frames=n,
        valid_share=round(n / total, 3),
        baseline_fppa_deg=_opt(base.fppa_deg),
        baseline_frames=base.n_frames,
        structural=base.structural,
        peak_fppa_deg=_opt(fppa[i_peak]) if n else None,
        peak_time_s=_opt(metrics.t_s[i_peak]) if n else None,
        min_fppa_deg=_opt(np.nanmin(fppa)) if n else None,
        peak_dynamic_fppa_deg=_opt(fppa[i_peak] - base.fppa_deg) if n else None,
        peak_knee_foot=_opt(np.nanmax(kf)) if n_position else None,
        position_frames=n_position,
        knee_position_share=shares,
    )
