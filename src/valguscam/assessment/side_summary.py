"""The plain per-side summary of a clip, over its valid frames. Pure numpy.

Only frames flagged valid (frontal view, moderate flexion, landmarks seen) count; a side with
no valid frame is `assessable: False` and gets no numbers, rather than confident wrong ones.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from valguscam.assessment.rep_summary import finite_or_none, position_shares
from valguscam.types import Baseline, KneeMetrics


@dataclass(frozen=True)
class SideSummary:
    """One side over the clip. Angles in degrees, FPPA + = valgus; None where not measurable.
    Full precision: the report rounds when it is written.

    peak_fppa_deg: largest FPPA on valid frames (most valgus) and its time peak_time_s.
    min_fppa_deg: smallest FPPA on valid frames (most varus).
    peak_dynamic_fppa_deg: largest FPPA minus the standing baseline.
    knee_position_share: fraction of the frames with a known knee position (bent knee, frontal
    view) in each class, None each when there is no such frame; position_frames: how many.
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
    knee_position_share: dict[str, float | None]

    def to_dict(self) -> dict:
        """The fields as a plain dict (unrounded)."""
        return asdict(self)


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
        valid_share=n / total,
        baseline_fppa_deg=finite_or_none(base.fppa_deg),
        baseline_frames=base.n_frames,
        structural=base.structural,
        peak_fppa_deg=finite_or_none(fppa[i_peak]) if n else None,
        peak_time_s=finite_or_none(metrics.t_s[i_peak]) if n else None,
        min_fppa_deg=finite_or_none(np.nanmin(fppa)) if n else None,
        peak_dynamic_fppa_deg=finite_or_none(fppa[i_peak] - base.fppa_deg) if n else None,
        peak_knee_foot=finite_or_none(np.nanmax(kf)) if n_position else None,
        position_frames=n_position,
        knee_position_share=shares,
    )
