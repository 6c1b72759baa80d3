"""Fixtures of the CLI tests: the sample clips and a clean logging state per test."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def squats_clip(clip_path) -> Path:
    """nowva squats (CC0-1.0): 365 frames, 5 frontal bilateral squats, both knees OK."""
    return clip_path("sample:squats.mp4")


@pytest.fixture(scope="session")
def lunge_clip(clip_path) -> Path:
    """nowva lunge (CC0-1.0): 961 frames, long enough to interrupt mid-way."""
    return clip_path("sample:lunge.mp4")


@pytest.fixture(autouse=True)
def _restore_logging_level():
    """-q and --debug set the valguscam logger's level; put it back after each test."""
    logger = logging.getLogger("valguscam")
    level = logger.level
    yield
    logger.setLevel(level)
