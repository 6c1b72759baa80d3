"""The range of every configuration value, checked when a config section is made.

A value outside its range is a ConfigError naming the key, the value and the range, so a typo
such as `--set validity.max_yaw_deg=-5` is refused at once instead of showing up later as a
strange result blamed on the clip. Bounds are inclusive; `nan_ok` marks the values where NaN
means "not set" (measure it from the clip).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from valguscam.errors import ConfigError

T = TypeVar("T")

INF = math.inf


@dataclass(frozen=True)
class Range:
    """Inclusive bounds of one value; unit for the message; nan_ok: NaN means "not set"."""

    lo: float
    hi: float = INF
    unit: str = ""
    nan_ok: bool = False

    def text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.hi == INF:
            return f"{self.lo:g} or more{unit}"
        return f"from {self.lo:g} to {self.hi:g}{unit}"


DEG = Range(0, 90, "degrees")
SHARE = Range(0, 1)
SECONDS = Range(0, 3600, "seconds")
HZ = Range(1e-3, 1000, "Hz")
COUNT = Range(0, 1_000_000)
_POSITIVE = Range(1e-9)
_NONNEG = Range(0)
_ANGLE = Range(-90, 90, "degrees", nan_ok=True)


def check_value(section: str, key: str, value: Any, bounds: Range) -> None:
    """ConfigError naming the key, the value and `bounds` when `value` lies outside them."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    if bounds.nan_ok and math.isnan(value):
        return
    if not bounds.lo <= value <= bounds.hi:
        raise ConfigError(
            f"config value {section}.{key}={value!r} is out of range: use a value "
            f"{bounds.text()}; fix it in the config file or the --set option"
        )


def check_order(section: str, obj: Any, low: str, high: str, strict: bool = False) -> None:
    """ConfigError when `obj.low` is above (or, strict, equal to) `obj.high`."""
    a, b = getattr(obj, low), getattr(obj, high)
    if math.isnan(a) or math.isnan(b):
        return
    if a > b or (strict and a == b):
        word = "below" if strict else "at most"
        raise ConfigError(
            f"config value {section}.{low}={a!r} must be {word} {section}.{high}={b!r}; "
            "fix them in the config file or the --set option"
        )


def ranged(
    section: str,
    ranges: dict[str, Range],
    orders: tuple[tuple[str, str, bool], ...] = (),
) -> Callable[[type[T]], type[T]]:
    """Class decorator for a config class, placed BELOW @dataclass (so the dataclass's
    __init__ calls the __post_init__ it adds): check every value in `ranges` and every
    (low, high, strict) pair in `orders` after construction (an existing __post_init__ runs
    first)."""

    def decorate(cls: type[T]) -> type[T]:
        missing = set(ranges) - set(getattr(cls, "__annotations__", {}))
        if missing:
            raise TypeError(f"ranges for unknown fields of {cls.__name__}: {sorted(missing)}")
        before = getattr(cls, "__post_init__", None)

        def __post_init__(self: Any) -> None:
            if before is not None:
                before(self)
            for key, bounds in ranges.items():
                check_value(section, key, getattr(self, key), bounds)
            for low, high, strict in orders:
                check_order(section, self, low, high, strict)

        cls.__post_init__ = __post_init__  # type: ignore[attr-defined]
        return cls

    return decorate


# The ranges of config_sections.py, one table per section (units as in the key names).

POSE_RANGES: dict[str, Range] = {
    "min_detection_confidence": SHARE,
    "min_presence_confidence": SHARE,
    "min_tracking_confidence": SHARE,
    "workers": Range(1, 256),
}

SMOOTHING_RANGES: dict[str, Range] = {
    "min_visibility": SHARE,
    "max_gap_s": SECONDS,
    "cutoff_hz": HZ,
    "filter_order": Range(1, 10),
    "one_euro_min_cutoff_hz": HZ,
    "one_euro_beta": _NONNEG,
    "one_euro_d_cutoff_hz": HZ,
}

