"""run.batch_malloc: a worker started with MALLOC_TRIM_THRESHOLD_ (a Dask worker) gets glibc's
roomy thresholds back; a process started without it is left alone."""

from __future__ import annotations

import platform
import sys

import pytest

from valguscam.run.batch_malloc import TRIM_ENV, roomy_malloc


def test_a_process_without_the_variable_is_left_alone(monkeypatch) -> None:
    monkeypatch.delenv(TRIM_ENV, raising=False)
    assert roomy_malloc() is False


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_a_dask_like_worker_gets_the_thresholds(monkeypatch) -> None:
    monkeypatch.setenv(TRIM_ENV, "65536")
    assert roomy_malloc() is True
