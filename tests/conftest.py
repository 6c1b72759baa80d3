"""Shared fixtures: the ../shared folder beside the repository (clips, models).

A missing shared folder is a test FAILURE, never a skip (DESIGN.md, rule 9).
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared data folder, `../shared` relative to the repository root."""
    path = Path(__file__).resolve().parents[1].parent / "shared"
    if not path.is_dir():
        pytest.fail(
            f"shared data folder missing: {path} (expected ../shared beside the repository, "
            "holding videos/ and models/)"
        )
    return path


@pytest.fixture(scope="session")
def videos_dir(shared_dir: Path) -> Path:
    """The real exercise clips, read in place (see videos/MANIFEST.md)."""
    return shared_dir / "videos"
