"""prefetch and RoundRobin: order, errors, bounded read-ahead and clean shutdown."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from valguscam.run.pipeline import RoundRobin, prefetch


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


def counted(taken: list[int]):
    """0, 1, 2, ... without end, noting in `taken` each number as it is taken."""
    for i in itertools.count():
        taken.append(i)
        yield i


def test_read_ahead_is_bounded():
    produced: list[int] = []
    gen = prefetch(counted(produced), depth=3)
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


class Recorder:
    """A stateful worker like a video-mode landmarker: records its thread and its inputs."""

    def __init__(self, delay_s: float = 0.0):
        self.delay_s = delay_s
        self.threads: set[str] = set()
        self.seen: list[int] = []
        self.busy = 0
        self.max_busy = 0
        self.lock = threading.Lock()

    def __call__(self, item: int) -> tuple[int, str]:
        with self.lock:
            self.busy += 1
            self.max_busy = max(self.max_busy, self.busy)
        self.threads.add(threading.current_thread().name)
        self.seen.append(item)
        time.sleep(self.delay_s)
        with self.lock:
            self.busy -= 1
        return item * 10, threading.current_thread().name


def test_round_robin_keeps_input_order_and_gives_each_worker_its_share_in_order():
    workers = [Recorder(), Recorder(), Recorder()]
    with RoundRobin(workers, range(100), ahead=2) as results:
        out = list(results)
    assert [value for value, _ in out] == [i * 10 for i in range(100)]
    for k, worker in enumerate(workers):
        assert worker.seen == list(range(k, 100, 3))  # every 3rd item, in time order
        assert len(worker.threads) == 1  # always the same thread: a landmarker's state is safe
        assert worker.max_busy == 1  # never called twice at once
    assert len({next(iter(w.threads)) for w in workers}) == 3


def test_round_robin_runs_workers_at_the_same_time():
    workers = [Recorder(0.05), Recorder(0.05)]
    start = time.perf_counter()
    with RoundRobin(workers, range(20), ahead=2) as results:
        assert len(list(results)) == 20
    elapsed = time.perf_counter() - start
    assert elapsed < 0.8 * 20 * 0.05  # sequential would take 1.0 s


def test_round_robin_bounds_items_in_flight():
    pulled: list[int] = []
    rr = RoundRobin([Recorder(), Recorder()], counted(pulled), ahead=2)
    assert next(rr)[0] == 0
    time.sleep(0.2)
    assert len(pulled) <= 2 * 2  # nothing is read beyond workers * ahead
    rr.close()


def test_round_robin_worker_error_is_raised_in_order():
    def fails_on_7(item: int) -> int:
        if item == 7:
            raise ValueError("bad frame 7")
        return item

    got = []
    with (
        pytest.raises(ValueError, match="bad frame 7"),
        RoundRobin([fails_on_7, fails_on_7], range(20)) as results,
    ):
        for x in results:
            got.append(x)
    assert got == list(range(7))


def test_round_robin_input_error_comes_after_the_results_before_it():
    def items():
        yield from range(5)
        raise OSError("decoder gave up at frame 5")

    got = []
    with (
        pytest.raises(OSError, match="frame 5"),
        RoundRobin([Recorder(), Recorder()], items(), ahead=4) as results,
    ):
        for value, _ in results:
            got.append(value // 10)
    assert got == [0, 1, 2, 3, 4]  # nothing computed is dropped


def test_round_robin_close_cancels_and_joins_its_threads():
    before = threading.active_count()
    rr = RoundRobin([Recorder(0.02), Recorder(0.02)], itertools.count(), ahead=3)
    assert [next(rr)[0] for _ in range(3)] == [0, 10, 20]
    rr.close()
    rr.close()  # idempotent
    assert threading.active_count() == before
    assert not [t for t in threading.enumerate() if t.name.startswith("valguscam-worker")]
    with pytest.raises(StopIteration):
        next(rr)
