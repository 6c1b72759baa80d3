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
    knee_position_share: fraction of valid frames with a known position in each class.
    peak_knee_foot: largest medial knee offset from the big-toe line, hip widths.
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
    knee_position_share: dict[str, float]

    def to_dict(self) -> dict:
        return asdict(self)


def _opt(x: float) -> float | None:
    return round(float(x), 2) if x is not None and np.isfinite(x) else None


def summarize_side(metrics: KneeMetrics, side: str) -> SideSummary:
    """Summary of one side ("left" or "right") over the valid frames of the clip."""
    m = metrics.side(side)
    base = metrics.baseline.get(side) or Baseline(float("nan"), 0)
    valid = m.valid
    n = int(valid.sum())
    total = max(int(np.isfinite(metrics.t_s).sum()), 1)
    shares = dict.fromkeys(POSITION_LABELS, 0.0)
    if n == 0:
        return SideSummary(
            assessable=False,
            valid_frames=0,
            valid_share=0.0,
            baseline_fppa_deg=_opt(base.fppa_deg),
            baseline_frames=base.n_frames,
            structural=base.structural,
            peak_fppa_deg=None,
            peak_time_s=None,
            min_fppa_deg=None,
            peak_dynamic_fppa_deg=None,
            peak_knee_foot=None,
            knee_position_share=shares,
        )
    fppa = np.where(valid, m.fppa_deg, np.nan)
    i_peak = int(np.nanargmax(fppa))
    known = valid & (m.knee_position >= 0)
    if known.any():
        counts = np.bincount(m.knee_position[known], minlength=len(POSITION_LABELS))
        shares = {
            lab: round(float(c) / known.sum(), 3)
            for lab, c in zip(POSITION_LABELS, counts, strict=True)
        }
    kf = np.where(valid, m.knee_foot, np.nan)
    return SideSummary(
        assessable=True,
        valid_frames=n,
        valid_share=round(n / total, 3),
        baseline_fppa_deg=_opt(base.fppa_deg),
        baseline_frames=base.n_frames,
        structural=base.structural,
        peak_fppa_deg=_opt(fppa[i_peak]),
        peak_time_s=_opt(metrics.t_s[i_peak]),
        min_fppa_deg=_opt(np.nanmin(fppa)),
        peak_dynamic_fppa_deg=_opt(fppa[i_peak] - base.fppa_deg),
        peak_knee_foot=_opt(np.nanmax(kf)) if np.isfinite(kf).any() else None,
        knee_position_share=shares,
    )
