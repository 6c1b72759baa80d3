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


def prefetch(items: Iterable[T], depth: int = 8) -> Iterator[T]:
    """Yield `items` in order, produced `depth` ahead by a background thread."""
    out: queue.Queue = queue.Queue(maxsize=max(depth, 1))
    stop = threading.Event()
    worker = threading.Thread(target=_produce, args=(items, out, stop), daemon=True,
                              name="valguscam-decode")  # fmt: skip
    worker.start()
    try:
        while True:
            try:
                item = out.get(timeout=_POLL_S)
            except queue.Empty:
                continue
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        while worker.is_alive():
            try:  # drain so a producer blocked on put() can see the stop flag
                out.get_nowait()
            except queue.Empty:
                worker.join(timeout=_POLL_S)
