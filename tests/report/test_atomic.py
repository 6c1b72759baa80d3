"""Atomic writes: all or nothing, and ordinary file modes."""

from __future__ import annotations

import os
import stat

import pytest

from valguscam.report.atomic import atomic_open


def test_written_files_get_the_umask_mode_not_mkstemps_0600(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_open(tmp_path / "a.json", "w") as fh:
            fh.write("{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.json").stat().st_mode) == 0o644


def test_an_error_leaves_neither_the_file_nor_a_temp(tmp_path):
    with pytest.raises(RuntimeError), atomic_open(tmp_path / "b.csv", "w") as fh:
        fh.write("half")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
