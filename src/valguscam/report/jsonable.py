"""Values made ready for strict JSON: pure Python, no NaN or infinity (they become null).

`report_ready` is where the report's numbers are rounded, by the one table DIGITS: a float is
rounded by the name of the key that holds it. Pure stages keep full precision.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Any

import numpy as np

DIGITS: tuple[tuple[str, int], ...] = (
    ("yaw_deg", 1),  # body yaw: a coarse estimate, 0.1 deg
    ("_deg", 2),  # knee angles and their differences, 0.01 deg
    ("_s", 3),  # times, seconds (1 ms)
    ("", 3),  # everything else: ratios, shares, lengths (thigh lengths, hip widths), fps
)
"""Decimals for a float by the end of its key's name, first match wins."""


def digits_for(key: str) -> int:
    """Decimals DIGITS gives a float held under `key`."""
    return next(d for suffix, d in DIGITS if key.endswith(suffix))


def json_ready(value: Any, digits: int | None = None) -> Any:
    """`value` with dicts, lists and tuples converted recursively for `json.dump(allow_nan=False)`.

    numpy scalars become Python numbers, non-finite floats None, dict keys strings; floats are
    rounded to `digits` decimals when given.
    """
    if isinstance(value, dict):
        return {str(k): json_ready(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v, digits) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return round(value, digits) if digits is not None else value
    return value


def report_ready(value: Any, key: str = "") -> Any:
    """`value` as json_ready makes it, floats rounded by DIGITS after the key holding them
    (items of a list by the list's key), enums as their values."""
    if isinstance(value, dict):
        return {str(k): report_ready(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [report_ready(v, key) for v in value]
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return round(value, digits_for(key)) if math.isfinite(value) else None
    return value
