"""Overlap the stages of a frame loop: decode ahead in a thread while the models run.

`prefetch(iterable, depth)` yields the items of `iterable` in order while a background thread
produces the next ones into a bounded queue (memory: at most `depth` decoded frames). PyAV and
OpenCV release the GIL while decoding and converting colour, so decoding overlaps inference.
Errors in the producer are re-raised in the consumer; closing the generator (break, an error or
Ctrl-C in the consumer) stops the producer and joins it before returning.

`RoundRobin(fns, items)` applies `fns[i % W]` to item i, each function in a thread of its own
and always on the same thread, and yields the results in input order. MediaPipe releases the
GIL during inference, so W landmarkers use W cores; each sees every W-th frame in time order.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_DONE = object()
_POLL_S = 0.1  # the consumer wakes this often, so Ctrl-C is seen promptly


class _Failure:
    def __init__(self, exc: BaseException):
        self.exc = exc


def _produce(items: Iterable, out: queue.Queue, stop: threading.Event) -> None:
    try:
        for item in items:
            while not stop.is_set():
                try:
                    out.put(item, timeout=_POLL_S)
                    break
                except queue.Full:
                    continue
            if stop.is_set():
                return
        out.put(_DONE)
    except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises it
        out.put(_Failure(exc))


class Prefetcher(Iterator[T]):
    """Iterate `items` in order while a background thread produces up to `depth` ahead.

    The thread starts at construction, so decoding can begin while the model still loads.
    Use as a context manager (or call close()) to stop and join the thread.
    """

    def __init__(self, items: Iterable[T], depth: int = 8):
        self._queue: queue.Queue = queue.Queue(maxsize=max(depth, 1))
        self._stop = threading.Event()
        self._done = False
        self._worker = threading.Thread(
            target=_produce, args=(items, self._queue, self._stop), daemon=True,
            name="valguscam-decode",
        )  # fmt: skip
        self._worker.start()

    def __next__(self) -> T:
        while not self._done:
            try:
                item = self._queue.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            if item is _DONE:
                self._done = True
                break
            if isinstance(item, _Failure):
                self._done = True
                raise item.exc
            return item
        raise StopIteration

    def close(self) -> None:
        """Stop the producer and wait for it (drains the queue so it can see the stop flag)."""
        self._done = True
        self._stop.set()
        while self._worker.is_alive():
            try:
                self._queue.get_nowait()
            except queue.Empty:
                self._worker.join(timeout=_POLL_S)

    def __enter__(self) -> Prefetcher[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def prefetch(items: Iterable[T], depth: int = 8) -> Prefetcher[T]:
    """Yield `items` in order, produced `depth` ahead by a background thread (see Prefetcher)."""
    return Prefetcher(items, depth)


class RoundRobin(Iterator[R], Generic[T, R]):
    """Results of `fns[i % W](items[i])` in input order, with W calls running at once.

    Function k runs only on thread k, so a stateful worker (a landmarker in video mode) sees its
    items one at a time and in order. At most `ahead` items per worker are in flight (memory:
    W * ahead frames). Worker errors are re-raised in the consumer, in input order; an error
    from `items` itself is raised after the results of the items before it. Use as a
    context manager (or call close()): closing cancels what has not started and waits for
    what has (one call per worker).
    """

    def __init__(self, fns: Sequence[Callable[[T], R]], items: Iterable[T], ahead: int = 2):
        if not fns:
            raise ValueError("RoundRobin needs at least one function")
        self._fns = list(fns)
        self._items = iter(items)
        self._limit = len(self._fns) * max(ahead, 1)
        self._pending: deque[Future] = deque()
        self._next = 0
        self._exhausted = False
        self._error: BaseException | None = None
        self._pools = [
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"valguscam-worker{k}")
            for k in range(len(self._fns))
        ]

    def _fill(self) -> None:
        while not self._exhausted and len(self._pending) < self._limit:
            try:
                item = next(self._items)
            except StopIteration:
                self._exhausted = True
                return
            except Exception as exc:  # noqa: BLE001 - raised after the results already in flight
                self._exhausted, self._error = True, exc
                return
            k = self._next % len(self._fns)
            self._pending.append(self._pools[k].submit(self._fns[k], item))
            self._next += 1

    def __next__(self) -> R:
        self._fill()
        if not self._pending:
            if self._error is not None:
                error, self._error = self._error, None
                raise error
            raise StopIteration
        return self._pending.popleft().result()

    def close(self) -> None:
        """Cancel the calls not started and wait for the running ones; idempotent."""
        self._exhausted = True
        for future in self._pending:
            future.cancel()
        self._pending.clear()
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> RoundRobin[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
