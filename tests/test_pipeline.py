"""prefetch: order, errors, bounded read-ahead and clean shutdown."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from valguscam.pipeline import prefetch


def test_yields_everything_in_order():
    assert list(prefetch(range(1000), depth=4)) == list(range(1000))


def test_producer_errors_reach_the_consumer_after_the_good_items():
    def items():
        yield from range(5)
        raise ValueError("corrupt frame 5")

    got = []
    with pytest.raises(ValueError, match="corrupt frame 5"):
        for x in prefetch(items(), depth=2):
            got.append(x)
    assert got == [0, 1, 2, 3, 4]


def test_read_ahead_is_bounded():
    produced = []

    def items():
        for i in itertools.count():
            produced.append(i)
            yield i

    gen = prefetch(items(), depth=3)
    assert next(gen) == 0
    time.sleep(0.3)
    assert len(produced) <= 1 + 3 + 1  # consumed + queued + one waiting to be put
    gen.close()


def test_closing_early_stops_and_joins_the_producer():
    before = threading.active_count()
    gen = prefetch(itertools.count(), depth=2)
    assert [next(gen) for _ in range(3)] == [0, 1, 2]
    gen.close()
    assert threading.active_count() == before
    assert not [t for t in threading.enumerate() if t.name == "valguscam-decode"]
