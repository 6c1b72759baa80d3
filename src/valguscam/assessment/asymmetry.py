"""Left-right differences of one clip: FPPA asymmetry against its smallest detectable
difference, and the descriptive knee tracking at depth. Pure numpy; full precision."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from valguscam.assessment.rep_summary import RepSideSummary
from valguscam.config import EventsConfig
from valguscam.types import Verdict

if TYPE_CHECKING:
    from valguscam.assessment.verdicts import SideAssessment


@dataclass(frozen=True)
class Asymmetry:
    """Left minus right FPPA (degrees, + = the left knee goes more into valgus).

    peak_diff_deg: difference of the sides' peaks; bottom_diff_deg: of their mean FPPA at the
    bottom of the reps (None when no rep had an assessable bottom); near_bottom_diff_deg: of
    their means near the bottom (the valid descent/ascent frames when the bottom is not valid).
    exceeds_sdd: |peak_diff_deg| (else the bottom, else the near-bottom difference) >
    threshold_deg, the smallest detectable difference of 2D FPPA; below it a difference is
    within measurement error.
    """

    assessable: bool
    reason: str | None
    reference: str
    peak_diff_deg: float | None
    bottom_diff_deg: float | None
    near_bottom_diff_deg: float | None
    threshold_deg: float
    exceeds_sdd: bool
    more_valgus_side: str | None


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def asymmetry(sides: dict[str, SideAssessment], cfg: EventsConfig) -> Asymmetry:
    """Left minus right peak and bottom FPPA; dynamic when both sides have a baseline."""
    left, right = sides["left"], sides["right"]
    absolute = "absolute" in (left.reference, right.reference)
    ref = "absolute" if absolute else "dynamic"
    missing = [s.side for s in (left, right) if s.verdict == Verdict.NOT_ASSESSABLE]
    if missing:
        why = f"{' and '.join(missing)} knee not assessable"
        return Asymmetry(False, why, ref, None, None, None, cfg.asymmetry_deg, False, None)
    dyn = "" if absolute else "dynamic_"
    peak, bottom, near = (
        _diff(getattr(left, f"{name}{dyn}fppa_deg"), getattr(right, f"{name}{dyn}fppa_deg"))
        for name in ("peak_", "bottom_", "near_bottom_")
    )
    main = next((d for d in (peak, bottom, near) if d is not None), None)
    exceeds = main is not None and abs(main) > cfg.asymmetry_deg
    more = ("left" if main > 0 else "right") if exceeds else None
    return Asymmetry(
        assessable=True, reason=None, reference=ref, peak_diff_deg=peak, bottom_diff_deg=bottom,
        near_bottom_diff_deg=near, threshold_deg=cfg.asymmetry_deg, exceeds_sdd=exceeds,
        more_valgus_side=more,
    )  # fmt: skip


@dataclass(frozen=True)
class TrackingAsymmetry:
    """Left minus right knee position and knee travel at depth, medians over reps.

    knee_foot_diff_at_depth: hip widths (+ = the left knee sits more medially over its foot).
    travel_diff_at_depth_tl: the knees' travel from their early-descent positions, standing
    thigh lengths (+ = the left knee travelled more medially); travel_exceeds_sdd: beyond
    travel_sdd_tl, the smallest detectable difference of that left-right difference.
    Descriptive: people differ left to right by build and camera placement, so it is not a
    verdict.
    """

    knee_foot_diff_at_depth: float | None
    more_medial_side_at_depth: str | None
    travel_diff_at_depth_tl: float | None
    travel_sdd_tl: float
    travel_exceeds_sdd: bool


def _median_diff(pairs: Iterable[tuple[RepSideSummary, RepSideSummary]], key: str) -> float | None:
    """Median over reps of left minus right `key` (None where either side lacks it)."""
    diffs = [
        getattr(left, key) - getattr(right, key)
        for left, right in pairs
        if getattr(left, key) is not None and getattr(right, key) is not None
    ]
    return float(np.median(diffs)) if diffs else None


def tracking_asymmetry(rows: Iterable[RepSideSummary], sdd_tl: float) -> TrackingAsymmetry:
    """TrackingAsymmetry of the rep summaries `rows` (both sides of each rep)."""
    by_rep: dict[int, dict[str, RepSideSummary]] = {}
    for row in rows:
        by_rep.setdefault(row.rep, {})[row.side] = row
    pairs = [(r["left"], r["right"]) for r in by_rep.values() if "left" in r and "right" in r]
    diff = _median_diff(pairs, "knee_foot_at_depth")
    travel = _median_diff(pairs, "excursion_at_depth_tl")
    return TrackingAsymmetry(
        knee_foot_diff_at_depth=diff,
        more_medial_side_at_depth=None if not diff else "left" if diff > 0 else "right",
        travel_diff_at_depth_tl=travel,
        travel_sdd_tl=sdd_tl,
        travel_exceeds_sdd=travel is not None and abs(travel) > sdd_tl,
    )
