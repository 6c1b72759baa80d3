"""What the video overlay shows in one frame: `OverlayState`, built from an Analysis. Pure numpy.

The drawing itself is draw/overlay.py (`annotate(frame, state) -> frame`); this module only
turns the per-frame arrays of an Analysis into one small frozen state per frame, so the live HUD
can build the same states from its own online stages. Left/right are the subject's sides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valguscam.landmarks import LEGS, Side
from valguscam.types import KneePosition, ValgusEvent

SIDES = ("left", "right")
LEG_POINTS = ("hip", "knee", "ankle", "heel", "toe")
"""Rows of SideState.points, in this order."""

MEASURE_WORDS = {"fppa": "FPPA", "knee_over_foot": "knee over foot"}


@dataclass(frozen=True)
class SideState:
    """One leg in one frame.

    points: (5, 2) pixels of hip, knee, ankle, heel, toe (LEG_POINTS); NaN where unknown.
    zone: (2, 2) pixels, the two ends (medial, lateral) of the foot's target zone (the
        mid-outside of the foot, at mid-foot), or None when unknown.
    position: where the knee is over the foot (KneePosition; UNKNOWN when not placed).
    fppa_deg, dynamic_deg: FPPA and its change from the standing baseline, degrees, + = valgus;
        None when not valid in this frame.
    travel_tl: the knee's medial travel over the foot at depth, standing thigh lengths,
        + = medial; None when not at depth.
    note: why the numbers are missing ("deep flexion", "turned away", ...), or None.
    """

    points: np.ndarray
    position: KneePosition = KneePosition.UNKNOWN
    fppa_deg: float | None = None
    dynamic_deg: float | None = None
    travel_tl: float | None = None
    note: str | None = None
    zone: np.ndarray | None = None

    def __post_init__(self) -> None:
        if np.shape(self.points) != (5, 2):
            raise ValueError(f"SideState.points has shape {np.shape(self.points)}, expected (5, 2)")


@dataclass(frozen=True)
class OverlayState:
    """Everything the overlay draws in one frame.

    left, right: the subject's legs. rep: the rep in progress (1-based) or None; reps_done:
    reps completed so far. banner: text of an active collapse event (drawn red), or None.
    banner_side: "left"/"right", the side of that event. fps_text: e.g. "30 fps", or None.
    """

    left: SideState
    right: SideState
    rep: int | None = None
    reps_done: int = 0
    banner: str | None = None
    banner_side: str | None = None
    fps_text: str | None = None

    def side(self, name: str) -> SideState:
        return self.left if name == "left" else self.right


def leg_points(xy: np.ndarray, side: str) -> np.ndarray:
    """(T, 5, 2) pixels of LEG_POINTS for `side` from a (T, 33, 2) landmark array."""
    leg = LEGS[Side(side)]
    return xy[:, [leg.hip, leg.knee, leg.ankle, leg.heel, leg.toe]]


def target_zones(
    pts: np.ndarray, other_hip: np.ndarray, lateral_fw: float, breadth_ratio: float
) -> np.ndarray:
    """(T, 2, 2) pixels: the foot's target zone (medial end, lateral end) per frame.

    pts: (T, 5, 2) one leg's LEG_POINTS; other_hip: (T, 2) the other hip. The zone runs from the
    foot_index line (u = 0) to `lateral_fw` foot widths lateral of it, along the hip line (the
    body's lateral axis), at mid-foot (half way between ankle and foot_index). Foot width =
    breadth_ratio * the clip's median knee-ankle length (KneeFootConfig). NaN where unknown.
    """
    hip, knee, ankle, toe = pts[:, 0], pts[:, 1], pts[:, 2], pts[:, 4]
    axis = hip - other_hip
    norm = np.linalg.norm(axis, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        lateral = axis / norm
    shank = np.linalg.norm(knee - ankle, axis=1)
    width = breadth_ratio * (np.nanmedian(shank) if np.isfinite(shank).any() else np.nan)
    mid = (ankle + toe) / 2
    base = mid + lateral * np.sum((toe - mid) * lateral, axis=1, keepdims=True)
    return np.stack([base, base + lateral * lateral_fw * width], axis=1)


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _note(valid: bool, flexion: float, yaw: float, seen: bool, cfg) -> str | None:
    """Why a side has no trusted FPPA in a frame (ValidityConfig `cfg`), or None if valid."""
    if valid:
        return None
    if not seen:
        return "not seen"
    if np.isfinite(yaw) and yaw > cfg.max_yaw_deg:
        return "turned away"
    if np.isfinite(flexion) and flexion > cfg.max_flexion_deg:
        return "deep flexion"
    return "not assessable"


def live_side_state(
    points: np.ndarray,
    metrics,
    dynamic_deg: float,
    travel_tl: float | None,
    yaw_deg: float,
    zone: np.ndarray,
    validity,
) -> SideState:
    """One leg's SideState in the newest frame of a live window (the same rules as the video).

    points: (5, 2) pixels (LEG_POINTS); metrics: the window's SideMetrics (row -1 is this
    frame); dynamic_deg: FPPA change from the standing baseline (NaN before one is taken);
    travel_tl: the at-depth travel or None; yaw_deg: body yaw; zone: (2, 2) pixels, NaN if
    unknown; validity: ValidityConfig.
    """
    ok = bool(metrics.valid[-1]) and np.isfinite(metrics.fppa_deg[-1])
    seen = bool(np.isfinite(points[:3]).all())
    return SideState(
        points=points,
        position=KneePosition(int(metrics.knee_position[-1])),
        fppa_deg=_finite(metrics.fppa_deg[-1]) if ok else None,
        dynamic_deg=_finite(dynamic_deg) if ok else None,
        travel_tl=travel_tl,
        note=_note(ok, metrics.flexion_deg[-1], yaw_deg, seen, validity),
        zone=_frontal_zone(zone, yaw_deg, validity),
    )


def _frontal_zone(zone: np.ndarray, yaw_deg: float, validity) -> np.ndarray | None:
    """The foot's target zone to draw, or None: unknown, or not a frontal view (body yaw beyond
    ValidityConfig.max_yaw_deg), where a zone along the hip line means nothing."""
    if not np.isfinite(zone).all() or not (yaw_deg <= validity.max_yaw_deg):
        return None
    return zone


def banner_text(event: ValgusEvent) -> str:
    """The red banner of an active collapse event, e.g. "LEFT knee collapse (peak: FPPA +16 deg, +14
    dynamic)": the event's peak values, the live ones are in the value box."""
    if event.measure == "knee_over_foot" or not np.isfinite(event.peak_fppa_deg):
        value = f"knee over foot, {event.peak_excursion_tl:+.2f} thigh lengths inward"
    else:
        value = f"FPPA {event.peak_fppa_deg:+.0f} deg, {event.peak_dynamic_fppa_deg:+.0f} dynamic"
    return f"{event.side.upper()} knee collapse (peak: {value})"


