"""Knee-collapse (valgus) and knee-out (varus) events from per-frame metrics. Pure numpy.

An event is a stretch of time in which one knee has moved medially (valgus) or laterally (varus)
beyond a threshold, judged on the frames where the frontal-plane angle is trusted
(`SideMetrics.valid`). The signal is the dynamic FPPA (FPPA minus the standing baseline, degrees,
+ = valgus); without a baseline the absolute FPPA is used with thresholds raised by
`EventsConfig.absolute_margin_deg`, and every such event has `peak_dynamic_fppa_deg` = NaN.
Time comes from the timestamps (variable frame rate), never from frame counts.

Varus events need the knee OUTSIDE the foot as well (by default): a 2D FPPA below zero alone is
what a good wide-stance squat with the knees tracking over turned-out toes looks like.
"""

from __future__ import annotations

import numpy as np

from valguscam.config import EventsConfig
from valguscam.errors import ConfigError
from valguscam.types import KneeMetrics, KneePosition, Rep, ValgusEvent

DIRECTIONS = ("valgus", "varus")
RULES = ("fppa", "and", "or")
SEVERITIES = ("mild", "moderate", "severe")
_EPS = 1e-9


def reference_fppa(metrics: KneeMetrics, side: str) -> tuple[np.ndarray, bool]:
    """(T,) the FPPA that events are judged on (degrees, + = valgus) and whether it is absolute.

    The dynamic FPPA when the side has a standing baseline, else the absolute FPPA (True).
    """
    base = metrics.baseline.get(side)
    if base is not None and np.isfinite(base.fppa_deg):
        return metrics.dynamic(side), False
    return metrics.side(side).fppa_deg, True


def severity(value_deg: float, cfg: EventsConfig) -> str:
    """Severity band of a peak FPPA excursion (degrees, toward the event's direction)."""
    if value_deg >= cfg.severe_deg:
        return "severe"
    if value_deg >= cfg.moderate_deg:
        return "moderate"
    return "mild"


def rep_of_frames(reps: list[Rep], n_frames: int) -> np.ndarray:
    """(T,) int: the Rep.index whose [i_start, i_end] holds each frame, -1 outside every rep."""
    out = np.full(n_frames, -1, dtype=int)
    for rep in reps:
        out[max(rep.i_start, 0) : min(rep.i_end, n_frames - 1) + 1] = rep.index
    return out


def _criteria(
    metrics: KneeMetrics, side: str, cfg: EventsConfig, direction: str
) -> dict[str, np.ndarray]:
    """Per-frame masks: observed, enter, stay (hysteresis), fault (knee position) and signal."""
    m = metrics.side(side)
    ref, absolute = reference_fppa(metrics, side)
    shift = cfg.absolute_margin_deg if absolute else 0.0
    x = ref if direction == "valgus" else -ref
    ok = m.valid & np.isfinite(x)
    with np.errstate(invalid="ignore"):
        enter = ok & (x > cfg.enter_deg + shift)
        stay = ok & (x >= cfg.exit_deg + shift)
    pos = m.knee_position
    if direction == "valgus":
        fault = (pos == KneePosition.INSIDE) | (pos == KneePosition.BIG_TOE)
    else:
        fault = pos == KneePosition.OUTSIDE
    observed = ok.copy()
    if direction == "valgus" and cfg.knee_position_rule == "or":
        observed |= pos >= 0
        enter |= fault
        stay |= fault
    return {"x": x, "ok": ok, "observed": observed, "enter": enter, "stay": stay, "fault": fault}


def segments(
    t_s: np.ndarray, c: dict[str, np.ndarray], rep_of: np.ndarray, cfg: EventsConfig
) -> list[tuple[int, int]]:
    """[first, last] frame pairs of the hysteresis runs, bridging short or within-rep gaps."""
    segments: list[tuple[int, int]] = []
    start = last_in = last = -1
    state = False
    for i in np.flatnonzero(c["observed"]):
        if last >= 0:
            same_rep = cfg.bridge_within_rep and rep_of[last] >= 0 and rep_of[last] == rep_of[i]
            if t_s[i] - t_s[last] > cfg.max_gap_s + _EPS and not same_rep:
                state = False
                if start >= 0:
                    segments.append((start, last_in))
                    start = -1
        state = bool(c["stay"][i]) if state else bool(c["enter"][i])
        if state:
            start = i if start < 0 else start
            last_in = i
        elif start >= 0:
            segments.append((start, last_in))
            start = -1
        last = i
    if start >= 0:
        segments.append((start, last_in))
    return segments


