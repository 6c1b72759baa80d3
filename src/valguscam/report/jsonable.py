"""Values made ready for strict JSON: pure Python, no NaN or infinity (they become null)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


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