VALIDITY_RANGES: dict[str, Range] = {
    "max_yaw_deg": DEG,
    "max_flexion_deg": Range(0, 180, "degrees"),
    "min_thigh_ratio": SHARE,
    "min_visibility": SHARE,
}

BASELINE_RANGES: dict[str, Range] = {
    "max_depth": SHARE,
    "min_frames": Range(1, 1_000_000),
    "structural_fppa_deg": DEG,
    "max_speed": _POSITIVE,
    "min_duration_s": SECONDS,
    "max_spread_deg": DEG,
    "start_s": Range(0, INF, "seconds", nan_ok=True),
    "end_s": Range(0, INF, "seconds", nan_ok=True),
    "left_fppa_deg": _ANGLE,
    "right_fppa_deg": _ANGLE,
}

BASELINE_ORDERS: tuple[tuple[str, str, bool], ...] = (("start_s", "end_s", True),)

KNEE_FOOT_RANGES: dict[str, Range] = {
    "foot_breadth_shank_ratio": Range(1e-3, 2),
    "big_toe_offset_fw": Range(-5, 5, "foot widths"),
    "big_toe_half_width_fw": Range(0, 5, "foot widths"),
    "lateral_edge_fw": Range(0, 5, "foot widths"),
    "min_depth": SHARE,
    "cue_medial_share": SHARE,
}

EVENTS_RANGES: dict[str, Range] = {
    "enter_deg": DEG,
    "exit_deg": DEG,
    "moderate_deg": DEG,
    "severe_deg": DEG,
    "absolute_margin_deg": DEG,
    "min_duration_s": SECONDS,
    "max_gap_s": SECONDS,
    "bottom_window_s": SECONDS,
    "min_valid_frames": COUNT,
    "min_rep_valid_frames": COUNT,
    "asymmetry_deg": DEG,
}

EVENTS_ORDERS: tuple[tuple[str, str, bool], ...] = (
    ("exit_deg", "enter_deg", False),
    ("moderate_deg", "severe_deg", False),
)

DEPTH_RANGES: dict[str, Range] = {
    "enter_tl": Range(0, 10, "thigh lengths"),
    "exit_tl": Range(0, 10, "thigh lengths"),
    "early_frac": SHARE,
    "deep_frac": SHARE,
    "min_reference_frames": Range(1, 1_000_000),
    "max_yaw_deg": DEG,
    "asymmetry_sdd_tl": Range(0, 10, "thigh lengths"),
}

DEPTH_ORDERS: tuple[tuple[str, str, bool], ...] = (("exit_tl", "enter_tl", False),)

MOVEMENT_RANGES: dict[str, Range] = {
    "depth_cutoff_hz": HZ,
    "max_gap_s": SECONDS,
    "standing_window_s": Range(1e-3, 3600, "seconds"),
    "standing_percentile": Range(0, 100),
    "standing_depth": SHARE,
    "standing_frac": SHARE,
    "min_rep_depth": SHARE,
    "rep_depth_frac": SHARE,
    "min_rep_flexion_deg": Range(0, 180, "degrees"),
    "min_rep_s": SECONDS,
    "max_rep_s": SECONDS,
    "frontal_hip_ratio": Range(1e-3, 10),
    "frontal_shoulder_ratio": Range(1e-3, 10),
    "view_2d_weight": SHARE,
    "frontal_max_yaw_deg": DEG,
    "sagittal_min_yaw_deg": DEG,
    "min_view_frames": COUNT,
    "bottom_frac": SHARE,
    "split_min_hw": Range(0, 100, "hip widths"),
    "lateral_min_hw": Range(0, 100, "hip widths"),
    "lateral_min_shift": SHARE,
    "single_leg_lift": Range(0, 10, "leg lengths"),
    "single_leg_frac": SHARE,
    "min_visibility": SHARE,
}

MOVEMENT_ORDERS: tuple[tuple[str, str, bool], ...] = (
    ("min_rep_s", "max_rep_s", True),
    ("frontal_max_yaw_deg", "sagittal_min_yaw_deg", False),
)
