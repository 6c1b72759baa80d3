"""glibc malloc thresholds for a batch worker started with a fixed MALLOC_TRIM_THRESHOLD_.

A Dask worker is spawned with MALLOC_TRIM_THRESHOLD_=65536 (Dask's default
`distributed.nanny.pre-spawn-environ`, meant to give freed memory back to the OS). Any such
variable turns off glibc's dynamic mmap threshold, so every block over 128 KiB is mmap'ed and
unmapped again: each decoded 1280x720 frame (2.7 MB), its RGB copy and the pose model's
buffers come as fresh zeroed pages. Measured on the 5 sample clips (one Dask worker, 2 cores):
4.8 million minor page faults against 0.13 million in the local pool, 18.2 s of system CPU
against 1.9 s, 93.7 s of CPU in all against 70.7 s. `roomy_malloc` sets the thresholds the
dynamic rule reaches for blocks of up to 32 MiB, which takes the worker back to the local
pool's figures; a process started without the variable (the local pool) is left alone.
"""

from __future__ import annotations

import ctypes
import os
import sys

TRIM_ENV = "MALLOC_TRIM_THRESHOLD_"
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""mallopt parameter numbers (glibc malloc.h)."""
MMAP_THRESHOLD_B = 32 * 1024 * 1024
"""Blocks of this many bytes or more are mmap'ed: the ceiling of glibc's dynamic threshold
on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX), so a 4K frame (24.9 MB) still comes from the heap."""
TRIM_THRESHOLD_B = 2 * MMAP_THRESHOLD_B
"""Free bytes at the top of a heap before it is given back to the OS (the dynamic rule's
2 x the mmap threshold)."""


def roomy_malloc() -> bool:
    """On Linux/glibc, when this process was started with MALLOC_TRIM_THRESHOLD_ set, raise
    the mmap and trim thresholds to MMAP_THRESHOLD_B and TRIM_THRESHOLD_B bytes (see the
    module doc); True when they were set. Elsewhere, or without the variable, nothing."""
    if TRIM_ENV not in os.environ or not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt thresholds)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_B) and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_B)
    )
