"""Overlap the stages of a frame loop: decode ahead in a thread while the model runs.

`prefetch(iterable, depth)` yields the items of `iterable` in order while a background thread
produces the next ones into a bounded queue (memory: at most `depth` decoded frames). PyAV and
OpenCV release the GIL while decoding and converting colour, so decoding overlaps inference.
Errors in the producer are re-raised in the consumer; closing the generator (break, an error or
Ctrl-C in the consumer) stops the producer and joins it before returning.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

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
