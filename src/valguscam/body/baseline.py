"""The standing baseline of one side: its FPPA while the person stands still. Pure numpy.

Dynamic FPPA (functional valgus) is measured from this baseline, and a large standing angle is
reported as structural alignment. A baseline from the wrong frames (mid-squat, mid-step) turns
movement into "alignment", so it is taken only from frames where the person stands STILL with
straight legs: pelvis at standing height (depth <= BaselineConfig.max_depth), hip/knee/ankle
slower than max_speed leg lengths per second, for at least min_duration_s in all. Its spread (the
interquartile range of FPPA over those frames, degrees) is reported. Without enough still frames
the standing frames are used and the baseline is marked unreliable; without those either it is
unknown (NaN) and events are judged on the absolute FPPA. A stretch given by the user
(BaselineConfig.start_s / end_s, seconds) replaces the search.
"""

from __future__ import annotations

import numpy as np

from valguscam.config import BaselineConfig
from valguscam.types import Baseline, BaselineSource


def _covered_s(t_s: np.ndarray, use: np.ndarray) -> float:
    """Time covered by the frames in `use`: their count times the median frame interval."""
    dt = np.diff(t_s)
    frame_s = float(np.median(dt[dt > 0])) if np.any(dt > 0) else 0.0
    return float(use.sum()) * frame_s


def _from_frames(
    fppa: np.ndarray, use: np.ndarray, t_s: np.ndarray, source: BaselineSource, cfg: BaselineConfig
) -> Baseline:
    values = fppa[use]
    value = float(np.median(values))
    q75, q25 = np.percentile(values, [75, 25])
    spread = float(q75 - q25)
    reliable = source is not BaselineSource.MOVING and spread <= cfg.max_spread_deg
    return Baseline(
        fppa_deg=value,
        n_frames=int(use.sum()),
        structural=bool(reliable and abs(value) > cfg.structural_fppa_deg),
        spread_deg=spread,
        duration_s=_covered_s(t_s, use),
        source=source,
        reliable=reliable,
    )


def standing_baseline(
    fppa: np.ndarray,
    measurable: np.ndarray,
    standing: np.ndarray,
    still: np.ndarray,
    t_s: np.ndarray,
    cfg: BaselineConfig,
    given_deg: float = float("nan"),
) -> Baseline:
    """The standing baseline of one side.

    fppa: (T,) FPPA, degrees. measurable: (T,) bool, FPPA known and landmarks seen (the user's
    stretch uses these). standing: (T,) bool, frontal, seen and at standing height. still: (T,)
    bool, the leg moves slower than cfg.max_speed. t_s: (T,) seconds. given_deg: a standing FPPA
    measured elsewhere (another clip), used as is when finite.
    """
    if np.isfinite(given_deg):
        structural = bool(abs(given_deg) > cfg.structural_fppa_deg)
        return Baseline(given_deg, 0, structural, source=BaselineSource.GIVEN, reliable=True)
    if np.isfinite(cfg.start_s) and np.isfinite(cfg.end_s):
        given = measurable & (t_s >= cfg.start_s) & (t_s <= cfg.end_s)
        if given.any():
            return _from_frames(fppa, given, t_s, BaselineSource.GIVEN, cfg)
        return Baseline(float("nan"), 0, source=BaselineSource.NONE)
    use = standing & still
    if _covered_s(t_s, use) >= cfg.min_duration_s and use.sum() >= cfg.min_frames:
        return _from_frames(fppa, use, t_s, BaselineSource.STILL, cfg)
    if standing.sum() >= cfg.min_frames:
        return _from_frames(fppa, standing, t_s, BaselineSource.MOVING, cfg)
    return Baseline(float("nan"), int(standing.sum()), source=BaselineSource.NONE)