def states_from_analysis(analysis) -> list[OverlayState]:
    """One OverlayState per frame of `analysis` (a run.analyze.Analysis): (T,) states.

    Points from the analysis's track (unsmoothed, leg swaps repaired: the labels the metrics
    use); positions, FPPA (only on valid frames), the travel at depth, reps and judged events
    from the analysis.
    """
    metrics, findings = analysis.metrics, analysis.findings
    cfg = analysis.report.config
    xy = analysis.track.xy
    n = len(xy)
    reps = list(findings.reps)
    sides = {}
    for s in SIDES:
        pts = leg_points(xy, s)
        other = leg_points(xy, "right" if s == "left" else "left")[:, 0]
        zone = target_zones(pts, other, cfg.knee_foot.lateral_edge_fw,
                            cfg.knee_foot.foot_breadth_shank_ratio)  # fmt: skip
        exc = findings.assessment.excursions[s]
        sides[s] = _side_states(metrics, s, pts, zone, exc, cfg.validity)
    rep_now, done = _rep_arrays(reps, n)
    banners = _banners(findings.assessment.events, n)
    fps = f"{analysis.info.fps:.0f} fps" if analysis.info.fps else None
    return [
        OverlayState(
            sides["left"][i], sides["right"][i], rep=rep_now[i], reps_done=done[i],
            banner=banners[i][0], banner_side=banners[i][1], fps_text=fps,
        )
        for i in range(n)
    ]  # fmt: skip


