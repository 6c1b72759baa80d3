"""json_ready: strict-JSON values from numpy and NaN-bearing results."""

from __future__ import annotations

import json
import math

import numpy as np

from valguscam.report.jsonable import json_ready


def test_nan_inf_and_numpy_become_strict_json():
    value = {"a": np.float64(1.23456), "b": [float("nan"), np.int8(3), (math.inf, "x")], 2: None}
    out = json_ready(value)
    assert out == {"a": 1.23456, "b": [None, 3, [None, "x"]], "2": None}
    assert type(out["a"]) is float and type(out["b"][1]) is int
    json.dumps(out, allow_nan=False)  # raises on any NaN left


def test_rounding_only_when_asked():
    assert json_ready({"x": 1.23456, "n": 7}, digits=3) == {"x": 1.235, "n": 7}
    assert json_ready(np.float32(0.5), digits=1) == 0.5
    assert json_ready(float("-inf"), digits=2) is None