def debounced(
    t_s: np.ndarray, segments: list[tuple[int, int]], cfg: EventsConfig
) -> list[tuple[int, int]]:
    """Merge runs split by a dip shorter than min_duration_s, then drop runs shorter than it.

    A run's duration is the time its frames cover (last - first + one frame interval).
    """
    dt = np.diff(t_s)
    frame_s = float(np.median(dt[dt > 0])) if np.any(dt > 0) else 0.0
    merged: list[tuple[int, int]] = []
    for first, last in segments:
        if merged and t_s[first] - t_s[merged[-1][1]] - frame_s < cfg.min_duration_s - _EPS:
            merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return [(a, b) for a, b in merged if t_s[b] - t_s[a] + frame_s >= cfg.min_duration_s - _EPS]


def _peak(metrics: KneeMetrics, side: str, c: dict[str, np.ndarray], first: int, last: int) -> int:
    """Frame of the largest excursion on trusted frames; else the most medial knee position."""
    idx = np.arange(first, last + 1)
    ok = idx[c["ok"][idx]]
    if ok.size:
        return int(ok[np.argmax(c["x"][ok])])
    kf = metrics.side(side).knee_foot[idx]
    return int(idx[np.nanargmax(kf)]) if np.isfinite(kf).any() else int(idx[len(idx) // 2])


def _event(
    metrics: KneeMetrics,
    side: str,
    c: dict[str, np.ndarray],
    span: tuple[int, int],
    rep_of: np.ndarray,
    cfg: EventsConfig,
) -> ValgusEvent:
    first, last = span
    peak = _peak(metrics, side, c, first, last)
    t = metrics.t_s
    code = int(metrics.side(side).knee_position[peak])
    size = float(c["x"][peak]) if c["ok"][peak] else float("nan")
    return ValgusEvent(
        side=side,
        start_s=float(t[first]),
        peak_s=float(t[peak]),
        end_s=float(t[last]),
        i_start=int(first),
        i_peak=peak,
        i_end=int(last),
        peak_fppa_deg=float(metrics.side(side).fppa_deg[peak]),
        peak_dynamic_fppa_deg=float(metrics.dynamic(side)[peak]),
        knee_position=KneePosition(code).label if code >= 0 else None,
        severity=severity(size, cfg) if np.isfinite(size) else "mild",
        rep=int(rep_of[peak]) if rep_of[peak] >= 0 else None,
    )


def detect_events(
    metrics: KneeMetrics,
    side: str,
    reps: list[Rep],
    cfg: EventsConfig,
    direction: str = "valgus",
) -> list[ValgusEvent]:
    """Events of one side ("left"/"right"), in time order.

    direction "valgus" (knee medial, FPPA +) or "varus" (knee lateral, FPPA -; the event's
    peak_fppa_deg is then negative and its severity uses the size of the excursion).
    Hysteresis: enter above `enter_deg`, leave below `exit_deg` (dynamic FPPA, degrees); a dip
    below exit shorter than `min_duration_s` does not end a run, and runs shorter than it are
    dropped; gaps of invalid frames up to `max_gap_s` (or
    inside one rep, with `bridge_within_rep`) do not split a run. Each event's `rep` is the
    Rep.index whose [i_start, i_end] holds the peak. peak_dynamic_fppa_deg is NaN when the side
    has no standing baseline (the event was judged on the absolute FPPA). With
    knee_position_rule "or", an event without any valid FPPA frame (knee position alone) peaks
    at the most medial knee position and is "mild": its size is not measured.
    """
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    if cfg.knee_position_rule not in RULES:
        raise ConfigError(
            f"events.knee_position_rule={cfg.knee_position_rule!r} is not one of "
            f"{', '.join(RULES)}; fix it in the config file or the --set option"
        )
    n = len(metrics.t_s)
    if n == 0:
        return []
    c = _criteria(metrics, side, cfg, direction)
    rep_of = rep_of_frames(reps, n)
    need_fault = (direction == "valgus" and cfg.knee_position_rule == "and") or (
        direction == "varus" and cfg.varus_needs_outside
    )
    events = []
    for first, last in debounced(metrics.t_s, segments(metrics.t_s, c, rep_of, cfg), cfg):
        # The knee-position fault must coincide with the FPPA excursion (a valid frame beyond
        # exit_deg), not merely fall somewhere in a run bridged across an invalid deep bottom.
        if need_fault and not (c["fault"] & c["stay"])[first : last + 1].any():
            continue
        events.append(_event(metrics, side, c, (first, last), rep_of, cfg))
    return events