def _side_states(metrics, side, pts, zone, exc, validity) -> list[SideState]:
    m = metrics.side(side)
    dyn = metrics.dynamic(side)
    out = []
    for i in range(len(pts)):
        ok = bool(m.valid[i]) and np.isfinite(m.fppa_deg[i])
        seen = bool(np.isfinite(pts[i, :3]).all())
        deep = bool(exc.at_depth[i])
        out.append(
            SideState(
                points=pts[i],
                position=KneePosition(int(m.knee_position[i])),
                fppa_deg=_finite(m.fppa_deg[i]) if ok else None,
                dynamic_deg=_finite(dyn[i]) if ok else None,
                travel_tl=_finite(exc.excursion_tl[i]) if deep else None,
                note=_note(ok, m.flexion_deg[i], metrics.yaw_deg[i], seen, validity),
                zone=_frontal_zone(zone[i], metrics.yaw_deg[i], validity),
            )
        )
    return out


def _rep_arrays(reps, n: int) -> tuple[list[int | None], list[int]]:
    """Per frame: the rep in progress (1-based) or None, and the reps completed so far."""
    now: list[int | None] = [None] * n
    done = np.zeros(n, int)
    for rep in reps:
        for i in range(rep.i_start, min(rep.i_end, n - 1) + 1):
            now[i] = rep.index + 1
        done[min(rep.i_end, n - 1) :] += 1
    return now, done.tolist()


def _banners(events, n: int) -> list[tuple[str | None, str | None]]:
    """Per frame: (banner text, side) of the strongest active event, or (None, None)."""
    out: list[tuple[str | None, str | None]] = [(None, None)] * n
    rank = {"mild": 0, "moderate": 1, "severe": 2}
    best = np.full(n, -1)
    for ev in events:
        r = rank.get(ev.severity, 0)
        for i in range(ev.i_start, min(ev.i_end, n - 1) + 1):
            if r > best[i]:
                best[i] = r
                out[i] = (banner_text(ev), ev.side)
    return out


FACE = tuple(range(11))
"""MediaPipe face landmarks: nose, eyes, ears, mouth (0-10)."""


def face_boxes(xy: np.ndarray, width: int, height: int, reach: int = 15) -> np.ndarray:
    """(T, 4) int boxes x0, y0, x1, y1 (pixels, clipped to the frame) around the head, for
    --blur-faces; -1 rows where no face landmark is known within `reach` frames.

    xy: (T, 33, 2) pixels. The box spans the face landmarks widened to the whole head (half a
    face span to each side, one span above, 0.8 below). A frame without a face takes the
    nearest frame's box within `reach` frames, so a missed detection does not unblur a face.
    """
    face = xy[:, FACE]
    known = np.isfinite(face).all(axis=2)
    n = len(xy)
    boxes = np.full((n, 4), -1, dtype=int)
    has = known.any(axis=1)
    if not has.any():
        return boxes
    lo = np.full((n, 2), np.nan)
    hi = np.full((n, 2), np.nan)
    lo[has] = np.nanmin(face[has], axis=1)
    hi[has] = np.nanmax(face[has], axis=1)
    span = np.maximum(hi[:, 0] - lo[:, 0], 0.05 * width)
    raw = np.stack(
        [
            lo[:, 0] - 0.5 * span,
            lo[:, 1] - 1.0 * span,
            hi[:, 0] + 0.5 * span,
            hi[:, 1] + 0.8 * span,
        ],
        axis=1,
    )
    idx = np.flatnonzero(has)
    nearest = idx[np.clip(np.searchsorted(idx, np.arange(n)), 0, len(idx) - 1)]
    before = idx[np.clip(np.searchsorted(idx, np.arange(n)) - 1, 0, len(idx) - 1)]
    pick = np.where(np.abs(before - np.arange(n)) < np.abs(nearest - np.arange(n)), before, nearest)
    near = np.abs(pick - np.arange(n)) <= reach
    limits = np.array([width, height, width, height]) - 1
    boxes[near] = np.clip(np.round(raw[pick[near]]), 0, limits).astype(int)
    return boxes
