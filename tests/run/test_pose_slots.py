"""Pose slots are the machine's: another process waits while every slot is held, and a process
that dies holding one (kill -9) gives it back."""

from __future__ import annotations

import subprocess
import sys
import time

from valguscam.run.pose_slots import PoseSlot, slot_folder

HOLD = """
import sys, time
from valguscam.run.pose_slots import PoseSlot
with PoseSlot(1):
    print("held", flush=True)
    time.sleep(float(sys.argv[1]))
"""


def _holder(seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(seconds)], stdout=subprocess.PIPE,
                            text=True)  # fmt: skip
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_held_slot_makes_another_process_wait() -> None:
    proc = _holder(1.0)
    start = time.monotonic()
    with PoseSlot(1):
        waited = time.monotonic() - start
    proc.wait(timeout=10)
    assert 0.5 < waited < 5.0, waited
    with PoseSlot(2), PoseSlot(2):  # both slots, one after the other, at once
        pass
    assert slot_folder().is_dir()


def test_a_killed_holder_frees_its_slot() -> None:
    proc = _holder(60.0)
    proc.kill()
    proc.wait(timeout=10)
    start = time.monotonic()
    with PoseSlot(1):
        assert time.monotonic() - start < 1.0
