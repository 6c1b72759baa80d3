"""The vectorised NaN percentile behind the standing height equals numpy's nanpercentile."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from valguscam.body.measures import nanpercentile_rows

ROWS = arrays(
    float,
    st.tuples(st.integers(1, 30), st.integers(1, 40)),
    elements=st.one_of(st.just(np.nan), st.floats(-1e6, 1e6, allow_nan=False)),
)


@settings(max_examples=300, deadline=None)
@given(ROWS, st.floats(0, 100))
def test_equals_numpy_nanpercentile(x, q):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = np.nanpercentile(x, q, axis=1)
    assert np.allclose(nanpercentile_rows(x, q), expected, equal_nan=True, rtol=1e-9, atol=1e-6)


def test_all_nan_row_is_nan_and_others_are_kept():
    x = np.array([[np.nan, np.nan], [1.0, np.nan], [1.0, 3.0]])
    out = nanpercentile_rows(x, 50)
    assert np.isnan(out[0]) and out[1] == 1.0 and out[2] == 2.0


@settings(max_examples=100, deadline=None)
@given(ROWS, st.data())
def test_one_percentile_per_row(x, data):
    q = np.array(data.draw(st.lists(st.floats(0, 100), min_size=len(x), max_size=len(x))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = [np.nanpercentile(row, qi) for row, qi in zip(x, q, strict=True)]
    assert np.allclose(nanpercentile_rows(x, q), expected, equal_nan=True, rtol=1e-9, atol=1e-6)
